/* reader_arena.c - the arena the record reader's yajl parser allocates
 * from: chunks kept across lines and reset per line, so that in steady
 * state parsing a line allocates nothing. yajl frees nothing itself here;
 * everything goes at the next reset. */
#include "alloc.h"
#include "reader_int.h"

struct cars_rd_chunk {
    cars_rd_chunk *next;
    size_t cap, used;
    max_align_t data[];
};

#define HDR 16 /* each allocation is preceded by its size */

void *cars_rd_arena_alloc(cars_rd_arena *a, size_t n)
{
    size_t need = HDR + ((n + 15) & ~(size_t)15);
    cars_rd_chunk *c = a->cur;
    while (c && c->cap - c->used < need)
        c = c->next;
    if (!c) {
        size_t cap = need > 65536 ? need * 2 : 65536;
        c = cars_malloc(sizeof(cars_rd_chunk) + cap);
        if (!c) {
            a->failed = true;
            return NULL;
        }
        c->cap = cap;
        c->used = 0;
        c->next = NULL;
        cars_rd_chunk **link = &a->first;
        while (*link)
            link = &(*link)->next;
        *link = c;
    }
    a->cur = c;
    unsigned char *p = (unsigned char *)c->data + c->used;
    memcpy(p, &n, sizeof n);
    c->used += need;
    return p + HDR;
}

static void *arena_malloc(void *ctx, size_t n) { return cars_rd_arena_alloc(ctx, n); }

static void arena_free(void *ctx, void *p)
{
    (void)ctx;
    (void)p;
}

static void *arena_realloc(void *ctx, void *p, size_t n)
{
    if (!p)
        return cars_rd_arena_alloc(ctx, n);
    size_t old;
    memcpy(&old, (unsigned char *)p - HDR, sizeof old);
    if (n <= old)
        return p;
    void *q = cars_rd_arena_alloc(ctx, n);
    if (q)
        memcpy(q, p, old);
    return q;
}

void cars_rd_arena_funcs(cars_rd_arena *a, yajl_alloc_funcs *f)
{
    f->malloc = arena_malloc;
    f->realloc = arena_realloc;
    f->free = arena_free;
    f->ctx = a;
}

void cars_rd_arena_reset(cars_rd_arena *a)
{
    for (cars_rd_chunk *c = a->first; c; c = c->next)
        c->used = 0;
    a->cur = a->first;
    a->failed = false;
}

/* The chunk goes first: yajl's string buffer doubles up to twice the
 * longest string, and old copies stay, so the caller asks for a multiple
 * of the line's length. */
bool cars_rd_arena_reserve(cars_rd_arena *a, size_t n)
{
    if (a->first && a->first->cap >= n)
        return true;
    cars_rd_chunk *c = cars_malloc(sizeof(cars_rd_chunk) + n);
    if (!c)
        return false;
    c->cap = n;
    c->used = 0;
    c->next = a->first;
    a->first = a->cur = c;
    return true;
}

void cars_rd_arena_destroy(cars_rd_arena *a)
{
    cars_rd_chunk *c = a->first;
    while (c) {
        cars_rd_chunk *n = c->next;
        cars_free(c);
        c = n;
    }
}

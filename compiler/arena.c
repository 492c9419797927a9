/* arena.c - bump allocator over a list of chunks. */
#include "arena.h"

#include <stdint.h>
#include <string.h>

#include "alloc.h"

struct cars_arena_chunk {
    cars_arena_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

enum { CHUNK = 64 * 1024 };

void cars_arena_init(cars_arena *a)
{
    a->head = NULL;
    a->failed = false;
}

void cars_arena_free(cars_arena *a)
{
    cars_arena_chunk *c = a->head;
    while (c) {
        cars_arena_chunk *next = c->next;
        cars_free(c);
        c = next;
    }
    a->head = NULL;
}

void *cars_arena_alloc(cars_arena *a, size_t n)
{
    if (n > SIZE_MAX / 2) {
        a->failed = true;
        return NULL;
    }
    n = (n + 15) & ~(size_t)15;
    cars_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK ? n : CHUNK;
        c = cars_malloc(sizeof *c + cap);
        if (!c) {
            a->failed = true;
            return NULL;
        }
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *cars_arena_strndup(cars_arena *a, const char *s, size_t n)
{
    char *p = cars_arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *cars_arena_strdup(cars_arena *a, const char *s)
{
    return cars_arena_strndup(a, s, strlen(s));
}

void *cars_arena_grow(cars_arena *a, void *old, size_t old_n, size_t want, size_t elem)
{
    if (elem && want > SIZE_MAX / elem) {
        a->failed = true;
        return NULL;
    }
    void *p = cars_arena_alloc(a, want * elem);
    if (p && old && old_n)
        memcpy(p, old, old_n * elem);
    return p;
}

bool cars_arena_failed(const cars_arena *a) { return a->failed; }

/* buf.c - the growable byte buffer (see buf.h). */
#include "buf.h"

#include <string.h>

#include "alloc.h"

void cars_buf_free(cars_buf *b)
{
    cars_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

bool cars_buf_grow(cars_buf *b, size_t n)
{
    if (b->len + n <= b->cap)
        return true;
    if (b->failed)
        return false;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n)
        cap *= 2;
    char *p = cars_realloc(b->p, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void cars_buf_put(cars_buf *b, const void *s, size_t n)
{
    if (!n || !cars_buf_grow(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

void cars_buf_puts(cars_buf *b, const char *s) { cars_buf_put(b, s, strlen(s)); }

void *cars_buf_reserve(cars_buf *b, size_t n)
{
    if (b->failed || !cars_buf_grow(b, n ? n : !b->p))
        return NULL;
    char *at = b->p + b->len;
    memset(at, 0, n);
    b->len += n;
    return at;
}

const char *cars_buf_cstr(cars_buf *b)
{
    if (!cars_buf_grow(b, 1))
        return NULL;
    b->p[b->len] = '\0';
    return b->p;
}

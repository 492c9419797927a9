/* alloc.c - the one allocation function, with fault injection for tests.
 * Built with CARS_ALLOC_PLAIN (libcars, Makefile) it is malloc itself: no
 * counters, so the library keeps no mutable global state. */
#include "alloc.h"

#include <stdlib.h>

#ifndef CARS_ALLOC_PLAIN
#include <stdatomic.h>

static atomic_long fail_after = -1;
static atomic_long attempts;
static atomic_llong bytes;

static int should_fail_n(size_t size)
{
    atomic_fetch_add(&bytes, (long long)size);
    long n = atomic_fetch_add(&attempts, 1) + 1;
    long limit = atomic_load(&fail_after);
    return limit >= 0 && n > limit;
}

void cars_alloc_fail_after(long n) { atomic_store(&fail_after, n); }

long cars_alloc_count(int reset)
{
    return reset ? atomic_exchange(&attempts, 0) : atomic_load(&attempts);
}

long long cars_alloc_bytes(int reset) { return reset ? atomic_exchange(&bytes, 0) : atomic_load(&bytes); }
#else
static int should_fail_n(size_t size)
{
    (void)size;
    return 0;
}

void cars_alloc_fail_after(long n) { (void)n; }

long cars_alloc_count(int reset)
{
    (void)reset;
    return 0;
}

long long cars_alloc_bytes(int reset)
{
    (void)reset;
    return 0;
}
#endif

void *cars_malloc(size_t n)
{
    if (should_fail_n(n))
        return NULL;
    return malloc(n ? n : 1);
}

void *cars_calloc(size_t count, size_t size)
{
    if (should_fail_n(count * size))
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *cars_realloc(void *p, size_t n)
{
    if (should_fail_n(n))
        return NULL;
    return realloc(p, n ? n : 1);
}

void cars_free(void *p) { free(p); }

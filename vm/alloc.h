/* alloc.h - every heap allocation in cars goes through these functions, so
 * that a test can make the Nth allocation fail (fault injection). */
#ifndef CARS_ALLOC_H
#define CARS_ALLOC_H

#include <stddef.h>

void *cars_malloc(size_t n);            /* NULL on failure */
void *cars_calloc(size_t count, size_t size);
void *cars_realloc(void *p, size_t n);
void cars_free(void *p);

/* Fault injection: after cars_alloc_fail_after(n), allocations 1..n succeed
 * and every later one fails; -1 turns it off. cars_alloc_count() is the
 * number of allocations attempted since the last call to it with reset,
 * cars_alloc_bytes() the bytes they asked for (a test's measure of what a
 * thing holds). In libcars (built with CARS_ALLOC_PLAIN) they do nothing:
 * no counters. */
void cars_alloc_fail_after(long n);
long cars_alloc_count(int reset);
long long cars_alloc_bytes(int reset);

#endif

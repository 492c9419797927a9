/* buf.h - the one growable byte buffer of cars: routing lines (vm/output.c),
 * bundle sections (compiler/bundle_write.c), test records (carsc test),
 * the printer's text (carsc fmt), gencorpus's records.
 * It grows through cars_realloc; a failed allocation is sticky (`failed`),
 * so a writer appends freely and checks once at the end. */
#ifndef CARS_BUF_H
#define CARS_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cars_buf {
    char *p;
    size_t len, cap;
    bool failed; /* sticky: an allocation failed */
} cars_buf;

void cars_buf_free(cars_buf *b);
/* Room for n more bytes; false (and b->failed) if it cannot be made. */
bool cars_buf_grow(cars_buf *b, size_t n);
void cars_buf_put(cars_buf *b, const void *s, size_t n);
void cars_buf_puts(cars_buf *b, const char *s);
/* Appends n zero bytes and returns where they start; NULL when out of
 * memory. Never NULL otherwise, even for n == 0. */
void *cars_buf_reserve(cars_buf *b, size_t n);
/* The contents with a NUL after them (not counted in len); NULL when out
 * of memory. */
const char *cars_buf_cstr(cars_buf *b);

#endif

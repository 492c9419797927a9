/* jsonw.h - a small writer of JSON documents into a cars_buf (vm/buf.h),
 * for the --format json outputs of carsc (docs/machine-readable.md).
 * Strings are escaped by the one rule (vm/json.h). Commas are placed by
 * the writer: each value goes into the object or array opened last; a
 * key is given inside an object and NULL inside an array. Nesting deeper
 * than CARS_JW_DEPTH is not supported (the writer marks the buffer failed). */
#ifndef CARS_JSONW_H
#define CARS_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"

enum { CARS_JW_DEPTH = 16 };

typedef struct cars_jw {
    cars_buf b;
    int depth;
    bool has_item[CARS_JW_DEPTH];
    char close[CARS_JW_DEPTH]; /* what closes each open level */
} cars_jw;

void cars_jw_object(cars_jw *w, const char *key); /* { */
void cars_jw_array(cars_jw *w, const char *key);  /* [ */
void cars_jw_end(cars_jw *w);                     /* } or ], whichever was opened */
void cars_jw_str(cars_jw *w, const char *key, const char *s); /* s NULL: null */
void cars_jw_strn(cars_jw *w, const char *key, const char *s, size_t n);
void cars_jw_int(cars_jw *w, const char *key, long long v);
void cars_jw_uint(cars_jw *w, const char *key, unsigned long long v);
void cars_jw_num(cars_jw *w, const char *key, double v); /* finite; %.17g form, shortest that reads back */
void cars_jw_bool(cars_jw *w, const char *key, bool v);
void cars_jw_null(cars_jw *w, const char *key);
/* Writes the document and a newline to out and frees the buffer; false
 * when memory ran out while building it or the write failed. */
bool cars_jw_finish(cars_jw *w, FILE *out);

#endif

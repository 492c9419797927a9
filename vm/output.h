/* output.h - routing lines as JSON: one line per record, with proper string
 * escaping and the plain-English explanation. Writes into growable buffers
 * (one per thread, reused). */
#ifndef CARS_OUTPUT_H
#define CARS_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h" /* cars_outcome_name */
#include "program.h"
#include "vm.h"

typedef struct cars_buf {
    char *p;
    size_t len, cap;
    bool failed; /* sticky: an allocation failed */
} cars_buf;

void cars_buf_free(cars_buf *b);
void cars_buf_put(cars_buf *b, const void *s, size_t n);
void cars_buf_puts(cars_buf *b, const char *s);

/* Appends s as a JSON string literal (quotes included): '"', '\\' and
 * control characters escaped; valid UTF-8 kept as is; invalid bytes become
 * U+FFFD. */
void cars_json_string(cars_buf *b, const char *s, size_t n);

/* The explanation sentence for a result (no JSON escaping). */
void cars_explain(cars_buf *b, const cars_program *p, const cars_result *r);

/* {"id":...,"outcome":...,"rules":[...],"explanation":"...","release":"..."}\n */
void cars_output_result(cars_buf *b, const cars_program *p, const cars_str *id, const cars_result *r);
/* {"id":...|null,"outcome":"ERROR","rules":[],"explanation":"Invalid record: E.",
 *  "release":"...","error":"E","line":N}\n ; id NULL for null. */
void cars_output_error(cars_buf *b, const cars_program *p, const cars_str *id, const char *error, uint64_t line);

#endif

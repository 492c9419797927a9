/* diag.h - diagnostics are data: the library collects them, only the command
 * line prints them. Each has a severity, a span, a message and an optional
 * hint. Printed as
 *   file:line:col: error: message
 *      12 |   when visit.lenght_days > 90
 *         |        ^~~~~~~~~~~~~~~~~
 *   hint: did you mean 'visit.length_days'?
 */
#ifndef CARS_DIAG_H
#define CARS_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ast.h"

typedef enum cars_severity { CARS_SEV_ERROR, CARS_SEV_WARNING, CARS_SEV_NOTE } cars_severity;

typedef struct cars_diag {
    cars_severity sev;
    cars_span span;
    bool has_span;     /* false: about a whole file or the ruleset */
    char *message;
    char *hint;        /* may be NULL */
} cars_diag;

typedef struct cars_diags {
    cars_diag *items;
    size_t n, cap;
    size_t errors, warnings;
    size_t max_errors;  /* stop collecting after this many errors (0: 100) */
    bool lost;          /* a diagnostic could not be recorded (out of memory): counted as an error */
    const cars_source *files; size_t nfiles; /* for printing source lines */
} cars_diags;

void cars_diags_init(cars_diags *d);
void cars_diags_free(cars_diags *d);
/* Add a diagnostic; hint may be NULL. Returns false if out of memory. */
bool cars_diag_add(cars_diags *d, cars_severity sev, const cars_span *span,
                   const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
bool cars_diag_addv(cars_diags *d, cars_severity sev, const cars_span *span,
                    const char *hint, const char *fmt, va_list ap);
#define cars_error(d, span, hint, ...) cars_diag_add((d), CARS_SEV_ERROR, (span), (hint), __VA_ARGS__)
#define cars_warning(d, span, hint, ...) cars_diag_add((d), CARS_SEV_WARNING, (span), (hint), __VA_ARGS__)
/* Levenshtein distance between two short strings, for "did you mean"
 * hints; SIZE_MAX when either is longer than 64 bytes. */
size_t cars_edit_distance(const char *a, size_t na, const char *b, size_t nb);
/* Sort by file, line, column (stable) so output order is deterministic. */
void cars_diags_sort(cars_diags *d);
/* Print every diagnostic with its source line and caret to `out`. */
void cars_diags_print(const cars_diags *d, FILE *out);
/* The diagnostics as data (docs/machine-readable.md, schema
 * docs/schemas/diagnostics.json): writes under `key` of the object open in
 * w (an array element when key is NULL) the array of every diagnostic,
 * each {"file", "line", "column", "end_line", "end_column", "severity",
 * "message", "hint"}: lines and columns 1-based, columns in bytes, the end
 * inclusive; file null and the positions 0 when it is about no place in a
 * file; hint null when there is none. */
struct cars_jw;
void cars_diags_json(const cars_diags *d, struct cars_jw *w, const char *key);

#endif

/* fmt_int.h - shared by the printer's files: fmt.c (declarations, lines,
 * comments) and fmt_expr.c (formatted text, expressions and values). Not a
 * public interface. */
#ifndef CARS_FMT_INT_H
#define CARS_FMT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "fmt.h"

/* The text being printed is a cars_buf (vm/buf.h): appended with
 * cars_buf_put/cars_buf_puts, taken as a string with cars_buf_cstr. After a
 * failed allocation `failed` is set and the text is thrown away. */

/* At most 63 bytes of formatted text. */
void cars_fmt_printf(cars_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cars_fmt_spaces(cars_buf *b, int n);

/* Binding strength, loosest first (docs/language.md). */
enum { P_OR = 1, P_AND, P_NOT, P_CMP, P_ADD, P_MUL, P_NEG, P_DAYS, P_ATOM };

/* Expression `e` (NULL: "?"), in parentheses when it binds more loosely
 * than `min`. */
void cars_fmt_expr(cars_buf *b, const cars_expr *e, int min);
/* A value in an example or test: a scalar, a list of scalars, or (record)
 * a record's assignments in braces. */
void cars_fmt_value(cars_buf *b, const cars_expr *v, bool record);
/* The start of quantifier `e`: "any(x in LIST" (its `where` and ")" are
 * the caller's). */
void cars_fmt_quant_head(cars_buf *b, const cars_expr *e);
/* A string literal: quoted, escapes normalised. */
void cars_fmt_quoted(cars_buf *b, const char *s, size_t n);

#endif

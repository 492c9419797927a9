/* fmt_int.h - shared by the printer's files: fmt.c (declarations, lines,
 * comments) and fmt_expr.c (its text buffer, expressions and values). Not a
 * public interface. */
#ifndef CARS_FMT_INT_H
#define CARS_FMT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "fmt.h"

/* The text being printed. Every byte goes in through cars_fmt_putn, the
 * one place that grows it; cars_fmt_free releases it. After a failed
 * allocation `failed` is set and nothing more is added. */
typedef struct cars_fmt_buf {
    char *p;
    size_t n, cap;
    bool failed;
} cars_fmt_buf;

void cars_fmt_putn(cars_fmt_buf *b, const char *s, size_t n);
void cars_fmt_puts(cars_fmt_buf *b, const char *s);
/* At most 63 bytes of formatted text. */
void cars_fmt_printf(cars_fmt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cars_fmt_spaces(cars_fmt_buf *b, int n);
void cars_fmt_free(cars_fmt_buf *b);

/* Binding strength, loosest first (docs/language.md). */
enum { P_OR = 1, P_AND, P_NOT, P_CMP, P_ADD, P_MUL, P_NEG, P_DAYS, P_ATOM };

/* Expression `e` (NULL: "?"), in parentheses when it binds more loosely
 * than `min`. */
void cars_fmt_expr(cars_fmt_buf *b, const cars_expr *e, int min);
/* A value in an example or test: a scalar, a list of scalars, or (record)
 * a record's assignments in braces. */
void cars_fmt_value(cars_fmt_buf *b, const cars_expr *v, bool record);
/* A string literal: quoted, escapes normalised. */
void cars_fmt_quoted(cars_fmt_buf *b, const char *s, size_t n);

#endif

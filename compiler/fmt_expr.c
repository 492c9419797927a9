/* fmt_expr.c - formatted text into the printer's buffer (a cars_buf,
 * vm/buf.h), and expressions and example values in canonical form
 * (fmt_int.h): parentheses exactly where precedence needs them, string escapes normalised (blanks other than the space as \u
 * escapes), number and date literals as written. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fmt_int.h"
#include "normalise.h"
#include "utf8.h"

/* ---- formatted text into the buffer ------------------------------------------- */

void cars_fmt_printf(cars_buf *b, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n >= 0)
        cars_buf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void cars_fmt_spaces(cars_buf *b, int n)
{
    for (int i = 0; i < n; i++)
        cars_buf_put(b, " ", 1);
}

/* ---- expressions -------------------------------------------------------------- */

static int prec(const cars_expr *e)
{
    switch (e->kind) {
    case CARS_E_OR: return P_OR;
    case CARS_E_AND: return P_AND;
    case CARS_E_NOT: return P_NOT;
    case CARS_E_EQ: case CARS_E_NE: case CARS_E_LT: case CARS_E_LE: case CARS_E_GT:
    case CARS_E_GE: case CARS_E_BETWEEN: case CARS_E_WITHIN: case CARS_E_IN:
    case CARS_E_TUPLE_IN: case CARS_E_PRESENT:
        return P_CMP;
    case CARS_E_ADD: case CARS_E_SUB: return P_ADD;
    case CARS_E_MUL: return P_MUL;
    case CARS_E_NEG: return P_NEG;
    case CARS_E_DAYS: return P_DAYS;
    default: return P_ATOM;
    }
}

/* A blank other than ' ' (no-break space, zero-width space, direction
 * marks, ...: vm/normalise.h) as a \u escape, a pair of them beyond U+FFFF;
 * returns the bytes it stood for, 0 if s is not such a blank. */
static size_t put_blank(cars_buf *b, const char *s, size_t n)
{
    uint32_t cp;
    size_t k = cars_utf8_decode((const unsigned char *)s, n, &cp);
    if (k < 2 || !cars_is_blank(cp))
        return 0;
    if (cp < 0x10000)
        cars_fmt_printf(b, "\\u%04x", (unsigned)cp);
    else
        cars_fmt_printf(b, "\\u%04x\\u%04x", (unsigned)(0xD800 + ((cp - 0x10000) >> 10)),
                  (unsigned)(0xDC00 + ((cp - 0x10000) & 0x3FF)));
    return k;
}

void cars_fmt_quoted(cars_buf *b, const char *s, size_t n)
{
    cars_buf_put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c >= 0x80 ? put_blank(b, s + i, n - i) : 0;
        if (k)
            i += k - 1;
        else if (c == '"')
            cars_buf_puts(b, "\\\"");
        else if (c == '\\')
            cars_buf_puts(b, "\\\\");
        else if (c == '\n')
            cars_buf_puts(b, "\\n");
        else if (c == '\t')
            cars_buf_puts(b, "\\t");
        else if (c < 0x20 || c == 0x7f)
            cars_fmt_printf(b, "\\u%04x", c);
        else
            cars_buf_put(b, (const char *)&s[i], 1);
    }
    cars_buf_put(b, "\"", 1);
}

static void put_args(cars_buf *b, cars_expr *const *args, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            cars_buf_puts(b, ", ");
        cars_fmt_expr(b, args[i], 0);
    }
}

static const char *binop(cars_expr_kind k)
{
    switch (k) {
    case CARS_E_OR: return " or ";
    case CARS_E_AND: return " and ";
    case CARS_E_EQ: return " = ";
    case CARS_E_NE: return " != ";
    case CARS_E_LT: return " < ";
    case CARS_E_LE: return " <= ";
    case CARS_E_GT: return " > ";
    case CARS_E_GE: return " >= ";
    case CARS_E_ADD: return " + ";
    case CARS_E_SUB: return " - ";
    case CARS_E_MUL: return " * ";
    default: return NULL;
    }
}

/* A literal or a name, as written. */
static void put_atom(cars_buf *b, const cars_expr *e)
{
    switch (e->kind) {
    case CARS_E_INT:
        if (e->text)
            cars_buf_puts(b, e->text);
        else
            cars_fmt_printf(b, "%lld", (long long)e->ival);
        break;
    case CARS_E_NUM: case CARS_E_DATE:
        cars_buf_puts(b, e->text ? e->text : "?");
        break;
    case CARS_E_STR: cars_fmt_quoted(b, e->sval ? e->sval : "", e->slen); break;
    case CARS_E_BOOL: cars_buf_puts(b, e->ival ? "true" : "false"); break;
    case CARS_E_NAME: cars_buf_puts(b, e->name); break;
    default: break;
    }
}

/* `x between l and h`, `x within last n years`, `x in s`, `(a, b) in t`,
 * `x is present`. */
static void put_test(cars_buf *b, const cars_expr *e)
{
    switch (e->kind) {
    case CARS_E_BETWEEN:
        cars_fmt_expr(b, e->a, P_ADD);
        cars_buf_puts(b, " between ");
        cars_fmt_expr(b, e->b, P_ADD);
        cars_buf_puts(b, " and ");
        cars_fmt_expr(b, e->c, P_ADD);
        break;
    case CARS_E_WITHIN:
        cars_fmt_expr(b, e->a, P_ADD);
        cars_buf_puts(b, " within last ");
        cars_fmt_expr(b, e->b, P_ADD);
        cars_buf_puts(b, " years");
        break;
    case CARS_E_IN:
        cars_fmt_expr(b, e->a, P_ADD);
        cars_buf_puts(b, e->negated ? " not in " : " in ");
        cars_fmt_expr(b, e->b, P_ATOM);
        break;
    case CARS_E_TUPLE_IN:
        cars_buf_puts(b, "(");
        put_args(b, e->args, e->nargs);
        cars_buf_puts(b, e->negated ? ") not in " : ") in ");
        cars_fmt_expr(b, e->b, P_ATOM);
        break;
    case CARS_E_PRESENT:
        cars_fmt_expr(b, e->a, P_ADD);
        cars_buf_puts(b, e->negated ? " is absent" : " is present");
        break;
    default:
        break;
    }
}

void cars_fmt_quant_head(cars_buf *b, const cars_expr *e)
{
    static const char *const quant[] = {
        [CARS_Q_ANY] = "any", [CARS_Q_ALL] = "all", [CARS_Q_NONE] = "none", [CARS_Q_COUNT] = "count",
    };
    cars_buf_puts(b, quant[e->quant]);
    cars_buf_puts(b, "(");
    cars_buf_puts(b, e->name);
    cars_buf_puts(b, " in ");
    cars_fmt_expr(b, e->a, P_ATOM);
}

static void put_quant(cars_buf *b, const cars_expr *e)
{
    cars_fmt_quant_head(b, e);
    if (e->b) {
        cars_buf_puts(b, " where ");
        cars_fmt_expr(b, e->b, 0);
    }
    cars_buf_puts(b, ")");
}

static void put_inner(cars_buf *b, const cars_expr *e)
{
    const char *op = binop(e->kind);
    if (op) {
        int p = prec(e);
        /* left-associative; comparisons do not chain */
        cars_fmt_expr(b, e->a, p == P_CMP ? P_ADD : p);
        cars_buf_puts(b, op);
        cars_fmt_expr(b, e->b, p == P_CMP ? P_ADD : p + 1);
        return;
    }
    switch (e->kind) {
    case CARS_E_CALL:
        cars_buf_puts(b, e->name);
        cars_buf_puts(b, "(");
        put_args(b, e->args, e->nargs);
        cars_buf_puts(b, ")");
        break;
    case CARS_E_NOT:
        cars_buf_puts(b, "not ");
        cars_fmt_expr(b, e->a, P_NOT);
        break;
    case CARS_E_NEG:
        cars_buf_puts(b, "-");
        cars_fmt_expr(b, e->a, P_NEG);
        break;
    case CARS_E_DAYS:
        cars_fmt_expr(b, e->a, P_ATOM);
        cars_buf_puts(b, " days");
        break;
    case CARS_E_BETWEEN: case CARS_E_WITHIN: case CARS_E_IN: case CARS_E_TUPLE_IN:
    case CARS_E_PRESENT:
        put_test(b, e);
        break;
    case CARS_E_LIST:
        cars_buf_puts(b, "[");
        put_args(b, e->args, e->nargs);
        cars_buf_puts(b, "]");
        break;
    case CARS_E_QUANT: put_quant(b, e); break;
    default: put_atom(b, e); break;
    }
}

void cars_fmt_expr(cars_buf *b, const cars_expr *e, int min)
{
    if (!e) {
        cars_buf_puts(b, "?");
        return;
    }
    bool paren = prec(e) < min;
    if (paren)
        cars_buf_puts(b, "(");
    put_inner(b, e);
    if (paren)
        cars_buf_puts(b, ")");
}

/* A value in an example or test: scalars, lists of scalars or records. */
void cars_fmt_value(cars_buf *b, const cars_expr *v, bool record)
{
    if (v->kind != CARS_E_LIST) {
        cars_fmt_expr(b, v, 0);
        return;
    }
    cars_buf_puts(b, record ? "{" : "[");
    for (size_t i = 0; i < v->nargs; i++) {
        const cars_expr *x = v->args[i];
        if (i)
            cars_buf_puts(b, ", ");
        if (record && x->kind == CARS_E_EQ) {
            cars_buf_puts(b, x->a->name);
            cars_buf_puts(b, " = ");
            cars_fmt_value(b, x->b, false);
        } else {
            cars_fmt_value(b, x, x->kind == CARS_E_LIST);
        }
    }
    cars_buf_puts(b, record ? "}" : "]");
}

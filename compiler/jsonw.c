/* jsonw.c - writing JSON documents (see jsonw.h). */
#include "jsonw.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"

static void key(cars_jw *w, const char *k)
{
    if (w->depth > 0 && w->has_item[w->depth - 1])
        cars_buf_puts(&w->b, ",");
    if (w->depth > 0)
        w->has_item[w->depth - 1] = true;
    if (k) {
        cars_json_string(&w->b, k, strlen(k));
        cars_buf_puts(&w->b, ":");
    }
}

static void open_level(cars_jw *w, const char *k, const char *bracket)
{
    key(w, k);
    if (w->depth >= CARS_JW_DEPTH) {
        w->b.failed = true;
        return;
    }
    cars_buf_put(&w->b, &bracket[0], 1);
    w->close[w->depth] = bracket[1];
    w->has_item[w->depth++] = false;
}

void cars_jw_object(cars_jw *w, const char *k) { open_level(w, k, "{}"); }
void cars_jw_array(cars_jw *w, const char *k) { open_level(w, k, "[]"); }

void cars_jw_end(cars_jw *w)
{
    if (w->depth <= 0) {
        w->b.failed = true;
        return;
    }
    w->depth--;
    cars_buf_put(&w->b, &w->close[w->depth], 1);
}

void cars_jw_strn(cars_jw *w, const char *k, const char *s, size_t n)
{
    key(w, k);
    cars_json_string(&w->b, s, n);
}

void cars_jw_str(cars_jw *w, const char *k, const char *s)
{
    if (!s)
        cars_jw_null(w, k);
    else
        cars_jw_strn(w, k, s, strlen(s));
}

void cars_jw_int(cars_jw *w, const char *k, long long v)
{
    char t[32];
    snprintf(t, sizeof t, "%lld", v);
    key(w, k);
    cars_buf_puts(&w->b, t);
}

void cars_jw_uint(cars_jw *w, const char *k, unsigned long long v)
{
    char t[32];
    snprintf(t, sizeof t, "%llu", v);
    key(w, k);
    cars_buf_puts(&w->b, t);
}

void cars_jw_num(cars_jw *w, const char *k, double v)
{
    char t[40];
    if (v > -1e15 && v < 1e15 && v == (double)(long long)v) { /* a whole number: no exponent */
        snprintf(t, sizeof t, "%lld", (long long)v);
    } else {
        snprintf(t, sizeof t, "%.17g", v);
        for (int prec = 1; prec < 17; prec++) { /* the shortest form that reads back */
            char s[40];
            snprintf(s, sizeof s, "%.*g", prec, v);
            if (strtod(s, NULL) == v) {
                memcpy(t, s, sizeof s);
                break;
            }
        }
    }
    key(w, k);
    cars_buf_puts(&w->b, t);
}

void cars_jw_bool(cars_jw *w, const char *k, bool v)
{
    key(w, k);
    cars_buf_puts(&w->b, v ? "true" : "false");
}

void cars_jw_null(cars_jw *w, const char *k)
{
    key(w, k);
    cars_buf_puts(&w->b, "null");
}

bool cars_jw_finish(cars_jw *w, FILE *out)
{
    bool ok = !w->b.failed && w->depth == 0;
    if (ok)
        ok = fwrite(w->b.p, 1, w->b.len, out) == w->b.len && fputc('\n', out) != EOF;
    cars_buf_free(&w->b);
    return ok;
}

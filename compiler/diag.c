/* diag.c - collecting and printing diagnostics. */
#include "diag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "jsonw.h"

void cars_diags_init(cars_diags *d) { memset(d, 0, sizeof *d); }

void cars_diags_free(cars_diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        cars_free(d->items[i].message);
        cars_free(d->items[i].hint);
    }
    cars_free(d->items);
    memset(d, 0, sizeof *d);
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *s = cars_malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = cars_malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* A diagnostic that cannot be recorded still fails the run: an error whose
 * text is lost is an error (the report says memory ran out). */
static bool lost(cars_diags *d)
{
    d->lost = true;
    d->errors++;
    return false;
}

bool cars_diag_addv(cars_diags *d, cars_severity sev, const cars_span *span,
                    const char *hint, const char *fmt, va_list ap)
{
    size_t limit = d->max_errors ? d->max_errors : 100;
    if (sev == CARS_SEV_ERROR && d->errors >= limit) {
        d->errors++;
        return true;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        cars_diag *items = cars_realloc(d->items, cap * sizeof *items);
        if (!items)
            return lost(d);
        d->items = items;
        d->cap = cap;
    }
    cars_diag *g = &d->items[d->n];
    memset(g, 0, sizeof *g);
    g->sev = sev;
    if (span) {
        g->span = *span;
        g->has_span = true;
    }
    g->message = vformat(fmt, ap);
    g->hint = hint ? dup(hint) : NULL;
    if (!g->message || (hint && !g->hint)) {
        cars_free(g->message);
        cars_free(g->hint);
        return lost(d);
    }
    d->n++;
    if (sev == CARS_SEV_ERROR)
        d->errors++;
    else if (sev == CARS_SEV_WARNING)
        d->warnings++;
    return true;
}

bool cars_diag_add(cars_diags *d, cars_severity sev, const cars_span *span,
                   const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool ok = cars_diag_addv(d, sev, span, hint, fmt, ap);
    va_end(ap);
    return ok;
}

size_t cars_edit_distance(const char *a, size_t na, const char *b, size_t nb)
{
    size_t row[65];
    if (na > 64 || nb > 64)
        return SIZE_MAX;
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

static int cmp_diag(const cars_diag *a, const cars_diag *b)
{
    if (a->has_span != b->has_span)
        return a->has_span ? 1 : -1;
    if (a->span.file != b->span.file)
        return a->span.file < b->span.file ? -1 : 1;
    if (a->span.line != b->span.line)
        return a->span.line < b->span.line ? -1 : 1;
    if (a->span.col != b->span.col)
        return a->span.col < b->span.col ? -1 : 1;
    return 0;
}

void cars_diags_sort(cars_diags *d)
{
    /* insertion sort: stable, and diagnostics are few */
    for (size_t i = 1; i < d->n; i++) {
        cars_diag t = d->items[i];
        size_t j = i;
        while (j > 0 && cmp_diag(&d->items[j - 1], &t) > 0) {
            d->items[j] = d->items[j - 1];
            j--;
        }
        d->items[j] = t;
    }
}

static const char *sev_name(cars_severity s)
{
    return s == CARS_SEV_ERROR ? "error" : s == CARS_SEV_WARNING ? "warning" : "note";
}

/* Where the last line found starts: diagnostics are printed sorted by
 * file and line, so each search goes on from the previous one (printing
 * N diagnostics reads each file once, not N times). */
typedef struct line_cursor {
    uint32_t file, line; /* line 0: none yet */
    const char *p;
} line_cursor;

/* Find line `line` (1-based) of source `file`; returns its start and length. */
static bool find_line(const cars_source *src, uint32_t file, uint32_t line, line_cursor *cur, const char **start,
                      size_t *len)
{
    const char *p = src->text, *end = src->text + src->len;
    uint32_t l = 1;
    if (cur->line && cur->file == file && cur->line <= line)
        p = cur->p, l = cur->line;
    for (; l < line; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return false;
        p = nl + 1;
    }
    *cur = (line_cursor){file, line, p};
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *start = p;
    *len = (size_t)((nl ? nl : end) - p);
    if (*len && p[*len - 1] == '\r')
        (*len)--;
    return true;
}

static void print_source(const cars_diags *d, const cars_diag *g, line_cursor *cur, FILE *out)
{
    if (!g->has_span || g->span.file >= d->nfiles || !d->files[g->span.file].text)
        return;
    const char *line;
    size_t len;
    if (!find_line(&d->files[g->span.file], g->span.file, g->span.line, cur, &line, &len))
        return;
    enum { SHOW = 200 }; /* never echo a 10 MB line */
    size_t col = g->span.col ? g->span.col - 1 : 0;
    size_t from = col > SHOW / 2 && len > SHOW ? col - SHOW / 2 : 0;
    size_t shown = len - from < SHOW ? len - from : SHOW;
    fprintf(out, "%5u | %s", g->span.line, from ? "..." : "");
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)line[from + i];
        fputc(c == '\t' ? ' ' : (c < 0x20 || c == 0x7f) ? '?' : c, out);
    }
    fprintf(out, "%s\n      | %s", from + shown < len ? "..." : "", from ? "   " : "");
    for (size_t i = from; i < col && i < from + shown; i++)
        if ((line[i] & 0xC0) != 0x80) /* one column per UTF-8 character */
            fputc(' ', out);
    size_t width = 1;
    if (g->span.end_line == g->span.line && g->span.end_col >= g->span.col)
        width = g->span.end_col - g->span.col + 1;
    if (col + width > from + shown)
        width = from + shown > col ? from + shown - col : 1;
    fputc('^', out);
    for (size_t i = 1; i < width; i++)
        fputc('~', out);
    fputc('\n', out);
}

void cars_diags_print(const cars_diags *d, FILE *out)
{
    line_cursor cur = {0, 0, NULL};
    for (size_t i = 0; i < d->n; i++) {
        const cars_diag *g = &d->items[i];
        if (g->has_span && g->span.file < d->nfiles)
            fprintf(out, "%s:%u:%u: %s: %s\n", d->files[g->span.file].path, g->span.line,
                    g->span.col, sev_name(g->sev), g->message);
        else
            fprintf(out, "%s: %s\n", sev_name(g->sev), g->message);
        print_source(d, g, &cur, out);
        if (g->hint)
            fprintf(out, "hint: %s\n", g->hint);
    }
    size_t limit = d->max_errors ? d->max_errors : 100;
    if (d->errors > limit)
        fprintf(out, "(%zu more errors not shown)\n", d->errors - limit);
}

void cars_diags_json(const cars_diags *d, cars_jw *w, const char *key)
{
    cars_jw_array(w, key);
    for (size_t i = 0; i < d->n; i++) {
        const cars_diag *g = &d->items[i];
        bool at = g->has_span && g->span.file < d->nfiles;
        cars_span sp = g->span;
        if (sp.end_line < sp.line || (sp.end_line == sp.line && sp.end_col < sp.col))
            sp.end_line = sp.line, sp.end_col = sp.col; /* no end recorded: the start */
        cars_jw_object(w, NULL);
        cars_jw_str(w, "file", at ? d->files[g->span.file].path : NULL);
        cars_jw_uint(w, "line", at ? sp.line : 0);
        cars_jw_uint(w, "column", at ? sp.col : 0);
        cars_jw_uint(w, "end_line", at ? sp.end_line : 0);
        cars_jw_uint(w, "end_column", at ? sp.end_col : 0);
        cars_jw_str(w, "severity", sev_name(g->sev));
        cars_jw_str(w, "message", g->message);
        cars_jw_str(w, "hint", g->hint);
        cars_jw_end(w);
    }
    cars_jw_end(w);
}

/* fig_html.h - the pieces of the figure pages (carsc impact, effectiveness and
 * equality with --format html): one self-contained page of plain HTML and
 * CSS, no script, with language, landmarks, headings, table headers with
 * scope, and SVG charts with role="img", a <title> and a table that says
 * the same in text. Colours meet WCAG AA contrast on white. */
#ifndef CARS_FIG_HTML_H
#define CARS_FIG_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Writes s (n bytes) with &, <, >, " and ' escaped. */
void cars_fig_esc(FILE *out, const char *s, size_t n);
void cars_fig_escs(FILE *out, const char *s);

/* <!doctype html> ... <body><header><h1>TITLE</h1><p>SUBTITLE</p></header><main> */
void cars_fig_begin(FILE *out, const char *title, const char *subtitle);
/* </main><footer>...</footer></body></html> */
void cars_fig_end(FILE *out);

/* A grouped horizontal bar chart of shares (0..1): for each of n
 * categories one bar per series (at most 2). `id` names the chart (its
 * <title> is id-title). */
typedef struct cars_fig_bars {
    const char *id, *title;
    size_t n, nseries;
    const char *const *labels;      /* n */
    const char *const *series;      /* nseries names */
    const double *values[2];        /* values[s][i] */
} cars_fig_bars;
void cars_fig_bar_chart(FILE *out, const cars_fig_bars *c);

/* A chart of estimates with 95% intervals (a dot and a line per row) and
 * a dashed reference line: rates (scale 0..max) or ratios. A row with no
 * estimate (value < 0) says so in words. */
typedef struct cars_fig_ci {
    const char *id, *title, *ref_label;
    size_t n;
    const char *const *labels;
    const double *value, *lo, *hi;
    double ref, max;
    bool percent;  /* the axis in percent (rates), else plain (ratios) */
} cars_fig_ci;
void cars_fig_ci_chart(FILE *out, const cars_fig_ci *c);

#endif

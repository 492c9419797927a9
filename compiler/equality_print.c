/* equality_print.c - carsc equality's figures as text, CSV and an HTML
 * page (equality.h). Suppressed counts print as "<N" (N the minimum cell)
 * and their shares as "<N" too; nothing else of a record is printed. */
#include "equality.h"

#include <string.h>

#include "alloc.h"
#include "fig_html.h"
#include "names.h"
#include "stats.h"

static const char *const dim_name[CARS_EQ_NDIMS] = {"nationality", "sex", "age band"};

static double pct(uint64_t k, uint64_t n) { return n ? 100.0 * (double)k / (double)n : 0; }

/* The CX rate ratio of a row against the population; false when not shown. */
static bool ratio(const cars_equality *q, const cars_eq_row *r, double *v, double *lo, double *hi)
{
    return cars_eq_ratio_shown(r->hidden) && cars_eq_ratio_shown(q->pop_hidden) &&
           cars_ratio_ci(cars_eq_cx(r->c), r->c[CARS_EQ_COLS - 1], cars_eq_cx(q->pop), q->pop[CARS_EQ_COLS - 1],
                         CARS_Z95, v, lo, hi);
}

static void put_plain(FILE *out, const char *s, int width)
{
    int n = 0;
    for (; *s; s++, n++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
    for (; n < width; n++)
        fputc(' ', out);
}

static void header_text(FILE *out, const char *first)
{
    fprintf(out, "  %-34s %8s", first, "records");
    for (int o = 0; o < 6; o++)
        fprintf(out, " %7s", cars_outcome_name(o));
    fprintf(out, " %8s %6s  %s\n", "CX rate", "ratio", "95% interval");
}

static void row_text(const cars_equality *q, const char *label, const uint64_t *c, const bool *hidden,
                     const cars_eq_row *r, FILE *out)
{
    const char *lt = "*";
    fputs("  ", out);
    put_plain(out, label, 34);
    uint64_t n = c[CARS_EQ_COLS - 1];
    if (hidden[CARS_EQ_COLS - 1])
        fprintf(out, " %8s", lt);
    else
        fprintf(out, " %8llu", (unsigned long long)n);
    for (int o = 0; o < 6; o++) {
        if (hidden[o])
            fprintf(out, " %7s", lt);
        else
            fprintf(out, " %6.1f%%", pct(c[o], n));
    }
    double v, lo, hi;
    if (!r && !cars_eq_ratio_shown(hidden))
        fprintf(out, " %8s %6s\n", "hidden", "1");
    else if (!r)
        fprintf(out, " %7.1f%% %6s\n", pct(cars_eq_cx(c), c[CARS_EQ_COLS - 1]), "1");
    else if (ratio(q, r, &v, &lo, &hi))
        fprintf(out, " %7.1f%% %6.2f  %.2f to %.2f\n", pct(cars_eq_cx(c), c[CARS_EQ_COLS - 1]), v, lo, hi);
    else
        fprintf(out, " %8s %6s\n", cars_eq_ratio_shown(r->hidden) ? "-" : "hidden", "-");
}

void cars_equality_text(const cars_equality *q, FILE *out)
{
    fprintf(out, "Equality of outcomes (figures for the Equality Impact Assessment)\n"
                 "records: %s; routing: %s (ids checked line by line)\n"
                 "fields: nationality %s, sex %s, age from %s on %s\n",
            q->records_path, q->routing_path, q->field[0], q->field[1], q->field[2], q->field[3]);
    fprintf(out, "minimum cell %llu: *, a count from 1 to %llu, hidden, or another hidden with it so that none\n"
                 "can be worked out; groups of fewer than %llu records are pooled into \"other\".\n",
            (unsigned long long)q->min_cell, (unsigned long long)(q->min_cell ? q->min_cell - 1 : 0),
            (unsigned long long)q->min_cell);
    fputs("Shares are of the group's records. CX rate: the share routed CXDR or CXPCA; ratio: the\n"
          "group's CX rate over the whole population's, with its 95% interval (log method).\n\n",
          out);
    header_text(out, "whole population");
    row_text(q, "all records", q->pop, q->pop_hidden, NULL, out);
    for (int d = 0; d < CARS_EQ_NDIMS; d++) {
        fputc('\n', out);
        header_text(out, dim_name[d]);
        for (size_t i = 0; i < q->dim[d].n; i++) {
            const cars_eq_row *r = &q->dim[d].rows[i];
            row_text(q, r->label, r->c, r->hidden, r, out);
        }
    }
}

/* ---- CSV ----------------------------------------------------------------- */

static void csv_field(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc((unsigned char)*s < 0x20 ? ' ' : *s, out);
    }
    fputc('"', out);
}

static void csv_row(const cars_equality *q, const char *dim, const char *label, const uint64_t *c,
                    const bool *hidden, const cars_eq_row *r, FILE *out)
{
    csv_field(out, dim);
    fputc(',', out);
    csv_field(out, label);
    uint64_t n = c[CARS_EQ_COLS - 1];
    if (hidden[CARS_EQ_COLS - 1])
        fputs(",", out);
    else
        fprintf(out, ",%llu", (unsigned long long)n);
    for (int o = 0; o < 6; o++)
        hidden[o] ? (void)fputs(",", out) : (void)fprintf(out, ",%llu", (unsigned long long)c[o]);
    for (int o = 0; o < 6; o++)
        hidden[o] ? (void)fputs(",", out) : (void)fprintf(out, ",%.4f", n ? (double)c[o] / (double)n : 0);
    double v, lo, hi;
    if (!r && !cars_eq_ratio_shown(hidden))
        fputs(",,1,,\n", out);
    else if (!r)
        fprintf(out, ",%.4f,1,,\n", pct(cars_eq_cx(c), c[CARS_EQ_COLS - 1]) / 100);
    else if (ratio(q, r, &v, &lo, &hi))
        fprintf(out, ",%.4f,%.4f,%.4f,%.4f\n", pct(cars_eq_cx(c), c[CARS_EQ_COLS - 1]) / 100, v, lo, hi);
    else
        fputs(",,,,\n", out);
}

void cars_equality_csv(const cars_equality *q, FILE *out)
{
    fputs("dimension,group,records", out);
    for (int o = 0; o < 6; o++)
        fprintf(out, ",%s", cars_outcome_name(o));
    for (int o = 0; o < 6; o++)
        fprintf(out, ",%s_share", cars_outcome_name(o));
    fputs(",cx_rate,cx_ratio,cx_ratio_low,cx_ratio_high\n", out);
    csv_row(q, "population", "all records", q->pop, q->pop_hidden, NULL, out);
    for (int d = 0; d < CARS_EQ_NDIMS; d++)
        for (size_t i = 0; i < q->dim[d].n; i++) {
            const cars_eq_row *r = &q->dim[d].rows[i];
            csv_row(q, dim_name[d], r->label, r->c, r->hidden, r, out);
        }
}

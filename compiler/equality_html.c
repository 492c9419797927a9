/* equality_html.c - carsc equality --format html: for each dimension, the
 * CX rate ratio of each group with its 95% interval as an SVG chart, and
 * the outcome shares as a table (which also says what the chart shows). */
#include "equality.h"

#include <string.h>

#include "alloc.h"
#include "fig_html.h"
#include "names.h"
#include "stats.h"

static const char *const dim_name[CARS_EQ_NDIMS] = {"Nationality", "Sex", "Age band"};
static const char *const dim_id[CARS_EQ_NDIMS] = {"nationality", "sex", "age"};

static bool shown_ratio(const cars_equality *q, const cars_eq_row *r, double *v, double *lo, double *hi)
{
    if (!cars_eq_ratio_shown(r->hidden) || !cars_eq_ratio_shown(q->pop_hidden))
        return false;
    return cars_ratio_ci(cars_eq_cx(r->c), r->c[CARS_EQ_COLS - 1], cars_eq_cx(q->pop), q->pop[CARS_EQ_COLS - 1],
                         CARS_Z95, v, lo, hi);
}

static void chart(const cars_equality *q, int d, FILE *out)
{
    const cars_eq_dim_t *dm = &q->dim[d];
    const char **labels = cars_calloc(dm->n + 1, sizeof *labels);
    double *v = cars_calloc(3 * dm->n + 1, sizeof *v);
    if (!labels || !v) {
        cars_free(labels), cars_free(v);
        return;
    }
    double max = 2;
    for (size_t i = 0; i < dm->n; i++) {
        labels[i] = dm->rows[i].label;
        if (!shown_ratio(q, &dm->rows[i], &v[i], &v[dm->n + i], &v[2 * dm->n + i]))
            v[i] = -1;
        else if (v[2 * dm->n + i] > max)
            max = v[2 * dm->n + i] > 10 ? 10 : v[2 * dm->n + i];
    }
    char id[32], title[160];
    snprintf(id, sizeof id, "ratio-%s", dim_id[d]);
    snprintf(title, sizeof title, "CX rate ratio by %s with 95%% intervals; the dashed line is 1 (the whole population)",
             dim_id[d]);
    cars_fig_ci c = {id, title, "ratio 1", dm->n, labels, v, v + dm->n, v + 2 * dm->n, 1, max, false};
    cars_fig_ci_chart(out, &c);
    cars_free(labels), cars_free(v);
}

static void cell(FILE *out, const cars_equality *q, bool hidden, uint64_t k, uint64_t n, bool count)
{
    (void)q;
    if (hidden)
        fputs("<td>*</td>", out);
    else if (count)
        fprintf(out, "<td>%llu</td>", (unsigned long long)k);
    else
        fprintf(out, "<td>%.1f%%</td>", n ? 100.0 * (double)k / (double)n : 0);
}

static void table_row(FILE *out, const cars_equality *q, const char *label, const uint64_t *c, const bool *hidden,
                      const cars_eq_row *r)
{
    fputs("<tr><th scope=\"row\">", out);
    cars_fig_escs(out, label);
    fputs("</th>", out);
    uint64_t n = c[CARS_EQ_COLS - 1];
    cell(out, q, hidden[CARS_EQ_COLS - 1], n, n, true);
    for (int o = 0; o < 6; o++)
        cell(out, q, hidden[o], c[o], n, false);
    double v, lo, hi;
    if (!r)
        fputs("<td>1</td><td>&ndash;</td></tr>\n", out);
    else if (shown_ratio(q, r, &v, &lo, &hi))
        fprintf(out, "<td>%.2f</td><td>%.2f to %.2f</td></tr>\n", v, lo, hi);
    else
        fputs("<td>&ndash;</td><td>&ndash;</td></tr>\n", out);
}

static void table_head(FILE *out, const char *caption)
{
    fprintf(out, "<table>\n<caption>%s</caption>\n<thead><tr><th scope=\"col\">Group</th>"
                 "<th scope=\"col\">Records</th>",
            caption);
    for (int o = 0; o < 6; o++)
        fprintf(out, "<th scope=\"col\">%s</th>", cars_outcome_name(o));
    fputs("<th scope=\"col\">CX rate ratio</th><th scope=\"col\">95% interval</th></tr></thead>\n<tbody>\n", out);
}

void cars_equality_html(const cars_equality *q, FILE *out)
{
    char sub[200];
    snprintf(sub, sizeof sub, "Outcome shares by nationality, sex and age band; groups under %llu records pooled, "
                              "counts under %llu hidden",
             (unsigned long long)q->min_cell, (unsigned long long)q->min_cell);
    cars_fig_begin(out, "Equality of outcomes", sub);
    fputs("<section aria-labelledby=\"h-pop\">\n<h2 id=\"h-pop\">Whole population</h2>\n", out);
    table_head(out, "Outcome shares of all records");
    table_row(out, q, "All records", q->pop, q->pop_hidden, NULL);
    fprintf(out, "</tbody>\n</table>\n<p>CX rate: the share of records routed CXDR or CXPCA. "
          "Ratio: a group's CX rate over the whole population's, with its 95%% interval (log method). "
          "*: hidden, a count from 1 to %llu or one that would give such a count away, so that no figure singles "
            "out a person.</p>\n</section>\n",
            (unsigned long long)(q->min_cell - 1));
    for (int d = 0; d < CARS_EQ_NDIMS; d++) {
        fprintf(out, "<section aria-labelledby=\"h-%s\">\n<h2 id=\"h-%s\">%s</h2>\n", dim_id[d], dim_id[d],
                dim_name[d]);
        chart(q, d, out);
        char cap[120];
        snprintf(cap, sizeof cap, "Outcome shares and CX rate ratio by %s (the chart above as a table)", dim_id[d]);
        table_head(out, cap);
        for (size_t i = 0; i < q->dim[d].n; i++) {
            const cars_eq_row *r = &q->dim[d].rows[i];
            table_row(out, q, r->label, r->c, r->hidden, r);
        }
        fputs("</tbody>\n</table>\n</section>\n", out);
    }
    cars_fig_end(out);
}

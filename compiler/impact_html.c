/* impact_html.c - carsc impact --format html: one page with the outcome
 * shares old vs new as an SVG chart and as a table, the transition matrix
 * and the rules behind each transition. */
#include "impact.h"

#include <string.h>

#include "fig_html.h"
#include "names.h"

#define NCELLS (CARS_NOUTCOMES * CARS_NOUTCOMES)

static double share(uint64_t k, uint64_t n) { return n ? (double)k / (double)n : 0; }

static void shares(const cars_impact *im, double so[], double sn[])
{
    for (int o = 0; o < CARS_NOUTCOMES; o++) {
        uint64_t r = 0, c = 0;
        for (int x = 0; x < CARS_NOUTCOMES; x++)
            r += im->matrix[o][x], c += im->matrix[x][o];
        so[o] = share(r, im->records);
        sn[o] = share(c, im->records);
    }
}

static void shares_section(const cars_impact *im, FILE *out)
{
    double so[CARS_NOUTCOMES], sn[CARS_NOUTCOMES];
    const char *labels[CARS_NOUTCOMES];
    shares(im, so, sn);
    for (int o = 0; o < CARS_NOUTCOMES; o++)
        labels[o] = cars_outcome_name(o);
    static const char *const series[2] = {"old release", "new release"};
    cars_fig_bars c = {"shares", "Share of records by outcome, old release and new release",
                        CARS_NOUTCOMES, 2, labels, series, {so, sn}};
    fputs("<section aria-labelledby=\"h-shares\">\n<h2 id=\"h-shares\">Outcome shares</h2>\n", out);
    cars_fig_bar_chart(out, &c);
    fputs("<table>\n<caption>Share of records by outcome (the chart above as a table)</caption>\n"
          "<thead><tr><th scope=\"col\">Outcome</th><th scope=\"col\">Old</th><th scope=\"col\">New</th>"
          "<th scope=\"col\">Change (points)</th></tr></thead>\n<tbody>\n",
          out);
    for (int o = 0; o < CARS_NOUTCOMES; o++)
        fprintf(out, "<tr><th scope=\"row\">%s</th><td>%.1f%%</td><td>%.1f%%</td><td>%+.1f</td></tr>\n",
                labels[o], 100 * so[o], 100 * sn[o], 100 * (sn[o] - so[o]));
    fputs("</tbody>\n</table>\n</section>\n", out);
}

static void matrix_section(const cars_impact *im, FILE *out)
{
    fputs("<section aria-labelledby=\"h-matrix\">\n<h2 id=\"h-matrix\">Outcome transitions</h2>\n<table>\n"
          "<caption>Records by old outcome (rows) and new outcome (columns)</caption>\n<thead><tr>"
          "<td></td>",
          out);
    for (int b = 0; b < CARS_NOUTCOMES; b++)
        fprintf(out, "<th scope=\"col\">%s</th>", cars_outcome_name(b));
    fputs("</tr></thead>\n<tbody>\n", out);
    for (int a = 0; a < CARS_NOUTCOMES; a++) {
        fprintf(out, "<tr><th scope=\"row\">%s</th>", cars_outcome_name(a));
        for (int b = 0; b < CARS_NOUTCOMES; b++)
            fprintf(out, "<td>%llu</td>", (unsigned long long)im->matrix[a][b]);
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table>\n</section>\n", out);
}

static void cell_rules(const cars_impact *im, unsigned cell, FILE *out)
{
    const uint64_t *gv = im->gained + (size_t)cell * im->ng, *lv = im->lost + (size_t)cell * im->ng;
    for (uint32_t g = 0; g < im->ng; g++) {
        if (!gv[g] && !lv[g])
            continue;
        fputs("<tr><th scope=\"row\"><code>", out);
        cars_fig_esc(out, im->gid[g]->p, im->gid[g]->len);
        fprintf(out, "</code></th><td>%llu</td><td>%llu</td></tr>\n", (unsigned long long)gv[g],
                (unsigned long long)lv[g]);
    }
}

static void transitions_section(const cars_impact *im, FILE *out)
{
    fputs("<section aria-labelledby=\"h-trans\">\n<h2 id=\"h-trans\">What each transition comes from</h2>\n", out);
    if (cars_impact_changed(im) == 0)
        fputs("<p>Every record has the same outcome under both releases.</p>\n", out);
    for (unsigned cell = 0; cell < NCELLS; cell++) {
        int a = (int)cell / CARS_NOUTCOMES, b = (int)cell % CARS_NOUTCOMES;
        if (a == b || im->matrix[a][b] == 0)
            continue;
        fprintf(out, "<h3>%s to %s: %llu records (%.1f%%)</h3>\n", cars_outcome_name(a), cars_outcome_name(b),
                (unsigned long long)im->matrix[a][b], 100 * share(im->matrix[a][b], im->records));
        fputs("<table>\n<caption>Rules whose listing differs, in records</caption>\n<thead><tr>"
              "<th scope=\"col\">Rule</th><th scope=\"col\">Now listed</th><th scope=\"col\">No longer listed</th>"
              "</tr></thead>\n<tbody>\n",
              out);
        cell_rules(im, cell, out);
        fputs("</tbody>\n</table>\n<p>First records: ", out);
        for (uint32_t i = 0; i < im->nex[cell]; i++) {
            const cars_impact_example *e = &im->ex[cell][i];
            fputs(i ? ", " : "", out);
            if (e->has_id) {
                fputs("<code>", out);
                cars_fig_esc(out, e->id, strlen(e->id));
                fprintf(out, "%s</code> (line %llu)", e->cut ? "&hellip;" : "", (unsigned long long)e->line);
            } else {
                fprintf(out, "no id (line %llu)", (unsigned long long)e->line);
            }
        }
        fputs("</p>\n", out);
    }
    fputs("</section>\n", out);
}

static void rules_section(const cars_impact *im, FILE *out)
{
    fputs("<section aria-labelledby=\"h-rules\">\n<h2 id=\"h-rules\">Rule firings</h2>\n<table>\n"
          "<caption>Records whose routing line lists each rule (&ndash;: not in that release)</caption>\n"
          "<thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Old</th><th scope=\"col\">New</th>"
          "<th scope=\"col\">Change</th></tr></thead>\n<tbody>\n",
          out);
    for (uint32_t g = 0; g < im->ng; g++) {
        fputs("<tr><th scope=\"row\"><code>", out);
        cars_fig_esc(out, im->gid[g]->p, im->gid[g]->len);
        fputs("</code></th>", out);
        if (im->g_old[g] < 0)
            fputs("<td>&ndash;</td>", out);
        else
            fprintf(out, "<td>%llu</td>", (unsigned long long)im->fired_old[g]);
        if (im->g_new[g] < 0)
            fputs("<td>&ndash;</td>", out);
        else
            fprintf(out, "<td>%llu</td>", (unsigned long long)im->fired_new[g]);
        fprintf(out, "<td>%+lld</td></tr>\n", (long long)im->fired_new[g] - (long long)im->fired_old[g]);
    }
    fputs("</tbody>\n</table>\n</section>\n", out);
}

void cars_impact_html(const cars_impact *im, const cars_impact_names *nm, FILE *out)
{
    char sub[400];
    snprintf(sub, sizeof sub, "%.*s over %.*s, %llu records, %llu with another outcome",
             (int)(im->new_->release_id.len > 100 ? 100 : im->new_->release_id.len), im->new_->release_id.p,
             (int)(im->old->release_id.len > 100 ? 100 : im->old->release_id.len), im->old->release_id.p,
             (unsigned long long)im->records, (unsigned long long)cars_impact_changed(im));
    (void)nm;
    cars_fig_begin(out, "Impact of a new release", sub);
    shares_section(im, out);
    matrix_section(im, out);
    transitions_section(im, out);
    rules_section(im, out);
    cars_fig_end(out);
}

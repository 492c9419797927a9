/* effect_html.c - carsc effectiveness --format html: re-route rates with
 * their 95% intervals as an SVG chart and as a table, and the re-route
 * list's ids that were not counted. */
#include "effect.h"

#include <string.h>

#include "alloc.h"
#include "date.h"
#include "fig_html.h"
#include "names.h"
#include "stats.h"

static const char *const kind_name[4] = {"outcome", "rule", "tier", "multiple PCAs"};

static void chart(const cars_effect *e, FILE *out)
{
    size_t n = 0;
    for (size_t i = 0; i < e->ng; i++)
        n += e->g[i].routed > 0;
    const char **labels = cars_calloc(n + 1, sizeof *labels);
    double *v = cars_calloc(3 * n + 1, sizeof *v);
    char *names = cars_calloc(n + 1, 160);
    if (!labels || !v || !names) {
        cars_free(labels), cars_free(v), cars_free(names);
        return;
    }
    double max = cars_effect_rate(e) * 1.5;
    size_t k = 0;
    for (size_t i = 0; i < e->ng; i++) {
        const cars_eff_group *g = &e->g[i];
        if (!g->routed)
            continue;
        snprintf(names + 160 * k, 160, "%s %s", kind_name[g->kind], g->label);
        labels[k] = names + 160 * k;
        cars_wilson(g->rerouted, g->routed, CARS_Z95, &v[n + k], &v[2 * n + k]);
        v[k] = (double)g->rerouted / (double)g->routed;
        max = v[2 * n + k] > max ? v[2 * n + k] : max;
        k++;
    }
    char ref[64];
    snprintf(ref, sizeof ref, "overall %.1f%%", 100 * cars_effect_rate(e));
    cars_fig_ci c = {"rates", "Re-route rate of each group with its 95% interval; the dashed line is the overall "
                               "non-complex re-route rate",
                      ref, n, labels, v, v + n, v + 2 * n, cars_effect_rate(e), max > 0 ? max : 1, true};
    cars_fig_ci_chart(out, &c);
    cars_free(labels), cars_free(v), cars_free(names);
}

static void table(const cars_effect *e, FILE *out)
{
    fputs("<table>\n<caption>Re-routes by group (the chart above as a table)</caption>\n<thead><tr>"
          "<th scope=\"col\">Group</th><th scope=\"col\">Routed</th><th scope=\"col\">Re-routed</th>"
          "<th scope=\"col\">Rate</th><th scope=\"col\">95% interval</th><th scope=\"col\">Above overall</th>"
          "</tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < e->ng; i++) {
        const cars_eff_group *g = &e->g[i];
        if (!g->routed && !(g->kind == CARS_EG_RULE && g->known))
            continue;
        fprintf(out, "<tr><th scope=\"row\">%s ", kind_name[g->kind]);
        cars_fig_escs(out, g->label);
        fprintf(out, "</th><td>%llu</td><td>%llu</td>", (unsigned long long)g->routed,
                (unsigned long long)g->rerouted);
        double lo, hi;
        bool flag = cars_effect_flag(e, g, &lo, &hi);
        if (g->routed)
            fprintf(out, "<td>%.1f%%</td><td>%.1f%% to %.1f%%</td><td%s>%s</td></tr>\n",
                    100.0 * (double)g->rerouted / (double)g->routed, 100 * lo, 100 * hi, flag ? " class=\"flag\"" : "",
                    flag ? "yes" : "no");
        else
            fputs("<td>&ndash;</td><td>&ndash;</td><td>no</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
}

static void ids(const cars_rcx *r, int which, const char *title, FILE *out)
{
    size_t n = 0;
    fprintf(out, "<h3>%s</h3>\n<p>", title);
    for (size_t i = 0; i < r->n; i++) {
        const cars_rcx_entry *x = &r->e[i];
        bool pick = which == 0   ? x->routed == 0
                    : which == 1 ? x->listed > 1
                                 : x->routed > 0 && x->in_period && x->outcome != CARS_OUT_NCXDR &&
                                       x->outcome != CARS_OUT_NCXPCA;
        if (!pick)
            continue;
        fputs(n++ ? ", <code>" : "<code>", out);
        cars_fig_escs(out, x->id);
        fputs("</code>", out);
        if (which == 1)
            fprintf(out, " (%u times)", x->listed);
        if (which == 2)
            fprintf(out, " (%s)", cars_outcome_name(x->outcome));
    }
    fputs(n ? "</p>\n" : "None.</p>\n", out);
}

void cars_effect_html(const cars_effect *e, FILE *out)
{
    char sub[300];
    if (e->period) {
        char f[11], t[11];
        cars_date_format(e->from, f);
        cars_date_format(e->to, t);
        snprintf(sub, sizeof sub, "Records received %s to %s", f, t);
    } else {
        snprintf(sub, sizeof sub, "Every routing line");
    }
    cars_fig_begin(out, "Effectiveness: non-complex routings re-routed as complex", sub);
    double lo, hi;
    cars_wilson(e->ncx_rerouted, e->ncx, CARS_Z95, &lo, &hi);
    fprintf(out, "<section aria-labelledby=\"h-rates\">\n<h2 id=\"h-rates\">Re-route rates</h2>\n<p>%llu non-complex "
                 "routings, %llu re-routed as complex: %.1f%% (95%% interval %.1f%% to %.1f%%).</p>\n",
            (unsigned long long)e->ncx, (unsigned long long)e->ncx_rerouted, 100 * cars_effect_rate(e), 100 * lo,
            100 * hi);
    chart(e, out);
    table(e, out);
    fputs("</section>\n<section aria-labelledby=\"h-list\">\n<h2 id=\"h-list\">The re-route list</h2>\n", out);
    ids(&e->rcx, 0, "Ids not in the routing output", out);
    ids(&e->rcx, 1, "Ids listed more than once (counted once)", out);
    ids(&e->rcx, 2, "Ids not routed non-complex (not counted)", out);
    fputs("</section>\n", out);
    cars_fig_end(out);
}

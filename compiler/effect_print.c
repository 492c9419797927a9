/* effect_print.c - carsc effectiveness's figures as text and JSON
 * (effect.h); the HTML page is effect_html.c. */
#include "effect.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "date.h"
#include "json.h"
#include "names.h"
#include "stats.h"

static const char *const kind_name[4] = {"outcome", "rule", "tier", "multiple PCAs"};

static bool shown(const cars_eff_group *g) { return g->routed > 0 || (g->kind == CARS_EG_RULE && g->known); }

static void put_plain(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

static void put_json(FILE *out, const char *s)
{
    cars_buf b = {0};
    cars_json_string(&b, s, strlen(s));
    if (b.p)
        fwrite(b.p, 1, b.len, out);
    cars_buf_free(&b);
}

static double pct(uint64_t k, uint64_t n) { return n ? 100.0 * (double)k / (double)n : 0; }

static void period_text(const cars_effect *e, FILE *out)
{
    if (e->period) {
        char f[11], t[11];
        cars_date_format(e->from, f);
        cars_date_format(e->to, t);
        fprintf(out, "period: records received %s to %s (field %s of %s)\n", f, t, e->received_path,
                e->records_path);
        fprintf(out, "routings outside the period: %llu (records without a received date: %llu)\n",
                (unsigned long long)e->outside, (unsigned long long)e->no_date);
    } else {
        fputs("period: every routing line (no --from/--to)\n", out);
    }
}

static void groups_text(const cars_effect *e, FILE *out)
{
    size_t w = 20;
    for (size_t i = 0; i < e->ng; i++)
        if (shown(&e->g[i]) && strlen(kind_name[e->g[i].kind]) + 1 + strlen(e->g[i].label) > w)
            w = strlen(kind_name[e->g[i].kind]) + 1 + strlen(e->g[i].label);
    fprintf(out, "\n%-*s %9s %9s %7s  %s\n", (int)w, "group", "routed", "re-routed", "rate", "95% interval");
    for (size_t i = 0; i < e->ng; i++) {
        const cars_eff_group *g = &e->g[i];
        if (!shown(g))
            continue;
        char name[300];
        snprintf(name, sizeof name, "%s %s%s", kind_name[g->kind], g->label,
                 g->kind == CARS_EG_RULE && !g->known ? " (in no release given)" : "");
        for (char *c = name; *c; c++)
            *c = (unsigned char)*c < 0x20 ? '?' : *c;
        fprintf(out, "%-*s %9llu %9llu", (int)w, name, (unsigned long long)g->routed,
                (unsigned long long)g->rerouted);
        double lo, hi;
        bool flag = cars_effect_flag(e, g, &lo, &hi);
        if (g->routed)
            fprintf(out, " %6.1f%%  %5.1f%% to %5.1f%%%s\n", pct(g->rerouted, g->routed), 100 * lo, 100 * hi,
                    flag ? "  above" : "");
        else
            fprintf(out, " %7s\n", "-");
    }
    fprintf(out, "above: the whole 95%% interval lies above the overall non-complex re-route rate (%.1f%%)\n",
            100 * cars_effect_rate(e));
}

/* Lists the RCX ids that `pick` selects; returns how many. */
typedef bool pick_fn(const cars_rcx_entry *x);
static bool p_missing(const cars_rcx_entry *x) { return x->routed == 0; }
static bool p_dup(const cars_rcx_entry *x) { return x->listed > 1; }
static bool p_not_ncx(const cars_rcx_entry *x)
{
    return x->routed > 0 && x->in_period && x->outcome != CARS_OUT_NCXDR && x->outcome != CARS_OUT_NCXPCA;
}
static bool p_outside(const cars_rcx_entry *x) { return x->routed > 0 && !x->in_period; }
static bool p_repeat(const cars_rcx_entry *x) { return x->routed > 1; }

static size_t count_ids(const cars_rcx *r, pick_fn *pick)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += pick(&r->e[i]);
    return n;
}

static void ids_text(const cars_rcx *r, pick_fn *pick, const char *what, FILE *out)
{
    size_t n = count_ids(r, pick), k = 0;
    fprintf(out, "  %s: %zu%s", what, n, n ? ": " : "\n");
    for (size_t i = 0; i < r->n; i++) {
        const cars_rcx_entry *x = &r->e[i];
        if (!pick(x))
            continue;
        fputs(k++ ? ", " : "", out);
        put_plain(out, x->id);
        if (pick == p_dup)
            fprintf(out, " (%u times)", x->listed);
        else if (pick == p_not_ncx)
            fprintf(out, " (%s)", cars_outcome_name(x->outcome));
        else if (pick == p_repeat)
            fprintf(out, " (%u routing lines)", x->routed);
    }
    if (n)
        fputc('\n', out);
}

/* The reasons given for the re-routes counted, each with its count, most
 * frequent first (then by text); *n of them, cars_free the array. */
typedef struct reason {
    const char *text;
    size_t n;
} reason;

static int by_text(const void *a, const void *b)
{
    return strcmp(((const reason *)a)->text, ((const reason *)b)->text);
}

static int by_count(const void *a, const void *b)
{
    const reason *x = a, *y = b;
    return x->n != y->n ? (x->n < y->n ? 1 : -1) : strcmp(x->text, y->text);
}

static reason *reasons(const cars_rcx *r, size_t *n)
{
    reason *v = cars_calloc(r->n + 1, sizeof *v);
    *n = 0;
    if (!v)
        return NULL;
    for (size_t i = 0; i < r->n; i++)
        if (r->e[i].counted && r->e[i].reason)
            v[(*n)++] = (reason){r->e[i].reason, 1};
    qsort(v, *n, sizeof *v, by_text);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        if (k > 0 && strcmp(v[k - 1].text, v[i].text) == 0)
            v[k - 1].n++;
        else
            v[k++] = v[i];
    }
    *n = k;
    qsort(v, k, sizeof *v, by_count);
    return v;
}

static void reasons_text(const cars_rcx *r, FILE *out)
{
    size_t n;
    reason *v = reasons(r, &n);
    for (size_t i = 0; v && i < n; i++) {
        fputs(i ? "" : "\nReasons given for the re-routes counted:\n", out);
        fprintf(out, "  %6zu  ", v[i].n);
        put_plain(out, v[i].text);
        fputc('\n', out);
    }
    cars_free(v);
}

static void reasons_json(const cars_rcx *r, FILE *out)
{
    size_t n;
    reason *v = reasons(r, &n);
    fputs(",\"reasons\":[", out);
    for (size_t i = 0; v && i < n; i++) {
        fputs(i ? ",{\"reason\":" : "{\"reason\":", out);
        put_json(out, v[i].text);
        fprintf(out, ",\"rerouted\":%zu}", v[i].n);
    }
    fputc(']', out);
    cars_free(v);
}

void cars_effect_text(const cars_effect *e, FILE *out)
{
    fputs("Effectiveness: non-complex routings re-routed as complex (RCX)\n", out);
    fprintf(out, "routing: %s (%llu lines); re-routes: %s (%llu listed, %zu distinct ids)\n", e->routing_path,
            (unsigned long long)e->lines, e->rcx_path, (unsigned long long)e->rcx.lines, e->rcx.n);
    period_text(e, out);
    fputs("routed in the period:", out);
    for (int o = 0; o < 6; o++)
        fprintf(out, " %s %llu%s", cars_outcome_name(o), (unsigned long long)e->routed[o], o < 5 ? "," : "\n");
    double lo, hi;
    cars_wilson(e->ncx_rerouted, e->ncx, CARS_Z95, &lo, &hi);
    fprintf(out, "non-complex: %llu routed, %llu re-routed, rate %.1f%% (95%% interval %.1f%% to %.1f%%)\n",
            (unsigned long long)e->ncx, (unsigned long long)e->ncx_rerouted, 100 * cars_effect_rate(e), 100 * lo,
            100 * hi);
    groups_text(e, out);
    fputs("\nThe re-route list:\n", out);
    ids_text(&e->rcx, p_missing, "ids not in the routing output", out);
    ids_text(&e->rcx, p_dup, "ids listed more than once (counted once)", out);
    ids_text(&e->rcx, p_repeat, "ids routed more than once (the first routing counts)", out);
    ids_text(&e->rcx, p_not_ncx, "ids not routed non-complex (not counted)", out);
    fprintf(out, "  ids whose record falls outside the period (not counted): %zu\n", count_ids(&e->rcx, p_outside));
    fprintf(out, "  re-routes counted: %llu\n", (unsigned long long)e->ncx_rerouted);
    reasons_text(&e->rcx, out);
}

/* ---- JSON ---------------------------------------------------------------- */

static void ids_json(const cars_rcx *r, pick_fn *pick, const char *key, FILE *out)
{
    fprintf(out, ",\"%s\":[", key);
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++) {
        const cars_rcx_entry *x = &r->e[i];
        if (!pick(x))
            continue;
        fputs(k++ ? ",{\"id\":" : "{\"id\":", out);
        put_json(out, x->id);
        fprintf(out, ",\"listed\":%u,\"routed\":%u", x->listed, x->routed);
        if (x->outcome >= 0)
            fprintf(out, ",\"outcome\":\"%s\"", cars_outcome_name(x->outcome));
        fputc('}', out);
    }
    fputc(']', out);
}

static void groups_json(const cars_effect *e, FILE *out)
{
    static const char *const kind_key[4] = {"outcome", "rule", "tier", "multiple_pcas"};
    fputs(",\"groups\":[", out);
    size_t k = 0;
    for (size_t i = 0; i < e->ng; i++) {
        const cars_eff_group *g = &e->g[i];
        if (!shown(g))
            continue;
        double lo, hi;
        bool flag = cars_effect_flag(e, g, &lo, &hi);
        fprintf(out, "%s{\"kind\":\"%s\",\"name\":", k++ ? "," : "", kind_key[g->kind]);
        put_json(out, g->label);
        fprintf(out, ",\"routed\":%llu,\"rerouted\":%llu", (unsigned long long)g->routed,
                (unsigned long long)g->rerouted);
        if (g->routed)
            fprintf(out, ",\"rate\":%.6f,\"low\":%.6f,\"high\":%.6f", pct(g->rerouted, g->routed) / 100, lo, hi);
        fprintf(out, ",\"above\":%s%s}", flag ? "true" : "false",
                g->kind == CARS_EG_RULE && !g->known ? ",\"in_release\":false" : "");
    }
    fputc(']', out);
}

void cars_effect_json(const cars_effect *e, FILE *out)
{
    fputs("{\"routing\":", out);
    put_json(out, e->routing_path);
    fputs(",\"rcx\":", out);
    put_json(out, e->rcx_path);
    if (e->period) {
        char f[11], t[11];
        cars_date_format(e->from, f);
        cars_date_format(e->to, t);
        fprintf(out, ",\"period\":{\"from\":\"%s\",\"to\":\"%s\",\"field\":", f, t);
        put_json(out, e->received_path);
        fprintf(out, ",\"outside\":%llu,\"no_date\":%llu}", (unsigned long long)e->outside,
                (unsigned long long)e->no_date);
    } else {
        fputs(",\"period\":null", out);
    }
    fprintf(out, ",\"lines\":%llu,\"routed\":{", (unsigned long long)e->lines);
    for (int o = 0; o < 6; o++)
        fprintf(out, "%s\"%s\":%llu", o ? "," : "", cars_outcome_name(o), (unsigned long long)e->routed[o]);
    double lo, hi;
    cars_wilson(e->ncx_rerouted, e->ncx, CARS_Z95, &lo, &hi);
    fprintf(out, "},\"noncomplex\":{\"routed\":%llu,\"rerouted\":%llu,\"rate\":%.6f,\"low\":%.6f,\"high\":%.6f}",
            (unsigned long long)e->ncx, (unsigned long long)e->ncx_rerouted, cars_effect_rate(e), lo, hi);
    groups_json(e, out);
    fprintf(out, ",\"rcx_lines\":%llu,\"rcx_ids\":%zu", (unsigned long long)e->rcx.lines, e->rcx.n);
    ids_json(&e->rcx, p_missing, "missing", out);
    ids_json(&e->rcx, p_dup, "duplicates", out);
    ids_json(&e->rcx, p_repeat, "routed_more_than_once", out);
    ids_json(&e->rcx, p_not_ncx, "not_noncomplex", out);
    fprintf(out, ",\"outside_period\":%zu", count_ids(&e->rcx, p_outside));
    reasons_json(&e->rcx, out);
    fputs("}\n", out);
}

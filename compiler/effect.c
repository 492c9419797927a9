/* effect.c - the effectiveness pass (effect.h). */
#include "effect.h"

#include <string.h>

#include "alloc.h"
#include "date.h"
#include "jsonl.h"
#include "names.h"
#include "stats.h"

#define CMD "carsc effectiveness"

/* The group of (kind, label), made if need be; NULL when out of memory. */
static cars_eff_group *group(cars_effect *e, unsigned kind, const char *label, size_t len, bool known)
{
    char key[128];
    snprintf(key, sizeof key, "%.*s", (int)(len < sizeof key ? len : sizeof key - 1), label);
    uint64_t hash = cars_strindex_hash(kind, key);
    size_t pos = 0;
    for (uint32_t i; (i = cars_strindex_next(&e->index, hash, &pos)) != CARS_STRINDEX_NONE;)
        if (e->g[i].kind == kind && strcmp(e->g[i].label, key) == 0)
            return &e->g[i];
    if (e->ng == e->gcap) {
        size_t cap = e->gcap ? e->gcap * 2 : 64;
        cars_eff_group *ng = cars_realloc(e->g, cap * sizeof *ng);
        if (!ng)
            return NULL;
        e->g = ng;
        e->gcap = cap;
    }
    cars_eff_group *g = &e->g[e->ng];
    memset(g, 0, sizeof *g);
    g->kind = (uint8_t)kind;
    g->known = known;
    g->tier = -1;
    memcpy(g->label, key, strlen(key) + 1);
    if (!cars_strindex_add(&e->index, hash, (uint32_t)e->ng))
        return NULL;
    e->ng++;
    return g;
}

static const char *const band_label[10] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10 or more"};

/* The groups in the order they are shown: outcomes, the rules of the
 * releases that can take part in a non-complex routing (single
 * non-complex rules, then multiple PCAs, each with its tier), tiers, bands. */
static bool make_groups(cars_effect *e, const cars_effect_args *a)
{
    bool ok = group(e, CARS_EG_OUTCOME, "NCXDR", 5, true) && group(e, CARS_EG_OUTCOME, "NCXPCA", 6, true);
    for (size_t r = 0; r < a->nrel; r++)
        for (uint32_t t = 0; ok && t < a->rel[r]->ntiers; t++)
            ok = group(e, CARS_EG_TIER, a->rel[r]->tiers[t].p, a->rel[r]->tiers[t].len, true) != NULL;
    for (int b = 0; ok && b < 10; b++)
        ok = group(e, CARS_EG_BAND, band_label[b], strlen(band_label[b]), true) != NULL;
    for (int pass = 0; pass < 2; pass++)
        for (size_t r = 0; r < a->nrel; r++)
            for (uint32_t i = 0; ok && i < a->rel[r]->nrules; i++) {
                const cars_prule *ru = &a->rel[r]->rules[i];
                if (ru->kind != (pass ? CARS_RK_MULTIPLE : CARS_RK_SINGLE_NONCOMPLEX))
                    continue;
                int32_t tier = -1;
                if (pass && ru->tier < a->rel[r]->ntiers) {
                    const cars_str *tn = &a->rel[r]->tiers[ru->tier];
                    cars_eff_group *tg = group(e, CARS_EG_TIER, tn->p, tn->len, true);
                    tier = tg ? (int32_t)(tg - e->g) : -1;
                }
                cars_eff_group *g = group(e, CARS_EG_RULE, ru->id.p, ru->id.len, true);
                ok = g != NULL;
                if (ok && !g->multiple && g->tier < 0) { /* the first release that has it says */
                    g->multiple = pass == 1;
                    g->tier = tier;
                }
            }
    return ok;
}

static bool count(cars_eff_group *g, bool re)
{
    if (!g)
        return false;
    g->routed++;
    g->rerouted += re;
    return true;
}

/* Adds a non-complex routing to its groups. */
static bool add_ncx(cars_effect *e, const cars_rline *rl, bool re)
{
    const char *on = cars_outcome_name(rl->outcome);
    bool ok = count(group(e, CARS_EG_OUTCOME, on, strlen(on), true), re);
    int32_t seen[64];
    size_t nseen = 0, multiple = 0;
    for (size_t i = 0; ok && i < rl->nrules; i++) {
        const char *id = rl->rules[i]->u.string;
        cars_eff_group *g = group(e, CARS_EG_RULE, id, strlen(id), false);
        if (!g)
            return false;
        if (!g->known && g->routed == 0) {
            e->rules_unknown++;
            g->multiple = rl->outcome == CARS_OUT_NCXPCA;
            g->tier = -1;
        }
        int32_t tier = g->tier;
        ok = count(g, re);
        if (rl->outcome != CARS_OUT_NCXPCA || !g->multiple)
            continue;
        multiple++;
        bool dup = tier < 0;
        for (size_t k = 0; k < nseen && !dup; k++)
            dup = seen[k] == tier;
        if (!dup && nseen < 64) {
            seen[nseen++] = tier;
            ok = count(&e->g[tier], re);
        }
    }
    if (ok && multiple > 0) {
        const char *b = band_label[multiple >= 10 ? 9 : multiple - 1];
        ok = count(group(e, CARS_EG_BAND, b, strlen(b), true), re);
    }
    return ok;
}

/* The received date of the record on line rec->no (days); false if absent
 * or not a date. */
static bool received(const cars_effect *e, yajl_val rec, int64_t *days)
{
    yajl_val v = rec ? cars_json_path(rec, e->received_path) : NULL;
    const char *s = YAJL_GET_STRING(v);
    return s && cars_date_parse(s, strlen(s), days);
}

/* Reads the record that goes with routing line `rl` and checks its id:
 * *in_period says whether it falls in the period. */
static bool match_record(cars_effect *e, cars_lines *rec, const cars_lines *rt, const cars_rline *rl, bool *in_period)
{
    int rc = cars_lines_next(rec, "effectiveness");
    if (rc <= 0) {
        if (rc == 0)
            fprintf(stderr, CMD ": %s ends before %s: line %llu of %s has no record\n", rec->path, rt->path,
                    (unsigned long long)rt->no, rt->path);
        return false;
    }
    char err[200];
    yajl_val t = yajl_tree_parse(rec->buf, err, sizeof err);
    const char *rid = YAJL_GET_STRING(t ? cars_json_path(t, "id") : NULL);
    if (t && rl->id && (!rid || strcmp(rid, rl->id) != 0)) { /* a line that is not JSON: nothing to compare */
        fprintf(stderr, CMD ": line %llu of %s is not the record of line %llu of %s (their ids differ)\n",
                (unsigned long long)rec->no, rec->path, (unsigned long long)rt->no, rt->path);
        yajl_tree_free(t);
        return false;
    }
    int64_t d = 0;
    bool has = received(e, t, &d);
    yajl_tree_free(t);
    e->no_date += !has;
    *in_period = has && d >= e->from && d <= e->to;
    return true;
}

static bool one_line(cars_effect *e, const cars_effect_args *a, cars_lines *rt, cars_lines *rec, cars_rline *rl)
{
    char err[200];
    e->lines++;
    if (!cars_rline_parse(rl, rt->buf, err, sizeof err)) {
        fprintf(stderr, CMD ": %s:%llu: %s\n", rt->path, (unsigned long long)rt->no, err);
        return false;
    }
    bool in_period = true;
    if (rec->f && !match_record(e, rec, rt, rl, &in_period))
        return false;
    if (!a->period)
        in_period = true;
    cars_rcx_entry *x = rl->id ? cars_rcx_find(&e->rcx, rl->id) : NULL;
    bool first = x && x->routed++ == 0;
    if (first) {
        x->outcome = (int8_t)rl->outcome;
        x->in_period = in_period;
    }
    if (!in_period) {
        e->outside++;
        return true;
    }
    e->routed[rl->outcome]++;
    if (rl->outcome != CARS_OUT_NCXDR && rl->outcome != CARS_OUT_NCXPCA)
        return true;
    e->ncx++;
    e->ncx_rerouted += first;
    if (first)
        x->counted = true;
    if (add_ncx(e, rl, first))
        return true;
    fprintf(stderr, CMD ": out of memory\n");
    return false;
}

static bool pass(cars_effect *e, const cars_effect_args *a)
{
    cars_lines rt, rec;
    memset(&rec, 0, sizeof rec);
    if (!cars_lines_open(&rt, a->routing, "effectiveness"))
        return false;
    if (a->records && !cars_lines_open(&rec, a->records, "effectiveness")) {
        cars_lines_close(&rt);
        return false;
    }
    cars_rline rl;
    memset(&rl, 0, sizeof rl);
    int rc;
    bool ok = true;
    while (ok && (rc = cars_lines_next(&rt, "effectiveness")) == 1)
        ok = one_line(e, a, &rt, &rec, &rl);
    ok = ok && rc == 0;
    if (ok && rec.f && (rc = cars_lines_next(&rec, "effectiveness")) != 0) {
        if (rc > 0)
            fprintf(stderr, CMD ": %s has more records than %s has routing lines (line %llu)\n", rec.path, rt.path,
                    (unsigned long long)rec.no);
        ok = false;
    }
    cars_rline_free(&rl);
    cars_lines_close(&rt);
    if (rec.f)
        cars_lines_close(&rec);
    return ok;
}

/* The record field marked `reference` in the first release's schema. */
static const char *reference_field(const cars_effect_args *a)
{
    static char path[256];
    for (size_t r = 0; r < a->nrel; r++)
        for (uint32_t i = 0; i < a->rel[r]->nfields; i++)
            if (a->rel[r]->fields[i].flags & CARS_FF_REFERENCE) {
                const cars_str *s = &a->rel[r]->fields[i].path;
                snprintf(path, sizeof path, "%.*s", (int)(s->len < 255 ? s->len : 255), s->p);
                return path;
            }
    return "received";
}

/* The groups in the order shown: outcomes, rules, tiers, bands, each in
 * the order made (the index, no longer needed, is dropped). */
static bool order_groups(cars_effect *e)
{
    cars_eff_group *g = cars_malloc((e->ng ? e->ng : 1) * sizeof *g);
    if (!g) {
        fprintf(stderr, CMD ": out of memory\n");
        return false;
    }
    size_t k = 0;
    for (unsigned kind = CARS_EG_OUTCOME; kind <= CARS_EG_BAND; kind++)
        for (size_t i = 0; i < e->ng; i++)
            if (e->g[i].kind == kind)
                g[k++] = e->g[i];
    cars_free(e->g);
    cars_strindex_free(&e->index);
    e->g = g;
    e->gcap = e->ng;
    return true;
}

bool cars_effect_run(cars_effect *e, const cars_effect_args *a)
{
    memset(e, 0, sizeof *e);
    e->routing_path = a->routing;
    e->rcx_path = a->rcx;
    e->records_path = a->records;
    e->period = a->period;
    e->from = a->from;
    e->to = a->to;
    e->received_path = reference_field(a);
    if (!cars_rcx_read(&e->rcx, a->rcx))
        return false;
    if (!make_groups(e, a)) {
        fprintf(stderr, CMD ": out of memory\n");
        return false;
    }
    if (!pass(e, a))
        return false;
    return order_groups(e);
}

void cars_effect_free(cars_effect *e)
{
    cars_rcx_free(&e->rcx);
    cars_free(e->g);
    cars_strindex_free(&e->index);
    memset(e, 0, sizeof *e);
}

double cars_effect_rate(const cars_effect *e)
{
    return e->ncx ? (double)e->ncx_rerouted / (double)e->ncx : 0;
}

bool cars_effect_flag(const cars_effect *e, const cars_eff_group *g, double *lo, double *hi)
{
    if (!cars_wilson(g->rerouted, g->routed, CARS_Z95, lo, hi))
        return false;
    return e->ncx > 0 && *lo > cars_effect_rate(e);
}

/* report_json.c - carsc report --format json: the report's content as one
 * JSON object, for other tools. Strings go through vm/json.h's escaper. */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "bundle.h"
#include "date.h"
#include "hex.h"
#include "json.h"
#include "release.h"

static void key(cars_buf *b, bool *first, const char *k)
{
    cars_buf_puts(b, *first ? "" : ",");
    *first = false;
    cars_json_string(b, k, strlen(k));
    cars_buf_puts(b, ":");
}

static void kstr(cars_buf *b, bool *first, const char *k, const char *v, size_t n)
{
    key(b, first, k);
    if (v)
        cars_json_string(b, v, n);
    else
        cars_buf_puts(b, "null");
}

static void kcstr(cars_buf *b, bool *first, const char *k, const char *v)
{
    kstr(b, first, k, v, v ? strlen(v) : 0);
}

static void knum(cars_buf *b, bool *first, const char *k, unsigned long long v)
{
    char s[32];
    snprintf(s, sizeof s, "%llu", v);
    key(b, first, k);
    cars_buf_puts(b, s);
}

static void knum_or_null(cars_buf *b, bool *first, const char *k, bool has, unsigned long long v)
{
    if (has) {
        knum(b, first, k, v);
        return;
    }
    key(b, first, k);
    cars_buf_puts(b, "null");
}

static void kdate(cars_buf *b, bool *first, const char *k, int64_t days)
{
    char s[11];
    cars_date_format(days, s);
    kcstr(b, first, k, s);
}

static const char *review_state_name(cars_review_state s)
{
    static const char *const n[] = {"none", "ok", "due-in-window", "overdue"};
    return n[s];
}

static void review(cars_buf *b, bool *first, const cars_report_review *v)
{
    key(b, first, "review");
    if (v->state == CARS_REVIEW_NONE) {
        cars_buf_puts(b, "null");
        return;
    }
    bool f = true;
    cars_buf_puts(b, "{");
    kdate(b, &f, "reviewed", v->reviewed);
    knum(b, &f, "every_months", (unsigned)v->months);
    kdate(b, &f, "due", v->due);
    kcstr(b, &f, "state", review_state_name(v->state));
    cars_buf_puts(b, "}");
}

static void release(const cars_report *r, cars_buf *b)
{
    const cars_program *p = r->p;
    static const char *const sig[] = {"none", "unchecked", "good"};
    bool f = true;
    cars_buf_puts(b, "{");
    key(b, &f, "source_tree");
    cars_buf_puts(b, r->cur.is_tree ? "true" : "false");
    kstr(b, &f, "id", p->release_id.p, p->release_id.len);
    knum(b, &f, "sequence", p->sequence);
    kcstr(b, &f, "channel", cars_channel_name(p->channel));
    if (cars_report_has_window(r)) {
        kdate(b, &f, "valid_from", p->valid_from);
        kdate(b, &f, "valid_until", p->valid_until);
    } else {
        kcstr(b, &f, "valid_from", NULL);
        kcstr(b, &f, "valid_until", NULL);
    }
    kstr(b, &f, "ruleset", p->ruleset_title.p, p->ruleset_title.len);
    kstr(b, &f, "compiler", p->compiler_version.p, p->compiler_version.len);
    if (!r->cur.is_tree) { /* what the tests gave when it was built (null: not recorded) */
        const cars_ptests *t = &p->tests;
        key(b, &f, "tests");
        if (p->version < CARS_BUNDLE_VERSION_TESTS) {
            cars_buf_puts(b, "null");
        } else {
            bool g = true;
            cars_buf_puts(b, "{");
            key(b, &g, "ran");
            cars_buf_puts(b, t->run ? "true" : "false");
            knum(b, &g, "passed", t->passed);
            knum(b, &g, "rules_covered", t->rules_covered);
            knum(b, &g, "rules", t->rules);
            knum(b, &g, "conditions_covered", t->conds_covered);
            knum(b, &g, "conditions", t->conds);
            cars_buf_puts(b, "}");
        }
    }
    kcstr(b, &f, "bundle_blake2b_256", r->cur.is_tree ? NULL : r->digest);
    kcstr(b, &f, "signature", sig[r->sig]);
    kcstr(b, &f, "signer_key_id", r->sig == CARS_REPORT_SIG_NONE ? NULL : r->keyid);
    kcstr(b, &f, "sealed_to_audit_keys", r->sealed_to[0] ? r->sealed_to : NULL);
    key(b, &f, "files");
    cars_buf_puts(b, "[");
    for (uint32_t i = 0; i < p->ndigests; i++) {
        char h[65];
        bool g = true;
        cars_hex(p->digests[i].digest, 32, h);
        cars_buf_puts(b, i ? ",{" : "{");
        kstr(b, &g, "name", p->digests[i].name.p, p->digests[i].name.len);
        kcstr(b, &g, "blake2b_256", h);
        cars_buf_puts(b, "}");
    }
    cars_buf_puts(b, "]}");
}

static void routing(const cars_report *r, cars_buf *b)
{
    static const char *const sel[] = {"exclusions", "screens", "profiles", "complex singles",
                                      "noncomplex singles", "threshold", "otherwise"};
    cars_buf_puts(b, "[");
    for (size_t i = 0; i < r->ast->nstages; i++) {
        const cars_stage *s = &r->ast->stages[i];
        bool f = true;
        cars_buf_puts(b, i ? ",{" : "{");
        kcstr(b, &f, "stage", sel[s->sel]);
        kcstr(b, &f, "threshold", s->sel == CARS_S_THRESHOLD ? s->threshold : NULL);
        kcstr(b, &f, "outcome", cars_outcome_name((int)s->outcome));
        kcstr(b, &f, "otherwise", s->has_otherwise ? cars_outcome_name((int)s->otherwise) : NULL);
        cars_buf_puts(b, "}");
    }
    cars_buf_puts(b, "]");
}

static void reads(cars_buf *b, const cars_report_rule *rr)
{
    cars_buf_puts(b, "[");
    for (size_t i = 0; i < rr->nreads; i++) {
        const cars_report_read *x = &rr->reads[i];
        bool f = true;
        cars_buf_puts(b, i ? ",{" : "{");
        kcstr(b, &f, "field", x->path);
        kcstr(b, &f, "through", x->via);
        kcstr(b, &f, "protected", x->protect ? cars_report_prot_name(x->protect) : NULL);
        key(b, &f, "proxy_of_nationality");
        cars_buf_puts(b, x->proxy ? "true" : "false");
        cars_buf_puts(b, "}");
    }
    cars_buf_puts(b, "]");
}

static void protections(cars_buf *b, const cars_report_rule *rr)
{
    static const unsigned bits[] = {CARS_PROT_NATIONALITY, CARS_PROT_NAT_PROXY, CARS_PROT_AGE, CARS_PROT_SEX};
    unsigned prot = cars_report_protect(rr);
    bool any = false;
    cars_buf_puts(b, "[");
    for (size_t i = 0; i < 4; i++) {
        if (!(prot & bits[i]))
            continue;
        bool f = true;
        cars_buf_puts(b, any ? ",{" : "{");
        any = true;
        kcstr(b, &f, "characteristic", cars_report_prot_name(bits[i]));
        kcstr(b, &f, "citation_kind", cars_report_citation_kind(bits[i]));
        kcstr(b, &f, "citation", cars_report_citation(rr->rule, bits[i]));
        cars_buf_puts(b, "}");
    }
    cars_buf_puts(b, "]");
}

static void rule(cars_buf *b, const cars_report_rule *rr)
{
    const cars_rule *ru = rr->rule;
    bool f = true;
    cars_buf_puts(b, "{");
    kcstr(b, &f, "id", rr->anchor);
    kcstr(b, &f, "title", rr->title);
    kcstr(b, &f, "kind", ru ? cars_rule_kind_name(ru->kind) : "threshold");
    kcstr(b, &f, "stage", cars_report_kind_title(ru ? ru->kind : 6));
    kcstr(b, &f, "tier", ru ? ru->tier : NULL);
    kcstr(b, &f, "outcome", rr->outcome >= 0 ? cars_outcome_name(rr->outcome) : NULL);
    kcstr(b, &f, "rationale", rr->meta->rationale);
    kcstr(b, &f, "file", rr->file);
    kstr(b, &f, "text", rr->text, rr->len);
    key(b, &f, "reads");
    reads(b, rr);
    key(b, &f, "protected");
    protections(b, rr);
    review(b, &f, &rr->review);
    cars_buf_puts(b, "}");
}

static void table(cars_buf *b, const cars_report_table *t)
{
    const cars_table *d = t->table;
    bool f = true;
    cars_buf_puts(b, "{");
    kcstr(b, &f, "name", d->name);
    kcstr(b, &f, "title", d->title);
    key(b, &f, "keys");
    cars_buf_puts(b, "[");
    for (size_t k = 0; k < d->nkeys; k++) {
        bool g = true;
        cars_buf_puts(b, k ? ",{" : "{");
        kcstr(b, &g, "column", d->key_names[k]);
        kcstr(b, &g, "normalisation", cars_key_kind_name((unsigned)d->key_kinds[k]));
        cars_buf_puts(b, "}");
    }
    cars_buf_puts(b, "]");
    kcstr(b, &f, "rationale", d->meta.rationale);
    if (t->ptable) {
        char h[65];
        cars_hex(t->ptable->digest, 32, h);
        knum(b, &f, "entries", t->ptable->n);
        kcstr(b, &f, "blake2b_256", h);
    }
    review(b, &f, &t->review);
    cars_buf_puts(b, "}");
}

static void changes(const cars_report *r, cars_buf *b)
{
    static const char *const kind[] = {"added", "withdrawn", "changed"}, *const op[] = {"same", "del", "ins"};
    bool f = true;
    cars_buf_puts(b, "{");
    key(b, &f, "rules");
    cars_buf_puts(b, "[");
    for (size_t i = 0; i < r->nchanges; i++) {
        const cars_report_change *c = &r->changes[i];
        bool g = true;
        cars_buf_puts(b, i ? ",{" : "{");
        kcstr(b, &g, "change", kind[c->kind]);
        kcstr(b, &g, "id", c->id);
        kcstr(b, &g, "title", c->title);
        key(b, &g, "diff");
        cars_buf_puts(b, "[");
        for (size_t k = 0; k < c->ntoks; k++) {
            cars_buf_puts(b, k ? ",[" : "[");
            cars_json_string(b, op[c->toks[k].op], strlen(op[c->toks[k].op]));
            cars_buf_puts(b, ",");
            cars_json_string(b, c->toks[k].s, c->toks[k].len);
            cars_buf_puts(b, "]");
        }
        cars_buf_puts(b, "]}");
    }
    cars_buf_puts(b, "]");
    key(b, &f, "tables");
    cars_buf_puts(b, "[");
    for (size_t i = 0; i < r->ntchanges; i++) {
        const cars_report_tchange *t = &r->tchanges[i];
        bool g = true;
        cars_buf_puts(b, i ? ",{" : "{");
        kcstr(b, &g, "name", t->name);
        knum_or_null(b, &g, "entries_before", t->before, t->n_before);
        knum_or_null(b, &g, "entries_after", t->after, t->n_after);
        key(b, &g, "entries_replaced");
        cars_buf_puts(b, t->replaced ? "true}" : "false}");
    }
    cars_buf_puts(b, "]}");
}

static void equality(const cars_report *r, cars_buf *b)
{
    bool any = false;
    cars_buf_puts(b, "[");
    for (size_t i = 0; i < r->nrules; i++) {
        if (!cars_report_equality(&r->rules[i]))
            continue;
        cars_buf_puts(b, any ? "," : "");
        any = true;
        cars_json_string(b, r->rules[i].anchor, strlen(r->rules[i].anchor));
    }
    cars_buf_puts(b, "]");
}

static void examples(const cars_report *r, cars_buf *b)
{
    cars_buf_puts(b, "[");
    for (size_t i = 0; i < r->nexamples; i++) {
        const cars_report_example *e = &r->examples[i];
        bool f = true;
        cars_buf_puts(b, i ? ",{" : "{");
        kcstr(b, &f, "name", e->ex->name);
        kcstr(b, &f, "kind", e->ex->is_test ? "test" : "example");
        knum(b, &f, "line", e->ex->span.line);
        kstr(b, &f, "record", e->record, e->record_len);
        kcstr(b, &f, "outcome", cars_outcome_name(e->outcome));
        kcstr(b, &f, "expected", e->ex->has_expect ? cars_outcome_name((int)e->ex->expect) : NULL);
        kstr(b, &f, "trace", e->trace, e->trace_len);
        cars_buf_puts(b, "}");
    }
    cars_buf_puts(b, "]");
}

void cars_report_json(const cars_report *r, cars_buf *b)
{
    bool f = true;
    cars_buf_puts(b, "{");
    key(b, &f, "release");
    release(r, b);
    key(b, &f, "routing");
    routing(r, b);
    key(b, &f, "rules");
    cars_buf_puts(b, "[");
    for (size_t i = 0; i < r->nrules; i++) {
        cars_buf_puts(b, i ? "," : "");
        rule(b, &r->rules[i]);
    }
    cars_buf_puts(b, "]");
    key(b, &f, "equality");
    equality(r, b);
    key(b, &f, "tables");
    cars_buf_puts(b, "[");
    for (size_t i = 0; i < r->ntables; i++) {
        cars_buf_puts(b, i ? "," : "");
        table(b, &r->tables[i]);
    }
    cars_buf_puts(b, "]");
    key(b, &f, "changes");
    if (r->has_prev)
        changes(r, b);
    else
        cars_buf_puts(b, "null");
    key(b, &f, "examples");
    if (r->cur.is_tree)
        examples(r, b);
    else
        cars_buf_puts(b, "null");
    cars_buf_puts(b, "}\n");
}

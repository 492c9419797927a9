/* report_md.c - carsc report --format md: the report's content as one
 * Markdown document. Text taken from the release is escaped (a title cannot
 * become a link, a heading or HTML); rule text goes in a code fence longer
 * than any run of backticks in it. */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "date.h"
#include "hex.h"
#include "release.h"

/* Appends s with Markdown's punctuation escaped and line breaks as spaces. */
static void md_text(cars_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        char c = s[i];
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
        if (c != '\0' && strchr("\\`*_[]<>#|&~", c))
            cars_buf_put(b, "\\", 1);
        cars_buf_put(b, &c, 1);
    }
}

static void md_cstr(cars_buf *b, const char *s)
{
    md_text(b, s, s ? strlen(s) : 0);
}

static void md_printf_date(cars_buf *b, int64_t days)
{
    char s[11];
    cars_date_format(days, s);
    cars_buf_puts(b, s);
}

/* A code fence longer than any run of backticks in the text (at least 3). */
static void fence_for(const char *text, size_t len, char fence[64])
{
    size_t run = 0, longest = 0;
    for (size_t i = 0; i < len; i++) {
        run = text[i] == '`' ? run + 1 : 0;
        longest = run > longest ? run : longest;
    }
    size_t n = longest < 3 ? 3 : longest + 1 < 64 ? longest + 1 : 63;
    memset(fence, '`', n);
    fence[n] = '\0';
}

static void md_fence(cars_buf *b, const char *text, size_t len, const char *lang)
{
    char fence[64];
    fence_for(text, len, fence);
    cars_buf_puts(b, fence);
    cars_buf_puts(b, lang);
    cars_buf_puts(b, "\n");
    cars_buf_put(b, text, len);
    cars_buf_puts(b, "\n");
    cars_buf_puts(b, fence);
    cars_buf_puts(b, "\n\n");
}

static void front(const cars_report *r, cars_buf *b)
{
    const cars_program *p = r->p;
    static const char *const sig[] = {"none (no signature file)", "present, not checked (no --trust key given)",
                                      "checked: good, by the trusted key"};
    const cars_str *name = r->cur.is_tree ? &p->ruleset_title : &p->release_id;
    cars_buf_puts(b, r->cur.is_tree ? "# Report: source tree " : "# Report: release ");
    md_text(b, name->p, name->len);
    cars_buf_puts(b, "\n\n| | |\n|---|---|\n| Ruleset | ");
    md_text(b, p->ruleset_title.p, p->ruleset_title.len);
    char seq[32];
    snprintf(seq, sizeof seq, "%llu", (unsigned long long)p->sequence);
    cars_buf_puts(b, " |\n| Sequence | ");
    cars_buf_puts(b, seq);
    cars_buf_puts(b, " |\n| Channel | ");
    cars_buf_puts(b, cars_channel_name(p->channel));
    cars_buf_puts(b, " |\n| Valid | ");
    if (cars_report_has_window(r)) {
        md_printf_date(b, p->valid_from);
        cars_buf_puts(b, " to ");
        md_printf_date(b, p->valid_until);
    } else {
        cars_buf_puts(b, "on any date (no validity window)");
    }
    cars_buf_puts(b, " |\n| Signature | ");
    cars_buf_puts(b, sig[r->sig]);
    if (r->sig != CARS_REPORT_SIG_NONE) {
        cars_buf_puts(b, "; key ");
        cars_buf_puts(b, r->keyid);
    }
    if (r->sealed_to[0]) {
        cars_buf_puts(b, " |\n| Rule text sealed to audit keys | ");
        cars_buf_puts(b, r->sealed_to);
    }
    cars_buf_puts(b, " |\n| Compiler | ");
    md_text(b, p->compiler_version.p, p->compiler_version.len);
    if (!r->cur.is_tree) {
        char tests[200];
        cars_release_tests_text(p, tests, sizeof tests);
        cars_buf_puts(b, " |\n| Tests | ");
        cars_buf_puts(b, tests);
    }
    cars_buf_puts(b, " |\n| Bundle BLAKE2b-256 | ");
    cars_buf_puts(b, r->cur.is_tree ? "(not a release)" : r->digest);
    cars_buf_puts(b, " |\n");
    for (uint32_t i = 0; i < p->ndigests; i++) {
        char h[65];
        cars_hex(p->digests[i].digest, 32, h);
        cars_buf_puts(b, "| File ");
        md_text(b, p->digests[i].name.p, p->digests[i].name.len);
        cars_buf_puts(b, " | ");
        cars_buf_puts(b, h);
        cars_buf_puts(b, " |\n");
    }
    cars_buf_puts(b, "\n");
}

static void attention(const cars_report *r, cars_buf *b)
{
    bool any = false;
    for (size_t i = 0; i < r->nrules + r->ntables; i++) {
        bool is_rule = i < r->nrules;
        const cars_report_review *v = is_rule ? &r->rules[i].review : &r->tables[i - r->nrules].review;
        if (v->state != CARS_REVIEW_OVERDUE && v->state != CARS_REVIEW_DUE)
            continue;
        if (!any)
            cars_buf_puts(b, "## Warning: reviews needing attention\n\n");
        any = true;
        cars_buf_puts(b, v->state == CARS_REVIEW_OVERDUE ? "- **OVERDUE**: " : "- **Due inside the window**: ");
        cars_buf_puts(b, is_rule ? "rule " : "table ");
        md_cstr(b, is_rule ? r->rules[i].anchor : r->tables[i - r->nrules].table->name);
        cars_buf_puts(b, ", review due ");
        md_printf_date(b, v->due);
        cars_buf_puts(b, "\n");
    }
    if (any)
        cars_buf_puts(b, "\n");
}

static void counts_and_routing(const cars_report *r, cars_buf *b)
{
    static const char *const sel[] = {"Scope exclusions", "Bulk data tables", "Risk profiles",
                                      "Single PCAs (complex)", "Single PCAs (non-complex)", "Threshold",
                                      "Otherwise"};
    static const int kinds[] = {0, 1, 2, 3, 4, -1, -1};
    cars_buf_puts(b, "## Routing order\n\n| # | Stage | Rules | Outcome |\n|---|---|---|---|\n");
    for (size_t i = 0; i < r->ast->nstages; i++) {
        const cars_stage *s = &r->ast->stages[i];
        char line[256];
        size_t n = s->sel == CARS_S_THRESHOLD ? cars_report_count(r, CARS_R_MULTIPLE)
                   : kinds[s->sel] >= 0       ? cars_report_count(r, (unsigned)kinds[s->sel])
                                              : 0;
        snprintf(line, sizeof line, "| %zu | %s", i + 1, s->sel == CARS_S_THRESHOLD ? "Multiple PCAs, threshold " : sel[s->sel]);
        cars_buf_puts(b, line);
        if (s->sel == CARS_S_THRESHOLD)
            md_cstr(b, s->threshold);
        char count[32] = "-";
        if (s->sel != CARS_S_OTHERWISE)
            snprintf(count, sizeof count, "%zu", n);
        snprintf(line, sizeof line, " | %s | %s%s%s |\n", count, cars_outcome_name((int)s->outcome),
                 s->has_otherwise ? ", otherwise " : "", s->has_otherwise ? cars_outcome_name((int)s->otherwise) : "");
        cars_buf_puts(b, line);
    }
    cars_buf_puts(b, "\n");
}

static void rule_reads(cars_buf *b, const cars_report_rule *rr)
{
    cars_buf_puts(b, "Fields read:\n\n");
    for (size_t i = 0; i < rr->nreads; i++) {
        const cars_report_read *x = &rr->reads[i];
        cars_buf_puts(b, "- `");
        cars_buf_puts(b, x->path);
        cars_buf_puts(b, "`");
        if (x->via) {
            cars_buf_puts(b, " through definition `");
            cars_buf_puts(b, x->via);
            cars_buf_puts(b, "`");
        }
        if (x->protect) {
            cars_buf_puts(b, " (protected: ");
            cars_buf_puts(b, cars_report_prot_name(x->protect));
            cars_buf_puts(b, ")");
        }
        if (x->proxy)
            cars_buf_puts(b, " (a proxy of nationality)");
        cars_buf_puts(b, "\n");
    }
    if (!rr->nreads)
        cars_buf_puts(b, "- none\n");
    cars_buf_puts(b, "\n");
}

static void rule_protect(cars_buf *b, const cars_report_rule *rr)
{
    static const unsigned bits[] = {CARS_PROT_NATIONALITY, CARS_PROT_NAT_PROXY, CARS_PROT_AGE, CARS_PROT_SEX};
    unsigned prot = cars_report_protect(rr);
    if (!prot)
        return;
    cars_buf_puts(b, "Protected characteristics:\n\n");
    for (size_t i = 0; i < 4; i++) {
        if (!(prot & bits[i]))
            continue;
        const char *cite = cars_report_citation(rr->rule, bits[i]);
        cars_buf_puts(b, "- ");
        cars_buf_puts(b, cars_report_prot_name(bits[i]));
        cars_buf_puts(b, ": ");
        cars_buf_puts(b, cars_report_citation_kind(bits[i]));
        cars_buf_puts(b, " ");
        if (cite)
            md_cstr(b, cite);
        else
            cars_buf_puts(b, "(none)");
        cars_buf_puts(b, "\n");
    }
    cars_buf_puts(b, "\n");
}

static void review_line(cars_buf *b, const cars_report_review *v)
{
    if (v->state == CARS_REVIEW_NONE) {
        cars_buf_puts(b, "Review: no review date declared.\n");
        return;
    }
    char s[128];
    snprintf(s, sizeof s, "Review: last reviewed ");
    cars_buf_puts(b, s);
    md_printf_date(b, v->reviewed);
    snprintf(s, sizeof s, ", every %d months; next due ", v->months);
    cars_buf_puts(b, s);
    md_printf_date(b, v->due);
    cars_buf_puts(b, v->state == CARS_REVIEW_OVERDUE ? " (**OVERDUE**)"
                     : v->state == CARS_REVIEW_DUE   ? " (**due inside the validity window**)"
                                                     : "");
    cars_buf_puts(b, ".\n");
}

static void rules(const cars_report *r, cars_buf *b)
{
    cars_buf_puts(b, "## Rules\n");
    for (size_t i = 0; i < r->nrules; i++) {
        const cars_report_rule *rr = &r->rules[i];
        unsigned kind = rr->rule ? rr->rule->kind : 6;
        cars_buf_puts(b, "\n### ");
        md_cstr(b, rr->anchor);
        cars_buf_puts(b, ": ");
        md_cstr(b, rr->title);
        cars_buf_puts(b, "\n\nStage: ");
        cars_buf_puts(b, cars_report_kind_title(kind));
        cars_buf_puts(b, ". Outcome: ");
        cars_buf_puts(b, rr->outcome >= 0 ? cars_outcome_name(rr->outcome) : "by the threshold");
        cars_buf_puts(b, ". File: ");
        md_cstr(b, rr->file);
        cars_buf_puts(b, ".\n\nRationale: ");
        md_cstr(b, rr->meta->rationale);
        cars_buf_puts(b, "\n\n");
        md_fence(b, rr->text, rr->len, "cars");
        if (rr->rule) {
            rule_reads(b, rr);
            rule_protect(b, rr);
        }
        review_line(b, &rr->review);
    }
}

static void equality(const cars_report *r, cars_buf *b)
{
    cars_buf_puts(b, "\n## Equality: rules that read nationality, sex or age, or a proxy of them\n\n"
                     "| Rule | Title | Reads | Citation |\n|---|---|---|---|\n");
    for (size_t i = 0; i < r->nrules; i++) {
        const cars_report_rule *rr = &r->rules[i];
        if (!cars_report_equality(rr))
            continue;
        cars_buf_puts(b, "| ");
        md_cstr(b, rr->anchor);
        cars_buf_puts(b, " | ");
        md_cstr(b, rr->title);
        cars_buf_puts(b, " |");
        const char *sep = " ";
        for (size_t k = 0; k < rr->nreads; k++) {
            const cars_report_read *x = &rr->reads[k];
            if (!x->protect && !x->proxy)
                continue;
            cars_buf_puts(b, sep);
            sep = "; ";
            md_cstr(b, x->path);
            cars_buf_puts(b, " (");
            cars_buf_puts(b, x->protect ? cars_report_prot_name(x->protect) : "a proxy of nationality");
            if (x->via) {
                cars_buf_puts(b, ", through ");
                md_cstr(b, x->via);
            }
            cars_buf_puts(b, ")");
        }
        cars_buf_puts(b, " | ");
        const cars_meta *m = rr->meta;
        if (m->authorisation || m->justification) {
            cars_buf_puts(b, m->authorisation ? "authorisation " : "");
            md_cstr(b, m->authorisation);
            cars_buf_puts(b, m->authorisation && m->justification ? "; " : "");
            cars_buf_puts(b, m->justification ? "justification " : "");
            md_cstr(b, m->justification);
        } else {
            cars_buf_puts(b, "none needed (no particular country singled out)");
        }
        cars_buf_puts(b, " |\n");
    }
}

static void tables(const cars_report *r, cars_buf *b)
{
    cars_buf_puts(b, "\n## Tables\n\n| Table | Title | Keys (normalisation) | Entries | BLAKE2b-256 of its file | Review |\n"
                     "|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < r->ntables; i++) {
        const cars_report_table *t = &r->tables[i];
        cars_buf_puts(b, "| ");
        md_cstr(b, t->table->name);
        cars_buf_puts(b, " | ");
        md_cstr(b, t->table->title);
        cars_buf_puts(b, " |");
        for (size_t k = 0; k < t->table->nkeys; k++) {
            cars_buf_puts(b, k ? ", " : " ");
            md_cstr(b, t->table->key_names[k]);
            cars_buf_puts(b, " (");
            cars_buf_puts(b, cars_key_kind_name((unsigned)t->table->key_kinds[k]));
            cars_buf_puts(b, ")");
        }
        char s[96], h[65] = "";
        if (t->ptable)
            cars_hex(t->ptable->digest, 32, h);
        snprintf(s, sizeof s, " | %u | ", t->ptable ? t->ptable->n : 0);
        cars_buf_puts(b, s);
        cars_buf_puts(b, h);
        cars_buf_puts(b, " | ");
        if (t->review.state == CARS_REVIEW_NONE) {
            cars_buf_puts(b, "none declared");
        } else {
            cars_buf_puts(b, "due ");
            md_printf_date(b, t->review.due);
            cars_buf_puts(b, t->review.state == CARS_REVIEW_OVERDUE ? " (**OVERDUE**)"
                             : t->review.state == CARS_REVIEW_DUE ? " (**due inside the window**)" : "");
        }
        cars_buf_puts(b, " |\n");
    }
}

static void diff_text(cars_buf *b, const cars_report_change *c)
{
    for (size_t k = 0; k < c->ntoks; k++) {
        const cars_diff_tok *t = &c->toks[k];
        if (t->op != CARS_DIFF_SAME)
            cars_buf_puts(b, t->op == CARS_DIFF_DEL ? "[-" : "{+");
        cars_buf_put(b, t->s, t->len);
        if (t->op != CARS_DIFF_SAME)
            cars_buf_puts(b, t->op == CARS_DIFF_DEL ? "-]" : "+}");
    }
}

static void changes(const cars_report *r, cars_buf *b)
{
    static const char *const kind[] = {"Added", "Withdrawn", "Changed"};
    cars_buf_puts(b, "\n## Changes since ");
    md_text(b, r->prev.p->release_id.p, r->prev.p->release_id.len);
    cars_buf_puts(b, "\n\nIn the diffs, [-removed words-] and {+added words+}.\n");
    if (!r->nchanges)
        cars_buf_puts(b, "\nNo rule was added, withdrawn or changed.\n");
    for (size_t i = 0; i < r->nchanges; i++) {
        const cars_report_change *c = &r->changes[i];
        cars_buf_puts(b, "\n### ");
        cars_buf_puts(b, kind[c->kind]);
        cars_buf_puts(b, ": ");
        md_cstr(b, c->id);
        cars_buf_puts(b, ": ");
        md_cstr(b, c->title);
        char fence[64] = "````", longest[64];
        for (size_t k = 0; k < c->ntoks; k++) {
            fence_for(c->toks[k].s, c->toks[k].len, longest);
            size_t n = strlen(longest);
            if (n >= strlen(fence) && n < 63)
                memcpy(fence, longest, n), fence[n] = '`', fence[n + 1] = '\0';
        }
        cars_buf_puts(b, "\n\n");
        cars_buf_puts(b, fence);
        cars_buf_puts(b, "diff\n");
        diff_text(b, c);
        cars_buf_puts(b, "\n");
        cars_buf_puts(b, fence);
        cars_buf_puts(b, "\n");
    }
    cars_buf_puts(b, "\n| Table | Entries before | Entries after |\n|---|---|---|\n");
    for (size_t i = 0; i < r->ntchanges; i++) {
        const cars_report_tchange *t = &r->tchanges[i];
        char s[160];
        cars_buf_puts(b, "| ");
        md_cstr(b, t->name);
        snprintf(s, sizeof s, " | %s%u | %s%u%s |\n", t->before ? "" : "(none) ", t->n_before,
                 t->after ? "" : "(withdrawn) ", t->n_after, t->replaced ? " (entries replaced)" : "");
        cars_buf_puts(b, s);
    }
}

static void examples(const cars_report *r, cars_buf *b)
{
    cars_buf_puts(b, "\n## Tests\n\nThe ruleset's examples and tests, each with the trace carsc explain gives.\n\n");
    for (size_t i = 0; i < r->nexamples; i++) {
        const cars_report_example *e = &r->examples[i];
        cars_buf_puts(b, e->ex->is_test ? "### Test: " : "### Example: ");
        md_cstr(b, e->ex->name);
        cars_buf_puts(b, "\n\nRouted: ");
        cars_buf_puts(b, cars_outcome_name(e->outcome));
        if (e->ex->has_expect) {
            cars_buf_puts(b, ". Expected: ");
            cars_buf_puts(b, cars_outcome_name((int)e->ex->expect));
            cars_buf_puts(b, e->outcome == (int)e->ex->expect ? " (as expected)" : " (**NOT the outcome expected**)");
        }
        cars_buf_puts(b, ".\n\n");
        md_fence(b, e->record, e->record_len, "json");
        md_fence(b, e->trace, e->trace_len && e->trace[e->trace_len - 1] == '\n' ? e->trace_len - 1 : e->trace_len, "text");
    }
}

void cars_report_md(const cars_report *r, cars_buf *b)
{
    front(r, b);
    attention(r, b);
    counts_and_routing(r, b);
    rules(r, b);
    equality(r, b);
    tables(r, b);
    if (r->has_prev)
        changes(r, b);
    if (r->cur.is_tree)
        examples(r, b);
}

/* report_html_pages.c - the pages of carsc report's site other than the
 * front page: one page per stage with a section per rule (its text
 * highlighted, the fields it reads, its protected characteristics and
 * citations, its review), the equality page, the tables page and the
 * changes page. Everything taken from the release is escaped. */
#include "report_html.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "hex.h"

/* ---- the rule language, highlighted ------------------------------------- */

static bool is_keyword(const char *s, size_t n)
{
    static const char *const kw[] = {
        "exclusion", "screen", "profile", "single", "multiple", "complex", "noncomplex", "tier", "threshold",
        "when", "and", "or", "not", "in", "rationale", "reviewed", "every", "months", "authorisation",
        "justification", "between", "within", "last", "years", "days", "is", "present", "absent", "any",
        "all", "none", "count", "where", "at", "least", "true", "false", "table", "file", "key",
    };
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (strlen(kw[i]) == n && memcmp(kw[i], s, n) == 0)
            return true;
    return false;
}

static void span(cars_buf *b, const char *cls, const char *s, size_t n)
{
    if (cls) {
        cars_buf_puts(b, "<span class=\"");
        cars_buf_puts(b, cls);
        cars_buf_puts(b, "\">");
    }
    cars_html_esc(b, s, n);
    if (cls)
        cars_buf_puts(b, "</span>");
}

/* Strings, comments, numbers and dates, keywords; the rest as it is. */
static void highlight(cars_buf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1;
        const char *cls = NULL;
        unsigned char c = (unsigned char)s[i];
        if (c == '#') {
            while (j < n && s[j] != '\n')
                j++;
            cls = "cmt";
        } else if (c == '"') {
            while (j < n && s[j] != '"')
                j += s[j] == '\\' && j + 1 < n ? 2 : 1;
            j += j < n;
            cls = "str";
        } else if (isdigit(c)) {
            while (j < n && (isdigit((unsigned char)s[j]) || s[j] == '.' || s[j] == '-'))
                j++;
            cls = "num";
        } else if (isalpha(c) || c == '_') {
            while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '_' || s[j] == '.' || s[j] == '-'))
                j++;
            cls = is_keyword(s + i, j - i) ? "kw" : NULL;
        }
        span(b, cls, s + i, j - i);
        i = j;
    }
}

/* ---- a rule ------------------------------------------------------------- */

static void dt_dd(cars_buf *b, const char *dt, const char *dd)
{
    cars_buf_puts(b, "<dt>");
    cars_buf_puts(b, dt);
    cars_buf_puts(b, "</dt><dd>");
    cars_html_cesc(b, dd);
    cars_buf_puts(b, "</dd>\n");
}

static void reads_table(cars_buf *b, const cars_report_rule *rr)
{
    if (!rr->nreads) {
        cars_buf_puts(b, "<p>It reads no field of the application.</p>\n");
        return;
    }
    cars_buf_puts(b, "<table>\n<thead><tr><th scope=\"col\">Field</th><th scope=\"col\">Read</th>"
                     "<th scope=\"col\">Protected characteristic</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < rr->nreads; i++) {
        const cars_report_read *x = &rr->reads[i];
        cars_buf_puts(b, "<tr><td><code>");
        cars_html_cesc(b, x->path);
        cars_buf_puts(b, "</code></td><td>");
        if (x->via) {
            cars_buf_puts(b, "through the definition <code>");
            cars_html_cesc(b, x->via);
            cars_buf_puts(b, "</code>");
        } else {
            cars_buf_puts(b, "directly");
        }
        cars_buf_puts(b, "</td><td>");
        cars_buf_puts(b, x->protect ? cars_report_prot_name(x->protect) : x->proxy ? "a proxy of nationality" : "no");
        cars_buf_puts(b, "</td></tr>\n");
    }
    cars_buf_puts(b, "</tbody>\n</table>\n");
}

static void protect_table(cars_buf *b, const cars_report_rule *rr)
{
    static const unsigned bits[] = {CARS_PROT_NATIONALITY, CARS_PROT_NAT_PROXY, CARS_PROT_AGE, CARS_PROT_SEX};
    unsigned prot = cars_report_protect(rr);
    if (!prot) {
        cars_buf_puts(b, "<p>It singles out no protected characteristic, so it needs no citation.</p>\n");
        return;
    }
    cars_buf_puts(b, "<table>\n<thead><tr><th scope=\"col\">Characteristic</th><th scope=\"col\">Lawful basis "
                     "needed</th><th scope=\"col\">Citation</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < 4; i++) {
        if (!(prot & bits[i]))
            continue;
        const char *cite = cars_report_citation(rr->rule, bits[i]);
        cars_buf_puts(b, "<tr><td>");
        cars_buf_puts(b, cars_report_prot_name(bits[i]));
        cars_buf_puts(b, "</td><td>");
        cars_buf_puts(b, cars_report_citation_kind(bits[i]));
        cars_buf_puts(b, "</td><td>");
        if (cite)
            cars_html_cesc(b, cite);
        else
            cars_buf_puts(b, "<strong>none</strong>");
        cars_buf_puts(b, "</td></tr>\n");
    }
    cars_buf_puts(b, "</tbody>\n</table>\n");
}

static void review_para(cars_buf *b, const cars_report_review *v)
{
    if (v->state == CARS_REVIEW_NONE) {
        cars_buf_puts(b, "<p>No review date is declared.</p>\n");
        return;
    }
    char s[64];
    cars_buf_puts(b, "<p>Last reviewed ");
    cars_html_date(b, v->reviewed);
    snprintf(s, sizeof s, ", every %d month%s; next review due ", v->months, v->months == 1 ? "" : "s");
    cars_buf_puts(b, s);
    cars_html_date(b, v->due);
    cars_buf_puts(b, ".");
    cars_html_review_mark(b, v);
    cars_buf_puts(b, "</p>\n");
}

static void rule_section(cars_buf *b, const cars_report_rule *rr)
{
    cars_buf_puts(b, "<section class=\"rule\" id=\"");
    cars_html_cesc(b, rr->anchor);
    cars_buf_puts(b, "\" aria-labelledby=\"h-");
    cars_html_cesc(b, rr->anchor);
    cars_buf_puts(b, "\">\n<h2 id=\"h-");
    cars_html_cesc(b, rr->anchor);
    cars_buf_puts(b, "\">");
    cars_html_cesc(b, rr->anchor);
    cars_buf_puts(b, ": ");
    cars_html_cesc(b, rr->title);
    cars_buf_puts(b, "</h2>\n<dl>\n");
    dt_dd(b, "Stage", cars_report_kind_title(rr->rule ? rr->rule->kind : 6));
    if (rr->rule && rr->rule->tier)
        dt_dd(b, "Tier", rr->rule->tier);
    dt_dd(b, "Outcome", rr->outcome >= 0 ? cars_outcome_name(rr->outcome) : "decided by the threshold");
    dt_dd(b, "Source file", rr->file);
    dt_dd(b, "Rationale", rr->meta->rationale ? rr->meta->rationale : "(none given)");
    cars_buf_puts(b, "</dl>\n<h3>As written in the rule language</h3>\n<pre><code>");
    highlight(b, rr->text, rr->len);
    cars_buf_puts(b, "</code></pre>\n");
    if (rr->rule) {
        cars_buf_puts(b, "<h3>Fields of the application it reads</h3>\n");
        reads_table(b, rr);
        cars_buf_puts(b, "<h3>Protected characteristics and lawful basis</h3>\n");
        protect_table(b, rr);
    }
    cars_buf_puts(b, "<h3>Review</h3>\n");
    review_para(b, &rr->review);
    cars_buf_puts(b, "</section>\n");
}

void cars_html_stage_page(const cars_report *r, cars_buf *b, const char *file)
{
    static const char *const intro[] = {
        "scope.html", "Scope exclusions: applications these rules match get no complexity rating.",
        "screens.html", "Bulk data tables: the application's identifiers are looked up in tables of earlier false applications.",
        "profiles.html", "Risk profiles: combinations of answers that make an application complex.",
        "singles.html", "Single person-centric attributes (PCAs): one answer alone makes the application complex, or (non-complex singles) not complex.",
        "multiple.html", "Multiple PCAs: each is one indicator; the threshold counts how many matched, by tier.",
    };
    const char *title = "Rules", *text = "";
    for (size_t i = 0; i < sizeof intro / sizeof intro[0]; i += 2)
        if (strcmp(intro[i], file) == 0)
            text = intro[i + 1];
    for (unsigned k = 0; k < 6; k++)
        if (strcmp(cars_report_stage_page(k), file) == 0) {
            title = cars_report_kind_title(k);
            break;
        }
    if (strcmp(file, "singles.html") == 0)
        title = "Single PCAs";
    cars_html_begin(r, b, file, title);
    cars_buf_puts(b, "<p>");
    cars_buf_puts(b, text);
    cars_buf_puts(b, "</p>\n");
    size_t n = 0;
    for (size_t i = 0; i < r->nrules; i++)
        if (strcmp(r->rules[i].page, file) == 0) {
            rule_section(b, &r->rules[i]);
            n++;
        }
    if (!n)
        cars_buf_puts(b, "<p>This release has no rules in this stage.</p>\n");
    cars_html_end(r, b);
}

/* ---- equality ----------------------------------------------------------- */

static void rule_link(cars_buf *b, const cars_report_rule *rr)
{
    cars_buf_puts(b, "<a href=\"");
    cars_buf_puts(b, rr->page);
    cars_buf_puts(b, "#");
    cars_html_cesc(b, rr->anchor);
    cars_buf_puts(b, "\">");
    cars_html_cesc(b, rr->anchor);
    cars_buf_puts(b, "</a>");
}

static void equality_row(cars_buf *b, const cars_report_rule *rr)
{
    cars_buf_puts(b, "<tr><th scope=\"row\">");
    rule_link(b, rr);
    cars_buf_puts(b, "</th><td>");
    cars_html_cesc(b, rr->title);
    cars_buf_puts(b, "</td><td><ul>");
    for (size_t k = 0; k < rr->nreads; k++) {
        const cars_report_read *x = &rr->reads[k];
        if (!x->protect && !x->proxy)
            continue;
        cars_buf_puts(b, "<li><code>");
        cars_html_cesc(b, x->path);
        cars_buf_puts(b, "</code> (");
        cars_buf_puts(b, x->protect ? cars_report_prot_name(x->protect) : "a proxy of nationality");
        if (x->via) {
            cars_buf_puts(b, ", through <code>");
            cars_html_cesc(b, x->via);
            cars_buf_puts(b, "</code>");
        }
        cars_buf_puts(b, ")</li>");
    }
    cars_buf_puts(b, "</ul></td><td>");
    const cars_meta *m = rr->meta;
    if (m->authorisation || m->justification) {
        cars_buf_puts(b, m->authorisation ? "Ministerial Authorisation " : "");
        cars_html_cesc(b, m->authorisation);
        cars_buf_puts(b, m->authorisation && m->justification ? "; " : "");
        cars_buf_puts(b, m->justification ? "objective justification " : "");
        cars_html_cesc(b, m->justification);
    } else {
        cars_buf_puts(b, "none needed: it singles out no particular country");
    }
    cars_buf_puts(b, "</td></tr>\n");
}

void cars_html_equality_page(const cars_report *r, cars_buf *b)
{
    cars_html_begin(r, b, "equality.html", "Equality");
    cars_buf_puts(b, "<p>Every rule that reads nationality, sex or age, or a proxy of nationality (the passport's "
                     "issuing country, the country of residence), directly or through definitions, with the "
                     "citation of its lawful basis. An Equality Impact Assessment starts from this page.</p>\n");
    size_t n = 0;
    for (size_t i = 0; i < r->nrules; i++)
        n += cars_report_equality(&r->rules[i]);
    if (!n) {
        cars_buf_puts(b, "<p>No rule of this release reads a protected characteristic or a proxy of one.</p>\n");
        cars_html_end(r, b);
        return;
    }
    cars_buf_puts(b, "<table>\n<caption>Rules reading protected characteristics or proxies</caption>\n<thead><tr>"
                     "<th scope=\"col\">Rule</th><th scope=\"col\">Title</th><th scope=\"col\">What it reads</th>"
                     "<th scope=\"col\">Citation</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < r->nrules; i++)
        if (cars_report_equality(&r->rules[i]))
            equality_row(b, &r->rules[i]);
    cars_buf_puts(b, "</tbody>\n</table>\n");
    cars_html_end(r, b);
}

/* ---- tables ------------------------------------------------------------- */

static const char *normalisation(unsigned kind)
{
    static const char *const t[] = {
        "document numbers: spaces and hyphens removed, letters upper-cased",
        "emails: trimmed and lower-cased",
        "telephone numbers: digits alone, a leading + kept",
        "emails or telephone numbers: an entry with @ is an email, else a telephone number",
        "country codes (three letters)",
        "text: compared exactly as written",
    };
    return kind < 6 ? t[kind] : "?";
}

static void table_section(cars_buf *b, const cars_report_table *t)
{
    const cars_table *d = t->table;
    char s[128];
    cars_buf_puts(b, "<section id=\"table-");
    cars_html_cesc(b, d->name);
    cars_buf_puts(b, "\">\n<h2>");
    cars_html_cesc(b, d->name);
    cars_buf_puts(b, ": ");
    cars_html_cesc(b, d->title);
    cars_buf_puts(b, "</h2>\n<dl>\n<dt>Kind</dt><dd>");
    cars_buf_puts(b, d->nkeys == 1 ? "one key column" : "two key columns, matched together");
    cars_buf_puts(b, "</dd>\n<dt>Normalisation</dt><dd><ul>");
    for (size_t k = 0; k < d->nkeys; k++) {
        cars_buf_puts(b, "<li><code>");
        cars_html_cesc(b, d->key_names[k]);
        cars_buf_puts(b, "</code>: ");
        cars_buf_puts(b, normalisation((unsigned)d->key_kinds[k]));
        cars_buf_puts(b, "</li>");
    }
    snprintf(s, sizeof s, "</ul></dd>\n<dt>Entries</dt><dd>%u</dd>\n", t->ptable ? t->ptable->n : 0);
    cars_buf_puts(b, s);
    if (t->ptable) {
        char h[65];
        cars_hex(t->ptable->digest, 32, h);
        cars_buf_puts(b, "<dt>BLAKE2b-256 of its file</dt><dd><code>");
        cars_buf_puts(b, h);
        cars_buf_puts(b, "</code></dd>\n");
    }
    dt_dd(b, "Rationale", d->meta.rationale ? d->meta.rationale : "(none given)");
    cars_buf_puts(b, "</dl>\n<h3>Review</h3>\n");
    review_para(b, &t->review);
    cars_buf_puts(b, "</section>\n");
}

void cars_html_tables_page(const cars_report *r, cars_buf *b)
{
    cars_html_begin(r, b, "tables.html", "Tables");
    cars_buf_puts(b, "<p>The bulk data tables the rules look identifiers up in. A release carries each entry "
                     "only as a keyed hash, and this report shows no entry: only what each table is, how its "
                     "values are compared, how many entries it has and the digest of the file it was built "
                     "from.</p>\n");
    for (size_t i = 0; i < r->ntables; i++)
        table_section(b, &r->tables[i]);
    if (!r->ntables)
        cars_buf_puts(b, "<p>This release has no tables.</p>\n");
    cars_html_end(r, b);
}

/* ---- changes ------------------------------------------------------------ */

static void diff_pre(cars_buf *b, const cars_report_change *c)
{
    cars_buf_puts(b, "<pre><code>");
    for (size_t k = 0; k < c->ntoks; k++) {
        const cars_diff_tok *t = &c->toks[k];
        if (t->op == CARS_DIFF_DEL)
            cars_buf_puts(b, "<del><span class=\"sr\">[removed: </span>");
        else if (t->op == CARS_DIFF_INS)
            cars_buf_puts(b, "<ins><span class=\"sr\">[added: </span>");
        cars_html_esc(b, t->s, t->len);
        if (t->op != CARS_DIFF_SAME)
            cars_buf_puts(b, t->op == CARS_DIFF_DEL ? "<span class=\"sr\">]</span></del>"
                                                    : "<span class=\"sr\">]</span></ins>");
    }
    cars_buf_puts(b, "</code></pre>\n");
}

static void table_counts(const cars_report *r, cars_buf *b)
{
    cars_buf_puts(b, "<h2 id=\"table-counts\">Table entry counts</h2>\n<table>\n<thead><tr><th scope=\"col\">"
                     "Table</th><th scope=\"col\">Entries before</th><th scope=\"col\">Entries after</th>"
                     "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < r->ntchanges; i++) {
        const cars_report_tchange *t = &r->tchanges[i];
        char s[200];
        cars_buf_puts(b, "<tr><th scope=\"row\">");
        cars_html_cesc(b, t->name);
        snprintf(s, sizeof s, "</th><td>%s%u</td><td>%s%u%s</td></tr>\n", t->before ? "" : "(new table) ",
                 t->n_before, t->after ? "" : "(withdrawn) ", t->n_after,
                 t->replaced ? " (same count, entries replaced)" : "");
        cars_buf_puts(b, s);
    }
    cars_buf_puts(b, "</tbody>\n</table>\n");
}

void cars_html_changes_page(const cars_report *r, cars_buf *b)
{
    static const char *const kind[] = {"Added", "Withdrawn", "Changed"};
    cars_html_begin(r, b, "changes.html", "Changes");
    cars_buf_puts(b, "<p>Since the previous release, ");
    cars_html_esc(b, r->prev.p->release_id.p, r->prev.p->release_id.len);
    cars_buf_puts(b, ". Removed words are struck through, added words underlined.</p>\n");
    if (!r->nchanges)
        cars_buf_puts(b, "<p>No rule or threshold was added, withdrawn or changed.</p>\n");
    for (size_t i = 0; i < r->nchanges; i++) {
        const cars_report_change *c = &r->changes[i];
        char s[64];
        snprintf(s, sizeof s, "<section id=\"change-%zu\">\n<h2>%s: ", i + 1, kind[c->kind]);
        cars_buf_puts(b, s);
        cars_html_cesc(b, c->id);
        cars_buf_puts(b, ": ");
        cars_html_cesc(b, c->title);
        cars_buf_puts(b, "</h2>\n");
        diff_pre(b, c);
        cars_buf_puts(b, "</section>\n");
    }
    table_counts(r, b);
    cars_html_end(r, b);
}

/* ---- tests (a ruleset directory) ---------------------------------------- */

static void expected_text(cars_buf *b, const cars_example *ex)
{
    cars_buf_puts(b, cars_outcome_name((int)ex->expect));
    if (!ex->has_expect_rules)
        return;
    cars_buf_puts(b, " [");
    for (size_t k = 0; k < ex->nexpect_rules; k++) {
        cars_buf_puts(b, k ? ", " : "");
        cars_html_cesc(b, ex->expect_rules[k]);
    }
    cars_buf_puts(b, "]");
}

static void example_section(cars_buf *b, const cars_report_example *e, size_t i)
{
    const cars_example *ex = e->ex;
    char s[160];
    snprintf(s, sizeof s, "<section id=\"example-%zu\" aria-labelledby=\"h-example-%zu\">\n<h2 id=\"h-example-%zu\">%s: ",
             i + 1, i + 1, i + 1, ex->is_test ? "Test" : "Example");
    cars_buf_puts(b, s);
    cars_html_cesc(b, ex->name);
    snprintf(s, sizeof s, "</h2>\n<dl>\n<dt>Routed</dt><dd>%s</dd>\n", cars_outcome_name(e->outcome));
    cars_buf_puts(b, s);
    if (ex->has_expect) {
        cars_buf_puts(b, "<dt>Expected</dt><dd>");
        expected_text(b, ex);
        cars_buf_puts(b, e->outcome == (int)ex->expect ? " (the outcome is as expected)"
                                                        : " <strong class=\"overdue\">NOT the outcome expected</strong>");
        cars_buf_puts(b, "</dd>\n");
    }
    if (ex->like) {
        cars_buf_puts(b, "<dt>Like</dt><dd>");
        cars_html_cesc(b, ex->like);
        cars_buf_puts(b, "</dd>\n");
    }
    cars_buf_puts(b, "</dl>\n<h3>The record</h3>\n<pre><code>");
    cars_html_esc(b, e->record, e->record_len);
    cars_buf_puts(b, "</code></pre>\n<h3>How it was routed (carsc explain)</h3>\n<pre><code>");
    cars_html_esc(b, e->trace, e->trace_len);
    cars_buf_puts(b, "</code></pre>\n</section>\n");
}

void cars_html_tests_page(const cars_report *r, cars_buf *b)
{
    cars_html_begin(r, b, "tests.html", "Tests");
    cars_buf_puts(b, "<p>The ruleset's examples and tests, each routed as a worked example with the trace "
                     "<code>carsc explain</code> gives: every stage, every rule it evaluated, and the answers "
                     "behind each condition. Releases carry no examples, so only the report of a ruleset "
                     "directory has this page.</p>\n");
    if (!r->nexamples)
        cars_buf_puts(b, "<p>This ruleset has no examples or tests.</p>\n");
    for (size_t i = 0; i < r->nexamples; i++)
        example_section(b, &r->examples[i], i);
    cars_html_end(r, b);
}

/* test_report.c - `carsc test` results as JSON and as JUnit XML (see
 * test_report.h). */
#include "test_report.h"

#include <string.h>

#include "alloc.h"
#include "commands.h"
#include "jsonw.h"

static char *dup_or_null(const char *s, bool *failed)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = cars_malloc(n);
    if (p)
        memcpy(p, s, n);
    else
        *failed = true;
    return p;
}

bool cars_test_results_add(cars_test_results *rs, const cars_test_result *r)
{
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 32;
        cars_test_result *items = cars_realloc(rs->items, cap * sizeof *items);
        if (!items) {
            rs->failed = true;
            return false;
        }
        rs->items = items;
        rs->cap = cap;
    }
    cars_test_result *x = &rs->items[rs->n];
    *x = *r;
    bool failed = false;
    x->rules = r->nrules ? cars_malloc(r->nrules * sizeof *x->rules) : NULL;
    if (x->rules)
        memcpy(x->rules, r->rules, r->nrules * sizeof *x->rules);
    else if (r->nrules)
        failed = true;
    x->error = dup_or_null(r->error, &failed);
    x->trace = dup_or_null(r->trace, &failed);
    if (failed) {
        cars_free(x->rules);
        cars_free(x->error);
        cars_free(x->trace);
        rs->failed = true;
        return false;
    }
    rs->n++;
    return true;
}

void cars_test_results_free(cars_test_results *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        cars_free(rs->items[i].rules);
        cars_free(rs->items[i].error);
        cars_free(rs->items[i].trace);
    }
    cars_free(rs->items);
    memset(rs, 0, sizeof *rs);
}

double cars_rules_covered_percent(const cars_coverage *cv, size_t nrules, size_t *covered)
{
    *covered = 0;
    for (size_t k = 0; cv && k < cars_coverage_count(cv); k++) {
        cars_coverage_item it = cars_coverage_get(cv, k);
        *covered += it.is_rule && it.seen_true && it.seen_false;
    }
    return nrules ? 100.0 * (double)*covered / (double)nrules : 100.0;
}

static const char *file_of(const cars_compiled *c, uint32_t file)
{
    return file < c->ast->nfiles ? c->ast->files[file].path : "?";
}

static const char *outcome(uint8_t o)
{
    return cars_outcome_name(o < 6 ? o : CARS_OUT_ERROR);
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_test(cars_jw *w, const cars_compiled *c, const cars_test_result *r)
{
    const cars_example *t = r->test;
    cars_jw_object(w, NULL);
    cars_jw_str(w, "name", t->name);
    cars_jw_str(w, "file", file_of(c, t->span.file));
    cars_jw_uint(w, "line", t->span.line);
    cars_jw_bool(w, "passed", r->passed);
    cars_jw_object(w, "expected");
    cars_jw_str(w, "outcome", cars_outcome_name(t->expect));
    if (t->has_expect_rules) {
        cars_jw_array(w, "rules");
        for (size_t i = 0; i < t->nexpect_rules; i++)
            cars_jw_str(w, NULL, t->expect_rules[i]);
        cars_jw_end(w);
    } else {
        cars_jw_null(w, "rules"); /* any */
    }
    cars_jw_end(w);
    cars_jw_object(w, "got");
    cars_jw_str(w, "outcome", outcome(r->got));
    cars_jw_array(w, "rules");
    for (size_t i = 0; i < r->nrules; i++)
        cars_jw_strn(w, NULL, c->loaded.rules[r->rules[i]].id.p, c->loaded.rules[r->rules[i]].id.len);
    cars_jw_end(w);
    cars_jw_end(w);
    cars_jw_str(w, "error", r->error);
    if (r->trace) {
        cars_jw_array(w, "trace");
        for (const char *p = r->trace; *p;) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            cars_jw_strn(w, NULL, p, n);
            p += n + (nl != NULL);
        }
        cars_jw_end(w);
    } else {
        cars_jw_null(w, "trace");
    }
    cars_jw_end(w);
}

static void json_coverage(cars_jw *w, const cars_compiled *c, const cars_coverage *cv)
{
    size_t rules_ok = 0, conds_ok = 0, nconds = 0;
    char text[80];
    cars_jw_object(w, "coverage");
    cars_jw_array(w, "items");
    for (size_t k = 0; k < cars_coverage_count(cv); k++) {
        cars_coverage_item it = cars_coverage_get(cv, k);
        const cars_span *at = it.is_rule ? &it.rule->span : &it.cond->span;
        bool full = it.seen_true && it.seen_false;
        rules_ok += it.is_rule && full;
        nconds += !it.is_rule;
        conds_ok += !it.is_rule && full;
        cars_jw_object(w, NULL);
        cars_jw_str(w, "kind", it.is_rule ? "rule" : "condition");
        cars_jw_str(w, "rule", it.rule->id);
        const cars_str *src = &c->built.source_names[it.cond->span.file];
        cars_jw_strn(w, "file", src->p, src->len);
        cars_jw_uint(w, "line", at->line);
        cars_jw_uint(w, "column", at->col);
        if (it.is_rule) {
            cars_jw_null(w, "text");
        } else {
            cars_coverage_source_text(c->ast, at, text, sizeof text);
            cars_jw_str(w, "text", text);
        }
        cars_jw_bool(w, "true", it.seen_true);
        cars_jw_bool(w, "false", it.seen_false);
        cars_jw_bool(w, "unknown", it.seen_unknown);
        cars_jw_end(w);
    }
    cars_jw_end(w);
    size_t covered;
    double pct = cars_rules_covered_percent(cv, c->ast->nrules, &covered);
    cars_jw_uint(w, "rules_covered", rules_ok);
    cars_jw_uint(w, "rules", c->ast->nrules);
    cars_jw_num(w, "rules_percent", pct);
    cars_jw_uint(w, "conditions_covered", conds_ok);
    cars_jw_uint(w, "conditions", nconds);
    cars_jw_end(w);
}

static size_t count_failed(const cars_test_results *rs)
{
    size_t failed = 0;
    for (size_t i = 0; rs && i < rs->n; i++)
        failed += !rs->items[i].passed;
    return failed;
}

bool cars_test_write_json(const cars_test_run_info *in, FILE *out)
{
    cars_jw w = {0};
    size_t failed = count_failed(in->rs), n = in->rs ? in->rs->n : 0, covered = 0;
    bool below = in->has_fail_under && in->c &&
                 cars_rules_covered_percent(in->cv, in->c->ast->nrules, &covered) < in->fail_under;
    cars_jw_object(&w, NULL);
    cars_jw_str(&w, "command", "test");
    cars_jw_str(&w, "ruleset", in->path);
    cars_jw_bool(&w, "ok", in->c && !failed && !below && !in->trouble);
    cars_report_diags_json(in->diags, &w);
    cars_jw_str(&w, "error", in->trouble);
    cars_jw_str(&w, "run", in->run);
    cars_jw_uint(&w, "passed", n - failed);
    cars_jw_uint(&w, "failed", failed);
    cars_jw_array(&w, "tests");
    for (size_t i = 0; in->c && i < n; i++)
        json_test(&w, in->c, &in->rs->items[i]);
    cars_jw_end(&w);
    if (in->cv && in->c)
        json_coverage(&w, in->c, in->cv);
    else
        cars_jw_null(&w, "coverage");
    if (in->has_fail_under && in->c) {
        cars_jw_object(&w, "fail_under");
        cars_jw_num(&w, "percent", in->fail_under);
        cars_jw_bool(&w, "met", !below);
        cars_jw_end(&w);
    } else {
        cars_jw_null(&w, "fail_under");
    }
    cars_jw_end(&w);
    return cars_jw_finish(&w, out);
}

/* ---- JUnit XML ------------------------------------------------------------ */

/* Text for an XML attribute or element: the five special characters as
 * entities, a control character XML 1.0 cannot hold as '?'. */
static void xml_text(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        default: fputc(ch < 0x20 && ch != '\n' && ch != '\t' ? '?' : ch, out); break;
        }
    }
}

static void xml_str(FILE *out, const char *s)
{
    xml_text(out, s, strlen(s));
}

/* "NCXPCA [M-B5], got CXDR [S-CX-1]", as the text output's FAIL line. */
static void junit_message(FILE *out, const cars_compiled *c, const cars_test_result *r)
{
    const cars_example *t = r->test;
    fputs("expected ", out);
    fputs(cars_outcome_name(t->expect), out);
    if (t->has_expect_rules) {
        fputs(" [", out);
        for (size_t i = 0; i < t->nexpect_rules; i++) {
            fputs(i ? ", " : "", out);
            xml_str(out, t->expect_rules[i]);
        }
        fputs("]", out);
    }
    fprintf(out, ", got %s [", outcome(r->got));
    for (size_t i = 0; i < r->nrules; i++) {
        fputs(i ? ", " : "", out);
        xml_text(out, c->loaded.rules[r->rules[i]].id.p, c->loaded.rules[r->rules[i]].id.len);
    }
    fputs("]", out);
    if (r->error) {
        fputs(" (", out);
        xml_str(out, r->error);
        fputs(")", out);
    }
}

static void junit_case(FILE *out, const cars_compiled *c, const cars_test_result *r)
{
    const cars_example *t = r->test;
    fputs("    <testcase name=\"", out);
    xml_str(out, t->name);
    fputs("\" classname=\"", out);
    xml_str(out, file_of(c, t->span.file));
    if (r->passed) {
        fputs("\"/>\n", out);
        return;
    }
    fprintf(out, "\">\n      <failure type=\"%s\" message=\"", r->error ? "not routed" : "wrong outcome");
    junit_message(out, c, r);
    fputs("\">", out);
    xml_str(out, file_of(c, t->span.file));
    fprintf(out, ":%u: test \"", t->span.line);
    xml_str(out, t->name);
    fputs("\"\n", out);
    if (r->trace)
        xml_str(out, r->trace);
    fputs("</failure>\n    </testcase>\n", out);
}

/* A ruleset that does not compile (or has no tests): one testcase in
 * error, its diagnostics in the error's text. */
static void junit_compile_error(FILE *out, const cars_test_run_info *in)
{
    fprintf(out, "    <testcase name=\"%s\" classname=\"", in->c ? "tests" : "compile");
    xml_str(out, in->path);
    fputs("\">\n      <error type=\"", out);
    fputs(in->c ? "no tests" : "compile", out);
    fputs("\" message=\"", out);
    if (in->c)
        xml_str(out, in->trouble);
    else
        fprintf(out, "the ruleset does not compile: %zu error%s", in->diags->errors, in->diags->errors == 1 ? "" : "s");
    fputs("\">", out);
    for (size_t i = 0; i < in->diags->n; i++) {
        const cars_diag *g = &in->diags->items[i];
        if (g->has_span && g->span.file < in->diags->nfiles) {
            xml_str(out, in->diags->files[g->span.file].path);
            fprintf(out, ":%u:%u: ", g->span.line, g->span.col);
        }
        fputs(g->sev == CARS_SEV_ERROR ? "error: " : g->sev == CARS_SEV_WARNING ? "warning: " : "note: ", out);
        xml_str(out, g->message);
        fputs("\n", out);
    }
    if (in->trouble && !in->c) {
        fputs("error: ", out);
        xml_str(out, in->trouble);
        fputs("\n", out);
    }
    fputs("</error>\n    </testcase>\n", out);
}

void cars_test_write_junit(const cars_test_run_info *in, FILE *out)
{
    size_t n = in->rs ? in->rs->n : 0, failed = count_failed(in->rs);
    bool broken = !in->c || in->trouble;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"carsc test\"", out);
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%d\">\n  <testsuite name=\"", n + broken, failed,
            broken);
    xml_str(out, in->path);
    fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\" skipped=\"0\">\n", n + broken, failed, broken);
    if (broken)
        junit_compile_error(out, in);
    for (size_t i = 0; in->c && i < n; i++)
        junit_case(out, in->c, &in->rs->items[i]);
    fputs("  </testsuite>\n</testsuites>\n", out);
}

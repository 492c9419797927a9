/* cmd_test.c - `carsc test PATH [--coverage]`: runs every `test` of a ruleset
 * through the compiled release and the VM, exactly as carsvm routes a record.
 * Each test (its `like` example, then its own assignments; `absent` removes
 * a field) becomes one JSON line for the VM's record reader. Prints one line
 * per failure, followed by the trace of that test's record (what `carsc
 * explain --example NAME` prints), and ends with "N passed, N failed".
 * --run selects tests by name, --fail-under fails on low rule coverage;
 * --format json and --junit collect the results for compiler/test_report.c
 * to write (docs/machine-readable.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "commands.h"
#include "compile.h"
#include "coverage.h"
#include "date.h"
#include "explain.h"
#include "json.h"
#include "reader.h"
#include "test_report.h"
#include "vm.h"

/* Records and messages are built in a cars_buf (vm/buf.h); strings are
 * JSON-escaped as routing output is (vm/json.h). */

/* ---- example values as JSON ------------------------------------------------------ */

static void put_value(cars_buf *b, const cars_expr *v)
{
    char num[64];
    switch (v->kind) {
    case CARS_E_INT: snprintf(num, sizeof num, "%lld", (long long)v->ival); cars_buf_puts(b, num); break;
    case CARS_E_NUM:
        if (v->text)
            cars_buf_puts(b, v->text);
        else {
            snprintf(num, sizeof num, "%.17g", v->nval);
            cars_buf_puts(b, num);
        }
        break;
    case CARS_E_NEG: cars_buf_puts(b, "-"); put_value(b, v->a); break;
    case CARS_E_STR: cars_json_string(b, v->sval, v->slen); break;
    case CARS_E_DATE:
        cars_date_format(v->ival, num);
        cars_json_string(b, num, 10);
        break;
    case CARS_E_BOOL: cars_buf_puts(b, v->ival ? "true" : "false"); break;
    case CARS_E_NAME: cars_json_string(b, v->name, strlen(v->name)); break;
    case CARS_E_LIST:
        cars_buf_puts(b, "[");
        for (size_t i = 0; i < v->nargs; i++) {
            const cars_expr *rec = v->args[i];
            cars_buf_puts(b, i ? ",{" : "{");
            for (size_t k = 0; rec->kind == CARS_E_LIST && k < rec->nargs; k++) {
                const cars_expr *kv = rec->args[k];
                if (k)
                    cars_buf_puts(b, ",");
                cars_json_string(b, kv->a->name, strlen(kv->a->name));
                cars_buf_puts(b, ":");
                if (kv->b)
                    put_value(b, kv->b);
                else
                    cars_buf_puts(b, "null");
            }
            cars_buf_puts(b, "}");
        }
        cars_buf_puts(b, "]");
        break;
    default: cars_buf_puts(b, "null"); break;
    }
}

/* One field of the merged record. */
typedef struct slot {
    const char *path;
    const cars_expr *value; /* NULL: absent */
} slot;

static void merge(slot *slots, size_t *n, const cars_example *ex)
{
    for (size_t i = 0; i < ex->nassigns; i++) {
        size_t k = 0;
        while (k < *n && strcmp(slots[k].path, ex->assigns[i].path) != 0)
            k++;
        slots[k].path = ex->assigns[i].path;
        slots[k].value = ex->assigns[i].value;
        if (k == *n)
            (*n)++;
    }
}

/* Emits the object holding every slot whose path starts with prefix
 * (prefix_len bytes, ending in '.' unless empty). */
static void put_object(cars_buf *b, const slot *slots, size_t n, const char *prefix, size_t plen)
{
    cars_buf_puts(b, "{");
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (!slots[i].value || strncmp(slots[i].path, prefix, plen) != 0)
            continue;
        const char *rest = slots[i].path + plen;
        const char *dot = strchr(rest, '.');
        size_t klen = dot ? (size_t)(dot - rest) : strlen(rest);
        bool seen = false; /* this key already emitted by an earlier slot */
        for (size_t j = 0; j < i && !seen; j++)
            seen = slots[j].value && strncmp(slots[j].path, prefix, plen) == 0 &&
                   strncmp(slots[j].path + plen, rest, klen) == 0 &&
                   (slots[j].path[plen + klen] == '.' || slots[j].path[plen + klen] == '\0');
        if (seen)
            continue;
        if (!first)
            cars_buf_puts(b, ",");
        first = false;
        cars_json_string(b, rest, klen);
        cars_buf_puts(b, ":");
        if (dot)
            put_object(b, slots, n, slots[i].path, plen + klen + 1);
        else
            put_value(b, slots[i].value);
    }
    cars_buf_puts(b, "}");
}

static const cars_example *find_example(const cars_ast *ast, const char *name)
{
    for (size_t i = 0; i < ast->nexamples; i++)
        if (!ast->examples[i]->is_test && strcmp(ast->examples[i]->name, name) == 0)
            return ast->examples[i];
    return NULL;
}

/* The JSON line of a test or example (its `like` base, then its own). */
bool cars_example_json(const cars_ast *ast, const cars_example *ex, char **out, size_t *len)
{
    const cars_example *base = ex->like ? find_example(ast, ex->like) : NULL;
    size_t cap = ex->nassigns + (base ? base->nassigns : 0) + 1;
    slot *slots = cars_calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    size_t n = 0;
    if (base)
        merge(slots, &n, base);
    merge(slots, &n, ex);
    cars_buf b = {0};
    put_object(&b, slots, n, "", 0);
    cars_free(slots);
    if (!cars_buf_cstr(&b) || b.failed) {
        cars_free(b.p);
        return false;
    }
    *out = b.p;
    *len = b.len;
    return true;
}

/* ---- running ------------------------------------------------------------------------ */

static void put_rules(cars_buf *b, const cars_program *p, const uint32_t *rules, size_t n)
{
    cars_buf_puts(b, " [");
    for (size_t i = 0; i < n; i++) {
        if (i)
            cars_buf_puts(b, ", ");
        cars_buf_put(b, p->rules[rules[i]].id.p, p->rules[rules[i]].id.len);
    }
    cars_buf_puts(b, "]");
}

static bool same_rules(const cars_program *p, const cars_example *t, const cars_result *r)
{
    if (!t->has_expect_rules)
        return true;
    if (t->nexpect_rules != r->nrules)
        return false;
    for (size_t i = 0; i < r->nrules; i++) {
        const cars_str *id = &p->rules[r->rules[i]].id;
        if (strlen(t->expect_rules[i]) != id->len || memcmp(t->expect_rules[i], id->p, id->len))
            return false;
    }
    return true;
}

static void report(const cars_compiled *c, const cars_example *t, const cars_result *r,
                   const char *why)
{
    cars_buf b = {0};
    cars_buf_puts(&b, cars_outcome_name(t->expect));
    if (t->has_expect_rules) {
        cars_buf_puts(&b, " [");
        for (size_t i = 0; i < t->nexpect_rules; i++) {
            cars_buf_puts(&b, i ? ", " : "");
            cars_buf_puts(&b, t->expect_rules[i]);
        }
        cars_buf_puts(&b, "]");
    }
    cars_buf_puts(&b, ", got ");
    cars_buf_puts(&b, cars_outcome_name(r->outcome < 6 ? r->outcome : CARS_OUT_ERROR));
    put_rules(&b, &c->loaded, r->rules, r->nrules);
    if (why) {
        cars_buf_puts(&b, " (");
        cars_buf_puts(&b, why);
        cars_buf_puts(&b, ")");
    }
    const char *file = t->span.file < c->ast->nfiles ? c->ast->files[t->span.file].path : "?";
    const char *text = cars_buf_cstr(&b);
    printf("FAIL \"%s\" (%s:%u): expected %s\n", t->name, file, t->span.line, text && !b.failed ? text : "");
    cars_free(b.p);
}

/* What running the tests needs: the compiled ruleset and where each
 * expression's code lies (for the trace of a failing test), the reader and
 * VM that route the records, and the coverage when asked for; and, for
 * --format json and --junit, where the results are collected. */
typedef struct test_run {
    const cars_compiled *c;
    const cars_expr_map *map; /* NULL: FAIL lines without traces */
    cars_explainer *x; /* made at the first failure */
    cars_reader *rd;
    cars_vm *vm;
    cars_coverage *cv;
    bool quiet;              /* --format json: no text while running */
    cars_test_results *rs;   /* NULL: results not collected */
    const char *run;         /* --run: only the tests whose name holds it */
} test_run;

/* The trace of a failing test's record into *out (lines, no indent); on
 * failure, "(no trace: why)". */
static void trace_text(test_run *t, const cars_example *ex, const char *line, size_t len, cars_buf *out)
{
    if (!t->x)
        t->x = cars_explainer_new(t->c->ast, &t->c->loaded, t->map);
    cars_buf b = {0};
    if (!t->x || cars_explain_line(t->x, line, len, ex->span.line, false, &b) < 0 || b.failed) {
        cars_buf_puts(out, "(no trace: ");
        cars_buf_puts(out, t->x && b.p && !b.failed ? cars_buf_cstr(&b) : "out of memory");
        cars_buf_puts(out, ")");
    } else {
        cars_buf_put(out, b.p, b.len);
    }
    cars_buf_free(&b);
    while (out->len && out->p[out->len - 1] == '\n')
        out->len--;
    cars_buf_cstr(out);
}

/* The trace printed indented under its FAIL line. */
static void print_trace(const char *p)
{
    const char *end = p + strlen(p);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        printf("  %.*s\n", (int)n, p);
        p += n + (nl != NULL);
    }
}

/* Reports a test that ran: its FAIL line and trace (text), its result
 * (collected). */
static void record(test_run *t, const cars_example *ex, const cars_result *r, const char *why, bool ok,
                   const char *line, size_t len)
{
    cars_buf trace = {0};
    if (!ok && r->outcome != CARS_OUT_ERROR && t->map) /* none for a production build's tests, nor
                                                            when not routed: the FAIL line says why */
        trace_text(t, ex, line, len, &trace);
    if (!ok && !t->quiet) {
        report(t->c, ex, r, why);
        if (trace.p)
            print_trace(trace.failed ? "(no trace: out of memory)" : trace.p);
    }
    if (t->rs) {
        cars_test_result res = {.test = ex, .passed = ok, .got = r->outcome, .rules = (uint32_t *)r->rules,
                                .nrules = r->nrules, .error = (char *)why,
                                .trace = trace.p && !trace.failed ? trace.p : NULL};
        if (!cars_test_results_add(t->rs, &res))
            fprintf(stderr, "error: out of memory\n");
    }
    cars_buf_free(&trace);
}

/* Routes one test; true when it passes. */
static bool run_test(test_run *t, const cars_example *ex)
{
    const cars_compiled *c = t->c;
    char *line = NULL, err[256];
    size_t len = 0;
    cars_result r;
    memset(&r, 0, sizeof r);
    const char *why = NULL;
    if (!cars_example_json(c->ast, ex, &line, &len)) {
        fprintf(stderr, "error: out of memory\n");
        return false;
    }
    if (t->cv)
        cars_coverage_add(t->cv, line, len);
    if (!cars_reader_parse(t->rd, line, len)) {
        r.outcome = CARS_OUT_ERROR;
        why = cars_reader_error(t->rd);
    } else if (cars_vm_route(t->vm, cars_reader_record(t->rd), &r, err, sizeof err) != 0) {
        r.outcome = CARS_OUT_ERROR;
        r.nrules = 0;
        why = err;
    }
    bool ok = r.outcome == (uint8_t)ex->expect && same_rules(&c->loaded, ex, &r);
    record(t, ex, &r, r.outcome == CARS_OUT_ERROR ? why : NULL, ok, line, len);
    cars_free(line);
    return ok;
}

static const char *yn(bool seen) { return seen ? "yes" : "NO"; }

/* The coverage report: whether some test made each rule and condition true,
 * and false. */
static void print_coverage(const cars_compiled *c, const cars_coverage *cv, FILE *out)
{
    size_t rules_ok = 0, conds_ok = 0, nconds = 0;
    char text[80];
    fprintf(out, "coverage: whether some test made each rule and condition true, and false;\n"
                 "          unknown: whether some test left it unknown (an answer it needs absent)\n");
    for (size_t k = 0; k < cars_coverage_count(cv); k++) {
        cars_coverage_item it = cars_coverage_get(cv, k);
        const cars_span *at = &it.cond->span;
        bool full = it.seen_true && it.seen_false;
        if (it.is_rule) {
            const cars_str *src = &c->built.source_names[at->file];
            rules_ok += full;
            fprintf(out, "  %s (%.*s:%u): true %s, false %s, unknown %s\n", it.rule->id, (int)src->len, src->p,
                    it.rule->span.line, yn(it.seen_true), yn(it.seen_false), it.seen_unknown ? "yes" : "no");
            continue;
        }
        nconds++;
        conds_ok += full;
        cars_coverage_source_text(c->ast, at, text, sizeof text);
        fprintf(out, "    %u:%u %s: true %s, false %s, unknown %s\n", at->line, at->col, text, yn(it.seen_true),
                yn(it.seen_false), it.seen_unknown ? "yes" : "no");
    }
    fprintf(out, "coverage: %zu of %zu rules and %zu of %zu conditions were both true and false\n",
            rules_ok, c->ast->nrules, conds_ok, nconds);
}

static cars_coverage *start_coverage(const cars_compiled *c)
{
    cars_diags d;
    cars_diags_init(&d);
    cars_coverage *cv = cars_coverage_new(c, &d);
    if (!cv) {
        cars_diags_print(&d, stderr);
        fprintf(stderr, "carsc test: cannot build the coverage program\n");
    }
    cars_diags_free(&d);
    return cv;
}

/* Runs every test (adding each record to the coverage when asked for),
 * or with --run those whose name holds it; counts them. */
static void run_tests(test_run *t, size_t *pass, size_t *fail)
{
    for (size_t i = 0; i < t->c->ast->nexamples; i++) {
        const cars_example *ex = t->c->ast->examples[i];
        if (!ex->is_test || (t->run && !strstr(ex->name, t->run)))
            continue;
        if (run_test(t, ex))
            (*pass)++;
        else
            (*fail)++;
    }
}

static void end_run(test_run *t)
{
    cars_explainer_free(t->x);
    cars_coverage_free(t->cv);
    cars_reader_free(t->rd);
    cars_vm_free(t->vm);
}

int cars_run_examples(const cars_compiled *c, cars_test_summary *s)
{
    memset(s, 0, sizeof *s);
    test_run t = {.c = c};
    t.rd = cars_reader_new(&c->loaded);
    t.vm = cars_vm_new(&c->loaded);
    t.cv = t.rd && t.vm ? start_coverage(c) : NULL;
    if (t.cv) {
        run_tests(&t, &s->passed, &s->failed);
        for (size_t k = 0; k < cars_coverage_count(t.cv); k++) {
            cars_coverage_item it = cars_coverage_get(t.cv, k);
            bool full = it.seen_true && it.seen_false;
            if (it.is_rule) {
                s->rules_covered += full;
            } else {
                s->conds++;
                s->conds_covered += full;
            }
        }
        s->rules = c->ast->nrules;
    }
    int rc = t.cv ? 0 : -1;
    end_run(&t);
    return rc;
}

/* ---- carsc test ---------------------------------------------------------------------- */

const char cars_test_usage[] =
    "usage: carsc test PATH [--coverage]\n"
    "       carsc test PATH [--run NAME] [--fail-under PERCENT] [--format text|json] [--junit FILE]\n"
    "       carsc test PATH --list [--run NAME]\n"
    "\n"
    "Run every test of the ruleset at PATH through the compiled release and the\n"
    "VM, as carsvm routes a record. Prints a FAIL line for each test that fails,\n"
    "with the trace of its record (as carsc explain), then \"N passed, N failed\".\n"
    "\n"
    "  --coverage          also print whether some test made each rule, and each\n"
    "                      condition in it, true, false and unknown\n"
    "  --run NAME          run only the tests whose name contains NAME (a plain,\n"
    "                      case-sensitive substring; no wildcards)\n"
    "  --list              print the tests (FILE:LINE: NAME) and run none\n"
    "  --fail-under PERCENT\n"
    "                      exit 3 when the rules covered (made both true and\n"
    "                      false by the tests run) are fewer than PERCENT (0-100)\n"
    "                      of the rules\n"
    "  --format json       one JSON document on stdout instead (tests, coverage,\n"
    "                      diagnostics; docs/machine-readable.md)\n"
    "  --junit FILE        also write a JUnit XML report to FILE (CI test reports)\n"
    "\n"
    "Exit status: 0 every test passed, 1 a test failed, the ruleset has errors or\n"
    "no tests, or the report cannot be written, 2 usage error (or --run matches\n"
    "no test), 3 every test passed but coverage is below --fail-under.\n";

enum { TEST_EXIT_COVERAGE = 3 };

typedef struct test_opts {
    const char *path, *run, *junit;
    bool coverage, json, list, has_fail_under;
    double fail_under;
} test_opts;

static size_t count_tests(const cars_ast *ast, const char *run, bool print)
{
    size_t n = 0;
    for (size_t i = 0; i < ast->nexamples; i++) {
        const cars_example *ex = ast->examples[i];
        if (!ex->is_test || (run && !strstr(ex->name, run)))
            continue;
        n++;
        if (print)
            printf("%s:%u: %s\n", ex->span.file < ast->nfiles ? ast->files[ex->span.file].path : "?",
                   ex->span.line, ex->name);
    }
    return n;
}

static void emit_junit(const void *ctx, FILE *out)
{
    cars_test_write_junit(ctx, out);
}

/* The reports after the run: JSON on stdout, JUnit to its file. */
static int write_reports(const test_opts *o, const cars_test_run_info *info)
{
    int rc = CARS_EXIT_OK;
    if (o->json && (!cars_test_write_json(info, stdout) || fflush(stdout) != 0)) {
        fprintf(stderr, "carsc test: cannot write the output (out of memory or standard output)\n");
        rc = CARS_EXIT_ERRORS;
    }
    if (o->junit && cars_emit_output("test", o->junit, emit_junit, info) != CARS_EXIT_OK)
        rc = CARS_EXIT_ERRORS;
    return rc;
}

/* The text lines after the tests: coverage, --fail-under, the summary. */
static void print_text_end(const test_opts *o, const test_run *t, size_t pass, size_t fail, bool below)
{
    if (o->coverage)
        print_coverage(t->c, t->cv, stdout);
    if (o->has_fail_under) {
        size_t covered;
        double pct = cars_rules_covered_percent(t->cv, t->c->ast->nrules, &covered);
        printf("fail-under: %zu of %zu rules covered (%.4g%%), %s --fail-under %.4g\n", covered,
               t->c->ast->nrules, pct, below ? "below" : "not below", o->fail_under);
    }
    printf("%zu passed, %zu failed\n", pass, fail);
}

static int run_all(const cars_compiled *c, const cars_expr_map *map, const test_opts *o, cars_diags *d)
{
    cars_test_results rs = {0};
    test_run t = {.c = c, .map = map, .quiet = o->json, .rs = o->json || o->junit ? &rs : NULL, .run = o->run};
    t.rd = cars_reader_new(&c->loaded);
    t.vm = cars_vm_new(&c->loaded);
    bool cover = o->coverage || o->has_fail_under;
    t.cv = cover ? start_coverage(c) : NULL;
    size_t pass = 0, fail = 0;
    bool ready = t.rd && t.vm && (!cover || t.cv);
    int rc = CARS_EXIT_ERRORS;
    if (ready) {
        run_tests(&t, &pass, &fail);
        size_t covered;
        bool below = o->has_fail_under && cars_rules_covered_percent(t.cv, c->ast->nrules, &covered) < o->fail_under;
        if (!o->json)
            print_text_end(o, &t, pass, fail, below);
        cars_test_run_info info = {.path = o->path, .run = o->run, .c = c, .rs = &rs,
                                   .cv = o->coverage ? t.cv : NULL, .has_fail_under = o->has_fail_under,
                                   .fail_under = o->fail_under, .diags = d};
        rc = fail || rs.failed ? CARS_EXIT_ERRORS : below ? TEST_EXIT_COVERAGE : CARS_EXIT_OK;
        if (write_reports(o, &info) != CARS_EXIT_OK)
            rc = CARS_EXIT_ERRORS;
    } else {
        fprintf(stderr, "error: out of memory\n");
    }
    end_run(&t);
    cars_test_results_free(&rs);
    return rc;
}

static bool parse_percent(const char *v, double *out)
{
    char *end;
    double x = v ? strtod(v, &end) : -1;
    if (!v || end == v || *end || !(x >= 0 && x <= 100)) {
        fprintf(stderr, "carsc test: --fail-under needs a percentage from 0 to 100%s%s%s\n", v ? ", not '" : "",
                v ? v : "", v ? "'" : "");
        return false;
    }
    *out = x;
    return true;
}

/* Reads the options into o; CARS_EXIT_OK, or CARS_EXIT_USAGE with a message. */
static int parse_args(int argc, char **argv, test_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool bad = false;
        if (strcmp(a, "--coverage") == 0) {
            o->coverage = true;
        } else if (strcmp(a, "--list") == 0) {
            o->list = true;
        } else if (cars_format_option("test", argc, argv, &i, &o->json, &bad)) {
            if (bad)
                return CARS_EXIT_USAGE;
        } else if (strcmp(a, "--run") == 0 || strcmp(a, "--junit") == 0 || strcmp(a, "--fail-under") == 0) {
            const char *v = i + 1 < argc ? argv[++i] : NULL;
            if (a[2] == 'f') {
                if (!parse_percent(v, &o->fail_under))
                    return CARS_EXIT_USAGE;
                o->has_fail_under = true;
            } else if (!v || !*v) {
                fprintf(stderr, "carsc test: %s needs a %s\n", a, a[2] == 'r' ? "test name (or part of one)" : "file");
                return CARS_EXIT_USAGE;
            } else {
                *(a[2] == 'r' ? &o->run : &o->junit) = v;
            }
        } else if (a[0] == '-' || o->path) {
            fprintf(stderr, "carsc test: %s '%s'\n%s", a[0] == '-' ? "unknown option" : "one ruleset only, not also",
                    a, cars_test_usage);
            return CARS_EXIT_USAGE;
        } else {
            o->path = a;
        }
    }
    if (!o->path) {
        fprintf(stderr, "carsc test: no ruleset given\n%s", cars_test_usage);
        return CARS_EXIT_USAGE;
    }
    return CARS_EXIT_OK;
}

/* Whether there are tests to run: none at all is an error (1), a --run that
 * matches none a usage error (2); -1 when there are. */
static int no_tests(cars_compiled *c, const test_opts *o)
{
    if (count_tests(c->ast, NULL, false) == 0) {
        fprintf(stderr,
                "carsc test: %s has no tests: nothing was checked. Add one, e.g.\n"
                "  test \"NAME\" { like EXAMPLE  expect OUTCOME }   (docs/language.md)\n",
                o->path);
        cars_test_results rs = {0};
        cars_test_run_info info = {.path = o->path, .c = c, .rs = &rs, .diags = &c->diags,
                                   .trouble = "the ruleset has no tests"};
        write_reports(o, &info);
        return CARS_EXIT_ERRORS;
    }
    if (o->run && count_tests(c->ast, o->run, false) == 0) {
        fprintf(stderr,
                "carsc test: no test name contains '%s' (--run matches a part of the name, case-sensitive).\n"
                "  carsc test %s --list prints the names.\n",
                o->run, o->path);
        return CARS_EXIT_USAGE;
    }
    return -1;
}

/* A ruleset that does not compile: its diagnostics, as text or JSON, and
 * the JUnit report that says so. */
static int report_broken(cars_compiled *c, const test_opts *o)
{
    if (!o->json && !o->junit)
        return cars_report_compile(c, false);
    if (!o->json)
        cars_report_compile(c, false);
    cars_test_run_info info = {.path = o->path, .run = o->run, .diags = &c->diags,
                               .trouble = c->error[0] ? c->error : NULL};
    cars_diags_sort(&c->diags);
    write_reports(o, &info);
    return CARS_EXIT_ERRORS;
}

int cars_cmd_test(int argc, char **argv)
{
    test_opts o = {0};
    int status = parse_args(argc, argv, &o);
    if (status != CARS_EXIT_OK)
        return status;
    cars_compiled c;
    cars_check_options opt = {0};
    cars_expr_map map = {0};
    bool ok = cars_compile_mapped(o.path, &opt, "test", &c, &map);
    if (!ok) {
        status = report_broken(&c, &o);
    } else {
        if (!o.json)
            cars_report_diags(&c.diags); /* warnings */
        status = no_tests(&c, &o);
        if (status < 0 && o.list)
            status = (count_tests(c.ast, o.run, true), CARS_EXIT_OK);
        else if (status < 0)
            status = run_all(&c, &map, &o, &c.diags);
    }
    cars_compiled_free(&c);
    return status;
}

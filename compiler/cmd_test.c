/* cmd_test.c - `carsc test PATH [--coverage]`: runs every `test` of a ruleset
 * through the compiled release and the VM, exactly as carsvm routes a record.
 * Each test (its `like` example, then its own assignments; `absent` removes
 * a field) becomes one JSON line for the VM's record reader. Prints one line
 * per failure, followed by the trace of that test's record (what `carsc
 * explain --example NAME` prints), and ends with "N passed, N failed". */
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
 * VM that route the records, and the coverage when asked for. */
typedef struct test_run {
    const cars_compiled *c;
    const cars_expr_map *map; /* NULL: FAIL lines without traces */
    cars_explainer *x; /* made at the first failure */
    cars_reader *rd;
    cars_vm *vm;
    cars_coverage *cv;
} test_run;

/* The trace of a failing test's record, indented under its FAIL line. */
static void print_trace(test_run *t, const cars_example *ex, const char *line, size_t len)
{
    if (!t->map) /* a production build's tests: its FAIL lines only */
        return;
    if (!t->x)
        t->x = cars_explainer_new(t->c->ast, &t->c->loaded, t->map);
    cars_buf b = {0};
    if (!t->x || cars_explain_line(t->x, line, len, ex->span.line, false, &b) < 0 || b.failed) {
        printf("  (no trace: %s)\n", t->x && b.p && !b.failed ? cars_buf_cstr(&b) : "out of memory");
        cars_buf_free(&b);
        return;
    }
    const char *p = cars_buf_cstr(&b), *end = p + b.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        printf("  %.*s\n", (int)n, p);
        p += n + (nl != NULL);
    }
    cars_buf_free(&b);
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
    if (!ok) {
        report(c, ex, &r, r.outcome == CARS_OUT_ERROR ? why : NULL);
        if (r.outcome != CARS_OUT_ERROR) /* else the FAIL line says why */
            print_trace(t, ex, line, len);
    }
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

/* Runs every test (adding each record to the coverage when asked for);
 * counts them. */
static void run_tests(test_run *t, size_t *pass, size_t *fail)
{
    for (size_t i = 0; i < t->c->ast->nexamples; i++) {
        const cars_example *ex = t->c->ast->examples[i];
        if (!ex->is_test)
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

static int run_all(const cars_compiled *c, const cars_expr_map *map, bool coverage)
{
    test_run t = {.c = c, .map = map};
    t.rd = cars_reader_new(&c->loaded);
    t.vm = cars_vm_new(&c->loaded);
    t.cv = coverage ? start_coverage(c) : NULL;
    size_t pass = 0, fail = 0;
    bool ready = t.rd && t.vm && (!coverage || t.cv);
    if (ready) {
        run_tests(&t, &pass, &fail);
        if (t.cv)
            print_coverage(c, t.cv, stdout);
    } else {
        fprintf(stderr, "error: out of memory\n");
    }
    end_run(&t);
    if (!ready)
        return 1;
    printf("%zu passed, %zu failed\n", pass, fail);
    return fail ? 1 : 0;
}

int cars_cmd_test(int argc, char **argv)
{
    const char *path = NULL;
    bool coverage = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--coverage") == 0)
            coverage = true;
        else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "usage: carsc test PATH [--coverage]\n");
            return CARS_EXIT_USAGE;
        } else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: carsc test PATH [--coverage]\n");
        return CARS_EXIT_USAGE;
    }
    cars_compiled c;
    cars_check_options opt = {0};
    cars_expr_map map = {0};
    bool ok = cars_compile_mapped(path, &opt, "test", &c, &map);
    int status = cars_report_compile(&c, ok);
    if (ok)
        status = run_all(&c, &map, coverage);
    cars_compiled_free(&c);
    return status;
}

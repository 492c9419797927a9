/* cmd_test.c - `carsc test PATH [--coverage]`: runs every `test` of a ruleset
 * through the compiled release and the VM, exactly as carsvm routes a record.
 * Each test (its `like` example, then its own assignments; `absent` removes
 * a field) becomes one JSON line for the VM's record reader. Prints one line
 * per failure and ends with "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "commands.h"
#include "compile.h"
#include "coverage.h"
#include "date.h"
#include "reader.h"
#include "vm.h"

static const char *const OUTCOME[] = {"NCXDR", "NCXPCA", "CXDR", "CXPCA", "NONE", "ERROR"};

/* ---- a growable text buffer ------------------------------------------------ */

typedef struct tbuf {
    char *p;
    size_t len, cap;
    bool failed;
} tbuf;

static void put(tbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *q = cars_realloc(b->p, cap);
        if (!q) {
            b->failed = true;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(tbuf *b, const char *s) { put(b, s, strlen(s)); }

static void put_json_string(tbuf *b, const char *s, size_t n)
{
    puts_(b, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(b, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            puts_(b, esc);
        } else
            put(b, (const char *)&s[i], 1);
    }
    puts_(b, "\"");
}

/* ---- example values as JSON ------------------------------------------------------ */

static void put_value(tbuf *b, const cars_expr *v)
{
    char num[64];
    switch (v->kind) {
    case CARS_E_INT: snprintf(num, sizeof num, "%lld", (long long)v->ival); puts_(b, num); break;
    case CARS_E_NUM:
        if (v->text)
            puts_(b, v->text);
        else {
            snprintf(num, sizeof num, "%.17g", v->nval);
            puts_(b, num);
        }
        break;
    case CARS_E_NEG: puts_(b, "-"); put_value(b, v->a); break;
    case CARS_E_STR: put_json_string(b, v->sval, v->slen); break;
    case CARS_E_DATE:
        cars_date_format(v->ival, num);
        put_json_string(b, num, 10);
        break;
    case CARS_E_BOOL: puts_(b, v->ival ? "true" : "false"); break;
    case CARS_E_NAME: put_json_string(b, v->name, strlen(v->name)); break;
    case CARS_E_LIST:
        puts_(b, "[");
        for (size_t i = 0; i < v->nargs; i++) {
            const cars_expr *rec = v->args[i];
            puts_(b, i ? ",{" : "{");
            for (size_t k = 0; rec->kind == CARS_E_LIST && k < rec->nargs; k++) {
                const cars_expr *kv = rec->args[k];
                if (k)
                    puts_(b, ",");
                put_json_string(b, kv->a->name, strlen(kv->a->name));
                puts_(b, ":");
                if (kv->b)
                    put_value(b, kv->b);
                else
                    puts_(b, "null");
            }
            puts_(b, "}");
        }
        puts_(b, "]");
        break;
    default: puts_(b, "null"); break;
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
static void put_object(tbuf *b, const slot *slots, size_t n, const char *prefix, size_t plen)
{
    puts_(b, "{");
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
            puts_(b, ",");
        first = false;
        put_json_string(b, rest, klen);
        puts_(b, ":");
        if (dot)
            put_object(b, slots, n, slots[i].path, plen + klen + 1);
        else
            put_value(b, slots[i].value);
    }
    puts_(b, "}");
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
    tbuf b = {0};
    put_object(&b, slots, n, "", 0);
    cars_free(slots);
    if (b.failed) {
        cars_free(b.p);
        return false;
    }
    *out = b.p;
    *len = b.len;
    return true;
}

/* ---- running ------------------------------------------------------------------------ */

static void put_rules(tbuf *b, const cars_program *p, const uint32_t *rules, size_t n)
{
    puts_(b, " [");
    for (size_t i = 0; i < n; i++) {
        if (i)
            puts_(b, ", ");
        put(b, p->rules[rules[i]].id.p, p->rules[rules[i]].id.len);
    }
    puts_(b, "]");
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
    tbuf b = {0};
    puts_(&b, OUTCOME[t->expect]);
    if (t->has_expect_rules) {
        puts_(&b, " [");
        for (size_t i = 0; i < t->nexpect_rules; i++) {
            puts_(&b, i ? ", " : "");
            puts_(&b, t->expect_rules[i]);
        }
        puts_(&b, "]");
    }
    puts_(&b, ", got ");
    puts_(&b, OUTCOME[r->outcome < 6 ? r->outcome : 5]);
    put_rules(&b, &c->loaded, r->rules, r->nrules);
    if (why) {
        puts_(&b, " (");
        puts_(&b, why);
        puts_(&b, ")");
    }
    const char *file = t->span.file < c->ast->nfiles ? c->ast->files[t->span.file].path : "?";
    printf("FAIL \"%s\" (%s:%u): expected %s\n", t->name, file, t->span.line, b.p ? b.p : "");
    cars_free(b.p);
}

/* Routes one test; true when it passes. */
static bool run_test(const cars_compiled *c, cars_reader *rd, cars_vm *vm, const cars_example *t,
                     cars_coverage *cv)
{
    char *line = NULL, err[256];
    size_t len = 0;
    cars_result r;
    memset(&r, 0, sizeof r);
    const char *why = NULL;
    if (!cars_example_json(c->ast, t, &line, &len)) {
        fprintf(stderr, "error: out of memory\n");
        return false;
    }
    if (cv)
        cars_coverage_add(cv, line, len);
    if (!cars_reader_parse(rd, line, len)) {
        r.outcome = CARS_OUT_ERROR;
        why = cars_reader_error(rd);
    } else if (cars_vm_route(vm, cars_reader_record(rd), &r, err, sizeof err) != 0) {
        r.outcome = CARS_OUT_ERROR;
        r.nrules = 0;
        why = err;
    }
    bool ok = r.outcome == (uint8_t)t->expect && same_rules(&c->loaded, t, &r);
    if (!ok)
        report(c, t, &r, r.outcome == CARS_OUT_ERROR ? why : NULL);
    cars_free(line);
    return ok;
}

static int run_all(const cars_compiled *c, bool coverage)
{
    cars_reader *rd = cars_reader_new(&c->loaded);
    cars_vm *vm = cars_vm_new(&c->loaded);
    cars_coverage *cv = coverage ? cars_coverage_new(c) : NULL;
    if (!rd || !vm || (coverage && !cv)) {
        cars_coverage_free(cv);
        cars_reader_free(rd);
        cars_vm_free(vm);
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    size_t pass = 0, fail = 0;
    for (size_t i = 0; i < c->ast->nexamples; i++) {
        const cars_example *t = c->ast->examples[i];
        if (!t->is_test)
            continue;
        if (run_test(c, rd, vm, t, cv))
            pass++;
        else
            fail++;
    }
    cars_reader_free(rd);
    cars_vm_free(vm);
    if (cv)
        cars_coverage_print(cv, stdout);
    cars_coverage_free(cv);
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
    bool ok = cars_compile(path, &opt, "test", &c);
    int status = cars_report_compile(&c, ok);
    if (ok)
        status = run_all(&c, coverage);
    cars_compiled_free(&c);
    return status;
}

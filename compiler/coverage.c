/* coverage.c - rule and condition coverage of a ruleset's tests (see
 * coverage.h): collects the conditions, compiles them into a condition
 * program, evaluates each test record with the VM, and says what each
 * condition was (carsc test prints the report). */
#include "coverage.h"

#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "bundle_write.h"
#include "codegen.h"
#include "loader.h"
#include "reader.h"
#include "vm.h"

enum { SEEN_TRUE = 1, SEEN_FALSE = 2, SEEN_UNKNOWN = 4 };

struct cars_coverage {
    const cars_compiled *c;
    cars_arena arena;
    cars_diags *d; /* the caller's: why the condition program cannot be built */
    const cars_expr **conds;
    uint32_t *rule_of; /* the rule each condition belongs to */
    bool *is_root;     /* the rule's whole condition */
    uint8_t *seen;
    size_t n, cap;
    uint8_t *bytes;
    size_t len;
    cars_program prog;
    bool loaded;
    cars_reader *rd;
    cars_vm *vm;
};

static bool add(cars_coverage *cv, const cars_expr *e, uint32_t rule, bool root)
{
    if (cv->n == cv->cap) {
        size_t cap = cv->cap ? cv->cap * 2 : 64;
        const cars_expr **c = cars_arena_grow(&cv->arena, cv->conds, cv->n, cap, sizeof *c);
        uint32_t *r = cars_arena_grow(&cv->arena, cv->rule_of, cv->n, cap, sizeof *r);
        bool *b = cars_arena_grow(&cv->arena, cv->is_root, cv->n, cap, sizeof *b);
        if (!c || !r || !b)
            return false;
        cv->conds = c;
        cv->rule_of = r;
        cv->is_root = b;
        cv->cap = cap;
    }
    cv->conds[cv->n] = e;
    cv->rule_of[cv->n] = rule;
    cv->is_root[cv->n] = root;
    cv->n++;
    return true;
}

/* Every operand of every and/or (through `not`; a chain `a or b or c` is one
 * list of operands), not into quantifiers or definitions. */
static bool collect(cars_coverage *cv, const cars_expr *e, uint32_t rule)
{
    if (e->kind == CARS_E_NOT)
        return collect(cv, e->a, rule);
    if (e->kind != CARS_E_AND && e->kind != CARS_E_OR)
        return true;
    const cars_expr *kids[2] = {e->a, e->b};
    for (int i = 0; i < 2; i++) {
        if (kids[i]->kind != e->kind && !add(cv, kids[i], rule, false))
            return false;
        if (!collect(cv, kids[i], rule))
            return false;
    }
    return true;
}

static bool build(cars_coverage *cv)
{
    const cars_ast *ast = cv->c->ast;
    for (size_t i = 0; i < ast->nrules; i++)
        if (!add(cv, ast->rules[i]->when, (uint32_t)i, true) ||
            !collect(cv, ast->rules[i]->when, (uint32_t)i))
            return false;
    cv->seen = cars_arena_alloc(&cv->arena, cv->n + 1);
    if (!cv->seen || !cars_codegen_conditions(ast, cv->c->dir, cv->conds, cv->n, &cv->prog,
                                              &cv->arena, cv->d))
        return false;
    cv->prog.release_id = (cars_str){"coverage", 8};
    if (!cars_bundle_write(&cv->prog, &cv->bytes, &cv->len))
        return false;
    char err[200];
    cars_program loaded;
    if (cars_bundle_load(cv->bytes, cv->len, &loaded, err, sizeof err) != 0) {
        cars_error(cv->d, NULL, NULL, "the coverage program does not load: %s", err);
        return false;
    }
    cv->prog = loaded;
    cv->loaded = true;
    cv->rd = cars_reader_new(&cv->prog);
    cv->vm = cars_vm_new(&cv->prog);
    return cv->rd && cv->vm;
}

cars_coverage *cars_coverage_new(const cars_compiled *c, cars_diags *d)
{
    d->files = c->ast->files;
    d->nfiles = c->ast->nfiles;
    cars_coverage *cv = cars_calloc(1, sizeof *cv);
    if (!cv) {
        cars_error(d, NULL, NULL, "out of memory");
        return NULL;
    }
    cv->c = c;
    cv->d = d;
    cars_arena_init(&cv->arena);
    if (!build(cv)) {
        cars_coverage_free(cv);
        return NULL;
    }
    return cv;
}

void cars_coverage_add(cars_coverage *cv, const char *json, size_t len)
{
    if (!cars_reader_parse(cv->rd, json, len))
        return; /* an invalid record evaluates nothing */
    const cars_record *rec = cars_reader_record(cv->rd);
    for (size_t k = 0; k < cv->n; k++) {
        int v = cars_vm_eval_rule(cv->vm, rec, (uint32_t)k);
        if (v == 1)
            cv->seen[k] |= SEEN_TRUE;
        else if (v == 0)
            cv->seen[k] |= SEEN_FALSE;
        else if (v == -1)
            cv->seen[k] |= SEEN_UNKNOWN;
    }
}

size_t cars_coverage_count(const cars_coverage *cv)
{
    return cv->n;
}

cars_coverage_item cars_coverage_get(const cars_coverage *cv, size_t k)
{
    cars_coverage_item it = {cv->c->ast->rules[cv->rule_of[k]], cv->conds[k], cv->is_root[k],
                             (cv->seen[k] & SEEN_TRUE) != 0, (cv->seen[k] & SEEN_FALSE) != 0,
                             (cv->seen[k] & SEEN_UNKNOWN) != 0};
    return it;
}

void cars_coverage_source_text(const cars_ast *ast, const cars_span *s, char *buf, size_t size)
{
    buf[0] = '\0';
    if (s->file >= ast->nfiles || !ast->files[s->file].text)
        return;
    const cars_source *src = &ast->files[s->file];
    const char *p = src->text, *end = src->text + src->len;
    for (uint32_t l = 1; l < s->line && p < end; p++)
        if (*p == '\n')
            l++;
    p += s->col ? s->col - 1 : 0;
    size_t n = 0;
    size_t want = s->end_line == s->line && s->end_col >= s->col ? s->end_col - s->col + 1 : 1000;
    while (p + n < end && p[n] != '\n' && n < want && n + 4 < size && n < 60)
        n++;
    memcpy(buf, p, n);
    bool cut = n < want && !(p + n >= end || p[n] == '\n');
    snprintf(buf + n, size - n, "%s", cut || (want == 1000) ? " ..." : "");
}

void cars_coverage_free(cars_coverage *cv)
{
    if (!cv)
        return;
    cars_reader_free(cv->rd);
    cars_vm_free(cv->vm);
    if (cv->loaded)
        cars_program_free(&cv->prog);
    cars_free(cv->bytes);
    cars_arena_free(&cv->arena);
    cars_free(cv);
}

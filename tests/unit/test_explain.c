/* test_explain.c - carsc explain reads the routing VM's own trace: for every
 * example and test of the reference ruleset and every record of a generated
 * corpus, the explained outcome and deciding rules are carsvm's, and every
 * condition the trace reports true, false or unknown has that value when
 * evaluated on its own (each condition compiled separately, as coverage
 * does). The VM's "decide from given rule values" agrees with routing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "bundle_write.h"
#include "commands.h"
#include "compile.h"
#include "explain.h"
#include "loader.h"
#include "reader.h"
#include "vm.h"

static const char *g_build = "build"; /* where gencorpus is: from argv[0] */

/* Everything one check needs: the compiled ruleset with its code map, an
 * independent program of its conditions, readers and VMs for both. */
typedef struct fixture {
    cars_compiled c;
    cars_expr_map map;
    cars_explainer *x;
    cars_reader *rd, *crd;
    cars_vm *vm, *cvm;
    cars_arena a;
    cars_diags d;
    cars_program cprog;
    uint8_t *cbytes;
    size_t clen;
    uint32_t *cond_of_site; /* site -> its condition in cprog, or UINT32_MAX */
    int8_t *site_values;
    uint64_t checked_sites, records;
} fixture;

static void setup_fixture(fixture *f)
{
    memset(f, 0, sizeof *f);
    cars_check_options opt = {0};
    assert_true(cars_compile_mapped("rulesets/cars-v", &opt, "t", &f->c, &f->map));
    assert_true(f->map.n > 0);
    const cars_program *p = &f->c.loaded;
    f->x = cars_explainer_new(f->c.ast, p, &f->map);
    f->rd = cars_reader_new(p);
    f->vm = cars_vm_new(p);
    assert_non_null(f->x);
    /* the independent program: one rule per boolean condition of a RULE block */
    cars_arena_init(&f->a);
    cars_diags_init(&f->d);
    const cars_expr **conds = calloc(f->map.n + 1, sizeof *conds);
    f->cond_of_site = calloc(f->map.n + 1, sizeof *f->cond_of_site);
    f->site_values = calloc(f->map.n + 1, 1);
    size_t n = 0;
    for (size_t i = 0; i < f->map.n; i++) {
        const cars_expr_site *s = &f->map.sites[i];
        f->cond_of_site[i] = UINT32_MAX;
        if (p->blocks[s->block].kind == CARS_BK_RULE && s->e->ty.kind == CARS_T_BOOL) {
            f->cond_of_site[i] = (uint32_t)n;
            conds[n++] = s->e;
        }
    }
    assert_true(n > 20);
    assert_true(cars_codegen_conditions(f->c.ast, f->c.dir, conds, n, &f->cprog, &f->a, &f->d));
    free(conds);
    f->cprog.release_id = (cars_str){"conditions", 10};
    assert_true(cars_bundle_write(&f->cprog, &f->cbytes, &f->clen));
    char err[200];
    assert_int_equal(cars_bundle_load(f->cbytes, f->clen, &f->cprog, err, sizeof err), 0);
    f->crd = cars_reader_new(&f->cprog);
    f->cvm = cars_vm_new(&f->cprog);
    assert_non_null(f->crd);
    assert_non_null(f->cvm);
}

static void teardown_fixture(fixture *f)
{
    cars_explainer_free(f->x);
    cars_reader_free(f->rd);
    cars_reader_free(f->crd);
    cars_vm_free(f->vm);
    cars_vm_free(f->cvm);
    cars_program_free(&f->cprog);
    cars_free(f->cbytes);
    cars_diags_free(&f->d);
    cars_arena_free(&f->a);
    free(f->cond_of_site);
    free(f->site_values);
    cars_compiled_free(&f->c);
}

/* One record: the explanation agrees with routing and with the conditions
 * evaluated one by one. */
static void check_record(fixture *f, const char *line, size_t len, bool json)
{
    cars_buf out = {0};
    int outcome = cars_explain_line(f->x, line, len, 1, json, &out);
    assert_true(outcome >= 0);
    assert_false(out.failed);
    assert_true(out.len > 0);
    if (json && outcome != CARS_OUT_ERROR) {
        /* exactly one thing decided: one stage, or the final `otherwise` */
        int decided = 0;
        for (const char *q = cars_buf_cstr(&out); (q = strstr(q, "\"decided\":true")) != NULL; q++)
            decided++;
        decided += strstr(cars_buf_cstr(&out), "\"otherwise\":true") != NULL;
        assert_int_equal(decided, 1);
    }
    cars_buf_free(&out);
    if (!cars_reader_parse(f->rd, line, len)) {
        assert_int_equal(outcome, CARS_OUT_ERROR);
        return;
    }
    f->records++;
    const cars_record *rec = cars_reader_record(f->rd);
    cars_result r;
    char err[200];
    assert_int_equal(cars_vm_route(f->vm, rec, &r, err, sizeof err), 0);
    assert_int_equal(outcome, r.outcome);
    uint32_t n;
    const uint32_t *rules = cars_explain_last_rules(f->x, &n);
    assert_int_equal(n, r.nrules);
    assert_memory_equal(rules, r.rules, n * sizeof *rules);
    /* deciding from each rule's own value gives the same decision */
    uint8_t *given = calloc(f->c.loaded.nrules + 1, 1);
    for (uint32_t k = 0; k < f->c.loaded.nrules; k++)
        given[k] = cars_vm_eval_rule(f->vm, rec, k) == 1;
    cars_result d;
    assert_int_equal(cars_vm_decide(f->vm, given, &d, err, sizeof err), 0);
    assert_int_equal(d.outcome, r.outcome);
    assert_int_equal(d.nrules, r.nrules);
    free(given);
    /* every condition the trace saw has the value it has on its own */
    assert_true(cars_reader_parse(f->crd, line, len));
    const cars_record *crec = cars_reader_record(f->crd);
    cars_explain_site_values(f->x, f->site_values);
    for (size_t i = 0; i < f->map.n; i++) {
        if (f->cond_of_site[i] == UINT32_MAX || f->site_values[i] == -2)
            continue;
        int alone = cars_vm_eval_rule(f->cvm, crec, f->cond_of_site[i]);
        if (alone != f->site_values[i])
            fail_msg("condition at %u:%u: the trace says %d, alone it is %d", f->map.sites[i].e->span.line,
                     f->map.sites[i].e->span.col, f->site_values[i], alone);
        f->checked_sites++;
    }
}

static void test_examples(void **state)
{
    (void)state;
    fixture f;
    setup_fixture(&f);
    for (size_t i = 0; i < f.c.ast->nexamples; i++) {
        char *line;
        size_t len;
        assert_true(cars_example_json(f.c.ast, f.c.ast->examples[i], &line, &len));
        check_record(&f, line, len, i % 2 == 0);
        cars_free(line);
    }
    assert_true(f.records > 30);
    assert_true(f.checked_sites > 300);
    teardown_fixture(&f);
}

static void test_generated_corpus(void **state)
{
    (void)state;
    fixture f;
    setup_fixture(&f);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "%s/gencorpus --count 10000 --seed 11 --tables rulesets/cars-v/tables", g_build);
    FILE *in = popen(cmd, "r");
    assert_non_null(in);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    uint64_t lines = 0;
    while ((n = getline(&line, &cap, in)) > 0) {
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len)
            check_record(&f, line, len, lines % 7 == 0);
        lines++;
    }
    free(line);
    assert_int_equal(pclose(in), 0);
    assert_true(lines >= 10000); /* gencorpus adds blank and broken lines among its records */
    assert_true(f.records > 9000);
    teardown_fixture(&f);
}

int main(int argc, char **argv)
{
    (void)argc;
    static char dir[512];
    const char *slash = strrchr(argv[0], '/');
    if (slash && slash - argv[0] > 6 && (size_t)(slash - argv[0]) < sizeof dir) {
        memcpy(dir, argv[0], (size_t)(slash - argv[0])); /* BUILD/tests */
        dir[slash - argv[0]] = '\0';
        char *up = strrchr(dir, '/');
        if (up) {
            *up = '\0';
            g_build = dir;
        }
    }
    if (getenv("CARS_TEST_BUILD")) /* a variant of the test built elsewhere (make unit's switch dispatch) */
        g_build = getenv("CARS_TEST_BUILD");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples),
        cmocka_unit_test(test_generated_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

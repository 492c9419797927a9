/* test_xcode.c - what the VM makes once when it is made: the interpreter's
 * internal form (vm/xcode.h: which runs of bytecode are fused, that no run
 * a jump lands inside is fused, and that routing, which runs the internal
 * form, decides exactly as tracing, which runs the bytecode itself, on
 * every record of a set, for the standard test program with and without
 * its stage index; test_explain holds the two to each other on the
 * reference ruleset and a generated corpus), and each table's directory of
 * hashes (a lookup finds exactly the table's keys, in tables of every size). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "alloc.h"
#include "bundle_write.h"
#include "loader.h"
#include "reader.h"
#include "testprog.h"
#include "vm.h"
#include "xcode.h"

/* Loads t's program into *p (bytes in *bytes, freed by the caller). */
static void load(tp *t, cars_program *p, uint8_t **bytes)
{
    size_t len;
    assert_true(cars_bundle_write(&t->p, bytes, &len));
    char err[600];
    int rc = cars_bundle_load(*bytes, len, p, err, sizeof err);
    if (rc)
        fail_msg("load: %s", err);
}

/* A MAIN block deciding CXDR if stage 0 (every rule) matched. */
static void main_block(tp *t)
{
    tp_begin(t, CARS_BK_MAIN, 0);
    t->blocks[0].max_stack = 0;
    tp_op1(t, CARS_OP_EVAL_STAGE, 0), tp_op(t, CARS_OP_DECIDE_IF_MATCHED), tp_u8(t, CARS_OUT_CXDR);
    tp_op(t, CARS_OP_DECIDE), tp_u8(t, CARS_OUT_NCXDR);
    tp_end(t);
}

static void expect_ops(const cars_xcode *x, uint32_t block, const int *ops, int n)
{
    for (int i = 0; i < n; i++)
        if (x->code[x->start[block] + (uint32_t)i].op != ops[i])
            fail_msg("block %u, instruction %d: %u, not %d", block, i, x->code[x->start[block] + (uint32_t)i].op, ops[i]);
}

/* The runs the translator fuses, and a jump that stops a fusion. */
static void test_fusions(void **state)
{
    (void)state;
    tp t;
    tp_init(&t);
    main_block(&t);
    uint32_t b1 = tp_begin(&t, CARS_BK_RULE, 0); /* length > 90 */
    tp_op1(&t, CARS_OP_LOAD, F_LENGTH), tp_int(&t, 90), tp_op(&t, CARS_OP_GT_I), tp_op(&t, CARS_OP_RET);
    tp_rule(&t, TP_S("R-1"), TP_S("r"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(&t));
    uint32_t b2 = tp_begin(&t, CARS_BK_RULE, 0); /* cost >= 3 (an integer made a number) */
    tp_op1(&t, CARS_OP_LOAD, F_COST), tp_int(&t, 3), tp_op(&t, CARS_OP_TO_NUM), tp_op(&t, CARS_OP_GE_F);
    tp_op(&t, CARS_OP_RET);
    tp_rule(&t, TP_S("R-2"), TP_S("r"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(&t));
    /* war and property and true: the second JUMP_IF_FALSE is a target, so it
     * stays apart from the AND before it */
    uint32_t b3 = tp_begin(&t, CARS_BK_RULE, 0);
    tp_op1(&t, CARS_OP_LOAD, F_WAR);
    uint32_t j1 = tp_jump(&t, CARS_OP_JUMP_IF_FALSE);
    tp_op1(&t, CARS_OP_LOAD, F_PROPERTY), tp_op(&t, CARS_OP_AND);
    tp_patch(&t, j1);
    uint32_t j2 = tp_jump(&t, CARS_OP_JUMP_IF_FALSE);
    tp_bool(&t, 1), tp_op(&t, CARS_OP_AND);
    tp_patch(&t, j2);
    tp_op(&t, CARS_OP_RET);
    tp_rule(&t, TP_S("R-3"), TP_S("r"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(&t));
    uint32_t b4 = tp_begin(&t, CARS_BK_RULE, 0); /* age 18 or more, or owns property */
    tp_op1(&t, CARS_OP_LOAD, F_DOB), tp_op1(&t, CARS_OP_LOAD, F_RECEIVED), tp_op(&t, CARS_OP_YEARS_BETWEEN);
    tp_int(&t, 18), tp_op(&t, CARS_OP_GE_I);
    uint32_t j3 = tp_jump(&t, CARS_OP_JUMP_IF_TRUE);
    tp_op1(&t, CARS_OP_LOAD, F_PROPERTY), tp_op(&t, CARS_OP_OR);
    tp_patch(&t, j3);
    tp_op(&t, CARS_OP_RET);
    tp_rule(&t, TP_S("R-4"), TP_S("r"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(&t));
    tp_stage(&t, 0, 4);
    uint8_t *bytes;
    cars_program p;
    load(&t, &p, &bytes);
    cars_xcode x;
    assert_int_equal(cars_xcode_make(&x, &p), 0);
    expect_ops(&x, b1, (const int[]){CARS_XO_LOAD_CMPK_GT_I, CARS_XO_RET}, 2);
    assert_int_equal(x.code[x.start[b1]].k.i, 90);
    expect_ops(&x, b2, (const int[]){CARS_XO_LOAD_CMPK_GE_F, CARS_XO_RET}, 2);
    assert_true(x.code[x.start[b2]].k.f == 3.0);
    expect_ops(&x, b3,
               (const int[]){CARS_XO_LOAD_JF, CARS_XO_LOAD, CARS_XO_AND, CARS_XO_JUMP_IF_FALSE, CARS_XO_PUSH,
                             CARS_XO_AND, CARS_XO_RET},
               7);
    assert_int_equal(x.code[x.start[b3]].to, x.start[b3] + 3);     /* lands on the JUMP_IF_FALSE */
    assert_int_equal(x.code[x.start[b3] + 3].to, x.start[b3] + 6); /* and on RET */
    expect_ops(&x, b4, (const int[]){CARS_XO_AGE, CARS_XO_CMPK_GE_I, CARS_XO_JUMP_IF_TRUE, CARS_XO_LOAD, CARS_XO_OR,
                                     CARS_XO_RET},
               6);
    /* what they give: each rule against its meaning, absent data unknown */
    cars_reader *r = cars_reader_new(&p);
    cars_vm *vm = cars_vm_new(&p);
    assert_non_null(r);
    assert_non_null(vm);
    static const struct {
        const char *extra;
        int want[4];
    } cases[] = {
        {"", {-1, -1, 0, 1}},
        {",\"visit\":{\"length_days\":91,\"cost_gbp\":3}", {1, 1, 0, 1}},
        {",\"visit\":{\"length_days\":90,\"cost_gbp\":2.5},\"finances\":{\"owns_property\":true}", {0, 0, 0, 1}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char j[1024];
        snprintf(j, sizeof j,
                 "{\"id\":\"X\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\",\"applicant\":{"
                 "\"date_of_birth\":\"2010-05-05\",\"nationality\":\"USA\",\"passport\":{\"number\":\"x1\","
                 "\"issuing_country\":\"GBR\"}},\"criminality\":{\"war_crimes\":false}%s}",
                 cases[c].extra);
        assert_true(cars_reader_parse(r, j, strlen(j)));
        for (uint32_t k = 0; k < 3; k++)
            assert_int_equal(cars_vm_eval_rule(vm, cars_reader_record(r), k), cases[c].want[k]);
        /* aged 16: not 18, so the property decides (absent: unknown) */
        int age_or_property = cars_vm_eval_rule(vm, cars_reader_record(r), 3);
        assert_int_equal(age_or_property, c == 2 ? 1 : -1);
    }
    cars_vm_free(vm);
    cars_reader_free(r);
    cars_xcode_free(&x);
    cars_program_free(&p);
    cars_free(bytes);
}

/* A record whose travel history has an element per letter of `complied`
 * (T: complied true, F: false), or none at all when it is NULL. */
static void travel_record(const char *complied, char *j, size_t n)
{
    char list[512] = "";
    if (complied) {
        strcat(list, ",\"travel_history\":[");
        for (const char *e = complied; *e; e++)
            snprintf(list + strlen(list), sizeof list - strlen(list),
                     "%s{\"country\":\"FRA\",\"year\":2024,\"complied\":%s}", e == complied ? "" : ",",
                     *e == 'T' ? "true" : "false");
        strcat(list, "]");
    }
    snprintf(j, n,
             "{\"id\":\"X\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\",\"applicant\":{"
             "\"date_of_birth\":\"1980-05-05\",\"nationality\":\"USA\",\"passport\":{\"number\":\"x1\","
             "\"issuing_country\":\"GBR\"}},\"criminality\":{\"war_crimes\":false}%s}",
             list);
}

/* ANY, ALL, NONE and COUNT, each element's block run in the same call as
 * its rule: their values over absent, empty and mixed lists, and
 * consecutive quantifiers in one rule. */
static void test_quantifiers(void **state)
{
    (void)state;
    tp t;
    tp_init(&t);
    main_block(&t);
    uint32_t body = 5; /* blocks 1-4: the rules; block 5: t.complied */
    static const int ops[4] = {CARS_OP_ANY, CARS_OP_ALL, CARS_OP_NONE, CARS_OP_COUNT};
    for (int k = 0; k < 4; k++) {
        tp_begin(&t, CARS_BK_RULE, 0);
        tp_op2(&t, ops[k], body, F_TRAVEL);
        if (k == 3) /* count(...) = 2 + any(...): two quantifiers, one after the other */
            tp_op2(&t, CARS_OP_ANY, body, F_TRAVEL), tp_int(&t, 0), tp_op(&t, CARS_OP_EQ_I), tp_op(&t, CARS_OP_ADD_I),
                tp_int(&t, 2), tp_op(&t, CARS_OP_EQ_I);
        tp_op(&t, CARS_OP_RET);
        tp_rule(&t, TP_S("Q"), TP_S("q"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(&t));
    }
    tp_begin(&t, CARS_BK_ELEM, F_TRAVEL);
    tp_op1(&t, CARS_OP_LOAD_ELEM, E_COMPLIED), tp_op(&t, CARS_OP_RET);
    tp_end(&t);
    tp_stage(&t, 0, 4);
    uint8_t *bytes;
    cars_program p;
    load(&t, &p, &bytes);
    cars_xcode x; /* an ELEM block's RET gives its value to the quantifier, a RULE block's ends the rule */
    assert_int_equal(cars_xcode_make(&x, &p), 0);
    expect_ops(&x, body, (const int[]){CARS_XO_LOAD_ELEM, CARS_XO_RET_ELEM}, 2);
    expect_ops(&x, 1, (const int[]){CARS_XO_QUANTIFY, CARS_XO_RET}, 2);
    cars_xcode_free(&x);
    cars_reader *r = cars_reader_new(&p);
    cars_vm *vm = cars_vm_new(&p);
    assert_non_null(r);
    assert_non_null(vm);
    static const struct {
        const char *list; /* the elements' complied, or NULL: no list */
        int want[4];      /* ANY, ALL, NONE, count + (any = 0) = 2 */
    } cases[] = {
        {NULL, {-1, -1, -1, -1}}, {"", {0, 1, 1, 0}},       {"T", {1, 1, 0, 0}},   {"F", {0, 0, 1, 0}},
        {"TF", {1, 0, 0, 0}},     {"FT", {1, 0, 0, 0}},     {"TT", {1, 1, 0, 1}},  {"FFF", {0, 0, 1, 0}},
        {"FTT", {1, 0, 0, 1}},    {"TTT", {1, 1, 0, 0}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char j[1024];
        travel_record(cases[c].list, j, sizeof j);
        assert_true(cars_reader_parse(r, j, strlen(j)));
        for (uint32_t k = 0; k < 4; k++)
            if (cars_vm_eval_rule(vm, cars_reader_record(r), k) != cases[c].want[k])
                fail_msg("list %s, rule %u: %d", cases[c].list ? cases[c].list : "absent", k,
                         cars_vm_eval_rule(vm, cars_reader_record(r), k));
        cars_result res;
        char err[200];
        assert_int_equal(cars_vm_route(vm, cars_reader_record(r), &res, err, sizeof err), 0);
    }
    cars_vm_free(vm);
    cars_reader_free(r);
    cars_program_free(&p);
    cars_free(bytes);
}

/* The interpreter keeps the top of the stack apart from the rest: values
 * below a quantifier, and the one on top when it begins, are there when it
 * ends, whatever depth its element's block reaches. The rule is
 * 40 + (2 + count(complied and complied)) = 43, and again plus
 * any(...) * 0, a second quantifier run on top of the first's value. */
static void test_quantifier_stack(void **state)
{
    (void)state;
    tp t;
    tp_init(&t);
    main_block(&t);
    const uint32_t body = 3; /* blocks 1-2: the rules */
    for (int k = 0; k < 2; k++) {
        tp_begin(&t, CARS_BK_RULE, 0);
        tp_int(&t, 40), tp_int(&t, 2), tp_op2(&t, CARS_OP_COUNT, body, F_TRAVEL);
        if (k == 1) /* + any(...) * 0, the any on top of the count */
            tp_op2(&t, CARS_OP_ANY, body, F_TRAVEL), tp_int(&t, 0), tp_op(&t, CARS_OP_MUL_I), tp_op(&t, CARS_OP_ADD_I);
        tp_op(&t, CARS_OP_ADD_I), tp_op(&t, CARS_OP_ADD_I), tp_int(&t, 43), tp_op(&t, CARS_OP_EQ_I), tp_op(&t, CARS_OP_RET);
        tp_rule(&t, TP_S("Q"), TP_S("q"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(&t));
    }
    tp_begin(&t, CARS_BK_ELEM, F_TRAVEL);
    tp_op1(&t, CARS_OP_LOAD_ELEM, E_COMPLIED), tp_op1(&t, CARS_OP_LOAD_ELEM, E_COMPLIED), tp_op(&t, CARS_OP_AND);
    tp_op(&t, CARS_OP_RET);
    tp_end(&t);
    tp_stage(&t, 0, 2);
    uint8_t *bytes;
    cars_program p;
    load(&t, &p, &bytes);
    cars_reader *r = cars_reader_new(&p);
    cars_vm *vm = cars_vm_new(&p);
    assert_non_null(r);
    assert_non_null(vm);
    static const struct {
        const char *list; /* the elements' complied, or NULL: no list */
        int want;         /* both rules: count = 1 */
    } cases[] = {{NULL, -1}, {"", 0}, {"T", 1}, {"F", 0}, {"FT", 1}, {"TT", 0}, {"FTF", 1}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char j[1024];
        travel_record(cases[c].list, j, sizeof j);
        assert_true(cars_reader_parse(r, j, strlen(j)));
        for (uint32_t k = 0; k < 2; k++)
            if (cars_vm_eval_rule(vm, cars_reader_record(r), k) != cases[c].want)
                fail_msg("list %s, rule %u: %d", cases[c].list ? cases[c].list : "absent", k,
                         cars_vm_eval_rule(vm, cars_reader_record(r), k));
    }
    cars_vm_free(vm);
    cars_reader_free(r);
    cars_program_free(&p);
    cars_free(bytes);
}

static void ignore(void *ctx, const cars_trace_event *e) { (void)ctx, (void)e; }

/* Routing (the internal form) and tracing (the bytecode) decide alike. */
static void route_as_traced(bool indexed)
{
    tp t;
    tp_build_standard(&t, indexed);
    uint8_t *bytes;
    cars_program p;
    load(&t, &p, &bytes);
    cars_xcode x; /* the MAIN block: four stages, each with its decision, the last (indexed or not) and its threshold */
    assert_int_equal(cars_xcode_make(&x, &p), 0);
    const int S = CARS_XO_STAGE, D = CARS_XO_DECIDE_IF_MATCHED;
    expect_ops(&x, 0,
               (const int[]){S, D, S, D, S, D, S, D, indexed ? CARS_XO_STAGE_INDEXED : S, CARS_XO_DECIDE_THRESHOLD,
                             CARS_XO_FAIL},
               11);
    const cars_xop *last = &x.code[x.start[0] + 8], *th = last + 1;
    assert_int_equal(last->a, 4);
    if (indexed)
        assert_true(last->b == 0 && last->c == 3);
    assert_true(th->a == 0 && th->b == CARS_OUT_NCXPCA && th->c == CARS_OUT_CXPCA);
    assert_int_equal(x.code[x.start[0] + 3].sub, CARS_OUT_CXDR);
    cars_xcode_free(&x);
    cars_reader *r = cars_reader_new(&p);
    cars_vm *vm = cars_vm_new(&p), *tvm = cars_vm_new(&p);
    assert_non_null(r);
    assert_non_null(vm);
    assert_non_null(tvm);
    static const char *const dobs[] = {"1980-05-05", "2008-02-29", "1996-11-02", "2010-01-01"};
    static const char *const extras[] = {
        "",
        ",\"finances\":{\"owns_property\":true}",
        ",\"visit\":{\"length_days\":91,\"cost_gbp\":999.5}",
        ",\"visit\":{\"cost_gbp\":1000},\"finances\":{\"owns_property\":false}",
        ",\"travel_history\":[{\"country\":\"USA\",\"year\":2024,\"complied\":true},"
        "{\"country\":\"CAN\",\"year\":2019,\"complied\":true}]",
        ",\"travel_history\":[{\"country\":\"FRA\",\"year\":2024,\"complied\":false}],\"visit\":{\"cost_gbp\":10}",
        ",\"contact\":{\"email\":\" Fraud@EXAMPLE.com \"}",
        ",\"travel_history\":[{\"country\":\"USA\",\"year\":2024,\"complied\":true}],"
        "\"finances\":{\"owns_property\":true},\"visit\":{\"cost_gbp\":10}",
    };
    static const char *const routes[] = {"standard_visitor", "overseas_domestic_worker"};
    int seen[CARS_OUT_ERROR + 1] = {0};
    for (size_t d = 0; d < 4; d++)
        for (size_t e = 0; e < sizeof extras / sizeof *extras; e++)
            for (size_t ro = 0; ro < 2; ro++)
                for (int war = 0; war < 2; war++) {
                    char j[2048];
                    snprintf(j, sizeof j,
                             "{\"id\":\"X\",\"received\":\"2026-03-01\",\"route\":\"%s\",\"applicant\":{"
                             "\"date_of_birth\":\"%s\",\"nationality\":\"USA\",\"passport\":{\"number\":\"%s\","
                             "\"issuing_country\":\"GBR\"}},\"criminality\":{\"war_crimes\":%s}%s}",
                             routes[ro], dobs[d], e == 3 ? "ab 12-345" : "x1", war ? "true" : "false", extras[e]);
                    assert_true(cars_reader_parse(r, j, strlen(j)));
                    cars_result a, b;
                    char err[200];
                    assert_int_equal(cars_vm_route(vm, cars_reader_record(r), &a, err, sizeof err), 0);
                    assert_int_equal(cars_vm_trace(tvm, cars_reader_record(r), &b, ignore, NULL, err, sizeof err), 0);
                    assert_int_equal(a.outcome, b.outcome);
                    assert_int_equal(a.nrules, b.nrules);
                    assert_memory_equal(a.rules, b.rules, a.nrules * sizeof *a.rules);
                    assert_int_equal(a.threshold, b.threshold);
                    assert_int_equal(a.threshold_met, b.threshold_met);
                    seen[a.outcome]++;
                }
    for (int o = 0; o < CARS_OUT_ERROR; o++) /* every outcome came up */
        if (seen[o] == 0)
            fail_msg("no record had outcome %d", o);
    cars_vm_free(vm);
    cars_vm_free(tvm);
    cars_reader_free(r);
    cars_program_free(&p);
    cars_free(bytes);
}

static void test_route_as_traced(void **state)
{
    (void)state;
    route_as_traced(false);
    route_as_traced(true);
}

/* An OR chain of fields (LOAD; JUMP_IF_TRUE, then LOAD; OR; JUMP_IF_TRUE,
 * all to one place), its last LOAD; OR ending where the jumps land; n
 * fields from f, in turn. */
static void or_chain(tp *t, const int *f, int n)
{
    uint32_t j[16];
    tp_op1(t, CARS_OP_LOAD, (unsigned)f[0]);
    j[0] = tp_jump(t, CARS_OP_JUMP_IF_TRUE);
    for (int k = 1; k < n - 1; k++) {
        tp_op1(t, CARS_OP_LOAD, (unsigned)f[k]), tp_op(t, CARS_OP_OR);
        j[k] = tp_jump(t, CARS_OP_JUMP_IF_TRUE);
    }
    tp_op1(t, CARS_OP_LOAD, (unsigned)f[n - 1]), tp_op(t, CARS_OP_OR);
    for (int k = 0; k < n - 1; k++)
        tp_patch(t, j[k]);
}

/* Kleene OR, AND of a and b (-1: unknown). */
static int kor(int a, int b) { return a == 1 || b == 1 ? 1 : a < 0 || b < 0 ? -1 : 0; }
static int kand(int a, int b) { return a == 0 || b == 0 ? 0 : a < 0 || b < 0 ? -1 : 1; }

/* The bigger fusions: OR chains of fields as one instruction (at most five
 * fields, the rest as before), IN_SET as a mask then JUMP_IF_FALSE, a
 * constant added or subtracted, a date's year less a constant; what each
 * gives, routing as tracing does. */
static void test_chains(void **state)
{
    (void)state;
    tp t;
    tp_init(&t);
    main_block(&t);
    static const int four[] = {F_WAR, F_PROPERTY, F_WAR, F_PROPERTY};
    static const int seven[] = {F_PROPERTY, F_WAR, F_WAR, F_WAR, F_WAR, F_WAR, F_PROPERTY};
    static const int64_t standard[] = {M_STANDARD, M_ODW}, odw[] = {M_ODW};
    uint32_t sets[2] = {tp_set(&t, standard, 2), tp_set(&t, odw, 1)};
    uint32_t b[7];
    b[0] = tp_begin(&t, CARS_BK_RULE, 0); /* war or property or war or property */
    or_chain(&t, four, 4), tp_op(&t, CARS_OP_RET);
    tp_rule(&t, TP_S("C-0"), TP_S("c"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(&t));
    b[1] = tp_begin(&t, CARS_BK_RULE, 0); /* seven fields: five, then two as before */
    or_chain(&t, seven, 7), tp_op(&t, CARS_OP_RET);
    tp_rule(&t, TP_S("C-1"), TP_S("c"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(&t));
    for (int k = 0; k < 2; k++) { /* route in set k and war */
        b[2 + k] = tp_begin(&t, CARS_BK_RULE, 0);
        tp_op1(&t, CARS_OP_LOAD, F_ROUTE), tp_op1(&t, CARS_OP_IN_SET, sets[k]);
        uint32_t j = tp_jump(&t, CARS_OP_JUMP_IF_FALSE);
        tp_op1(&t, CARS_OP_LOAD, F_WAR), tp_op(&t, CARS_OP_AND);
        tp_patch(&t, j);
        tp_op(&t, CARS_OP_RET);
        tp_rule(&t, TP_S("C-2"), TP_S("c"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(&t));
    }
    b[4] = tp_begin(&t, CARS_BK_RULE, 0); /* length + 3 - 5 > 30 */
    tp_op1(&t, CARS_OP_LOAD, F_LENGTH), tp_int(&t, 3), tp_op(&t, CARS_OP_ADD_I), tp_int(&t, 5);
    tp_op(&t, CARS_OP_SUB_I), tp_int(&t, 30), tp_op(&t, CARS_OP_GT_I), tp_op(&t, CARS_OP_RET);
    tp_rule(&t, TP_S("C-4"), TP_S("c"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(&t));
    b[5] = tp_begin(&t, CARS_BK_RULE, 0); /* year(received) - 2000 = 26 */
    tp_op1(&t, CARS_OP_LOAD, F_RECEIVED), tp_op(&t, CARS_OP_YEAR), tp_int(&t, 2000), tp_op(&t, CARS_OP_SUB_I);
    tp_int(&t, 26), tp_op(&t, CARS_OP_EQ_I), tp_op(&t, CARS_OP_RET);
    tp_rule(&t, TP_S("C-5"), TP_S("c"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(&t));
    tp_stage(&t, 0, 6);
    uint8_t *bytes;
    cars_program p;
    load(&t, &p, &bytes);
    cars_xcode x;
    assert_int_equal(cars_xcode_make(&x, &p), 0);
    expect_ops(&x, b[0], (const int[]){CARS_XO_LOAD_ANY_JT, CARS_XO_RET}, 2);
    assert_int_equal(x.code[x.start[b[0]]].sub, 4);
    assert_int_equal(x.code[x.start[b[0]]].to, x.start[b[0]] + 1);
    expect_ops(&x, b[1], (const int[]){CARS_XO_LOAD_ANY_JT, CARS_XO_LOAD_OR_JT, CARS_XO_LOAD, CARS_XO_OR, CARS_XO_RET}, 5);
    assert_int_equal(x.code[x.start[b[1]]].sub, 5);
    assert_int_equal(x.code[x.start[b[1]] + 1].to, x.start[b[1]] + 4);
    for (int k = 0; k < 2; k++)
        expect_ops(&x, b[2 + k], (const int[]){CARS_XO_LOAD_IN_MASK_JF, CARS_XO_LOAD, CARS_XO_AND, CARS_XO_RET}, 4);
    expect_ops(&x, b[4], (const int[]){CARS_XO_LOAD, CARS_XO_ADDK_I, CARS_XO_SUBK_I, CARS_XO_CMPK_GT_I, CARS_XO_RET}, 5);
    expect_ops(&x, b[5], (const int[]){CARS_XO_LOAD_YEAR_SUBK, CARS_XO_CMPK_EQ_I, CARS_XO_RET}, 3);
    expect_ops(&x, 0, (const int[]){CARS_XO_STAGE, CARS_XO_DECIDE_IF_MATCHED, CARS_XO_DECIDE, CARS_XO_FAIL}, 4);
    cars_xcode_free(&x);
    cars_reader *r = cars_reader_new(&p);
    cars_vm *vm = cars_vm_new(&p), *tvm = cars_vm_new(&p);
    assert_non_null(r);
    assert_non_null(vm);
    assert_non_null(tvm);
    static const char *const props[] = {"", ",\"finances\":{\"owns_property\":true}",
                                        ",\"finances\":{\"owns_property\":false}"};
    static const char *const lengths[] = {"", ",\"visit\":{\"length_days\":32}", ",\"visit\":{\"length_days\":33}"};
    for (int pr = 0; pr < 3; pr++)
        for (int war = 0; war < 2; war++)
            for (int len = 0; len < 3; len++) {
                char j[1024];
                snprintf(j, sizeof j,
                         "{\"id\":\"X\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\",\"applicant\":{"
                         "\"date_of_birth\":\"1980-05-05\",\"nationality\":\"USA\",\"passport\":{\"number\":\"x1\","
                         "\"issuing_country\":\"GBR\"}},\"criminality\":{\"war_crimes\":%s}%s%s}",
                         war ? "true" : "false", props[pr], lengths[len]);
                assert_true(cars_reader_parse(r, j, strlen(j)));
                const cars_record *rec = cars_reader_record(r);
                int property = pr == 0 ? -1 : pr == 1;
                const int want[6] = {kor(war, property), kor(war, property), kand(1, war), 0,
                                     len == 0 ? -1 : len == 2, 1};
                for (uint32_t k = 0; k < 6; k++)
                    if (cars_vm_eval_rule(vm, rec, k) != want[k])
                        fail_msg("%s: rule %u gives %d, not %d", j, k, cars_vm_eval_rule(vm, rec, k), want[k]);
                cars_result a, c;
                char err[200];
                assert_int_equal(cars_vm_route(vm, rec, &a, err, sizeof err), 0);
                assert_int_equal(cars_vm_trace(tvm, rec, &c, ignore, NULL, err, sizeof err), 0);
                assert_int_equal(a.outcome, c.outcome);
                assert_int_equal(a.nrules, c.nrules);
                assert_memory_equal(a.rules, c.rules, a.nrules * sizeof *a.rules);
            }
    cars_vm_free(vm);
    cars_vm_free(tvm);
    cars_reader_free(r);
    cars_program_free(&p);
    cars_free(bytes);
}

/* IN_SET of a set within 64 of its least value is a bit mask; of a wider
 * one, a search: the same answers either way, at and around every value. */
static void test_set_masks(void **state)
{
    (void)state;
    tp t;
    tp_init(&t);
    main_block(&t);
    static const int64_t sets[3][3] = {{0, 5, 60}, {2, 40, 65}, {2, 40, 66}};
    for (int k = 0; k < 3; k++) {
        uint32_t s = tp_set(&t, sets[k], 3);
        tp_begin(&t, CARS_BK_RULE, 0);
        tp_op1(&t, CARS_OP_LOAD, F_LENGTH), tp_op1(&t, CARS_OP_IN_SET, s), tp_op(&t, CARS_OP_RET);
        tp_rule(&t, TP_S("R"), TP_S("r"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(&t));
    }
    tp_stage(&t, 0, 3);
    uint8_t *bytes;
    cars_program p;
    load(&t, &p, &bytes);
    cars_xcode x;
    assert_int_equal(cars_xcode_make(&x, &p), 0);
    assert_int_equal(x.code[x.rule[0]].op, CARS_XO_LOAD_IN_MASK);
    assert_int_equal(x.code[x.rule[1]].op, CARS_XO_LOAD_IN_MASK); /* 65 - 2 = 63 */
    assert_int_equal(x.code[x.rule[2]].op, CARS_XO_LOAD_IN_SET);  /* 66 - 2 = 64 */
    cars_xcode_free(&x);
    cars_reader *r = cars_reader_new(&p);
    cars_vm *vm = cars_vm_new(&p);
    assert_non_null(r);
    assert_non_null(vm);
    for (int64_t v = -1; v <= 200; v++) {
        char j[512];
        snprintf(j, sizeof j,
                 "{\"id\":\"X\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\",\"applicant\":{"
                 "\"date_of_birth\":\"1980-05-05\",\"nationality\":\"USA\",\"passport\":{\"number\":\"x1\","
                 "\"issuing_country\":\"GBR\"}},\"criminality\":{\"war_crimes\":false}%s%lld%s}",
                 v < 0 ? "" : ",\"visit\":{\"length_days\":", (long long)(v < 0 ? 0 : v * (v > 150 ? 1000000007 : 1)),
                 v < 0 ? "" : "}");
        if (v < 0) /* absent */
            snprintf(j + strlen(j) - 2, 3, "}");
        assert_true(cars_reader_parse(r, j, strlen(j)));
        int64_t len = v * (v > 150 ? 1000000007 : 1);
        for (uint32_t k = 0; k < 3; k++) {
            int want = v < 0 ? -1 : (len == sets[k][0] || len == sets[k][1] || len == sets[k][2]);
            assert_int_equal(cars_vm_eval_rule(vm, cars_reader_record(r), k), want);
        }
    }
    cars_vm_free(vm);
    cars_reader_free(r);
    cars_program_free(&p);
    cars_free(bytes);
}

/* What a VM made with the shared part holds, and the shared part, in bytes
 * asked of the allocator: lookups_in fills them for each table size. */
typedef struct {
    long long vm, shared;
} footprint;

/* A table of the even keys of 0 .. 2n (n of them, and a few sizes around
 * the directory's steps): every even key is found, no odd one, by a VM with
 * its own internal form and directories and by two (as two threads' would
 * be) sharing one. */
static void lookups_in(uint32_t n, footprint *fp)
{
    tp t;
    tp_init(&t);
    main_block(&t);
    tp_begin(&t, CARS_BK_RULE, 0);
    tp_op2(&t, CARS_OP_LOOKUP1, 0, F_EMAIL), tp_op(&t, CARS_OP_RET);
    tp_rule(&t, TP_S("R-1"), TP_S("r"), CARS_RK_SCREEN, 0, tp_end(&t));
    tp_stage(&t, 0, 1);
    uint64_t *hashes = calloc(n + 1, sizeof *hashes);
    assert_non_null(hashes);
    for (uint32_t i = 0; i < n; i++) {
        char key[32];
        const char *cols[1] = {key};
        size_t lens[1] = {(size_t)snprintf(key, sizeof key, "k%u@x.org", 2 * i)};
        hashes[i] = cars_table_hash(t.p.table_key, cols, lens, 1);
    }
    qsort(hashes, n, sizeof *hashes, tp_cmp_u64);
    t.p.ntables = 1;
    t.tables[0] = (cars_ptable){.name = TP_S("keys"), .title = TP_S("keys"), .nkeys = 1,
                                .key_kinds = {CARS_KEY_EMAIL, 0}, .n = n, .hashes = hashes};
    t.tables[0].key_names[0] = TP_S("a");
    uint8_t *bytes;
    cars_program p;
    load(&t, &p, &bytes);
    cars_reader *r = cars_reader_new(&p);
    cars_vm *vm = cars_vm_new(&p);
    assert_non_null(r);
    assert_non_null(vm);
    cars_alloc_bytes(1);
    cars_vm_shared *sh = cars_vm_shared_new(&p);
    assert_non_null(sh);
    fp->shared = cars_alloc_bytes(1);
    cars_vm *svm[2] = {cars_vm_new_shared(&p, sh), NULL};
    fp->vm = cars_alloc_bytes(1);
    svm[1] = cars_vm_new_shared(&p, sh);
    assert_non_null(svm[0]);
    assert_non_null(svm[1]);
    for (uint32_t i = 0; i < 2 * n + 8; i++) {
        char j[512];
        snprintf(j, sizeof j,
                 "{\"id\":\"X\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\",\"applicant\":{"
                 "\"date_of_birth\":\"1980-05-05\",\"nationality\":\"USA\",\"passport\":{\"number\":\"x1\","
                 "\"issuing_country\":\"GBR\"}},\"criminality\":{\"war_crimes\":false},"
                 "\"contact\":{\"email\":\"K%u@X.org\"}}",
                 i);
        assert_true(cars_reader_parse(r, j, strlen(j)));
        int want = i % 2 == 0 && i < 2 * n;
        if (cars_vm_eval_rule(vm, cars_reader_record(r), 0) != want)
            fail_msg("table of %u: key %u %s", n, i, want ? "not found" : "found");
        for (int k = 0; k < 2; k++)
            if (cars_vm_eval_rule(svm[k], cars_reader_record(r), 0) != want)
                fail_msg("table of %u, shared VM %d: key %u %s", n, k, i, want ? "not found" : "found");
    }
    cars_vm_free(svm[0]);
    cars_vm_free(svm[1]);
    cars_vm_shared_free(sh);
    cars_vm_free(vm);
    cars_reader_free(r);
    cars_program_free(&p);
    cars_free(bytes);
    free(hashes);
}

/* Lookups in tables of every size; and what each thread's VM holds does not
 * grow with the table (the directory, up to 256 KiB a table, is the shared
 * part's, made once for every thread), while the shared part does. */
static void test_table_lookups(void **state)
{
    (void)state;
    static const uint32_t sizes[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 100, 1000, 4095, 4096, 4097, 70000, 140000};
    enum { NS = sizeof sizes / sizeof *sizes };
    footprint fp[NS];
    for (size_t i = 0; i < NS; i++) {
        lookups_in(sizes[i], &fp[i]);
        if (fp[i].vm != fp[0].vm)
            fail_msg("a VM for a table of %u holds %lld bytes, for a table of 0 %lld", sizes[i], fp[i].vm, fp[0].vm);
    }
    /* the shared parts differ by the directories alone: 2^16 + 1 entries for
     * 140,000 hashes, 2^1 + 1 for none */
    if (fp[NS - 1].shared - fp[0].shared != ((1 << 16) + 1 - 3) * 4)
        fail_msg("shared parts: %lld bytes for a table of 0, %lld for 140,000", fp[0].shared, fp[NS - 1].shared);
    assert_true(fp[0].vm < 16 * 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fusions),
        cmocka_unit_test(test_route_as_traced),
        cmocka_unit_test(test_quantifiers),
        cmocka_unit_test(test_quantifier_stack),
        cmocka_unit_test(test_set_masks),
        cmocka_unit_test(test_chains),
        cmocka_unit_test(test_table_lookups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

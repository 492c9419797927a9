/* test_verify_index.c - the verifier's proof that stage indexes are sound
 * (vm/verify_index.c): an index may leave a rule out of a slot only where
 * the rule's code cannot be known true. Each test builds a stage of
 * hand-assembled rules and an index, sets the rules' bits exactly where the
 * rule can be true (accepted), then clears one (refused, with the exact
 * message): a bit cleared in one slot, in every slot, in the absent slot;
 * two indexes of a stage; every comparison both ways round, integer and
 * number, at the exact double edges; IN_SET and not in; a bool alone and
 * negated; an `or` that pins nothing; jumps merging, several to one target;
 * several RETs; constant jumps. Then random rules cross-checked against the
 * VM itself (whatever the verifier accepts, no record in the cleared slot
 * makes the rule true), with one index and with four (two on the same
 * field); the limit on pending jump targets; every allocation failing in
 * turn. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>
#include <float.h>
#include <math.h> /* INFINITY: a constant */

#include "alloc.h"
#include "testprog.h"
#include "verify.h"
#include "vm.h"

static tp T;
static cars_pindex X[4];
static uint64_t IW[256];
static const char *const IDS[] = {"R-0", "R-1", "R-2", "R-3", "R-4", "R-5", "R-6", "R-7"};

enum { EQ, NE, LT, LE, GT, GE };
static const int MIRROR[] = {EQ, NE, GT, GE, LT, LE};

/* A program whose MAIN runs stage 0 through index 0; the test then emits
 * its rules (rule() ... end()) and calls index_on(). */
static void prog(void)
{
    tp_init(&T);
    tp_begin(&T, CARS_BK_MAIN, 0);
    T.blocks[0].max_stack = 0;
    tp_op1(&T, CARS_OP_EVAL_STAGE_INDEXED, 0), tp_u16(&T, 0), tp_u16(&T, 1);
    tp_op(&T, CARS_OP_DECIDE_IF_MATCHED), tp_u8(&T, CARS_OUT_CXDR);
    tp_op(&T, CARS_OP_DECIDE), tp_u8(&T, CARS_OUT_NCXDR);
    tp_end(&T);
}

static void rule(void)
{
    tp_begin(&T, CARS_BK_RULE, 0);
    T.blocks[T.cur_block].max_stack = 64;
}

static void end(void)
{
    uint32_t r = T.p.nrules;
    tp_rule(&T, (cars_str){IDS[r], (uint32_t)strlen(IDS[r])}, TP_S("a rule"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(&T));
}

/* Index 0 over field f with keys (integers, or doubles' bits), every rule
 * of the stage set in every slot. */
static void index_on(unsigned f, bool num, const uint64_t *keys, uint32_t nk)
{
    tp_stage(&T, 0, T.p.nrules);
    X[0] = (cars_pindex){.stage = 0, .field = (uint16_t)f, .flags = num ? CARS_IX_NUMBER : 0, .nvalues = nk};
    memcpy(IW, keys, nk * sizeof *keys);
    for (uint32_t j = 0; j < nk + 2; j++)
        IW[nk + j] = ((uint64_t)1 << T.p.nrules) - 1;
    T.p.indexes = X, T.p.nindexes = 1;
    T.p.index_words = IW, T.p.nindex_words = 2 * nk + 2;
}

static void index_i(unsigned f, const int64_t *keys, uint32_t nk)
{
    uint64_t k[16];
    for (uint32_t i = 0; i < nk; i++)
        k[i] = (uint64_t)keys[i];
    index_on(f, false, k, nk);
}

static void index_d(unsigned f, const double *keys, uint32_t nk)
{
    uint64_t k[16];
    memcpy(k, keys, nk * sizeof *keys);
    index_on(f, true, k, nk);
}

/* Rule r's bit: set exactly in the slots of mask (bit j: slot j). */
static void bits(unsigned r, uint64_t mask)
{
    for (uint32_t j = 0; j < X[0].nvalues + 2; j++)
        IW[X[0].nvalues + j] = (IW[X[0].nvalues + j] & ~((uint64_t)1 << r)) | (((mask >> j) & 1) << r);
}

static void clear(unsigned r, uint32_t slot) { IW[X[0].nvalues + slot] &= ~((uint64_t)1 << r); }

static void ok(void)
{
    char err[512];
    int rc = cars_verify(&T.p, err, sizeof err);
    if (rc != 0)
        fail_msg("refused: %s", err);
}

static void expect(const char *msg)
{
    char err[512];
    assert_int_equal(cars_verify(&T.p, err, sizeof err), -1);
    assert_string_equal(err, msg);
}

/* Refused for rule r in slot j (the rest of the message is tested apart). */
static void refused_in(unsigned r, uint32_t j)
{
    char err[512], want[128];
    assert_int_equal(cars_verify(&T.p, err, sizeof err), -1);
    snprintf(want, sizeof want, "index 0 of stage 0 leaves out rule %u (%s) in slot %u (", r, IDS[r], j);
    if (strncmp(err, want, strlen(want)) != 0)
        fail_msg("'%s' does not start with '%s'", err, want);
}

/* Exactly the slots of mask are needed: set, accepted; each cleared, refused. */
static void needs_exactly(unsigned r, uint64_t mask)
{
    bits(r, mask);
    ok();
    for (uint32_t j = 0; j < X[0].nvalues + 2; j++)
        if ((mask >> j) & 1) {
            clear(r, j);
            refused_in(r, j);
            bits(r, mask);
        }
}

/* The neighbouring doubles of a finite d (the test's own, on the bits;
 * test_compare_number checks them against exact literals). */
static double next_up(double d)
{
    if (d == 0)
        return DBL_TRUE_MIN;
    uint64_t b;
    memcpy(&b, &d, 8);
    b = d > 0 ? b + 1 : b - 1;
    memcpy(&d, &b, 8);
    return d;
}
static double next_down(double d) { return -next_up(-d); }

/* ---- one slot, every slot, the absent slot ---- */

/* visit.length_days > 90 with keys 91: slot 0 0..90 (the field has min 0),
 * slot 1 from 91, slot 2 absent. */
static void test_one_slot(void **s)
{
    (void)s;
    prog();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 90), tp_op(&T, CARS_OP_GT_I), tp_op(&T, CARS_OP_RET), end();
    static const int64_t k[] = {91};
    index_i(F_LENGTH, k, 1);
    bits(0, 0x2);
    ok();
    clear(0, 1);
    expect("index 0 of stage 0 leaves out rule 0 (R-0) in slot 1 (values 91..9223372036854775807 of "
           "visit.length_days), where its condition can be true");
    bits(0, 0x7); /* bits where it cannot be true are allowed */
    ok();
}

static void test_every_slot(void **s)
{
    (void)s;
    prog();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 90), tp_op(&T, CARS_OP_GT_I), tp_op(&T, CARS_OP_RET), end();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_WAR), tp_op(&T, CARS_OP_RET), end(); /* no condition on the field */
    static const int64_t k[] = {91};
    index_i(F_LENGTH, k, 1);
    bits(0, 0x2);
    bits(1, 0);
    expect("index 0 of stage 0 leaves out rule 1 (R-1) in slot 0 (values 0..90 of visit.length_days), where its "
           "condition can be true");
    bits(0, 0);
    expect("index 0 of stage 0 leaves out rule 0 (R-0) in slot 1 (values 91..9223372036854775807 of "
           "visit.length_days), where its condition can be true");
}

static void test_absent_slot(void **s)
{
    (void)s;
    prog();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_WAR), tp_op(&T, CARS_OP_RET), end();                                 /* */
    rule(), tp_op1(&T, CARS_OP_PRESENT, F_LENGTH), tp_op(&T, CARS_OP_NOT), tp_op(&T, CARS_OP_RET), end();  /* */
    rule(), tp_op1(&T, CARS_OP_PRESENT, F_LENGTH), tp_op(&T, CARS_OP_RET), end();                          /* */
    static const int64_t k[] = {89, 90, 91};
    index_i(F_LENGTH, k, 3);
    clear(0, 4);
    expect("index 0 of stage 0 leaves out rule 0 (R-0) in slot 4 (visit.length_days absent), where its condition "
           "can be true");
    bits(0, 0x1F);
    needs_exactly(1, 0x10); /* is absent: only there */
    clear(1, 4);
    expect("index 0 of stage 0 leaves out rule 1 (R-1) in slot 4 (visit.length_days absent), where its condition "
           "can be true");
    bits(1, 0x10);
    needs_exactly(2, 0x0F); /* is present: everywhere else */
}

/* Two indexes of one stage: each proved on its own slots, the message
 * naming the index. R-0 `length > 90 and owns_property`, R-1 `not
 * owns_property`: index 0 on owns_property (keys 1, 2), index 1 on length
 * (key 91). */
static void test_two_indexes(void **s)
{
    (void)s;
    prog();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 90), tp_op(&T, CARS_OP_GT_I);
    uint32_t j = tp_jump(&T, CARS_OP_JUMP_IF_FALSE);
    tp_op1(&T, CARS_OP_LOAD, F_PROPERTY), tp_op(&T, CARS_OP_AND);
    tp_patch(&T, j);
    tp_op(&T, CARS_OP_RET), end();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_PROPERTY), tp_op(&T, CARS_OP_NOT), tp_op(&T, CARS_OP_RET), end();
    tp_stage(&T, 0, 2);
    /* index 0: keys 1, 2, then slots 0..3 (bit 0: R-0, bit 1: R-1); index 1 from word 6: key 91, slots 0..2 */
    static const uint64_t words[] = {1, 2, 0x2, 0x1, 0x0, 0x0, 91, 0x2, 0x3, 0x2};
    memcpy(IW, words, sizeof words);
    X[0] = (cars_pindex){.stage = 0, .field = F_PROPERTY, .nvalues = 2, .words_first = 0};
    X[1] = (cars_pindex){.stage = 0, .field = F_LENGTH, .nvalues = 1, .words_first = 6};
    T.p.indexes = X, T.p.nindexes = 2;
    T.p.index_words = IW, T.p.nindex_words = 10;
    T.code[T.blocks[0].offset + 5] = 2; /* EVAL_STAGE_INDEXED 0 0 2 */
    ok();
    IW[8] = 0x2; /* index 1, slot 1 (91..): R-0 left out */
    expect("index 1 of stage 0 leaves out rule 0 (R-0) in slot 1 (values 91..9223372036854775807 of "
           "visit.length_days), where its condition can be true");
    IW[8] = 0x3;
    IW[2] = 0x0; /* index 0, slot 0 (false): R-1 left out */
    expect("index 0 of stage 0 leaves out rule 1 (R-1) in slot 0 (values 0..0 of finances.owns_property), where "
           "its condition can be true");
}

/* ---- comparisons ---- */

/* Slots of keys 89, 90, 91: 0..88, 89, 90, 91.., absent; and the same with
 * the number keys next below 1000, 1000, next above: where `f op 90` (or
 * 1000) can be true. */
static const uint64_t NEED[] = {0x4, 0xB, 0x3, 0x7, 0x8, 0xC};

static void cmp_rule(unsigned f, int op, bool num, bool const_first, void (*konst)(void))
{
    int opc = (num ? CARS_OP_EQ_F : CARS_OP_EQ_I) + (const_first ? MIRROR[op] : op);
    rule();
    if (const_first)
        konst(), tp_op1(&T, CARS_OP_LOAD, (unsigned)f);
    else
        tp_op1(&T, CARS_OP_LOAD, (unsigned)f), konst();
    tp_op(&T, opc), tp_op(&T, CARS_OP_RET), end();
}

static void k90(void) { tp_int(&T, 90); }
static void k1000(void) { tp_num(&T, 1000.0); }
static void k1000_int(void) { tp_int(&T, 1000), tp_op(&T, CARS_OP_TO_NUM); }
static void k90_num(void) { tp_num(&T, 90.0); }

static void test_compare_integer(void **s)
{
    (void)s;
    static const int64_t k[] = {89, 90, 91};
    for (int op = EQ; op <= GE; op++)
        for (int order = 0; order < 2; order++) {
            prog();
            cmp_rule(F_LENGTH, op, false, order, k90);
            index_i(F_LENGTH, k, 3);
            needs_exactly(0, NEED[op]);
        }
    prog();
    cmp_rule(F_LENGTH, LT, false, true, k90); /* 90 > f */
    index_i(F_LENGTH, k, 3);
    bits(0, 0x3);
    clear(0, 1);
    expect("index 0 of stage 0 leaves out rule 0 (R-0) in slot 1 (values 89..89 of visit.length_days), where its "
           "condition can be true");
}

/* The number form at the exact double edges: keys next_down(1000), 1000,
 * next_up(1000); a number constant or an integer one through TO_NUM. */
static void test_compare_number(void **s)
{
    (void)s;
    const double k[] = {next_down(1000.0), 1000.0, next_up(1000.0)};
    assert_true(k[0] == 1000.0 - 0x1p-43 && k[2] == 1000.0 + 0x1p-43); /* one unit in the last place either side */
    assert_true(next_down(0.0) == -DBL_TRUE_MIN && next_up(-0.0) == DBL_TRUE_MIN);
    for (int form = 0; form < 2; form++)
        for (int op = EQ; op <= GE; op++)
            for (int order = 0; order < 2; order++) {
                prog();
                cmp_rule(F_COST, op, true, order, form ? k1000_int : k1000);
                index_d(F_COST, k, 3);
                needs_exactly(0, NEED[op]);
            }
    prog();
    cmp_rule(F_COST, LT, true, false, k1000);
    index_d(F_COST, k, 3);
    bits(0, 0x3);
    clear(0, 1);
    expect("index 0 of stage 0 leaves out rule 0 (R-0) in slot 1 (values from 999.99999999999989 to below 1000 of "
           "visit.cost_gbp), where its condition can be true");
    bits(0, 0x3);
    clear(0, 0);
    expect("index 0 of stage 0 leaves out rule 0 (R-0) in slot 0 (values below 999.99999999999989 of "
           "visit.cost_gbp), where its condition can be true");
    prog();
    cmp_rule(F_COST, GT, true, false, k1000);
    index_d(F_COST, k, 3);
    bits(0, 0x8);
    clear(0, 3);
    expect("index 0 of stage 0 leaves out rule 0 (R-0) in slot 3 (values from 1000.0000000000001 of "
           "visit.cost_gbp), where its condition can be true");
    prog(); /* no keys: one slot for every value */
    cmp_rule(F_COST, GT, true, false, k1000);
    index_d(F_COST, k, 0);
    clear(0, 0);
    expect("index 0 of stage 0 leaves out rule 0 (R-0) in slot 0 (any value of visit.cost_gbp), where its "
           "condition can be true");
}

/* An integer field through TO_NUM against a number constant; negative
 * constants (NEG_I, NEG_F) folded. */
static void test_compare_converted(void **s)
{
    (void)s;
    static const int64_t k[] = {89, 90, 91};
    for (int op = EQ; op <= GE; op++)
        for (int order = 0; order < 2; order++) {
            prog();
            int opc = CARS_OP_EQ_F + (order ? MIRROR[op] : op);
            rule();
            if (order)
                k90_num(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_op(&T, CARS_OP_TO_NUM);
            else
                tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_op(&T, CARS_OP_TO_NUM), k90_num();
            tp_op(&T, opc), tp_op(&T, CARS_OP_RET), end();
            index_i(F_LENGTH, k, 3);
            needs_exactly(0, NEED[op]);
        }
    prog(); /* f > 89.5: from 90 */
    rule(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_op(&T, CARS_OP_TO_NUM), tp_num(&T, 89.5), tp_op(&T, CARS_OP_GT_F);
    tp_op(&T, CARS_OP_RET), end();
    index_i(F_LENGTH, k, 3);
    needs_exactly(0, 0xC);
    prog(); /* f > -1 (PUSH_INT 1 NEG_I): every present value */
    rule(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 1), tp_op(&T, CARS_OP_NEG_I), tp_op(&T, CARS_OP_GT_I);
    tp_op(&T, CARS_OP_RET), end();
    index_i(F_LENGTH, k, 3);
    needs_exactly(0, 0xF);
    prog(); /* cost < -0.5 (PUSH_NUM 0.5 NEG_F), keys -0.5, 0: below -0.5 only */
    static const double kd[] = {-0.5, 0.0};
    rule(), tp_op1(&T, CARS_OP_LOAD, F_COST), tp_num(&T, 0.5), tp_op(&T, CARS_OP_NEG_F), tp_op(&T, CARS_OP_LT_F);
    tp_op(&T, CARS_OP_RET), end();
    index_d(F_COST, kd, 2);
    needs_exactly(0, 0x1);
}

/* ---- sets and bools ---- */

static void test_in_set(void **s)
{
    (void)s;
    static const int64_t odw_std[] = {M_STANDARD, M_ODW};
    prog();
    uint32_t set = tp_set(&T, odw_std, 2);
    rule(), tp_op1(&T, CARS_OP_LOAD, F_ROUTE), tp_op1(&T, CARS_OP_IN_SET, set), tp_op(&T, CARS_OP_RET), end();
    static const int64_t k[] = {1, 2}; /* slots: 0, 1, 2 (route has 3 members), absent */
    index_i(F_ROUTE, k, 2);
    needs_exactly(0, 0x5);
    clear(0, 2);
    expect("index 0 of stage 0 leaves out rule 0 (R-0) in slot 2 (values 2..2 of route), where its condition can "
           "be true");

    /* length in [5, 6, 7, 100], keys 5, 8: true in 5..7 and from 8; not in:
     * false throughout 5..7, so not needed there */
    static const int64_t vals[] = {5, 6, 7, 100};
    static const int64_t k2[] = {5, 8};
    prog();
    set = tp_set(&T, vals, 4);
    rule(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_op1(&T, CARS_OP_IN_SET, set), tp_op(&T, CARS_OP_RET), end();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_op1(&T, CARS_OP_IN_SET, set), tp_op(&T, CARS_OP_NOT);
    tp_op(&T, CARS_OP_RET), end();
    index_i(F_LENGTH, k2, 2);
    needs_exactly(0, 0x6);
    needs_exactly(1, 0x5);
    clear(1, 0);
    expect("index 0 of stage 0 leaves out rule 1 (R-1) in slot 0 (values 0..4 of visit.length_days), where its "
           "condition can be true");
}

/* finances.owns_property with keys 1, 2: slot 0 false, 1 true, 2 no bool
 * value at all, 3 absent. */
static void test_bool(void **s)
{
    (void)s;
    static const int64_t k[] = {1, 2};
    prog();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_PROPERTY), tp_op(&T, CARS_OP_NOT), tp_op(&T, CARS_OP_RET), end();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_PROPERTY), tp_op(&T, CARS_OP_RET), end();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_PROPERTY), tp_bool(&T, 0), tp_op(&T, CARS_OP_EQ_I), tp_op(&T, CARS_OP_RET), end();
    index_i(F_PROPERTY, k, 2);
    needs_exactly(0, 0x1);
    needs_exactly(1, 0x2);
    needs_exactly(2, 0x1);
    clear(0, 0);
    expect("index 0 of stage 0 leaves out rule 0 (R-0) in slot 0 (values 0..0 of finances.owns_property), where "
           "its condition can be true");
}

/* ---- logic and jumps ---- */

/* f > 5 or g (as carsc compiles it): nothing is pinned, every bit needed. */
static void test_or_unpinned(void **s)
{
    (void)s;
    static const int64_t k[] = {6};
    prog();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 5), tp_op(&T, CARS_OP_GT_I);
    uint32_t j = tp_jump(&T, CARS_OP_JUMP_IF_TRUE);
    tp_op1(&T, CARS_OP_LOAD, F_WAR), tp_op(&T, CARS_OP_OR);
    tp_patch(&T, j);
    tp_op(&T, CARS_OP_RET), end();
    index_i(F_LENGTH, k, 1);
    needs_exactly(0, 0x7);
    clear(0, 2);
    expect("index 0 of stage 0 leaves out rule 0 (R-0) in slot 2 (visit.length_days absent), where its condition "
           "can be true");
}

/* f > 90 and f < 100 and owns_property, as carsc compiles a chain (both
 * jumps to the end); f < 10 or f > 90; not (f > 90 and g): true when f is
 * absent and g false (false wins under Kleene logic). */
static void test_jumps_merge(void **s)
{
    (void)s;
    static const int64_t k[] = {10, 91, 100};
    prog();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 90), tp_op(&T, CARS_OP_GT_I);
    uint32_t j1 = tp_jump(&T, CARS_OP_JUMP_IF_FALSE);
    tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 100), tp_op(&T, CARS_OP_LT_I), tp_op(&T, CARS_OP_AND);
    uint32_t j2 = tp_jump(&T, CARS_OP_JUMP_IF_FALSE);
    tp_op1(&T, CARS_OP_LOAD, F_PROPERTY), tp_op(&T, CARS_OP_AND);
    tp_patch(&T, j1), tp_patch(&T, j2);
    tp_op(&T, CARS_OP_RET), end();

    rule(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 10), tp_op(&T, CARS_OP_LT_I);
    j1 = tp_jump(&T, CARS_OP_JUMP_IF_TRUE);
    tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 90), tp_op(&T, CARS_OP_GT_I), tp_op(&T, CARS_OP_OR);
    tp_patch(&T, j1);
    tp_op(&T, CARS_OP_RET), end();

    rule(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 90), tp_op(&T, CARS_OP_GT_I);
    j1 = tp_jump(&T, CARS_OP_JUMP_IF_FALSE);
    tp_op1(&T, CARS_OP_LOAD, F_WAR), tp_op(&T, CARS_OP_AND);
    tp_patch(&T, j1);
    tp_op(&T, CARS_OP_NOT), tp_op(&T, CARS_OP_RET), end();

    index_i(F_LENGTH, k, 3); /* slots: 0..9, 10..90, 91..99, 100.., absent */
    needs_exactly(0, 0x04);
    needs_exactly(1, 0x0D);
    needs_exactly(2, 0x1F);
    bits(0, 0x04);
    clear(0, 2);
    expect("index 0 of stage 0 leaves out rule 0 (R-0) in slot 2 (values 91..99 of visit.length_days), where its "
           "condition can be true");
}

/* Two jumps to one target with different values below the top: [f < 10,
 * f < 5] jumps when f < 5; then [x, f > 90], x = f < 10 and not f < 5,
 * jumps there too; the target ANDs the two: true exactly when f < 5, so
 * the state of the first jump must survive the second's arriving. And a
 * chain `f < 10 or f = 50 or f > 90` (every jump to the end) is true in
 * each of its three slots. */
static void test_jumps_same_target(void **s)
{
    (void)s;
    static const int64_t k[] = {5, 10, 91};
    prog();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 10), tp_op(&T, CARS_OP_LT_I);
    tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 5), tp_op(&T, CARS_OP_LT_I);
    uint32_t j1 = tp_jump(&T, CARS_OP_JUMP_IF_TRUE);
    tp_op(&T, CARS_OP_AND); /* x: 5..9 */
    tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 90), tp_op(&T, CARS_OP_GT_I);
    uint32_t j2 = tp_jump(&T, CARS_OP_JUMP_IF_TRUE);
    tp_op(&T, CARS_OP_AND), tp_bool(&T, 0);
    tp_patch(&T, j1), tp_patch(&T, j2);
    tp_op(&T, CARS_OP_AND), tp_op(&T, CARS_OP_RET), end();
    index_i(F_LENGTH, k, 3); /* slots: 0..4, 5..9, 10..90, 91.., absent */
    needs_exactly(0, 0x01);

    static const int64_t k2[] = {10, 50, 51, 91};
    prog();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 10), tp_op(&T, CARS_OP_LT_I);
    j1 = tp_jump(&T, CARS_OP_JUMP_IF_TRUE);
    tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 50), tp_op(&T, CARS_OP_EQ_I), tp_op(&T, CARS_OP_OR);
    j2 = tp_jump(&T, CARS_OP_JUMP_IF_TRUE);
    tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 90), tp_op(&T, CARS_OP_GT_I), tp_op(&T, CARS_OP_OR);
    tp_patch(&T, j1), tp_patch(&T, j2);
    tp_op(&T, CARS_OP_RET), end();
    index_i(F_LENGTH, k2, 4); /* slots: 0..9, 10..49, 50, 51..90, 91.., absent */
    needs_exactly(0, 0x15);
}

/* Several RETs: f > 90 returns at once when not false, else its negation
 * is returned: known true for every present value, never when absent. A
 * jump always or never taken on a constant prunes the other path. */
static void test_rets_and_constants(void **s)
{
    (void)s;
    static const int64_t k[] = {91};
    prog();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 90), tp_op(&T, CARS_OP_GT_I);
    uint32_t j = tp_jump(&T, CARS_OP_JUMP_IF_FALSE);
    tp_op(&T, CARS_OP_RET);
    tp_patch(&T, j);
    tp_op(&T, CARS_OP_NOT), tp_op(&T, CARS_OP_RET), end();

    rule(), tp_bool(&T, 0); /* false: always jumps past the load */
    j = tp_jump(&T, CARS_OP_JUMP_IF_FALSE);
    tp_op1(&T, CARS_OP_LOAD, F_WAR), tp_op(&T, CARS_OP_AND);
    tp_patch(&T, j);
    tp_op(&T, CARS_OP_RET), end();

    rule(), tp_bool(&T, 1); /* true: never jumps, so g decides */
    j = tp_jump(&T, CARS_OP_JUMP_IF_FALSE);
    tp_op1(&T, CARS_OP_LOAD, F_WAR), tp_op(&T, CARS_OP_AND);
    tp_patch(&T, j);
    tp_op(&T, CARS_OP_RET), end();
    index_i(F_LENGTH, k, 1);
    needs_exactly(0, 0x3);
    needs_exactly(1, 0x0);
    needs_exactly(2, 0x7);
}

/* ---- against the VM ---- */

typedef struct gen {
    uint64_t seed;
    unsigned field; /* the field of a comparison: the indexed one, or one of fields[] */
    bool num;
    unsigned fields[4];
    int nfields; /* more than one: each leaf picks its field */
    int64_t ci[64];
    double cd[64];
    int nci, ncd;
    uint32_t sets[3];
} gen;

static unsigned rnd(gen *g, unsigned n)
{
    uint64_t z = (g->seed += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (unsigned)((z ^ (z >> 31)) % n);
}

static const double DPOOL[] = {-1.0, 0.0, 0.5, 1.0, 2.5, 3.0};

static int64_t int_const(gen *g)
{
    int64_t c = g->field == F_LENGTH ? (int64_t)rnd(g, 25) - 2 : (int64_t)rnd(g, 5) - 1;
    if (g->nci < 64)
        g->ci[g->nci++] = c;
    return c;
}

static void add_cd(gen *g, double d)
{
    if (g->ncd < 64)
        g->cd[g->ncd++] = d;
}

static double num_const(gen *g)
{
    double d = DPOOL[rnd(g, 6)];
    d = rnd(g, 3) == 0 ? next_up(d) : rnd(g, 3) == 0 ? next_down(d) : d;
    add_cd(g, d);
    return d;
}

/* The field compared with a constant, in a random form and order. */
static void gen_compare(gen *g)
{
    int op = (int)rnd(g, 6), first = (int)rnd(g, 2);
    bool fl = g->num || rnd(g, 4) == 0; /* an integer field through TO_NUM, sometimes */
    for (int side = 0; side < 2; side++) {
        if ((side == 0) == (first == 0)) {
            tp_op1(&T, CARS_OP_LOAD, g->field);
            if (fl && !g->num)
                tp_op(&T, CARS_OP_TO_NUM);
        } else if (!fl) {
            int64_t c = int_const(g);
            if (c < 0)
                tp_int(&T, -c), tp_op(&T, CARS_OP_NEG_I);
            else
                tp_int(&T, c);
        } else if (g->num && rnd(g, 4) == 0) {
            double d = (double)int_const(g);
            tp_int(&T, (int64_t)d), tp_op(&T, CARS_OP_TO_NUM);
            add_cd(g, d);
        } else {
            double d = g->num ? num_const(g) : (double)int_const(g) + (rnd(g, 2) ? 0.5 : 0.0);
            if (!g->num)
                add_cd(g, d);
            tp_num(&T, d);
        }
    }
    int opc = (fl ? CARS_OP_EQ_F : CARS_OP_EQ_I) + (first ? op : MIRROR[op]);
    tp_op(&T, opc);
}

static void gen_expr(gen *g, int depth)
{
    unsigned k = rnd(g, depth > 0 ? 12 : 6);
    if (g->nfields > 1) {
        g->field = g->fields[rnd(g, (unsigned)g->nfields)];
        g->num = g->field == F_COST;
    }
    switch (k) {
    case 0: case 1: gen_compare(g); return;
    case 2:
        tp_op1(&T, CARS_OP_LOAD, g->field);
        if (!g->num && rnd(g, 2))
            tp_op1(&T, CARS_OP_IN_SET, g->sets[rnd(g, 3)]);
        return;
    case 3: tp_op1(&T, CARS_OP_PRESENT, g->field); return;
    case 4: tp_op1(&T, CARS_OP_LOAD, g->field == F_PROPERTY || rnd(g, 2) ? F_WAR : F_PROPERTY); return; /* another field */
    case 5: tp_bool(&T, (int)rnd(g, 2)); return;
    case 6: gen_expr(g, depth - 1), tp_op(&T, CARS_OP_NOT); return;
    case 7: case 8: { /* and / or, short-circuit as carsc compiles them */
        bool and = k == 7;
        gen_expr(g, depth - 1);
        uint32_t j = tp_jump(&T, and ? CARS_OP_JUMP_IF_FALSE : CARS_OP_JUMP_IF_TRUE);
        gen_expr(g, depth - 1);
        tp_op(&T, and ? CARS_OP_AND : CARS_OP_OR);
        tp_patch(&T, j);
        return;
    }
    case 10: { /* a chain `a or b or c`, every jump to its end, as carsc compiles it */
        bool and = rnd(g, 2);
        uint32_t at[4];
        int n = 2 + (int)rnd(g, 3);
        gen_expr(g, depth - 1);
        for (int i = 0; i + 1 < n; i++) {
            at[i] = tp_jump(&T, and ? CARS_OP_JUMP_IF_FALSE : CARS_OP_JUMP_IF_TRUE);
            gen_expr(g, depth - 1);
            tp_op(&T, and ? CARS_OP_AND : CARS_OP_OR);
        }
        for (int i = 0; i + 1 < n; i++)
            tp_patch(&T, at[i]);
        return;
    }
    case 9: /* and / or without jumps */
        gen_expr(g, depth - 1), gen_expr(g, depth - 1), tp_op(&T, rnd(g, 2) ? CARS_OP_AND : CARS_OP_OR);
        return;
    default: /* 11: arithmetic on the field, compared */
        tp_op1(&T, CARS_OP_LOAD, g->field);
        if (g->num)
            tp_num(&T, 1.0), tp_op(&T, CARS_OP_ADD_F), tp_num(&T, num_const(g)), tp_op(&T, CARS_OP_GT_F);
        else
            tp_int(&T, 1), tp_op(&T, CARS_OP_ADD_I), tp_int(&T, int_const(g)), tp_op(&T, CARS_OP_GT_I);
        return;
    }
}

typedef struct slotv {
    int64_t lo, hi; /* integer slot, within the field's values */
    double dlo, dhi; /* number slot: [dlo, dhi) */
} slotv;

/* Field values in a slot at every edge a comparison with the constants can
 * see: the ends, and each constant and its neighbours inside. */
static int reps(const gen *g, slotv sv, int64_t *vi, double *vd)
{
    int n = 0;
    if (!g->num) {
        int64_t cand[200];
        int nc = 0;
        cand[nc++] = sv.lo, cand[nc++] = sv.hi;
        for (int i = 0; i < g->nci; i++)
            for (int d = -1; d <= 1; d++)
                cand[nc++] = g->ci[i] + d;
        for (int i = 0; i < nc; i++)
            if (cand[i] >= sv.lo && cand[i] <= sv.hi)
                vi[n++] = cand[i];
        return n;
    }
    double cand[400];
    int nc = 0;
    cand[nc++] = sv.dlo, cand[nc++] = next_down(sv.dhi), cand[nc++] = -0.0, cand[nc++] = 0.0;
    for (int i = 0; i < g->ncd; i++)
        cand[nc++] = g->cd[i], cand[nc++] = next_up(g->cd[i]), cand[nc++] = next_down(g->cd[i]);
    for (int i = 0; i < nc; i++)
        if (cand[i] >= sv.dlo && cand[i] < sv.dhi)
            vd[n++] = cand[i];
    return n;
}

/* Whether some record with the field's value among (vi or vd)[0..n) (or
 * absent when n < 0) makes rule 0 true, the other fields absent, false or
 * true. */
static bool can_be_true(cars_vm *vm, const gen *g, const int64_t *vi, const double *vd, int n)
{
    static cars_value v[F__N + 4];
    static cars_str str[F__N + 4];
    static cars_list lists[F__N + 4];
    cars_record rec = {v, str, lists, {NULL, 0}, false};
    for (int i = n < 0 ? -1 : 0; i < n || (n < 0 && i < 0); i++)
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) {
                memset(v, 0, sizeof v);
                v[F_WAR] = (cars_value){.i = a - 1, .known = a > 0};
                v[F_PROPERTY] = (cars_value){.i = b - 1, .known = b > 0};
                if (i >= 0) {
                    v[g->field].known = true;
                    if (g->num)
                        v[g->field].f = vd[i];
                    else
                        v[g->field].i = vi[i];
                } else {
                    v[g->field].known = false;
                }
                if (cars_vm_eval_rule(vm, &rec, 0) == 1)
                    return true;
            }
    return false;
}

static slotv slot_values(const gen *g, uint32_t j, int64_t dlo, int64_t dhi)
{
    uint32_t nk = X[0].nvalues;
    slotv sv = {j == 0 ? dlo : (int64_t)IW[j - 1], j == nk ? dhi : (int64_t)IW[j] - 1, -INFINITY, INFINITY};
    if (g->num) {
        if (j > 0)
            memcpy(&sv.dlo, &IW[j - 1], 8);
        if (j < nk)
            memcpy(&sv.dhi, &IW[j], 8);
    }
    sv.lo = sv.lo < dlo ? dlo : sv.lo;
    sv.hi = sv.hi > dhi ? dhi : sv.hi;
    return sv;
}

/* Random keys for g's field, ascending, into keys; how many. */
static uint32_t random_keys(gen *g, uint64_t *keys)
{
    uint32_t nk = 0;
    if (g->num) {
        for (int i = 0; i < 6; i++)
            if (rnd(g, 2)) {
                double d = DPOOL[i];
                d = rnd(g, 3) == 0 ? next_up(d) : d;
                memcpy(&keys[nk++], &d, 8);
            }
    } else {
        int top = g->field == F_LENGTH ? 22 : 4;
        for (int v = 0; v <= top && nk < 8; v++)
            if (rnd(g, g->field == F_LENGTH ? 4 : 2) == 0)
                keys[nk++] = (uint64_t)(int64_t)v;
    }
    return nk;
}

static void random_index(gen *g)
{
    uint64_t keys[8];
    uint32_t nk = random_keys(g, keys);
    index_on(g->field, g->num, keys, nk);
}

/* Random rules over a random index: for each slot, the rule left out of it;
 * whenever the verifier accepts that, no record in the slot makes the rule
 * true in the VM. */
static void test_random_against_vm(void **s)
{
    (void)s;
    static const unsigned fields[] = {F_LENGTH, F_COST, F_PROPERTY, F_ROUTE};
    static const int64_t dom[4][2] = {{0, INT64_MAX}, {0, 0}, {0, 1}, {0, M__N - 1}};
    gen g = {.seed = 47};
    int accepted = 0, refused = 0;
    for (int trial = 0; trial < 3000; trial++) {
        int fi = (int)rnd(&g, 4);
        g.field = fields[fi], g.num = g.field == F_COST, g.nci = g.ncd = 0;
        prog();
        static const int64_t sv0[] = {3, 4, 5, 9}, sv1[] = {0, 2}, sv2[] = {-1, 1, 7, 8, 20};
        g.sets[0] = tp_set(&T, sv0, 4), g.sets[1] = tp_set(&T, sv1, 2), g.sets[2] = tp_set(&T, sv2, 5);
        rule();
        gen_expr(&g, 4);
        tp_op(&T, CARS_OP_RET);
        end();
        random_index(&g);
        char err[512];
        if (cars_verify(&T.p, err, sizeof err) != 0)
            fail_msg("trial %d: every bit set, refused: %s", trial, err);
        cars_vm *vm = cars_vm_new(&T.p);
        assert_non_null(vm);
        for (uint32_t j = 0; j < X[0].nvalues + 2; j++) {
            bits(0, ~((uint64_t)1 << j));
            if (cars_verify(&T.p, err, sizeof err) != 0) {
                refused++;
                continue;
            }
            accepted++;
            int64_t vi[256];
            double vd[256];
            int n = j == X[0].nvalues + 1 ? -1 : reps(&g, slot_values(&g, j, dom[fi][0], dom[fi][1]), vi, vd);
            if (can_be_true(vm, &g, vi, vd, n))
                fail_msg("trial %d: the verifier accepts rule 0 left out of slot %u, where the VM finds it true",
                         trial, j);
        }
        cars_vm_free(vm);
    }
    print_message("random rules: %d slots left out accepted (never true there), %d refused\n", accepted, refused);
    assert_true(accepted > 2000 && refused > 2000);
}

/* ---- several indexes in one stage, two on the same field ---- */

static const unsigned MFIELDS[] = {F_LENGTH, F_COST, F_PROPERTY, F_LENGTH};

/* Values of field f for a record: its representatives in [lo, hi] (or
 * [dlo, dhi) for the number), then absent if `absent`. Returns how many;
 * *known says which are present. */
static int field_reps(gen *g, unsigned f, slotv sv, bool absent, int64_t *vi, double *vd, bool *known)
{
    g->field = f, g->num = f == F_COST;
    int n = reps(g, sv, vi, vd);
    for (int i = 0; i < n; i++)
        known[i] = true;
    if (absent)
        known[n] = false, vi[n] = 0, vd[n] = 0, n++;
    return n;
}

static slotv whole(unsigned f)
{
    return f == F_PROPERTY ? (slotv){0, 1, 0, 0} : (slotv){0, INT64_MAX, -INFINITY, INFINITY};
}

/* The slot j of index xi's values (keys at kw, nk of them). */
static slotv slot_of_index(unsigned f, const uint64_t *kw, uint32_t nk, uint32_t j)
{
    slotv all = whole(f), sv = {j == 0 ? all.lo : (int64_t)kw[j - 1], j == nk ? all.hi : (int64_t)kw[j] - 1,
                                -INFINITY, INFINITY};
    if (f == F_COST) {
        if (j > 0)
            memcpy(&sv.dlo, &kw[j - 1], 8);
        if (j < nk)
            memcpy(&sv.dhi, &kw[j], 8);
    }
    sv.lo = sv.lo < all.lo ? all.lo : sv.lo;
    sv.hi = sv.hi > all.hi ? all.hi : sv.hi;
    return sv;
}

/* Whether a record with index xi's field in slot j (or absent: j == nk + 1)
 * and the other fields at any of their representatives (or absent) makes
 * rule 0 true. */
static bool can_be_true_multi(cars_vm *vm, gen *g, int xi, uint32_t j)
{
    static const unsigned fs[] = {F_LENGTH, F_COST, F_PROPERTY, F_WAR};
    static int64_t vi[4][256];
    static double vd[4][256];
    static bool known[4][256];
    int n[4], at[4] = {0};
    unsigned f = MFIELDS[xi];
    for (int d = 0; d < 4; d++) {
        if (fs[d] != f)
            n[d] = field_reps(g, fs[d], fs[d] == F_WAR ? whole(F_PROPERTY) : whole(fs[d]), true, vi[d], vd[d],
                              known[d]);
        else if (j == X[xi].nvalues + 1)
            n[d] = 1, known[d][0] = false;
        else
            n[d] = field_reps(g, f, slot_of_index(f, IW + X[xi].words_first, X[xi].nvalues, j), false, vi[d],
                              vd[d], known[d]);
        if (n[d] == 0)
            return false; /* no value of the field falls in the slot */
    }
    static cars_value v[F__N + 4];
    static cars_str str[F__N + 4];
    static cars_list lists[F__N + 4];
    cars_record rec = {v, str, lists, {NULL, 0}, false};
    for (;;) {
        memset(v, 0, sizeof v);
        for (int d = 0; d < 4; d++) {
            v[fs[d]].known = known[d][at[d]];
            if (fs[d] == F_COST)
                v[fs[d]].f = vd[d][at[d]];
            else
                v[fs[d]].i = vi[d][at[d]];
        }
        if (cars_vm_eval_rule(vm, &rec, 0) == 1)
            return true;
        int d = 0;
        while (d < 4 && ++at[d] == n[d])
            at[d++] = 0;
        if (d == 4)
            return false;
    }
}

/* Random keys for the four indexes of MFIELDS, one rule: each slot of each
 * index left out in turn; whatever the verifier accepts, no record in it
 * makes the rule true. */
static void test_random_several_indexes(void **s)
{
    (void)s;
    gen g = {.seed = 1147, .fields = {F_LENGTH, F_COST, F_PROPERTY}, .nfields = 3};
    int accepted = 0, refused = 0;
    for (int trial = 0; trial < 150; trial++) {
        g.nci = g.ncd = 0;
        prog();
        static const int64_t sv0[] = {3, 4, 5, 9}, sv1[] = {0, 2}, sv2[] = {-1, 1, 7, 8, 20};
        g.sets[0] = tp_set(&T, sv0, 4), g.sets[1] = tp_set(&T, sv1, 2), g.sets[2] = tp_set(&T, sv2, 5);
        rule();
        gen_expr(&g, 4);
        tp_op(&T, CARS_OP_RET);
        end();
        tp_stage(&T, 0, 1);
        uint32_t at = 0;
        for (int xi = 0; xi < 4; xi++) { /* keys, then a bitset of the one rule per slot: all set */
            g.field = MFIELDS[xi], g.num = g.field == F_COST;
            uint32_t nk = random_keys(&g, IW + at);
            X[xi] = (cars_pindex){.stage = 0, .field = (uint16_t)g.field, .flags = g.num ? CARS_IX_NUMBER : 0,
                                  .nvalues = nk, .words_first = at};
            for (uint32_t j = 0; j < nk + 2; j++)
                IW[at + nk + j] = 1;
            at += 2 * nk + 2;
        }
        T.p.indexes = X, T.p.nindexes = 4;
        T.p.index_words = IW, T.p.nindex_words = at;
        T.code[T.blocks[0].offset + 5] = 4; /* EVAL_STAGE_INDEXED 0 0 4 */
        char err[512];
        if (cars_verify(&T.p, err, sizeof err) != 0)
            fail_msg("trial %d: every bit set, refused: %s", trial, err);
        cars_vm *vm = cars_vm_new(&T.p);
        assert_non_null(vm);
        for (int xi = 0; xi < 4; xi++)
            for (uint32_t j = 0; j < X[xi].nvalues + 2; j++) {
                uint64_t *bit = &IW[X[xi].words_first + X[xi].nvalues + j];
                *bit = 0;
                if (cars_verify(&T.p, err, sizeof err) != 0) {
                    refused++;
                } else {
                    accepted++;
                    if (can_be_true_multi(vm, &g, xi, j))
                        fail_msg("trial %d: the verifier accepts rule 0 left out of slot %u of index %d, where the "
                                 "VM finds it true", trial, j, xi);
                }
                *bit = 1;
            }
        cars_vm_free(vm);
    }
    print_message("several indexes: %d slots left out accepted (never true there), %d refused\n", accepted, refused);
    assert_true(accepted > 300 && refused > 300);
}

/* Jump targets pending at once: f > 90, then n JUMP_IF_FALSE each to its
 * own NOT (the last jump to the first NOT), then RET: true for every
 * present value, never when absent. Up to 256 waiting states are kept and
 * the proof is exact; beyond, a target's state is "anything" (sound, less
 * precise): with 300 the absent slot is wrongly thought possible. */
static void many_targets(int n)
{
    static const int64_t k[] = {91};
    prog();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 90), tp_op(&T, CARS_OP_GT_I);
    uint32_t at[300];
    for (int i = 0; i < n; i++)
        at[i] = tp_jump(&T, CARS_OP_JUMP_IF_FALSE);
    for (int i = n - 1; i >= 0; i--) {
        tp_patch(&T, at[i]);
        tp_op(&T, CARS_OP_NOT);
    }
    tp_op(&T, CARS_OP_RET), end();
    index_i(F_LENGTH, k, 1);
    ok();
    clear(0, 2);
}

static void test_many_targets(void **s)
{
    (void)s;
    many_targets(250);
    ok();
    many_targets(300);
    expect("index 0 of stage 0 leaves out rule 0 (R-0) in slot 2 (visit.length_days absent), where its condition "
           "can be true");
    cars_vm *vm = cars_vm_new(&T.p);
    gen g = {.field = F_LENGTH};
    assert_false(can_be_true(vm, &g, NULL, NULL, -1)); /* indeed never true when absent */
    cars_vm_free(vm);
}

/* Every allocation of the proof failing in turn: a clear message, no leak
 * (LeakSanitizer in the ASan build). */
static void test_alloc_failure(void **s)
{
    (void)s;
    static const int64_t k[] = {10, 91, 100};
    prog();
    rule(), tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 10), tp_op(&T, CARS_OP_LT_I);
    uint32_t j = tp_jump(&T, CARS_OP_JUMP_IF_TRUE);
    tp_op1(&T, CARS_OP_LOAD, F_LENGTH), tp_int(&T, 90), tp_op(&T, CARS_OP_GT_I), tp_op(&T, CARS_OP_OR);
    tp_patch(&T, j);
    tp_op(&T, CARS_OP_RET), end();
    index_i(F_LENGTH, k, 3);
    bits(0, 0x0D);
    bool done = false;
    long failures = 0;
    for (long n = 0; n < 40 && !done; n++) {
        char err[512];
        cars_alloc_count(1);
        cars_alloc_fail_after(n);
        int rc = cars_verify(&T.p, err, sizeof err);
        cars_alloc_fail_after(-1);
        if (rc == 0) {
            done = true;
            continue;
        }
        assert_string_equal(err, "out of memory verifying the program");
        failures++;
    }
    assert_true(done);
    assert_true(failures >= 4); /* the code check's two, then the proof's */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_slot),
        cmocka_unit_test(test_every_slot),
        cmocka_unit_test(test_absent_slot),
        cmocka_unit_test(test_two_indexes),
        cmocka_unit_test(test_compare_integer),
        cmocka_unit_test(test_compare_number),
        cmocka_unit_test(test_compare_converted),
        cmocka_unit_test(test_in_set),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_or_unpinned),
        cmocka_unit_test(test_jumps_merge),
        cmocka_unit_test(test_jumps_same_target),
        cmocka_unit_test(test_rets_and_constants),
        cmocka_unit_test(test_random_against_vm),
        cmocka_unit_test(test_random_several_indexes),
        cmocka_unit_test(test_many_targets),
        cmocka_unit_test(test_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

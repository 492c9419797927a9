/* test_opcodes.c - the opcode list (vm/opcodes.def) and what is generated
 * from it: every code, name, length and operand kind as the bundle format
 * (docs/bytecode.md) fixes them, written out here by hand, so that a line
 * of opcodes.def that changes an instruction's encoding fails this test;
 * the table and the interpreter's constants agree; the hole at 33 is no
 * opcode; and a line or a use that disagrees with the list does not
 * compile (this file compiled again with each MISMATCH_* defined must
 * fail, while it compiles as it is). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "opcodes.h"
#include "verify.h"

/* Each of these must not compile (t_mismatch_does_not_compile). */
#if defined(MISMATCH_WIDTH) /* the interpreter reads LOAD's u16 field as 8 bytes */
static size_t bad(void) { return CARS_OPND(LOAD, 1, 8); }
#elif defined(MISMATCH_OPERAND) /* an operand beyond LOOKUP1's two */
static size_t bad(void) { return CARS_OPND(LOOKUP1, 3, 2); }
#elif defined(MISMATCH_GAP) /* a line with an operand after `_` */
CARS_OPCODE_CHECK(50, BAD, _, FIELD, _, 0, 1, RE, NEXT, "x")
#elif defined(MISMATCH_JUMP) /* a JUMP that is not the first operand */
CARS_OPCODE_CHECK(50, BAD, FIELD, JUMP, _, 1, 1, RE, NEXT, "x")
#elif defined(MISMATCH_CODE) /* a code beyond the last line's */
CARS_OPCODE_CHECK(CARS_OP__COUNT, BAD, _, _, _, 0, 1, RE, NEXT, "x")
#elif defined(MISMATCH_STACK) /* a stack effect the verifier does not cover */
CARS_OPCODE_CHECK(50, BAD, _, _, _, 3, 1, RE, NEXT, "x")
#elif defined(MISMATCH_BODY) /* a quantifier body without its list */
CARS_OPCODE_CHECK(50, BAD, BODY, FIELD, _, 0, 1, R, NEXT, "x")
#endif

/* The encoding of every instruction, by hand: code, name, length, operand
 * kinds. The bundle format is this table; opcodes.def must generate it. */
static const struct {
    int code;
    const char *name;
    int len;
    uint8_t kind[3];
} FORMAT[] = {
    {0, "PUSH_INT", 9, {CARS_OK_INT}},
    {1, "PUSH_NUM", 9, {CARS_OK_NUM}},
    {2, "PUSH_BOOL", 2, {CARS_OK_BOOL}},
    {3, "LOAD", 3, {CARS_OK_VALUE}},
    {4, "LOAD_ELEM", 3, {CARS_OK_ELEMF}},
    {5, "PRESENT", 3, {CARS_OK_FIELD}},
    {6, "PRESENT_ELEM", 3, {CARS_OK_ELEMF}},
    {7, "TO_NUM", 1, {0}},
    {8, "ADD_I", 1, {0}},
    {9, "SUB_I", 1, {0}},
    {10, "MUL_I", 1, {0}},
    {11, "NEG_I", 1, {0}},
    {12, "ADD_F", 1, {0}},
    {13, "SUB_F", 1, {0}},
    {14, "MUL_F", 1, {0}},
    {15, "NEG_F", 1, {0}},
    {16, "ADD_DAYS", 1, {0}},
    {17, "YEAR", 1, {0}},
    {18, "YEARS_BETWEEN", 1, {0}},
    {19, "EQ_I", 1, {0}},
    {20, "NE_I", 1, {0}},
    {21, "LT_I", 1, {0}},
    {22, "LE_I", 1, {0}},
    {23, "GT_I", 1, {0}},
    {24, "GE_I", 1, {0}},
    {25, "EQ_F", 1, {0}},
    {26, "NE_F", 1, {0}},
    {27, "LT_F", 1, {0}},
    {28, "LE_F", 1, {0}},
    {29, "GT_F", 1, {0}},
    {30, "GE_F", 1, {0}},
    {31, "IN_SET", 3, {CARS_OK_SET}},
    {32, "STR_EQ", 5, {CARS_OK_STRF, CARS_OK_STRING}},
    {34, "LOOKUP1", 5, {CARS_OK_TABLE, CARS_OK_KEYF}},
    {35, "LOOKUP2", 7, {CARS_OK_TABLE, CARS_OK_KEYF, CARS_OK_KEYF}},
    {36, "NOT", 1, {0}},
    {37, "AND", 1, {0}},
    {38, "OR", 1, {0}},
    {39, "JUMP_IF_FALSE", 3, {CARS_OK_JUMP}},
    {40, "JUMP_IF_TRUE", 3, {CARS_OK_JUMP}},
    {41, "ANY", 5, {CARS_OK_BODY, CARS_OK_LIST}},
    {42, "ALL", 5, {CARS_OK_BODY, CARS_OK_LIST}},
    {43, "NONE", 5, {CARS_OK_BODY, CARS_OK_LIST}},
    {44, "COUNT", 5, {CARS_OK_BODY, CARS_OK_LIST}},
    {45, "RET", 1, {0}},
    {46, "EVAL_STAGE", 3, {CARS_OK_STAGE}},
    {47, "EVAL_STAGE_INDEXED", 7, {CARS_OK_STAGE, CARS_OK_INDEX, CARS_OK_NINDEX}},
    {48, "DECIDE_IF_MATCHED", 2, {CARS_OK_OUTCOME}},
    {49, "DECIDE_THRESHOLD", 5, {CARS_OK_THRESHOLD, CARS_OK_OUTCOME, CARS_OK_ELSE}},
    {50, "DECIDE", 2, {CARS_OK_OUTCOME}},
};
#define NFORMAT (sizeof FORMAT / sizeof FORMAT[0])

static void t_format(void **state)
{
    (void)state;
    assert_int_equal(CARS_OP__COUNT, 51); /* one past the last line's code */
    size_t k = 0;
    for (unsigned op = 0; op < 256; op++) {
        const cars_opinfo *info = cars_opinfo_of(op);
        if (k < NFORMAT && FORMAT[k].code == (int)op) {
            assert_non_null(info);
            assert_string_equal(info->name, FORMAT[k].name);
            assert_int_equal(info->len, FORMAT[k].len);
            for (int i = 0; i < CARS_OP_MAX_OPERANDS; i++)
                assert_int_equal(info->kind[i], FORMAT[k].kind[i]);
            k++;
        } else {
            assert_null(info); /* 33 (STR_EQ_ELEM's), and every code from 51 */
        }
    }
    assert_int_equal(k, NFORMAT);
}

/* Per opcode: the constants the interpreter steps by and reads operands
 * at are the table's, and both agree with the kinds' widths. */
static void t_generated_agree(void **state)
{
    (void)state;
#define X(code, name, a, b, c, npop, npush, in, flow, doc) \
    do { \
        const cars_opinfo *info = &cars_opinfo_table[CARS_OP_##name]; \
        assert_int_equal(CARS_OP_##name, code); \
        assert_int_equal(CARS_OPLEN_##name, info->len); \
        int at = 1, n = 0; \
        const int off[3] = {CARS_OPND_##name##_1, CARS_OPND_##name##_2, CARS_OPND_##name##_3}; \
        const int width[3] = {CARS_OPNW_##name##_1, CARS_OPNW_##name##_2, CARS_OPNW_##name##_3}; \
        for (int i = 0; i < CARS_OP_MAX_OPERANDS; i++) { \
            assert_int_equal(off[i], at); \
            assert_int_equal(width[i], cars_operand_width[info->kind[i]]); \
            if (info->kind[i]) \
                assert_int_equal(info->off[i], at), n++; \
            at += width[i]; \
        } \
        assert_int_equal(at, info->len); \
        assert_int_equal(n, info->noperands); \
        assert_int_equal(info->pop, npop); \
        assert_int_equal(info->push, npush); \
        assert_true(strlen(info->meaning) > 0); \
    } while (0);
#include "opcodes.def"
#undef X
}

/* The routing instructions are exactly the MAIN ones, and the terminators
 * RET, DECIDE and DECIDE_THRESHOLD; only the jumps jump. */
static void t_sets(void **state)
{
    (void)state;
    for (unsigned op = 0; op < CARS_OP__COUNT; op++) {
        const cars_opinfo *info = cars_opinfo_of(op);
        if (!info)
            continue;
        bool routes = op >= CARS_OP_EVAL_STAGE && op <= CARS_OP_DECIDE;
        assert_int_equal(cars_op_routes(info), routes);
        assert_int_equal(cars_op_ends(info), op == CARS_OP_RET || op == CARS_OP_DECIDE || op == CARS_OP_DECIDE_THRESHOLD);
        assert_int_equal((info->flow & CARS_FLOW_JUMPS) != 0,
                         op == CARS_OP_JUMP_IF_FALSE || op == CARS_OP_JUMP_IF_TRUE);
        assert_int_equal(info->in == CARS_IN_E, op == CARS_OP_LOAD_ELEM || op == CARS_OP_PRESENT_ELEM);
        assert_int_equal(info->in == CARS_IN_R, op >= CARS_OP_ANY && op <= CARS_OP_COUNT);
    }
    uint8_t q[9] = {CARS_OP_DECIDE_THRESHOLD, 0x34, 0x12, 3, 4};
    const cars_opinfo *t = cars_opinfo_of(CARS_OP_DECIDE_THRESHOLD);
    assert_int_equal(cars_operand(t, q, 0), 0x1234);
    assert_int_equal(cars_operand(t, q, 1), 3);
    assert_int_equal(cars_operand(t, q, 2), 4);
}

/* Compiles this file with cc -fsyntax-only, with `define` (or none). */
static int compiles(const char *define)
{
    const char *cc = getenv("CC");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s -std=c11 -fsyntax-only -Ivm %s%s tests/unit/test_opcodes.c 2>/dev/null",
             cc && *cc ? cc : "cc", define ? "-D" : "", define ? define : "");
    return system(cmd) == 0;
}

static void t_mismatch_does_not_compile(void **state)
{
    (void)state;
    if (!compiles(NULL)) { /* no compiler here (or not run from the tree's root): nothing to prove */
        skip();
        return;
    }
    static const char *const mismatch[] = {"MISMATCH_WIDTH", "MISMATCH_OPERAND", "MISMATCH_GAP", "MISMATCH_JUMP",
                                           "MISMATCH_CODE", "MISMATCH_STACK", "MISMATCH_BODY"};
    for (size_t i = 0; i < sizeof mismatch / sizeof mismatch[0]; i++)
        if (compiles(mismatch[i]))
            fail_msg("%s compiled", mismatch[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_format),
        cmocka_unit_test(t_generated_agree),
        cmocka_unit_test(t_sets),
        cmocka_unit_test(t_mismatch_does_not_compile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

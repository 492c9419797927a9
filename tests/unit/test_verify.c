/* test_verify.c - one negative test per verifier rule, each asserting the
 * exact error message; plus the positive case (the standard test program
 * verifies) and the loader's refusal of a program the verifier rejects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "alloc.h"
#include "bundle_write.h"
#include "loader.h"
#include "testprog.h"
#include "verify.h"

static tp T;

static void expect(const char *msg)
{
    char err[512];
    assert_int_equal(cars_verify(&T.p, err, sizeof err), -1);
    assert_string_equal(err, msg);
}

/* A minimal program: MAIN (offset 0: EVAL_STAGE 0; DECIDE_IF_MATCHED CXDR;
 * DECIDE NCXDR) and one RULE block starting at offset 7, whose code the
 * test emits, ending with tp_end_rule(). */
static void mini(void)
{
    tp_init(&T);
    tp_begin(&T, CARS_BK_MAIN, 0);
    T.blocks[0].max_stack = 0;
    tp_op1(&T, CARS_OP_EVAL_STAGE, 0), tp_op(&T, CARS_OP_DECIDE_IF_MATCHED), tp_u8(&T, CARS_OUT_CXDR);
    tp_op(&T, CARS_OP_DECIDE), tp_u8(&T, CARS_OUT_NCXDR);
    tp_end(&T);
    tp_begin(&T, CARS_BK_RULE, 0);
}
static void end_rule(void)
{
    tp_rule(&T, TP_S("R-1"), TP_S("rule one"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(&T));
    tp_stage(&T, 0, 1);
}

static void test_ok(void **s)
{
    (void)s;
    char err[512];
    tp_standard(&T);
    assert_int_equal(cars_verify(&T.p, err, sizeof err), 0);
    mini();
    tp_bool(&T, 1), tp_op(&T, CARS_OP_RET);
    end_rule();
    assert_int_equal(cars_verify(&T.p, err, sizeof err), 0);
}

/* ---- schema and data ---- */
static void test_field_type(void **s)
{
    (void)s;
    tp_standard(&T);
    T.fields[F_LENGTH].type = 42;
    expect("field 9 (visit.length_days): unknown type 42");
}
static void test_enum_members(void **s)
{
    (void)s;
    tp_standard(&T);
    T.fields[F_ROUTE].members_n = 9;
    expect("field 2 (route): members 0+9 out of range (3 members)");
}
static void test_list_elems(void **s)
{
    (void)s;
    tp_standard(&T);
    T.fields[F_TRAVEL].elems_first = 2;
    expect("field 12 (travel_history): element fields 2+3 out of range (3 element fields)");
}
static void test_elem_type(void **s)
{
    (void)s;
    tp_standard(&T);
    T.elems[E_YEAR].type = CARS_FT_STRING;
    expect("element field 1 (year): type string is not allowed in a list element");
}
static void test_version(void **s)
{
    (void)s;
    tp_standard(&T);
    T.p.version = 0; /* a program built by hand must say which rules it follows */
    expect("unknown format version 0");
    T.p.version = 6;
    expect("unknown format version 6");
}
static void test_field_kind(void **s)
{
    (void)s;
    tp_standard(&T);
    T.fields[F_PHONE].kind = 4;
    expect("field 8 (contact.phone): unknown kind 4");
    T.fields[F_PHONE].kind = CARS_FK_PHONE;
    T.fields[F_RECEIVED].kind = CARS_FK_DOCUMENT;
    expect("field 1 (received): kind document is only for string fields, not date");
    T.fields[F_RECEIVED].kind = CARS_FK_PLAIN;
    T.p.version = 2;
    expect("field 7 (contact.email): kind email needs format version 3 (this is version 2)");
}
static void test_elem_kind(void **s)
{
    (void)s;
    tp_standard(&T);
    T.elems[E_YEAR].kind = CARS_FK_PHONE;
    expect("element field 1 (year): kind phone is only for string fields, not integer");
}
static void test_set_order(void **s)
{
    (void)s;
    tp_standard(&T);
    T.set_vals[1][0] = T.set_vals[1][1];
    expect("set 1: values not strictly ascending at position 1");
}
static void test_table_keys(void **s)
{
    (void)s;
    tp_standard(&T);
    T.tables[0].nkeys = 3;
    expect("table 0 (false_documents): 3 key columns (must be 1 or 2)");
}
static void test_table_kind(void **s)
{
    (void)s;
    tp_standard(&T);
    T.tables[1].key_kinds[0] = 9;
    expect("table 1 (false_contacts): unknown key kind 9");
}
static void test_table_order(void **s)
{
    (void)s;
    tp_standard(&T);
    T.hashes[0][1] = T.hashes[0][0];
    expect("table 0 (false_documents): hashes not strictly ascending at entry 1");
}
static void test_tiers(void **s)
{
    (void)s;
    tp_standard(&T);
    T.p.ntiers = 9;
    expect("9 tiers (at most 8)");
}

/* ---- blocks and line table ---- */
static void test_no_blocks(void **s)
{
    (void)s;
    tp_standard(&T);
    T.p.nblocks = 0;
    expect("the program has no blocks");
}
static void test_block_kind(void **s)
{
    (void)s;
    tp_standard(&T);
    T.blocks[3].kind = 7;
    expect("block 3: unknown kind 7");
}
static void test_main_first(void **s)
{
    (void)s;
    tp_standard(&T);
    T.blocks[0].kind = CARS_BK_RULE;
    expect("block 0 is not the MAIN block");
}
static void test_second_main(void **s)
{
    (void)s;
    tp_standard(&T);
    T.blocks[4].kind = CARS_BK_MAIN;
    expect("block 4 is a second MAIN block");
}
static void test_empty_block(void **s)
{
    (void)s;
    tp_standard(&T);
    T.blocks[2].len = 0;
    expect("block 2 is empty");
}
static void test_block_bounds(void **s)
{
    (void)s;
    tp_standard(&T);
    T.blocks[1].len = T.p.code_len;
    char msg[200];
    snprintf(msg, sizeof msg, "block 1: code 0+%u out of bounds (%u bytes of code)", T.p.code_len + 0, T.p.code_len);
    T.blocks[1].offset = 1;
    snprintf(msg, sizeof msg, "block 1: code 1+%u out of bounds (%u bytes of code)", T.p.code_len, T.p.code_len);
    expect(msg);
}
static void test_max_stack_limit(void **s)
{
    (void)s;
    tp_standard(&T);
    T.blocks[5].max_stack = 257;
    expect("block 5: declared max_stack 257 exceeds 256");
}
static void test_elem_list(void **s)
{
    (void)s;
    tp_standard(&T);
    T.blocks[6].list = F_WAR;
    expect("block 6: ELEM block over field 13, which is not a list");
}
static void test_line_bounds(void **s)
{
    (void)s;
    tp_standard(&T);
    T.lines[2].offset = T.p.code_len;
    char msg[200];
    snprintf(msg, sizeof msg, "line table entry 2: offset %u out of bounds (%u bytes of code)", T.p.code_len,
             T.p.code_len);
    expect(msg);
}
static void test_line_order(void **s)
{
    (void)s;
    tp_standard(&T);
    T.lines[3].offset = 0;
    expect("line table entry 3: offsets not ascending");
}
static void test_line_file(void **s)
{
    (void)s;
    tp_standard(&T);
    T.lines[0].file = 1;
    expect("line table entry 0: source file 1 out of range (1 files)");
}

/* ---- rules, stages, thresholds ---- */
static void test_rule_kind(void **s)
{
    (void)s;
    tp_standard(&T);
    T.rules[3].kind = 6;
    expect("rule 3 (S-CX-1): unknown kind 6");
}
static void test_rule_block_range(void **s)
{
    (void)s;
    tp_standard(&T);
    T.rules[0].block = 99;
    expect("rule 0 (SCOPE-1): block 99 out of range (14 blocks)");
}
static void test_rule_block_kind(void **s)
{
    (void)s;
    tp_standard(&T);
    T.rules[0].block = 6;
    expect("rule 0 (SCOPE-1): block 6 is not a RULE block");
}
static void test_rule_tier(void **s)
{
    (void)s;
    tp_standard(&T);
    T.rules[7].tier = 2;
    expect("rule 7 (M-A2): tier 2 out of range (2 tiers)");
}
static void test_stage_range(void **s)
{
    (void)s;
    tp_standard(&T);
    T.stages[4].n = 5;
    expect("stage 4: rules 6+5 out of range (10 stage rules)");
}
static void test_stage_rule_range(void **s)
{
    (void)s;
    tp_standard(&T);
    T.stage_rules[9] = 10;
    expect("stage 4: rule 10 out of range (10 rules)");
}
static void test_stage_order(void **s)
{
    (void)s;
    tp_standard(&T);
    T.stage_rules[2] = 1;
    expect("stage 1: rule list not ascending at position 1");
}
static void test_threshold_tier(void **s)
{
    (void)s;
    tp_standard(&T);
    T.thresholds[0].tier_min[2] = 1;
    expect("threshold 0 (MPCA): condition on tier 2, which does not exist (2 tiers)");
}

/* ---- code ---- */
static void test_unknown_opcode(void **s)
{
    (void)s;
    mini();
    tp_u8(&T, 200), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: unknown opcode 200");
}
static void test_truncated_instruction(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1), tp_op(&T, CARS_OP_RET), tp_op(&T, CARS_OP_LOAD), tp_u8(&T, 0);
    end_rule();
    expect("block 1 at offset 10: LOAD runs past the end of the block (ends at 12)");
}
static void test_main_only_routing(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1), tp_op(&T, CARS_OP_RET);
    end_rule();
    T.code[0] = CARS_OP_PUSH_BOOL;
    expect("block 0 at offset 0: PUSH_BOOL is not a routing instruction (MAIN block)");
}
static void test_routing_outside_main(void **s)
{
    (void)s;
    mini();
    tp_op1(&T, CARS_OP_EVAL_STAGE, 0), tp_bool(&T, 1), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: EVAL_STAGE is only allowed in the MAIN block");
}
static void test_push_bool(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 2), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: PUSH_BOOL operand 2 is not 0 or 1");
}
static void test_load_range(void **s)
{
    (void)s;
    mini();
    tp_op1(&T, CARS_OP_LOAD, 99), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: LOAD field 99 out of range (14 fields)");
}
static void test_load_not_read(void **s)
{
    (void)s;
    mini();
    T.fields[F_WAR].flags &= (uint8_t)~CARS_FF_READ;
    tp_op1(&T, CARS_OP_LOAD, F_WAR), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: LOAD field 13 (criminality.war_crimes) is not marked read");
}
static void test_load_string(void **s)
{
    (void)s;
    mini();
    tp_op1(&T, CARS_OP_LOAD, F_EMAIL), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: LOAD field 7 (contact.email): a string field cannot be loaded");
}
static void test_load_elem_outside(void **s)
{
    (void)s;
    mini();
    tp_op1(&T, CARS_OP_LOAD_ELEM, 0), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: LOAD_ELEM outside an ELEM block");
}
/* A RULE block with ANY over travel_history whose ELEM body the test emits. */
static void elem_body(void)
{
    mini();
    tp_op2(&T, CARS_OP_ANY, 2, F_TRAVEL), tp_op(&T, CARS_OP_RET); /* offset 7..12 */
    end_rule();
    tp_begin(&T, CARS_BK_ELEM, F_TRAVEL); /* block 2 at offset 13 */
}
static void test_load_elem_range(void **s)
{
    (void)s;
    elem_body();
    tp_op1(&T, CARS_OP_LOAD_ELEM, 3), tp_op(&T, CARS_OP_RET);
    tp_end(&T);
    expect("block 2 at offset 13: LOAD_ELEM element field 3 out of range (list travel_history has 3 element fields)");
}
static void test_in_set_range(void **s)
{
    (void)s;
    mini();
    tp_int(&T, 1), tp_op1(&T, CARS_OP_IN_SET, 0), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 16: IN_SET set 0 out of range (0 sets)");
}
static void test_str_eq_type(void **s)
{
    (void)s;
    mini();
    tp_op2(&T, CARS_OP_STR_EQ, F_WAR, 0), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: STR_EQ field 13 (criminality.war_crimes) is a bool, not a string");
}
static void test_str_eq_const(void **s)
{
    (void)s;
    mini();
    tp_op2(&T, CARS_OP_STR_EQ, F_EMAIL, 0), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: STR_EQ string constant 0 out of range (0 strings)");
}
/* 33 was STR_EQ_ELEM, reserved and never emitted: a hole in the numbering
 * now, refused as any unknown opcode is. */
static void test_str_eq_elem(void **s)
{
    (void)s;
    mini();
    tp_op2(&T, 33, 0, 0), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: unknown opcode 33");
}
/* Branch coverage (make coverage): the remaining verifier branches. */
static void test_no_err_buffer(void **s)
{
    (void)s;
    tp_standard(&T);
    T.fields[F_LENGTH].type = 42;
    assert_int_equal(cars_verify(&T.p, NULL, 0), -1);
}
static void test_elem_type_unknown(void **s)
{
    (void)s;
    tp_standard(&T);
    T.elems[E_YEAR].type = 42;
    expect("element field 1 (year): type ? is not allowed in a list element");
}
static void test_elem_enum_empty(void **s)
{
    (void)s;
    tp_standard(&T);
    T.elems[E_YEAR].type = CARS_FT_ENUM;
    T.elems[E_YEAR].members_n = 0;
    expect("element field 1 (year): members 0+0 out of range (3 members)");
}
static void test_elem_type_zero_and_list(void **s)
{
    (void)s;
    tp_standard(&T);
    T.elems[E_YEAR].type = 0;
    expect("element field 1 (year): type ? is not allowed in a list element");
    tp_standard(&T);
    T.elems[E_YEAR].type = CARS_FT_LIST;
    expect("element field 1 (year): type list is not allowed in a list element");
}
static void test_elem_enum_range(void **s)
{
    (void)s;
    char err[512];
    tp_standard(&T);
    T.elems[E_YEAR].type = CARS_FT_ENUM; /* in range: accepted */
    T.elems[E_YEAR].members_first = 0;
    T.elems[E_YEAR].members_n = 3;
    assert_int_equal(cars_verify(&T.p, err, sizeof err), 0);
    tp_standard(&T);
    T.elems[E_YEAR].type = CARS_FT_ENUM;
    T.elems[E_YEAR].members_first = 2;
    T.elems[E_YEAR].members_n = 2;
    expect("element field 1 (year): members 2+2 out of range (3 members)");
}
static void test_str_eq_field(void **s)
{
    (void)s;
    mini();
    tp_op2(&T, CARS_OP_STR_EQ, 99, 0), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: STR_EQ field 99 out of range (14 fields)");
}
static const char *const one[] = {"x"};
static void test_lookup_table_range(void **s)
{
    (void)s;
    mini();
    tp_op2(&T, CARS_OP_LOOKUP1, 0, F_EMAIL), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: LOOKUP1 table 0 out of range (0 tables)");
}
static void test_lookup_arity(void **s)
{
    (void)s;
    mini();
    tp_table(&T, TP_S("t"), 2, CARS_KEY_COUNTRY, CARS_KEY_DOCUMENT, one, 1);
    tp_op2(&T, CARS_OP_LOOKUP1, 0, F_EMAIL), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: LOOKUP1 table 0 (t) has 2 key columns, not 1");
}
static void test_lookup_field_type(void **s)
{
    (void)s;
    mini();
    tp_table(&T, TP_S("t"), 1, CARS_KEY_TEXT, 0, one, 1);
    tp_op2(&T, CARS_OP_LOOKUP1, 0, F_RECEIVED), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: LOOKUP1 field 1 (received) is a date, not a string or country");
}
static void test_lookup_kind(void **s)
{
    (void)s;
    mini();
    tp_table(&T, TP_S("t"), 2, CARS_KEY_DOCUMENT, CARS_KEY_DOCUMENT, one, 1);
    tp_op(&T, CARS_OP_LOOKUP2), tp_u16(&T, 0), tp_u16(&T, F_PASSCTRY), tp_u16(&T, F_PASSNO), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: LOOKUP2 column 1 of table t is a document key but field "
           "applicant.passport.issuing_country is a country");
}
/* Format version 3: a contact column needs an email or phone field; an
 * email, phone or document column a plain field or one of its kind; a text
 * column a plain field. Versions 1 and 2 (no kinds) look any string up. */
static void lookup_kinds(uint8_t col, uint8_t kind, uint16_t version)
{
    mini();
    T.p.version = version;
    T.fields[F_EMAIL].kind = kind;
    tp_table(&T, TP_S("t"), 1, col, 0, one, 1);
    tp_op2(&T, CARS_OP_LOOKUP1, 0, F_EMAIL), tp_op(&T, CARS_OP_RET);
    end_rule();
}
static void test_lookup_field_kind(void **s)
{
    (void)s;
    char err[512];
    lookup_kinds(CARS_KEY_CONTACT, CARS_FK_PLAIN, 3);
    expect("block 1 at offset 7: LOOKUP1 column 1 of table t (key kind contact) cannot look up field contact.email "
           "(kind plain)");
    lookup_kinds(CARS_KEY_CONTACT, CARS_FK_DOCUMENT, 3);
    expect("block 1 at offset 7: LOOKUP1 column 1 of table t (key kind contact) cannot look up field contact.email "
           "(kind document)");
    lookup_kinds(CARS_KEY_EMAIL, CARS_FK_PHONE, 3);
    expect("block 1 at offset 7: LOOKUP1 column 1 of table t (key kind email) cannot look up field contact.email "
           "(kind phone)");
    lookup_kinds(CARS_KEY_DOCUMENT, CARS_FK_EMAIL, 3);
    expect("block 1 at offset 7: LOOKUP1 column 1 of table t (key kind document) cannot look up field contact.email "
           "(kind email)");
    lookup_kinds(CARS_KEY_TEXT, CARS_FK_EMAIL, 3);
    expect("block 1 at offset 7: LOOKUP1 column 1 of table t (key kind text) cannot look up field contact.email "
           "(kind email)");
    static const uint8_t ok[][2] = {
        {CARS_KEY_CONTACT, CARS_FK_EMAIL}, {CARS_KEY_CONTACT, CARS_FK_PHONE}, {CARS_KEY_EMAIL, CARS_FK_EMAIL},
        {CARS_KEY_EMAIL, CARS_FK_PLAIN},   {CARS_KEY_PHONE, CARS_FK_PHONE},   {CARS_KEY_PHONE, CARS_FK_PLAIN},
        {CARS_KEY_DOCUMENT, CARS_FK_DOCUMENT}, {CARS_KEY_DOCUMENT, CARS_FK_PLAIN}, {CARS_KEY_TEXT, CARS_FK_PLAIN},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        lookup_kinds(ok[i][0], ok[i][1], 3);
        assert_int_equal(cars_verify(&T.p, err, sizeof err), 0);
    }
    for (uint16_t v = 1; v <= 2; v++) {
        lookup_kinds(CARS_KEY_CONTACT, CARS_FK_PLAIN, v);
        T.fields[F_PHONE].kind = CARS_FK_PLAIN;
        assert_int_equal(cars_verify(&T.p, err, sizeof err), 0);
    }
}
static void test_quantifier_outside_rule(void **s)
{
    (void)s;
    elem_body();
    tp_op2(&T, CARS_OP_COUNT, 2, F_TRAVEL), tp_op(&T, CARS_OP_RET);
    tp_end(&T);
    expect("block 2 at offset 13: COUNT is only allowed in a RULE block (quantifiers do not nest)");
}
static void test_quantifier_list(void **s)
{
    (void)s;
    mini();
    tp_op2(&T, CARS_OP_ALL, 2, F_WAR), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: ALL over field 13, which is not a list");
}
static void test_quantifier_block_range(void **s)
{
    (void)s;
    mini();
    tp_op2(&T, CARS_OP_ANY, 5, F_TRAVEL), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: ANY block 5 out of range (2 blocks)");
}
static void test_quantifier_block_kind(void **s)
{
    (void)s;
    mini();
    tp_op2(&T, CARS_OP_NONE, 1, F_TRAVEL), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 7: NONE body block 1 is not an ELEM block");
}
static void test_quantifier_block_list(void **s)
{
    (void)s;
    elem_body();
    tp_bool(&T, 1), tp_op(&T, CARS_OP_RET);
    tp_end(&T);
    T.fields[F__N] = (cars_pfield){.path = TP_S("other"), .type = CARS_FT_LIST, .flags = CARS_FF_READ, .elems_n = 3};
    T.p.nfields = F__N + 1;
    T.blocks[2].list = F__N;
    expect("block 1 at offset 7: ANY body block 2 iterates field 14, not field 12");
}
static void test_eval_stage_range(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1), tp_op(&T, CARS_OP_RET);
    end_rule();
    T.code[1] = 3;
    expect("block 0 at offset 0: EVAL_STAGE stage 3 out of range (1 stages)");
}
static void test_decide_before_stage(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1), tp_op(&T, CARS_OP_RET);
    end_rule();
    T.code[0] = CARS_OP_DECIDE_IF_MATCHED, T.code[1] = 0, T.code[2] = CARS_OP_DECIDE_IF_MATCHED; /* 2 + 2 bytes */
    T.code[3] = 0, T.code[4] = CARS_OP_DECIDE_IF_MATCHED;
    expect("block 0 at offset 0: DECIDE_IF_MATCHED before any EVAL_STAGE");
}
static void test_outcome_range(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1), tp_op(&T, CARS_OP_RET);
    end_rule();
    T.code[6] = CARS_OUT_ERROR;
    expect("block 0 at offset 5: DECIDE outcome 5 out of range");
}
static void test_threshold_range(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1), tp_op(&T, CARS_OP_RET);
    end_rule();
    /* MAIN: EVAL_STAGE 0 (3) ; DECIDE_THRESHOLD 0 O O (5) = 8 bytes: rebuild */
    tp_init(&T);
    tp_begin(&T, CARS_BK_MAIN, 0);
    tp_op1(&T, CARS_OP_EVAL_STAGE, 0), tp_op(&T, CARS_OP_DECIDE_THRESHOLD), tp_u16(&T, 0), tp_u8(&T, 1), tp_u8(&T, 3);
    tp_end(&T);
    tp_begin(&T, CARS_BK_RULE, 0);
    tp_bool(&T, 1), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 0 at offset 3: DECIDE_THRESHOLD threshold 0 out of range (0 thresholds)");
}
static void test_decide_not_last(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1), tp_op(&T, CARS_OP_RET);
    end_rule();
    T.code[3] = CARS_OP_DECIDE; /* DECIDE_IF_MATCHED becomes DECIDE, then another DECIDE */
    expect("block 0 at offset 3: DECIDE is not the last instruction of the MAIN block");
}
static void test_main_falls_off(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1), tp_op(&T, CARS_OP_RET);
    end_rule();
    T.blocks[0].len = 5;
    expect("block 0 at offset 3: DECIDE_IF_MATCHED ends the MAIN block without DECIDE or DECIDE_THRESHOLD");
}
static void test_rule_falls_off(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1), tp_bool(&T, 1), tp_op(&T, CARS_OP_AND);
    end_rule();
    expect("block 1 at offset 11: AND ends the block without RET");
}
static void test_underflow(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1), tp_op(&T, CARS_OP_AND), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 9: AND needs 2 values but the stack holds 1");
}
static void test_ret_depth(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1), tp_bool(&T, 1), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 11: RET with stack depth 2 (must be 1)");
}
static void test_max_stack(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1), tp_bool(&T, 1), tp_op(&T, CARS_OP_AND), tp_op(&T, CARS_OP_RET);
    end_rule();
    T.blocks[1].max_stack = 1;
    expect("block 1 at offset 9: PUSH_BOOL raises the stack depth to 2, beyond the declared max_stack 1");
}
static void test_jump_outside(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1);
    uint32_t j = tp_jump(&T, CARS_OP_JUMP_IF_FALSE);
    tp_op(&T, CARS_OP_RET);
    tp_patch(&T, j);
    end_rule();
    expect("block 1 at offset 9: JUMP_IF_FALSE jumps to offset 13, outside the block (ends at 13)");
}
static void test_jump_mid_instruction(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1);
    tp_op(&T, CARS_OP_JUMP_IF_TRUE), tp_u16(&T, 1); /* into PUSH_BOOL's operand */
    tp_bool(&T, 1), tp_op(&T, CARS_OP_AND), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1: a jump lands at offset 13, inside an instruction");
}
static void test_jump_depth_mismatch(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1);
    uint32_t j = tp_jump(&T, CARS_OP_JUMP_IF_FALSE);
    tp_bool(&T, 1); /* falls through with depth 2 */
    tp_patch(&T, j);
    tp_op(&T, CARS_OP_AND), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 12: PUSH_BOOL reaches offset 14 with stack depth 2, another path with 1");
}
static void test_unreachable(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1), tp_op(&T, CARS_OP_RET), tp_bool(&T, 1), tp_op(&T, CARS_OP_RET);
    end_rule();
    expect("block 1 at offset 10: PUSH_BOOL is unreachable");
}


static void test_elem_enum_members(void **s)
{
    (void)s;
    tp_standard(&T);
    T.elems[E_YEAR].type = CARS_FT_ENUM;
    T.elems[E_YEAR].members_first = 2;
    T.elems[E_YEAR].members_n = 2;
    expect("element field 1 (year): members 2+2 out of range (3 members)");
}
static void test_quantifier_list_not_read(void **s)
{
    (void)s;
    elem_body();
    tp_bool(&T, 1), tp_op(&T, CARS_OP_RET);
    tp_end(&T);
    T.fields[F_TRAVEL].flags &= (uint8_t)~CARS_FF_READ;
    expect("block 1 at offset 7: ANY field 12 (travel_history) is not marked read");
}
static void test_threshold_before_stage(void **s)
{
    (void)s;
    tp_init(&T);
    tp_begin(&T, CARS_BK_MAIN, 0);
    tp_op(&T, CARS_OP_DECIDE_THRESHOLD), tp_u16(&T, 0), tp_u8(&T, 1), tp_u8(&T, 3);
    tp_end(&T);
    T.p.nthresholds = 1;
    expect("block 0 at offset 0: DECIDE_THRESHOLD before any EVAL_STAGE");
}
static void test_threshold_outcome(void **s)
{
    (void)s;
    tp_standard(&T);
    T.code[T.blocks[0].offset + T.blocks[0].len - 1] = 9; /* DECIDE_THRESHOLD's second outcome */
    char msg[200];
    snprintf(msg, sizeof msg, "block 0 at offset %u: DECIDE_THRESHOLD outcome 9 out of range",
             T.blocks[0].offset + T.blocks[0].len - 5);
    expect(msg);
}
static void test_jumps_disagree(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 1);                                            /* 7: depth 1 */
    uint32_t j1 = tp_jump(&T, CARS_OP_JUMP_IF_FALSE);          /* 9 */
    tp_bool(&T, 1);                                            /* 12: depth 2 */
    uint32_t j2 = tp_jump(&T, CARS_OP_JUMP_IF_TRUE);           /* 14: jumps with depth 2 */
    tp_op(&T, CARS_OP_AND);                                    /* 17 */
    tp_patch(&T, j1), tp_patch(&T, j2);
    tp_op(&T, CARS_OP_RET);                                    /* 18 */
    end_rule();
    expect("block 1 at offset 14: JUMP_IF_TRUE reaches offset 18 with stack depth 2, another path with 1");
}

/* The loader runs the verifier: a refused program is not loaded. */
static void test_loader_runs_verifier(void **s)
{
    (void)s;
    mini();
    tp_bool(&T, 2), tp_op(&T, CARS_OP_RET);
    end_rule();
    uint8_t *b;
    size_t n;
    assert_true(cars_bundle_write(&T.p, &b, &n));
    cars_program p;
    char err[512];
    assert_int_equal(cars_bundle_load(b, n, &p, err, sizeof err), CARS_LOAD_VERIFY);
    assert_string_equal(err, "bundle refused by the verifier: block 1 at offset 7: PUSH_BOOL operand 2 is not 0 or 1");
    cars_free(b);
}

/* The program's tables, blocks, lines, rules and stages. */
static int run_structure(void)
{
    const struct CMUnitTest structure[] = {
        cmocka_unit_test(test_ok),
        cmocka_unit_test(test_field_type),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_field_kind),
        cmocka_unit_test(test_elem_kind),
        cmocka_unit_test(test_enum_members),
        cmocka_unit_test(test_list_elems),
        cmocka_unit_test(test_elem_type),
        cmocka_unit_test(test_set_order),
        cmocka_unit_test(test_table_keys),
        cmocka_unit_test(test_table_kind),
        cmocka_unit_test(test_table_order),
        cmocka_unit_test(test_tiers),
        cmocka_unit_test(test_no_blocks),
        cmocka_unit_test(test_block_kind),
        cmocka_unit_test(test_main_first),
        cmocka_unit_test(test_second_main),
        cmocka_unit_test(test_empty_block),
        cmocka_unit_test(test_block_bounds),
        cmocka_unit_test(test_max_stack_limit),
        cmocka_unit_test(test_elem_list),
        cmocka_unit_test(test_line_bounds),
        cmocka_unit_test(test_line_order),
        cmocka_unit_test(test_line_file),
        cmocka_unit_test(test_rule_kind),
        cmocka_unit_test(test_rule_block_range),
        cmocka_unit_test(test_rule_block_kind),
        cmocka_unit_test(test_rule_tier),
        cmocka_unit_test(test_stage_range),
        cmocka_unit_test(test_stage_rule_range),
        cmocka_unit_test(test_stage_order),
        cmocka_unit_test(test_threshold_tier),
    };
    return cmocka_run_group_tests(structure, NULL, NULL);
}

/* The instructions: opcodes, operands, stack depths, jumps, how blocks end. */
static int run_instructions(void)
{
    const struct CMUnitTest instructions[] = {
        cmocka_unit_test(test_unknown_opcode),
        cmocka_unit_test(test_truncated_instruction),
        cmocka_unit_test(test_main_only_routing),
        cmocka_unit_test(test_routing_outside_main),
        cmocka_unit_test(test_push_bool),
        cmocka_unit_test(test_load_range),
        cmocka_unit_test(test_load_not_read),
        cmocka_unit_test(test_load_string),
        cmocka_unit_test(test_load_elem_outside),
        cmocka_unit_test(test_load_elem_range),
        cmocka_unit_test(test_in_set_range),
        cmocka_unit_test(test_str_eq_type),
        cmocka_unit_test(test_str_eq_const),
        cmocka_unit_test(test_str_eq_elem),
        cmocka_unit_test(test_no_err_buffer),
        cmocka_unit_test(test_elem_type_unknown),
        cmocka_unit_test(test_elem_enum_empty),
        cmocka_unit_test(test_str_eq_field),
        cmocka_unit_test(test_elem_type_zero_and_list),
        cmocka_unit_test(test_elem_enum_range),
        cmocka_unit_test(test_lookup_table_range),
        cmocka_unit_test(test_lookup_arity),
        cmocka_unit_test(test_lookup_field_type),
        cmocka_unit_test(test_lookup_kind),
        cmocka_unit_test(test_lookup_field_kind),
        cmocka_unit_test(test_quantifier_outside_rule),
        cmocka_unit_test(test_quantifier_list),
        cmocka_unit_test(test_quantifier_block_range),
        cmocka_unit_test(test_quantifier_block_kind),
        cmocka_unit_test(test_quantifier_block_list),
        cmocka_unit_test(test_eval_stage_range),
        cmocka_unit_test(test_decide_before_stage),
        cmocka_unit_test(test_outcome_range),
        cmocka_unit_test(test_threshold_range),
        cmocka_unit_test(test_decide_not_last),
        cmocka_unit_test(test_main_falls_off),
        cmocka_unit_test(test_rule_falls_off),
        cmocka_unit_test(test_underflow),
        cmocka_unit_test(test_ret_depth),
        cmocka_unit_test(test_max_stack),
        cmocka_unit_test(test_jump_outside),
        cmocka_unit_test(test_jump_mid_instruction),
        cmocka_unit_test(test_jump_depth_mismatch),
        cmocka_unit_test(test_unreachable),
        cmocka_unit_test(test_elem_enum_members),
        cmocka_unit_test(test_quantifier_list_not_read),
        cmocka_unit_test(test_threshold_before_stage),
        cmocka_unit_test(test_threshold_outcome),
        cmocka_unit_test(test_jumps_disagree),
        cmocka_unit_test(test_loader_runs_verifier),
    };
    return cmocka_run_group_tests(instructions, NULL, NULL);
}

int main(void)
{
    int failed = run_structure();
    return failed + run_instructions();
}

/* xcode.h - the interpreter's own form of a verified program's RULE and
 * ELEM blocks, made once per program (cars_vm_shared, vm.c), shared by the
 * VMs of every thread and never written to after, nor to the
 * bundle: each instruction decoded into a fixed-size record (operands read,
 * constants converted, jumps as indexes), and common runs of instructions
 * fused into one (LOAD then a compare with a constant, LOAD then IN_SET,
 * AND then JUMP_IF_FALSE, the age of two fields, ...). A fused instruction
 * leaves exactly what its run would: the same values, the same stack
 * depth. A run is fused only when no jump lands inside it, so every jump
 * target of the bytecode begins an instruction here. The bytecode, the
 * bundle and disasm are unchanged; routing runs this form (the MAIN
 * block's routing instructions too), tracing the bytecode itself. */
#ifndef CARS_XCODE_H
#define CARS_XCODE_H

#include <stdint.h>

#include "program.h"

/* The compares, fused with a constant: (name, C operator). */
#define CARS_XCMPS(C) C(EQ, ==) C(NE, !=) C(LT, <) C(LE, <=) C(GT, >) C(GE, >=)

/* Every instruction of the internal form, in the order of the labels of
 * vm.c's dispatch. Operands a, b: fields, sets, tables, blocks or lists as
 * the bytecode's; k: a constant; to: a jump's target (index into code). */
#define CARS_XOPS(X) \
    X(PUSH)          /* push constant k (known) */ \
    X(LOAD)          /* push record field a */ \
    X(LOAD_ELEM)     /* push element field a */ \
    X(PRESENT)       /* push whether record field a is present */ \
    X(PRESENT_ELEM)  /* push whether element field a is present */ \
    X(TO_NUM) X(ADD_I) X(SUB_I) X(MUL_I) X(NEG_I) X(ADD_F) X(SUB_F) X(MUL_F) X(NEG_F) \
    X(YEAR) X(YEARS_BETWEEN) \
    X(EQ_I) X(NE_I) X(LT_I) X(LE_I) X(GT_I) X(GE_I) X(EQ_F) X(NE_F) X(LT_F) X(LE_F) X(GT_F) X(GE_F) \
    X(IN_SET)        /* top in set a */ \
    X(STR_EQ)        /* string field a equals constant string b */ \
    X(LOOKUP1)       /* field b is a key of table a (sub: cars_xcode_key_kinds) */ \
    X(LOOKUP2)       /* fields b, c are a key of table a (sub: cars_xcode_key_kinds) */ \
    X(NOT) X(AND) X(OR) \
    X(JUMP_IF_FALSE) X(JUMP_IF_TRUE) \
    X(QUANTIFY)      /* sub (ANY, ALL, NONE, COUNT): ELEM block a over list b */ \
    X(RET)           /* of a RULE block */ \
    X(RET_ELEM)      /* of an ELEM block: its element's value to the quantifier running */ \
    X(FAIL)          /* an instruction the verifier refuses here (sub: its opcode), or past a block's end */ \
    /* the MAIN block */ \
    X(STAGE)         /* EVAL_STAGE a: its rules, then the next instruction */ \
    X(STAGE_INDEXED) /* EVAL_STAGE_INDEXED a, indexes b .. b+c-1 */ \
    X(DECIDE_IF_MATCHED) /* outcome sub if the stage matched a rule */ \
    X(DECIDE_THRESHOLD) /* threshold a: outcome b if met, else c */ \
    X(DECIDE)        /* outcome sub */ \
    /* fused */ \
    X(CMPK_EQ_I) X(CMPK_NE_I) X(CMPK_LT_I) X(CMPK_LE_I) X(CMPK_GT_I) X(CMPK_GE_I) /* PUSH k; cmp */ \
    X(CMPK_EQ_F) X(CMPK_NE_F) X(CMPK_LT_F) X(CMPK_LE_F) X(CMPK_GT_F) X(CMPK_GE_F) \
    X(LOAD_CMPK_EQ_I) X(LOAD_CMPK_NE_I) X(LOAD_CMPK_LT_I) X(LOAD_CMPK_LE_I) /* LOAD a; PUSH k; cmp */ \
    X(LOAD_CMPK_GT_I) X(LOAD_CMPK_GE_I) X(LOAD_CMPK_EQ_F) X(LOAD_CMPK_NE_F) X(LOAD_CMPK_LT_F) \
    X(LOAD_CMPK_LE_F) X(LOAD_CMPK_GT_F) X(LOAD_CMPK_GE_F) \
    X(LOAD_IN_SET)   /* LOAD a; IN_SET b */ \
    X(LOAD_JF)       /* LOAD a; JUMP_IF_FALSE */ \
    X(LOAD_JT)       /* LOAD a; JUMP_IF_TRUE */ \
    X(AND_JF)        /* AND; JUMP_IF_FALSE */ \
    X(OR_JT)         /* OR; JUMP_IF_TRUE */ \
    X(LOAD2)         /* LOAD a; LOAD b */ \
    X(AGE)           /* LOAD a; LOAD b; YEARS_BETWEEN */ \
    X(LOAD_YEAR)     /* LOAD a; YEAR */ \
    X(IN_MASK)       /* IN_SET of a set within 64 of its least value: bit (top - lo) of k */ \
    X(LOAD_IN_MASK)  /* LOAD a; IN_MASK */ \
    X(LOAD_IN_MASK_JF) /* LOAD a; IN_MASK; JUMP_IF_FALSE */ \
    X(LOAD_OR_JT)    /* LOAD a; OR; JUMP_IF_TRUE */ \
    X(LOAD_ANY_JT)   /* LOAD a; LOAD_OR_JT f ... (sub fields: a, then k's 16-bit ones, the \
                        lowest first), all jumping to `to`: the first known true jumps */ \
    X(ADDK_I)        /* PUSH k; ADD_I */ \
    X(SUBK_I)        /* PUSH k; SUB_I */ \
    X(LOAD_YEAR_SUBK) /* LOAD a; YEAR; PUSH k; SUB_I */

enum cars_xop_code {
#define X(name) CARS_XO_##name,
    CARS_XOPS(X)
#undef X
    CARS_XO__COUNT
};

typedef struct cars_xop {
    uint8_t op;        /* enum cars_xop_code */
    uint8_t sub;       /* QUANTIFY: the bytecode opcode; FAIL: the opcode refused;
                          LOAD_ANY_JT: how many fields */
    uint16_t a, b, c;
    uint32_t to;       /* jumps: the target, an index into cars_xcode.code */
    int32_t lo;        /* IN_MASK: the set's least value */
    union {
        int64_t i;
        double f;
    } k;
} cars_xop;

typedef struct cars_xcode {
    cars_xop *code;
    uint32_t *start;   /* per block: the index of its first instruction */
    uint32_t *rule;    /* per rule: the first instruction of its RULE block */
    uint32_t n;
} cars_xcode;

/* Translates every block of verified program p. 0, or -1 when
 * out of memory. Bytecode the verifier would refuse translates to FAIL
 * instructions, never to a read outside the code. */
int cars_xcode_make(cars_xcode *x, const cars_program *p);
void cars_xcode_free(cars_xcode *x);

/* The key kinds (enum cars_keykind_v) fields f[0..nf) of a lookup in table
 * t are normalised by (cars_field_key_kind), the first in bits 0-3, the
 * second in bits 4-7. */
uint8_t cars_xcode_key_kinds(const cars_program *p, uint16_t t, const uint16_t *f, int nf);

#endif

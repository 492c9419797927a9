/* opcodes.h - everything generated from opcodes.def: the operand kinds and
 * their widths, per-opcode length and operand constants for the
 * interpreter (CARS_OPLEN_LOAD, ...: compile-time constants, no table in
 * its dispatch), and the per-opcode table (name, operand kinds and offsets,
 * length, stack effect, blocks, flow, meaning) the verifier, the
 * disassembler, the compiler and the index proof read. */
#ifndef CARS_OPCODES_H
#define CARS_OPCODES_H

#include <stdbool.h>
#include <stdint.h>

#include "bundle.h"
#include "program.h"

/* Operand kinds: K(NAME, WIDTH, WHAT). `_` (CARS_OK__) is no operand. */
#define CARS_OPERAND_KINDS(K) \
    K(INT, 8, "integer constant (i64)") \
    K(NUM, 8, "number constant (f64 bits)") \
    K(BOOL, 1, "boolean constant, 0 or 1") \
    K(FIELD, 2, "top-level field the program reads") \
    K(VALUE, 2, "field LOAD can push (not a string or list)") \
    K(STRF, 2, "string field") \
    K(KEYF, 2, "string or country field: a table key") \
    K(ELEMF, 2, "element field of the ELEM block's list") \
    K(LIST, 2, "list field") \
    K(BODY, 2, "ELEM block over the LIST operand") \
    K(SET, 2, "constant set") \
    K(STRING, 2, "string constant") \
    K(TABLE, 2, "table") \
    K(JUMP, 2, "forward jump distance from the end of the instruction") \
    K(STAGE, 2, "stage") \
    K(INDEX, 2, "first stage index") \
    K(NINDEX, 2, "number of stage indexes (at least 1)") \
    K(THRESHOLD, 2, "threshold") \
    K(OUTCOME, 1, "outcome 0-4") \
    K(ELSE, 1, "outcome 0-4 when a threshold is not met")

enum cars_operand_kind {
    CARS_OK__ = 0,
#define K(name, width, what) CARS_OK_##name,
    CARS_OPERAND_KINDS(K)
#undef K
    CARS_OK__COUNT
};

/* Operand widths in bytes, as constants (CARS_KW_FIELD is 2). */
enum cars_operand_width {
    CARS_KW__ = 0,
#define K(name, width, what) CARS_KW_##name = width,
    CARS_OPERAND_KINDS(K)
#undef K
};

#define CARS_OP_MAX_OPERANDS 3 /* the columns A, B, C of opcodes.def */
#define CARS_OP_MAX_LEN 9      /* the longest instruction: opcode and an 8-byte constant */

/* Per opcode: CARS_OPLEN_<NAME>, the encoded length the VM steps by, and
 * for operand i (1-3) its offset CARS_OPND_<NAME>_<i> from the opcode
 * byte and its width CARS_OPNW_<NAME>_<i> (0: no such operand). */
enum cars_oplen {
#define X(code, name, a, b, c, pop, push, in, flow, doc) \
    CARS_OPLEN_##name = 1 + CARS_KW_##a + CARS_KW_##b + CARS_KW_##c, \
    CARS_OPND_##name##_1 = 1, \
    CARS_OPND_##name##_2 = 1 + CARS_KW_##a, \
    CARS_OPND_##name##_3 = 1 + CARS_KW_##a + CARS_KW_##b, \
    CARS_OPNW_##name##_1 = CARS_KW_##a, \
    CARS_OPNW_##name##_2 = CARS_KW_##b, \
    CARS_OPNW_##name##_3 = CARS_KW_##c,
#include "opcodes.def"
#undef X
};

/* The rules every line X(...) of opcodes.def keeps, as static assertions
 * (opcodes.c applies them to each): its code below CARS_OP__COUNT (the last
 * line has the highest code); no operand after a `_`; at most
 * CARS_OP_MAX_LEN bytes; a stack effect the verifier's depth arithmetic
 * covers (pop at most 2, push at most 1); a JUMP only as the first operand
 * (the verifier and the index proof read it there); a BODY block followed
 * by the LIST it iterates. A line that breaks one does not compile. */
#define CARS_OPCODE_CHECK(code, name, a, b, c, pop, push, in, flow, doc) \
    _Static_assert((code) >= 0 && (code) < CARS_OP__COUNT, #name ": the last line of opcodes.def must have the highest code"); \
    _Static_assert((CARS_OK_##a != CARS_OK__ || CARS_OK_##b == CARS_OK__) && \
                   (CARS_OK_##b != CARS_OK__ || CARS_OK_##c == CARS_OK__), #name ": an operand after `_`"); \
    _Static_assert(1 + CARS_KW_##a + CARS_KW_##b + CARS_KW_##c <= CARS_OP_MAX_LEN, #name ": longer than CARS_OP_MAX_LEN"); \
    _Static_assert((pop) <= 2 && (push) <= 1, #name ": a stack effect beyond pop 2, push 1"); \
    _Static_assert(CARS_OK_##b != CARS_OK_JUMP && CARS_OK_##c != CARS_OK_JUMP, #name ": a JUMP not first"); \
    _Static_assert(CARS_OK_##a != CARS_OK_BODY || CARS_OK_##b == CARS_OK_LIST, #name ": a BODY without its LIST"); \
    _Static_assert((CARS_IN_##in) != 0 && (CARS_FLOW_##flow) >= 0, #name ": IN or FLOW unknown");

/* The offset of operand i of instruction OP, which the caller reads as w
 * bytes: a compile error if opcodes.def gives that operand another width.
 * E.g. cars_rd16(pc + CARS_OPND(LOOKUP2, 3, 2)). */
#define CARS_OPND(OP, i, w) \
    ((size_t)CARS_OPND_##OP##_##i + 0 * sizeof(char[CARS_OPNW_##OP##_##i == (w) ? 1 : -1]))

/* Blocks an instruction may appear in (1 << enum cars_block_kind). */
enum {
    CARS_IN_M = 1u << CARS_BK_MAIN,
    CARS_IN_R = 1u << CARS_BK_RULE,
    CARS_IN_E = 1u << CARS_BK_ELEM,
    CARS_IN_RE = CARS_IN_R | CARS_IN_E,
};

/* Flow (the FLOW column). */
enum {
    CARS_FLOW_END = 1u << 0,     /* ends its path: no next instruction */
    CARS_FLOW_STAGE = 1u << 1,   /* evaluates a stage: sets the current matches */
    CARS_FLOW_MATCHES = 1u << 2, /* reads the current matches */
    CARS_FLOW_JUMPS = 1u << 3,   /* may jump: operand A is a JUMP (set from the kinds, not in opcodes.def) */
    CARS_FLOW_NEXT = 0,
    CARS_FLOW_MATCHES_END = CARS_FLOW_MATCHES | CARS_FLOW_END,
};

typedef struct cars_opinfo {
    const char *name;  /* NULL: no such opcode (a hole in the numbering) */
    uint8_t len;       /* opcode byte + operands */
    uint8_t noperands;
    uint8_t kind[CARS_OP_MAX_OPERANDS]; /* enum cars_operand_kind */
    uint8_t off[CARS_OP_MAX_OPERANDS];  /* offset from the opcode byte */
    uint8_t pop, push;
    uint8_t in;        /* CARS_IN_* */
    uint8_t flow;      /* CARS_FLOW_* */
    const char *meaning;
} cars_opinfo;

extern const cars_opinfo cars_opinfo_table[CARS_OP__COUNT];
extern const uint8_t cars_operand_width[CARS_OK__COUNT];

/* The opcode's entry, or NULL if op is no opcode (beyond the list, or a hole). */
static inline const cars_opinfo *cars_opinfo_of(unsigned op)
{
    return op < CARS_OP__COUNT && cars_opinfo_table[op].name ? &cars_opinfo_table[op] : NULL;
}

/* Operand i (0-based) of the instruction at q, zero-extended. */
static inline uint64_t cars_operand(const cars_opinfo *info, const uint8_t *q, unsigned i)
{
    const uint8_t *p = q + info->off[i];
    switch (cars_operand_width[info->kind[i]]) {
    case 1: return p[0];
    case 2: return cars_rd16(p);
    case 8: return cars_rd64(p);
    default: return 0;
    }
}

/* Whether routing instructions (MAIN only) or terminators (FLOW END). */
static inline bool cars_op_routes(const cars_opinfo *info) { return info->in == CARS_IN_M; }
static inline bool cars_op_ends(const cars_opinfo *info) { return (info->flow & CARS_FLOW_END) != 0; }

#endif

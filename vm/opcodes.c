/* opcodes.c - the opcode tables, generated from opcodes.def. */
#include "opcodes.h"

/* Operand byte count of a format string, at compile time. */
#define OPLEN_C(c) ((c) == 'b' ? 1 : (c) == 'h' ? 2 : (c) == 'j' ? 2 : (c) == 'w' ? 4 : (c) == 'q' ? 8 : 0)
#define OPLEN(s) (OPLEN_C((s)[0]) + (sizeof(s) > 2 ? OPLEN_C((s)[sizeof(s) > 2 ? 1 : 0]) : 0) + \
                  (sizeof(s) > 3 ? OPLEN_C((s)[sizeof(s) > 3 ? 2 : 0]) : 0))

const cars_opinfo cars_opinfo_table[CARS_OP__COUNT] = {
#define X(name, operands, pop, push, doc) {#name, operands, (uint8_t)(1 + OPLEN(operands)), pop, push, doc},
#include "opcodes.def"
#undef X
};

/* opcodes.c - the opcode table, generated from opcodes.def, and the static
 * assertions that hold every line of it to the rules opcodes.def states. */
#include "opcodes.h"

const uint8_t cars_operand_width[CARS_OK__COUNT] = {
    [CARS_OK__] = 0,
#define K(name, width, what) [CARS_OK_##name] = width,
    CARS_OPERAND_KINDS(K)
#undef K
};

/* Every line of opcodes.def holds to its rules (CARS_OPCODE_CHECK). */
#define X CARS_OPCODE_CHECK
#include "opcodes.def"
#undef X

#define NOPS(a, b, c) ((CARS_OK_##a != CARS_OK__) + (CARS_OK_##b != CARS_OK__) + (CARS_OK_##c != CARS_OK__))

const cars_opinfo cars_opinfo_table[CARS_OP__COUNT] = {
#define X(code, name, a, b, c, pop, push, in, flow, doc) \
    [code] = {#name, CARS_OPLEN_##name, NOPS(a, b, c), {CARS_OK_##a, CARS_OK_##b, CARS_OK_##c}, \
              {CARS_OPND_##name##_1, CARS_OPND_##name##_2, CARS_OPND_##name##_3}, pop, push, CARS_IN_##in, \
              CARS_FLOW_##flow | (CARS_OK_##a == CARS_OK_JUMP ? CARS_FLOW_JUMPS : 0), doc},
#include "opcodes.def"
#undef X
};

/* A code used twice in opcodes.def is a duplicate case here: it does not
 * compile. Never called (clang warns of an unused static inline function
 * in a .c file; gcc does not). */
__attribute__((unused)) static void codes_unique(unsigned op)
{
    switch (op) {
#define X(code, name, a, b, c, pop, push, in, flow, doc) case code:
#include "opcodes.def"
#undef X
    default:
        break;
    }
}

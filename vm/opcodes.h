/* opcodes.h - per-opcode tables generated from opcodes.def: name, operand
 * format, encoded length, stack effect, meaning. Used by the verifier, the
 * disassembler and the interpreter. */
#ifndef CARS_OPCODES_H
#define CARS_OPCODES_H

#include <stdint.h>

#include "program.h"

typedef struct cars_opinfo {
    const char *name;
    const char *operands; /* b h w q j, as in opcodes.def */
    uint8_t len;          /* opcode byte + operands */
    uint8_t pop, push;
    const char *meaning;
} cars_opinfo;

extern const cars_opinfo cars_opinfo_table[CARS_OP__COUNT];

#endif

/* disasm.h - print a program as text, one line per instruction (offset,
 * name, decoded operands, source file:line), generated from opcodes.def. */
#ifndef CARS_DISASM_H
#define CARS_DISASM_H

#include <stdio.h>

#include "program.h"

void cars_disasm(const cars_program *p, FILE *out);

#endif

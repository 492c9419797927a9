/* verify.h - the verifier: a pure function that proves a program safe to run
 * (every index in range, every jump on an instruction boundary, stack depth
 * consistent and bounded, routing well-formed) and its stage indexes sound
 * (no rule left out where it can match: verify_index.h). The interpreter
 * relies on exactly what it proves. The checks are listed in
 * docs/bytecode.md. */
#ifndef CARS_VERIFY_H
#define CARS_VERIFY_H

#include <stddef.h>

#include "program.h"

/* 0 if the program is safe; otherwise -1 and the first problem in err,
 * e.g. "block 2 at offset 14: LOAD field 99 out of range (12 fields)", or
 * CARS_VERIFY_NOMEM when memory ran out before it could say. */
#define CARS_VERIFY_NOMEM (-2)
int cars_verify(const cars_program *p, char *err, size_t errlen);

/* The largest max_stack a block may declare. */
#define CARS_MAX_STACK 256

#endif

/* verify_index.h - the verifier's proof that every stage index is sound: an
 * index leaves a rule out of a slot only where the rule's own code cannot
 * be known true. Part of cars_verify (vm/verify.h), which calls it last,
 * once every block's code has been checked; the method is in
 * verify_index.c, the rule in docs/bytecode.md. */
#ifndef CARS_VERIFY_INDEX_H
#define CARS_VERIFY_INDEX_H

#include <stddef.h>

#include "program.h"

/* 0 if every index of p is sound; otherwise -1 and the first problem in
 * err, e.g. "index 0 of stage 5 leaves out rule 17 (M-B5) in slot 0 (values
 * 0..30 of visit.length_days), where its condition can be true"; or
 * CARS_VERIFY_NOMEM (verify.h) with "out of memory verifying the program". p must have passed every other check of
 * cars_verify (its code above all). */
int cars_verify_index_sound(const cars_program *p, char *err, size_t errlen);

#endif

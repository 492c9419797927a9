/* stagebits.h - the words of a stage's rules: an index's bitset for a
 * record, the AND of a stage's index sets, and the given values of cars_vm_decide
 * as such bits (vm.c runs the stages with them). */
#ifndef CARS_STAGEBITS_H
#define CARS_STAGEBITS_H

#include <stdint.h>

#include "bits.h" /* cars_lowest_bit, for the users of these words */
#include "program.h"
#include "reader.h"

/* The bitset (w words) of index x for record rec: its value's slot (how
 * many keys are at most the value), or the last one when the field is
 * absent. */
const uint64_t *cars_index_bits(const cars_program *p, const cars_pindex *x, const cars_record *rec, uint32_t w);

/* The candidates of stage s for record rec: the AND of the bitsets of
 * indexes x[0..nx) (bits: room for nx pointers, which it fills). With cand
 * non-NULL, the candidate bitset is stored there (one word for each 64 of
 * the stage's rules); with rules non-NULL, each candidate's rule is
 * appended there in stage order. Returns how many rules it appended. */
uint32_t cars_cand(const cars_program *p, const cars_record *rec, const cars_pstage *s, const cars_pindex *x,
                   uint32_t nx, const uint64_t **bits, uint64_t *cand, uint32_t *rules);

#endif

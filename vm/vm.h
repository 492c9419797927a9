/* vm.h - the interpreter: routes one record through a verified program.
 * One cars_vm per thread; no heap allocation per record; nothing is carried
 * from one record to the next. */
#ifndef CARS_VM_H
#define CARS_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"
#include "reader.h"

/* The decision for one record. */
typedef struct cars_result {
    uint8_t outcome;        /* enum cars_outcome_v */
    uint32_t nrules;
    const uint32_t *rules;  /* rule indexes that decided, ascending (in the VM) */
    uint32_t threshold;     /* DECIDE_THRESHOLD: its threshold, else UINT32_MAX */
    bool threshold_met;
} cars_result;

typedef struct cars_vm cars_vm;

/* NULL when out of memory. `p` must have been verified (cars_verify). */
cars_vm *cars_vm_new(const cars_program *p);
void cars_vm_free(cars_vm *vm);

/* Routes `rec`. 0 on success; -1 on an internal error (a program the
 * verifier should have refused), with a message in err. The result's rule
 * list lives in the VM until the next call. */
int cars_vm_route(cars_vm *vm, const cars_record *rec, cars_result *res, char *err, size_t errlen);

/* The value of a RULE block (for tests and `carsc test`): -1 unknown,
 * 0 false, 1 true; -2 on an internal error. */
int cars_vm_eval_rule(cars_vm *vm, const cars_record *rec, uint32_t rule);

#endif

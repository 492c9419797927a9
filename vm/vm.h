/* vm.h - the interpreter: routes one record through a verified program.
 * One cars_vm per thread; what is prepared once from the program (the
 * internal form of its blocks, each table's directory of hashes) is a
 * cars_vm_shared, only read once made, which every VM of the program on
 * every thread may share; no heap allocation per record; nothing is
 * carried from one record to the next. */
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

/* What the VMs of one program share: the internal form of its blocks
 * (vm/xcode.h) and its tables' directories (vm/lookup.h), made once from
 * the program and never written to after, so one serves any number of
 * threads at once, and a thread's own memory does not grow with the
 * release's rules and tables. NULL when out of memory. `p` must have been
 * verified (cars_verify) and must outlive it. */
typedef struct cars_vm_shared cars_vm_shared;
cars_vm_shared *cars_vm_shared_new(const cars_program *p);
void cars_vm_shared_free(cars_vm_shared *s);

/* A VM of p using s, which must outlive it. NULL when out of memory, or
 * when s was made for another program. */
cars_vm *cars_vm_new_shared(const cars_program *p, const cars_vm_shared *s);
/* A VM of p with its own cars_vm_shared. NULL when out of memory. `p`
 * must have been verified (cars_verify). */
cars_vm *cars_vm_new(const cars_program *p);
void cars_vm_free(cars_vm *vm);

/* Routes `rec`. 0 on success; -1 on an internal error (a program the
 * verifier should have refused), with a message in err. The result's rule
 * list lives in the VM until the next call. */
int cars_vm_route(cars_vm *vm, const cars_record *rec, cars_result *res, char *err, size_t errlen);

/* ---- tracing (carsc explain) ------------------------------------------------
 * cars_vm_trace routes exactly as cars_vm_route does, running the bytecode
 * itself (cars_vm_route runs the VM's internal form of it, vm/xcode.h, and
 * has no trace code at all; tests hold the two to each other), and reports
 * every step to `fn`, in order. */
typedef enum cars_trace_kind {
    CARS_TR_STAGE,      /* MAIN's instruction at `at` evaluates stage `index` */
    CARS_TR_INDEX,      /* indexed stage: index `index`'s bitset for this
                           record (`words`, one bit per rule of the stage) */
    CARS_TR_CANDIDATES, /* indexed stage: the candidates (`words`), after
                           every index */
    CARS_TR_RULE,       /* rule `index` begins (its RULE block is `block`) */
    CARS_TR_RULE_END,   /* rule `index` gave `value` */
    CARS_TR_ELEM,       /* ELEM block `block` begins on element `index` */
    CARS_TR_STEP,       /* block `block` ran its instruction at `at` (offset
                           in the block), opcode `op`; the next is at `next`;
                           `value` is the top of the stack after it */
    CARS_TR_RET,        /* block `block` returned `value` */
    CARS_TR_DECIDE,     /* MAIN's instruction at `at` decided `index` (an
                           outcome) */
} cars_trace_kind;

typedef struct cars_trace_event {
    cars_trace_kind kind;
    uint8_t op;
    uint32_t block, at, next, index;
    cars_value value;
    const uint64_t *words;
    uint32_t nwords;
} cars_trace_event;

typedef void cars_trace_fn(void *ctx, const cars_trace_event *e);

/* As cars_vm_route, reporting every step to fn(ctx, event). */
int cars_vm_trace(cars_vm *vm, const cars_record *rec, cars_result *res, cars_trace_fn *fn, void *ctx, char *err,
                  size_t errlen);

/* What the routing block decides when each rule's value is given instead of
 * evaluated (`value[r]`: 1 matched, else not): the same decision code as
 * cars_vm_route, for "why not" questions. An indexed stage considers every
 * rule of the stage. 0, or -1 on an internal error. */
int cars_vm_decide(cars_vm *vm, const uint8_t *value, cars_result *res, char *err, size_t errlen);
/* The same with the values as bits in the program's stage order: bit j
 * (bits[j / 64], bit j % 64) is the value of stage_rules[j]; a stage's
 * matches are read a word at a time, so a caller asking once per rule of a
 * large release ("had this rule alone gone the other way") pays for the
 * stages' words, not their rules. cars_vm_decide_bits_from makes them from
 * one byte per rule: nstage_rules / 64 + 1 words. */
int cars_vm_decide_bits(cars_vm *vm, const uint64_t *bits, cars_result *res, char *err, size_t errlen);
void cars_vm_decide_bits_from(const cars_program *p, const uint8_t *value, uint64_t *bits);

/* The value of a RULE block (for tests and `carsc test`): -1 unknown,
 * 0 false, 1 true; -2 on an internal error. */
int cars_vm_eval_rule(cars_vm *vm, const cars_record *rec, uint32_t rule);

#endif

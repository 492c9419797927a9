/* xrun.h - what vm.c's interpreter of the internal form (xrun) uses that
 * needs nothing of a VM: IN_MASK's test and the state of the quantifier it
 * runs. Included by vm.c alone. */
#ifndef CARS_XRUN_H
#define CARS_XRUN_H

#include <stdbool.h>
#include <stdint.h>

#include "opcodes.h"
#include "reader.h"
#include "xcode.h"

/* v is known true */
#define KTRUE(v) ((v).known && (v).i)

/* IN_MASK: v is in the set of mask k from the least value in `lo`. */
static inline bool in_mask(const cars_xop *x, int64_t v)
{
    uint64_t d = (uint64_t)v - (uint64_t)(int64_t)x->lo; /* v - least, modulo 2^64 */
    return d < 64 && ((uint64_t)x->k.i >> d) & 1;
}

/* The quantifier xrun is running: quantifiers are in RULE blocks only
 * (opcodes.def), so at most one runs at a time. Its ELEM block runs on each
 * element in turn, in the same call, with its stack from sp. */
typedef struct qstate {
    const cars_xop *at; /* its QUANTIFY, NULL when none runs */
    const cars_list *list;
    uint32_t k;         /* the element running */
    int64_t count;      /* COUNT: elements known true so far */
    bool unknown;       /* some element was unknown */
    cars_value *sp;     /* where each element's stack begins, and its value goes */
} qstate;

/* Element value e of quantifier q: true when it decides q (its value in
 * *v), as quantify() decides. */
static inline bool quantify_step(qstate *q, cars_value e, cars_value *v)
{
    if (!e.known)
        q->unknown = true;
    if (q->at->sub == CARS_OP_COUNT) {
        q->count += KTRUE(e); /* bound: n <= CARS_READER_MAX_ELEMS (100,000) */
        return false;
    }
    if (q->at->sub == CARS_OP_ALL) {
        *v = (cars_value){.i = 0, .known = true};
        return e.known && !e.i;
    }
    *v = (cars_value){.i = q->at->sub == CARS_OP_ANY, .known = true}; /* ANY, NONE: one true element decides */
    return KTRUE(e);
}

/* Quantifier q's value when no element decided it. */
static inline cars_value quantify_end(const qstate *q)
{
    if (q->at->sub == CARS_OP_COUNT)
        return (cars_value){.i = q->count, .known = true};
    return (cars_value){.i = q->unknown ? 0 : q->at->sub != CARS_OP_ANY, .known = !q->unknown};
}

#endif

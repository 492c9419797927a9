/* verify_index_int.h - what the two halves of the index proof share: the
 * proof's state (vm/verify_index.c runs rules abstractly over a stage's
 * slots) and the slot sets it computes with (vm/verify_slots.c: which
 * slots of a segment hold which values, and reference-counted bitsets of
 * slots). Private to those two files. */
#ifndef CARS_VERIFY_INDEX_INT_H
#define CARS_VERIFY_INDEX_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "program.h"
#include "verify.h"

/* A set of the stage's slots: none, every slot, or pool bitset s - 2 (each
 * reference counted). */
typedef uint32_t sref;
enum { NOSLOT = 0, ALLSLOTS = 1 };

enum akind { A_ANY, A_CONST, A_FIELD, A_FNUM, A_DERIVED, A_BOOL };

typedef struct aval {
    uint8_t kind;  /* enum akind */
    uint16_t fi;   /* A_FIELD, A_FNUM, A_DERIVED: the field, as an entry of fields[] */
    union {
        uint64_t c;              /* A_CONST: the payload's bits */
        struct { sref t, f; } s; /* A_BOOL: where known true, known false */
    } u;
} aval;

/* Comparisons, in opcode order (verify_index.c has their negations and mirrors). */
enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

enum {
    MAX_POOL_WORDS = 1u << 22, /* bitsets alive at once (32 MB); beyond, a new one is every slot */
    MAX_SNAPS = 256,           /* jump targets pending at once; beyond, one's state is "anything" */
    MAX_SLOTS = 1u << 30,      /* slots of a stage's indexes (the bundle would be 8 GB) */
    NOFIELD = 0xFFFF,
};

/* One index of the stage: a segment of the stage's slots. */
typedef struct seg {
    uint32_t xi;          /* the index */
    const uint64_t *keys; /* nk keys as stored, then the bitsets */
    uint32_t nk, at;      /* keys; its first slot (nk + 2 slots: the last for absent) */
    uint16_t fi;          /* its field, as an entry of fields[] */
    bool num;             /* number keys */
    int64_t dlo, dhi;     /* an integer field's values, as the reader stores them */
    uint32_t slot_dlo, slot_dhi;
} seg;

/* A field some index of the stage is on, and its slot sets (kept in the
 * pool for the whole stage). */
typedef struct sfield {
    uint16_t field;
    bool num;
    sref other;        /* the slots of the segments of other fields */
    sref derived;      /* other, and the present slots of its own */
    sref val_t, val_f; /* other, and where its own value is true, false */
    sref pres_f;       /* other, and its absent slots (PRESENT is false there) */
} sfield;

typedef struct ictx {
    const cars_program *p;
    /* the stage being proved */
    seg *segs;
    sfield *fields;
    uint16_t *field_of; /* per schema field: its entry of fields[], or NOFIELD */
    uint32_t nsegs, nfields, ns, ws; /* segments, fields, slots, words of a set */
    uint64_t *every;    /* the slots some record can fall in */
    bool need_f;        /* false sets matter: the block has a NOT */
    bool redo;          /* a NOT met without them: run the block again with them */
    /* bitsets of ws words, reference counted; the first `base` are the stage's own */
    uint64_t *pool;
    size_t pool_words;
    uint32_t *refs, *freed, ref_cap, npool, nfreed, cap, base;
    /* the abstract stack, and the states waiting at jump targets */
    aval stack[CARS_MAX_STACK];
    uint32_t depth;
    bool live;
    int32_t *pend;  /* per block offset: 0 none, k > 0 state k - 1, -d - 1 "anything" at depth d */
    aval *snaps;    /* states of `stride` values */
    uint32_t stride, nsnaps, snaps_cap, nsnap_free;
    uint32_t snap_depth[MAX_SNAPS], snap_free[MAX_SNAPS];
    bool oom;
} ictx;

static inline double as_double(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

static inline uint64_t bits_of(double d)
{
    uint64_t b;
    memcpy(&b, &d, 8);
    return b;
}

/* ---- slots of a segment (verify_slots.c) ---- */

/* Slots from..to of w, inclusive. */
void cars_vx_range(uint64_t *w, uint32_t from, uint32_t to);
/* The slot of a present value: how many keys are at most v (as the VM). */
uint32_t cars_vx_slot_i(const seg *s, int64_t v);
/* The least v of [a, b] with (double)v >= d, if any (the conversion is
 * monotone, so the ones that are form an interval ending at b). */
bool cars_vx_first_ge(int64_t a, int64_t b, double d, int64_t *out);
/* Marks in w the slots of segment s holding the integers lo..hi it can. */
void cars_vx_mark_i(const seg *s, uint64_t *w, int64_t lo, int64_t hi);
/* The same for the doubles lo..hi (lo <= hi, neither NaN); fnum: for the
 * integers TO_NUM takes there (an interval: the conversion is monotone). */
void cars_vx_mark_d(const seg *s, uint64_t *w, double lo, double hi, bool fnum);
/* Marks the slots of the values v with `v k x`, integers. */
void cars_vx_cmp_i(const seg *s, uint64_t *w, int k, int64_t x);
/* The same for doubles (d not NaN); exclusive bounds are the next double
 * inward. */
void cars_vx_cmp_d(const seg *s, uint64_t *w, int k, double d, bool fnum);

/* ---- sets of slots (verify_slots.c) ---- */

/* The words of pool bitset s (s > ALLSLOTS). */
static inline uint64_t *cars_vx_words(const ictx *c, sref s) { return c->pool + (size_t)(s - 2) * c->ws; }
/* One more reference to s (returned), one less (freed at none). */
sref cars_vx_ref(ictx *c, sref s);
void cars_vx_unref(ictx *c, sref s);
/* A new bitset (one reference), a copy of `from`; every slot beyond the
 * pool's limit. The pool may move: take pointers into it after this. */
sref cars_vx_new_set(ictx *c, sref from);
/* x and y, or x or y (a new reference). */
sref cars_vx_combine(ictx *c, sref x, sref y, bool and);

#endif

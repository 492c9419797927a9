/* verify_index.c - the verifier's proof that every stage index is sound: a
 * rule may be left out of a slot only if its RULE block cannot return known
 * true for any record whose field lies in that slot (or is absent, for the
 * last slot), whatever every other input is. Bits set where a rule can
 * never be true are only slower, and allowed.
 *
 * The slots of a stage's indexes are laid end to end, one segment per
 * index. Each rule of the stage that some index does not set in every slot
 * is run abstractly, once for all of them, in one forward pass over its
 * block (jumps go forward only; cars_verify has checked the code, so
 * operands, jumps and depths are sound). An abstract value is one of:
 *   a constant (PUSH_*, and NEG/TO_NUM/comparisons/IN_SET/logic of constants);
 *   a field's value as LOAD pushes it, possibly through TO_NUM (an integer
 *     field compared as a number), for a field some index is on;
 *   derived from such a field: anything, but unknown whenever it is absent
 *     (arithmetic on it, comparisons with non-constants);
 *   anything (other fields, lookups, quantifiers, ...);
 *   a boolean: two sets of slots, where it can be known true and where
 *     known false (unknown need not be followed: AND, OR and NOT give true
 *     or false only from true or false inputs, and a rule matches only on
 *     true).
 * A comparison of a field with a constant (either order, integer or number
 * form) and IN_SET on it give, in the segment of each index on that field
 * and per slot, exactly the outcomes values of that slot allow (slot j
 * holds the values v with key[j-1] <= v < key[j], limited to what the
 * reader stores for the field's type; the absent slot only unknown), and
 * either outcome in the other segments; NOT, AND, OR combine the sets slot
 * by slot by Kleene's tables; a jump sends its state, refined by the
 * condition, to its target, where it joins the fall-through state by union.
 * RET's true set, in each segment, must lie within the rule's bits there.
 *
 * Cost: one pass per rule to prove, O(code x slots / 64) for the stage's
 * slots; a block without NOT skips the false sets (only NOT turns false
 * into true). Sets are reference-counted bitsets; nothing per slot.
 * verify_slots.c computes the slot sets (which slots hold which values,
 * and the bitsets themselves); this file runs the rules over them and
 * proves each stage. */
#include "verify_index.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "bits.h"
#include "bundle.h"
#include "errstr.h"
#include "opcodes.h"
#include "verify_index_int.h"

/* The negation and the mirror of each comparison (c < f is f > c). */
static const uint8_t negated[] = {CMP_NE, CMP_EQ, CMP_GE, CMP_GT, CMP_LE, CMP_LT};
static const uint8_t mirrored[] = {CMP_EQ, CMP_NE, CMP_GT, CMP_GE, CMP_LT, CMP_LE};

static const aval ANYV = {A_ANY, 0, {0}};

static aval konst(uint64_t bits) { return (aval){A_CONST, 0, {.c = bits}}; }
static aval of_field(uint8_t k, uint16_t fi) { return (aval){k, fi, {0}}; }
static aval boolean(sref t, sref f) { return (aval){A_BOOL, 0, {.s = {t, f}}}; }
static bool fieldish(aval v) { return v.kind == A_FIELD || v.kind == A_FNUM || v.kind == A_DERIVED; }

/* ---- values ---- */

static aval ref(ictx *c, aval v)
{
    if (v.kind == A_BOOL)
        cars_vx_ref(c, v.u.s.t), cars_vx_ref(c, v.u.s.f);
    return v;
}

static void unref(ictx *c, aval v)
{
    if (v.kind == A_BOOL)
        cars_vx_unref(c, v.u.s.t), cars_vx_unref(c, v.u.s.f);
}

/* Where v can be known true (*t) and known false (*f), borrowed: the VM's
 * test is known && payload != 0. */
static void truth(const ictx *c, aval v, sref *t, sref *f)
{
    const sfield *fd = &c->fields[v.fi];
    switch (v.kind) {
    case A_CONST:
        *t = v.u.c ? ALLSLOTS : NOSLOT;
        *f = v.u.c ? NOSLOT : ALLSLOTS;
        return;
    case A_FIELD:
    case A_FNUM: /* A_FNUM only of an integer field: (double)i is +0.0 exactly when i is 0 */
        *t = fd->val_t, *f = fd->val_f;
        return;
    case A_DERIVED:
        *t = *f = fd->derived;
        return;
    case A_BOOL:
        *t = v.u.s.t, *f = v.u.s.f;
        return;
    default:
        *t = *f = ALLSLOTS;
        return;
    }
}

static bool same(aval a, aval b)
{
    if (a.kind != b.kind)
        return false;
    if (a.kind == A_CONST)
        return a.u.c == b.u.c;
    if (a.kind == A_BOOL)
        return a.u.s.t == b.u.s.t && a.u.s.f == b.u.s.f;
    return a.kind == A_ANY || a.fi == b.fi;
}

/* The union of two values (both references consumed). */
static aval join(ictx *c, aval a, aval b)
{
    if (same(a, b)) {
        unref(c, b);
        return a;
    }
    aval r = ANYV;
    if (fieldish(a) && fieldish(b) && a.fi == b.fi) {
        r = of_field(A_DERIVED, a.fi);
    } else if (a.kind != A_ANY && b.kind != A_ANY) {
        sref ta, fa, tb, fb;
        truth(c, a, &ta, &fa);
        truth(c, b, &tb, &fb);
        r = boolean(cars_vx_combine(c, ta, tb, false), c->need_f ? cars_vx_combine(c, fa, fb, false) : ALLSLOTS);
    }
    unref(c, a), unref(c, b);
    return r;
}

/* ---- the abstract stack and jump targets ---- */

static void push(ictx *c, aval v) { c->stack[c->depth++] = v; }
static aval pop(ictx *c) { return c->stack[--c->depth]; }

static void drop_stack(ictx *c)
{
    while (c->depth)
        unref(c, pop(c));
}

static aval *snap(const ictx *c, uint32_t s) { return c->snaps + (size_t)s * c->stride; }

/* A free state slot, or -1 (at the limit, or out of memory). */
static int32_t snap_new(ictx *c)
{
    if (c->nsnap_free)
        return (int32_t)c->snap_free[--c->nsnap_free];
    if (c->nsnaps == c->snaps_cap) {
        uint32_t want = c->snaps_cap ? 2 * c->snaps_cap : 4;
        if (c->snaps_cap == MAX_SNAPS)
            return -1;
        aval *q = cars_realloc(c->snaps, (size_t)want * c->stride * sizeof *q);
        if (!q) {
            c->oom = true;
            return -1;
        }
        c->snaps = q, c->snaps_cap = want;
    }
    return (int32_t)c->nsnaps++;
}

/* The current state, with `top` (a reference, consumed) on top, reaches
 * offset t: it joins the state already waiting there. */
static void send(ictx *c, uint32_t t, aval top)
{
    uint32_t d = c->depth;
    int32_t e = c->pend[t];
    if (e < 0) {
        unref(c, top);
        return;
    }
    if (e == 0) {
        int32_t s = snap_new(c);
        if (s < 0) {
            c->pend[t] = -(int32_t)d - 1;
            unref(c, top);
            return;
        }
        aval *sv = snap(c, (uint32_t)s);
        for (uint32_t i = 0; i + 1 < d; i++)
            sv[i] = ref(c, c->stack[i]);
        sv[d - 1] = top;
        c->snap_depth[s] = d;
        c->pend[t] = s + 1;
        return;
    }
    aval *sv = snap(c, (uint32_t)e - 1);
    for (uint32_t i = 0; i + 1 < d; i++)
        sv[i] = join(c, sv[i], ref(c, c->stack[i]));
    sv[d - 1] = join(c, sv[d - 1], top);
}

/* At offset pc, the states that jumped there join the fall-through one. */
static void arrive(ictx *c, uint32_t pc)
{
    int32_t e = c->pend[pc];
    c->pend[pc] = 0;
    if (e < 0) {
        drop_stack(c);
        for (uint32_t i = 0; i < (uint32_t)(-(e + 1)); i++)
            push(c, ANYV);
        c->live = true;
        return;
    }
    uint32_t s = (uint32_t)e - 1, d = c->snap_depth[s];
    const aval *sv = snap(c, s);
    if (c->live) {
        for (uint32_t i = 0; i < d; i++)
            c->stack[i] = join(c, c->stack[i], sv[i]);
    } else {
        memcpy(c->stack, sv, d * sizeof *sv);
        c->depth = d;
        c->live = true;
    }
    c->snap_free[c->nsnap_free++] = s;
}

/* ---- instructions ---- */

/* `v k x` for v the value (kind) of field fi and x a constant's bits: in
 * each segment on the field, the slots where true and where false; both
 * in the others. */
static aval field_cmp(ictx *c, uint8_t kind, uint16_t fi, int k, uint64_t x)
{
    const sfield *fd = &c->fields[fi];
    sref t = cars_vx_new_set(c, fd->other), f = c->need_f ? cars_vx_new_set(c, fd->other) : ALLSLOTS;
    if (t == ALLSLOTS || (c->need_f && f == ALLSLOTS)) { /* at the pool's limit */
        cars_vx_unref(c, t), cars_vx_unref(c, f);
        return ANYV;
    }
    uint64_t *tw = cars_vx_words(c, t), *fw = c->need_f ? cars_vx_words(c, f) : NULL;
    double d = as_double(x);
    bool fnum = kind == A_FNUM;
    for (uint32_t i = 0; i < c->nsegs; i++) {
        const seg *s = &c->segs[i];
        if (s->fi != fi)
            continue;
        if (!fd->num && !fnum) {
            cars_vx_cmp_i(s, tw, k, (int64_t)x);
            if (fw)
                cars_vx_cmp_i(s, fw, negated[k], (int64_t)x);
        } else if (d != d) { /* NaN: every comparison is false but != */
            if (k == CMP_NE || fw)
                cars_vx_range(k == CMP_NE ? tw : fw, s->at, s->at + s->nk);
        } else {
            cars_vx_cmp_d(s, tw, k, d, fnum);
            if (fw)
                cars_vx_cmp_d(s, fw, negated[k], d, fnum);
            if (!fnum && (k == CMP_NE || fw)) /* a NaN value would be in slot 0 (never from the reader) */
                cars_vx_range(k == CMP_NE ? tw : fw, s->at, s->at);
        }
    }
    return boolean(t, f);
}

static bool fold_cmp(bool fl, int k, uint64_t a, uint64_t b)
{
    if (fl) {
        double x = as_double(a), y = as_double(b);
        bool r[] = {x == y, x != y, x < y, x <= y, x > y, x >= y};
        return r[k];
    }
    int64_t x = (int64_t)a, y = (int64_t)b;
    bool r[] = {x == y, x != y, x < y, x <= y, x > y, x >= y};
    return r[k];
}

/* Whether v compared by this form (integer or number) is exactly known. */
static bool exact(const ictx *c, aval v, bool fl)
{
    bool num = c->fields[v.fi].num;
    return fl ? (v.kind == A_FIELD && num) || v.kind == A_FNUM : v.kind == A_FIELD && !num;
}

static void compare(ictx *c, uint8_t op)
{
    aval b = pop(c), a = pop(c), r = ANYV;
    bool fl = op >= CARS_OP_EQ_F;
    int k = op - (fl ? CARS_OP_EQ_F : CARS_OP_EQ_I);
    if (a.kind == A_CONST && b.kind == A_CONST)
        r = konst(fold_cmp(fl, k, a.u.c, b.u.c));
    else if (b.kind == A_CONST && exact(c, a, fl))
        r = field_cmp(c, a.kind, a.fi, k, b.u.c);
    else if (a.kind == A_CONST && exact(c, b, fl))
        r = field_cmp(c, b.kind, b.fi, mirrored[k], a.u.c);
    else if (fieldish(a) || fieldish(b)) /* unknown when either field is absent */
        r = of_field(A_DERIVED, fieldish(a) ? a.fi : b.fi);
    unref(c, a), unref(c, b);
    push(c, r);
}

static bool member(const cars_pset *s, int64_t v)
{
    uint32_t lo = 0, hi = s->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->values[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->values[lo] == v;
}

/* IN_SET on an integer field, in segment s: true in the slots of the set's
 * values, false in those of the gaps between them. */
static void set_slots(const seg *s, const cars_pset *set, uint64_t *tw, uint64_t *fw)
{
    int64_t next = s->dlo; /* the least value not yet placed */
    bool more = s->dlo <= s->dhi;
    for (uint32_t i = 0; i < set->n && more; i++) {
        int64_t v = set->values[i];
        if (v < next)
            continue;
        if (v > s->dhi)
            break;
        if (fw && v > next)
            cars_vx_mark_i(s, fw, next, v - 1);
        cars_vx_mark_i(s, tw, v, v);
        more = v < s->dhi;
        next = more ? v + 1 : v;
    }
    if (fw && more)
        cars_vx_mark_i(s, fw, next, s->dhi);
}

static void in_set(ictx *c, uint16_t set)
{
    aval a = pop(c), r = ANYV;
    const cars_pset *ps = &c->p->sets[set];
    if (a.kind == A_CONST) {
        r = konst(member(ps, (int64_t)a.u.c));
    } else if (a.kind == A_FIELD && !c->fields[a.fi].num) {
        const sfield *fd = &c->fields[a.fi];
        sref t = cars_vx_new_set(c, fd->other), f = c->need_f ? cars_vx_new_set(c, fd->other) : ALLSLOTS;
        if (t != ALLSLOTS && (!c->need_f || f != ALLSLOTS)) {
            for (uint32_t i = 0; i < c->nsegs; i++)
                if (c->segs[i].fi == a.fi)
                    set_slots(&c->segs[i], ps, cars_vx_words(c, t), c->need_f ? cars_vx_words(c, f) : NULL);
            r = boolean(t, f);
        } else { /* at the pool's limit */
            cars_vx_unref(c, t), cars_vx_unref(c, f);
        }
    } else if (fieldish(a)) {
        r = of_field(A_DERIVED, a.fi);
    }
    unref(c, a);
    push(c, r);
}

static void unary(ictx *c, uint8_t op)
{
    aval a = pop(c), r = fieldish(a) ? of_field(A_DERIVED, a.fi) : ANYV;
    if (a.kind == A_CONST && op == CARS_OP_TO_NUM)
        r = konst(bits_of((double)(int64_t)a.u.c));
    else if (a.kind == A_CONST && op == CARS_OP_NEG_I)
        r = konst(0 - a.u.c);
    else if (a.kind == A_CONST && op == CARS_OP_NEG_F)
        r = konst(bits_of(-as_double(a.u.c)));
    else if (a.kind == A_FIELD && !c->fields[a.fi].num && op == CARS_OP_TO_NUM)
        r = of_field(A_FNUM, a.fi);
    unref(c, a);
    push(c, r);
}

static void logic(ictx *c, uint8_t op)
{
    sref ta, fa, tb, fb;
    if (op == CARS_OP_NOT) {
        aval a = pop(c), r = a;
        if (a.kind == A_CONST) {
            r = konst(a.u.c == 0);
        } else if (a.kind != A_ANY && a.kind != A_DERIVED) {
            truth(c, a, &ta, &fa);
            r = c->need_f ? boolean(cars_vx_ref(c, fa), cars_vx_ref(c, ta)) : ANYV;
            c->redo |= !c->need_f; /* the false sets were not kept: start again with them */
            unref(c, a);
        }
        push(c, r);
        return;
    }
    bool and = op == CARS_OP_AND;
    aval b = pop(c), a = pop(c), r;
    bool ua = a.kind == A_ANY || a.kind == A_CONST, ub = b.kind == A_ANY || b.kind == A_CONST;
    if (ua && ub) { /* the same in every slot */
        bool wins = (a.kind == A_CONST && (a.u.c != 0) != and) || (b.kind == A_CONST && (b.u.c != 0) != and);
        r = wins ? konst(!and) : a.kind == A_CONST && b.kind == A_CONST ? konst(and) : ANYV;
    } else { /* AND: true where both can be, false where either; OR the other way */
        truth(c, a, &ta, &fa);
        truth(c, b, &tb, &fb);
        r = boolean(cars_vx_combine(c, ta, tb, and), c->need_f ? cars_vx_combine(c, fa, fb, !and) : ALLSLOTS);
    }
    unref(c, a), unref(c, b);
    push(c, r);
}

/* JUMP_IF_FALSE / JUMP_IF_TRUE: the value as it is when the jump is taken
 * goes to the target, the value as it is when not stays. */
static void jump(ictx *c, uint8_t op, uint32_t target)
{
    bool on_true = op == CARS_OP_JUMP_IF_TRUE;
    aval v = c->stack[c->depth - 1];
    if (v.kind == A_CONST) {
        if ((v.u.c != 0) == on_true) { /* always taken */
            send(c, target, ref(c, v));
            drop_stack(c);
            c->live = false;
        }
        return;
    }
    if (v.kind == A_ANY) {
        send(c, target, on_true ? ANYV : konst(0)); /* known false is 0 */
        return;
    }
    sref t, f;
    truth(c, v, &t, &f);
    aval yes = boolean(cars_vx_ref(c, t), NOSLOT), no = boolean(NOSLOT, cars_vx_ref(c, f));
    send(c, target, on_true ? yes : no);
    c->stack[c->depth - 1] = on_true ? no : yes;
    unref(c, v);
}

/* Any other instruction: "anything", or derived if it propagates unknown
 * (arithmetic) from a field. */
static void other(ictx *c, uint8_t op)
{
    const cars_opinfo *info = &cars_opinfo_table[op];
    aval from = ANYV;
    for (unsigned i = 0; i < info->pop; i++) {
        aval a = pop(c);
        from = fieldish(a) ? a : from;
        unref(c, a);
    }
    bool arith = op == CARS_OP_ADD_I || op == CARS_OP_SUB_I || op == CARS_OP_MUL_I || op == CARS_OP_ADD_F ||
                 op == CARS_OP_SUB_F || op == CARS_OP_MUL_F || op == CARS_OP_ADD_DAYS || op == CARS_OP_YEAR ||
                 op == CARS_OP_YEARS_BETWEEN;
    for (unsigned i = 0; i < info->push; i++)
        push(c, arith && fieldish(from) ? of_field(A_DERIVED, from.fi) : ANYV);
}

static void load(ictx *c, uint8_t op, uint16_t f)
{
    uint16_t fi = f < c->p->nfields ? c->field_of[f] : NOFIELD;
    if (fi == NOFIELD)
        push(c, ANYV);
    else if (op == CARS_OP_LOAD)
        push(c, of_field(A_FIELD, fi));
    else /* PRESENT: true where present, false where absent, in its segments */
        push(c, boolean(cars_vx_ref(c, c->fields[fi].derived), cars_vx_ref(c, c->fields[fi].pres_f)));
}

/* Cases below that share one operand read share its place and width. */
_Static_assert(CARS_OPND_PUSH_NUM_1 == CARS_OPND_PUSH_INT_1 && CARS_OPNW_PUSH_NUM_1 == CARS_OPNW_PUSH_INT_1 &&
                   CARS_OPNW_PRESENT_1 == CARS_OPNW_LOAD_1 && CARS_OPNW_JUMP_IF_FALSE_1 == CARS_OPNW_JUMP_IF_TRUE_1,
               "opcodes read alike in step() differ in opcodes.def");

static void step(ictx *c, const uint8_t *q, uint32_t next, uint64_t *result)
{
    uint8_t op = q[0];
    switch (op) {
    case CARS_OP_PUSH_INT: case CARS_OP_PUSH_NUM: push(c, konst(cars_rd64(q + CARS_OPND(PUSH_INT, 1, 8)))); break;
    case CARS_OP_PUSH_BOOL: push(c, konst(q[1])); break;
    case CARS_OP_LOAD: case CARS_OP_PRESENT: load(c, op, cars_rd16(q + CARS_OPND(LOAD, 1, 2))); break;
    case CARS_OP_TO_NUM: case CARS_OP_NEG_I: case CARS_OP_NEG_F: unary(c, op); break;
    case CARS_OP_EQ_I: case CARS_OP_NE_I: case CARS_OP_LT_I: case CARS_OP_LE_I: case CARS_OP_GT_I:
    case CARS_OP_GE_I: case CARS_OP_EQ_F: case CARS_OP_NE_F: case CARS_OP_LT_F: case CARS_OP_LE_F:
    case CARS_OP_GT_F: case CARS_OP_GE_F:
        compare(c, op);
        break;
    case CARS_OP_IN_SET: in_set(c, cars_rd16(q + CARS_OPND(IN_SET, 1, 2))); break;
    case CARS_OP_NOT: case CARS_OP_AND: case CARS_OP_OR: logic(c, op); break;
    case CARS_OP_JUMP_IF_FALSE: case CARS_OP_JUMP_IF_TRUE: jump(c, op, next + cars_rd16(q + CARS_OPND(JUMP_IF_TRUE, 1, 2))); break;
    case CARS_OP_RET: {
        aval v = pop(c);
        sref t, f;
        truth(c, v, &t, &f);
        if (t == ALLSLOTS)
            memset(result, 0xFF, (size_t)c->ws * sizeof *result);
        for (uint32_t i = 0; i < c->ws && t > ALLSLOTS; i++)
            result[i] |= cars_vx_words(c, t)[i];
        unref(c, v);
        drop_stack(c);
        c->live = false;
        break;
    }
    default: other(c, op); break;
    }
}

/* One pass over block b: the slots in which it can return known true are
 * added to result. */
static void pass(ictx *c, const cars_pblock *b, uint64_t *result)
{
    const uint8_t *code = c->p->code + b->offset;
    c->depth = 0, c->live = true, c->redo = false;
    c->npool = c->base, c->nfreed = 0;
    c->nsnaps = c->nsnap_free = 0;
    for (uint32_t pc = 0, len; pc < b->len; pc += len) {
        len = cars_opinfo_table[code[pc]].len;
        if (c->pend[pc])
            arrive(c, pc);
        if (c->live && !c->redo)
            step(c, code + pc, pc + len, result);
    }
    drop_stack(c);
}

/* The slots in which block b can return known true, into result: first
 * without false sets, which only a NOT needs. */
static void true_slots(ictx *c, const cars_pblock *b, uint64_t *result)
{
    memset(result, 0, (size_t)c->ws * sizeof *result);
    c->need_f = false;
    pass(c, b, result);
    if (c->redo) {
        memset(result, 0, (size_t)c->ws * sizeof *result);
        c->need_f = true;
        pass(c, b, result);
    }
    for (uint32_t i = 0; i < c->ws; i++)
        result[i] &= c->every[i];
}

/* ---- the stages ---- */

/* The values the reader stores for the field (vm/reader.c): a bool 0 or 1,
 * an enumeration its member's index, a country its code, an integer with a
 * minimum no less; any integer otherwise. */
static void domain(seg *s, const cars_pfield *f)
{
    s->dlo = INT64_MIN, s->dhi = INT64_MAX;
    if (f->type == CARS_FT_BOOL)
        s->dlo = 0, s->dhi = 1;
    else if (f->type == CARS_FT_ENUM)
        s->dlo = 0, s->dhi = (int64_t)f->members_n - 1;
    else if (f->type == CARS_FT_COUNTRY)
        s->dlo = 0, s->dhi = 26 * 26 * 26 - 1;
    else if (f->type == CARS_FT_INTEGER && (f->flags & CARS_FF_HAS_MIN) && f->min == f->min &&
             !cars_vx_first_ge(INT64_MIN, INT64_MAX, f->min, &s->dlo))
        s->dlo = 1, s->dhi = 0; /* no integer reaches the minimum: never present */
}

static void describe(const ictx *c, const seg *s, uint32_t j, char *out, size_t n)
{
    const cars_str *path = &c->p->fields[c->p->indexes[s->xi].field].path;
    int pl = (int)path->len;
    if (j == s->nk + 1) {
        snprintf(out, n, "%.*s absent", pl, path->p);
    } else if (!s->num) {
        int64_t lo = j == 0 ? INT64_MIN : (int64_t)s->keys[j - 1], hi = j == s->nk ? INT64_MAX : (int64_t)s->keys[j] - 1;
        lo = lo < s->dlo ? s->dlo : lo;
        hi = hi > s->dhi ? s->dhi : hi;
        snprintf(out, n, "values %" PRId64 "..%" PRId64 " of %.*s", lo, hi, pl, path->p);
    } else if (s->nk == 0) {
        snprintf(out, n, "any value of %.*s", pl, path->p);
    } else if (j == 0) {
        snprintf(out, n, "values below %.17g of %.*s", as_double(s->keys[0]), pl, path->p);
    } else if (j == s->nk) {
        snprintf(out, n, "values from %.17g of %.*s", as_double(s->keys[j - 1]), pl, path->p);
    } else {
        snprintf(out, n, "values from %.17g to below %.17g of %.*s", as_double(s->keys[j - 1]),
                 as_double(s->keys[j]), pl, path->p);
    }
}

static int nomem(char *err, size_t errlen)
{
    cars_fail(err, errlen, "out of memory verifying the program");
    return CARS_VERIFY_NOMEM;
}

/* Whether rule k is set in slot j of segment s (bitsets of w words). */
static bool has_rule(const seg *s, uint32_t w, uint32_t j, uint32_t k)
{
    return (s->keys[s->nk + (size_t)j * w + k / 64] >> (k % 64)) & 1;
}

/* The first slot of segment s in `slots` in which rule k of the stage is
 * not set, or UINT32_MAX. */
static uint32_t first_missing(const seg *s, const uint64_t *slots, uint32_t w, uint32_t k)
{
    uint32_t from = s->at, to = s->at + s->nk + 1;
    for (uint32_t i = from / 64; i <= to / 64; i++) {
        uint64_t m = slots[i];
        m &= i == from / 64 ? ~(uint64_t)0 << (from % 64) : ~(uint64_t)0;
        m &= i == to / 64 ? ~(uint64_t)0 >> (63 - to % 64) : ~(uint64_t)0;
        for (; m; m &= m - 1) {
            uint32_t j = i * 64 + cars_lowest_bit(m) - s->at;
            if (!has_rule(s, w, j, k))
                return j;
        }
    }
    return UINT32_MAX;
}

/* The rules segment s sets in every slot, into all (w words). */
static void set_everywhere(const seg *s, uint32_t w, uint64_t *all)
{
    for (uint32_t i = 0; i < w; i++)
        all[i] = ~(uint64_t)0;
    for (uint32_t j = 0; j < s->nk + 2; j++)
        for (uint32_t i = 0; i < w; i++)
            all[i] &= s->keys[s->nk + (size_t)j * w + i];
}

/* The entry of fields[] for schema field f, added if new. */
static uint16_t field_entry(ictx *c, uint16_t f)
{
    if (c->field_of[f] == NOFIELD) {
        c->fields[c->nfields] = (sfield){.field = f, .num = c->p->fields[f].type == CARS_FT_NUMBER};
        c->field_of[f] = (uint16_t)c->nfields++;
    }
    return c->field_of[f];
}

/* The stage's own sets of a field (see sfield): each has every slot of the
 * segments of other fields, and in the field's own segments: */
enum { OWN_NONE, OWN_PRESENT, OWN_TRUE, OWN_FALSE, OWN_ABSENT };

/* A new bitset of the stage's own (kept for all its rules). */
static sref own_set(ictx *c, uint16_t fi, int what)
{
    sref r = cars_vx_new_set(c, NOSLOT);
    if (r == ALLSLOTS)
        return r;
    uint64_t *w = cars_vx_words(c, r);
    for (uint32_t i = 0; i < c->nsegs; i++) {
        const seg *s = &c->segs[i];
        if (s->fi != fi) {
            cars_vx_range(w, s->at, s->at + s->nk + 1);
        } else if (what == OWN_PRESENT || (what == OWN_TRUE && s->num)) {
            if (s->num) /* a number is false only as +0.0, in the slot of -0.0 too */
                cars_vx_range(w, s->at, s->at + s->nk);
            else
                cars_vx_mark_i(s, w, s->dlo, s->dhi);
        } else if (what == OWN_TRUE) { /* an integer is true when not 0 */
            cars_vx_mark_i(s, w, INT64_MIN, -1), cars_vx_mark_i(s, w, 1, INT64_MAX);
        } else if (what == OWN_FALSE) {
            if (s->num)
                cars_vx_mark_d(s, w, 0.0, 0.0, false);
            else
                cars_vx_mark_i(s, w, 0, 0);
        } else if (what == OWN_ABSENT) {
            cars_vx_range(w, s->at + s->nk + 1, s->at + s->nk + 1);
        }
    }
    return r;
}

/* The stage's segments (its indexes xs[0..n)) and fields; every: ws words. */
static void setup(ictx *c, const uint32_t *xs, uint32_t n, uint64_t *every)
{
    const cars_program *p = c->p;
    c->nsegs = n, c->nfields = 0, c->npool = c->nfreed = 0;
    uint32_t at = 0;
    for (uint32_t i = 0; i < n; i++) {
        const cars_pindex *x = &p->indexes[xs[i]];
        seg *s = &c->segs[i];
        *s = (seg){.xi = xs[i], .keys = p->index_words + x->words_first, .nk = x->nvalues, .at = at,
                   .num = x->flags & CARS_IX_NUMBER};
        s->fi = field_entry(c, x->field);
        domain(s, &p->fields[x->field]);
        s->slot_dlo = cars_vx_slot_i(s, s->dlo), s->slot_dhi = cars_vx_slot_i(s, s->dhi);
        at += x->nvalues + 2;
    }
    c->ns = at, c->ws = (at + 63) / 64;
    size_t per = c->ws ? c->ws : 1, limit = MAX_POOL_WORDS / per;
    size_t cap = c->pool_words / per < c->ref_cap ? c->pool_words / per : c->ref_cap;
    c->cap = (uint32_t)(cap < limit ? cap : limit);
    for (uint16_t fi = 0; fi < c->nfields; fi++) {
        sfield *fd = &c->fields[fi];
        fd->other = own_set(c, fi, OWN_NONE), fd->derived = own_set(c, fi, OWN_PRESENT);
        fd->val_t = own_set(c, fi, OWN_TRUE), fd->val_f = own_set(c, fi, OWN_FALSE);
        fd->pres_f = own_set(c, fi, OWN_ABSENT);
    }
    c->base = c->npool;
    c->every = every;
    memset(every, 0, (size_t)c->ws * sizeof *every);
    for (uint32_t i = 0; i < n; i++) {
        const seg *s = &c->segs[i];
        if (s->num)
            cars_vx_range(every, s->at, s->at + s->nk + 1);
        else
            cars_vx_mark_i(s, every, s->dlo, s->dhi), cars_vx_range(every, s->at + s->nk + 1, s->at + s->nk + 1);
    }
}

/* Proves rule k of stage st against segments whose flag in todo is set;
 * res: ws words. */
static int prove_rule(ictx *c, const cars_pstage *st, uint32_t k, const bool *todo, uint64_t *res, char *err,
                      size_t errlen)
{
    const cars_program *p = c->p;
    uint32_t r = p->stage_rules[st->first + k], w = (st->n + 63) / 64;
    true_slots(c, &p->blocks[p->rules[r].block], res);
    if (c->oom)
        return nomem(err, errlen);
    for (uint32_t i = 0; i < c->nsegs; i++) {
        const seg *s = &c->segs[i];
        uint32_t j = todo[i] ? first_missing(s, res, w, k) : UINT32_MAX;
        if (j != UINT32_MAX) {
            char where[200];
            describe(c, s, j, where, sizeof where);
            return cars_fail(err, errlen, "index %u of stage %u leaves out rule %u (%.*s) in slot %u (%s), where its "
                        "condition can be true", s->xi, p->indexes[s->xi].stage, r, (int)p->rules[r].id.len,
                        p->rules[r].id.p, j, where);
        }
    }
    return 0;
}

/* Proves stage st's indexes xs[0..n) sound. */
static int prove_stage(ictx *c, const cars_pstage *st, const uint32_t *xs, uint32_t n, char *err, size_t errlen)
{
    uint64_t slots = 0;
    for (uint32_t i = 0; i < n; i++)
        slots += (uint64_t)c->p->indexes[xs[i]].nvalues + 2;
    if (slots > MAX_SLOTS || n >= NOFIELD)
        return cars_fail(err, errlen, "stage %u: %u indexes of %llu slots, more than the verifier can prove (%u, %u)",
                    c->p->indexes[xs[0]].stage, n, (unsigned long long)slots, NOFIELD - 1, MAX_SLOTS);
    uint32_t ws = (uint32_t)((slots + 63) / 64), w = (st->n + 63) / 64;
    uint64_t *buf = cars_malloc((2 * (size_t)ws + (size_t)n * w) * sizeof *buf);
    bool *todo = cars_malloc(n);
    int rc = buf && todo ? 0 : nomem(err, errlen);
    uint64_t *all = rc == 0 ? buf + 2 * (size_t)ws : NULL; /* per segment: the rules it sets everywhere */
    if (rc == 0)
        setup(c, xs, n, buf);
    if (rc == 0 && c->oom)
        rc = nomem(err, errlen);
    for (uint32_t i = 0; i < n && rc == 0; i++)
        set_everywhere(&c->segs[i], w, all + (size_t)i * w);
    for (uint32_t k = 0; k < st->n && rc == 0; k++) {
        bool any = false;
        for (uint32_t i = 0; i < n; i++) /* a rule set in every slot needs no proof */
            any |= todo[i] = !((all[(size_t)i * w + k / 64] >> (k % 64)) & 1);
        if (any)
            rc = prove_rule(c, st, k, todo, buf + ws, err, errlen);
    }
    for (uint32_t i = 0; i < c->nfields; i++)
        c->field_of[c->fields[i].field] = NOFIELD;
    cars_free(buf);
    cars_free(todo);
    return rc;
}

/* The indexes in stage order: order[first[s] .. first[s + 1]) are stage s's. */
static void by_stage(const cars_program *p, uint32_t *order, uint32_t *first)
{
    memset(first, 0, ((size_t)p->nstages + 1) * sizeof *first);
    for (uint32_t i = 0; i < p->nindexes; i++)
        first[p->indexes[i].stage + 1]++;
    for (uint32_t s = 0; s < p->nstages; s++)
        first[s + 1] += first[s];
    for (uint32_t i = 0; i < p->nindexes; i++) /* first[s] moves to the end of stage s, then back */
        order[first[p->indexes[i].stage]++] = i;
    for (uint32_t s = p->nstages; s > 0; s--)
        first[s] = first[s - 1];
    first[0] = 0;
}

static void init(ictx *c, const cars_program *p)
{
    memset(c, 0, sizeof *c);
    c->p = p;
    uint32_t maxlen = 1;
    c->stride = 1;
    for (uint32_t i = 0; i < p->nblocks; i++)
        if (p->blocks[i].kind == CARS_BK_RULE) {
            maxlen = p->blocks[i].len > maxlen ? p->blocks[i].len : maxlen;
            c->stride = p->blocks[i].max_stack > c->stride ? p->blocks[i].max_stack : c->stride;
        }
    c->pend = cars_calloc(maxlen, sizeof *c->pend);
    c->segs = cars_malloc(p->nindexes * sizeof *c->segs);
    c->fields = cars_malloc(p->nindexes * sizeof *c->fields);
    c->field_of = cars_malloc(((size_t)p->nfields + 1) * sizeof *c->field_of);
    if (c->field_of)
        memset(c->field_of, 0xFF, ((size_t)p->nfields + 1) * sizeof *c->field_of);
}

static void release(ictx *c)
{
    cars_free(c->pend);
    cars_free(c->segs);
    cars_free(c->fields);
    cars_free(c->field_of);
    cars_free(c->pool);
    cars_free(c->refs);
    cars_free(c->freed);
    cars_free(c->snaps);
}

int cars_verify_index_sound(const cars_program *p, char *err, size_t errlen)
{
    if (p->nindexes == 0)
        return 0;
    ictx c;
    init(&c, p);
    uint32_t *order = cars_malloc(p->nindexes * sizeof *order);
    uint32_t *first = cars_malloc(((size_t)p->nstages + 1) * sizeof *first);
    int rc = 0;
    if (!c.pend || !c.segs || !c.fields || !c.field_of || !order || !first)
        rc = nomem(err, errlen);
    else
        by_stage(p, order, first);
    for (uint32_t s = 0; s < p->nstages && rc == 0; s++)
        if (first[s + 1] > first[s])
            rc = prove_stage(&c, &p->stages[s], order + first[s], first[s + 1] - first[s], err, errlen);
    cars_free(order);
    cars_free(first);
    release(&c);
    return rc;
}

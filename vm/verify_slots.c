/* verify_slots.c - the slot sets of the index proof (verify_index.c):
 * which slots of a stage's index segments hold which values (a slot j of
 * a segment holds the values v with key[j-1] <= v < key[j], limited to what
 * the reader stores for the field), marked in bitsets of the stage's slots;
 * and those bitsets as reference-counted sets in one pool, with the two
 * shared constants NOSLOT and ALLSLOTS. */
#include "verify_index_int.h"

#include <float.h>
#include <math.h> /* INFINITY: a constant, no libm */

#include "alloc.h"

/* ---- bitsets ---- */

/* Slots from..to of w, inclusive. */
void cars_vx_range(uint64_t *w, uint32_t from, uint32_t to)
{
    uint32_t fw = from / 64, tw = to / 64;
    uint64_t fm = ~(uint64_t)0 << (from % 64), tm = ~(uint64_t)0 >> (63 - to % 64);
    if (fw == tw) {
        w[fw] |= fm & tm;
        return;
    }
    w[fw] |= fm;
    for (uint32_t i = fw + 1; i < tw; i++)
        w[i] = ~(uint64_t)0;
    w[tw] |= tm;
}

/* ---- values and slots of a segment ---- */

/* The slot of a present value: how many keys are at most v (as the VM). */
uint32_t cars_vx_slot_i(const seg *s, int64_t v)
{
    uint32_t lo = 0, hi = s->nk;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((int64_t)s->keys[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static uint32_t slot_d(const seg *s, double v)
{
    uint32_t lo = 0, hi = s->nk;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (as_double(s->keys[mid]) <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The least v of [a, b] with (double)v >= d, if any (the conversion is
 * monotone, so the ones that are form an interval ending at b). */
bool cars_vx_first_ge(int64_t a, int64_t b, double d, int64_t *out)
{
    if (a > b || !((double)b >= d))
        return false;
    while (a < b) {
        int64_t m = a + (int64_t)(((uint64_t)b - (uint64_t)a) / 2);
        if ((double)m >= d)
            b = m;
        else
            a = m + 1;
    }
    *out = a;
    return true;
}

/* The greatest v of [a, b] with (double)v <= d, if any. */
static bool last_le(int64_t a, int64_t b, double d, int64_t *out)
{
    if (a > b || !((double)a <= d))
        return false;
    while (a < b) {
        uint64_t diff = (uint64_t)b - (uint64_t)a;
        int64_t m = a + (int64_t)(diff / 2);
        m += (int64_t)(diff & 1); /* rounded up, so that a moves */
        if ((double)m <= d)
            a = m;
        else
            b = m - 1;
    }
    *out = a;
    return true;
}

/* The least double above d (d < +infinity, not NaN): IEEE-754 nextafter. */
static double next_up(double d)
{
    if (d == 0)
        return DBL_TRUE_MIN;
    uint64_t b = bits_of(d);
    return as_double(d > 0 ? b + 1 : b - 1);
}

static double next_down(double d) { return -next_up(-d); }

/* Marks in w the slots of segment s holding the integers lo..hi it can. */
void cars_vx_mark_i(const seg *s, uint64_t *w, int64_t lo, int64_t hi)
{
    if (lo < s->dlo)
        lo = s->dlo;
    if (hi > s->dhi)
        hi = s->dhi;
    if (lo <= hi)
        cars_vx_range(w, s->at + (lo == s->dlo ? s->slot_dlo : cars_vx_slot_i(s, lo)),
                 s->at + (hi == s->dhi ? s->slot_dhi : cars_vx_slot_i(s, hi)));
}

/* The same for the doubles lo..hi (lo <= hi, neither NaN); fnum: for the
 * integers TO_NUM takes there (an interval: the conversion is monotone). */
void cars_vx_mark_d(const seg *s, uint64_t *w, double lo, double hi, bool fnum)
{
    int64_t from, to;
    if (!fnum)
        cars_vx_range(w, s->at + slot_d(s, lo), s->at + slot_d(s, hi));
    else if (cars_vx_first_ge(s->dlo, s->dhi, lo, &from) && last_le(s->dlo, s->dhi, hi, &to) && from <= to)
        cars_vx_mark_i(s, w, from, to);
}

/* Marks the slots of the values v with `v k x`, integers. */
void cars_vx_cmp_i(const seg *s, uint64_t *w, int k, int64_t x)
{
    bool below = x > INT64_MIN, above = x < INT64_MAX;
    if (k == CMP_EQ)
        cars_vx_mark_i(s, w, x, x);
    if ((k == CMP_NE || k == CMP_LT) && below)
        cars_vx_mark_i(s, w, INT64_MIN, x - 1);
    if ((k == CMP_NE || k == CMP_GT) && above)
        cars_vx_mark_i(s, w, x + 1, INT64_MAX);
    if (k == CMP_LE)
        cars_vx_mark_i(s, w, INT64_MIN, x);
    if (k == CMP_GE)
        cars_vx_mark_i(s, w, x, INT64_MAX);
}

/* The same for doubles (d not NaN); exclusive bounds are the next double
 * inward. */
void cars_vx_cmp_d(const seg *s, uint64_t *w, int k, double d, bool fnum)
{
    bool below = d > -INFINITY, above = d < INFINITY;
    if (k == CMP_EQ)
        cars_vx_mark_d(s, w, d, d, fnum);
    if ((k == CMP_NE || k == CMP_LT) && below)
        cars_vx_mark_d(s, w, -INFINITY, next_down(d), fnum);
    if ((k == CMP_NE || k == CMP_GT) && above)
        cars_vx_mark_d(s, w, next_up(d), INFINITY, fnum);
    if (k == CMP_LE)
        cars_vx_mark_d(s, w, -INFINITY, d, fnum);
    if (k == CMP_GE)
        cars_vx_mark_d(s, w, d, INFINITY, fnum);
}

/* ---- sets ---- */


sref cars_vx_ref(ictx *c, sref s)
{
    if (s > ALLSLOTS)
        c->refs[s - 2]++;
    return s;
}

void cars_vx_unref(ictx *c, sref s)
{
    if (s > ALLSLOTS && --c->refs[s - 2] == 0)
        c->freed[c->nfreed++] = s - 2;
}

/* Room for more bitsets; false at the limit (or out of memory). */
static bool grow_pool(ictx *c)
{
    size_t per = c->ws, limit = MAX_POOL_WORDS / per;
    if (c->npool >= limit)
        return false;
    size_t want = c->npool ? 2 * (size_t)c->npool : 16;
    if (want > limit)
        want = limit;
    if (want * per > c->pool_words) {
        uint64_t *q = cars_realloc(c->pool, want * per * sizeof *q);
        if (!q)
            return !(c->oom = true);
        c->pool = q, c->pool_words = want * per;
    }
    if (want > c->ref_cap) {
        uint32_t *r = cars_realloc(c->refs, want * sizeof *r);
        if (r)
            c->refs = r;
        uint32_t *f = r ? cars_realloc(c->freed, want * sizeof *f) : NULL;
        if (!f)
            return !(c->oom = true);
        c->freed = f, c->ref_cap = (uint32_t)want;
    }
    c->cap = (uint32_t)want;
    return true;
}

/* A new bitset (one reference), a copy of `from`; every slot beyond the
 * pool's limit. The pool may move: take pointers into it after this. */
sref cars_vx_new_set(ictx *c, sref from)
{
    uint32_t h;
    if (c->nfreed)
        h = c->freed[--c->nfreed];
    else if (c->npool < c->cap || grow_pool(c))
        h = c->npool++;
    else
        return ALLSLOTS;
    c->refs[h] = 1;
    uint64_t *w = c->pool + (size_t)h * c->ws;
    if (from > ALLSLOTS)
        memcpy(w, cars_vx_words(c, from), (size_t)c->ws * sizeof *w);
    else
        memset(w, from == ALLSLOTS ? 0xFF : 0, (size_t)c->ws * sizeof *w);
    return h + 2;
}

/* x and y, or x or y (a new reference). */
sref cars_vx_combine(ictx *c, sref x, sref y, bool and)
{
    if (x == y || y == (and ? ALLSLOTS : NOSLOT))
        return cars_vx_ref(c, x);
    if (x == (and ? ALLSLOTS : NOSLOT))
        return cars_vx_ref(c, y);
    if (x == (and ? NOSLOT : ALLSLOTS) || y == (and ? NOSLOT : ALLSLOTS))
        return and ? NOSLOT : ALLSLOTS;
    sref r = cars_vx_new_set(c, x); /* both are bitsets */
    if (r == ALLSLOTS)
        return r;
    uint64_t *w = cars_vx_words(c, r);
    const uint64_t *v = cars_vx_words(c, y);
    for (uint32_t i = 0; i < c->ws; i++)
        w[i] = and ? w[i] & v[i] : w[i] | v[i];
    return r;
}

/* stagebits.c - the words of a stage's indexes (stagebits.h). */
#include "stagebits.h"

#include <string.h>

#include "vm.h"

/* The bitset of index x for this record: its value's slot (how many keys
 * are at most the value), or the last one when the field is absent. */
const uint64_t *cars_index_bits(const cars_program *p, const cars_pindex *x, const cars_record *rec, uint32_t w)
{
    const int64_t *keys = (const int64_t *)(const void *)(p->index_words + x->words_first);
    uint32_t j = x->nvalues + 1; /* bound: the verifier refused nvalues == UINT32_MAX */
    const cars_value *v = &rec->v[x->field];
    if (v->known) {
        uint32_t lo = 0, hi = x->nvalues;
        if (x->flags & CARS_IX_NUMBER) { /* the keys are doubles: compared as LE_F does */
            const double *dk = (const double *)(const void *)keys;
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (dk[mid] <= v->f)
                    lo = mid + 1;
                else
                    hi = mid;
            }
        } else {
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (keys[mid] <= v->i)
                    lo = mid + 1;
                else
                    hi = mid;
            }
        }
        j = lo;
    }
    return p->index_words + x->words_first + x->nvalues + (size_t)j * w;
}

/* A stage's candidates for a record: the AND of its indexes' bitsets
 * bits[0..nx), w words each (with 10,000 rules in a stage, 157 words a
 * bitset: the part of routing that grows with a stage's size). Sixteen
 * words at a time, four vectors kept in registers while every index is
 * ANDed in (one load and one AND a vector an index, nothing stored between
 * indexes), then four words, then one. No early stop: an index's bitset
 * typically holds a third or more of a stage's rules, so sixteen words are
 * rarely empty before the last index. With cand, every word is stored
 * there; with rules, each candidate, in stage order, is appended there as
 * its rule (stage_rules: the stage's rules in order); how many. Four words
 * are one vector (GCC's and Clang's vector extension: two SSE2 operations
 * on any x86-64), and on x86-64 a second copy of cand_words uses AVX2
 * (one), which the loader picks when the CPU has it; static, so that the
 * clones put no global symbol (and no ifunc resolver) into the library. */
#if defined(__GNUC__)
typedef uint64_t cars_words4 __attribute__((vector_size(32)));

/* *v = the four words at a, or *v &= them. */
static inline __attribute__((always_inline)) void load4(cars_words4 *v, const uint64_t *a)
{
    memcpy(v, a, sizeof *v);
}
static inline __attribute__((always_inline)) void and4(cars_words4 *v, const uint64_t *a)
{
    cars_words4 y;
    memcpy(&y, a, sizeof y);
    *v &= y;
}

/* Candidate words i..i+3 (v): stored or appended as cand_words says; the
 * new count. */
static inline __attribute__((always_inline)) uint32_t cand_put(const cars_words4 *vp, uint32_t i, const uint32_t *stage_rules,
                                                               uint64_t *cand, uint32_t *rules, uint32_t n)
{
    const cars_words4 v = *vp;
    if (cand)
        memcpy(cand + i, &v, sizeof v);
    if (rules && (v[0] | v[1] | v[2] | v[3]) != 0)
        for (uint32_t j = 0; j < 4; j++)
            for (uint64_t m = v[j]; m; m &= m - 1)
                rules[n++] = stage_rules[(i + j) * 64 + cars_lowest_bit(m)];
    return n;
}

#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
__attribute__((target_clones("avx2", "default")))
#endif
#endif
#endif
static uint32_t cand_words(const uint64_t *const *bits, uint32_t nx, uint32_t w, const uint32_t *stage_rules,
                           uint64_t *cand, uint32_t *rules)
{
    uint32_t i = 0, n = 0;
#if defined(__GNUC__)
    for (; i + 16 <= w; i += 16) { /* 16 words at once, four vectors, in registers */
        const uint64_t *b = bits[0] + i;
        cars_words4 v0, v1, v2, v3;
        load4(&v0, b), load4(&v1, b + 4), load4(&v2, b + 8), load4(&v3, b + 12);
        for (uint32_t k = 1; k < nx; k++) {
            b = bits[k] + i;
            and4(&v0, b), and4(&v1, b + 4), and4(&v2, b + 8), and4(&v3, b + 12);
        }
        n = cand_put(&v0, i, stage_rules, cand, rules, n);
        n = cand_put(&v1, i + 4, stage_rules, cand, rules, n);
        n = cand_put(&v2, i + 8, stage_rules, cand, rules, n);
        n = cand_put(&v3, i + 12, stage_rules, cand, rules, n);
    }
    for (; i + 4 <= w; i += 4) {
        cars_words4 v;
        load4(&v, bits[0] + i);
        for (uint32_t k = 1; k < nx; k++)
            and4(&v, bits[k] + i);
        n = cand_put(&v, i, stage_rules, cand, rules, n);
    }
#endif
    for (; i < w; i++) {
        uint64_t v = bits[0][i];
        for (uint32_t k = 1; k < nx; k++)
            v &= bits[k][i];
        if (cand)
            cand[i] = v;
        if (rules)
            for (uint64_t m = v; m; m &= m - 1)
                rules[n++] = stage_rules[i * 64 + cars_lowest_bit(m)];
    }
    return n;
}

uint32_t cars_cand(const cars_program *p, const cars_record *rec, const cars_pstage *s, const cars_pindex *x,
                   uint32_t nx, const uint64_t **bits, uint64_t *cand, uint32_t *rules)
{
    uint32_t w = (s->n + 63) / 64;
    for (uint32_t k = 0; k < nx; k++)
        bits[k] = cars_index_bits(p, x + k, rec, w);
    return cand_words(bits, nx, w, p->stage_rules + s->first, cand, rules);
}

void cars_vm_decide_bits_from(const cars_program *p, const uint8_t *value, uint64_t *bits)
{
    memset(bits, 0, ((size_t)p->nstage_rules / 64 + 1) * sizeof *bits);
    for (uint32_t j = 0; j < p->nstage_rules; j++)
        if (value[p->stage_rules[j]] == 1)
            bits[j / 64] |= UINT64_C(1) << (j % 64);
}

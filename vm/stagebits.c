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

/* dst = a & b, w words (a == dst allowed: dst &= b): with 10,000 rules in
 * a stage, 157 words per index per record, the part of routing that grows
 * with a stage's size. Four words at a time as one vector (GCC's and
 * Clang's vector extension: two SSE2 operations on any x86-64), and on
 * x86-64 a second copy for AVX2 (one operation), which the loader picks
 * when the CPU has it. */
#if defined(__GNUC__)
typedef uint64_t cars_words4 __attribute__((vector_size(32)));
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
__attribute__((target_clones("avx2", "default")))
#endif
#endif
#endif
static void and_words(uint64_t *dst, const uint64_t *a, const uint64_t *restrict b, uint32_t w)
{
    uint32_t i = 0;
#if defined(__GNUC__)
    for (; i + 4 <= w; i += 4) {
        cars_words4 x, y;
        memcpy(&x, a + i, sizeof x);
        memcpy(&y, b + i, sizeof y);
        x &= y;
        memcpy(dst + i, &x, sizeof x);
    }
#endif
    for (; i < w; i++)
        dst[i] = a[i] & b[i];
}

void cars_cand_words(const cars_program *p, const cars_record *rec, const cars_pstage *s, const cars_pindex *x,
                     uint32_t nx, uint64_t *cand)
{
    uint32_t w = (s->n + 63) / 64;
    if (nx == 1)
        memcpy(cand, cars_index_bits(p, x, rec, w), w * sizeof *cand);
    else
        and_words(cand, cars_index_bits(p, x, rec, w), cars_index_bits(p, x + 1, rec, w), w);
    for (uint32_t k = 2; k < nx; k++)
        and_words(cand, cand, cars_index_bits(p, x + k, rec, w), w);
}

void cars_vm_decide_bits_from(const cars_program *p, const uint8_t *value, uint64_t *bits)
{
    memset(bits, 0, ((size_t)p->nstage_rules / 64 + 1) * sizeof *bits);
    for (uint32_t j = 0; j < p->nstage_rules; j++)
        if (value[p->stage_rules[j]] == 1)
            bits[j / 64] |= UINT64_C(1) << (j % 64);
}

/* satarith.h - saturating int64 arithmetic for the interpreter (vm.c): the
 * exact result when it lies in [INT64_MIN, INT64_MAX], otherwise the nearest
 * limit; never a wrapped value, never undefined behaviour. So a result
 * compared with any int64 gives the answer the true result gives, except
 * against the limit it saturated to (docs/bytecode.md). The portable forms
 * are the reference (tests/unit/test_satarith.c checks the builtin forms
 * against them); GCC and Clang use __builtin_*_overflow. */
#ifndef CARS_SATARITH_H
#define CARS_SATARITH_H

#include <stdbool.h>
#include <stdint.h>

static inline int64_t cars_sat_add_portable(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

static inline int64_t cars_sat_sub_portable(int64_t a, int64_t b)
{
    if (b < 0 && a > INT64_MAX + b)
        return INT64_MAX;
    if (b > 0 && a < INT64_MIN + b)
        return INT64_MIN;
    return a - b;
}

static inline int64_t cars_sat_mul_portable(int64_t a, int64_t b)
{
    if (a == 0 || b == 0)
        return 0;
    bool neg = (a < 0) != (b < 0);
    /* magnitudes as unsigned: |INT64_MIN| fits, nothing overflows */
    uint64_t ua = a < 0 ? 0 - (uint64_t)a : (uint64_t)a;
    uint64_t ub = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
    uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (ua > lim / ub)
        return neg ? INT64_MIN : INT64_MAX;
    uint64_t m = ua * ub; /* <= lim */
    if (!neg)
        return (int64_t)m;
    return m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
}

#if defined(__GNUC__) || defined(__clang__)
static inline int64_t cars_sat_add(int64_t a, int64_t b)
{
    int64_t r;
    return __builtin_add_overflow(a, b, &r) ? (b < 0 ? INT64_MIN : INT64_MAX) : r;
}
static inline int64_t cars_sat_sub(int64_t a, int64_t b)
{
    int64_t r;
    return __builtin_sub_overflow(a, b, &r) ? (b < 0 ? INT64_MAX : INT64_MIN) : r;
}
static inline int64_t cars_sat_mul(int64_t a, int64_t b)
{
    int64_t r;
    return __builtin_mul_overflow(a, b, &r) ? ((a < 0) != (b < 0) ? INT64_MIN : INT64_MAX) : r;
}
#else
static inline int64_t cars_sat_add(int64_t a, int64_t b) { return cars_sat_add_portable(a, b); }
static inline int64_t cars_sat_sub(int64_t a, int64_t b) { return cars_sat_sub_portable(a, b); }
static inline int64_t cars_sat_mul(int64_t a, int64_t b) { return cars_sat_mul_portable(a, b); }
#endif

/* -a: -INT64_MIN saturates to INT64_MAX. */
static inline int64_t cars_sat_neg(int64_t a) { return a == INT64_MIN ? INT64_MAX : -a; }

#endif

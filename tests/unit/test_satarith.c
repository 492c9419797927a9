/* test_satarith.c - saturating int64 arithmetic (vm/satarith.h): the
 * portable forms against exact 128-bit results clamped to the int64 range,
 * and the forms the VM is built with against the portable ones, on every
 * pair of values around 0, +-1, +-2^31, +-2^32, +-sqrt(2^63) and the limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "satarith.h"

static const int64_t EDGE[] = {
    0, 1, -1, 2, -2, 7, -7,
    INT32_MAX, INT32_MIN, (int64_t)1 << 31, (int64_t)1 << 32, -((int64_t)1 << 32),
    3037000499, 3037000500, -3037000499, -3037000500,
    INT64_MAX, INT64_MAX - 1, INT64_MAX - 2, INT64_MAX / 2, INT64_MAX / 2 + 1,
    INT64_MIN, INT64_MIN + 1, INT64_MIN + 2, INT64_MIN / 2, INT64_MIN / 2 - 1,
};
#define NEDGE (sizeof EDGE / sizeof EDGE[0])

#if defined(__SIZEOF_INT128__)
static int64_t clamp(__int128 x)
{
    return x > INT64_MAX ? INT64_MAX : x < INT64_MIN ? INT64_MIN : (int64_t)x;
}
#endif

static void t_portable_exact(void **state)
{
    (void)state;
#if defined(__SIZEOF_INT128__)
    for (size_t i = 0; i < NEDGE; i++)
        for (size_t j = 0; j < NEDGE; j++) {
            __int128 a = EDGE[i], b = EDGE[j];
            assert_true(cars_sat_add_portable(EDGE[i], EDGE[j]) == clamp(a + b));
            assert_true(cars_sat_sub_portable(EDGE[i], EDGE[j]) == clamp(a - b));
            assert_true(cars_sat_mul_portable(EDGE[i], EDGE[j]) == clamp(a * b));
        }
    for (size_t i = 0; i < NEDGE; i++)
        assert_true(cars_sat_neg(EDGE[i]) == clamp(-(__int128)EDGE[i]));
#else
    skip();
#endif
}

static void t_builtin_same(void **state)
{
    (void)state;
    for (size_t i = 0; i < NEDGE; i++)
        for (size_t j = 0; j < NEDGE; j++) {
            int64_t a = EDGE[i], b = EDGE[j];
            assert_true(cars_sat_add(a, b) == cars_sat_add_portable(a, b));
            assert_true(cars_sat_sub(a, b) == cars_sat_sub_portable(a, b));
            assert_true(cars_sat_mul(a, b) == cars_sat_mul_portable(a, b));
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_portable_exact),
        cmocka_unit_test(t_builtin_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

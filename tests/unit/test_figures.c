/* test_figures.c - the figures commands' pieces: the statistics
 * (compiler/stats.h) against values worked by hand, the EIA cell
 * suppression (compiler/equality.h) on small tables worked by hand, and
 * the re-route list's CSV fields (compiler/rcx.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "equality.h"
#include "rcx.h"
#include "stats.h"
#include "strindex.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 5e-5)

/* Wilson score interval, z = 1.959964. Newcombe (1998), example (a):
 * 81/263 gives 0.2553 to 0.3662. By hand, 1/10: p = 0.1, z^2/n = 0.384146,
 * centre (0.1 + 0.192073) / 1.384146 = 0.211013, half-width
 * 1.959964 / 1.384146 * sqrt(0.009 + 0.009604) = 0.193137: 0.017876 to
 * 0.404150. 0/10: 0 to 0.277533; 10/10: 0.722467 to 1; 3/6: 0.187617 to
 * 0.812383. */
static void t_wilson(void **state)
{
    (void)state;
    double lo, hi;
    assert_true(cars_wilson(81, 263, CARS_Z95, &lo, &hi));
    NEAR(lo, 0.255289), NEAR(hi, 0.366210);
    assert_true(cars_wilson(1, 10, CARS_Z95, &lo, &hi));
    NEAR(lo, 0.017876), NEAR(hi, 0.404150);
    assert_true(cars_wilson(0, 10, CARS_Z95, &lo, &hi));
    assert_true(lo == 0), NEAR(hi, 0.277533);
    assert_true(cars_wilson(10, 10, CARS_Z95, &lo, &hi));
    NEAR(lo, 0.722467), assert_true(hi == 1);
    assert_true(cars_wilson(3, 6, CARS_Z95, &lo, &hi));
    NEAR(lo, 0.187617), NEAR(hi, 0.812383);
    assert_false(cars_wilson(0, 0, CARS_Z95, &lo, &hi));
    assert_false(cars_wilson(5, 4, CARS_Z95, &lo, &hi));
}

/* Log method: 20/100 against 50/1000 is a ratio of 4; the variance of its
 * log is 1/20 - 1/100 + 1/50 - 1/1000 = 0.059, so the interval is
 * 4 exp(-+1.959964 * 0.242899): 2.484871 to 6.438966. 2/6 against 3/10:
 * 1.111111, variance 0.566667, 0.254095 to 4.858685. */
static void t_ratio(void **state)
{
    (void)state;
    double r, lo, hi;
    assert_true(cars_ratio_ci(20, 100, 50, 1000, CARS_Z95, &r, &lo, &hi));
    NEAR(r, 4.0), NEAR(lo, 2.484871), NEAR(hi, 6.438966);
    assert_true(cars_ratio_ci(2, 6, 3, 10, CARS_Z95, &r, &lo, &hi));
    NEAR(r, 1.111111), NEAR(lo, 0.254095), NEAR(hi, 4.858685);
    assert_false(cars_ratio_ci(0, 6, 3, 10, CARS_Z95, &r, &lo, &hi));
    assert_false(cars_ratio_ci(2, 6, 0, 10, CARS_Z95, &r, &lo, &hi));
    assert_false(cars_ratio_ci(7, 6, 3, 10, CARS_Z95, &r, &lo, &hi));
}

static cars_eq_row row(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    cars_eq_row r;
    memset(&r, 0, sizeof r);
    r.c[CARS_OUT_NCXDR] = a, r.c[CARS_OUT_NCXPCA] = b, r.c[CARS_OUT_CXDR] = c, r.c[CARS_OUT_CXPCA] = d;
    r.c[CARS_EQ_COLS - 1] = a + b + c + d;
    return r;
}

/* Minimum 10. Row 0 (40 30 3 20 | 93): 3 is hidden (primary); alone in
 * its row it could be worked out from the total, so the row's smallest
 * other count, 20, is hidden too. Column CXDR: only row 0's 3 is hidden;
 * the population's 3 + 12 + 15 is shown, so the smallest other count of
 * the column, 12 (row 1), is hidden; row 1 then has one hidden count and
 * hides its smallest other, 11. Column CXPCA now has 20 and 11 hidden.
 * Nothing else. */
static void t_suppress(void **state)
{
    (void)state;
    cars_eq_row r[3] = {row(40, 30, 3, 20), row(50, 60, 12, 11), row(35, 45, 15, 25)};
    bool pop_hidden[CARS_EQ_COLS] = {false};
    cars_eq_suppress(r, 3, pop_hidden, 10);
    assert_true(r[0].hidden[CARS_OUT_CXDR] && r[0].hidden[CARS_OUT_CXPCA]);
    assert_false(r[0].hidden[CARS_OUT_NCXDR] || r[0].hidden[CARS_OUT_NCXPCA] || r[0].hidden[CARS_EQ_COLS - 1]);
    assert_true(r[1].hidden[CARS_OUT_CXDR] && r[1].hidden[CARS_OUT_CXPCA]);
    assert_false(r[1].hidden[CARS_OUT_NCXDR] || r[1].hidden[CARS_OUT_NCXPCA] || r[1].hidden[CARS_EQ_COLS - 1]);
    for (int c = 0; c < CARS_EQ_COLS; c++)
        assert_false(r[2].hidden[c]);
    assert_false(cars_eq_ratio_shown(r[0].hidden));
    assert_true(cars_eq_ratio_shown(r[2].hidden));
}

/* A zero is shown (it is no person); a column whose population figure is
 * itself hidden needs no partner. */
static void t_suppress_zero(void **state)
{
    (void)state;
    cars_eq_row r[2] = {row(50, 0, 4, 30), row(60, 20, 0, 40)};
    bool pop_hidden[CARS_EQ_COLS] = {false};
    pop_hidden[CARS_OUT_CXDR] = true; /* the population's 4 */
    cars_eq_suppress(r, 2, pop_hidden, 10);
    assert_true(r[0].hidden[CARS_OUT_CXDR]);
    assert_true(r[0].hidden[CARS_OUT_CXPCA]); /* the row's smallest other non-zero count */
    assert_false(r[0].hidden[CARS_OUT_NCXPCA]);
    assert_true(r[1].hidden[CARS_OUT_CXPCA]); /* column CXPCA had one hidden */
    assert_true(r[1].hidden[CARS_OUT_NCXPCA]); /* then row 1 had one hidden */
    assert_false(r[1].hidden[CARS_OUT_CXDR]);
}

/* CSV fields: plain, quoted with a comma and a doubled quote, empty, a
 * final CR; an unclosed quote or text after a closing quote is malformed. */
static void t_csv(void **state)
{
    (void)state;
    char a[] = "R1,\"stay, \"\"short\"\"\",,2026-06-01\r";
    char *f[8];
    assert_int_equal(cars_csv_split(a, f, 8), 4);
    assert_string_equal(f[0], "R1");
    assert_string_equal(f[1], "stay, \"short\"");
    assert_string_equal(f[2], "");
    assert_string_equal(f[3], "2026-06-01");
    char b[] = "R1,\"open";
    assert_int_equal(cars_csv_split(b, f, 8), -1);
    char c[] = "\"R1\"x,y";
    assert_int_equal(cars_csv_split(c, f, 8), -1);
    char d[] = "a,b,c";
    assert_int_equal(cars_csv_split(d, f, 2), -1);
    char e[] = "";
    assert_int_equal(cars_csv_split(e, f, 8), 1);
    assert_string_equal(f[0], "");
}

/* The figures' index: 5,000 keys through several doublings, every one
 * found as its own item; keys given one hash (a forced collision) are all
 * offered as candidates, in the order added, and nothing else is. */
static void t_strindex(void **state)
{
    (void)state;
    cars_strindex x = {0};
    char key[32];
    for (uint32_t i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "GWF%06u", i);
        assert_true(cars_strindex_add(&x, cars_strindex_hash(0, key), i));
    }
    assert_int_equal(x.n, 5000);
    assert_true(x.nslots >= 2 * x.n);
    for (uint32_t i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "GWF%06u", i);
        uint64_t h = cars_strindex_hash(0, key);
        size_t pos = 0;
        uint32_t it, found = CARS_STRINDEX_NONE;
        while ((it = cars_strindex_next(&x, h, &pos)) != CARS_STRINDEX_NONE)
            if (it == i)
                found = it;
        assert_int_equal(found, i);
    }
    assert_int_not_equal(cars_strindex_hash(1, "GWF000001"), cars_strindex_hash(0, "GWF000001"));
    for (uint32_t i = 0; i < 3; i++) /* three items under one hash */
        assert_true(cars_strindex_add(&x, 42, 9000 + i));
    size_t pos = 0;
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(cars_strindex_next(&x, 42, &pos), 9000 + i);
    assert_int_equal(cars_strindex_next(&x, 42, &pos), CARS_STRINDEX_NONE);
    cars_strindex_free(&x);
    pos = 0;
    assert_int_equal(cars_strindex_next(&x, 42, &pos), CARS_STRINDEX_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_wilson),
        cmocka_unit_test(t_ratio),
        cmocka_unit_test(t_suppress),
        cmocka_unit_test(t_suppress_zero),
        cmocka_unit_test(t_csv),
        cmocka_unit_test(t_strindex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

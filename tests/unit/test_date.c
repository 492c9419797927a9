/* test_date.c - calendar dates (vm/date.h) against a day-by-day count:
 * every date of 0001-01-01 .. 9999-12-31 is made, split, formatted and
 * parsed back to the day the count gives; every other text of the form is
 * refused (a day past its month's end, month 00 or 13, year 0000, any
 * byte not a digit in any digit place, other separators and lengths);
 * splitting and making agree far outside that range, on both sides of
 * zero; completed years agree with a count of anniversaries; the parser
 * agrees with its former byte-by-byte form on every year with months and
 * days in and out of range and on every byte in every place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"

/* The oracle's calendar, written from the rule and not from date.c. */
static int leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(long y, int m)
{
    static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : n[m - 1];
}

static void next_day(long *y, int *m, int *d)
{
    if (++*d > month_days(*y, *m)) {
        *d = 1;
        if (++*m > 12) {
            *m = 1;
            ++*y;
        }
    }
}

/* The parser date.c had before its two-load form (byte by byte), kept as
 * the reference the present one must agree with on every input. */
static bool old_parse(const char *s, size_t len, int64_t *days)
{
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return false;
    uint32_t v[8];
    static const int at[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    for (int k = 0; k < 8; k++) {
        v[k] = (uint32_t)(unsigned char)s[at[k]] - '0';
        if (v[k] > 9)
            return false;
    }
    uint32_t y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3], m = v[4] * 10 + v[5], d = v[6] * 10 + v[7];
    if (y < 1 || m - 1 > 11 || d < 1 || d > (uint32_t)month_days((long)y, (int)m))
        return false;
    *days = cars_date_make((int)y, (int)m, (int)d);
    return true;
}

/* The parser and the reference agree on s (len bytes): the same answer,
 * the same day count, nothing written on a refusal. */
static void agree(const char *s, size_t len)
{
    int64_t a = -5, b = -5;
    bool ok = old_parse(s, len, &a);
    assert_int_equal(cars_date_parse(s, len, &b), ok);
    assert_int_equal(b, ok ? a : -5);
}

/* Every year 0000-9999 with every month 00-13 and day 00-32 (and a few
 * far out of range), each at the very end of an allocation of its exact
 * length (so a load past it is a sanitizer's error), and every byte value
 * in every place of a spread of dates. */
static void test_matches_old_parser(void **state)
{
    (void)state;
    char *buf = malloc(10);
    assert_non_null(buf);
    static const int months[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 19, 20, 99};
    static const int mdays[] = {0, 1, 9, 10, 19, 20, 27, 28, 29, 30, 31, 32, 39, 40, 99};
    for (int y = 0; y <= 9999; y++)
        for (size_t i = 0; i < sizeof months / sizeof *months; i++)
            for (size_t j = 0; j < sizeof mdays / sizeof *mdays; j++) {
                char t[48];
                snprintf(t, sizeof t, "%04d-%02d-%02d", y, months[i], mdays[j]);
                memcpy(buf, t, 10);
                agree(buf, 10);
            }
    for (int y = 1; y <= 9999; y += 7) {
        char t[48];
        snprintf(t, sizeof t, "%04d-%02d-%02d", y, y % 12 + 1, y % 28 + 1);
        for (int k = 0; k < 10; k++)
            for (int c = 0; c < 256; c++) {
                memcpy(buf, t, 10);
                buf[k] = (char)c;
                agree(buf, 10);
                for (size_t n = 0; n < 10; n++) /* shorter: at the end of the allocation too */
                    agree(buf + 10 - n, n);
            }
    }
    free(buf);
}

static void test_every_record_date(void **state)
{
    (void)state;
    long y = 1;
    int m = 1, d = 1;
    for (int64_t days = CARS_DATE_MIN; days <= CARS_DATE_MAX; days++) {
        assert_int_equal(cars_date_make((int)y, m, d), days);
        int sy, sm, sd;
        cars_date_split(days, &sy, &sm, &sd);
        assert_true(sy == y && sm == m && sd == d);
        assert_int_equal(cars_date_year(days), y);
        char text[11], want[48];
        cars_date_format(days, text);
        snprintf(want, sizeof want, "%04ld-%02d-%02d", y, m, d);
        assert_string_equal(text, want);
        int64_t back = -1;
        assert_true(cars_date_parse(text, 10, &back));
        assert_int_equal(back, days);
        if (d == month_days(y, m)) { /* the day after the month's last: refused */
            snprintf(want, sizeof want, "%04ld-%02d-%02d", y, m, d + 1);
            assert_false(cars_date_parse(want, 10, &back));
        }
        next_day(&y, &m, &d);
    }
    assert_true(y == 10000 && m == 1 && d == 1);
    assert_int_equal(cars_date_make(1970, 1, 1), 0);
}

static void test_malformed_refused(void **state)
{
    (void)state;
    int64_t v = 42;
    const char *bad[] = {"0000-01-01", "2026-00-10", "2026-13-01", "2026-01-00", "2026-01-32", "2025-02-29",
                         "1900-02-29", "2026/01/01", "2026-01-1", "2026-01-011", "20260-1-01", " 2026-01-01",
                         "2026-1-001", "2026--1-01", "+026-01-01", "-026-01-01", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(cars_date_parse(bad[i], strlen(bad[i]), &v));
    assert_true(cars_date_parse("2000-02-29", 10, &v));
    assert_true(cars_date_parse("9999-12-31", 10, &v) && v == CARS_DATE_MAX);
    assert_true(cars_date_parse("0001-01-01", 10, &v) && v == CARS_DATE_MIN);
    static const int digit_at[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    for (int k = 0; k < 8; k++) /* every byte that is not a digit, in every digit place */
        for (int c = 0; c < 256; c++) {
            if (c >= '0' && c <= '9')
                continue;
            char t[11] = "2016-12-25";
            t[digit_at[k]] = (char)c;
            assert_false(cars_date_parse(t, 10, &v));
        }
    for (int c = 0; c < 256; c++) { /* separators */
        if (c == '-')
            continue;
        char t[11] = "2016-12-25";
        t[4] = (char)c;
        assert_false(cars_date_parse(t, 10, &v));
        t[4] = '-';
        t[7] = (char)c;
        assert_false(cars_date_parse(t, 10, &v));
    }
    assert_int_equal(v, CARS_DATE_MIN); /* untouched by a refusal */
}

/* Splitting undoes making far from the records' range too (the paths for
 * negative and huge years), with day counts increasing by one a day. */
static void test_wide_range(void **state)
{
    (void)state;
    static const long years[] = {-2000000, -400, -1, 0, 10000, 12000000, 400000000};
    for (size_t i = 0; i < sizeof years / sizeof *years; i++) {
        long y = years[i];
        int m = 1, d = 1;
        int64_t first = cars_date_make((int)y, 1, 1);
        for (int64_t k = 0; k < 3 * 366 + 1; k++) {
            assert_int_equal(cars_date_make((int)y, m, d), first + k);
            int sy, sm, sd;
            cars_date_split(first + k, &sy, &sm, &sd);
            assert_true(sy == y && sm == m && sd == d);
            assert_int_equal(cars_date_year(first + k), y);
            next_day(&y, &m, &d);
        }
    }
}

/* Around the ends of the range split takes its fast path in (days from
 * -(719468 + 82 * 146097) to 2^30 less that), it agrees with making and
 * counts day by day across each end. */
static void test_split_path_ends(void **state)
{
    (void)state;
    static const int64_t ends[] = {-(719468 + 82 * 146097LL), (1LL << 30) - (719468 + 82 * 146097LL)};
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
        int y0, m0, d0;
        cars_date_split(ends[i] - 800, &y0, &m0, &d0);
        long y = y0;
        int m = m0, d = d0;
        for (int64_t days = ends[i] - 800; days <= ends[i] + 800; days++) {
            int sy, sm, sd;
            cars_date_split(days, &sy, &sm, &sd);
            assert_true(sy == y && sm == m && sd == d);
            assert_int_equal(cars_date_make(sy, sm, sd), days);
            assert_int_equal(cars_date_year(days), y);
            next_day(&y, &m, &d);
        }
    }
}

/* Completed years: the number of anniversaries passed, an anniversary of
 * 29 February falling on 1 March in a common year. */
static long anniversaries(long fy, int fm, int fd, int64_t to)
{
    long n = 0;
    for (long y = fy + 1;; y++) {
        int am = fm, ad = fd;
        if (fm == 2 && fd == 29 && !leap(y))
            am = 3, ad = 1;
        if (cars_date_make((int)y, am, ad) > to)
            return n;
        n++;
    }
}

static void test_years_between(void **state)
{
    (void)state;
    uint64_t seed = 12345;
    for (int i = 0; i < 20000; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        int64_t from = CARS_DATE_MIN + (int64_t)((seed >> 20) % (uint64_t)(CARS_DATE_MAX - CARS_DATE_MIN));
        if (i % 4 == 0) /* birthdays on 29 February */
            from = cars_date_make(2000 - 4 * (i % 300), 2, 29);
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        int64_t to = from + (int64_t)((seed >> 20) % 40000);
        int fy, fm, fd;
        cars_date_split(from, &fy, &fm, &fd);
        long want = anniversaries(fy, fm, fd, to);
        assert_int_equal(cars_years_between(from, to), want);
        assert_int_equal(cars_years_between(to, from), -want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_record_date),
        cmocka_unit_test(test_malformed_refused),
        cmocka_unit_test(test_matches_old_parser),
        cmocka_unit_test(test_wide_range),
        cmocka_unit_test(test_split_path_ends),
        cmocka_unit_test(test_years_between),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

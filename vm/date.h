/* date.h - calendar dates as days since 1970-01-01 (proleptic Gregorian). */
#ifndef CARS_DATE_H
#define CARS_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The range of dates cars reads: 0001-01-01 .. 9999-12-31, in days. */
#define CARS_DATE_MIN (-719162)
#define CARS_DATE_MAX 2932896

/* Days before month m (1-12) of a common year, and the month's length. */
static const uint16_t cars_date_cum_days[13] = {0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
static const uint8_t cars_date_month_len[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/* Parse exactly "YYYY-MM-DD" (years 0001-9999) into days; false if the text
 * is malformed or the date does not exist (2026-02-30). Inline: the
 * reader's walk parses every date of every record with it.
 * "YYYY-MM-DD" in two loads: bytes 0-7 ("YYYY-MM-") as one little-endian
 * word and bytes 8-9 as another (len is 10, so both are inside s). A byte
 * is a digit when its high nibble is 3 and adding 6 to it leaves it so (no
 * carry leaves a byte: its high nibble is at most 3). The year's digits
 * combine pairwise (SWAR), the month and the day by byte. Leap years by
 * arithmetic on the year (1-9999: unsigned remainders are
 * multiplications), days before the year by Gregorian counting, days
 * before the month from a table. */
static inline bool cars_date_parse(const char *s, size_t len, int64_t *days)
{
    if (len != 10)
        return false;
    uint64_t lo;
    uint16_t hi;
    memcpy(&lo, s, 8);
    memcpy(&hi, s + 8, 2);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    lo = __builtin_bswap64(lo);
    hi = __builtin_bswap16(hi);
#endif
    if ((lo & 0xFFF0F0FFF0F0F0F0u) != 0x2D30302D30303030u ||
        ((lo + 0x0006060006060606u) & 0x00F0F000F0F0F0F0u) != 0x0030300030303030u || (hi & 0xF0F0u) != 0x3030u ||
        ((hi + 0x0606u) & 0xF0F0u) != 0x3030u)
        return false;
    uint64_t x = lo & 0x000F0F000F0F0F0Fu; /* the digits' values */
    uint32_t yx = (uint32_t)x;
    yx = ((yx * 10) + (yx >> 8)) & 0x00FF00FFu; /* bytes 0 and 2: the year's two pairs */
    uint32_t c = yx & 0xFFu, yl = yx >> 16, y = c * 100 + yl;
    uint32_t m = (uint32_t)(x >> 40 & 0xF) * 10 + (uint32_t)(x >> 48 & 0xF);
    uint32_t d = (uint32_t)(hi & 0xF) * 10 + (uint32_t)(hi >> 8 & 0xF);
    if (y == 0 || m - 1 > 11)
        return false;
    /* y = 100 c + yl: divisible by 4 when yl is (100 is), by 100 when yl
     * is 0, and then by 400 when c is divisible by 4. */
    uint32_t leap = ((yl ? yl : c) & 3) == 0;
    if (d - 1 >= (uint32_t)cars_date_month_len[m] + (leap & (m == 2)))
        return false;
    uint32_t py = y - 1, q = py / 100;
    *days = (int64_t)(py * 365 + (py >> 2) - q + (q >> 2) + cars_date_cum_days[m] + (leap & (m > 2)) + d - 1) - 719162;
    return true;
}

/* A date given on a command line (--as-of, --valid-from, ...): the one
 * parser of carsc's and carsvm's date options. False with "invalid date 'X'
 * (expected YYYY-MM-DD)" in err. */
bool cars_date_option(const char *s, int64_t *days, char *err, size_t errlen);
/* Days to year, month (1-12), day (1-31); |days| below 10^9 (the year must
 * fit an int: cars_date_year takes any day count). */
void cars_date_split(int64_t days, int *y, int *m, int *d);
/* Year, month, day to days; the date must exist. */
int64_t cars_date_make(int y, int m, int d);
/* The year of any int64 day count (exact: the calendar repeats every 400
 * years; |year| < 2.6e16). */
int64_t cars_date_year(int64_t days);
/* Completed years from date `from` to date `to` (negative if to < from),
 * exact for any int64 day counts. A 29 February birthday falls on 1 March in
 * years that are not leap years. */
int64_t cars_years_between(int64_t from, int64_t to);
/* Write "YYYY-MM-DD" and a NUL into out[11]. */
void cars_date_format(int64_t days, char out[11]);
bool cars_is_leap(int y);
/* Days in month m (1-12) of year y: the one table of month lengths. */
int cars_days_in_month(int y, int m);

#endif

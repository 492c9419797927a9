/* date.c - calendar arithmetic for record dates and ages.
 * Days from civil: H. Hinnant's algorithm (public domain), exact for the
 * proleptic Gregorian calendar. */
#include "date.h"

#include <stdio.h>
#include <string.h>

bool cars_is_leap(int y)
{
    if (y >= 0) { /* unsigned: the remainders are masks and multiplications */
        uint32_t u = (uint32_t)y;
        return (u % 4 == 0 && u % 100 != 0) || u % 400 == 0;
    }
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int cars_days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && cars_is_leap(y) ? 29 : dim[m - 1];
}

/* Days from civil for a year of 0 or more after the March shift (yy): in
 * 32-bit unsigned arithmetic, where every division by a constant is a
 * multiplication (the dates of records, read for every record, take this
 * path). */
static int64_t days_from_civil_u(uint32_t yy, uint32_t m, uint32_t d)
{
    uint32_t era = yy / 400, yoe = yy - era * 400;
    uint32_t mp = m > 2 ? m - 3 : m + 9;
    uint32_t doy = (153 * mp + 2) / 5 + d - 1;
    uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + doe - 719468;
}

int64_t cars_date_make(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    if (yy >= 0 && yy <= INT32_MAX)
        return days_from_civil_u((uint32_t)yy, (uint32_t)m, (uint32_t)d);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t mp = (m + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Civil from days, for z + 719468 in [0, 2^32): unsigned 32-bit arithmetic. */
static void civil_from_days_u(uint32_t z, int *y, int *m, int *d)
{
    uint32_t era = z / 146097, doe = z - era * 146097;
    uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint32_t mp = (5 * doy + 2) / 153;
    uint32_t mm = mp < 10 ? mp + 3 : mp - 9;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)mm;
    *y = (int)(yoe + era * 400 + (mm <= 2));
}

/* Civil from days by C. Neri and L. Schneider's Euclidean affine
 * functions ("Euclidean affine functions and their application to calendar
 * algorithms", 2022): a computational calendar of years from 1 March,
 * shifted by 82 cycles of 400 years so that every count is unsigned; one
 * division by 146097 and multiplications. For days in [-NS_K, 2^30 - NS_K)
 * (4 N + 3 fits 32 bits): years -32,800 to about 2.9 million. */
#define NS_K (719468u + 146097u * 82u)
static void civil_from_days_ns(int64_t days, int *y, int *m, int *d)
{
    uint32_t n = (uint32_t)(days + NS_K);
    uint32_t n1 = 4 * n + 3, c = n1 / 146097, nc = n1 % 146097 / 4;
    uint64_t p2 = (uint64_t)2939745 * (4 * nc + 3);
    uint32_t z = (uint32_t)(p2 >> 32), ny = (uint32_t)p2 / 2939745 / 4;
    uint32_t n3 = 2141 * ny + 197913, mm = n3 >> 16, dd = (n3 & 0xFFFF) / 2141;
    uint32_t j = ny >= 306;
    *y = (int)(100 * c + z + j) - 400 * 82;
    *m = (int)(j ? mm - 12 : mm);
    *d = (int)dd + 1;
}

void cars_date_split(int64_t z, int *y, int *m, int *d)
{
    if (z >= -(int64_t)NS_K && z < (INT64_C(1) << 30) - (int64_t)NS_K) {
        civil_from_days_ns(z, y, m, d);
        return;
    }
    if (z >= -719468 && z <= (int64_t)UINT32_MAX - 719468 - 146097) {
        civil_from_days_u((uint32_t)(z + 719468), y, m, d);
        return;
    }
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

bool cars_date_option(const char *s, int64_t *days, char *err, size_t errlen)
{
    if (cars_date_parse(s, strlen(s), days))
        return true;
    snprintf(err, errlen, "invalid date '%s' (expected YYYY-MM-DD)", s);
    return false;
}

/* Days to year, month and day for any int64 day count. The Gregorian
 * calendar repeats every 400 years, which are exactly 146097 days: days =
 * q * 146097 + r with 0 <= r < 146097 is the date of r (1970 to 2369) moved
 * by 400 q years. Bound: |q| <= INT64_MAX / 146097 < 6.4e13, so the year's
 * magnitude stays below 2.6e16, far inside int64; q * 146097 never exceeds
 * |days|. */
static void split64(int64_t days, int64_t *y, int *m, int *d)
{
    int yy;
    if (days > -1000000000 && days < 1000000000) { /* every record date: years fit an int */
        cars_date_split(days, &yy, m, d);
        *y = yy;
        return;
    }
    int64_t q = days / 146097, r = days % 146097;
    if (r < 0) {
        r += 146097;
        q--;
    }
    cars_date_split(r, &yy, m, d);
    *y = yy + 400 * q;
}

int64_t cars_date_year(int64_t days)
{
    int64_t y;
    int m, d;
    split64(days, &y, &m, &d);
    return y;
}

/* Leap years repeat every 400 years (the rule only tests divisibility, so
 * the sign of the C remainder does not matter). */
static bool leap64(int64_t y) { return cars_is_leap((int)(y % 400)); }

int64_t cars_years_between(int64_t from, int64_t to)
{
    if (to < from) /* the magnitude is below 5.2e16 (see split64): negating is safe */
        return -cars_years_between(to, from);
    int64_t fy, ty;
    int fm, fd, tm, td;
    split64(from, &fy, &fm, &fd);
    split64(to, &ty, &tm, &td);
    int64_t years = ty - fy;
    /* The anniversary in year ty: 29 Feb becomes 1 Mar in a common year. */
    int am = fm, ad = fd;
    if (fm == 2 && fd == 29 && !leap64(ty)) {
        am = 3;
        ad = 1;
    }
    if (tm < am || (tm == am && td < ad))
        years--;
    return years;
}

void cars_date_format(int64_t days, char out[11])
{
    int y, m, d;
    cars_date_split(days, &y, &m, &d);
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

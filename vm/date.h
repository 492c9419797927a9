/* date.h - calendar dates as days since 1970-01-01 (proleptic Gregorian). */
#ifndef CARS_DATE_H
#define CARS_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse exactly "YYYY-MM-DD" (years 0001-9999) into days; false if the text
 * is malformed or the date does not exist (2026-02-30). */
/* The range of dates cars reads: 0001-01-01 .. 9999-12-31, in days. */
#define CARS_DATE_MIN (-719162)
#define CARS_DATE_MAX 2932896

bool cars_date_parse(const char *s, size_t len, int64_t *days);
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

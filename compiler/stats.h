/* stats.h - the statistics of the release figures (carsc effectiveness and
 * carsc equality): the Wilson score interval of a proportion and the
 * log-method (Katz) interval of a ratio of two proportions, both at 95%
 * (z = 1.959963984540054). Exact closed forms; docs/central-team.md. */
#ifndef CARS_STATS_H
#define CARS_STATS_H

#include <stdbool.h>
#include <stdint.h>

#define CARS_Z95 1.959963984540054

/* The Wilson score interval of k successes in n trials at normal quantile
 * z: centre (p + z^2/2n) / (1 + z^2/n), half-width
 * z/(1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2), p = k/n. False (and 0, 0)
 * when n == 0 or k > n. */
bool cars_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi);

/* The ratio (a/n1) / (c/n2) and its log-method interval:
 * exp(ln r -+ z sqrt(1/a - 1/n1 + 1/c - 1/n2)). False when a, c, n1 or n2
 * is 0, or a > n1, or c > n2 (no ratio, or no finite interval). */
bool cars_ratio_ci(uint64_t a, uint64_t n1, uint64_t c, uint64_t n2, double z, double *ratio, double *lo,
                   double *hi);

#endif

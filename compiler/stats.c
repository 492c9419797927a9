/* stats.c - Wilson score and log-method ratio intervals (stats.h). */
#include "stats.h"

#include <math.h>

bool cars_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi)
{
    *lo = *hi = 0;
    if (n == 0 || k > n)
        return false;
    double nn = (double)n, p = (double)k / nn, z2 = z * z;
    double denom = 1 + z2 / nn;
    double centre = (p + z2 / (2 * nn)) / denom;
    double half = z / denom * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    *lo = centre - half;
    *hi = centre + half;
    if (*lo < 0 || k == 0)
        *lo = 0;
    if (*hi > 1 || k == n)
        *hi = 1;
    return true;
}

bool cars_ratio_ci(uint64_t a, uint64_t n1, uint64_t c, uint64_t n2, double z, double *ratio, double *lo,
                   double *hi)
{
    *ratio = *lo = *hi = 0;
    if (a == 0 || c == 0 || n1 == 0 || n2 == 0 || a > n1 || c > n2)
        return false;
    double r = ((double)a / (double)n1) / ((double)c / (double)n2);
    double v = 1.0 / (double)a - 1.0 / (double)n1 + 1.0 / (double)c - 1.0 / (double)n2;
    double se = sqrt(v > 0 ? v : 0);
    *ratio = r;
    *lo = exp(log(r) - z * se);
    *hi = exp(log(r) + z * se);
    return true;
}

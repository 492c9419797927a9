/* loadtime.c - how long a release takes to load: cars_bundle_load (bounds
 * checks, decoding, verifier) on bytes already in memory, repeated; prints
 * the median and the minimum in milliseconds, and the bundle size. The file
 * read is timed once, separately.
 *
 *   loadtime RELEASE.carsb [REPEATS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lines.h"
#include "loader.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fputs("usage: loadtime RELEASE.carsb [REPEATS]\n", stderr);
        return 2;
    }
    int reps = argc == 3 ? atoi(argv[2]) : 21;
    if (reps < 1 || reps > 10000)
        reps = 21;
    double t0 = now_ms();
    size_t len;
    unsigned char *bytes = bench_read_file(argv[1], &len);
    double read_ms = now_ms() - t0;
    if (!bytes) {
        fprintf(stderr, "loadtime: cannot read %s\n", argv[1]);
        return 1;
    }
    double *ms = malloc((size_t)reps * sizeof *ms);
    if (!ms) {
        fputs("loadtime: out of memory\n", stderr);
        free(bytes);
        return 1;
    }
    for (int r = 0; r < reps; r++) {
        cars_program p;
        char err[600];
        double a = now_ms();
        if (cars_bundle_load(bytes, len, &p, err, sizeof err) != 0) {
            fprintf(stderr, "loadtime: %s: %s\n", argv[1], err);
            free(ms);
            free(bytes);
            return 1;
        }
        ms[r] = now_ms() - a;
        cars_program_free(&p);
    }
    qsort(ms, (size_t)reps, sizeof *ms, cmp_double);
    printf("bytes %zu read_ms %.3f load_median_ms %.3f load_min_ms %.3f repeats %d\n", len, read_ms, ms[reps / 2],
           ms[0], reps);
    free(ms);
    free(bytes);
    return 0;
}

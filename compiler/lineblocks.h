/* lineblocks.h - one pass over a file of JSON Lines on several threads, as
 * carsvm route does it (vm/route.c): read blocks of whole lines, split
 * each block into contiguous ranges, one per worker, run the workers, then
 * hand each worker's results to `merge` in input order. Whatever the
 * number of threads, merge sees the lines in the same order, so figures
 * built by it are the same. Blank lines (only space, tab, CR) are skipped
 * but counted in line numbers. */
#ifndef CARS_LINEBLOCKS_H
#define CARS_LINEBLOCKS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CARS_LB_MAX_LINE (16u * 1024 * 1024) /* a longer line is an error */
#define CARS_LB_MAX_THREADS 256

typedef struct cars_lb_line {
    const char *p;
    size_t len;
    uint64_t no; /* 1-based line number */
} cars_lb_line;

/* Runs on a worker thread over its range of a block: lines[0..n). */
typedef void cars_lb_work_fn(void *worker, const cars_lb_line *lines, size_t n);
/* Runs on the calling thread after each block, once per worker that had
 * lines, in input order; nonzero stops the pass (the value is returned). */
typedef int cars_lb_merge_fn(void *ctx, void *worker);

typedef struct cars_lb_pass {
    int nthreads;    /* 1 .. CARS_LB_MAX_THREADS */
    void **workers;  /* nthreads worker states */
    cars_lb_work_fn *work;
    cars_lb_merge_fn *merge;
    void *ctx;
    uint64_t lines, blank; /* out: lines read, blank among them */
} cars_lb_pass;

/* 0, the first nonzero value of merge, or -1 with a message in err
 * (unreadable input, a line over CARS_LB_MAX_LINE, out of memory). */
int cars_lb_run(cars_lb_pass *pass, FILE *in, char *err, size_t errlen);

/* 0 when no number was given ("auto"): the number of online processors. */
int cars_lb_threads(int asked);

#endif

/* test_pool.c - the worker pool (vm/pool.h): every batch runs each
 * worker's share exactly once, the calling thread's as worker 0, and
 * returns only when all are done; what the caller wrote before a batch is
 * what the workers read, and the reverse after; workers are started once,
 * not per batch; the pool's allocation can fail. */
#include <sys/syscall.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "pool.h"

#define MAXT 8
#define BATCHES 2000

typedef struct job {
    int nthreads;
    long input[MAXT];   /* written by the caller before each batch */
    long output[MAXT];  /* written by worker t: input[t] * 2 + t */
    int runs[MAXT];     /* times worker t ran */
    long who[MAXT];     /* the kernel thread id that ran worker t in the last batch (never reused this soon) */
} job;

static void share(void *ctx, int t)
{
    job *j = ctx;
    j->output[t] = j->input[t] * 2 + t;
    j->runs[t]++;
    j->who[t] = (long)syscall(SYS_gettid);
}

static void run_batches(int nthreads)
{
    job j;
    memset(&j, 0, sizeof j);
    j.nthreads = nthreads;
    cars_pool *p = cars_pool_start(nthreads, share, &j);
    assert_non_null(p);
    long first[MAXT], me = (long)syscall(SYS_gettid);
    for (long b = 0; b < BATCHES; b++) {
        for (int t = 0; t < nthreads; t++)
            j.input[t] = b * 1000 + t;
        cars_pool_run(p);
        for (int t = 0; t < nthreads; t++) {
            assert_int_equal(j.output[t], (b * 1000 + t) * 2 + t);
            assert_int_equal(j.runs[t], b + 1);
        }
        assert_int_equal(j.who[0], me);
        if (b == 0)
            memcpy(first, j.who, sizeof first);
        for (int t = 1; t < nthreads; t++) /* the same thread every batch: started once */
            assert_int_equal(j.who[t], first[t]);
    }
    for (int t = 1; t < nthreads; t++)
        for (int u = 0; u < t; u++)
            assert_int_not_equal(first[t], first[u]);
    cars_pool_stop(p);
}

static void test_one_worker(void **state)
{
    (void)state;
    run_batches(1);
}

static void test_two_workers(void **state)
{
    (void)state;
    run_batches(2);
}

static void test_more_workers_than_cores(void **state)
{
    (void)state;
    run_batches(MAXT);
}

static void test_stop_without_batches(void **state)
{
    (void)state;
    job j;
    memset(&j, 0, sizeof j);
    cars_pool *p = cars_pool_start(4, share, &j);
    assert_non_null(p);
    cars_pool_stop(p);
    for (int t = 0; t < 4; t++)
        assert_int_equal(j.runs[t], 0);
    cars_pool_stop(NULL);
}

static void test_allocation_fails(void **state)
{
    (void)state;
    job j;
    memset(&j, 0, sizeof j);
    cars_alloc_fail_after(0);
    cars_pool *p = cars_pool_start(2, share, &j);
    cars_alloc_fail_after(-1);
    assert_null(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_worker),
        cmocka_unit_test(test_two_workers),
        cmocka_unit_test(test_more_workers_than_cores),
        cmocka_unit_test(test_stop_without_batches),
        cmocka_unit_test(test_allocation_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

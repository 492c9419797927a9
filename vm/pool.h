/* pool.h - worker threads started once and woken for each batch of work,
 * for the passes over JSON Lines that route blocks of lines on several
 * threads (vm/route.c, compiler/lineblocks.c). A batch is a few
 * milliseconds of work: a thread created per batch ran on its parent's
 * core as often as not before the scheduler moved it, and the workers then
 * took as long as one. The calling thread is worker 0 and routes its share
 * too; a worker whose thread could not be started has its share run by
 * the calling thread, so a batch is always done whole. */
#ifndef CARS_POOL_H
#define CARS_POOL_H

/* Runs worker t's share of the current batch. */
typedef void cars_pool_fn(void *ctx, int t);

typedef struct cars_pool cars_pool;

/* nthreads workers (1 .. 256; the caller is worker 0, so nthreads - 1
 * threads are started). NULL when out of memory. */
cars_pool *cars_pool_start(int nthreads, cars_pool_fn *fn, void *ctx);
/* Runs fn(ctx, t) for every t in 0 .. nthreads-1 and returns when all are
 * done: t = 0 on the calling thread. What the caller wrote before the call
 * is seen by every worker, and what the workers wrote by the caller after. */
void cars_pool_run(cars_pool *p);
/* Stops and joins the threads; NULL is ignored. */
void cars_pool_stop(cars_pool *p);

#endif

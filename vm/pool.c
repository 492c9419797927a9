/* pool.c - worker threads started once, woken per batch (pool.h). */
#include "pool.h"

#include <pthread.h>
#include <stdbool.h>

#include "alloc.h"

#define MAX_THREADS 256

typedef struct slot {
    cars_pool *p;
    int t;
    bool started;
    pthread_t tid;
} slot;

struct cars_pool {
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned long gen; /* batches handed out */
    int pending;       /* started workers still running this batch */
    bool quit;
    int nthreads;
    cars_pool_fn *fn;
    void *ctx;
    slot slots[MAX_THREADS];
};

static void *worker(void *arg)
{
    slot *s = arg;
    cars_pool *p = s->p;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->gen == seen && !p->quit)
            pthread_cond_wait(&p->go, &p->mu);
        if (p->quit)
            break;
        seen = p->gen;
        pthread_mutex_unlock(&p->mu);
        p->fn(p->ctx, s->t);
        pthread_mutex_lock(&p->mu);
        if (--p->pending == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

cars_pool *cars_pool_start(int nthreads, cars_pool_fn *fn, void *ctx)
{
    cars_pool *p = cars_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    p->nthreads = nthreads < 1 ? 1 : nthreads > MAX_THREADS ? MAX_THREADS : nthreads;
    p->fn = fn;
    p->ctx = ctx;
    for (int t = 1; t < p->nthreads; t++) {
        slot *s = &p->slots[t];
        s->p = p;
        s->t = t;
        s->started = pthread_create(&s->tid, NULL, worker, s) == 0;
    }
    return p;
}

void cars_pool_run(cars_pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->pending = 0;
    for (int t = 1; t < p->nthreads; t++)
        p->pending += p->slots[t].started;
    p->gen++;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    p->fn(p->ctx, 0);
    for (int t = 1; t < p->nthreads; t++)
        if (!p->slots[t].started)
            p->fn(p->ctx, t); /* its thread could not be started: run it here */
    pthread_mutex_lock(&p->mu);
    while (p->pending > 0)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void cars_pool_stop(cars_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->quit = true;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (int t = 1; t < p->nthreads; t++)
        if (p->slots[t].started)
            pthread_join(p->slots[t].tid, NULL);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    cars_free(p);
}

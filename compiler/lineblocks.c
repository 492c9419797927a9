/* lineblocks.c - the parallel pass over JSON Lines (lineblocks.h). */
#include "lineblocks.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "errstr.h"
#include "pool.h"
#include "route.h"

#define BLOCK (4u * 1024 * 1024)

typedef struct task {
    const cars_lb_line *lines;
    size_t n;
} task;

typedef struct state {
    cars_lb_pass *pass;
    cars_pool *pool;
    task tk[CARS_LB_MAX_THREADS];
    cars_lb_line *lines;
    size_t n, cap;
    char *err;
    size_t errlen;
} state;

int cars_lb_threads(int asked)
{
    long n = asked > 0 ? asked : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    return n > CARS_LB_MAX_THREADS ? CARS_LB_MAX_THREADS : (int)n;
}

/* Worker t's range of the block (pool.h). */
static void run_task(void *ctx, int t)
{
    state *s = ctx;
    if (s->tk[t].n)
        s->pass->work(s->pass->workers[t], s->tk[t].lines, s->tk[t].n);
}

/* Runs the workers over s->lines, then merges in order. */
static int flush(state *s)
{
    cars_lb_pass *ps = s->pass;
    size_t n = s->n, per = (n + (size_t)ps->nthreads - 1) / (size_t)ps->nthreads;
    int used = 0;
    for (int t = 0; t < ps->nthreads; t++) {
        size_t a = (size_t)t * per, b = a + per;
        a = a > n ? n : a;
        b = b > n ? n : b;
        s->tk[t] = (task){s->lines + a, b - a};
        if (b > a)
            used = t + 1;
    }
    if (used > 0)
        cars_pool_run(s->pool);
    int rc = 0;
    for (int t = 0; t < used && rc == 0; t++)
        rc = ps->merge(ps->ctx, ps->workers[t]);
    s->n = 0;
    return rc;
}

static int add(state *s, const char *p, size_t len, uint64_t no)
{
    if (cars_blank_line(p, len)) {
        s->pass->blank++;
        return 0;
    }
    if (len > CARS_LB_MAX_LINE)
        return cars_fail(s->err, s->errlen, "line %llu is longer than %u bytes", (unsigned long long)no,
                    CARS_LB_MAX_LINE);
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        cars_lb_line *l = cars_realloc(s->lines, cap * sizeof *l);
        if (!l)
            return cars_fail(s->err, s->errlen, "out of memory");
        s->lines = l;
        s->cap = cap;
    }
    s->lines[s->n++] = (cars_lb_line){p, len, no};
    return 0;
}

/* Reads more of `in` into buf; 1 at end of input, 0 read, -1 error. */
static int fill(FILE *in, char **buf, size_t *cap, size_t *len, state *s)
{
    if (*len == *cap) { /* one line fills the buffer: make room */
        if (*cap > CARS_LB_MAX_LINE)
            return cars_fail(s->err, s->errlen, "line %llu is longer than %u bytes",
                        (unsigned long long)(s->pass->lines + 1), CARS_LB_MAX_LINE);
        char *nb = cars_realloc(*buf, *cap * 2);
        if (!nb)
            return cars_fail(s->err, s->errlen, "out of memory");
        *buf = nb;
        *cap *= 2;
    }
    size_t got = fread(*buf + *len, 1, *cap - *len, in);
    *len += got;
    if (got == 0 && ferror(in))
        return cars_fail(s->err, s->errlen, "cannot read the input: %s", strerror(errno));
    return got == 0 ? 1 : 0;
}

int cars_lb_run(cars_lb_pass *pass, FILE *in, char *err, size_t errlen)
{
    state s = {.pass = pass, .err = err, .errlen = errlen};
    size_t cap = BLOCK, len = 0;
    char *buf = cars_malloc(cap);
    s.pool = buf ? cars_pool_start(pass->nthreads, run_task, &s) : NULL;
    if (!s.pool) {
        cars_free(buf);
        return cars_fail(err, errlen, "out of memory");
    }
    pass->lines = pass->blank = 0;
    int rc = 0;
    bool eof = false;
    while (rc == 0 && !(eof && len == 0)) {
        int f = eof ? 1 : fill(in, &buf, &cap, &len, &s);
        if (f < 0) {
            rc = -1;
            break;
        }
        eof = f == 1;
        size_t end = len;
        while (!eof && end > 0 && buf[end - 1] != '\n')
            end--;
        if (end == 0 && !eof)
            continue;
        for (size_t at = 0; at < end && rc == 0;) {
            const char *p = buf + at, *nl = memchr(p, '\n', end - at);
            size_t n = nl ? (size_t)(nl - p) : end - at;
            rc = add(&s, p, n, ++pass->lines);
            at += n + (nl ? 1 : 0);
        }
        if (rc == 0)
            rc = flush(&s);
        memmove(buf, buf + end, len - end);
        len -= end;
    }
    cars_pool_stop(s.pool);
    cars_free(buf);
    cars_free(s.lines);
    return rc;
}

/* route.c - the routing loop behind `carsvm route` (see route.h). Input is
 * read in blocks of whole lines; each block is split into contiguous ranges
 * of lines routed by worker threads (pool.h: started once for the run) into
 * their own output buffers, which are then written in order. A worker
 * keeps its reader, VM and buffer for the whole run; records never share
 * state. */
#include "route.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "alloc.h"
#include "declog.h"
#include "errstr.h"
#include "output.h"
#include "pool.h"
#include "reader.h"
#include "vm.h"

#define BLOCK (4u * 1024 * 1024)
#define MAX_THREADS 256

typedef struct line {
    const char *p;
    size_t len;
    unsigned long long no; /* 1-based */
    bool overlong;
} line;

typedef struct worker {
    const cars_program *p;
    cars_reader *reader;
    cars_vm *vm;
    const cars_outtext *text; /* the release's text of every line */
    cars_buf out;
    const cars_declog_src *logsrc; /* NULL: no decision log */
    cars_buf logbuf;               /* the log entries of this block */
    const line *lines;
    size_t n;
    unsigned long long records, invalid;
    bool fatal;
    char err[256];
} worker;

/* cars_route_record; padded: the line is in a block of the router's,
 * padded for the reader (cars_reader_parse_padded); lines: the release's
 * text of every line, or NULL (cars_output_result makes it). */
static int route_record(cars_reader *reader, cars_vm *vm, const cars_program *p, const char *text, size_t len,
                        uint64_t no, bool overlong, bool padded, const cars_outtext *lines, cars_buf *out,
                        cars_buf *log, const cars_declog_src *src, cars_result *res, char *err, size_t errlen)
{
    _Static_assert(CARS_MAX_LINE == 16777216u, "CARS_OVERLONG_ERROR states CARS_MAX_LINE");
    if (overlong) {
        cars_output_error(out, p, NULL, CARS_OVERLONG_ERROR, no);
        if (src)
            cars_declog_entry(log, src, NULL, NULL, "", 0);
        *res = (cars_result){.outcome = CARS_OUT_ERROR, .threshold = UINT32_MAX};
        return 1;
    }
    if (!(padded ? cars_reader_parse_padded(reader, text, len) : cars_reader_parse(reader, text, len))) {
        if (cars_reader_out_of_memory(reader)) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        const cars_record *rec = cars_reader_record(reader);
        cars_output_error(out, p, rec->has_id ? &rec->id : NULL, cars_reader_error(reader), no);
        if (src)
            cars_declog_entry(log, src, rec->has_id ? &rec->id : NULL, NULL, text, len);
        *res = (cars_result){.outcome = CARS_OUT_ERROR, .threshold = UINT32_MAX};
        return 1;
    }
    const cars_record *rec = cars_reader_record(reader);
    if (cars_vm_route(vm, rec, res, err, errlen) != 0)
        return -1;
    if (lines)
        cars_output_routed(out, lines, rec->has_id ? &rec->id : NULL, res);
    else
        cars_output_result(out, p, rec->has_id ? &rec->id : NULL, res);
    if (src)
        cars_declog_entry(log, src, rec->has_id ? &rec->id : NULL, res, text, len);
    return 0;
}

int cars_route_record(cars_reader *reader, cars_vm *vm, const cars_program *p, const cars_outtext *text,
                      const char *record, size_t len, uint64_t no, bool overlong, cars_buf *out, cars_buf *log,
                      const cars_declog_src *src, cars_result *res, char *err, size_t errlen)
{
    return route_record(reader, vm, p, record, len, no, overlong, false, text, out, log, src, res, err, errlen);
}

int cars_route_record_padded(cars_reader *reader, cars_vm *vm, const cars_program *p, const cars_outtext *text,
                             const char *record, size_t len, uint64_t no, cars_buf *out, cars_buf *log,
                             const cars_declog_src *src, cars_result *res, char *err, size_t errlen)
{
    return route_record(reader, vm, p, record, len, no, len > CARS_MAX_LINE, true, text, out, log, src, res, err,
                        errlen);
}

static void route_line(worker *w, const line *ln)
{
    w->records++;
    cars_result res;
    int rc = route_record(w->reader, w->vm, w->p, ln->p, ln->len, ln->no, ln->overlong, true, w->text, &w->out,
                          &w->logbuf, w->logsrc, &res, w->err, sizeof w->err);
    if (rc < 0)
        w->fatal = true;
    else if (rc > 0)
        w->invalid++;
}

static void work(worker *w)
{
    for (size_t i = 0; i < w->n && !w->fatal; i++)
        route_line(w, &w->lines[i]);
    if ((w->out.failed || w->logbuf.failed) && !w->fatal) {
        w->fatal = true;
        snprintf(w->err, sizeof w->err, "out of memory");
    }
}

static void work_share(void *ctx, int t) { work(&((worker *)ctx)[t]); }

typedef struct router {
    const cars_program *p;
    FILE *out;
    cars_declog *log;
    int nthreads;
    worker *w;
    cars_pool *pool;
    line *lines;
    size_t nlines, lcap;
    char *err;
    size_t errlen;
} router;

/* Routes r->lines and writes the results. */
static int flush_lines(router *r)
{
    size_t n = r->nlines, per = (n + (size_t)r->nthreads - 1) / (size_t)r->nthreads;
    int used = 0;
    for (int t = 0; t < r->nthreads; t++) {
        worker *w = &r->w[t];
        size_t a = (size_t)t * per, b = a + per;
        if (a > n)
            a = n;
        if (b > n)
            b = n;
        w->lines = r->lines + a;
        w->n = b - a;
        w->out.len = 0;
        w->logbuf.len = 0;
        if (w->n)
            used = t + 1;
    }
    cars_pool_run(r->pool);
    for (int t = 0; t < used; t++) {
        worker *w = &r->w[t];
        if (w->fatal)
            return cars_fail(r->err, r->errlen, "%s", w->err);
        if (r->log && cars_declog_append(r->log, &w->logbuf, r->err, r->errlen) != 0)
            return -1; /* no routing is written that the log does not hold */
        if (w->out.len && fwrite(w->out.p, 1, w->out.len, r->out) != w->out.len)
            return cars_fail(r->err, r->errlen, "cannot write the output: %s", cars_strerror(errno));
    }
    r->nlines = 0;
    return 0;
}

static int push_line(router *r, line ln)
{
    if (r->nlines == r->lcap) {
        size_t cap = r->lcap ? r->lcap * 2 : 4096;
        line *l = cars_realloc(r->lines, cap * sizeof *l);
        if (!l)
            return cars_fail(r->err, r->errlen, "out of memory");
        r->lines = l;
        r->lcap = cap;
    }
    r->lines[r->nlines++] = ln;
    return 0;
}

/* A line of the block: none for a blank line, whatever its length. */
static int add_line(router *r, const char *p, size_t len, unsigned long long no)
{
    if (cars_blank_line(p, len))
        return 0;
    return push_line(r, (line){p, len, no, len > CARS_MAX_LINE});
}

/* A line longer than the block can hold, being discarded: its number, and
 * whether all of it seen so far is blank. It gets its ERROR line as soon
 * as a byte of it is not whitespace, and none if it ends blank. */
typedef struct overlong {
    bool skipping, blank;
    unsigned long long no;
} overlong;

static int overlong_seen(router *r, overlong *o, const char *s, size_t n)
{
    if (!o->blank || cars_blank_line(s, n))
        return 0;
    o->blank = false;
    int rc = push_line(r, (line){s, 0, o->no, true});
    return rc ? rc : flush_lines(r);
}

/* Discards the block's first bytes up to the end of the overlong line (all
 * of them while it goes on). */
static int skip_overlong(router *r, overlong *o, char *buf, size_t *len)
{
    const char *nl = memchr(buf, '\n', *len);
    size_t n = nl ? (size_t)(nl - buf) : *len;
    int rc = overlong_seen(r, o, buf, n);
    if (nl) {
        memmove(buf, buf + n + 1, *len - n - 1);
        *len -= n + 1;
        o->skipping = false;
    } else {
        *len = 0;
    }
    return rc;
}

static size_t last_newline(const char *s, size_t n)
{
    while (n > 0 && s[n - 1] != '\n')
        n--;
    return n; /* bytes up to and including the last '\n', or 0 */
}

/* The block holds the input's bytes [0, len) and, zeroed after them,
 * CARS_READER_PAD bytes more (it is cap + CARS_READER_PAD bytes long): every
 * line in it is padded for cars_reader_parse_padded, read where it is. */
static int route_all(router *r, FILE *in, unsigned long long *no)
{
    size_t cap = BLOCK, len = 0;
    char *buf = cars_malloc(cap + CARS_READER_PAD);
    if (!buf)
        return cars_fail(r->err, r->errlen, "out of memory");
    int rc = 0;
    bool eof = false;
    overlong ol = {false, false, 0};
    while (rc == 0 && !(eof && len == 0)) {
        if (!eof) {
            size_t got = fread(buf + len, 1, cap - len, in);
            len += got;
            if (got == 0 && ferror(in)) {
                rc = cars_fail(r->err, r->errlen, "cannot read the input: %s", cars_strerror(errno));
                break;
            }
            if (got == 0 && feof(in))
                eof = true;
        }
        if (ol.skipping) { /* discarding the rest of an overlong line */
            rc = skip_overlong(r, &ol, buf, &len);
            continue;
        }
        size_t end = eof ? len : last_newline(buf, len);
        if (end == 0) {
            if (len < cap)
                continue;
            if (cap <= CARS_MAX_LINE) { /* a long line: make room for it */
                size_t ncap = cap * 2 > CARS_MAX_LINE + 1 ? CARS_MAX_LINE + 1 : cap * 2;
                char *nb = cars_realloc(buf, ncap + CARS_READER_PAD);
                if (!nb) {
                    rc = cars_fail(r->err, r->errlen, "out of memory");
                    break;
                }
                buf = nb;
                cap = ncap;
                continue;
            }
            /* longer than the limit: an ERROR line unless blank, then skip to its end */
            ol = (overlong){true, true, ++*no};
            rc = overlong_seen(r, &ol, buf, len);
            len = 0;
            continue;
        }
        memset(buf + len, 0, CARS_READER_PAD); /* the padding after the last line */
        size_t at = 0;
        while (at < end && rc == 0) {
            const char *s = buf + at;
            const char *nl = memchr(s, '\n', end - at);
            size_t n = nl ? (size_t)(nl - s) : end - at;
            rc = add_line(r, s, n, ++*no);
            at += n + (nl ? 1 : 0);
        }
        if (rc == 0)
            rc = flush_lines(r);
        memmove(buf, buf + end, len - end);
        len -= end;
    }
    cars_free(buf);
    return rc;
}

int cars_route_stream(const cars_program *p, FILE *in, FILE *out, int threads, cars_route_stats *stats, char *err,
                      size_t errlen)
{
    return cars_route_stream_logged(p, in, out, threads, NULL, NULL, stats, err, errlen);
}

int cars_route_stream_logged(const cars_program *p, FILE *in, FILE *out, int threads, cars_declog *log,
                             const cars_declog_src *src, cars_route_stats *stats, char *err, size_t errlen)
{
    if (threads < 1)
        threads = 1;
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    router r;
    memset(&r, 0, sizeof r);
    r.p = p;
    r.out = out;
    r.log = src ? log : NULL;
    r.nthreads = threads;
    r.err = err;
    r.errlen = errlen;
    r.w = cars_calloc((size_t)threads, sizeof *r.w);
    cars_outtext *text = cars_outtext_new(p);
    cars_vm_shared *shared = cars_vm_shared_new(p); /* one internal form and table directories for every thread */
    int rc = r.w && text && shared ? 0 : cars_fail(err, errlen, "out of memory");
    for (int t = 0; rc == 0 && t < threads; t++) {
        r.w[t].p = p;
        r.w[t].text = text;
        r.w[t].logsrc = r.log ? src : NULL;
        r.w[t].reader = cars_reader_new(p);
        r.w[t].vm = cars_vm_new_shared(p, shared);
        if (!r.w[t].reader || !r.w[t].vm)
            rc = cars_fail(err, errlen, "out of memory");
    }
    if (rc == 0 && !(r.pool = cars_pool_start(threads, work_share, r.w)))
        rc = cars_fail(err, errlen, "out of memory");
    unsigned long long no = 0;
    if (rc == 0)
        rc = route_all(&r, in, &no);
    cars_pool_stop(r.pool);
    unsigned long long records = 0, invalid = 0;
    for (int t = 0; r.w && t < threads; t++) {
        records += r.w[t].records;
        invalid += r.w[t].invalid;
        cars_reader_free(r.w[t].reader);
        cars_vm_free(r.w[t].vm);
        cars_buf_free(&r.w[t].out);
        cars_buf_free(&r.w[t].logbuf);
    }
    cars_free(r.w);
    cars_free(r.lines);
    cars_outtext_free(text);
    cars_vm_shared_free(shared);
    if (stats) {
        stats->records = records;
        stats->invalid = invalid;
        stats->blank = no - records;
    }
    if (rc != 0)
        return -1;
    return invalid ? 3 : 0;
}

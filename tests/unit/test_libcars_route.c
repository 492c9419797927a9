/* test_libcars_route.c - libcars (include/cars.h) routes as `carsvm route`
 * does: each record's line is carsvm's, byte for byte (valid, invalid,
 * blank and overlong lines); the decision's outcome, rules, explanation,
 * id and error agree with the line; a buffer too small is refused with the
 * size needed and left untouched, whatever its alignment; four threads
 * sharing one router give the same bytes; after a warm-up no record
 * allocates (through the cars allocator or malloc itself), and routing
 * goes on under an allocator that fails; a failed growth leaves the
 * context usable. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cars.h"
#include "libcars_fixture.h"

enum { TIMES = 40, THREADS = 4, BUF = 16384 };

/* ---- malloc itself, counted (not under the sanitizers, which own it) ----- */
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_UNDEFINED__)
#define COUNT_MALLOC 1
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);
static atomic_long mallocs;

void *malloc(size_t n)
{
    atomic_fetch_add(&mallocs, 1);
    return __libc_malloc(n);
}
void *calloc(size_t c, size_t n)
{
    atomic_fetch_add(&mallocs, 1);
    return __libc_calloc(c, n);
}
void *realloc(void *p, size_t n)
{
    atomic_fetch_add(&mallocs, 1);
    return __libc_realloc(p, n);
}
void *aligned_alloc(size_t a, size_t n)
{
    atomic_fetch_add(&mallocs, 1);
    return __libc_memalign(a, n);
}
void *memalign(size_t a, size_t n); /* <malloc.h> */
void *memalign(size_t a, size_t n)
{
    atomic_fetch_add(&mallocs, 1);
    return __libc_memalign(a, n);
}
int posix_memalign(void **p, size_t a, size_t n)
{
    atomic_fetch_add(&mallocs, 1);
    *p = __libc_memalign(a, n);
    return *p ? 0 : 12; /* ENOMEM */
}
void free(void *p) { __libc_free(p); }
#endif

typedef struct rfx {
    lib_fixture *f;
    cars_router *router;
} rfx;

static int setup(void **state)
{
    rfx *x = calloc(1, sizeof *x);
    char path[256], key[256], err[CARS_ERR_SIZE];
    if (!x || !(x->f = fx_new(TIMES)))
        return free(x), -1;
    cars_load_options o;
    memset(&o, 0, sizeof o);
    o.trust_key = fx_path(x->f, "k.pub", key);
    o.as_of = "2026-11-25";
    if (cars_router_load(fx_path(x->f, "r.carsb", path), &o, &x->router, err, sizeof err) != CARS_OK) {
        fprintf(stderr, "%s\n", err);
        fx_free(x->f);
        free(x);
        return -1;
    }
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    rfx *x = *state;
    cars_router_free(x->router);
    fx_free(x->f);
    free(x);
    return 0;
}

/* Routes every line of the corpus with ctx into out (the routing lines),
 * checking each decision against its line; returns how many were invalid. */
static int route_corpus(const lib_fixture *f, cars_ctx *ctx, cars_buf *out, char *buf)
{
    int invalid = 0;
    uint64_t no = 0;
    for (const char *at = f->records, *end = f->records + f->len; at < end;) {
        const char *nl = memchr(at, '\n', (size_t)(end - at));
        size_t n = nl ? (size_t)(nl - at) : (size_t)(end - at);
        cars_decision d;
        int rc = cars_route(ctx, at, n, ++no, &d, buf, BUF);
        at += n + 1;
        if (rc == CARS_BLANK) {
            assert_int_equal(d.line_len, 0);
            assert_null(d.line);
            continue;
        }
        if (rc != CARS_OK && rc != CARS_INVALID)
            fail_msg("line %llu: %s: %s", (unsigned long long)no, cars_status_name(rc), cars_ctx_last_error(ctx));
        assert_int_equal(rc == CARS_INVALID, d.outcome == CARS_OUTCOME_ERROR);
        assert_int_equal(d.error_len > 0, rc == CARS_INVALID);
        assert_int_equal(strlen(d.line), d.line_len);
        assert_int_equal(d.line[d.line_len - 1], '\n');
        invalid += rc == CARS_INVALID;
        cars_buf_put(out, d.line, d.line_len);
    }
    return invalid;
}

static void test_lines_are_carsvm_route_s(void **state)
{
    rfx *x = *state;
    cars_ctx *ctx;
    assert_int_equal(cars_ctx_new(x->router, &ctx), CARS_OK);
    char *buf = malloc(BUF);
    cars_buf out = {0};
    assert_int_equal(route_corpus(x->f, ctx, &out, buf), 6 * TIMES);
    assert_int_equal(out.len, x->f->explen);
    assert_memory_equal(out.p, x->f->expected, out.len);
    cars_buf_free(&out);
    free(buf);
    cars_ctx_free(ctx);
}

/* Routes `rec` (NUL-terminated) as line `no`; returns the status. */
static int route1(cars_ctx *ctx, const char *rec, uint64_t no, cars_decision *d, char *buf, size_t size)
{
    return cars_route(ctx, rec, strlen(rec), no, d, buf, size);
}

static void test_decision_agrees_with_its_line(void **state)
{
    rfx *x = *state;
    cars_ctx *ctx;
    assert_int_equal(cars_ctx_new(x->router, &ctx), CARS_OK);
    char *buf = malloc(BUF), want[4096];
    const char *rec = x->f->records; /* the first record of each-outcome */
    size_t n = (size_t)(strchr(rec, '\n') - rec);
    cars_decision d;
    assert_int_equal(cars_route(ctx, rec, n, 1, &d, buf, BUF), CARS_OK);
    static const char *const names[] = {"NCXDR", "NCXPCA", "CXDR", "CXPCA", "NONE"};
    assert_true(d.outcome <= CARS_OUTCOME_NONE);
    assert_string_equal(d.outcome_name, names[d.outcome]);
    assert_non_null(d.id);
    assert_int_equal(d.id_len, strlen(d.id));
    snprintf(want, sizeof want, "{\"id\":\"%s\",\"outcome\":\"%s\",\"rules\":[", d.id, d.outcome_name);
    assert_int_equal(strncmp(d.line, want, strlen(want)), 0);
    char *p = want;
    for (size_t k = 0; k < d.nrules; k++)
        p += sprintf(p, "%s\"%s\"", k ? "," : "", d.rules[k]);
    assert_non_null(strstr(d.line, want));
    assert_true(d.nrules > 0);
    assert_non_null(strstr(d.line, d.explanation)); /* plain text, nothing to escape here */
    assert_int_equal(d.explanation_len, strlen(d.explanation));
    assert_string_equal(d.error, "");
    assert_true(d.needed <= BUF);
    assert_true((const char *)d.rules >= buf && (const char *)d.rules < buf + BUF);

    assert_int_equal(route1(ctx, "{\"id\":\"BAD-2\",\"received\":\"yesterday\"}", 7, &d, buf, BUF), CARS_INVALID);
    assert_int_equal(d.outcome, CARS_OUTCOME_ERROR);
    assert_string_equal(d.outcome_name, "ERROR");
    assert_string_equal(d.id, "BAD-2");
    assert_int_equal(d.nrules, 0);
    assert_non_null(strstr(d.line, ",\"line\":7}\n"));
    snprintf(want, sizeof want, "Invalid record: %s.", d.error);
    assert_string_equal(d.explanation, want);
    assert_int_equal(route1(ctx, "not json", 8, &d, buf, BUF), CARS_INVALID);
    assert_null(d.id);
    assert_int_equal(strncmp(d.line, "{\"id\":null,", 11), 0);
    assert_int_equal(route1(ctx, " \t\r", 9, &d, buf, BUF), CARS_BLANK);
    assert_int_equal(cars_route(ctx, NULL, 0, 10, &d, buf, BUF), CARS_BLANK);
    assert_int_equal(route1(ctx, "\f", 11, &d, buf, BUF), CARS_INVALID);
    free(buf);
    cars_ctx_free(ctx);
}

static void test_overlong_record(void **state)
{
    rfx *x = *state;
    cars_ctx *ctx;
    assert_int_equal(cars_ctx_new(x->router, &ctx), CARS_OK);
    size_t n = 16u * 1024 * 1024 + 1;
    char *big = malloc(n), *buf = malloc(BUF);
    memset(big, ' ', n); /* blank: no record, whatever its length, as carsvm */
    cars_decision d;
    assert_int_equal(cars_route(ctx, big, n, 3, &d, buf, BUF), CARS_BLANK);
    assert_null(d.line);
    big[n - 1] = 'x'; /* too long to be read, not blank: an ERROR line, as carsvm */
    assert_int_equal(cars_route(ctx, big, n, 3, &d, buf, BUF), CARS_INVALID);
    assert_string_equal(d.error, "line longer than 16777216 bytes");
    assert_null(d.id);
    assert_non_null(strstr(d.line, "\"error\":\"line longer than 16777216 bytes\",\"line\":3}\n"));
    big[n - 1] = '\r';
    big[0] = '{';
    assert_int_equal(cars_route(ctx, big, n, 4, &d, buf, BUF), CARS_INVALID);
    assert_string_equal(d.error, "line longer than 16777216 bytes");
    free(big);
    free(buf);
    cars_ctx_free(ctx);
}

static void test_small_buffer_refused_with_size_needed(void **state)
{
    rfx *x = *state;
    cars_ctx *ctx;
    assert_int_equal(cars_ctx_new(x->router, &ctx), CARS_OK);
    const char *rec = x->f->records;
    size_t n = (size_t)(strchr(rec, '\n') - rec);
    char *full = malloc(BUF), *buf = malloc(BUF + 16);
    cars_decision want, d;
    assert_int_equal(cars_route(ctx, rec, n, 1, &want, full, BUF), CARS_OK);
    for (size_t size = 0; size < want.needed; size++) {
        memset(buf, 0xAA, BUF + 16);
        assert_int_equal(cars_route(ctx, rec, n, 1, &d, size ? buf : NULL, size), CARS_E_BUFFER_TOO_SMALL);
        assert_int_equal(d.needed, want.needed);
        assert_null(d.line);
        assert_null(d.rules);
        assert_int_equal(d.nrules, 0);
        for (size_t i = 0; i < BUF + 16; i++)
            if ((unsigned char)buf[i] != 0xAA)
                fail_msg("size %zu: byte %zu of the buffer was written", size, i);
        assert_non_null(strstr(cars_ctx_last_error(ctx), "needs a buffer of"));
    }
    for (size_t shift = 0; shift < 8; shift++) { /* any alignment, exactly `needed` bytes */
        assert_int_equal(cars_route(ctx, rec, n, 1, &d, buf + shift, want.needed), CARS_OK);
        assert_string_equal(cars_ctx_last_error(ctx), "");
        assert_int_equal(d.line_len, want.line_len);
        assert_memory_equal(d.line, want.line, d.line_len);
        assert_int_equal(d.nrules, want.nrules);
        for (size_t k = 0; k < d.nrules; k++)
            assert_string_equal(d.rules[k], want.rules[k]);
        assert_string_equal(d.explanation, want.explanation);
    }
    assert_int_equal(cars_route(NULL, rec, n, 1, &d, buf, BUF), CARS_E_ARGUMENT);
    assert_int_equal(cars_route(ctx, rec, n, 1, NULL, buf, BUF), CARS_E_ARGUMENT);
    assert_int_equal(cars_route(ctx, NULL, 5, 1, &d, buf, BUF), CARS_E_ARGUMENT);
    assert_int_equal(cars_route(ctx, rec, n, 1, &d, NULL, 5), CARS_E_ARGUMENT);
    free(full);
    free(buf);
    cars_ctx_free(ctx);
}

typedef struct job {
    const rfx *x;
    cars_buf out;
    int rc;
} job;

static void *route_thread(void *arg)
{
    job *j = arg;
    cars_ctx *ctx;
    char *buf = malloc(BUF);
    j->rc = buf ? cars_ctx_new(j->x->router, &ctx) : CARS_E_NOMEM;
    if (j->rc != CARS_OK)
        return free(buf), NULL;
    for (int round = 0; round < 3; round++) {
        j->out.len = 0;
        route_corpus(j->x->f, ctx, &j->out, buf);
    }
    cars_ctx_free(ctx);
    free(buf);
    return NULL;
}

static void test_threads_share_one_router(void **state)
{
    rfx *x = *state;
    pthread_t tid[THREADS];
    job jobs[THREADS];
    memset(jobs, 0, sizeof jobs);
    for (int t = 0; t < THREADS; t++) {
        jobs[t].x = x;
        assert_int_equal(pthread_create(&tid[t], NULL, route_thread, &jobs[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_join(tid[t], NULL), 0);
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(jobs[t].rc, CARS_OK);
        assert_int_equal(jobs[t].out.len, x->f->explen);
        assert_memory_equal(jobs[t].out.p, x->f->expected, x->f->explen);
        cars_buf_free(&jobs[t].out);
    }
}

static void test_no_allocation_per_record(void **state)
{
    rfx *x = *state;
    cars_ctx *ctx;
    assert_int_equal(cars_ctx_new(x->router, &ctx), CARS_OK);
    char *buf = malloc(BUF);
    cars_buf out = {0};
    route_corpus(x->f, ctx, &out, buf); /* warm-up: buffers grow to the longest line */
    cars_buf_grow(&out, out.len * 4);
    out.len = 0;
    cars_alloc_count(1);
#ifdef COUNT_MALLOC
    long before = atomic_load(&mallocs);
    void *volatile probe = malloc(16); /* the counting malloc is the one in use */
    free(probe);
    assert_int_equal(atomic_load(&mallocs) - before, 1);
    before++;
#endif
    for (int round = 0; round < 3; round++) {
        out.len = 0;
        route_corpus(x->f, ctx, &out, buf);
    }
    assert_int_equal(cars_alloc_count(1), 0);
#ifdef COUNT_MALLOC
    assert_int_equal(atomic_load(&mallocs) - before, 0);
#endif
    cars_alloc_fail_after(0); /* every allocation now fails: routing goes on */
    out.len = 0;
    route_corpus(x->f, ctx, &out, buf);
    cars_alloc_fail_after(-1);
    assert_int_equal(out.len, x->f->explen);
    assert_memory_equal(out.p, x->f->expected, out.len);
    cars_buf_free(&out);
    free(buf);
    cars_ctx_free(ctx);
}

static void test_failed_growth_leaves_context_usable(void **state)
{
    rfx *x = *state;
    cars_ctx *ctx;
    assert_int_equal(cars_ctx_new(x->router, &ctx), CARS_OK);
    char *buf = malloc(BUF);
    const char *rec = x->f->records;
    size_t n = (size_t)(strchr(rec, '\n') - rec);
    cars_decision want, d;
    assert_int_equal(cars_route(ctx, rec, n, 1, &want, buf, BUF), CARS_OK);
    size_t len = 1u << 20; /* a record longer than any before: the reader must grow */
    char *big = malloc(len);
    memset(big, ' ', len);
    memcpy(big, "{\"id\":\"BIG\"", 11);
    big[len - 1] = '}';
    cars_alloc_count(1);
    cars_alloc_fail_after(0);
    int rc = cars_route(ctx, big, len, 2, &d, buf, BUF);
    cars_alloc_fail_after(-1);
    assert_int_equal(rc, CARS_E_NOMEM);
    assert_int_equal(d.line_len, 0);
    assert_string_equal(cars_ctx_last_error(ctx), "out of memory");
    assert_int_equal(cars_route(ctx, big, len, 2, &d, buf, BUF), CARS_INVALID);
    assert_string_equal(d.id, "BIG");
    assert_int_equal(cars_route(ctx, rec, n, 1, &d, buf, BUF), CARS_OK);
    assert_memory_equal(d.line, want.line, want.line_len);
    free(big);
    free(buf);
    cars_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_are_carsvm_route_s),
        cmocka_unit_test(test_decision_agrees_with_its_line),
        cmocka_unit_test(test_overlong_record),
        cmocka_unit_test(test_small_buffer_refused_with_size_needed),
        cmocka_unit_test(test_threads_share_one_router),
        cmocka_unit_test(test_no_allocation_per_record),
        cmocka_unit_test(test_failed_growth_leaves_context_usable),
    };
    return cmocka_run_group_tests_name("libcars route", tests, setup, teardown);
}

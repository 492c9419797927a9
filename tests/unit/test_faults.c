/* test_faults.c - fault injection at the level of the commands, as SQLite
 * does it: the Nth allocation fails, for every N up to the total that a
 * whole compile (`carsc build`: parse, check, codegen, write, load, verify)
 * and a whole route (read the release, load, verify, route a few records on
 * 1 and 2 threads) need. Every run must end with a clear message and a
 * failure status, never a crash, never a bundle left behind; run under
 * ASan, LeakSanitizer checks that no run leaks. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "alloc.h"
#include "commands.h"
#include "loader.h"
#include "route.h"

#define RULES "tests/cases/vm/rules.cars"
#define RECORDS "tests/cases/vm/route-records/input.jsonl"

static char dir[64], bundle[128], errfile[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/cars-faults-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(bundle, sizeof bundle, "%s/r.carsb", dir);
    snprintf(errfile, sizeof errfile, "%s/stderr", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Runs `carsc build` with stderr captured into errfile; returns its status. */
static int build(const char *out)
{
    char *argv[] = {"build", RULES, "--release-id", "F", "-o", (char *)out, NULL};
    fflush(stderr);
    int saved = dup(2);
    FILE *e = fopen(errfile, "w");
    assert_non_null(e);
    dup2(fileno(e), 2);
    int status = cars_cmd_build(6, argv);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(e);
    return status;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *b = malloc(1 << 20);
    assert_non_null(b);
    *len = fread(b, 1, (1 << 20) - 1, f);
    b[*len] = '\0';
    fclose(f);
    return b;
}

/* A clear message: it names the cause. */
static void assert_oom_message(const char *text)
{
    if (!strstr(text, "out of memory") && !strstr(text, "Cannot allocate memory"))
        fail_msg("unclear failure message: '%s'", text);
}

/* No temporary file of the atomic writer (vm/atomic.h) is left in dir. */
static void assert_no_temporaries(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, ".tmp."))
            fail_msg("temporary file %s/%s left behind", dir, e->d_name);
    closedir(d);
}

static void t_build_every_allocation(void **state)
{
    (void)state;
    cars_alloc_count(1);
    assert_int_equal(build(bundle), 0);
    long total = cars_alloc_count(1);
    assert_true(total > 5);
    char out[160];
    snprintf(out, sizeof out, "%s/f.carsb", dir);
    for (long n = 0; n < total; n++) {
        cars_alloc_count(1); /* allocation n + 1 of this run fails */
        cars_alloc_fail_after(n);
        int status = build(out);
        cars_alloc_fail_after(-1);
        if (status == 0)
            fail_msg("build succeeded with allocation %ld of %ld failing", n + 1, total);
        size_t len;
        char *msg = slurp(errfile, &len);
        assert_oom_message(msg);
        free(msg);
        assert_int_not_equal(access(out, F_OK), 0); /* no bundle left behind */
        assert_no_temporaries();
    }
    print_message("build: %ld allocations, each failed in turn\n", total);
}

/* Reads the release, loads it, routes the records; returns 0, 3, or -1 with
 * the message in err (as carsvm route does it, minus the command line). */
static int route(const uint8_t *file, size_t flen, const char *records, size_t rlen, int threads, char *err,
                 size_t errlen)
{
    uint8_t *bytes = cars_malloc(flen);
    if (!bytes) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(bytes, file, flen);
    cars_program p;
    int rc = cars_bundle_load(bytes, flen, &p, err, errlen);
    if (rc != 0) {
        assert_int_equal(rc, CARS_LOAD_NOMEM);
        cars_free(bytes);
        return -1;
    }
    FILE *in = fmemopen((void *)records, rlen, "rb");
    FILE *out = tmpfile();
    assert_non_null(in);
    assert_non_null(out);
    rc = cars_route_stream(&p, in, out, threads, NULL, err, errlen);
    fclose(in);
    fclose(out);
    cars_program_free(&p);
    cars_free(bytes);
    return rc;
}

static void t_route_every_allocation(void **state)
{
    (void)state;
    assert_int_equal(build(bundle), 0);
    size_t flen, rlen;
    char *file = slurp(bundle, &flen);
    char *records = slurp(RECORDS, &rlen);
    char err[300];
    for (int threads = 1; threads <= 2; threads++) {
        cars_alloc_count(1);
        int ok = route((const uint8_t *)file, flen, records, rlen, threads, err, sizeof err);
        long total = cars_alloc_count(1);
        assert_true(ok == 0 || ok == 3);
        assert_true(total > 10);
        for (long n = 0; n < total; n++) {
            cars_alloc_count(1); /* allocation n + 1 of this run fails */
            cars_alloc_fail_after(n);
            err[0] = '\0';
            int rc = route((const uint8_t *)file, flen, records, rlen, threads, err, sizeof err);
            cars_alloc_fail_after(-1);
            if (rc != -1)
                fail_msg("route on %d threads: status %d with allocation %ld of %ld failing", threads, rc, n + 1,
                         total);
            assert_oom_message(err);
        }
        print_message("route, %d thread(s): %ld allocations, each failed in turn\n", threads, total);
    }
    free(file);
    free(records);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_build_every_allocation),
        cmocka_unit_test(t_route_every_allocation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

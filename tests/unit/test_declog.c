/* test_declog.c - the decision log (vm/declog.h, vm/declog_verify.h): the
 * chain verifies and breaks at the first changed line; a torn last line is
 * ignored by verify and cut when the log is opened again; rotation carries
 * the chain across files; every allocation failure while opening and
 * appending ends in an error, never a half-written line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "alloc.h"
#include "declog.h"
#include "declog_verify.h"

#define S(lit) ((cars_str){lit, (uint32_t)(sizeof(lit) - 1)})

static char dir[64], path[128];
static cars_prule rules[2];
static cars_program prog;
static uint8_t key[CARS_DECLOG_KEY_BYTES];
static cars_declog_src src;

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "/tmp/cars-declog-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/d.log", dir);
    rules[0].id = S("R-1");
    rules[1].id = S("R\"2");
    prog.rules = rules;
    prog.nrules = 2;
    prog.release_id = S("2026-W49");
    memset(key, 7, sizeof key);
    src.key = key;
    src.p = &prog;
    cars_declog_bundle_hex((const uint8_t *)"bundle", 6, src.bundle_hex);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Appends n entries in one write. */
static int append(cars_declog *l, int n)
{
    static const uint32_t which[] = {0, 1};
    cars_result r = {.outcome = CARS_OUT_CXDR, .nrules = 2, .rules = which};
    cars_buf b = {0};
    cars_str id = S("A1");
    for (int i = 0; i < n; i++)
        cars_declog_entry(&b, &src, i % 2 ? &id : NULL, i % 3 ? &r : NULL, "{\"id\":\"A1\"}", 11);
    char err[300];
    int rc = b.failed ? -1 : cars_declog_append(l, &b, err, sizeof err);
    cars_buf_free(&b);
    return rc;
}

static int verify(const char *p, cars_declog_chk *c, cars_declog_file_result *res)
{
    char err[600];
    return cars_declog_verify_file(p, c, res, err, sizeof err);
}

static void test_chain(void **state)
{
    (void)state;
    unlink(path);
    cars_declog_opts o = {.sync = CARS_DECLOG_SYNC_NONE};
    char err[300];
    cars_declog *l = cars_declog_open(path, &o, NULL, err, sizeof err);
    assert_non_null(l);
    assert_int_equal(append(l, 3), 0);
    assert_int_equal(append(l, 2), 0);
    assert_int_equal(cars_declog_close(l, err, sizeof err), 0);
    cars_declog_chk c = {0};
    cars_declog_file_result res;
    assert_int_equal(verify(path, &c, &res), 0);
    assert_int_equal(res.lines, 6);
    /* change one byte of line 3: line 4 no longer chains */
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf, f);
    char *line3 = strchr(strchr(buf, '\n') + 1, '\n') + 1;
    char *at = strstr(line3, "\"CXDR\"");
    if (!at || at > strchr(line3, '\n'))
        at = strstr(line3, "\"ERROR\"");
    assert_non_null(at);
    at[1] = 'X';
    rewind(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
    memset(&c, 0, sizeof c);
    assert_int_equal(verify(path, &c, &res), 1);
    assert_int_equal(res.bad_line, 4);
}

static void test_torn(void **state)
{
    (void)state;
    unlink(path);
    cars_declog_opts o = {.sync = CARS_DECLOG_SYNC_EVERY};
    char err[300];
    cars_declog *l = cars_declog_open(path, &o, NULL, err, sizeof err);
    assert_non_null(l);
    assert_int_equal(append(l, 2), 0);
    assert_int_equal(cars_declog_close(l, err, sizeof err), 0);
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    fputs("{\"ts\":\"2026", f);
    fclose(f);
    cars_declog_chk c = {0};
    cars_declog_file_result res;
    assert_int_equal(verify(path, &c, &res), 0);
    assert_int_equal(res.lines, 3);
    assert_int_equal(res.torn, 11);
    size_t torn = 0;
    l = cars_declog_open(path, &o, &torn, err, sizeof err);
    assert_non_null(l);
    assert_int_equal(torn, 11);
    assert_int_equal(append(l, 1), 0);
    assert_int_equal(cars_declog_close(l, err, sizeof err), 0);
    memset(&c, 0, sizeof c);
    assert_int_equal(verify(path, &c, &res), 0);
    assert_int_equal(res.lines, 4);
    assert_int_equal(res.torn, 0);
}

static void test_rotation(void **state)
{
    (void)state;
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -f %s/d.log*", dir);
    assert_int_equal(system(cmd), 0);
    cars_declog_opts o = {.sync = CARS_DECLOG_SYNC_NONE, .rotate_bytes = 1500};
    char err[300];
    cars_declog *l = cars_declog_open(path, &o, NULL, err, sizeof err);
    assert_non_null(l);
    for (int i = 0; i < 12; i++)
        assert_int_equal(append(l, 1), 0);
    assert_int_equal(cars_declog_close(l, err, sizeof err), 0);
    snprintf(cmd, sizeof cmd, "ls %s/d.log.* | sort > %s/list", dir, dir);
    assert_int_equal(system(cmd), 0);
    char list[160], name[256];
    snprintf(list, sizeof list, "%s/list", dir);
    FILE *f = fopen(list, "r");
    assert_non_null(f);
    cars_declog_chk c = {0};
    cars_declog_file_result res;
    unsigned long long total = 0;
    int files = 0;
    while (fgets(name, sizeof name, f)) {
        name[strcspn(name, "\n")] = '\0';
        assert_int_equal(verify(name, &c, &res), 0);
        total += res.lines;
        files++;
    }
    fclose(f);
    assert_true(files >= 2);
    assert_int_equal(verify(path, &c, &res), 0);
    total += res.lines;
    assert_int_equal(total, 12 + files + 1); /* the entries and one header per file */
    memset(&c, 0, sizeof c); /* the last file alone continues an earlier one */
    assert_int_equal(verify(path, &c, &res), 0);
    assert_true(c.continues);
}

/* Every allocation failure while opening and appending: an error, and the
 * file verifies afterwards (nothing half-written). */
static void test_alloc_failures(void **state)
{
    (void)state;
    for (long n = 0; n < 40; n++) {
        unlink(path);
        cars_declog_opts o = {.sync = CARS_DECLOG_SYNC_NONE};
        char err[300];
        cars_alloc_fail_after(n);
        cars_declog *l = cars_declog_open(path, &o, NULL, err, sizeof err);
        int rc = l ? append(l, 3) : -1;
        cars_alloc_fail_after(-1);
        if (l)
            assert_int_equal(cars_declog_close(l, err, sizeof err), 0);
        if (access(path, F_OK) == 0 && l) {
            cars_declog_chk c = {0};
            cars_declog_file_result res;
            assert_int_equal(verify(path, &c, &res), 0);
            assert_int_equal(res.lines, rc == 0 ? 4 : 1);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_torn),
        cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests_name("declog", tests, setup, teardown);
}

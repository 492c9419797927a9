/* test_atomic.c - the atomic file writer (vm/atomic.h): the target holds
 * the old bytes or the new, never part; nothing is left beside it on
 * failure; permissions as asked; a file that must not exist is never
 * replaced; devices are written in place; its allocation can fail. */
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
#include "atomic.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/cars-atomic-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_of(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", dir, name); }

/* The number of entries in the directory (not . and ..). */
static int entries(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void assert_contents(const char *path, const char *want)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char got[256];
    size_t n = fread(got, 1, sizeof got - 1, f);
    fclose(f);
    got[n] = '\0';
    assert_string_equal(got, want);
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (unsigned)(st.st_mode & 07777);
}

static void t_replaces_whole_file(void **state)
{
    (void)state;
    char p[128], err[300];
    path_of(p, sizeof p, "a");
    int before = entries();
    cars_atomic_opts o = {.perm = CARS_PERM_EXACT, .mode = 0640};
    assert_int_equal(cars_atomic_write_file(p, "old\n", 4, &o, err, sizeof err), 0);
    assert_contents(p, "old\n");
    assert_int_equal(mode_of(p), 0640);
    cars_atomic a;
    assert_int_equal(cars_atomic_open(&a, p, &o, err, sizeof err), 0);
    assert_int_equal(cars_atomic_write(&a, "new", 3, err, sizeof err), 0);
    assert_contents(p, "old\n"); /* untouched until the commit */
    assert_int_equal(entries(), before + 2);
    assert_int_equal(cars_atomic_commit(&a, err, sizeof err), 0);
    cars_atomic_abort(&a); /* harmless after a commit */
    assert_contents(p, "new");
    assert_int_equal(entries(), before + 1);
    unlink(p);
}

static void t_abort_leaves_nothing(void **state)
{
    (void)state;
    char p[128], err[300];
    path_of(p, sizeof p, "b");
    int before = entries();
    cars_atomic a;
    assert_int_equal(cars_atomic_open(&a, p, NULL, err, sizeof err), 0);
    FILE *f = cars_atomic_stream(&a);
    assert_non_null(f);
    fputs("partial", f);
    cars_atomic_abort(&a);
    cars_atomic_abort(&a);
    assert_int_equal(entries(), before);
    assert_int_not_equal(access(p, F_OK), 0);
}

static void t_stream_and_umask(void **state)
{
    (void)state;
    char p[128], err[300];
    path_of(p, sizeof p, "c");
    mode_t old = umask(027);
    cars_atomic_opts o = {.what = "output", .perm = CARS_PERM_UMASK, .mode = 0666};
    cars_atomic a;
    assert_int_equal(cars_atomic_open(&a, p, &o, err, sizeof err), 0);
    umask(old);
    FILE *f = cars_atomic_stream(&a);
    assert_non_null(f);
    fputs("line\n", f);
    assert_int_equal(cars_atomic_commit(&a, err, sizeof err), 0);
    assert_contents(p, "line\n");
    assert_int_equal(mode_of(p), 0640);
    unlink(p);
}

static void t_no_replace(void **state)
{
    (void)state;
    char p[128], err[300];
    path_of(p, sizeof p, "k.key");
    cars_atomic_opts o = {.what = "key file", .perm = CARS_PERM_EXACT, .mode = 0600, .no_replace = true};
    assert_int_equal(cars_atomic_write_file(p, "first", 5, &o, err, sizeof err), 0);
    int before = entries();
    assert_int_equal(cars_atomic_write_file(p, "second", 6, &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot create key file"));
    assert_non_null(strstr(err, "refusing to overwrite it"));
    assert_contents(p, "first");
    assert_int_equal(entries(), before);
    assert_int_equal(mode_of(p), 0600);
    unlink(p);
}

static void t_keep_mode_and_private(void **state)
{
    (void)state;
    char p[128], err[300];
    path_of(p, sizeof p, "d");
    assert_int_equal(cars_atomic_write_file(p, "x", 1, NULL, err, sizeof err), 0);
    assert_int_equal(mode_of(p), 0600); /* CARS_PERM_PRIVATE: mkstemp's */
    assert_int_equal(chmod(p, 0604), 0);
    cars_atomic_opts o = {.perm = CARS_PERM_KEEP};
    assert_int_equal(cars_atomic_write_file(p, "y", 1, &o, err, sizeof err), 0);
    assert_int_equal(mode_of(p), 0604);
    assert_contents(p, "y");
    unlink(p);
}

static void t_missing_directory(void **state)
{
    (void)state;
    char p[128], err[300];
    path_of(p, sizeof p, "no/such/out");
    cars_atomic_opts o = {.what = "output"};
    assert_int_equal(cars_atomic_write_file(p, "x", 1, &o, err, sizeof err), -1);
    char want[200];
    snprintf(want, sizeof want, "cannot write output %s: No such file or directory", p);
    assert_string_equal(err, want);
}

static void t_device_in_place(void **state)
{
    (void)state;
    char err[300];
    cars_atomic_opts o = {.what = "output", .in_place = true};
    assert_int_equal(cars_atomic_write_file("/dev/null", "x", 1, &o, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    cars_atomic a;
    assert_int_equal(cars_atomic_open(&a, "/dev/full", &o, err, sizeof err), 0);
    FILE *f = cars_atomic_stream(&a);
    assert_non_null(f);
    fputs("x", f);
    assert_int_equal(cars_atomic_commit(&a, err, sizeof err), -1);
    assert_string_equal(err, "cannot write output /dev/full: No space left on device");
}

/* Fault injection: the writer's allocation fails with a clear message and
 * nothing written, beside the target or in its place. */
static void t_out_of_memory(void **state)
{
    (void)state;
    char p[128], err[300];
    path_of(p, sizeof p, "e");
    int before = entries();
    cars_alloc_count(1);
    assert_int_equal(cars_atomic_write_file(p, "x", 1, NULL, err, sizeof err), 0);
    long total = cars_alloc_count(1);
    assert_true(total >= 1);
    unlink(p);
    for (long n = 0; n < total; n++) {
        cars_alloc_fail_after(n);
        int rc = cars_atomic_write_file(p, "x", 1, NULL, err, sizeof err);
        cars_alloc_fail_after(-1);
        assert_int_equal(rc, -1);
        assert_non_null(strstr(err, "out of memory"));
        assert_int_equal(entries(), before);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_replaces_whole_file), cmocka_unit_test(t_abort_leaves_nothing),
        cmocka_unit_test(t_stream_and_umask),    cmocka_unit_test(t_no_replace),
        cmocka_unit_test(t_keep_mode_and_private), cmocka_unit_test(t_missing_directory),
        cmocka_unit_test(t_device_in_place),     cmocka_unit_test(t_out_of_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

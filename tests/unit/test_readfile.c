/* test_readfile.c - cars_read_file, the one reader of releases, keys,
 * signatures, the state file, rule files and table files: a regular file's
 * exact bytes (NUL-terminated, 8-aligned); every kind's limit, to the byte;
 * a file that reports size 0 but holds more (/proc) read to its end and
 * held to the limit; a FIFO, a directory and a device refused at once (the
 * FIFO has no writer: an open that waited would hang the test); a missing
 * file and a failed allocation each with its errno and message. */
#include <errno.h>
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
#include "readfile.h"

static char dir[64], path[128], err[600];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/cars-readfile-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes a file of n bytes ('a' + i % 26) at dir/name; its path in `path`. */
static void make_file(const char *name, size_t n)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(fputc('a' + (int)(i % 26), f), EOF);
    assert_int_equal(fclose(f), 0);
}

static void test_regular_file(void **state)
{
    (void)state;
    make_file("r", 1000);
    size_t len = 0;
    uint8_t *b = cars_read_file(path, CARS_FILE_RULES, &len, err, sizeof err);
    assert_non_null(b);
    assert_int_equal(len, 1000);
    assert_int_equal(b[0], 'a');
    assert_int_equal(b[999], 'a' + 999 % 26);
    assert_int_equal(b[1000], '\0');
    assert_int_equal((uintptr_t)b % 8, 0);
    cars_free(b);
    make_file("empty", 0);
    b = cars_read_file(path, CARS_FILE_STATE, &len, err, sizeof err);
    assert_non_null(b);
    assert_int_equal(len, 0);
    assert_int_equal(b[0], '\0');
    cars_free(b);
    unsigned mode = 0;
    assert_int_equal(chmod(path, 0640), 0);
    b = cars_read_file_mode(path, CARS_FILE_KEY, &len, &mode, err, sizeof err);
    assert_non_null(b);
    assert_int_equal(mode & 07777, 0640);
    assert_true(S_ISREG(mode));
    cars_free(b);
}

/* Each kind: a file of exactly its limit is read, one byte more is not. */
static void test_limits(void **state)
{
    (void)state;
    static const struct {
        cars_file_kind kind;
        size_t limit;
        const char *msg;
    } k[] = {
        {CARS_FILE_KEY, 8192, "key %s is larger than the 8 KiB limit for a key"},
        {CARS_FILE_SIGNATURE, 8192, "signature %s is larger than the 8 KiB limit for a signature"},
        {CARS_FILE_STATE, 4096, "state file %s is larger than the 4 KiB limit for a state file"},
        {CARS_FILE_RULES, 16u << 20, "rule file %s is larger than the 16 MiB limit for a rule file"},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        assert_int_equal(cars_file_limit(k[i].kind), k[i].limit);
        make_file("lim", k[i].limit);
        size_t len = 0;
        uint8_t *b = cars_read_file(path, k[i].kind, &len, err, sizeof err);
        assert_non_null(b);
        assert_int_equal(len, k[i].limit);
        cars_free(b);
        make_file("lim", k[i].limit + 1);
        assert_null(cars_read_file(path, k[i].kind, &len, err, sizeof err));
        assert_int_equal(errno, EFBIG);
        char msg[300];
        snprintf(msg, sizeof msg, k[i].msg, path);
        assert_string_equal(err, msg);
    }
    assert_int_equal(cars_file_limit(CARS_FILE_RELEASE), (size_t)1 << 30);
    assert_int_equal(cars_file_limit(CARS_FILE_TABLE), (size_t)512 << 20);
    assert_string_equal(cars_file_kind_name(CARS_FILE_TABLE), "table file");
    assert_string_equal(cars_file_kind_name((cars_file_kind)99), "file");
    assert_int_equal(cars_file_limit((cars_file_kind)99), 0);
}

/* /proc files report size 0: read to the end, and still held to the limit. */
static void test_size_zero_files(void **state)
{
    (void)state;
    struct stat st;
    if (stat("/proc/self/status", &st) != 0 || st.st_size != 0) {
        skip();
        return;
    }
    size_t len = 0;
    uint8_t *b = cars_read_file("/proc/self/status", CARS_FILE_RELEASE, &len, err, sizeof err);
    assert_non_null(b);
    assert_true(len > 100);
    assert_non_null(strstr((const char *)b, "Name:"));
    assert_int_equal(strlen((const char *)b), len);
    cars_free(b);
    /* more than 4 KiB, reported as 0: refused as too large, not truncated */
    b = cars_read_file("/proc/self/maps", CARS_FILE_RELEASE, &len, err, sizeof err);
    assert_non_null(b);
    size_t maps = len;
    cars_free(b);
    if (maps > 4096) {
        assert_null(cars_read_file("/proc/self/maps", CARS_FILE_STATE, &len, err, sizeof err));
        assert_int_equal(errno, EFBIG);
        assert_string_equal(err, "state file /proc/self/maps is larger than the 4 KiB limit for a state file");
    }
}

static void test_not_regular(void **state)
{
    (void)state;
    size_t len;
    snprintf(path, sizeof path, "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    char msg[300];
    assert_null(cars_read_file(path, CARS_FILE_RELEASE, &len, err, sizeof err)); /* no writer: must not wait */
    assert_int_equal(errno, EINVAL);
    snprintf(msg, sizeof msg, "release %s is a FIFO, not a regular file", path);
    assert_string_equal(err, msg);
    assert_null(cars_read_file(dir, CARS_FILE_SIGNATURE, &len, err, sizeof err));
    snprintf(msg, sizeof msg, "signature %s is a directory, not a regular file", dir);
    assert_string_equal(err, msg);
    assert_null(cars_read_file("/dev/zero", CARS_FILE_KEY, &len, err, sizeof err));
    assert_string_equal(err, "key /dev/zero is a character device, not a regular file");
    snprintf(path, sizeof path, "%s/absent", dir);
    assert_null(cars_read_file(path, CARS_FILE_TABLE, &len, err, sizeof err));
    assert_int_equal(errno, ENOENT);
    snprintf(msg, sizeof msg, "cannot read table file %s: No such file or directory", path);
    assert_string_equal(err, msg);
    /* errlen 0: refused all the same, the buffer untouched */
    char keep[4] = "abc";
    assert_null(cars_read_file("/dev/zero", CARS_FILE_KEY, &len, keep, 0));
    assert_string_equal(keep, "abc");
}

static void test_out_of_memory(void **state)
{
    (void)state;
    make_file("big", 20000); /* 20,001 bytes allocated at once: no growth */
    size_t len;
    cars_alloc_count(1);
    cars_alloc_fail_after(0);
    uint8_t *b = cars_read_file(path, CARS_FILE_RULES, &len, err, sizeof err);
    cars_alloc_fail_after(-1);
    assert_null(b);
    assert_int_equal(errno, ENOMEM);
    char msg[300];
    snprintf(msg, sizeof msg, "out of memory reading rule file %s", path);
    assert_string_equal(err, msg);
    /* a size-0 file grows its buffer: a failed growth is out of memory too */
    cars_alloc_count(1);
    cars_alloc_fail_after(1);
    b = cars_read_file("/proc/self/maps", CARS_FILE_RELEASE, &len, err, sizeof err);
    cars_alloc_fail_after(-1);
    if (b) /* /proc/self/maps fitted in the first 4 KiB */
        cars_free(b);
    else
        assert_int_equal(errno, ENOMEM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regular_file), cmocka_unit_test(test_limits),
        cmocka_unit_test(test_size_zero_files), cmocka_unit_test(test_not_regular),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests_name("readfile", tests, setup, teardown);
}

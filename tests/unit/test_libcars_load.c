/* test_libcars_load.c - libcars (include/cars.h) loads a release as
 * `carsvm route` does: a genuine signed release opens; unsigned, tampered,
 * foreign-key, wrong-channel, not-yet-valid and expired releases are
 * refused with carsvm's status and message; the unsigned test mode opens
 * only test releases; the state file refuses a rollback and records what
 * it accepts; bad arguments say what is wrong; version and status names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cars.h"
#include "libcars_fixture.h"
#include "version.h"

static int setup(void **state)
{
    lib_fixture *f = fx_new(1);
    *state = f;
    return f ? 0 : -1;
}

static int teardown(void **state)
{
    fx_free(*state);
    return 0;
}

/* Signed options with key k, as of 2026-11-25. */
static cars_load_options signed_opts(const lib_fixture *f, char key[256])
{
    cars_load_options o;
    memset(&o, 0, sizeof o);
    o.trust = CARS_REQUIRE_SIGNATURE;
    o.trust_key = fx_path(f, "k.pub", key);
    o.as_of = "2026-11-25";
    return o;
}

/* Loads `name` with `o`; asserts the status and, when `msg` is not NULL,
 * that the message contains it. */
static void expect_load(const lib_fixture *f, const char *name, const cars_load_options *o, int status,
                        const char *msg)
{
    char path[256], err[CARS_ERR_SIZE];
    cars_router *r = (cars_router *)&err; /* must be set to NULL on failure */
    int rc = cars_router_load(fx_path(f, name, path), o, &r, err, sizeof err);
    if (rc != status)
        fail_msg("%s: %s, want %s: %s", name, cars_status_name(rc), cars_status_name(status), err);
    if (status == CARS_OK) {
        assert_non_null(r);
        assert_string_equal(err, "");
    } else {
        assert_null(r);
        assert_true(strlen(err) > 10);
    }
    if (msg && !strstr(err, msg))
        fail_msg("%s: message '%s' lacks '%s'", name, err, msg);
    cars_router_free(r);
}

static void test_genuine_release_opens(void **state)
{
    lib_fixture *f = *state;
    char key[256], path[256], err[CARS_ERR_SIZE];
    cars_load_options o = signed_opts(f, key);
    cars_router *r = NULL;
    assert_int_equal(cars_router_load(fx_path(f, "r.carsb", path), &o, &r, err, sizeof err), CARS_OK);
    cars_release_info info;
    assert_int_equal(cars_router_info(r, &info), CARS_OK);
    assert_string_equal(info.release_id, "2026-W48");
    assert_int_equal(info.sequence, 48);
    assert_string_equal(info.channel, "production");
    assert_string_equal(info.valid_from, "2026-11-23");
    assert_string_equal(info.valid_until, "2026-11-29");
    assert_true(info.rules > 10);
    assert_int_equal(cars_router_info(NULL, &info), CARS_E_ARGUMENT);
    assert_int_equal(cars_router_info(r, NULL), CARS_E_ARGUMENT);
    cars_router_free(r);
    cars_router_free(NULL);
}

static void test_signed_mode_refusals(void **state)
{
    lib_fixture *f = *state;
    char key[256];
    cars_load_options o = signed_opts(f, key);
    expect_load(f, "unsigned.carsb", &o, CARS_E_UNSIGNED, "unsigned.carsb");
    expect_load(f, "tampered.carsb", &o, CARS_E_BAD_SIGNATURE, "bad signature");
    expect_load(f, "other.carsb", &o, CARS_E_UNKNOWN_KEY, "unknown key");
    expect_load(f, "missing.carsb", &o, CARS_E_FATAL, "cannot read release");
    o.channel = "test";
    expect_load(f, "r.carsb", &o, CARS_E_WRONG_CHANNEL, NULL);
    o.channel = "production";
    o.as_of = "2026-11-22";
    expect_load(f, "r.carsb", &o, CARS_E_NOT_YET_VALID, NULL);
    o.as_of = "2026-11-30";
    expect_load(f, "r.carsb", &o, CARS_E_EXPIRED, NULL);
    o.as_of = "2026-11-29"; /* the window is inclusive */
    expect_load(f, "r.carsb", &o, CARS_OK, NULL);
}

static void test_unsigned_test_mode(void **state)
{
    lib_fixture *f = *state;
    cars_load_options o;
    memset(&o, 0, sizeof o);
    o.trust = CARS_ALLOW_UNSIGNED_TEST;
    o.channel = "test";
    expect_load(f, "test.carsb", &o, CARS_OK, NULL);
    expect_load(f, "r.carsb", &o, CARS_E_UNSIGNED, "is a production release");
    expect_load(f, "unsigned.carsb", &o, CARS_E_UNSIGNED, "is a production release");
    o.channel = NULL; /* as carsvm without --trust: the channel is the release's own, test */
    expect_load(f, "test.carsb", &o, CARS_OK, NULL);
    char path[256], err[300];
    size_t n;
    uint8_t *bytes = cars_read_file(fx_path(f, "test.carsb", path), CARS_FILE_RELEASE, &n, err, sizeof err);
    assert_non_null(bytes);
    assert_true(fx_write(f, "short.carsb", bytes, n / 2));
    cars_free(bytes);
    o.channel = "test";
    expect_load(f, "short.carsb", &o, CARS_E_MALFORMED, NULL);
}

static void test_state_file_refuses_rollback(void **state)
{
    lib_fixture *f = *state;
    char key[256], st[256], path[256], err[CARS_ERR_SIZE];
    cars_load_options o = signed_opts(f, key);
    o.state = fx_path(f, "operator.state", st);
    expect_load(f, "seq49.carsb", &o, CARS_OK, NULL);
    size_t n;
    uint8_t *text = cars_read_file(st, CARS_FILE_STATE, &n, err, sizeof err);
    assert_non_null(text);
    assert_non_null(strstr((char *)text, "49"));
    cars_free(text);
    expect_load(f, "seq49.carsb", &o, CARS_OK, NULL); /* the same release again */
    expect_load(f, "seq47.carsb", &o, CARS_E_ROLLED_BACK, "refused ");
    o.state = fx_path(f, "damaged.state", st);
    assert_true(fx_write(f, "damaged.state", "nonsense\n", 9));
    expect_load(f, "seq49.carsb", &o, CARS_E_STATE, NULL);
    /* a lock held by another process: no wait, a clear refusal */
    o.state = fx_path(f, "locked.state", st);
    int fd;
    bool busy;
    assert_int_equal(cars_state_lock(st, 0, &fd, &busy, err, sizeof err), 0);
    o.state_wait_ms = 0;
    expect_load(f, "seq49.carsb", &o, CARS_E_STATE, NULL);
    cars_state_unlock(fd);
    expect_load(f, "seq49.carsb", &o, CARS_OK, NULL);
    (void)path;
}

static void test_bad_arguments(void **state)
{
    lib_fixture *f = *state;
    char key[256], path[256], err[CARS_ERR_SIZE];
    cars_router *r = NULL;
    cars_load_options o = signed_opts(f, key);
    fx_path(f, "r.carsb", path);
    assert_int_equal(cars_router_load(NULL, &o, &r, err, sizeof err), CARS_E_ARGUMENT);
    assert_int_equal(cars_router_load(path, NULL, &r, err, sizeof err), CARS_E_ARGUMENT);
    assert_int_equal(cars_router_load(path, &o, NULL, err, sizeof err), CARS_E_ARGUMENT);
    assert_int_equal(cars_router_load(path, &o, &r, NULL, 0), CARS_OK); /* no message wanted */
    cars_router_free(r);
    o.trust_key = NULL;
    expect_load(f, "r.carsb", &o, CARS_E_ARGUMENT, "CARS_ALLOW_UNSIGNED_TEST");
    o = signed_opts(f, key);
    o.trust = (cars_trust_policy)7;
    expect_load(f, "r.carsb", &o, CARS_E_ARGUMENT, "unknown trust policy 7");
    o = signed_opts(f, key);
    o.channel = "staging";
    expect_load(f, "r.carsb", &o, CARS_E_ARGUMENT, "production or test, not 'staging'");
    o = signed_opts(f, key);
    o.as_of = "25/11/2026";
    expect_load(f, "r.carsb", &o, CARS_E_ARGUMENT, "YYYY-MM-DD");
    o = signed_opts(f, key);
    o.state_wait_ms = -1;
    expect_load(f, "r.carsb", &o, CARS_E_ARGUMENT, "state_wait_ms");
    /* a small err buffer: cut, NUL-terminated */
    char small[8];
    assert_int_equal(cars_router_load(path, &o, &r, small, sizeof small), CARS_E_ARGUMENT);
    assert_int_equal(strlen(small), sizeof small - 1);
    cars_ctx *ctx = NULL;
    assert_int_equal(cars_ctx_new(NULL, &ctx), CARS_E_ARGUMENT);
    assert_null(ctx);
    cars_ctx_free(NULL);
    assert_string_equal(cars_ctx_last_error(NULL), "");
}

static void test_out_of_memory_while_loading(void **state)
{
    lib_fixture *f = *state;
    char key[256], path[256], err[CARS_ERR_SIZE];
    cars_load_options o = signed_opts(f, key);
    fx_path(f, "r.carsb", path);
    bool opened = false;
    for (long n = 0; !opened; n++) {
        cars_router *r = NULL;
        cars_alloc_count(1);
        cars_alloc_fail_after(n);
        int rc = cars_router_load(path, &o, &r, err, sizeof err);
        cars_alloc_fail_after(-1);
        if (rc == CARS_OK) {
            cars_ctx *ctx = NULL;
            assert_int_equal(cars_ctx_new(r, &ctx), CARS_OK);
            cars_ctx_free(ctx);
            opened = true;
        } else if (rc != CARS_E_FATAL && !(rc == CARS_E_MALFORMED && strstr(err, "out of memory"))) {
            /* the loader's own refusal words a failed allocation (as carsvm's exit 10) */
            fail_msg("allocation %ld failing gave %s: %s", n + 1, cars_status_name(rc), err);
        }
        cars_router_free(r);
    }
    cars_router *r = NULL;
    assert_int_equal(cars_router_load(path, &o, &r, err, sizeof err), CARS_OK);
    for (long n = 0;; n++) {
        cars_ctx *ctx = NULL;
        cars_alloc_count(1);
        cars_alloc_fail_after(n);
        int rc = cars_ctx_new(r, &ctx);
        cars_alloc_fail_after(-1);
        cars_ctx_free(ctx);
        if (rc == CARS_OK)
            break;
        assert_int_equal(rc, CARS_E_NOMEM);
        assert_null(ctx);
    }
    cars_router_free(r);
}

static void test_version_and_status_names(void **state)
{
    (void)state;
    assert_string_equal(cars_version_string(), CARS_VERSION);
    assert_string_equal(CARS_VERSION_STRING, CARS_VERSION);
    assert_int_equal(cars_version_number(), CARS_VERSION_NUMBER);
    char v[32];
    snprintf(v, sizeof v, "%u.%u.%u", cars_version_number() / 10000, cars_version_number() / 100 % 100,
             cars_version_number() % 100);
    assert_string_equal(v, CARS_VERSION);
    static const int codes[] = {CARS_OK, CARS_E_FATAL, CARS_BLANK, CARS_INVALID, CARS_E_MALFORMED,
                                CARS_E_UNSIGNED, CARS_E_BAD_SIGNATURE, CARS_E_UNKNOWN_KEY, CARS_E_WRONG_CHANNEL,
                                CARS_E_NOT_YET_VALID, CARS_E_EXPIRED, CARS_E_ROLLED_BACK, CARS_E_STATE,
                                CARS_E_ARGUMENT, CARS_E_BUFFER_TOO_SMALL, CARS_E_NOMEM, CARS_E_INTERNAL};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        assert_true(strncmp(cars_status_name(codes[i]), "CARS_", 5) == 0);
        assert_string_not_equal(cars_status_name(codes[i]), "CARS_UNKNOWN_STATUS");
        assert_string_not_equal(cars_status_text(codes[i]), "not a libcars status");
    }
    assert_string_equal(cars_status_name(CARS_E_EXPIRED), "CARS_E_EXPIRED");
    assert_string_equal(cars_status_name(99), "CARS_UNKNOWN_STATUS");
    assert_string_equal(cars_status_text(-1), "not a libcars status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_genuine_release_opens),
        cmocka_unit_test(test_signed_mode_refusals),
        cmocka_unit_test(test_unsigned_test_mode),
        cmocka_unit_test(test_state_file_refuses_rollback),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_out_of_memory_while_loading),
        cmocka_unit_test(test_version_and_status_names),
    };
    return cmocka_run_group_tests_name("libcars load", tests, setup, teardown);
}

/* test_release.c - an operator opens only genuine, current releases: every
 * single-bit flip of a small signed release and of its signature is
 * refused, so are truncations, appended bytes, another key, the wrong
 * channel, dates outside the window and rollbacks; the state file's lock
 * makes a second run wait, and recording a release checks the state again
 * under it; the state file is parsed in its exact form only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "alloc.h"
#include "compile.h"
#include "date.h"
#include "keys.h"
#include "loader.h"
#include "program.h"
#include "release.h"
#include "sign.h"
#include "state.h"

typedef struct fixture {
    cars_compiled c;
    cars_pubkey pk;
    cars_seckey sk;
    char *sig;
    size_t siglen;
    char dir[64];
} fixture;

static void fixture_free(fixture *f)
{
    cars_free(f->sig);
    cars_compiled_free(&f->c);
    free(f);
}

/* 0, or -1 (the temporary directory removed, the fixture freed) when any
 * step fails: cmocka does not run the group teardown after a failed setup. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/cars-release-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    char base[128], err[300] = "", text[256];
    snprintf(base, sizeof base, "%s/k", f->dir);
    if (cars_keygen(base, err, sizeof err) != 0)
        goto fail;
    snprintf(base, sizeof base, "%s/k.key", f->dir);
    if (cars_seckey_load(base, &f->sk, err, sizeof err) != 0)
        goto fail;
    snprintf(base, sizeof base, "%s/k.pub", f->dir);
    FILE *pf = fopen(base, "r");
    if (!pf)
        goto fail;
    size_t n = fread(text, 1, sizeof text, pf);
    fclose(pf);
    if (cars_pubkey_parse(text, n, &f->pk, err, sizeof err) != CARS_SIG_OK)
        goto fail;
    cars_check_options opt = {0};
    cars_release_opts rel = {.release_id = "2026-W47", .sequence = 47, .channel = CARS_CHANNEL_PRODUCTION};
    cars_date_parse("2026-11-23", 10, &rel.valid_from);
    cars_date_parse("2026-11-29", 10, &rel.valid_until);
    opt.has_as_of = true;
    opt.as_of = rel.valid_from;
    if (!cars_compile_release("tests/cases/release/tiny", &opt, &rel, &f->c))
        goto fail;
    f->sig = cars_sign_text(&f->sk, f->c.bytes, f->c.len, "t", err, sizeof err);
    if (!f->sig)
        goto fail;
    f->siglen = strlen(f->sig);
    *state = f;
    return 0;
fail:
    fprintf(stderr, "release setup: %s\n", err);
    snprintf(base, sizeof base, "rm -rf %s", f->dir);
    if (system(base) != 0)
        fprintf(stderr, "release setup: cannot remove %s\n", f->dir);
    fixture_free(f);
    return -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    int rc = system(cmd);
    fixture_free(f);
    return rc == 0 ? 0 : -1;
}

static cars_release_policy policy(void)
{
    cars_release_policy pol = {.channel = CARS_CHANNEL_PRODUCTION};
    cars_date_parse("2026-11-25", 10, &pol.today);
    return pol;
}

/* Opens a copy of the bytes in an 8-aligned buffer of exactly that size. */
static int open_copy(const fixture *f, const uint8_t *bytes, size_t len, const char *sig, size_t siglen,
                     const cars_release_policy *pol, char *err, size_t errlen)
{
    uint8_t *copy = aligned_alloc(8, (len + 7) & ~(size_t)7);
    memcpy(copy, bytes, len);
    cars_program p;
    uint8_t digest[32];
    int rc = cars_release_open(copy, len, sig, siglen, &f->pk, pol, &p, digest, err, errlen);
    if (rc == CARS_REL_OK)
        cars_program_free(&p);
    free(copy);
    return rc;
}

static void test_genuine_release_opens(void **state)
{
    fixture *f = *state;
    cars_release_policy pol = policy();
    char err[600];
    assert_int_equal(open_copy(f, f->c.bytes, f->c.len, f->sig, f->siglen, &pol, err, sizeof err), CARS_REL_OK);
}

static void test_every_bit_flip_of_the_release_refused(void **state)
{
    fixture *f = *state;
    cars_release_policy pol = policy();
    char err[600];
    uint8_t *b = malloc(f->c.len);
    memcpy(b, f->c.bytes, f->c.len);
    for (size_t i = 0; i < f->c.len * 8; i++) {
        b[i / 8] ^= (uint8_t)(1u << (i % 8));
        int rc = open_copy(f, b, f->c.len, f->sig, f->siglen, &pol, err, sizeof err);
        if (rc == CARS_REL_OK)
            fail_msg("flip of bit %zu of byte %zu was accepted", i % 8, i / 8);
        b[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    free(b);
}

static void test_every_bit_flip_of_the_signature_refused(void **state)
{
    fixture *f = *state;
    cars_release_policy pol = policy();
    char err[600];
    char *s = malloc(f->siglen + 1);
    memcpy(s, f->sig, f->siglen + 1);
    size_t first = (size_t)(strchr(s, '\n') - s) + 1; /* the untrusted comment is not signed */
    for (size_t i = first * 8; i < f->siglen * 8; i++) {
        s[i / 8] ^= (char)(1u << (i % 8));
        if (open_copy(f, f->c.bytes, f->c.len, s, f->siglen, &pol, err, sizeof err) == CARS_REL_OK)
            fail_msg("flip of bit %zu of signature byte %zu was accepted", i % 8, i / 8);
        s[i / 8] ^= (char)(1u << (i % 8));
    }
    free(s);
}

static void test_truncations_and_appends_refused(void **state)
{
    fixture *f = *state;
    cars_release_policy pol = policy();
    char err[600];
    for (size_t n = 0; n < f->c.len; n++)
        assert_int_not_equal(open_copy(f, f->c.bytes, n, f->sig, f->siglen, &pol, err, sizeof err), CARS_REL_OK);
    uint8_t *b = calloc(1, f->c.len + 64);
    memcpy(b, f->c.bytes, f->c.len);
    for (size_t extra = 1; extra <= 64; extra++)
        assert_int_equal(open_copy(f, b, f->c.len + extra, f->sig, f->siglen, &pol, err, sizeof err),
                         CARS_REL_MALFORMED);
    free(b);
}

static void test_policy_refusals(void **state)
{
    fixture *f = *state;
    char err[600];
    cars_release_policy pol = policy();
    assert_int_equal(open_copy(f, f->c.bytes, f->c.len, NULL, 0, &pol, err, sizeof err), CARS_REL_UNSIGNED);
    pol.channel = CARS_CHANNEL_TEST;
    assert_int_equal(open_copy(f, f->c.bytes, f->c.len, f->sig, f->siglen, &pol, err, sizeof err),
                     CARS_REL_WRONG_CHANNEL);
    pol = policy();
    cars_date_parse("2026-11-22", 10, &pol.today);
    assert_int_equal(open_copy(f, f->c.bytes, f->c.len, f->sig, f->siglen, &pol, err, sizeof err),
                     CARS_REL_NOT_YET_VALID);
    cars_date_parse("2026-11-30", 10, &pol.today);
    assert_int_equal(open_copy(f, f->c.bytes, f->c.len, f->sig, f->siglen, &pol, err, sizeof err),
                     CARS_REL_EXPIRED);
    /* the validity window is inclusive at both ends */
    cars_date_parse("2026-11-29", 10, &pol.today);
    assert_int_equal(open_copy(f, f->c.bytes, f->c.len, f->sig, f->siglen, &pol, err, sizeof err), CARS_REL_OK);
}

static void test_rollback_refused(void **state)
{
    fixture *f = *state;
    char err[600], path[128];
    snprintf(path, sizeof path, "%s/state", f->dir);
    cars_release_policy pol = policy();
    pol.state_path = path;
    uint8_t d[32] = {1};
    cars_release_meta newer = {.release_id = "2026-W48", .release_id_len = 8, .sequence = 48};
    assert_int_equal(cars_release_accept(&newer, d, path, err, sizeof err), CARS_REL_OK);
    assert_int_equal(open_copy(f, f->c.bytes, f->c.len, f->sig, f->siglen, &pol, err, sizeof err),
                     CARS_REL_ROLLED_BACK);
    assert_string_equal(err, "release 2026-W47 has sequence 47, older than release 2026-W48 (sequence 48) "
                             "already accepted here: refusing a rollback");
    unlink(path);
    assert_int_equal(open_copy(f, f->c.bytes, f->c.len, f->sig, f->siglen, &pol, err, sizeof err), CARS_REL_OK);
}

/* Sequence numbers: digits only, up to UINT64_MAX, never wrapped. */
static void test_sequence_parse(void **state)
{
    (void)state;
    uint64_t v = 7;
    assert_true(cars_sequence_parse("0", 1, &v));
    assert_true(v == 0);
    assert_true(cars_sequence_parse("18446744073709551615", 20, &v));
    assert_true(v == UINT64_MAX);
    assert_true(cars_sequence_parse("0018446744073709551615", 22, &v));
    assert_true(v == UINT64_MAX);
    assert_true(cars_sequence_parse("48x", 2, &v)); /* only the length given is read */
    assert_true(v == 48);
    static const char *const bad[] = {"", "-1", " 1", "+1", "1 ", "18446744073709551616",
                                      "99999999999999999999", "1e3", "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 7;
        assert_false(cars_sequence_parse(bad[i], strlen(bad[i]), &v));
        assert_true(v == 7);
    }
}

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Two runs at once: A (this test) holds the lock and records W49 while B,
 * whose first check saw W47, waits; B then records W48 under the lock and
 * is refused as a rollback, leaving the state at W49. */
static void test_locked_check_and_accept(void **state)
{
    fixture *f = *state;
    char err[600], path[128], msg[400];
    snprintf(path, sizeof path, "%s/locked", f->dir);
    uint8_t d[32] = {7};
    cars_release_meta w47 = {.release_id = "2026-W47", .release_id_len = 8, .sequence = 47};
    cars_release_meta w48 = {.release_id = "2026-W48", .release_id_len = 8, .sequence = 48};
    cars_release_meta w49 = {.release_id = "2026-W49", .release_id_len = 8, .sequence = 49};
    assert_int_equal(cars_release_accept(&w47, d, path, err, sizeof err), CARS_REL_OK);
    cars_release_policy pol = {.channel = CARS_CHANNEL_PRODUCTION, .today = 0, .state_path = path};
    assert_int_equal(cars_release_check(&w48, d, &pol, err, sizeof err), CARS_REL_OK); /* B's first check */
    int a, b;
    bool busy;
    assert_int_equal(cars_state_lock(path, 0, &a, &busy, err, sizeof err), 0);
    assert_int_equal(cars_state_lock(path, 0, &b, &busy, err, sizeof err), -1);
    assert_true(busy);
    assert_int_equal(b, -1);
    snprintf(msg, sizeof msg, "state file %s is locked by another carsvm (%s.lock)", path, path);
    assert_string_equal(err, msg);
    long t0 = now_ms();
    assert_int_equal(cars_state_lock(path, 200, &b, &busy, err, sizeof err), -1);
    assert_true(busy);
    assert_true(now_ms() - t0 >= 200);
    snprintf(msg, sizeof msg, "state file %s has been locked by another carsvm (%s.lock) for more than 200 ms: "
             "giving up; run again when it has finished", path, path);
    assert_string_equal(err, msg);
    assert_int_equal(cars_release_accept(&w49, d, path, err, sizeof err), CARS_REL_OK); /* A records W49 */
    cars_state_unlock(a);
    assert_int_equal(cars_state_lock(path, 1000, &b, &busy, err, sizeof err), 0);
    assert_int_equal(cars_release_accept(&w48, d, path, err, sizeof err), CARS_REL_ROLLED_BACK);
    assert_string_equal(err, "release 2026-W48 has sequence 48, older than release 2026-W49 (sequence 49) already "
                             "accepted here: refusing a rollback");
    cars_state_unlock(b);
    cars_state st;
    assert_int_equal(cars_state_read(path, &st, err, sizeof err), 0);
    assert_true(st.present);
    assert_int_equal(st.sequence, 49);
    assert_string_equal(st.release, "2026-W49");
}

/* Only the exact form written is read; every other is refused. */
static void test_state_parse(void **state)
{
    (void)state;
    static const char D[] = "digest 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";
    static const char *const bad[] = {
        "", "cars-release-state 1\n", "cars-release-state 1\nsequence 49junk\nrelease W\n%s",
        "cars-release-state 1\nsequence 0x50\nrelease W\n%s", "cars-release-state 1\nsequence -1\nrelease W\n%s",
        "cars-release-state 1\nsequence 01\nrelease W\n%s",
        "cars-release-state 1\nsequence 18446744073709551616\nrelease W\n%s",
        "cars-release-state 1\nsequence 99999999999999999999\nrelease W\n%s",
        "cars-release-state 1\nsequence 1\nrelease W X\n%s", "cars-release-state 1\nsequence 1\nrelease W\n%sx",
        "cars-release-state 1\nsequence 1\nrelease W\n%s\n", " cars-release-state 1\nsequence 1\nrelease W\n%s",
    };
    char text[400], why[200];
    cars_state st;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, bad[i], D);
        if (cars_state_parse(text, strlen(text), &st, why, sizeof why))
            fail_msg("state text %zu was accepted", i);
        assert_false(st.present);
    }
    snprintf(text, sizeof text, "cars-release-state 1\nsequence 18446744073709551615\nrelease a.b_c-D9\n%s", D);
    assert_true(cars_state_parse(text, strlen(text), &st, why, sizeof why));
    assert_true(st.present);
    assert_true(st.sequence == UINT64_MAX);
    assert_string_equal(st.release, "a.b_c-D9");
    assert_string_equal(st.digest, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    snprintf(text, sizeof text, "cars-release-state 1\nsequence 0\nrelease 0\n%s", D);
    assert_true(cars_state_parse(text, strlen(text), &st, why, sizeof why));
    assert_int_equal(st.sequence, 0);
}

/* A failed write leaves the old state file as it was and no temporary. */
static void test_state_write_fails_cleanly(void **state)
{
    fixture *f = *state;
    char err[600], path[128];
    snprintf(path, sizeof path, "%s/nomem", f->dir);
    uint8_t d[32] = {3};
    cars_release_meta w47 = {.release_id = "2026-W47", .release_id_len = 8, .sequence = 47};
    cars_release_meta w48 = {.release_id = "2026-W48", .release_id_len = 8, .sequence = 48};
    assert_int_equal(cars_release_accept(&w47, d, path, err, sizeof err), CARS_REL_OK);
    for (long n = 0; n < 4; n++) {
        cars_alloc_count(1);
        cars_alloc_fail_after(n);
        int rc = cars_release_accept(&w48, d, path, err, sizeof err);
        cars_alloc_fail_after(-1);
        if (rc == CARS_REL_OK) {
            assert_int_equal(n, 2); /* reading the state, naming the temporary */
            break;
        }
        assert_int_equal(rc, CARS_REL_STATE);
        cars_state st;
        assert_int_equal(cars_state_read(path, &st, err, sizeof err), 0);
        assert_int_equal(st.sequence, 47);
    }
    char cmd[200];
    snprintf(cmd, sizeof cmd, "ls %s | grep -q tmp", f->dir);
    assert_int_not_equal(system(cmd), 0);
    /* an id the loader would refuse is never written */
    cars_release_meta bad = {.release_id = "2026\nW49", .release_id_len = 8, .sequence = 49};
    assert_int_equal(cars_release_accept(&bad, d, path, err, sizeof err), CARS_REL_STATE);
}

/* A trusted comment in carsc's form must describe the release; another
 * form (the fixture's "t", minisign's default) is not compared. */
static void test_trusted_comment(void **state)
{
    fixture *f = *state;
    cars_release_policy pol = policy();
    char err[1200], want[200];
    cars_release_meta m;
    assert_int_equal(cars_bundle_peek_release(f->c.bytes, f->c.len, &m, err, sizeof err), 0);
    cars_release_comment(&m, want, sizeof want);
    assert_string_equal(want, "cars release 2026-W47 sequence 47 channel production valid 2026-11-23 to 2026-11-29");
    static const char *const comments[] = {
        "cars release 2026-W47 sequence 47 channel production valid 2026-11-23 to 2026-11-29",
        "cars release 2026-W46 sequence 47 channel production valid 2026-11-23 to 2026-11-29",
        "cars release 2026-W47 sequence 46 channel production valid 2026-11-23 to 2026-11-29",
        "cars release 2026-W47 sequence 47 channel test valid 2026-11-23 to 2026-11-29",
        "cars release 2026-W47 sequence 47 channel production valid 2026-11-24 to 2026-11-29",
        "cars release 2026-W47 sequence 47 channel production valid 2026-11-23 to 2026-11-28",
        "cars release ", "timestamp:1700000000\tfile:r.carsb\thashed", "",
    };
    static const int expect[] = {CARS_REL_OK, CARS_REL_BAD_SIGNATURE, CARS_REL_BAD_SIGNATURE, CARS_REL_BAD_SIGNATURE,
                                 CARS_REL_BAD_SIGNATURE, CARS_REL_BAD_SIGNATURE, CARS_REL_BAD_SIGNATURE, CARS_REL_OK,
                                 CARS_REL_OK};
    for (size_t i = 0; i < sizeof comments / sizeof comments[0]; i++) {
        char *sig = cars_sign_text(&f->sk, f->c.bytes, f->c.len, comments[i], err, sizeof err);
        assert_non_null(sig);
        int rc = open_copy(f, f->c.bytes, f->c.len, sig, strlen(sig), &pol, err, sizeof err);
        if (rc != expect[i])
            fail_msg("comment '%s': status %d, expected %d (%s)", comments[i], rc, expect[i], err);
        cars_free(sig);
    }
}

static void test_comment_escape(void **state)
{
    (void)state;
    char out[16];
    cars_comment_escape("a\tb\\c\x01\xff", 7, out, sizeof out);
    assert_string_equal(out, "a\\tb\\\\c\\x01\\xff");
    cars_comment_escape("0123456789abcdefghij", 20, out, sizeof out);
    assert_string_equal(out, "0123456789ab...");
    cars_comment_escape("abcd", 4, out, 4);
    assert_string_equal(out, "...");
    out[0] = 'x';
    cars_comment_escape("abc", 3, out, 3);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_genuine_release_opens),
        cmocka_unit_test(test_every_bit_flip_of_the_release_refused),
        cmocka_unit_test(test_every_bit_flip_of_the_signature_refused),
        cmocka_unit_test(test_truncations_and_appends_refused),
        cmocka_unit_test(test_policy_refusals),
        cmocka_unit_test(test_rollback_refused),
        cmocka_unit_test(test_sequence_parse),
        cmocka_unit_test(test_locked_check_and_accept),
        cmocka_unit_test(test_state_parse),
        cmocka_unit_test(test_state_write_fails_cleanly),
        cmocka_unit_test(test_trusted_comment),
        cmocka_unit_test(test_comment_escape),
    };
    return cmocka_run_group_tests_name("release", tests, setup, teardown);
}

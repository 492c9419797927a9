/* test_sign_init.c - what signing and verification do when libsodium cannot
 * be initialised (sodium_init() < 0: in practice only without a usable
 * random source or CPU feature probe). This test binary defines its own
 * sodium_init, which the linker prefers to libsodium's (symbol interposition;
 * no hook in the product): it fails while `init_fails` is set and otherwise
 * calls the real one. Its own binary, so no other test runs with it. */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "alloc.h"
#include "keys.h"
#include "sign.h"

static int init_fails, init_calls;

int sodium_init(void)
{
    static int (*real)(void);
    init_calls++;
    if (init_fails)
        return -1;
    if (!real) {
        void *f = dlsym(RTLD_NEXT, "sodium_init");
        if (!f)
            return -1;
        memcpy(&real, &f, sizeof real);
    }
    return real();
}

static const uint8_t msg[] = "CARSB\r\n\x1a release bytes";

/* A fresh key pair, a signature of msg made with it, both parsed back. */
static void sign_msg(cars_pubkey *pk, cars_signature *sig)
{
    char err[256];
    cars_seckey sk;
    assert_true(sodium_init() >= 0);
    assert_int_equal(crypto_sign_keypair(pk->pk, sk.sk), 0);
    randombytes_buf(sk.keyid, sizeof sk.keyid);
    memcpy(pk->keyid, sk.keyid, sizeof sk.keyid);
    char *text = cars_sign_text(&sk, msg, sizeof msg, "release T sequence 1", err, sizeof err);
    assert_non_null(text);
    assert_int_equal(cars_signature_parse(text, strlen(text), sig, err, sizeof err), CARS_SIG_OK);
    cars_free(text);
}

static void test_verify_without_libsodium(void **state)
{
    (void)state;
    cars_pubkey pk;
    cars_signature sig;
    sign_msg(&pk, &sig);
    char err[256] = "";
    /* the real sodium_init is reached through the override */
    assert_int_equal(cars_signature_verify(&pk, &sig, msg, sizeof msg, err, sizeof err), CARS_SIG_OK);
    init_fails = 1;
    init_calls = 0;
    assert_int_equal(cars_signature_verify(&pk, &sig, msg, sizeof msg, err, sizeof err), CARS_SIG_BAD);
    assert_string_equal(err, "libsodium could not be initialised");
    assert_int_equal(init_calls, 1);
    init_fails = 0;
    err[0] = '\0';
    assert_int_equal(cars_signature_verify(&pk, &sig, msg, sizeof msg, err, sizeof err), CARS_SIG_OK);
}

static void test_sign_without_libsodium(void **state)
{
    (void)state;
    char err[256] = "";
    cars_seckey sk;
    memset(&sk, 0, sizeof sk);
    init_fails = 1;
    assert_null(cars_sign_text(&sk, msg, sizeof msg, "release T", err, sizeof err));
    assert_string_equal(err, "libsodium could not be initialised");
    char name[64], path[80];
    snprintf(name, sizeof name, "/tmp/cars-sign-init-%ld", (long)getpid());
    err[0] = '\0';
    assert_int_equal(cars_keygen(name, err, sizeof err), -1);
    assert_string_equal(err, "libsodium could not be initialised");
    init_fails = 0;
    snprintf(path, sizeof path, "%s.key", name);
    assert_int_equal(access(path, F_OK), -1); /* nothing written */
    snprintf(path, sizeof path, "%s.pub", name);
    assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_without_libsodium),
        cmocka_unit_test(test_sign_without_libsodium),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

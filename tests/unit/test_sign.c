/* test_sign.c - release keys and signatures: round trip, every single-bit
 * flip refused, other keys refused, unsafe key files refused, and interop
 * with the stock minisign tool when it is installed. */
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
#include "keys.h"
#include "sign.h"

static char dir[64];

static char *slurp(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 16);
    if (!buf) {
        fclose(f);
        return NULL;
    }
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/cars-sign-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void make_key(const char *name, cars_pubkey *pk, cars_seckey *sk)
{
    char base[128], path[160], err[256];
    snprintf(base, sizeof base, "%s/%s", dir, name);
    assert_int_equal(cars_keygen(base, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s.key", base);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(cars_seckey_load(path, sk, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s.pub", base);
    size_t len;
    char *text = slurp(path, &len);
    assert_non_null(text);
    assert_int_equal(cars_pubkey_parse(text, len, pk, err, sizeof err), CARS_SIG_OK);
    assert_memory_equal(pk->keyid, sk->keyid, CARS_KEYID_BYTES);
    free(text);
}

static void test_round_trip(void **state)
{
    (void)state;
    cars_pubkey pk;
    cars_seckey sk;
    make_key("a", &pk, &sk);
    const uint8_t msg[] = "CARSB\r\n\x1a bundle bytes";
    char err[256];
    char *text = cars_sign_text(&sk, msg, sizeof msg, "release 2026-W47 sequence 3", err, sizeof err);
    assert_non_null(text);
    cars_signature sig;
    assert_int_equal(cars_signature_parse(text, strlen(text), &sig, err, sizeof err), CARS_SIG_OK);
    assert_string_equal(sig.trusted, "release 2026-W47 sequence 3");
    assert_int_equal(cars_signature_verify(&pk, &sig, msg, sizeof msg, err, sizeof err), CARS_SIG_OK);
    cars_free(text);
}

/* Every single-bit flip of the message, and of every byte of the signature
 * file after its (untrusted, as in minisign) first line, is refused. */
static void test_every_bit_flip_refused(void **state)
{
    (void)state;
    cars_pubkey pk;
    cars_seckey sk;
    make_key("b", &pk, &sk);
    uint8_t msg[96];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7 + 1);
    char err[256];
    char *text = cars_sign_text(&sk, msg, sizeof msg, "t", err, sizeof err);
    assert_non_null(text);
    size_t tlen = strlen(text);
    cars_signature sig;
    assert_int_equal(cars_signature_parse(text, tlen, &sig, err, sizeof err), CARS_SIG_OK);
    for (size_t i = 0; i < sizeof msg * 8; i++) {
        msg[i / 8] ^= (uint8_t)(1u << (i % 8));
        assert_int_equal(cars_signature_verify(&pk, &sig, msg, sizeof msg, err, sizeof err), CARS_SIG_BAD);
        msg[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    size_t first = (size_t)(strchr(text, '\n') - text) + 1;
    for (size_t i = first * 8; i < tlen * 8; i++) {
        text[i / 8] ^= (char)(1u << (i % 8));
        cars_signature s2;
        cars_sig_status st = cars_signature_parse(text, tlen, &s2, err, sizeof err);
        if (st == CARS_SIG_OK)
            st = cars_signature_verify(&pk, &s2, msg, sizeof msg, err, sizeof err);
        if (st == CARS_SIG_OK)
            fail_msg("flip of bit %zu (byte %zu) was accepted", i % 8, i / 8);
        text[i / 8] ^= (char)(1u << (i % 8));
    }
    cars_free(text);
}

/* libsodium's base64 decoder maps some bytes >= 0x80 onto alphabet values:
 * such a line must be refused, not decoded to the same bytes. */
static void test_non_alphabet_base64_refused(void **state)
{
    (void)state;
    cars_pubkey pk;
    cars_seckey sk;
    make_key("f", &pk, &sk);
    const uint8_t msg[] = "x";
    char err[256];
    char *text = cars_sign_text(&sk, msg, 1, "t", err, sizeof err);
    char *b64 = strchr(text, '\n') + 1;
    for (char *p = b64; *p != '\n'; p++) {
        if (*p == '/') {
            *p = (char)0xAF; /* '/' with its top bit set */
            cars_signature sig;
            assert_int_equal(cars_signature_parse(text, strlen(text), &sig, err, sizeof err),
                             CARS_SIG_MALFORMED);
            *p = '/';
        }
    }
    cars_free(text);
}

static void test_other_key_refused(void **state)
{
    (void)state;
    cars_pubkey pk1, pk2;
    cars_seckey sk1, sk2;
    make_key("c1", &pk1, &sk1);
    make_key("c2", &pk2, &sk2);
    const uint8_t msg[] = "release";
    char err[256];
    char *text = cars_sign_text(&sk2, msg, sizeof msg, "t", err, sizeof err);
    cars_signature sig;
    assert_int_equal(cars_signature_parse(text, strlen(text), &sig, err, sizeof err), CARS_SIG_OK);
    assert_int_equal(cars_signature_verify(&pk1, &sig, msg, sizeof msg, err, sizeof err), CARS_SIG_UNKNOWN_KEY);
    assert_non_null(strstr(err, "signed by unknown key"));
    /* same key id, other key: still refused */
    memcpy(pk2.keyid, pk1.keyid, CARS_KEYID_BYTES);
    memcpy(sig.keyid, pk1.keyid, CARS_KEYID_BYTES);
    assert_int_equal(cars_signature_verify(&pk1, &sig, msg, sizeof msg, err, sizeof err), CARS_SIG_BAD);
    cars_free(text);
    (void)pk2;
}

static void test_unsafe_key_refused(void **state)
{
    (void)state;
    cars_pubkey pk;
    cars_seckey sk;
    make_key("d", &pk, &sk);
    char path[160], err[256];
    snprintf(path, sizeof path, "%s/d.key", dir);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(cars_seckey_load(path, &sk, err, sizeof err), -1);
    assert_non_null(strstr(err, "can be read by others (mode 0644); run: chmod 600"));
    /* and keygen refuses to overwrite */
    char base[128];
    snprintf(base, sizeof base, "%s/d", dir);
    assert_int_equal(cars_keygen(base, err, sizeof err), -1);
    assert_non_null(strstr(err, "refusing to overwrite"));
}

static void test_malformed(void **state)
{
    (void)state;
    char err[256];
    cars_pubkey pk;
    cars_signature sig;
    assert_int_equal(cars_pubkey_parse("", 0, &pk, err, sizeof err), CARS_SIG_MALFORMED);
    assert_int_equal(cars_pubkey_parse("untrusted comment: x\nnot base64!\n", 33, &pk, err, sizeof err),
                     CARS_SIG_MALFORMED);
    const char *legacy = "untrusted comment: x\n"
                         "RWQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n";
    assert_int_equal(cars_signature_parse(legacy, strlen(legacy), &sig, err, sizeof err), CARS_SIG_MALFORMED);
}

/* Stock minisign verifies our signatures, and we verify its. */
static void test_minisign_interop(void **state)
{
    (void)state;
    if (system("command -v minisign >/dev/null 2>&1") != 0) {
        skip();
    }
    cars_pubkey pk;
    cars_seckey sk;
    make_key("e", &pk, &sk);
    char path[160], cmd[512], err[256];
    snprintf(path, sizeof path, "%s/file.bin", dir);
    FILE *f = fopen(path, "wb");
    fputs("some release bytes\n", f);
    fclose(f);
    const uint8_t msg[] = "some release bytes\n";
    char *text = cars_sign_text(&sk, msg, sizeof msg - 1, "cars test", err, sizeof err);
    snprintf(cmd, sizeof cmd, "%s.minisig", path);
    f = fopen(cmd, "wb");
    fputs(text, f);
    fclose(f);
    cars_free(text);
    snprintf(cmd, sizeof cmd, "minisign -Vq -p %s/e.pub -m %s", dir, path);
    assert_int_equal(system(cmd), 0);
    /* minisign signs with our (unencrypted) secret key; we verify */
    snprintf(cmd, sizeof cmd, "minisign -S -s %s/e.key -x %s/m.minisig -t hello -m %s </dev/null >/dev/null 2>&1",
             dir, dir, path);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/m.minisig", dir);
    size_t len;
    char *mt = slurp(cmd, &len);
    assert_non_null(mt);
    cars_signature sig;
    assert_int_equal(cars_signature_parse(mt, len, &sig, err, sizeof err), CARS_SIG_OK);
    assert_string_equal(sig.trusted, "hello");
    assert_int_equal(cars_signature_verify(&pk, &sig, msg, sizeof msg - 1, err, sizeof err), CARS_SIG_OK);
    free(mt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_every_bit_flip_refused),
        cmocka_unit_test(test_non_alphabet_base64_refused),
        cmocka_unit_test(test_other_key_refused),
        cmocka_unit_test(test_unsafe_key_refused),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_minisign_interop),
    };
    return cmocka_run_group_tests_name("sign", tests, setup, teardown);
}

/* test_sign_parse.c - every way a public key or a signature file can be
 * malformed, one assertion each on the status and the exact message (branch
 * coverage of vm/sign.c's parsers; test_sign.c covers keys, signing and
 * verification end to end). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "sign.h"

static char err[256];

/* base64 of n bytes: the first two are `alg`, the rest zero. */
static const char *b64(const char *alg, size_t n)
{
    static char out[2][256];
    static int k;
    uint8_t raw[128] = {0};
    memcpy(raw, alg, 2);
    k ^= 1;
    sodium_bin2base64(out[k], sizeof out[k], raw, n, sodium_base64_VARIANT_ORIGINAL);
    return out[k];
}

static cars_sig_status key(const char *text)
{
    cars_pubkey pk;
    err[0] = '\0';
    return cars_pubkey_parse(text, strlen(text), &pk, err, sizeof err);
}

static cars_sig_status sig(const char *text)
{
    cars_signature s;
    err[0] = '\0';
    return cars_signature_parse(text, strlen(text), &s, err, sizeof err);
}

#define MALFORMED(call, msg)                                                                                       \
    do {                                                                                                           \
        assert_int_equal(call, CARS_SIG_MALFORMED);                                                                \
        assert_string_equal(err, msg);                                                                             \
    } while (0)

static void t_pubkey(void **state)
{
    (void)state;
    char t[512];
    const char *first = "public key: first line must be an 'untrusted comment:' line";
    const char *second = "public key: second line must be the base64 of a 42-byte Ed25519 key";
    MALFORMED(key(""), first);
    MALFORMED(key("untrusted\n"), first);
    MALFORMED(key("untrusted_comment: x\n"), first);
    MALFORMED(key("untrusted comment: x\n"), second);
    MALFORMED(key("untrusted comment: x\n*AAA\n"), second);
    snprintf(t, sizeof t, "untrusted comment: x\n%s\n", b64("Ed", 41));
    MALFORMED(key(t), second);
    snprintf(t, sizeof t, "untrusted comment: x\n%s\n", b64("Xd", 42));
    MALFORMED(key(t), "public key: algorithm is not Ed25519 ('Ed')");
    snprintf(t, sizeof t, "untrusted comment: x\r\n%s\r\n", b64("Ed", 42));
    assert_int_equal(key(t), CARS_SIG_OK);
}

static void t_signature(void **state)
{
    (void)state;
    char t[2048];
    const char *u = "untrusted comment: x\n";
    const char *second = "signature: second line must be the base64 of a 74-byte signature";
    const char *third = "signature: third line must be a 'trusted comment:' line";
    const char *fourth = "signature: fourth line must be the base64 of the 64-byte global signature";
    MALFORMED(sig(""), "signature: first line must be an 'untrusted comment:' line");
    MALFORMED(sig("untrusted\n"), "signature: first line must be an 'untrusted comment:' line");
    MALFORMED(sig("untrusted_comment: x\n"), "signature: first line must be an 'untrusted comment:' line");
    MALFORMED(sig("untrusted comment: x"), second);
    snprintf(t, sizeof t, "%s%s\n", u, b64("ED", 73));
    MALFORMED(sig(t), second);
    snprintf(t, sizeof t, "%s%s\n", u, b64("Ed", 74));
    MALFORMED(sig(t), "signature: algorithm must be prehashed Ed25519 ('ED'); sign with carsc sign or minisign "
                      "0.10 or later");
    snprintf(t, sizeof t, "%s%s\n", u, b64("ED", 74));
    MALFORMED(sig(t), third);
    snprintf(t, sizeof t, "%s%s\ntrusted\n", u, b64("ED", 74));
    MALFORMED(sig(t), third);
    snprintf(t, sizeof t, "%s%s\ntrusted_comment: x\n", u, b64("ED", 74));
    MALFORMED(sig(t), third);
    int n = snprintf(t, sizeof t, "%s%s\ntrusted comment: ", u, b64("ED", 74));
    memset(t + n, 'a', CARS_TRUSTED_MAX + 1);
    t[n + CARS_TRUSTED_MAX + 1] = '\0';
    MALFORMED(sig(t), "signature: trusted comment is too long");
    snprintf(t, sizeof t, "%s%s\ntrusted comment: c\n", u, b64("ED", 74));
    MALFORMED(sig(t), fourth);
    snprintf(t, sizeof t, "%s%s\ntrusted comment: c\n%s\n", u, b64("ED", 74), b64("xx", 63));
    MALFORMED(sig(t), fourth);
    snprintf(t, sizeof t, "%s%s\ntrusted comment: c\n%s\n\nmore\n", u, b64("ED", 74), b64("xx", 64));
    MALFORMED(sig(t), "signature: unexpected text after the fourth line");
    snprintf(t, sizeof t, "%s%s\ntrusted comment: c\n%s\n\n\r\n", u, b64("ED", 74), b64("xx", 64));
    assert_int_equal(sig(t), CARS_SIG_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_pubkey),
        cmocka_unit_test(t_signature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

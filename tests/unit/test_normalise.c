/* test_normalise.c - table key normalisation (each kind, the documented
 * examples) and the entry hash: SipHash-2-4 of the normalised columns joined
 * by 0x1F, the same through both entry points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "normalise.h"
#include "program.h"

static void norm(int kind, const char *in, const char *want)
{
    char out[256];
    size_t n = cars_normalise(kind, in, strlen(in), out);
    out[n] = '\0';
    assert_string_equal(out, want);
}

static void test_document(void **s)
{
    (void)s;
    norm(CARS_KEY_DOCUMENT, "ab 12-345", "AB12345");
    norm(CARS_KEY_DOCUMENT, " -x- ", "X");
    norm(CARS_KEY_DOCUMENT, "é1", "é1"); /* non-ASCII unchanged */
    norm(CARS_KEY_DOCUMENT, "", "");
}

static void test_email(void **s)
{
    (void)s;
    norm(CARS_KEY_EMAIL, "  Fraud@Example.COM\t", "fraud@example.com");
    norm(CARS_KEY_EMAIL, "a b@c", "a b@c"); /* inner spaces kept */
    norm(CARS_KEY_EMAIL, "   ", "");
}

static void test_phone(void **s)
{
    (void)s;
    norm(CARS_KEY_PHONE, "+44 (0)20 7946-0000", "+4402079460000"); /* every digit kept, the (0) too */
    norm(CARS_KEY_PHONE, "+44 20 7946 0000", "+442079460000");
    norm(CARS_KEY_PHONE, "(020) 7946-0000", "02079460000");
    norm(CARS_KEY_PHONE, "  +1 555", "+1555"); /* the + after trimming */
    norm(CARS_KEY_PHONE, "1+2", "12");         /* only a leading + */
    norm(CARS_KEY_PHONE, "abc", "");
}

static void test_contact_and_plain(void **s)
{
    (void)s;
    norm(CARS_KEY_CONTACT, " A@B.Com ", "a@b.com");
    norm(CARS_KEY_CONTACT, "+44 20 7946 0000", "+442079460000");
    norm(CARS_KEY_COUNTRY, "GBR", "GBR");
    norm(CARS_KEY_TEXT, " As Is ", " As Is ");
    norm(99, "x", "x");
}

static void test_hash(void **s)
{
    (void)s;
    uint8_t key[16];
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
    /* the same as crypto_shorthash over "GBR\x1f" "AB12345", read little-endian */
    const char joined[] = "GBR\x1f" "AB12345";
    unsigned char h[8];
    crypto_shorthash(h, (const unsigned char *)joined, sizeof joined - 1, key);
    uint64_t want = 0;
    for (int i = 7; i >= 0; i--)
        want = want << 8 | h[i];
    const char *cols[2] = {"GBR", "AB12345"};
    size_t lens[2] = {3, 7};
    assert_true(cars_table_hash(key, cols, lens, 2) == want);
    assert_true(cars_table_hash_bytes(key, joined, sizeof joined - 1) == want);
    /* column boundaries matter */
    const char *cols2[2] = {"GBRA", "B12345"};
    size_t lens2[2] = {4, 6};
    assert_true(cars_table_hash(key, cols2, lens2, 2) != want);
    /* one column: no separator */
    assert_true(cars_table_hash(key, cols, lens, 1) == cars_table_hash_bytes(key, "GBR", 3));
    /* a key longer than the stack buffer */
    static char big[10000];
    memset(big, 'x', sizeof big);
    const char *cb[1] = {big};
    size_t lb[1] = {sizeof big};
    assert_true(cars_table_hash(key, cb, lb, 1) == cars_table_hash_bytes(key, big, sizeof big));
    /* a different key gives a different hash */
    key[0] ^= 1;
    assert_true(cars_table_hash(key, cols, lens, 2) != want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document), cmocka_unit_test(test_email), cmocka_unit_test(test_phone),
        cmocka_unit_test(test_contact_and_plain), cmocka_unit_test(test_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

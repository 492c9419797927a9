/* test_normalise.c - table key normalisation (each kind, the documented
 * examples, every blank and dash of format version 3, and the rules of
 * versions 1 and 2 kept exactly), the key kind of a field in a lookup, and
 * the entry hash: SipHash-2-4 of the normalised columns joined by 0x1F, the
 * same through both entry points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "bundle.h"
#include "normalise.h"
#include "program.h"
#include "utf8.h"

#define V3 3u
#define V2 2u

static void norm(unsigned version, int kind, const char *in, const char *want)
{
    char out[256];
    size_t n = cars_normalise(version, kind, in, strlen(in), out);
    out[n] = '\0';
    assert_string_equal(out, want);
    /* in place gives the same */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", in);
    n = cars_normalise(version, kind, buf, strlen(buf), buf);
    buf[n] = '\0';
    assert_string_equal(buf, want);
}

/* Every blank code point of format version 3 (normalise.h), as UTF-8. */
static const unsigned blank_cps[] = {
    0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0xAD, 0x34F, 0x61C, 0x115F, 0x1160, 0x1680, 0x17B4,
    0x17B5, 0x180B, 0x180C, 0x180D, 0x180E, 0x180F, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
    0x2007, 0x2008, 0x2009, 0x200A, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A, 0x202B,
    0x202C, 0x202D, 0x202E, 0x202F, 0x205F, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x2065, 0x2066, 0x2067,
    0x2068, 0x2069, 0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F, 0x3000, 0x3164, 0xFE00, 0xFE07, 0xFE0F,
    0xFEFF, 0xFFA0, 0xFFF0, 0xFFF8, 0x1BCA0, 0x1BCA3, 0x1D173, 0x1D17A, 0xE0000, 0xE0001, 0xE007F, 0xE0FFF,
};
/* Neighbours of those ranges, and look-alikes, that are not blanks. */
static const unsigned not_blank_cps[] = {
    0x08, 0x0E, 0x1F, 0x21, 0x84, 0x86, 0x9F, 0xA1, 0xAC, 0xAE, 0x34E, 0x350, 0x61B, 0x61D, 0x115E, 0x1161,
    0x167F, 0x1681, 0x17B3, 0x17B6, 0x180A, 0x1810, 0x1FFF, 0x2010, 0x2027, 0x2030, 0x205E, 0x2070, 0x2FFF,
    0x3001, 0x3163, 0x3165, 0xFDFF, 0xFE10, 0xFEFE, 0xFF00, 0xFF9F, 0xFFA1, 0xFFEF, 0xFFF9, 0xFFFD, 0x1BC9F,
    0x1BCA4, 0x1D172, 0x1D17B, 0xDFFFF, 0xE1000, 0x10FFFF,
};
/* Every dash a document number loses, besides the blanks. */
static const unsigned dash_cps[] = {'-', 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE63, 0xFF0D};

static size_t put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* pre + body + post, where pre and post are one code point each (or none). */
static void wrap(char *out, unsigned pre, const char *body, unsigned post)
{
    size_t o = 0;
    if (pre)
        o += put_utf8(out + o, pre);
    memcpy(out + o, body, strlen(body));
    o += strlen(body);
    if (post)
        o += put_utf8(out + o, post);
    out[o] = '\0';
}

static void test_document(void **s)
{
    (void)s;
    norm(V3, CARS_KEY_DOCUMENT, "ab 12-345", "AB12345");
    norm(V3, CARS_KEY_DOCUMENT, " -x- ", "X");
    norm(V3, CARS_KEY_DOCUMENT, "é1", "é1"); /* non-ASCII letters: not mapped */
    norm(V3, CARS_KEY_DOCUMENT, "\xEF\xBD\x81" "1", "\xEF\xBD\x81" "1"); /* fullwidth a: not upper-cased */
    norm(V3, CARS_KEY_DOCUMENT, "", "");
    norm(V3, CARS_KEY_DOCUMENT, "ab\t12\n3", "AB123");                  /* every blank, anywhere */
    norm(V3, CARS_KEY_DOCUMENT, "ab\xE2\x80\x91" "12\xE2\x88\x92" "3", "AB123"); /* U+2011, U+2212 */
    norm(V3, CARS_KEY_DOCUMENT, "a\xC2\xAD" "b", "AB");                  /* soft hyphen: invisible */
    norm(V3, CARS_KEY_DOCUMENT, "a_b.c/d", "A_B.C/D");                  /* other punctuation stays */
    norm(V3, CARS_KEY_DOCUMENT, "a\xFF" "b\xE2\x80", "A\xFF" "B\xE2\x80"); /* not UTF-8: kept, never a blank */
    char in[64], want[64];
    for (size_t i = 0; i < sizeof blank_cps / sizeof blank_cps[0]; i++) {
        char mid[8];
        mid[put_utf8(mid, blank_cps[i])] = '\0';
        snprintf(in, sizeof in, "x%s1%s", mid, mid);
        norm(V3, CARS_KEY_DOCUMENT, in, "X1");
    }
    for (size_t i = 0; i < sizeof dash_cps / sizeof dash_cps[0]; i++) {
        char mid[8];
        mid[put_utf8(mid, dash_cps[i])] = '\0';
        snprintf(in, sizeof in, "%sx%s1", mid, mid);
        norm(V3, CARS_KEY_DOCUMENT, in, "X1");
    }
    for (size_t i = 0; i < sizeof not_blank_cps / sizeof not_blank_cps[0]; i++) {
        if (not_blank_cps[i] == 0x2010) /* a dash */
            continue;
        wrap(in, not_blank_cps[i], "x", not_blank_cps[i]);
        wrap(want, not_blank_cps[i], "X", not_blank_cps[i]);
        norm(V3, CARS_KEY_DOCUMENT, in, want);
    }
}

static void test_email(void **s)
{
    (void)s;
    norm(V3, CARS_KEY_EMAIL, "  Fraud@Example.COM\t", "fraud@example.com");
    norm(V3, CARS_KEY_EMAIL, "a b@c", "a b@c"); /* inner spaces kept */
    norm(V3, CARS_KEY_EMAIL, "a\xC2\xA0" "b@c", "a\xC2\xA0" "b@c"); /* inner blanks too */
    norm(V3, CARS_KEY_EMAIL, "   ", "");
    norm(V3, CARS_KEY_EMAIL, "\xC3\x89@X.COM", "\xC3\x89@x.com"); /* non-ASCII: not lower-cased */
    char in[64];
    for (size_t i = 0; i < sizeof blank_cps / sizeof blank_cps[0]; i++) {
        wrap(in, blank_cps[i], "A@B.C", blank_cps[i]);
        norm(V3, CARS_KEY_EMAIL, in, "a@b.c");
    }
    wrap(in, 0xA0, "\xE2\x80\x8B" "A@B\xEF\xBB\xBF", 0x3000); /* several, mixed */
    norm(V3, CARS_KEY_EMAIL, in, "a@b");
    for (size_t i = 0; i < sizeof not_blank_cps / sizeof not_blank_cps[0]; i++) {
        wrap(in, not_blank_cps[i], "a@b", not_blank_cps[i]);
        norm(V3, CARS_KEY_EMAIL, in, in); /* kept (ASCII ones are not upper-case letters) */
    }
    norm(V3, CARS_KEY_EMAIL, "a@b\xC2", "a@b\xC2");         /* a truncated sequence is not a blank */
    norm(V3, CARS_KEY_EMAIL, "\xA0" "a@b", "\xA0" "a@b");   /* nor a lone continuation byte */
    norm(V3, CARS_KEY_EMAIL, "a@b\xE0\x80\xA0", "a@b\xE0\x80\xA0"); /* nor an overlong space */
}

static void test_phone(void **s)
{
    (void)s;
    norm(V3, CARS_KEY_PHONE, "+44 (0)20 7946-0000", "+4402079460000"); /* every digit kept, the (0) too */
    norm(V3, CARS_KEY_PHONE, "+44 20 7946 0000", "+442079460000");
    norm(V3, CARS_KEY_PHONE, "(020) 7946-0000", "02079460000");
    norm(V3, CARS_KEY_PHONE, "  +1 555", "+1555"); /* the + after trimming */
    norm(V3, CARS_KEY_PHONE, "1+2", "12");         /* only a leading + */
    norm(V3, CARS_KEY_PHONE, "abc", "");
    norm(V3, CARS_KEY_PHONE, "+44 20 7946 0000 @", "+442079460000"); /* an '@' is not a digit */
    norm(V3, CARS_KEY_PHONE, "+44 \xEF\xBC\x92\xEF\xBC\x90", "+44"); /* fullwidth digits are not digits */
    norm(V3, CARS_KEY_PHONE, "\xEF\xBC\x8B" "44", "44");             /* nor is a fullwidth plus */
    norm(V3, CARS_KEY_PHONE, "\xD9\xA4\xD9\xA4", "");                /* Arabic-Indic digits neither */
    char in[64];
    for (size_t i = 0; i < sizeof blank_cps / sizeof blank_cps[0]; i++) {
        wrap(in, blank_cps[i], "+44 20", blank_cps[i]);
        norm(V3, CARS_KEY_PHONE, in, "+4420");
    }
    /* a leading left-to-right mark, as pasted from right-to-left text */
    norm(V3, CARS_KEY_PHONE, "\xE2\x80\x8E+44 20", "+4420");
    for (size_t i = 0; i < sizeof not_blank_cps / sizeof not_blank_cps[0]; i++) {
        wrap(in, not_blank_cps[i], "+44", 0);
        norm(V3, CARS_KEY_PHONE, in, "44"); /* not trimmed: the + is not leading */
    }
}

static void test_contact_and_plain(void **s)
{
    (void)s;
    /* a contact cell: by its value */
    norm(V3, CARS_KEY_CONTACT, " A@B.Com ", "a@b.com");
    norm(V3, CARS_KEY_CONTACT, "+44 20 7946 0000", "+442079460000");
    norm(V3, CARS_KEY_CONTACT, "\xC2\xA0" "+44 20 7946 0000", "+442079460000");
    norm(V3, CARS_KEY_CONTACT, "\xC2\xA0" "A@B.Com", "a@b.com");
    norm(V3, CARS_KEY_COUNTRY, "GBR", "GBR");
    norm(V3, CARS_KEY_TEXT, " As Is ", " As Is ");
    norm(V3, CARS_KEY_TEXT, "\xC2\xA0" "x", "\xC2\xA0" "x");
    norm(V3, 99, "x", "x");
}

/* Format versions 1 and 2: exactly the rules their releases were hashed
 * with, whatever version 3 does. */
static void test_versions_1_and_2(void **s)
{
    (void)s;
    for (unsigned v = 1; v <= 2; v++) {
        norm(v, CARS_KEY_DOCUMENT, "ab 12-345", "AB12345");
        norm(v, CARS_KEY_DOCUMENT, "ab\t12\xC2\xA0" "3", "AB\t12\xC2\xA0" "3"); /* only ' ' and '-' go */
        norm(v, CARS_KEY_DOCUMENT, "ab\xE2\x80\x90" "1", "AB\xE2\x80\x90" "1");  /* U+2010 stays */
        norm(v, CARS_KEY_EMAIL, " \t\n\r\f\vA@B\v", "a@b");
        norm(v, CARS_KEY_EMAIL, "\xC2\xA0" "A@B", "\xC2\xA0" "a@b"); /* ASCII trim only */
        norm(v, CARS_KEY_PHONE, "\xC2\xA0+44 20", "4420");           /* the + is not leading */
        norm(v, CARS_KEY_PHONE, "\f+44 20\v", "+4420");
        norm(v, CARS_KEY_CONTACT, "+44 20 7946 0000 @", "+44 20 7946 0000 @"); /* an email, by its '@' */
        norm(v, CARS_KEY_CONTACT, " A@B ", "a@b");
        norm(v, CARS_KEY_CONTACT, "\xC2\xA0+44 20", "4420");
        norm(v, CARS_KEY_TEXT, " x ", " x ");
    }
}

/* The key kind of a field in a lookup: the column's, but a contact column
 * takes the field's own kind from format version 3. */
static void test_field_key_kind(void **s)
{
    (void)s;
    cars_pfield f[3] = {
        {.type = CARS_FT_STRING, .kind = CARS_FK_EMAIL},
        {.type = CARS_FT_STRING, .kind = CARS_FK_PHONE},
        {.type = CARS_FT_STRING, .kind = CARS_FK_PLAIN},
    };
    cars_program p = {.version = 3, .fields = f, .nfields = 3};
    assert_int_equal(cars_field_key_kind(&p, CARS_KEY_CONTACT, 0), CARS_KEY_EMAIL);
    assert_int_equal(cars_field_key_kind(&p, CARS_KEY_CONTACT, 1), CARS_KEY_PHONE);
    assert_int_equal(cars_field_key_kind(&p, CARS_KEY_EMAIL, 1), CARS_KEY_EMAIL);
    assert_int_equal(cars_field_key_kind(&p, CARS_KEY_DOCUMENT, 2), CARS_KEY_DOCUMENT);
    assert_int_equal(cars_field_key_kind(&p, CARS_KEY_TEXT, 2), CARS_KEY_TEXT);
    for (uint16_t v = 1; v <= 2; v++) {
        p.version = v;
        assert_int_equal(cars_field_key_kind(&p, CARS_KEY_CONTACT, 0), CARS_KEY_CONTACT);
        assert_int_equal(cars_field_key_kind(&p, CARS_KEY_CONTACT, 2), CARS_KEY_CONTACT);
    }
    /* format version 4 adds test results to the meta and keeps version 3's
     * key kinds and normalisation */
    p.version = 4;
    assert_int_equal(cars_field_key_kind(&p, CARS_KEY_CONTACT, 0), CARS_KEY_EMAIL);
    assert_int_equal(cars_field_key_kind(&p, CARS_KEY_CONTACT, 1), CARS_KEY_PHONE);
    /* format version 5 adds says texts and sealed text, and keeps them too */
    p.version = 5;
    assert_int_equal(cars_field_key_kind(&p, CARS_KEY_CONTACT, 0), CARS_KEY_EMAIL);
    assert_int_equal(cars_field_key_kind(&p, CARS_KEY_CONTACT, 1), CARS_KEY_PHONE);
    assert_int_equal(CARS_BUNDLE_VERSION, 5);
    assert_int_equal(CARS_BUNDLE_VERSION_KINDS, 3);
}

static void test_utf8(void **s)
{
    (void)s;
    assert_int_equal(cars_utf8_check("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 10), 10);
    assert_int_equal(cars_utf8_check("ab\xFF", 3), 2);
    assert_int_equal(cars_utf8_check("a\xC0\xA0", 3), 1);         /* overlong */
    assert_int_equal(cars_utf8_check("a\xED\xA0\x80", 4), 1);     /* a surrogate */
    assert_int_equal(cars_utf8_check("a\xF4\x90\x80\x80", 5), 1); /* beyond U+10FFFF */
    assert_int_equal(cars_utf8_check("a\xE2\x82", 3), 1);         /* truncated */
    assert_int_equal(cars_utf8_check("\x80", 1), 0);              /* a lone continuation byte */
    uint32_t cp = 0; /* for the analyzer: it cannot see a failed assertion stop the test */
    assert_int_equal(cars_utf8_decode((const unsigned char *)"\xF3\xA0\x80\x81", 4, &cp), 4);
    assert_int_equal(cp, 0xE0001);
}

/* Email and document keys against a byte-at-a-time statement of their
 * rules, on every byte value at every position of keys of 1 to 19 bytes,
 * among letters of both cases with bytes of 0x80 and above or among ASCII
 * letters and digits only (the email is lowered eight bytes at a time, its
 * last eight written last; so are a document's eight bytes when none is
 * dropped or non-ASCII; both also in place): A-Z and a-z only change case,
 * no other byte changes. */
static void test_bytewise(void **s)
{
    (void)s;
    for (int ascii = 0; ascii < 2; ascii++)
        for (size_t len = 1; len <= 19; len++)
            for (size_t at = 0; at < len; at++)
                for (unsigned b = 0; b < 256; b++) {
                    char in[32], out[32], want[32];
                    for (size_t i = 0; i < len; i++) /* no blank; every third byte 0x87-0x8D, or ASCII only */
                        in[i] = ascii ? "Ab3Zy9Qm"[(i + len) % 8] : (char)('G' + (i % 3) * 32 + i % 7);
                    in[at] = (char)b;
                    bool ascii_blank = b == ' ' || (b >= 0x09 && b <= 0x0D);
                    size_t n = cars_normalise(V3, CARS_KEY_EMAIL, in, len, out), w = 0;
                    for (size_t i = 0; i < len; i++) {
                        if (ascii_blank && i == at && (at == 0 || at == len - 1))
                            continue; /* trimmed */
                        char c = in[i];
                        want[w++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
                    }
                    assert_int_equal(n, w);
                    assert_memory_equal(out, want, n);
                    /* in place, the text moved down by a blank trimmed at the start, the same */
                    char buf[32];
                    memcpy(buf, in, len);
                    n = cars_normalise(V3, CARS_KEY_EMAIL, buf, len, buf);
                    assert_int_equal(n, w);
                    assert_memory_equal(buf, want, n);
                    /* a lone byte of 0x80 and above is not UTF-8: kept */
                    n = cars_normalise(V3, CARS_KEY_DOCUMENT, in, len, out), w = 0;
                    for (size_t i = 0; i < len; i++) {
                        char c = in[i];
                        if (c == '-' || c == ' ' || (c >= 0x09 && c <= 0x0D))
                            continue;
                        want[w++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
                    }
                    assert_int_equal(n, w);
                    assert_memory_equal(out, want, n);
                    /* in place, where eight bytes at a time may land before
                     * bytes not yet read, the same */
                    n = cars_normalise(V3, CARS_KEY_DOCUMENT, in, len, in);
                    assert_int_equal(n, w);
                    assert_memory_equal(in, want, n);
                }
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
        cmocka_unit_test(test_document),        cmocka_unit_test(test_email),
        cmocka_unit_test(test_phone),           cmocka_unit_test(test_contact_and_plain),
        cmocka_unit_test(test_versions_1_and_2), cmocka_unit_test(test_field_key_kind),
        cmocka_unit_test(test_utf8),            cmocka_unit_test(test_hash),
        cmocka_unit_test(test_bytewise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

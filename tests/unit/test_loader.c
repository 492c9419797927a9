/* test_loader.c - the bundle writer and loader: round trip, determinism,
 * each loader error with its code and exact message, truncation at every
 * length (fails cleanly, never crashes), misaligned buffers, and allocation
 * failure at every point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "alloc.h"
#include "bundle.h"
#include "bundle_write.h"
#include "loader.h"
#include "testprog.h"
#include "verify.h"

static tp T;

/* A bundle of format version 4 (24 sections): the tests below check its
 * layout, which carsvm still reads; format 5's are in test_format5. */
static uint8_t *write_std(size_t *len)
{
    tp_standard(&T);
    T.p.version = CARS_BUNDLE_VERSION_TESTS;
    uint8_t *b;
    assert_true(cars_bundle_write(&T.p, &b, len));
    return b;
}

static int load(uint8_t *b, size_t len, char *err, size_t errlen)
{
    cars_program p;
    int rc = cars_bundle_load(b, len, &p, err, errlen);
    cars_program_free(&p);
    return rc;
}

static void test_round_trip(void **s)
{
    (void)s;
    size_t len, len2;
    uint8_t *b = write_std(&len);
    assert_int_equal(len % 8, 0);
    cars_program p;
    char err[512];
    assert_int_equal(cars_bundle_load(b, len, &p, err, sizeof err), 0);
    /* the loaded program writes back to the same bytes */
    uint8_t *b2;
    assert_true(cars_bundle_write(&p, &b2, &len2));
    assert_int_equal(len, len2);
    assert_memory_equal(b, b2, len);
    /* spot checks of the decoded program */
    assert_int_equal(p.nfields, F__N);
    assert_int_equal(p.nrules, T.p.nrules);
    assert_int_equal(p.rules[6].tier, 0);
    assert_int_equal(p.rules[8].tier, 1);
    assert_int_equal(p.fields[F_COST].flags, T.fields[F_COST].flags);
    assert_int_equal(p.tables[0].n, 2);
    assert_true(p.tables[0].hashes[0] == T.hashes[0][0]);
    assert_true((const uint8_t *)p.tables[0].hashes > b && (const uint8_t *)p.tables[0].hashes < b + len); /* in place */
    assert_int_equal(p.release_id.len, 8);
    assert_memory_equal(p.release_id.p, "2026-W47", 8);
    assert_memory_equal(p.table_key, T.p.table_key, 16);
    assert_int_equal(p.thresholds[0].at_least, 3);
    assert_int_equal(p.thresholds[0].tier_min[0], 1);
    cars_program_free(&p);
    cars_free(b);
    cars_free(b2);
}

static void test_deterministic(void **s)
{
    (void)s;
    size_t l1, l2;
    uint8_t *a = write_std(&l1);
    uint8_t *b = write_std(&l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(a, b, l1);
    cars_free(a);
    cars_free(b);
}

static void test_truncation(void **s)
{
    (void)s;
    size_t len;
    uint8_t *b = write_std(&len);
    char err[512];
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan catches any read past it */
        memcpy(copy, b, n);
        int rc = load(copy, n, err, sizeof err);
        assert_int_equal(rc, CARS_LOAD_TRUNCATED);
        assert_true(strncmp(err, "bundle truncated: ", 18) == 0);
        free(copy);
    }
    assert_int_equal(load(b, 5, err, sizeof err), CARS_LOAD_TRUNCATED);
    assert_string_equal(err, "bundle truncated: 5 bytes, shorter than the 32-byte header");
    char msg[200];
    snprintf(msg, sizeof msg, "bundle truncated: its header says %zu bytes but the bundle has %zu", len, len - 1);
    /* the last section (index_words) ends before the padding: cut only padding */
    size_t src_end = (size_t)cars_rd64(b + 32 + 23 * 24 + 8) + (size_t)cars_rd64(b + 32 + 23 * 24 + 16);
    if (src_end < len) {
        assert_int_equal(load(b, len - 1, err, sizeof err), CARS_LOAD_TRUNCATED);
        assert_string_equal(err, msg);
    }
    uint64_t code_off = cars_rd64(b + 32 + 17 * 24 + 8), code_len = cars_rd64(b + 32 + 17 * 24 + 16);
    size_t cut = (size_t)(code_off + code_len - 1);
    assert_int_equal(load(b, cut, err, sizeof err), CARS_LOAD_TRUNCATED);
    snprintf(msg, sizeof msg, "bundle truncated: section 'code' ends at byte %zu but the bundle has %zu",
             (size_t)(code_off + code_len), cut);
    assert_string_equal(err, msg);
    cars_free(b);
}

static void test_header_errors(void **s)
{
    (void)s;
    size_t len;
    uint8_t *b = write_std(&len);
    char err[512];
    b[0] = 'X';
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_MAGIC);
    assert_string_equal(err, "not a CARS bundle: bad magic");
    b[0] = 'C';
    b[6] = '\n' + 1; /* the \r\n\x1a sentinel catches text-mode mangling */
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_MAGIC);
    b[6] = '\n';
    assert_int_equal(cars_rd16(b + 8), 4);
    cars_wr16(b + 8, 6);
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_VERSION);
    assert_string_equal(err, "unsupported bundle format version 6 (this carsvm reads versions 1 to 5)");
    cars_wr16(b + 8, 5); /* version 5 has 26 sections */
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_SECTIONS);
    assert_string_equal(err, "bundle has 24 sections, expected 26 (format version 5)");
    cars_wr16(b + 8, 0);
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_VERSION);
    assert_string_equal(err, "unsupported bundle format version 0 (this carsvm reads versions 1 to 5)");
    cars_wr16(b + 8, 1); /* version 1 has 22 sections */
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_SECTIONS);
    assert_string_equal(err, "bundle has 24 sections, expected 22 (format version 1)");
    cars_wr16(b + 8, 2); /* version 2 has no field kinds: byte 10 of a field is reserved */
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_DECODE);
    assert_string_equal(err, "section 'fields' record 7: reserved byte 10 is not zero (1)");
    cars_wr16(b + 8, 3); /* version 3: the meta has no test results */
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_DECODE);
    assert_string_equal(err, "section 'meta' is 80 bytes, expected 56");
    cars_wr16(b + 8, 4);
    cars_wr16(b + 10, 1);
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_VERSION);
    assert_string_equal(err, "unsupported bundle flags 0x0001");
    cars_wr16(b + 10, 0);
    uint8_t e[4] = {1, 2, 3, 4};
    memcpy(b + 12, e, 4);
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_ENDIAN);
    assert_string_equal(err, "bundle endianness check failed: read 0x04030201, expected 0x01020304");
    cars_wr32(b + 12, CARS_BUNDLE_ENDIAN);
    cars_wr64(b + 16, len - 8);
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_SIZE);
    char msg[200];
    snprintf(msg, sizeof msg, "bundle has %zu bytes but its header says %zu", len, len - 8);
    assert_string_equal(err, msg);
    cars_wr64(b + 16, len);
    assert_int_equal(load(b, len, err, sizeof err), 0);
    cars_free(b);
}

static void test_section_errors(void **s)
{
    (void)s;
    size_t len;
    uint8_t *b = write_std(&len);
    char err[512];
    uint8_t *e3 = b + 32 + 2 * 24; /* fields */
    cars_wr32(b + 24, 21);
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_SECTIONS);
    assert_string_equal(err, "bundle has 21 sections, expected 24 (format version 4)");
    cars_wr32(b + 24, 24);
    cars_wr32(e3, 9);
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_SECTIONS);
    assert_string_equal(err, "section table entry 2 has id 9, expected 3 ('fields')");
    cars_wr32(e3, 3);
    uint64_t off = cars_rd64(e3 + 8);
    cars_wr64(e3 + 8, off + 4);
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_SECTIONS);
    char msg[200];
    snprintf(msg, sizeof msg, "section 'fields' starts at byte %llu, not a multiple of 8", (unsigned long long)off + 4);
    assert_string_equal(err, msg);
    cars_wr64(e3 + 8, off - 8);
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_SECTIONS);
    assert_true(strstr(err, "section 'fields' starts at byte") && strstr(err, "overlapping"));
    cars_wr64(e3 + 8, off);
    uint64_t n = cars_rd64(e3 + 16);
    cars_wr64(e3 + 16, (uint64_t)len * 4);
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_SECTIONS);
    snprintf(msg, sizeof msg, "section 'fields' ends beyond the bundle's declared size of %zu bytes", len);
    assert_string_equal(err, msg);
    cars_wr64(e3 + 16, n);
    assert_int_equal(load(b, len, err, sizeof err), 0);
    cars_free(b);
}

static void test_decode_errors(void **s)
{
    (void)s;
    size_t len;
    uint8_t *b = write_std(&len);
    char err[512];
    uint8_t *rules = b + cars_rd64(b + 32 + 12 * 24 + 8);
    uint32_t count = cars_rd32(rules);
    cars_wr32(rules, count + 1);
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_DECODE);
    char msg[200];
    snprintf(msg, sizeof msg, "section 'rules' holds %u records of 32 bytes but is %u bytes long", count + 1,
             8 + 32 * count);
    assert_string_equal(err, msg);
    cars_wr32(rules, count);
    uint32_t pool = (uint32_t)cars_rd64(b + 32 + 1 * 24 + 16);
    cars_wr32(rules + 8 + 32 * 2, pool); /* rule 2's id starts at the end of the pool */
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_DECODE);
    uint32_t idlen = cars_rd32(rules + 8 + 32 * 2 + 4);
    snprintf(msg, sizeof msg, "section 'rules' record 2: string at %u+%u is outside the string pool (%u bytes)", pool,
             idlen, pool);
    assert_string_equal(err, msg);
    cars_free(b);
    b = write_std(&len);
    uint8_t *sets = b + cars_rd64(b + 32 + 5 * 24 + 8);
    cars_wr32(sets + 8 + 4, 1000);
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_DECODE);
    assert_string_equal(err, "set 0: values 0+1000 are outside section 'set_values' (3 values)");
    cars_free(b);
    b = write_std(&len);
    uint8_t *tabs = b + cars_rd64(b + 32 + 8 * 24 + 8);
    cars_wr32(tabs + 8 + 44, 7);
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_DECODE);
    assert_string_equal(err, "table 0: hashes 0+7 are outside section 'table_hashes' (4 hashes)");
    cars_free(b);
}

static void test_misaligned(void **s)
{
    (void)s;
    size_t len;
    uint8_t *b = write_std(&len);
    uint8_t *raw = malloc(len + 1);
    memcpy(raw + 1, b, len);
    cars_program p;
    char err[512];
    assert_int_equal(cars_bundle_load(raw + 1, len, &p, err, sizeof err), 0);
    assert_non_null(p.load_copy);
    assert_int_equal(p.nrules, T.p.nrules);
    cars_program_free(&p);
    free(raw);
    cars_free(b);
}

static void test_alloc_failure(void **s)
{
    (void)s;
    size_t len;
    uint8_t *b = write_std(&len);
    char err[512];
    bool loaded = false, written = false;
    for (long n = 0; n < 6 && !loaded; n++) {
        cars_alloc_count(1);
        cars_alloc_fail_after(n);
        cars_program p;
        int rc = cars_bundle_load(b, len, &p, err, sizeof err);
        cars_alloc_fail_after(-1);
        if (rc == 0) {
            cars_program_free(&p);
            loaded = true;
            continue;
        }
        assert_true(rc == CARS_LOAD_NOMEM || rc == CARS_LOAD_VERIFY);
        assert_true(strncmp(err, "out of memory", 13) == 0 || strstr(err, "out of memory verifying"));
    }
    assert_true(loaded);
    for (long n = 0; n < 40 && !written; n++) {
        uint8_t *out = NULL;
        size_t olen;
        cars_alloc_count(1);
        cars_alloc_fail_after(n);
        bool ok = cars_bundle_write(&T.p, &out, &olen);
        cars_alloc_fail_after(-1);
        if (ok) {
            assert_int_equal(olen, len);
            assert_memory_equal(out, b, len);
            cars_free(out);
            written = true;
            continue;
        }
        assert_null(out);
    }
    assert_true(written);
    cars_free(b);
}

/* Every single-byte corruption is refused or loads a program that verifies:
 * never a crash (run under ASan+UBSan by make test). */
static void test_corruption(void **s)
{
    (void)s;
    size_t len;
    uint8_t *b = write_std(&len);
    char err[512];
    int loaded = 0;
    for (size_t i = 0; i < len; i++) {
        for (int k = 0; k < 3; k++) {
            static const uint8_t flips[3] = {0xFF, 0x01, 0x80};
            b[i] ^= flips[k];
            cars_program p;
            int rc = cars_bundle_load(b, len, &p, err, sizeof err);
            if (rc == 0) {
                loaded++;
                assert_int_equal(cars_verify(&p, err, sizeof err), 0);
            }
            cars_program_free(&p);
            b[i] ^= flips[k];
        }
    }
    assert_true(loaded > 0); /* e.g. a title's text may change freely */
    cars_free(b);
}

/* Format version 5: each rule's says text (before, its title), and the
 * sealed section's frame; a sealed program writes no title in the clear. */
static void test_format5(void **s)
{
    (void)s;
    tp_standard(&T);
    for (uint32_t i = 0; i < T.p.nrules; i++)
        T.p.rules[i].says = (cars_str){"matched a risk profile", 22};
    uint8_t frame[8 + CARS_SEAL_RECIPIENT + CARS_SEAL_NONCE + CARS_SEAL_TAG + 5] = {1};
    T.p.sealed = frame;
    T.p.sealed_len = sizeof frame;
    size_t len, len2;
    uint8_t *b, *b2;
    char err[512];
    assert_true(cars_bundle_write(&T.p, &b, &len));
    assert_int_equal(cars_rd16(b + 8), 5);
    assert_int_equal(cars_rd32(b + 24), 26);
    cars_program p;
    assert_int_equal(cars_bundle_load(b, len, &p, err, sizeof err), 0);
    assert_int_equal(p.sealed_len, sizeof frame);
    assert_int_equal(p.rules[0].says.len, 22);
    assert_memory_equal(p.rules[0].says.p, "matched a risk profile", 22);
    assert_int_equal(p.rules[0].title.len, 0); /* sealed: not in the clear */
    assert_true(cars_bundle_write(&p, &b2, &len2));
    assert_int_equal(len, len2);
    assert_memory_equal(b, b2, len);
    cars_program_free(&p);
    cars_free(b2);
    /* the frame: two keys in the bytes of one */
    uint64_t off = cars_rd64(b + 32 + 25 * 24 + 8);
    cars_wr32(b + off, 2);
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_DECODE);
    assert_string_equal(err, "section 'sealed' is truncated: 149 bytes, at least 240 for 2 audit keys");
    cars_wr32(b + off, 1);
    b[off + 8 + CARS_SEAL_KEYID + CARS_SEAL_BOXED] = 7; /* a reserved byte of the recipient */
    assert_int_equal(load(b, len, err, sizeof err), CARS_LOAD_DECODE);
    assert_string_equal(err, "section 'sealed' record 0: reserved byte 88 is not zero (7)");
    cars_free(b);
    /* before format 5 the explanation's text is the title */
    T.p.version = CARS_BUNDLE_VERSION_TESTS;
    T.p.sealed_len = 0;
    assert_true(cars_bundle_write(&T.p, &b, &len));
    assert_int_equal(cars_rd32(b + 24), 24);
    assert_int_equal(cars_bundle_load(b, len, &p, err, sizeof err), 0);
    assert_int_equal(p.rules[0].says.len, p.rules[0].title.len);
    assert_memory_equal(p.rules[0].says.p, p.rules[0].title.p, p.rules[0].title.len);
    cars_program_free(&p);
    cars_free(b);
}

static void test_error_names(void **s)
{
    (void)s;
    assert_string_equal(cars_load_error_name(CARS_LOAD_TRUNCATED), "truncated");
    assert_string_equal(cars_load_error_name(CARS_LOAD_VERIFY), "refused by the verifier");
    assert_string_equal(cars_load_error_name(99), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),    cmocka_unit_test(test_deterministic), cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_header_errors), cmocka_unit_test(test_section_errors), cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_misaligned),    cmocka_unit_test(test_alloc_failure),  cmocka_unit_test(test_corruption),
        cmocka_unit_test(test_error_names),   cmocka_unit_test(test_format5),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

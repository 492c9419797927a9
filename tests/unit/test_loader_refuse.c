/* test_loader_refuse.c - the loader's remaining refusals, one test each with
 * its code and exact message: no error buffer, unknown error codes, record
 * counts that disagree with a section's length, the fixed sizes of 'meta'
 * and 'table_key', 8-byte value sections, strings outside the pool in the
 * record sections, a code section over 4 GiB, an all-empty bundle, a failed
 * copy of a misaligned buffer, cars_bundle_peek_release's own refusals,
 * release ids that carsc would not write, and padding that is not zero
 * (test_loader.c has the round trip and the header and section errors).
 * Sections are found through the section table by id, not by position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "alloc.h"
#include "bundle.h"
#include "bundle_write.h"
#include "loader.h"
#include "release.h"
#include "testprog.h"

static tp T;
static char err[512];

static uint8_t *write_prog(const cars_program *p, size_t *len)
{
    uint8_t *b;
    assert_true(cars_bundle_write(p, &b, len));
    return b;
}

static uint8_t *write_std(size_t *len)
{
    tp_standard(&T);
    return write_prog(&T.p, len);
}

/* The section table entry of section `id`, its offset and length. */
static uint8_t *entry(uint8_t *b, int id)
{
    return b + CARS_BUNDLE_HEADER + (size_t)(id - 1) * CARS_BUNDLE_SECENTRY;
}
static uint64_t sec_off(uint8_t *b, int id) { return cars_rd64(entry(b, id) + 8); }
static uint64_t sec_len(uint8_t *b, int id) { return cars_rd64(entry(b, id) + 16); }
static uint8_t *sec(uint8_t *b, int id) { return b + sec_off(b, id); }
static void set_len(uint8_t *b, int id, uint64_t n) { cars_wr64(entry(b, id) + 16, n); }

/* Declares section `id` `by` bytes shorter. The bytes cut off become
 * padding, which the loader refuses unless zero: they are zeroed, and kept
 * in `saved` (at least `by` bytes) for grow_back. */
static void shrink(uint8_t *b, int id, uint64_t by, uint8_t *saved)
{
    uint64_t n = sec_len(b, id);
    memcpy(saved, sec(b, id) + n - by, by);
    memset(sec(b, id) + n - by, 0, by);
    set_len(b, id, n - by);
}
static void grow_back(uint8_t *b, int id, uint64_t by, const uint8_t *saved)
{
    uint64_t n = sec_len(b, id) + by;
    set_len(b, id, n);
    memcpy(sec(b, id) + n - by, saved, by);
}

static int load(const uint8_t *b, size_t len)
{
    cars_program p;
    int rc = cars_bundle_load(b, len, &p, err, sizeof err);
    cars_program_free(&p);
    return rc;
}

#define REFUSED(b, len, code, msg)                                                                                \
    do {                                                                                                          \
        err[0] = '\0';                                                                                            \
        assert_int_equal(load(b, len), code);                                                                     \
        assert_string_equal(err, msg);                                                                            \
    } while (0)

/* errlen 0: the code is still returned, and the buffer is never written. */
static void test_no_error_buffer(void **s)
{
    (void)s;
    size_t len;
    uint8_t *b = write_std(&len);
    char buf[4] = "abc";
    cars_program p;
    assert_int_equal(cars_bundle_load(b, 5, &p, buf, 0), CARS_LOAD_TRUNCATED);
    assert_string_equal(buf, "abc");
    assert_null(p.load_arrays);
    b[0] = 'X';
    assert_int_equal(cars_bundle_load(b, len, &p, buf, 0), CARS_LOAD_MAGIC);
    assert_int_equal(cars_bundle_check_header(b, len, buf, 0), CARS_LOAD_MAGIC);
    assert_string_equal(buf, "abc");
    /* and NULL with 0 is allowed */
    assert_int_equal(cars_bundle_load(b, len, &p, NULL, 0), CARS_LOAD_MAGIC);
    b[0] = 'C';
    assert_int_equal(cars_bundle_load(b, len, &p, NULL, 0), 0);
    cars_program_free(&p);
    cars_free(b);
}

static void test_error_names(void **s)
{
    (void)s;
    assert_string_equal(cars_load_error_name(0), "ok");
    assert_string_equal(cars_load_error_name(CARS_LOAD_NOMEM), "out of memory");
    assert_string_equal(cars_load_error_name(CARS_LOAD_NOMEM + 1), "unknown error");
    assert_string_equal(cars_load_error_name(-1), "unknown error");
}

/* A length that holds `count` whole records and part of another. */
static void test_count_with_remainder(void **s)
{
    (void)s;
    size_t len;
    uint8_t *b = write_std(&len);
    uint8_t *rules = sec(b, CARS_SEC_RULES);
    uint32_t count = cars_rd32(rules);
    uint64_t n = sec_len(b, CARS_SEC_RULES);
    assert_int_equal(n, 8 + CARS_REC_RULE * count);
    cars_wr32(rules, count - 1);
    uint8_t saved[8];
    shrink(b, CARS_SEC_RULES, 4, saved); /* count - 1 records and 28 bytes */
    char msg[200];
    snprintf(msg, sizeof msg, "section 'rules' holds %u records of 32 bytes but is %llu bytes long", count - 1,
             (unsigned long long)(n - 4));
    REFUSED(b, len, CARS_LOAD_DECODE, msg);
    cars_free(b);
}

/* Every reserved byte of every fixed-size record must be zero: one at a
 * time is set, and the loader names the section, record and byte. In
 * format version 3 byte 10 of a field record is its kind; in versions 1
 * and 2 it is reserved too. */
static void test_reserved_bytes(void **s)
{
    (void)s;
    static const struct { int id, rec_size, from, to; } reserved[] = {
        {CARS_SEC_FIELDS, CARS_REC_FIELD, 11, 12},     {CARS_SEC_FIELDS, CARS_REC_FIELD, 28, 32},
        {CARS_SEC_ELEM_FIELDS, CARS_REC_FIELD, 11, 12}, {CARS_SEC_ELEM_FIELDS, CARS_REC_FIELD, 28, 32},
        {CARS_SEC_TABLES, CARS_REC_TABLE, 19, 24},     {CARS_SEC_RULES, CARS_REC_RULE, 18, 20},
        {CARS_SEC_THRESHOLDS, CARS_REC_THRESHOLD, 52, 56}, {CARS_SEC_BLOCKS, CARS_REC_BLOCK, 9, 10},
        {CARS_SEC_BLOCKS, CARS_REC_BLOCK, 14, 16},     {CARS_SEC_INDEXES, CARS_REC_INDEX, 7, 8},
    };
    static const char *const names[] = {[CARS_SEC_FIELDS] = "fields", [CARS_SEC_ELEM_FIELDS] = "elem_fields",
                                        [CARS_SEC_TABLES] = "tables", [CARS_SEC_RULES] = "rules",
                                        [CARS_SEC_THRESHOLDS] = "thresholds", [CARS_SEC_BLOCKS] = "blocks",
                                        [CARS_SEC_INDEXES] = "indexes"};
    size_t len;
    tp_build_standard(&T, true); /* with indexes */
    uint8_t *b = write_prog(&T.p, &len);
    assert_int_equal(load(b, len), 0);
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        for (int at = reserved[i].from; at < reserved[i].to; at++) {
            uint8_t *rec = sec(b, reserved[i].id) + 8 + reserved[i].rec_size; /* record 1 */
            if (reserved[i].id == CARS_SEC_THRESHOLDS) /* there is one */
                rec -= reserved[i].rec_size;
            assert_int_equal(rec[at], 0);
            rec[at] = 0x80;
            char msg[200];
            snprintf(msg, sizeof msg, "section '%s' record %d: reserved byte %d is not zero (128)",
                     names[reserved[i].id], reserved[i].id == CARS_SEC_THRESHOLDS ? 0 : 1, at);
            REFUSED(b, len, CARS_LOAD_DECODE, msg);
            rec[at] = 0;
        }
    assert_int_equal(load(b, len), 0);
    /* byte 10 of a field: its kind in version 3 (the verifier checks the value), reserved before */
    uint8_t *f0 = sec(b, CARS_SEC_FIELDS) + 8; /* id: a plain string */
    f0[10] = CARS_FK_EMAIL;
    assert_int_equal(load(b, len), 0);
    f0[10] = 9;
    REFUSED(b, len, CARS_LOAD_VERIFY, "bundle refused by the verifier: field 0 (id): unknown kind 9");
    f0[10] = 0;
    uint8_t *e0 = sec(b, CARS_SEC_ELEM_FIELDS) + 8;
    e0[10] = CARS_FK_PHONE;
    REFUSED(b, len, CARS_LOAD_VERIFY,
            "bundle refused by the verifier: element field 0 (country): kind phone is only for string fields, "
            "not country");
    e0[10] = 0;
    cars_free(b);
}

/* 'source_text' is empty or has one entry per source. */
static void test_source_text_count(void **s)
{
    (void)s;
    tp_standard(&T);
    cars_str texts[2] = {TP_S("rule a"), TP_S("rule b")};
    T.p.source_text = texts, T.p.nsource_text = 1;
    size_t len;
    uint8_t *b = write_prog(&T.p, &len);
    assert_int_equal(load(b, len), 0); /* one text for the one source */
    cars_free(b);
    T.p.nsource_text = 2;
    b = write_prog(&T.p, &len);
    REFUSED(b, len, CARS_LOAD_DECODE, "section 'source_text' has 2 entries but 'sources' has 1");
    cars_free(b);
}

static void test_fixed_sizes(void **s)
{
    (void)s;
    size_t len;
    uint8_t *b = write_std(&len);
    char msg[200];
    uint8_t saved[8];
    shrink(b, CARS_SEC_META, 8, saved);
    snprintf(msg, sizeof msg, "section 'meta' is %d bytes, expected %d", CARS_META_BYTES - 8, CARS_META_BYTES);
    REFUSED(b, len, CARS_LOAD_DECODE, msg);
    grow_back(b, CARS_SEC_META, 8, saved);
    assert_int_equal(sec_len(b, CARS_SEC_TABLE_KEY), 16);
    shrink(b, CARS_SEC_TABLE_KEY, 8, saved);
    REFUSED(b, len, CARS_LOAD_DECODE, "section 'table_key' is 8 bytes, expected 16");
    grow_back(b, CARS_SEC_TABLE_KEY, 8, saved);
    assert_int_equal(load(b, len), 0);
    cars_free(b);
}

/* set_values and table_hashes hold whole 8-byte values. */
static void test_value_sections(void **s)
{
    (void)s;
    size_t len;
    uint8_t *b = write_std(&len);
    uint64_t nv = sec_len(b, CARS_SEC_SET_VALUES), nh = sec_len(b, CARS_SEC_TABLE_HASHES);
    uint8_t saved[8];
    assert_true(nv >= 4 && nh >= 1);
    shrink(b, CARS_SEC_SET_VALUES, 4, saved);
    REFUSED(b, len, CARS_LOAD_DECODE, "section 'set_values' is not a whole number of 8-byte values");
    grow_back(b, CARS_SEC_SET_VALUES, 4, saved);
    shrink(b, CARS_SEC_TABLE_HASHES, 1, saved);
    REFUSED(b, len, CARS_LOAD_DECODE, "section 'table_hashes' is not a whole number of 8-byte values");
    grow_back(b, CARS_SEC_TABLE_HASHES, 1, saved);
    assert_int_equal(load(b, len), 0);
    cars_free(b);
}

/* Record 0 of a string section (`at` bytes into the record) names a string
 * that starts at the end of the pool: refused with the section's name. */
static void refuse_string(uint8_t *b, size_t len, int id, const char *name, size_t at)
{
    uint64_t pool = sec_len(b, CARS_SEC_STRINGS);
    uint8_t *r = sec(b, id) + 8 + at;
    uint32_t off = cars_rd32(r), n = cars_rd32(r + 4);
    assert_true(n > 0);
    cars_wr32(r, (uint32_t)pool);
    char msg[200];
    snprintf(msg, sizeof msg, "section '%s' record 0: string at %llu+%u is outside the string pool (%llu bytes)", name,
             (unsigned long long)pool, n, (unsigned long long)pool);
    REFUSED(b, len, CARS_LOAD_DECODE, msg);
    cars_wr32(r, off);
    assert_int_equal(load(b, len), 0);
}

static void test_bad_strings(void **s)
{
    (void)s;
    tp_standard(&T);
    cars_pdigest dg = {TP_S("tables/false_documents.csv"), {1, 2, 3}};
    cars_str texts[1] = {TP_S("rule text")}, consts[1] = {TP_S("a constant")};
    T.p.digests = &dg, T.p.ndigests = 1;
    T.p.strings = consts, T.p.nstrings = 1;
    T.p.source_text = texts, T.p.nsource_text = 1;
    size_t len;
    uint8_t *b = write_prog(&T.p, &len);
    assert_int_equal(load(b, len), 0);
    refuse_string(b, len, CARS_SEC_FIELDS, "fields", 0);
    refuse_string(b, len, CARS_SEC_ELEM_FIELDS, "elem_fields", 0);
    refuse_string(b, len, CARS_SEC_MEMBERS, "members", 0);
    refuse_string(b, len, CARS_SEC_CONSTANTS, "constants", 0);
    refuse_string(b, len, CARS_SEC_TIERS, "tiers", 0);
    refuse_string(b, len, CARS_SEC_SOURCES, "sources", 0);
    refuse_string(b, len, CARS_SEC_SOURCE_TEXT, "source_text", 0);
    refuse_string(b, len, CARS_SEC_DIGESTS, "digests", 0);
    refuse_string(b, len, CARS_SEC_TABLES, "tables", 0);
    refuse_string(b, len, CARS_SEC_TABLES, "tables", 8);
    refuse_string(b, len, CARS_SEC_RULES, "rules", 0);
    refuse_string(b, len, CARS_SEC_RULES, "rules", 8);
    cars_free(b);
}

/* A program with nothing in any counted section decodes (into an 8-byte
 * block: cars_calloc is never asked for 0 bytes) and the verifier refuses it. */
static void test_all_empty(void **s)
{
    (void)s;
    tp_init(&T);
    cars_program *p = &T.p;
    p->nfields = p->nelem_fields = p->nmembers = p->ntiers = p->nsources = 0;
    assert_int_equal(p->nrules + p->nblocks + p->nsets + p->ntables + p->nstrings + p->nstages + p->nstage_rules +
                         p->nthresholds + p->nlines + p->ndigests + p->nsource_text + p->code_len,
                     0);
    size_t len;
    uint8_t *b = write_prog(p, &len);
    REFUSED(b, len, CARS_LOAD_VERIFY, "bundle refused by the verifier: the program has no blocks");
    cars_free(b);
}

/* A code section longer than UINT32_MAX (cars_program.code_len) is refused.
 * The bundle is mapped read-only (not committed memory: untouched pages read
 * as zeros) except for the pages written: the standard bundle up to its code,
 * then the sections after the code, moved to follow 4 GiB + 8 bytes of code. */
static void test_code_over_4gib(void **s)
{
    (void)s;
#if SIZE_MAX <= UINT32_MAX
    skip();
#else
    size_t len;
    uint8_t *b = write_std(&len);
    uint64_t code_off = sec_off(b, CARS_SEC_CODE);
    uint64_t code_len = (uint64_t)UINT32_MAX + 9; /* a multiple of 8 */
    uint64_t tail_src = code_off + sec_len(b, CARS_SEC_CODE);
    tail_src = (tail_src + 7) & ~(uint64_t)7;
    uint64_t tail_dst = code_off + code_len;
    size_t tail_len = len - (size_t)tail_src; /* every section after the code, with its padding */
    size_t total = (size_t)tail_dst + tail_len;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uint8_t *m = mmap(NULL, total, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert_true(m != MAP_FAILED);
    size_t head = ((size_t)code_off + page - 1) / page * page;
    size_t tail_page = (size_t)tail_dst / page * page;
    assert_int_equal(mprotect(m, head, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(mprotect(m + tail_page, total - tail_page, PROT_READ | PROT_WRITE), 0);
    memcpy(m, b, (size_t)code_off);
    memcpy(m + tail_dst, b + tail_src, tail_len);
    cars_wr64(m + 16, total);
    set_len(m, CARS_SEC_CODE, code_len);
    for (int id = CARS_SEC_CODE + 1; id <= CARS_SEC__COUNT; id++)
        cars_wr64(entry(m, id) + 8, sec_off(b, id) - tail_src + tail_dst);
    REFUSED(m, total, CARS_LOAD_DECODE, "section 'code' is larger than 4 GiB");
    assert_int_equal(munmap(m, total), 0);
    cars_free(b);
#endif
}

/* The copy of a misaligned buffer is the first allocation: when it fails,
 * the load fails cleanly. */
static void test_misaligned_copy_fails(void **s)
{
    (void)s;
    size_t len;
    uint8_t *b = write_std(&len);
    uint8_t *raw = malloc(len + 1);
    assert_non_null(raw);
    memcpy(raw + 1, b, len);
    cars_program p;
    cars_alloc_count(1);
    cars_alloc_fail_after(0);
    int rc = cars_bundle_load(raw + 1, len, &p, err, sizeof err);
    cars_alloc_fail_after(-1);
    assert_int_equal(rc, CARS_LOAD_NOMEM);
    assert_string_equal(err, "out of memory loading the bundle");
    assert_null(p.load_copy);
    assert_null(p.load_arrays);
    assert_int_equal(cars_alloc_count(1), 1);
    free(raw);
    cars_free(b);
}

static int peek(uint8_t *b, size_t len, cars_release_meta *m)
{
    err[0] = '\0';
    return cars_bundle_peek_release(b, len, m, err, sizeof err);
}

static void test_peek_release(void **s)
{
    (void)s;
    tp_standard(&T);
    T.p.sequence = 48;
    T.p.valid_from = 20000;
    T.p.valid_until = 20006;
    T.p.channel = CARS_CHANNEL_TEST;
    size_t len;
    uint8_t *b = write_prog(&T.p, &len);
    cars_release_meta m;
    assert_int_equal(peek(b, len, &m), 0);
    assert_int_equal(m.release_id_len, 8);
    assert_memory_equal(m.release_id, "2026-W47", 8);
    assert_int_equal(m.sequence, 48);
    assert_int_equal(m.valid_from, 20000);
    assert_int_equal(m.valid_until, 20006);
    assert_int_equal(m.channel, CARS_CHANNEL_TEST);
    /* the header */
    b[0] = 'X';
    assert_int_equal(peek(b, len, &m), CARS_LOAD_MAGIC);
    assert_string_equal(err, "not a CARS bundle: bad magic");
    b[0] = 'C';
    /* the section table */
    cars_wr32(b + 24, CARS_SEC__COUNT - 1);
    assert_int_equal(peek(b, len, &m), CARS_LOAD_SECTIONS);
    char msg[200];
    snprintf(msg, sizeof msg, "bundle has %d sections, expected %d (format version %d)", CARS_SEC__COUNT - 1, CARS_SEC__COUNT,
             CARS_BUNDLE_VERSION);
    assert_string_equal(err, msg);
    cars_wr32(b + 24, CARS_SEC__COUNT);
    /* the size of meta */
    uint8_t saved[8];
    shrink(b, CARS_SEC_META, 8, saved);
    assert_int_equal(peek(b, len, &m), CARS_LOAD_DECODE);
    snprintf(msg, sizeof msg, "section 'meta' is %d bytes, expected %d", CARS_META_BYTES - 8, CARS_META_BYTES);
    assert_string_equal(err, msg);
    grow_back(b, CARS_SEC_META, 8, saved);
    /* its contents */
    uint8_t *meta = sec(b, CARS_SEC_META);
    meta[48] = CARS_CHANNEL_TEST + 1;
    assert_int_equal(peek(b, len, &m), CARS_LOAD_DECODE);
    snprintf(msg, sizeof msg, "section 'meta': unknown channel %d", CARS_CHANNEL_TEST + 1);
    assert_string_equal(err, msg);
    meta[48] = CARS_CHANNEL_TEST;
    assert_int_equal(peek(b, len, &m), 0);
    cars_free(b);
}

/* Format version 4's test results (meta bytes 49 and 56 to 79): written and
 * read back; a flag other than 0 or 1, a non-zero reserved byte, counts
 * without a run, and more covered than there are, are refused. Version 3's
 * meta is 56 bytes with bytes 49 to 55 reserved: a program of version 3 is
 * written so, and reads back with no results. */
static void test_meta_tests(void **s)
{
    (void)s;
    size_t len;
    cars_program p;
    char e2[300];
    tp_standard(&T);
    T.p.tests = (cars_ptests){.run = 1, .passed = 7, .rules_covered = 2, .rules = 3, .conds_covered = 4, .conds = 5};
    uint8_t *b = write_prog(&T.p, &len);
    assert_int_equal(sec_len(b, CARS_SEC_META), 80);
    assert_int_equal(cars_bundle_load(b, len, &p, e2, sizeof e2), 0);
    assert_int_equal(p.tests.run, 1);
    assert_int_equal(p.tests.passed, 7);
    assert_int_equal(p.tests.rules_covered, 2);
    assert_int_equal(p.tests.rules, 3);
    assert_int_equal(p.tests.conds_covered, 4);
    assert_int_equal(p.tests.conds, 5);
    char text[200];
    cars_release_tests_text(&p, text, sizeof text);
    assert_string_equal(text, "7 passed; coverage: 2 of 3 rules, 4 of 5 conditions both true and false");
    cars_program_free(&p);
    uint8_t *meta = sec(b, CARS_SEC_META);
    meta[49] = 2;
    REFUSED(b, len, CARS_LOAD_DECODE, "section 'meta': reserved bytes are not zero");
    meta[49] = 1;
    meta[50] = 1;
    REFUSED(b, len, CARS_LOAD_DECODE, "section 'meta': reserved bytes are not zero");
    meta[50] = 0;
    meta[79] = 1;
    REFUSED(b, len, CARS_LOAD_DECODE, "section 'meta': reserved bytes are not zero");
    meta[79] = 0;
    cars_wr32(meta + 60, 4); /* 4 of 3 rules */
    REFUSED(b, len, CARS_LOAD_DECODE, "section 'meta': the test results are not consistent");
    cars_wr32(meta + 60, 2);
    cars_wr32(meta + 68, 6); /* 6 of 5 conditions */
    REFUSED(b, len, CARS_LOAD_DECODE, "section 'meta': the test results are not consistent");
    cars_wr32(meta + 68, 4);
    meta[49] = 0; /* not run, yet counts */
    REFUSED(b, len, CARS_LOAD_DECODE, "section 'meta': the test results are not consistent");
    meta[49] = 1;
    assert_int_equal(load(b, len), 0);
    cars_free(b);

    T.p.tests = (cars_ptests){0};
    b = write_prog(&T.p, &len);
    assert_int_equal(cars_bundle_load(b, len, &p, e2, sizeof e2), 0);
    cars_release_tests_text(&p, text, sizeof text);
    assert_string_equal(text, "not run (a test-channel build)");
    cars_program_free(&p);
    cars_free(b);

    T.p.version = 3;
    b = write_prog(&T.p, &len);
    assert_int_equal(cars_rd16(b + 8), 3);
    assert_int_equal(sec_len(b, CARS_SEC_META), 56);
    assert_int_equal(cars_bundle_load(b, len, &p, e2, sizeof e2), 0);
    assert_int_equal(p.tests.run, 0);
    cars_release_tests_text(&p, text, sizeof text);
    assert_string_equal(text, "not recorded (format version 3)");
    cars_program_free(&p);
    sec(b, CARS_SEC_META)[49] = 1; /* reserved in version 3 */
    REFUSED(b, len, CARS_LOAD_DECODE, "section 'meta': reserved bytes are not zero");
    cars_free(b);
}

/* The release id follows carsc's rule (cars_release_id_valid), in
 * cars_bundle_load and cars_bundle_peek_release alike: an id with a newline
 * or a quote could otherwise forge a line of the state file or the output. */
static void test_release_id(void **s)
{
    (void)s;
    static const char *const bad[] = {
        "", "2026-W47\nsequence 99", "2026 W47", "2026/W47", "W47\"", "W47\\", "caf\xc3\xa9", "W47\r",
        "a234567890123456789012345678901234567890123456789012345678901234X",
    };
    static const char msg[] = "section 'meta': the release id is not 1 to 64 letters, digits, '-', '_' or '.'";
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tp_standard(&T);
        T.p.release_id = (cars_str){bad[i], (uint32_t)strlen(bad[i])};
        size_t len;
        uint8_t *b = write_prog(&T.p, &len);
        REFUSED(b, len, CARS_LOAD_DECODE, msg);
        cars_release_meta m;
        assert_int_equal(peek(b, len, &m), CARS_LOAD_DECODE);
        assert_string_equal(err, msg);
        cars_free(b);
    }
    /* a NUL inside the id (its length says 4) */
    tp_standard(&T);
    T.p.release_id = (cars_str){"W4\0" "7", 4};
    size_t len;
    uint8_t *b = write_prog(&T.p, &len);
    REFUSED(b, len, CARS_LOAD_DECODE, msg);
    cars_free(b);
    static const char *const good[] = {
        "dev", "2026-W47", "a.b_c-D9", "a234567890123456789012345678901234567890123456789012345678901234",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        tp_standard(&T);
        T.p.release_id = (cars_str){good[i], (uint32_t)strlen(good[i])};
        b = write_prog(&T.p, &len);
        assert_int_equal(load(b, len), 0);
        cars_free(b);
    }
}

/* Every byte outside the header, the section table and the sections is
 * padding and must be zero, between sections and after the last one up to
 * the declared size: setting any one of them is refused. */
static void test_padding(void **s)
{
    (void)s;
    static const char *const names[] = {
        "?",
#define S(id, name, text) text,
        CARS_SECTIONS(S)
#undef S
    };
    size_t len;
    uint8_t *b = write_std(&len);
    uint64_t at = CARS_BUNDLE_HEADER + (uint64_t)CARS_SEC__COUNT * CARS_BUNDLE_SECENTRY;
    size_t npad = 0;
    char msg[200];
    for (int id = 1; id <= CARS_SEC__COUNT + 1; id++) {
        uint64_t next = id <= CARS_SEC__COUNT ? sec_off(b, id) : len;
        for (; at < next; at++, npad++) {
            assert_int_equal(b[at], 0);
            b[at] = 0x80;
            if (id <= CARS_SEC__COUNT)
                snprintf(msg, sizeof msg, "byte %llu, padding before section '%s', is not zero",
                         (unsigned long long)at, names[id]);
            else
                snprintf(msg, sizeof msg, "byte %llu, padding after the last section, is not zero",
                         (unsigned long long)at);
            REFUSED(b, len, CARS_LOAD_SECTIONS, msg);
            cars_release_meta m;
            assert_int_equal(cars_bundle_peek_release(b, len, &m, err, sizeof err), CARS_LOAD_SECTIONS);
            b[at] = 0;
        }
        if (id <= CARS_SEC__COUNT)
            at = next + sec_len(b, id);
    }
    assert_true(npad > 0); /* the standard bundle has padding to test */
    assert_int_equal(load(b, len), 0);
    /* padding after the last section up to a larger declared size: zero loads, anything else not */
    uint8_t *big = calloc(1, len + 16);
    memcpy(big, b, len);
    cars_wr64(big + 16, len + 16);
    assert_int_equal(load(big, len + 16), 0);
    big[len + 15] = 1;
    snprintf(msg, sizeof msg, "byte %zu, padding after the last section, is not zero", len + 15);
    REFUSED(big, len + 16, CARS_LOAD_SECTIONS, msg);
    free(big);
    cars_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_error_buffer),      cmocka_unit_test(test_error_names),
        cmocka_unit_test(test_count_with_remainder), cmocka_unit_test(test_source_text_count),
        cmocka_unit_test(test_fixed_sizes),          cmocka_unit_test(test_value_sections),
        cmocka_unit_test(test_bad_strings),          cmocka_unit_test(test_all_empty),
        cmocka_unit_test(test_code_over_4gib),       cmocka_unit_test(test_misaligned_copy_fails),
        cmocka_unit_test(test_peek_release),         cmocka_unit_test(test_reserved_bytes),
        cmocka_unit_test(test_release_id),
        cmocka_unit_test(test_meta_tests),
        cmocka_unit_test(test_padding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

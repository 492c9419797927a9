/* test_recompile.c - a release is what the source text it carries compiles
 * to: carsc builds it from that text, and cars_release_recompile (what
 * decompile, diff, inspect and sign rely on) gives its bytes again. Any
 * edit of what runs, or of what names it, that still loads is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "bundle.h"
#include "compile.h"
#include "loader.h"
#include "release.h"

static bool build(const char *path, bool index, cars_compiled *c)
{
    cars_check_options opt = {0};
    cars_release_opts rel = {.release_id = "R-1", .sequence = 3, .channel = CARS_CHANNEL_TEST, .no_index = !index};
    return cars_compile_release(path, &opt, &rel, c);
}

/* The reference release, and one without stage indexes, recompile from
 * their own text to the same bytes. */
static void test_reference_recompiles(void **state)
{
    (void)state;
    for (int index = 0; index < 2; index++) {
        cars_compiled c;
        assert_true(build("rulesets/cars-v", index, &c));
        assert_int_equal(c.loaded.nindexes > 0, index);
        char err[500] = "";
        assert_int_equal(cars_release_recompile(c.bytes, c.len, &c.loaded, err, sizeof err), 0);
        cars_compiled_free(&c);
    }
}

/* The offset and length of section `id` of a bundle. */
static void section(const uint8_t *b, int id, size_t *off, size_t *len)
{
    const uint8_t *e = b + CARS_BUNDLE_HEADER + (size_t)(id - 1) * CARS_BUNDLE_SECENTRY;
    *off = (size_t)cars_rd64(e + 8);
    *len = (size_t)cars_rd64(e + 16);
}

/* Every byte of every section that says what runs or what it is called
 * (schema, sets, constants, table columns, rules, stages, thresholds,
 * blocks, code, line table, source names, stage indexes), changed in turn:
 * either the loader refuses it, or the recompile check does. Only the
 * table entries, the table key, the file digests, the release metadata and
 * the carried text itself cannot be checked against the text (the table
 * files are not in the release; the rest is what the text is compared
 * with), and they are not changed here. */
static void test_every_edit_refused(void **state)
{
    (void)state;
    cars_compiled c;
    assert_true(build("tests/cases/vm/rules.cars", true, &c));
    static const int ids[] = {CARS_SEC_FIELDS, CARS_SEC_ELEM_FIELDS, CARS_SEC_MEMBERS, CARS_SEC_SETS,
                              CARS_SEC_SET_VALUES, CARS_SEC_CONSTANTS, CARS_SEC_TABLES, CARS_SEC_TIERS,
                              CARS_SEC_RULES, CARS_SEC_STAGES, CARS_SEC_STAGE_RULES, CARS_SEC_THRESHOLDS,
                              CARS_SEC_BLOCKS, CARS_SEC_CODE, CARS_SEC_LINES, CARS_SEC_SOURCES,
                              CARS_SEC_INDEXES, CARS_SEC_INDEX_WORDS};
    uint8_t *copy = malloc(c.len);
    assert_non_null(copy);
    unsigned loaded = 0, edits = 0;
    for (size_t s = 0; s < sizeof ids / sizeof ids[0]; s++) {
        size_t off, len;
        section(c.bytes, ids[s], &off, &len);
        if (ids[s] == CARS_SEC_TABLES)
            len = len > 8 ? 8 : len; /* the count: the records hold digests and hash ranges */
        for (size_t i = off; i < off + len; i++) {
            memcpy(copy, c.bytes, c.len);
            copy[i] ^= 0x01;
            edits++;
            cars_program p;
            char err[600];
            if (cars_bundle_load(copy, c.len, &p, err, sizeof err) != 0)
                continue;
            loaded++;
            if (cars_release_recompile(copy, c.len, &p, err, sizeof err) == 0)
                fail_msg("byte %zu of section %d changed: the release loads and recompiles", i, ids[s]);
            cars_program_free(&p);
        }
    }
    print_message("%u edits, %u of them loaded, each refused by the recompile check\n", edits, loaded);
    assert_true(edits > 1000);
    assert_true(loaded > 100); /* most edits of code and names still load: the check is what refuses them */
    free(copy);
    cars_compiled_free(&c);
}

/* Strings the rules are known by (titles, ids) live in the string pool:
 * changing a rule title's letter is refused too. */
static void test_title_edit_refused(void **state)
{
    (void)state;
    cars_compiled c;
    assert_true(build("tests/cases/vm/rules.cars", true, &c));
    const cars_str *t = &c.loaded.rules[0].title;
    size_t at = (size_t)((const uint8_t *)t->p - c.bytes);
    c.bytes[at] ^= 0x20; /* a letter's case */
    cars_program p;
    char err[600];
    assert_int_equal(cars_bundle_load(c.bytes, c.len, &p, err, sizeof err), 0);
    assert_int_equal(cars_release_recompile(c.bytes, c.len, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "section 'strings'"));
    cars_program_free(&p);
    cars_compiled_free(&c);
}

/* A release whose text does not compile, or that carries none, is refused
 * with the reason. */
static void test_text_problems(void **state)
{
    (void)state;
    cars_compiled c;
    assert_true(build("tests/cases/vm/rules.cars", true, &c));
    char err[600];
    cars_program p = c.loaded;
    uint32_t n = p.nsource_text;
    p.nsource_text = 0;
    assert_int_equal(cars_release_recompile(c.bytes, c.len, &p, err, sizeof err), -1);
    assert_string_equal(err, "it carries no source text");
    p.nsource_text = n;
    cars_str texts[8];
    assert_true(n <= 8);
    memcpy(texts, p.source_text, n * sizeof *texts);
    texts[0].len = texts[0].len / 2; /* cut in the middle of a declaration */
    p.source_text = texts;
    assert_int_equal(cars_release_recompile(c.bytes, c.len, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "its source text does not compile: "));
    cars_compiled_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_recompiles),
        cmocka_unit_test(test_every_edit_refused),
        cmocka_unit_test(test_title_edit_refused),
        cmocka_unit_test(test_text_problems),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

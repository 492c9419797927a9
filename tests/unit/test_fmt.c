/* test_fmt.c - carsc fmt: exact canonical output for each construct,
 * minimal parentheses, comment placement, line breaking, and idempotence
 * (fmt(fmt(x)) == fmt(x), and the AST survives) on every .cars file we own
 * and on the reference ruleset. */
#include <dirent.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "fmt.h"
#include "parse.h"

/* fmt of `text`, which must parse cleanly; caller frees with cars_free. */
static char *fmt(const char *text, size_t len)
{
    cars_arena a;
    cars_arena_init(&a);
    cars_diags d;
    cars_diags_init(&d);
    cars_ast *ast = cars_parse_text("t.cars", text, len, &a, &d);
    assert_non_null(ast);
    if (d.errors) {
        cars_diags_print(&d, stderr);
        fail_msg("input does not parse");
    }
    size_t n;
    char *out = cars_fmt_string(ast, 0, &n);
    assert_non_null(out);
    assert_int_equal(strlen(out), n);
    cars_diags_free(&d);
    cars_arena_free(&a);
    return out;
}

/* fmt(in) is `want`, and fmt(want) is `want`. */
static void check(const char *in, const char *want)
{
    char *got = fmt(in, strlen(in));
    assert_string_equal(got, want);
    char *again = fmt(got, strlen(got));
    assert_string_equal(again, want);
    cars_free(got);
    cars_free(again);
}

/* `when EXPR` in a rule, formatted: just the when line(s). */
static void check_when(const char *expr, const char *want)
{
    char in[2048], out[2048];
    snprintf(in, sizeof in, "exclusion X-1 \"t\" { when %s }\n", expr);
    snprintf(out, sizeof out, "exclusion X-1 \"t\" {\n  when %s\n}\n", want);
    check(in, out);
}

static void test_parentheses(void **state)
{
    (void)state;
    check_when("(a or b) and c", "(a or b) and c");
    check_when("a or (b and c)", "a or b and c");
    check_when("((a))", "a");
    check_when("a and (b and c)", "a and (b and c)"); /* the tree is kept */
    check_when("(1 + 2) * 3 = x", "(1 + 2) * 3 = x");
    check_when("1 + (2 * 3) = x", "1 + 2 * 3 = x");
    check_when("a - (b - c) > 0", "a - (b - c) > 0");
    check_when("(a - b) - c > 0", "a - b - c > 0");
    check_when("-(x days) < d", "-x days < d");
    check_when("(d + n) days > e", "(d + n) days > e");
    check_when("not (a = b)", "not a = b");
    check_when("not (a and b)", "not (a and b)");
    check_when("(x between 1 and 2) and y", "x between 1 and 2 and y");
}

static void test_expressions(void **state)
{
    (void)state;
    check_when("x   not in[USA,CAN]", "x not in [USA, CAN]");
    check_when("a.b is present and c is absent", "a.b is present and c is absent");
    check_when("y within last 5 years", "y within last 5 years");
    check_when("( a , b ) in t", "(a, b) in t");
    check_when("(a, b) not in t", "(a, b) not in t");
    check_when("count( v in l ) >= 2", "count(v in l) >= 2");
    check_when("all(v in l where v.x)", "all(v in l where v.x)");
    check_when("f( a,b )=1.50", "f(a, b) = 1.50");
    check_when("s = \"a\\u00e9\\\"\\\\\\n\\t\\u0001\"", "s = \"a\xc3\xa9\\\"\\\\\\n\\t\\u0001\"");
    /* blanks a reader cannot see are escaped (vm/normalise.h); the space, and
     * visible characters such as an en dash, are not */
    check_when("s = \"a\xc2\xa0" "b\xe2\x80\x8b \xe2\x80\x93\xf3\xa0\x80\x81\\ufeff\"",
               "s = \"a\\u00a0b\\u200b \xe2\x80\x93\\udb40\\udc01\\ufeff\"");
    check_when("d = 2026-01-01 and b = true and c = false",
               "d = 2026-01-01 and b = true and c = false");
}

static void test_when_breaking(void **state)
{
    (void)state;
    check("profile P-1 \"t\" {\n"
          "  when applicant.nationality in [QZA, QZB] and age between 18 and 29 and visit.purpose = tourism\n"
          "}\n",
          "profile P-1 \"t\" {\n"
          "  when applicant.nationality in [QZA, QZB]\n"
          "   and age between 18 and 29\n"
          "   and visit.purpose = tourism\n"
          "}\n");
    check("profile P-1 \"t\" {\n"
          "  when applicant.nationality in [QZA, QZB, QZC, QZD] or age between 18 and 29 and a\n"
          "}\n",
          "profile P-1 \"t\" {\n"
          "  when applicant.nationality in [QZA, QZB, QZC, QZD]\n"
          "    or age between 18 and 29 and a\n"
          "}\n");
    check("multiple M-A1 tier A \"t\" {\n"
          "  when any(t in travel_history where t.country in long_haul_allies and t.complied and t.year within last 5 years)\n"
          "}\n",
          "multiple M-A1 tier A \"t\" {\n"
          "  when any(t in travel_history where t.country in long_haul_allies\n"
          "                                 and t.complied\n"
          "                                 and t.year within last 5 years)\n"
          "}\n");
    /* a comment between operands keeps the break */
    check("screen S-1 \"t\" {\n"
          "  when a # first\n"
          "   and b\n"
          "}\n",
          "screen S-1 \"t\" {\n"
          "  when a  # first\n"
          "   and b\n"
          "}\n");
}

static void test_declarations(void **state)
{
    (void)state;
    check("schema{x:integer optional min 0\n"
          "route : one of [a,b] required\n"
          "  l: list of { country: country required } optional\n"
          "dob: date protected age required}\n",
          "schema {\n"
          "  x: integer min 0 optional\n"
          "  route: one of [a, b] required\n"
          "  l: list of {\n"
          "    country: country required\n"
          "  } optional\n"
          "  dob: date required protected age\n"
          "}\n");
    check("schema{e:email optional p :phone\n optional\nn: document required s: string required}\n",
          "schema {\n"
          "  e: email optional\n"
          "  p: phone optional\n"
          "  n: document required\n"
          "  s: string required\n"
          "}\n");
    check("set s=[a,b]\nlet   x = a+b*2\n",
          "set s = [a, b]\n\nlet x = a + b * 2\n");
    check("set long = [aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd, eeeeeeeeee, ffffffffff, g]\n",
          "set long = [\n  aaaaaaaaaa,\n  bbbbbbbbbb,\n  cccccccccc,\n  dddddddddd,\n"
          "  eeeeeeeeee,\n  ffffffffff,\n  g,\n]\n");
    check("table t \"T\" { key a: email, b: phone\n file \"t.csv\" reviewed 2026-09-01 every 6 months }\n",
          "table t \"T\" {\n"
          "  key a: email, b: phone\n"
          "  file \"t.csv\"\n"
          "  reviewed 2026-09-01 every 6 months\n"
          "}\n");
    check("single S-1 complex \"c\" { justification OJ-1 when a }\n"
          "single S-2 noncomplex \"n\" { when a }\n"
          "multiple M-1 tier B \"m\" { rationale \"r\" when a }\n",
          "single S-1 complex \"c\" {\n  justification OJ-1\n  when a\n}\n\n"
          "single S-2 noncomplex \"n\" {\n  when a\n}\n\n"
          "multiple M-1 tier B \"m\" {\n  rationale \"r\"\n  when a\n}\n");
    check("threshold MPCA \"t\" { at least 3 at least 1 in tier A }\n",
          "threshold MPCA \"t\" {\n  at least 3\n  at least 1 in tier A\n}\n");
    check("routing { exclusions -> NONE complex singles -> CXDR\n"
          "threshold MPCA -> NCXPCA\n otherwise CXPCA otherwise -> CXPCA }\n",
          "routing {\n  exclusions -> NONE\n  complex singles -> CXDR\n"
          "  threshold MPCA -> NCXPCA otherwise CXPCA\n  otherwise -> CXPCA\n}\n");
    check("example e { id = \"x\" n = -1 l = [{a = 1, b = USA}] }\n"
          "test \"t\" { like e x = absent expect NONE }\n"
          "test \"u\" { expect CXDR [] }\n"
          "include \"x.cars\"\n",
          "example e {\n  id = \"x\"\n  n = -1\n  l = [{a = 1, b = USA}]\n}\n\n"
          "test \"t\" {\n  like e\n  x = absent\n  expect NONE\n}\n\n"
          "test \"u\" {\n  expect CXDR []\n}\n\n"
          "include \"x.cars\"\n");
}

static void test_comments(void **state)
{
    (void)state;
    check("# header\n\n\n# about s\nset s = [a]    # trailing   \n"
          "schema {\n  # lead\n  x: bool required # t\n\n  y: bool required\n  # before brace\n}\n"
          "# tail\n",
          "# header\n\n# about s\nset s = [a]  # trailing\n\n"
          "schema {\n  # lead\n  x: bool required  # t\n\n  y: bool required\n  # before brace\n}\n\n"
          "# tail\n");
    check("", "");
    check("# only\n", "# only\n");
}

/* Does `text` parse without errors? */
static bool parses(const char *text, size_t len)
{
    cars_arena a;
    cars_arena_init(&a);
    cars_diags d;
    cars_diags_init(&d);
    cars_ast *ast = cars_parse_text("t.cars", text, len, &a, &d);
    bool ok = ast && d.errors == 0;
    cars_diags_free(&d);
    cars_arena_free(&a);
    return ok;
}

/* Every .cars file in `dir` that parses: fmt is idempotent and keeps every
 * comment. */
static void idempotent_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return; /* not run from the repository root */
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".cars") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        static char buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        if (!parses(buf, n))
            continue; /* a case about an error */
        size_t hashes = 0;
        for (size_t i = 0; i < n; i++)
            hashes += buf[i] == '#';
        char *once = fmt(buf, n);
        char *twice = fmt(once, strlen(once));
        if (strcmp(once, twice) != 0)
            fail_msg("fmt is not idempotent on %s", path);
        size_t after = 0;
        for (const char *p = once; *p; p++)
            after += *p == '#';
        if (after < hashes) /* '#' may also be inside strings: never fewer */
            fail_msg("fmt lost a comment in %s", path);
        cars_free(once);
        cars_free(twice);
    }
    closedir(d);
}

static void test_idempotent_files(void **state)
{
    (void)state;
    idempotent_dir("tests/data");
    idempotent_dir("rulesets/cars-v");
    static const char *const groups[] = {"tests/cases/parse", "tests/cases/fmt"};
    for (size_t g = 0; g < 2; g++) {
        DIR *d = opendir(groups[g]);
        if (!d)
            continue;
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", groups[g], de->d_name);
            idempotent_dir(path);
        }
        closedir(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parentheses),
        cmocka_unit_test(test_expressions),
        cmocka_unit_test(test_when_breaking),
        cmocka_unit_test(test_declarations),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_idempotent_files),
    };
    return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}

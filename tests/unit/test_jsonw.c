/* test_jsonw.c - the JSON writer of the --format json outputs
 * (compiler/jsonw.h) and the diagnostics as data (cars_diags_json,
 * compiler/diag.h): commas and nesting, escaping by the one rule, numbers,
 * null for a missing string, nesting too deep, a diagnostic without a
 * place, and running out of memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "alloc.h"
#include "diag.h"
#include "jsonw.h"

/* The document w holds, written through cars_jw_finish. */
static char *finish(cars_jw *w, bool *ok)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    *ok = cars_jw_finish(w, f);
    fclose(f);
    return text;
}

static void t_nesting(void **state)
{
    (void)state;
    cars_jw w = {0};
    cars_jw_object(&w, NULL);
    cars_jw_str(&w, "a", "x");
    cars_jw_array(&w, "b");
    cars_jw_int(&w, NULL, -3);
    cars_jw_object(&w, NULL);
    cars_jw_end(&w);
    cars_jw_array(&w, NULL);
    cars_jw_end(&w);
    cars_jw_bool(&w, NULL, false);
    cars_jw_end(&w);
    cars_jw_str(&w, "c", NULL);
    cars_jw_uint(&w, "d", 18446744073709551615ull);
    cars_jw_null(&w, "e");
    cars_jw_end(&w);
    bool ok;
    char *text = finish(&w, &ok);
    assert_true(ok);
    assert_string_equal(text, "{\"a\":\"x\",\"b\":[-3,{},[],false],\"c\":null,\"d\":18446744073709551615,\"e\":null}\n");
    free(text);
}

static void t_escaping(void **state)
{
    (void)state;
    cars_jw w = {0};
    cars_jw_object(&w, NULL);
    cars_jw_str(&w, "q\"k", "a\"b\\c\n\t\x01 \xc3\xa9 \xff");
    cars_jw_strn(&w, "n", "ab\0cd", 5);
    cars_jw_end(&w);
    bool ok;
    char *text = finish(&w, &ok);
    assert_true(ok);
    assert_string_equal(text, "{\"q\\\"k\":\"a\\\"b\\\\c\\n\\t\\u0001 \xc3\xa9 \xef\xbf\xbd\",\"n\":\"ab\\u0000cd\"}\n");
    free(text);
}

static void t_numbers(void **state)
{
    (void)state;
    cars_jw w = {0};
    cars_jw_array(&w, NULL);
    cars_jw_num(&w, NULL, 100);
    cars_jw_num(&w, NULL, 0);
    cars_jw_num(&w, NULL, 87.5);
    cars_jw_num(&w, NULL, 100.0 * 2 / 3);
    cars_jw_num(&w, NULL, 1e300);
    cars_jw_end(&w);
    bool ok;
    char *text = finish(&w, &ok);
    assert_true(ok);
    assert_string_equal(text, "[100,0,87.5,66.66666666666667,1e+300]\n");
    free(text);
}

/* Unbalanced or too deep: no document is written. */
static void t_refused(void **state)
{
    (void)state;
    cars_jw w = {0};
    for (int i = 0; i <= CARS_JW_DEPTH; i++)
        cars_jw_array(&w, NULL);
    bool ok;
    char *text = finish(&w, &ok);
    assert_false(ok);
    assert_string_equal(text, "");
    free(text);
    cars_jw v = {0};
    cars_jw_object(&v, NULL);
    text = finish(&v, &ok); /* left open */
    assert_false(ok);
    free(text);
    cars_jw u = {0};
    cars_jw_end(&u); /* nothing open */
    text = finish(&u, &ok);
    assert_false(ok);
    free(text);
}

/* Out of memory while building: the document is refused, not cut short. */
static void t_out_of_memory(void **state)
{
    (void)state;
    cars_jw w = {0};
    cars_alloc_fail_after(0);
    cars_jw_object(&w, NULL);
    cars_jw_str(&w, "a", "b");
    cars_jw_end(&w);
    cars_alloc_fail_after(-1);
    bool ok;
    char *text = finish(&w, &ok);
    assert_false(ok);
    assert_string_equal(text, "");
    free(text);
}

static void t_diags(void **state)
{
    (void)state;
    cars_source src = {"r.cars", "rule\n", 5};
    cars_diags d;
    cars_diags_init(&d);
    d.files = &src;
    d.nfiles = 1;
    cars_span at = {0, 1, 1, 1, 4};
    cars_span no_end = {0, 2, 3, 0, 0};
    assert_true(cars_error(&d, &at, "did you mean 'rules'?", "unknown %s", "rule"));
    assert_true(cars_warning(&d, &no_end, NULL, "odd"));
    assert_true(cars_error(&d, NULL, NULL, "cannot read x.cars"));
    cars_jw w = {0};
    cars_jw_object(&w, NULL);
    cars_diags_json(&d, &w, "diagnostics");
    cars_jw_end(&w);
    bool ok;
    char *text = finish(&w, &ok);
    assert_true(ok);
    assert_string_equal(text,
                        "{\"diagnostics\":["
                        "{\"file\":\"r.cars\",\"line\":1,\"column\":1,\"end_line\":1,\"end_column\":4,"
                        "\"severity\":\"error\",\"message\":\"unknown rule\",\"hint\":\"did you mean 'rules'?\"},"
                        "{\"file\":\"r.cars\",\"line\":2,\"column\":3,\"end_line\":2,\"end_column\":3,"
                        "\"severity\":\"warning\",\"message\":\"odd\",\"hint\":null},"
                        "{\"file\":null,\"line\":0,\"column\":0,\"end_line\":0,\"end_column\":0,"
                        "\"severity\":\"error\",\"message\":\"cannot read x.cars\",\"hint\":null}]}\n");
    free(text);
    cars_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_nesting),       cmocka_unit_test(t_escaping), cmocka_unit_test(t_numbers),
        cmocka_unit_test(t_refused),       cmocka_unit_test(t_out_of_memory), cmocka_unit_test(t_diags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

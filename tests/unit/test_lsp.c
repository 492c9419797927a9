/* test_lsp.c - the language server's positions and URIs
 * (editors/lsp/lsp_docs.c): UTF-16 columns from byte columns and back, on
 * lines with 2-, 3- and 4-byte characters (a 4-byte one is two UTF-16
 * units), positions past a line's end or the text's, and file: URIs with
 * percent-encoding both ways. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../editors/lsp/lsp.h"
#include "alloc.h"

/* "é" 2 bytes, "€" 3 bytes, "😀" 4 bytes (2 UTF-16 units). */
static const char TEXT[] = "ab\n\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80x = 1\nlast";

static void t_utf16_col(void **state)
{
    (void)state;
    size_t n = strlen(TEXT);
    assert_int_equal(lsp_utf16_col(TEXT, n, 1, 0), 0);
    assert_int_equal(lsp_utf16_col(TEXT, n, 1, 2), 2);
    assert_int_equal(lsp_utf16_col(TEXT, n, 1, 99), 2);  /* clamped to the line */
    assert_int_equal(lsp_utf16_col(TEXT, n, 2, 2), 1);   /* after é */
    assert_int_equal(lsp_utf16_col(TEXT, n, 2, 5), 2);   /* after € */
    assert_int_equal(lsp_utf16_col(TEXT, n, 2, 9), 4);   /* after 😀: two units */
    assert_int_equal(lsp_utf16_col(TEXT, n, 2, 10), 5);  /* after x */
    assert_int_equal(lsp_utf16_col(TEXT, n, 3, 4), 4);
    assert_int_equal(lsp_utf16_col(TEXT, n, 4, 1), 0);   /* no such line */
    assert_int_equal(lsp_utf16_col(TEXT, n, 0, 1), 0);
}

static void t_offset(void **state)
{
    (void)state;
    size_t n = strlen(TEXT), off;
    assert_true(lsp_offset(TEXT, n, 0, 1, &off));
    assert_int_equal(off, 1);
    assert_true(lsp_offset(TEXT, n, 1, 4, &off)); /* after 😀 */
    assert_int_equal(off, 3 + 9);
    assert_true(lsp_offset(TEXT, n, 1, 1000, &off)); /* clamped to the end of the line */
    assert_int_equal(off, 3 + 14);
    assert_true(lsp_offset(TEXT, n, 2, 4, &off));
    assert_int_equal(off, n);
    assert_false(lsp_offset(TEXT, n, 3, 0, &off)); /* past the last line */
    assert_true(lsp_offset("a\n", 2, 1, 0, &off)); /* the empty line after the last newline */
    assert_int_equal(off, 2);
    /* back and forth agree on every character boundary of line 2 */
    const uint32_t units[] = {0, 1, 2, 4, 5};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        assert_true(lsp_offset(TEXT, n, 1, units[i], &off));
        assert_int_equal(lsp_utf16_col(TEXT, n, 2, (uint32_t)(off - 3)), units[i]);
    }
}

static void t_uri(void **state)
{
    (void)state;
    char *p = lsp_uri_path("file:///home/a%20b/r%C3%A9gles/rules.cars");
    assert_non_null(p);
    assert_string_equal(p, "/home/a b/r\xc3\xa9gles/rules.cars");
    char *u = lsp_path_uri(p);
    assert_string_equal(u, "file:///home/a%20b/r%C3%A9gles/rules.cars");
    cars_free(u);
    cars_free(p);
    p = lsp_uri_path("file://localhost/x.cars");
    assert_string_equal(p, "/x.cars");
    cars_free(p);
    assert_null(lsp_uri_path("untitled:Untitled-1"));
    assert_null(lsp_uri_path("file://host/x.cars"));
    assert_null(lsp_uri_path("file:///a%2"));
    assert_null(lsp_uri_path("file:///a%00b")); /* no NUL in a path */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_utf16_col),
        cmocka_unit_test(t_offset),
        cmocka_unit_test(t_uri),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

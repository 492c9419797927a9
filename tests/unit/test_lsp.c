/* test_lsp.c - the language server's positions and URIs
 * (editors/lsp/lsp_docs.c): UTF-16 columns from byte columns and back, on
 * lines with 2-, 3- and 4-byte characters (a 4-byte one is two UTF-16
 * units), positions past a line's end or the text's, and file: URIs with
 * percent-encoding both ways; and a whole session (lsp_serve) with each
 * allocation failing in turn: it ends, and frees what it took (the ASan
 * build's leak check). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

/* Appends one framed message to b: `text` with each "DIR" replaced by dir. */
static void frame(cars_buf *b, const char *text, const char *dir)
{
    cars_buf body = {0};
    for (const char *p = text, *q; *p; p = q + 3) {
        q = strstr(p, "DIR");
        if (!q) {
            cars_buf_puts(&body, p);
            break;
        }
        cars_buf_put(&body, p, (size_t)(q - p));
        cars_buf_puts(&body, dir);
    }
    char head[64];
    snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", body.len);
    cars_buf_puts(b, head);
    cars_buf_put(b, body.p, body.len);
    cars_buf_free(&body);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* One session: the exit status, the number of allocations it made. */
static int session(const cars_buf *in, long fail_after, long *allocs, char **out, size_t *outlen)
{
    FILE *fin = fmemopen(in->p, in->len, "r");
    FILE *fout = open_memstream(out, outlen);
    assert_true(fin && fout);
    cars_alloc_count(1);
    cars_alloc_fail_after(fail_after);
    int rc = lsp_serve(fin, fout);
    cars_alloc_fail_after(-1);
    *allocs = cars_alloc_count(1);
    fclose(fin);
    fclose(fout);
    return rc;
}

static void t_alloc_failures(void **state)
{
    (void)state;
    char dir[] = "/tmp/cars-lsp-XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_file(dir, "schema.cars", "schema {\n  a: integer required\n}\n");
    cars_buf in = {0};
    frame(&in, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}", dir);
    frame(&in, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":"
               "{\"uri\":\"file://DIR/rules.cars\",\"text\":\"set s = [1, 2 ~\\nlet x = a in s\\n\"}}}", dir);
    frame(&in, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":{\"textDocument\":"
               "{\"uri\":\"file://DIR/rules.cars\"},\"contentChanges\":[{\"text\":\"set s = [1, 2]\\n"
               "let x = a in s\\n\"}]}}", dir);
    const char *at = "\"params\":{\"textDocument\":{\"uri\":\"file://DIR/rules.cars\"},"
                     "\"position\":{\"line\":1,\"character\":8}}}";
    char req[512];
    snprintf(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"textDocument/definition\",%s", at);
    frame(&in, req, dir);
    snprintf(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"textDocument/hover\",%s", at);
    frame(&in, req, dir);
    frame(&in, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"textDocument/formatting\",\"params\":"
               "{\"textDocument\":{\"uri\":\"file://DIR/rules.cars\"},\"options\":{}}}", dir);
    frame(&in, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didClose\",\"params\":{\"textDocument\":"
               "{\"uri\":\"file://DIR/rules.cars\"}}}", dir);
    frame(&in, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"shutdown\"}", dir);
    frame(&in, "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}", dir);
    assert_false(in.failed);
    char *out;
    size_t outlen;
    long total;
    assert_int_equal(session(&in, -1, &total, &out, &outlen), 0);
    assert_non_null(strstr(out, "\"id\":2,\"result\":{\"uri\":"));   /* x = a: a's definition */
    assert_non_null(strstr(out, "**field** `a`: `integer`"));          /* its hover */
    assert_non_null(strstr(out, "\"id\":5,\"result\":null"));
    free(out);
    assert_true(total > 20);
    print_message("lsp session: %ld allocations, each failed in turn\n", total);
    for (long n = 0; n < total; n++) {
        long allocs;
        int rc = session(&in, n, &allocs, &out, &outlen);
        assert_true(rc == 0 || rc == 1); /* it ends, whatever failed */
        free(out);
    }
    cars_buf_free(&in);
    char path[256];
    snprintf(path, sizeof path, "%s/schema.cars", dir);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_utf16_col),
        cmocka_unit_test(t_offset),
        cmocka_unit_test(t_uri),
        cmocka_unit_test(t_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

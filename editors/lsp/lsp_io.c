/* lsp_io.c - the language server's wire: messages framed by a
 * Content-Length header (the LSP base protocol), read with hard limits so
 * that hostile input gives a JSON-RPC error, never a crash or an unbounded
 * allocation; replies, errors and notifications written as JSON with the
 * one escaper (vm/json.c). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "json.h"
#include "lsp.h"

enum { MAX_HEADER_LINE = 1024 };

/* One header line, without its "\r\n" or "\n", in line (at most cap-1
 * bytes; a longer one is read to its end and marked *too_long). False at
 * end of input before any byte. */
static bool read_line(FILE *in, char *line, size_t cap, bool *too_long)
{
    size_t n = 0;
    int c;
    *too_long = false;
    while ((c = getc(in)) != EOF && c != '\n') {
        if (n + 1 < cap)
            line[n++] = (char)c;
        else
            *too_long = true;
    }
    if (c == EOF && n == 0 && !*too_long)
        return false;
    if (n > 0 && line[n - 1] == '\r')
        n--;
    line[n] = '\0';
    return true;
}

/* The value of a Content-Length header: decimal digits, at most 19 of
 * them; -1 when it is not one. */
static long long content_length(const char *v)
{
    while (*v == ' ' || *v == '\t')
        v++;
    long long n = 0;
    size_t digits = 0;
    for (; isdigit((unsigned char)*v); v++, digits++) {
        if (digits >= 18)
            return -1;
        n = n * 10 + (*v - '0');
    }
    while (*v == ' ' || *v == '\t')
        v++;
    return digits == 0 || *v ? -1 : n;
}

/* Reads and drops n bytes (the body of a message too large to keep).
 * False at end of input. */
static bool skip_bytes(FILE *in, unsigned long long n)
{
    char buf[4096];
    while (n > 0) {
        size_t want = n < sizeof buf ? (size_t)n : sizeof buf;
        size_t got = fread(buf, 1, want, in);
        if (got == 0)
            return false;
        n -= got;
    }
    return true;
}

/* Reads the header block: the Content-Length in *length (-1 when missing
 * or malformed, -2 for an over-long header line). False at end of input. */
static bool read_headers(FILE *in, long long *length)
{
    char line[MAX_HEADER_LINE] = "";
    bool any = false, too_long;
    *length = -1;
    for (;;) {
        if (!read_line(in, line, sizeof line, &too_long))
            return false;
        if (too_long) {
            *length = -2;
            any = true;
            continue;
        }
        if (line[0] == '\0') {
            if (any)
                return true;
            continue; /* blank lines between messages */
        }
        any = true;
        if (strncasecmp(line, "Content-Length:", 15) == 0 && *length != -2)
            *length = content_length(line + 15);
    }
}

int lsp_read_message(lsp_server *s, char **body, size_t *len)
{
    long long n;
    *body = NULL;
    if (!read_headers(s->in, &n))
        return 0;
    if (n < 0) {
        lsp_send_error(s, NULL, LSP_PARSE_ERROR,
                       n == -2 ? "a header line is longer than %d bytes" :
                                 "a message needs a Content-Length header with a decimal length (at most %d digits)",
                       n == -2 ? MAX_HEADER_LINE : 18);
        return -1;
    }
    if ((unsigned long long)n > LSP_MAX_MESSAGE) {
        lsp_send_error(s, NULL, LSP_INVALID_REQUEST,
                       "message of %lld bytes refused: the limit is %zu MiB (split the file)", n,
                       LSP_MAX_MESSAGE >> 20);
        return skip_bytes(s->in, (unsigned long long)n) ? -1 : 0;
    }
    char *p = cars_malloc((size_t)n + 1);
    if (!p) {
        lsp_send_error(s, NULL, LSP_INTERNAL_ERROR, "out of memory reading a message of %lld bytes", n);
        return skip_bytes(s->in, (unsigned long long)n) ? -1 : 0;
    }
    if (fread(p, 1, (size_t)n, s->in) != (size_t)n) {
        cars_free(p);
        return 0; /* end of input in the middle of a message */
    }
    p[n] = '\0';
    *body = p;
    *len = (size_t)n;
    return 1;
}

void lsp_send(lsp_server *s, cars_buf *b)
{
    if (!b->failed) {
        fprintf(s->out, "Content-Length: %zu\r\n\r\n", b->len);
        fwrite(b->p, 1, b->len, s->out);
        fflush(s->out);
    }
    cars_buf_free(b);
}

void lsp_put_str(cars_buf *b, const char *s)
{
    cars_json_string(b, s, strlen(s));
}

void lsp_put_strn(cars_buf *b, const char *s, size_t n)
{
    cars_json_string(b, s, n);
}

static void put_id(cars_buf *b, const yajl_val id)
{
    if (id && YAJL_IS_STRING(id))
        lsp_put_str(b, YAJL_GET_STRING(id));
    else if (id && YAJL_IS_NUMBER(id) && id->u.number.r)
        cars_buf_puts(b, id->u.number.r);
    else
        cars_buf_puts(b, "null");
}

void lsp_result_start(cars_buf *b, const yajl_val id)
{
    cars_buf_puts(b, "{\"jsonrpc\":\"2.0\",\"id\":");
    put_id(b, id);
    cars_buf_puts(b, ",\"result\":");
}

void lsp_send_result(lsp_server *s, cars_buf *b)
{
    cars_buf_puts(b, "}");
    lsp_send(s, b);
}

void lsp_send_error(lsp_server *s, const yajl_val id, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cars_buf b = {0};
    cars_buf_puts(&b, "{\"jsonrpc\":\"2.0\",\"id\":");
    put_id(&b, id);
    char head[64];
    snprintf(head, sizeof head, ",\"error\":{\"code\":%d,\"message\":", code);
    cars_buf_puts(&b, head);
    lsp_put_str(&b, msg);
    cars_buf_puts(&b, "}}");
    lsp_send(s, &b);
}

void lsp_notify_start(cars_buf *b, const char *method)
{
    cars_buf_puts(b, "{\"jsonrpc\":\"2.0\",\"method\":");
    lsp_put_str(b, method);
    cars_buf_puts(b, ",\"params\":");
}

void lsp_put_range(cars_buf *b, uint32_t l0, uint32_t c0, uint32_t l1, uint32_t c1)
{
    char t[160];
    snprintf(t, sizeof t,
             "{\"start\":{\"line\":%u,\"character\":%u},\"end\":{\"line\":%u,\"character\":%u}}",
             (unsigned)l0, (unsigned)c0, (unsigned)l1, (unsigned)c1);
    cars_buf_puts(b, t);
}

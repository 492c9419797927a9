/* lsp_docs.c - what the language server knows of the files: the open
 * documents (whose text overrides the file on disk), file: URIs, UTF-16
 * positions (LSP's) against byte columns (the compiler's), and a ruleset
 * read as `carsc check` reads it - the *.cars files of one directory in
 * name order, parsed, checked, its tables read - with the open documents
 * in place of their files; its diagnostics published for every file. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "lsp.h"

/* ---- JSON fields and URIs ----------------------------------------------- */

const char *lsp_str(const yajl_val v, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val s = yajl_tree_get(v, path, yajl_t_string);
    return s ? YAJL_GET_STRING(s) : NULL;
}

const char *lsp_doc_uri(const yajl_val params)
{
    const char *path[] = {"textDocument", "uri", NULL};
    yajl_val s = yajl_tree_get(params, path, yajl_t_string);
    return s ? YAJL_GET_STRING(s) : NULL;
}

static int hexdigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *lsp_uri_path(const char *uri)
{
    if (strncmp(uri, "file://", 7) != 0)
        return NULL;
    const char *p = uri + 7;
    if (strncmp(p, "localhost/", 10) == 0)
        p += 9;
    if (*p != '/')
        return NULL;
    char *out = cars_malloc(strlen(p) + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    for (; *p && *p != '?' && *p != '#'; p++) {
        if (*p != '%') {
            out[n++] = *p;
            continue;
        }
        int hi = hexdigit(p[1]), lo = hi < 0 ? -1 : hexdigit(p[2]);
        if (lo < 0 || (hi == 0 && lo == 0)) {
            cars_free(out);
            return NULL;
        }
        out[n++] = (char)(hi * 16 + lo);
        p += 2;
    }
    out[n] = '\0';
    return out;
}

char *lsp_path_uri(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t l = strlen(path);
    char *out = cars_malloc(7 + 3 * l + 1);
    if (!out)
        return NULL;
    memcpy(out, "file://", 7);
    size_t n = 7;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p)) {
            out[n++] = (char)*p;
        } else {
            out[n++] = '%';
            out[n++] = hex[*p >> 4];
            out[n++] = hex[*p & 15];
        }
    }
    out[n] = '\0';
    return out;
}

char *lsp_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = cars_malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

lsp_doc *lsp_find_doc(lsp_server *s, const char *uri)
{
    for (size_t i = 0; i < s->ndocs; i++)
        if (strcmp(s->docs[i].uri, uri) == 0)
            return &s->docs[i];
    return NULL;
}

const lsp_doc *lsp_doc_at_path(const lsp_server *s, const char *path)
{
    for (size_t i = 0; i < s->ndocs; i++)
        if (strcmp(s->docs[i].path, path) == 0)
            return &s->docs[i];
    return NULL;
}

void lsp_docs_free(lsp_server *s)
{
    for (size_t i = 0; i < s->ndocs; i++) {
        cars_free(s->docs[i].uri);
        cars_free(s->docs[i].path);
        cars_free(s->docs[i].text);
    }
    cars_free(s->docs);
    for (size_t i = 0; i < s->nshown; i++)
        cars_free(s->shown[i]);
    cars_free(s->shown);
    s->docs = NULL;
    s->shown = NULL;
    s->ndocs = s->nshown = 0;
}

/* ---- positions ------------------------------------------------------------ */

/* Bytes of the UTF-8 sequence led by byte c (1 for a stray byte). */
static size_t seq_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* Offset of the start of 0-based line `line`; false past the last line. */
static bool line_start(const char *text, size_t len, uint32_t line, size_t *off)
{
    size_t i = 0;
    for (uint32_t l = 0; l < line; l++) {
        const char *nl = memchr(text + i, '\n', len - i);
        if (!nl)
            return false;
        i = (size_t)(nl - text) + 1;
    }
    *off = i;
    return true;
}

bool lsp_offset(const char *text, size_t len, uint32_t line, uint32_t ch, size_t *off)
{
    size_t i;
    if (!line_start(text, len, line, &i))
        return false;
    uint32_t units = 0;
    while (i < len && text[i] != '\n' && units < ch) {
        size_t n = seq_len((unsigned char)text[i]);
        units += n == 4 ? 2 : 1;
        i += n;
    }
    *off = i < len ? i : len;
    return true;
}

uint32_t lsp_utf16_col(const char *text, size_t len, uint32_t line, uint32_t col0)
{
    size_t i;
    if (line == 0 || !line_start(text, len, line - 1, &i))
        return 0;
    size_t end = i + col0;
    uint32_t units = 0;
    while (i < len && i < end && text[i] != '\n') {
        size_t n = seq_len((unsigned char)text[i]);
        units += n == 4 ? 2 : 1;
        i += n;
    }
    return units;
}

void lsp_put_span(cars_buf *b, const cars_source *src, const cars_span *sp)
{
    uint32_t l0 = sp->line ? sp->line - 1 : 0, l1 = sp->end_line ? sp->end_line - 1 : 0;
    uint32_t c0 = lsp_utf16_col(src->text, src->len, sp->line, sp->col ? sp->col - 1 : 0);
    uint32_t c1 = lsp_utf16_col(src->text, src->len, sp->end_line, sp->end_col);
    if (l1 < l0 || (l1 == l0 && c1 < c0)) {
        l1 = l0;
        c1 = c0;
    }
    lsp_put_range(b, l0, c0, l1, c1);
}

/* lsp.h - the language server behind `carsc lsp`, shared by its files:
 * lsp_main.c (the command, the message loop and dispatch), lsp_io.c
 * (Content-Length framing, JSON replies and errors), lsp_docs.c (open
 * documents, URIs, UTF-16 positions, analysing a ruleset and publishing
 * its diagnostics) and lsp_nav.c (definition, hover, formatting). Not a
 * public interface. */
#ifndef CARS_LSP_H
#define CARS_LSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <yajl/yajl_tree.h>

#include "arena.h"
#include "ast.h"
#include "buf.h"
#include "diag.h"
#include "parse.h"

/* JSON-RPC and LSP error codes. */
enum {
    LSP_PARSE_ERROR = -32700,
    LSP_INVALID_REQUEST = -32600,
    LSP_METHOD_NOT_FOUND = -32601,
    LSP_INVALID_PARAMS = -32602,
    LSP_INTERNAL_ERROR = -32603,
    LSP_SERVER_NOT_INITIALIZED = -32002,
    LSP_REQUEST_FAILED = -32803,
};

/* The largest message read (its Content-Length), in bytes: a rule file is
 * at most 16 MiB, and escaping can make its JSON string larger. */
#define LSP_MAX_MESSAGE ((size_t)64 << 20)

/* An open document: the editor's text overrides the file on disk. */
typedef struct lsp_doc {
    char *uri;  /* as the client sent it */
    char *path; /* the file it names */
    char *text; /* cars_malloc, NUL-terminated */
    size_t len;
} lsp_doc;

typedef struct lsp_server {
    FILE *in, *out;
    lsp_doc *docs;
    size_t ndocs, capdocs;
    char **shown;   /* URIs whose last published diagnostics were not empty */
    size_t nshown, capshown;
    bool initialized, shutdown;
} lsp_server;

/* ---- lsp_main.c ---- */

/* Serves the messages read from `in`, answering on `out`, until exit or
 * the end of input: 0 after shutdown and exit, 1 otherwise (`carsc lsp`'s
 * exit status). */
int lsp_serve(FILE *in, FILE *out);

/* ---- lsp_io.c ---- */

/* Reads one message's body (cars_malloc, NUL-terminated) into *body.
 * 1: a message; 0: end of input; -1: a framing error, already answered
 * with a JSON-RPC error (the loop goes on with the next message). */
int lsp_read_message(lsp_server *s, char **body, size_t *len);
/* Sends `b` as one message, then frees it. */
void lsp_send(lsp_server *s, cars_buf *b);
/* {"jsonrpc":"2.0","id":ID,"result": - the caller appends the result and
 * calls lsp_send_result. */
void lsp_result_start(cars_buf *b, const yajl_val id);
void lsp_send_result(lsp_server *s, cars_buf *b);
/* An error response to request `id` (NULL: id null). */
void lsp_send_error(lsp_server *s, const yajl_val id, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A notification: {"jsonrpc":"2.0","method":M,"params": - then the caller
 * appends the params and calls lsp_send_result. */
void lsp_notify_start(cars_buf *b, const char *method);
void lsp_put_str(cars_buf *b, const char *s);
void lsp_put_strn(cars_buf *b, const char *s, size_t n);
/* {"start":{"line":L,"character":C},"end":{...}} */
void lsp_put_range(cars_buf *b, uint32_t l0, uint32_t c0, uint32_t l1, uint32_t c1);

/* ---- lsp_docs.c ---- */

/* The string at `key` of object `v`, or NULL when absent or not a string. */
const char *lsp_str(const yajl_val v, const char *key);
/* params.textDocument.uri, or NULL. */
const char *lsp_doc_uri(const yajl_val params);
/* The path a file: URI names (cars_malloc), or NULL for another scheme or
 * a malformed one. */
char *lsp_uri_path(const char *uri);
/* The file: URI of an absolute path (cars_malloc), bytes other than
 * letters, digits and "-._~/" percent-encoded. */
char *lsp_path_uri(const char *path);
char *lsp_strdup(const char *s); /* cars_malloc */
lsp_doc *lsp_find_doc(lsp_server *s, const char *uri);
const lsp_doc *lsp_doc_at_path(const lsp_server *s, const char *path);
void lsp_docs_free(lsp_server *s);
/* Byte column (0-based) of UTF-16 position `ch` on 0-based line `line` of
 * text, clamped to the line's end; the byte offset of that point in *off.
 * False when the line is past the end of the text. */
bool lsp_offset(const char *text, size_t len, uint32_t line, uint32_t ch, size_t *off);
/* UTF-16 column of byte column `col0` (0-based) of 1-based line `line`. */
uint32_t lsp_utf16_col(const char *text, size_t len, uint32_t line, uint32_t col0);
/* The range of span sp of source src (LSP, 0-based, UTF-16, end exclusive). */
void lsp_put_span(cars_buf *b, const cars_source *src, const cars_span *sp);

/* A ruleset read with the open documents over the files on disk, parsed,
 * checked (and its tables read) when parsing found no error. */
typedef struct lsp_ruleset {
    cars_arena arena;
    cars_diags diags;
    cars_ast *ast;      /* NULL when out of memory */
    const char *dir;    /* the directory: a file's name is dir/NAME */
    bool checked;       /* the checker ran: names are resolved */
} lsp_ruleset;
/* Reads the ruleset of the file at `path` (its directory's *.cars files).
 * Always call lsp_ruleset_free. */
void lsp_ruleset_load(lsp_server *s, const char *path, lsp_ruleset *rs);
void lsp_ruleset_free(lsp_ruleset *rs);
/* The index in rs->ast->files of the file at `path`, or -1. */
long lsp_ruleset_file(const lsp_ruleset *rs, const char *path);
/* The URI of file i of the ruleset: an open document's own, else file://. */
char *lsp_file_uri(lsp_server *s, const lsp_ruleset *rs, size_t i);
/* Analyses the ruleset of the document at `uri` and publishes the
 * diagnostics of every file of it (empty for a file with none). */
void lsp_publish(lsp_server *s, const char *uri);

/* ---- lsp_nav.c ---- */

void lsp_definition(lsp_server *s, const yajl_val id, const yajl_val params);
void lsp_hover(lsp_server *s, const yajl_val id, const yajl_val params);
void lsp_formatting(lsp_server *s, const yajl_val id, const yajl_val params);

#endif

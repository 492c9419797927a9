/* lsp_main.c - `carsc lsp`: a language server over standard input and
 * output (JSON-RPC 2.0 with the LSP base protocol's framing). One message
 * at a time: parsed with yajl, checked for the shape JSON-RPC asks, handed
 * to its method. Lifecycle as the LSP specification says: requests before
 * `initialize` get ServerNotInitialized, requests after `shutdown` get
 * InvalidRequest, and `exit` ends the process with 0 after `shutdown`, 1
 * without (as does the end of input). Document sync is full text (an
 * incremental change is applied too); every change, save, open and close
 * publishes the diagnostics of the document's ruleset. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "commands.h"
#include "lsp.h"
#include "version.h"

const char cars_lsp_usage[] =
    "usage: carsc lsp\n"
    "\n"
    "A language server for editors (the Language Server Protocol, JSON-RPC\n"
    "over standard input and output; the editor starts it). It reports the\n"
    "diagnostics of `carsc check` as you type, for every file of the ruleset\n"
    "(the directory of the file being edited, its open files read from the\n"
    "editor), and answers go to definition (sets, tables, definitions,\n"
    "fields: a field's line in the schema), hover (a field's type and whether\n"
    "it is protected; what a set, table or definition is) and formatting (as\n"
    "`carsc fmt`; a file that does not parse is left as it is). Set up in\n"
    "Vim, Neovim, VS Code, Helix and Emacs: docs/editors.md.\n"
    "\n"
    "Exit status: 0 after the editor's shutdown and exit, 1 when the input\n"
    "ends or exit comes without shutdown, 2 usage error.\n";

/* ---- documents ------------------------------------------------------------ */

static void did_open(lsp_server *s, const yajl_val params)
{
    const char *path[] = {"textDocument", "text", NULL};
    const char *uri = lsp_doc_uri(params);
    yajl_val text = yajl_tree_get(params, path, yajl_t_string);
    char *file = uri ? lsp_uri_path(uri) : NULL;
    if (!file || !text)
        goto done;
    lsp_doc *doc = lsp_find_doc(s, uri);
    if (!doc) {
        if (s->ndocs == s->capdocs) {
            size_t cap = s->capdocs ? 2 * s->capdocs : 8;
            lsp_doc *p = cars_realloc(s->docs, cap * sizeof *p);
            if (!p)
                goto done;
            s->docs = p;
            s->capdocs = cap;
        }
        doc = &s->docs[s->ndocs];
        memset(doc, 0, sizeof *doc);
        if (!(doc->uri = lsp_strdup(uri)))
            goto done;
        doc->path = file;
        file = NULL;
        s->ndocs++;
    }
    char *t = lsp_strdup(YAJL_GET_STRING(text));
    if (!t)
        goto done;
    cars_free(doc->text);
    doc->text = t;
    doc->len = strlen(t);
    lsp_publish(s, uri);
done:
    cars_free(file);
}

/* Applies one change: the whole text, or (with a range) a part of it. */
static bool apply_change(lsp_doc *doc, const yajl_val change)
{
    const char *text = lsp_str(change, "text");
    if (!text)
        return false;
    const char *rp[] = {"range", NULL}, *sl[] = {"start", "line", NULL}, *sc[] = {"start", "character", NULL},
               *el[] = {"end", "line", NULL}, *ec[] = {"end", "character", NULL};
    yajl_val range = yajl_tree_get(change, rp, yajl_t_object);
    size_t tl = strlen(text), a = 0, b = doc->len;
    if (range) {
        yajl_val v[4] = {yajl_tree_get(range, sl, yajl_t_number), yajl_tree_get(range, sc, yajl_t_number),
                         yajl_tree_get(range, el, yajl_t_number), yajl_tree_get(range, ec, yajl_t_number)};
        for (int i = 0; i < 4; i++)
            if (!v[i] || !YAJL_IS_INTEGER(v[i]) || YAJL_GET_INTEGER(v[i]) < 0 ||
                YAJL_GET_INTEGER(v[i]) > UINT32_MAX)
                return false;
        if (!lsp_offset(doc->text, doc->len, (uint32_t)YAJL_GET_INTEGER(v[0]), (uint32_t)YAJL_GET_INTEGER(v[1]), &a) ||
            !lsp_offset(doc->text, doc->len, (uint32_t)YAJL_GET_INTEGER(v[2]), (uint32_t)YAJL_GET_INTEGER(v[3]), &b))
            return false;
        if (b < a)
            b = a;
    }
    char *t = cars_malloc(a + tl + (doc->len - b) + 1);
    if (!t)
        return false;
    memcpy(t, doc->text, a);
    memcpy(t + a, text, tl);
    memcpy(t + a + tl, doc->text + b, doc->len - b);
    doc->len = a + tl + (doc->len - b);
    t[doc->len] = '\0';
    cars_free(doc->text);
    doc->text = t;
    return true;
}

static void did_change(lsp_server *s, const yajl_val params)
{
    const char *cp[] = {"contentChanges", NULL};
    const char *uri = lsp_doc_uri(params);
    lsp_doc *doc = uri ? lsp_find_doc(s, uri) : NULL;
    yajl_val changes = yajl_tree_get(params, cp, yajl_t_array);
    if (!doc || !changes || !YAJL_IS_ARRAY(changes))
        return;
    for (size_t i = 0; i < changes->u.array.len; i++)
        if (!apply_change(doc, changes->u.array.values[i]))
            break;
    lsp_publish(s, doc->uri);
}

static void did_close(lsp_server *s, const yajl_val params)
{
    const char *uri = lsp_doc_uri(params);
    lsp_doc *doc = uri ? lsp_find_doc(s, uri) : NULL;
    if (!doc)
        return;
    char *u = doc->uri;
    cars_free(doc->path);
    cars_free(doc->text);
    *doc = s->docs[--s->ndocs];
    lsp_publish(s, u); /* the file on disk again, or gone */
    cars_free(u);
}

static void did_save(lsp_server *s, const yajl_val params)
{
    const char *uri = lsp_doc_uri(params);
    if (uri)
        lsp_publish(s, uri); /* other files' tables may have changed on disk */
}

/* ---- lifecycle ------------------------------------------------------------ */

static void initialize(lsp_server *s, const yajl_val id, const yajl_val params)
{
    (void)params;
    if (s->initialized) {
        lsp_send_error(s, id, LSP_INVALID_REQUEST, "the server is already initialized");
        return;
    }
    s->initialized = true;
    cars_buf b = {0};
    lsp_result_start(&b, id);
    cars_buf_puts(&b, "{\"capabilities\":{\"positionEncoding\":\"utf-16\","
                      "\"textDocumentSync\":{\"openClose\":true,\"change\":1,\"save\":{\"includeText\":false}},"
                      "\"definitionProvider\":true,\"hoverProvider\":true,\"documentFormattingProvider\":true},"
                      "\"serverInfo\":{\"name\":\"carsc\",\"version\":\"" CARS_VERSION "\"}}");
    lsp_send_result(s, &b);
}

static void shutdown_req(lsp_server *s, const yajl_val id, const yajl_val params)
{
    (void)params;
    s->shutdown = true;
    cars_buf b = {0};
    lsp_result_start(&b, id);
    cars_buf_puts(&b, "null");
    lsp_send_result(s, &b);
}

typedef struct request {
    const char *method;
    void (*run)(lsp_server *s, const yajl_val id, const yajl_val params);
} request;

static const request requests[] = {
    {"initialize", initialize},
    {"shutdown", shutdown_req},
    {"textDocument/definition", lsp_definition},
    {"textDocument/hover", lsp_hover},
    {"textDocument/formatting", lsp_formatting},
};

typedef struct notification {
    const char *method;
    void (*run)(lsp_server *s, const yajl_val params);
} notification;

static const notification notifications[] = {
    {"textDocument/didOpen", did_open},
    {"textDocument/didChange", did_change},
    {"textDocument/didSave", did_save},
    {"textDocument/didClose", did_close},
};

/* ---- messages ------------------------------------------------------------- */

enum { MAX_JSON_DEPTH = 64 };

/* How deeply the JSON text nests (yajl frees its tree recursively: a
 * message nested deeper than MAX_JSON_DEPTH is refused before parsing). */
static bool shallow(const char *p, size_t len)
{
    int depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if ((c == '[' || c == '{') && ++depth > MAX_JSON_DEPTH) {
            return false;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return true;
}

static void dispatch(lsp_server *s, const char *method, const yajl_val id, const yajl_val params)
{
    if (id) {
        if (!s->initialized && strcmp(method, "initialize") != 0) {
            lsp_send_error(s, id, LSP_SERVER_NOT_INITIALIZED, "send initialize first");
            return;
        }
        if (s->shutdown) {
            lsp_send_error(s, id, LSP_INVALID_REQUEST, "the server is shutting down: send exit");
            return;
        }
        for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++)
            if (strcmp(requests[i].method, method) == 0) {
                requests[i].run(s, id, params);
                return;
            }
        lsp_send_error(s, id, LSP_METHOD_NOT_FOUND, "unknown method '%.200s'", method);
        return;
    }
    if (!s->initialized || s->shutdown)
        return; /* notifications before initialize or after shutdown are dropped */
    for (size_t i = 0; i < sizeof notifications / sizeof notifications[0]; i++)
        if (strcmp(notifications[i].method, method) == 0) {
            notifications[i].run(s, params);
            return;
        }
    /* initialized, $/cancelRequest, $/setTrace, and others: nothing to do */
}

/* Handles one message; true when it was `exit`. */
static bool handle(lsp_server *s, const char *body, size_t len)
{
    char err[256];
    if (memchr(body, '\0', len) || !shallow(body, len)) {
        lsp_send_error(s, NULL, LSP_PARSE_ERROR, memchr(body, '\0', len) ? "NUL byte in the message"
                                                                         : "JSON nested more than %d deep",
                       MAX_JSON_DEPTH);
        return false;
    }
    yajl_val msg = yajl_tree_parse(body, err, sizeof err);
    if (!msg) {
        for (char *p = err; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
        lsp_send_error(s, NULL, LSP_PARSE_ERROR, "invalid JSON: %s", err);
        return false;
    }
    const char *ip[] = {"id", NULL}, *pp[] = {"params", NULL};
    yajl_val id = YAJL_IS_OBJECT(msg) ? yajl_tree_get(msg, ip, yajl_t_any) : NULL;
    yajl_val params = YAJL_IS_OBJECT(msg) ? yajl_tree_get(msg, pp, yajl_t_any) : NULL;
    const char *method = lsp_str(msg, "method"), *version = lsp_str(msg, "jsonrpc");
    bool is_exit = false;
    if (id && !YAJL_IS_STRING(id) && !YAJL_IS_INTEGER(id) && !YAJL_IS_NULL(id))
        lsp_send_error(s, NULL, LSP_INVALID_REQUEST, "a request's id is an integer or a string");
    else if (!YAJL_IS_OBJECT(msg) || !version || strcmp(version, "2.0") != 0)
        lsp_send_error(s, id, LSP_INVALID_REQUEST, "a message is a JSON object with \"jsonrpc\": \"2.0\"");
    else if (!method) {
        const char *rp[] = {"result", NULL}, *ep[] = {"error", NULL};
        if (!id || (!yajl_tree_get(msg, rp, yajl_t_any) && !yajl_tree_get(msg, ep, yajl_t_any)))
            lsp_send_error(s, id, LSP_INVALID_REQUEST, "a request or notification has a string \"method\"");
        /* else a response to a request of ours: there are none */
    } else if (params && !YAJL_IS_NULL(params) && !YAJL_IS_OBJECT(params) && !YAJL_IS_ARRAY(params)) {
        if (id)
            lsp_send_error(s, id, LSP_INVALID_PARAMS, "\"params\" is an object or an array");
    } else if (strcmp(method, "exit") == 0) {
        is_exit = true;
    } else {
        dispatch(s, method, id, params);
    }
    yajl_tree_free(msg);
    return is_exit;
}

int cars_cmd_lsp(int argc, char **argv)
{
    if (argc > 1) {
        fprintf(stderr, "carsc lsp: unexpected argument '%s' (the editor starts `carsc lsp` with none)\n%s",
                argv[1], cars_lsp_usage);
        return CARS_EXIT_USAGE;
    }
    signal(SIGPIPE, SIG_IGN); /* an editor that went away ends the input, not the process */
    return lsp_serve(stdin, stdout);
}

int lsp_serve(FILE *in, FILE *out)
{
    lsp_server s;
    memset(&s, 0, sizeof s);
    s.in = in;
    s.out = out;
    int rc = CARS_EXIT_ERRORS;
    for (;;) {
        char *body;
        size_t len;
        int r = lsp_read_message(&s, &body, &len);
        if (r == 0)
            break;
        if (r < 0)
            continue;
        bool is_exit = handle(&s, body, len);
        cars_free(body);
        if (is_exit) {
            rc = s.shutdown ? CARS_EXIT_OK : CARS_EXIT_ERRORS;
            break;
        }
    }
    lsp_docs_free(&s);
    return rc;
}

/* lsp_ruleset.c - a ruleset as the language server sees it: the *.cars
 * files of one directory in name order (as `carsc check DIR` reads them),
 * each open document's text in place of its file, parsed, then checked
 * and its tables read when parsing found no error; and the publishing of
 * its diagnostics, for every file, so that a fixed error is cleared. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "check.h"
#include "codegen.h"
#include "lsp.h"
#include "readfile.h"

static int cmp_files(const void *a, const void *b)
{
    return strcmp(((const cars_text_file *)a)->name, ((const cars_text_file *)b)->name);
}

/* Adds the file at `path` (dir/NAME) to the list: the open document's
 * text, else the file's. */
static void add_file(lsp_server *s, lsp_ruleset *rs, cars_text_file *files, size_t *n,
                     const char *path)
{
    cars_text_file f = {path + strlen(rs->dir) + 1, NULL, 0};
    const lsp_doc *doc = lsp_doc_at_path(s, path);
    if (doc && doc->len > cars_file_limit(CARS_FILE_RULES)) {
        cars_error(&rs->diags, NULL, "split the ruleset into several files",
                   "rule file %s is larger than the %zu MiB limit for a rule file", path,
                   cars_file_limit(CARS_FILE_RULES) >> 20);
        return;
    }
    if (doc) {
        f.text = doc->text;
        f.len = doc->len;
    } else {
        char err[600];
        size_t len;
        char *text = (char *)cars_read_file(path, CARS_FILE_RULES, &len, err, sizeof err);
        if (!text) {
            cars_error(&rs->diags, NULL, NULL, "%s", err);
            return;
        }
        f.text = cars_arena_strndup(&rs->arena, text, len);
        f.len = len;
        cars_free(text);
        if (!f.text)
            return;
    }
    files[(*n)++] = f;
}

/* Is `path` a file of directory `dir` (not of a subdirectory)? */
static bool in_dir(const char *path, const char *dir)
{
    size_t dl = strlen(dir);
    return strncmp(path, dir, dl) == 0 && path[dl] == '/' && !strchr(path + dl + 1, '/');
}

/* The files of the ruleset: the directory's sources, then the open
 * documents of that directory that are not on disk (and `path`, the file
 * asked about, whatever its name), in name order. */
static size_t ruleset_files(lsp_server *s, lsp_ruleset *rs, const char *path, cars_text_file **files)
{
    char **paths;
    size_t np, n = 0;
    if (cars_list_sources(rs->dir[0] ? rs->dir : "/", &rs->arena, &paths, &np) != 0)
        np = 0;
    *files = cars_arena_alloc(&rs->arena, (np + s->ndocs + 1) * sizeof **files);
    if (!*files)
        return 0;
    for (size_t i = 0; i < np; i++)
        add_file(s, rs, *files, &n, paths[i]);
    for (size_t i = 0; i < s->ndocs; i++) {
        const char *p = s->docs[i].path;
        bool listed = false;
        for (size_t k = 0; k < np && !listed; k++)
            listed = strcmp(paths[k], p) == 0;
        if (!listed && in_dir(p, rs->dir) && (cars_is_source_path(p) || strcmp(p, path) == 0))
            add_file(s, rs, *files, &n, p);
    }
    if (n > 1)
        qsort(*files, n, sizeof **files, cmp_files);
    return n;
}

void lsp_ruleset_load(lsp_server *s, const char *path, lsp_ruleset *rs)
{
    memset(rs, 0, sizeof *rs);
    cars_arena_init(&rs->arena);
    cars_diags_init(&rs->diags);
    const char *slash = strrchr(path, '/');
    rs->dir = slash ? cars_arena_strndup(&rs->arena, path, slash == path ? 1 : (size_t)(slash - path)) : ".";
    if (!rs->dir)
        return;
    if (strcmp(rs->dir, "/") == 0)
        rs->dir = ""; /* names are dir + "/" + NAME */
    cars_text_file *files;
    size_t n = ruleset_files(s, rs, path, &files);
    rs->ast = cars_parse_texts(files, n, &rs->arena, &rs->diags);
    if (!rs->ast || rs->diags.errors)
        return;
    cars_check_options none;
    memset(&none, 0, sizeof none);
    cars_check(rs->ast, &rs->arena, &rs->diags, &none);
    rs->checked = true;
    if (rs->diags.errors == 0) {
        cars_program tables;
        memset(&tables, 0, sizeof tables);
        cars_codegen_tables(rs->ast, rs->dir[0] ? rs->dir : "/", &tables, &rs->arena, &rs->diags);
    }
}

void lsp_ruleset_free(lsp_ruleset *rs)
{
    cars_diags_free(&rs->diags);
    cars_arena_free(&rs->arena);
}

/* The path of file i (cars_malloc). */
static char *file_path(const lsp_ruleset *rs, size_t i)
{
    const char *name = rs->ast->files[i].path;
    size_t dl = strlen(rs->dir), nl = strlen(name);
    char *p = cars_malloc(dl + nl + 2);
    if (p) {
        memcpy(p, rs->dir, dl);
        p[dl] = '/';
        memcpy(p + dl + 1, name, nl + 1);
    }
    return p;
}

long lsp_ruleset_file(const lsp_ruleset *rs, const char *path)
{
    if (!rs->ast || !in_dir(path, rs->dir))
        return -1;
    const char *name = path + strlen(rs->dir) + 1;
    for (size_t i = 0; i < rs->ast->nfiles; i++)
        if (strcmp(rs->ast->files[i].path, name) == 0)
            return (long)i;
    return -1;
}

char *lsp_file_uri(lsp_server *s, const lsp_ruleset *rs, size_t i)
{
    char *path = file_path(rs, i);
    if (!path)
        return NULL;
    const lsp_doc *doc = lsp_doc_at_path(s, path);
    char *uri = doc ? lsp_strdup(doc->uri) : lsp_path_uri(path);
    cars_free(path);
    return uri;
}

/* ---- diagnostics ---------------------------------------------------------- */

static void put_diag(cars_buf *b, const cars_diag *d, const cars_source *src)
{
    static const int severity[] = {[CARS_SEV_ERROR] = 1, [CARS_SEV_WARNING] = 2, [CARS_SEV_NOTE] = 3};
    cars_buf_puts(b, "{\"range\":");
    if (d->has_span && src)
        lsp_put_span(b, src, &d->span);
    else
        lsp_put_range(b, 0, 0, 0, 0);
    char sev[48];
    snprintf(sev, sizeof sev, ",\"severity\":%d,\"source\":\"carsc\",\"message\":",
             (unsigned)d->sev < 3 ? severity[d->sev] : 1);
    cars_buf_puts(b, sev);
    cars_buf m = {0};
    cars_buf_puts(&m, d->message ? d->message : "");
    if (d->hint) {
        cars_buf_puts(&m, "\nhint: ");
        cars_buf_puts(&m, d->hint);
    }
    lsp_put_strn(b, m.p ? m.p : "", m.len);
    cars_buf_free(&m);
    cars_buf_puts(b, "}");
}

/* Publishes the diagnostics of file `file` of the ruleset (-1: a file the
 * ruleset could not read) at `uri`; those without a place go to the file
 * asked about (`here`). Returns whether there were any. */
static bool publish_file(lsp_server *s, const lsp_ruleset *rs, const char *uri, long file, bool here)
{
    cars_buf b = {0};
    lsp_notify_start(&b, "textDocument/publishDiagnostics");
    cars_buf_puts(&b, "{\"uri\":");
    lsp_put_str(&b, uri);
    cars_buf_puts(&b, ",\"diagnostics\":[");
    size_t n = 0;
    for (size_t i = 0; i < rs->diags.n; i++) {
        const cars_diag *d = &rs->diags.items[i];
        bool mine = d->has_span ? file >= 0 && d->span.file == (uint32_t)file : here;
        if (!mine)
            continue;
        if (n++)
            cars_buf_puts(&b, ",");
        put_diag(&b, d, file >= 0 ? &rs->ast->files[file] : NULL);
    }
    cars_buf_puts(&b, "]}");
    lsp_send_result(s, &b);
    return n > 0;
}

static bool uri_listed(char **uris, size_t n, const char *uri)
{
    for (size_t i = 0; i < n; i++)
        if (uris[i] && strcmp(uris[i], uri) == 0)
            return true;
    return false;
}

/* Clears what was shown before in the ruleset's directory and is not
 * published now (a file closed, deleted or renamed); s->shown becomes the
 * URIs published now with diagnostics. */
static void clear_stale(lsp_server *s, const lsp_ruleset *rs, char **now, bool *nonempty, size_t n)
{
    for (size_t i = 0; i < s->nshown; i++) {
        char *path = lsp_uri_path(s->shown[i]);
        bool mine = path && in_dir(path, rs->dir);
        cars_free(path);
        if (!mine || uri_listed(now, n, s->shown[i]))
            continue;
        cars_buf b = {0};
        lsp_notify_start(&b, "textDocument/publishDiagnostics");
        cars_buf_puts(&b, "{\"uri\":");
        lsp_put_str(&b, s->shown[i]);
        cars_buf_puts(&b, ",\"diagnostics\":[]}");
        lsp_send_result(s, &b);
        cars_free(s->shown[i]);
        s->shown[i] = NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < s->nshown; i++) {
        if (!s->shown[i])
            continue;
        if (uri_listed(now, n, s->shown[i]))
            cars_free(s->shown[i]); /* published again now: listed below if it still has any */
        else
            s->shown[k++] = s->shown[i];
    }
    s->nshown = k;
    for (size_t i = 0; i < n; i++) {
        if (!now[i] || !nonempty[i])
            continue;
        if (s->nshown == s->capshown) {
            size_t cap = s->capshown ? 2 * s->capshown : 16;
            char **p = cars_realloc(s->shown, cap * sizeof *p);
            if (!p)
                break;
            s->shown = p;
            s->capshown = cap;
        }
        s->shown[s->nshown++] = now[i];
        now[i] = NULL;
    }
}

void lsp_publish(lsp_server *s, const char *uri)
{
    char *path = lsp_uri_path(uri);
    if (!path)
        return;
    lsp_ruleset rs;
    lsp_ruleset_load(s, path, &rs);
    cars_diags_sort(&rs.diags);
    size_t nf = rs.ast ? rs.ast->nfiles : 0;
    long here = lsp_ruleset_file(&rs, path);
    char **now = cars_calloc(nf + 1, sizeof *now);
    bool *nonempty = cars_calloc(nf + 1, sizeof *nonempty);
    if (now && nonempty) {
        for (size_t i = 0; i < nf; i++) {
            now[i] = lsp_file_uri(s, &rs, i);
            if (now[i])
                nonempty[i] = publish_file(s, &rs, now[i], (long)i, here == (long)i);
        }
        if (here < 0 && (now[nf] = lsp_strdup(uri)) != NULL)
            nonempty[nf] = publish_file(s, &rs, uri, -1, true);
        clear_stale(s, &rs, now, nonempty, nf + 1);
    }
    for (size_t i = 0; now && i <= nf; i++)
        cars_free(now[i]);
    cars_free(now);
    cars_free(nonempty);
    lsp_ruleset_free(&rs);
    cars_free(path);
}

/* parse.c - reading a ruleset into one AST: files, directories (every
 * *.cars in name order), includes (relative to the including file, each
 * file read once, cycles reported), source validation (size, NUL bytes,
 * UTF-8), and attaching comments to the declarations they precede. */
#include "parse.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "parse_priv.h"
#include "readfile.h"

enum { MAX_INCLUDE_DEPTH = 16 };

typedef struct reader {
    const cars_text_file *mem; /* in-memory files (cars_parse_texts), or NULL: the file system */
    size_t nmem;
    cars_arena *arena;
    cars_diags *d;
    cars_ast *ast;
    const char **real;   /* canonical path of each file in ast->files */
    size_t nreal;
    uint32_t open[MAX_INCLUDE_DEPTH + 1]; /* files being read (include stack) */
    size_t nopen;
} reader;

/* ---- sources ----------------------------------------------------------------- */

static bool add_source(reader *r, const char *path, const char *real, const char *text,
                       size_t len, uint32_t *index)
{
    cars_source s = {cars_arena_strdup(r->arena, path), text, len};
    if (!s.path)
        return false;
    size_t n = r->ast->nfiles;
    cars_source *files = cars_vec_push(r->arena, r->ast->files, &n, &s, sizeof s);
    if (!files)
        return false;
    size_t k = r->nreal;
    const char **reals = cars_vec_push(r->arena, r->real, &k, &real, sizeof real);
    if (!reals)
        return false;
    r->ast->files = files;
    r->ast->nfiles = n;
    r->real = reals;
    r->nreal = k;
    r->d->files = files;
    r->d->nfiles = n;
    *index = (uint32_t)(n - 1);
    return true;
}

/* Length of the valid UTF-8 sequence at s (0 if invalid). */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned long min, cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2; min = 0x80; cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3; min = 0x800; cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4; min = 0x10000; cp = c & 0x07;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Refuse NUL bytes and invalid UTF-8, naming the first offending byte. */
static bool valid_text(cars_diags *d, uint32_t file, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    uint32_t line = 1, col = 1;
    for (size_t i = 0; i < len;) {
        cars_span sp = {file, line, col, line, col};
        if (s[i] == 0) {
            cars_error(d, &sp, "a source file is text: is this the right file?",
                       "NUL byte in source");
            return false;
        }
        size_t n = utf8_len(s + i, len - i);
        if (!n) {
            cars_error(d, &sp, "save the file as UTF-8", "invalid UTF-8 byte '\\x%02x'", s[i]);
            return false;
        }
        if (s[i] == '\n') {
            line++;
            col = 1;
        } else {
            col += (uint32_t)n;
        }
        i += n;
    }
    return true;
}

/* ---- comments ------------------------------------------------------------------ */

static bool before(const cars_span *a, uint32_t line, uint32_t col)
{
    return a->line < line || (a->line == line && a->col < col);
}

/* Comments of `file` (own-line ones) from index *next that start before
 * (line, col): returned as a slice of ast->comments. */
static cars_comment *take(cars_ast *ast, uint32_t file, size_t *next, uint32_t line,
                          uint32_t col, size_t *n)
{
    while (*next < ast->ncomments && ast->comments[*next].span.file != file)
        (*next)++;
    size_t start = *next;
    while (*next < ast->ncomments && ast->comments[*next].span.file == file &&
           before(&ast->comments[*next].span, line, col))
        (*next)++;
    /* a trailing comment belongs to the line before, not to what follows */
    while (start < *next && ast->comments[start].trailing)
        start++;
    *n = *next - start;
    return *n ? &ast->comments[start] : NULL;
}

static void attach_fields(cars_ast *ast, uint32_t file, size_t *next, cars_field *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        f[i].comments = take(ast, file, next, f[i].span.line, f[i].span.col, &f[i].ncomments);
        attach_fields(ast, file, next, f[i].elems, f[i].nelems);
    }
}

static void attach_decl(cars_ast *ast, cars_decl *dc, size_t *next)
{
    dc->comments = take(ast, dc->file, next, dc->span.line, dc->span.col, &dc->ncomments);
    switch (dc->kind) {
    case CARS_D_SCHEMA:
        if (dc->node == ast->fields)
            attach_fields(ast, dc->file, next, ast->fields, ast->nfields);
        break;
    case CARS_D_SET: {
        cars_set *s = dc->node;
        s->comments = dc->comments; s->ncomments = dc->ncomments;
        break;
    }
    case CARS_D_LET: {
        cars_let *l = dc->node;
        l->comments = dc->comments; l->ncomments = dc->ncomments;
        break;
    }
    case CARS_D_TABLE: {
        cars_table *t = dc->node;
        t->comments = dc->comments; t->ncomments = dc->ncomments;
        break;
    }
    case CARS_D_RULE: {
        cars_rule *r = dc->node;
        r->comments = dc->comments; r->ncomments = dc->ncomments;
        break;
    }
    case CARS_D_THRESHOLD: {
        cars_threshold *t = dc->node;
        t->comments = dc->comments; t->ncomments = dc->ncomments;
        break;
    }
    case CARS_D_EXAMPLE: {
        cars_example *e = dc->node;
        e->comments = dc->comments; e->ncomments = dc->ncomments;
        break;
    }
    case CARS_D_ROUTING:
        if (dc->node && dc->node == ast->stages)
            for (size_t i = 0; i < ast->nstages; i++) {
                cars_stage *s = &ast->stages[i];
                s->comments = take(ast, dc->file, next, s->span.line, s->span.col, &s->ncomments);
            }
        break;
    case CARS_D_INCLUDE:
        break;
    }
    /* skip the comments inside the declaration */
    size_t n;
    take(ast, dc->file, next, dc->span.end_line, dc->span.end_col + 1, &n);
}

/* Leading comments go to the declaration (and item) they precede; what
 * follows a file's last declaration goes to tail_comments. */
static void attach_comments(cars_ast *ast, cars_arena *a)
{
    for (uint32_t f = 0; f < ast->nfiles; f++) {
        size_t next = 0;
        for (size_t i = 0; i < ast->ndecls; i++)
            if (ast->decls[i].file == f)
                attach_decl(ast, &ast->decls[i], &next);
        for (; next < ast->ncomments; next++) {
            if (ast->comments[next].span.file != f)
                continue;
            size_t n = ast->ntail_comments;
            cars_comment *t = cars_vec_push(a, ast->tail_comments, &n, &ast->comments[next],
                                            sizeof *t);
            if (!t)
                return;
            ast->tail_comments = t;
            ast->ntail_comments = n;
        }
    }
}

/* ---- reading ---------------------------------------------------------------- */

static bool parse_source(reader *r, uint32_t file, bool follow_includes);

/* Read a whole rule file into the arena (NUL-terminated): a regular file
 * of at most 16 MiB (vm/readfile.h), anything else is an error. */
static char *slurp(reader *r, const char *path, size_t *len)
{
    char why[600];
    size_t n;
    uint8_t *bytes = cars_read_file(path, CARS_FILE_RULES, &n, why, sizeof why);
    if (!bytes) {
        bool big = errno == EFBIG;
        cars_error(r->d, NULL, big ? "split the ruleset into several files" : NULL, "%s", why);
        return NULL;
    }
    char *buf = cars_arena_strndup(r->arena, (const char *)bytes, n);
    cars_free(bytes);
    if (!buf) {
        cars_error(r->d, NULL, NULL, "out of memory reading %s", path);
        return NULL;
    }
    *len = n;
    return buf;
}

/* The in-memory file named `name`, or NULL. */
static const cars_text_file *mem_file(const reader *r, const char *name)
{
    for (size_t i = 0; i < r->nmem; i++)
        if (strcmp(r->mem[i].name, name) == 0)
            return &r->mem[i];
    return NULL;
}

static bool read_file(reader *r, const char *path, const cars_span *from)
{
    char realbuf[PATH_MAX];
    const char *real = r->mem || !realpath(path, realbuf) ? path : realbuf;
    for (size_t i = 0; i < r->nopen; i++)
        if (strcmp(r->real[r->open[i]], real) == 0) {
            cars_error(r->d, from, "remove one of the includes",
                       "include cycle: '%s' includes itself", path);
            return true;
        }
    for (size_t i = 0; i < r->nreal; i++)
        if (strcmp(r->real[i], real) == 0)
            return true; /* already read: each file once */
    if (r->nopen >= MAX_INCLUDE_DEPTH) {
        cars_error(r->d, from, NULL, "includes nested more than %d deep", MAX_INCLUDE_DEPTH);
        return true;
    }
    size_t len;
    char *text;
    if (r->mem) {
        const cars_text_file *m = mem_file(r, path);
        if (!m) {
            cars_error(r->d, from, NULL, "include '%s' is not among the release's source files", path);
            return true;
        }
        len = m->len;
        text = cars_arena_strndup(r->arena, m->text, m->len); /* the scanner wants NUL-terminated text */
        if (!text)
            return false;
    } else {
        text = slurp(r, path, &len);
    }
    if (!text) {
        if (from && r->d->n) /* point the error at the include */
            r->d->items[r->d->n - 1].span = *from, r->d->items[r->d->n - 1].has_span = true;
        return !cars_arena_failed(r->arena);
    }
    const char *real_copy = cars_arena_strdup(r->arena, real);
    uint32_t file;
    if (!real_copy || !add_source(r, path, real_copy, text, len, &file))
        return false;
    return parse_source(r, file, true);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool cars_is_source_path(const char *path)
{
    size_t l = strlen(path);
    return l > 5 && strcmp(path + l - 5, ".cars") == 0;
}

int cars_list_sources(const char *dir, cars_arena *a, char ***paths, size_t *n)
{
    *paths = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return errno ? errno : EIO;
    char **names = NULL;
    size_t count = 0, dl = strlen(dir);
    bool ok = true;
    struct dirent *de;
    while (ok && (de = readdir(d))) {
        if (de->d_name[0] == '.' || !cars_is_source_path(de->d_name))
            continue;
        size_t l = strlen(de->d_name);
        char *full = cars_arena_alloc(a, dl + l + 2);
        if (!full) {
            ok = false;
            break;
        }
        snprintf(full, dl + l + 2, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", de->d_name);
        char **nn = cars_vec_push(a, names, &count, &full, sizeof full);
        if (!nn)
            ok = false;
        else
            names = nn;
    }
    closedir(d);
    if (!ok)
        return -1;
    if (count > 1) /* names is NULL when count == 0: qsort's pointer must not be */
        qsort(names, count, sizeof *names, cmp_names);
    *paths = names;
    *n = count;
    return 0;
}

static bool read_dir(reader *r, const char *path)
{
    char **names;
    size_t n;
    int rc = cars_list_sources(path, r->arena, &names, &n);
    if (rc < 0)
        return false;
    if (rc > 0) {
        cars_error(r->d, NULL, NULL, "cannot read directory '%s': %s", path, strerror(rc));
        return true;
    }
    if (n == 0)
        cars_warning(r->d, NULL, NULL, "no .cars files in '%s'", path);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++)
        ok = read_file(r, names[i], NULL);
    return ok;
}

/* `include "x.cars"` from file ps->file: relative to that file's directory. */
/* An include's name among in-memory files: `path` joined to the including
 * file's directory, "." and ".." segments resolved; a path that leaves the
 * ruleset (or is absolute) by its last segment, as codegen names such a file
 * (relative_name in codegen.c). */
static char *mem_include_name(cars_arena *a, const char *from, const char *path)
{
    const char *slash = strrchr(from, '/');
    size_t dl = path[0] == '/' || !slash ? 0 : (size_t)(slash - from) + 1, pl = strlen(path);
    char *join = cars_arena_alloc(a, dl + pl + 1), *out = cars_arena_alloc(a, dl + pl + 1);
    if (!join || !out)
        return NULL;
    memcpy(join, from, dl);
    memcpy(join + dl, path, pl + 1);
    size_t o = 0;
    bool outside = path[0] == '/';
    for (const char *seg = join; *seg && !outside;) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            if (o == 0)
                outside = true;
            else
                while (o > 0 && out[--o] != '/')
                    ;
        } else if (n > 0 && !(n == 1 && seg[0] == '.')) {
            if (o > 0)
                out[o++] = '/';
            memcpy(out + o, seg, n);
            o += n;
        }
        seg += n + (end ? 1 : 0);
    }
    if (outside) {
        const char *base = strrchr(path, '/');
        return cars_arena_strdup(a, base ? base + 1 : path);
    }
    out[o] = '\0';
    return out;
}

static bool on_include(void *ctx, cars_pstate *ps, const char *path, const cars_span *span)
{
    reader *r = ctx;
    const char *from = r->ast->files[ps->file].path;
    if (r->mem) {
        char *name = mem_include_name(r->arena, from, path);
        return name && read_file(r, name, span);
    }
    const char *slash = strrchr(from, '/');
    char *full;
    if (path[0] == '/' || !slash) {
        full = cars_arena_strdup(r->arena, path);
    } else {
        size_t dl = (size_t)(slash - from) + 1, pl = strlen(path);
        full = cars_arena_alloc(r->arena, dl + pl + 1);
        if (full) {
            memcpy(full, from, dl);
            memcpy(full + dl, path, pl + 1);
        }
    }
    if (!full)
        return false;
    return read_file(r, full, span);
}

static bool parse_source(reader *r, uint32_t file, bool follow_includes)
{
    const cars_source *src = &r->ast->files[file];
    if (!valid_text(r->d, file, src->text, src->len))
        return true;
    cars_pstate ps;
    memset(&ps, 0, sizeof ps);
    ps.arena = r->arena;
    ps.d = r->d;
    ps.ast = r->ast;
    ps.file = file;
    ps.text = src->text;
    ps.len = src->len;
    if (follow_includes) {
        ps.include = on_include;
        ps.include_ctx = r;
    }
    r->open[r->nopen++] = file;
    bool ok = cars_parse_run(&ps);
    r->nopen--;
    return ok;
}

static cars_ast *start(reader *r, cars_arena *a, cars_diags *d)
{
    memset(r, 0, sizeof *r);
    r->arena = a;
    r->d = d;
    r->ast = cars_arena_alloc(a, sizeof *r->ast);
    return r->ast;
}

cars_ast *cars_parse_paths(const char *const *paths, size_t npaths, cars_arena *a, cars_diags *d)
{
    reader r;
    if (!start(&r, a, d))
        return NULL;
    bool ok = true;
    for (size_t i = 0; i < npaths && ok; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
            ok = read_dir(&r, paths[i]);
        else
            ok = read_file(&r, paths[i], NULL);
    }
    if (!ok || cars_arena_failed(a))
        return NULL;
    attach_comments(r.ast, a);
    return cars_arena_failed(a) ? NULL : r.ast;
}

cars_ast *cars_parse_texts(const cars_text_file *files, size_t n, cars_arena *a, cars_diags *d)
{
    reader r;
    if (!start(&r, a, d))
        return NULL;
    r.mem = files;
    r.nmem = n;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++)
        ok = read_file(&r, files[i].name, NULL);
    if (!ok || cars_arena_failed(a))
        return NULL;
    attach_comments(r.ast, a);
    return cars_arena_failed(a) ? NULL : r.ast;
}

cars_ast *cars_parse_file(const char *path, cars_arena *a, cars_diags *d)
{
    reader r;
    if (!start(&r, a, d))
        return NULL;
    size_t len;
    char *text = slurp(&r, path, &len);
    uint32_t file;
    if (!text)
        return cars_arena_failed(a) ? NULL : r.ast;
    if (!add_source(&r, path, path, text, len, &file))
        return NULL;
    if (!parse_source(&r, file, false) || cars_arena_failed(a))
        return NULL;
    attach_comments(r.ast, a);
    return cars_arena_failed(a) ? NULL : r.ast;
}

cars_ast *cars_parse_text(const char *name, const char *text, size_t len, cars_arena *a,
                          cars_diags *d)
{
    reader r;
    if (!start(&r, a, d))
        return NULL;
    char *copy = cars_arena_strndup(a, text, len); /* the scanner wants NUL-terminated text */
    uint32_t file;
    if (!copy || !add_source(&r, name, name, copy, len, &file))
        return NULL;
    if (len > cars_file_limit(CARS_FILE_RULES)) {
        cars_error(d, NULL, "split the ruleset into several files",
                   "rule file %s is larger than the 16 MiB limit for a rule file", name);
        return r.ast;
    }
    if (!parse_source(&r, file, false) || cars_arena_failed(a))
        return NULL;
    attach_comments(r.ast, a);
    return cars_arena_failed(a) ? NULL : r.ast;
}

/* compile.c - ruleset path -> verified program (see compile.h). */
#include "compile.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "alloc.h"
#include "bundle_write.h"
#include "codegen.h"
#include "date.h"
#include "fmt.h"
#include "parse.h"
#include "release.h"
#include "version.h"
#include "loader.h"
#include "parse.h"

bool cars_parse_day(const char *s, int64_t *days)
{
    return cars_date_parse(s, strlen(s), days);
}

/* The directory tables and source names are relative to. */
static const char *ruleset_dir(cars_arena *a, const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return path;
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ".";
    return cars_arena_strndup(a, path, slash == path ? 1 : (size_t)(slash - path));
}

/* The ruleset's title: the name of its directory (resolved, so "." works). */
static const char *base_name(cars_arena *a, const char *dir)
{
    char real[PATH_MAX];
    if (realpath(dir, real))
        dir = real;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    size_t start = n;
    while (start > 0 && dir[start - 1] != '/')
        start--;
    return cars_arena_strndup(a, dir + start, n - start);
}

/* The canonical text of file `i` without its examples and tests (and the
 * comments just before them): tests are not part of routing, and their
 * records may hold identifiers from the tables, which a release must not
 * disclose. Returns arena text, or NULL when out of memory. */
static char *routing_text(cars_compiled *out, uint32_t i, size_t *len)
{
    size_t n;
    char *text = cars_fmt_string(out->ast, i, &n);
    if (!text)
        return NULL;
    cars_arena scratch;
    cars_arena_init(&scratch);
    cars_diags d;
    cars_diags_init(&d);
    cars_ast *ast = cars_parse_text(out->ast->files[i].path, text, n, &scratch, &d);
    char *result = NULL;
    size_t nlines = 1, dropped = 0;
    for (size_t k = 0; k < n; k++)
        nlines += text[k] == '\n';
    /* start[l] = offset of line l (1-based); start[nlines + 1] = n */
    size_t *start = ast && d.errors == 0 ? cars_arena_alloc(&scratch, (nlines + 2) * sizeof *start) : NULL;
    bool *drop = start ? cars_arena_alloc(&scratch, (nlines + 2) * sizeof *drop) : NULL;
    char *buf = drop ? cars_arena_alloc(&out->arena, n + 100) : NULL;
    if (buf) {
        size_t l = 1;
        start[1] = 0;
        for (size_t k = 0; k < n; k++)
            if (text[k] == '\n' && l <= nlines)
                start[++l] = k + 1;
        for (size_t k = l + 1; k <= nlines + 1; k++)
            start[k] = n;
        for (size_t k = 0; k < ast->ndecls; k++) {
            const cars_decl *dc = &ast->decls[k];
            if (dc->kind != CARS_D_EXAMPLE)
                continue;
            uint32_t from = dc->ncomments ? dc->comments[0].span.line : dc->span.line;
            uint32_t to = dc->span.end_line;
            if (to < nlines && start[to + 2] - start[to + 1] <= 1) /* the blank line after it */
                to++;
            for (uint32_t x = from; x <= to && x <= nlines; x++)
                drop[x] = true;
            dropped++;
        }
        size_t w = 0;
        for (size_t x = 1; x <= nlines; x++)
            if (!drop[x]) {
                memcpy(buf + w, text + start[x], start[x + 1] - start[x]);
                w += start[x + 1] - start[x];
            }
        if (dropped)
            w += (size_t)snprintf(buf + w, 100, "%s# (%zu examples and tests are not carried in releases)\n",
                                  w ? "\n" : "", dropped);
        buf[w] = '\0';
        result = buf;
        *len = w;
    }
    cars_diags_free(&d);
    cars_arena_free(&scratch);
    cars_free(text);
    return result;
}

/* Digests of every source and table file, and the canonical text of every
 * source, for auditors (carsc inspect, decompile, diff). */
static bool add_audit_data(cars_compiled *out)
{
    const cars_ast *ast = out->ast;
    cars_program *p = &out->built;
    size_t n = ast->nfiles + p->ntables;
    p->digests = cars_arena_alloc(&out->arena, (n + 1) * sizeof *p->digests);
    p->source_text = cars_arena_alloc(&out->arena, (ast->nfiles + 1) * sizeof *p->source_text);
    if (!p->digests || !p->source_text)
        return false;
    for (size_t i = 0; i < ast->nfiles; i++) {
        cars_pdigest *d = &p->digests[i];
        d->name = p->source_names[i];
        crypto_generichash(d->digest, 32, (const uint8_t *)ast->files[i].text, ast->files[i].len, NULL, 0);
        size_t len;
        char *copy = routing_text(out, (uint32_t)i, &len);
        if (!copy || len > UINT32_MAX)
            return false;
        p->source_text[i] = (cars_str){copy, (uint32_t)len};
    }
    for (size_t t = 0; t < p->ntables; t++) {
        cars_pdigest *d = &p->digests[ast->nfiles + t];
        const char *file = ast->tables[t]->file;
        d->name = (cars_str){file, (uint32_t)strlen(file)};
        memcpy(d->digest, p->tables[t].digest, 32);
    }
    p->ndigests = (uint32_t)n;
    p->nsource_text = (uint32_t)ast->nfiles;
    return true;
}

bool cars_compile(const char *path, const cars_check_options *opt, const char *release_id,
                  cars_compiled *out)
{
    cars_release_opts rel = {.release_id = release_id, .channel = CARS_CHANNEL_TEST};
    return cars_compile_release(path, opt, &rel, out);
}

bool cars_compile_release(const char *path, const cars_check_options *opt, const cars_release_opts *rel,
                          cars_compiled *out)
{
    const char *release_id = rel->release_id ? rel->release_id : "dev";
    memset(out, 0, sizeof *out);
    cars_arena_init(&out->arena);
    cars_diags_init(&out->diags);
    const char *paths[1] = {path};
    out->ast = cars_parse_paths(paths, 1, &out->arena, &out->diags);
    bool ok = out->ast && out->diags.errors == 0;
    if (ok)
        ok = cars_check(out->ast, &out->arena, &out->diags, opt);
    const char *dir = ruleset_dir(&out->arena, path);
    out->dir = dir;
    if (ok && dir)
        ok = cars_codegen(out->ast, dir, &out->built, &out->arena, &out->diags, !rel->no_index);
    cars_diags_sort(&out->diags);
    if (!ok) {
        if (out->diags.errors == 0)
            snprintf(out->error, sizeof out->error, "out of memory");
        return false;
    }
    const char *title = base_name(&out->arena, dir);
    out->built.release_id = (cars_str){release_id, (uint32_t)strlen(release_id)};
    out->built.ruleset_title = (cars_str){title ? title : "", title ? (uint32_t)strlen(title) : 0};
    out->built.compiler_version = (cars_str){"carsc " CARS_VERSION, (uint32_t)strlen("carsc " CARS_VERSION)};
    out->built.sequence = rel->sequence;
    out->built.channel = rel->channel;
    bool always = rel->valid_from == 0 && rel->valid_until == 0;
    out->built.valid_from = always ? CARS_DATE_MIN : rel->valid_from;
    out->built.valid_until = always ? CARS_DATE_MAX : rel->valid_until;
    if (!add_audit_data(out)) {
        snprintf(out->error, sizeof out->error, "out of memory");
        return false;
    }
    if (!cars_bundle_write(&out->built, &out->bytes, &out->len)) {
        snprintf(out->error, sizeof out->error, "cannot write the bundle (out of memory or too large)");
        return false;
    }
    char err[200];
    int rc = cars_bundle_load(out->bytes, out->len, &out->loaded, err, sizeof err);
    if (rc != 0) {
        snprintf(out->error, sizeof out->error, "internal error: the compiled bundle does not load: %s",
                 err);
        return false;
    }
    out->has_loaded = true;
    return true;
}

void cars_compiled_free(cars_compiled *c)
{
    if (c->has_loaded)
        cars_program_free(&c->loaded);
    cars_free(c->bytes);
    cars_diags_free(&c->diags);
    cars_arena_free(&c->arena);
    memset(c, 0, sizeof *c);
}

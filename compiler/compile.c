/* compile.c - ruleset path -> verified program (see compile.h). */
#include "compile.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "alloc.h"
#include "bundle.h"
#include "bundle_write.h"
#include "codegen.h"
#include "date.h"
#include "fmt.h"
#include "parse.h"
#include "release.h"
#include "seal.h"
#include "version.h"
#include "loader.h"

const char *cars_ruleset_dir(cars_arena *a, const char *path)
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

/* Parses, checks and compiles the ruleset at `path` into out->built, with
 * the release metadata and the audit data (digests, canonical text). */
static bool compile_tree(const char *path, const cars_check_options *opt, const cars_release_opts *rel,
                         cars_compiled *out, cars_expr_map *map)
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
    const char *dir = cars_ruleset_dir(&out->arena, path);
    out->dir = dir;
    if (ok && dir)
        ok = map ? cars_codegen_mapped(out->ast, dir, NULL, &out->built, &out->arena, &out->diags, !rel->no_index, map)
                 : cars_codegen(out->ast, dir, &out->built, &out->arena, &out->diags, !rel->no_index);
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
    out->built.tests = rel->tests;
    bool always = rel->valid_from == 0 && rel->valid_until == 0;
    out->built.valid_from = always ? CARS_DATE_MIN : rel->valid_from;
    out->built.valid_until = always ? CARS_DATE_MAX : rel->valid_until;
    if (!add_audit_data(out)) {
        snprintf(out->error, sizeof out->error, "out of memory");
        return false;
    }
    return true;
}

/* Loads and verifies out->bytes exactly as carsvm will. */
static bool load_bytes(cars_compiled *out)
{
    char err[200];
    int rc = cars_bundle_load(out->bytes, out->len, &out->loaded, err, sizeof err);
    if (rc != 0) {
        snprintf(out->error, sizeof out->error, "internal error: the compiled bundle does not load: %s", err);
        return false;
    }
    out->has_loaded = true;
    return true;
}

bool cars_compile_mapped(const char *path, const cars_check_options *opt, const char *release_id,
                         cars_compiled *out, cars_expr_map *map)
{
    cars_release_opts rel = {.release_id = release_id, .channel = CARS_CHANNEL_TEST};
    if (!compile_tree(path, opt, &rel, out, map))
        return false;
    if (!cars_bundle_write(&out->built, &out->bytes, &out->len)) {
        snprintf(out->error, sizeof out->error, "cannot write the bundle (out of memory or too large)");
        return false;
    }
    return load_bytes(out);
}

bool cars_compile(const char *path, const cars_check_options *opt, const char *release_id,
                  cars_compiled *out)
{
    return cars_compile_mapped(path, opt, release_id, out, NULL);
}

/* ---- a release is compiled from the text it carries -------------------------- */

/* The first diagnostic of d, for an internal error message. */
static const char *first_message(const cars_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].sev == CARS_SEV_ERROR)
            return d->items[i].message;
    return "out of memory";
}

static bool same_str(cars_str a, cars_str b) { return a.len == b.len && (!a.len || memcmp(a.p, b.p, a.len) == 0); }

/* A sealed release's titles are not in its bytes in the clear, so the byte
 * comparison cannot see them: they must be those its text gives. */
static bool same_titles(const cars_program *p, const cars_program *from)
{
    bool same = p->nrules == from->nrules && p->nthresholds == from->nthresholds && p->ntables == from->ntables;
    for (uint32_t i = 0; same && i < p->nrules; i++)
        same = same_str(p->rules[i].title, from->rules[i].title);
    for (uint32_t i = 0; same && i < p->nthresholds; i++)
        same = same_str(p->thresholds[i].title, from->thresholds[i].title);
    for (uint32_t i = 0; same && i < p->ntables; i++)
        same = same_str(p->tables[i].title, from->tables[i].title);
    return same;
}

/* Compiles the canonical source text that `from` carries (a release, or the
 * program its original sources gave) into bundle bytes: the sources are
 * parsed from memory as a ruleset, checked, and compiled with `from`'s
 * tables; the release metadata, file digests and carried text are `from`'s.
 * A release is a function of exactly what it carries, so this gives its
 * bytes again, which is how an auditor's tools check a release. */
static bool compile_carried(const cars_program *from, cars_arena *a, uint8_t **bytes, size_t *len, char *err,
                            size_t errlen, cars_ast **ast_out, cars_expr_map *map)
{
    *bytes = NULL;
    if (from->nsources == 0 || from->nsource_text != from->nsources) {
        snprintf(err, errlen, "it carries no source text");
        return false;
    }
    cars_text_file *files = cars_arena_alloc(a, from->nsources * sizeof *files);
    if (!files) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    for (uint32_t i = 0; i < from->nsources; i++) {
        char *name = cars_arena_strndup(a, from->source_names[i].p, from->source_names[i].len);
        if (!name) {
            snprintf(err, errlen, "out of memory");
            return false;
        }
        files[i] = (cars_text_file){name, from->source_text[i].p, from->source_text[i].len};
    }
    cars_diags d;
    cars_diags_init(&d);
    cars_check_options opt = {.carried = true}; /* review dates do not change the code */
    cars_ast *ast = cars_parse_texts(files, from->nsources, a, &d);
    bool ok = ast && d.errors == 0 && cars_check(ast, a, &d, &opt);
    cars_program p;
    memset(&p, 0, sizeof p);
    /* a release without stage indexes was built with --no-index: one with
     * no stage large enough to index has none either way */
    ok = ok && (map ? cars_codegen_mapped(ast, NULL, from, &p, a, &d, from->nindexes > 0, map)
                    : cars_codegen_carried(ast, from, &p, a, &d, from->nindexes > 0));
    if (ast_out)
        *ast_out = ast;
    if (!ok) {
        snprintf(err, errlen, "its source text does not compile: %s", first_message(&d));
        cars_diags_free(&d);
        return false;
    }
    cars_diags_free(&d);
    p.release_id = from->release_id;
    p.ruleset_title = from->ruleset_title;
    p.compiler_version = from->compiler_version;
    p.sequence = from->sequence;
    p.channel = from->channel;
    p.tests = from->tests;
    if (from->version == CARS_BUNDLE_VERSION_KINDS || from->version == CARS_BUNDLE_VERSION_TESTS)
        p.version = from->version; /* format 3 and 4 are format 5 without says and sealed text */
    p.valid_from = from->valid_from;
    p.valid_until = from->valid_until;
    p.digests = from->digests;
    p.ndigests = from->ndigests;
    p.source_text = from->source_text;
    p.nsource_text = from->nsource_text;
    p.sealed = from->sealed; /* taken as it is, like the table hashes: sealing is random */
    p.sealed_len = from->sealed_len;
    if (from->sealed_len && !same_titles(&p, from)) {
        snprintf(err, errlen, "its sealed titles are not the ones its sealed source text gives");
        return false;
    }
    if (!cars_bundle_write(&p, bytes, len)) {
        snprintf(err, errlen, "cannot write the bundle (out of memory or too large)");
        return false;
    }
    return true;
}

/* Where byte `off` of a loaded bundle lies: its section's name, and for
 * code, the rule whose block holds it ("rule PRF-001"), in `where`. */
static void locate(const cars_program *p, const uint8_t *b, size_t len, size_t off, char *where, size_t n)
{
    static const char *const names[CARS_SEC__COUNT + 1] = {
        "?",
#define S(id, name, text) text,
        CARS_SECTIONS(S)
#undef S
    };
    uint32_t nsec = cars_rd32(b + 24); /* the bundle loaded: its table is sound */
    for (uint32_t i = 0; i < nsec && i < CARS_SEC__COUNT && len >= CARS_BUNDLE_HEADER; i++) {
        const uint8_t *e = b + CARS_BUNDLE_HEADER + (size_t)i * CARS_BUNDLE_SECENTRY;
        uint64_t at = cars_rd64(e + 8), sz = cars_rd64(e + 16);
        if (off < at || off - at >= sz)
            continue;
        int w = snprintf(where, n, "section '%s'", names[i + 1]);
        uint64_t rel = off - at;
        for (uint32_t r = 0; w > 0 && i + 1 == CARS_SEC_CODE && r < p->nrules; r++) {
            const cars_pblock *bl = &p->blocks[p->rules[r].block];
            if (rel >= bl->offset && rel - bl->offset < bl->len)
                snprintf(where + w, n - (size_t)w, ", in the code of rule %.*s",
                         (int)(p->rules[r].id.len > 64 ? 64 : p->rules[r].id.len), p->rules[r].id.p);
        }
        return;
    }
    snprintf(where, n, "%s", off < CARS_BUNDLE_HEADER + (size_t)nsec * CARS_BUNDLE_SECENTRY ? "the header"
                                                                                            : "padding");
}

int cars_release_recompile(const uint8_t *bytes, size_t len, const cars_program *p, char *err, size_t errlen)
{
    cars_arena a;
    cars_arena_init(&a);
    uint8_t *again;
    size_t n;
    char why[400];
    int rc = 0;
    if (!compile_carried(p, &a, &again, &n, why, sizeof why, NULL, NULL)) {
        snprintf(err, errlen, "%s", why);
        rc = -1;
    } else if (n != len || memcmp(again, bytes, len) != 0) {
        size_t off = 0;
        while (off < n && off < len && again[off] == bytes[off])
            off++;
        char where[160];
        locate(p, bytes, len, off, where, sizeof where);
        const char *ours = "carsc " CARS_VERSION;
        bool same = p->compiler_version.len == strlen(ours) &&
                    memcmp(p->compiler_version.p, ours, p->compiler_version.len) == 0;
        snprintf(err, errlen, "its bytes are not what its source text compiles to (byte %zu differs, %s)%s%.*s%s",
                 off, where, same ? "" : "; it was built by ",
                 same ? 0 : (int)(p->compiler_version.len > 64 ? 64 : p->compiler_version.len),
                 p->compiler_version.p,
                 same ? "" : " and this is carsc " CARS_VERSION ": check it with the compiler that built it");
        rc = -1;
    }
    cars_free(again);
    cars_arena_free(&a);
    return rc;
}

bool cars_compile_release(const char *path, const cars_check_options *opt, const cars_release_opts *rel,
                          cars_compiled *out)
{
    if (!compile_tree(path, opt, rel, out, NULL))
        return false;
    char why[400];
    const uint8_t *plain = NULL;
    size_t plain_len = 0;
    if (rel->naudit &&
        !cars_seal_program(&out->built, rel->audit, rel->naudit, &out->arena, &plain, &plain_len, why, sizeof why)) {
        snprintf(out->error, sizeof out->error, "%s", why);
        return false;
    }
    /* the release is compiled from the canonical text it will carry, with
     * the tables just read: what an auditor reads is what runs */
    if (!compile_carried(&out->built, &out->arena, &out->bytes, &out->len, why, sizeof why, NULL, NULL)) {
        snprintf(out->error, sizeof out->error, "internal error: the release cannot be built from its canonical text: %s", why);
        return false;
    }
    if (!load_bytes(out))
        return false;
    if (plain && !cars_seal_fill(&out->loaded, plain, plain_len)) { /* as an audit key would open it */
        snprintf(out->error, sizeof out->error, "internal error: the sealed text does not fit the release");
        return false;
    }
    if (cars_release_recompile(out->bytes, out->len, &out->loaded, why, sizeof why) != 0) {
        snprintf(out->error, sizeof out->error, "internal error: the release does not recompile from its own text: %s", why);
        return false;
    }
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

bool cars_release_mapped(const uint8_t *bytes, size_t len, const cars_program *p, cars_arena *a, cars_ast **ast,
                         cars_expr_map *map, char *err, size_t errlen)
{
    uint8_t *again;
    size_t n;
    bool ok = compile_carried(p, a, &again, &n, err, errlen, ast, map);
    if (ok && (n != len || memcmp(again, bytes, len) != 0)) {
        snprintf(err, errlen, "its bytes are not what its source text compiles to");
        ok = false;
    }
    cars_free(again);
    return ok;
}

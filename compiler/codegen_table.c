/* codegen_table.c - reads the bulk data tables of a ruleset (CSV files beside
 * it) into the program: each row's key columns are normalised and hashed
 * exactly as the VM will normalise and hash a record's values
 * (vm/normalise.h); the hashes are sorted and deduplicated.
 *
 * CSV: RFC 4180 style (comma separated, optional double quotes with ""
 * inside), LF or CRLF line ends, an optional UTF-8 byte order mark, blank
 * lines ignored. The header row must name exactly the declared key columns,
 * in order.
 *
 * Every key cell must be valid UTF-8 (the normalisation is defined on
 * code points: vm/normalise.h).
 *
 * Keys: each file's digest is BLAKE2b-256 of its bytes. The 16-byte table
 * key is the first 16 bytes of BLAKE2b-256 over, for every table in
 * declaration order, the file's length (8 bytes, little-endian) followed by
 * its bytes: the same files give the same key, so builds are reproducible.
 *
 * Limits (every count fits its field, nothing wraps): a table file is at
 * most MAX_FILE bytes, so its line and column counters (u32, from 1) stay
 * below 2^32; a table holds at most MAX_ENTRIES distinct entries, the most
 * the bundle's table_hashes section (u32 length, 8 bytes an entry) can
 * hold, so the u32 hash count is exact. Each is an error naming the file.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "bundle.h"
#include "readfile.h"
#include "codegen.h"
#include "normalise.h"
#include "utf8.h"

#define MAX_FILE ((size_t)UINT32_MAX - 1)
#define MAX_ENTRIES ((size_t)UINT32_MAX / 8)

typedef struct tfile {
    const char *text;
    size_t len;
    uint32_t src; /* its index in d->files */
} tfile;

/* Reads a whole table file (a regular file, at most 512 MiB) into the
 * arena; NULL with the reason in `why` on failure. */
static char *read_file(cars_arena *a, const char *path, size_t *len, char *why, size_t whylen)
{
    size_t n;
    uint8_t *buf = cars_read_file(path, CARS_FILE_TABLE, &n, why, whylen);
    char *copy = buf ? cars_arena_strndup(a, (const char *)buf, n) : NULL;
    if (buf && !copy)
        snprintf(why, whylen, "out of memory reading table file %s", path);
    cars_free(buf);
    if (copy)
        *len = n;
    return copy;
}

static char *join_path(cars_arena *a, const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = cars_arena_alloc(a, n);
    if (p)
        snprintf(p, n, "%s/%s", dir, file);
    return p;
}

/* ---- CSV ------------------------------------------------------------------ */

typedef struct csv {
    const char *p, *end;
    uint32_t line, col; /* of p */
} csv;

typedef struct cell {
    char *text; /* unquoted, in the arena */
    size_t len;
    uint32_t line, col;
} cell;

static void csv_adv(csv *c)
{
    if (*c->p == '\n') {
        c->line++;
        c->col = 1;
    } else
        c->col++;
    c->p++;
}

/* An upper bound of a cell's decoded length: its raw length. */
static size_t cell_extent(const char *p, const char *end)
{
    const char *q = p;
    if (q < end && *q == '"') {
        for (q++; q < end; q++)
            if (*q == '"' && !(q + 1 < end && q[1] == '"'))
                break;
            else if (*q == '"')
                q++;
        return (size_t)(q - p);
    }
    while (q < end && *q != ',' && *q != '\n' && *q != '\r')
        q++;
    return (size_t)(q - p);
}

/* Reads one cell; returns false on a malformed quote (with *why). */
static bool csv_cell(csv *c, cars_arena *a, cell *out, const char **why)
{
    out->line = c->line;
    out->col = c->col;
    char *buf = cars_arena_alloc(a, cell_extent(c->p, c->end) + 1);
    size_t n = 0;
    if (!buf)
        return false;
    if (c->p < c->end && *c->p == '"') {
        csv_adv(c);
        for (;;) {
            if (c->p >= c->end) {
                *why = "unterminated quoted value";
                return false;
            }
            if (*c->p == '"') {
                csv_adv(c);
                if (c->p < c->end && *c->p == '"') {
                    buf[n++] = '"';
                    csv_adv(c);
                    continue;
                }
                break;
            }
            buf[n++] = *c->p;
            csv_adv(c);
        }
        if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
            *why = "unexpected text after a quoted value";
            return false;
        }
    } else {
        while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
            if (*c->p == '"') {
                *why = "a quote inside an unquoted value";
                return false;
            }
            buf[n++] = *c->p;
            csv_adv(c);
        }
    }
    out->text = buf;
    out->len = n;
    return true;
}

/* Reads one row into cells (at most max, counting all in *n). Returns -1 at
 * the end of the file, 0 for a row, 1 for a malformed row. */
static int csv_row(csv *c, cars_arena *a, cell *cells, size_t max, size_t *n, const char **why)
{
    while (c->p < c->end && (*c->p == '\n' || *c->p == '\r'))
        csv_adv(c); /* blank lines */
    if (c->p >= c->end)
        return -1;
    *n = 0;
    for (;;) {
        cell tmp;
        if (!csv_cell(c, a, &tmp, why)) {
            cells[0].line = c->line;
            cells[0].col = c->col;
            return 1;
        }
        if (*n < max)
            cells[*n] = tmp;
        (*n)++;
        if (c->p < c->end && *c->p == ',') {
            csv_adv(c);
            continue;
        }
        break;
    }
    if (c->p < c->end && *c->p == '\r')
        csv_adv(c);
    if (c->p < c->end && *c->p == '\n')
        csv_adv(c);
    return 0;
}

/* ---- one table --------------------------------------------------------------- */

static cars_span at(const tfile *tf, uint32_t line, uint32_t col, size_t len)
{
    cars_span s = {tf->src, line, col, line, col + (len ? (uint32_t)len - 1 : 0)};
    return s;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static bool check_header(const cars_table *t, const tfile *tf, const cell *cells, size_t n,
                         int rc, cars_diags *d)
{
    bool ok = rc == 0 && n == t->nkeys;
    for (size_t i = 0; ok && i < n; i++)
        ok = strlen(t->key_names[i]) == cells[i].len &&
             memcmp(t->key_names[i], cells[i].text, cells[i].len) == 0;
    if (!ok) {
        char want[256] = "";
        for (size_t i = 0; i < t->nkeys; i++) {
            size_t used = strlen(want);
            snprintf(want + used, sizeof want - used, "%s%s", i ? "," : "", t->key_names[i]);
        }
        cars_span s = at(tf, 1, 1, 1);
        char hint[sizeof want + 100];
        snprintf(hint, sizeof hint, "make the first row of the file '%s': the key columns declared in 'key', in order",
                 want);
        cars_error(d, &s, hint, "the header row of table '%s' must be '%s'", t->name, want);
    }
    return ok;
}

/* Checks and normalises one key cell (with the rules of the format carsc
 * writes; a contact cell by its own value); returns its normalised length,
 * or (size_t)-1 after reporting it. */
static size_t norm_cell(const cars_table *t, size_t k, const tfile *tf, cell *c, cars_diags *d)
{
    cars_span s = at(tf, c->line, c->col, c->len);
    size_t bad = cars_utf8_check(c->text, c->len);
    if (bad < c->len) {
        cars_error(d, &s, "save the table as UTF-8",
                   "the value in column '%s' is not valid UTF-8 (byte %zu of it is 0x%02x)",
                   t->key_names[k], bad + 1, (unsigned)(unsigned char)c->text[bad]);
        return (size_t)-1;
    }
    size_t n = cars_normalise(CARS_BUNDLE_VERSION, (int)t->key_kinds[k], c->text, c->len, c->text);
    if (t->key_kinds[k] == CARS_K_COUNTRY) {
        bool ok = n == 3;
        for (size_t i = 0; ok && i < 3; i++)
            ok = c->text[i] >= 'A' && c->text[i] <= 'Z';
        if (!ok) {
            cars_error(d, &s, "country codes are three upper-case letters, e.g. USA",
                       "'%.*s' is not a country code", (int)c->len, c->text);
            return (size_t)-1;
        }
    }
    if (n == 0) {
        cars_error(d, &s, NULL, "empty key in column '%s'", t->key_names[k]);
        return (size_t)-1;
    }
    return n;
}

static bool load_rows(const cars_table *t, const tfile *tf, const uint8_t key[16],
                      cars_ptable *pt, cars_arena *a, cars_diags *d)
{
    csv c = {tf->text, tf->text + tf->len, 1, 1};
    if (tf->len >= 3 && memcmp(tf->text, "\xEF\xBB\xBF", 3) == 0)
        c.p += 3;
    cell cells[2];
    size_t n = 0, cap = 0, count = 0;
    const char *why = NULL;
    uint64_t *hashes = NULL;
    bool ok = check_header(t, tf, cells, n, csv_row(&c, a, cells, 2, &n, &why), d);
    for (int rc; ok && (rc = csv_row(&c, a, cells, 2, &n, &why)) >= 0;) {
        cars_span s = at(tf, cells[0].line, cells[0].col, 1);
        if (rc == 1 || n != t->nkeys) {
            if (rc == 1)
                cars_error(d, &s, NULL, "%s", why);
            else
                cars_error(d, &s, NULL, "this row has %zu column%s; table '%s' has %zu", n,
                           n == 1 ? "" : "s", t->name, t->nkeys);
            ok = false;
            break;
        }
        const char *cols[2];
        size_t lens[2];
        for (size_t k = 0; ok && k < n; k++) {
            lens[k] = norm_cell(t, k, tf, &cells[k], d);
            cols[k] = cells[k].text;
            ok = lens[k] != (size_t)-1;
        }
        if (!ok)
            break;
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            hashes = cars_arena_grow(a, hashes, count, ncap, sizeof *hashes);
            if (!hashes)
                return false;
            cap = ncap;
        }
        hashes[count++] = cars_table_hash(key, cols, lens, n);
    }
    if (!ok)
        return false;
    if (count)
        qsort(hashes, count, sizeof *hashes, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < count; i++)
        if (u == 0 || hashes[u - 1] != hashes[i])
            hashes[u++] = hashes[i];
    if (u > MAX_ENTRIES) {
        cars_span s = at(tf, 1, 1, 1);
        cars_error(d, &s, "split the table, or keep fewer entries",
                   "table '%s' has %zu distinct entries; a release holds at most %zu", t->name, u,
                   MAX_ENTRIES);
        return false;
    }
    pt->n = (uint32_t)u;
    pt->hashes = hashes;
    return true;
}

static cars_str str_of(const char *s)
{
    cars_str r = {s ? s : "", s ? (uint32_t)strlen(s) : 0};
    return r;
}

/* Registers the table files as sources, so their diagnostics show the line. */
static bool add_sources(cars_diags *d, cars_arena *a, tfile *files, const cars_ast *ast,
                        const char *const *paths)
{
    cars_source *src = cars_arena_alloc(a, (d->nfiles + ast->ntables + 1) * sizeof *src);
    if (!src)
        return false;
    if (d->nfiles)
        memcpy(src, d->files, d->nfiles * sizeof *src);
    for (size_t i = 0; i < ast->ntables; i++) {
        files[i].src = (uint32_t)(d->nfiles + i);
        src[d->nfiles + i] = (cars_source){paths[i], files[i].text, files[i].len};
    }
    d->files = src;
    d->nfiles += ast->ntables;
    return true;
}

bool cars_codegen_tables_from(const cars_ast *ast, const cars_program *from, cars_program *out, cars_arena *a,
                              cars_diags *d)
{
    out->tables = cars_arena_alloc(a, (ast->ntables + 1) * sizeof *out->tables);
    if (!out->tables)
        return false;
    memcpy(out->table_key, from->table_key, 16);
    bool ok = true;
    for (size_t i = 0; i < ast->ntables; i++) {
        const cars_table *t = ast->tables[i];
        cars_ptable *pt = &out->tables[i];
        const cars_ptable *src = NULL;
        size_t nl = strlen(t->name);
        for (uint32_t k = 0; k < from->ntables && !src; k++)
            if (from->tables[k].name.len == nl && memcmp(from->tables[k].name.p, t->name, nl) == 0)
                src = &from->tables[k];
        if (!src) {
            cars_error(d, &t->span, NULL, "table '%s' is declared but the release has no such table", t->name);
            ok = false;
            continue;
        }
        pt->name = str_of(t->name);
        pt->title = str_of(t->title);
        pt->nkeys = (uint8_t)t->nkeys;
        for (size_t k = 0; k < t->nkeys && k < 2; k++) {
            pt->key_kinds[k] = (uint8_t)t->key_kinds[k];
            pt->key_names[k] = str_of(t->key_names[k]);
        }
        memcpy(pt->digest, src->digest, 32);
        pt->n = src->n;
        pt->hashes = src->hashes;
    }
    out->ntables = (uint32_t)ast->ntables;
    return ok;
}

bool cars_codegen_tables(const cars_ast *ast, const char *dir, cars_program *out, cars_arena *a,
                         cars_diags *d)
{
    if (sodium_init() < 0)
        return false;
    tfile *files = cars_arena_alloc(a, (ast->ntables + 1) * sizeof *files);
    const char **paths = cars_arena_alloc(a, (ast->ntables + 1) * sizeof *paths);
    out->tables = cars_arena_alloc(a, (ast->ntables + 1) * sizeof *out->tables);
    if (!files || !paths || !out->tables)
        return false;
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    bool ok = true;
    for (size_t i = 0; i < ast->ntables; i++) {
        const cars_table *t = ast->tables[i];
        paths[i] = join_path(a, dir, t->file);
        char why[600] = "out of memory";
        files[i].text = paths[i] ? read_file(a, paths[i], &files[i].len, why, sizeof why) : NULL;
        if (!files[i].text) {
            cars_error(d, &t->file_span, "the path in 'file' is relative to the ruleset's directory",
                       "%s", why);
            files[i].text = "";
            ok = false;
            continue;
        }
        if (files[i].len > MAX_FILE) {
            cars_error(d, &t->file_span, "split the table into several files",
                       "table file '%s' has %zu bytes; at most %zu are read", t->file,
                       files[i].len, MAX_FILE);
            files[i].text = "";
            files[i].len = 0;
            ok = false;
            continue;
        }
        uint8_t len8[8];
        for (int b = 0; b < 8; b++)
            len8[b] = (uint8_t)((uint64_t)files[i].len >> (8 * b));
        crypto_generichash_update(&st, len8, 8);
        crypto_generichash_update(&st, (const unsigned char *)files[i].text, files[i].len);
    }
    uint8_t full[32];
    crypto_generichash_final(&st, full, 32);
    memcpy(out->table_key, full, 16);
    if (!ok || !add_sources(d, a, files, ast, paths))
        return false;
    for (size_t i = 0; i < ast->ntables; i++) {
        const cars_table *t = ast->tables[i];
        cars_ptable *pt = &out->tables[i];
        pt->name = str_of(t->name);
        pt->title = str_of(t->title);
        pt->nkeys = (uint8_t)t->nkeys;
        for (size_t k = 0; k < t->nkeys && k < 2; k++) {
            pt->key_kinds[k] = (uint8_t)t->key_kinds[k];
            pt->key_names[k] = str_of(t->key_names[k]);
        }
        crypto_generichash(pt->digest, 32, (const unsigned char *)files[i].text, files[i].len,
                           NULL, 0);
        if (!load_rows(t, &files[i], out->table_key, pt, a, d))
            ok = false;
    }
    out->ntables = (uint32_t)ast->ntables;
    return ok;
}

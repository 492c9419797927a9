/* cmd_audit.c - reading releases back, for auditors:
 *   carsc decompile FILE.carsb   the ruleset as canonical source text
 *   carsc diff OLD NEW           what changed between two releases (or trees)
 * A release carries the canonical (`carsc fmt`) text of every source file
 * it was compiled from (without its examples and tests), signed with the
 * rest, the digest and entry count of every table, and what its tests gave
 * when it was built; both commands read those. A source tree gives diff its
 * examples and tests too. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "commands.h"
#include "compile.h"
#include "fmt.h"
#include "jsonw.h"
#include "loader.h"
#include "parse.h"
#include "release.h"

/* A release opened for reading back: a bundle, or a source tree compiled. */
typedef struct opened {
    uint8_t *bytes;       /* bundle bytes, if a bundle */
    cars_program prog;    /* loaded (bundle) */
    cars_compiled comp;   /* compiled (tree) */
    bool is_tree;
    const cars_program *p;
} opened;


static bool open_release(const char *path, opened *o, const char *cmd)
{
    memset(o, 0, sizeof *o);
    struct stat st;
    if (stat(path, &st) == 0 && (S_ISDIR(st.st_mode) || cars_is_source_path(path))) {
        o->is_tree = true;
        cars_check_options opt = {0};
        if (!cars_compile(path, &opt, "source", &o->comp)) {
            cars_report_compile(&o->comp, false);
            cars_compiled_free(&o->comp);
            return false;
        }
        o->p = &o->comp.loaded;
        return true;
    }
    size_t len;
    o->bytes = cars_read_release_checked(path, &o->prog, &len, cmd);
    if (!o->bytes)
        return false;
    o->p = &o->prog;
    return true;
}

static void close_release(opened *o)
{
    if (o->is_tree) {
        cars_compiled_free(&o->comp);
    } else {
        cars_program_free(&o->prog);
        cars_free(o->bytes);
    }
}


/* ---- decompile ---------------------------------------------------------- */

int cars_cmd_decompile(int argc, char **argv)
{
    if (!cars_audit_secret_arg(&argc, argv, "decompile"))
        return CARS_EXIT_USAGE;
    const char *path = NULL, *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--file") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else
            path = NULL, i = argc;
    }
    if (!path) {
        fprintf(stderr, "usage: carsc decompile [--file NAME] FILE.carsb\n");
        return CARS_EXIT_USAGE;
    }
    opened o;
    if (!open_release(path, &o, "decompile"))
        return CARS_EXIT_ERRORS;
    const cars_program *p = o.p;
    int status = CARS_EXIT_OK;
    if (p->nsource_text != p->nsources) {
        fprintf(stderr, "carsc decompile: %s carries no source text\n", path);
        status = CARS_EXIT_ERRORS;
    }
    bool found = false;
    for (uint32_t i = 0; status == CARS_EXIT_OK && i < p->nsources; i++) {
        const cars_str *name = &p->source_names[i];
        if (only) {
            if (strlen(only) != name->len || memcmp(only, name->p, name->len) != 0)
                continue;
            fwrite(p->source_text[i].p, 1, p->source_text[i].len, stdout);
            found = true;
            continue;
        }
        printf("%s# ==== %.*s ====\n", i ? "\n" : "", (int)name->len, name->p);
        fwrite(p->source_text[i].p, 1, p->source_text[i].len, stdout);
    }
    if (only && !found && status == CARS_EXIT_OK) {
        fprintf(stderr, "carsc decompile: %s has no source file '%s'\n", path, only);
        status = CARS_EXIT_ERRORS;
    }
    if (!only && status == CARS_EXIT_OK && p->ntables) {
        printf("\n# ==== tables (carried as keyed hashes, not identifiers) ====\n");
        for (uint32_t t = 0; t < p->ntables; t++) {
            char h[65];
            cars_hex(p->tables[t].digest, 32, h);
            printf("# %.*s: %u entries, BLAKE2b-256 of its file %s\n", (int)p->tables[t].name.len,
                   p->tables[t].name.p, p->tables[t].n, h);
        }
    }
    close_release(&o);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "carsc decompile: cannot write the output: %s\n", strerror(errno));
        return CARS_EXIT_ERRORS;
    }
    return status;
}

/* ---- diff --------------------------------------------------------------- */

/* One declaration of a release: what it is, its key, its canonical text. */
typedef struct decl_text {
    char key[160];   /* e.g. "profile PRF-001", "table false_documents" */
    const char *kind; /* "profile", "table", ... "single (complex)" */
    const char *name; /* its id or name; NULL for the schema and the routing */
    const char *title; /* rules, tables, thresholds: their title */
    const char *text;
    size_t len;
} decl_text;

typedef struct decl_set {
    cars_arena arena;
    decl_text *d;
    size_t n;
} decl_set;

/* A rule's kind in the words of carsc diff's output, the two singles told
 * apart and the multiple named as what it makes: on purpose neither the
 * keyword (cars_rule_keyword, ast.h) nor the program's name for the kind
 * (vm/names.h), and changing it would change what diff prints. */
static const char *rule_kind_name(cars_rule_kind k)
{
    static const char *const names[] = {"exclusion", "screen", "profile",
                                        "single (complex)", "single (non-complex)", "multiple PCA"};
    return (unsigned)k < 6 ? names[k] : "rule";
}

static void decl_key(const cars_decl *dc, decl_text *dt)
{
    const char *kind = NULL, *name = NULL;
    switch (dc->kind) {
    case CARS_D_SCHEMA: kind = "schema"; break;
    case CARS_D_SET: kind = "set", name = ((cars_set *)dc->node)->name; break;
    case CARS_D_LET: kind = "definition", name = ((cars_let *)dc->node)->name; break;
    case CARS_D_TABLE: kind = "table", name = ((cars_table *)dc->node)->name; break;
    case CARS_D_RULE: kind = rule_kind_name(((cars_rule *)dc->node)->kind), name = ((cars_rule *)dc->node)->id; break;
    case CARS_D_THRESHOLD: kind = "threshold", name = ((cars_threshold *)dc->node)->id; break;
    case CARS_D_ROUTING: kind = "routing"; break;
    case CARS_D_EXAMPLE: {
        const cars_example *e = dc->node;
        kind = e->is_test ? "test" : "example";
        name = e->name;
        break;
    }
    default: break;
    }
    dt->kind = kind ? kind : "";
    dt->name = name;
    if (dc->kind == CARS_D_EXAMPLE)
        snprintf(dt->key, sizeof dt->key, "%s \"%s\"", kind, name);
    else if (name)
        snprintf(dt->key, sizeof dt->key, "%s %s", kind, name);
    else
        snprintf(dt->key, sizeof dt->key, "%s", dt->kind);
}

/* The text of lines [from, to] (1-based) of src. */
static const char *line_range(const char *src, size_t len, uint32_t from, uint32_t to, size_t *out_len)
{
    const char *p = src, *end = src + len, *start = NULL;
    for (uint32_t line = 1; p <= end; line++) {
        if (line == from)
            start = p;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (line == to) {
            *out_len = (size_t)((nl ? nl + 1 : end) - start);
            return start;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    *out_len = 0;
    return start ? start : src;
}

/* The canonical text of source file i: for a tree, as `carsc fmt` prints
 * it (examples and tests included); for a release, the text it carries. */
static const char *source_text(const opened *o, uint32_t i, cars_arena *a, size_t *len)
{
    if (!o->is_tree) {
        *len = o->p->source_text[i].len;
        return o->p->source_text[i].p;
    }
    char *text = cars_fmt_string(o->comp.ast, i, len);
    char *copy = text ? cars_arena_strndup(a, text, *len) : NULL;
    cars_free(text);
    return copy;
}

/* The declarations of a release or tree; examples and tests only when
 * `tests` (both sides are trees: a release does not carry them). */
static bool collect(const opened *o, decl_set *s, const char *what, bool tests)
{
    const cars_program *p = o->p;
    memset(s, 0, sizeof *s);
    cars_arena_init(&s->arena);
    size_t cap = 0;
    uint32_t nfiles = o->is_tree ? (uint32_t)o->comp.ast->nfiles : p->nsource_text;
    for (uint32_t i = 0; i < nfiles; i++) {
        cars_diags d;
        cars_diags_init(&d);
        char name[300];
        snprintf(name, sizeof name, "%.*s", (int)p->source_names[i].len, p->source_names[i].p);
        size_t tlen = 0;
        const char *text = source_text(o, i, &s->arena, &tlen);
        cars_ast *ast = text ? cars_parse_text(name, text, tlen, &s->arena, &d) : NULL;
        bool ok = ast && d.errors == 0;
        cars_diags_free(&d);
        if (!ok) {
            fprintf(stderr, "carsc diff: the source text of %s in %s does not parse\n", name, what);
            return false;
        }
        for (size_t k = 0; k < ast->ndecls; k++) {
            const cars_decl *dc = &ast->decls[k];
            if (dc->kind == CARS_D_INCLUDE || (dc->kind == CARS_D_EXAMPLE && !tests))
                continue;
            if (s->n == cap) {
                cap = cap ? cap * 2 : 64;
                s->d = cars_arena_grow(&s->arena, s->d, s->n, cap, sizeof *s->d);
                if (!s->d)
                    return false;
            }
            decl_text *dt = &s->d[s->n++];
            decl_key(dc, dt);
            dt->title = dc->kind == CARS_D_RULE        ? ((cars_rule *)dc->node)->title
                        : dc->kind == CARS_D_TABLE     ? ((cars_table *)dc->node)->title
                        : dc->kind == CARS_D_THRESHOLD ? ((cars_threshold *)dc->node)->title
                                                       : NULL;
            dt->text = line_range(text, tlen, dc->span.line, dc->span.end_line, &dt->len);
        }
    }
    return true;
}

/* Where diff's findings go: text on stdout, or into a JSON document
 * (--format json, docs/schemas/diff.json). */
typedef struct diff_out {
    cars_jw *w; /* NULL: text */
} diff_out;

/* A declaration added, withdrawn or changed: its line, or its object (left
 * open for a changed one's lines). */
static void print_decl(diff_out *o, const decl_text *d)
{
    if (o->w) {
        cars_jw_object(o->w, NULL);
        cars_jw_str(o->w, "key", d->key);
        cars_jw_str(o->w, "kind", d->kind);
        cars_jw_str(o->w, "name", d->name);
        cars_jw_str(o->w, "title", d->title);
    } else if (d->title) {
        printf("  %s \"%s\"\n", d->key, d->title);
    } else {
        printf("  %s\n", d->key);
    }
}

static void diff_line(diff_out *o, char op, const char *s, size_t n)
{
    if (!o->w) {
        printf("      %c %.*s\n", op, (int)n, s);
        return;
    }
    cars_jw_object(o->w, NULL);
    cars_jw_strn(o->w, "op", &op, 1);
    cars_jw_strn(o->w, "text", s, n);
    cars_jw_end(o->w);
}

static const decl_text *find_decl(const decl_set *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->d[i].key, key) == 0)
            return &s->d[i];
    return NULL;
}

/* Splits text into lines (pointers into it). */
static size_t split_lines(cars_arena *a, const char *t, size_t len, const char ***lines, size_t **lens)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += t[i] == '\n';
    if (len && t[len - 1] != '\n')
        n++;
    *lines = cars_arena_alloc(a, (n + 1) * sizeof **lines);
    *lens = cars_arena_alloc(a, (n + 1) * sizeof **lens);
    if (!*lines || !*lens)
        return 0;
    size_t k = 0;
    const char *p = t, *end = t + len;
    while (p < end && k < n) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        (*lines)[k] = p;
        (*lens)[k] = (size_t)((nl ? nl : end) - p);
        k++;
        p = nl ? nl + 1 : end;
    }
    return k;
}

static bool same_line(const char *a, size_t al, const char *b, size_t bl)
{
    return al == bl && memcmp(a, b, al) == 0;
}

/* Prints a line diff of two declarations (LCS; declarations are short). */
static void print_line_diff(diff_out *o, const decl_text *x, const decl_text *y)
{
    cars_arena a;
    cars_arena_init(&a);
    const char **xl, **yl;
    size_t *xn, *yn;
    size_t n = split_lines(&a, x->text, x->len, &xl, &xn);
    size_t m = split_lines(&a, y->text, y->len, &yl, &yn);
    uint16_t *L = n > 2000 || m > 2000 ? NULL : cars_arena_alloc(&a, (n + 1) * (m + 1) * sizeof *L);
    if (o->w) {
        cars_jw_uint(o->w, "lines_before", n);
        cars_jw_uint(o->w, "lines_after", m);
        if (!L) { /* too long to compare line by line (or out of memory) */
            cars_jw_null(o->w, "lines");
            cars_arena_free(&a);
            return;
        }
        cars_jw_array(o->w, "lines");
    }
    if (n > 2000 || m > 2000)
        printf("      (%zu lines before, %zu after)\n", n, m);
    if (!L) {
        cars_arena_free(&a);
        return;
    }
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            L[i * (m + 1) + j] = same_line(xl[i], xn[i], yl[j], yn[j])
                                     ? (uint16_t)(L[(i + 1) * (m + 1) + j + 1] + 1)
                                     : (L[(i + 1) * (m + 1) + j] > L[i * (m + 1) + j + 1] ? L[(i + 1) * (m + 1) + j]
                                                                                         : L[i * (m + 1) + j + 1]);
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && same_line(xl[i], xn[i], yl[j], yn[j])) {
            i++, j++;
        } else if (j < m && (i == n || L[i * (m + 1) + j + 1] > L[(i + 1) * (m + 1) + j])) {
            diff_line(o, '+', yl[j], yn[j]);
            j++;
        } else {
            diff_line(o, '-', xl[i], xn[i]);
            i++;
        }
    }
    if (o->w)
        cars_jw_end(o->w);
    cars_arena_free(&a);
}

static void print_release(diff_out *o, const char *label, const cars_program *p, bool tree)
{
    if (o->w) {
        cars_jw_object(o->w, label);
        cars_jw_str(o->w, "kind", tree ? "tree" : "release");
        if (tree) {
            cars_jw_null(o->w, "release");
            cars_jw_null(o->w, "sequence");
        } else {
            cars_jw_strn(o->w, "release", p->release_id.p, p->release_id.len);
            cars_jw_uint(o->w, "sequence", p->sequence);
        }
        cars_jw_end(o->w);
    } else if (tree)
        printf("%s: source tree\n", label);
    else
        printf("%s: release %.*s, sequence %llu\n", label, (int)p->release_id.len, p->release_id.p,
               (unsigned long long)p->sequence);
}

static const cars_ptable *find_table(const cars_program *p, const cars_str *name)
{
    for (uint32_t i = 0; i < p->ntables; i++)
        if (p->tables[i].name.len == name->len && memcmp(p->tables[i].name.p, name->p, name->len) == 0)
            return &p->tables[i];
    return NULL;
}

static unsigned diff_tables(diff_out *out, const cars_program *a, const cars_program *b)
{
    unsigned changes = 0;
    if (out->w)
        cars_jw_array(out->w, "tables");
    for (uint32_t i = 0; i < b->ntables; i++) {
        const cars_ptable *t = &b->tables[i], *o = find_table(a, &t->name);
        if (!o)
            continue; /* a new table shows as an added declaration */
        if (o->n != t->n || memcmp(o->digest, t->digest, 32) != 0) {
            long long delta = (long long)t->n - (long long)o->n;
            if (out->w) {
                cars_jw_object(out->w, NULL);
                cars_jw_strn(out->w, "name", t->name.p, t->name.len);
                cars_jw_uint(out->w, "entries", t->n);
                cars_jw_uint(out->w, "was", o->n);
                cars_jw_int(out->w, "delta", delta);
                cars_jw_end(out->w);
            } else {
                printf("  table %.*s: %u entries, was %u (%+lld)%s\n", (int)t->name.len, t->name.p, t->n, o->n, delta,
                       delta == 0 ? ", entries replaced" : "");
            }
            changes++;
        }
    }
    if (out->w)
        cars_jw_end(out->w);
    return changes;
}

/* The tests' line of diff, or its "tests" object. */
static void tests_out(diff_out *o, const char *compared, const char *was, const char *now)
{
    if (!o->w) {
        if (!compared)
            printf("tests: not compared (a release carries what its tests gave, not the tests)\n");
        else if (strcmp(was, now) == 0)
            printf("tests: %s, as before\n", now);
        else
            printf("tests: %s; was %s\n", now, was);
        return;
    }
    cars_jw_object(o->w, "tests");
    cars_jw_str(o->w, "compared", compared ? compared : "no");
    cars_jw_str(o->w, "now", now);
    cars_jw_str(o->w, "was", was);
    cars_jw_end(o->w);
}

/* What two releases' tests gave when they were built (a tree's are not
 * run here: its tests are compared by name). Returns 1 when they differ. */
static unsigned diff_test_results(diff_out *o, const opened *a, const opened *b)
{
    if (a->is_tree && b->is_tree) {
        if (o->w)
            tests_out(o, "by_name", NULL, NULL);
        return 0;
    }
    if (a->is_tree || b->is_tree) {
        tests_out(o, NULL, NULL, NULL);
        return 0;
    }
    char was[200], now[200];
    cars_release_tests_text(a->p, was, sizeof was);
    cars_release_tests_text(b->p, now, sizeof now);
    tests_out(o, "results", was, now);
    return strcmp(was, now) != 0;
}

/* Exit statuses of diff, as diff(1)'s. */
enum { DIFF_SAME = 0, DIFF_DIFFERENT = 1, DIFF_TROUBLE = 2 };

/* The declarations of `from` missing from `other` (added or withdrawn),
 * under `label`; returns how many. */
static unsigned diff_missing(diff_out *o, const decl_set *from, const decl_set *other, const char *label)
{
    unsigned n = 0;
    if (o->w)
        cars_jw_array(o->w, label);
    for (size_t i = 0; i < from->n; i++)
        if (!find_decl(other, from->d[i].key)) {
            if (!n++ && !o->w)
                printf("%s:\n", label);
            print_decl(o, &from->d[i]);
            if (o->w)
                cars_jw_end(o->w);
        }
    if (o->w)
        cars_jw_end(o->w);
    return n;
}

/* The declarations in both whose text changed, each with its line diff;
 * counts them and the unchanged. */
static void diff_changed(diff_out *o, const decl_set *da, const decl_set *db, unsigned *changed, unsigned *same)
{
    if (o->w)
        cars_jw_array(o->w, "changed");
    for (size_t i = 0; i < db->n; i++) {
        const decl_text *x = find_decl(da, db->d[i].key);
        if (!x)
            continue;
        if (x->len == db->d[i].len && memcmp(x->text, db->d[i].text, x->len) == 0) {
            (*same)++;
            continue;
        }
        if (!(*changed)++ && !o->w)
            printf("changed:\n");
        print_decl(o, &db->d[i]);
        print_line_diff(o, x, &db->d[i]);
        if (o->w)
            cars_jw_end(o->w);
    }
    if (o->w)
        cars_jw_end(o->w);
}

/* Everything diff finds between two opened sides; returns whether they differ. */
static bool diff_all(diff_out *o, const opened *a, const opened *b, const decl_set *da, const decl_set *db)
{
    unsigned added, withdrawn, changed = 0, same = 0, other;
    print_release(o, "old", a->p, a->is_tree);
    print_release(o, "new", b->p, b->is_tree);
    added = diff_missing(o, db, da, "added");
    withdrawn = diff_missing(o, da, db, "withdrawn");
    diff_changed(o, da, db, &changed, &same);
    unsigned tables = diff_tables(o, a->p, b->p);
    if (!tables && !o->w)
        printf("tables: no entries changed\n");
    other = diff_test_results(o, a, b);
    if (o->w) {
        cars_jw_object(o->w, "counts");
        cars_jw_uint(o->w, "added", added);
        cars_jw_uint(o->w, "withdrawn", withdrawn);
        cars_jw_uint(o->w, "changed", changed + tables);
        cars_jw_uint(o->w, "unchanged", same);
        cars_jw_end(o->w);
    } else {
        printf("%u added, %u withdrawn, %u changed, %u unchanged\n", added, withdrawn, changed + tables, same);
    }
    return added + withdrawn + changed + tables + other != 0;
}

int cars_cmd_diff(int argc, char **argv)
{
    if (!cars_audit_secret_arg(&argc, argv, "diff"))
        return DIFF_TROUBLE;
    bool json = false, bad = false;
    const char *paths[2];
    int n = 0;
    for (int i = 1; i < argc && !bad; i++)
        if (!cars_format_option("diff", argc, argv, &i, &json, &bad))
            n < 2 ? (void)(paths[n++] = argv[i]) : (void)(bad = true);
    if (bad || n != 2) {
        fprintf(stderr, "usage: carsc diff [--format json] [--audit-key-secret AUDIT.key] OLD NEW   (each a .carsb release or a ruleset)\n");
        return DIFF_TROUBLE;
    }
    opened a, b;
    if (!open_release(paths[0], &a, "diff"))
        return DIFF_TROUBLE;
    if (!open_release(paths[1], &b, "diff")) {
        close_release(&a);
        return DIFF_TROUBLE;
    }
    /* tests are compared by name between two trees; a release carries what
     * its tests gave, not the tests */
    bool tests = a.is_tree && b.is_tree;
    decl_set da, db;
    bool ok_a = collect(&a, &da, paths[0], tests);
    bool ok = ok_a && collect(&b, &db, paths[1], tests);
    bool differ = false, written = true;
    cars_jw w = {0};
    diff_out o = {json ? &w : NULL};
    if (ok && json) {
        cars_jw_object(&w, NULL);
        cars_jw_str(&w, "command", "diff");
        differ = diff_all(&o, &a, &b, &da, &db);
        cars_jw_bool(&w, "same", !differ);
        cars_jw_end(&w);
        written = cars_jw_finish(&w, stdout);
    } else if (ok) {
        differ = diff_all(&o, &a, &b, &da, &db);
    }
    if (ok_a)
        cars_arena_free(&da.arena);
    if (ok)
        cars_arena_free(&db.arena);
    close_release(&a);
    close_release(&b);
    if (!written || fflush(stdout) != 0) {
        fprintf(stderr, "carsc diff: cannot write the output: %s\n", written ? strerror(errno) : "out of memory");
        return DIFF_TROUBLE;
    }
    if (!ok)
        return DIFF_TROUBLE;
    return differ ? DIFF_DIFFERENT : DIFF_SAME;
}

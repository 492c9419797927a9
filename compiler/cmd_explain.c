/* cmd_explain.c - `carsc explain`: why each record was routed as it was
 * (compiler/explain.h does the work). The program is either compiled from a
 * ruleset, or a release checked to be what the text it carries compiles
 * to; either way the explanation reads the same code that routes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "commands.h"
#include "compile.h"
#include "explain.h"
#include "loader.h"

#define USAGE "usage: carsc explain RULESET|RELEASE [FILE.jsonl...] [--example NAME]... [--format text|json]\n"

/* What the explanation reads: the program, its AST and the code map. */
typedef struct source {
    cars_compiled c;  /* a ruleset */
    bool compiled;
    cars_program rel; /* a release */
    uint8_t *bytes;
    cars_arena a;
    const cars_ast *ast;
    const cars_program *p;
    cars_expr_map map;
} source;

static bool is_ruleset(const char *path)
{
    struct stat st;
    size_t n = strlen(path);
    return (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) || (n > 5 && strcmp(path + n - 5, ".cars") == 0);
}

static bool open_source(source *s, const char *path)
{
    memset(s, 0, sizeof *s);
    cars_arena_init(&s->a);
    if (is_ruleset(path)) {
        cars_check_options opt = {0};
        bool ok = cars_compile_mapped(path, &opt, "explain", &s->c, &s->map);
        s->compiled = true;
        if (cars_report_compile(&s->c, ok) != 0 || !ok)
            return false;
        s->ast = s->c.ast, s->p = &s->c.loaded;
        return true;
    }
    size_t len;
    s->bytes = cars_read_release_checked(path, &s->rel, &len, "explain");
    if (!s->bytes)
        return false;
    cars_ast *ast = NULL;
    char err[400];
    if (!cars_release_mapped(s->bytes, len, &s->rel, &s->a, &ast, &s->map, err, sizeof err)) {
        fprintf(stderr, "carsc explain: %s: %s\n", path, err);
        return false;
    }
    s->ast = ast, s->p = &s->rel;
    return true;
}

static void close_source(source *s)
{
    if (s->compiled)
        cars_compiled_free(&s->c);
    if (s->bytes) {
        cars_program_free(&s->rel);
        cars_free(s->bytes);
    }
    cars_arena_free(&s->a);
}

/* Explains one line and writes it out; updates *status. */
static bool explain_one(cars_explainer *x, const char *line, size_t len, uint64_t no, bool json, int *status)
{
    cars_buf b = {0};
    int rc = cars_explain_line(x, line, len, no, json, &b);
    if (b.p)
        fwrite(b.p, 1, b.len, stdout);
    cars_buf_free(&b);
    if (rc < 0) {
        fprintf(stderr, "carsc explain: out of memory\n");
        return false;
    }
    if (rc == CARS_OUT_ERROR)
        *status = CARS_EXIT_ERRORS;
    return true;
}

static bool explain_file(cars_explainer *x, const char *path, bool json, int *status)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "carsc explain: cannot open %s\n", path);
        *status = CARS_EXIT_ERRORS;
        return true;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    uint64_t no = 0;
    bool ok = true, first = true;
    while (ok && (n = getline(&line, &cap, f)) >= 0) {
        no++;
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len == 0)
            continue;
        if (!json && !first)
            putchar('\n');
        first = false;
        ok = explain_one(x, line, len, no, json, status);
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return ok;
}

static const cars_example *find_named(const cars_ast *ast, const char *name)
{
    for (size_t i = 0; ast && i < ast->nexamples; i++)
        if (strcmp(ast->examples[i]->name, name) == 0)
            return ast->examples[i];
    return NULL;
}

static bool explain_example(const source *s, cars_explainer *x, const char *name, bool json, int *status)
{
    const cars_example *ex = s->compiled ? find_named(s->ast, name) : NULL;
    if (!ex) {
        fprintf(stderr, "carsc explain: %s\n",
                s->compiled ? "no example or test of that name" : "--example needs a ruleset: releases carry no examples");
        *status = CARS_EXIT_USAGE;
        return false;
    }
    char *line;
    size_t len;
    if (!cars_example_json(s->ast, ex, &line, &len)) {
        fprintf(stderr, "carsc explain: out of memory\n");
        return false;
    }
    if (!json) {
        const char *file = ex->span.file < s->ast->nfiles ? s->ast->files[ex->span.file].path : "?";
        const char *slash = strrchr(file, '/');
        printf("%s \"%s\" (%s:%u)\n", ex->is_test ? "test" : "example", ex->name, slash ? slash + 1 : file,
               ex->span.line);
    }
    bool ok = explain_one(x, line, len, ex->span.line, json, status);
    cars_free(line);
    return ok;
}

int cars_cmd_explain(int argc, char **argv)
{
    if (!cars_audit_secret_arg(&argc, argv, "explain"))
        return CARS_EXIT_USAGE;
    const char *path = NULL, *files[64], *examples[64];
    int nfiles = 0, nexamples = 0;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--format") == 0 && i + 1 < argc &&
            (strcmp(argv[i + 1], "json") == 0 || strcmp(argv[i + 1], "text") == 0)) {
            json = strcmp(argv[++i], "json") == 0;
        } else if (strcmp(argv[i], "--example") == 0 && i + 1 < argc && nexamples < 64) {
            examples[nexamples++] = argv[++i];
        } else if ((argv[i][0] == '-' && argv[i][1] != '\0') || (path && nfiles == 64)) {
            fprintf(stderr, USAGE);
            return CARS_EXIT_USAGE;
        } else if (!path) {
            path = argv[i];
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (!path) {
        fprintf(stderr, USAGE);
        return CARS_EXIT_USAGE;
    }
    source s;
    int status = CARS_EXIT_OK;
    if (!open_source(&s, path)) {
        close_source(&s);
        return CARS_EXIT_ERRORS;
    }
    cars_explainer *x = cars_explainer_new(s.ast, s.p, &s.map);
    bool ok = x != NULL;
    for (int i = 0; ok && i < nexamples; i++) {
        if (i && !json)
            putchar('\n');
        ok = explain_example(&s, x, examples[i], json, &status);
    }
    if (nfiles == 0 && nexamples == 0)
        files[nfiles++] = "-";
    for (int i = 0; ok && i < nfiles; i++)
        ok = explain_file(x, files[i], json, &status);
    if (!x)
        fprintf(stderr, "carsc explain: out of memory\n");
    cars_explainer_free(x);
    close_source(&s);
    return ok ? status : (status == CARS_EXIT_USAGE ? status : CARS_EXIT_ERRORS);
}

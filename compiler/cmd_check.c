/* cmd_check.c - `carsc check [--as-of YYYY-MM-DD] PATH...`: parse and check
 * a ruleset (compiler/commands.c cars_load_ruleset), read its tables exactly
 * as a build does (compiler/codegen_table.c: a missing file, a wrong header
 * or a bad row is a check error), and print its diagnostics, sorted, with a
 * summary. */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "codegen.h"
#include "commands.h"
#include "compile.h"
#include "jsonw.h"

const char cars_check_usage[] =
    "usage: carsc check [--as-of YYYY-MM-DD] PATH...\n"
    "       carsc check --format json [--as-of YYYY-MM-DD] PATH...\n"
    "\n"
    "Parse every PATH (a .cars file, or a directory whose *.cars files are\n"
    "read in name order) and check the ruleset: names, types, lawful basis,\n"
    "reasons and review dates of the rules that read a protected\n"
    "characteristic, routing, and the tables (each file is read, relative to\n"
    "the first PATH's directory, as a build reads it: a missing file, a wrong\n"
    "header row or a bad row is an error). Diagnostics go to stderr, sorted by\n"
    "position, then \"N errors, M warnings\" when there are any. With no errors,\n"
    "one line goes to stdout:\n"
    "  ok: F files, R rules, T tests, N tables of E entries\n"
    "\n"
    "  --as-of DATE   also check review dates against DATE\n"
    "  --format json  one JSON document on stdout instead: the diagnostics\n"
    "                 (file, line, column, end, severity, message, hint), their\n"
    "                 counts and the summary (docs/machine-readable.md)\n";

/* Reads every table of a checked ruleset into `tables` (its diagnostics
 * into d). */
static void check_tables(const cars_ast *ast, const char *path, cars_program *tables, cars_arena *a,
                         cars_diags *d)
{
    const char *dir = cars_ruleset_dir(a, path);
    if (!dir || (!cars_codegen_tables(ast, dir, tables, a, d) && d->errors == 0))
        cars_error(d, NULL, NULL, "out of memory");
}

static void count(const cars_ast *ast, const cars_program *tables, size_t *tests, unsigned long long *entries)
{
    *tests = 0;
    *entries = 0;
    for (size_t i = 0; i < ast->nexamples; i++)
        *tests += ast->examples[i]->is_test;
    for (uint32_t i = 0; i < tables->ntables; i++)
        *entries += tables->tables[i].n;
}

static void print_summary(const cars_ast *ast, const cars_program *tables)
{
    size_t tests;
    unsigned long long entries;
    count(ast, tables, &tests, &entries);
    printf("ok: %zu file%s, %zu rule%s, %zu test%s, %zu table%s of %llu entr%s\n", ast->nfiles,
           ast->nfiles == 1 ? "" : "s", ast->nrules, ast->nrules == 1 ? "" : "s", tests, tests == 1 ? "" : "s",
           ast->ntables, ast->ntables == 1 ? "" : "s", entries, entries == 1 ? "y" : "ies");
}

/* --format json: the one document (docs/schemas/check.json). */
static int print_json(cars_diags *d, const cars_ast *ast, const cars_program *tables)
{
    cars_jw w = {0};
    cars_jw_object(&w, NULL);
    cars_jw_str(&w, "command", "check");
    cars_jw_bool(&w, "ok", d->errors == 0);
    cars_report_diags_json(d, &w);
    if (d->errors == 0 && ast) {
        size_t tests;
        unsigned long long entries;
        count(ast, tables, &tests, &entries);
        cars_jw_object(&w, "summary");
        cars_jw_uint(&w, "files", ast->nfiles);
        cars_jw_uint(&w, "rules", ast->nrules);
        cars_jw_uint(&w, "tests", tests);
        cars_jw_uint(&w, "tables", ast->ntables);
        cars_jw_uint(&w, "entries", entries);
        cars_jw_end(&w);
    } else {
        cars_jw_null(&w, "summary");
    }
    cars_jw_end(&w);
    if (!cars_jw_finish(&w, stdout) || fflush(stdout) != 0) {
        fprintf(stderr, "carsc check: cannot write the output (out of memory or standard output)\n");
        return CARS_EXIT_ERRORS;
    }
    return d->errors ? CARS_EXIT_ERRORS : CARS_EXIT_OK;
}

int cars_cmd_check(int argc, char **argv)
{
    bool json = false, bad = false;
    cars_check_options opt;
    memset(&opt, 0, sizeof opt);
    const char **paths = cars_malloc((size_t)argc * sizeof *paths);
    if (!paths) {
        fprintf(stderr, "carsc: out of memory\n");
        return CARS_EXIT_ERRORS;
    }
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--as-of") == 0 || strncmp(a, "--as-of=", 8) == 0) {
            const char *v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || !cars_date_arg(v, &opt.as_of)) {
                if (!v)
                    fprintf(stderr, "carsc check: --as-of needs a date\n");
                cars_free(paths);
                return CARS_EXIT_USAGE;
            }
            opt.has_as_of = true;
        } else if (cars_format_option("check", argc, argv, &i, &json, &bad)) {
            if (bad) {
                cars_free(paths);
                return CARS_EXIT_USAGE;
            }
        } else if (a[0] == '-' && a[1] && strcmp(a, "--") != 0) {
            fprintf(stderr, "carsc check: unknown option '%s'\n%s", a, cars_check_usage);
            cars_free(paths);
            return CARS_EXIT_USAGE;
        } else if (strcmp(a, "--") != 0) {
            paths[n++] = a;
        }
    }
    if (n == 0) {
        fprintf(stderr, "carsc check: no ruleset given\n%s", cars_check_usage);
        cars_free(paths);
        return CARS_EXIT_USAGE;
    }
    cars_arena arena;
    cars_arena_init(&arena);
    cars_diags d;
    cars_diags_init(&d);
    cars_ast *ast = cars_load_ruleset(paths, n, &opt, &arena, &d);
    cars_program tables;
    memset(&tables, 0, sizeof tables);
    if (ast && d.errors == 0)
        check_tables(ast, paths[0], &tables, &arena, &d);
    int rc;
    if (json) {
        rc = print_json(&d, ast, &tables);
    } else {
        cars_report_diags(&d);
        rc = d.errors ? CARS_EXIT_ERRORS : CARS_EXIT_OK;
        if (rc == CARS_EXIT_OK && ast)
            print_summary(ast, &tables);
    }
    cars_diags_free(&d);
    cars_arena_free(&arena);
    cars_free(paths);
    return rc;
}

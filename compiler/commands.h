/* commands.h - the subcommands of carsc. Each is `int cars_cmd_NAME(int argc,
 * char **argv)` (argv[0] is the subcommand's name; returns the exit status:
 * 0 clean, 1 errors found, 2 usage error) and one line in the table in
 * compiler/main.c. Add yours here and there. */
#ifndef CARS_COMMANDS_H
#define CARS_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "ast.h"
#include "check.h"
#include "diag.h"
#include "hex.h" /* cars_hex */
#include "program.h"
#include "readfile.h"

int cars_cmd_check(int argc, char **argv); /* compiler/cmd_check.c */
int cars_cmd_fmt(int argc, char **argv);   /* compiler/cmd_fmt.c */
int cars_cmd_build(int argc, char **argv);  /* compiler/cmd_build.c */
int cars_cmd_test(int argc, char **argv);   /* compiler/cmd_test.c */
int cars_cmd_disasm(int argc, char **argv); /* compiler/cmd_disasm.c */
int cars_cmd_explain(int argc, char **argv); /* compiler/cmd_explain.c */
int cars_cmd_keygen(int argc, char **argv);  /* compiler/cmd_release.c */
int cars_cmd_audit_keygen(int argc, char **argv); /* compiler/cmd_release.c */
int cars_cmd_sign(int argc, char **argv);    /* compiler/cmd_release.c */
int cars_cmd_inspect(int argc, char **argv); /* compiler/cmd_release.c */
int cars_cmd_decompile(int argc, char **argv); /* compiler/cmd_audit.c */
int cars_cmd_diff(int argc, char **argv);      /* compiler/cmd_audit.c */
int cars_cmd_impact(int argc, char **argv); extern const char cars_impact_usage[]; /* compiler/cmd_impact.c */
int cars_cmd_effectiveness(int argc, char **argv); extern const char cars_effectiveness_usage[]; /* compiler/cmd_effectiveness.c */
int cars_cmd_equality(int argc, char **argv); extern const char cars_equality_usage[]; /* compiler/cmd_equality.c */
int cars_cmd_lsp(int argc, char **argv); extern const char cars_lsp_usage[]; /* editors/lsp/lsp_main.c */
int cars_cmd_report(int argc, char **argv); extern const char cars_report_usage[]; /* compiler/cmd_report.c */

/* The full help of `carsc check` (compiler/cmd_check.c), which it prints
 * with a usage error too. */
extern const char cars_check_usage[];
/* The full help of `carsc fmt` (compiler/cmd_fmt.c). */
extern const char cars_fmt_usage[];
/* The full help of `carsc test` (compiler/cmd_test.c). */
extern const char cars_test_usage[];

/* What a ruleset's tests gave: how many passed and failed, and coverage:
 * the rules, and the conditions in them, that some test made both true and
 * false (as `carsc test --coverage` counts them). */
typedef struct cars_test_summary {
    size_t passed, failed;
    size_t rules_covered, rules;
    size_t conds_covered, conds;
} cars_test_summary;
/* Runs every test of a compiled ruleset through the VM, with coverage, and
 * prints a "FAIL ..." line to stdout for each that fails (compiler/cmd_test.c,
 * for carsc build). 0, or -1 when they cannot run (out of memory). */
struct cars_compiled;
int cars_run_examples(const struct cars_compiled *c, cars_test_summary *s);

/* ---- helpers for commands (compiler/commands.c) ---- */

/* The JSON record line of example or test `ex` (its `like` base, then its
 * own assignments), in *out (cars_free). compiler/cmd_test.c. */
bool cars_example_json(const cars_ast *ast, const cars_example *ex, char **out, size_t *len);

/* Exit statuses of every carsc command. */
enum { CARS_EXIT_OK = 0, CARS_EXIT_ERRORS = 1, CARS_EXIT_USAGE = 2 };

/* Parse the paths and, if that found no error, check the result. Returns
 * the AST, or NULL when parsing failed badly (out of memory) - errors are
 * in `d` either way; the AST is usable only when d->errors == 0. */
cars_ast *cars_load_ruleset(const char *const *paths, size_t npaths,
                            const cars_check_options *opt, cars_arena *a, cars_diags *d);
/* Sort and print the diagnostics to stderr, then "N errors, M warnings"
 * when there are any. */
void cars_report_diags(cars_diags *d);
/* The machine-readable form of cars_report_diags (docs/machine-readable.md):
 * sorts the diagnostics and writes into the object open in w
 * "errors": N, "warnings": M, "not_shown": K (errors counted but not listed: past the
 * limit, or memory ran out) and "diagnostics": [...] (cars_diags_json, diag.h). */
struct cars_jw;
void cars_report_diags_json(cars_diags *d, struct cars_jw *w);
/* --format text|json (or --format=...) at argv[*i]: true when it is that
 * option (then *i is past its value and *json says which, or *bad when the
 * value is missing or another, with a message on stderr naming `cmd`). */
bool cars_format_option(const char *cmd, int argc, char **argv, int *i, bool *json, bool *bad);
/* Prints a compilation's diagnostics (as cars_report_diags) and its failure
 * that is not a source diagnostic (c->error, compiler/compile.h); returns
 * the exit status, CARS_EXIT_OK when ok, else CARS_EXIT_ERRORS. */
struct cars_compiled;
int cars_report_compile(struct cars_compiled *c, bool ok);
/* Reads and loads (verifies) the release bundle at `path`; returns its bytes
 * (free with cars_free, after cars_program_free(p)) or NULL with a message
 * "carsc CMD: ..." on stderr. */
uint8_t *cars_read_bundle(const char *path, cars_program *p, size_t *len, const char *cmd);
/* As cars_read_bundle, for the commands that show or sign a release's rules
 * (decompile, diff, sign): the release must be byte for byte what the source
 * text it carries compiles to (cars_release_recompile, compiler/compile.h);
 * otherwise it is refused with the reason on stderr. */
uint8_t *cars_read_release_checked(const char *path, cars_program *p, size_t *len, const char *cmd);
/* The one place a release's rule text is opened: a sealed release's text
 * (compiler/seal.h) with the audit secret key of --audit-key-secret, or,
 * without it, a message on stderr saying what is sealed, to which keys, and
 * what carsc inspect still shows. 0 when the text is readable (or not
 * sealed), -1 otherwise. cars_read_release_checked calls it. */
int cars_open_sealed(const char *path, cars_program *p, const char *cmd);
/* Takes `--audit-key-secret FILE` out of argv (the commands that read rule
 * text: decompile, diff, explain, report, inspect, sign), for
 * cars_open_sealed. False, with a message, when FILE is missing. */
bool cars_audit_secret_arg(int *argc, char **argv, const char *cmd);
/* The file given with --audit-key-secret, or NULL. */
const char *cars_audit_secret(void);
/* "YYYY-MM-DD" to days; false (and a message on stderr) if malformed. */
bool cars_date_arg(const char *s, int64_t *days);
/* A command's report: emit(ctx, out) writes it to `path` through vm/atomic.h
 * (all of it or none, as carsvm route -o writes), or to standard output when
 * path is NULL. CARS_EXIT_OK, or CARS_EXIT_ERRORS with "carsc CMD: ..." on
 * stderr. */
typedef void cars_emit_fn(const void *ctx, FILE *out);
int cars_emit_output(const char *cmd, const char *path, cars_emit_fn *emit, const void *ctx);

#endif

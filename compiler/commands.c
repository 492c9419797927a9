/* commands.c - helpers shared by the carsc subcommands: load a ruleset
 * (parse, then check), print diagnostics with a summary (and a compilation's
 * failure), read a date argument, read a release. */
#include "commands.h"
#include "compile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "atomic.h"
#include "date.h"
#include "jsonw.h"
#include "loader.h"
#include "parse.h"
#include "release.h"
#include "seal.h"

cars_ast *cars_load_ruleset(const char *const *paths, size_t npaths,
                            const cars_check_options *opt, cars_arena *a, cars_diags *d)
{
    cars_ast *ast = cars_parse_paths(paths, npaths, a, d);
    if (!ast) {
        if (!d->errors)
            cars_error(d, NULL, NULL, "out of memory");
        return NULL;
    }
    if (d->errors == 0) {
        cars_check_options none;
        memset(&none, 0, sizeof none);
        cars_check(ast, a, d, opt ? opt : &none);
        if (cars_arena_failed(a) && !d->errors)
            cars_error(d, NULL, NULL, "out of memory");
    }
    return ast;
}

void cars_report_diags(cars_diags *d)
{
    cars_diags_sort(d);
    cars_diags_print(d, stderr);
    if (d->lost)
        fprintf(stderr, "error: out of memory: some diagnostics could not be recorded\n");
    if (d->errors || d->warnings)
        fprintf(stderr, "%zu error%s, %zu warning%s\n", d->errors, d->errors == 1 ? "" : "s",
                d->warnings, d->warnings == 1 ? "" : "s");
}

void cars_report_diags_json(cars_diags *d, cars_jw *w)
{
    cars_diags_sort(d);
    size_t listed = 0;
    for (size_t i = 0; i < d->n; i++)
        listed += d->items[i].sev == CARS_SEV_ERROR;
    cars_jw_uint(w, "errors", d->errors);
    cars_jw_uint(w, "warnings", d->warnings);
    cars_jw_uint(w, "not_shown", d->errors - listed); /* past the limit, or out of memory */
    cars_diags_json(d, w, "diagnostics");
}

bool cars_format_option(const char *cmd, int argc, char **argv, int *i, bool *json, bool *bad)
{
    const char *a = argv[*i];
    if (strcmp(a, "--format") != 0 && strncmp(a, "--format=", 9) != 0)
        return false;
    const char *v = a[8] == '=' ? a + 9 : (*i + 1 < argc ? argv[++*i] : NULL);
    *bad = !v || (strcmp(v, "text") != 0 && strcmp(v, "json") != 0);
    if (*bad)
        fprintf(stderr, "carsc %s: --format needs 'text' or 'json'%s%s%s\n", cmd, v ? ", not '" : "",
                v ? v : "", v ? "'" : "");
    else
        *json = strcmp(v, "json") == 0;
    return true;
}

int cars_report_compile(cars_compiled *c, bool ok)
{
    cars_report_diags(&c->diags);
    if (!ok && c->error[0])
        fprintf(stderr, "error: %s\n", c->error);
    return ok ? CARS_EXIT_OK : CARS_EXIT_ERRORS;
}

bool cars_date_arg(const char *s, int64_t *days)
{
    char err[300];
    if (cars_date_option(s, days, err, sizeof err))
        return true;
    fprintf(stderr, "carsc: %s\n", err);
    return false;
}

uint8_t *cars_read_bundle(const char *path, cars_program *p, size_t *len, const char *cmd)
{
    char err[1200];
    cars_release r;
    cars_release_policy pol = {.trust = CARS_TRUST_READ_ONLY}; /* read, never routed: any channel, unsigned */
    if (cars_release_load(path, NULL, NULL, &pol, &r, err, sizeof err) != CARS_REL_OK) {
        fprintf(stderr, "carsc %s: %s\n", cmd, err);
        return NULL;
    }
    *p = r.prog;
    *len = r.len;
    return r.bytes;
}

/* The audit secret key of this run (--audit-key-secret), or NULL. */
static const char *audit_secret;

bool cars_audit_secret_arg(int *argc, char **argv, const char *cmd)
{
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], "--audit-key-secret") != 0) {
            argv[out++] = argv[i];
            continue;
        }
        if (i + 1 >= *argc) {
            fprintf(stderr, "carsc %s: --audit-key-secret needs a file: the audit secret key (carsc audit-keygen)\n",
                    cmd);
            return false;
        }
        audit_secret = argv[++i];
    }
    *argc = out;
    argv[out] = NULL;
    return true;
}

const char *cars_audit_secret(void) { return audit_secret; }

int cars_open_sealed(const char *path, cars_program *p, const char *cmd)
{
    char err[800], ids[CARS_SEAL_MAX_RECIPIENTS * 18 + 1];
    if (!p->sealed_len || p->opened_text)
        return 0;
    cars_seal_ids(p, ids, sizeof ids);
    if (!audit_secret) {
        fprintf(stderr,
                "carsc %s: cannot show the rules of %s: its rule text (source, titles, rationales, the tables' "
                "declarations) is sealed to audit key%s %s.\n"
                "  Give --audit-key-secret FILE, the secret key of one of them. Without it, carsc inspect shows what "
                "is not sealed:\n  rule ids, kinds and says texts, stages, thresholds, tables' sizes and digests, "
                "tests, the audit key ids.\n",
                cmd, path, strchr(ids, ',') ? "s" : "", ids);
        return -1;
    }
    uint8_t *store;
    if (cars_seal_open(p, audit_secret, &store, err, sizeof err) != 0) {
        fprintf(stderr, "carsc %s: cannot open the sealed rule text of %s: %s\n", cmd, path, err);
        return -1;
    }
    p->opened_text = store;
    return 0;
}

uint8_t *cars_read_release_checked(const char *path, cars_program *p, size_t *len, const char *cmd)
{
    uint8_t *b = cars_read_bundle(path, p, len, cmd);
    if (!b)
        return NULL;
    if (cars_open_sealed(path, p, cmd) != 0) {
        cars_program_free(p);
        cars_free(b);
        return NULL;
    }
    char why[500];
    if (cars_release_recompile(b, *len, p, why, sizeof why) != 0) {
        fprintf(stderr,
                "carsc %s: refused %s: %s.\n"
                "  The rules it carries as text may not be the ones it runs: do not rely on this release.\n"
                "  (carsc disasm shows the code it runs.)\n",
                cmd, path, why);
        cars_program_free(p);
        cars_free(b);
        return NULL;
    }
    return b;
}

int cars_emit_output(const char *cmd, const char *path, cars_emit_fn *emit, const void *ctx)
{
    char err[600];
    if (!path) {
        emit(ctx, stdout);
        if (ferror(stdout) || fflush(stdout) != 0) {
            fprintf(stderr, "carsc %s: cannot write output (standard output): %s\n", cmd, strerror(errno));
            return CARS_EXIT_ERRORS;
        }
        return CARS_EXIT_OK;
    }
    cars_atomic w = {.fd = -1};
    const cars_atomic_opts wo = {.what = "output", .perm = CARS_PERM_UMASK, .mode = 0666, .in_place = true};
    FILE *out = NULL;
    if (cars_atomic_open(&w, path, &wo, err, sizeof err) != 0) {
        fprintf(stderr, "carsc %s: %s\n", cmd, err);
        return CARS_EXIT_ERRORS;
    }
    if (!(out = cars_atomic_stream(&w))) {
        fprintf(stderr, "carsc %s: cannot write output %s: %s\n", cmd, path, strerror(errno));
        cars_atomic_abort(&w);
        return CARS_EXIT_ERRORS;
    }
    emit(ctx, out);
    int rc = CARS_EXIT_OK;
    if (cars_atomic_commit(&w, err, sizeof err) != 0) {
        fprintf(stderr, "carsc %s: %s\n", cmd, err);
        rc = CARS_EXIT_ERRORS;
    }
    cars_atomic_abort(&w); /* harmless after the commit */
    return rc;
}

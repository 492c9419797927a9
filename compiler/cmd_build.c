/* cmd_build.c - `carsc build PATH -o FILE [release options]`: compile a
 * ruleset into a release bundle, with its release metadata (id, sequence,
 * validity window, channel) in the bytes that are signed. A production
 * build first runs the ruleset's tests (compiler/cmd_test.c) and is refused
 * when there are none or one fails; what they gave (tests passed, coverage)
 * is signed with the rest. The bytes are loaded and verified (exactly as
 * carsvm will) before they are written, atomically (vm/atomic.h), so a
 * failed build never leaves a partial bundle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "atomic.h"
#include "commands.h"
#include "compile.h"
#include "release.h"
#include "seal.h"

static int usage(void)
{
    fprintf(stderr,
            "usage: carsc build PATH -o FILE.carsb [--release-id ID] [--sequence N]\n"
            "                   [--valid-from YYYY-MM-DD --valid-until YYYY-MM-DD]\n"
            "                   [--channel production|test] [--as-of YYYY-MM-DD] [--no-index]\n"
            "                   [--audit-key AUDIT.pub ... | --unsealed]\n"
            "\n"
            "A production release needs --release-id, --sequence (1 or more) and the\n"
            "validity window; it is refused if any review has fallen due by --valid-from,\n"
            "and reviews falling due inside the window are warned of. It runs the\n"
            "ruleset's tests first and is refused if there are none or any fails; the\n"
            "number passed and the coverage are signed in the release (carsc inspect).\n"
            "A test-channel build does not run the tests. Without a window\n"
            "the build is a test-channel release valid on any date (--as-of then checks\n"
            "review dates on that day). The same sources and options give the same bytes.\n"
            "--no-index leaves out the stage indexes (docs/bytecode.md): every rule of a\n"
            "stage is then evaluated for every record; the routing is the same.\n"
            "--audit-key (repeatable, up to 16) seals the rule text (source, titles,\n"
            "rationales) to audit keys (carsc audit-keygen): only their secret keys open\n"
            "it (--audit-key-secret of decompile, diff, report, explain, inspect, sign).\n"
            "A production release must be sealed; --unsealed builds one that is not, for\n"
            "a release only the central team's carsvm serve runs (docs/releases.md).\n"
            "Sealing is random: a sealed release is reproducible but for its sealed section.\n"
            "\nExit status: 0 built, 1 errors found, 2 usage error.\n");
    return CARS_EXIT_USAGE;
}

/* What the options gave: the release metadata, the check options, and
 * which of the release options were given at all. */
typedef struct build_opts {
    const char *path, *out;
    cars_release_opts rel;
    cars_check_options opt;
    bool has_from, has_until, has_seq, has_channel, unsealed;
    cars_audit_pub audit[CARS_SEAL_MAX_RECIPIENTS];
} build_opts;

/* One option with its value (argv[*i], v): 1 taken, 0 not an option with a
 * value, -1 a bad value (message printed). */
static int value_option(char **argv, int *i, const char *v, build_opts *b)
{
    const char *a = argv[*i];
    if (strcmp(a, "-o") == 0) {
        b->out = v;
    } else if (strcmp(a, "--release-id") == 0) {
        b->rel.release_id = v;
        if (!cars_release_id_valid(v, strlen(v))) { /* the loader's rule */
            fprintf(stderr, "error: --release-id must be 1 to 64 letters, digits, '-', '_' or '.', got '%s'\n", v);
            return -1;
        }
    } else if (strcmp(a, "--sequence") == 0) {
        if (!cars_sequence_parse(v, strlen(v), &b->rel.sequence)) {
            fprintf(stderr, "error: --sequence needs a whole number from 0 to "
                    "18446744073709551615, written in digits only, got '%s'\n", v);
            return -1;
        }
        b->has_seq = true;
    } else if (strcmp(a, "--valid-from") == 0) {
        if (!cars_date_arg(v, &b->rel.valid_from))
            return -1;
        b->has_from = true;
    } else if (strcmp(a, "--valid-until") == 0) {
        if (!cars_date_arg(v, &b->rel.valid_until))
            return -1;
        b->has_until = true;
    } else if (strcmp(a, "--channel") == 0) {
        if (!cars_channel_parse(v, &b->rel.channel)) {
            fprintf(stderr, "error: --channel is production or test, got '%s'\n", v);
            return -1;
        }
        b->has_channel = true;
    } else if (strcmp(a, "--audit-key") == 0) {
        char err[600];
        if (b->rel.naudit == CARS_SEAL_MAX_RECIPIENTS) {
            fprintf(stderr, "error: at most %d --audit-key\n", CARS_SEAL_MAX_RECIPIENTS);
            return -1;
        }
        cars_audit_pub *k = &b->audit[b->rel.naudit];
        if (cars_audit_pub_load(v, k, err, sizeof err) != 0) {
            fprintf(stderr, "error: %s\n", err);
            return -1;
        }
        for (size_t j = 0; j < b->rel.naudit; j++)
            if (memcmp(b->audit[j].pk, k->pk, sizeof k->pk) == 0) {
                char hex[17];
                cars_audit_id_hex(k->id, hex);
                fprintf(stderr, "error: audit key %s (%s) is given twice: give each --audit-key once\n", hex, v);
                return -1;
            }
        b->rel.naudit++;
    } else if (strcmp(a, "--as-of") == 0) {
        if (!cars_date_arg(v, &b->opt.as_of))
            return -1;
        b->opt.has_as_of = true;
    } else {
        return 0;
    }
    (*i)++;
    return 1;
}

/* A production release carries no readable rules: it is sealed to audit
 * keys, or --unsealed says on purpose that it is not (docs/releases.md). */
static bool sealing(build_opts *b)
{
    b->rel.audit = b->audit;
    if (b->unsealed && b->rel.naudit) {
        fprintf(stderr, "error: --unsealed and --audit-key contradict each other: give one\n");
        return false;
    }
    if (b->rel.channel == CARS_CHANNEL_PRODUCTION && !b->rel.naudit && !b->unsealed) {
        fprintf(stderr, "error: a production release must not carry readable rules: seal its rule text with "
                        "--audit-key AUDIT.pub (carsc audit-keygen -o NAME makes a key pair), or give --unsealed "
                        "for a release only the central team's carsvm serve runs\n");
        return false;
    }
    return true;
}

/* The options together: a window needs both ends, in order, and sets the
 * day reviews are checked on; production needs every release option. */
static bool consistent(build_opts *b)
{
    cars_release_opts *rel = &b->rel;
    if (b->has_from != b->has_until) {
        fprintf(stderr, "error: give both --valid-from and --valid-until, or neither\n");
        return false;
    }
    if (b->has_from) {
        if (rel->valid_until < rel->valid_from) {
            fprintf(stderr, "error: --valid-until is before --valid-from\n");
            return false;
        }
        if (b->opt.has_as_of) {
            fprintf(stderr, "error: --as-of is for builds without a validity window: reviews are checked on --valid-from\n");
            return false;
        }
        b->opt.has_as_of = true;
        b->opt.as_of = rel->valid_from;
        b->opt.has_window_end = true;
        b->opt.window_end = rel->valid_until;
    }
    if (b->has_channel && rel->channel == CARS_CHANNEL_PRODUCTION &&
        (!b->has_from || !b->has_seq || rel->sequence == 0 || strcmp(rel->release_id, "dev") == 0)) {
        fprintf(stderr, "error: a production release needs --release-id, --sequence (1 or more), --valid-from and --valid-until\n");
        return false;
    }
    return sealing(b);
}

/* A production release is built only when the ruleset has tests and every
 * one passes (each failure is printed); what they gave goes into `rel`. */
static bool run_tests(cars_compiled *c, cars_release_opts *rel)
{
    cars_test_summary s;
    if (cars_run_examples(c, &s) != 0) {
        snprintf(c->error, sizeof c->error, "cannot run the tests (out of memory)");
        return false;
    }
    fflush(stdout); /* the failures, before the error that names them */
    if (s.passed + s.failed == 0) {
        snprintf(c->error, sizeof c->error, "a production release needs tests, and the ruleset has none: add "
                 "test \"...\" { ... expect OUTCOME [RULES] } (docs/language.md)");
        return false;
    }
    if (s.failed) {
        snprintf(c->error, sizeof c->error, "%zu of %zu tests failed (each FAIL above); a production release is "
                 "built only when every test passes", s.failed, s.passed + s.failed);
        return false;
    }
    if (s.passed > UINT32_MAX || s.rules > UINT32_MAX || s.conds > UINT32_MAX) {
        snprintf(c->error, sizeof c->error, "too many tests, rules or conditions to record");
        return false;
    }
    rel->tests = (cars_ptests){.run = 1, .passed = (uint32_t)s.passed,
                               .rules_covered = (uint32_t)s.rules_covered, .rules = (uint32_t)s.rules,
                               .conds_covered = (uint32_t)s.conds_covered, .conds = (uint32_t)s.conds};
    return true;
}

int cars_cmd_build(int argc, char **argv)
{
    static build_opts b; /* its audit keys are large for a stack */
    memset(&b, 0, sizeof b);
    b.rel = (cars_release_opts){.release_id = "dev", .channel = CARS_CHANNEL_TEST};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int took = a && i + 1 < argc ? value_option(argv, &i, argv[i + 1], &b) : 0;
        if (took < 0)
            return CARS_EXIT_USAGE;
        if (took > 0)
            continue;
        if (!a) /* never, for i < argc (C11 5.1.2.2.1) */
            return usage();
        if (strcmp(a, "--no-index") == 0)
            b.rel.no_index = true;
        else if (strcmp(a, "--unsealed") == 0)
            b.unsealed = true;
        else if (a[0] == '-' || b.path)
            return usage();
        else
            b.path = a;
    }
    if (!b.path || !b.out)
        return usage();
    if (!consistent(&b))
        return CARS_EXIT_USAGE;
    cars_compiled c;
    bool ok = cars_compile_release(b.path, &b.opt, &b.rel, &c);
    if (ok && b.rel.channel == CARS_CHANNEL_PRODUCTION) {
        /* the tests run on this compilation; the release that carries what
         * they gave is compiled again with it (the same code: builds are
         * reproducible) */
        ok = run_tests(&c, &b.rel);
        if (ok) {
            cars_compiled_free(&c);
            ok = cars_compile_release(b.path, &b.opt, &b.rel, &c);
        }
    }
    if (ok && c.len > cars_file_limit(CARS_FILE_RELEASE)) { /* carsvm would refuse to read it */
        snprintf(c.error, sizeof c.error, "the release is %zu bytes, larger than the %zu MiB limit for a release",
                 c.len, cars_file_limit(CARS_FILE_RELEASE) >> 20);
        ok = false;
    }
    cars_atomic_opts o = {.perm = CARS_PERM_UMASK, .mode = 0666};
    if (ok && cars_atomic_write_file(b.out, c.bytes, c.len, &o, c.error, sizeof c.error) != 0)
        ok = false;
    int status = cars_report_compile(&c, ok);
    cars_compiled_free(&c);
    return status;
}

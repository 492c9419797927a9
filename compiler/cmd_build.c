/* cmd_build.c - `carsc build PATH [--release-id ID] [--as-of DATE] -o FILE`:
 * compile a ruleset into a release bundle. The bytes are loaded and verified
 * (exactly as carsvm will) before they are written, through a temporary file
 * renamed into place, so a failed build never leaves a partial bundle. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "commands.h"
#include "compile.h"

static int usage(void)
{
    fprintf(stderr, "usage: carsc build PATH [--release-id ID] [--as-of YYYY-MM-DD] -o FILE.carsb\n");
    return CARS_EXIT_USAGE;
}

static bool write_atomic(const char *path, const uint8_t *bytes, size_t len, char *err, size_t errlen)
{
    size_t n = strlen(path) + 16;
    char *tmp = cars_malloc(n);
    if (!tmp) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    bool ok = f && fwrite(bytes, 1, len, f) == len;
    int e = errno;
    if (f && fclose(f) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
        remove(tmp);
    }
    cars_free(tmp);
    return ok;
}

/* Prints the diagnostics and the failure, if any; returns the exit status. */
int cars_report_compile(cars_compiled *c, bool ok)
{
    cars_report_diags(&c->diags);
    if (!ok && c->error[0])
        fprintf(stderr, "error: %s\n", c->error);
    return ok ? 0 : 1;
}

int cars_cmd_build(int argc, char **argv)
{
    const char *path = NULL, *out = NULL, *release = "dev";
    cars_check_options opt = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--release-id") == 0 && i + 1 < argc)
            release = argv[++i];
        else if (strcmp(argv[i], "--as-of") == 0 && i + 1 < argc) {
            if (!cars_parse_day(argv[++i], &opt.as_of)) {
                fprintf(stderr, "error: --as-of needs a date YYYY-MM-DD, got '%s'\n", argv[i]);
                return CARS_EXIT_USAGE;
            }
            opt.has_as_of = true;
        } else if (argv[i][0] == '-' || path)
            return usage();
        else
            path = argv[i];
    }
    if (!path || !out)
        return usage();
    cars_compiled c;
    bool ok = cars_compile(path, &opt, release, &c);
    if (ok && !write_atomic(out, c.bytes, c.len, c.error, sizeof c.error))
        ok = false;
    int status = cars_report_compile(&c, ok);
    cars_compiled_free(&c);
    return status;
}

/* cmd_check.c - `carsc check [--as-of YYYY-MM-DD] PATH...`: parse and check
 * a ruleset (compiler/commands.c cars_load_ruleset) and print its
 * diagnostics, sorted, with a summary. */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "commands.h"

const char cars_check_usage[] =
    "usage: carsc check [--as-of YYYY-MM-DD] PATH...\n"
    "\n"
    "Parse every PATH (a .cars file, or a directory whose *.cars files are\n"
    "read in name order) and check the ruleset: names, types, lawful basis,\n"
    "routing. Diagnostics go to stderr, sorted by position, then a summary.\n"
    "\n"
    "  --as-of DATE   also check review dates against DATE\n";

int cars_cmd_check(int argc, char **argv)
{
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
    cars_load_ruleset(paths, n, &opt, &arena, &d);
    cars_report_diags(&d);
    int rc = d.errors ? CARS_EXIT_ERRORS : CARS_EXIT_OK;
    cars_diags_free(&d);
    cars_arena_free(&arena);
    cars_free(paths);
    return rc;
}

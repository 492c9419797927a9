/* route_one.c - the libcars example (docs/libcars.md): load a release as
 * `carsvm route` does, then route application records, one JSON object per
 * line of standard input, and print each routing line: the same bytes as
 * `carsvm route`.
 *
 *   usage: route_one RELEASE.carsb KEY.pub|--unsigned-test [YYYY-MM-DD] <records.jsonl
 *
 * Build:  cc route_one.c $(pkg-config --cflags --libs cars)
 * Exit status as carsvm's: 0 every record routed, 3 some were invalid,
 * 1 fatal, 2 usage, 10-18 the release was refused. */
#define _POSIX_C_SOURCE 200809L /* getline */

#include <cars.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Routes one line, growing *buf when the decision needs more room.
 * Returns the status of cars_route. */
static int route_line(cars_ctx *ctx, const char *line, size_t len, uint64_t no, char **buf, size_t *cap)
{
    cars_decision d;
    int rc = cars_route(ctx, line, len, no, &d, *buf, *cap);
    if (rc == CARS_E_BUFFER_TOO_SMALL) {
        char *bigger = realloc(*buf, d.needed);
        if (!bigger)
            return CARS_E_NOMEM;
        *buf = bigger;
        *cap = d.needed;
        rc = cars_route(ctx, line, len, no, &d, *buf, *cap);
    }
    if ((rc == CARS_OK || rc == CARS_INVALID) && fwrite(d.line, 1, d.line_len, stdout) != d.line_len)
        return CARS_E_FATAL;
    return rc;
}

/* Routes every line of standard input; returns the exit status. */
static int route_all(cars_ctx *ctx)
{
    size_t cap = 4096;
    char *buf = malloc(cap), *line = NULL;
    size_t linecap = 0;
    uint64_t no = 0;
    int status = buf ? 0 : 1;
    ssize_t n;
    while (status != 1 && (n = getline(&line, &linecap, stdin)) >= 0) {
        size_t len = (size_t)n;
        if (len > 0 && line[len - 1] == '\n')
            len--;
        int rc = route_line(ctx, line, len, ++no, &buf, &cap);
        if (rc == CARS_INVALID)
            status = 3;
        else if (rc != CARS_OK && rc != CARS_BLANK) {
            fprintf(stderr, "route_one: line %llu: %s %s\n", (unsigned long long)no, cars_status_text(rc),
                    cars_ctx_last_error(ctx));
            status = 1;
        }
    }
    if (ferror(stdin) || fflush(stdout) != 0) {
        fprintf(stderr, "route_one: cannot read the input or write the output\n");
        status = 1;
    }
    free(line);
    free(buf);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: route_one RELEASE.carsb KEY.pub|--unsigned-test [YYYY-MM-DD] <records.jsonl\n");
        return 2;
    }
    cars_load_options opts;
    memset(&opts, 0, sizeof opts);
    if (strcmp(argv[2], "--unsigned-test") == 0) {
        opts.trust = CARS_ALLOW_UNSIGNED_TEST;
        opts.channel = "test";
    } else {
        opts.trust = CARS_REQUIRE_SIGNATURE;
        opts.trust_key = argv[2];
    }
    opts.as_of = argc == 4 ? argv[3] : NULL;

    char err[CARS_ERR_SIZE];
    cars_router *router;
    int rc = cars_router_load(argv[1], &opts, &router, err, sizeof err);
    if (rc != CARS_OK) {
        fprintf(stderr, "route_one: %s (%s)\n", err, cars_status_name(rc));
        return rc == CARS_E_ARGUMENT ? 2 : rc;
    }
    cars_release_info info;
    cars_router_info(router, &info);
    fprintf(stderr, "route_one: libcars %s, release %s (sequence %llu, %s, valid %s to %s), %u rules\n",
            cars_version_string(), info.release_id, (unsigned long long)info.sequence, info.channel,
            info.valid_from, info.valid_until, (unsigned)info.rules);

    cars_ctx *ctx; /* one per thread; this program routes in one */
    int status = 1;
    if (cars_ctx_new(router, &ctx) == CARS_OK) {
        status = route_all(ctx);
        cars_ctx_free(ctx);
    } else {
        fprintf(stderr, "route_one: out of memory\n");
    }
    cars_router_free(router);
    return status;
}

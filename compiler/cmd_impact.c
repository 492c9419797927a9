/* cmd_impact.c - `carsc impact OLD NEW CORPUS`: what a new release would
 * change, before it ships (compiler/impact.h does the work). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "commands.h"
#include "impact.h"
#include "loader.h"

#define USAGE                                                                                                   \
    "usage: carsc impact OLD.carsb NEW.carsb CORPUS.jsonl [--threads N] [--format text|json|html] [-o FILE]\n"

typedef struct opts {
    const char *path[3], *out, *format;
    int threads;
} opts;

static int usage_error(const char *msg)
{
    fprintf(stderr, "carsc impact: %s\n" USAGE, msg);
    return CARS_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, opts *o)
{
    int npos = 0;
    memset(o, 0, sizeof *o);
    o->format = "text";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--threads") == 0 || strcmp(a, "--format") == 0 || strcmp(a, "-o") == 0) && i + 1 >= argc)
            return usage_error("an option needs a value");
        if (strcmp(a, "--threads") == 0) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > 256)
                return usage_error("--threads needs a number from 1 to 256");
            o->threads = (int)n;
        } else if (strcmp(a, "--format") == 0) {
            o->format = argv[++i];
            if (strcmp(o->format, "text") && strcmp(o->format, "json") && strcmp(o->format, "html"))
                return usage_error("--format is text, json or html");
        } else if (strcmp(a, "-o") == 0) {
            o->out = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option");
        } else if (npos < 3) {
            o->path[npos++] = a;
        } else {
            return usage_error("too many arguments");
        }
    }
    return npos == 3 ? 0 : usage_error("needs OLD, NEW and CORPUS");
}

typedef struct emit_ctx {
    const cars_impact *im;
    const opts *o;
} emit_ctx;

static void emit(const void *ctx, FILE *out)
{
    const emit_ctx *e = ctx;
    const opts *o = e->o;
    cars_impact_names nm = {o->path[0], o->path[1], o->path[2]};
    if (strcmp(o->format, "json") == 0)
        cars_impact_json(e->im, &nm, out);
    else if (strcmp(o->format, "html") == 0)
        cars_impact_html(e->im, &nm, out);
    else
        cars_impact_text(e->im, &nm, out);
}

static int report(const cars_impact *im, const opts *o)
{
    emit_ctx e = {im, o};
    return cars_emit_output("impact", o->out, emit, &e);
}

static int run(const opts *o, const cars_program *old, const cars_program *nw)
{
    FILE *in = strcmp(o->path[2], "-") == 0 ? stdin : fopen(o->path[2], "rb");
    if (!in) {
        fprintf(stderr, "carsc impact: cannot read %s\n", o->path[2]);
        return CARS_EXIT_ERRORS;
    }
    cars_impact im;
    char err[400];
    int rc = cars_impact_run(&im, old, nw, in, o->threads, err, sizeof err);
    if (in != stdin)
        fclose(in);
    if (rc != 0)
        fprintf(stderr, "carsc impact: %s: %s\n", o->path[2], err);
    else
        rc = report(&im, o);
    cars_impact_free(&im);
    return rc ? CARS_EXIT_ERRORS : CARS_EXIT_OK;
}

int cars_cmd_impact(int argc, char **argv)
{
    opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    cars_program p[2];
    uint8_t *b[2] = {NULL, NULL};
    size_t len;
    b[0] = cars_read_bundle(o.path[0], &p[0], &len, "impact");
    if (b[0])
        b[1] = cars_read_bundle(o.path[1], &p[1], &len, "impact");
    rc = b[0] && b[1] ? run(&o, &p[0], &p[1]) : CARS_EXIT_ERRORS;
    for (int i = 0; i < 2; i++)
        if (b[i]) {
            cars_program_free(&p[i]);
            cars_free(b[i]);
        }
    return rc;
}

const char cars_impact_usage[] =
    USAGE "\n"
    "Read each record of CORPUS (JSON Lines; - for stdin) once, and route it under\n"
    "both releases, each with its own reader (a record invalid under one release\n"
    "and valid under the other moves to or from ERROR). Prints the outcome\n"
    "transition matrix (old outcome x new outcome) with shares of all records;\n"
    "for each transition, the rules now listed or no longer listed in the routing\n"
    "line and the first 5 records (id and line); records whose outcome stayed but\n"
    "whose rules changed; and every rule's firings (records whose routing line\n"
    "lists it) before and after. Rules are matched by id. The releases are read\n"
    "as carsc inspect reads them (signed or not, any channel): this is analysis,\n"
    "not routing.\n"
    "\n"
    "  --threads N   worker threads (default: every core); the figures are the\n"
    "                same for any N\n"
    "  --format F    text (default), json (one object), or html (a page with an\n"
    "                SVG chart of outcome shares old vs new)\n"
    "  -o FILE       write there instead of stdout\n"
    "Exit status: 0 done, 1 a release or the corpus cannot be read, 2 usage error.\n";

/* cmd_equality.c - `carsc equality`: the figures of the Equality Impact
 * Assessment (compiler/equality.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "commands.h"
#include "equality.h"
#include "loader.h"

#define USAGE                                                                                              \
    "usage: carsc equality RECORDS.jsonl ROUTING.jsonl [--release FILE.carsb] [--min-cell N]\n"           \
    "                      [--format text|csv|html] [-o FILE]\n"

typedef struct opts {
    const char *records, *routing, *rel, *out, *format;
    uint64_t min_cell;
} opts;

static int usage_error(const char *msg)
{
    fprintf(stderr, "carsc equality: %s\n" USAGE, msg);
    return CARS_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    o->format = "text";
    o->min_cell = 10;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool opt = a[0] == '-' && a[1];
        if (opt && i + 1 >= argc)
            return usage_error("an option needs a value");
        if (strcmp(a, "--release") == 0) {
            o->rel = argv[++i];
        } else if (strcmp(a, "--min-cell") == 0) {
            char *end;
            long long n = strtoll(argv[++i], &end, 10);
            if (*end || n < 1 || n > 1000000)
                return usage_error("--min-cell needs a number from 1 to 1000000");
            o->min_cell = (uint64_t)n;
        } else if (strcmp(a, "--format") == 0) {
            o->format = argv[++i];
        } else if (strcmp(a, "-o") == 0) {
            o->out = argv[++i];
        } else if (opt) {
            return usage_error("unknown option");
        } else if (!o->records) {
            o->records = a;
        } else if (!o->routing) {
            o->routing = a;
        } else {
            return usage_error("too many arguments");
        }
    }
    if (!o->routing)
        return usage_error("needs RECORDS and ROUTING");
    if (strcmp(o->format, "text") && strcmp(o->format, "csv") && strcmp(o->format, "html"))
        return usage_error("--format is text, csv or html");
    return 0;
}

typedef struct emit_ctx {
    const cars_equality *q;
    const char *format;
} emit_ctx;

static void emit(const void *ctx, FILE *out)
{
    const emit_ctx *e = ctx;
    if (strcmp(e->format, "csv") == 0)
        cars_equality_csv(e->q, out);
    else if (strcmp(e->format, "html") == 0)
        cars_equality_html(e->q, out);
    else
        cars_equality_text(e->q, out);
}

static int report(const cars_equality *q, const opts *o)
{
    emit_ctx e = {q, o->format};
    return cars_emit_output("equality", o->out, emit, &e);
}

int cars_cmd_equality(int argc, char **argv)
{
    opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    cars_program p;
    uint8_t *b = NULL;
    size_t len;
    if (o.rel && !(b = cars_read_bundle(o.rel, &p, &len, "equality")))
        return CARS_EXIT_ERRORS;
    cars_equality q;
    rc = cars_equality_run(&q, o.records, o.routing, b ? &p : NULL, o.min_cell) ? report(&q, &o) : CARS_EXIT_ERRORS;
    cars_equality_free(&q);
    if (b) {
        cars_program_free(&p);
        cars_free(b);
    }
    return rc;
}

const char cars_equality_usage[] =
    USAGE "\n"
    "The figures of the Equality Impact Assessment: outcome shares by nationality,\n"
    "sex and age band (completed years on the received date: 0-17, 18-24, 25-34,\n"
    "35-44, 45-54, 55-64, 65-74, 75 and over), each against the whole population,\n"
    "with the CX rate ratio (the share routed CXDR or CXPCA: the group's rate over\n"
    "the population's) and its 95% interval (log method). ROUTING is carsvm route's output for RECORDS: the same order,\n"
    "the ids compared line by line (a mismatch is an error naming the lines).\n"
    "Aggregates only: groups of fewer than --min-cell records are pooled into\n"
    "\"other\", and counts from 1 to --min-cell - 1 are hidden, with others as\n"
    "needed so that none can be worked out from its row or column (docs/central-team.md).\n"
    "\n"
    "  --release F   take the fields from the schema of release F (the fields marked\n"
    "                protected nationality, sex and age, and reference); without it,\n"
    "                applicant.nationality, applicant.sex, applicant.date_of_birth, received\n"
    "  --min-cell N  the smallest count shown (default 10)\n"
    "  --format F    text (default); csv (counts and shares, a hidden count empty);\n"
    "                html (a page with SVG charts of the ratios)\n"
    "  -o FILE       write there instead of stdout\n"
    "Exit status: 0 done, 1 an input cannot be read, is malformed or does not match,\n"
    "2 usage error.\n";

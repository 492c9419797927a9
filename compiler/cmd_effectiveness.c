/* cmd_effectiveness.c - `carsc effectiveness`: the monthly review of
 * non-complex routings re-routed as complex (compiler/effect.h). */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "commands.h"
#include "effect.h"
#include "loader.h"

#define USAGE                                                                                                   \
    "usage: carsc effectiveness ROUTING.jsonl RCX.csv|RCX.jsonl --release FILE.carsb [--release FILE.carsb]...\n" \
    "                           [--records RECORDS.jsonl --from YYYY-MM-DD --to YYYY-MM-DD]\n"                   \
    "                           [--format text|json|html] [-o FILE]\n"

#define MAX_REL 16

typedef struct opts {
    const char *routing, *rcx, *records, *out, *format, *from, *to;
    const char *rel[MAX_REL];
    size_t nrel;
} opts;

static int usage_error(const char *msg)
{
    fprintf(stderr, "carsc effectiveness: %s\n" USAGE, msg);
    return CARS_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    o->format = "text";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool val = a[0] == '-' && a[1];
        if (val && i + 1 >= argc)
            return usage_error("an option needs a value");
        if (strcmp(a, "--release") == 0 && o->nrel < MAX_REL)
            o->rel[o->nrel++] = argv[++i];
        else if (strcmp(a, "--records") == 0)
            o->records = argv[++i];
        else if (strcmp(a, "--from") == 0)
            o->from = argv[++i];
        else if (strcmp(a, "--to") == 0)
            o->to = argv[++i];
        else if (strcmp(a, "--format") == 0)
            o->format = argv[++i];
        else if (strcmp(a, "-o") == 0)
            o->out = argv[++i];
        else if (val)
            return usage_error("unknown option (or more than 16 releases)");
        else if (!o->routing)
            o->routing = a;
        else if (!o->rcx)
            o->rcx = a;
        else
            return usage_error("too many arguments");
    }
    if (!o->rcx)
        return usage_error("needs ROUTING and RCX");
    if (!o->nrel)
        return usage_error("needs --release: the rules' kinds and tiers come from it");
    if (strcmp(o->format, "text") && strcmp(o->format, "json") && strcmp(o->format, "html"))
        return usage_error("--format is text, json or html");
    if ((o->from || o->to) && !(o->from && o->to && o->records))
        return usage_error("a period needs --from, --to and --records (the received dates are in the records)");
    return 0;
}

typedef struct emit_ctx {
    const cars_effect *e;
    const char *format;
} emit_ctx;

static void emit(const void *ctx, FILE *out)
{
    const emit_ctx *x = ctx;
    if (strcmp(x->format, "json") == 0)
        cars_effect_json(x->e, out);
    else if (strcmp(x->format, "html") == 0)
        cars_effect_html(x->e, out);
    else
        cars_effect_text(x->e, out);
}

static int report(const cars_effect *e, const opts *o)
{
    emit_ctx x = {e, o->format};
    return cars_emit_output("effectiveness", o->out, emit, &x);
}

int cars_cmd_effectiveness(int argc, char **argv)
{
    opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    cars_effect_args a = {o.routing, o.rcx, o.records, NULL, 0, o.from != NULL, 0, 0};
    if (o.from && (!cars_date_arg(o.from, &a.from) || !cars_date_arg(o.to, &a.to)))
        return CARS_EXIT_USAGE;
    if (o.from && a.from > a.to)
        return usage_error("--from is after --to");
    cars_program p[MAX_REL];
    const cars_program *pp[MAX_REL];
    uint8_t *b[MAX_REL] = {NULL};
    size_t len, n = 0;
    for (; n < o.nrel; n++) {
        b[n] = cars_read_bundle(o.rel[n], &p[n], &len, "effectiveness");
        if (!b[n])
            break;
        pp[n] = &p[n];
    }
    rc = CARS_EXIT_ERRORS;
    a.rel = pp;
    a.nrel = n;
    cars_effect e;
    if (n == o.nrel && cars_effect_run(&e, &a))
        rc = report(&e, &o);
    if (n == o.nrel)
        cars_effect_free(&e);
    for (size_t i = 0; i < n; i++) {
        cars_program_free(&p[i]);
        cars_free(b[i]);
    }
    return rc;
}

const char cars_effectiveness_usage[] =
    USAGE "\n"
    "Of the applications routed non-complex (NCXDR, NCXPCA), how many a decision\n"
    "maker re-routed as complex. ROUTING is carsvm route's output; RCX lists the\n"
    "re-routes (docs/central-team.md): CSV with a header naming the columns id,\n"
    "and optionally reason and date; or JSON Lines {\"id\":...,\"reason\":...,\"date\":...}.\n"
    "For each non-complex outcome, each rule listed in a non-complex routing, each\n"
    "tier (an NCXPCA record counts once per tier of its listed multiple PCAs) and\n"
    "each number of multiple PCAs listed (1 to 9, 10 or more): routed, re-routed,\n"
    "the rate and its Wilson 95% interval, flagged \"above\" when the whole interval\n"
    "lies above the overall non-complex re-route rate. Every id of the re-route\n"
    "list is accounted for: not in the routing output, listed more than once, routed\n"
    "more than once, not routed non-complex, or outside the period.\n"
    "\n"
    "  --release F   a release that routed these lines (repeat for a month of weekly\n"
    "                releases): the rules' kinds and tiers, the received date field\n"
    "  --records F   the records that were routed, in the same order (ids checked\n"
    "                line by line); needed for a period\n"
    "  --from D --to D   count only records received from D to D (inclusive)\n"
    "  --format F    text (default), json, or html (a page with SVG charts)\n"
    "  -o FILE       write there instead of stdout\n"
    "Exit status: 0 done, 1 an input cannot be read or is malformed (the line is\n"
    "named), or the records do not match the routing lines, 2 usage error.\n";

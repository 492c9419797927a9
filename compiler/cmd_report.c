/* cmd_report.c - carsc report: the auditors' report of a release, as a
 * static HTML site (plain HTML and CSS, readable from file://), or the same
 * content as Markdown or JSON. The model is compiler/report.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "commands.h"
#include "report.h"

const char cars_report_usage[] =
    "usage: carsc report RELEASE.carsb [--previous OLD.carsb] [--trust KEY.pub]\n"
    "                    [--audit-key-secret AUDIT.key] [--format html|md|json] -o DIR\n"
    "       carsc report RULESET_DIR [--previous OLD] [--format html|md|json] -o DIR\n"
    "\n"
    "Write the auditors' report of a release into DIR (made if missing): the\n"
    "release's identity, validity, signer and digests; the routing order; every\n"
    "rule with its text, the fields it reads (directly and through definitions),\n"
    "the protected characteristics among them with their citations, and its\n"
    "review dates (overdue and due inside the validity window marked); the\n"
    "equality page (every rule that reads nationality, sex or age or a proxy of\n"
    "them); the tables (counts and digests, never an entry); with --previous, the\n"
    "rules added, withdrawn and changed (a word-level diff) and table counts.\n"
    "From a ruleset directory the report is of the source tree, not a release,\n"
    "and adds its examples and tests, each with the trace of carsc explain.\n"
    "\n"
    "  --format html  a static site: index.html and a page per stage, equality,\n"
    "                 tables, changes and tests (the default)\n"
    "  --format md    DIR/report.md       --format json   DIR/report.json\n"
    "  -o -           with md or json: write to standard output\n"
    "  --trust KEY    check the signature (RELEASE.carsb.minisig); a missing or\n"
    "                 bad one is an error. Without it the key id is shown, unchecked.\n"
    "  --audit-key-secret AUDIT.key\n"
    "                 open a sealed release's rule text (the report is made from\n"
    "                 it: a sealed release without the key is refused, and\n"
    "                 carsc inspect shows what it carries unsealed)\n"
    "Same release, same bytes: the report holds no date but the release's own.\n"
    "Exit status 1: the release (or its signature) was refused, or a write failed.\n";

typedef struct report_args {
    const char *path, *previous, *trust, *out, *format;
} report_args;

static bool parse_args(int argc, char **argv, report_args *a)
{
    memset(a, 0, sizeof *a);
    a->format = "html";
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char **slot = strcmp(s, "--previous") == 0 ? &a->previous
                            : strcmp(s, "--trust") == 0  ? &a->trust
                            : strcmp(s, "--format") == 0 ? &a->format
                            : strcmp(s, "-o") == 0       ? &a->out
                                                         : NULL;
        if (slot && i + 1 < argc)
            *slot = argv[++i];
        else if (!slot && s[0] != '-' && !a->path)
            a->path = s;
        else
            return false;
    }
    bool fmt_ok = strcmp(a->format, "html") == 0 || strcmp(a->format, "md") == 0 ||
                  strcmp(a->format, "json") == 0;
    bool stdout_ok = !a->out || strcmp(a->out, "-") != 0 || strcmp(a->format, "html") != 0;
    return a->path && a->out && fmt_ok && stdout_ok;
}

static int write_text(const cars_report *r, const report_args *a)
{
    cars_buf b = {0};
    bool md = strcmp(a->format, "md") == 0;
    if (md)
        cars_report_md(r, &b);
    else
        cars_report_json(r, &b);
    char err[600];
    bool ok;
    if (strcmp(a->out, "-") == 0) {
        ok = !b.failed && fwrite(b.p, 1, b.len, stdout) == b.len && fflush(stdout) == 0;
        snprintf(err, sizeof err, "cannot write the output: %s", b.failed ? "out of memory" : strerror(errno));
    } else {
        ok = cars_report_write(a->out, md ? "report.md" : "report.json", &b, err, sizeof err);
    }
    cars_buf_free(&b);
    if (!ok)
        fprintf(stderr, "carsc report: %s\n", err);
    return ok ? CARS_EXIT_OK : CARS_EXIT_ERRORS;
}

int cars_cmd_report(int argc, char **argv)
{
    if (!cars_audit_secret_arg(&argc, argv, "report"))
        return CARS_EXIT_USAGE;
    report_args a;
    if (!parse_args(argc, argv, &a)) {
        fprintf(stderr, "%s", cars_report_usage);
        return CARS_EXIT_USAGE;
    }
    if (strcmp(a.out, "-") != 0 && mkdir(a.out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "carsc report: cannot make %s: %s\n", a.out, strerror(errno));
        return CARS_EXIT_ERRORS;
    }
    cars_report r;
    char err[1200];
    int status = CARS_EXIT_OK;
    if (!cars_report_open(&r, a.path, a.previous, a.trust, err, sizeof err)) {
        fprintf(stderr, "carsc report: %s\n", err);
        status = CARS_EXIT_ERRORS;
    } else if (strcmp(a.format, "html") == 0) {
        if (!cars_report_html(&r, a.out, err, sizeof err)) {
            fprintf(stderr, "carsc report: %s\n", err);
            status = CARS_EXIT_ERRORS;
        }
    } else {
        status = write_text(&r, &a);
    }
    cars_report_free(&r);
    return status;
}

/* main.c - the carsvm command line: route records through a release,
 * serve routings over HTTP (serve.c), verify a release, disassemble a
 * release, check a decision log (declog_cmd.c). Only the command files
 * print (this one, cli.c, serve.c, declog_cmd.c). */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "atomic.h"
#include "cli.h"
#include "disasm.h"
#include "date.h"
#include "declog_cmd.h"
#include "release.h"
#include "route.h"
#include "serve.h"
#include "state.h"
#include "version.h"

/* The subcommands: synopsis and description (carsvm --help, carsvm
 * COMMAND --help). */
static const struct command {
    const char *name, *synopsis, *text;
} commands[] = {
    {"route", "route --release FILE.carsb [TRUST] [DECISION LOG] [INPUT|-] [-o OUTPUT] [--threads N]",
     "      Read one application per line from INPUT (default: standard input)\n"
     "      and write one routing line per non-blank input line, in input order\n"
     "      (a blank line holds only spaces, tabs and CRs; a form feed or\n"
     "      vertical tab makes an invalid record).\n"
     "      With -o, the output is written to a temporary file beside OUTPUT and\n"
     "      renamed on success: no truncated output is ever left. --threads N\n"
     "      (default: the number of cores) gives the same bytes as one thread.\n"
     "      Lines longer than 16 MiB get an ERROR line (blank ones are skipped).\n"
     "      With --decision-log, each block's log lines are written before its\n"
     "      routing lines; a log that cannot be written stops the run (exit 1).\n"},
    {"serve", "serve --release FILE.carsb [TRUST] [DECISION LOG] [--listen ADDR:PORT] [OPTIONS]",
     cars_serve_help_text},
    {"verify", "verify [TRUST] FILE.carsb",
     "      Check a release as route would, print a one-line summary (and a second\n"
     "      line with the signature's trusted comment when it is not carsc's).\n"},
    {"disasm", "disasm [TRUST] FILE.carsb",
     "      Check a release as verify does, then print its code, one instruction\n"
     "      per line.\n"},
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

static const char trust_help[] =
    "TRUST (how an operator runs only genuine, current releases):\n"
    "  --trust KEY.pub        check the signature (FILE.carsb.minisig, made by\n"
    "                         carsc sign or minisign) against this public key\n"
    "  --signature FILE       the signature file, if not FILE.carsb.minisig\n"
    "  --channel production|test   the channel this operator runs (default production)\n"
    "  --as-of YYYY-MM-DD     the date for the validity window (default: today, UTC;\n"
    "                         give the original date to reproduce an old decision)\n"
    "  --state FILE           refuse a release older than the last one accepted\n"
    "                         here; route records each release it accepts, under\n"
    "                         a lock on FILE.lock (a second run waits up to 60 s).\n"
    "                         FILE is a regular file, not a symbolic link\n"
    "  Checked in order: size, magic, format version, signature over every byte\n"
    "  (and its trusted comment, when in carsc's form: it must describe the release),\n"
    "  channel, validity window, sequence, then the verifier. Without --trust only\n"
    "  test-channel releases run (unsigned builds for development).\n";

static const char exit_help[] =
    "Exit status:\n"
    "  0  every record routed (verify: the release is valid)\n"
    "  1  fatal: unreadable release or input, write failure\n"
    "  2  usage error\n"
    "  3  some records were invalid (each has an ERROR line)\n"
    "  4  log verify: a bad line; log replay: a decision not reproduced or not checked\n"
    "  10 malformed release or signature    14 wrong channel\n"
    "  11 unsigned release                  15 not yet valid\n"
    "  12 bad signature                     16 expired\n"
    "  13 signed by an unknown key          17 rolled back (older than accepted)\n"
    "  18 the state file cannot be read or written, is damaged, or stays locked\n";

static void usage(FILE *out)
{
    for (int i = 0; i < NCOMMANDS; i++)
        fprintf(out, "%s carsvm %s\n", i == 0 ? "usage:" : "      ", commands[i].synopsis);
    fprintf(out, "       carsvm log keygen KEYFILE | verify FILE... | replay --decision-log-key KEY [TRUST] LOG "
                 "RECORDS RELEASE...\n");
    fprintf(out, "       carsvm [COMMAND] --help\n");
}

/* carsvm --help: every command; carsvm COMMAND --help: that one. */
static int help(const struct command *only)
{
    if (only)
        printf("usage: carsvm %s\n\n%s", only->synopsis, only->text);
    else {
        printf("carsvm - route UK visit-visa application records (JSON Lines) by complexity.\n\n");
        for (int i = 0; i < NCOMMANDS; i++)
            printf("  %s\n%s", commands[i].synopsis, commands[i].text);
        printf("  log keygen KEYFILE | verify FILE... | replay ... (carsvm log --help)\n%s", cars_log_help_text);
    }
    bool logs = !only || strcmp(only->name, "route") == 0 || strcmp(only->name, "serve") == 0;
    printf("\n%s\n%s%s%s", trust_help, logs ? cars_cli_log_help : "", logs ? "\n" : "", exit_help);
    return fflush(stdout) == 0 ? 0 : 1;
}

static int cmd_verify(int argc, char **argv, bool disasm)
{
    cars_trust_opts t = {.channel = CARS_CHANNEL_PRODUCTION};
    const char *path = NULL;
    for (int i = 2; i < argc; i++) {
        int took = cars_cli_trust_option(argc, argv, &i, &t);
        if (took < 0)
            return 2;
        if (took == 0 && (argv[i][0] == '-' || path)) {
            fprintf(stderr, "carsvm: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
        if (took == 0)
            path = argv[i];
    }
    if (!path) {
        usage(stderr);
        return 2;
    }
    cars_release r;
    int rc = cars_cli_load_release(path, &t, &r);
    if (rc != 0)
        return rc;
    const cars_program *p = &r.prog;
    if (disasm) {
        cars_disasm(p, stdout);
    } else {
        char from[11], until[11];
        cars_date_format(p->valid_from, from);
        cars_date_format(p->valid_until, until);
        printf("%s: ok: release %.*s (sequence %llu, %s, valid %s to %s%s), %u rules, %u stages, %u tables, "
               "%u blocks, %u bytes of code\n",
               path, (int)p->release_id.len, p->release_id.p, (unsigned long long)p->sequence,
               cars_channel_name(p->channel), from, until, t.trust ? ", signature good" : ", not signature-checked",
               p->nrules, p->nstages, p->ntables, p->nblocks, p->code_len);
        if (p->tests.run) {
            char tests[200];
            cars_release_tests_text(p, tests, sizeof tests);
            printf("%s: tests: %s\n", path, tests);
        }
        if (r.foreign_comment[0])
            printf("%s: the signature's trusted comment %s is not carsc's: not compared with the release\n", path,
                   r.foreign_comment);
    }
    cars_release_free(&r);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "carsvm: cannot write the output: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}

static int parse_threads(const char *s)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || n < 1 || n > 256)
        return -1;
    return (int)n;
}

/* The options of carsvm route. */
typedef struct route_opts {
    const char *release, *input, *output;
    int threads;
    cars_trust_opts t;
    cars_log_opts log;
} route_opts;

/* Parses route's arguments; 0, or the usage status 2 (with a message). */
static int route_args(int argc, char **argv, route_opts *o)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int took = cars_cli_trust_option(argc, argv, &i, &o->t);
        if (took == 0)
            took = cars_cli_log_option(argc, argv, &i, &o->log);
        if (took < 0)
            return 2;
        if (took > 0)
            continue;
        if (strcmp(a, "--release") == 0 && i + 1 < argc) {
            o->release = argv[++i];
        } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            o->output = argv[++i];
        } else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
            if ((o->threads = parse_threads(argv[++i])) < 0) {
                fprintf(stderr, "carsvm: --threads wants a number from 1 to 256, not '%s'\n", argv[i]);
                return 2;
            }
        } else if ((a[0] != '-' || strcmp(a, "-") == 0) && !o->input) {
            o->input = a;
        } else {
            fprintf(stderr, "carsvm: unexpected argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!o->release) {
        fprintf(stderr, "carsvm: route needs --release FILE.carsb\n");
        usage(stderr);
        return 2;
    }
    if (o->threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        o->threads = n < 1 ? 1 : n > 256 ? 256 : (int)n;
    }
    return 0;
}

/* Routes INPUT to OUTPUT (-o: written atomically, vm/atomic.h; a device or
 * a pipe such as /dev/stdout is written in place). Returns the exit status. */
static int route_records(const cars_release *rel, const route_opts *o)
{
    const cars_program *p = &rel->prog;
    uint8_t key[CARS_DECLOG_KEY_BYTES];
    cars_declog_src src = {.key = key, .p = p};
    cars_declog *log = NULL;
    if (o->log.path && !(log = cars_cli_log_open(&o->log, key)))
        return 1;
    if (log)
        cars_declog_bundle_hex(rel->bytes, rel->len, src.bundle_hex);
    FILE *in = stdin, *out = stdout;
    cars_atomic w = {.fd = -1};
    cars_atomic_opts wo = {.what = "output", .perm = CARS_PERM_UMASK, .mode = 0666, .in_place = true};
    char err[700];
    int status = 1;
    if (o->input && strcmp(o->input, "-") != 0 && !(in = fopen(o->input, "rb")))
        fprintf(stderr, "carsvm: cannot read input %s: %s\n", o->input, strerror(errno));
    else if (o->output && cars_atomic_open(&w, o->output, &wo, err, sizeof err) != 0)
        fprintf(stderr, "carsvm: %s\n", err);
    else if (o->output && !(out = cars_atomic_stream(&w)))
        fprintf(stderr, "carsvm: cannot write output %s: %s\n", o->output, strerror(errno));
    else {
        int rc = cars_route_stream_logged(p, in, out, o->threads, log, log ? &src : NULL, NULL, err, sizeof err);
        if (rc < 0)
            fprintf(stderr, "carsvm: %s\n", err);
        else if (o->output && cars_atomic_commit(&w, err, sizeof err) != 0)
            fprintf(stderr, "carsvm: %s\n", err);
        else if (!o->output && (fflush(out) != 0 || ferror(out)))
            fprintf(stderr, "carsvm: cannot write output (standard output): %s\n", strerror(errno));
        else
            status = rc;
    }
    cars_atomic_abort(&w); /* harmless after the commit */
    if (cars_declog_close(log, err, sizeof err) != 0) {
        fprintf(stderr, "carsvm: %s\n", err);
        status = 1;
    }
    sodium_memzero(key, sizeof key);
    if (in && in != stdin)
        fclose(in);
    return status;
}

static int cmd_route(int argc, char **argv)
{
    route_opts o = {.t = {.channel = CARS_CHANNEL_PRODUCTION}};
    int status = route_args(argc, argv, &o);
    if (status != 0)
        return status;
    cars_release r;
    if ((status = cars_cli_load_release(o.release, &o.t, &r)) != 0)
        return status;
    if (o.t.trust && o.t.state)
        status = cars_cli_record_release(o.t.state, &r.prog, r.digest, o.release);
    if (status == CARS_REL_OK)
        status = route_records(&r, &o);
    cars_release_free(&r);
    return status;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "carsvm: cannot initialise libsodium\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN); /* a closed pipe is a write error (EPIPE): reported, exit 1 */
    signal(SIGXFSZ, SIG_IGN); /* past RLIMIT_FSIZE a write fails (EFBIG): reported, as a full disk */
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return help(NULL);
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("carsvm " CARS_VERSION "\n");
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "log") == 0) {
        if (argc == 2 || strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) {
            printf("usage: carsvm log keygen KEYFILE\n       carsvm log verify FILE...\n"
                   "       carsvm log replay --decision-log-key KEY [TRUST] LOG RECORDS RELEASE...\n\n%s\n%s",
                   cars_log_help_text, trust_help);
            return fflush(stdout) == 0 ? 0 : 1;
        }
        return cars_cmd_log(argc, argv);
    }
    for (int c = 0; argc >= 2 && c < NCOMMANDS; c++) {
        if (strcmp(argv[1], commands[c].name) != 0)
            continue;
        for (int i = 2; i < argc; i++) /* carsvm COMMAND ... --help, as carsc */
            if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
                return help(&commands[c]);
        if (strcmp(argv[1], "serve") == 0)
            return cars_cmd_serve(argc, argv);
        return c == 0 ? cmd_route(argc, argv) : cmd_verify(argc, argv, strcmp(argv[1], "disasm") == 0);
    }
    usage(stderr);
    return 2;
}

/* main.c - the carsvm command line: route records through a release,
 * verify a release, disassemble a release. Only this file prints. */
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
#include "disasm.h"
#include "date.h"
#include "release.h"
#include "route.h"
#include "state.h"
#include "version.h"

/* The subcommands: synopsis and description (carsvm --help, carsvm
 * COMMAND --help). */
static const struct command {
    const char *name, *synopsis, *text;
} commands[] = {
    {"route", "route --release FILE.carsb [TRUST] [INPUT|-] [-o OUTPUT] [--threads N]",
     "      Read one application per line from INPUT (default: standard input)\n"
     "      and write one routing line per non-blank input line, in input order\n"
     "      (a blank line holds only spaces, tabs and CRs; a form feed or\n"
     "      vertical tab makes an invalid record).\n"
     "      With -o, the output is written to a temporary file beside OUTPUT and\n"
     "      renamed on success: no truncated output is ever left. --threads N\n"
     "      (default: the number of cores) gives the same bytes as one thread.\n"
     "      Lines longer than 16 MiB get an ERROR line.\n"},
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
    "  10 malformed release or signature    14 wrong channel\n"
    "  11 unsigned release                  15 not yet valid\n"
    "  12 bad signature                     16 expired\n"
    "  13 signed by an unknown key          17 rolled back (older than accepted)\n"
    "  18 the state file cannot be read or written, is damaged, or stays locked\n";

static void usage(FILE *out)
{
    for (int i = 0; i < NCOMMANDS; i++)
        fprintf(out, "%s carsvm %s\n", i == 0 ? "usage:" : "      ", commands[i].synopsis);
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
    }
    printf("\n%s\n%s", trust_help, exit_help);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* How the operator opens releases (the TRUST options). */
typedef struct trust_opts {
    const char *trust, *signature, *state;
    uint8_t channel;
    bool has_as_of;
    int64_t as_of;
} trust_opts;

/* Consumes one TRUST option at argv[*i]: 1 taken, 0 not one, -1 bad value. */
static int trust_option(int argc, char **argv, int *i, trust_opts *t)
{
    const char *a = argv[*i];
    if (*i + 1 >= argc)
        return 0;
    const char *v = argv[*i + 1];
    if (strcmp(a, "--trust") == 0)
        t->trust = v;
    else if (strcmp(a, "--signature") == 0)
        t->signature = v;
    else if (strcmp(a, "--state") == 0)
        t->state = v;
    else if (strcmp(a, "--channel") == 0) {
        if (!cars_channel_parse(v, &t->channel)) {
            fprintf(stderr, "carsvm: --channel is production or test, not '%s'\n", v);
            return -1;
        }
    } else if (strcmp(a, "--as-of") == 0) {
        char err[300];
        if (!cars_date_option(v, &t->as_of, err, sizeof err)) {
            fprintf(stderr, "carsvm: %s\n", err);
            return -1;
        }
        t->has_as_of = true;
    } else
        return 0;
    (*i)++;
    return 1;
}



/* Opens a release as the TRUST options say (vm/release.h: the one loading
 * path); prints why not. Returns 0, or the exit status of the refusal. */
static int load_release(const char *path, const trust_opts *t, cars_release *r)
{
    cars_release_policy pol = {.channel = t->channel, .state_path = t->state};
    pol.today = t->has_as_of ? t->as_of : (int64_t)(time(NULL) / 86400);
    pol.trust = t->trust ? CARS_TRUST_SIGNED : CARS_TRUST_UNSIGNED_TEST; /* unsigned: test releases only */
    char err[1200];
    int rc = cars_release_load(path, t->trust, t->signature, &pol, r, err, sizeof err);
    if (rc != CARS_REL_OK)
        fprintf(stderr, "carsvm: %s\n", err);
    return rc;
}

static int cmd_verify(int argc, char **argv, bool disasm)
{
    trust_opts t = {.channel = CARS_CHANNEL_PRODUCTION};
    const char *path = NULL;
    for (int i = 2; i < argc; i++) {
        int took = trust_option(argc, argv, &i, &t);
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
    int rc = load_release(path, &t, &r);
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

/* How long route waits for another carsvm to finish with the state file:
 * the lock is held only while the state file is read and replaced. */
enum { STATE_WAIT_SECONDS = 60 };

/* Records an accepted release in the state file, holding its lock while
 * the file is read again, compared and replaced (vm/state.h): of two runs
 * at once, the second waits, then sees what the first recorded. */
static int record_release(const char *state, const cars_program *p, const uint8_t digest[32], const char *path)
{
    char err[700];
    int fd;
    bool busy;
    if (cars_state_lock(state, 0, &fd, &busy, err, sizeof err) != 0) {
        if (!busy) {
            fprintf(stderr, "carsvm: %s\n", err);
            return CARS_REL_STATE;
        }
        fprintf(stderr, "carsvm: %s; waiting up to %d seconds\n", err, STATE_WAIT_SECONDS);
        if (cars_state_lock(state, STATE_WAIT_SECONDS * 1000L, &fd, &busy, err, sizeof err) != 0) {
            fprintf(stderr, "carsvm: %s\n", err);
            return CARS_REL_STATE;
        }
    }
    cars_release_meta m = {.release_id = p->release_id.p, .release_id_len = p->release_id.len,
                           .sequence = p->sequence, .valid_from = p->valid_from,
                           .valid_until = p->valid_until, .channel = p->channel};
    int rc = cars_release_accept(&m, digest, state, err, sizeof err);
    cars_state_unlock(fd);
    if (rc == CARS_REL_ROLLED_BACK)
        fprintf(stderr, "carsvm: refused %s: %s\n", path, err);
    else if (rc != CARS_REL_OK)
        fprintf(stderr, "carsvm: %s\n", err);
    return rc;
}

/* The options of carsvm route. */
typedef struct route_opts {
    const char *release, *input, *output;
    int threads;
    trust_opts t;
} route_opts;

/* Parses route's arguments; 0, or the usage status 2 (with a message). */
static int route_args(int argc, char **argv, route_opts *o)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int took = trust_option(argc, argv, &i, &o->t);
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
static int route_records(const cars_program *p, const route_opts *o)
{
    FILE *in = stdin, *out = stdout;
    cars_atomic w = {.fd = -1};
    cars_atomic_opts wo = {.what = "output", .perm = CARS_PERM_UMASK, .mode = 0666, .in_place = true};
    char err[300];
    int status = 1;
    if (o->input && strcmp(o->input, "-") != 0 && !(in = fopen(o->input, "rb")))
        fprintf(stderr, "carsvm: cannot read input %s: %s\n", o->input, strerror(errno));
    else if (o->output && cars_atomic_open(&w, o->output, &wo, err, sizeof err) != 0)
        fprintf(stderr, "carsvm: %s\n", err);
    else if (o->output && !(out = cars_atomic_stream(&w)))
        fprintf(stderr, "carsvm: cannot write output %s: %s\n", o->output, strerror(errno));
    else {
        int rc = cars_route_stream(p, in, out, o->threads, NULL, err, sizeof err);
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
    if ((status = load_release(o.release, &o.t, &r)) != 0)
        return status;
    if (o.t.trust && o.t.state)
        status = record_release(o.t.state, &r.prog, r.digest, o.release);
    if (status == CARS_REL_OK)
        status = route_records(&r.prog, &o);
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
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return help(NULL);
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("carsvm " CARS_VERSION "\n");
        return 0;
    }
    for (int c = 0; argc >= 2 && c < NCOMMANDS; c++) {
        if (strcmp(argv[1], commands[c].name) != 0)
            continue;
        for (int i = 2; i < argc; i++) /* carsvm COMMAND ... --help, as carsc */
            if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
                return help(&commands[c]);
        return c == 0 ? cmd_route(argc, argv) : cmd_verify(argc, argv, c == 2);
    }
    usage(stderr);
    return 2;
}

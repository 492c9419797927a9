/* main.c - the carsvm command line: route records through a release,
 * verify a release, disassemble a release. Only this file prints. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "alloc.h"
#include "disasm.h"
#include "date.h"
#include "loader.h"
#include "readfile.h"
#include "release.h"
#include "route.h"
#include "sign.h"
#include "version.h"

static const char usage[] =
    "usage: carsvm route --release FILE.carsb [TRUST] [INPUT|-] [-o OUTPUT] [--threads N]\n"
    "       carsvm verify [TRUST] FILE.carsb\n"
    "       carsvm disasm FILE.carsb\n"
    "       carsvm --help\n";

static const char help[] =
    "carsvm - route UK visit-visa application records (JSON Lines) by complexity.\n"
    "\n"
    "  route --release FILE.carsb [INPUT|-] [-o OUTPUT] [--threads N]\n"
    "      Read one application per line from INPUT (default: standard input)\n"
    "      and write one routing line per non-blank input line, in input order\n"
    "      (a blank line holds only spaces, tabs and CRs; a form feed or\n"
    "      vertical tab makes an invalid record).\n"
    "      With -o, the output is written to a temporary file beside OUTPUT and\n"
    "      renamed on success: no truncated output is ever left. --threads N\n"
    "      (default: the number of cores) gives the same bytes as one thread.\n"
    "      Lines longer than 16 MiB get an ERROR line.\n"
    "  verify [TRUST] FILE.carsb\n"
    "      Check a release as route would, print a one-line summary.\n"
    "  disasm FILE.carsb   print a release's code, one instruction per line\n"
    "\n"
    "TRUST (how an operator runs only genuine, current releases):\n"
    "  --trust KEY.pub        check the signature (FILE.carsb.minisig, made by\n"
    "                         carsc sign or minisign) against this public key\n"
    "  --signature FILE       the signature file, if not FILE.carsb.minisig\n"
    "  --channel production|test   the channel this operator runs (default production)\n"
    "  --as-of YYYY-MM-DD     the date for the validity window (default: today, UTC;\n"
    "                         give the original date to reproduce an old decision)\n"
    "  --state FILE           refuse a release older than the last one accepted\n"
    "                         here; route records each release it accepts\n"
    "  Checked in order: size, magic, format version, signature over every byte,\n"
    "  channel, validity window, sequence, then the verifier. Without --trust only\n"
    "  test-channel releases run (unsigned builds for development).\n"
    "\n"
    "Exit status:\n"
    "  0  every record routed (verify: the release is valid)\n"
    "  1  fatal: unreadable release or input, write failure\n"
    "  2  usage error\n"
    "  3  some records were invalid (each has an ERROR line)\n"
    "  10 malformed release or signature    14 wrong channel\n"
    "  11 unsigned release                  15 not yet valid\n"
    "  12 bad signature                     16 expired\n"
    "  13 signed by an unknown key          17 rolled back (older than accepted)\n"
    "  18 the state file cannot be read or written\n";

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
        if (!cars_date_parse(v, strlen(v), &t->as_of)) {
            fprintf(stderr, "carsvm: --as-of wants a date YYYY-MM-DD, not '%s'\n", v);
            return -1;
        }
        t->has_as_of = true;
    } else
        return 0;
    (*i)++;
    return 1;
}



/* Opens a release as the TRUST options say; prints why not. Returns 0, or
 * the exit status of the refusal. */
static int load_release(const char *path, const trust_opts *t, cars_program *p, uint8_t **bytes,
                        uint8_t digest[32])
{
    size_t len;
    *bytes = cars_read_file(path, &len);
    if (!*bytes) {
        fprintf(stderr, "carsvm: cannot read release %s: %s\n", path, strerror(errno));
        return 1;
    }
    char err[700];
    if (!t->trust) {
        int rc = cars_bundle_load(*bytes, len, p, err, sizeof err);
        if (rc != 0) {
            fprintf(stderr, "carsvm: invalid release %s: %s\n", path, err);
            cars_free(*bytes);
            *bytes = NULL;
            return CARS_REL_MALFORMED;
        }
        if (p->channel != CARS_CHANNEL_TEST) {
            fprintf(stderr, "carsvm: refused %s: release %.*s is a %s release: verify it with --trust KEY.pub\n",
                    path, (int)p->release_id.len, p->release_id.p, cars_channel_name(p->channel));
            cars_program_free(p);
            cars_free(*bytes);
            *bytes = NULL;
            return CARS_REL_UNSIGNED;
        }
        memset(digest, 0, 32);
        return 0;
    }
    size_t klen, slen = 0;
    char *key = (char *)cars_read_file(t->trust, &klen);
    if (!key) {
        fprintf(stderr, "carsvm: cannot read trusted key %s: %s\n", t->trust, strerror(errno));
        cars_free(*bytes);
        *bytes = NULL;
        return 1;
    }
    cars_pubkey pk;
    cars_sig_status ks = cars_pubkey_parse(key, klen, &pk, err, sizeof err);
    cars_free(key);
    if (ks != CARS_SIG_OK) {
        fprintf(stderr, "carsvm: trusted key %s: %s\n", t->trust, err);
        cars_free(*bytes);
        *bytes = NULL;
        return 1;
    }
    char *sigpath = NULL;
    const char *sp = t->signature;
    if (!sp) {
        size_t n = strlen(path) + sizeof ".minisig";
        if ((sigpath = cars_malloc(n)))
            snprintf(sigpath, n, "%s.minisig", path);
        sp = sigpath;
    }
    char *sig = sp ? (char *)cars_read_file(sp, &slen) : NULL;
    if (!sig && sp && errno != ENOENT) {
        fprintf(stderr, "carsvm: cannot read signature %s: %s\n", sp, strerror(errno));
        cars_free(sigpath);
        cars_free(*bytes);
        *bytes = NULL;
        return 1;
    }
    cars_release_policy pol = {.channel = t->channel, .state_path = t->state};
    pol.today = t->has_as_of ? t->as_of : (int64_t)(time(NULL) / 86400);
    int rc = cars_release_open(*bytes, len, sig, slen, &pk, &pol, p, digest, err, sizeof err);
    if (rc != CARS_REL_OK) {
        if (rc == CARS_REL_UNSIGNED)
            fprintf(stderr, "carsvm: refused %s: unsigned release: no signature file %s\n", path, sp ? sp : "");
        else
            fprintf(stderr, "carsvm: refused %s: %s\n", path, err);
        cars_free(*bytes);
        *bytes = NULL;
    }
    cars_free(sig);
    cars_free(sigpath);
    return rc;
}

static int cmd_verify(int argc, char **argv, bool disasm)
{
    trust_opts t = {.channel = CARS_CHANNEL_PRODUCTION};
    const char *path = NULL;
    for (int i = 2; i < argc; i++) {
        int took = disasm ? 0 : trust_option(argc, argv, &i, &t);
        if (took < 0)
            return 2;
        if (took == 0 && (argv[i][0] == '-' || path)) {
            fprintf(stderr, "carsvm: unexpected argument '%s'\n%s", argv[i], usage);
            return 2;
        }
        if (took == 0)
            path = argv[i];
    }
    if (!path) {
        fputs(usage, stderr);
        return 2;
    }
    cars_program p;
    uint8_t *bytes, digest[32];
    int rc = load_release(path, &t, &p, &bytes, digest);
    if (rc != 0)
        return rc;
    if (disasm) {
        cars_disasm(&p, stdout);
    } else {
        char from[11], until[11];
        cars_date_format(p.valid_from, from);
        cars_date_format(p.valid_until, until);
        printf("%s: ok: release %.*s (sequence %llu, %s, valid %s to %s%s), %u rules, %u stages, %u tables, "
               "%u blocks, %u bytes of code\n",
               path, (int)p.release_id.len, p.release_id.p, (unsigned long long)p.sequence,
               cars_channel_name(p.channel), from, until, t.trust ? ", signature good" : ", not signature-checked",
               p.nrules, p.nstages, p.ntables, p.nblocks, p.code_len);
    }
    cars_program_free(&p);
    cars_free(bytes);
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

/* Opens a temporary file beside `path` (same directory: rename is atomic). */
static FILE *open_temp(const char *path, char **tmp_path)
{
    struct stat st; /* a device or a pipe (-o /dev/stdout): written in place, never renamed over */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return fopen(path, "wb");
    size_t n = strlen(path);
    char *t = cars_malloc(n + 16);
    if (!t)
        return NULL;
    snprintf(t, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(t);
    if (fd < 0) {
        cars_free(t);
        return NULL;
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        unlink(t);
        cars_free(t);
        return NULL;
    }
    *tmp_path = t;
    return f;
}

static int cmd_route(int argc, char **argv)
{
    const char *release = NULL, *input = NULL, *output = NULL;
    int threads = 0;
    trust_opts t = {.channel = CARS_CHANNEL_PRODUCTION};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int took = trust_option(argc, argv, &i, &t);
        if (took < 0)
            return 2;
        if (took > 0)
            continue;
        if (strcmp(a, "--release") == 0 && i + 1 < argc) {
            release = argv[++i];
        } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            output = argv[++i];
        } else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
            if ((threads = parse_threads(argv[++i])) < 0) {
                fprintf(stderr, "carsvm: --threads wants a number from 1 to 256, not '%s'\n", argv[i]);
                return 2;
            }
        } else if ((a[0] != '-' || strcmp(a, "-") == 0) && !input) {
            input = a;
        } else {
            fprintf(stderr, "carsvm: unexpected argument '%s'\n%s", a, usage);
            return 2;
        }
    }
    if (!release) {
        fprintf(stderr, "carsvm: route needs --release FILE.carsb\n%s", usage);
        return 2;
    }
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n < 1 ? 1 : n > 256 ? 256 : (int)n;
    }
    cars_program p;
    uint8_t *bytes, digest[32];
    int status = load_release(release, &t, &p, &bytes, digest);
    if (status != 0)
        return status;
    status = 1;
    if (t.trust && t.state) {
        cars_release_meta m = {.release_id = p.release_id.p, .release_id_len = p.release_id.len,
                               .sequence = p.sequence, .valid_from = p.valid_from,
                               .valid_until = p.valid_until, .channel = p.channel};
        char serr[400];
        int rc = cars_release_accept(&m, digest, t.state, serr, sizeof serr);
        if (rc != CARS_REL_OK) {
            fprintf(stderr, "carsvm: %s\n", serr);
            cars_program_free(&p);
            cars_free(bytes);
            return rc;
        }
    }
    FILE *in = stdin, *out = stdout;
    char *tmp = NULL;
    if (input && strcmp(input, "-") != 0 && !(in = fopen(input, "rb"))) {
        fprintf(stderr, "carsvm: cannot read input %s: %s\n", input, strerror(errno));
        goto done;
    }
    if (output && !(out = open_temp(output, &tmp))) {
        fprintf(stderr, "carsvm: cannot write output %s: %s\n", output, strerror(errno));
        goto done;
    }
    char err[300];
    int rc = cars_route_stream(&p, in, out, threads, NULL, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "carsvm: %s\n", err);
    } else if (fflush(out) != 0 || ferror(out)) {
        fprintf(stderr, "carsvm: cannot write output %s: %s\n", output ? output : "(standard output)", strerror(errno));
    } else {
        status = rc;
    }
    if (tmp) {
        if (fclose(out) != 0 && status != 1) {
            fprintf(stderr, "carsvm: cannot write output %s: %s\n", output, strerror(errno));
            status = 1;
        }
        out = stdout;
        if (status != 1 && rename(tmp, output) != 0) {
            fprintf(stderr, "carsvm: cannot write output %s: %s\n", output, strerror(errno));
            status = 1;
        }
        if (status == 1)
            unlink(tmp);
    }
done:
    if (in && in != stdin)
        fclose(in);
    cars_free(tmp);
    cars_program_free(&p);
    cars_free(bytes);
    return status;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "carsvm: cannot initialise libsodium\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN); /* a closed pipe is a write error (EPIPE): reported, exit 1 */
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(help, stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("carsvm " CARS_VERSION "\n");
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "route") == 0)
        return cmd_route(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "verify") == 0)
        return cmd_verify(argc, argv, false);
    if (argc >= 2 && strcmp(argv[1], "disasm") == 0)
        return cmd_verify(argc, argv, true);
    fputs(usage, stderr);
    return 2;
}

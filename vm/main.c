/* main.c - the carsvm command line: route records through a release,
 * verify a release, disassemble a release. Only this file prints. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "alloc.h"
#include "disasm.h"
#include "loader.h"
#include "route.h"

static const char usage[] =
    "usage: carsvm route --release FILE.carsb [INPUT|-] [-o OUTPUT] [--threads N]\n"
    "       carsvm verify FILE.carsb\n"
    "       carsvm disasm FILE.carsb\n"
    "       carsvm --help\n";

static const char help[] =
    "carsvm - route UK visit-visa application records (JSON Lines) by complexity.\n"
    "\n"
    "  route --release FILE.carsb [INPUT|-] [-o OUTPUT] [--threads N]\n"
    "      Read one application per line from INPUT (default: standard input)\n"
    "      and write one routing line per non-blank input line, in input order.\n"
    "      With -o, the output is written to a temporary file beside OUTPUT and\n"
    "      renamed on success: no truncated output is ever left. --threads N\n"
    "      (default: the number of cores) gives the same bytes as one thread.\n"
    "      Lines longer than 16 MiB get an ERROR line.\n"
    "  verify FILE.carsb   load and verify a release, print a one-line summary\n"
    "  disasm FILE.carsb   print a release's code, one instruction per line\n"
    "\n"
    "Exit status:\n"
    "  0  every record routed (verify: the release is valid)\n"
    "  1  fatal: unreadable or invalid release, unreadable input, write failure\n"
    "  2  usage error\n"
    "  3  some records were invalid (each has an ERROR line)\n";

/* Reads a whole file into a cars_malloc buffer (8-aligned). */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = cars_malloc(cap);
    while (b) {
        if (n == cap) {
            uint8_t *nb = cars_realloc(b, cap * 2);
            if (!nb) {
                cars_free(b);
                b = NULL;
                errno = ENOMEM;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                int e = errno;
                cars_free(b);
                b = NULL;
                errno = e ? e : EIO;
            }
            break;
        }
    }
    fclose(f);
    *len = n;
    return b;
}

/* Loads and verifies a release; prints why not and returns false. */
static bool load_release(const char *path, cars_program *p, uint8_t **bytes)
{
    size_t len;
    *bytes = read_file(path, &len);
    if (!*bytes) {
        fprintf(stderr, "carsvm: cannot read release %s: %s\n", path, strerror(errno));
        return false;
    }
    char err[600];
    int rc = cars_bundle_load(*bytes, len, p, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "carsvm: invalid release %s: %s\n", path, err);
        cars_free(*bytes);
        *bytes = NULL;
        return false;
    }
    return true;
}

static int cmd_verify(int argc, char **argv, bool disasm)
{
    if (argc != 3) {
        fputs(usage, stderr);
        return 2;
    }
    cars_program p;
    uint8_t *bytes;
    if (!load_release(argv[2], &p, &bytes))
        return 1;
    if (disasm) {
        cars_disasm(&p, stdout);
    } else {
        printf("%s: ok: release %.*s, %u rules, %u stages, %u tables, %u blocks, %u bytes of code\n", argv[2],
               (int)p.release_id.len, p.release_id.p, p.nrules, p.nstages, p.ntables, p.nblocks, p.code_len);
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
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
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
    uint8_t *bytes;
    if (!load_release(release, &p, &bytes))
        return 1;
    int status = 1;
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
    if (argc >= 2 && strcmp(argv[1], "route") == 0)
        return cmd_route(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "verify") == 0)
        return cmd_verify(argc, argv, false);
    if (argc >= 2 && strcmp(argv[1], "disasm") == 0)
        return cmd_verify(argc, argv, true);
    fputs(usage, stderr);
    return 2;
}

/* serve.c - the `carsvm serve` command: options, the first release, the
 * signals (SIGHUP: load the release file again; SIGTERM or SIGINT: finish
 * the requests in flight and exit 0), the watched directory, and the
 * service log on standard error. This file prints. */
#include "serve.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>

#include "cli.h"

const char cars_serve_help_text[] =
    "      Answer routing requests over HTTP/1.1 (docs/serve.md): POST /v1/route\n"
    "      (one JSON record, or JSON Lines: the routing lines, byte for byte as\n"
    "      route writes them), GET /v1/release, GET /healthz, GET /metrics.\n"
    "      --listen ADDR:PORT     address and port (default 127.0.0.1:8080): IPv4\n"
    "                             (0.0.0.0: all), IPv6 in brackets ([::1]:8080;\n"
    "                             [::]: all, IPv6 only) or localhost (127.0.0.1);\n"
    "                             port 0: any free port, printed on standard error\n"
    "      --threads N            worker threads (default: the number of cores)\n"
    "      --max-body BYTES       request body limit (default 16M; 413 beyond)\n"
    "      --max-records N        records per request (default 10000; 413 beyond)\n"
    "      --max-connections N    open connections (default 512; 503 beyond)\n"
    "      --idle-timeout S       a connection silent this long is closed,\n"
    "                             headers or body (default 10)\n"
    "      --header-timeout S     a request head not complete this long after the\n"
    "                             connection opened (or its previous answer) is\n"
    "                             closed, however fast it trickles (default 10)\n"
    "      --body-timeout S       a body not complete this long after its headers\n"
    "                             is dropped (default 30)\n"
    "      --drain-timeout S      on SIGTERM, wait this long for requests in\n"
    "                             flight (default 30)\n"
    "      --watch DIR            load a new FILE.carsb appearing in DIR (rename it\n"
    "                             into place, its .minisig first)\n"
    "      SIGHUP loads --release FILE again. A new release is checked fully (TRUST,\n"
    "      the state file) before it replaces the old one; requests in flight finish\n"
    "      on the release they started with; a refused release leaves the old one\n"
    "      serving (reported on standard error and in /metrics).\n"
    "      Exit: 0 after SIGTERM or SIGINT with every request finished; 1 cannot\n"
    "      listen or open the log, or requests were cut at the drain timeout.\n";

typedef struct serve_args {
    const char *release, *watch;
    cars_trust_opts t;
    cars_log_opts log;
    cars_serve_opts o;
    unsigned drain;
} serve_args;

static bool parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || v > max)
        return false;
    if (*end == 'K' || *end == 'M' || *end == 'G') {
        unsigned long long m = *end == 'K' ? 1024 : *end == 'M' ? 1024 * 1024 : 1024ull * 1024 * 1024;
        if (v > max / m)
            return false;
        v *= m;
        end++;
    }
    *out = v;
    return *end == '\0' && v > 0;
}

/* --listen ADDR:PORT into o: an IPv4 address (0.0.0.0: every one), an IPv6
 * address in brackets ([::]: every one, IPv6 only), or localhost (127.0.0.1;
 * no other name: nothing is resolved). NULL, or what is wrong. */
static const char *parse_listen(const char *s, cars_serve_opts *o)
{
    char host[48];
    const char *colon, *end = s;
    unsigned long long port;
    bool v6 = *s == '[';
    if (v6) {
        if (!(end = strchr(s, ']')))
            return "an IPv6 address in brackets has no ']'";
        colon = end + 1;
        s++;
    } else if ((colon = strchr(s, ':')) && strchr(colon + 1, ':'))
        return "an IPv6 address goes in brackets: [::1]:8080";
    else
        end = colon;
    if (!colon || *colon != ':' || colon[1] == '\0')
        return v6 ? "there is no :PORT after the ']'" : "there is no :PORT after the address";
    if (end == s)
        return "there is no address before the port";
    if ((size_t)(end - s) >= sizeof host)
        return "the address is too long";
    if (strcmp(colon + 1, "0") == 0)
        port = 0;
    else if (!parse_uint(colon + 1, 65535, &port))
        return "the port is not a number from 0 to 65535";
    memcpy(host, s, (size_t)(end - s));
    host[end - s] = '\0';
    memset(&o->sa, 0, sizeof o->sa);
    if (v6) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&o->sa;
        if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
            return "the address in brackets is not an IPv6 address";
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        snprintf(o->addr, sizeof o->addr, "[%s]", host);
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&o->sa;
        if (inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host, &a4->sin_addr) != 1)
            return "the address is not an IPv4 address (host names other than localhost are not resolved)";
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        snprintf(o->addr, sizeof o->addr, "%s", strcmp(host, "localhost") == 0 ? "127.0.0.1" : host);
    }
    o->port = (uint16_t)port;
    return NULL;
}

/* One serve option with a value; 1 taken, 0 not one, -1 bad value. */
static int serve_option(const char *a, const char *v, serve_args *s)
{
    unsigned long long n = 0;
    static const struct {
        const char *name;
        unsigned long long max;
    } nums[] = {{"--threads", 256},          {"--max-body", 1ull << 30},    {"--max-records", 10000000},
                {"--max-connections", 100000}, {"--idle-timeout", 3600}, {"--body-timeout", 3600},
                {"--drain-timeout", 3600}, {"--header-timeout", 3600}};
    if (strcmp(a, "--release") == 0)
        return s->release = v, 1;
    if (strcmp(a, "--watch") == 0)
        return s->watch = v, 1;
    if (strcmp(a, "--listen") == 0) {
        const char *why = parse_listen(v, &s->o);
        if (!why)
            return 1;
        fprintf(stderr, "carsvm: --listen '%s': %s; give ADDR:PORT, e.g. 127.0.0.1:8080, 0.0.0.0:8080, "
                        "[::1]:8080, [::]:8080 or localhost:8080\n", v, why);
        return -1;
    }
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        if (strcmp(a, nums[i].name) != 0)
            continue;
        if (!parse_uint(v, nums[i].max, &n)) {
            fprintf(stderr, "carsvm: %s wants a number from 1 to %llu, not '%s'\n", a, nums[i].max, v);
            return -1;
        }
        switch (i) {
        case 0: s->o.threads = (int)n; break;
        case 1: s->o.max_body = (size_t)n; break;
        case 2: s->o.max_records = (unsigned)n; break;
        case 3: s->o.max_conns = (unsigned)n; break;
        case 4: s->o.idle_timeout = (unsigned)n; break;
        case 5: s->o.body_timeout = (unsigned)n; break;
        case 6: s->drain = (unsigned)n; break;
        default: s->o.header_timeout = (unsigned)n;
        }
        return 1;
    }
    return 0;
}

static int serve_args_parse(int argc, char **argv, serve_args *s)
{
    for (int i = 2; i < argc; i++) {
        int took = cars_cli_trust_option(argc, argv, &i, &s->t);
        if (took == 0)
            took = cars_cli_log_option(argc, argv, &i, &s->log);
        if (took == 0 && i + 1 < argc && (took = serve_option(argv[i], argv[i + 1], s)) > 0)
            i++;
        if (took < 0)
            return 2;
        if (took == 0) {
            fprintf(stderr, "carsvm: unexpected argument '%s'\nusage: carsvm serve --release FILE.carsb [TRUST] "
                            "[DECISION LOG] [--listen ADDR:PORT] [OPTIONS]\n", argv[i]);
            return 2;
        }
    }
    if (!s->release) {
        fprintf(stderr, "carsvm: serve needs --release FILE.carsb\n");
        return 2;
    }
    if (s->o.threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s->o.threads = n < 1 ? 1 : n > 256 ? 256 : (int)n;
    }
    return 0;
}

/* Opens and checks a release fully (TRUST, then the state file), and wraps
 * it for serving. 0, or the refusal's status (printed). */
static int open_release(const char *path, const serve_args *a, const uint8_t *key, cars_srv_release **out)
{
    cars_release r;
    cars_trust_opts t = a->t;
    if (!t.has_as_of) { /* today, each time: a long-running server crosses midnight */
        t.as_of = (int64_t)(time(NULL) / 86400);
        t.has_as_of = true;
    }
    int rc = cars_cli_load_release(path, &t, &r);
    if (rc != 0)
        return rc;
    if (t.trust && t.state && (rc = cars_cli_record_release(t.state, &r.prog, r.digest, path)) != 0) {
        cars_release_free(&r);
        return rc;
    }
    if (!(*out = cars_srv_release_new(&r, key, t.trust != NULL))) {
        cars_release_free(&r);
        fprintf(stderr, "carsvm: out of memory\n");
        return 1;
    }
    return 0;
}

/* A new release while serving: swapped in, or refused (old one kept). */
static void swap_release(const char *path, const serve_args *a, const uint8_t *key)
{
    cars_srv_release *s = NULL;
    int rc = open_release(path, a, key, &s);
    cars_srv_release *old = cars_srv_acquire();
    if (rc != 0) {
        cars_srv_count_swap(false);
        fprintf(stderr, "carsvm serve: refused the release %s (status %d, %s); still serving %.*s\n", path, rc,
                cars_release_status_name(rc), (int)old->r.prog.release_id.len, old->r.prog.release_id.p);
    } else {
        cars_srv_swap(s);
        cars_srv_count_swap(true);
        fprintf(stderr, "carsvm serve: now serving release %.*s (sequence %llu) from %s; was %.*s\n",
                (int)s->r.prog.release_id.len, s->r.prog.release_id.p, (unsigned long long)s->r.prog.sequence,
                path, (int)old->r.prog.release_id.len, old->r.prog.release_id.p);
    }
    cars_srv_put(old);
}

/* The FILE.carsb in dir changed (written or renamed in) last, when later
 * than *seen (its inode change time). */
static bool newest(const char *dir, struct timespec *seen, char *name, size_t len)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool found = false;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        char path[4096];
        struct stat st;
        if (n < 7 || strcmp(e->d_name + n - 6, ".carsb") != 0 ||
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path || stat(path, &st) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        struct timespec m = st.st_ctim; /* a rename into the directory changes it */
        if (m.tv_sec > seen->tv_sec || (m.tv_sec == seen->tv_sec && m.tv_nsec > seen->tv_nsec)) {
            *seen = m;
            snprintf(name, len, "%s", path);
            found = true;
        }
    }
    closedir(d);
    return found;
}

/* Waits for signals (and polls the watched directory each second) until
 * SIGTERM or SIGINT. */
static void run(const serve_args *a, const uint8_t *key, const sigset_t *set)
{
    struct timespec seen = {0, 0}, second = {1, 0};
    char path[4096];
    if (a->watch)
        (void)newest(a->watch, &seen, path, sizeof path); /* what is there now is not new */
    for (;;) {
        int sig = sigtimedwait(set, NULL, &second);
        if (sig == SIGTERM || sig == SIGINT) {
            fprintf(stderr, "carsvm serve: %s: finishing the requests in flight\n", strsignal(sig));
            return;
        }
        if (sig == SIGHUP)
            swap_release(a->release, a, key);
        else if (a->watch && newest(a->watch, &seen, path, sizeof path))
            swap_release(path, a, key);
    }
}

static int serve(const serve_args *a, const uint8_t *key, struct cars_declog *log)
{
    cars_srv_release *s = NULL;
    int rc = open_release(a->release, a, key, &s);
    if (rc != 0)
        return rc;
    cars_srv_swap(s);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread starts: only run() takes them */
    char err[700];
    uint16_t port;
    if (cars_srv_http_start(&a->o, log, &port, err, sizeof err) != 0) {
        fprintf(stderr, "carsvm: %s\n", err);
        cars_srv_swap(NULL);
        return 1;
    }
    fprintf(stderr, "carsvm serve: listening on %s:%u, release %.*s, %d thread%s\n", a->o.addr, port,
            (int)s->r.prog.release_id.len, s->r.prog.release_id.p, a->o.threads, a->o.threads == 1 ? "" : "s");
    run(a, key, &set);
    int left = cars_srv_http_stop(a->drain);
    cars_srv_swap(NULL);
    if (left)
        fprintf(stderr, "carsvm serve: %d request%s cut at the drain timeout\n", left, left == 1 ? "" : "s");
    else
        fprintf(stderr, "carsvm serve: stopped\n");
    return left ? 1 : 0;
}

int cars_cmd_serve(int argc, char **argv)
{
    serve_args a = {.t = {.channel = CARS_CHANNEL_PRODUCTION}, .drain = 30};
    a.o = (cars_serve_opts){.max_body = 16u << 20, .max_records = 10000, .max_conns = 512, .idle_timeout = 10,
                            .header_timeout = 10, .body_timeout = 30};
    (void)parse_listen("127.0.0.1:8080", &a.o);
    int rc = serve_args_parse(argc, argv, &a);
    if (rc != 0)
        return rc;
    uint8_t key[CARS_DECLOG_KEY_BYTES];
    struct cars_declog *log = NULL;
    if (a.log.path && !(log = cars_cli_log_open(&a.log, key)))
        return 1;
    rc = serve(&a, log ? key : NULL, log);
    char err[700];
    if (cars_declog_close(log, err, sizeof err) != 0) {
        fprintf(stderr, "carsvm: %s\n", err);
        rc = rc ? rc : 1;
    }
    sodium_memzero(key, sizeof key);
    return rc;
}

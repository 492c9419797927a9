/* serve_http.c - the endpoints of `carsvm serve` on libmicrohttpd (its
 * thread pool: one event loop per worker thread; a request is routed on the
 * thread that read it). POST /v1/route, GET /v1/release, GET /healthz,
 * GET /metrics (docs/serve.md). Every refusal is a JSON object
 * {"error":"..."} with its status; an invalid record is not a refusal: it
 * gets its ERROR routing line, as in batch. */
#include "serve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "alloc.h"
#include "json.h"
#include "names.h"
#include "route.h"

/* The server's settings and live counts, shared by every thread. */
typedef struct server {
    cars_serve_opts o;
    struct cars_declog *log;
    atomic_int conns;    /* open connections */
    atomic_int inflight; /* requests begun and not yet completed */
} server;

static server srv;

/* One request: its body, as it arrives. */
typedef struct request {
    cars_buf body;
    struct timespec start; /* the headers were read */
    bool route;            /* POST /v1/route */
    bool too_big;          /* the body passed the limit: being discarded */
} request;

static double since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Queues a response whose bytes are copied; counts its status. */
static enum MHD_Result answer(struct MHD_Connection *c, int status, const char *type, const char *p, size_t n)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(n, (void *)p, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, POST");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    cars_srv_count_request(status);
    return rc;
}

/* {"error":"..."} with a status, counted under its reason. */
static enum MHD_Result refuse(struct MHD_Connection *c, int status, enum cars_srv_err why, const char *msg)
{
    cars_buf b = {0};
    cars_buf_puts(&b, "{\"error\":");
    cars_json_string(&b, msg, strlen(msg));
    cars_buf_puts(&b, "}\n");
    cars_srv_count_error(why);
    enum MHD_Result rc = b.failed ? MHD_NO : answer(c, status, "application/json", b.p, b.len);
    cars_buf_free(&b);
    return rc;
}

/* ---- POST /v1/route ------------------------------------------------- */

/* Records in the body (non-blank lines), counting no further than max+1. */
static unsigned long count_records(const char *p, size_t len, unsigned max)
{
    unsigned long n = 0;
    for (size_t at = 0; at < len && n <= max;) {
        const char *nl = memchr(p + at, '\n', len - at);
        size_t k = nl ? (size_t)(nl - (p + at)) : len - at;
        n += !cars_blank_line(p + at, k);
        at += k + 1;
    }
    return n;
}

/* Routes every record of the body into out (and log entries into logb):
 * the routing step of `carsvm route`, line by line. 0, or -1 (err). */
static int route_body(cars_srv_release *s, cars_srv_ctx *ctx, const cars_buf *body, cars_buf *out, cars_buf *logb,
                      char *err, size_t errlen)
{
    uint64_t no = 0;
    for (size_t at = 0; at < body->len;) {
        const char *line = body->p + at;
        const char *nl = memchr(line, '\n', body->len - at);
        size_t n = nl ? (size_t)(nl - line) : body->len - at;
        at += n + 1;
        no++;
        if (cars_blank_line(line, n))
            continue;
        cars_result res;
        if (cars_route_record(ctx->reader, ctx->vm, &s->r.prog, line, n, no, false, out, logb,
                              srv.log ? &s->logsrc : NULL, &res, err, errlen) < 0)
            return -1;
        cars_srv_count_outcome(res.outcome);
    }
    if (out->failed || logb->failed)
        return snprintf(err, errlen, "out of memory"), -1;
    return 0;
}

/* Hands the routing lines to the response without a copy. */
static enum MHD_Result answer_lines(struct MHD_Connection *c, cars_buf *out, bool many, const cars_srv_release *s)
{
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(out->len, out->p, cars_free);
    if (!r)
        return MHD_NO;
    out->p = NULL;
    out->len = out->cap = 0;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, many ? "application/x-ndjson" : "application/json");
    char id[300];
    snprintf(id, sizeof id, "%.*s", (int)s->r.prog.release_id.len, s->r.prog.release_id.p);
    MHD_add_response_header(r, "X-Cars-Release", id);
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    cars_srv_count_request(MHD_HTTP_OK);
    return rc;
}

static enum MHD_Result do_route(struct MHD_Connection *c, request *q)
{
    if (q->too_big) {
        char msg[120];
        snprintf(msg, sizeof msg, "the body is larger than %zu bytes (--max-body)", srv.o.max_body);
        return refuse(c, MHD_HTTP_CONTENT_TOO_LARGE, CARS_SRV_E_BODY_TOO_LARGE, msg);
    }
    unsigned long n = count_records(q->body.p, q->body.len, srv.o.max_records);
    if (n == 0)
        return refuse(c, MHD_HTTP_BAD_REQUEST, CARS_SRV_E_BAD_REQUEST,
                      "the body holds no record (one JSON record, or JSON Lines)");
    if (n > srv.o.max_records) {
        char msg[120];
        snprintf(msg, sizeof msg, "more than %u records in one request (--max-records)", srv.o.max_records);
        return refuse(c, MHD_HTTP_CONTENT_TOO_LARGE, CARS_SRV_E_TOO_MANY_RECORDS, msg);
    }
    cars_srv_release *s = cars_srv_acquire();
    cars_srv_ctx *ctx = s ? cars_srv_ctx_take(s) : NULL;
    cars_buf out = {0}, logb = {0};
    char err[700];
    enum MHD_Result rc;
    if (!ctx || route_body(s, ctx, &q->body, &out, &logb, err, sizeof err) != 0)
        rc = refuse(c, MHD_HTTP_INTERNAL_SERVER_ERROR, CARS_SRV_E_INTERNAL, ctx ? err : "out of memory");
    else if (srv.log && cars_declog_append(srv.log, &logb, err, sizeof err) != 0) {
        fprintf(stderr, "carsvm serve: %s\n", err);
        rc = refuse(c, MHD_HTTP_SERVICE_UNAVAILABLE, CARS_SRV_E_DECISION_LOG,
                    "the decision log cannot be written: no decision was made");
    } else
        rc = answer_lines(c, &out, n > 1, s);
    if (ctx)
        cars_srv_ctx_give(s, ctx);
    cars_srv_put(s);
    cars_buf_free(&out);
    cars_buf_free(&logb);
    cars_srv_count_latency(since(&q->start));
    return rc;
}

/* Takes a chunk of the body; false when the connection is to be dropped. */
static bool take_body(request *q, const char *data, size_t n)
{
    if (srv.o.body_timeout && since(&q->start) > srv.o.body_timeout) {
        cars_srv_count_error(CARS_SRV_E_BODY_TIMEOUT);
        return false; /* a slow client: closed, not answered */
    }
    if (q->too_big || q->body.len + n > srv.o.max_body) {
        q->too_big = true; /* read and dropped, then 413 */
        return true;
    }
    cars_buf_put(&q->body, data, n);
    return !q->body.failed;
}

/* ---- GET endpoints ------------------------------------------------------ */

static enum MHD_Result do_get(struct MHD_Connection *c, const char *url)
{
    cars_srv_release *s = cars_srv_acquire();
    enum MHD_Result rc;
    if (strcmp(url, "/v1/release") == 0)
        rc = answer(c, MHD_HTTP_OK, "application/json", s->info, s->info_len);
    else if (strcmp(url, "/healthz") == 0) {
        char b[400];
        int n = snprintf(b, sizeof b, "{\"status\":\"ok\",\"release\":\"%.*s\"}\n", (int)s->r.prog.release_id.len,
                         s->r.prog.release_id.p);
        rc = answer(c, MHD_HTTP_OK, "application/json", b, n > 0 && (size_t)n < sizeof b ? (size_t)n : 0);
    } else {
        cars_buf b = {0};
        cars_srv_metrics(&b, s, srv.log);
        rc = b.failed ? refuse(c, MHD_HTTP_INTERNAL_SERVER_ERROR, CARS_SRV_E_INTERNAL, "out of memory")
                      : answer(c, MHD_HTTP_OK, "text/plain; version=0.0.4", b.p, b.len);
        cars_buf_free(&b);
    }
    cars_srv_put(s);
    return rc;
}

static bool known_get(const char *url)
{
    return strcmp(url, "/v1/release") == 0 || strcmp(url, "/healthz") == 0 || strcmp(url, "/metrics") == 0;
}

/* The first call of a request: its headers are in. */
static enum MHD_Result begin(struct MHD_Connection *c, const char *url, const char *method, void **cls)
{
    bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0, get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;
    request *q = cars_calloc(1, sizeof *q);
    if (!q)
        return MHD_NO;
    clock_gettime(CLOCK_MONOTONIC, &q->start);
    *cls = q;
    atomic_fetch_add(&srv.inflight, 1);
    if (atomic_load(&srv.conns) > (int)srv.o.max_conns)
        return refuse(c, MHD_HTTP_SERVICE_UNAVAILABLE, CARS_SRV_E_TOO_MANY_CONNECTIONS,
                      "too many connections (--max-connections): try again later");
    if (strcmp(url, "/v1/route") == 0 && post) {
        q->route = true;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > srv.o.max_body) {
            q->route = false; /* answered now: the body is never read */
            char msg[120];
            snprintf(msg, sizeof msg, "the body is larger than %zu bytes (--max-body)", srv.o.max_body);
            return refuse(c, MHD_HTTP_CONTENT_TOO_LARGE, CARS_SRV_E_BODY_TOO_LARGE, msg);
        }
        if (cl)
            cars_buf_grow(&q->body, (size_t)strtoull(cl, NULL, 10)); /* one allocation for the body */
        return MHD_YES;
    }
    if (known_get(url) && get)
        return do_get(c, url);
    if (known_get(url) || strcmp(url, "/v1/route") == 0)
        return refuse(c, MHD_HTTP_METHOD_NOT_ALLOWED, CARS_SRV_E_METHOD, "method not allowed");
    return refuse(c, MHD_HTTP_NOT_FOUND, CARS_SRV_E_NOT_FOUND, "no such endpoint");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *data, size_t *size, void **req_cls)
{
    (void)cls;
    (void)version;
    request *q = *req_cls;
    if (!q)
        return begin(c, url, method, req_cls);
    if (!q->route) /* answered already; MHD skips what is left of the body */
        return (*size = 0), MHD_YES;
    if (*size) {
        bool ok = take_body(q, data, *size);
        *size = 0;
        return ok ? MHD_YES : MHD_NO;
    }
    return do_route(c, q);
}

static void completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    request *q = *req_cls;
    if (!q)
        return;
    cars_buf_free(&q->body);
    cars_free(q);
    *req_cls = NULL;
    atomic_fetch_sub(&srv.inflight, 1);
}

static void connection(void *cls, struct MHD_Connection *c, void **sock_cls, enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    (void)c;
    (void)sock_cls;
    atomic_fetch_add(&srv.conns, toe == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
}

struct MHD_Daemon *cars_srv_http_start(const cars_serve_opts *o, struct cars_declog *log, uint16_t *port,
                                       char *err, size_t errlen)
{
    srv.o = *o;
    srv.log = log;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(o->port);
    if (inet_pton(AF_INET, o->addr, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "--listen wants an IPv4 address and a port (127.0.0.1:8080), not '%s'", o->addr);
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, o->port, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(o->threads > 1 ? o->threads : 0), MHD_OPTION_CONNECTION_LIMIT,
        o->max_conns + 64u, /* the margin is answered 503 */
        MHD_OPTION_CONNECTION_TIMEOUT, o->idle_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)256 * 1024,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, connection, NULL,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1, MHD_OPTION_END);
    if (!d) {
        snprintf(err, errlen, "cannot listen on %s:%u: %s", o->addr, o->port,
                 errno ? strerror(errno) : "libmicrohttpd refused to start");
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : o->port;
    return d;
}

int cars_srv_http_stop(struct MHD_Daemon *d, unsigned seconds)
{
    MHD_socket s = MHD_quiesce_daemon(d); /* no new connection */
    if (s != MHD_INVALID_SOCKET)
        close(s);
    struct timespec start, tick = {0, 10 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (atomic_load(&srv.inflight) > 0 && since(&start) < seconds)
        nanosleep(&tick, NULL);
    int left = atomic_load(&srv.inflight);
    MHD_stop_daemon(d);
    return left;
}

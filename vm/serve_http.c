/* serve_http.c - `carsvm serve` on libevent's evhttp: one listening
 * socket; --threads workers, each with its own event loop and evhttp
 * accepting on its own duplicate of that socket, so a request is routed on
 * the thread that read it; the endpoints POST /v1/route, GET /v1/release,
 * GET /healthz, GET /metrics (docs/serve.md). Every refusal made here is a
 * JSON object {"error":"..."} with its status; an invalid record is not a
 * refusal: it gets its ERROR routing line, as in batch. What evhttp does not
 * do for a connection (its count, the head and body deadlines, the requests
 * in flight) is serve_conn.c's. */
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_struct.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "alloc.h"
#include "json.h"
#include "names.h"
#include "route.h"

/* One worker thread: its event loop, its evhttp, its accepting socket. */
typedef struct worker {
    cars_srv_loop loop;
    struct evhttp *http;
    struct evhttp_bound_socket *bound; /* NULL once it stopped accepting */
    struct event *stop_ev, *quit_ev;
    pthread_t thread;
    bool running;
} worker;

/* The server's settings, shared by every thread. */
typedef struct server {
    cars_serve_opts o;
    struct cars_declog *log;
    worker *w;
    int nw;
    int stop_pipe[2], quit_pipe[2]; /* closing the write end tells every worker */
} server;

static server srv = {.stop_pipe = {-1, -1}, .quit_pipe = {-1, -1}};

static double since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Sends req's answer, written in this turn of the loop: a socket
 * bufferevent would wait for the next epoll_wait to say the socket is
 * writable (a system call and a turn of the loop more for every answer;
 * with the loop's change list the write interest is then never passed to
 * the kernel at all). Its own write callback runs as if it had. */
static void send_answer(struct evhttp_request *req, int status)
{
    struct bufferevent *bev = evhttp_connection_get_bufferevent(evhttp_request_get_connection(req));
    evhttp_send_reply(req, status, NULL, NULL);
    event_active(&bev->ev_write, EV_WRITE, 1);
}

/* Sends an answer whose bytes are copied; counts its status. */
static void answer(struct evhttp_request *req, int status, const char *type, const char *p, size_t n)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", type);
    if (status == HTTP_BADMETHOD)
        evhttp_add_header(h, "Allow", "GET, POST");
    if (evbuffer_add(evhttp_request_get_output_buffer(req), p, n) != 0)
        status = HTTP_INTERNAL; /* out of memory: no body */
    send_answer(req, status);
    cars_srv_count_request(status);
}

/* {"error":"..."} with a status, counted under its reason. */
void cars_srv_error_json(cars_buf *b, const char *msg)
{
    cars_buf_puts(b, "{\"error\":");
    cars_json_string(b, msg, strlen(msg));
    cars_buf_puts(b, "}\n");
}

static void refuse(struct evhttp_request *req, int status, enum cars_srv_err why, const char *msg)
{
    cars_buf b = {0};
    cars_srv_error_json(&b, msg);
    cars_srv_count_error(why);
    answer(req, b.failed ? HTTP_INTERNAL : status, "application/json", b.failed ? "" : b.p, b.failed ? 0 : b.len);
    cars_buf_free(&b);
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

/* Routes every record of the body p[0..len), padded (padded_body), into out
 * (and log entries into logb): `carsvm route`'s routing step, line by line,
 * each line read where it is. 0, or -1 (err). */
static int route_body(cars_srv_release *s, cars_srv_ctx *ctx, const char *p, size_t len, cars_buf *out, cars_buf *logb,
                      char *err, size_t errlen)
{
    uint64_t no = 0;
    for (size_t at = 0; at < len;) {
        const char *line = p + at;
        const char *nl = memchr(line, '\n', len - at);
        size_t n = nl ? (size_t)(nl - line) : len - at;
        at += n + 1;
        no++;
        if (cars_blank_line(line, n))
            continue;
        cars_result res;
        if (cars_route_record_padded(ctx->reader, ctx->vm, &s->r.prog, s->text, line, n, no, out, logb,
                                     srv.log ? &s->logsrc : NULL, &res, err, errlen) < 0)
            return -1;
        cars_srv_count_outcome(res.outcome);
    }
    if (out->failed || logb->failed)
        return snprintf(err, errlen, "out of memory"), -1;
    return 0;
}

static void free_lines(const void *data, size_t len, void *extra)
{
    (void)len;
    (void)extra;
    cars_free((void *)data);
}

/* Hands the routing lines to the answer without a copy. */
static void answer_lines(struct evhttp_request *req, cars_buf *out, bool many, const cars_srv_release *s)
{
    if (evbuffer_add_reference(evhttp_request_get_output_buffer(req), out->p, out->len, free_lines, NULL) != 0) {
        refuse(req, HTTP_INTERNAL, CARS_SRV_E_INTERNAL, "out of memory");
        return;
    }
    out->p = NULL; /* the buffer frees it once it is sent */
    out->len = out->cap = 0;
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", many ? "application/x-ndjson" : "application/json");
    char id[300];
    snprintf(id, sizeof id, "%.*s", (int)s->r.prog.release_id.len, s->r.prog.release_id.p);
    evhttp_add_header(h, "X-Cars-Release", id);
    send_answer(req, HTTP_OK);
    cars_srv_count_request(HTTP_OK);
}

/* The request's body, contiguous and followed by CARS_READER_PAD zero bytes
 * (added to its buffer first, so that making it contiguous copies the body
 * once at most, and not at all when it is in one piece); *len: the body's
 * length, without them. NULL when out of memory. */
static const char *padded_body(struct evhttp_request *req, size_t *len)
{
    static const char zeros[CARS_READER_PAD];
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    *len = evbuffer_get_length(in);
    if (evbuffer_add(in, zeros, sizeof zeros) != 0)
        return NULL;
    return (const char *)evbuffer_pullup(in, -1);
}

static void do_route(struct evhttp_request *req, const struct timespec *start)
{
    size_t len;
    const char *body = padded_body(req, &len);
    if (!body) {
        refuse(req, HTTP_INTERNAL, CARS_SRV_E_INTERNAL, "out of memory");
        return;
    }
    unsigned long n = count_records(body, len, srv.o.max_records);
    if (n == 0) {
        refuse(req, HTTP_BADREQUEST, CARS_SRV_E_BAD_REQUEST, "the body holds no record (one JSON record, or JSON Lines)");
        return;
    }
    if (n > srv.o.max_records) {
        char msg[120];
        snprintf(msg, sizeof msg, "more than %u records in one request (--max-records)", srv.o.max_records);
        refuse(req, HTTP_ENTITYTOOLARGE, CARS_SRV_E_TOO_MANY_RECORDS, msg);
        return;
    }
    cars_srv_release *s = cars_srv_acquire();
    cars_srv_ctx *ctx = s ? cars_srv_ctx_take(s) : NULL;
    cars_buf out = {0}, logb = {0};
    char err[700];
    if (!ctx || route_body(s, ctx, body, len, &out, &logb, err, sizeof err) != 0)
        refuse(req, HTTP_INTERNAL, CARS_SRV_E_INTERNAL, ctx ? err : "out of memory");
    else if (srv.log && cars_declog_append(srv.log, &logb, err, sizeof err) != 0) {
        fprintf(stderr, "carsvm serve: %s\n", err);
        refuse(req, HTTP_SERVUNAVAIL, CARS_SRV_E_DECISION_LOG, "the decision log cannot be written: no decision was made");
    } else
        answer_lines(req, &out, n > 1, s);
    if (ctx)
        cars_srv_ctx_give(s, ctx);
    cars_srv_put(s);
    cars_buf_free(&out);
    cars_buf_free(&logb);
    cars_srv_count_latency(since(start));
}

/* ---- GET endpoints ------------------------------------------------------ */

static void do_get(struct evhttp_request *req, const char *path)
{
    cars_srv_release *s = cars_srv_acquire();
    if (strcmp(path, "/v1/release") == 0)
        answer(req, HTTP_OK, "application/json", s->info, s->info_len);
    else if (strcmp(path, "/healthz") == 0) {
        char b[400];
        int n = snprintf(b, sizeof b, "{\"status\":\"ok\",\"release\":\"%.*s\"}\n", (int)s->r.prog.release_id.len,
                         s->r.prog.release_id.p);
        answer(req, HTTP_OK, "application/json", b, n > 0 && (size_t)n < sizeof b ? (size_t)n : 0);
    } else {
        cars_buf b = {0};
        cars_srv_metrics(&b, s, srv.log);
        if (b.failed)
            refuse(req, HTTP_INTERNAL, CARS_SRV_E_INTERNAL, "out of memory");
        else
            answer(req, HTTP_OK, "text/plain; version=0.0.4", b.p, b.len);
        cars_buf_free(&b);
    }
    cars_srv_put(s);
}

static bool known_get(const char *path)
{
    return strcmp(path, "/v1/release") == 0 || strcmp(path, "/healthz") == 0 || strcmp(path, "/metrics") == 0;
}

/* evhttp's request callback: the request is whole (head and body). */
static void handle(struct evhttp_request *req, void *arg)
{
    (void)arg;
    struct timespec start;
    /* A request whose head arrives while the server drains (on a connection
     * accepted before SIGTERM) gets a whole answer: 503, never a cut; one
     * whose head came before is routed (serve_conn.c, head_done). */
    if (cars_srv_conn_answering(req, &start)) {
        refuse(req, HTTP_SERVUNAVAIL, CARS_SRV_E_STOPPING,
               "the server is stopping (SIGTERM): send the request to another instance");
        return;
    }
    if (cars_srv_conns_open() > (int)srv.o.max_conns) {
        refuse(req, HTTP_SERVUNAVAIL, CARS_SRV_E_TOO_MANY_CONNECTIONS,
               "too many connections (--max-connections): try again later");
        return;
    }
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    enum evhttp_cmd_type m = evhttp_request_get_command(req);
    if (!path)
        path = "";
    if (strcmp(path, "/v1/route") == 0 && m == EVHTTP_REQ_POST)
        do_route(req, &start);
    else if (known_get(path) && m == EVHTTP_REQ_GET)
        do_get(req, path);
    else if (known_get(path) || strcmp(path, "/v1/route") == 0)
        refuse(req, HTTP_BADMETHOD, CARS_SRV_E_METHOD, "method not allowed");
    else
        refuse(req, HTTP_NOTFOUND, CARS_SRV_E_NOT_FOUND, "no such endpoint");
}

/* ---- the workers ---------------------------------------------------------- */

/* The stop pipe's write end closed: stop accepting (the socket is this
 * worker's duplicate; the listening socket closes with the last one). */
static void on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    worker *w = arg;
    if (w->bound)
        evhttp_del_accept_socket(w->http, w->bound);
    w->bound = NULL;
    event_del(w->stop_ev);
}

static void on_quit(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    worker *w = arg;
    event_del(w->quit_ev);
    event_base_loopbreak(w->loop.base);
}

static void *run(void *arg)
{
    worker *w = arg;
    event_base_dispatch(w->loop.base);
    /* once more without waiting: a connection accepted in the last turn
     * finishes its setup (serve_conn.c), so evhttp_free closes it as it
     * closes the others */
    event_base_loop(w->loop.base, EVLOOP_NONBLOCK);
    return NULL;
}

/* Frees what worker_init made (its connections closed with its evhttp). */
static void worker_free(worker *w)
{
    if (w->http)
        evhttp_free(w->http);
    if (w->stop_ev)
        event_free(w->stop_ev);
    if (w->quit_ev)
        event_free(w->quit_ev);
    if (w->loop.base)
        event_base_free(w->loop.base);
    memset(w, 0, sizeof *w);
}

/* A worker's loop and evhttp, accepting on a duplicate of lfd. 0, or -1. */
static int worker_init(worker *w, int lfd)
{
    const cars_serve_opts *o = &srv.o;
    /* One thread per loop: no locks. The change list makes the enabling and
     * disabling evhttp does around each request one epoll_ctl at most (no
     * fd of a loop is a dup of another of its fds: each worker has one
     * duplicate of the listening socket). */
    struct event_config *cfg = event_config_new();
    if (!cfg)
        return -1;
    event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK | EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    w->loop.base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    if (!w->loop.base || cars_srv_loop_init(&w->loop) != 0 || !(w->http = evhttp_new(w->loop.base)))
        return -1;
    evhttp_set_gencb(w->http, handle, w);
    evhttp_set_bevcb(w->http, cars_srv_conn_new, &w->loop);
    /* every method reaches handle(): 405 or 404 there, as JSON */
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
                                            EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                                            EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_max_headers_size(w->http, CARS_SRV_HEAD_MAX); /* serve_conn.c answers 431 before evhttp would */
    evhttp_set_max_body_size(w->http, (ev_ssize_t)o->max_body);
    /* a body too large that serve_conn.c leaves to evhttp (chunked) is read
     * and dropped, then 413 */
    evhttp_set_flags(w->http, EVHTTP_SERVER_LINGERING_CLOSE);
    evhttp_set_timeout(w->http, (int)o->idle_timeout);
    int fd = fcntl(lfd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0 || !(w->bound = evhttp_accept_socket_with_handle(w->http, fd))) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    w->stop_ev = event_new(w->loop.base, srv.stop_pipe[0], EV_READ | EV_PERSIST, on_stop, w);
    w->quit_ev = event_new(w->loop.base, srv.quit_pipe[0], EV_READ | EV_PERSIST, on_quit, w);
    if (!w->stop_ev || !w->quit_ev || event_add(w->stop_ev, NULL) != 0 || event_add(w->quit_ev, NULL) != 0)
        return -1;
    return 0;
}

/* libevent's own warnings and errors (an accept that failed, ...). */
static void libevent_log(int severity, const char *msg)
{
    if (severity >= EVENT_LOG_WARN)
        fprintf(stderr, "carsvm serve: libevent: %s\n", msg);
}

/* The listening socket (IPv6: only IPv6; [::] is every IPv6 address, not
 * IPv4 as well), non-blocking. The fd, or -1 with errno. */
static int listen_socket(const cars_serve_opts *o, uint16_t *port)
{
    int v6 = o->sa.ss_family == AF_INET6, one = 1;
    socklen_t len = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    int fd = socket(o->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_storage got;
    socklen_t glen = sizeof got;
    /* TCP_NODELAY is inherited by every accepted connection (Linux): an
     * answer written in several pieces is never held back for the client's
     * delayed ACK (Nagle). */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
        (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
        bind(fd, (const struct sockaddr *)&o->sa, len) != 0 || listen(fd, 1024) != 0 ||
        getsockname(fd, (struct sockaddr *)&got, &glen) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    *port = ntohs(v6 ? ((struct sockaddr_in6 *)&got)->sin6_port : ((struct sockaddr_in *)&got)->sin_port);
    return fd;
}

static void close_pipes(void)
{
    for (int i = 0; i < 2; i++) {
        if (srv.stop_pipe[i] >= 0)
            close(srv.stop_pipe[i]);
        if (srv.quit_pipe[i] >= 0)
            close(srv.quit_pipe[i]);
        srv.stop_pipe[i] = srv.quit_pipe[i] = -1;
    }
}

/* Ends every worker (quit), joins the running ones and frees them all. */
static void workers_end(void)
{
    if (srv.quit_pipe[1] >= 0) {
        close(srv.quit_pipe[1]);
        srv.quit_pipe[1] = -1;
    }
    for (int i = 0; i < srv.nw; i++) {
        if (srv.w[i].running)
            pthread_join(srv.w[i].thread, NULL);
        worker_free(&srv.w[i]);
    }
    cars_free(srv.w);
    srv.w = NULL;
    srv.nw = 0;
    close_pipes();
    cars_srv_conns_free();
}

/* The workers on lfd: 0, or an errno (or -1: libevent failed). */
static int workers_start(int lfd)
{
    int e;
    if (pipe(srv.stop_pipe) != 0 || pipe(srv.quit_pipe) != 0)
        return errno;
    for (int i = 0; i < 2; i++) {
        (void)fcntl(srv.stop_pipe[i], F_SETFD, FD_CLOEXEC);
        (void)fcntl(srv.quit_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    if ((e = cars_srv_conns_init(&srv.o)) != 0)
        return e;
    if (!(srv.w = cars_calloc((size_t)srv.o.threads, sizeof *srv.w)))
        return ENOMEM;
    srv.nw = srv.o.threads;
    for (int i = 0; i < srv.nw; i++)
        if (worker_init(&srv.w[i], lfd) != 0)
            return -1;
    for (int i = 0; i < srv.nw; i++) {
        if ((e = pthread_create(&srv.w[i].thread, NULL, run, &srv.w[i])) != 0)
            return e;
        srv.w[i].running = true;
    }
    return 0;
}

int cars_srv_http_start(const cars_serve_opts *o, struct cars_declog *log, uint16_t *port, char *err, size_t errlen)
{
    srv.o = *o;
    srv.log = log;
    event_set_log_callback(libevent_log);
    int lfd = listen_socket(o, port);
    if (lfd < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot listen on %s:%u: %s%s", o->addr, o->port, strerror(e),
                 e == EADDRINUSE ? " (another process listens there: choose another port with --listen)"
                 : e == EADDRNOTAVAIL ? " (no interface of this machine has that address)"
                 : e == EACCES ? " (ports below 1024 need privileges: choose a port above 1024)" : "");
        return -1;
    }
    int e = workers_start(lfd);
    close(lfd); /* each worker has its own duplicate */
    if (e != 0) {
        snprintf(err, errlen, "cannot start the worker threads: %s", e > 0 ? strerror(e) : "libevent failed");
        workers_end();
        return -1;
    }
    return 0;
}

int cars_srv_http_stop(unsigned seconds)
{
    cars_srv_conns_stop();
    close(srv.stop_pipe[1]); /* every worker stops accepting */
    srv.stop_pipe[1] = -1;
    struct timespec start, tick = {0, 10 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (cars_srv_inflight() > 0 && since(&start) < seconds)
        nanosleep(&tick, NULL);
    int left = cars_srv_inflight();
    workers_end(); /* connections still open are closed */
    return left;
}

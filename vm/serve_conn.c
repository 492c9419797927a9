/* serve_conn.c - what libevent's evhttp (2.1.12) does not do for a
 * connection of `carsvm serve`: count it (and close those past
 * --max-connections + 64 at once), hold a request head to --header-timeout
 * and its body to --body-timeout however steadily they trickle in, and know
 * which requests are in flight for the drain.
 *
 * evhttp 2.1 shows a request to the program only when it is whole (head and
 * body); it has no callback for a new request or a complete head. What it
 * does give: a callback that makes each connection's bufferevent
 * (evhttp_set_bevcb), callbacks on that bufferevent's buffers (every read
 * adds to the input buffer; every answer is written to the output buffer),
 * and a callback when a connection is freed (evhttp_connection_set_closecb).
 * So each connection has a small state of its own:
 *
 *   SETUP   made by cars_srv_conn_new, inside evhttp's accept; a timer
 *           made active at once finishes it on the next turn of the loop,
 *           when evhttp has set the connection up: the close callback is
 *           set, the fd registered (the request handler finds the
 *           connection by its fd), and the connection counted.
 *   HEAD    the head deadline runs (from the opening, or the end of the
 *           previous answer). The bytes read are scanned for the empty line
 *           that ends a head (a line end after a line holding only "\r" or
 *           nothing, after at least one line: the head's framing, as evhttp
 *           reads it with EVBUFFER_EOL_CRLF). Only head bytes are scanned.
 *   BODY    the head is complete: the request is in flight; the body
 *           deadline runs.
 *   ANSWER  the request handler has it (cars_srv_conn_answering): no
 *           deadline; when the answer is sent (evhttp's on-complete
 *           callback), HEAD again, any bytes already read scanned.
 *   REFUSED the service answered the head itself (answer_now): 431 for a
 *           head past CARS_SRV_HEAD_MAX, 413 for one whose Content-Length
 *           is over --max-body; the connection is freed once it is sent.
 *
 * The scan reads each field line too (Content-Length, strictly, and
 * Transfer-Encoding). It runs in the input buffer's callback, inside
 * libevent's read of the socket and before that read calls evhttp's read
 * callback: so when the scan finds a head to refuse, evhttp has not yet
 * seen the bytes that end it (or pass the limit). answer_now takes evhttp's
 * read callback off the bufferevent and stops reading, so evhttp never
 * reads the rest of that head nor the body, and never answers; the answer
 * is written on the bufferevent with callbacks of serve_conn.c's, which free
 * the connection with evhttp_connection_free once it is sent (as evhttp
 * itself does from its write callback). A head found already read when an
 * answer ends (pipelined) is evhttp's to read: it is not refused here.
 *
 * Every callback of a connection runs on its worker's thread, so the state
 * needs no lock; only the counts are atomic. A deadline that passes frees
 * the connection with evhttp_connection_free on that thread (evhttp calls
 * the close callback first, then closes the fd): nothing is done to a
 * socket from another thread, so the fd-reuse race the old sweeper had to
 * guard against cannot arise.
 *
 * The answers evhttp makes itself (400 for a malformed head, 413 for a
 * chunked body over --max-body) never reach the handler: they are seen on
 * the output buffer while the connection is in HEAD or BODY and counted by
 * their status. */
#include "serve.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "alloc.h"

enum phase { SETUP, HEAD, BODY, ANSWER, REFUSED };

/* libevent 2.1 reads a socket at most 4096 bytes at a time
 * (EVBUFFER_MAX_READ in buffer.c): a turn of the loop and three system
 * calls (epoll_wait, ioctl FIONREAD, readv) for every 4 KiB of a body. */
enum { EV_READ_MAX = 4096, READ_ON_MAX = 256 * 1024 };

/* The first bytes of a head line kept to read its field: enough for
 * "Content-Length:" and any value of it that is not padded. */
enum { LINE_KEEP = 96 };

typedef struct conn {
    struct bufferevent *bev;
    struct evhttp_connection *evcon; /* NULL until set up */
    const cars_srv_loop *loop;
    struct event *timer; /* the setup, then the head or body deadline */
    struct evbuffer_cb_entry *in_cb, *out_cb;
    int fd;
    enum phase phase;
    bool line_bytes; /* the head line being read holds a byte other than "\r" */
    bool seen_line;  /* the head has a line */
    bool te;         /* the head has a Transfer-Encoding field */
    bool cl_bad;     /* a Content-Length field not read strictly, or a folded line */
    bool own_answer; /* evhttp answered the request itself */
    unsigned ncl;    /* Content-Length fields in the head */
    uint64_t cl;     /* the value of the last one */
    size_t head_len; /* bytes of the head scanned */
    size_t line_len; /* bytes of the head line being read (line[] keeps LINE_KEEP) */
    char line[LINE_KEEP];
    bool late;       /* the head was complete after the server began to stop */
    bool reading;    /* read_on is adding to the input buffer */
    struct timespec head_at; /* the head was complete */
} conn;

static struct {
    _Atomic(conn *) *by_fd;
    size_t nfd;
    unsigned max_conns;
    size_t max_body;
    unsigned head_s, body_s;
    atomic_int open, inflight;
    atomic_bool stopping;
} cs;

int cars_srv_conns_init(const cars_serve_opts *o)
{
    struct rlimit r;
    size_t n = 1u << 20; /* fds above the soft limit cannot exist; at most 8 MiB */
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur != RLIM_INFINITY && r.rlim_cur < n)
        n = (size_t)r.rlim_cur;
    if (!(cs.by_fd = cars_malloc(n * sizeof *cs.by_fd)))
        return ENOMEM;
    for (size_t i = 0; i < n; i++)
        atomic_init(&cs.by_fd[i], NULL);
    cs.nfd = n;
    cs.max_conns = o->max_conns;
    cs.max_body = o->max_body;
    cs.head_s = o->header_timeout;
    cs.body_s = o->body_timeout;
    atomic_store(&cs.open, 0);
    atomic_store(&cs.inflight, 0);
    atomic_store(&cs.stopping, false);
    return 0;
}

void cars_srv_conns_free(void)
{
    cars_free(cs.by_fd);
    cs.by_fd = NULL;
    cs.nfd = 0;
}

int cars_srv_loop_init(cars_srv_loop *l)
{
    struct timeval h = {.tv_sec = (time_t)cs.head_s}, b = {.tv_sec = (time_t)cs.body_s};
    l->head_tv = cs.head_s ? event_base_init_common_timeout(l->base, &h) : NULL;
    l->body_tv = cs.body_s ? event_base_init_common_timeout(l->base, &b) : NULL;
    return (cs.head_s && !l->head_tv) || (cs.body_s && !l->body_tv) ? -1 : 0;
}

void cars_srv_conns_stop(void)
{
    atomic_store(&cs.stopping, true);
}

int cars_srv_conns_open(void)
{
    return atomic_load(&cs.open);
}

int cars_srv_inflight(void)
{
    return atomic_load(&cs.inflight);
}

/* Frees c and what it added to its bufferevent (the bufferevent is evhttp's). */
static void forget(conn *c)
{
    if (c->in_cb)
        evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->in_cb);
    if (c->out_cb)
        evbuffer_remove_cb_entry(bufferevent_get_output(c->bev), c->out_cb);
    if (c->timer)
        event_free(c->timer);
    cars_free(c);
}

static void watch(conn *c, bool on)
{
    if (on) {
        evbuffer_cb_set_flags(bufferevent_get_input(c->bev), c->in_cb, EVBUFFER_CB_ENABLED);
        evbuffer_cb_set_flags(bufferevent_get_output(c->bev), c->out_cb, EVBUFFER_CB_ENABLED);
    } else {
        evbuffer_cb_clear_flags(bufferevent_get_input(c->bev), c->in_cb, EVBUFFER_CB_ENABLED);
        evbuffer_cb_clear_flags(bufferevent_get_output(c->bev), c->out_cb, EVBUFFER_CB_ENABLED);
    }
}

static bool ows(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* The field line p[0..n) has the field name `name` (any case, ASCII): the
 * name's length, else 0. A name followed by whitespace counts too (a bad
 * request: whitespace before the colon). */
static size_t named(const char *p, size_t n, const char *name)
{
    size_t k = strlen(name);
    if (n <= k)
        return 0;
    for (size_t i = 0; i < k; i++)
        if ((p[i] >= 'A' && p[i] <= 'Z' ? p[i] + ('a' - 'A') : p[i]) != name[i])
            return 0;
    return p[k] == ':' || ows(p[k]) ? k : 0;
}

/* A Content-Length value p[0..n) (after the colon), as RFC 9110 and 9112
 * have it: OWS, digits only, OWS; a list of the same value ("42, 42")
 * stands for that value, one of differing values is bad. A value past
 * 2^64 - 1 is read as that. False when bad. */
static bool cl_value(const char *p, size_t n, uint64_t *v)
{
    size_t i = 0;
    bool first = true;
    while (i < n && ows(p[i]))
        i++;
    for (;;) {
        size_t d = i;
        uint64_t x = 0;
        for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
            x = x > (UINT64_MAX - 9) / 10 ? UINT64_MAX : x * 10 + (uint64_t)(p[i] - '0');
        if (i == d || (!first && x != *v))
            return false;
        *v = x;
        first = false;
        while (i < n && ows(p[i]))
            i++;
        if (i == n)
            return true;
        if (p[i++] != ',')
            return false;
        while (i < n && ows(p[i]))
            i++;
    }
}

/* A field line of the head is read (c->line, c->line_len bytes before its
 * "\n"): Content-Length and Transfer-Encoding noted. */
static void field(conn *c)
{
    const char *p = c->line;
    size_t n = c->line_len;
    if (n <= LINE_KEEP && p[n - 1] == '\r')
        n--;
    size_t kept = n < LINE_KEEP ? n : LINE_KEEP, k;
    if (ows(p[0])) /* obs-fold: the value of the field before goes on */
        c->cl_bad = true;
    else if (named(p, kept, "transfer-encoding"))
        c->te = true;
    else if ((k = named(p, kept, "content-length")) != 0) {
        c->ncl++;
        if (n > LINE_KEEP || p[k] != ':' || !cl_value(p + k + 1, n - k - 1, &c->cl))
            c->cl_bad = true;
    }
}

/* Head bytes p[0..n): true at the empty line that ends the head. */
static bool head_bytes(conn *c, const char *p, size_t n)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) : n;
        for (size_t i = 0; i < k && !c->line_bytes; i++)
            c->line_bytes = p[i] != '\r';
        if (c->line_len < LINE_KEEP)
            memcpy(c->line + c->line_len, p, k < LINE_KEEP - c->line_len ? k : LINE_KEEP - c->line_len);
        c->line_len += k;
        c->head_len += nl ? k + 1 : k;
        if (!nl)
            return false;
        if (!c->line_bytes && c->seen_line)
            return true;
        if (c->line_bytes && c->seen_line)
            field(c);
        c->seen_line = c->seen_line || c->line_bytes;
        c->line_bytes = false;
        c->line_len = 0;
        p = nl + 1;
        n -= k + 1;
    }
    return false;
}

/* Scans the input buffer from byte `from`: true when a head ends there. */
static bool scan(conn *c, struct evbuffer *in, size_t from)
{
    struct evbuffer_ptr at;
    if (evbuffer_ptr_set(in, &at, from, EVBUFFER_PTR_SET) != 0)
        return false;
    struct evbuffer_iovec v[4];
    for (;;) {
        int n = evbuffer_peek(in, -1, &at, v, 4);
        size_t seen = 0;
        for (int i = 0; i < n && i < 4; i++) {
            if (head_bytes(c, v[i].iov_base, v[i].iov_len))
                return true;
            seen += v[i].iov_len;
        }
        if (n <= 4 || evbuffer_ptr_set(in, &at, seen, EVBUFFER_PTR_ADD) != 0)
            return false;
    }
}

static void head_done(conn *c)
{
    c->phase = BODY;
    /* In flight before the stopping flag is read; the drain sets the flag
     * before it reads the count: so either this request is answered 503
     * (late) and the drain waits for that answer, or it began before the
     * drain and is answered in full. */
    atomic_fetch_add(&cs.inflight, 1);
    c->late = atomic_load(&cs.stopping);
    clock_gettime(CLOCK_MONOTONIC, &c->head_at);
    if (c->loop->body_tv)
        event_add(c->timer, c->loop->body_tv);
    else
        event_del(c->timer);
}

/* Waits for a head: its deadline runs from now. */
static void head_begin(conn *c)
{
    c->phase = HEAD;
    c->line_bytes = c->seen_line = c->te = c->cl_bad = false;
    c->ncl = 0;
    c->head_len = c->line_len = 0;
    watch(c, true);
    if (c->loop->head_tv)
        event_add(c->timer, c->loop->head_tv);
    struct evbuffer *in = bufferevent_get_input(c->bev);
    if (evbuffer_get_length(in) > 0 && scan(c, in, 0)) /* sent before the answer ended */
        head_done(c);
}

/* A read of libevent's whole 4096 bytes while a body arrives: what else
 * the socket holds (up to READ_ON_MAX) is read into the input buffer now,
 * before evhttp looks at it, in reads of up to 64 KiB. An error or the end
 * of the stream is left for libevent's next read to find. */
static void read_on(conn *c, struct evbuffer *in)
{
    c->reading = true; /* committing calls on_input again */
    for (size_t got = 0; got < READ_ON_MAX;) {
        struct evbuffer_iovec v[2];
        int n = evbuffer_reserve_space(in, 64 * 1024, v, 2);
        size_t room = 0;
        for (int i = 0; i < n; i++)
            room += v[i].iov_len;
        ssize_t r = n > 0 ? readv(c->fd, (const struct iovec *)v, n) : -1; /* the same layout (buffer.h) */
        if (r <= 0) {
            evbuffer_commit_space(in, v, 0);
            break;
        }
        size_t left = (size_t)r;
        int used = 0;
        for (; used < n && left > 0; used++) {
            v[used].iov_len = v[used].iov_len < left ? v[used].iov_len : left;
            left -= v[used].iov_len;
        }
        evbuffer_commit_space(in, v, used);
        got += (size_t)r;
        if ((size_t)r < room) /* the socket is empty */
            break;
    }
    c->reading = false;
}

/* The answer of answer_now is sent: the connection is freed. */
static void on_sent(struct bufferevent *bev, void *arg)
{
    conn *c = arg;
    if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        evhttp_connection_free(c->evcon); /* on_close frees c */
}

/* An error or a timeout while answer_now's answer is written. */
static void on_event(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    (void)what;
    conn *c = arg;
    evhttp_connection_free(c->evcon);
}

/* The service's own JSON error for the request whose head is being read,
 * from on_input: evhttp's read callback has not seen these bytes and never
 * will (it is taken off the bufferevent, and reading stops), so evhttp
 * neither answers nor reads the body. The answer says Connection: close;
 * the connection is freed once it is written (on_sent), or at an error, or
 * at the head deadline (on_timer). Counted as the handler counts its own. */
static void answer_now(conn *c, int status, enum cars_srv_err why, const char *msg)
{
    struct bufferevent *bev = c->bev;
    watch(c, false); /* on_output would count this answer again */
    bufferevent_disable(bev, EV_READ);
    bufferevent_setcb(bev, NULL, on_sent, on_event, c);
    c->phase = REFUSED;
    if (c->loop->head_tv)
        event_add(c->timer, c->loop->head_tv);
    else
        event_del(c->timer); /* evhttp's --idle-timeout still holds the write */
    cars_srv_count_request(status);
    cars_srv_count_error(why);
    cars_buf body = {0};
    cars_srv_error_json(&body, msg);
    struct evbuffer *out = bufferevent_get_output(bev);
    bufferevent_enable(bev, EV_WRITE);
    if (body.failed ||
        evbuffer_add_printf(out,
                            "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                            "Connection: close\r\n\r\n",
                            status, status == 413 ? "Request Entity Too Large" : "Request Header Fields Too Large",
                            body.len) < 0 ||
        evbuffer_add(out, body.p, body.len) != 0)
        event_active(c->timer, EV_TIMEOUT, 0); /* out of memory: closed without an answer */
    cars_buf_free(&body);
}

/* From on_input, after a scan (`end`: the head is complete): a head over
 * CARS_SRV_HEAD_MAX, or a complete one with one Content-Length, read
 * strictly, over --max-body and no Transfer-Encoding, is answered at once.
 * Anything else, a bad Content-Length included, is left to evhttp. True
 * when answered. */
static bool refused(conn *c, bool end)
{
    char msg[120];
    if (c->own_answer)
        return false;
    if (c->head_len > CARS_SRV_HEAD_MAX) {
        snprintf(msg, sizeof msg, "the request head is too large (more than %d bytes)", (int)CARS_SRV_HEAD_MAX);
        answer_now(c, 431, CARS_SRV_E_HEAD_TOO_LARGE, msg);
        return true;
    }
    if (!end || c->te || c->cl_bad || c->ncl != 1 || c->cl <= cs.max_body)
        return false;
    snprintf(msg, sizeof msg, "the body is larger than %zu bytes (--max-body)", cs.max_body);
    answer_now(c, 413, CARS_SRV_E_BODY_TOO_LARGE, msg);
    return true;
}

static void on_input(struct evbuffer *in, const struct evbuffer_cb_info *info, void *arg)
{
    conn *c = arg;
    if (info->n_added == 0 || c->reading || c->phase == SETUP) /* SETUP: head_begin scans what came */
        return;
    size_t len = evbuffer_get_length(in);
    if (c->phase == HEAD) {
        bool end = scan(c, in, len >= info->n_added ? len - info->n_added : 0);
        if (refused(c, end))
            return;
        if (end)
            head_done(c);
    }
    if (c->phase == BODY && info->n_added >= EV_READ_MAX)
        read_on(c, in);
}

/* An answer evhttp writes itself (in HEAD or BODY): counted by its status. */
static void on_output(struct evbuffer *out, const struct evbuffer_cb_info *info, void *arg)
{
    conn *c = arg;
    char line[12];
    struct evbuffer_ptr at;
    size_t len = evbuffer_get_length(out);
    if (info->n_added < sizeof line || len < info->n_added || c->phase == ANSWER ||
        evbuffer_ptr_set(out, &at, len - info->n_added, EVBUFFER_PTR_SET) != 0 ||
        evbuffer_copyout_from(out, &at, line, sizeof line) != (ev_ssize_t)sizeof line ||
        memcmp(line, "HTTP/1.", 7) != 0 || line[9] < '2' || line[9] > '5')
        return; /* not a status line, or 100 Continue */
    int status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    cars_srv_count_request(status);
    cars_srv_count_error(status == 413 ? CARS_SRV_E_BODY_TOO_LARGE : CARS_SRV_E_BAD_REQUEST);
    c->own_answer = true; /* no answer of the service's after it */
    evbuffer_cb_clear_flags(out, c->out_cb, EVBUFFER_CB_ENABLED); /* the connection closes after it */
}

/* evhttp frees the connection: before it closes the fd. */
static void on_close(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    conn *c = arg;
    if (c->phase == BODY || c->phase == ANSWER)
        atomic_fetch_sub(&cs.inflight, 1);
    atomic_fetch_sub(&cs.open, 1);
    conn *me = c;
    if (c->fd >= 0) /* only its own entry: never a later connection's on the same fd */
        atomic_compare_exchange_strong(&cs.by_fd[c->fd], &me, NULL);
    forget(c);
}

/* The next turn of the loop after the accept: evhttp has set up the
 * connection (or freed it already, out of memory: its bufferevent then has
 * no callbacks; the reference taken in cars_srv_conn_new kept it). */
static void setup(conn *c)
{
    void *evcon = NULL;
    bufferevent_getcb(c->bev, NULL, NULL, NULL, &evcon);
    struct bufferevent *bev = c->bev;
    if (!evcon) {
        atomic_fetch_sub(&cs.open, 1);
        forget(c);
        bufferevent_decref(bev);
        return;
    }
    c->evcon = evcon;
    evhttp_connection_set_closecb(c->evcon, on_close, c);
    c->fd = bufferevent_getfd(bev);
    bufferevent_decref(bev); /* evhttp's own reference remains */
    if (c->fd < 0 || (size_t)c->fd >= cs.nfd || atomic_load(&cs.open) > (int)cs.max_conns + 64) {
        c->fd = -1;
        evhttp_connection_free(c->evcon); /* past the limit's margin: closed at once */
        return;
    }
    atomic_store(&cs.by_fd[c->fd], c);
    head_begin(c);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    conn *c = arg;
    if (c->phase == SETUP)
        setup(c);
    else if (c->phase == REFUSED)
        evhttp_connection_free(c->evcon); /* the answer was not taken in time */
    else if (c->phase == HEAD || c->phase == BODY) {
        cars_srv_count_error(c->phase == HEAD ? CARS_SRV_E_HEADER_TIMEOUT : CARS_SRV_E_BODY_TIMEOUT);
        evhttp_connection_free(c->evcon); /* closed without an answer: on_close frees c */
    }
}

struct bufferevent *cars_srv_conn_new(struct event_base *base, void *arg)
{
    struct bufferevent *bev = bufferevent_socket_new(base, -1, 0);
    conn *c = bev ? cars_calloc(1, sizeof *c) : NULL;
    if (!c) /* not watched (out of memory): evhttp's idle timeout still holds */
        return bev;
    c->bev = bev;
    c->loop = arg;
    c->fd = -1;
    c->phase = SETUP;
    c->timer = evtimer_new(base, on_timer, c);
    c->in_cb = evbuffer_add_cb(bufferevent_get_input(bev), on_input, c);
    c->out_cb = evbuffer_add_cb(bufferevent_get_output(bev), on_output, c);
    if (!c->timer || !c->in_cb || !c->out_cb) {
        forget(c);
        return bev;
    }
    bufferevent_incref(bev);
    atomic_fetch_add(&cs.open, 1);
    event_active(c->timer, EV_TIMEOUT, 0);
    return bev;
}

/* The answer is sent (evhttp's on-complete callback): the next head. */
static void on_complete(struct evhttp_request *req, void *arg)
{
    (void)req;
    atomic_fetch_sub(&cs.inflight, 1);
    head_begin(arg);
}

bool cars_srv_conn_answering(struct evhttp_request *req, struct timespec *start)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    int fd = evcon ? bufferevent_getfd(evhttp_connection_get_bufferevent(evcon)) : -1;
    conn *c = fd >= 0 && (size_t)fd < cs.nfd ? atomic_load(&cs.by_fd[fd]) : NULL;
    if (!c || c->evcon != evcon) { /* not watched */
        clock_gettime(CLOCK_MONOTONIC, start);
        return atomic_load(&cs.stopping);
    }
    if (c->phase == HEAD) /* the scan missed the end of the head */
        head_done(c);
    c->phase = ANSWER;
    event_del(c->timer);
    watch(c, false);
    *start = c->head_at;
    evhttp_request_set_on_complete_cb(req, on_complete, c);
    return c->late;
}

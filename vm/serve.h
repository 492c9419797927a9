/* serve.h - `carsvm serve`, routing as an HTTP service (docs/serve.md).
 * serve.c: the command (options, signals, release swaps, shutdown);
 * serve_http.c: the listening socket, the worker threads (one libevent
 * event loop and evhttp each) and the endpoints; serve_conn.c: what evhttp
 * does not do for a connection (the count and its limit, the deadlines for a
 * request head and body, the requests in flight); serve_rel.c: the
 * reference-counted release being served and its routing contexts;
 * serve_metrics.c: the counters and the Prometheus text. Linked into
 * carsvm only. */
#ifndef CARS_SERVE_H
#define CARS_SERVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "buf.h"
#include "declog.h"
#include "release.h"

/* The limits and the listening address. */
typedef struct cars_serve_opts {
    char addr[64];           /* the address as printed: 127.0.0.1, [::1] */
    struct sockaddr_storage sa; /* the address to bind (IPv4 or IPv6), with the port */
    uint16_t port;           /* 0: any free port (printed) */
    int threads;             /* worker threads */
    size_t max_body;         /* bytes per request body */
    unsigned max_records;    /* records per request */
    unsigned max_conns;      /* open connections; more get 503 */
    unsigned idle_timeout;   /* seconds a connection may be silent (headers or body) */
    unsigned header_timeout; /* seconds for a whole request head, from the connection's
                              * opening or the end of its previous answer */
    unsigned body_timeout;   /* seconds from the headers to the end of the body */
} cars_serve_opts;

/* ---- the release being served (serve_rel.c) ---------------------------- */

/* A routing context: a reader and a VM for one release, used by one
 * request at a time and kept for the next. */
typedef struct cars_srv_ctx {
    struct cars_reader *reader;
    struct cars_vm *vm;
    struct cars_srv_ctx *next;
} cars_srv_ctx;

typedef struct cars_srv_release {
    cars_release r;
    atomic_int refs;          /* the server's hold, and one per request using it */
    cars_declog_src logsrc;   /* its id and bundle digest for the decision log */
    char info[1024];          /* GET /v1/release */
    size_t info_len;
    pthread_mutex_t mu;       /* guards free_ctx */
    cars_srv_ctx *free_ctx;
    struct cars_vm_shared *shared; /* the internal form and table directories every context's VM uses */
    struct cars_outtext *text;     /* the release's text of every routing line (output.h) */
} cars_srv_release;

/* Wraps a loaded release (takes it over; *r is zeroed). NULL when out of
 * memory. `signed_ok`: its signature was checked. */
cars_srv_release *cars_srv_release_new(cars_release *r, const uint8_t *log_key, bool signed_ok);
/* The release now served, held for the caller: put it back when done. */
cars_srv_release *cars_srv_acquire(void);
void cars_srv_put(cars_srv_release *s);
/* Serves `s` from now on (requests in flight keep theirs). The first call
 * installs the first release. */
void cars_srv_swap(cars_srv_release *s);
/* A context for s (made when none is free), or NULL when out of memory. */
cars_srv_ctx *cars_srv_ctx_take(cars_srv_release *s);
void cars_srv_ctx_give(cars_srv_release *s, cars_srv_ctx *c);

/* ---- metrics (serve_metrics.c) ------------------------------------------ */

enum cars_srv_err {
    CARS_SRV_E_BAD_REQUEST, CARS_SRV_E_NOT_FOUND, CARS_SRV_E_METHOD, CARS_SRV_E_BODY_TOO_LARGE,
    CARS_SRV_E_TOO_MANY_RECORDS, CARS_SRV_E_TOO_MANY_CONNECTIONS, CARS_SRV_E_HEADER_TIMEOUT, CARS_SRV_E_BODY_TIMEOUT,
    CARS_SRV_E_DECISION_LOG, CARS_SRV_E_INTERNAL, CARS_SRV_E_STOPPING, CARS_SRV_E_HEAD_TOO_LARGE, CARS_SRV_NERR
};

void cars_srv_count_request(int status);
void cars_srv_count_error(enum cars_srv_err e);
/* The service's error body, {"error":msg} and a newline, into b (b->failed
 * when out of memory): every JSON error the service sends, the handler's
 * and those answered before evhttp sees a request (vm/serve_conn.c). */
void cars_srv_error_json(cars_buf *b, const char *msg);
void cars_srv_count_outcome(uint8_t outcome);
void cars_srv_count_latency(double seconds);
void cars_srv_count_swap(bool accepted);
/* The Prometheus text of every counter, the release and the log. */
void cars_srv_metrics(cars_buf *b, const cars_srv_release *s, struct cars_declog *log);

/* ---- connections (serve_conn.c) --------------------------------------- */

/* A request head (request line and fields, with their line ends) is held
 * to 64 KiB: a longer one is answered 431 (serve_conn.c). */
enum { CARS_SRV_HEAD_MAX = 64 * 1024 };

struct event_base;
struct bufferevent;
struct evhttp_request;
struct timeval;

/* One worker's event loop, with its common timeouts (libevent keeps a
 * queue per duration: arming one is O(1)). */
typedef struct cars_srv_loop {
    struct event_base *base;
    const struct timeval *head_tv, *body_tv; /* --header-timeout, --body-timeout */
} cars_srv_loop;

/* Takes the limits and makes the table of connections by fd. 0, or an errno. */
int cars_srv_conns_init(const cars_serve_opts *o);
void cars_srv_conns_free(void);
/* Sets l's common timeouts; l->base set. 0, or -1 (out of memory). */
int cars_srv_loop_init(cars_srv_loop *l);
/* evhttp_set_bevcb's callback (arg: the worker's cars_srv_loop): a new
 * connection's bufferevent, the connection counted and watched. */
struct bufferevent *cars_srv_conn_new(struct event_base *base, void *arg);
/* A request is whole (the first step of the request handler): its
 * connection's deadline stops until the answer is sent, and *start gets
 * the time its head was complete. True when that head was complete only
 * after cars_srv_conns_stop. */
bool cars_srv_conn_answering(struct evhttp_request *req, struct timespec *start);
/* SIGTERM: requests whose head is complete from now on are late. */
void cars_srv_conns_stop(void);
/* Open connections; requests whose head is complete and whose answer is
 * not yet sent (nor their connection closed). */
int cars_srv_conns_open(void);
int cars_srv_inflight(void);

/* ---- the HTTP side (serve_http.c) ----------------------------------------- */

/* Listens and starts the worker threads: 0, or -1 with a message. *port
 * gets the port. */
int cars_srv_http_start(const cars_serve_opts *o, struct cars_declog *log, uint16_t *port, char *err, size_t errlen);
/* Stops accepting, waits (up to `seconds`) for requests in flight, stops.
 * Returns the requests still in flight when it gave up (0: clean). */
int cars_srv_http_stop(unsigned seconds);

/* carsvm serve: argv[1] is "serve". Returns the exit status. */
int cars_cmd_serve(int argc, char **argv);
extern const char cars_serve_help_text[];

#endif

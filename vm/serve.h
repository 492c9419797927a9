/* serve.h - `carsvm serve`, routing as an HTTP service (docs/serve.md).
 * serve.c: the command (options, signals, release swaps, shutdown);
 * serve_http.c: the endpoints, on libmicrohttpd; serve_rel.c: the
 * reference-counted release being served and its routing contexts;
 * serve_metrics.c: the counters and the Prometheus text; serve_heads.c:
 * the deadline for a whole request head. Linked into
 * carsvm only. */
#ifndef CARS_SERVE_H
#define CARS_SERVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

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
    CARS_SRV_E_DECISION_LOG, CARS_SRV_E_INTERNAL, CARS_SRV_E_STOPPING, CARS_SRV_NERR
};

void cars_srv_count_request(int status);
void cars_srv_count_error(enum cars_srv_err e);
void cars_srv_count_outcome(uint8_t outcome);
void cars_srv_count_latency(double seconds);
void cars_srv_count_swap(bool accepted);
/* The Prometheus text of every counter, the release and the log. */
void cars_srv_metrics(cars_buf *b, const cars_srv_release *s, struct cars_declog *log);

/* ---- the request-head deadline (serve_heads.c) ------------------------- */

struct MHD_Connection;
/* Starts the sweeper: a connection whose head is not complete `seconds`
 * after its opening or its previous answer is shut down. 0, or an errno. */
int cars_srv_heads_start(unsigned seconds);
void cars_srv_heads_stop(void);
/* libmicrohttpd's connection notifications (STARTED, CLOSED): register a
 * connection in its socket context, and remove it before its fd is closed. */
void cars_srv_head_open(struct MHD_Connection *c, void **sock_cls);
void cars_srv_head_close(void **sock_cls);
/* A request's head is complete: false when the deadline cut it first. */
bool cars_srv_head_done(struct MHD_Connection *c);
/* A request is answered: the connection's next head has its deadline. */
void cars_srv_head_next(struct MHD_Connection *c);

/* ---- the HTTP side (serve_http.c) ----------------------------------------- */

struct MHD_Daemon;
/* Starts listening; NULL with a message on failure. *port gets the port. */
struct MHD_Daemon *cars_srv_http_start(const cars_serve_opts *o, struct cars_declog *log, uint16_t *port,
                                       char *err, size_t errlen);
/* Stops accepting, waits (up to `seconds`) for requests in flight, stops.
 * Returns the requests still in flight when it gave up (0: clean). */
int cars_srv_http_stop(struct MHD_Daemon *d, unsigned seconds);

/* carsvm serve: argv[1] is "serve". Returns the exit status. */
int cars_cmd_serve(int argc, char **argv);
extern const char cars_serve_help_text[];

#endif

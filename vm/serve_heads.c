/* serve_heads.c - the total deadline for a request head (--header-timeout).
 * libmicrohttpd 0.9.75 closes only a connection that is silent for its idle
 * timeout, so a client sending one byte of its head every few seconds would
 * hold a connection slot for ever. Each connection is registered when
 * libmicrohttpd opens it, with the time by which its head must be complete:
 * its opening, or the end of its previous answer, plus the timeout. A
 * sweeper thread shuts down (shutdown(2), never close) the socket of a
 * connection past its deadline; libmicrohttpd then sees the end of the
 * stream and closes the connection itself, on its own thread.
 *
 * The fd-reuse race: libmicrohttpd notifies MHD_CONNECTION_NOTIFY_CLOSED
 * before it closes the socket (daemon.c, MHD_cleanup_connections and the
 * failure path of internal_add_connection, 0.9.75), and the notification
 * takes the registry's lock. The sweeper shuts a socket down only under
 * that lock and only while the connection is registered, so the fd it
 * shuts down is still the connection's own, never a later one reusing the
 * number.
 *
 * The head being complete and the deadline passing race too: both claim
 * the connection's deadline with one atomic exchange, and the loser stands
 * aside (a head completed after its deadline is not answered). */
#include "serve.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "alloc.h"

enum { HEAD_DONE = 0, HEAD_CUT = -1 }; /* else: the deadline, monotonic ms */

/* One open connection, in its libmicrohttpd socket context. */
typedef struct head {
    atomic_llong deadline;
    int fd;
    struct head *prev, *next;
} head;

static struct {
    pthread_mutex_t mu; /* guards the list and every shutdown() */
    pthread_cond_t wake;
    head *first;
    long long ms; /* the timeout, ms; 0: no sweeper */
    bool stop;
    pthread_t thread;
} reg = {.mu = PTHREAD_MUTEX_INITIALIZER};

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void cars_srv_head_open(struct MHD_Connection *c, void **sock_cls)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    head *h = reg.ms && info ? cars_calloc(1, sizeof *h) : NULL;
    *sock_cls = h;
    if (!h) /* no deadline for this one (out of memory): the idle timeout still holds */
        return;
    h->fd = info->connect_fd;
    atomic_init(&h->deadline, now_ms() + reg.ms);
    pthread_mutex_lock(&reg.mu);
    h->next = reg.first;
    if (reg.first)
        reg.first->prev = h;
    reg.first = h;
    pthread_mutex_unlock(&reg.mu);
}

void cars_srv_head_close(void **sock_cls)
{
    head *h = *sock_cls;
    if (!h)
        return;
    pthread_mutex_lock(&reg.mu); /* waits for a shutdown of this fd in progress */
    if (h->prev)
        h->prev->next = h->next;
    else
        reg.first = h->next;
    if (h->next)
        h->next->prev = h->prev;
    pthread_mutex_unlock(&reg.mu);
    cars_free(h);
    *sock_cls = NULL;
}

bool cars_srv_head_done(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    head *h = info ? info->socket_context : NULL;
    return !h || atomic_exchange(&h->deadline, HEAD_DONE) != HEAD_CUT;
}

void cars_srv_head_next(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    head *h = info ? info->socket_context : NULL;
    long long done = HEAD_DONE;
    if (h)
        atomic_compare_exchange_strong(&h->deadline, &done, now_ms() + reg.ms);
}

/* Cuts every connection past its deadline; under the lock. */
static void sweep(void)
{
    long long now = now_ms();
    for (head *h = reg.first; h; h = h->next) {
        long long d = atomic_load(&h->deadline);
        if (d > 0 && d <= now && atomic_compare_exchange_strong(&h->deadline, &d, HEAD_CUT)) {
            shutdown(h->fd, SHUT_RDWR);
            cars_srv_count_error(CARS_SRV_E_HEADER_TIMEOUT);
        }
    }
}

static void *sweeper(void *arg)
{
    (void)arg;
    long long step = reg.ms / 8 < 250 ? reg.ms / 8 : 250; /* a deadline is kept to an eighth */
    pthread_mutex_lock(&reg.mu);
    while (!reg.stop) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        t.tv_nsec += (long)(step * 1000000);
        t.tv_sec += t.tv_nsec / 1000000000;
        t.tv_nsec %= 1000000000;
        pthread_cond_timedwait(&reg.wake, &reg.mu, &t);
        sweep();
    }
    pthread_mutex_unlock(&reg.mu);
    return NULL;
}

int cars_srv_heads_start(unsigned seconds)
{
    pthread_condattr_t a;
    int rc = pthread_condattr_init(&a);
    if (rc == 0 && (rc = pthread_condattr_setclock(&a, CLOCK_MONOTONIC)) == 0)
        rc = pthread_cond_init(&reg.wake, &a);
    if (rc != 0)
        return rc;
    pthread_condattr_destroy(&a);
    reg.ms = (long long)seconds * 1000;
    reg.stop = false;
    if ((rc = pthread_create(&reg.thread, NULL, sweeper, NULL)) != 0) {
        reg.ms = 0;
        pthread_cond_destroy(&reg.wake);
    }
    return rc;
}

void cars_srv_heads_stop(void)
{
    if (!reg.ms)
        return;
    pthread_mutex_lock(&reg.mu);
    reg.stop = true;
    pthread_cond_signal(&reg.wake);
    pthread_mutex_unlock(&reg.mu);
    pthread_join(reg.thread, NULL);
    pthread_cond_destroy(&reg.wake);
    reg.ms = 0;
}

/* serve_rel.c - the release `carsvm serve` routes with: atomically
 * reference-counted, swapped whole. A request holds the release it started
 * with until its response is built, so a swap never mixes two releases in
 * one response; the old release is freed when its last request ends. Each
 * release keeps a free list of routing contexts (reader and VM), one per
 * request at a time, reused: nothing is allocated per record. */
#include "serve.h"

#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "date.h"
#include "json.h"
#include "output.h"
#include "reader.h"
#include "vm.h"

/* The release served now; `cur_mu` is held only to read the pointer and
 * take a reference (or to replace it). */
static pthread_mutex_t cur_mu = PTHREAD_MUTEX_INITIALIZER;
static cars_srv_release *cur;

static void describe(cars_srv_release *s, bool signed_ok)
{
    const cars_program *p = &s->r.prog;
    char from[11], until[11];
    cars_date_format(p->valid_from, from);
    cars_date_format(p->valid_until, until);
    cars_buf b = {0};
    cars_buf_puts(&b, "{\"release\":");
    cars_json_string(&b, p->release_id.p, p->release_id.len);
    char tail[400];
    snprintf(tail, sizeof tail,
             ",\"sequence\":%llu,\"channel\":\"%s\",\"valid_from\":\"%s\",\"valid_until\":\"%s\","
             "\"bundle\":\"%s\",\"signature\":\"%s\"}\n",
             (unsigned long long)p->sequence, cars_channel_name(p->channel), from, until, s->logsrc.bundle_hex,
             signed_ok ? "good" : "not checked");
    cars_buf_puts(&b, tail);
    s->info_len = 0;
    if (!b.failed && b.len < sizeof s->info) {
        memcpy(s->info, b.p, b.len);
        s->info_len = b.len;
    }
    cars_buf_free(&b);
}

cars_srv_release *cars_srv_release_new(cars_release *r, const uint8_t *log_key, bool signed_ok)
{
    cars_srv_release *s = cars_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->r = *r;
    memset(r, 0, sizeof *r);
    s->shared = cars_vm_shared_new(&s->r.prog);
    s->text = cars_outtext_new(&s->r.prog);
    if (!s->shared || !s->text) {
        cars_vm_shared_free(s->shared);
        cars_outtext_free(s->text);
        *r = s->r; /* the caller's again, to free */
        cars_free(s);
        return NULL;
    }
    atomic_init(&s->refs, 1);
    pthread_mutex_init(&s->mu, NULL);
    s->logsrc.key = log_key;
    s->logsrc.p = &s->r.prog;
    cars_declog_bundle_hex(s->r.bytes, s->r.len, s->logsrc.bundle_hex);
    describe(s, signed_ok);
    return s;
}

static void release_free(cars_srv_release *s)
{
    for (cars_srv_ctx *c = s->free_ctx, *next; c; c = next) {
        next = c->next;
        cars_reader_free(c->reader);
        cars_vm_free(c->vm);
        cars_free(c);
    }
    pthread_mutex_destroy(&s->mu);
    cars_vm_shared_free(s->shared);
    cars_outtext_free(s->text);
    cars_release_free(&s->r);
    cars_free(s);
}

cars_srv_release *cars_srv_acquire(void)
{
    pthread_mutex_lock(&cur_mu);
    cars_srv_release *s = cur;
    if (s)
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&cur_mu);
    return s;
}

void cars_srv_put(cars_srv_release *s)
{
    if (s && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
        release_free(s);
}

void cars_srv_swap(cars_srv_release *s)
{
    pthread_mutex_lock(&cur_mu);
    cars_srv_release *old = cur;
    cur = s;
    pthread_mutex_unlock(&cur_mu);
    cars_srv_put(old); /* the server's hold on the old one */
}

cars_srv_ctx *cars_srv_ctx_take(cars_srv_release *s)
{
    pthread_mutex_lock(&s->mu);
    cars_srv_ctx *c = s->free_ctx;
    if (c)
        s->free_ctx = c->next;
    pthread_mutex_unlock(&s->mu);
    if (c)
        return c;
    if (!(c = cars_calloc(1, sizeof *c)))
        return NULL;
    c->reader = cars_reader_new(&s->r.prog);
    c->vm = cars_vm_new_shared(&s->r.prog, s->shared);
    if (!c->reader || !c->vm) {
        cars_reader_free(c->reader);
        cars_vm_free(c->vm);
        cars_free(c);
        return NULL;
    }
    return c;
}

void cars_srv_ctx_give(cars_srv_release *s, cars_srv_ctx *c)
{
    pthread_mutex_lock(&s->mu);
    c->next = s->free_ctx;
    s->free_ctx = c;
    pthread_mutex_unlock(&s->mu);
}

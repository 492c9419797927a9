/* cars.c - libcars (include/cars.h): the public interface over the trusted
 * core. Loading is vm/release.h's one loading path with carsvm's TRUST
 * options, then the state file as `carsvm route` records it (vm/state.h);
 * routing is vm/route.h's one routing step, so the routing line is the one
 * carsvm writes, byte for byte. Only this file's CARS_API functions are
 * exported (Makefile: -fvisibility=hidden and lib/libcars.map). */
#include "cars.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "alloc.h"
#include "buf.h"
#include "date.h"
#include "names.h"
#include "output.h"
#include "reader.h"
#include "release.h"
#include "route.h"
#include "state.h"
#include "version.h"
#include "vm.h"

_Static_assert(CARS_ERR_SIZE >= 1200, "carsvm's messages fit CARS_ERR_SIZE");
_Static_assert((int)CARS_E_FATAL == CARS_REL_FATAL && (int)CARS_E_MALFORMED == CARS_REL_MALFORMED &&
                   (int)CARS_E_STATE == CARS_REL_STATE && (int)CARS_E_ROLLED_BACK == CARS_REL_ROLLED_BACK,
               "the refusals keep carsvm's exit codes");
_Static_assert((int)CARS_OUTCOME_NCXDR == CARS_OUT_NCXDR && (int)CARS_OUTCOME_NONE == CARS_OUT_NONE &&
                   (int)CARS_OUTCOME_ERROR == CARS_OUT_ERROR,
               "the public outcomes are the VM's");

struct cars_router {
    cars_release rel;
    char *release_id;       /* NUL-terminated copy of rel.prog.release_id */
    cars_vm_shared *shared; /* what every context's VM shares: made once, only read */
    cars_outtext *text;     /* the release's text of every routing line: made once, only read */
};

struct cars_ctx {
    const cars_router *router;
    cars_reader *reader;
    cars_vm *vm;
    cars_buf line; /* the routing line of the record being routed */
    cars_buf expl; /* its explanation */
    char err[256];
};

/* ---- version and status ---------------------------------------------------- */

CARS_API unsigned cars_version_number(void) { return CARS_VERSION_NUMBER; }

CARS_API const char *cars_version_string(void) { return CARS_VERSION; }

static const struct status_desc {
    int code;
    const char *name, *text;
} statuses[] = {
    {CARS_OK, "CARS_OK", "success"},
    {CARS_E_FATAL, "CARS_E_FATAL", "a file cannot be read, or memory ran out"},
    {CARS_BLANK, "CARS_BLANK", "a blank line: no record"},
    {CARS_INVALID, "CARS_INVALID", "an invalid record, routed as ERROR"},
    {CARS_E_MALFORMED, "CARS_E_MALFORMED", "not a well-formed release or signature file"},
    {CARS_E_UNSIGNED, "CARS_E_UNSIGNED", "the release has no signature file"},
    {CARS_E_BAD_SIGNATURE, "CARS_E_BAD_SIGNATURE", "the release bytes are not the ones that were signed"},
    {CARS_E_UNKNOWN_KEY, "CARS_E_UNKNOWN_KEY", "the release is signed by a key that is not trusted"},
    {CARS_E_WRONG_CHANNEL, "CARS_E_WRONG_CHANNEL", "the release is for another channel"},
    {CARS_E_NOT_YET_VALID, "CARS_E_NOT_YET_VALID", "the release is not yet valid"},
    {CARS_E_EXPIRED, "CARS_E_EXPIRED", "the release has expired"},
    {CARS_E_ROLLED_BACK, "CARS_E_ROLLED_BACK", "the release is older than the last one accepted"},
    {CARS_E_STATE, "CARS_E_STATE", "the state file cannot be read or written, is damaged, or stays locked"},
    {CARS_E_ARGUMENT, "CARS_E_ARGUMENT", "a NULL pointer or an option out of range"},
    {CARS_E_BUFFER_TOO_SMALL, "CARS_E_BUFFER_TOO_SMALL", "the buffer is smaller than the decision needs"},
    {CARS_E_NOMEM, "CARS_E_NOMEM", "out of memory"},
    {CARS_E_INTERNAL, "CARS_E_INTERNAL", "an internal error of the library"},
};

static const struct status_desc *status_find(int status)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (statuses[i].code == status)
            return &statuses[i];
    return NULL;
}

CARS_API const char *cars_status_name(int status)
{
    const struct status_desc *s = status_find(status);
    return s ? s->name : "CARS_UNKNOWN_STATUS";
}

CARS_API const char *cars_status_text(int status)
{
    const struct status_desc *s = status_find(status);
    return s ? s->text : "not a libcars status";
}

/* ---- loading ---------------------------------------------------------------- */

static int fail(int status, char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return status;
}

/* The policy carsvm's TRUST options give (vm/cli.c), from the options. */
static int load_policy(const cars_load_options *o, cars_release_policy *pol, char *err, size_t errlen)
{
    *pol = (cars_release_policy){.channel = CARS_CHANNEL_PRODUCTION};
    if (o->trust != CARS_REQUIRE_SIGNATURE && o->trust != CARS_ALLOW_UNSIGNED_TEST)
        return fail(CARS_E_ARGUMENT, err, errlen,
                    "unknown trust policy %d (CARS_REQUIRE_SIGNATURE or CARS_ALLOW_UNSIGNED_TEST)", (int)o->trust);
    if (o->trust == CARS_REQUIRE_SIGNATURE && !o->trust_key)
        return fail(CARS_E_ARGUMENT, err, errlen,
                    "no trust_key: give the public key the release is signed with, or set trust to "
                    "CARS_ALLOW_UNSIGNED_TEST to open an unsigned test release");
    if (o->channel && !cars_channel_parse(o->channel, &pol->channel))
        return fail(CARS_E_ARGUMENT, err, errlen, "channel is production or test, not '%.100s'", o->channel);
    if (o->state_wait_ms < 0)
        return fail(CARS_E_ARGUMENT, err, errlen, "state_wait_ms is 0 or more, not %ld", o->state_wait_ms);
    pol->today = (int64_t)(time(NULL) / 86400);
    if (o->as_of && !cars_date_option(o->as_of, &pol->today, err, errlen))
        return CARS_E_ARGUMENT;
    pol->state_path = o->state;
    pol->trust = o->trust == CARS_REQUIRE_SIGNATURE ? CARS_TRUST_SIGNED : CARS_TRUST_UNSIGNED_TEST;
    return CARS_OK;
}

/* Records the release as accepted in the state file, under its lock, as
 * `carsvm route --state` does (vm/cli.c). */
static int record_release(const cars_release *r, const char *path, const cars_load_options *o, char *err,
                          size_t errlen)
{
    char msg[CARS_ERR_SIZE] = "";
    int fd;
    bool busy;
    if (cars_state_lock(o->state, o->state_wait_ms, &fd, &busy, msg, sizeof msg) != 0)
        return fail(CARS_E_STATE, err, errlen, "%s", msg);
    const cars_program *p = &r->prog;
    cars_release_meta m = {.release_id = p->release_id.p, .release_id_len = p->release_id.len,
                           .sequence = p->sequence, .valid_from = p->valid_from,
                           .valid_until = p->valid_until, .channel = p->channel};
    int rc = cars_release_accept(&m, r->digest, o->state, msg, sizeof msg);
    cars_state_unlock(fd);
    if (rc == CARS_REL_ROLLED_BACK)
        return fail(rc, err, errlen, "refused %s: %s", path, msg);
    return rc == CARS_REL_OK ? CARS_OK : fail(rc, err, errlen, "%s", msg);
}

CARS_API int cars_router_load(const char *release_path, const cars_load_options *opts, cars_router **out,
                              char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (out)
        *out = NULL;
    if (!release_path || !opts || !out)
        return fail(CARS_E_ARGUMENT, err, errlen, "cars_router_load needs release_path, opts and out");
    if (sodium_init() < 0)
        return fail(CARS_E_FATAL, err, errlen, "cannot initialise libsodium");
    cars_release_policy pol;
    int rc = load_policy(opts, &pol, err, errlen);
    if (rc != CARS_OK)
        return rc;
    cars_router *r = cars_calloc(1, sizeof *r);
    if (!r)
        return fail(CARS_E_FATAL, err, errlen, "out of memory");
    char msg[CARS_ERR_SIZE];
    rc = cars_release_load(release_path, opts->trust_key, opts->signature, &pol, &r->rel, msg, sizeof msg);
    if (rc != CARS_REL_OK) {
        cars_free(r);
        return fail(rc, err, errlen, "%s", msg);
    }
    if (opts->trust == CARS_REQUIRE_SIGNATURE && opts->state)
        rc = record_release(&r->rel, release_path, opts, err, errlen);
    const cars_str *id = &r->rel.prog.release_id;
    if (rc == CARS_OK) {
        r->release_id = cars_malloc((size_t)id->len + 1);
        r->shared = cars_vm_shared_new(&r->rel.prog);
        r->text = cars_outtext_new(&r->rel.prog);
        if (r->release_id && r->shared && r->text) {
            memcpy(r->release_id, id->p, id->len);
            r->release_id[id->len] = '\0';
        } else {
            rc = fail(CARS_E_FATAL, err, errlen, "out of memory");
        }
    }
    if (rc != CARS_OK) {
        cars_router_free(r);
        return rc;
    }
    *out = r;
    return CARS_OK;
}

CARS_API void cars_router_free(cars_router *router)
{
    if (!router)
        return;
    cars_vm_shared_free(router->shared);
    cars_outtext_free(router->text);
    cars_release_free(&router->rel);
    cars_free(router->release_id);
    cars_free(router);
}

CARS_API int cars_router_info(const cars_router *router, cars_release_info *info)
{
    if (!router || !info)
        return CARS_E_ARGUMENT;
    const cars_program *p = &router->rel.prog;
    memset(info, 0, sizeof *info);
    info->release_id = router->release_id;
    info->sequence = p->sequence;
    info->channel = cars_channel_name(p->channel);
    cars_date_format(p->valid_from, info->valid_from);
    cars_date_format(p->valid_until, info->valid_until);
    info->rules = p->nrules;
    return CARS_OK;
}

/* ---- routing ---------------------------------------------------------------- */

CARS_API int cars_ctx_new(const cars_router *router, cars_ctx **out)
{
    if (out)
        *out = NULL;
    if (!router || !out)
        return CARS_E_ARGUMENT;
    cars_ctx *c = cars_calloc(1, sizeof *c);
    if (!c)
        return CARS_E_NOMEM;
    c->router = router;
    c->reader = cars_reader_new(&router->rel.prog);
    c->vm = cars_vm_new_shared(&router->rel.prog, router->shared);
    if (!c->reader || !c->vm) {
        cars_ctx_free(c);
        return CARS_E_NOMEM;
    }
    *out = c;
    return CARS_OK;
}

CARS_API void cars_ctx_free(cars_ctx *ctx)
{
    if (!ctx)
        return;
    cars_reader_free(ctx->reader);
    cars_vm_free(ctx->vm);
    cars_buf_free(&ctx->line);
    cars_buf_free(&ctx->expl);
    cars_free(ctx);
}

CARS_API const char *cars_ctx_last_error(const cars_ctx *ctx) { return ctx ? ctx->err : ""; }

/* The pieces of a decision before they are copied to the caller's buffer. */
typedef struct pieces {
    const cars_program *p;
    const cars_result *res;
    const cars_str *id; /* NULL: none */
    const char *expl, *error;
    size_t expl_len, error_len;
} pieces;

/* Bytes the pieces need in the caller's buffer: the rule pointers (with
 * room to align them wherever the buffer starts), then the strings. */
static size_t needed_size(const cars_buf *line, const pieces *pc)
{
    size_t n = line->len + 1 + pc->expl_len + 1 + pc->error_len + 1 + (pc->id ? pc->id->len + 1 : 0);
    if (pc->res->nrules)
        n += alignof(const char *) - 1 + pc->res->nrules * sizeof(const char *);
    for (uint32_t k = 0; k < pc->res->nrules; k++)
        n += pc->p->rules[pc->res->rules[k]].id.len + 1;
    return n;
}

/* Appends s (n bytes) and a NUL at *at; returns where it starts. */
static const char *put_str(char **at, const char *s, size_t n)
{
    char *start = *at;
    if (n)
        memcpy(start, s, n);
    start[n] = '\0';
    *at = start + n + 1;
    return start;
}

/* Lays the decision out in buf (large enough: needed_size). */
static void fill(cars_decision *d, const cars_buf *line, const pieces *pc, char *buf)
{
    char *at = buf;
    uint32_t nrules = pc->res->nrules;
    const char **rules = NULL;
    if (nrules) {
        size_t mis = (size_t)((uintptr_t)at % alignof(const char *));
        at += mis ? alignof(const char *) - mis : 0;
        rules = (const char **)(void *)at;
        at += nrules * sizeof *rules;
    }
    d->outcome = (cars_route_outcome)pc->res->outcome;
    d->outcome_name = cars_outcome_name(pc->res->outcome);
    d->line = put_str(&at, line->p, line->len);
    d->line_len = line->len;
    d->explanation = put_str(&at, pc->expl, pc->expl_len);
    d->explanation_len = pc->expl_len;
    d->error = put_str(&at, pc->error, pc->error_len);
    d->error_len = pc->error_len;
    if (pc->id) {
        d->id = put_str(&at, pc->id->p, pc->id->len);
        d->id_len = pc->id->len;
    }
    for (uint32_t k = 0; k < nrules; k++) {
        const cars_str *rid = &pc->p->rules[pc->res->rules[k]].id;
        rules[k] = put_str(&at, rid->p, rid->len);
    }
    d->nrules = nrules;
    d->rules = rules;
}

/* A failure of cars_route: *d zeroed but for `needed`, `msg` kept as the
 * context's last error (it may be that already). */
static int route_fail(cars_ctx *ctx, cars_decision *d, int status, const char *msg)
{
    size_t needed = d->needed;
    memset(d, 0, sizeof *d);
    d->needed = needed;
    if (msg != ctx->err)
        snprintf(ctx->err, sizeof ctx->err, "%s", msg);
    return status;
}

/* Routes one record into the context's buffers; fills *pc. CARS_OK,
 * CARS_INVALID, or a failure (the message in ctx->err). */
static int route_into_ctx(cars_ctx *ctx, const char *record, size_t len, uint64_t line_no, cars_result *res,
                          pieces *pc, char explain_err[CARS_EXPLAIN_ERROR_SIZE])
{
    const cars_program *p = &ctx->router->rel.prog;
    bool overlong = len > CARS_MAX_LINE;
    ctx->line.len = ctx->expl.len = 0;
    ctx->line.failed = ctx->expl.failed = false;
    int rc = cars_route_record(ctx->reader, ctx->vm, p, ctx->router->text, record, len, line_no, overlong,
                               &ctx->line, NULL, NULL, res, ctx->err, sizeof ctx->err);
    if (rc < 0)
        return cars_reader_out_of_memory(ctx->reader) ? CARS_E_NOMEM : CARS_E_INTERNAL;
    const cars_record *rec = overlong ? NULL : cars_reader_record(ctx->reader);
    *pc = (pieces){.p = p, .res = res, .id = rec && rec->has_id ? &rec->id : NULL, .error = ""};
    if (rc > 0) {
        pc->error = overlong ? CARS_OVERLONG_ERROR : cars_reader_error(ctx->reader);
        pc->error_len = strlen(pc->error);
        pc->expl = explain_err;
        pc->expl_len = cars_explain_error(explain_err, pc->error);
    } else {
        cars_explain(&ctx->expl, p, res);
        pc->expl = ctx->expl.p ? ctx->expl.p : "";
        pc->expl_len = ctx->expl.len;
    }
    if (ctx->line.failed || ctx->expl.failed) {
        snprintf(ctx->err, sizeof ctx->err, "out of memory");
        return CARS_E_NOMEM;
    }
    return rc > 0 ? CARS_INVALID : CARS_OK;
}

CARS_API int cars_route(cars_ctx *ctx, const char *record, size_t len, uint64_t line_no, cars_decision *d,
                        void *buf, size_t bufsize)
{
    if (d)
        memset(d, 0, sizeof *d);
    if (ctx)
        ctx->err[0] = '\0';
    if (!ctx || !d || (!record && len) || (!buf && bufsize)) {
        if (ctx)
            snprintf(ctx->err, sizeof ctx->err, "cars_route needs ctx, d, a record (or len 0) and a buffer");
        return CARS_E_ARGUMENT;
    }
    if (cars_blank_line(record ? record : "", len))
        return CARS_BLANK;
    cars_result res;
    pieces pc;
    char explain_err[CARS_EXPLAIN_ERROR_SIZE];
    int rc = route_into_ctx(ctx, record, len, line_no, &res, &pc, explain_err);
    if (rc != CARS_OK && rc != CARS_INVALID)
        return route_fail(ctx, d, rc, ctx->err);
    d->needed = needed_size(&ctx->line, &pc);
    if (bufsize < d->needed || !buf) { /* !buf: only with bufsize 0, refused above otherwise */
        char msg[120];
        snprintf(msg, sizeof msg, "the decision needs a buffer of %zu bytes, not %zu", d->needed, bufsize);
        return route_fail(ctx, d, CARS_E_BUFFER_TOO_SMALL, msg);
    }
    fill(d, &ctx->line, &pc, buf);
    return rc;
}

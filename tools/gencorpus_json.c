/* gencorpus_json.c - the building blocks of tools/gencorpus.c
 * (gencorpus_json.h): its PRNG, a growable text buffer, dates of birth, and
 * a small JSON tree built per record in a reusable pool and written with
 * varied member order, spacing and escapes. Dates, UTF-8 and the
 * buffer are the VM's (vm/date.h, vm/utf8.h, vm/buf.h, from libcarsvm). */
#include "gencorpus_json.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "utf8.h"

/* ---- random numbers ------------------------------------------------------ */

uint64_t rnext(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
unsigned rbelow(rng *r, unsigned n)
{
    return n ? (unsigned)(rnext(r) % n) : 0;
}

/* Uniform in [lo, hi]. */
int rrange(rng *r, int lo, int hi)
{
    return lo + (int)rbelow(r, (unsigned)(hi - lo + 1));
}

/* True with probability p. */
int rchance(rng *r, double p)
{
    return (double)(rnext(r) >> 11) * (1.0 / 9007199254740992.0) < p;
}

_Noreturn void die(const char *msg)
{
    fprintf(stderr, "gencorpus: %s\n", msg);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) die("out of memory");
    return p;
}

/* ---- growable text -------------------------------------------------------- */

void bput(cars_buf *b, const char *s, size_t n)
{
    cars_buf_put(b, s, n);
    if (b->failed) die("out of memory");
}

void bstr(cars_buf *b, const char *s)
{
    bput(b, s, strlen(s));
}

static void bprintf(cars_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(cars_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) die("format error");
    bput(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* ---- dates ---------------------------------------------------------------- */

/* The date of birth that makes someone exactly `age` on `on` (their
 * birthday), and the day after it (one day too young: still age - 1). */
long birthday_for(long on, int age)
{
    int y, m, d;
    cars_date_split(on, &y, &m, &d);
    if (m == 2 && d == 29 && !cars_is_leap(y - age)) d = 28;
    return (long)cars_date_make(y - age, m, d);
}

/* ---- JSON trees ----------------------------------------------------------- */

#define NCHUNK 4096
#define BCHUNK 65536

J *jnew(pool *p, int kind)
{
    if (p->nnchunks == 0 || p->nused == NCHUNK) {
        if (p->nnchunks == 0 || p->ncur + 1 == p->nnchunks) {
            p->nchunks = realloc(p->nchunks, (p->nnchunks + 1) * sizeof *p->nchunks);
            if (!p->nchunks) die("out of memory");
            p->nchunks[p->nnchunks++] = xmalloc(NCHUNK * sizeof(J));
            p->ncur = p->nnchunks - 1;
        } else {
            p->ncur++;
        }
        p->nused = 0;
    }
    J *j = &p->nchunks[p->ncur][p->nused++];
    memset(j, 0, sizeof *j);
    j->kind = kind;
    return j;
}

static char *pdup(pool *p, const char *s)
{
    size_t n = strlen(s) + 1;
    if (n > BCHUNK) die("string too long");
    if (p->nbchunks == 0 || p->bused + n > BCHUNK) {
        if (p->nbchunks == 0 || p->bcur + 1 == p->nbchunks) {
            p->bchunks = realloc(p->bchunks, (p->nbchunks + 1) * sizeof *p->bchunks);
            if (!p->bchunks) die("out of memory");
            p->bchunks[p->nbchunks++] = xmalloc(BCHUNK);
            p->bcur = p->nbchunks - 1;
        } else {
            p->bcur++;
        }
        p->bused = 0;
    }
    char *d = p->bchunks[p->bcur] + p->bused;
    memcpy(d, s, n);
    p->bused += n;
    return d;
}

void pool_reset(pool *p)
{
    p->ncur = 0;
    p->nused = p->nnchunks ? 0 : NCHUNK;
    p->bcur = 0;
    p->bused = 0;
}

void pool_free(pool *p)
{
    for (size_t i = 0; i < p->nnchunks; i++) free(p->nchunks[i]);
    for (size_t i = 0; i < p->nbchunks; i++) free(p->bchunks[i]);
    free(p->nchunks);
    free(p->bchunks);
}

J *jstr(pool *p, const char *s)
{
    J *j = jnew(p, J_STR);
    j->text = pdup(p, s);
    return j;
}

J *jraw(pool *p, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    J *j = jnew(p, J_RAW);
    j->text = pdup(p, tmp);
    return j;
}

J *jbool(pool *p, int v)
{
    return jraw(p, v ? "true" : "false");
}

J *jint(pool *p, long v)
{
    return jraw(p, "%ld", v);
}

/* A money amount: whole pounds, or pence when `cents` is not a whole pound. */
J *jmoney(pool *p, long pence)
{
    if (pence % 100 == 0) return jraw(p, "%ld", pence / 100);
    return jraw(p, "%ld.%02ld", pence / 100, pence % 100);
}

J *jdate(pool *p, long days)
{
    char t[11];
    cars_date_format(days, t);
    return jstr(p, t);
}

void jappend(J *parent, J *child)
{
    child->next = NULL;
    if (parent->last) parent->last->next = child;
    else parent->first = child;
    parent->last = child;
    parent->n++;
}

static J *jmember(J *obj, const char *key, size_t keylen)
{
    for (J *c = obj->first; c; c = c->next)
        if (strlen(c->key) == keylen && memcmp(c->key, key, keylen) == 0) return c;
    return NULL;
}

/* Sets the member at dotted `path`, creating objects on the way. */
void jset(pool *p, J *root, const char *path, J *val)
{
    J *obj = root;
    for (;;) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        J *m = jmember(obj, path, n);
        if (!dot) {
            char key[128];
            snprintf(key, sizeof key, "%.*s", (int)n, path);
            if (m) { /* replace in place, keeping the position */
                J *next = m->next;
                const char *k = m->key;
                *m = *val;
                m->key = k;
                m->next = next;
            } else {
                val->key = pdup(p, key);
                jappend(obj, val);
            }
            return;
        }
        if (!m || m->kind != J_OBJ) {
            char key[128];
            snprintf(key, sizeof key, "%.*s", (int)n, path);
            J *o = jnew(p, J_OBJ);
            if (m) {
                J *next = m->next;
                const char *k = m->key;
                *m = *o;
                m->key = k;
                m->next = next;
                o = m;
            } else {
                o->key = pdup(p, key);
                jappend(obj, o);
            }
            m = o;
        }
        obj = m;
        path = dot + 1;
    }
}

static J *jget(J *root, const char *path)
{
    J *obj = root;
    for (;;) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        J *m = obj && obj->kind == J_OBJ ? jmember(obj, path, n) : NULL;
        if (!dot || !m) return m;
        obj = m;
        path = dot + 1;
    }
}

/* Removes the member at `path` (if there). */
void jdel(J *root, const char *path)
{
    const char *dot = strrchr(path, '.');
    J *obj = root;
    if (dot) {
        char parent[128];
        snprintf(parent, sizeof parent, "%.*s", (int)(dot - path), path);
        obj = jget(root, parent);
        path = dot + 1;
    }
    if (!obj || obj->kind != J_OBJ) return;
    J *prev = NULL;
    for (J *c = obj->first; c; prev = c, c = c->next) {
        if (strcmp(c->key, path) == 0) {
            if (prev) prev->next = c->next;
            else obj->first = c->next;
            if (obj->last == c) obj->last = prev;
            obj->n--;
            return;
        }
    }
}

/* ---- JSON text ------------------------------------------------------------ */

/* Not vm/json.h's escaper, on purpose: that one writes the one canonical
 * form routing output needs; this one writes the escapes a sender might
 * (\u escapes of non-ASCII, upper-case hex, "\/", "\r"), chosen by the
 * style, so that the corpus exercises the reader's unescaping. */
static void write_string(cars_buf *b, const char *s, const jstyle *st)
{
    bput(b, "\"", 1);
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    while (*p) {
        unsigned char c = *p;
        if (c == '"') { bstr(b, "\\\""); p++; }
        else if (c == '\\') { bstr(b, "\\\\"); p++; }
        else if (c == '\n') { bstr(b, "\\n"); p++; }
        else if (c == '\t') { bstr(b, "\\t"); p++; }
        else if (c == '\r') { bstr(b, "\\r"); p++; }
        else if (c < 0x20) { bprintf(b, "\\u%04x", c); p++; }
        else if (c == '/' && st->slash) { bstr(b, "\\/"); p++; }
        else if (c >= 0x80 && st->uescape) {
            uint32_t cp;
            size_t k = cars_utf8_decode(p, (size_t)(end - p), &cp);
            if (!k) { cp = *p; k = 1; } /* not UTF-8: the byte as it is */
            p += k;
            if (cp >= 0x10000) {
                cp -= 0x10000;
                bprintf(b, "\\u%04X\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
            } else {
                bprintf(b, "\\u%04x", cp);
            }
        } else { bput(b, (const char *)p, 1); p++; }
    }
    bput(b, "\"", 1);
}

void write_json(cars_buf *b, J *j, const jstyle *st, rng *r)
{
    switch (j->kind) {
    case J_STR: write_string(b, j->text, st); return;
    case J_RAW: bstr(b, j->text); return;
    case J_ARR:
    case J_OBJ: {
        int obj = j->kind == J_OBJ;
        J *small[64];
        J **items = j->n <= 64 ? small : xmalloc((size_t)j->n * sizeof *items);
        int n = 0;
        for (J *c = j->first; c; c = c->next) items[n++] = c;
        if (obj && st->shuffle)
            for (int i = n - 1; i > 0; i--) {
                int k = (int)rbelow(r, (unsigned)i + 1);
                J *t = items[i]; items[i] = items[k]; items[k] = t;
            }
        bput(b, obj ? "{" : "[", 1);
        for (int i = 0; i < n; i++) {
            if (i) bstr(b, st->spaced ? ", " : ",");
            if (obj) {
                write_string(b, items[i]->key, st);
                bstr(b, st->spaced ? ": " : ":");
            }
            write_json(b, items[i], st, r);
        }
        bput(b, obj ? "}" : "]", 1);
        if (items != small) free(items);
        return;
    }
    }
}

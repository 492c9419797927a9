/* gencorpus_json.h - the building blocks of tools/gencorpus.c, in
 * tools/gencorpus_json.c: its PRNG (splitmix64; never rand()), a growable
 * text buffer, dates of birth, and a small JSON tree that is built per
 * record in a reusable pool and written with varied member order, spacing
 * and escapes. gencorpus links libcarsvm for what the VM already has
 * (dates: vm/date.h; UTF-8: vm/utf8.h; table key normalisation:
 * vm/normalise.h; the growable buffer: vm/buf.h). */
#ifndef CARS_GENCORPUS_JSON_H
#define CARS_GENCORPUS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(r, a) ((a)[rbelow((r), COUNT(a))])

/* ---- random numbers ------------------------------------------------------ */

typedef struct rng {
    uint64_t s;
} rng;

uint64_t rnext(rng *r);
/* Uniform in [0, n). */
unsigned rbelow(rng *r, unsigned n);
/* Uniform in [lo, hi]. */
int rrange(rng *r, int lo, int hi);
/* True with probability p. */
int rchance(rng *r, double p);

/* "gencorpus: MSG" on stderr, exit status 1. */
_Noreturn void die(const char *msg);
/* malloc, or die. */
void *xmalloc(size_t n) __attribute__((returns_nonnull, malloc));

/* ---- growable text: the VM's cars_buf (vm/buf.h), out of memory fatal ---- */

void bput(cars_buf *b, const char *s, size_t n);
void bstr(cars_buf *b, const char *s);

/* ---- dates ---------------------------------------------------------------- */

/* The date of birth that makes someone exactly `age` on `on` (their
 * birthday), and the day after it (one day too young: still age - 1). */
long birthday_for(long on, int age);

/* ---- JSON trees ----------------------------------------------------------- */

enum { J_OBJ, J_ARR, J_STR, J_RAW };

typedef struct J {
    int kind;
    const char *key;   /* member name, inside an object */
    const char *text;  /* STR: UTF-8 text; RAW: JSON text written verbatim */
    struct J *first, *last, *next;
    int n;
} J;

/* Per-record storage: chunks of nodes and bytes, reused for every record. */
typedef struct pool {
    J **nchunks; size_t nnchunks, ncur, nused;
    char **bchunks; size_t nbchunks, bcur, bused;
} pool;

J *jnew(pool *p, int kind);
/* Makes every node and byte of p free for the next record. */
void pool_reset(pool *p);
void pool_free(pool *p);
J *jstr(pool *p, const char *s);
/* JSON text written as it is (at most 255 bytes). */
J *jraw(pool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
J *jbool(pool *p, int v);
J *jint(pool *p, long v);
/* A money amount: whole pounds, or pounds and pence. */
J *jmoney(pool *p, long pence);
J *jdate(pool *p, long days);
void jappend(J *parent, J *child);
/* Sets the member at dotted `path`, creating objects on the way. */
void jset(pool *p, J *root, const char *path, J *val);
/* Removes the member at `path` (if there). */
void jdel(J *root, const char *path);

/* ---- JSON text ------------------------------------------------------------ */

typedef struct jstyle {
    int shuffle;  /* object members in random order */
    int spaced;   /* ", " and ": " separators */
    int uescape;  /* non-ASCII written as \u escapes (surrogate pairs too) */
    int slash;    /* '/' written as "\/" */
} jstyle;

/* Writes j to b in style st; r shuffles the members. */
void write_json(cars_buf *b, J *j, const jstyle *st, rng *r);

#endif

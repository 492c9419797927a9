/* reader_int.h - private to the record reader's files, not a public
 * interface: the reader's state, the schema trie's lookup and the checks
 * of a field's value (inline: they run for every key and value of every
 * record, and both readings below call them, so that they cannot drift)
 * and what each file offers the others.
 *   reader.c        the parse: the walk, then yajl and the state machine
 *                   (yajl's callbacks) for a line the walk refuses, only to
 *                   word its error
 *   reader_walk.c   the accept path: a walk of simdjson's structural index
 *                   directed by the schema
 *   reader_simd.cpp simdjson's stage 1 (reader_simd.h)
 *   reader_trie.c   the schema trie and the reader's construction
 *   reader_arena.c  the arena yajl allocates from
 *   reader_text.c   the line's bytes checked before yajl sees them, and
 *                   the error messages */
#ifndef CARS_READER_INT_H
#define CARS_READER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include <float.h>

#include "date.h"
#include "reader.h"
#include "reader_simd.h"

/* ---- the arena for yajl (reader_arena.c): chunks kept across lines ---- */

typedef struct cars_rd_chunk cars_rd_chunk;

typedef struct cars_rd_arena {
    cars_rd_chunk *first, *cur;
    bool failed; /* an allocation failed on this line */
} cars_rd_arena;

/* Points yajl's allocation functions at a. */
void cars_rd_arena_funcs(cars_rd_arena *a, yajl_alloc_funcs *f);
/* n bytes that live until the next reset; NULL (and a->failed) when out of memory. */
void *cars_rd_arena_alloc(cars_rd_arena *a, size_t n);
/* Forgets every allocation (the chunks stay) and the failure. */
void cars_rd_arena_reset(cars_rd_arena *a);
/* yajl does not survive a failed allocation: before each line the arena
 * gets one chunk of n bytes, enough for everything yajl may ask for. */
bool cars_rd_arena_reserve(cars_rd_arena *a, size_t n);
void cars_rd_arena_destroy(cars_rd_arena *a);

/* ---- the reader's state ---- */

/* A node of the schema trie: one name of a dotted field path. */
typedef struct cars_rd_node {
    const char *name;
    uint64_t pre; /* the first 8 bytes of the name, zero-padded: a quick compare */
    uint32_t len;
    int32_t field;          /* top-level field index, or -1 for an object */
    int32_t child, sibling; /* -1 if none */
    int32_t parent;
    /* An object's own table of its children (reader_trie.c): the child's
     * entry is ptab[pbase + ((key prefix + key length) * mul >> shift)], no
     * two children in one entry; pbase < 0: none found, the hash table of
     * every node serves. */
    int32_t pbase;
    uint8_t shift;
    uint64_t mul;
} cars_rd_node;

/* An entry of an object's table of its children: the child's name's first
 * and last 8 bytes (zero-padded), its length (UINT32_MAX: no child), its
 * node and what the walk reads its value by (the node's field, and that
 * field's type and required flag), so a key found needs no other load to
 * dispatch its value. A key of at most 16 bytes is compared by the two
 * words alone. */
typedef struct cars_rd_pslot {
    uint64_t pre, last;
    uint32_t len;
    int32_t node;
    int32_t field; /* nodes[node].field: -1 for an object */
    uint8_t type;  /* the field's type (CARS_FT_*) */
    uint8_t req;   /* the field's CARS_FF_REQUIRED flag */
} cars_rd_pslot;

/* An enum member's text as words: its first 8 bytes and, when longer
 * than 8, its last 8 (zero-padded; cars_rd_key_prefix), and its length. A
 * text of at most 16 bytes is compared by the words alone. */
typedef struct cars_rd_mkey {
    uint64_t pre, last;
    uint32_t len;
} cars_rd_mkey;

enum cars_rd_frame_kind { FR_OBJ, FR_SKIP_OBJ, FR_SKIP_ARR, FR_LIST, FR_ELEM };

/* An open object or array of the line. */
typedef struct cars_rd_frame {
    uint8_t kind;
    int32_t node;         /* FR_OBJ: trie node; FR_LIST/FR_ELEM: list field */
    uint32_t ukey_start;  /* unknown keys of this object: ukeys[ukey_start..] */
    uint32_t ukbuf_start;
    uint32_t count;       /* FR_LIST: elements seen (of any type); FR_ELEM: its index;
                             FR_SKIP_ARR: values begun (the open one is count - 1) */
    uint32_t name_off;    /* FR_SKIP_*: the unknown key whose value it is, */
    uint32_t name_len;    /* ukbuf[name_off..+name_len) (UINT32_MAX: none) */
    cars_value *slots;    /* FR_ELEM: where its fields go (the list's array or escratch) */
} cars_rd_frame;

/* What the last key named: where the next value goes. */
enum cars_rd_target_kind { T_NONE, T_FIELD, T_NODE, T_ELEM, T_SKIP };

/* An unknown key of an open object: bytes [off, off + len) of ukbuf. */
typedef struct cars_rd_ukey {
    uint32_t off, len;
} cars_rd_ukey;

struct cars_reader {
    const cars_program *p;
    cars_rd_node *nodes;
    uint32_t nnodes;
    int32_t *htab; /* open addressing over (parent, key) */
    cars_rd_pslot *ptab; /* the objects' tables of their children (cars_rd_node.pbase) */
    cars_rd_pslot *nslot; /* per node: its entry as in its parent's table (for a parent without one) */
    uint32_t hmask;
    int32_t id_field;
    cars_rd_arena ar;
    yajl_alloc_funcs afuncs;
    /* the record */
    cars_record rec;
    cars_value *v;
    cars_str *s;
    cars_list *lists;
    uint32_t *list_cap; /* elements allocated per list field: lists[f].n <= list_cap[f] */
    uint32_t *present;  /* yajl's reading: == gen when the field had a non-null value (the walk counts nreq) */
    uint32_t *req, nreq; /* the required top-level fields, ascending */
    uint32_t *lreq;     /* per list field: how many of its element fields are required */
    uint32_t *seen;     /* per trie node: == gen when its key was seen */
    uint32_t gen;
    uint32_t *eseen;    /* per element field: == egen when seen in this element */
    uint32_t egen;
    cars_value *escratch; /* element slots of a list that is not stored */
    uint64_t *epre;       /* per element field: key_prefix of its key */
    struct cars_rd_mkey *mkeys; /* per enum member (program's members): its words */
    uint32_t max_stride;
    /* The line's decoded strings (room for the whole line: reserve_line) and,
     * below, the bytes of its unknown keys: growable buffers kept as plain
     * fields, not vm/buf.h's cars_buf, for speed. Made cars_bufs, they (the
     * unknown keys' buffer alone, in fact) cost the router about 180 more
     * instructions per record (callgrind, 2,000 records: 125,940,163 ->
     * 126,294,945: the key callback's code is the worse for it). They grow
     * in reserve_line and map_key (reader.c). */
    char *strbuf;
    size_t strcap, strlen_;
    cars_rd_ukey *ukeys;
    uint32_t nukeys, ukcap;
    uint64_t key_cmps; /* comparisons of unknown keys on this line */
    char *ukbuf;
    size_t ukbuf_len, ukbuf_cap;
    /* parse state */
    cars_rd_frame stack[CARS_READER_MAX_DEPTH + 1];
    int depth;
    uint8_t target;
    int32_t tidx; /* target field / node / element field (absolute index) */
    uint32_t nlistf;
    cars_rd_simd *simd; /* simdjson's stage 1 and its buffers, for the walk */
    yajl_handle h;     /* the current line's parser, when yajl reads it */
    const char *line;  /* the current line */
    size_t len;
    size_t root_end;   /* yajl's reading: the offset after the root object, once it has ended */
    uint32_t *listf;   /* the nlistf list fields, ascending: the only lists a line fills */
    bool suspect;      /* the line has bad bytes or a lone surrogate: check the id's own text */
    bool id_again;     /* yajl's reading: the id's key came more than once */
    bool id_before;    /* ... and the id had been read before it came again */
    bool stable;       /* the parser's strings live until the next line: kept without a copy */
    bool started;
    bool has_err;
    bool oom;
    char err[512];
};

/* ---- the schema trie (built in reader_trie.c) ---- */

/* The first 8 bytes of a key, zero-padded. */
static inline uint64_t cars_rd_key_prefix(const char *s, size_t len)
{
    uint64_t v = 0;
    if (len >= 8)
        memcpy(&v, s, 8); /* one load */
    else
        memcpy(&v, s, len);
    return v;
}

/* The hash table of (parent, key) -> child, built once per reader. */
static inline uint32_t cars_rd_child_hash(int32_t parent, uint64_t pre, size_t len)
{
    uint64_t h = (pre ^ ((uint64_t)len << 56) ^ ((uint64_t)(uint32_t)parent * 0x9E3779B97F4A7C15ull)) *
                 0xD6E8FEB86659FD93ull;
    return (uint32_t)(h >> 32);
}

/* Bytes [8, n) of a and b equal (n > 8). */
static inline bool cars_rd_tail_eq(const char *a, const char *b, size_t n)
{
    uint64_t x, y;
    size_t i = 8;
    for (; i + 8 <= n; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y)
            return false;
    }
    if (i == n)
        return true;
    memcpy(&x, a + n - 8, 8);
    memcpy(&y, b + n - 8, 8);
    return x == y;
}

/* The child of trie node `parent` named key (pre = its key prefix), or -1. */
static inline int32_t cars_rd_find_child(const cars_reader *r, int32_t parent, const char *key, size_t len,
                                         uint64_t pre)
{
    for (uint32_t i = cars_rd_child_hash(parent, pre, len) & r->hmask;; i = (i + 1) & r->hmask) {
        int32_t c = r->htab[i];
        if (c < 0)
            return -1;
        const cars_rd_node *n = &r->nodes[c];
        if (n->pre == pre && n->len == len && n->parent == parent && (len <= 8 || cars_rd_tail_eq(n->name, key, len)))
            return c;
    }
}

/* The last 8 bytes of a name of len > 8 bytes. */
static inline uint64_t cars_rd_key_last(const char *s, size_t len)
{
    uint64_t v;
    memcpy(&v, s + len - 8, 8);
    return v;
}

/* The entry of the child named key (pre = its key prefix) of node
 * `parent` (nd = its node), or NULL: one probe of nd's own table, or the
 * hash table of every node when nd has none. */
static inline const cars_rd_pslot *cars_rd_child_slot(const cars_reader *r, int32_t parent, const cars_rd_node *nd,
                                                      const char *key, size_t len, uint64_t pre)
{
    if (nd->pbase < 0) {
        int32_t c = cars_rd_find_child(r, parent, key, len, pre);
        return c < 0 ? NULL : &r->nslot[c];
    }
    const cars_rd_pslot *e = &r->ptab[nd->pbase + (int32_t)(((pre + len) * nd->mul) >> nd->shift)];
    if (e->pre != pre || e->len != len)
        return NULL;
    if (len <= 8)
        return e;
    if (e->last != cars_rd_key_last(key, len))
        return NULL;
    return len <= 16 || cars_rd_tail_eq(r->nodes[e->node].name, key, len) ? e : NULL;
}

/* The same as cars_rd_find_child, from the node's own table when it has one. */
static inline int32_t cars_rd_child(const cars_reader *r, int32_t parent, const char *key, size_t len, uint64_t pre)
{
    const cars_rd_pslot *e = cars_rd_child_slot(r, parent, &r->nodes[parent], key, len, pre);
    return e ? e->node : -1;
}

/* ---- the line's bytes (reader_text.c) ---- */

/* The offset of the first byte of s that is not strict UTF-8, or is a
 * control character that JSON never allows raw; n if there is none. */
size_t cars_rd_first_bad_byte(const unsigned char *s, size_t n);
/* True if s has a lone surrogate escape; out gets its text ("\ud800"). */
bool cars_rd_lone_surrogate(const char *s, size_t n, char out[7]);

/* ---- error messages (reader_text.c) ---- */

/* The record's first error wins: later calls on the same line do nothing. */
void cars_rd_err(cars_reader *r, const char *fmt, ...);
/* An error of the whole line: it replaces whatever the record said. */
void cars_rd_line_err(cars_reader *r, const char *fmt, ...);
/* The line's bytes at s[at] (of n) are not strict UTF-8 or are a control
 * character (cars_rd_first_bad_byte): the line's error says which and why. */
void cars_rd_bad_byte_error(cars_reader *r, const unsigned char *s, size_t n, size_t at);
/* yajl refused the line (r->line) with msg: the line's error, with where
 * JSON's grammar broke (cars_rd_syntax_error_at) and what is found there. */
void cars_rd_json_error(cars_reader *r, const char *msg);
/* A value for a message, into out (n bytes): at most 60 bytes of it,
 * control characters escaped; quoted: as a JSON string literal. */
void cars_rd_render(char *out, size_t n, const char *str, size_t len, bool quoted);
/* The current target's value `got` is not of field f's type. */
void cars_rd_type_error(cars_reader *r, const cars_pfield *f, const char *got);
/* The same for a number or string value's text, rendered. */
void cars_rd_text_error(cars_reader *r, const cars_pfield *f, const char *s, size_t n, bool quoted);
/* The same for a number token of an integer or number field, saying when
 * it is past what the field can hold (int64, double). */
void cars_rd_number_error(cars_reader *r, const cars_pfield *f, const char *s, size_t n);
/* The current target's string s is not a date, or not one of f's members. */
void cars_rd_date_error(cars_reader *r, const char *s, size_t n);
void cars_rd_enum_error(cars_reader *r, const cars_pfield *f, const char *s, size_t n);
/* The current target is an object node, and got is not an object. */
void cars_rd_node_error(cars_reader *r, const char *got);
/* A key seen twice in an object: frame f's (a list element or an object
 * of the schema names it: "travel_history[2]: ", "applicant.passport: "),
 * or NULL (the record, or an object of no field: no name). */
void cars_rd_dup_key(cars_reader *r, const cars_rd_frame *f, const char *k, size_t n);

/* ---- a field's value: the checks both readings share ---- */

/* Parses an integer written without fraction or exponent, in int64 range. */
static inline bool cars_rd_parse_int(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && s[i] == '-')
        neg = true, i++;
    if (i == n)
        return false;
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (n - i <= 18) { /* fewer than 19 digits: no overflow */
        for (; i < n; i++) {
            if (s[i] < '0' || s[i] > '9')
                return false;
            v = v * 10 + (unsigned)(s[i] - '0');
        }
        *out = neg ? (int64_t)(0 - v) : (int64_t)v;
        return true;
    }
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (lim - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* An integer field's value from a JSON number's text s: false if it is not
 * an integer in int64 range or is below the field's min. */
static inline bool cars_rd_int_value(const cars_pfield *f, const char *s, size_t n, int64_t *out)
{
    return cars_rd_parse_int(s, n, out) && !((f->flags & CARS_FF_HAS_MIN) && (double)*out < f->min);
}

/* strtod's value of a JSON number (already checked by the parser) with
 * at most 15 digits and no exponent: m / 10^k with both exact, so one
 * correctly rounded division gives the correctly rounded value. */
static inline bool cars_rd_fast_double(const char *s, size_t n, double *out)
{
#if FLT_EVAL_METHOD == 0
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    bool neg = n > 0 && s[0] == '-';
    uint64_t m = 0;
    int digits = 0, frac = -1;
    for (size_t i = neg; i < n; i++) {
        char c = s[i];
        if (c == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (c < '0' || c > '9' || ++digits > 15)
            return false;
        m = m * 10 + (unsigned)(c - '0');
        if (frac >= 0)
            frac++;
    }
    if (digits == 0)
        return false;
    double d = (double)m;
    if (frac > 0)
        d /= p10[frac];
    *out = neg ? -d : d;
    return true;
#else
    (void)s, (void)n, (void)out;
    return false;
#endif
}

/* A number field's value from a JSON number's text s (reader.c): 1, or 0
 * if it is not finite or is below the field's min, or -1 out of memory. */
int cars_rd_number_value(cars_reader *r, const cars_pfield *f, const char *s, size_t n, double *out);

/* The index of enum field f's member s (n bytes; pre: its first 8 bytes,
 * zero-padded), or -1: the members' words compared in order, no call. */
static inline int64_t cars_rd_enum_member(const cars_reader *r, const cars_pfield *f, const char *s, size_t n,
                                          uint64_t pre)
{
    const cars_rd_mkey *mk = &r->mkeys[f->members_first];
    for (uint32_t m = 0; m < f->members_n; m++) {
        if (mk[m].pre != pre || mk[m].len != n)
            continue;
        if (n <= 8)
            return m;
        if (mk[m].last == cars_rd_key_last(s, n) &&
            (n <= 16 || cars_rd_tail_eq(r->p->members[f->members_first + m].p, s, n)))
            return m;
    }
    return -1;
}

/* A country code's 3 letters A-Z: its code, or false. */
static inline bool cars_rd_country_value(const char *s, size_t n, int64_t *out)
{
    if (n != 3 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' || s[2] < 'A' || s[2] > 'Z')
        return false;
    *out = cars_country_code(s);
    return true;
}

/* The code of a date, country or enum field's string s: the date in days,
 * the country's code, the member's index; false if s is none. */
static inline bool cars_rd_code_value(const cars_reader *r, const cars_pfield *f, const char *s, size_t n,
                                      int64_t *out)
{
    if (f->type == CARS_FT_DATE)
        return cars_date_parse(s, n, out);
    if (f->type == CARS_FT_COUNTRY)
        return cars_rd_country_value(s, n, out);
    int64_t m = cars_rd_enum_member(r, f, s, n, cars_rd_key_prefix(s, n));
    if (m < 0)
        return false;
    *out = m;
    return true;
}

/* A string of the record: as it is when the parser's strings live until
 * the next line (the walk's: in the padded line or the index's string
 * buffer), else copied into the record's buffer, which is longer than the
 * line, and a decoded string is never longer than its text in the line
 * (an escape decodes to fewer bytes than it takes), so a line's strings
 * always fit: the check keeps that an invariant rather than an assumption. */
static inline cars_str cars_rd_keep(cars_reader *r, const unsigned char *s, size_t n)
{
    if (r->stable) /* the walk's */
        return (cars_str){(const char *)s, (uint32_t)n};
    if (n > r->strcap - r->strlen_) {
        cars_rd_err(r, "a string longer than its line");
        n = 0;
    }
    cars_str out = {r->strbuf + r->strlen_, (uint32_t)n};
    if (n)
        memcpy(r->strbuf + r->strlen_, s, n);
    r->strlen_ += n;
    return out;
}

/* A top-level string field's text: kept when the program reads it or it is
 * the id, and made the record's id if it is the id and id_ok (its own text
 * is clean). */
static inline void cars_rd_string_field(cars_reader *r, int32_t f, const unsigned char *s, size_t n, bool id_ok)
{
    if ((r->p->fields[f].flags & CARS_FF_READ) || f == r->id_field)
        r->s[f] = cars_rd_keep(r, s, n);
    if (f == r->id_field && id_ok) {
        r->rec.id = r->s[f];
        r->rec.has_id = true;
    }
}

/* ---- what both readings share beyond values (reader.c) ---- */

/* Remembers an unknown key of the open object for the duplicate check:
 * 0 when out of memory (r->oom). */
int cars_rd_remember_key(cars_reader *r, const char *k, size_t n);
/* Sorts the unknown keys remembered since ukeys[start] and returns the
 * first duplicate among them (in sorted order), or NULL. */
const cars_rd_ukey *cars_rd_unknown_dup(cars_reader *r, uint32_t start);
/* Forgets the unknown keys since start (and their bytes since ukbuf_start). */
static inline void cars_rd_forget_keys(cars_reader *r, uint32_t start, size_t ukbuf_start)
{
    r->nukeys = start;
    r->ukbuf_len = ukbuf_start;
}
/* The zeroed slots of the next element of list field lf (a new element of
 * its array while the record is valid and the program reads the list, else
 * scratch slots), its fields' marks forgotten; NULL when out of memory. */
cars_value *cars_rd_elem_slots(cars_reader *r, int32_t lf);
/* The same slots, not zeroed (the caller writes or zeroes every one). */
cars_value *cars_rd_elem_take(cars_reader *r, int32_t lf);
/* cars_rd_elem_take, inline while the list has room (the marks' generation
 * does not wrap, the program reads the list and the record is valid). */
static inline cars_value *cars_rd_elem_next(cars_reader *r, int32_t lf)
{
    cars_list *l = &r->lists[lf];
    if (__builtin_expect(r->egen != UINT32_MAX && (r->p->fields[lf].flags & CARS_FF_READ) && !r->has_err &&
                             l->n < r->list_cap[lf],
                         1)) {
        r->egen++;
        return l->elems + (size_t)l->n++ * l->stride;
    }
    return cars_rd_elem_take(r, lf);
}

/* ---- the accept path (reader_walk.c) ---- */

/* Reads line (len bytes, the reader reset for it) with simdjson's stage 1
 * and the schema-directed walk: DONE when it is a valid record, its values
 * in the record's slots; REFUSED (why: a static reason) for anything else;
 * OOM out of memory. */
enum cars_rd_simd_result cars_rd_walk_line(cars_reader *r, const char *line, size_t len, bool padded,
                                           const char **why);
/* The offset in line (len bytes, not padded) where JSON's grammar breaks,
 * by stage 1 and the walk's checks of the grammar alone (the token that
 * cannot come there; len: the line ends too soon), or SIZE_MAX when they
 * find no such place (stage 1 refused the line, or a limit came first).
 * Only to word an error: it decides nothing. */
size_t cars_rd_syntax_error_at(cars_reader *r, const char *line, size_t len);

#endif

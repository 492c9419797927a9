/* reader.c - the streaming record reader. The line's bytes are checked
 * first (strict UTF-8, no control character JSON forbids, no byte order
 * mark: yajl is lax on all three), then yajl's callback API drives a small
 * state machine over the schema: a trie of the dotted field paths (objects),
 * list fields and their element records. Every field is validated (type,
 * enum membership, dates, min, required, duplicates); the fields the program
 * reads (CARS_FF_READ) are kept in fixed slots. yajl allocates from an arena
 * that is reset per line, strings are copied into a buffer as long as the
 * longest line seen, list elements into arrays that only grow: in steady
 * state nothing is allocated per record. */
#include "reader.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "alloc.h"
#include "date.h"

/* ---- arena for yajl: chunks kept across lines, reset per line ---- */

typedef struct chunk {
    struct chunk *next;
    size_t cap, used;
    max_align_t data[];
} chunk;

typedef struct arena {
    chunk *first, *cur;
    bool failed;
} arena;

#define HDR 16 /* each allocation is preceded by its size */

static void *arena_alloc(void *ctx, size_t n)
{
    arena *a = ctx;
    size_t need = HDR + ((n + 15) & ~(size_t)15);
    chunk *c = a->cur;
    while (c && c->cap - c->used < need)
        c = c->next;
    if (!c) {
        size_t cap = need > 65536 ? need * 2 : 65536;
        c = cars_malloc(sizeof(chunk) + cap);
        if (!c) {
            a->failed = true;
            return NULL;
        }
        c->cap = cap;
        c->used = 0;
        c->next = NULL;
        chunk **link = &a->first;
        while (*link)
            link = &(*link)->next;
        *link = c;
    }
    a->cur = c;
    unsigned char *p = (unsigned char *)c->data + c->used;
    memcpy(p, &n, sizeof n);
    c->used += need;
    return p + HDR;
}

static void arena_free(void *ctx, void *p)
{
    (void)ctx;
    (void)p;
}

static void *arena_realloc(void *ctx, void *p, size_t n)
{
    if (!p)
        return arena_alloc(ctx, n);
    size_t old;
    memcpy(&old, (unsigned char *)p - HDR, sizeof old);
    if (n <= old)
        return p;
    void *q = arena_alloc(ctx, n);
    if (q)
        memcpy(q, p, old);
    return q;
}

static void arena_reset(arena *a)
{
    for (chunk *c = a->first; c; c = c->next)
        c->used = 0;
    a->cur = a->first;
    a->failed = false;
}

/* yajl does not survive a failed allocation: before each line the arena
 * gets one chunk large enough for everything yajl may ask for (its string
 * buffer doubles up to twice the longest string, and old copies stay). */
static bool arena_reserve(arena *a, size_t n)
{
    if (a->first && a->first->cap >= n)
        return true;
    chunk *c = cars_malloc(sizeof(chunk) + n);
    if (!c)
        return false;
    c->cap = n;
    c->used = 0;
    c->next = a->first;
    a->first = a->cur = c;
    return true;
}

static void arena_destroy(arena *a)
{
    chunk *c = a->first;
    while (c) {
        chunk *n = c->next;
        cars_free(c);
        c = n;
    }
}

/* ---- the schema trie ---- */

typedef struct node {
    const char *name;
    uint64_t pre; /* the first 8 bytes of the name, zero-padded: a quick compare */
    uint32_t len;
    int32_t field;          /* top-level field index, or -1 for an object */
    int32_t child, sibling; /* -1 if none */
    int32_t parent;
} node;

enum frame_kind { FR_OBJ, FR_SKIP_OBJ, FR_SKIP_ARR, FR_LIST, FR_ELEM };

typedef struct frame {
    uint8_t kind;
    int32_t node;         /* FR_OBJ: trie node; FR_LIST/FR_ELEM: list field */
    uint32_t ukey_start;  /* unknown keys of this object: ukeys[ukey_start..] */
    uint32_t ukbuf_start;
    uint32_t count;       /* FR_LIST: elements seen (of any type); FR_ELEM: its index */
    cars_value *slots;    /* FR_ELEM: where its fields go (the list's array or escratch) */
} frame;

enum target_kind { T_NONE, T_FIELD, T_NODE, T_ELEM, T_SKIP };

typedef struct ukey {
    uint32_t off, len;
} ukey;

struct cars_reader {
    const cars_program *p;
    node *nodes;
    uint32_t nnodes;
    int32_t *htab; /* open addressing over (parent, key) */
    uint32_t hmask;
    int32_t id_field;
    arena ar;
    yajl_alloc_funcs afuncs;
    /* the record */
    cars_record rec;
    cars_value *v;
    cars_str *s;
    cars_list *lists;
    uint32_t *list_cap; /* elements allocated per list field: lists[f].n <= list_cap[f] */
    uint32_t *present;  /* == gen when the field had a non-null value */
    uint32_t *req, nreq; /* the required top-level fields, ascending */
    uint32_t *seen;     /* per trie node: == gen when its key was seen */
    uint32_t gen;
    uint32_t *eseen;    /* per element field: == egen when seen in this element */
    uint32_t egen;
    cars_value *escratch; /* element slots of a list that is not stored */
    uint64_t *epre;       /* per element field: key_prefix of its key */
    uint32_t max_stride;
    char *strbuf;
    size_t strcap, strlen_;
    ukey *ukeys;
    uint32_t nukeys, ukcap;
    uint64_t key_cmps; /* comparisons of unknown keys on this line */
    char *ukbuf;
    size_t ukbuf_len, ukbuf_cap;
    /* parse state */
    frame stack[CARS_READER_MAX_DEPTH + 1];
    int depth;
    uint8_t target;
    int32_t tidx; /* target field / node / element field (absolute index) */
    yajl_handle h;     /* the current line's parser */
    const char *line;  /* the current line */
    size_t len;
    bool suspect;      /* the line has bad bytes or a lone surrogate: check the id's own text */
    bool started;
    bool has_err;
    bool oom;
    char err[512];
};

static uint64_t key_prefix(const char *s, size_t len)
{
    uint64_t v = 0;
    if (len >= 8)
        memcpy(&v, s, 8); /* one load */
    else
        memcpy(&v, s, len);
    return v;
}

static int32_t add_node(cars_reader *r, const char *name, uint32_t len, int32_t parent)
{
    node *n = &r->nodes[r->nnodes];
    n->name = name;
    n->len = len;
    n->pre = key_prefix(name, len);
    n->field = -1;
    n->child = -1;
    n->sibling = -1;
    n->parent = parent;
    if (parent >= 0) {
        n->sibling = r->nodes[parent].child;
        r->nodes[parent].child = (int32_t)r->nnodes;
    }
    return (int32_t)r->nnodes++;
}

static int32_t find_child_slow(const cars_reader *r, int32_t parent, const char *key, size_t len)
{
    uint64_t pre = key_prefix(key, len);
    for (int32_t c = r->nodes[parent].child; c >= 0; c = r->nodes[c].sibling) {
        const node *n = &r->nodes[c];
        if (n->pre == pre && n->len == len && (len <= 8 || memcmp(n->name + 8, key + 8, len - 8) == 0))
            return c;
    }
    return -1;
}

/* The hash table of (parent, key) -> child, built once per reader. */
static uint32_t child_hash(int32_t parent, uint64_t pre, size_t len)
{
    uint64_t h = (pre ^ ((uint64_t)len << 56) ^ ((uint64_t)(uint32_t)parent * 0x9E3779B97F4A7C15ull)) *
                 0xD6E8FEB86659FD93ull;
    return (uint32_t)(h >> 32);
}

/* Bytes [8, n) of a and b equal (n > 8). */
static inline bool tail_eq(const char *a, const char *b, size_t n)
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

static int32_t find_child(const cars_reader *r, int32_t parent, const char *key, size_t len, uint64_t pre)
{
    for (uint32_t i = child_hash(parent, pre, len) & r->hmask;; i = (i + 1) & r->hmask) {
        int32_t c = r->htab[i];
        if (c < 0)
            return -1;
        const node *n = &r->nodes[c];
        if (n->pre == pre && n->len == len && n->parent == parent && (len <= 8 || tail_eq(n->name, key, len)))
            return c;
    }
}

static bool build_hash(cars_reader *r)
{
    uint32_t size = 16;
    while (size < 4 * r->nnodes)
        size *= 2;
    r->htab = cars_malloc(size * sizeof *r->htab);
    if (!r->htab)
        return false;
    r->hmask = size - 1;
    for (uint32_t i = 0; i < size; i++)
        r->htab[i] = -1;
    for (uint32_t c = 1; c < r->nnodes; c++) {
        const node *n = &r->nodes[c];
        uint32_t i = child_hash(n->parent, n->pre, n->len) & r->hmask;
        while (r->htab[i] >= 0)
            i = (i + 1) & r->hmask;
        r->htab[i] = (int32_t)c;
    }
    return true;
}

static bool build_trie(cars_reader *r)
{
    const cars_program *p = r->p;
    uint32_t max = 1;
    for (uint32_t f = 0; f < p->nfields; f++)
        max += 1 + (uint32_t)p->fields[f].path.len; /* at most one node per dot, plus the leaf */
    r->nodes = cars_calloc(max, sizeof(node));
    if (!r->nodes)
        return false;
    add_node(r, "", 0, -1);
    r->id_field = -1;
    for (uint32_t f = 0; f < p->nfields; f++) {
        const char *s = p->fields[f].path.p;
        uint32_t len = p->fields[f].path.len, start = 0;
        int32_t cur = 0;
        for (uint32_t i = 0; i <= len; i++) {
            if (i < len && s[i] != '.')
                continue;
            int32_t c = find_child_slow(r, cur, s + start, i - start);
            if (c < 0)
                c = add_node(r, s + start, i - start, cur);
            cur = c;
            start = i + 1;
        }
        r->nodes[cur].field = (int32_t)f;
        if (len == 2 && memcmp(s, "id", 2) == 0 && p->fields[f].type == CARS_FT_STRING)
            r->id_field = (int32_t)f;
    }
    return true;
}

cars_reader *cars_reader_new(const cars_program *p)
{
    cars_reader *r = cars_calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->p = p;
    uint32_t nf = p->nfields ? p->nfields : 1;
    r->v = cars_calloc(nf, sizeof *r->v);
    r->s = cars_calloc(nf, sizeof *r->s);
    r->lists = cars_calloc(nf, sizeof *r->lists);
    r->list_cap = cars_calloc(nf, sizeof *r->list_cap);
    r->present = cars_calloc(nf, sizeof *r->present);
    r->req = cars_calloc(nf, sizeof *r->req);
    for (uint32_t f = 0; r->req && f < p->nfields; f++)
        if (p->fields[f].flags & CARS_FF_REQUIRED)
            r->req[r->nreq++] = f;
    r->eseen = cars_calloc(p->nelem_fields + 1, sizeof *r->eseen);
    for (uint32_t f = 0; f < p->nfields; f++)
        if (p->fields[f].type == CARS_FT_LIST && p->fields[f].elems_n > r->max_stride)
            r->max_stride = p->fields[f].elems_n;
    r->escratch = cars_calloc(r->max_stride + 1, sizeof *r->escratch);
    r->epre = cars_calloc(p->nelem_fields + 1, sizeof *r->epre);
    /* the unknown keys' buffers exist from the start: never a NULL base, even
     * when every unknown key is empty ("") and adds no byte */
    r->ukcap = 64;
    r->ukeys = cars_malloc(r->ukcap * sizeof *r->ukeys);
    r->ukbuf_cap = 1024;
    r->ukbuf = cars_malloc(r->ukbuf_cap);
    for (uint32_t e = 0; r->epre && e < p->nelem_fields; e++)
        r->epre[e] = key_prefix(p->elem_fields[e].path.p, p->elem_fields[e].path.len);
    r->afuncs.malloc = arena_alloc;
    r->afuncs.realloc = arena_realloc;
    r->afuncs.free = arena_free;
    r->afuncs.ctx = &r->ar;
    if (!r->v || !r->s || !r->lists || !r->list_cap || !r->present || !r->req || !r->eseen || !r->escratch || !r->epre ||
        !r->ukeys || !r->ukbuf || !build_trie(r)) {
        cars_reader_free(r);
        return NULL;
    }
    r->seen = cars_calloc(r->nnodes, sizeof *r->seen);
    if (!r->seen || !build_hash(r)) {
        cars_reader_free(r);
        return NULL;
    }
    for (uint32_t f = 0; f < p->nfields; f++)
        r->lists[f].stride = p->fields[f].type == CARS_FT_LIST ? p->fields[f].elems_n : 0;
    r->rec.v = r->v;
    r->rec.s = r->s;
    r->rec.lists = r->lists;
    return r;
}

void cars_reader_free(cars_reader *r)
{
    if (!r)
        return;
    if (r->lists)
        for (uint32_t f = 0; f < r->p->nfields; f++)
            cars_free(r->lists[f].elems);
    cars_free(r->v);
    cars_free(r->s);
    cars_free(r->lists);
    cars_free(r->list_cap);
    cars_free(r->present);
    cars_free(r->req);
    cars_free(r->seen);
    cars_free(r->eseen);
    cars_free(r->escratch);
    cars_free(r->epre);
    cars_free(r->nodes);
    cars_free(r->htab);
    cars_free(r->strbuf);
    cars_free(r->ukeys);
    cars_free(r->ukbuf);
    arena_destroy(&r->ar);
    cars_free(r);
}

const cars_record *cars_reader_record(const cars_reader *r) { return &r->rec; }
const char *cars_reader_error(const cars_reader *r) { return r->err; }
bool cars_reader_out_of_memory(const cars_reader *r) { return r->oom; }
uint64_t cars_reader_key_comparisons(const cars_reader *r) { return r->key_cmps; }

/* ---- errors ---- */

static void set_err(cars_reader *r, const char *fmt, ...)
{
    if (r->has_err)
        return;
    r->has_err = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
}

/* The path of the current target: "a.b", or "list[3].key". */
static void target_path(const cars_reader *r, char *out, size_t n)
{
    const cars_program *p = r->p;
    if (r->target == T_FIELD) {
        snprintf(out, n, "%.*s", (int)p->fields[r->tidx].path.len, p->fields[r->tidx].path.p);
    } else if (r->target == T_ELEM) {
        const frame *f = &r->stack[r->depth - 1];
        const cars_pfield *lf = &p->fields[f->node], *ef = &p->elem_fields[r->tidx];
        snprintf(out, n, "%.*s[%u].%.*s", (int)lf->path.len, lf->path.p, f->count, (int)ef->path.len, ef->path.p);
    } else {
        snprintf(out, n, "?");
    }
}

static size_t utf8_seq(const unsigned char *s, size_t n);

/* A short rendering of an offending value for a message: at most 60 bytes
 * of it (cut between characters, then "…"); quoted, as a JSON string
 * literal ('"' and '\\' escaped). Control characters are always escaped
 * (\n, \u0000, ...): a NUL would end the message and others would hide in
 * it. A byte that is not UTF-8 (never in a line the reader accepts) is
 * shown as \xNN. */
static void render(char *out, size_t n, const char *str, size_t len, bool quoted)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t max = n > 68 ? 60 : n > 8 ? n - 8 : 0; /* room for quotes, "…" and NUL */
    size_t o = 0, i = 0;
    if (quoted)
        out[o++] = '"';
    size_t start = o;
    while (i < len) {
        char esc[8];
        const char *piece = (const char *)s + i;
        size_t plen = 1, step = 1;
        unsigned c = s[i];
        if (c < 0x20 || c == 0x7F) {
            static const char names[] = "btnvfr"; /* 0x08 .. 0x0D */
            if (c >= 0x08 && c <= 0x0D && c != 0x0B)
                snprintf(esc, sizeof esc, "\\%c", names[c - 0x08]);
            else
                snprintf(esc, sizeof esc, "\\u%04x", c);
            piece = esc;
            plen = strlen(esc);
        } else if (quoted && (c == '"' || c == '\\')) {
            snprintf(esc, sizeof esc, "\\%c", c);
            piece = esc;
            plen = 2;
        } else if (c >= 0x80) {
            plen = step = utf8_seq(s + i, len - i);
            if (!plen) {
                snprintf(esc, sizeof esc, "\\x%02X", c);
                piece = esc;
                plen = 4;
                step = 1;
            }
        }
        if (o - start + plen > max)
            break;
        memcpy(out + o, piece, plen);
        o += plen;
        i += step;
    }
    if (i < len) {
        memcpy(out + o, "\xe2\x80\xa6", 3);
        o += 3;
    }
    if (quoted)
        out[o++] = '"';
    out[o] = '\0';
}

static const char *type_phrase(const cars_pfield *f, char *buf, size_t n)
{
    switch (f->type) {
    case CARS_FT_BOOL: return "true or false";
    case CARS_FT_INTEGER:
        if (f->flags & CARS_FF_HAS_MIN) {
            snprintf(buf, n, "an integer \xe2\x89\xa5 %.15g", f->min);
            return buf;
        }
        return "an integer";
    case CARS_FT_NUMBER:
        if (f->flags & CARS_FF_HAS_MIN) {
            snprintf(buf, n, "a number \xe2\x89\xa5 %.15g", f->min);
            return buf;
        }
        return "a number";
    case CARS_FT_STRING: return "a string";
    case CARS_FT_DATE: return "a date (YYYY-MM-DD)";
    case CARS_FT_COUNTRY: return "a country code (3 upper-case letters)";
    case CARS_FT_ENUM: return "one of the listed values";
    case CARS_FT_LIST: return "a list";
    default: return "a value";
    }
}

static void type_error(cars_reader *r, const cars_pfield *f, const char *got)
{
    char path[300], tb[64];
    target_path(r, path, sizeof path);
    set_err(r, "%s: expected %s, got %s", path, type_phrase(f, tb, sizeof tb), got);
}

/* ---- storing values ---- */

static const cars_pfield *target_field(const cars_reader *r)
{
    return r->target == T_FIELD ? &r->p->fields[r->tidx] : &r->p->elem_fields[r->tidx];
}

/* The slot of the current target: a top-level field's, or one of the slots
 * the current element was given when it started (start_elem). */
static cars_value *target_slot(cars_reader *r)
{
    if (r->target == T_FIELD)
        return &r->v[r->tidx];
    const frame *f = &r->stack[r->depth - 1];
    return &f->slots[(uint32_t)r->tidx - r->p->fields[f->node].elems_first];
}

static void mark_present(cars_reader *r)
{
    if (r->target == T_FIELD)
        r->present[r->tidx] = r->gen; /* element fields: their slot's known says it */
}

static void store(cars_reader *r, int64_t i)
{
    cars_value *v = target_slot(r);
    v->i = i;
    v->known = true;
    mark_present(r);
}

static void store_f(cars_reader *r, double d)
{
    cars_value *v = target_slot(r);
    v->f = d;
    v->known = true;
    mark_present(r);
}

/* Called after a value completes in an object: the next key sets a target. */
static void done_value(cars_reader *r) { r->target = T_NONE; }

/* Where a value goes: from the frame on top (element of a list, or the
 * target set by the last key). Returns false for a top-level scalar. */
static bool value_context(cars_reader *r)
{
    if (r->depth == 0) {
        set_err(r, "not a JSON object");
        r->target = T_SKIP;
        return true;
    }
    frame *f = &r->stack[r->depth - 1];
    if (f->kind == FR_SKIP_ARR || f->kind == FR_SKIP_OBJ)
        r->target = T_SKIP;
    else if (f->kind == FR_LIST)
        r->target = T_SKIP; /* an element that is not an object: handled by callers */
    return true;
}

static bool in_list(const cars_reader *r)
{
    return r->depth > 0 && r->stack[r->depth - 1].kind == FR_LIST;
}

/* An element that is not an object: counted (later elements keep their
 * index), never stored. */
static void list_elem_error(cars_reader *r, const char *got)
{
    frame *f = &r->stack[r->depth - 1];
    const cars_pfield *lf = &r->p->fields[f->node];
    set_err(r, "%.*s[%u]: expected an object, got %s", (int)lf->path.len, lf->path.p, f->count, got);
    f->count++;
}

static void node_error(cars_reader *r, const char *got)
{
    /* the full path of an object node: rebuild from a field below it */
    int32_t n = r->tidx;
    while (r->nodes[n].field < 0 && r->nodes[n].child >= 0)
        n = r->nodes[n].child;
    const cars_str *path = &r->p->fields[r->nodes[n].field >= 0 ? r->nodes[n].field : 0].path;
    /* the node's own path is the prefix of that field's path up to its depth */
    uint32_t depth = 0;
    for (int32_t k = r->tidx; k != n; k = r->nodes[k].child)
        depth++;
    uint32_t len = path->len;
    for (uint32_t d = 0; d < depth && len > 0; d++) {
        while (len > 0 && path->p[len - 1] != '.')
            len--;
        if (len > 0)
            len--;
    }
    set_err(r, "%.*s: expected an object, got %s", (int)len, path->p, got);
}

static int cb_null(void *ctx)
{
    cars_reader *r = ctx;
    if (in_list(r)) {
        list_elem_error(r, "null");
        return 1;
    }
    value_context(r);
    if (r->target == T_FIELD || r->target == T_ELEM)
        target_slot(r)->known = false; /* null = absent */
    done_value(r);
    return 1;
}

static int cb_boolean(void *ctx, int b)
{
    cars_reader *r = ctx;
    if (in_list(r)) {
        list_elem_error(r, b ? "true" : "false");
        return 1;
    }
    value_context(r);
    if (r->target == T_FIELD || r->target == T_ELEM) {
        const cars_pfield *f = target_field(r);
        if (f->type == CARS_FT_BOOL)
            store(r, b != 0);
        else
            type_error(r, f, b ? "true" : "false");
    } else if (r->target == T_NODE) {
        node_error(r, b ? "true" : "false");
    }
    done_value(r);
    return 1;
}

/* Parses an integer written without fraction or exponent, in int64 range. */
static bool parse_int(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && s[i] == '-')
        neg = true, i++;
    if (i == n)
        return false;
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
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

/* strtod's value of a JSON number (already checked by the parser) with
 * at most 15 digits and no exponent: m / 10^k with both exact, so one
 * correctly rounded division gives the correctly rounded value. */
static bool fast_double(const char *s, size_t n, double *out)
{
#if FLT_EVAL_METHOD == 0
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    size_t i = 0;
    bool neg = n > 0 && s[0] == '-';
    uint64_t m = 0;
    int digits = 0, frac = -1;
    for (i = neg; i < n; i++) {
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

static void number_error(cars_reader *r, const cars_pfield *f, const char *s, size_t n)
{
    char got[80];
    render(got, sizeof got, s, n, false);
    type_error(r, f, got);
}

static int cb_number(void *ctx, const char *s, size_t n)
{
    cars_reader *r = ctx;
    char got[80];
    if (in_list(r)) {
        render(got, sizeof got, s, n, false);
        list_elem_error(r, got);
        return 1;
    }
    value_context(r);
    if (r->target == T_NODE) {
        render(got, sizeof got, s, n, false);
        node_error(r, got);
    } else if (r->target == T_FIELD || r->target == T_ELEM) {
        const cars_pfield *f = target_field(r);
        if (f->type == CARS_FT_INTEGER) {
            int64_t v;
            if (!parse_int(s, n, &v) || ((f->flags & CARS_FF_HAS_MIN) && (double)v < f->min))
                number_error(r, f, s, n);
            else
                store(r, v);
        } else if (f->type == CARS_FT_NUMBER) {
            double fd;
            if (fast_double(s, n, &fd)) {
                if ((f->flags & CARS_FF_HAS_MIN) && fd < f->min)
                    number_error(r, f, s, n);
                else
                    store_f(r, fd);
                done_value(r);
                return 1;
            }
            char local[64], *buf = n < sizeof local ? local : arena_alloc(&r->ar, n + 1);
            if (!buf) {
                r->oom = true;
                return 0;
            }
            memcpy(buf, s, n);
            buf[n] = '\0';
            double d = strtod(buf, NULL);
            if (!isfinite(d) || ((f->flags & CARS_FF_HAS_MIN) && d < f->min))
                number_error(r, f, s, n);
            else
                store_f(r, d);
        } else {
            number_error(r, f, s, n);
        }
    }
    done_value(r);
    return 1;
}

/* ---- the line's bytes: what yajl lets through ---- */

/* yajl's UTF-8 check is lax (it takes overlong forms, encoded surrogates,
 * code points above U+10FFFF, lead bytes F5-F7) and it takes form feed and
 * vertical tab as whitespace; the reader checks the bytes itself. */

/* Length of the strict UTF-8 sequence (RFC 3629) at s, n >= 1 bytes left,
 * s[0] >= 0x80; 0 if it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0], lo = 0x80, hi = 0xBF;
    size_t len;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80; /* E0 80..9F: overlong */
        hi = c == 0xED ? 0x9F : 0xBF; /* ED A0..BF: surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80; /* F0 80..8F: overlong */
        hi = c == 0xF4 ? 0x8F : 0xBF; /* F4 90..: above U+10FFFF */
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* Nonzero if one of the 8 bytes in x is not ASCII or is below 0x20. */
static inline uint64_t unusual8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    return (((x - ones * 0x20) & ~x) | x) & high;
}

#ifdef __SSE2__
#include <emmintrin.h>
/* The same for 16 bytes: as signed bytes, 0x80-0xFF are negative, so one
 * comparison with 0x20 finds them and the control characters. */
static inline bool unusual16(const unsigned char *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    return _mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20))) != 0;
}
#endif

/* The offset of the first byte of s that is not strict UTF-8, or is a
 * control character that JSON never allows raw (below 0x20 but tab, LF,
 * CR: outside strings only those are whitespace, inside strings every
 * control character must be escaped); n if there is none. ASCII text is
 * checked 16 bytes at a time (SSE2), then 8. */
static size_t first_bad_byte(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
#ifdef __SSE2__
        while (i + 16 <= n && !unusual16(s + i))
            i += 16;
#endif
        for (uint64_t x; i + 8 <= n; i += 8) {
            memcpy(&x, s + i, 8);
            if (unusual8(x))
                break;
        }
        size_t stop = i + 8 < n ? i + 8 : n; /* the word that stopped the fast loop */
        while (i < stop) {
            unsigned c = s[i];
            if (c >= 0x80) {
                size_t k = utf8_seq(s + i, n - i);
                if (!k)
                    return i;
                i += k;
            } else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                return i;
            } else {
                i++;
            }
        }
    }
    return n;
}

/* Why the bytes at s[at] (of n) were refused: "at byte 8: C0 AF is an
 * overlong encoding". Bytes count from 1, as lines do. */
static void bad_byte_message(char *out, size_t outn, const unsigned char *s, size_t n, size_t at)
{
    const unsigned char *p = s + at;
    size_t left = n - at, k = 1;
    unsigned c = p[0];
    if (c < 0x80) {
        snprintf(out, outn, "not valid JSON: control character 0x%02X at byte %zu (JSON whitespace is space, tab, "
                 "CR, LF; strings must escape it)", c, at + 1);
        return;
    }
    while (k < 4 && k < left && (p[k] & 0xC0) == 0x80)
        k++;
    size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2; /* what the lead byte announces */
    uint32_t cp = c & (0x7Fu >> want);
    for (size_t i = 1; i < want && i < k; i++)
        cp = cp << 6 | (p[i] & 0x3Fu);
    char what[64];
    if (c <= 0xBF) {
        k = 1;
        snprintf(what, sizeof what, "is a continuation byte with no lead byte");
    } else if (c >= 0xF8) {
        k = 1;
        snprintf(what, sizeof what, "never appears in UTF-8");
    } else if (k < want) {
        snprintf(what, sizeof what, "is an incomplete sequence");
    } else if (c <= 0xC1 || (c == 0xE0 && p[1] < 0xA0) || (c == 0xF0 && p[1] < 0x90)) {
        k = want;
        snprintf(what, sizeof what, "is an overlong encoding");
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
        k = want;
        snprintf(what, sizeof what, "encodes the surrogate U+%04X", (unsigned)cp);
    } else {
        k = want;
        snprintf(what, sizeof what, "is beyond U+10FFFF");
    }
    char hex[16] = "";
    for (size_t i = 0, o = 0; i < k; i++)
        o += (size_t)snprintf(hex + o, sizeof hex - o, "%s%02X", i ? " " : "", p[i]);
    snprintf(out, outn, "not valid JSON: invalid UTF-8 at byte %zu: %s %s", at + 1, hex, what);
}

static bool starts_with_bom(const char *s, size_t n)
{
    return n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0;
}

static int hexval(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* yajl accepts a lone surrogate escape (\ud800 without its low half, or a
 * low half alone): find one. */
static bool lone_surrogate(const char *s, size_t n, char out[7])
{
    for (size_t i = 0; i + 1 < n; i++) {
        const char *bs = memchr(s + i, '\\', n - 1 - i); /* escapes are rare: skip to the next */
        if (!bs)
            break;
        i = (size_t)(bs - s);
        if (s[i + 1] != 'u' || i + 6 > n) {
            i++;
            continue;
        }
        int v = hexval(s + i + 2);
        if (v >= 0xD800 && v <= 0xDBFF) {
            int w = i + 12 <= n && s[i + 6] == '\\' && s[i + 7] == 'u' ? hexval(s + i + 8) : -1;
            if (w >= 0xDC00 && w <= 0xDFFF) {
                i += 11;
                continue;
            }
        }
        if (v >= 0xD800 && v <= 0xDFFF) {
            memcpy(out, s + i, 6);
            out[6] = '\0';
            return true;
        }
        i += 5;
    }
    return false;
}

/* In a line with bad bytes or a lone surrogate, the id is reported only if
 * its own text is clean (yajl would hand over a wrong or invalid string):
 * the raw token of the string just read ends where the parser stands. */
static bool id_token_clean(const cars_reader *r)
{
    size_t end = yajl_get_bytes_consumed(r->h);
    if (end < 2 || end > r->len)
        return false;
    size_t q = end - 1; /* the closing quote */
    while (q > 0) {
        q--;
        if (r->line[q] != '"')
            continue;
        size_t bs = 0;
        while (bs < q && r->line[q - 1 - bs] == '\\')
            bs++;
        if (bs % 2 == 0)
            break; /* the opening quote */
    }
    char sur[7];
    return first_bad_byte((const unsigned char *)r->line + q, end - q) == end - q &&
           !lone_surrogate(r->line + q, end - q, sur);
}

/* Copies a string into the record's buffer. The buffer is longer than the
 * line, and a decoded string is never longer than its text in the line (an
 * escape decodes to fewer bytes than it takes), so a line's strings always
 * fit: the check keeps that an invariant rather than an assumption. */
static cars_str keep(cars_reader *r, const unsigned char *s, size_t n)
{
    if (n > r->strcap - r->strlen_) {
        set_err(r, "a string longer than its line");
        n = 0;
    }
    cars_str out = {r->strbuf + r->strlen_, (uint32_t)n};
    if (n)
        memcpy(r->strbuf + r->strlen_, s, n);
    r->strlen_ += n;
    return out;
}

static void string_value(cars_reader *r, const cars_pfield *f, const unsigned char *s, size_t n)
{
    const cars_program *p = r->p;
    char got[80], path[300];
    const char *cs = (const char *)s;
    switch (f->type) {
    case CARS_FT_STRING:
        if (r->target == T_FIELD) {
            if ((f->flags & CARS_FF_READ) || r->tidx == r->id_field)
                r->s[r->tidx] = keep(r, s, n);
            if (r->tidx == r->id_field && !(r->suspect && !id_token_clean(r))) {
                r->rec.id = r->s[r->tidx];
                r->rec.has_id = true;
            }
        }
        store(r, 0);
        return;
    case CARS_FT_DATE: {
        int64_t d;
        if (cars_date_parse(cs, n, &d)) {
            store(r, d);
        } else {
            render(got, sizeof got, cs, n, false);
            target_path(r, path, sizeof path);
            set_err(r, "%s: %s is not a date", path, got);
        }
        return;
    }
    case CARS_FT_COUNTRY:
        if (n == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z') {
            store(r, cars_country_code(cs));
        } else {
            render(got, sizeof got, cs, n, true);
            type_error(r, f, got);
        }
        return;
    case CARS_FT_ENUM: {
        for (uint32_t m = 0; m < f->members_n; m++) {
            const cars_str *ms = &p->members[f->members_first + m];
            if (ms->len == n && memcmp(ms->p, s, n) == 0) {
                store(r, m);
                return;
            }
        }
        char list[300];
        size_t o = 0;
        list[0] = '\0';
        for (uint32_t m = 0; m < f->members_n && o < sizeof list - 1; m++) {
            const cars_str *ms = &p->members[f->members_first + m];
            int w = snprintf(list + o, sizeof list - o, "%s%.*s", m ? ", " : "", (int)ms->len, ms->p);
            o += w > 0 ? (size_t)w : 0;
        }
        render(got, sizeof got, cs, n, true);
        target_path(r, path, sizeof path);
        set_err(r, "%s: %s is not one of %s", path, got, list);
        return;
    }
    default:
        render(got, sizeof got, cs, n, true);
        type_error(r, f, got);
    }
}

static int cb_string(void *ctx, const unsigned char *s, size_t n)
{
    cars_reader *r = ctx;
    char got[80];
    if (in_list(r)) {
        render(got, sizeof got, (const char *)s, n, true);
        list_elem_error(r, got);
        return 1;
    }
    value_context(r);
    if (r->target == T_NODE) {
        render(got, sizeof got, (const char *)s, n, true);
        node_error(r, got);
    } else if (r->target == T_FIELD || r->target == T_ELEM) {
        string_value(r, target_field(r), s, n);
    }
    done_value(r);
    return 1;
}

static bool push(cars_reader *r, uint8_t kind, int32_t nd)
{
    if (r->depth >= CARS_READER_MAX_DEPTH) {
        r->has_err = false;
        set_err(r, "nesting deeper than %d levels", CARS_READER_MAX_DEPTH);
        return false;
    }
    frame *f = &r->stack[r->depth++];
    f->kind = kind;
    f->node = nd;
    f->ukey_start = r->nukeys;
    f->ukbuf_start = (uint32_t)r->ukbuf_len;
    f->count = 0;
    f->slots = NULL;
    r->target = T_NONE;
    return true;
}

/* Grows list field lf's array to hold at least `need` elements. */
static bool list_reserve(cars_reader *r, int32_t lf, uint32_t need)
{
    if (need <= r->list_cap[lf])
        return true;
    cars_list *l = &r->lists[lf];
    uint32_t cap = r->list_cap[lf] ? r->list_cap[lf] : 64;
    while (cap < need)
        cap = cap > CARS_READER_MAX_ELEMS / 2 ? CARS_READER_MAX_ELEMS : cap * 2;
    cars_value *e = cars_realloc(l->elems, (size_t)cap * (l->stride ? l->stride : 1) * sizeof(cars_value));
    if (!e) {
        r->oom = true;
        return false;
    }
    l->elems = e;
    r->list_cap[lf] = cap;
    return true;
}

/* Starts the next element of the list whose frame is `lf_frame`: the slots
 * its fields go to, zeroed, or NULL (over the element limit, or out of
 * memory). Elements are stored only while the record is still valid: then
 * every element before this one was an object and is stored, so the array
 * holds exactly lists[lf].n elements, within its capacity. Once the record
 * is invalid, nothing more is kept (the VM never sees it): scratch slots. */
static cars_value *start_elem(cars_reader *r, frame *lf_frame)
{
    int32_t lf = lf_frame->node;
    const cars_pfield *f = &r->p->fields[lf];
    cars_list *l = &r->lists[lf];
    if (lf_frame->count >= CARS_READER_MAX_ELEMS) {
        set_err(r, "%.*s: more than %d elements", (int)f->path.len, f->path.p, CARS_READER_MAX_ELEMS);
        return NULL;
    }
    lf_frame->count++;
    if (++r->egen == 0) { /* wrapped: forget every old mark */
        memset(r->eseen, 0, (r->p->nelem_fields + 1) * sizeof *r->eseen);
        r->egen = 1;
    }
    cars_value *slots = r->escratch;
    if ((f->flags & CARS_FF_READ) && !r->has_err) {
        if (!list_reserve(r, lf, l->n + 1))
            return NULL;
        slots = l->elems + (size_t)l->n * l->stride;
        l->n++;
    }
    memset(slots, 0, l->stride * sizeof(cars_value));
    return slots;
}

static int cb_start_map(void *ctx)
{
    cars_reader *r = ctx;
    if (r->depth == 0) {
        if (r->started) { /* cannot happen without allow_multiple_values */
            set_err(r, "not a JSON object");
            return push(r, FR_SKIP_OBJ, -1);
        }
        r->started = true;
        return push(r, FR_OBJ, 0);
    }
    frame *top = &r->stack[r->depth - 1];
    if (top->kind == FR_LIST) {
        uint32_t idx = top->count;
        cars_value *slots = start_elem(r, top);
        if (!slots)
            return r->oom ? 0 : push(r, FR_SKIP_OBJ, -1);
        if (!push(r, FR_ELEM, top->node))
            return 0;
        r->stack[r->depth - 1].count = idx;
        r->stack[r->depth - 1].slots = slots;
        return 1;
    }
    value_context(r);
    if (r->target == T_NODE)
        return push(r, FR_OBJ, r->tidx);
    if (r->target == T_FIELD || r->target == T_ELEM)
        type_error(r, target_field(r), "an object");
    return push(r, FR_SKIP_OBJ, -1);
}

/* A key, with pre = key_prefix(key, n). */
static int map_key(cars_reader *r, const char *k, size_t n, uint64_t pre)
{
    frame *f = &r->stack[r->depth - 1];
    if (f->kind == FR_OBJ) {
        int32_t c = find_child(r, f->node, k, n, pre);
        if (c >= 0) {
            if (r->seen[c] == r->gen) {
                char got[80];
                render(got, sizeof got, k, n, true);
                set_err(r, "duplicate key %s", got);
            }
            r->seen[c] = r->gen;
            if (r->nodes[c].field >= 0) {
                r->target = T_FIELD;
                r->tidx = r->nodes[c].field;
            } else {
                r->target = T_NODE;
                r->tidx = c;
            }
            return 1;
        }
    } else if (f->kind == FR_ELEM) {
        const cars_pfield *lf = &r->p->fields[f->node];
        for (uint32_t e = 0; e < lf->elems_n; e++) {
            const cars_pfield *ef = &r->p->elem_fields[lf->elems_first + e];
            if (r->epre[lf->elems_first + e] == pre && ef->path.len == n && (n <= 8 || tail_eq(ef->path.p, k, n))) {
                uint32_t idx = lf->elems_first + e;
                if (r->eseen[idx] == r->egen) {
                    char got[80];
                    render(got, sizeof got, k, n, true);
                    set_err(r, "%.*s[%u]: duplicate key %s", (int)lf->path.len, lf->path.p, f->count, got);
                }
                r->eseen[idx] = r->egen;
                r->target = T_ELEM;
                r->tidx = (int32_t)idx;
                return 1;
            }
        }
    }
    /* an unknown key: ignored, but remembered for the duplicate check */
    r->target = T_SKIP;
    if (r->nukeys == r->ukcap) {
        uint32_t cap = r->ukcap * 2;
        ukey *u = cars_realloc(r->ukeys, cap * sizeof *u);
        if (!u) {
            r->oom = true;
            return 0;
        }
        r->ukeys = u;
        r->ukcap = cap;
    }
    if (r->ukbuf_len + n > r->ukbuf_cap) {
        size_t cap = r->ukbuf_cap;
        while (cap < r->ukbuf_len + n)
            cap *= 2;
        char *b = cars_realloc(r->ukbuf, cap);
        if (!b) {
            r->oom = true;
            return 0;
        }
        r->ukbuf = b;
        r->ukbuf_cap = cap;
    }
    if (n)
        memcpy(r->ukbuf + r->ukbuf_len, k, n);
    r->ukeys[r->nukeys].off = (uint32_t)r->ukbuf_len;
    r->ukeys[r->nukeys].len = (uint32_t)n;
    r->nukeys++;
    r->ukbuf_len += n;
    return 1;
}

static int cb_map_key(void *ctx, const unsigned char *key, size_t n)
{
    return map_key(ctx, (const char *)key, n, key_prefix((const char *)key, n));
}

/* An object's unknown keys are sorted to find duplicates: insertion sort
 * for a few (the common case), heapsort beyond: in place, no allocation,
 * and at most about 2 n log2 n comparisons whatever the order of the keys
 * (a shell sort went quadratic on a crafted order). r->key_cmps counts the
 * comparisons of the line, for tests and fuzzers to bound. */
static int ukey_cmp(cars_reader *r, const ukey *x, const ukey *y)
{
    r->key_cmps++;
    uint32_t n = x->len < y->len ? x->len : y->len;
    int c = n ? memcmp(r->ukbuf + x->off, r->ukbuf + y->off, n) : 0;
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void sift_down(cars_reader *r, ukey *k, uint32_t i, uint32_t n)
{
    ukey t = k[i];
    for (uint32_t c; (c = 2 * i + 1) < n; i = c) { /* n < 2^31: keys take 4 bytes or more of a line */
        if (c + 1 < n && ukey_cmp(r, &k[c], &k[c + 1]) < 0)
            c++;
        if (ukey_cmp(r, &t, &k[c]) >= 0)
            break;
        k[i] = k[c];
    }
    k[i] = t;
}

static void sort_ukeys(cars_reader *r, ukey *k, uint32_t n)
{
    if (n <= 8) {
        for (uint32_t i = 1; i < n; i++) {
            ukey t = k[i];
            uint32_t j = i;
            for (; j > 0 && ukey_cmp(r, &k[j - 1], &t) > 0; j--)
                k[j] = k[j - 1];
            k[j] = t;
        }
        return;
    }
    for (uint32_t i = n / 2; i-- > 0;)
        sift_down(r, k, i, n);
    for (uint32_t end = n - 1; end > 0; end--) {
        ukey t = k[0];
        k[0] = k[end];
        k[end] = t;
        sift_down(r, k, 0, end);
    }
}

/* Reports the first duplicate among an object's unknown keys (in sorted order). */
static void check_unknown_dups(cars_reader *r, const frame *f)
{
    uint32_t n = r->nukeys - f->ukey_start;
    if (n < 2)
        return;
    ukey *k = r->ukeys + f->ukey_start;
    sort_ukeys(r, k, n);
    for (uint32_t i = 1; i < n; i++)
        if (ukey_cmp(r, &k[i - 1], &k[i]) == 0) {
            char got[80];
            render(got, sizeof got, r->ukbuf + k[i].off, k[i].len, true);
            set_err(r, "duplicate key %s", got);
            return;
        }
}

static void check_required(cars_reader *r)
{
    const cars_program *p = r->p;
    for (uint32_t k = 0; k < r->nreq; k++) {
        uint32_t f = r->req[k];
        if (r->present[f] != r->gen) {
            set_err(r, "missing required field %.*s", (int)p->fields[f].path.len, p->fields[f].path.p);
            return;
        }
    }
}

static void check_elem_required(cars_reader *r, const frame *el)
{
    const cars_program *p = r->p;
    const cars_pfield *f = &p->fields[el->node];
    for (uint32_t e = 0; e < f->elems_n; e++) {
        const cars_pfield *ef = &p->elem_fields[f->elems_first + e];
        if ((ef->flags & CARS_FF_REQUIRED) && !el->slots[e].known) {
            set_err(r, "missing required field %.*s[%u].%.*s", (int)f->path.len, f->path.p, el->count,
                    (int)ef->path.len, ef->path.p);
            return;
        }
    }
}

static void pop(cars_reader *r)
{
    frame *f = &r->stack[--r->depth];
    r->nukeys = f->ukey_start;
    r->ukbuf_len = f->ukbuf_start;
    r->target = T_NONE;
}

static int cb_end_map(void *ctx)
{
    cars_reader *r = ctx;
    frame *f = &r->stack[r->depth - 1];
    check_unknown_dups(r, f);
    if (f->kind == FR_ELEM)
        check_elem_required(r, f);
    else if (f->kind == FR_OBJ && r->depth == 1)
        check_required(r);
    pop(r);
    return 1;
}

static int cb_start_array(void *ctx)
{
    cars_reader *r = ctx;
    if (r->depth == 0) {
        r->started = true;
        set_err(r, "not a JSON object");
        return push(r, FR_SKIP_ARR, -1);
    }
    if (in_list(r)) {
        list_elem_error(r, "a list");
        return push(r, FR_SKIP_ARR, -1);
    }
    value_context(r);
    if (r->target == T_FIELD && r->p->fields[r->tidx].type == CARS_FT_LIST) {
        int32_t lf = r->tidx;
        mark_present(r);
        r->v[lf].known = true;
        r->v[lf].i = 0;
        r->lists[lf].n = 0;
        return push(r, FR_LIST, lf);
    }
    if (r->target == T_FIELD || r->target == T_ELEM)
        type_error(r, target_field(r), "a list");
    else if (r->target == T_NODE)
        node_error(r, "a list");
    return push(r, FR_SKIP_ARR, -1);
}

static int cb_end_array(void *ctx)
{
    cars_reader *r = ctx;
    frame *f = &r->stack[r->depth - 1];
    if (f->kind == FR_LIST)
        r->v[f->node].i = f->count;
    pop(r);
    return 1;
}

static const yajl_callbacks callbacks = {
    cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
    cb_start_map, cb_map_key, cb_end_map, cb_start_array, cb_end_array,
};

static void reset(cars_reader *r)
{
    const cars_program *p = r->p;
    arena_reset(&r->ar);
    r->has_err = r->oom = r->started = false;
    r->err[0] = '\0';
    r->depth = 0;
    r->target = T_NONE;
    r->strlen_ = 0;
    r->nukeys = 0;
    r->ukbuf_len = 0;
    r->key_cmps = 0;
    r->rec.has_id = false;
    r->rec.id.p = NULL;
    r->rec.id.len = 0;
    memset(r->v, 0, p->nfields * sizeof *r->v);
    for (uint32_t f = 0; f < p->nfields; f++)
        r->lists[f].n = 0;
    if (++r->gen == 0) {
        memset(r->present, 0, p->nfields * sizeof *r->present);
        memset(r->seen, 0, r->nnodes * sizeof *r->seen);
        r->gen = 1;
    }
}

bool cars_reader_parse(cars_reader *r, const char *line, size_t len)
{
    reset(r);
    if (len > CARS_READER_MAX_LINE) { /* offsets and lengths are 32-bit */
        snprintf(r->err, sizeof r->err, "line longer than %lu bytes", (unsigned long)CARS_READER_MAX_LINE);
        r->has_err = true;
        return false;
    }
    if (len + 1 > r->strcap) {
        size_t cap = r->strcap ? r->strcap : 4096;
        while (cap < len + 1)
            cap *= 2;
        char *b = cars_realloc(r->strbuf, cap);
        if (!b) {
            r->oom = true;
            snprintf(r->err, sizeof r->err, "out of memory reading the record");
            return false;
        }
        r->strbuf = b;
        r->strcap = cap;
    }
    if (len > (SIZE_MAX - 65536) / 4 || !arena_reserve(&r->ar, 4 * len + 65536)) {
        r->oom = true;
        snprintf(r->err, sizeof r->err, "out of memory reading the record");
        return false;
    }
    const unsigned char *u = (const unsigned char *)line;
    size_t bad = first_bad_byte(u, len);
    bool bom = starts_with_bom(line, len);
    char sur[7];
    bool lone = lone_surrogate(line, len, sur); /* skips from backslash to backslash */
    r->suspect = bad < len || lone;
    r->line = line;
    r->len = len;
    yajl_handle h = yajl_alloc(&callbacks, &r->afuncs, r);
    r->h = h;
    if (!h) {
        r->oom = true;
        snprintf(r->err, sizeof r->err, "out of memory reading the record");
        return false;
    }
    yajl_status st = yajl_parse(h, (const unsigned char *)line, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    if (r->oom || r->ar.failed) {
        r->oom = true;
        snprintf(r->err, sizeof r->err, "out of memory reading the record");
        return false;
    }
    /* the bytes were checked before the parse: their error comes first; a
     * line with bad bytes was parsed only to read its id */
    if (bom) {
        snprintf(r->err, sizeof r->err, "not valid JSON: the line starts with a UTF-8 byte order mark (EF BB BF); "
                                        "JSON Lines text must not");
        r->has_err = true;
    } else if (bad < len) {
        bad_byte_message(r->err, sizeof r->err, u, len, bad);
        r->has_err = true;
    } else if (st == yajl_status_error) {
        unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)line, len);
        const char *m = msg ? (const char *)msg : "parse error";
        if (strncmp(m, "parse error: ", 13) == 0)
            m += 13;
        else if (strncmp(m, "lexical error: ", 15) == 0)
            m += 15;
        size_t n = strlen(m);
        while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' ' || m[n - 1] == '.'))
            n--;
        snprintf(r->err, sizeof r->err, "not valid JSON: %.*s", (int)n, m);
        r->has_err = true;
    } else if (lone) { /* yajl accepts it: parsed only to read the id */
        snprintf(r->err, sizeof r->err, "not valid JSON: lone surrogate %s in a string", sur);
        r->has_err = true;
    } else if (!r->started && !r->has_err) {
        set_err(r, "not a JSON object");
    }
    return !r->has_err;
}

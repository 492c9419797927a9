/* reader.c - the streaming record reader: the parse, and the state
 * machine that words the errors. Each line is read first by simdjson's
 * stage 1 and the walk of its index directed by the schema (reader_walk.c):
 * that walk alone accepts a record. A line it refuses is read again by
 * yajl's callback API driving a small state machine over the schema (a
 * trie of the dotted field paths: objects, reader_trie.c; list fields and
 * their element records), only to word its error as before. The checks of
 * a value are the walk's own (reader_int.h: one code for both readings),
 * and so are the rules: type, enum membership, dates, min, required,
 * duplicates, null as absent. Should yajl accept a line the walk refused,
 * the line stays invalid with the walk's reason. For yajl, the line's
 * bytes are checked first (reader_text.c: strict UTF-8, no control
 * character JSON forbids, no byte order mark: yajl is lax on all three),
 * yajl allocates from an arena that is reset per line (reader_arena.c),
 * and strings are copied into a buffer as long as the longest line seen.
 * The same yajl reading is cars_reader_parse_yajl, the referee the tests
 * and fuzzers hold the walk to. List elements go into arrays that only
 * grow: in steady state nothing is allocated per record. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include "date.h"
#include "reader_int.h"

const cars_record *cars_reader_record(const cars_reader *r) { return &r->rec; }
const char *cars_reader_error(const cars_reader *r) { return r->err; }
bool cars_reader_out_of_memory(const cars_reader *r) { return r->oom; }
uint64_t cars_reader_key_comparisons(const cars_reader *r) { return r->key_cmps; }

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
    const cars_rd_frame *f = &r->stack[r->depth - 1];
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
 * target set by the last key): nowhere (T_SKIP) inside a skipped object or
 * array, or at the top level, which must be an object. Callers handle an
 * element of a list first (in_list). */
static void value_context(cars_reader *r)
{
    if (r->depth == 0) {
        cars_rd_err(r, "not a JSON object");
        r->target = T_SKIP;
        return;
    }
    cars_rd_frame *f = &r->stack[r->depth - 1];
    if (f->kind == FR_SKIP_ARR || f->kind == FR_SKIP_OBJ)
        r->target = T_SKIP;
    if (f->kind == FR_SKIP_ARR)
        f->count++; /* for a message's path: [count - 1] */
}

static bool in_list(const cars_reader *r)
{
    return r->depth > 0 && r->stack[r->depth - 1].kind == FR_LIST;
}

/* An element that is not an object but got: counted (later elements keep
 * their index), never stored. */
static void bad_elem(cars_reader *r, const char *got)
{
    cars_rd_frame *f = &r->stack[r->depth - 1];
    const cars_pfield *lf = &r->p->fields[f->node];
    cars_rd_err(r, "%.*s[%u]: expected an object, got %s", (int)lf->path.len, lf->path.p, f->count, got);
    f->count++;
}

static int on_null(void *ctx)
{
    cars_reader *r = ctx;
    if (in_list(r)) {
        bad_elem(r, "null");
        return 1;
    }
    value_context(r);
    if (r->target == T_FIELD || r->target == T_ELEM)
        target_slot(r)->known = false; /* null = absent */
    done_value(r);
    return 1;
}

static int on_boolean(void *ctx, int b)
{
    cars_reader *r = ctx;
    if (in_list(r)) {
        bad_elem(r, b ? "true" : "false");
        return 1;
    }
    value_context(r);
    if (r->target == T_FIELD || r->target == T_ELEM) {
        const cars_pfield *f = target_field(r);
        if (f->type == CARS_FT_BOOL)
            store(r, b != 0);
        else
            cars_rd_type_error(r, f, b ? "true" : "false");
    } else if (r->target == T_NODE) {
        cars_rd_node_error(r, b ? "true" : "false");
    }
    done_value(r);
    return 1;
}

/* A number field's value: the fast path for up to 15 digits without an
 * exponent, else strtod on a NUL-terminated copy of the text. */
int cars_rd_number_value(cars_reader *r, const cars_pfield *f, const char *s, size_t n, double *out)
{
    double d;
    if (!cars_rd_fast_double(s, n, &d)) {
        char local[64], *buf = n < sizeof local ? local : cars_rd_arena_alloc(&r->ar, n + 1);
        if (!buf) {
            r->oom = true;
            return -1;
        }
        memcpy(buf, s, n);
        buf[n] = '\0';
        d = strtod(buf, NULL);
        if (!isfinite(d))
            return 0;
    }
    if ((f->flags & CARS_FF_HAS_MIN) && d < f->min)
        return 0;
    *out = d;
    return 1;
}

static int on_number(void *ctx, const char *s, size_t n)
{
    cars_reader *r = ctx;
    char got[80];
    if (in_list(r)) {
        cars_rd_render(got, sizeof got, s, n, false);
        bad_elem(r, got);
        return 1;
    }
    value_context(r);
    if (r->target == T_NODE) {
        cars_rd_render(got, sizeof got, s, n, false);
        cars_rd_node_error(r, got);
    } else if (r->target == T_FIELD || r->target == T_ELEM) {
        const cars_pfield *f = target_field(r);
        int64_t v;
        double d;
        int ok;
        if (f->type == CARS_FT_INTEGER) {
            if (cars_rd_int_value(f, s, n, &v))
                store(r, v);
            else
                cars_rd_number_error(r, f, s, n);
        } else if (f->type == CARS_FT_NUMBER) {
            if ((ok = cars_rd_number_value(r, f, s, n, &d)) < 0)
                return 0;
            if (ok)
                store_f(r, d);
            else
                cars_rd_number_error(r, f, s, n);
        } else {
            cars_rd_text_error(r, f, s, n, false);
        }
    }
    done_value(r);
    return 1;
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
    return cars_rd_first_bad_byte((const unsigned char *)r->line + q, end - q) == end - q &&
           !cars_rd_lone_surrogate(r->line + q, end - q, sur);
}

/* The id's key came again (dup_key): its value may stay the id only if it
 * is the same string as the id read before. */
static bool the_same_id(const cars_reader *r, const unsigned char *s, size_t n)
{
    return !r->id_again || (r->id_before && r->rec.id.len == n && (n == 0 || memcmp(r->rec.id.p, s, n) == 0));
}

static void string_value(cars_reader *r, const cars_pfield *f, const unsigned char *s, size_t n)
{
    const char *cs = (const char *)s;
    int64_t code;
    switch (f->type) {
    case CARS_FT_STRING:
        if (r->target == T_FIELD)
            cars_rd_string_field(r, r->tidx, s, n,
                                 r->tidx != r->id_field ||
                                     ((!r->suspect || id_token_clean(r)) && the_same_id(r, s, n)));
        store(r, 0);
        return;
    case CARS_FT_DATE:
    case CARS_FT_COUNTRY:
    case CARS_FT_ENUM:
        if (cars_rd_code_value(r, f, cs, n, &code))
            store(r, code);
        else if (f->type == CARS_FT_DATE)
            cars_rd_date_error(r, cs, n);
        else if (f->type == CARS_FT_ENUM)
            cars_rd_enum_error(r, f, cs, n);
        else
            cars_rd_text_error(r, f, cs, n, true);
        return;
    default:
        cars_rd_text_error(r, f, cs, n, true);
    }
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
    cars_reader *r = ctx;
    char got[80];
    if (in_list(r)) {
        cars_rd_render(got, sizeof got, (const char *)s, n, true);
        bad_elem(r, got);
        return 1;
    }
    value_context(r);
    if (r->target == T_NODE) {
        cars_rd_render(got, sizeof got, (const char *)s, n, true);
        cars_rd_node_error(r, got);
    } else if (r->target == T_FIELD || r->target == T_ELEM) {
        string_value(r, target_field(r), s, n);
    }
    done_value(r);
    return 1;
}

static bool push(cars_reader *r, uint8_t kind, int32_t nd)
{
    if (r->depth >= CARS_READER_MAX_DEPTH) {
        cars_rd_line_err(r, "nesting deeper than %d levels", CARS_READER_MAX_DEPTH);
        return false;
    }
    cars_rd_frame *f = &r->stack[r->depth++];
    f->kind = kind;
    f->node = nd;
    f->ukey_start = r->nukeys;
    f->ukbuf_start = (uint32_t)r->ukbuf_len;
    f->count = 0;
    f->name_len = UINT32_MAX;
    f->slots = NULL;
    r->target = T_NONE;
    return true;
}

/* A skipped object or array as a value (after value_context): named, for
 * a message's path, by the unknown key before it, if an object holds it. */
static int push_skip(cars_reader *r, uint8_t kind)
{
    const cars_rd_frame *up = &r->stack[r->depth - 1];
    bool named = r->target == T_SKIP && up->kind != FR_SKIP_ARR && r->nukeys > up->ukey_start;
    const cars_rd_ukey *k = named ? &r->ukeys[r->nukeys - 1] : NULL;
    if (!push(r, kind, -1))
        return 0;
    if (k) {
        r->stack[r->depth - 1].name_off = k->off;
        r->stack[r->depth - 1].name_len = k->len;
    }
    return 1;
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

/* Elements are stored only while the record is still valid: then every
 * element before this one was an object and is stored, so the array holds
 * exactly lists[lf].n elements, within its capacity. Once the record is
 * invalid, nothing more is kept (the VM never sees it): scratch slots. */
cars_value *cars_rd_elem_take(cars_reader *r, int32_t lf)
{
    const cars_pfield *f = &r->p->fields[lf];
    cars_list *l = &r->lists[lf];
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
    return slots;
}

cars_value *cars_rd_elem_slots(cars_reader *r, int32_t lf)
{
    cars_value *slots = cars_rd_elem_take(r, lf);
    if (slots)
        memset(slots, 0, r->lists[lf].stride * sizeof(cars_value));
    return slots;
}

/* Starts the next element of the list whose frame is `lf_frame`: the slots
 * its fields go to, zeroed, or NULL (over the element limit, or out of
 * memory). */
static cars_value *start_elem(cars_reader *r, cars_rd_frame *lf_frame)
{
    const cars_pfield *f = &r->p->fields[lf_frame->node];
    if (lf_frame->count >= CARS_READER_MAX_ELEMS) {
        cars_rd_err(r, "%.*s: more than %d elements", (int)f->path.len, f->path.p, CARS_READER_MAX_ELEMS);
        return NULL;
    }
    lf_frame->count++;
    return cars_rd_elem_slots(r, lf_frame->node);
}

static int on_start_map(void *ctx)
{
    cars_reader *r = ctx;
    if (r->depth == 0) {
        if (r->started) { /* cannot happen without allow_multiple_values */
            cars_rd_err(r, "not a JSON object");
            return push(r, FR_SKIP_OBJ, -1);
        }
        r->started = true;
        return push(r, FR_OBJ, 0);
    }
    cars_rd_frame *top = &r->stack[r->depth - 1];
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
        cars_rd_type_error(r, target_field(r), "an object");
    return push_skip(r, FR_SKIP_OBJ);
}

/* The paths a valid record's keys never take, kept out of map_key so that
 * its own code stays small. */
#define CARS_COLD __attribute__((noinline, cold))

/* A key twice in one object (field: its field, or -1). The id's key again
 * forgets the id read so far: the record's id is reported only if every
 * value of its key is that same string (the_same_id), never one picked
 * from different ones. */
CARS_COLD static void dup_key(cars_reader *r, const cars_rd_frame *el, const char *k, size_t n, int32_t field)
{
    if (field >= 0 && field == r->id_field) {
        r->id_again = true;
        r->id_before = r->rec.has_id;
        r->rec.has_id = false;
    }
    cars_rd_dup_key(r, el, k, n);
}

int cars_rd_remember_key(cars_reader *r, const char *k, size_t n)
{
    if (r->nukeys == r->ukcap) {
        uint32_t cap = r->ukcap * 2;
        cars_rd_ukey *u = cars_realloc(r->ukeys, cap * sizeof *u);
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

/* An unknown key: ignored, but remembered for the duplicate check. */
CARS_COLD static int unknown_key(cars_reader *r, const char *k, size_t n)
{
    r->target = T_SKIP;
    return cars_rd_remember_key(r, k, n);
}

/* A key, with pre = key_prefix(key, n). */
static int map_key(cars_reader *r, const char *k, size_t n, uint64_t pre)
{
    const cars_rd_frame *f = &r->stack[r->depth - 1];
    if (f->kind == FR_OBJ) {
        int32_t c = cars_rd_child(r, f->node, k, n, pre);
        if (c >= 0) {
            if (r->seen[c] == r->gen)
                dup_key(r, f, k, n, r->nodes[c].field);
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
            if (r->epre[lf->elems_first + e] == pre && ef->path.len == n && (n <= 8 || cars_rd_tail_eq(ef->path.p, k, n))) {
                uint32_t idx = lf->elems_first + e;
                if (r->eseen[idx] == r->egen)
                    dup_key(r, f, k, n, -1);
                r->eseen[idx] = r->egen;
                r->target = T_ELEM;
                r->tidx = (int32_t)idx;
                return 1;
            }
        }
    }
    return unknown_key(r, k, n);
}

static int on_map_key(void *ctx, const unsigned char *key, size_t n)
{
    return map_key(ctx, (const char *)key, n, cars_rd_key_prefix((const char *)key, n));
}

/* An object's unknown keys are sorted to find duplicates: insertion sort
 * for a few (the common case), heapsort beyond: in place, no allocation,
 * and at most about 2 n log2 n comparisons whatever the order of the keys
 * (a shell sort went quadratic on a crafted order). r->key_cmps counts the
 * comparisons of the line, for tests and fuzzers to bound. */
static int ukey_cmp(cars_reader *r, const cars_rd_ukey *x, const cars_rd_ukey *y)
{
    r->key_cmps++;
    uint32_t n = x->len < y->len ? x->len : y->len;
    int c = n ? memcmp(r->ukbuf + x->off, r->ukbuf + y->off, n) : 0;
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void sift_down(cars_reader *r, cars_rd_ukey *k, uint32_t i, uint32_t n)
{
    cars_rd_ukey t = k[i];
    for (uint32_t c; (c = 2 * i + 1) < n; i = c) { /* n < 2^31: keys take 4 bytes or more of a line */
        if (c + 1 < n && ukey_cmp(r, &k[c], &k[c + 1]) < 0)
            c++;
        if (ukey_cmp(r, &t, &k[c]) >= 0)
            break;
        k[i] = k[c];
    }
    k[i] = t;
}

static void sort_ukeys(cars_reader *r, cars_rd_ukey *k, uint32_t n)
{
    if (n <= 8) {
        for (uint32_t i = 1; i < n; i++) {
            cars_rd_ukey t = k[i];
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
        cars_rd_ukey t = k[0];
        k[0] = k[end];
        k[end] = t;
        sift_down(r, k, 0, end);
    }
}

const cars_rd_ukey *cars_rd_unknown_dup(cars_reader *r, uint32_t start)
{
    uint32_t n = r->nukeys - start;
    if (n < 2)
        return NULL;
    cars_rd_ukey *k = r->ukeys + start;
    sort_ukeys(r, k, n);
    for (uint32_t i = 1; i < n; i++)
        if (ukey_cmp(r, &k[i - 1], &k[i]) == 0)
            return &k[i];
    return NULL;
}

/* Reports the first duplicate among an object's unknown keys (in sorted order). */
static void check_unknown_dups(cars_reader *r, const cars_rd_frame *f)
{
    const cars_rd_ukey *d = cars_rd_unknown_dup(r, f->ukey_start);
    if (d)
        cars_rd_dup_key(r, f, r->ukbuf + d->off, d->len);
}

static void check_required(cars_reader *r)
{
    const cars_program *p = r->p;
    for (uint32_t k = 0; k < r->nreq; k++) {
        uint32_t f = r->req[k];
        if (r->present[f] != r->gen) {
            cars_rd_err(r, "missing required field %.*s", (int)p->fields[f].path.len, p->fields[f].path.p);
            return;
        }
    }
}

static void check_elem_required(cars_reader *r, const cars_rd_frame *el)
{
    const cars_program *p = r->p;
    const cars_pfield *f = &p->fields[el->node];
    for (uint32_t e = 0; e < f->elems_n; e++) {
        const cars_pfield *ef = &p->elem_fields[f->elems_first + e];
        if ((ef->flags & CARS_FF_REQUIRED) && !el->slots[e].known) {
            cars_rd_err(r, "missing required field %.*s[%u].%.*s", (int)f->path.len, f->path.p, el->count,
                    (int)ef->path.len, ef->path.p);
            return;
        }
    }
}

static void pop(cars_reader *r)
{
    cars_rd_frame *f = &r->stack[--r->depth];
    r->nukeys = f->ukey_start;
    r->ukbuf_len = f->ukbuf_start;
    r->target = T_NONE;
}

static int on_end_map(void *ctx)
{
    cars_reader *r = ctx;
    cars_rd_frame *f = &r->stack[r->depth - 1];
    check_unknown_dups(r, f);
    if (f->kind == FR_ELEM)
        check_elem_required(r, f);
    else if (f->kind == FR_OBJ && r->depth == 1)
        check_required(r);
    pop(r);
    return 1;
}

static int on_start_array(void *ctx)
{
    cars_reader *r = ctx;
    if (r->depth == 0) {
        r->started = true;
        cars_rd_err(r, "not a JSON object");
        return push(r, FR_SKIP_ARR, -1);
    }
    if (in_list(r)) {
        bad_elem(r, "a list");
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
        cars_rd_type_error(r, target_field(r), "a list");
    else if (r->target == T_NODE)
        cars_rd_node_error(r, "a list");
    return push_skip(r, FR_SKIP_ARR);
}

static int on_end_array(void *ctx)
{
    cars_reader *r = ctx;
    cars_rd_frame *f = &r->stack[r->depth - 1];
    if (f->kind == FR_LIST)
        r->v[f->node].i = f->count;
    pop(r);
    return 1;
}

/* yajl's end of an object: where the root object ends is kept, for what
 * yajl lets follow it (parse_yajl). */
static int yajl_end_map(void *ctx)
{
    cars_reader *r = ctx;
    int ok = on_end_map(r);
    if (r->depth == 0)
        r->root_end = yajl_get_bytes_consumed(r->h);
    return ok;
}

static const yajl_callbacks callbacks = {
    on_null, on_boolean, NULL, NULL, on_number, on_string,
    on_start_map, on_map_key, yajl_end_map, on_start_array, on_end_array,
};

/* Only whitespace after the root object: yajl lets a string that is opened
 * there and never closed through ({}"), waiting for its end. */
static bool clean_end(const cars_reader *r)
{
    for (size_t i = r->root_end; i < r->len; i++)
        if (r->line[i] != ' ' && r->line[i] != '\t' && r->line[i] != '\n' && r->line[i] != '\r')
            return false;
    return true;
}

static void reset(cars_reader *r)
{
    const cars_program *p = r->p;
    cars_rd_arena_reset(&r->ar);
    r->has_err = r->oom = r->started = false;
    r->err[0] = '\0';
    r->depth = 0;
    r->target = T_NONE;
    r->strlen_ = 0;
    r->nukeys = 0;
    r->ukbuf_len = 0;
    r->key_cmps = 0;
    r->rec.has_id = r->id_again = r->id_before = false;
    r->rec.id.p = NULL;
    r->rec.id.len = 0;
    memset(r->v, 0, p->nfields * sizeof *r->v);
    for (uint32_t k = 0; k < r->nlistf; k++)
        r->lists[r->listf[k]].n = 0;
    if (++r->gen == 0) {
        memset(r->present, 0, p->nfields * sizeof *r->present);
        memset(r->seen, 0, r->nnodes * sizeof *r->seen);
        r->gen = 1;
    }
}

static bool starts_with_bom(const char *s, size_t n)
{
    return n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0;
}

/* Out of memory: the router stops on it, it is not an invalid record. */
static bool out_of_memory(cars_reader *r)
{
    r->oom = true;
    cars_rd_line_err(r, "out of memory reading the record");
    return false;
}

/* The record's string buffer, large enough for a line of len bytes (a
 * line's decoded strings never take more); false when out of memory. */
static bool reserve_strings(cars_reader *r, size_t len)
{
    if (len + 1 > r->strcap) {
        size_t cap = r->strcap ? r->strcap : 4096;
        while (cap < len + 1)
            cap *= 2;
        char *b = cars_realloc(r->strbuf, cap);
        if (!b)
            return false;
        r->strbuf = b;
        r->strcap = cap;
    }
    return true;
}

/* The line's error once yajl is done. The bytes were checked before the
 * parse and their error comes first (a line with bad bytes was parsed only
 * to read its id), then yajl's, then a lone surrogate escape (sur, or
 * NULL: yajl accepts it), then the record's own. */
static void line_error(cars_reader *r, yajl_status st, size_t bad, bool bom, const char *sur)
{
    const unsigned char *u = (const unsigned char *)r->line;
    if (bom) {
        cars_rd_line_err(r, "not valid JSON: the line starts with a UTF-8 byte order mark (EF BB BF); "
                            "JSON Lines text must not");
    } else if (bad < r->len) {
        cars_rd_bad_byte_error(r, u, r->len, bad);
    } else if (st == yajl_status_error) {
        unsigned char *msg = yajl_get_error(r->h, 0, u, r->len);
        cars_rd_json_error(r, msg ? (const char *)msg : "parse error");
    } else if (r->started && !clean_end(r)) {
        cars_rd_json_error(r, "trailing garbage");
    } else if (sur) {
        cars_rd_line_err(r, "not valid JSON: lone surrogate %s in a string", sur);
    } else if (!r->started) {
        cars_rd_err(r, "not a JSON object");
    }
}

/* The line read by yajl, after the reset and the line's length check. */
static bool parse_yajl(cars_reader *r, const char *line, size_t len)
{
    if (!reserve_strings(r, len) || len > (SIZE_MAX - 65536) / 4 || !cars_rd_arena_reserve(&r->ar, 4 * len + 65536))
        return out_of_memory(r);
    size_t bad = cars_rd_first_bad_byte((const unsigned char *)line, len);
    bool bom = starts_with_bom(line, len);
    char sur[7];
    bool lone = cars_rd_lone_surrogate(line, len, sur); /* skips from backslash to backslash */
    r->suspect = bad < len || lone;
    r->stable = false;
    r->line = line;
    r->len = len;
    r->root_end = len;
    r->h = yajl_alloc(&callbacks, &r->afuncs, r);
    if (!r->h)
        return out_of_memory(r);
    yajl_status st = yajl_parse(r->h, (const unsigned char *)line, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(r->h);
    if (r->oom || r->ar.failed)
        return out_of_memory(r);
    line_error(r, st, bad, bom, lone ? sur : NULL);
    if (r->oom) /* in wording the error (cars_rd_syntax_error_at) */
        return out_of_memory(r);
    return !r->has_err;
}

static bool too_long(cars_reader *r, size_t len)
{
    if (len <= CARS_READER_MAX_LINE)
        return false;
    cars_rd_line_err(r, "line longer than %lu bytes", (unsigned long)CARS_READER_MAX_LINE); /* offsets are 32-bit */
    return true;
}

bool cars_reader_parse_yajl(cars_reader *r, const char *line, size_t len)
{
    reset(r);
    return !too_long(r, len) && parse_yajl(r, line, len);
}

/* The walk reads the line (reader_walk.c): a record is valid when it says
 * so. A line it refuses is read again by yajl and the state machine, only
 * to word the error as it always was (and to find the id of a record that
 * is not valid JSON). Should yajl accept a line the walk refused, the line
 * stays invalid, with the walk's reason. */
static bool parse(cars_reader *r, const char *line, size_t len, bool padded)
{
    reset(r);
    if (too_long(r, len))
        return false;
    const char *why = "parse error";
    if (!starts_with_bom(line, len)) {
        r->suspect = false;
        r->stable = true;
        r->line = line;
        r->len = len;
        enum cars_rd_simd_result res = cars_rd_walk_line(r, line, len, padded, &why);
        if (res == CARS_RD_SIMD_OOM || r->oom)
            return out_of_memory(r);
        if (res == CARS_RD_SIMD_DONE && !r->has_err)
            return true;
    }
    reset(r);
    if (parse_yajl(r, line, len)) {
        r->has_err = false;
        cars_rd_line_err(r, "not valid JSON: %s", why);
    }
    return false;
}

bool cars_reader_parse(cars_reader *r, const char *line, size_t len) { return parse(r, line, len, false); }

bool cars_reader_parse_padded(cars_reader *r, const char *line, size_t len) { return parse(r, line, len, true); }

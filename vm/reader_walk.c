/* reader_walk.c - the record reader's accept path: a walk of simdjson's
 * structural index (reader_simd.h) directed by the schema. The walk
 * carries its context in its recursion: an object of the schema knows its
 * trie node and looks each key up among that node's children once; a list
 * element knows its list field's element fields and its slots. Each value
 * is read straight for the field its key named: an integer field's number
 * token becomes an int64 in its slot, a date, country or enum field's
 * string its code, a string field's text is kept, a bool is a literal, an
 * object node recurses with its child, a list field walks its element
 * objects into the list's element slots. An unknown key is remembered for
 * the duplicate check and its value is walked to be validated (every value
 * of the line is: nothing is skipped unvalidated). The checks of a value
 * are the ones the state machine makes (reader_int.h; a short integer or
 * number is converted in the scan that checks its token, to the same
 * value: int_at, double_at), and so are the marks: duplicates, presence,
 * required fields (counted: each field is read once), min, element
 * counts, the depth limit, null as absent.
 *
 * The walk accepts a line or refuses it: it never words an error. A line
 * it refuses (bad JSON, a value not of its field's type, a duplicate key,
 * a missing required field, a limit...) is read again by yajl and the
 * state machine (reader.c), whose error the line gets; should they accept
 * it, the line stays invalid with the walk's reason. So a line is valid
 * only when this walk says so, and yajl only words errors.
 *
 * JSON's grammar is checked here, token by token, on what stage 1 leaves
 * to a parser: an object's keys are strings, a ':' after each, a ','
 * between members and elements, nothing after the root object; literals
 * and numbers on their raw bytes, each ending at whitespace or at the next
 * structural byte ("tru", 01, 1x are refused; so is 0"a", one token to
 * stage 1). Strings are their raw bytes when they have no escape (stage 1
 * has checked their UTF-8 and that no control character is raw in them),
 * else unescaped by simdjson's own string parser into the index's string
 * buffer (an unknown escape or a lone surrogate is refused); keys are
 * unescaped before the lookup, so "r\u006fute" is the key route. A byte
 * order mark is left to the caller (reader.c refuses it). */
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "reader_int.h"

/* Required fields are counted by adding their flag (walk.nreq, elem_value). */
_Static_assert(CARS_FF_REQUIRED == 1, "the walk counts required fields by adding CARS_FF_REQUIRED");

typedef struct walk {
    cars_reader *r;
    const uint8_t *buf; /* the padded line */
    size_t len;
    uint8_t *sdst;      /* where the next unescaped string goes */
    const cars_rd_simd *simd;
    const char *why;    /* the refusal's reason */
    bool plain;         /* the line has no backslash: no string has an escape */
    int depth;          /* open objects and arrays */
    uint32_t nreq;      /* required top-level fields with a value (each is read once) */
    size_t at;          /* where JSON's grammar broke (SIZE_MAX: not, or not known) */
    bool grammar;       /* the grammar alone: unknown keys not remembered, so no duplicate
                         * check (cars_rd_syntax_error_at) */
    const cars_pfield *fields; /* the program's top-level fields (r->p->fields) */
    cars_value *v;             /* their slots (r->v) */
} walk;

/* Each step takes t, pointing at its first token's offset in the index,
 * and returns t past what it read, or NULL when it refuses. */
typedef const uint32_t *tok;

__attribute__((noinline, cold)) static tok refuse(walk *w, const char *why)
{
    w->why = why;
    return NULL;
}

/* A refusal for JSON's grammar, broken at offset `at` of the line. */
__attribute__((noinline, cold)) static tok refuse_at(walk *w, const char *why, size_t at)
{
    w->at = at;
    return refuse(w, why);
}

#define REFUSED "refused by the reader" /* the schema's or a limit's refusal */

/* The bytes that may end a number or a literal: JSON's whitespace and the
 * structural characters (stage 1 starts a new token after each). Not a
 * quote: stage 1 starts no token at a quote right after a number or a
 * literal, so the walk must refuse it there. */
static const bool delim[256] = {
    [' '] = true, ['\t'] = true, ['\n'] = true, ['\r'] = true, [','] = true,
    [':'] = true, ['['] = true,  [']'] = true,  ['{'] = true,  ['}'] = true,
};

/* The token at p of length k ends there: at a delimiter, or the line's end. */
static inline bool ends(const walk *w, size_t p, size_t k) { return delim[w->buf[p + k]] || p + k == w->len; }

/* The length of s (the raw text after its opening quote, in the padded
 * line) up to its closing quote, or SIZE_MAX if an escape comes first. */
static inline size_t plain_length(const uint8_t *s)
{
    size_t i = 0;
#ifdef __SSE2__
    /* 16 bytes at a time: the padding after the line keeps every load in the buffer */
    const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
    for (;; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bs)));
        if (m) {
            i += (size_t)__builtin_ctz(m);
            break;
        }
    }
#else
    while (s[i] != '"' && s[i] != '\\')
        i++;
#endif
    return s[i] == '"' ? i : SIZE_MAX;
}

/* JSON's whitespace. */
static inline bool json_ws(uint8_t c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

/* The text of the string whose opening quote is the token at t: raw when
 * it has no escape, else unescaped into the string buffer. In a line
 * without a backslash its closing quote is the last byte before the next
 * token but whitespace (every other byte outside a string starts a token
 * of stage 1's index, and every opening quote does), so no scan is needed. */
static inline bool string_text(walk *w, tok t, const uint8_t **s, size_t *n)
{
    const uint8_t *raw = w->buf + *t + 1;
    if (w->plain) {
        size_t e = t[1] - 1; /* the closing quote, unless whitespace follows it */
        if (__builtin_expect(w->buf[e] != '"', 0))
            while (json_ws(w->buf[e]))
                e--;
        if (__builtin_expect(w->buf[e] == '"' && e > *t, 1)) {
            *s = raw;
            *n = e - 1 - *t;
            return true;
        }
    }
    size_t k = plain_length(raw);
    if (__builtin_expect(k != SIZE_MAX, 1)) {
        *s = raw;
        *n = k;
        return true;
    }
    uint8_t *end = cars_rd_simd_unescape(w->simd, raw, w->sdst);
    if (!end) {
        w->why = "invalid escape in a string";
        w->at = *t;
        return false;
    }
    *s = w->sdst;
    *n = (size_t)(end - w->sdst);
    w->sdst = end;
    return true;
}

/* The first 8 bytes of the key k (n bytes), zero-padded, as
 * cars_rd_key_prefix makes them: one load, as 8 bytes after k are
 * readable (the line's padding, or the string buffer's). */
static inline uint64_t key_prefix(const uint8_t *k, size_t n)
{
    uint64_t v;
    memcpy(&v, k, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return n >= 8 ? v : v & ((UINT64_C(1) << (8 * n)) - 1);
#else
    return cars_rd_key_prefix((const char *)k, n);
#endif
}

/* A field's number token as one scan reads it: its digits' value (mod
 * 2^64), how many digits it has and how many of them follow the point,
 * and whether it has an exponent or a sign. */
typedef struct numtok {
    uint64_t m;
    uint32_t digits, frac;
    bool exp, neg;
} numtok;

/* The length of the JSON number at s:
 * -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, or 0 if s starts none,
 * reading its digits' value on the way (one pass for the check and the
 * conversion). The padding's zero bytes end a number at the end of the
 * line. */
static inline size_t number_scan(const uint8_t *s, numtok *nt)
{
    size_t i = 0;
    uint64_t m = 0;
    nt->neg = s[0] == '-';
    i += nt->neg;
    size_t first = i;
    if (s[i] == '0')
        i++;
    else if (s[i] >= '1' && s[i] <= '9')
        while (s[i] >= '0' && s[i] <= '9')
            m = m * 10 + (s[i++] - '0');
    else
        return 0;
    nt->digits = (uint32_t)(i - first);
    nt->frac = 0;
    if (s[i] == '.') {
        size_t k = ++i;
        while (s[i] >= '0' && s[i] <= '9')
            m = m * 10 + (s[i++] - '0');
        if (i == k)
            return 0;
        nt->frac = (uint32_t)(i - k);
        nt->digits += nt->frac;
    }
    nt->m = m;
    nt->exp = s[i] == 'e' || s[i] == 'E';
    if (nt->exp) {
        i++;
        if (s[i] == '+' || s[i] == '-')
            i++;
        size_t k = i;
        while (s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == k)
            return 0;
    }
    return i;
}

/* The JSON number at offset p, ending where it should: its length, or 0. */
static inline size_t number_at(const walk *w, size_t p)
{
    numtok nt; /* only the length: the value goes unused */
    size_t k = number_scan(w->buf + p, &nt);
    return k && ends(w, p, k) ? k : 0;
}

/* An integer field's number at offset p into *out: as cars_rd_int_value
 * says (the same value, the same refusals), from one scan when it has no
 * point, no exponent and at most 18 digits (no overflow). */
static inline __attribute__((always_inline)) bool int_at(const walk *w, size_t p, const cars_pfield *f, int64_t *out)
{
    numtok nt;
    size_t k = number_scan(w->buf + p, &nt);
    if (!k || !ends(w, p, k))
        return false;
    if (nt.frac || nt.exp || nt.digits > 18)
        return cars_rd_int_value(f, (const char *)w->buf + p, k, out);
    *out = nt.neg ? (int64_t)(0 - nt.m) : (int64_t)nt.m;
    return !((f->flags & CARS_FF_HAS_MIN) && (double)*out < f->min);
}

/* A number field's number at offset p into *out: as cars_rd_number_value
 * says (1, 0 or -1), with cars_rd_fast_double's value from one scan when it
 * has at most 15 digits and no exponent. */
static inline __attribute__((always_inline)) int double_at(const walk *w, size_t p, const cars_pfield *f, double *out)
{
#if FLT_EVAL_METHOD == 0
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    numtok nt;
    size_t k = number_scan(w->buf + p, &nt);
    if (!k || !ends(w, p, k))
        return 0;
    if (nt.exp || nt.digits > 15)
        return cars_rd_number_value(w->r, f, (const char *)w->buf + p, k, out);
    double d = (double)nt.m;
    if (nt.frac)
        d /= p10[nt.frac];
    d = nt.neg ? -d : d;
    if ((f->flags & CARS_FF_HAS_MIN) && d < f->min)
        return 0;
    *out = d;
    return 1;
#else
    size_t k = number_at(w, p);
    return k ? cars_rd_number_value(w->r, f, (const char *)w->buf + p, k, out) : 0;
#endif
}

enum { LIT_FALSE, LIT_TRUE, LIT_NULL, LIT_NONE };

/* The literal at offset p (5 bytes readable: the padding). */
static inline int literal(const walk *w, size_t p)
{
    const uint8_t *s = w->buf + p;
    if (memcmp(s, "true", 4) == 0 && ends(w, p, 4))
        return LIT_TRUE;
    if (memcmp(s, "false", 5) == 0 && ends(w, p, 5))
        return LIT_FALSE;
    if (memcmp(s, "null", 4) == 0 && ends(w, p, 4))
        return LIT_NULL;
    return LIT_NONE;
}

/* ---- values no field takes: validated only ---- */

static tok skip_value(walk *w, tok t);

/* The end of an object: its unknown keys have no duplicate; forgotten. */
static bool close_object(walk *w, uint32_t uk, size_t ub)
{
    cars_reader *r = w->r;
    bool ok = r->nukeys - uk < 2 || !cars_rd_unknown_dup(r, uk);
    cars_rd_forget_keys(r, uk, ub);
    w->depth--;
    return ok;
}

/* A key at t: its text, or false (not a string, or no ':' after it). */
static inline bool key_at(walk *w, tok t, const uint8_t **k, size_t *n)
{
    if (w->buf[*t] != '"') {
        w->why = "a key is not a string";
        w->at = *t;
        return false;
    }
    if (!string_text(w, t, k, n))
        return false;
    if (w->buf[t[1]] != ':') {
        w->why = "no ':' after a key";
        w->at = t[1];
        return false;
    }
    return true;
}

/* The object whose '{' is at *t has no member: true, *t past its '}';
 * else false, *t at its first key. */
static inline bool empty_object(const walk *w, tok *t)
{
    bool empty = w->buf[*++*t] == '}';
    *t += empty;
    return empty;
}

/* After a member at *t: true if it was its object's last (*t past the
 * '}'), else false (*t past the ',' before the next member, or NULL when
 * neither follows: refused). */
static inline bool last_member(walk *w, tok *t)
{
    uint8_t c = w->buf[**t];
    if (__builtin_expect(c == ',', 1)) {
        ++*t;
        return false;
    }
    if (c == '}') {
        ++*t;
        return true;
    }
    *t = refuse_at(w, "no ',' or '}' after a member", **t);
    return false;
}

/* An unknown key: remembered, its value validated. */
static tok unknown_member(walk *w, tok t, const uint8_t *k, size_t n)
{
    if (!w->grammar && !cars_rd_remember_key(w->r, (const char *)k, n))
        return refuse(w, "out of memory");
    return skip_value(w, t);
}

static tok skip_object(walk *w, tok t)
{
    cars_reader *r = w->r;
    uint32_t uk = r->nukeys;
    size_t ub = r->ukbuf_len;
    for (bool last = empty_object(w, &t); !last; last = last_member(w, &t)) {
        const uint8_t *k;
        size_t n;
        if (!t || !key_at(w, t, &k, &n) || !(t = unknown_member(w, t + 2, k, n)))
            return NULL;
    }
    return close_object(w, uk, ub) ? t : refuse(w, "duplicate key");
}

static tok skip_array(walk *w, tok t)
{
    if (w->buf[*++t] == ']') {
        w->depth--;
        return t + 1;
    }
    for (;;) {
        if (!(t = skip_value(w, t)))
            return NULL;
        uint8_t c = w->buf[*t++];
        if (c == ']') {
            w->depth--;
            return t;
        }
        if (c != ',')
            return refuse_at(w, "no ',' or ']' after an element", t[-1]);
    }
}

static tok skip_value(walk *w, tok t)
{
    size_t p = *t;
    const uint8_t *s;
    size_t n;
    switch (w->buf[p]) {
    case '{':
    case '[':
        if (++w->depth > CARS_READER_MAX_DEPTH)
            return refuse(w, REFUSED);
        return w->buf[p] == '{' ? skip_object(w, t) : skip_array(w, t);
    case '"':
        return string_text(w, t, &s, &n) ? t + 1 : NULL;
    case 't':
    case 'f':
    case 'n':
        return literal(w, p) != LIT_NONE ? t + 1 : refuse_at(w, "not a JSON literal", p);
    default:
        return number_at(w, p) ? t + 1 : refuse_at(w, "not a JSON value", p);
    }
}

/* ---- values of the schema's fields ---- */

/* A scalar value at t for field f (a top-level field's or an element
 * field's, not a list), into slot v; null is the caller's. */
static inline __attribute__((always_inline)) tok scalar(walk *w, tok t, const cars_pfield *f, uint8_t type,
                                                        cars_value *v)
{
    size_t p = *t, k;
    const uint8_t *s;
    int ok;
    switch (type) {
    case CARS_FT_BOOL:
        if ((ok = literal(w, p)) > LIT_TRUE)
            return refuse(w, REFUSED);
        v->i = ok;
        break;
    case CARS_FT_INTEGER:
        if (!int_at(w, p, f, &v->i))
            return refuse(w, REFUSED);
        break;
    case CARS_FT_NUMBER:
        if (double_at(w, p, f, &v->f) <= 0)
            return refuse(w, REFUSED);
        break;
    case CARS_FT_STRING:
        if (w->buf[p] != '"' || !string_text(w, t, &s, &k))
            return refuse(w, REFUSED);
        v->i = 0;
        break;
    case CARS_FT_DATE:
        if (w->buf[p] != '"' || !string_text(w, t, &s, &k) || !cars_date_parse((const char *)s, k, &v->i))
            return refuse(w, REFUSED);
        break;
    case CARS_FT_COUNTRY:
        if (w->buf[p] != '"' || !string_text(w, t, &s, &k) || !cars_rd_country_value((const char *)s, k, &v->i))
            return refuse(w, REFUSED);
        break;
    case CARS_FT_ENUM: {
        int64_t m;
        if (w->buf[p] != '"' || !string_text(w, t, &s, &k) ||
            (m = cars_rd_enum_member(w->r, f, (const char *)s, k, key_prefix(s, k))) < 0)
            return refuse(w, REFUSED);
        v->i = m;
        break;
    }
    default:
        return refuse(w, REFUSED);
    }
    v->known = true;
    return t + 1;
}

static tok list(walk *w, tok t, int32_t lf);
static tok object(walk *w, tok t, int32_t node);

/* The value at t of the top-level field of e (its entry in its object's table). */
static tok field_value(walk *w, tok t, const cars_rd_pslot *e)
{
    cars_reader *r = w->r;
    const int32_t f = e->field;
    const cars_pfield *pf = &w->fields[f];
    cars_value *v = &w->v[f];
    size_t p = *t;
    if (w->buf[p] == 'n') { /* null = absent */
        if (literal(w, p) != LIT_NULL)
            return refuse(w, REFUSED);
        v->known = false;
        return t + 1;
    }
    if (e->type == CARS_FT_STRING) {
        const uint8_t *s;
        size_t n;
        if (w->buf[p] != '"')
            return refuse(w, REFUSED);
        if (!string_text(w, t, &s, &n))
            return NULL;
        cars_rd_string_field(r, f, s, n, true);
        v->i = 0;
        v->known = true;
        t++;
    } else if (e->type == CARS_FT_LIST) {
        if (w->buf[p] != '[')
            return refuse(w, REFUSED);
        v->known = true;
        v->i = 0;
        r->lists[f].n = 0;
        w->nreq += e->req;
        return list(w, t, f);
    } else if (!(t = scalar(w, t, pf, e->type, v))) {
        return NULL;
    }
    w->nreq += e->req;
    return t;
}

/* The value at t of object node c: an object, or null (absent). */
static tok node_value(walk *w, tok t, int32_t c)
{
    if (w->buf[*t] == '{')
        return object(w, t, c);
    return literal(w, *t) == LIT_NULL ? t + 1 : refuse(w, REFUSED);
}

/* An object of the schema at t: trie node `node` (0: the record). */
static tok object(walk *w, tok t, int32_t node)
{
    cars_reader *r = w->r;
    if (++w->depth > CARS_READER_MAX_DEPTH)
        return refuse(w, REFUSED);
    uint32_t uk = r->nukeys;
    size_t ub = r->ukbuf_len;
    const cars_rd_node nd = r->nodes[node]; /* its table, in registers across the stores below */
    for (bool last = empty_object(w, &t); !last; last = last_member(w, &t)) {
        const uint8_t *k;
        size_t n;
        if (!t || !key_at(w, t, &k, &n))
            return NULL;
        const cars_rd_pslot *e = cars_rd_child_slot(r, node, &nd, (const char *)k, n, key_prefix(k, n));
        t += 2;
        if (!e) {
            t = unknown_member(w, t, k, n);
        } else if (r->seen[e->node] == r->gen) {
            return refuse(w, "duplicate key");
        } else {
            r->seen[e->node] = r->gen;
            t = e->field >= 0 ? field_value(w, t, e) : node_value(w, t, e->node);
        }
        if (!t)
            return NULL;
    }
    if (!close_object(w, uk, ub))
        return refuse(w, "duplicate key");
    /* the record: every required top-level field had a value */
    return node == 0 && w->nreq != r->nreq ? refuse(w, REFUSED) : t;
}

/* The element field of list field lf named k, or -1: tried from `from`
 * on, as elements tend to keep their fields' order. */
static inline int32_t elem_field(const cars_reader *r, const cars_pfield *lf, const uint8_t *k, size_t n,
                                 uint64_t pre, uint32_t from)
{
    const cars_pfield *ef = &r->p->elem_fields[lf->elems_first];
    const uint64_t *epre = &r->epre[lf->elems_first];
    for (uint32_t i = 0, e = from; i < lf->elems_n; i++, e++) {
        if (e >= lf->elems_n)
            e = 0;
        if (epre[e] == pre && ef[e].path.len == n && (n <= 8 || cars_rd_tail_eq(ef[e].path.p, (const char *)k, n)))
            return (int32_t)e;
    }
    return -1;
}

/* The slots of the element fields of lf that the element did not name:
 * zeroed (absent). */
static void zero_unseen(const cars_reader *r, const cars_pfield *lf, cars_value *slots)
{
    const uint32_t *eseen = &r->eseen[lf->elems_first];
    for (uint32_t e = 0; e < lf->elems_n; e++)
        if (eseen[e] != r->egen)
            memset(&slots[e], 0, sizeof slots[e]);
}

/* The value at t of element field e (of lf), into its slot; *nreq counts
 * the required fields given a value. */
static tok elem_value(walk *w, tok t, const cars_pfield *lf, uint32_t e, cars_value *slots, uint32_t *nreq)
{
    cars_reader *r = w->r;
    uint32_t idx = lf->elems_first + e;
    if (r->eseen[idx] == r->egen)
        return refuse(w, "duplicate key");
    r->eseen[idx] = r->egen;
    const cars_pfield *ef = &r->p->elem_fields[idx];
    if (w->buf[*t] != 'n') {
        *nreq += ef->flags & CARS_FF_REQUIRED;
        return scalar(w, t, ef, ef->type, &slots[e]);
    }
    if (literal(w, *t) != LIT_NULL)
        return refuse(w, REFUSED);
    memset(&slots[e], 0, sizeof slots[e]); /* null = absent */
    return t + 1;
}

/* An element object at t of list field lf (lreq of its element fields
 * required), into slots (not zeroed: every slot is written, or zeroed when
 * its field is absent). */
static tok element(walk *w, tok t, const cars_pfield *lf, uint32_t lreq, cars_value *slots)
{
    cars_reader *r = w->r;
    if (++w->depth > CARS_READER_MAX_DEPTH)
        return refuse(w, REFUSED);
    uint32_t uk = r->nukeys, from = 0, nseen = 0, nreq = 0;
    size_t ub = r->ukbuf_len;
    for (bool last = empty_object(w, &t); !last; last = last_member(w, &t)) {
        const uint8_t *k;
        size_t n;
        if (!t || !key_at(w, t, &k, &n))
            return NULL;
        int32_t e = elem_field(r, lf, k, n, key_prefix(k, n), from);
        t += 2;
        if (e < 0) {
            t = unknown_member(w, t, k, n);
        } else {
            from = (uint32_t)e + 1;
            nseen++;
            t = elem_value(w, t, lf, (uint32_t)e, slots, &nreq);
        }
        if (!t)
            return NULL;
    }
    if (!close_object(w, uk, ub))
        return refuse(w, "duplicate key");
    if (nreq != lreq) /* a required element field had no value */
        return refuse(w, REFUSED);
    if (nseen != lf->elems_n)
        zero_unseen(r, lf, slots);
    return t;
}

/* The array at t of list field lf: its elements into the list's slots. */
static tok list(walk *w, tok t, int32_t lf)
{
    cars_reader *r = w->r;
    const cars_pfield *lfp = &r->p->fields[lf];
    if (++w->depth > CARS_READER_MAX_DEPTH)
        return refuse(w, REFUSED);
    uint32_t count = 0, lreq = r->lreq[lf];
    if (w->buf[*++t] != ']') {
        for (;;) {
            if (w->buf[*t] != '{' || count >= CARS_READER_MAX_ELEMS)
                return refuse(w, REFUSED);
            count++;
            cars_value *slots = cars_rd_elem_next(r, lf);
            if (!slots)
                return refuse(w, "out of memory");
            if (!(t = element(w, t, lfp, lreq, slots)))
                return NULL;
            uint8_t c = w->buf[*t];
            if (c == ']')
                break;
            if (c != ',')
                return refuse_at(w, "no ',' or ']' after an element", *t);
            t++;
        }
    }
    r->v[lf].i = count;
    w->depth--;
    return t + 1;
}

enum cars_rd_simd_result cars_rd_walk_line(cars_reader *r, const char *line, size_t len, bool padded,
                                           const char **why)
{
    cars_rd_index ix;
    enum cars_rd_simd_result res = cars_rd_simd_index(r->simd, line, len, padded, &ix, why);
    if (res != CARS_RD_SIMD_DONE)
        return res;
    if (ix.buf[ix.ix[0]] != '{') {
        *why = "not a JSON object";
        return CARS_RD_SIMD_REFUSED;
    }
    walk w = {r, ix.buf, ix.len, ix.sbuf, r->simd, REFUSED, !memchr(ix.buf, '\\', ix.len), 0, 0, SIZE_MAX, false, r->p->fields, r->v};
    tok end = object(&w, ix.ix, 0);
    if (!end) {
        *why = w.why;
        return r->oom ? CARS_RD_SIMD_OOM : CARS_RD_SIMD_REFUSED;
    }
    if (end != ix.ix + ix.n) {
        *why = "content after the object";
        return CARS_RD_SIMD_REFUSED;
    }
    return CARS_RD_SIMD_DONE;
}

/* The opening quote of a string the line leaves open, or SIZE_MAX. */
static size_t open_string(const char *line, size_t len)
{
    size_t open = SIZE_MAX;
    for (size_t i = 0; i < len; i++) {
        if (open != SIZE_MAX && line[i] == '\\')
            i++;
        else if (line[i] == '"')
            open = open == SIZE_MAX ? i : SIZE_MAX;
    }
    return open;
}

size_t cars_rd_syntax_error_at(cars_reader *r, const char *line, size_t len)
{
    cars_rd_index ix;
    const char *why;
    enum cars_rd_simd_result res = cars_rd_simd_index(r->simd, line, len, false, &ix, &why);
    if (res == CARS_RD_SIMD_REFUSED)
        return open_string(line, len); /* a string left open, or bad bytes (worded before this) */
    if (res == CARS_RD_SIMD_OOM)
        r->oom = true; /* fatal, as anywhere in reading a line */
    if (res != CARS_RD_SIMD_DONE || ix.n == 0)
        return SIZE_MAX;
    walk w = {r, ix.buf, ix.len, ix.sbuf, r->simd, REFUSED, !memchr(ix.buf, '\\', ix.len), 0, 0, SIZE_MAX, true, r->p->fields, r->v};
    tok end = skip_value(&w, ix.ix);
    if (!end)
        return w.at; /* SIZE_MAX when a limit (depth) stopped it first */
    return end != ix.ix + ix.n ? *end : SIZE_MAX;
}

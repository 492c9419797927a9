/* output.c - routing lines as JSON. Strings are escaped here (quotes,
 * backslash, control characters; valid UTF-8 kept as is, invalid bytes
 * replaced by U+FFFD: a last line of defence only, since the reader refuses
 * lines that are not UTF-8 and reports no id whose text is invalid) and the
 * explanation sentence is built from the rules' says texts. Buffers grow and are reused: nothing is allocated per record in
 * steady state. */
#include "output.h"

#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "hex.h"
#include "json.h"

/* cars_buf_put, inline when there is room. */
static inline void put(cars_buf *b, const void *s, size_t n)
{
    if (n <= b->cap - b->len) {
        if (n)
            memcpy(b->p + b->len, s, n);
        b->len += n;
    } else {
        cars_buf_put(b, s, n);
    }
}

#define PUTL(b, lit) put((b), (lit), sizeof(lit) - 1) /* a string literal */

/* v in decimal at o (20 digits at most); returns the end. */
static char *decimal(char *o, uint64_t v)
{
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(o, tmp + i, sizeof tmp - i);
    return o + (sizeof tmp - i);
}

static void put_u(cars_buf *b, uint64_t v)
{
    char d[20];
    put(b, d, (size_t)(decimal(d, v) - d));
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    unsigned cp = c & (0x3F >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Appends s escaped for the inside of a JSON string literal. */
static void json_chars(cars_buf *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        for (uint64_t x; i + 8 <= n; i += 8) {
            memcpy(&x, s + i, 8);
            if (cars_json_special8(x))
                break;
        }
        while (i < n && cars_json_plain_byte[s[i]])
            i++;
        put(b, s + start, i - start);
        if (i >= n)
            break;
        unsigned c = s[i];
        if (c >= 0x80) {
            size_t len = utf8_len(s + i, n - i);
            if (len) {
                put(b, s + i, len);
                i += len;
            } else {
                PUTL(b, "\xef\xbf\xbd");
                i++;
            }
            continue;
        }
        char esc[6] = {'\\', 'u', '0', '0'};
        switch (c) {
        case 0x7f: PUTL(b, "\x7f"); break; /* DEL: JSON allows it as is */
        case '"': PUTL(b, "\\\""); break;
        case '\\': PUTL(b, "\\\\"); break;
        case '\n': PUTL(b, "\\n"); break;
        case '\r': PUTL(b, "\\r"); break;
        case '\t': PUTL(b, "\\t"); break;
        case '\b': PUTL(b, "\\b"); break;
        case '\f': PUTL(b, "\\f"); break;
        default:
            cars_hex_byte((uint8_t)c, false, esc + 4);
            put(b, esc, 6);
        }
        i++;
    }
}

void cars_json_string(cars_buf *b, const char *s, size_t n)
{
    PUTL(b, "\"");
    json_chars(b, s, n);
    PUTL(b, "\"");
}

static void outcome_label(cars_buf *b, int outcome)
{
    switch (outcome) {
    case CARS_OUT_NCXDR: PUTL(b, "Non-complex (NCXDR)"); break;
    case CARS_OUT_NCXPCA: PUTL(b, "Non-complex (NCXPCA)"); break;
    case CARS_OUT_CXDR: PUTL(b, "Complex (CXDR)"); break;
    case CARS_OUT_CXPCA: PUTL(b, "Complex (CXPCA)"); break;
    case CARS_OUT_NONE: PUTL(b, "No complexity rating"); break;
    default: PUTL(b, "Invalid record");
    }
}

/* Text from the bundle (titles, ids, tier names), escaped if `esc`. */
static void put_text(cars_buf *b, cars_str s, bool esc)
{
    if (esc)
        json_chars(b, s.p, s.len);
    else
        put(b, s.p, s.len);
}

/* "says (ID)": a rule's text for the decision maker */
static void rule_said(cars_buf *b, const cars_prule *x, bool esc)
{
    put_text(b, x->says, esc && !x->plain);
    PUTL(b, " (");
    put_text(b, x->id, esc && !x->plain);
    PUTL(b, ")");
}

static void tier_name(cars_buf *b, const cars_program *p, uint32_t t, bool esc)
{
    PUTL(b, "Tier ");
    if (t < p->ntiers)
        put_text(b, p->tiers[t], esc);
}

/* " in Tier X": what follows a count of tier t */
static void in_tier(cars_buf *b, const cars_program *p, uint32_t t, bool esc)
{
    PUTL(b, " in ");
    tier_name(b, p, t, esc);
}

/* " (needs at least N, at least K in Tier X)": what threshold th asks */
static void threshold_needs(cars_buf *b, const cars_program *p, const cars_pthreshold *th, bool esc)
{
    PUTL(b, " (needs at least ");
    put_u(b, th->at_least);
    for (uint32_t t = 0; t < CARS_MAX_TIERS; t++)
        if (th->tier_min[t]) {
            PUTL(b, ", at least ");
            put_u(b, th->tier_min[t]);
            in_tier(b, p, t, esc);
        }
    PUTL(b, ")");
}

/* ,"outcome":"NAME","rules":[ */
static void outcome_head(cars_buf *b, int outcome)
{
    PUTL(b, ",\"outcome\":\"");
    const char *name = cars_outcome_name((unsigned)outcome);
    put(b, name, strlen(name));
    PUTL(b, "\",\"rules\":[");
}

/* "ID": a rule in the rules array */
static void rule_id(cars_buf *b, const cars_prule *x)
{
    if (x->plain) {
        PUTL(b, "\"");
        put(b, x->id.p, x->id.len);
        PUTL(b, "\"");
    } else {
        cars_json_string(b, x->id.p, x->id.len);
    }
}

/* ],"explanation":"LABEL: (the explanation up to what decided) */
static void explanation_head(cars_buf *b, int outcome)
{
    PUTL(b, "],\"explanation\":\"");
    outcome_label(b, outcome);
    PUTL(b, ": ");
}

/* .","release":"ID"}\n */
static void line_tail(cars_buf *b, const cars_program *p)
{
    PUTL(b, ".\",\"release\":");
    cars_json_string(b, p->release_id.p, p->release_id.len);
    PUTL(b, "}\n");
}

/* "says (ID); says (ID)": the rules that decided */
static void rule_list(cars_buf *b, const cars_program *p, const cars_result *r, bool esc)
{
    for (uint32_t k = 0; k < r->nrules; k++) {
        if (k)
            PUTL(b, "; ");
        rule_said(b, &p->rules[r->rules[k]], esc);
    }
}

/* "N multiple PCAs matched, K in Tier X (needs at least ...)": a threshold's count */
static void threshold_count(cars_buf *b, const cars_program *p, const cars_result *r, bool esc)
{
    const cars_pthreshold *th = &p->thresholds[r->threshold];
    uint32_t per[CARS_MAX_TIERS] = {0};
    for (uint32_t k = 0; k < r->nrules; k++) {
        uint8_t tier = p->rules[r->rules[k]].tier;
        if (tier < CARS_MAX_TIERS)
            per[tier]++;
    }
    put_u(b, r->nrules);
    if (r->nrules == 1)
        PUTL(b, " multiple PCA matched");
    else
        PUTL(b, " multiple PCAs matched");
    for (uint32_t k = 0; k < CARS_MAX_TIERS; k++)
        if (th->tier_min[k]) {
            PUTL(b, ", ");
            put_u(b, per[k]);
            in_tier(b, p, k, esc);
        }
    threshold_needs(b, p, th, esc);
}

/* The explanation after "LABEL: ", without its final '.'. */
static void explain_body(cars_buf *b, const cars_program *p, const cars_result *r, bool esc)
{
    if (r->threshold < p->nthresholds) {
        threshold_count(b, p, r, esc);
        if (r->nrules) {
            PUTL(b, ": ");
            rule_list(b, p, r, esc);
        }
    } else if (r->nrules) {
        rule_list(b, p, r, esc);
    } else {
        PUTL(b, "no rule matched");
    }
}

void cars_explain(cars_buf *b, const cars_program *p, const cars_result *r)
{
    outcome_label(b, r->outcome);
    PUTL(b, ": ");
    explain_body(b, p, r, false);
    PUTL(b, ".");
}

static void put_id(cars_buf *b, const cars_str *id)
{
    PUTL(b, "{\"id\":");
    if (id)
        cars_json_string(b, id->p, id->len);
    else
        PUTL(b, "null");
}

void cars_output_result(cars_buf *b, const cars_program *p, const cars_str *id, const cars_result *r)
{
    put_id(b, id);
    outcome_head(b, r->outcome);
    for (uint32_t k = 0; k < r->nrules; k++) {
        if (k)
            PUTL(b, ",");
        rule_id(b, &p->rules[r->rules[k]]);
    }
    explanation_head(b, r->outcome);
    explain_body(b, p, r, true);
    line_tail(b, p);
}

/* ---- the same pieces, written once per release -------------------------------
 * A routing line is mostly the release's own text: each rule's id and
 * explanation, each outcome's name and label, what each threshold needs.
 * cars_outtext holds them as a line would (JSON-escaped), so that a line
 * copies them rather than building them again. A piece that is one of a
 * list ends with the list's separator (a rule's id with ",", its
 * explanation with "; "): the line takes back the last one's. */
typedef struct span {
    size_t off, len; /* in cars_outtext's text */
} span;

struct cars_outtext {
    const cars_program *p;
    cars_buf text;
    span head[CARS_OUT_ERROR + 1]; /* outcome_head */
    span expl[CARS_OUT_ERROR + 1]; /* explanation_head */
    span matched[2];               /* " multiple PCA(s) matched, ": for 1 rule, for any other count */
    span in_tier[CARS_MAX_TIERS];  /* in_tier, then ", " */
    span tail;                     /* line_tail */
    span *id, *said;               /* per rule: rule_id then ","; rule_said then "; " */
    span *needs;                   /* per threshold: threshold_needs then ": " */
    uint8_t *mins;                 /* per threshold: bit k set if it asks a count of tier k */
    size_t most, most_rule;        /* a line's bytes at most, besides its id; a rule's */
};
_Static_assert(CARS_MAX_TIERS <= 8, "mins has a bit for each tier");

/* A piece is copied 32 bytes first, then 16 at a time, so the text has 32
 * readable bytes after each piece and a line is given room for 32 more than
 * it needs. */
#define COPY_STEP 16
#define COPY_SLACK (2 * COPY_STEP)

static size_t longest(const span *s, size_t n)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (s[k].len > m)
            m = s[k].len;
    return m;
}

/* What bounds a line's length: everything but its id and its rules (10
 * digits a count), and what each rule adds (its id, its explanation and
 * their separators). */
static void measure(cars_outtext *t, const cars_program *p)
{
    size_t counts = 10 + longest(t->matched, 2) + CARS_MAX_TIERS * (10 + longest(t->in_tier, CARS_MAX_TIERS));
    t->most = longest(t->head, CARS_OUT_ERROR + 1) + longest(t->expl, CARS_OUT_ERROR + 1) + t->tail.len + counts +
              longest(t->needs, p->nthresholds) + sizeof "no rule matched" + 64 + COPY_SLACK;
    t->most_rule = longest(t->id, p->nrules) + longest(t->said, p->nrules);
}

/* The span of t's text from `off` to its end. */
static span since(const cars_outtext *t, size_t off) { return (span){off, t->text.len - off}; }

cars_outtext *cars_outtext_new(const cars_program *p)
{
    cars_outtext *t = cars_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->p = p;
    t->id = cars_calloc((size_t)p->nrules + 1, sizeof *t->id);
    t->said = cars_calloc((size_t)p->nrules + 1, sizeof *t->said);
    t->needs = cars_calloc((size_t)p->nthresholds + 1, sizeof *t->needs);
    t->mins = cars_calloc((size_t)p->nthresholds + 1, sizeof *t->mins);
    if (!t->id || !t->said || !t->needs || !t->mins) {
        cars_outtext_free(t);
        return NULL;
    }
    cars_buf *b = &t->text;
    size_t o;
    for (int k = 0; k <= CARS_OUT_ERROR; k++) {
        o = b->len, outcome_head(b, k), t->head[k] = since(t, o);
        o = b->len, explanation_head(b, k), t->expl[k] = since(t, o);
    }
    o = b->len, PUTL(b, " multiple PCA matched, "), t->matched[0] = since(t, o);
    o = b->len, PUTL(b, " multiple PCAs matched, "), t->matched[1] = since(t, o);
    for (uint32_t k = 0; k < CARS_MAX_TIERS; k++)
        o = b->len, in_tier(b, p, k, true), PUTL(b, ", "), t->in_tier[k] = since(t, o);
    o = b->len, line_tail(b, p), t->tail = since(t, o);
    for (uint32_t r = 0; r < p->nrules; r++) {
        o = b->len, rule_id(b, &p->rules[r]), PUTL(b, ","), t->id[r] = since(t, o);
        o = b->len, rule_said(b, &p->rules[r], true), PUTL(b, "; "), t->said[r] = since(t, o);
    }
    for (uint32_t k = 0; k < p->nthresholds; k++) {
        o = b->len, threshold_needs(b, p, &p->thresholds[k], true), PUTL(b, ": "), t->needs[k] = since(t, o);
        for (uint32_t x = 0; x < CARS_MAX_TIERS; x++)
            if (p->thresholds[k].tier_min[x])
                t->mins[k] |= (uint8_t)(1u << x);
    }
    cars_buf_reserve(b, COPY_SLACK); /* zeros after the last piece */
    measure(t, p);
    if (b->failed) {
        cars_outtext_free(t);
        return NULL;
    }
    return t;
}

void cars_outtext_free(cars_outtext *t)
{
    if (!t)
        return;
    cars_buf_free(&t->text);
    cars_free(t->id);
    cars_free(t->said);
    cars_free(t->needs);
    cars_free(t->mins);
    cars_free(t);
}

/* ---- writing a line from t's pieces --------------------------------------------
 * cars_output_routed makes room for the whole line once; after that the line
 * is written through a pointer, each piece copied without a check. */

/* Copies piece s of t to o; returns the end of the copy. */
static inline char *copy(char *o, const cars_outtext *t, span s)
{
    const char *from = t->text.p + s.off;
    memcpy(o, from, COPY_SLACK); /* most pieces whole */
    for (size_t k = COPY_SLACK; k < s.len; k += COPY_STEP)
        memcpy(o + k, from + k, COPY_STEP);
    return o + s.len;
}

/* A count in decimal (10 digits at most): one digit, as most are, by itself. */
static char *count(char *o, uint32_t v)
{
    if (v < 10) {
        *o = (char)('0' + v);
        return o + 1;
    }
    return decimal(o, v);
}

/* The id's text escaped, at o (b's end is moved there when json_chars is
 * needed). An id of 8 bytes or more is copied 8 bytes at a time (the last 8
 * overlapping the others), never reading outside it, and kept if no byte
 * needed escaping, as is usual. */
static char *id_chars(cars_buf *b, char *o, const char *s, size_t n)
{
    if (n >= 8) {
        uint64_t x, special = 0;
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, s + i, 8);
            special |= cars_json_special8(x);
            memcpy(o + i, &x, 8);
        }
        memcpy(&x, s + n - 8, 8);
        special |= cars_json_special8(x);
        memcpy(o + n - 8, &x, 8);
        if (!special)
            return o + n;
    }
    b->len = (size_t)(o - b->p);
    json_chars(b, s, n);
    return b->p + b->len;
}

/* threshold_count from t's pieces, and the ": " before the rules. */
static char *routed_count(char *o, const cars_outtext *t, const cars_result *r)
{
    const cars_program *p = t->p;
    uint32_t per[CARS_MAX_TIERS] = {0};
    for (uint32_t k = 0; k < r->nrules; k++) {
        uint8_t tier = p->rules[r->rules[k]].tier;
        if (tier < CARS_MAX_TIERS)
            per[tier]++;
    }
    o = count(o, r->nrules);
    o = copy(o, t, t->matched[r->nrules != 1]);
    for (unsigned m = t->mins[r->threshold]; m; m &= m - 1) { /* the tiers it asks for, in order */
        int k = __builtin_ctz(m);
        o = count(o, per[k]);
        o = copy(o, t, t->in_tier[k]);
    }
    return copy(o - 2, t, t->needs[r->threshold]); /* without the last ", " */
}

void cars_output_routed(cars_buf *b, const cars_outtext *t, const cars_str *id, const cars_result *r)
{
    const cars_program *p = t->p;
    size_t most = t->most + (id ? 6 * (size_t)id->len : 0) + r->nrules * t->most_rule;
    if (r->outcome > CARS_OUT_ERROR /* no piece for it (the verifier allows no such outcome) */
        || (most > b->cap - b->len && !cars_buf_grow(b, most))) {
        cars_output_result(b, p, id, r); /* out of memory: the buffer is marked failed */
        return;
    }
    char *o = b->p + b->len;
    if (id) {
        memcpy(o, "{\"id\":\"", 8); /* its NUL overwritten next */
        o = id_chars(b, o + 7, id->p, id->len);
        *o++ = '"';
    } else {
        memcpy(o, "{\"id\":null", 10);
        o += 10;
    }
    o = copy(o, t, t->head[r->outcome]);
    for (uint32_t k = 0; k < r->nrules; k++)
        o = copy(o, t, t->id[r->rules[k]]);
    if (r->nrules)
        o--; /* the last ',' */
    o = copy(o, t, t->expl[r->outcome]);
    bool counted = r->threshold < p->nthresholds;
    if (counted)
        o = routed_count(o, t, r);
    for (uint32_t k = 0; k < r->nrules; k++)
        o = copy(o, t, t->said[r->rules[k]]);
    if (counted || r->nrules) {
        o -= 2; /* the last "; ", or the count's ": " when no rule follows */
    } else {
        memcpy(o, "no rule matched", 15);
        o += 15;
    }
    o = copy(o, t, t->tail);
    b->len = (size_t)(o - b->p);
}

size_t cars_explain_error(char out[CARS_EXPLAIN_ERROR_SIZE], const char *error)
{
    int m = snprintf(out, CARS_EXPLAIN_ERROR_SIZE, "Invalid record: %s.", error);
    return m > 0 && (size_t)m < CARS_EXPLAIN_ERROR_SIZE ? (size_t)m : CARS_EXPLAIN_ERROR_SIZE - 1;
}

void cars_output_error(cars_buf *b, const cars_program *p, const cars_str *id, const char *error, uint64_t line)
{
    put_id(b, id);
    PUTL(b, ",\"outcome\":\"ERROR\",\"rules\":[],\"explanation\":");
    size_t n = strlen(error);
    char local[CARS_EXPLAIN_ERROR_SIZE];
    cars_json_string(b, local, cars_explain_error(local, error));
    PUTL(b, ",\"release\":");
    cars_json_string(b, p->release_id.p, p->release_id.len);
    PUTL(b, ",\"error\":");
    cars_json_string(b, error, n);
    PUTL(b, ",\"line\":");
    put_u(b, line);
    PUTL(b, "}\n");
}

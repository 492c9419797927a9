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

static void put_u(cars_buf *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(b, tmp + i, sizeof tmp - i);
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

/* ---- the same pieces, written once per release -------------------------------
 * A routing line is mostly the release's own text: each rule's id and
 * explanation, each outcome's name and label, what each threshold needs.
 * cars_outtext holds them as a line would (JSON-escaped), so that a line
 * copies them rather than building them again. */
typedef struct span {
    size_t off, len; /* in cars_outtext's text */
} span;

struct cars_outtext {
    const cars_program *p;
    cars_buf text;
    span head[CARS_OUT_ERROR + 1]; /* outcome_head */
    span expl[CARS_OUT_ERROR + 1]; /* explanation_head */
    span in_tier[CARS_MAX_TIERS];  /* in_tier */
    span tail;                     /* line_tail */
    span *id, *said;               /* per rule: rule_id, rule_said */
    span *needs;                   /* per threshold: threshold_needs */
    size_t most, most_rule;        /* a line's bytes at most, besides its id; a rule's */
};

/* Copies are made 16 bytes at a time, so the text has 16 readable bytes
 * after each piece and a line is given room for 16 more than it needs. */
#define COPY_STEP 16

static size_t longest(const span *s, size_t n)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (s[k].len > m)
            m = s[k].len;
    return m;
}

/* What bounds a line's length: everything but its id and its rules, and
 * what each rule adds (its id, its explanation and their separators). */
static void measure(cars_outtext *t, const cars_program *p)
{
    size_t counts = 24 + sizeof " multiple PCAs matched" + CARS_MAX_TIERS * (2 + 24 + longest(t->in_tier, CARS_MAX_TIERS));
    t->most = longest(t->head, CARS_OUT_ERROR + 1) + longest(t->expl, CARS_OUT_ERROR + 1) + t->tail.len + counts +
              longest(t->needs, p->nthresholds) + sizeof "no rule matched" + 64 + 2 * COPY_STEP;
    t->most_rule = longest(t->id, p->nrules) + longest(t->said, p->nrules) + 4;
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
    if (!t->id || !t->said || !t->needs) {
        cars_outtext_free(t);
        return NULL;
    }
    cars_buf *b = &t->text;
    size_t o;
    for (int k = 0; k <= CARS_OUT_ERROR; k++) {
        o = b->len, outcome_head(b, k), t->head[k] = since(t, o);
        o = b->len, explanation_head(b, k), t->expl[k] = since(t, o);
    }
    for (uint32_t k = 0; k < CARS_MAX_TIERS; k++)
        o = b->len, in_tier(b, p, k, true), t->in_tier[k] = since(t, o);
    o = b->len, line_tail(b, p), t->tail = since(t, o);
    for (uint32_t r = 0; r < p->nrules; r++) {
        o = b->len, rule_id(b, &p->rules[r]), t->id[r] = since(t, o);
        o = b->len, rule_said(b, &p->rules[r], true), t->said[r] = since(t, o);
    }
    for (uint32_t k = 0; k < p->nthresholds; k++)
        o = b->len, threshold_needs(b, p, &p->thresholds[k], true), t->needs[k] = since(t, o);
    cars_buf_reserve(b, COPY_STEP); /* zeros after the last piece */
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
    cars_free(t);
}

/* Appends piece s of t: the line has room for it (result_line made it). */
static inline void put_span(cars_buf *b, const cars_outtext *t, span s)
{
    const char *from = t->text.p + s.off;
    char *to = b->p + b->len;
    for (size_t k = 0; k < s.len; k += COPY_STEP)
        memcpy(to + k, from + k, COPY_STEP);
    b->len += s.len;
}

/* ---- writing a line: from the pieces of t when it is given, else made here --- */

static void said(cars_buf *b, const cars_program *p, const cars_outtext *t, uint32_t r, bool esc)
{
    if (t)
        put_span(b, t, t->said[r]);
    else
        rule_said(b, &p->rules[r], esc);
}

/* "says (ID); says (ID)": the rules that decided */
static void rule_list(cars_buf *b, const cars_program *p, const cars_outtext *t, const cars_result *r, bool esc)
{
    for (uint32_t k = 0; k < r->nrules; k++) {
        if (k)
            PUTL(b, "; ");
        said(b, p, t, r->rules[k], esc);
    }
}

/* "N multiple PCAs matched, K in Tier X (needs at least ...)": a threshold's count */
static void threshold_count(cars_buf *b, const cars_program *p, const cars_outtext *t, const cars_result *r,
                            bool esc)
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
            if (t)
                put_span(b, t, t->in_tier[k]);
            else
                in_tier(b, p, k, esc);
        }
    if (t)
        put_span(b, t, t->needs[r->threshold]);
    else
        threshold_needs(b, p, th, esc);
}

/* The explanation after "LABEL: ", without its final '.'. */
static void explain_body(cars_buf *b, const cars_program *p, const cars_outtext *t, const cars_result *r, bool esc)
{
    if (r->threshold < p->nthresholds) {
        threshold_count(b, p, t, r, esc);
        if (r->nrules) {
            PUTL(b, ": ");
            rule_list(b, p, t, r, esc);
        }
    } else if (r->nrules) {
        rule_list(b, p, t, r, esc);
    } else {
        PUTL(b, "no rule matched");
    }
}

void cars_explain(cars_buf *b, const cars_program *p, const cars_result *r)
{
    outcome_label(b, r->outcome);
    PUTL(b, ": ");
    explain_body(b, p, NULL, r, false);
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

/* A result's line, from t's pieces when t is given. */
static void result_line(cars_buf *b, const cars_program *p, const cars_outtext *t, const cars_str *id,
                        const cars_result *r)
{
    if (r->outcome > CARS_OUT_ERROR) /* no piece for it (the verifier allows no such outcome) */
        t = NULL;
    if (t) { /* room for the whole line, once: the pieces are copied without a check */
        size_t most = t->most + (id ? 6 * (size_t)id->len : 0) + r->nrules * t->most_rule;
        if (most > b->cap - b->len && !cars_buf_grow(b, most))
            t = NULL; /* out of memory: made piece by piece, the buffer marked failed */
    }
    put_id(b, id);
    if (t)
        put_span(b, t, t->head[r->outcome]);
    else
        outcome_head(b, r->outcome);
    for (uint32_t k = 0; k < r->nrules; k++) {
        if (k)
            PUTL(b, ",");
        if (t)
            put_span(b, t, t->id[r->rules[k]]);
        else
            rule_id(b, &p->rules[r->rules[k]]);
    }
    if (t)
        put_span(b, t, t->expl[r->outcome]);
    else
        explanation_head(b, r->outcome);
    explain_body(b, p, t, r, true);
    if (t)
        put_span(b, t, t->tail);
    else
        line_tail(b, p);
}

void cars_output_result(cars_buf *b, const cars_program *p, const cars_str *id, const cars_result *r)
{
    result_line(b, p, NULL, id, r);
}

void cars_output_routed(cars_buf *b, const cars_outtext *t, const cars_str *id, const cars_result *r)
{
    result_line(b, t->p, t, id, r);
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

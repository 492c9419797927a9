/* fuzz_reader_diff.c - differential fuzz target: the record reader against
 * an independent strict reading of the same line, with the reference
 * release ($CARS_FUZZ_RELEASE). The oracle is jansson (Debian's
 * libjansson: strict RFC 8259 syntax, strict UTF-8, no lone surrogates,
 * JSON_REJECT_DUPLICATES, JSON_ALLOW_NUL for "\u0000" in values) for the
 * syntax, and a schema walk written here from the program's fields
 * (cars_program) for the contract. The two must agree on accept/reject,
 * and on an accepted record on every slot: each field's presence and
 * value, each string's bytes, each list's length and every element slot;
 * the id of a record that is valid JSON must be reported exactly when it is
 * a string. Any disagreement traps.
 *
 * The differences between the parsers that are accepted, each accounted
 * for explicitly (docs/reliability.md, reader fuzzing):
 *  1. Number range. jansson refuses an integer outside long long ("too big
 *     integer") and a real that overflows a double ("real number
 *     overflow"); JSON allows both, and so does the reader, which never
 *     converts an unknown field's number. The harness finds every number
 *     token itself, rewrites those jansson would refuse to 0 (padded with
 *     spaces) before jansson reads the line, and judges every number from
 *     its text as the contract says: an integer has no fraction or
 *     exponent and fits int64; a number is what strtod reads, if finite.
 *  2. "\u0000" in an object key. jansson refuses it (its keys are C
 *     strings); JSON allows it, and such a key is always unknown to the
 *     schema. The harness rewrites it in keys to a noncharacter
 *     (U+FDD0..U+FDEF) that the line does not hold anywhere, so keys stay
 *     equal exactly when they were; a line holding all 32 is not checked.
 *  3. Depth. jansson nests 2048 levels, the reader 64: a line that jansson
 *     accepts deeper than 64 levels must be refused.
 *  4. List length. The reader refuses a list of more than
 *     CARS_READER_MAX_ELEMS elements.
 *  5. A raw NUL byte. jansson 2.14 drops a NUL that directly follows a
 *     literal or a number (after un-reading that byte its stream takes the
 *     NUL in its buffer for "empty"), so it accepts {"a":false<NUL>}. A raw
 *     NUL is never valid JSON (not whitespace; unescaped in no string): the
 *     harness refuses such a line itself, without asking jansson.
 * Everything else must agree: whitespace (form feed and vertical tab are
 * not JSON whitespace), a byte order mark, raw control characters, every
 * UTF-8 form, surrogate escapes, duplicate keys anywhere, trailing data,
 * the type of the top-level value. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reader_checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cars_program prog;
static cars_reader *reader;

/* ---- the line as jansson will read it ---- */

typedef struct token {
    size_t off, len;
} token;

typedef struct scan {
    char *text; /* the line, with the rewrites of differences 1 and 2 */
    token *nums;
    size_t nnums, cap;
    bool unchecked; /* difference 2 could not be rewritten */
} scan;

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* The whole of s[0..n) is a JSON number (RFC 8259 grammar). */
static bool json_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && is_digit(s[i]))
            i++;
    else
        return false;
    if (i < n && s[i] == '.') {
        size_t d = ++i;
        while (i < n && is_digit(s[i]))
            i++;
        if (i == d)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d = i;
        while (i < n && is_digit(s[i]))
            i++;
        if (i == d)
            return false;
    }
    return i == n;
}

static bool integer_form(const char *s, size_t n) { return !memchr(s, '.', n) && !memchr(s, 'e', n) && !memchr(s, 'E', n); }

/* A copy of the token as a C string (the caller frees it). */
static char *token_str(const char *line, token t)
{
    char *c = malloc(t.len + 1);
    if (!c)
        exit(1);
    memcpy(c, line + t.off, t.len);
    c[t.len] = '\0';
    return c;
}

/* jansson refuses this number token (difference 1). */
static bool jansson_refuses(const char *line, token t)
{
    char *c = token_str(line, t);
    bool bad;
    errno = 0;
    if (integer_form(c, t.len)) {
        (void)strtoll(c, NULL, 10);
        bad = errno == ERANGE;
    } else {
        double d = strtod(c, NULL);
        bad = isinf(d);
    }
    free(c);
    return bad;
}

static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = (unsigned char)s[i], d = is_digit((char)c) ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                            : c >= 'A' && c <= 'F'   ? c - 'A' + 10
                                                                                     : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* The line holds code point cp, raw (UTF-8) or escaped. */
static bool holds(const char *s, size_t n, unsigned cp)
{
    unsigned char u[3] = {(unsigned char)(0xE0 | cp >> 12), (unsigned char)(0x80 | (cp >> 6 & 0x3F)),
                          (unsigned char)(0x80 | (cp & 0x3F))};
    for (size_t i = 0; i + 3 <= n; i++)
        if (memcmp(s + i, u, 3) == 0)
            return true;
    for (size_t i = 0; i + 6 <= n; i++)
        if (s[i] == '\\' && s[i + 1] == 'u' && hex4(s + i + 2) == (int)cp)
            return true;
    return false;
}

/* Finds every number token outside strings and every "\u0000" in a key, and
 * rewrites those jansson cannot take (differences 1 and 2). */
static void scan_line(scan *sc, const char *line, size_t n)
{
    sc->text = malloc(n + 1);
    if (!sc->text)
        exit(1);
    memcpy(sc->text, line, n);
    sc->text[n] = '\0';
    int nul_sub = -1; /* the noncharacter that replaces NUL in keys, once needed */
    for (size_t i = 0; i < n;) {
        char c = line[i];
        if (c == '"') { /* a string: find its end, then whether a ':' follows (a key) */
            size_t j = i + 1;
            bool has_nul = false;
            while (j < n && line[j] != '"') {
                if (line[j] == '\\' && j + 1 < n) {
                    if (line[j + 1] == 'u' && j + 6 <= n && hex4(line + j + 2) == 0)
                        has_nul = true;
                    j += 2;
                } else {
                    j++;
                }
            }
            size_t k = j + 1;
            while (k < n && (line[k] == ' ' || line[k] == '\t' || line[k] == '\n' || line[k] == '\r'))
                k++;
            if (has_nul && j < n && k < n && line[k] == ':') {
                if (nul_sub < 0)
                    for (unsigned cp = 0xFDD0; cp <= 0xFDEF && nul_sub < 0; cp++)
                        if (!holds(line, n, cp))
                            nul_sub = (int)cp;
                if (nul_sub < 0) {
                    sc->unchecked = true;
                } else {
                    for (size_t e = i + 1; e < j;) {
                        if (line[e] == '\\' && line[e + 1] == 'u' && e + 6 <= j && hex4(line + e + 2) == 0) {
                            static const char hex[] = "0123456789abcdef";
                            for (int h = 0; h < 4; h++)
                                sc->text[e + 2 + h] = hex[((unsigned)nul_sub >> (12 - 4 * h)) & 15];
                        }
                        e += line[e] == '\\' ? 2 : 1;
                    }
                }
            }
            i = j + 1;
        } else if (c == '-' || is_digit(c)) {
            size_t j = i;
            while (j < n && (is_digit(line[j]) || line[j] == '-' || line[j] == '+' || line[j] == '.' || line[j] == 'e' ||
                             line[j] == 'E'))
                j++;
            if (json_number(line + i, j - i)) {
                if (sc->nnums == sc->cap) {
                    sc->cap = sc->cap ? 2 * sc->cap : 64;
                    sc->nums = realloc(sc->nums, sc->cap * sizeof *sc->nums);
                    if (!sc->nums)
                        exit(1);
                }
                token t = {i, j - i};
                sc->nums[sc->nnums++] = t;
                if (jansson_refuses(line, t)) {
                    memset(sc->text + i, ' ', j - i);
                    sc->text[i] = '0';
                }
            }
            i = j;
        } else {
            i++;
        }
    }
}

/* ---- numbers: from their text, matched to jansson's values in order ---- */

typedef struct numref {
    const json_t *v;
    size_t tok;
} numref;

typedef struct tree {
    numref *refs;
    size_t nrefs, cap;
    int depth;
} tree;

/* Every value in document order (jansson keeps object keys in insertion
 * order): the numbers, and the depth. */
static void walk_all(tree *t, const json_t *v, int depth)
{
    if (depth > t->depth)
        t->depth = depth;
    if (json_is_number(v)) {
        if (t->nrefs == t->cap) {
            t->cap = t->cap ? 2 * t->cap : 64;
            t->refs = realloc(t->refs, t->cap * sizeof *t->refs);
            if (!t->refs)
                exit(1);
        }
        t->refs[t->nrefs].v = v;
        t->refs[t->nrefs].tok = t->nrefs;
        t->nrefs++;
    } else if (json_is_object(v)) {
        const char *k;
        size_t kl;
        json_t *x;
        json_object_keylen_foreach((json_t *)v, k, kl, x) {
            (void)kl;
            walk_all(t, x, depth + 1);
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            walk_all(t, json_array_get(v, i), depth + 1);
    }
}

static int ref_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const numref *)a)->v, y = (uintptr_t)((const numref *)b)->v;
    return (x > y) - (x < y);
}

typedef struct oracle {
    const char *line;
    const scan *sc;
    tree t;
    const char *why; /* why the record is invalid, NULL while it is valid */
} oracle;

/* The text of number value v. */
static token num_token(const oracle *o, const json_t *v)
{
    numref key = {v, 0};
    const numref *r = o->t.nrefs ? bsearch(&key, o->t.refs, o->t.nrefs, sizeof key, ref_cmp) : NULL;
    if (!r)
        FZ_FAIL("harness: a number jansson read was not found in the line");
    return o->sc->nums[r->tok];
}

/* ---- the schema walk: the expected slot of a field ---- */

typedef struct want {
    bool known;
    int64_t i;
    double f;
    const char *s;
    size_t slen;
} want;

/* Days since 1970-01-01 of a valid YYYY-MM-DD (year 1 or later), by the C
 * library's calendar. */
static bool date_days(const char *s, size_t n, int64_t *days)
{
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !is_digit(s[i]))
            return false;
    int y = atoi(s), m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1)
        return false;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    if (tm.tm_year != y - 1900 || tm.tm_mon != m - 1 || tm.tm_mday != d) /* normalised: no such day */
        return false;
    *days = ((int64_t)t - 12 * 3600) / 86400;
    return true;
}

/* Checks a non-null value against a scalar field type; false if the record
 * is invalid. */
static bool check_value(oracle *o, const cars_pfield *f, const json_t *v, want *w)
{
    w->known = true;
    switch (f->type) {
    case CARS_FT_BOOL:
        if (!json_is_boolean(v))
            return false;
        w->i = json_is_true(v);
        return true;
    case CARS_FT_INTEGER: {
        if (!json_is_number(v))
            return false;
        token t = num_token(o, v);
        if (!integer_form(o->line + t.off, t.len))
            return false;
        char *c = token_str(o->line, t);
        errno = 0;
        long long x = strtoll(c, NULL, 10);
        bool range = errno != ERANGE;
        free(c);
        if (!range || ((f->flags & CARS_FF_HAS_MIN) && (double)x < f->min))
            return false;
        w->i = x;
        return true;
    }
    case CARS_FT_NUMBER: {
        if (!json_is_number(v))
            return false;
        char *c = token_str(o->line, num_token(o, v));
        double d = strtod(c, NULL);
        free(c);
        if (!isfinite(d) || ((f->flags & CARS_FF_HAS_MIN) && d < f->min))
            return false;
        w->f = d;
        return true;
    }
    case CARS_FT_STRING:
        if (!json_is_string(v))
            return false;
        w->s = json_string_value(v);
        w->slen = json_string_length(v);
        return true;
    case CARS_FT_DATE:
        return json_is_string(v) && date_days(json_string_value(v), json_string_length(v), &w->i);
    case CARS_FT_COUNTRY: {
        if (!json_is_string(v) || json_string_length(v) != 3)
            return false;
        const char *s = json_string_value(v);
        int64_t code = 0;
        for (int k = 0; k < 3; k++) {
            if (s[k] < 'A' || s[k] > 'Z')
                return false;
            code = code * 26 + (s[k] - 'A');
        }
        w->i = code;
        return true;
    }
    case CARS_FT_ENUM:
        if (!json_is_string(v))
            return false;
        for (uint32_t m = 0; m < f->members_n; m++) {
            const cars_str *ms = &prog.members[f->members_first + m];
            if (ms->len == json_string_length(v) && memcmp(ms->p, json_string_value(v), ms->len) == 0) {
                w->i = m;
                return true;
            }
        }
        return false;
    default: /* a list inside a list element, or an unknown type: nothing but null fits */
        return false;
    }
}

/* The value at field f's dotted path: NULL if absent or null (or under an
 * absent or null object); *bad if an object on the way is something else. */
static const json_t *at_path(const json_t *root, cars_str path, bool *bad)
{
    const json_t *cur = root;
    size_t start = 0;
    for (size_t i = 0; i <= path.len; i++) {
        if (i < path.len && path.p[i] != '.')
            continue;
        if (!json_is_object(cur)) {
            *bad = true;
            return NULL;
        }
        cur = json_object_getn(cur, path.p + start, i - start);
        if (!cur || json_is_null(cur))
            return NULL;
        start = i + 1;
    }
    return cur;
}

static void compare_slot(const cars_pfield *f, const char *where, const cars_value *got, const want *w)
{
    if (got->known != w->known)
        FZ_FAIL("%s%.*s: the reader has it %s, the oracle %s", where, (int)f->path.len, f->path.p,
                got->known ? "present" : "absent", w->known ? "present" : "absent");
    if (!w->known)
        return;
    if (f->type == CARS_FT_NUMBER) {
        if (memcmp(&got->f, &w->f, sizeof w->f) != 0)
            FZ_FAIL("%s%.*s: the reader has %.17g, the oracle %.17g", where, (int)f->path.len, f->path.p, got->f, w->f);
    } else if (f->type != CARS_FT_STRING && f->type != CARS_FT_LIST && got->i != w->i) {
        FZ_FAIL("%s%.*s: the reader has %lld, the oracle %lld", where, (int)f->path.len, f->path.p, (long long)got->i,
                (long long)w->i);
    }
}

/* A list field: its elements against the element fields; with `rec`, the
 * reader's elements compared too. */
static bool check_list(oracle *o, uint32_t lf, const json_t *v, const cars_record *rec)
{
    const cars_pfield *f = &prog.fields[lf];
    if (!json_is_array(v) || json_array_size(v) > CARS_READER_MAX_ELEMS)
        return false;
    size_t n = json_array_size(v);
    for (size_t k = 0; k < n; k++) {
        const json_t *el = json_array_get(v, k);
        if (!json_is_object(el))
            return false;
        for (uint32_t e = 0; e < f->elems_n; e++) {
            const cars_pfield *ef = &prog.elem_fields[f->elems_first + e];
            const json_t *x = json_object_getn(el, ef->path.p, ef->path.len);
            want w = {0};
            if (x && !json_is_null(x) && !check_value(o, ef, x, &w))
                return false;
            if (!w.known && (ef->flags & CARS_FF_REQUIRED))
                return false;
            if (rec && (f->flags & CARS_FF_READ)) {
                char where[64];
                snprintf(where, sizeof where, "element %zu of field %u: ", k, lf);
                compare_slot(ef, where, &rec->lists[lf].elems[k * rec->lists[lf].stride + e], &w);
            }
        }
    }
    return true;
}

/* Walks the schema over the record; with `rec` (the reader accepted it),
 * compares every slot. Returns false if the record is invalid. */
static bool walk_schema(oracle *o, const json_t *root, const cars_record *rec)
{
    if (!json_is_object(root))
        return false;
    for (uint32_t fi = 0; fi < prog.nfields; fi++) {
        const cars_pfield *f = &prog.fields[fi];
        bool bad = false;
        const json_t *v = at_path(root, f->path, &bad);
        if (bad)
            return false;
        want w = {0};
        if (v && f->type == CARS_FT_LIST) {
            if (rec) { /* the list's length is checked before its elements are read */
                size_t n = json_is_array(v) ? json_array_size(v) : 0;
                size_t stored = (f->flags & CARS_FF_READ) ? n : 0;
                if (!rec->v[fi].known || rec->v[fi].i != (int64_t)n || rec->lists[fi].n != stored)
                    FZ_FAIL("list %.*s: the reader has %s %lld (%u stored), the oracle %zu elements", (int)f->path.len,
                            f->path.p, rec->v[fi].known ? "length" : "absent", (long long)rec->v[fi].i,
                            rec->lists[fi].n, n);
            }
            if (!check_list(o, fi, v, rec))
                return false;
            continue;
        }
        if (v && !check_value(o, f, v, &w))
            return false;
        if (!w.known && (f->flags & CARS_FF_REQUIRED))
            return false;
        if (rec) {
            compare_slot(f, "", &rec->v[fi], &w);
            if (f->type == CARS_FT_LIST && rec->lists[fi].n != 0)
                FZ_FAIL("absent list %.*s: %u elements stored", (int)f->path.len, f->path.p, rec->lists[fi].n);
            if (f->type == CARS_FT_STRING && w.known && (f->flags & CARS_FF_READ) &&
                (rec->s[fi].len != w.slen || memcmp(rec->s[fi].p, w.s, w.slen) != 0))
                FZ_FAIL("string %.*s: the reader's bytes differ from the oracle's", (int)f->path.len, f->path.p);
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!reader) {
        fz_load_release("fuzz_reader_diff", &prog);
        reader = cars_reader_new(&prog);
        if (!reader)
            exit(1);
    }
    const char *line = (const char *)data;
    bool ok = cars_reader_parse(reader, line, size);
    fz_common_checks(reader, data, size, ok);
    const cars_record *rec = cars_reader_record(reader);

    scan sc = {0};
    scan_line(&sc, line, size);
    oracle o = {line, &sc, {0}, NULL};
    json_error_t jerr;
    if (memchr(line, '\0', size)) { /* difference 5 */
        if (ok)
            FZ_FAIL("the reader accepted a line holding a raw NUL byte");
        sc.unchecked = true;
    }
    json_t *root = sc.unchecked ? NULL : json_loadb(sc.text, size, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (sc.unchecked)
        goto done;
    if (!root) {
        if (ok)
            FZ_FAIL("the reader accepted a line jansson refuses: %s (at byte %d)", jerr.text, jerr.position);
        goto done;
    }
    walk_all(&o.t, root, 1);
    if (o.t.nrefs != sc.nnums)
        FZ_FAIL("harness: jansson read %zu numbers, the scan found %zu", o.t.nrefs, sc.nnums);
    if (o.t.nrefs > 1)
        qsort(o.t.refs, o.t.nrefs, sizeof *o.t.refs, ref_cmp);
    bool want_ok = o.t.depth <= CARS_READER_MAX_DEPTH && walk_schema(&o, root, NULL);
    if (ok != want_ok)
        FZ_FAIL("the reader %s the record, the oracle %s it (depth %d)%s%s", ok ? "accepted" : "refused",
                want_ok ? "accepts" : "refuses", o.t.depth, ok ? "" : ": ", ok ? "" : cars_reader_error(reader));
    if (ok)
        walk_schema(&o, root, rec); /* every slot */
    if (o.t.depth <= CARS_READER_MAX_DEPTH && json_is_object(root)) { /* the whole line was parsed */
        const json_t *id = json_object_get(root, "id");
        if (json_is_string(id) != rec->has_id)
            FZ_FAIL("the id is %s, but the reader %s it", json_is_string(id) ? "a string" : "not a string",
                    rec->has_id ? "reports" : "does not report");
        if (rec->has_id && (rec->id.len != json_string_length(id) || memcmp(rec->id.p, json_string_value(id), rec->id.len)))
            FZ_FAIL("the reader's id differs from the oracle's");
    }
done:
    json_decref(root);
    free(o.t.refs);
    free(sc.nums);
    free(sc.text);
    return 0;
}

/* reader_text.c - the record reader's text. In: the line's bytes, checked
 * before yajl sees them (strict UTF-8, no raw control character, no lone
 * surrogate escape: yajl lets all of these through). Out: the error
 * messages, with the offending value rendered so that it cannot hide
 * anything in the message (at most 60 bytes, control characters escaped). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "hex.h"
#include "normalise.h"
#include "reader_int.h"
#include "utf8.h"

/* ---- the line's bytes: what yajl lets through ---- */

/* yajl's UTF-8 check is lax (it takes overlong forms, encoded surrogates,
 * code points above U+10FFFF, lead bytes F5-F7) and it takes form feed and
 * vertical tab as whitespace; the reader checks the bytes itself. */

/* Nonzero if one of the 8 bytes in x is not ASCII or is below 0x20. */
static inline uint64_t unusual8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    return (((x - ones * 0x20) & ~x) | x) & high;
}

#ifdef __SSE2__
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
size_t cars_rd_first_bad_byte(const unsigned char *s, size_t n)
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
                uint32_t cp;
                size_t k = cars_utf8_decode(s + i, n - i, &cp);
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
void cars_rd_bad_byte_error(cars_reader *r, const unsigned char *s, size_t n, size_t at)
{
    const unsigned char *p = s + at;
    size_t left = n - at, k = 1;
    unsigned c = p[0];
    if (c < 0x80) {
        cars_rd_line_err(r, "not valid JSON: control character 0x%02X at byte %zu (JSON whitespace is space, tab, "
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
    char hex[12]; /* up to 4 bytes: "F0 9F 98 80" */
    for (size_t i = 0; i < k; i++) {
        cars_hex_byte(p[i], true, hex + 3 * i);
        hex[3 * i + 2] = i + 1 < k ? ' ' : '\0';
    }
    cars_rd_line_err(r, "not valid JSON: invalid UTF-8 at byte %zu: %s %s", at + 1, hex, what);
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
bool cars_rd_lone_surrogate(const char *s, size_t n, char out[7])
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

/* ---- errors ---- */

static void verr(cars_reader *r, const char *fmt, va_list ap)
{
    r->has_err = true;
    vsnprintf(r->err, sizeof r->err, fmt, ap);
}

void cars_rd_err(cars_reader *r, const char *fmt, ...)
{
    if (r->has_err)
        return;
    va_list ap;
    va_start(ap, fmt);
    verr(r, fmt, ap);
    va_end(ap);
}

void cars_rd_line_err(cars_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(r, fmt, ap);
    va_end(ap);
}

/* The length of the token at s (n bytes left) for a message: a structural
 * character; a string to its closing quote; else up to whitespace, a
 * structural character or a quote. At most 24 bytes. */
static size_t token_length(const char *s, size_t n)
{
    size_t max = n < 24 ? n : 24, i = 1;
    if (strchr("{}[],:", s[0]) && s[0] != '\0')
        return 1;
    if (s[0] == '"') {
        while (i < max && s[i] != '"')
            i += s[i] == '\\' ? 2 : 1;
        return i < max ? i + 1 : max;
    }
    while (i < max && !strchr(" \t\r\n{}[],:\"", s[i]))
        i++;
    return i;
}

/* yajl's message, without its "parse error: " or "lexical error: " and
 * its final newline and '.', then where the grammar broke and the token
 * found there (an invisible character by its code point). */
void cars_rd_json_error(cars_reader *r, const char *msg)
{
    const char *m = msg;
    if (strncmp(m, "parse error: ", 13) == 0)
        m += 13;
    else if (strncmp(m, "lexical error: ", 15) == 0)
        m += 15;
    size_t n = strlen(m);
    while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' ' || m[n - 1] == '.'))
        n--;
    size_t at = cars_rd_syntax_error_at(r, r->line, r->len);
    if (at == SIZE_MAX) {
        cars_rd_line_err(r, "not valid JSON: %.*s", (int)n, m);
    } else if (at >= r->len) {
        cars_rd_line_err(r, "not valid JSON: %.*s; the line ends after byte %zu", (int)n, m, r->len);
    } else {
        char got[80];
        const unsigned char *u = (const unsigned char *)r->line + at;
        uint32_t cp = 0;
        if (*u >= 0x80 && cars_utf8_decode(u, r->len - at, &cp) && cars_is_blank(cp))
            snprintf(got, sizeof got, "U+%04X (an invisible character)", (unsigned)cp);
        else
            cars_rd_render(got, sizeof got, r->line + at, token_length(r->line + at, r->len - at), false);
        cars_rd_line_err(r, "not valid JSON: %.*s; found %s at byte %zu", (int)n, m, got, at + 1);
    }
}

/* The path of the current target: "a.b", or "list[3].key". */
static void target_path(const cars_reader *r, char *out, size_t n)
{
    const cars_program *p = r->p;
    if (r->target == T_FIELD) {
        snprintf(out, n, "%.*s", (int)p->fields[r->tidx].path.len, p->fields[r->tidx].path.p);
    } else if (r->target == T_ELEM) {
        const cars_rd_frame *f = &r->stack[r->depth - 1];
        const cars_pfield *lf = &p->fields[f->node], *ef = &p->elem_fields[r->tidx];
        snprintf(out, n, "%.*s[%u].%.*s", (int)lf->path.len, lf->path.p, f->count, (int)ef->path.len, ef->path.p);
    } else {
        snprintf(out, n, "?");
    }
}

/* A short rendering of an offending value for a message: at most 60 bytes
 * of it (cut between characters, then "…"); quoted, as a JSON string
 * literal ('"' and '\\' escaped). Control characters are always escaped
 * (\n, \u0000, ...): a NUL would end the message and others would hide in
 * it. A byte that is not UTF-8 (never in a line the reader accepts) is
 * shown as \xNN. */
void cars_rd_render(char *out, size_t n, const char *str, size_t len, bool quoted)
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
            uint32_t cp;
            plen = step = cars_utf8_decode(s + i, len - i, &cp);
            if (!plen) {
                memcpy(esc, "\\x", 2);
                cars_hex_byte((uint8_t)c, true, esc + 2);
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

void cars_rd_type_error(cars_reader *r, const cars_pfield *f, const char *got)
{
    char path[300], tb[64];
    target_path(r, path, sizeof path);
    cars_rd_err(r, "%s: expected %s, got %s", path, type_phrase(f, tb, sizeof tb), got);
}


/* The same for a number's or a string's text (quoted: as a string). */
void cars_rd_text_error(cars_reader *r, const cars_pfield *f, const char *s, size_t n, bool quoted)
{
    char got[80];
    cars_rd_render(got, sizeof got, s, n, quoted);
    cars_rd_type_error(r, f, got);
}

/* A number token's text that JSON allows but the field cannot hold: an
 * integer past int64, a number past double: said so, not only what the
 * field expects (which the value, as a number, would meet). */
static const char *beyond(const cars_pfield *f, const char *s, size_t n)
{
    bool neg = n > 0 && s[0] == '-', digits = n > (size_t)neg;
    for (size_t i = neg; i < n && digits; i++)
        digits = s[i] >= '0' && s[i] <= '9';
    bool below_min = neg && (f->flags & CARS_FF_HAS_MIN) && f->min >= 0; /* the minimum says it */
    if (f->type == CARS_FT_INTEGER && digits && !below_min)
        return neg ? "too small (at least -9223372036854775808)" : "too large (at most 9223372036854775807)";
    if (f->type != CARS_FT_NUMBER || below_min || n >= 400)
        return NULL;
    char buf[400];
    memcpy(buf, s, n);
    buf[n] = '\0';
    double d = strtod(buf, NULL);
    return isinf(d) ? (neg ? "too small (at least about -1.8e308)" : "too large (at most about 1.8e308)") : NULL;
}

void cars_rd_number_error(cars_reader *r, const cars_pfield *f, const char *s, size_t n)
{
    const char *why = beyond(f, s, n);
    if (!why) {
        cars_rd_text_error(r, f, s, n, false);
        return;
    }
    char got[80], path[300], tb[64];
    cars_rd_render(got, sizeof got, s, n, false);
    target_path(r, path, sizeof path);
    cars_rd_err(r, "%s: expected %s, got %s: %s", path, type_phrase(f, tb, sizeof tb), got, why);
}

void cars_rd_date_error(cars_reader *r, const char *s, size_t n)
{
    char got[80], path[300];
    cars_rd_render(got, sizeof got, s, n, false);
    target_path(r, path, sizeof path);
    cars_rd_err(r, "%s: %s is not a date", path, got);
}

void cars_rd_enum_error(cars_reader *r, const cars_pfield *f, const char *s, size_t n)
{
    const cars_program *p = r->p;
    char got[80], path[300], list[300];
    size_t o = 0;
    list[0] = '\0';
    for (uint32_t m = 0; m < f->members_n && o < sizeof list - 1; m++) {
        const cars_str *ms = &p->members[f->members_first + m];
        int w = snprintf(list + o, sizeof list - o, "%s%.*s", m ? ", " : "", (int)ms->len, ms->p);
        o += w > 0 ? (size_t)w : 0;
    }
    cars_rd_render(got, sizeof got, s, n, true);
    target_path(r, path, sizeof path);
    cars_rd_err(r, "%s: %s is not one of %s", path, got, list);
}

void cars_rd_node_error(cars_reader *r, const char *got)
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
    cars_rd_err(r, "%.*s: expected an object, got %s", (int)len, path->p, got);
}

/* The dotted path of trie node c (not the root): its names from the top. */
static void node_path(const cars_reader *r, int32_t c, char *out, size_t n)
{
    int32_t up[CARS_READER_MAX_DEPTH + 1];
    int k = 0;
    for (; c > 0 && k <= CARS_READER_MAX_DEPTH; c = r->nodes[c].parent)
        up[k++] = c;
    size_t o = 0;
    out[0] = '\0';
    while (k-- > 0 && o < n) {
        const cars_rd_node *x = &r->nodes[up[k]];
        int m = snprintf(out + o, n - o, "%s%.*s", o ? "." : "", (int)x->len, x->name);
        o += m > 0 ? (size_t)m : 0;
    }
}

/* The path of frame f, an object or array inside an unknown value: the
 * known object or element it is in (applicant, travel_history[2]), then
 * each unknown key (as is if it is a plain name, else quoted) and each
 * index of a skipped array down to f: applicant.extra[1].b. */
static void skip_path(const cars_reader *r, const cars_rd_frame *f, char *out, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (const cars_rd_frame *x = r->stack; x <= f && o + 1 < n; x++) {
        char part[80];
        const cars_rd_frame *up = x > r->stack ? x - 1 : NULL;
        int m = 0;
        if (x->kind == FR_OBJ && x->node > 0) {
            node_path(r, x->node, out, n);
            o = strlen(out);
        } else if (x->kind == FR_ELEM) {
            const cars_pfield *lf = &r->p->fields[x->node];
            o = 0; /* an element's path is whole: lists are only in the schema's objects */
            m = snprintf(out, n, "%.*s[%u]", (int)lf->path.len, lf->path.p, x->count);
        } else if ((x->kind == FR_SKIP_OBJ || x->kind == FR_SKIP_ARR) && x->name_len != UINT32_MAX) {
            const char *k = x->name_len ? r->ukbuf + x->name_off : ""; /* ukbuf is NULL while every key was empty */
            size_t len = x->name_len;
            bool plain = len > 0;
            for (size_t i = 0; i < len && plain; i++)
                plain = (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= '0' && k[i] <= '9') ||
                        k[i] == '_' || k[i] == '-';
            cars_rd_render(part, sizeof part, k, len, !plain);
            m = snprintf(out + o, n - o, "%s%s", o ? "." : "", part);
        } else if ((x->kind == FR_SKIP_OBJ || x->kind == FR_SKIP_ARR) && up && up->kind == FR_SKIP_ARR) {
            m = snprintf(out + o, n - o, "[%u]", up->count - 1);
        }
        o += m > 0 ? (size_t)m : 0;
        if (o >= n)
            o = n - 1;
    }
}

/* Known keys are reported when they come again, unknown keys when their
 * object ends: both with the object's path when it has one. */
void cars_rd_dup_key(cars_reader *r, const cars_rd_frame *f, const char *k, size_t n)
{
    char got[80], path[300];
    cars_rd_render(got, sizeof got, k, n, true);
    if (f && f->kind == FR_SKIP_OBJ && (skip_path(r, f, path, sizeof path), path[0])) {
        cars_rd_err(r, "%s: duplicate key %s", path, got);
    } else if (f && f->kind == FR_ELEM) {
        const cars_pfield *lf = &r->p->fields[f->node];
        cars_rd_err(r, "%.*s[%u]: duplicate key %s", (int)lf->path.len, lf->path.p, f->count, got);
    } else if (f && f->kind == FR_OBJ && f->node > 0) {
        node_path(r, f->node, path, sizeof path);
        cars_rd_err(r, "%s: duplicate key %s", path, got);
    } else {
        cars_rd_err(r, "duplicate key %s", got);
    }
}

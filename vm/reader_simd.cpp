/* reader_simd.cpp - the record reader's parser on the accept path (see
 * reader_simd.h): simdjson's stage 1, the one C++ file of the tree.
 *
 * simdjson's stage 1 (SIMD, the kernel chosen at run time for this CPU)
 * validates the whole line's UTF-8, refuses a control character raw in a
 * string or a string left open, and indexes the line's structure: the
 * offset of every {, }, [, ], ',', ':', of every string's opening quote
 * and of every other token's first byte. This file walks that index itself
 * (the On-Demand API walks the same index, at about three times the cost
 * for a record of ours) and checks what stage 1 leaves to a parser:
 *  - JSON's grammar, token by token: an object's keys are strings, a ':'
 *    after each, a ',' between members and elements, nothing after the
 *    root object but whitespace ({"x":[1 2]} and {"a":"b":1} are refused).
 *  - Literals (true, false, null) and numbers, on their raw bytes: a
 *    number is checked against JSON's grammar and its text handed to the
 *    state machine, which converts it as it always has (so 1e400 in an
 *    unknown field stays a valid number). A token must end at whitespace
 *    or at the next structural byte ("tru", 01, 1x are refused).
 *  - Strings: the raw bytes when there is no escape, else unescaped by
 *    simdjson's own string parser (the kernel's parse_string: an unknown
 *    escape or a lone surrogate is refused). Keys are unescaped before the
 *    lookup, so "r\u006fute" is the key route; duplicates are found by the
 *    state machine.
 *  - Depth and list length are the state machine's limits (64 levels,
 *    CARS_READER_MAX_ELEMS elements): the walk's recursion stops with it.
 *  - A byte order mark is left to the caller (reader.c refuses it).
 *  - Each line is parsed on its own.
 * Every value of the line is walked, unknown fields too: nothing is
 * skipped unvalidated. The line is read where it is when its caller pads
 * it (the router's blocks), else from a copy with simdjson's padding;
 * escaped strings are decoded into a second buffer; both are kept per
 * reader and grown to the longest line, with the structural index (4
 * bytes per byte of the longest line, at most).
 *
 * The index and the kernel's parse_string are the interface of simdjson's
 * dom_parser_implementation in its public header (3.0.1, Debian bookworm's
 * libsimdjson-dev): the build checks the major version. */
#include <memory>
#include <new>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <simdjson.h>

extern "C" {
#include "alloc.h"
#include "reader.h"
}
#include "reader_simd.h"

static_assert(simdjson::SIMDJSON_VERSION_MAJOR == 3,
              "reader_simd.cpp walks simdjson 3's structural index: build with libsimdjson-dev 3.x");

namespace {

constexpr size_t PAD = simdjson::SIMDJSON_PADDING;
constexpr size_t MAX_SIMD_DEPTH = 64; /* stage 2's stack, never used: stage 1 only */

static_assert(CARS_READER_PAD >= PAD, "CARS_READER_PAD (reader.h) is less than simdjson's padding");

} // namespace

struct cars_rd_simd {
    std::unique_ptr<simdjson::internal::dom_parser_implementation> impl; /* the index, for lines up to icap bytes */
    size_t icap;
    char *buf; /* the line and PAD zero bytes */
    size_t cap;
    uint8_t *sbuf; /* the line's unescaped strings, and PAD bytes the kernel may write past one */
    size_t scap;
};

cars_rd_simd *cars_rd_simd_new(void)
{
    void *mem = cars_malloc(sizeof(cars_rd_simd));
    if (!mem)
        return nullptr;
    cars_rd_simd *s = new (mem) cars_rd_simd; /* the index is allocated at the first line */
    s->icap = 0;
    s->buf = nullptr;
    s->cap = 0;
    s->sbuf = nullptr;
    s->scap = 0;
    return s;
}

void cars_rd_simd_free(cars_rd_simd *s)
{
    if (!s)
        return;
    cars_free(s->buf);
    cars_free(s->sbuf);
    s->~cars_rd_simd();
    cars_free(s);
}

namespace {

/* The bytes that may end a number or a literal: JSON's whitespace and the
 * structural characters (stage 1 starts a new token after each). Not a
 * quote: stage 1 starts no token at a quote right after a number or a
 * literal (0"a" is one token to it), so the walk must refuse it there. */
struct delimiters {
    bool at[256];
    constexpr delimiters() : at()
    {
        for (char c : {' ', '\t', '\n', '\r', ',', ':', '[', ']', '{', '}'})
            at[static_cast<unsigned char>(c)] = true;
    }
};
constexpr delimiters DELIM;

/* The length of s (the raw text after its opening quote, in the padded
 * line) up to its closing quote, or SIZE_MAX if an escape comes first. */
size_t plain_length(const uint8_t *s)
{
    size_t i = 0;
#ifdef __SSE2__
    /* 16 bytes at a time: the padding after the line keeps every load in the buffer */
    const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
    for (;; i += 16) {
        __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i));
        unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bs))));
        if (m) {
            i += static_cast<size_t>(__builtin_ctz(m));
            break;
        }
    }
#else
    while (s[i] != '"' && s[i] != '\\')
        i++;
#endif
    return s[i] == '"' ? i : SIZE_MAX;
}

/* The first 8 bytes of the key k (n bytes), zero-padded, as
 * cars_rd_key_prefix (reader_int.h) makes them: one load, as 8 bytes
 * after k are readable (the line's padding, or the string buffer's). */
uint64_t key_prefix(const uint8_t *k, size_t n)
{
    uint64_t v;
    memcpy(&v, k, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return n >= 8 ? v : v & ((uint64_t{1} << (8 * n)) - 1);
#else
    v = 0;
    memcpy(&v, k, n < 8 ? n : 8);
    return v;
#endif
}

/* The length of the JSON number at s:
 * -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, or 0 if s starts none.
 * The padding's zero bytes end a number at the end of the line. */
size_t number_length(const uint8_t *s)
{
    size_t i = 0;
    auto digits = [&]() {
        size_t k = i;
        while (s[i] >= '0' && s[i] <= '9')
            i++;
        return i > k;
    };
    if (s[i] == '-')
        i++;
    if (s[i] == '0')
        i++;
    else if (!(s[i] >= '1' && s[i] <= '9') || !digits())
        return 0;
    if (s[i] == '.') {
        i++;
        if (!digits())
            return 0;
    }
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '+' || s[i] == '-')
            i++;
        if (!digits())
            return 0;
    }
    return i;
}

/* One line's walk over stage 1's index: t points at the next token's
 * offset, its byte is buf[*t]; the index ends with the line's length,
 * where the padding's zero byte (or the line's '\n') matches no token,
 * so the walk never passes the end. Each step takes t and returns it past what it read, or
 * nullptr (why says what was wrong): t stays in a register across the
 * state machine's calls. */
struct walker {
    const simdjson::internal::dom_parser_implementation *impl;
    const uint8_t *buf;
    size_t len;
    uint8_t *sdst; /* where the next unescaped string goes */
    void *ctx;
    const char *why;

    const uint32_t *refuse(const char *w)
    {
        why = w;
        return nullptr;
    }
    /* The token at p of length k ends there: at a delimiter, or the line's end. */
    bool ends(size_t p, size_t k) const { return p + k == len || DELIM.at[buf[p + k]]; }
    inline bool string_text(uint32_t at, const uint8_t **s, size_t *n);
    inline const uint32_t *value(const uint32_t *t);
    const uint32_t *object(const uint32_t *t);
    const uint32_t *array(const uint32_t *t);
    const uint32_t *number(const uint32_t *t);
    const uint32_t *literal(const uint32_t *t);
};

/* The text of the string whose opening quote is at offset at: raw when it
 * has no escape (stage 1 has checked its UTF-8 and that no control
 * character is raw in it), else unescaped into sdst. */
bool walker::string_text(uint32_t at, const uint8_t **s, size_t *n)
{
    const uint8_t *raw = buf + at + 1;
    size_t k = plain_length(raw);
    if (simdjson_likely(k != SIZE_MAX)) {
        *s = raw;
        *n = k;
        return true;
    }
    uint8_t *end = impl->parse_string(raw, sdst);
    if (!end) {
        why = "invalid escape in a string";
        return false;
    }
    *s = sdst;
    *n = static_cast<size_t>(end - sdst);
    sdst = end;
    return true;
}

const uint32_t *walker::number(const uint32_t *t)
{
    size_t p = *t;
    size_t k = number_length(buf + p);
    if (k == 0 || !ends(p, k))
        return refuse("not a JSON number");
    if (!cars_rd_on_number(ctx, reinterpret_cast<const char *>(buf + p), k))
        return refuse("refused by the reader");
    return t + 1;
}

const uint32_t *walker::literal(const uint32_t *t)
{
    size_t p = *t;
    const char *s = reinterpret_cast<const char *>(buf + p); /* 5 bytes readable: the padding */
    int ok;
    if (memcmp(s, "true", 4) == 0 && ends(p, 4))
        ok = cars_rd_on_boolean(ctx, 1);
    else if (memcmp(s, "false", 5) == 0 && ends(p, 5))
        ok = cars_rd_on_boolean(ctx, 0);
    else if (memcmp(s, "null", 4) == 0 && ends(p, 4))
        ok = cars_rd_on_null(ctx);
    else
        return refuse("not a JSON literal");
    return ok ? t + 1 : refuse("refused by the reader");
}

const uint32_t *walker::value(const uint32_t *t)
{
    switch (buf[*t]) {
    case '{':
        return object(t);
    case '[':
        return array(t);
    case '"': {
        const uint8_t *s;
        size_t n;
        if (!string_text(*t, &s, &n))
            return nullptr;
        return cars_rd_on_string(ctx, s, n) ? t + 1 : refuse("refused by the reader");
    }
    case 't':
    case 'f':
    case 'n':
        return literal(t);
    case '-':
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
        return number(t);
    default:
        return refuse("not a JSON value");
    }
}

const uint32_t *walker::object(const uint32_t *t)
{
    t++; /* the { */
    if (!cars_rd_on_start_map(ctx))
        return refuse("refused by the reader");
    if (buf[*t] == '}')
        return cars_rd_on_end_map(ctx) ? t + 1 : refuse("refused by the reader");
    for (;;) {
        if (buf[*t] != '"')
            return refuse("a key is not a string");
        const uint8_t *k;
        size_t n;
        if (!string_text(*t, &k, &n))
            return nullptr;
        if (!cars_rd_on_map_key_pre(ctx, k, n, key_prefix(k, n)))
            return refuse("refused by the reader");
        if (buf[t[1]] != ':')
            return refuse("no ':' after a key");
        t = value(t + 2);
        if (!t)
            return nullptr;
        uint8_t c = buf[*t++];
        if (c == '}')
            return cars_rd_on_end_map(ctx) ? t : refuse("refused by the reader");
        if (c != ',')
            return refuse("no ',' or '}' after a member");
    }
}

const uint32_t *walker::array(const uint32_t *t)
{
    t++; /* the [ */
    if (!cars_rd_on_start_array(ctx))
        return refuse("refused by the reader");
    if (buf[*t] == ']')
        return cars_rd_on_end_array(ctx) ? t + 1 : refuse("refused by the reader");
    for (;;) {
        t = value(t);
        if (!t)
            return nullptr;
        uint8_t c = buf[*t++];
        if (c == ']')
            return cars_rd_on_end_array(ctx) ? t : refuse("refused by the reader");
        if (c != ',')
            return refuse("no ',' or ']' after an element");
    }
}

/* A buffer of at least need bytes, grown by doubling; false when out of memory. */
template <typename T> bool grow(T **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap : 4096;
    while (c < need)
        c = c > SIZE_MAX / 2 ? need : c * 2;
    void *b = cars_realloc(*p, c);
    if (!b)
        return false;
    *p = static_cast<T *>(b);
    *cap = c;
    return true;
}

/* Room for the line's strings, an index for it and, unless it is padded
 * already, its padded copy. */
simdjson::error_code reserve(cars_rd_simd *s, const char *line, size_t len, bool padded)
{
    if (len > SIZE_MAX / 2 - 4 * PAD || !grow(&s->sbuf, &s->scap, len + 2 * PAD))
        return simdjson::MEMALLOC;
    if (!padded) {
        if (!grow(&s->buf, &s->cap, len + PAD))
            return simdjson::MEMALLOC;
        if (len)
            memcpy(s->buf, line, len);
        memset(s->buf + len, 0, PAD);
    }
    if (len > s->icap || !s->impl) {
        size_t c = s->icap ? s->icap : 4096;
        while (c < len)
            c = c > SIZE_MAX / 2 ? len : c * 2;
        simdjson::error_code e = s->impl ? s->impl->set_capacity(c)
                                         : simdjson::get_active_implementation()->create_dom_parser_implementation(
                                               c, MAX_SIMD_DEPTH, s->impl);
        if (e)
            return e;
        s->icap = c;
    }
    return simdjson::SUCCESS;
}

} // namespace

enum cars_rd_simd_result cars_rd_simd_parse(cars_rd_simd *s, void *ctx, const char *line, size_t len, bool padded,
                                            const char **why)
{
    simdjson::error_code e = reserve(s, line, len, padded);
    if (e == simdjson::MEMALLOC)
        return CARS_RD_SIMD_OOM;
    const uint8_t *buf = reinterpret_cast<const uint8_t *>(padded ? line : s->buf);
    if (!e)
        e = s->impl->stage1(buf, len, simdjson::stage1_mode::regular);
    if (e) {
        *why = simdjson::error_message(e);
        return CARS_RD_SIMD_REFUSED;
    }
    const uint32_t *ix = s->impl->structural_indexes.get();
    walker w{s->impl.get(), buf, len, s->sbuf, ctx, nullptr};
    if (buf[ix[0]] != '{') {
        *why = "not a JSON object";
        return CARS_RD_SIMD_REFUSED;
    }
    const uint32_t *end = w.object(ix);
    if (!end) {
        *why = w.why;
        return CARS_RD_SIMD_REFUSED;
    }
    if (end != ix + s->impl->n_structural_indexes) {
        *why = "content after the object";
        return CARS_RD_SIMD_REFUSED;
    }
    return CARS_RD_SIMD_DONE;
}

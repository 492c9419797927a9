/* reader_simd.cpp - the record reader's parser on the accept path (see
 * reader_simd.h): simdjson's On-Demand API, the one C++ file of the tree.
 *
 * simdjson validates the whole line's UTF-8 and its structure as it goes,
 * but it is lax or silent where the contract is strict, and this file
 * closes each gap:
 *  - On-Demand skips what it is not asked for: every value of the line is
 *    walked (objects, arrays, strings unescaped, literals parsed), so that
 *    {"x":[1 2]}, "tru" or a bad escape in an unknown field is refused.
 *  - A number is checked against JSON's grammar on its raw token and its
 *    text is handed to the state machine, which converts it as it always
 *    has (simdjson's own conversion refuses numbers JSON allows, such as
 *    1e400 in an unknown field).
 *  - Keys are unescaped before the lookup, so "r\u006fute" is the key
 *    route, and duplicates are found by the state machine (simdjson keeps
 *    no record of keys).
 *  - Depth and list length are the state machine's limits (64 levels,
 *    CARS_READER_MAX_ELEMS elements), not simdjson's (1,024 levels).
 *  - 3.0.1 does not check the end of the document: after the root object,
 *    nothing but whitespace may follow.
 *  - A byte order mark is left to the caller (reader.c refuses it).
 *  - Each line is parsed on its own (iterate, not iterate_many, which
 *    splits on structure, not lines).
 * The line is copied into a buffer with simdjson's padding, kept per
 * reader and grown to the longest line. */
#include <new>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <string_view>
#include <utility>

#include <simdjson.h>

extern "C" {
#include "alloc.h"
}
#include "reader_simd.h"

namespace od = simdjson::ondemand;

struct cars_rd_simd {
    od::parser parser;
    char *buf; /* the line and SIMDJSON_PADDING zero bytes */
    size_t cap;
};

cars_rd_simd *cars_rd_simd_new(void)
{
    void *mem = cars_malloc(sizeof(cars_rd_simd));
    if (!mem)
        return nullptr;
    cars_rd_simd *s = new (mem) cars_rd_simd; /* the parser allocates nothing yet */
    s->buf = nullptr;
    s->cap = 0;
    return s;
}

void cars_rd_simd_free(cars_rd_simd *s)
{
    if (!s)
        return;
    cars_free(s->buf);
    s->~cars_rd_simd();
    cars_free(s);
}

namespace {

struct walker {
    void *ctx;
    const char *why;

    bool refuse(const char *w)
    {
        why = w;
        return false;
    }
    bool refuse(simdjson::error_code e) { return refuse(simdjson::error_message(e)); }
    bool value(od::value v);
    bool object(od::object o);
    bool array(od::array a);
    bool number(od::value v);
    bool string(od::value v);
    bool key(od::field &f);
};

/* The length of s (the raw text after its opening quote, in the padded
 * line) up to its closing quote, or SIZE_MAX if an escape comes first. */
size_t plain_length(const char *s)
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

/* JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
bool json_number(const char *s, size_t n)
{
    size_t i = 0;
    auto digits = [&]() {
        size_t k = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        return i > k;
    };
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (!(i < n && s[i] >= '1' && s[i] <= '9') || !digits())
        return false;
    if (i < n && s[i] == '.') {
        i++;
        if (!digits())
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (!digits())
            return false;
    }
    return i == n;
}

bool walker::number(od::value v)
{
    std::string_view t = v.raw_json_token();
    size_t n = t.size(); /* the token runs on to the next one: drop its whitespace */
    while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\n' || t[n - 1] == '\r'))
        n--;
    if (!json_number(t.data(), n))
        return refuse("not a JSON number");
    /* Not consumed (no getter takes every JSON number): simdjson skips it
     * as the one token it is, and the object or array then checks what
     * follows. */
    return cars_rd_on_number(ctx, t.data(), n) || refuse("refused by the reader");
}

/* A string: its raw text when it has no escape (stage 1 has checked its
 * UTF-8 and that no control character is raw in it), else unescaped. */
bool walker::string(od::value v)
{
    std::string_view t = v.raw_json_token(); /* the quoted text and any whitespace after it */
    const char *s = t.data() + 1;
    size_t n = plain_length(s);
    if (n == SIZE_MAX) {
        std::string_view u;
        if (auto e = v.get_string().get(u))
            return refuse(e);
        s = u.data();
        n = u.size();
    } else {
        /* consumed: left for simdjson to skip, a string followed by ':' would
         * be taken for a key and the ':' eaten ({"a":"b":1} accepted) */
        od::raw_json_string raw;
        if (auto e = v.get_raw_json_string().get(raw))
            return refuse(e);
    }
    return cars_rd_on_string(ctx, reinterpret_cast<const unsigned char *>(s), n) || refuse("refused by the reader");
}

/* A key, the same way. */
bool walker::key(od::field &f)
{
    const char *s = f.key().raw();
    size_t n = plain_length(s);
    if (n == SIZE_MAX) {
        std::string_view u;
        if (auto e = f.unescaped_key().get(u))
            return refuse(e);
        s = u.data();
        n = u.size();
    }
    return cars_rd_on_map_key(ctx, reinterpret_cast<const unsigned char *>(s), n) || refuse("refused by the reader");
}

bool walker::value(od::value v)
{
    od::json_type type;
    if (auto e = v.type().get(type))
        return refuse(e);
    switch (type) {
    case od::json_type::object: {
        od::object o;
        if (auto e = v.get_object().get(o))
            return refuse(e);
        return object(o);
    }
    case od::json_type::array: {
        od::array a;
        if (auto e = v.get_array().get(a))
            return refuse(e);
        return array(a);
    }
    case od::json_type::string:
        return string(v);
    case od::json_type::number:
        return number(v);
    case od::json_type::boolean: {
        bool b;
        if (auto e = v.get_bool().get(b))
            return refuse(e);
        return cars_rd_on_boolean(ctx, b) || refuse("refused by the reader");
    }
    case od::json_type::null: {
        bool isnull;
        if (auto e = v.is_null().get(isnull))
            return refuse(e);
        if (!isnull)
            return refuse("not a JSON literal");
        return cars_rd_on_null(ctx) || refuse("refused by the reader");
    }
    }
    return refuse("not a JSON value");
}

bool walker::object(od::object o)
{
    if (!cars_rd_on_start_map(ctx))
        return refuse("refused by the reader");
    for (auto fr : o) {
        od::field f;
        if (auto e = std::move(fr).get(f))
            return refuse(e);
        if (!key(f) || !value(f.value()))
            return false;
    }
    return cars_rd_on_end_map(ctx) || refuse("refused by the reader");
}

bool walker::array(od::array a)
{
    if (!cars_rd_on_start_array(ctx))
        return refuse("refused by the reader");
    for (auto er : a) {
        od::value v;
        if (auto e = std::move(er).get(v))
            return refuse(e);
        if (!value(v))
            return false;
    }
    return cars_rd_on_end_array(ctx) || refuse("refused by the reader");
}

/* The padded copy of the line; false when out of memory. */
bool pad_line(cars_rd_simd *s, const char *line, size_t len)
{
    if (len > SIZE_MAX - 2 * simdjson::SIMDJSON_PADDING)
        return false;
    size_t need = len + simdjson::SIMDJSON_PADDING;
    if (need > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        void *b = cars_realloc(s->buf, cap);
        if (!b)
            return false;
        s->buf = static_cast<char *>(b);
        s->cap = cap;
    }
    if (len)
        memcpy(s->buf, line, len);
    memset(s->buf + len, 0, simdjson::SIMDJSON_PADDING);
    return true;
}

} // namespace

enum cars_rd_simd_result cars_rd_simd_parse(cars_rd_simd *s, void *ctx, const char *line, size_t len,
                                            const char **why)
{
    if (!pad_line(s, line, len))
        return CARS_RD_SIMD_OOM;
    walker w{ctx, nullptr};
    od::document doc;
    auto e = s->parser.iterate(s->buf, len, s->cap).get(doc);
    if (e == simdjson::MEMALLOC)
        return CARS_RD_SIMD_OOM;
    od::object root;
    if (!e)
        e = doc.get_object().get(root);
    if (e) {
        *why = simdjson::error_message(e);
        return CARS_RD_SIMD_REFUSED;
    }
    if (!w.object(root)) {
        *why = w.why;
        return CARS_RD_SIMD_REFUSED;
    }
    const char *at;
    if (doc.current_location().get(at) != simdjson::OUT_OF_BOUNDS) { /* 3.0.1: no at_end() on a document */
        *why = "content after the object";
        return CARS_RD_SIMD_REFUSED;
    }
    return CARS_RD_SIMD_DONE;
}

/* reader_simd.cpp - simdjson's stage 1 for the record reader (see
 * reader_simd.h), the one C++ file of the tree: a minimal adapter that
 * gives the C walk (reader_walk.c) the line's structural index and
 * simdjson's string unescaper.
 *
 * simdjson's stage 1 (SIMD, the kernel chosen at run time for this CPU)
 * validates the whole line's UTF-8, refuses a control character raw in a
 * string or a string left open, and indexes the line's structure: the
 * offset of every {, }, [, ], ',', ':', of every string's opening quote
 * and of every other token's first byte. JSON's grammar, literals,
 * numbers, escapes and the schema are the walk's. The line is read where
 * it is when its caller pads it (the router's blocks), else from a copy
 * with simdjson's padding; the walk decodes escaped strings into a second
 * buffer; both are kept per reader and grown to the longest line, with
 * the structural index (4 bytes per byte of the longest line, at most).
 *
 * The index and the kernel's parse_string are the interface of simdjson's
 * dom_parser_implementation in its public header (3.0.1, Debian bookworm's
 * libsimdjson-dev): the build checks the major version. */
#include <memory>
#include <new>

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

enum cars_rd_simd_result cars_rd_simd_index(cars_rd_simd *s, const char *line, size_t len, bool padded,
                                            cars_rd_index *out, const char **why)
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
    out->buf = buf;
    out->len = len;
    out->ix = s->impl->structural_indexes.get();
    out->n = s->impl->n_structural_indexes;
    out->sbuf = s->sbuf;
    return CARS_RD_SIMD_DONE;
}

uint8_t *cars_rd_simd_unescape(const cars_rd_simd *s, const uint8_t *raw, uint8_t *dst)
{
    return s->impl->parse_string(raw, dst);
}

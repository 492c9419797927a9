/* normalise.c - table key normalisation and entry hashing (see normalise.h);
 * the compiler hashes CSV entries and the VM hashes record values through
 * these same functions, so both sides always agree. Two sets of rules: the
 * Unicode-aware ones of format version 3, and those of versions 1 and 2,
 * kept byte for byte so that an old release routes as it always did. */
#include "normalise.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

#include "alloc.h"
#include "bundle.h"
#include "utf8.h"

/* ---- blanks and dashes (format version 3) ---------------------------------- */

/* White_Space and Default_Ignorable_Code_Point (Unicode 14.0), merged where
 * they touch; ascending. Part of format version 3: never change it. */
static const uint32_t blanks[][2] = {
    {0x0009, 0x000D}, {0x0020, 0x0020}, {0x0085, 0x0085}, {0x00A0, 0x00A0}, {0x00AD, 0x00AD},
    {0x034F, 0x034F}, {0x061C, 0x061C}, {0x115F, 0x1160}, {0x1680, 0x1680}, {0x17B4, 0x17B5},
    {0x180B, 0x180F}, {0x2000, 0x200F}, {0x2028, 0x202F}, {0x205F, 0x206F}, {0x3000, 0x3000},
    {0x3164, 0x3164}, {0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF}, {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFF8},
    {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF},
};

bool cars_is_blank(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20;
    for (size_t i = 0; i < sizeof blanks / sizeof blanks[0] && cp >= blanks[i][0]; i++)
        if (cp <= blanks[i][1])
            return true;
    return false;
}

/* Hyphens and minus signs a document number may be typed with. */
static bool is_dash(uint32_t cp)
{
    return cp == '-' || (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE63 || cp == 0xFF0D;
}

/* The length of the blank that starts s[0..n), or 0. */
static size_t blank_prefix(const unsigned char *s, size_t n)
{
    uint32_t cp;
    size_t k = n ? cars_utf8_decode(s, n, &cp) : 0;
    return k && cars_is_blank(cp) ? k : 0;
}

/* The length of the blank that ends s[0..n), or 0. */
static size_t blank_suffix(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    size_t k = 1;
    while (k < 4 && k < n && (s[n - k] & 0xC0) == 0x80)
        k++;
    uint32_t cp;
    return cars_utf8_decode(s + n - k, k, &cp) == k && cars_is_blank(cp) ? k : 0;
}

/* An ASCII byte that is not a blank: a printable character or a control
 * character other than U+0009-U+000D. */
static bool ascii_not_blank(unsigned char c)
{
    return c < 0x80 && c != ' ' && (c < 0x09 || c > 0x0D);
}

static void trim_blanks(const char **s, size_t *len)
{
    const unsigned char *p = (const unsigned char *)*s;
    size_t n = *len, k;
    if (n > 0 && ascii_not_blank(p[0]) && ascii_not_blank(p[n - 1]))
        return; /* the usual case: nothing to trim */
    while ((k = blank_prefix(p, n)) != 0)
        p += k, n -= k;
    while ((k = blank_suffix(p, n)) != 0)
        n -= k;
    *s = (const char *)p;
    *len = n;
}

/* ---- ASCII whitespace (format versions 1 and 2) ---------------------------- */

static bool is_ascii_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void trim_ascii(const char **s, size_t *len)
{
    const unsigned char *p = (const unsigned char *)*s;
    size_t n = *len;
    while (n > 0 && is_ascii_space(p[0]))
        p++, n--;
    while (n > 0 && is_ascii_space(p[n - 1]))
        n--;
    *s = (const char *)p;
    *len = n;
}

/* ---- the kinds ---------------------------------------------------------------- */

static size_t norm_document_v2(const char *in, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == ' ' || c == '-')
            continue;
        out[o++] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    return o;
}

/* Of the eight bytes of x, the high bit of each that a version 3 document
 * key drops or must decode: a byte of 0x80 and above, an ASCII blank
 * (U+0009-U+000D, ' ') or '-'; 0 when all eight are kept as they are but
 * for their case. */
static uint64_t doc_stops(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, high = ones * 0x80, low = ones * 0x7F;
    uint64_t low7 = x & low; /* each byte below 0x80: no carry between bytes */
    uint64_t sp = low7 ^ (ones * ' '), dash = low7 ^ (ones * '-');
    uint64_t is_sp = ~((sp + low) | sp);         /* high bit: the byte is ' ' */
    uint64_t is_dash = ~((dash + low) | dash);   /* high bit: the byte is '-' */
    uint64_t ge_9 = low7 + ones * (0x80 - 0x09); /* high bit: low7 >= 0x09 */
    uint64_t gt_d = low7 + ones * (0x7F - 0x0D); /* high bit: low7 > 0x0D */
    return (x | is_sp | is_dash | (ge_9 & ~gt_d)) & high;
}

/* The eight ASCII bytes of x with a-z made A-Z, every other byte as it is. */
static uint64_t upper8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;
    uint64_t ge_a = x + ones * (0x80 - 'a'); /* high bit: byte >= 'a' */
    uint64_t gt_z = x + ones * (0x7F - 'z'); /* high bit: byte > 'z' */
    return x ^ ((ge_a & ~gt_z & high) >> 2); /* - 0x20 */
}

static size_t norm_document(const char *in, size_t len, char *out)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint64_t x;
        if (len - i >= 8 && (memcpy(&x, s + i, 8), doc_stops(x) == 0)) {
            /* eight ASCII bytes, none dropped: o <= i, so nothing unread
             * is written over */
            x = upper8(x);
            memcpy(out + o, &x, 8);
            i += 8, o += 8;
            continue;
        }
        unsigned char c = s[i];
        if (c < 0x80) { /* ASCII: a blank or a dash goes, a-z goes up */
            if (ascii_not_blank(c) && c != '-')
                out[o++] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : (char)c;
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = cars_utf8_decode(s + i, len - i, &cp);
        if (n == 0) { /* not UTF-8: kept as it is */
            out[o++] = in[i++];
            continue;
        }
        if (!cars_is_blank(cp) && !is_dash(cp)) {
            if (n == 1)
                out[o++] = (cp >= 'a' && cp <= 'z') ? (char)(cp - 'a' + 'A') : in[i];
            else
                memmove(out + o, in + i, n), o += n;
        }
        i += n;
    }
    return o;
}

/* The eight bytes of x with A-Z made a-z, every other byte as it is. */
static uint64_t lower8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;
    uint64_t low7 = x & ~high;                  /* each byte below 0x80: no carry between bytes */
    uint64_t ge_a = low7 + ones * (0x80 - 'A'); /* high bit: low7 >= 'A' */
    uint64_t gt_z = low7 + ones * (0x7F - 'Z'); /* high bit: low7 > 'Z' */
    uint64_t upper = (ge_a & ~gt_z) & ~x & high;  /* ASCII and 'A' <= byte <= 'Z' */
    return x | (upper >> 2);                      /* + 0x20 */
}

static size_t norm_email(bool unicode, const char *in, size_t len, char *out)
{
    if (unicode)
        trim_blanks(&in, &len);
    else
        trim_ascii(&in, &len);
    size_t i = 0;
    if (len >= 8) {
        /* the last eight bytes, read before any byte is written (out may be
         * in), are written last: the bytes past the last whole eight need
         * no loop of their own, and those it writes again get the same */
        uint64_t last;
        memcpy(&last, in + len - 8, 8);
        for (; i + 8 <= len; i += 8) { /* eight bytes at a time (out <= in: read before written) */
            uint64_t x;
            memcpy(&x, in + i, 8);
            x = lower8(x);
            memcpy(out + i, &x, 8);
        }
        last = lower8(last);
        memcpy(out + len - 8, &last, 8);
        return len;
    }
    for (; i < len; i++) {
        char c = in[i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    return len;
}

static size_t norm_phone(bool unicode, const char *in, size_t len, char *out)
{
    if (unicode)
        trim_blanks(&in, &len);
    else
        trim_ascii(&in, &len);
    size_t o = 0;
    if (len > 0 && in[0] == '+')
        out[o++] = '+';
    for (size_t i = 0; i < len; i++)
        if (in[i] >= '0' && in[i] <= '9')
            out[o++] = in[i];
    return o;
}

size_t cars_normalise(unsigned version, int kind, const char *in, size_t len, char *out)
{
    bool unicode = version >= CARS_BUNDLE_VERSION_KINDS;
    switch (kind) {
    case CARS_KEY_DOCUMENT:
        return unicode ? norm_document(in, len, out) : norm_document_v2(in, len, out);
    case CARS_KEY_EMAIL:
        return norm_email(unicode, in, len, out);
    case CARS_KEY_PHONE:
        return norm_phone(unicode, in, len, out);
    case CARS_KEY_CONTACT: /* by the value: '@' anywhere makes it an email */
        return memchr(in, '@', len) ? norm_email(unicode, in, len, out) : norm_phone(unicode, in, len, out);
    default: /* country, text: as is */
        if (len)
            memmove(out, in, len);
        return len;
    }
}

int cars_field_key_kind(const cars_program *p, int column, unsigned field)
{
    if (column != CARS_KEY_CONTACT || p->version < CARS_BUNDLE_VERSION_KINDS)
        return column;
    return p->fields[field].kind == CARS_FK_EMAIL ? CARS_KEY_EMAIL : CARS_KEY_PHONE;
}

/* ---- hashing ---------------------------------------------------------------- */

uint64_t cars_table_hash_bytes(const uint8_t key[16], const void *bytes, size_t len)
{
    /* crypto_shorthash is SipHash-2-4 (libsodium's crypto_shorthash_PRIMITIVE),
     * a call that only jumps to this one */
    unsigned char h[crypto_shorthash_siphash24_BYTES];
    crypto_shorthash_siphash24(h, (const unsigned char *)bytes, len, key);
    return cars_rd64(h); /* the first 8 bytes, little-endian */
}

uint64_t cars_table_hash(const uint8_t key[16], const char *const *cols, const size_t *lens, size_t ncols)
{
    char local[4096];
    size_t total = ncols ? ncols - 1 : 0;
    for (size_t i = 0; i < ncols; i++)
        total += lens[i];
    char *buf = total <= sizeof local ? local : cars_malloc(total);
    if (!buf)
        return 0;
    size_t o = 0;
    for (size_t i = 0; i < ncols; i++) {
        if (i)
            buf[o++] = CARS_TABLE_COLUMN_SEP;
        if (lens[i])
            memcpy(buf + o, cols[i], lens[i]);
        o += lens[i];
    }
    /* with no byte written, no byte is read: "" says so to the compiler,
     * which otherwise warns that `local` may be read uninitialised */
    uint64_t h = cars_table_hash_bytes(key, o ? buf : "", o);
    if (buf != local)
        cars_free(buf);
    return h;
}

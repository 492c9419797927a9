/* utf8.h - strict UTF-8 decoding, for the record reader's check of its
 * input (vm/reader_text.c), the normaliser (vm/normalise.c), the compiler's
 * check of table cells (compiler/codegen_table.c) and its printer. Strict:
 * no overlong forms, no surrogates (U+D800-U+DFFF), nothing beyond
 * U+10FFFF, no truncated sequence. */
#ifndef CARS_UTF8_H
#define CARS_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length (1 to 4) of the valid UTF-8 sequence at s, which has n >= 1
 * bytes left, with its code point in *cp; 0 if the bytes there are not
 * valid UTF-8. The one decoder of cars: inline, because the record reader
 * checks every non-ASCII byte of its input with it (vm/reader_text.c); the
 * validity checks (RFC 3629's table: the second byte's range depends on the
 * lead byte) do not need the code point, so a caller that ignores *cp does
 * not pay for computing it. */
static inline size_t cars_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned c = s[0], lo = 0x80, hi = 0xBF;
    size_t len;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80; /* E0 80..9F: overlong */
        hi = c == 0xED ? 0x9F : 0xBF; /* ED A0..BF: surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80; /* F0 80..8F: overlong */
        hi = c == 0xF4 ? 0x8F : 0xBF; /* F4 90..: above U+10FFFF */
    } else {
        return 0; /* a continuation byte, C0/C1 (overlong), F5..FF */
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    uint32_t v = c & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++)
        v = (v << 6) | (s[i] & 0x3Fu);
    *cp = v;
    return len;
}

/* The offset of the first byte of s[0..len) that is not part of valid
 * UTF-8, or len if all of it is. */
size_t cars_utf8_check(const char *s, size_t len);

#endif

/* utf8.h - strict UTF-8 decoding, for the normaliser (vm/normalise.c) and
 * the compiler's check of table cells (compiler/codegen_table.c). Strict:
 * no overlong forms, no surrogates (U+D800-U+DFFF), nothing beyond
 * U+10FFFF, no truncated sequence. */
#ifndef CARS_UTF8_H
#define CARS_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length (1 to 4) of the valid UTF-8 sequence at s, which has n >= 1
 * bytes left, with its code point in *cp; 0 if the bytes there are not
 * valid UTF-8. */
size_t cars_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* The offset of the first byte of s[0..len) that is not part of valid
 * UTF-8, or len if all of it is. */
size_t cars_utf8_check(const char *s, size_t len);

#endif

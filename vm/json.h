/* json.h - the one rule for which bytes need escaping inside a JSON string
 * (vm/output.c escapes them; vm/loader.c marks the rule ids and titles
 * that need none, so routing copies them as they are), and the escaper. */
#ifndef CARS_JSON_H
#define CARS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* 1: a plain byte, copied into a JSON string with no closer look:
 * printable ASCII (0x20-0x7E) but '"' and '\\'. Any other byte is looked
 * at by the escaper: escaped ('"', '\\', control characters), kept (DEL,
 * which JSON allows as is; valid UTF-8) or replaced (invalid UTF-8). */
extern const unsigned char cars_json_plain_byte[256];

/* The rule for 8 bytes at once: nonzero if one of the 8 bytes in x needs
 * a closer look (any byte order). DEL is not flagged: the escaper keeps it
 * as is either way. */
static inline uint64_t cars_json_special8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');
    return (((q - ones) & ~q) | ((bs - ones) & ~bs) | ((x - ones * 0x20) & ~x) | x) & high;
}

/* No byte of s needs escaping. */
bool cars_json_plain(const char *s, size_t n);

/* Appends s as a JSON string literal (quotes included): '"', '\\' and
 * control characters escaped; valid UTF-8 kept as is; invalid bytes become
 * U+FFFD (vm/output.c). */
void cars_json_string(cars_buf *b, const char *s, size_t n);

#endif

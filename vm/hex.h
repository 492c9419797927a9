/* hex.h - the one hex encoder: digests, key ids, escaped bytes. */
#ifndef CARS_HEX_H
#define CARS_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One byte as two hex digits (no NUL), lower-case or upper-case. */
void cars_hex_byte(uint8_t c, bool upper, char out[2]);
/* n bytes as 2n lower-case hex digits and a NUL. */
void cars_hex(const uint8_t *d, size_t n, char *out);

#endif

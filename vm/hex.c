/* hex.c - the one hex encoder (see hex.h). */
#include "hex.h"

void cars_hex_byte(uint8_t c, bool upper, char out[2])
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    out[0] = digits[c >> 4];
    out[1] = digits[c & 15];
}

void cars_hex(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        cars_hex_byte(d[i], false, out + 2 * i);
    out[2 * n] = '\0';
}

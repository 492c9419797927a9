/* utf8.c - strict UTF-8 decoding (see utf8.h). */
#include "utf8.h"

size_t cars_utf8_check(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = cars_utf8_decode(u + i, len - i, &cp);
        if (!n)
            return i;
        i += n;
    }
    return len;
}

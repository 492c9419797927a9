/* json.c - the one rule for which bytes are plain inside a JSON string
 * (see json.h): the loader marks plain rule texts with it, the escaper in
 * vm/output.c (beside the routing lines it writes) skips plain bytes by it. */
#include "json.h"

#define R16(a) a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a
const unsigned char cars_json_plain_byte[256] = {
    R16(0), R16(0),
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* '"' */
    R16(1), R16(1),
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* '\\' */
    R16(1),
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* DEL */
    R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0),
};
#undef R16

bool cars_json_plain(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!cars_json_plain_byte[(unsigned char)s[i]])
            return false;
    return true;
}

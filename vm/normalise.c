/* normalise.c - table key normalisation and entry hashing (see normalise.h);
 * the compiler hashes CSV entries and the VM hashes record values through
 * these same functions, so both sides always agree. */
#include "normalise.h"

#include <sodium.h>
#include <string.h>

#include "alloc.h"
#include "program.h"

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void trim(const char **s, size_t *len)
{
    const unsigned char *p = (const unsigned char *)*s;
    size_t n = *len;
    while (n > 0 && is_space(p[0])) {
        p++;
        n--;
    }
    while (n > 0 && is_space(p[n - 1]))
        n--;
    *s = (const char *)p;
    *len = n;
}

static size_t norm_document(const char *in, size_t len, char *out)
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

static size_t norm_email(const char *in, size_t len, char *out)
{
    trim(&in, &len);
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    return len;
}

static size_t norm_phone(const char *in, size_t len, char *out)
{
    trim(&in, &len);
    size_t o = 0;
    if (len > 0 && in[0] == '+')
        out[o++] = '+';
    for (size_t i = 0; i < len; i++)
        if (in[i] >= '0' && in[i] <= '9')
            out[o++] = in[i];
    return o;
}

size_t cars_normalise(int kind, const char *in, size_t len, char *out)
{
    switch (kind) {
    case CARS_KEY_DOCUMENT:
        return norm_document(in, len, out);
    case CARS_KEY_EMAIL:
        return norm_email(in, len, out);
    case CARS_KEY_PHONE:
        return norm_phone(in, len, out);
    case CARS_KEY_CONTACT:
        return memchr(in, '@', len) ? norm_email(in, len, out) : norm_phone(in, len, out);
    default: /* country, text: as is */
        if (len)
            memmove(out, in, len);
        return len;
    }
}

uint64_t cars_table_hash_bytes(const uint8_t key[16], const void *bytes, size_t len)
{
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, (const unsigned char *)bytes, len, key);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | h[i];
    return v;
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
            buf[o++] = 0x1F;
        if (lens[i])
            memcpy(buf + o, cols[i], lens[i]);
        o += lens[i];
    }
    uint64_t h = cars_table_hash_bytes(key, buf, o);
    if (buf != local)
        cars_free(buf);
    return h;
}

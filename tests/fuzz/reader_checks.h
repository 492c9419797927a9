/* reader_checks.h - what every reader fuzz target asserts about any line,
 * written here independently of vm/reader.c: the release is read once from
 * $CARS_FUZZ_RELEASE; whatever the line, an invalid record says why in
 * valid UTF-8 with no control characters, a reported id is strict UTF-8
 * (so the output writer never needs U+FFFD), and the duplicate-key check
 * stays within its n log n bound (finding 2 would break it at a few
 * hundred keys, long before any timeout). Failures print and trap. */
#ifndef CARS_FUZZ_READER_CHECKS_H
#define CARS_FUZZ_READER_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "reader.h"

#define FZ_FAIL(...)                                                                                                   \
    do {                                                                                                               \
        fprintf(stderr, __VA_ARGS__);                                                                                  \
        fputc('\n', stderr);                                                                                           \
        __builtin_trap();                                                                                              \
    } while (0)

/* Reads the release named by $CARS_FUZZ_RELEASE (default
 * build/fuzz/cars-v.carsb) into *prog; exits on failure. */
static inline void fz_load_release(const char *who, cars_program *prog)
{
    const char *path = getenv("CARS_FUZZ_RELEASE");
    if (!path)
        path = "build/fuzz/cars-v.carsb";
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open release %s (set CARS_FUZZ_RELEASE)\n", who, path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *bytes = n > 0 ? malloc((size_t)n) : NULL; /* kept: the program points into it */
    if (!bytes || fread(bytes, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "%s: cannot read %s\n", who, path);
        exit(1);
    }
    fclose(f);
    char err[512];
    if (cars_bundle_load(bytes, (size_t)n, prog, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s: %s\n", who, path, err);
        exit(1);
    }
}

/* Strict UTF-8 (RFC 3629), decoded the long way: the shortest form, a
 * scalar value (no surrogate), at most U+10FFFF. */
static inline bool fz_utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || i + len > n)
            return false;
        uint32_t cp = c & (0xFFu >> (len + 1));
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3Fu);
        }
        static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

/* 2 n log2 n + 3 n: the duplicate check's comparisons for n keys. */
static inline double fz_cmp_bound(double n)
{
    if (n < 2)
        return 0;
    unsigned lg = 0; /* floor(log2 n); lg + (m - 1) >= log2 n, m = n / 2^lg in [1, 2) */
    while ((double)(1ull << (lg + 1)) <= n && lg < 62)
        lg++;
    double m = n / (double)(1ull << lg);
    return 2 * n * (lg + m - 1) + 3 * n;
}

/* The checks that hold for any line, valid or not. */
static inline void fz_common_checks(const cars_reader *r, const uint8_t *data, size_t size, bool ok)
{
    const cars_record *rec = cars_reader_record(r);
    const char *err = cars_reader_error(r);
    if (!ok) {
        size_t n = strlen(err);
        if (n == 0)
            FZ_FAIL("an invalid record must say why");
        if (!fz_utf8_valid((const unsigned char *)err, n))
            FZ_FAIL("the error is not UTF-8: %s", err);
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)err[i] < 0x20 || err[i] == 0x7F)
                FZ_FAIL("the error holds control character 0x%02X: %s", (unsigned char)err[i], err);
    }
    if (rec->has_id && !fz_utf8_valid((const unsigned char *)rec->id.p, rec->id.len))
        FZ_FAIL("the id reported is not UTF-8 (the writer would turn it into U+FFFD)");
    /* each key takes 4 bytes or more ("":0 and a separator): at most
     * size / 4 + 1 keys in all, whatever objects they are in */
    double bound = fz_cmp_bound((double)(size / 4 + 1));
    if ((double)cars_reader_key_comparisons(r) > bound)
        FZ_FAIL("%llu key comparisons for a line of %zu bytes, more than 2 n log2 n + 3 n = %.0f",
                (unsigned long long)cars_reader_key_comparisons(r), size, bound);
    (void)data;
}

#endif

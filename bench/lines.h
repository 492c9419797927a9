/* lines.h - the input loop of the benchmark programs (handwritten.c,
 * readonly.c): the same strategy as vm/route.c on one thread, so that only
 * the work per record differs from `carsvm route --threads 1`. Input is read
 * in 4 MiB blocks of whole lines (grown for a longer line); blank lines are
 * skipped but counted in line numbers; after each block, `flush` is called
 * (the caller writes its output buffer there). As in route.c, the block
 * has CARS_READER_PAD zero bytes after its last byte, so each line can be
 * read where it is (cars_reader_parse_padded). */
#ifndef CARS_BENCH_LINES_H
#define CARS_BENCH_LINES_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"

typedef void (*bench_line_fn)(void *ctx, const char *p, size_t len, unsigned long long no);
typedef int (*bench_flush_fn)(void *ctx);

static inline bool bench_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' && s[i] != '\v')
            return false;
    return true;
}

/* 0, or -1 on a read error / out of memory (message on stderr). */
static inline int bench_each_line(FILE *in, bench_line_fn fn, bench_flush_fn flush, void *ctx)
{
    size_t cap = 4u * 1024 * 1024, len = 0;
    char *buf = malloc(cap + CARS_READER_PAD);
    unsigned long long no = 0;
    bool eof = false;
    if (!buf) {
        fputs("out of memory\n", stderr);
        return -1;
    }
    while (!(eof && len == 0)) {
        if (!eof) {
            size_t got = fread(buf + len, 1, cap - len, in);
            len += got;
            if (got == 0 && ferror(in)) {
                perror("read");
                free(buf);
                return -1;
            }
            if (got == 0 && feof(in))
                eof = true;
        }
        size_t end = len;
        if (!eof)
            while (end > 0 && buf[end - 1] != '\n')
                end--;
        if (end == 0) {
            if (len == cap) {
                char *nb = realloc(buf, cap * 2 + CARS_READER_PAD);
                if (!nb) {
                    fputs("out of memory\n", stderr);
                    free(buf);
                    return -1;
                }
                buf = nb;
                cap *= 2;
            }
            continue;
        }
        memset(buf + len, 0, CARS_READER_PAD); /* the padding after the last line */
        size_t at = 0;
        while (at < end) {
            const char *s = buf + at;
            const char *nl = memchr(s, '\n', end - at);
            size_t n = nl ? (size_t)(nl - s) : end - at;
            no++;
            if (!bench_blank(s, n))
                fn(ctx, s, n, no);
            at += n + (nl ? 1 : 0);
        }
        if (flush && flush(ctx) != 0) {
            free(buf);
            return -1;
        }
        memmove(buf, buf + end, len - end);
        len -= end;
    }
    free(buf);
    return 0;
}

/* Reads a whole file (a release bundle) into an 8-aligned buffer. */
static inline unsigned char *bench_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = malloc(cap);
    while (b) {
        if (n == cap) {
            unsigned char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return b;
}

#endif

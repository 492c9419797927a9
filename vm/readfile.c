/* readfile.c - reading a whole file into memory (see readfile.h). */
#include "readfile.h"

#include <errno.h>
#include <stdio.h>

#include "alloc.h"

uint8_t *cars_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = cars_malloc(cap + 1);
    while (b) {
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                cars_free(b);
                b = NULL;
                errno = EIO;
            }
            break;
        }
        uint8_t *nb = cars_realloc(b, cap * 2 + 1);
        if (!nb) {
            cars_free(b);
            b = NULL;
            errno = ENOMEM;
            break;
        }
        b = nb;
        cap *= 2;
    }
    fclose(f);
    if (b) {
        b[n] = '\0';
        *len = n;
    }
    return b;
}

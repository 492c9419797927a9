/* readonly.c - the floor of `make bench`: reads and validates every record
 * against a release's schema with the same reader as carsvm (vm/reader.h)
 * and the input loop of vm/route.c on one thread (bench/lines.h), and does
 * nothing else: no routing, no output per record.
 *
 *   readonly RELEASE.carsb [INPUT|-]
 *
 * Prints "N records, V valid, I invalid" on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "loader.h"
#include "program.h"
#include "reader.h"

typedef struct ro {
    cars_reader *reader;
    unsigned long long records, invalid;
} ro;

static void on_line(void *ctx, const char *s, size_t len, unsigned long long no)
{
    ro *r = ctx;
    (void)no;
    r->records++;
    if (!cars_reader_parse_padded(r->reader, s, len))
        r->invalid++;
}

static int on_flush(void *ctx)
{
    (void)ctx;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fputs("usage: readonly RELEASE.carsb [INPUT|-]\n", stderr);
        return 2;
    }
    size_t blen;
    unsigned char *bytes = bench_read_file(argv[1], &blen);
    if (!bytes) {
        fprintf(stderr, "readonly: cannot read %s\n", argv[1]);
        return 1;
    }
    cars_program p;
    char err[600];
    if (cars_bundle_load(bytes, blen, &p, err, sizeof err) != 0) {
        fprintf(stderr, "readonly: invalid release %s: %s\n", argv[1], err);
        return 1;
    }
    ro r = {0};
    r.reader = cars_reader_new(&p);
    if (!r.reader) {
        fputs("readonly: out of memory\n", stderr);
        return 1;
    }
    FILE *in = stdin;
    if (argc == 3 && strcmp(argv[2], "-") != 0 && !(in = fopen(argv[2], "rb"))) {
        fprintf(stderr, "readonly: cannot open %s\n", argv[2]);
        return 1;
    }
    if (bench_each_line(in, on_line, on_flush, &r) != 0)
        return 1;
    printf("%llu records, %llu valid, %llu invalid\n", r.records, r.records - r.invalid, r.invalid);
    cars_reader_free(r.reader);
    cars_program_free(&p);
    free(bytes);
    return 0;
}

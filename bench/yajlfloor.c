/* yajlfloor.c - the floor under the floor in `make bench`: yajl's parser
 * alone over every line, with no callbacks (so no field is kept, no type
 * checked, nothing validated beyond JSON syntax), through the same input
 * loop as carsvm route on one thread (bench/lines.h). No JSON reader built
 * on yajl's callback API can be faster; it bounds what carsvm route can
 * reach on a machine.
 *
 *   yajlfloor [INPUT|-]
 *
 * Prints "N lines, V JSON, I not JSON" on stdout. */
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "lines.h"

typedef struct floor_ctx {
    unsigned long long lines, bad;
} floor_ctx;

static void on_line(void *ctx, const char *s, size_t len, unsigned long long no)
{
    floor_ctx *f = ctx;
    (void)no;
    f->lines++;
    yajl_handle h = yajl_alloc(NULL, NULL, NULL); /* as the reader: a fresh parser per line */
    if (!h) {
        f->bad++;
        return;
    }
    if (yajl_parse(h, (const unsigned char *)s, len) != yajl_status_ok || yajl_complete_parse(h) != yajl_status_ok)
        f->bad++;
    yajl_free(h);
}

static int on_flush(void *ctx)
{
    (void)ctx;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 2) {
        fputs("usage: yajlfloor [INPUT|-]\n", stderr);
        return 2;
    }
    FILE *in = stdin;
    if (argc == 2 && strcmp(argv[1], "-") != 0 && !(in = fopen(argv[1], "rb"))) {
        fprintf(stderr, "yajlfloor: cannot open %s\n", argv[1]);
        return 1;
    }
    floor_ctx f = {0, 0};
    if (bench_each_line(in, on_line, on_flush, &f) != 0)
        return 1;
    printf("%llu lines, %llu JSON, %llu not JSON\n", f.lines, f.lines - f.bad, f.bad);
    if (in != stdin)
        fclose(in);
    return 0;
}

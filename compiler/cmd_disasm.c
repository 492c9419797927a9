/* cmd_disasm.c - `carsc disasm FILE.carsb`: load and verify a release bundle
 * exactly as carsvm does, then print its program (vm/disasm.h). */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "commands.h"
#include "disasm.h"
#include "loader.h"

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    uint8_t *buf = cars_malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *bigger = cars_realloc(buf, cap * 2);
        if (!bigger) {
            cars_free(buf);
            buf = NULL;
        } else {
            buf = bigger;
            cap *= 2;
        }
    }
    if (buf && ferror(f)) {
        cars_free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

int cars_cmd_disasm(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: carsc disasm FILE.carsb\n");
        return CARS_EXIT_USAGE;
    }
    size_t len = 0;
    uint8_t *bytes = slurp(argv[1], &len);
    if (!bytes) {
        fprintf(stderr, "carsc disasm: cannot read %s\n", argv[1]);
        return CARS_EXIT_ERRORS;
    }
    cars_program p;
    char err[256];
    int rc = cars_bundle_load(bytes, len, &p, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "carsc disasm: %s: %s (%s)\n", argv[1], err, cars_load_error_name(rc));
        cars_free(bytes);
        return CARS_EXIT_ERRORS;
    }
    cars_disasm(&p, stdout);
    cars_program_free(&p);
    cars_free(bytes);
    return CARS_EXIT_OK;
}

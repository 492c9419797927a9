/* loader.c - bundle bytes -> verified cars_program (docs/bytecode.md). */
#include "loader.h"

#include <stdio.h>
#include <string.h>

int cars_bundle_load(const uint8_t *bytes, size_t len, cars_program *out, char *err, size_t errlen)
{
    (void)bytes; (void)len;
    memset(out, 0, sizeof *out);
    snprintf(err, errlen, "not implemented");
    return CARS_LOAD_DECODE;
}

void cars_program_free(cars_program *p) { memset(p, 0, sizeof *p); }

const char *cars_load_error_name(int code) { (void)code; return "error"; }

/* fuzz_loader.c - fuzz target: the bundle loader and verifier on arbitrary
 * bytes (the signature check is bypassed in this harness only: it sits
 * before the loader in carsvm). A bundle that loads is also disassembled. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "disasm.h"
#include "loader.h"
#include "program.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cars_program p;
    char err[512];
    if (cars_bundle_load(data, size, &p, err, sizeof err) == 0) {
        FILE *null = fopen("/dev/null", "w");
        if (null) {
            cars_disasm(&p, null);
            fclose(null);
        }
    }
    cars_program_free(&p);
    return 0;
}

/* cmd_disasm.c - `carsc disasm FILE.carsb`: load and verify a release bundle
 * exactly as carsvm does, then print its program (vm/disasm.h). */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "commands.h"
#include "disasm.h"
#include "loader.h"

int cars_cmd_disasm(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: carsc disasm FILE.carsb\n");
        return CARS_EXIT_USAGE;
    }
    size_t len = 0;
    char err[600];
    uint8_t *bytes = cars_read_file(argv[1], CARS_FILE_RELEASE, &len, err, sizeof err);
    if (!bytes) {
        fprintf(stderr, "carsc disasm: %s\n", err);
        return CARS_EXIT_ERRORS;
    }
    cars_program p;
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

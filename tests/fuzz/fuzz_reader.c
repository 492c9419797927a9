/* fuzz_reader.c - fuzz target: the record reader (and VM) on arbitrary
 * lines, with the reference release. The release is read once from the
 * file named by $CARS_FUZZ_RELEASE (default build/fuzz/cars-v.carsb). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include "loader.h"
#include "reader.h"
#include "vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cars_program prog;
static uint8_t *bytes;
static cars_reader *reader;
static cars_vm *vm;

static void load_once(void)
{
    if (reader)
        return;
    const char *path = getenv("CARS_FUZZ_RELEASE");
    if (!path)
        path = "build/fuzz/cars-v.carsb";
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_reader: cannot open release %s (set CARS_FUZZ_RELEASE)\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    bytes = malloc((size_t)n);
    if (!bytes || fread(bytes, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "fuzz_reader: cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    char err[512];
    if (cars_bundle_load(bytes, (size_t)n, &prog, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_reader: %s: %s\n", path, err);
        exit(1);
    }
    reader = cars_reader_new(&prog);
    vm = cars_vm_new(&prog);
    if (!reader || !vm)
        exit(1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_once();
    char err[512];
    if (cars_reader_parse(reader, (const char *)data, size)) {
        cars_result res;
        if (cars_vm_route(vm, cars_reader_record(reader), &res, err, sizeof err) != 0)
            __builtin_trap();
    } else if (!cars_reader_error(reader)[0]) {
        __builtin_trap(); /* an invalid record must say why */
    }
    return 0;
}

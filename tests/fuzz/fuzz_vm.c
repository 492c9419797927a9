/* fuzz_vm.c - fuzz target: the VM, on any bundle the verifier accepts, run
 * on arbitrary records. Input: u32 little-endian bundle length, the bundle,
 * then record lines separated by '\n'. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "loader.h"
#include "reader.h"
#include "vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    uint32_t blen;
    memcpy(&blen, data, 4);
    if (blen > size - 4)
        return 0;
    cars_program p;
    char err[512];
    if (cars_bundle_load(data + 4, blen, &p, err, sizeof err) != 0) {
        cars_program_free(&p);
        return 0;
    }
    cars_reader *r = cars_reader_new(&p);
    cars_vm *vm = cars_vm_new(&p);
    const char *line = (const char *)data + 4 + blen, *end = (const char *)data + size;
    while (r && vm && line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t len = (size_t)((nl ? nl : end) - line);
        if (cars_reader_parse(r, line, len)) {
            cars_result res;
            if (cars_vm_route(vm, cars_reader_record(r), &res, err, sizeof err) != 0)
                __builtin_trap(); /* the verifier accepted a program the VM cannot run */
        }
        line += len + 1;
    }
    cars_vm_free(vm);
    cars_reader_free(r);
    cars_program_free(&p);
    return 0;
}

/* fuzz_reader.c - fuzz target: the record reader (and VM) on arbitrary
 * lines, with the reference release ($CARS_FUZZ_RELEASE, default
 * build/fuzz/cars-v.carsb). Each line is read twice: by a fresh reader
 * (its arrays at their smallest, where a count that outruns a capacity
 * shows first) and by one reused across every input, as a router thread
 * reuses its reader; both must give the same verdict, error and id, since
 * nothing may be carried from one record to the next. A valid record
 * routes and every string it holds is strict UTF-8; any line passes
 * reader_checks.h (an invalid record says why in clean text, a reported id
 * is UTF-8, the duplicate check stays n log n). fuzz_reader_diff checks the
 * values themselves against an independent parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader_checks.h"
#include "vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cars_program prog;
static cars_reader *reused;
static cars_vm *vm;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!reused) {
        fz_load_release("fuzz_reader", &prog);
        reused = cars_reader_new(&prog);
        vm = cars_vm_new(&prog);
        if (!reused || !vm)
            exit(1);
    }
    cars_reader *fresh = cars_reader_new(&prog);
    if (!fresh)
        exit(1);
    bool fresh_ok = cars_reader_parse(fresh, (const char *)data, size);
    fz_common_checks(fresh, data, size, fresh_ok);
    bool ok = cars_reader_parse(reused, (const char *)data, size);
    fz_common_checks(reused, data, size, ok);
    const cars_record *rec = cars_reader_record(reused), *frec = cars_reader_record(fresh);
    if (ok != fresh_ok || strcmp(cars_reader_error(reused), cars_reader_error(fresh)) != 0)
        FZ_FAIL("a reused reader and a fresh one disagree: \"%s\" and \"%s\"", cars_reader_error(reused),
                cars_reader_error(fresh));
    if (rec->has_id != frec->has_id || (rec->has_id && (rec->id.len != frec->id.len ||
                                                        memcmp(rec->id.p, frec->id.p, rec->id.len) != 0)))
        FZ_FAIL("a reused reader and a fresh one report different ids");
    cars_reader_free(fresh);
    if (ok) {
        for (uint32_t f = 0; f < prog.nfields; f++)
            if (prog.fields[f].type == CARS_FT_STRING && rec->v[f].known && (prog.fields[f].flags & CARS_FF_READ) &&
                !fz_utf8_valid((const unsigned char *)rec->s[f].p, rec->s[f].len))
                FZ_FAIL("a valid record holds a string that is not UTF-8: %.*s", (int)prog.fields[f].path.len,
                        prog.fields[f].path.p);
        char err[512];
        cars_result res;
        if (cars_vm_route(vm, rec, &res, err, sizeof err) != 0)
            FZ_FAIL("a valid record does not route: %s", err);
    }
    return 0;
}

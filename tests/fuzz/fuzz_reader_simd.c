/* fuzz_reader_simd.c - differential fuzz target: the record reader
 * (cars_reader_parse: simdjson's stage 1 and the walk directed by the
 * schema read the line, yajl only words the errors) against the same
 * reader with yajl and the state machine alone reading the line
 * (cars_reader_parse_yajl, the referee), with the reference release
 * ($CARS_FUZZ_RELEASE). They must agree on accept/reject, on the error of
 * an invalid line (so no line is refused by the walk alone: the message
 * would be the walk's, not the referee's), on the id, and on an accepted
 * record on every slot: each field's presence and value (a number's
 * bits), each kept string's bytes, each kept list's length and every
 * element slot. Any disagreement traps. fuzz_reader_diff holds the reader
 * to jansson as well; tests/fuzz/lines.c runs this target on every line of
 * a file (the bench corpora). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader_checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cars_program prog;
static cars_reader *simd, *yajl;

static bool same_value(const cars_value *a, const cars_value *b, uint8_t type)
{
    if (a->known != b->known)
        return false;
    if (!a->known)
        return true;
    if (type == CARS_FT_NUMBER)
        return memcmp(&a->f, &b->f, sizeof a->f) == 0;
    return a->i == b->i;
}

static bool same_str(cars_str a, cars_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* Every slot of field f of two accepted records. */
static void compare_field(const cars_record *a, const cars_record *b, uint32_t f)
{
    const cars_pfield *pf = &prog.fields[f];
    if (!same_value(&a->v[f], &b->v[f], pf->type))
        FZ_FAIL("field %.*s: simdjson and yajl read different values", (int)pf->path.len, pf->path.p);
    if (!a->v[f].known || !(pf->flags & CARS_FF_READ))
        return;
    if (pf->type == CARS_FT_STRING && !same_str(a->s[f], b->s[f]))
        FZ_FAIL("field %.*s: simdjson and yajl read different strings", (int)pf->path.len, pf->path.p);
    if (pf->type != CARS_FT_LIST)
        return;
    const cars_list *la = &a->lists[f], *lb = &b->lists[f];
    if (la->n != lb->n || la->stride != lb->stride)
        FZ_FAIL("list %.*s: %u and %u elements kept", (int)pf->path.len, pf->path.p, la->n, lb->n);
    for (uint32_t k = 0; k < la->n; k++)
        for (uint32_t e = 0; e < la->stride; e++)
            if (!same_value(&la->elems[(size_t)k * la->stride + e], &lb->elems[(size_t)k * lb->stride + e],
                            prog.elem_fields[pf->elems_first + e].type))
                FZ_FAIL("list %.*s[%u], element field %u: simdjson and yajl read different values",
                        (int)pf->path.len, pf->path.p, k, e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!simd) {
        fz_load_release("fuzz_reader_simd", &prog);
        simd = cars_reader_new(&prog);
        yajl = cars_reader_new(&prog);
        if (!simd || !yajl)
            exit(1);
    }
    bool ok = cars_reader_parse(simd, (const char *)data, size);
    fz_common_checks(simd, data, size, ok);
    bool yok = cars_reader_parse_yajl(yajl, (const char *)data, size);
    fz_common_checks(yajl, data, size, yok);
    if (ok != yok || strcmp(cars_reader_error(simd), cars_reader_error(yajl)) != 0)
        FZ_FAIL("simdjson %s (%s), yajl %s (%s)", ok ? "accepts" : "refuses", cars_reader_error(simd),
                yok ? "accepts" : "refuses", cars_reader_error(yajl));
    const cars_record *a = cars_reader_record(simd), *b = cars_reader_record(yajl);
    if (a->has_id != b->has_id || (a->has_id && !same_str(a->id, b->id)))
        FZ_FAIL("simdjson and yajl report different ids");
    if (ok)
        for (uint32_t f = 0; f < prog.nfields; f++)
            compare_field(a, b, f);
    return 0;
}

/* codegen_emit.c - the emitter of the code generator (codegen_int.h):
 * blocks of instructions with their stack depth and line entries, operands
 * in little-endian order, the shared constants (sets and strings, equal ones
 * once), and the layout of the blocks as one program (code, blocks, line
 * table). Everything grows in the compilation's arena. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "codegen_int.h"
#include "opcodes.h"
#include "verify.h"

/* ---- buffers --------------------------------------------------------------- */

bool cars_cg_reserve(cars_cg *g, void **arr, size_t n, size_t *cap, size_t want, size_t elem)
{
    if (want <= *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < want)
        ncap *= 2;
    void *p = cars_arena_grow(g->a, *arr, n, ncap, elem);
    if (!p) {
        g->failed = true;
        return false;
    }
    *arr = p;
    *cap = ncap;
    return true;
}

/* ---- emitting ---------------------------------------------------------------- */

void cars_cg_byte(cars_cg *g, cars_cg_block *b, uint8_t v)
{
    if (!cars_cg_reserve(g, (void **)&b->code, b->len, &b->cap, b->len + 1, 1))
        return;
    b->code[b->len++] = v;
}

void cars_cg_u16(cars_cg *g, cars_cg_block *b, uint32_t v)
{
    if (v > 0xFFFF && !g->too_big) {
        g->too_big = true;
        cars_error(g->d, NULL, NULL, "the program is too large for the bytecode (an index "
                   "above 65535)");
    }
    uint8_t le[2];
    cars_wr16(le, (uint16_t)v);
    cars_cg_byte(g, b, le[0]);
    cars_cg_byte(g, b, le[1]);
}

void cars_cg_u64(cars_cg *g, cars_cg_block *b, uint64_t v)
{
    uint8_t le[8];
    cars_wr64(le, v);
    for (int i = 0; i < 8; i++)
        cars_cg_byte(g, b, le[i]);
}

/* Emits an opcode: tracks the stack depth and the source line. */
void cars_cg_op(cars_cg *g, cars_cg_block *b, int op, const cars_span *span)
{
    const cars_opinfo *info = &cars_opinfo_table[op];
    b->depth -= info->pop;
    b->depth += info->push;
    if (b->depth > b->max)
        b->max = b->depth;
    if (span && (b->nlines == 0 || b->lines[b->nlines - 1].line != span->line ||
                 b->lines[b->nlines - 1].file != span->file)) {
        if (cars_cg_reserve(g, (void **)&b->lines, b->nlines, &b->cap_lines, b->nlines + 1,
                            sizeof *b->lines))
            b->lines[b->nlines++] = (cars_pline){(uint32_t)b->len, span->file, span->line};
    }
    cars_cg_byte(g, b, (uint8_t)op);
}

size_t cars_cg_new_block(cars_cg *g, uint8_t kind, uint16_t list)
{
    if (!cars_cg_reserve(g, (void **)&g->blocks, g->nblocks, &g->cap_blocks, g->nblocks + 1,
                         sizeof *g->blocks))
        return 0;
    cars_cg_block *b = &g->blocks[g->nblocks];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->list = list;
    return g->nblocks++;
}

/* ---- constants ----------------------------------------------------------------- */

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

uint32_t cars_cg_set(cars_cg *g, int64_t *vals, size_t n)
{
    if (n)
        qsort(vals, n, sizeof *vals, cmp_i64);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || vals[u - 1] != vals[i])
            vals[u++] = vals[i];
    for (size_t i = 0; i < g->nsets; i++)
        if (g->sets[i].n == u && (u == 0 || memcmp(g->sets[i].values, vals, u * 8) == 0))
            return (uint32_t)i;
    if (!cars_cg_reserve(g, (void **)&g->sets, g->nsets, &g->cap_sets, g->nsets + 1,
                         sizeof *g->sets))
        return 0;
    g->sets[g->nsets] = (cars_pset){(uint32_t)u, vals};
    return (uint32_t)g->nsets++;
}

uint32_t cars_cg_string(cars_cg *g, const char *s, size_t len)
{
    for (size_t i = 0; i < g->nstrings; i++)
        if (g->strings[i].len == len && memcmp(g->strings[i].p, s, len) == 0)
            return (uint32_t)i;
    if (!cars_cg_reserve(g, (void **)&g->strings, g->nstrings, &g->cap_strings, g->nstrings + 1,
                         sizeof *g->strings))
        return 0;
    g->strings[g->nstrings] = (cars_str){s, (uint32_t)len};
    return (uint32_t)g->nstrings++;
}

/* ---- layout ------------------------------------------------------------------------ */

bool cars_cg_layout(cars_cg *g)
{
    cars_program *p = g->p;
    size_t total = 0, nlines = 0;
    for (size_t i = 0; i < g->nblocks; i++) {
        total += g->blocks[i].len;
        nlines += g->blocks[i].nlines;
    }
    if (total > UINT32_MAX / 2) {
        cars_error(g->d, NULL, NULL, "the program is too large for the bytecode");
        return false;
    }
    uint8_t *code = cars_arena_alloc(g->a, total + 1);
    p->blocks = cars_arena_alloc(g->a, (g->nblocks + 1) * sizeof *p->blocks);
    p->lines = cars_arena_alloc(g->a, (nlines + 1) * sizeof *p->lines);
    if (!code || !p->blocks || !p->lines)
        return false;
    size_t off = 0;
    for (size_t i = 0; i < g->nblocks; i++) {
        const cars_cg_block *b = &g->blocks[i];
        if (b->max > CARS_MAX_STACK) {
            cars_error(g->d, NULL, NULL, "a condition is too deeply nested to compile (it needs "
                       "a stack of %d; the limit is %d)", b->max, CARS_MAX_STACK);
            return false;
        }
        if (b->len)
            memcpy(code + off, b->code, b->len);
        p->blocks[i] = (cars_pblock){(uint32_t)off, (uint32_t)b->len, b->kind, b->list,
                                     (uint16_t)b->max};
        for (size_t k = 0; k < b->nlines; k++) {
            cars_pline l = b->lines[k];
            l.offset += (uint32_t)off;
            if (p->nlines && p->lines[p->nlines - 1].offset == l.offset)
                p->nlines--; /* an empty range: the later entry wins */
            if (p->nlines && p->lines[p->nlines - 1].file == l.file &&
                p->lines[p->nlines - 1].line == l.line)
                continue;
            p->lines[p->nlines++] = l;
        }
        off += b->len;
    }
    p->code = code;
    p->code_len = (uint32_t)total;
    p->nblocks = (uint32_t)g->nblocks;
    p->sets = g->sets;
    p->nsets = (uint32_t)g->nsets;
    p->strings = g->strings;
    p->nstrings = (uint32_t)g->nstrings;
    p->indexes = g->indexes;
    p->nindexes = (uint32_t)g->nindexes;
    p->index_words = g->iwords;
    p->nindex_words = g->niwords;
    return true;
}

/* codegen_int.h - shared state of codegen.c (program model), codegen_emit.c
 * (blocks, constants, layout), codegen_expr.c (expressions to
 * instructions) and codegen_index.c (stage indexes). Not a public
 * interface. */
#ifndef CARS_CODEGEN_INT_H
#define CARS_CODEGEN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codegen.h"

/* A block being emitted: its own code and block-relative line entries. */
typedef struct cars_cg_block {
    uint8_t *code;
    size_t len, cap;
    cars_pline *lines;
    size_t nlines, cap_lines;
    int depth, max; /* stack depth now, and its maximum */
    uint8_t kind;
    uint16_t list;
} cars_cg_block;

typedef struct cars_cg {
    const cars_ast *ast;
    cars_arena *a;
    cars_diags *d;
    cars_program *p;
    const cars_field *reference;
    uint32_t *elem_first; /* per top-level field: its first element field */
    const char **tiers;   /* sorted */
    size_t ntiers;
    cars_cg_block *blocks; /* accessed by index: the array moves as it grows */
    size_t nblocks, cap_blocks;
    cars_pset *sets;
    size_t nsets, cap_sets;
    cars_str *strings;
    size_t nstrings, cap_strings;
    cars_pindex *indexes;  /* stage indexes (codegen_index.c) */
    size_t nindexes, cap_indexes;
    uint64_t *iwords;
    size_t niwords, cap_iwords;
    bool index_stages; /* emit EVAL_STAGE_INDEXED where worth it */
    cars_expr_map *map;  /* NULL, or where each expression's code lies */
    bool failed, too_big;
} cars_cg;

bool cars_cg_reserve(cars_cg *g, void **arr, size_t n, size_t *cap, size_t want, size_t elem);
void cars_cg_byte(cars_cg *g, cars_cg_block *b, uint8_t v);
void cars_cg_u16(cars_cg *g, cars_cg_block *b, uint32_t v);
void cars_cg_u64(cars_cg *g, cars_cg_block *b, uint64_t v);
void cars_cg_op(cars_cg *g, cars_cg_block *b, int op, const cars_span *span);
size_t cars_cg_new_block(cars_cg *g, uint8_t kind, uint16_t list);
/* A constant set (vals sorted and deduplicated in place; equal sets shared). */
uint32_t cars_cg_set(cars_cg *g, int64_t *vals, size_t n);
uint32_t cars_cg_string(cars_cg *g, const char *s, size_t len);
/* Lays the blocks out as g->p's code, blocks and line table (and hands it
 * the constants and indexes); false (with a diagnostic, or out of memory)
 * when the program is too large or too deeply nested. */
bool cars_cg_layout(cars_cg *g);
void cars_cg_read_field(cars_cg *g, const cars_field *f);
/* The value of a member of a bracket list compared with a field of type t
 * (an enumeration member's index, a country code, an integer). */
int64_t cars_cg_member_value(const cars_expr *m, cars_type t);
/* Stage indexes (codegen_index.c): for the stage's rules (ruleset indexes,
 * ascending), adds the indexes worth having to g; *first and *n say which
 * (n = 0: none, evaluate every rule). */
void cars_cg_stage_index(cars_cg *g, uint32_t stage, const uint32_t *rules, uint32_t n, uint32_t *first,
                         uint32_t *count);
/* Compiles `e` into block bi, leaving one value on its stack. */
void cars_cg_expr(cars_cg *g, size_t bi, const cars_expr *e);

#endif

/* codegen.h - compiles a checked AST into a cars_program (vm/program.h):
 * fields, enumeration members, sets, string constants, bulk tables (read
 * from the CSV files beside the ruleset), tiers, rules, stages, thresholds,
 * the code of every block and its line table. */
#ifndef CARS_CODEGEN_H
#define CARS_CODEGEN_H

#include <stdbool.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "program.h"

/* Fills `out` (every array in the arena `a`) from an AST that cars_check()
 * accepted. `ruleset_dir` is the directory that table files and source
 * names are relative to. The release id and ruleset title are left empty
 * for the caller. Returns false (with diagnostics) on a bad table file or a
 * program too large for the bytecode. With `index`, stages of several rules
 * get stage indexes (codegen_index.c); without, every rule of a stage is
 * evaluated for every record (same results). */
bool cars_codegen(const cars_ast *ast, const char *ruleset_dir, cars_program *out, cars_arena *a,
                  cars_diags *d, bool index);

/* As cars_codegen, for the sources a release carries (parsed with
 * cars_parse_texts: their paths are the release's source names) and with
 * the bulk tables of `tables` (a release, or the program the original
 * sources gave) instead of reading table files: their key, hashes, counts
 * and digests are taken as they are. compile.c uses it to build a release
 * from its canonical text, and to check a release against that text. */
bool cars_codegen_carried(const cars_ast *ast, const cars_program *tables, cars_program *out, cars_arena *a,
                          cars_diags *d, bool index);

/* The coverage program (compiler/coverage.c): the same schema and tables,
 * and one rule per expression in `conds` (bool expressions of the checked
 * AST, outside any quantifier body), all in one stage; routing decides NONE.
 * cars_vm_eval_rule(vm, rec, k) then gives condition k's value for a record
 * with exactly the VM's semantics. */
bool cars_codegen_conditions(const cars_ast *ast, const char *ruleset_dir,
                             const cars_expr *const *conds, size_t n, cars_program *out,
                             cars_arena *a, cars_diags *d);

/* Where each expression's code lies, for explanations (carsc explain): the
 * code of `e` is [start, end) of block `block` (offsets within the block),
 * and leaves its value on top of the stack when control reaches `end`. An
 * expression compiled more than once (a definition used in several places)
 * has a site for each place. Sites are in the order they were compiled. */
typedef struct cars_expr_site {
    const cars_expr *e;
    uint32_t block, start, end;
} cars_expr_site;

typedef struct cars_expr_map {
    cars_expr_site *sites; /* in the codegen arena */
    size_t n, cap;
} cars_expr_map;

/* As cars_codegen (tables == NULL) or cars_codegen_carried (tables given),
 * also filling `map`: the code is the same bytes either way. */
bool cars_codegen_mapped(const cars_ast *ast, const char *ruleset_dir, const cars_program *tables, cars_program *out,
                         cars_arena *a, cars_diags *d, bool index, cars_expr_map *map);

/* Reads every table of the ruleset (codegen_table.c): fills out->tables,
 * out->ntables and out->table_key. */
bool cars_codegen_tables(const cars_ast *ast, const char *ruleset_dir, cars_program *out,
                         cars_arena *a, cars_diags *d);
/* The tables of `from`, matched to the declarations by name (codegen_table.c). */
bool cars_codegen_tables_from(const cars_ast *ast, const cars_program *from, cars_program *out, cars_arena *a,
                              cars_diags *d);

/* What the routing line's explanation says of a rule of `kind` (enum
 * cars_rule_kind) without a `says` text: its kind of indicator, never its
 * title, which may describe what the rule looks for. */
const char *cars_says_default(int kind);

#endif

/* explain.h - why a record was routed as it was (`carsc explain`).
 *
 * The record is routed by the VM that routes every record, with its trace
 * on (vm.h cars_vm_trace): nothing is evaluated a second time. The trace's
 * steps are read against the checked AST through the map of where each
 * expression's code lies (codegen.h cars_expr_map), which gives, for each
 * rule, the value of each of its conditions and the values behind them.
 * "Why not" answers come from cars_vm_decide_bits: the same routing code, fed
 * each rule's value with one of them turned over. */
#ifndef CARS_EXPLAIN_H
#define CARS_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "codegen.h"
#include "buf.h"
#include "program.h"

typedef struct cars_explainer cars_explainer;

/* For program `p` (verified), compiled from `ast` with `map`. NULL when out
 * of memory. The explainer keeps pointers to all three. */
cars_explainer *cars_explainer_new(const cars_ast *ast, const cars_program *p, const cars_expr_map *map);
void cars_explainer_free(cars_explainer *x);

/* Explains the record on one JSON line (`no` is its line number, for the
 * text) into out: text for a person, or one JSON object and a newline
 * (docs/language.md gives the schema). Returns the outcome routed (enum
 * cars_outcome_v; CARS_OUT_ERROR for an invalid record), or -1 when out of
 * memory or on an internal error (the message is in out). */
int cars_explain_line(cars_explainer *x, const char *line, size_t len, uint64_t no, bool json, cars_buf *out);

/* The outcome and deciding rules of the last record explained, as the
 * trace saw them (for tests). */
const uint32_t *cars_explain_last_rules(const cars_explainer *x, uint32_t *n);

/* The value each condition of the last record had, as the trace saw it:
 * for each site of the map in a RULE block that ran, -1 unknown, 0 false,
 * 1 true; -2 when its code did not run (short-circuited, or its rule was
 * not evaluated). `out` holds map->n entries. For tests. */
void cars_explain_site_values(const cars_explainer *x, int8_t *out);

#endif

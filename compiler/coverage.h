/* coverage.h - `carsc test --coverage`: for every rule, and every condition
 * in it (each operand of an `and`/`or`, outside quantifier bodies), whether
 * some test made it true, some test made it false, and whether some test
 * left it unknown (an answer it needs was absent: Kleene logic).
 *
 * The coverage evaluator is the VM itself: the conditions are compiled into
 * a second program (cars_codegen_conditions, one RULE block each) and every
 * test record is evaluated with cars_vm_eval_rule, so a condition's value is
 * exactly what the VM computes (Kleene logic, absent data), never a second
 * implementation of the semantics. */
#ifndef CARS_COVERAGE_H
#define CARS_COVERAGE_H

#include <stdbool.h>

#include "compile.h"

typedef struct cars_coverage cars_coverage;

/* The condition program, ready for test records; NULL when it cannot be
 * built (why is in d, as errors: d need hold nothing before). */
cars_coverage *cars_coverage_new(const cars_compiled *c, cars_diags *d);
/* Evaluates every condition on one test record (a JSON line). */
void cars_coverage_add(cars_coverage *cv, const char *json, size_t len);
void cars_coverage_free(cars_coverage *cv);

/* One line of the report: a rule's whole condition, or a condition in it
 * (each operand of an and/or), in rule order, each rule first. */
typedef struct cars_coverage_item {
    const cars_rule *rule;  /* the rule it belongs to */
    const cars_expr *cond;  /* the condition (the rule's `when` for the rule) */
    bool is_rule;
    bool seen_true, seen_false; /* some test made it true; false */
    bool seen_unknown;          /* some test left it unknown (an answer absent) */
} cars_coverage_item;

size_t cars_coverage_count(const cars_coverage *cv);
/* Item k, k < cars_coverage_count(cv), after the records added so far. */
cars_coverage_item cars_coverage_get(const cars_coverage *cv, size_t k);
/* The source text of span s (its first line, at most 60 bytes, " ..." when
 * cut) into buf. */
void cars_coverage_source_text(const cars_ast *ast, const cars_span *s, char *buf, size_t size);

#endif

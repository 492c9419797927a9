/* coverage.h - `carsc test --coverage`: for every rule, and every condition
 * in it (each operand of an `and`/`or`, outside quantifier bodies), whether
 * some test made it true and some test made it false.
 *
 * The coverage evaluator is the VM itself: the conditions are compiled into
 * a second program (cars_codegen_conditions, one RULE block each) and every
 * test record is evaluated with cars_vm_eval_rule, so a condition's value is
 * exactly what the VM computes (Kleene logic, absent data), never a second
 * implementation of the semantics. */
#ifndef CARS_COVERAGE_H
#define CARS_COVERAGE_H

#include <stdbool.h>
#include <stdio.h>

#include "compile.h"

typedef struct cars_coverage cars_coverage;

/* NULL (with a message on stderr) when the condition program cannot be
 * built. */
cars_coverage *cars_coverage_new(const cars_compiled *c);
/* Evaluates every condition on one test record (a JSON line). */
void cars_coverage_add(cars_coverage *cv, const char *json, size_t len);
/* Prints the report; returns the number of rules and conditions not both
 * true and false somewhere. */
size_t cars_coverage_print(const cars_coverage *cv, FILE *out);
void cars_coverage_free(cars_coverage *cv);

#endif

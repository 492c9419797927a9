/* test_report.h - the results of `carsc test` as data: each test's name,
 * place, expected and actual outcome and rules, and for a failure why and
 * the trace its text output prints; written as one JSON document (--format
 * json, docs/schemas/test.json) or as JUnit XML (--junit FILE, the test
 * report CI systems read). compiler/cmd_test.c collects them. */
#ifndef CARS_TEST_REPORT_H
#define CARS_TEST_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compile.h"
#include "coverage.h"

typedef struct cars_test_result {
    const cars_example *test;
    bool passed;
    uint8_t got;        /* the outcome it was routed to (CARS_OUT_ERROR: not routed) */
    uint32_t *rules;    /* the rules that decided (program indexes) */
    size_t nrules;
    char *error;        /* why it was not routed, or NULL */
    char *trace;        /* a failure's trace (lines), or NULL */
} cars_test_result;

typedef struct cars_test_results {
    cars_test_result *items;
    size_t n, cap;
    bool failed; /* out of memory: the results are incomplete */
} cars_test_results;

/* Adds a result (copying rules, error and trace); false when out of memory. */
bool cars_test_results_add(cars_test_results *rs, const cars_test_result *r);
void cars_test_results_free(cars_test_results *rs);

/* What a run of `carsc test` gave, for the writers below. */
typedef struct cars_test_run_info {
    const char *path;                /* the ruleset as given */
    const char *run;                 /* --run pattern, or NULL */
    const cars_compiled *c;          /* NULL when it did not compile */
    const cars_test_results *rs;
    const cars_coverage *cv;         /* NULL without coverage */
    bool has_fail_under;
    double fail_under;
    cars_diags *diags;               /* the compilation's */
    const char *trouble;             /* a failure that is no diagnostic (c->error, or that
                                        there are no tests), or NULL */
} cars_test_run_info;

/* The share of rules that some test made both true and false, in percent
 * (100 when there are no rules): the figure --fail-under compares. */
double cars_rules_covered_percent(const cars_coverage *cv, size_t nrules, size_t *covered);

/* One JSON document (docs/schemas/test.json); false when it cannot be
 * written. */
bool cars_test_write_json(const cars_test_run_info *in, FILE *out);
/* JUnit XML: one <testsuite> named after the ruleset, one <testcase> per
 * test run (classname: its file), a <failure> with the message and the
 * trace for each that failed; a ruleset that does not compile is one
 * testcase "compile" with an <error> holding the diagnostics, one with no
 * tests (c set, trouble saying so) one testcase "tests" in error. */
void cars_test_write_junit(const cars_test_run_info *in, FILE *out);

#endif

/* equality.h - the figures of the Equality Impact Assessment (carsc
 * equality): outcome shares by nationality, sex and age band (completed
 * years on the received date: 0-17, 18-24, 25-34, 35-44, 45-54, 55-64,
 * 65-74, 75 and over), each against the whole population, with the CX
 * rate ratio (the share of records routed CXDR or CXPCA; group rate /
 * population rate) and its 95% interval by the log method (stats.h).
 *
 * Aggregates only, and none that singles out a person: a group of fewer
 * than `min_cell` records is not named but pooled into "other"; any count
 * from 1 to min_cell - 1 is suppressed (primary), then further counts so
 * that no suppressed count is the difference of shown figures of its row
 * (the outcomes and the group total) or column (the groups of a dimension
 * add up to the population): secondary suppression. A ratio is shown only
 * when the counts it is made of (CXDR, CXPCA, the total) are shown, in
 * the row and in the population. One pass, streaming; at most
 * CARS_EQ_MAX_VALUES distinct values per dimension are kept (later ones go
 * to "other"), so memory does not grow with the corpus. */
#ifndef CARS_EQUALITY_H
#define CARS_EQUALITY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "program.h"
#include "strindex.h"

#define CARS_EQ_MAX_VALUES 4096
#define CARS_EQ_COLS 7 /* the six outcomes, then the group total */

enum cars_eq_dim { CARS_EQ_NATIONALITY, CARS_EQ_SEX, CARS_EQ_AGE, CARS_EQ_NDIMS };

typedef struct cars_eq_row {
    char label[64];               /* a value; "(not given)"; "other (...)" */
    uint64_t c[CARS_EQ_COLS];     /* outcome counts, then the total */
    bool hidden[CARS_EQ_COLS];    /* suppressed */
    bool pooled;                  /* the row of pooled small groups */
} cars_eq_row;

typedef struct cars_eq_dim_t {
    cars_eq_row *rows;
    size_t n, cap;
    cars_strindex index;          /* label -> row */
    uint64_t overflow[CARS_EQ_COLS]; /* values past CARS_EQ_MAX_VALUES */
} cars_eq_dim_t;

typedef struct cars_equality {
    const char *records_path, *routing_path;
    const char *field[4];        /* nationality, sex, date of birth, received date paths */
    uint64_t min_cell;
    uint64_t pop[CARS_EQ_COLS];
    bool pop_hidden[CARS_EQ_COLS];
    cars_eq_dim_t dim[CARS_EQ_NDIMS];
} cars_equality;

/* Reads both files (same order; ids compared line by line) and makes the
 * figures, suppression done. `rel` (or NULL) names the fields by the
 * schema's protected and reference marks; otherwise the reference
 * schema's paths. False with a message on stderr naming the line (never
 * an id or a value). */
bool cars_equality_run(cars_equality *q, const char *records, const char *routing, const cars_program *rel,
                       uint64_t min_cell);
void cars_equality_free(cars_equality *q);

/* CX count (CXDR + CXPCA) of a row's counts. */
uint64_t cars_eq_cx(const uint64_t *c);
/* Whether a row's ratio may be shown: CXDR, CXPCA and the total shown. */
bool cars_eq_ratio_shown(const bool *hidden);
/* Suppresses the cells of a dimension's rows (primary and secondary, as
 * above), pooling done: a column whose population figure is hidden has
 * no column constraint. Exposed for the unit tests. */
void cars_eq_suppress(cars_eq_row *rows, size_t n, const bool pop_hidden[CARS_EQ_COLS], uint64_t min_cell);

/* Printing (equality_print.c). */
void cars_equality_text(const cars_equality *q, FILE *out);
void cars_equality_csv(const cars_equality *q, FILE *out);
void cars_equality_html(const cars_equality *q, FILE *out);

#endif

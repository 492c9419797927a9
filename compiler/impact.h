/* impact.h - the impact of a new release before it ships (carsc impact):
 * one pass over a corpus, each record read and routed under the old and
 * the new release (each with its own reader: their schemas may differ, so
 * a record invalid under one and valid under the other is a transition
 * to or from ERROR). Figures: the outcome transition matrix; each rule's
 * firings (records whose routing line lists it) before and after; for
 * each cell the rules whose firing differs (gained: listed by the new
 * release only; lost: by the old only) and the first few records. Rules
 * are matched across releases by id. Work is spread over threads as
 * carsvm route does it (lineblocks.h); the figures do not depend on the
 * number of threads. Memory does not grow with the corpus. */
#ifndef CARS_IMPACT_H
#define CARS_IMPACT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "program.h"

#define CARS_NOUTCOMES 6      /* enum cars_outcome_v, ERROR last */
#define CARS_IMPACT_EXAMPLES 5 /* first records kept per cell */
#define CARS_IMPACT_ID_MAX 96  /* bytes of an id kept for display */

typedef struct cars_impact_example {
    uint64_t line;
    char id[CARS_IMPACT_ID_MAX + 1]; /* "" with has_id false: the record had no readable id */
    bool has_id, cut;                /* cut: the id was longer and is shown in part */
} cars_impact_example;

typedef struct cars_impact {
    const cars_program *old, *new_;
    uint32_t ng;                /* rules of either release, matched by id */
    const cars_str **gid;       /* ng: each rule's id */
    int64_t *g_old, *g_new;     /* ng: its index in each release, -1 absent */
    uint32_t *old_to_g, *new_to_g;
    uint64_t records, blank;
    uint64_t matrix[CARS_NOUTCOMES][CARS_NOUTCOMES]; /* [old][new] */
    uint64_t *fired_old, *fired_new;               /* ng each */
    uint64_t *gained, *lost;                       /* [cell * ng + g], cell = old * 6 + new */
    uint64_t rules_changed[CARS_NOUTCOMES];        /* same outcome, different rules, by outcome */
    cars_impact_example ex[CARS_NOUTCOMES * CARS_NOUTCOMES][CARS_IMPACT_EXAMPLES];
    uint32_t nex[CARS_NOUTCOMES * CARS_NOUTCOMES];
} cars_impact;

/* Reads every line of `in` and fills *im. 0, or -1 with a message in err.
 * `threads` as cars_lb_threads (0: every core). */
int cars_impact_run(cars_impact *im, const cars_program *old, const cars_program *new_, FILE *in, int threads,
                    char *err, size_t errlen);
void cars_impact_free(cars_impact *im);

/* Records whose outcome changed. */
uint64_t cars_impact_changed(const cars_impact *im);

/* Printing (impact_print.c). Names are what the reader is shown for each
 * release (its path); the figures come from im alone. */
typedef struct cars_impact_names {
    const char *old_path, *new_path, *corpus;
} cars_impact_names;
void cars_impact_text(const cars_impact *im, const cars_impact_names *nm, FILE *out);
void cars_impact_json(const cars_impact *im, const cars_impact_names *nm, FILE *out);
void cars_impact_html(const cars_impact *im, const cars_impact_names *nm, FILE *out);

#endif

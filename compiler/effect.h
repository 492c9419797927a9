/* effect.h - the monthly review of the tool's effectiveness (carsc
 * effectiveness): of the applications routed non-complex (NCXDR, NCXPCA)
 * whose record was received in a period, how many a decision maker
 * re-routed as complex (the RCX list, rcx.h), overall and per group:
 * each non-complex outcome; each rule listed in a non-complex routing
 * (the single rules of NCXDR, each multiple PCA of NCXPCA); each tier
 * (an NCXPCA record counts once in each tier one of its listed multiple
 * PCAs is in); and the number of multiple PCAs listed (1 to 9, 10 or
 * more). Each rate has its Wilson 95% interval (stats.h); a group is
 * flagged when its whole interval lies above the overall non-complex
 * re-route rate. One pass, streaming: memory holds the RCX list and the
 * groups, not the corpus. */
#ifndef CARS_EFFECT_H
#define CARS_EFFECT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "program.h"
#include "rcx.h"
#include "strindex.h"

enum cars_eff_kind { CARS_EG_OUTCOME, CARS_EG_RULE, CARS_EG_TIER, CARS_EG_BAND };

typedef struct cars_eff_group {
    uint8_t kind;      /* enum cars_eff_kind */
    bool known;        /* a rule named by one of the releases given */
    bool multiple;     /* a rule: a multiple PCA (by its release; unknown rules of NCXPCA routings too) */
    int32_t tier;      /* a multiple PCA: the index of its tier's group, -1 none */
    char label[128];   /* outcome, rule id, tier name, band ("3", "10 or more") */
    uint64_t routed, rerouted;
} cars_eff_group;

typedef struct cars_effect {
    cars_rcx rcx;
    const char *routing_path, *rcx_path, *records_path; /* records_path NULL: none */
    const char *received_path;                          /* the record field of the received date */
    bool period;
    int64_t from, to;                                   /* inclusive, days */
    cars_eff_group *g;
    size_t ng, gcap;
    cars_strindex index;                                /* (kind, label) -> group */
    uint64_t lines, outside, no_date;
    uint64_t routed[6];                                 /* in the period, by outcome */
    uint64_t ncx, ncx_rerouted;
    uint64_t rules_unknown;                             /* rule ids none of the releases has */
} cars_effect;

typedef struct cars_effect_args {
    const char *routing, *rcx, *records; /* records: NULL, or the records routed (same order) */
    const cars_program *const *rel;      /* releases that name the rules (tiers, kinds), first first */
    size_t nrel;
    bool period;
    int64_t from, to;
} cars_effect_args;

/* Reads everything and fills *e; false with a message on stderr. */
bool cars_effect_run(cars_effect *e, const cars_effect_args *a);
void cars_effect_free(cars_effect *e);

/* The overall non-complex re-route rate (0 with no non-complex routing). */
double cars_effect_rate(const cars_effect *e);
/* Whether group g is flagged: its Wilson interval lies wholly above the overall rate. */
bool cars_effect_flag(const cars_effect *e, const cars_eff_group *g, double *lo, double *hi);

/* Printing (effect_print.c). */
void cars_effect_text(const cars_effect *e, FILE *out);
void cars_effect_json(const cars_effect *e, FILE *out);
void cars_effect_html(const cars_effect *e, FILE *out);

#endif

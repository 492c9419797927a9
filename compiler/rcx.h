/* rcx.h - the list of re-routes (RCX: an application routed non-complex
 * that a decision maker re-routed as complex), read for carsc
 * effectiveness. Two forms, told apart by the first non-blank character:
 *   CSV: a header naming the columns (`id`, and optionally `reason` and
 *        `date`, in any order, nothing else), then one line per re-route;
 *        fields may be quoted ("..." with "" for a quote; no line breaks
 *        inside a field);
 *   JSON Lines: one object per line, {"id":"...","reason":"...","date":"YYYY-MM-DD"},
 *        reason and date optional.
 * Blank lines are skipped. An id listed twice is kept once and counted
 * as a duplicate. The list is held in memory (it grows with the re-routes,
 * not with the corpus). */
#ifndef CARS_RCX_H
#define CARS_RCX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strindex.h"

typedef struct cars_rcx_entry {
    char *id;
    char *reason;       /* NULL: none given */
    uint32_t listed;    /* times the list names it */
    uint32_t routed;    /* routing lines with this id */
    int8_t outcome;     /* of its first routing line, -1 none */
    bool in_period;     /* its first routing line's record falls in the period */
    bool counted;       /* re-routed within the period from a non-complex routing */
} cars_rcx_entry;

typedef struct cars_rcx {
    cars_rcx_entry *e; /* in list order */
    size_t n, cap;
    cars_strindex index; /* id -> entry */
    uint64_t lines;    /* re-route lines read (duplicates included) */
} cars_rcx;

/* Reads the list at `path`; false with a message on stderr naming the
 * line ("carsc effectiveness: rcx.csv:4: ..."). */
bool cars_rcx_read(cars_rcx *x, const char *path);
/* The entry of an id, or NULL. */
cars_rcx_entry *cars_rcx_find(const cars_rcx *x, const char *id);
void cars_rcx_free(cars_rcx *x);

/* Splits one CSV line into at most `max` fields (in place: quotes removed,
 * fields NUL-terminated); the number of fields, or -1 if malformed. */
int cars_csv_split(char *line, char **field, int max);

#endif

/* jsonl.h - reading the JSON Lines the figures commands take in: routing
 * lines as carsvm route writes them (docs/carsvm.md "Output"), records
 * (a field by its dotted schema path), one line at a time. Parsed with
 * yajl's tree API (the JSON library carsvm uses); nothing is hand-parsed.
 * Memory is one line and its tree. */
#ifndef CARS_JSONL_H
#define CARS_JSONL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <yajl/yajl_tree.h>

/* A file read line by line; blank lines (space, tab, CR) are skipped but
 * counted in `no`. */
typedef struct cars_lines {
    FILE *f;
    const char *path;
    char *buf;
    size_t cap;
    size_t len;  /* of the current line, without its newline */
    uint64_t no; /* its 1-based line number */
} cars_lines;

/* Opens `path` (- for stdin); false with a message on stderr ("carsc CMD: ..."). */
bool cars_lines_open(cars_lines *l, const char *path, const char *cmd);
/* The next non-blank line in l->buf (NUL-terminated); 0 at the end, 1 a
 * line, -1 a read error (message on stderr). */
int cars_lines_next(cars_lines *l, const char *cmd);
void cars_lines_close(cars_lines *l);

/* One routing line. */
typedef struct cars_rline {
    yajl_val tree;
    const char *id;     /* NULL: "id" was null */
    int outcome;        /* enum cars_outcome_v */
    size_t nrules;
    yajl_val *rules;    /* strings */
} cars_rline;

/* Parses a routing line; false with the reason in err. Frees the previous
 * tree of *r first (start from a zeroed cars_rline). */
bool cars_rline_parse(cars_rline *r, const char *line, char *err, size_t errlen);
void cars_rline_free(cars_rline *r);

/* The value at a dotted path ("applicant.sex": nested objects, or a key
 * holding the whole path); NULL when absent. */
yajl_val cars_json_path(yajl_val root, const char *path);

/* The outcome's code for its name; -1 if it is none. */
int cars_outcome_parse(const char *name);

#endif

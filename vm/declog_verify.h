/* declog_verify.h - checking a decision log's chain (`carsvm log verify`),
 * one file after another, in the order they were written. */
#ifndef CARS_DECLOG_VERIFY_H
#define CARS_DECLOG_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "declog.h"

/* The chain so far: the hash of the last line checked. */
typedef struct cars_declog_chk {
    uint8_t head[CARS_DECLOG_HASH_BYTES];
    bool have_head;
    bool continues; /* the first file given continues an earlier one */
} cars_declog_chk;

typedef struct cars_declog_file_result {
    unsigned long long lines;    /* whole lines read */
    unsigned long long bad_line; /* the first bad line (1-based), or 0 */
    size_t torn;                 /* bytes of a torn last line, ignored */
} cars_declog_file_result;

/* Checks one file, continuing the chain in *c. 0: every whole line good;
 * 1: res->bad_line is the first bad one (why in err); -1: unreadable. */
int cars_declog_verify_file(const char *path, cars_declog_chk *c, cars_declog_file_result *res, char *err,
                            size_t errlen);

/* Whether a line (without newline) ends with ,"prev":"<64 hex>"}. */
bool cars_declog_tail_ok(const char *line, size_t len);

#endif

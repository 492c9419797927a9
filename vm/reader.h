/* reader.h - the streaming record reader: validates one JSON line against
 * the program's schema (every field, not only the ones the program reads)
 * and keeps the values the program reads in fixed slots. Read with
 * simdjson's stage 1 and a walk of its index directed by the schema; yajl
 * words the errors. One reader per thread, reused for every line; no heap
 * allocation per record (buffers grow to the longest line; yajl allocates
 * from an arena reset per line).
 * Limits: CARS_READER_MAX_DEPTH nesting levels, CARS_READER_MAX_ELEMS
 * elements per list, CARS_READER_MAX_LINE bytes per line. */
#ifndef CARS_READER_H
#define CARS_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"

#define CARS_READER_MAX_DEPTH 64
#define CARS_READER_MAX_ELEMS 100000
#define CARS_READER_MAX_LINE 0xFFFFFFFEu /* longer lines are refused: offsets are 32-bit */
/* The bytes a caller of cars_reader_parse_padded keeps readable after the line. */
#define CARS_READER_PAD 64

/* A value slot: integer-like (bool 0/1, integer, date in days, country
 * code, enum member index) in i, number in f; known = present and not null. */
typedef struct cars_value {
    union {
        int64_t i;
        double f;
    };
    bool known;
} cars_value;

/* A list field's elements: n records of `stride` slots (one per element
 * field, in schema order), n <= the array's capacity. Kept only for the
 * list fields the program reads; in a valid record n is the list's length
 * (and v[field].i). */
typedef struct cars_list {
    uint32_t n;
    uint32_t stride;
    cars_value *elems;
} cars_list;

/* One record, as the VM reads it. Indexed by top-level field index.
 * Only fields with CARS_FF_READ are stored; the others are validated only. */
typedef struct cars_record {
    cars_value *v;      /* nfields: scalars; for a LIST, known = present, i = count */
    cars_str *s;        /* nfields: STRING values (pointer into the reader) */
    cars_list *lists;   /* nfields: LIST elements */
    cars_str id;        /* the "id" string, if it could be read */
    bool has_id;
} cars_record;

typedef struct cars_reader cars_reader;

/* NULL when out of memory. The program must outlive the reader. */
cars_reader *cars_reader_new(const cars_program *p);
void cars_reader_free(cars_reader *r);

/* Parses and validates one line (without its newline). True if the record
 * is valid: then every string in it is strict UTF-8. Otherwise
 * cars_reader_error() says why (valid UTF-8, no control characters), and
 * the record's id is still set if it could be read from text that is
 * itself valid. Nothing is carried from one line to the next. */
bool cars_reader_parse(cars_reader *r, const char *line, size_t len);
/* The same, without copying the line: line[len] is '\n' or NUL, and
 * CARS_READER_PAD bytes from line[len] on are readable and initialised (the
 * router's block of lines, zeroed after its last byte). */
bool cars_reader_parse_padded(cars_reader *r, const char *line, size_t len);
/* The same, with yajl alone reading the line: the referee the tests and
 * fuzzers hold cars_reader_parse to (it also words the errors of the lines
 * cars_reader_parse refuses). */
bool cars_reader_parse_yajl(cars_reader *r, const char *line, size_t len);
const cars_record *cars_reader_record(const cars_reader *r);
/* The error of the last invalid line: NUL-terminated, without final '.'. */
const char *cars_reader_error(const cars_reader *r);
/* True when the last line failed for lack of memory, not for its content
 * (the router treats that as fatal, not as an invalid record). */
bool cars_reader_out_of_memory(const cars_reader *r);
/* The key comparisons the duplicate check of the last line made: for an
 * object with n unknown keys at most 2 n log2 n + 3 n, whatever their order
 * (tests and fuzzers assert it; a quadratic sort would break it). */
uint64_t cars_reader_key_comparisons(const cars_reader *r);

#endif

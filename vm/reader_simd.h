/* reader_simd.h - the record reader's parser on the accept path: simdjson's
 * stage 1 and a walk of the structural index it builds (Debian's
 * libsimdjson 3.0.1), in vm/reader_simd.cpp, the
 * one C++ translation unit of the tree, behind this C interface. It walks
 * every value of the line (unknown fields too, so that nothing is skipped
 * unvalidated) and drives the reader's state machine (reader.c) with the
 * same events as yajl's callbacks: the schema's checks and the record's
 * slots are one code, whichever parser reads the line. Private to the
 * reader's files, like reader_int.h; includable from C and C++. */
#ifndef CARS_READER_SIMD_H
#define CARS_READER_SIMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The parser's state of one reader: simdjson's structural index, the
 * padded copy of the line and the decoded strings' buffer (all grow to the
 * longest line read, never shrink). */
typedef struct cars_rd_simd cars_rd_simd;

/* NULL when out of memory. */
cars_rd_simd *cars_rd_simd_new(void);
void cars_rd_simd_free(cars_rd_simd *s);

enum cars_rd_simd_result {
    CARS_RD_SIMD_DONE,    /* valid JSON, one object, every event taken */
    CARS_RD_SIMD_REFUSED, /* not valid JSON, or an event refused (depth, memory) */
    CARS_RD_SIMD_OOM,     /* out of memory before the line was read */
};

/* Parses line (len bytes, no newline), sending its events to ctx (the
 * reader, already reset for the line): from a padded copy, or where it is
 * when padded (cars_reader_parse_padded's contract). REFUSED sets *why to a static
 * description of what simdjson refused (for a message when yajl, the
 * wording referee, accepts what simdjson refused). */
enum cars_rd_simd_result cars_rd_simd_parse(cars_rd_simd *s, void *ctx, const char *line, size_t len, bool padded,
                                            const char **why);

/* The state machine's events (reader.c): yajl's callbacks' signatures; 0
 * stops the parse (nesting too deep, out of memory). */
int cars_rd_on_null(void *ctx);
int cars_rd_on_boolean(void *ctx, int b);
int cars_rd_on_number(void *ctx, const char *s, size_t n);
int cars_rd_on_string(void *ctx, const unsigned char *s, size_t n);
int cars_rd_on_start_map(void *ctx);
int cars_rd_on_map_key(void *ctx, const unsigned char *key, size_t n);
/* The same, with pre the key's first 8 bytes zero-padded (as a uint64_t
 * loaded from memory): the walk reads them at once from its padded line. */
int cars_rd_on_map_key_pre(void *ctx, const unsigned char *key, size_t n, uint64_t pre);
int cars_rd_on_end_map(void *ctx);
int cars_rd_on_start_array(void *ctx);
int cars_rd_on_end_array(void *ctx);

#ifdef __cplusplus
}
#endif

#endif

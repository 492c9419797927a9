/* reader_simd.h - simdjson's stage 1 for the record reader, behind a C
 * interface (vm/reader_simd.cpp, the one C++ translation unit of the tree,
 * over Debian's libsimdjson 3.0.1): the line's structural index and
 * simdjson's string unescaper. The walk of that index, directed by the
 * schema, is C (reader_walk.c). Private to the reader's files, like
 * reader_int.h; includable from C and C++. */
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
    CARS_RD_SIMD_DONE,    /* the line is a valid record: the walk took every value */
    CARS_RD_SIMD_REFUSED, /* not valid JSON, or not a valid record, or a limit */
    CARS_RD_SIMD_OOM,     /* out of memory */
};

/* One line's structural index: ix[0..n) are the offsets in buf of every
 * {, }, [, ], ',', ':', of every string's opening quote and of every other
 * token's first byte; ix[n] is len, where buf holds a byte that starts no
 * token ('\n' or NUL), so a walk that runs off the end stops there. buf
 * has CARS_READER_PAD readable bytes after len; sbuf has room for the
 * line's unescaped strings and as many bytes again. */
typedef struct cars_rd_index {
    const uint8_t *buf;
    size_t len;
    const uint32_t *ix;
    size_t n;
    uint8_t *sbuf;
} cars_rd_index;

/* simdjson's stage 1 on line (len bytes, no newline): from a padded copy,
 * or where it is when padded (cars_reader_parse_padded's contract). It
 * validates the whole line's UTF-8 and refuses a control character raw in
 * a string or a string left open. REFUSED sets *why to a static
 * description of what stage 1 refused. */
enum cars_rd_simd_result cars_rd_simd_index(cars_rd_simd *s, const char *line, size_t len, bool padded,
                                            cars_rd_index *out, const char **why);

/* Unescapes the string whose text starts at raw (after its opening quote,
 * in the index's buf) into dst (simdjson's parse_string for this CPU):
 * the end of what it wrote, or NULL for an unknown escape or a lone
 * surrogate. It may write up to CARS_READER_PAD bytes past the end. */
uint8_t *cars_rd_simd_unescape(const cars_rd_simd *s, const uint8_t *raw, uint8_t *dst);

#ifdef __cplusplus
}
#endif

#endif

/* route.h - route a stream of JSON Lines: read large blocks of whole lines,
 * split each block into contiguous ranges, one per thread (each with its own
 * reader, VM and output buffer), and write the buffers in input order. The
 * output is byte-identical for any number of threads. */
#ifndef CARS_ROUTE_H
#define CARS_ROUTE_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"

#include "program.h"

#define CARS_MAX_LINE (16u * 1024 * 1024) /* longer lines (not blank) get an ERROR line */
/* The error of such a line (CARS_MAX_LINE in decimal). */
#define CARS_OVERLONG_ERROR "line longer than 16777216 bytes"

/* A blank line holds only JSON whitespace (RFC 8259: space, tab, CR; LF
 * ends it): no record, no output line, whatever its length (a line longer
 * than CARS_MAX_LINE gets its ERROR line only if it is not blank). Form
 * feed and vertical tab are not JSON whitespace: a line of them is an
 * invalid record. The one rule for carsvm route and serve, libcars and
 * carsc's readers of routing output. */
static inline bool cars_blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

typedef struct cars_route_stats {
    unsigned long long records, invalid, blank;
} cars_route_stats;

/* Routes every line of `in` to `out`. Returns 0 when every record was
 * routed, 3 when some were invalid, -1 on a fatal error (message in err:
 * unreadable input, write failure, out of memory). `threads` >= 1. */
int cars_route_stream(const cars_program *p, FILE *in, FILE *out, int threads, cars_route_stats *stats, char *err,
                      size_t errlen);

struct cars_declog;
struct cars_declog_src;
/* As cars_route_stream, and appends one decision-log entry per record to
 * `log` (vm/declog.h) when `src` is not NULL: each block's entries are
 * appended before its routing lines are written, so no routing is written
 * that the log does not hold; a log that cannot be written is fatal. */
int cars_route_stream_logged(const cars_program *p, FILE *in, FILE *out, int threads, struct cars_declog *log,
                             const struct cars_declog_src *src, cars_route_stats *stats, char *err, size_t errlen);

struct cars_reader;
struct cars_vm;
struct cars_result;
struct cars_outtext;
/* Routes one record (`line`, without its newline; record number `no` for
 * an ERROR line; `overlong`: longer than CARS_MAX_LINE, not read) and
 * appends its routing line to `out` (made from `text`, the release's text
 * of every line (cars_outtext_new(p)), or made here when it is NULL: the
 * same bytes) and, when `src` is not NULL, its
 * decision-log entry to `log`: the one routing step of route, serve and
 * libcars. *res is the decision (outcome CARS_OUT_ERROR and no rules for
 * an invalid record, whose reason is then cars_reader_error(reader), or
 * CARS_OVERLONG_ERROR); its rule list lives in the VM until its next
 * record. Returns 0, 1 when the record was invalid, -1 on a fatal error
 * (err). */
int cars_route_record(struct cars_reader *reader, struct cars_vm *vm, const cars_program *p,
                      const struct cars_outtext *text, const char *line, size_t len, uint64_t no, bool overlong,
                      cars_buf *out, cars_buf *log,
                      const struct cars_declog_src *src, struct cars_result *res, char *err, size_t errlen);
/* As cars_route_record, the way route routes its blocks: the line is
 * followed by CARS_READER_PAD readable bytes, so it is read where it is
 * (cars_reader_parse_padded), without a copy. A line
 * longer than CARS_MAX_LINE is overlong, as route finds it. */
int cars_route_record_padded(struct cars_reader *reader, struct cars_vm *vm, const cars_program *p,
                             const struct cars_outtext *text, const char *line, size_t len, uint64_t no, cars_buf *out,
                             cars_buf *log, const struct cars_declog_src *src, struct cars_result *res, char *err,
                             size_t errlen);

#endif

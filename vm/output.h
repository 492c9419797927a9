/* output.h - routing lines as JSON: one line per record, with proper string
 * escaping and the plain-English explanation. Writes into growable buffers
 * (vm/buf.h; one per thread, reused). */
#ifndef CARS_OUTPUT_H
#define CARS_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h" /* cars_outcome_name */
#include "buf.h"
#include "json.h" /* cars_json_string */
#include "program.h"
#include "vm.h"

/* The explanation sentence for a result (no JSON escaping). */
void cars_explain(cars_buf *b, const cars_program *p, const cars_result *r);

/* {"id":...,"outcome":...,"rules":[...],"explanation":"...","release":"..."}\n */
void cars_output_result(cars_buf *b, const cars_program *p, const cars_str *id, const cars_result *r);

/* The text of a release's routing lines that does not depend on the
 * record (rule ids and explanations, outcome names and labels, what each
 * threshold needs, the release id), JSON-escaped once: made when routing
 * begins, read-only after, shared by every thread. NULL when out of memory.
 * The program must outlive it. */
typedef struct cars_outtext cars_outtext;
cars_outtext *cars_outtext_new(const cars_program *p);
void cars_outtext_free(cars_outtext *t);
/* The same line as cars_output_result, copying t's pieces. */
void cars_output_routed(cars_buf *b, const cars_outtext *t, const cars_str *id, const cars_result *r);
/* {"id":...|null,"outcome":"ERROR","rules":[],"explanation":"Invalid record: E.",
 *  "release":"...","error":"E","line":N}\n ; id NULL for null. */
void cars_output_error(cars_buf *b, const cars_program *p, const cars_str *id, const char *error, uint64_t line);
/* The explanation of an invalid record, as cars_output_error states it:
 * "Invalid record: E." (no JSON escaping), cut to CARS_EXPLAIN_ERROR_SIZE
 * - 1 bytes. Returns its length. */
#define CARS_EXPLAIN_ERROR_SIZE 1100
size_t cars_explain_error(char out[CARS_EXPLAIN_ERROR_SIZE], const char *error);

#endif

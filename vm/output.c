/* output.c - routing lines as JSON (see output.h). */
#include "output.h"

void cars_buf_free(cars_buf *b) { (void)b; }
void cars_buf_put(cars_buf *b, const void *s, size_t n) { (void)b; (void)s; (void)n; }
void cars_buf_puts(cars_buf *b, const char *s) { (void)b; (void)s; }
void cars_json_string(cars_buf *b, const char *s, size_t n) { (void)b; (void)s; (void)n; }
void cars_explain(cars_buf *b, const cars_program *p, const cars_result *r) { (void)b; (void)p; (void)r; }
void cars_output_result(cars_buf *b, const cars_program *p, const cars_str *id, const cars_result *r)
{ (void)b; (void)p; (void)id; (void)r; }
void cars_output_error(cars_buf *b, const cars_program *p, const cars_str *id, const char *error, uint64_t line)
{ (void)b; (void)p; (void)id; (void)error; (void)line; }
const char *cars_outcome_name(int outcome) { (void)outcome; return "?"; }

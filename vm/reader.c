/* reader.c - streaming record reader (see reader.h). */
#include "reader.h"

cars_reader *cars_reader_new(const cars_program *p) { (void)p; return NULL; }
void cars_reader_free(cars_reader *r) { (void)r; }
bool cars_reader_parse(cars_reader *r, const char *line, size_t len) { (void)r; (void)line; (void)len; return false; }
const cars_record *cars_reader_record(const cars_reader *r) { (void)r; return NULL; }
const char *cars_reader_error(const cars_reader *r) { (void)r; return "not implemented"; }

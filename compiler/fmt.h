/* fmt.h - printing an AST back as canonical CARS source (carsc fmt). */
#ifndef CARS_FMT_H
#define CARS_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ast.h"

/* Print the declarations of file `file` of `ast` (a successfully parsed
 * AST: no errors) in canonical form, with its comments. Returns false on a
 * write error. */
bool cars_fmt_file(const cars_ast *ast, uint32_t file, FILE *out);
/* The same as a NUL-terminated string from cars_malloc (the caller frees
 * it with cars_free), its length in *len; NULL when out of memory. */
char *cars_fmt_string(const cars_ast *ast, uint32_t file, size_t *len);

#endif

/* parse.h - reading a ruleset (files, directories, includes) into one AST. */
#ifndef CARS_PARSE_H
#define CARS_PARSE_H

#include <stddef.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"

/* Parse every path (a .cars file, or a directory whose *.cars files are read
 * in name order) into one AST. Includes are followed, relative to the
 * including file, each file once; a cycle is an error. Files over 16 MiB,
 * with NUL bytes or invalid UTF-8 are refused with a diagnostic. Always returns an AST (possibly partial) unless
 * out of memory; errors go to `d`. d->files/nfiles are set to the sources. */
cars_ast *cars_parse_paths(const char *const *paths, size_t npaths, cars_arena *a, cars_diags *d);

/* Parse one file alone: its includes are recorded, not followed (fmt). */
cars_ast *cars_parse_file(const char *path, cars_arena *a, cars_diags *d);

/* Parse one in-memory text as file `name` (tests, fuzzing); its includes
 * are recorded, not followed. */
cars_ast *cars_parse_text(const char *name, const char *text, size_t len, cars_arena *a, cars_diags *d);

#endif

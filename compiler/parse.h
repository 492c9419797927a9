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

/* The *.cars files of directory `dir` (not those whose names begin with
 * '.'), as paths "DIR/NAME" in name order, allocated in `a`: the one list
 * that both reading a ruleset and carsc fmt use. Returns 0 with *paths
 * (NULL when *n is 0) and *n; -1 when `a` ran out of memory; or, when the
 * directory cannot be read, its errno. */
int cars_list_sources(const char *dir, cars_arena *a, char ***paths, size_t *n);
/* Does `path` name a source file: does it end in ".cars", after at least
 * one other byte? (The rule cars_list_sources lists by.) */
bool cars_is_source_path(const char *path);

/* A source file held in memory: a release's carried canonical text. */
typedef struct cars_text_file {
    const char *name; /* relative to the ruleset, as in the release */
    const char *text;
    size_t len;
} cars_text_file;

/* Parse in-memory files as a ruleset, reading them in the order given as
 * cars_parse_paths reads a directory's files (each a root, each once);
 * includes are followed among the files, by name relative to the including
 * file's name. Reproduces the AST that the original files gave, so that a
 * release can be compiled again from the text it carries. */
cars_ast *cars_parse_texts(const cars_text_file *files, size_t n, cars_arena *a, cars_diags *d);

/* Parse one file alone: its includes are recorded, not followed (fmt). */
cars_ast *cars_parse_file(const char *path, cars_arena *a, cars_diags *d);

/* Parse one in-memory text as file `name` (tests, fuzzing); its includes
 * are recorded, not followed. */
cars_ast *cars_parse_text(const char *name, const char *text, size_t len, cars_arena *a, cars_diags *d);

#endif

/* compile.h - the whole pipeline from a ruleset path to a verified program,
 * shared by `carsc build` and `carsc test`: parse, check, codegen, write the
 * bundle bytes, and load + verify those bytes exactly as carsvm will. */
#ifndef CARS_COMPILE_H
#define CARS_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "check.h"
#include "codegen.h"
#include "diag.h"
#include "program.h"

typedef struct cars_compiled {
    cars_arena arena;
    cars_diags diags;
    cars_ast *ast;
    const char *dir;      /* the ruleset directory (tables, source names) */
    cars_program built;   /* as codegen made it (arrays in the arena) */
    uint8_t *bytes;       /* the bundle (cars_malloc) */
    size_t len;
    cars_program loaded;  /* loaded and verified from bytes */
    bool has_loaded;
    char error[512];      /* a failure that is not a source diagnostic */
} cars_compiled;

/* What a release says of itself (carsc build's options). */
typedef struct cars_release_opts {
    const char *release_id;   /* "dev" if NULL */
    uint64_t sequence;
    int64_t valid_from, valid_until; /* days; both 0 = always valid (a dev build) */
    uint8_t channel;          /* enum cars_channel; a dev build is "test" */
    bool no_index;            /* no stage indexes: every rule of a stage runs for every record */
    cars_ptests tests;        /* what the ruleset's tests gave (program.h); zero: not run */
    const struct cars_audit_pub *audit; /* naudit > 0: seal the rule text to these keys (seal.h) */
    size_t naudit;
} cars_release_opts;

/* As cars_compile, with release metadata, for a release: the program is
 * compiled from the canonical text the release carries (see
 * cars_release_recompile), so what an auditor reads is what runs. Also records the BLAKE2b-256 of
 * every source and table file and the canonical text of every source. */
bool cars_compile_release(const char *path, const cars_check_options *opt, const cars_release_opts *rel,
                          cars_compiled *out);

/* Compiles the ruleset at `path` (a directory or a .cars file). Returns
 * true when every step succeeded; diagnostics are in out->diags (sorted),
 * other failures in out->error. Always call cars_compiled_free. */
bool cars_compile(const char *path, const cars_check_options *opt, const char *release_id,
                  cars_compiled *out);
void cars_compiled_free(cars_compiled *c);
/* The directory a ruleset's tables and source names are relative to: PATH
 * itself when it is a directory, else the directory of the .cars file
 * (".", or a copy in the arena). */
const char *cars_ruleset_dir(cars_arena *a, const char *path);

/* As cars_compile, also filling `map` (codegen.h): where each expression's
 * code lies in out->built (and so in out->loaded), for explanations. */
bool cars_compile_mapped(const char *path, const cars_check_options *opt, const char *release_id,
                         cars_compiled *out, cars_expr_map *map);

/* For a release whose bytes are exactly what its carried text compiles to
 * (cars_release_recompile): that text's checked AST and where each
 * expression's code lies, in `a`. False, with why in err, otherwise. */
bool cars_release_mapped(const uint8_t *bytes, size_t len, const cars_program *p, cars_arena *a, cars_ast **ast,
                         cars_expr_map *map, char *err, size_t errlen);

/* Checks that a loaded release is exactly what the source text it carries
 * compiles to (with its own tables, metadata and digests: builds are
 * reproducible), byte for byte. 0 if so; otherwise -1 and why in err: it
 * carries no text, the text does not compile, or the bytes differ (the
 * section named), with a note when another compiler version built it. */
int cars_release_recompile(const uint8_t *bytes, size_t len, const cars_program *p, char *err, size_t errlen);

#endif

/* parse_priv.h - state shared by the scanner (grammar/lexer.l), the parser
 * (grammar/parser.y) and the driver (compiler/parse.c). Not a public
 * interface: use compiler/parse.h. */
#ifndef CARS_PARSE_PRIV_H
#define CARS_PARSE_PRIV_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"

/* Deepest bracket nesting the scanner accepts, and deepest expression tree
 * the parser accepts: every recursive walker (checker, codegen, fmt) relies
 * on this bound. */
enum { CARS_MAX_NEST = 200 };
/* Most expression nodes in one file (each is ~180 bytes). */
enum { CARS_MAX_NODES = 1000000 };

typedef struct cars_pstate cars_pstate;

/* Values the parser passes between actions. */
typedef struct cars_evec { cars_expr **p; size_t n; } cars_evec;
typedef struct cars_fvec { cars_field *p; size_t n; } cars_fvec;
typedef struct cars_svec { cars_stage *p; size_t n; } cars_svec;
typedef struct cars_fattrs {
    bool req, opt, ref, has_min;
    double min;
    unsigned protect;
} cars_fattrs;

/* Called by the parser for `include "path"`; returns false on failure (the
 * callee has reported it). */
typedef bool (*cars_include_fn)(void *ctx, cars_pstate *ps, const char *path,
                                const cars_span *span);

struct cars_pstate {
    cars_arena *arena;
    cars_diags *d;
    cars_ast *ast;
    uint32_t file;          /* index into ast->files */
    const char *text;       /* the source, NUL-terminated */
    size_t len;
    /* scanner position */
    uint32_t line, col;     /* of the next byte */
    size_t off;             /* byte offset of the next byte */
    size_t tok_off, tok_len;/* the last token, for error messages */
    uint32_t last_tok_line; /* line of the last token: trailing comments */
    bool after_dot;         /* a word after '.' is a name, even a keyword */
    bool stop;              /* fatal for this file: report nothing more */
    bool deep_reported;     /* "nested too deeply" said once per file */
    int nest;               /* open brackets */
    size_t misspelt_end;    /* end of a misspelt attribute already reported */
    uint32_t last_end_line, last_end_col; /* end of the last token */
    size_t nodes;           /* expression nodes made (bounded) */
    /* the declaration being built */
    cars_meta *meta;
    cars_table *table;
    cars_example *ex;
    cars_include_fn include;/* NULL: `include` is recorded, not followed */
    void *include_ctx;
    jmp_buf fatal;          /* the scanner's way out when flex cannot allocate */
    bool flex_setup;        /* flex is setting up its buffer: yyalloc records what it allocates */
    void *flex_new[4];
    size_t nflex_new;
};

/* Scan and parse ps->text (grammar/lexer.l). Appends to ps->ast. Returns
 * false when out of memory. */
bool cars_parse_run(cars_pstate *ps);

/* A new expression node of `kind` at `span`, counted against
 * CARS_MAX_NODES; NULL when out of memory or over the limit (reported, and
 * ps->stop set). */
cars_expr *cars_pb_new(cars_pstate *ps, cars_expr_kind kind, const cars_span *span);

/* Append one element to an arena array whose capacity is the next power of
 * two at or above its length (every push must go through here). Returns
 * the (possibly moved) array, or NULL when out of memory. */
void *cars_vec_push(cars_arena *a, void *arr, size_t *n, const void *elem, size_t size);

#endif

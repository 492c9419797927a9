/* check_int.h - shared state of the checker's files (check.c: declarations,
 * schema, routing, lawful basis, metadata, examples; check_expr.c: name
 * resolution and expression types). Not a public interface. */
#ifndef CARS_CHECK_INT_H
#define CARS_CHECK_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "check.h"

/* Per-set note of the last type its members were checked against, so one
 * set used many times against the same type is reported once. */
typedef struct cars_ck_setinfo {
    cars_type_kind kind;
    const cars_field *field;
} cars_ck_setinfo;

typedef struct cars_ck {
    cars_ast *ast;
    cars_arena *a;
    cars_diags *d;
    const cars_check_options *opt;
    const cars_field *reference; /* the reference date field, or NULL */
    /* the enclosing quantifier while checking its body */
    const char *var;
    const cars_field *list;
    cars_ck_setinfo *sets; /* parallel to ast->sets */
} cars_ck;

/* Type-check `e`; `want` (may be NULL) says which type a bare name should
 * take when it is not a field or definition (an enumeration member or a
 * country code). Sets e->ty, e->protect and the reference. */
cars_type cars_ck_expr(cars_ck *c, cars_expr *e, const cars_type *want);
/* Check `a in b`, `a not in b` and `(a, b) in table` (check_in.c). */
cars_type cars_ck_in(cars_ck *c, cars_expr *e);
/* Whether `e` is a bare name that only a wanted type can give meaning to. */
bool cars_ck_is_bare(const cars_ck *c, const cars_expr *e);
/* Builds ast->name_ix (ast.h) for the lookups below; without memory for
 * it they scan. */
void cars_ck_index_names(cars_ast *ast, cars_arena *a);
/* Check a definition (once); detects cycles. */
void cars_ck_let(cars_ck *c, cars_let *l);
/* Check an example value against a field's type. */
void cars_ck_value(cars_ck *c, const cars_field *f, cars_expr *v);

/* Whether `e` is a proxy of nationality (check.c): a name that is, directly
 * or through definitions, a contract field of the applicant's identity
 * holding a country (applicant.passport.issuing_country,
 * applicant.country_of_residence). */
bool cars_ck_proxy(const cars_expr *e);

/* Warns when a rule's `says` text names something its condition uses
 * (check_says.c). */
void cars_ck_says(cars_ck *c, const cars_rule *r);

/* Lookups. */
const cars_field *cars_ck_field(const cars_ast *ast, const char *path);
const cars_field *cars_ck_elem(const cars_field *list, const char *key);
cars_let *cars_ck_find_let(const cars_ast *ast, const char *name);
cars_set *cars_ck_find_set(const cars_ast *ast, const char *name);
cars_table *cars_ck_find_table(const cars_ast *ast, const char *name);
int cars_ck_member(const cars_field *f, const char *name);

/* The candidate among `cands` nearest to `name` by edit distance, or NULL
 * when none is near enough. */
const char *cars_ck_nearest(const char *name, const char *const *cands, size_t n);
/* Formats "did you mean 'X'?" into buf (or returns NULL if best is NULL). */
const char *cars_ck_did_you_mean(const char *best, char *buf, size_t size);
const char *cars_ck_type_name(cars_type t);

#endif

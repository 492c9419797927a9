/* parse_build.h - the AST-building actions of grammar/parser.y, kept in C
 * (compiler/parse_build.c) so the grammar stays readable. Each reports its
 * own semantic errors (duplicate items, unknown outcomes, bad rule ids).
 * Functions returning a pointer or bool return NULL/false only when out of
 * memory or when a limit stopped the file (ps->stop). */
#ifndef CARS_PARSE_BUILD_H
#define CARS_PARSE_BUILD_H

#include "parse_priv.h"

/* names */
char *cars_pb_join(cars_pstate *ps, const char *a, const char *b);
cars_name_list *cars_pb_names(cars_pstate *ps, cars_name_list *l, const char *name,
                              const cars_span *span);

/* schema */
cars_field *cars_pb_ftype(cars_pstate *ps, cars_type_kind kind);
bool cars_pb_string_kind(cars_pstate *ps, cars_field *f, const char *name, const cars_span *span);
void cars_pb_flag(cars_pstate *ps, bool *flag, const char *what, const cars_span *span);
void cars_pb_protect(cars_pstate *ps, unsigned *protect, const char *what, const cars_span *span);
void cars_pb_field(cars_pstate *ps, cars_field *f, const char *path, const cars_span *span,
                   const cars_fattrs *attrs, const cars_span *attr_span);
bool cars_pb_schema(cars_pstate *ps, cars_field *fields, size_t n, const cars_span *span);

/* declarations */
bool cars_pb_set(cars_pstate *ps, const char *name, const cars_span *name_span,
                 cars_expr *list, const cars_span *span);
bool cars_pb_let(cars_pstate *ps, const char *name, const cars_span *name_span,
                 cars_expr *value, const cars_span *span);
cars_table *cars_pb_begin_table(cars_pstate *ps);
void cars_pb_table_file(cars_pstate *ps, cars_table *t, cars_expr *file, const cars_span *span);
bool cars_pb_keycol(cars_pstate *ps, const char *name, const cars_span *name_span,
                    const char *kind, const cars_span *kind_span);
bool cars_pb_table(cars_pstate *ps, cars_table *t, const char *name, cars_expr *title,
                   const cars_span *name_span, const cars_span *span);
void cars_pb_rationale(cars_pstate *ps, cars_expr *text, const cars_span *span);
void cars_pb_says(cars_pstate *ps, cars_expr *text, const cars_span *span);
void cars_pb_review(cars_pstate *ps, cars_expr *date, cars_expr *months, const cars_span *span);
void cars_pb_cite(cars_pstate *ps, bool authorisation, const char *id, const cars_span *span);
cars_meta *cars_pb_begin_meta(cars_pstate *ps);
cars_rule *cars_pb_rule_head(cars_pstate *ps, cars_rule_kind kind, const char *id,
                             const cars_span *id_span, cars_expr *title);
void cars_pb_bad_rule_id(cars_pstate *ps, const char *id, const cars_span *span);
bool cars_pb_rule(cars_pstate *ps, cars_rule *r, cars_meta *meta, cars_expr *when,
                  const cars_span *when_span, const cars_span *span);
cars_threshold *cars_pb_begin_threshold(cars_pstate *ps);
bool cars_pb_at_least(cars_pstate *ps, cars_threshold *t, cars_expr *n, const char *tier,
                      const cars_span *span, const cars_span *kw_span);
bool cars_pb_threshold(cars_pstate *ps, cars_threshold *t, const char *id,
                       const cars_span *id_span, cars_expr *title, const cars_span *span);
void cars_pb_stage(cars_pstate *ps, cars_stage *s, const char *sel, const cars_span *sel_span,
                   const char *outcome, const cars_span *out_span, const cars_span *span);
void cars_pb_singles(cars_pstate *ps, const char *word, const cars_span *span);
void cars_pb_stage_otherwise(cars_pstate *ps, cars_stage *stages, size_t n, const char *outcome,
                             const cars_span *out_span, const cars_span *kw_span);
bool cars_pb_routing(cars_pstate *ps, cars_stage *stages, size_t n, const cars_span *span);
cars_example *cars_pb_begin_example(cars_pstate *ps);
bool cars_pb_assign(cars_pstate *ps, cars_example *ex, const cars_assign *as);
void cars_pb_like(cars_pstate *ps, cars_example *ex, const char *name, const cars_span *span);
void cars_pb_expect(cars_pstate *ps, cars_example *ex, const char *outcome, const cars_span *span);
bool cars_pb_expect_rule(cars_pstate *ps, const char *id, const cars_span *span);
bool cars_pb_example(cars_pstate *ps, cars_example *ex, const char *name,
                     const cars_span *name_span, const cars_span *span);
bool cars_pb_test(cars_pstate *ps, cars_example *ex, cars_expr *name, const cars_span *span);
bool cars_pb_include(cars_pstate *ps, cars_expr *path, const cars_span *span);

/* expressions */
cars_expr *cars_pb_expr(cars_pstate *ps, cars_expr_kind kind, const cars_span *span,
                        cars_expr *a, cars_expr *b, cars_expr *c);
bool cars_pb_redepth(cars_pstate *ps, cars_expr *e);
cars_expr *cars_pb_negate(cars_pstate *ps, cars_expr *lit, const cars_span *span);
cars_expr *cars_pb_bool(cars_pstate *ps, bool v, const cars_span *span);
cars_expr *cars_pb_name(cars_pstate *ps, const char *name, const cars_span *span);
cars_expr *cars_pb_list(cars_pstate *ps, cars_expr **items, size_t n, const cars_span *span);
cars_expr *cars_pb_field_value(cars_pstate *ps, const char *key, const cars_span *key_span,
                               cars_expr *value, const cars_span *span);
cars_expr *cars_pb_within(cars_pstate *ps, cars_expr *a, const char *last,
                          const cars_span *last_span, cars_expr *b, const char *years,
                          const cars_span *years_span, const cars_span *span);
cars_expr *cars_pb_tuple(cars_pstate *ps, cars_expr *first, cars_expr **rest, size_t n,
                         const cars_span *span);
cars_expr *cars_pb_call(cars_pstate *ps, const char *name, cars_expr **args, size_t n,
                        const cars_span *span);
cars_expr *cars_pb_quant(cars_pstate *ps, int quant, const char *var, const cars_span *var_span,
                         cars_expr *list, cars_expr *where, const cars_span *span);

/* errors */
void cars_pb_syntax_error(cars_pstate *ps, const cars_span *loc, bool at_eof, const char *tok,
                          const char *const *expected, int nexpected);

#endif

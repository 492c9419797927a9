/* parser.y - the CARS grammar: a pure bison parser that builds the AST of
 * compiler/ast.h in the arena, one source file per run.
 *
 * Expression precedence is written as a ladder of nonterminals (loosest
 * first): or, and, not, comparison/in/is/between/within (no chaining),
 * + -, *, unary -, postfix `days`. Syntax errors are reported as
 * "unexpected X, expected Y" with the span of the offending token; error
 * recovery skips to the keyword that starts the next declaration, so one
 * error is reported per broken declaration. Every node's depth is bounded (CARS_MAX_NEST)
 * and so is the parser stack (YYMAXDEPTH), so hostile input gives a
 * diagnostic, never a stack overflow.
 */
%define api.pure full
%define api.location.type {cars_span}
%define parse.error custom
%locations
%expect 0
%param {yyscan_t scanner}
%parse-param {cars_pstate *ps}

%code requires {
#include <stdbool.h>
#include <stddef.h>
#include "ast.h"
#include "parse_priv.h"
#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif
}

%code {
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "parse_build.h"

#define YYMALLOC cars_malloc
#define YYFREE cars_free
#define YYMAXDEPTH 10000

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                       \
    do {                                                                  \
        if (N) {                                                          \
            (Cur).file = YYRHSLOC(Rhs, 1).file;                           \
            (Cur).line = YYRHSLOC(Rhs, 1).line;                           \
            (Cur).col = YYRHSLOC(Rhs, 1).col;                             \
            (Cur).end_line = YYRHSLOC(Rhs, N).end_line;                   \
            (Cur).end_col = YYRHSLOC(Rhs, N).end_col;                     \
        } else {                                                          \
            (Cur) = YYRHSLOC(Rhs, 0);                                     \
            (Cur).line = (Cur).end_line;                                  \
            (Cur).col = (Cur).end_col;                                    \
        }                                                                 \
    } while (0)

int yylex(YYSTYPE *lval, YYLTYPE *lloc, yyscan_t scanner);
static void yyerror(YYLTYPE *loc, yyscan_t scanner, cars_pstate *ps, const char *msg);

/* An action's allocation failed: out of memory, or a limit was reported. */
#define CHK(x) do { if (!(x)) { if (ps->stop) YYABORT; YYNOMEM; } } while (0)
#define PUSH(vec, val)                                                        \
    do {                                                                      \
        void *np_ = cars_vec_push(ps->arena, (vec).p, &(vec).n, &(val), sizeof(val)); \
        CHK(np_);                                                             \
        (vec).p = np_;                                                        \
    } while (0)
#define E1(k, sp, x) cars_pb_expr(ps, (k), (sp), (x), NULL, NULL)
#define E2(k, sp, x, y) cars_pb_expr(ps, (k), (sp), (x), (y), NULL)
}

%union {
    const char *str;
    cars_expr *e;
    cars_evec ev;
    cars_fvec fv;
    cars_field *field;
    cars_fattrs fa;
    cars_name_list *names;
    cars_meta *meta;
    cars_table *table;
    cars_threshold *thr;
    cars_rule *rule;
    cars_svec sv;
    cars_stage stage;
    cars_example *ex;
    cars_assign assign;
    int op;
}

%token <str> IDENT "<name>" RULEID "<rule id>"
%token <e> INT "<number>" NUMBER "<decimal>" STRING "<string>" DATE "<date>"
%token NE "!=" LE "<=" GE ">=" ARROW "->"
%token <str>
    KW_ABSENT "absent" KW_ALL "all" KW_AND "and" KW_ANY "any" KW_AT "at"
    KW_AUTHORISATION "authorisation" KW_BETWEEN "between" KW_BOOL "bool"
    KW_COMPLEX "complex" KW_COUNT "count" KW_COUNTRY "country" KW_DATE "date"
    KW_DAYS "days" KW_EVERY "every" KW_EXAMPLE "example" KW_EXCLUSION "exclusion"
    KW_EXPECT "expect" KW_FALSE "false" KW_FILE "file" KW_IN "in"
    KW_INCLUDE "include" KW_INTEGER "integer" KW_IS "is"
    KW_JUSTIFICATION "justification" KW_KEY "key" KW_LEAST "least" KW_LET "let"
    KW_LIKE "like" KW_LIST "list" KW_MIN "min" KW_MONTHS "months"
    KW_MULTIPLE "multiple" KW_NONCOMPLEX "noncomplex" KW_NONE "none" KW_NOT "not"
    KW_NUMBER "number" KW_OF "of" KW_ONE "one" KW_OPTIONAL "optional" KW_OR "or"
    KW_OTHERWISE "otherwise" KW_PRESENT "present" KW_PROFILE "profile"
    KW_PROTECTED "protected" KW_RATIONALE "rationale" KW_REFERENCE "reference"
    KW_REQUIRED "required" KW_REVIEWED "reviewed" KW_ROUTING "routing"
    KW_SAYS "says" KW_SCHEMA "schema" KW_SCREEN "screen" KW_SET "set" KW_SINGLE "single"
    KW_STRING "string" KW_TABLE "table" KW_TEST "test" KW_THRESHOLD "threshold"
    KW_TIER "tier" KW_TRUE "true" KW_WHEN "when" KW_WHERE "where" KW_WITHIN "within"

%type <str> fpath fword aword apath rid tid path_s
%type <e> expr or_e and_e not_e cmp_e sum term unary postfix primary path
%type <e> in_rhs list_lit tuple quant num value scalar vitem record literal_neg
%type <ev> exprs vitems rfields
%type <fv> fields
%type <field> ftype
%type <fa> fattrs
%type <names> members
%type <meta> metas
%type <table> table_items
%type <thr> th_items
%type <sv> stages
%type <ex> assigns test_items
%type <assign> assign
%type <op> cmpop qkw
%type <rule> rule_head

%%

file
    : %empty
    | file decl
    ;

decl
    : schema_decl
    | set_decl
    | let_decl
    | table_decl
    | rule_decl
    | threshold_decl
    | routing_decl
    | example_decl
    | test_decl
    | include_decl
    | error                 /* skip to the start of the next declaration */
    ;

/* ---- schema ------------------------------------------------------------ */

schema_decl
    : KW_SCHEMA '{' fields '}'      { CHK(cars_pb_schema(ps, $3.p, $3.n, &@$)); }
    ;

fields
    : %empty                        { $$.p = NULL; $$.n = 0; }
    | fields fpath ':' ftype fattrs { cars_pb_field(ps, $4, $2, &@2, &$5, &@5);
                                      $$ = $1; PUSH($$, *$4); }
    | fields error                  { $$ = $1; /* resume at the next field */ }
    ;

fpath
    : fword                         { $$ = $1; }
    | fpath '.' IDENT               { $$ = cars_pb_join(ps, $1, $3); CHK($$); }
    ;

/* A field or key name: any name, and keywords that cannot end the previous
 * item (a list element may be called `country`, a key `number`). */
fword
    : IDENT | KW_ABSENT | KW_ALL | KW_AND | KW_ANY | KW_AT | KW_AUTHORISATION
    | KW_BETWEEN | KW_BOOL | KW_COMPLEX | KW_COUNT | KW_COUNTRY | KW_DATE
    | KW_DAYS | KW_EVERY | KW_EXAMPLE | KW_EXCLUSION | KW_EXPECT | KW_FALSE
    | KW_FILE | KW_IN | KW_INCLUDE | KW_INTEGER | KW_IS | KW_JUSTIFICATION
    | KW_KEY | KW_LEAST | KW_LET | KW_LIKE | KW_LIST | KW_MONTHS | KW_MULTIPLE
    | KW_NONCOMPLEX | KW_NONE | KW_NOT | KW_NUMBER | KW_OF | KW_ONE | KW_OR
    | KW_OTHERWISE | KW_PRESENT | KW_PROFILE | KW_RATIONALE | KW_REVIEWED
    | KW_ROUTING | KW_SAYS | KW_SCHEMA | KW_SCREEN | KW_SET | KW_SINGLE | KW_STRING
    | KW_TABLE | KW_TEST | KW_THRESHOLD | KW_TIER | KW_TRUE | KW_WHEN | KW_WHERE
    | KW_WITHIN
    ;

ftype
    : KW_BOOL                       { $$ = cars_pb_ftype(ps, CARS_T_BOOL); CHK($$); }
    | KW_INTEGER                    { $$ = cars_pb_ftype(ps, CARS_T_INTEGER); CHK($$); }
    | KW_NUMBER                     { $$ = cars_pb_ftype(ps, CARS_T_NUMBER); CHK($$); }
    | KW_STRING                     { $$ = cars_pb_ftype(ps, CARS_T_STRING); CHK($$); }
    | KW_DATE                       { $$ = cars_pb_ftype(ps, CARS_T_DATE); CHK($$); }
    | KW_COUNTRY                    { $$ = cars_pb_ftype(ps, CARS_T_COUNTRY); CHK($$); }
    | IDENT                         { $$ = cars_pb_ftype(ps, CARS_T_STRING); CHK($$);
                                      if (!cars_pb_string_kind(ps, $$, $1, &@1)) YYERROR; }
    | KW_ONE KW_OF '[' members ']'  { $$ = cars_pb_ftype(ps, CARS_T_ENUM); CHK($$);
                                      $$->members = *$4; }
    | KW_ONE KW_OF '[' members ',' ']'
                                    { $$ = cars_pb_ftype(ps, CARS_T_ENUM); CHK($$);
                                      $$->members = *$4; }
    | KW_LIST KW_OF '{' fields '}'  { $$ = cars_pb_ftype(ps, CARS_T_LIST); CHK($$);
                                      $$->elems = $4.p; $$->nelems = $4.n; }
    ;

members
    : IDENT                         { $$ = cars_pb_names(ps, NULL, $1, &@1); CHK($$); }
    | members ',' IDENT             { $$ = cars_pb_names(ps, $1, $3, &@3); CHK($$); }
    ;

fattrs
    : %empty                        { memset(&$$, 0, sizeof $$); }
    | fattrs KW_REQUIRED            { $$ = $1; cars_pb_flag(ps, &$$.req, "required", &@2); }
    | fattrs KW_OPTIONAL            { $$ = $1; cars_pb_flag(ps, &$$.opt, "optional", &@2); }
    | fattrs KW_REFERENCE           { $$ = $1; cars_pb_flag(ps, &$$.ref, "reference", &@2); }
    | fattrs KW_PROTECTED IDENT     { $$ = $1; cars_pb_protect(ps, &$$.protect, $3, &@3); }
    | fattrs KW_MIN num             { $$ = $1; cars_pb_flag(ps, &$$.has_min, "min", &@2);
                                      $$.min = $3->kind == CARS_E_INT ? (double)$3->ival : $3->nval; }
    ;

num
    : INT                           { $$ = $1; }
    | NUMBER                        { $$ = $1; }
    | literal_neg                   { $$ = $1; }
    ;

literal_neg
    : '-' INT                       { $$ = cars_pb_negate(ps, $2, &@$); CHK($$); }
    | '-' NUMBER                    { $$ = cars_pb_negate(ps, $2, &@$); CHK($$); }
    ;

/* ---- sets and definitions ------------------------------------------------ */

set_decl
    : KW_SET IDENT '=' list_lit     { CHK(cars_pb_set(ps, $2, &@2, $4, &@$)); }
    ;

let_decl
    : KW_LET IDENT '=' expr         { CHK(cars_pb_let(ps, $2, &@2, $4, &@$)); }
    ;

/* ---- tables ------------------------------------------------------------ */

table_decl
    : KW_TABLE IDENT STRING '{' table_items '}'
                                    { CHK(cars_pb_table(ps, $5, $2, $3, &@2, &@$)); }
    ;

table_items
    : %empty                        { $$ = cars_pb_begin_table(ps); CHK($$); }
    | table_items KW_FILE STRING    { $$ = $1; cars_pb_table_file(ps, $$, $3, &@3); }
    | table_items KW_KEY keycols    { $$ = $1; }
    | table_items meta_item         { $$ = $1; }
    ;

keycols
    : keycol
    | keycols ',' keycol
    ;

keycol
    : fword ':' IDENT               { CHK(cars_pb_keycol(ps, $1, &@1, $3, &@3)); }
    | fword ':' KW_COUNTRY          { CHK(cars_pb_keycol(ps, $1, &@1, $3, &@3)); }
    ;

/* Metadata goes into ps->meta, which the enclosing declaration's first
 * action (the empty item list) pointed at its own cars_meta. */
meta_item
    : KW_RATIONALE STRING           { cars_pb_rationale(ps, $2, &@$); }
    | KW_SAYS STRING                { cars_pb_says(ps, $2, &@$); }
    | KW_REVIEWED DATE KW_EVERY INT KW_MONTHS
                                    { cars_pb_review(ps, $2, $4, &@$); }
    | KW_AUTHORISATION RULEID       { cars_pb_cite(ps, true, $2, &@2); }
    | KW_JUSTIFICATION RULEID       { cars_pb_cite(ps, false, $2, &@2); }
    ;

/* ---- rules ------------------------------------------------------------- */

rule_decl
    : rule_head '{' metas KW_WHEN expr '}'
                                    { CHK(cars_pb_rule(ps, $1, $3, $5, &@4, &@$)); }
    ;

rule_head
    : KW_EXCLUSION rid STRING       { $$ = cars_pb_rule_head(ps, CARS_R_EXCLUSION, $2, &@2, $3); CHK($$); }
    | KW_SCREEN rid STRING          { $$ = cars_pb_rule_head(ps, CARS_R_SCREEN, $2, &@2, $3); CHK($$); }
    | KW_PROFILE rid STRING         { $$ = cars_pb_rule_head(ps, CARS_R_PROFILE, $2, &@2, $3); CHK($$); }
    | KW_SINGLE rid KW_COMPLEX STRING
                                    { $$ = cars_pb_rule_head(ps, CARS_R_SINGLE_COMPLEX, $2, &@2, $4); CHK($$); }
    | KW_SINGLE rid KW_NONCOMPLEX STRING
                                    { $$ = cars_pb_rule_head(ps, CARS_R_SINGLE_NONCOMPLEX, $2, &@2, $4); CHK($$); }
    | KW_MULTIPLE rid KW_TIER IDENT STRING
                                    { $$ = cars_pb_rule_head(ps, CARS_R_MULTIPLE, $2, &@2, $5); CHK($$);
                                      $$->tier = $4; $$->tier_span = @4; }
    ;

rid
    : RULEID                        { $$ = $1; }
    | IDENT                         { $$ = $1; cars_pb_bad_rule_id(ps, $1, &@1); }
    ;

metas
    : %empty                        { $$ = cars_pb_begin_meta(ps); CHK($$); }
    | metas meta_item               { $$ = $1; }
    ;

threshold_decl
    : KW_THRESHOLD tid STRING '{' th_items '}'
                                    { CHK(cars_pb_threshold(ps, $5, $2, &@2, $3, &@$)); }
    ;

tid
    : RULEID                        { $$ = $1; }
    | IDENT                         { $$ = $1; }
    ;

th_items
    : %empty                        { $$ = cars_pb_begin_threshold(ps); CHK($$); }
    | th_items KW_AT KW_LEAST INT   { $$ = $1; cars_span s = @2; s.end_line = @4.end_line;
                                      s.end_col = @4.end_col;
                                      cars_pb_at_least(ps, $$, $4, NULL, &s, &@2); }
    | th_items KW_AT KW_LEAST INT KW_IN KW_TIER IDENT
                                    { $$ = $1; cars_span s = @2; s.end_line = @7.end_line;
                                      s.end_col = @7.end_col;
                                      CHK(cars_pb_at_least(ps, $$, $4, $7, &s, &@2)); }
    | th_items meta_item            { $$ = $1; }
    ;

/* ---- routing ----------------------------------------------------------- */

routing_decl
    : KW_ROUTING '{' stages '}'     { CHK(cars_pb_routing(ps, $3.p, $3.n, &@$)); }
    ;

stages
    : %empty                        { $$.p = NULL; $$.n = 0; }
    | stages IDENT ARROW IDENT      { $$ = $1; cars_stage s;
                                      cars_pb_stage(ps, &s, $2, &@2, $4, &@4, &@2);
                                      PUSH($$, s); }
    | stages KW_COMPLEX IDENT ARROW IDENT
                                    { $$ = $1; cars_stage s;
                                      cars_pb_stage(ps, &s, "complex", &@3, $5, &@5, &@2);
                                      cars_pb_singles(ps, $3, &@3);
                                      PUSH($$, s); }
    | stages KW_NONCOMPLEX IDENT ARROW IDENT
                                    { $$ = $1; cars_stage s;
                                      cars_pb_stage(ps, &s, "noncomplex", &@3, $5, &@5, &@2);
                                      cars_pb_singles(ps, $3, &@3);
                                      PUSH($$, s); }
    | stages KW_THRESHOLD tid ARROW IDENT
                                    { $$ = $1; cars_stage s;
                                      cars_pb_stage(ps, &s, "threshold", &@3, $5, &@5, &@2);
                                      s.threshold = $3; s.threshold_span = @3;
                                      PUSH($$, s); }
    | stages KW_OTHERWISE IDENT     { $$ = $1; cars_pb_stage_otherwise(ps, $$.p, $$.n, $3, &@3, &@2); }
    | stages KW_OTHERWISE ARROW IDENT
                                    { $$ = $1; cars_stage s;
                                      cars_pb_stage(ps, &s, "otherwise", &@2, $4, &@4, &@2);
                                      PUSH($$, s); }
    ;

/* ---- examples and tests ------------------------------------------------- */

example_decl
    : KW_EXAMPLE IDENT '{' assigns '}'
                                    { CHK(cars_pb_example(ps, $4, $2, &@2, &@$)); }
    ;

assigns
    : %empty                        { $$ = cars_pb_begin_example(ps); CHK($$); }
    | assigns assign                { $$ = $1; CHK(cars_pb_assign(ps, $$, &$2)); }
    ;

test_decl
    : KW_TEST STRING '{' test_items '}'
                                    { CHK(cars_pb_test(ps, $4, $2, &@$)); }
    ;

test_items
    : %empty                        { $$ = cars_pb_begin_example(ps); CHK($$); }
    | test_items KW_LIKE IDENT      { $$ = $1; cars_pb_like(ps, $$, $3, &@3); }
    | test_items assign             { $$ = $1; CHK(cars_pb_assign(ps, $$, &$2)); }
    | test_items KW_EXPECT IDENT    { $$ = $1; cars_pb_expect(ps, $$, $3, &@3); }
    | test_items KW_EXPECT IDENT '[' ']'
                                    { $$ = $1; cars_pb_expect(ps, $$, $3, &@3);
                                      $$->has_expect_rules = true; }
    | test_items KW_EXPECT IDENT '[' rule_ids ']'
                                    { $$ = $1; cars_pb_expect(ps, $$, $3, &@3);
                                      $$->has_expect_rules = true; }
    ;

rule_ids
    : RULEID                        { CHK(cars_pb_expect_rule(ps, $1, &@1)); }
    | rule_ids ',' RULEID           { CHK(cars_pb_expect_rule(ps, $3, &@3)); }
    ;

assign
    : apath '=' value               { $$.path = $1; $$.span = @1; $$.value = $3; }
    | apath '=' KW_ABSENT           { $$.path = $1; $$.span = @1; $$.value = NULL; }
    ;

apath
    : aword                         { $$ = $1; }
    | apath '.' IDENT               { $$ = cars_pb_join(ps, $1, $3); CHK($$); }
    ;

/* The first word of an assignment: a name, or a keyword that cannot start
 * a test item (`like` and `expect` can: `like = 1` is still read right,
 * because the token after them decides). */
aword
    : IDENT | KW_COUNTRY | KW_DATE | KW_NUMBER | KW_STRING | KW_BOOL
    | KW_INTEGER | KW_FILE | KW_KEY | KW_MIN | KW_LIST | KW_TIER | KW_COUNT
    | KW_DAYS | KW_LIKE | KW_EXPECT
    ;

value
    : scalar                        { $$ = $1; }
    | '[' ']'                       { $$ = cars_pb_list(ps, NULL, 0, &@$); CHK($$); }
    | '[' vitems ']'                { $$ = cars_pb_list(ps, $2.p, $2.n, &@$); CHK($$); }
    | '[' vitems ',' ']'            { $$ = cars_pb_list(ps, $2.p, $2.n, &@$); CHK($$); }
    ;

/* A list value holds scalars or records, never lists (ast.h). */
scalar
    : literal_neg                   { $$ = $1; }
    | INT                           { $$ = $1; }
    | NUMBER                        { $$ = $1; }
    | STRING                        { $$ = $1; }
    | DATE                          { $$ = $1; }
    | KW_TRUE                       { $$ = cars_pb_bool(ps, true, &@1); CHK($$); }
    | KW_FALSE                      { $$ = cars_pb_bool(ps, false, &@1); CHK($$); }
    | IDENT                         { $$ = cars_pb_name(ps, $1, &@1); CHK($$); }
    ;

vitems
    : vitem                         { $$.p = NULL; $$.n = 0; PUSH($$, $1); }
    | vitems ',' vitem              { $$ = $1; PUSH($$, $3); }
    ;

vitem
    : scalar                        { $$ = $1; }
    | record                        { $$ = $1; }
    ;

record
    : '{' '}'                       { $$ = cars_pb_list(ps, NULL, 0, &@$); CHK($$); }
    | '{' rfields '}'               { $$ = cars_pb_list(ps, $2.p, $2.n, &@$); CHK($$); }
    | '{' rfields ',' '}'           { $$ = cars_pb_list(ps, $2.p, $2.n, &@$); CHK($$); }
    ;

rfields
    : aword '=' value               { cars_expr *f = cars_pb_field_value(ps, $1, &@1, $3, &@$); CHK(f);
                                      $$.p = NULL; $$.n = 0; PUSH($$, f); }
    | rfields ',' aword '=' value   { cars_expr *f = cars_pb_field_value(ps, $3, &@3, $5, &@$); CHK(f);
                                      $$ = $1; PUSH($$, f); }
    ;

include_decl
    : KW_INCLUDE STRING             { CHK(cars_pb_include(ps, $2, &@$)); }
    ;

/* ---- expressions ------------------------------------------------------- */

expr
    : or_e                          { $$ = $1; }
    ;

or_e
    : and_e                         { $$ = $1; }
    | or_e KW_OR and_e              { $$ = E2(CARS_E_OR, &@$, $1, $3); CHK($$); }
    ;

and_e
    : not_e                         { $$ = $1; }
    | and_e KW_AND not_e            { $$ = E2(CARS_E_AND, &@$, $1, $3); CHK($$); }
    ;

not_e
    : cmp_e                         { $$ = $1; }
    | KW_NOT not_e                  { $$ = E1(CARS_E_NOT, &@$, $2); CHK($$); }
    ;

cmp_e
    : sum                           { $$ = $1; }
    | sum cmpop sum                 { $$ = E2((cars_expr_kind)$2, &@$, $1, $3); CHK($$); }
    | sum KW_IN in_rhs              { $$ = E2(CARS_E_IN, &@$, $1, $3); CHK($$); }
    | sum KW_NOT KW_IN in_rhs       { $$ = E2(CARS_E_IN, &@$, $1, $4); CHK($$); $$->negated = true; }
    | sum KW_IS KW_PRESENT          { $$ = E1(CARS_E_PRESENT, &@$, $1); CHK($$); }
    | sum KW_IS KW_ABSENT           { $$ = E1(CARS_E_PRESENT, &@$, $1); CHK($$); $$->negated = true; }
    | sum KW_BETWEEN sum KW_AND sum { $$ = cars_pb_expr(ps, CARS_E_BETWEEN, &@$, $1, $3, $5); CHK($$); }
    | sum KW_WITHIN IDENT sum IDENT { $$ = cars_pb_within(ps, $1, $3, &@3, $4, $5, &@5, &@$); CHK($$); }
    | tuple KW_IN path              { $$ = $1; $$->b = $3; $$->span = @$; CHK(cars_pb_redepth(ps, $$)); }
    | tuple KW_NOT KW_IN path       { $$ = $1; $$->b = $4; $$->span = @$; $$->negated = true;
                                      CHK(cars_pb_redepth(ps, $$)); }
    ;

cmpop
    : '='                           { $$ = CARS_E_EQ; }
    | NE                            { $$ = CARS_E_NE; }
    | '<'                           { $$ = CARS_E_LT; }
    | LE                            { $$ = CARS_E_LE; }
    | '>'                           { $$ = CARS_E_GT; }
    | GE                            { $$ = CARS_E_GE; }
    ;

in_rhs
    : path                          { $$ = $1; }
    | list_lit                      { $$ = $1; }
    ;

tuple
    : '(' expr ',' exprs ')'        { $$ = cars_pb_tuple(ps, $2, $4.p, $4.n, &@$); CHK($$); }
    ;

sum
    : term                          { $$ = $1; }
    | sum '+' term                  { $$ = E2(CARS_E_ADD, &@$, $1, $3); CHK($$); }
    | sum '-' term                  { $$ = E2(CARS_E_SUB, &@$, $1, $3); CHK($$); }
    ;

term
    : unary                         { $$ = $1; }
    | term '*' unary                { $$ = E2(CARS_E_MUL, &@$, $1, $3); CHK($$); }
    ;

unary
    : postfix                       { $$ = $1; }
    | '-' unary                     { $$ = E1(CARS_E_NEG, &@$, $2); CHK($$); }
    ;

postfix
    : primary                       { $$ = $1; }
    | primary KW_DAYS               { $$ = E1(CARS_E_DAYS, &@$, $1); CHK($$); }
    ;

primary
    : INT                           { $$ = $1; }
    | NUMBER                        { $$ = $1; }
    | STRING                        { $$ = $1; }
    | DATE                          { $$ = $1; }
    | KW_TRUE                       { $$ = cars_pb_bool(ps, true, &@1); CHK($$); }
    | KW_FALSE                      { $$ = cars_pb_bool(ps, false, &@1); CHK($$); }
    | path                          { $$ = $1; }
    | IDENT '(' ')'                 { $$ = cars_pb_call(ps, $1, NULL, 0, &@$); CHK($$); }
    | IDENT '(' exprs ')'           { $$ = cars_pb_call(ps, $1, $3.p, $3.n, &@$); CHK($$); }
    | '(' expr ')'                  { $$ = $2; $$->parens = true; }
    | quant                         { $$ = $1; }
    ;

path
    : path_s                        { $$ = cars_pb_name(ps, $1, &@1); CHK($$); }
    ;

path_s
    : IDENT                         { $$ = $1; }
    | path_s '.' IDENT              { $$ = cars_pb_join(ps, $1, $3); CHK($$); }
    ;

quant
    : qkw '(' IDENT KW_IN path KW_WHERE expr ')'
                                    { $$ = cars_pb_quant(ps, $1, $3, &@3, $5, $7, &@$); CHK($$); }
    | KW_COUNT '(' IDENT KW_IN path KW_WHERE expr ')'
                                    { $$ = cars_pb_quant(ps, CARS_Q_COUNT, $3, &@3, $5, $7, &@$); CHK($$); }
    | KW_COUNT '(' IDENT KW_IN path ')'
                                    { $$ = cars_pb_quant(ps, CARS_Q_COUNT, $3, &@3, $5, NULL, &@$); CHK($$); }
    ;

qkw
    : KW_ANY                        { $$ = CARS_Q_ANY; }
    | KW_ALL                        { $$ = CARS_Q_ALL; }
    | KW_NONE                       { $$ = CARS_Q_NONE; }
    ;

exprs
    : expr                          { $$.p = NULL; $$.n = 0; PUSH($$, $1); }
    | exprs ',' expr                { $$ = $1; PUSH($$, $3); }
    ;

list_lit
    : '[' ']'                       { $$ = cars_pb_list(ps, NULL, 0, &@$); CHK($$); }
    | '[' exprs ']'                 { $$ = cars_pb_list(ps, $2.p, $2.n, &@$); CHK($$); }
    | '[' exprs ',' ']'             { $$ = cars_pb_list(ps, $2.p, $2.n, &@$); CHK($$); }
    ;

%%

static void yyerror(YYLTYPE *loc, yyscan_t scanner, cars_pstate *ps, const char *msg)
{
    (void)scanner;
    if (ps->stop)
        return;
    ps->stop = true;
    if (cars_arena_failed(ps->arena) || strcmp(msg, "memory exhausted") != 0)
        cars_error(ps->d, loc, NULL, "%s", cars_arena_failed(ps->arena) ? "out of memory" : msg);
    else
        cars_error(ps->d, loc, "split the expression, or name parts of it with 'let'",
                   "nested too deeply");
}

static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner, cars_pstate *ps)
{
    (void)scanner;
    if (ps->stop)
        return 0;
    enum { MAXEXP = 64 };
    yysymbol_kind_t exp[MAXEXP];
    int n = yypcontext_expected_tokens(ctx, exp, MAXEXP);
    const char *names[MAXEXP];
    int k = n < 0 ? 0 : n;
    for (int i = 0; i < k; i++)
        names[i] = yysymbol_name(exp[i]);
    yysymbol_kind_t tok = yypcontext_token(ctx);
    cars_pb_syntax_error(ps, yypcontext_location(ctx), tok == YYSYMBOL_YYEOF,
                         yysymbol_name(tok), names, k);
    return 0;
}

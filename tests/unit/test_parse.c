/* test_parse.c - the scanner and parser: AST shapes for every construct,
 * precedence, comments, includes, and the exact wording and position of
 * lexical and syntax errors. */
#include <errno.h>
#include <float.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "alloc.h"
#include "date.h"
#include "parse.h"

typedef struct fixture {
    cars_arena a;
    cars_diags d;
    cars_ast *ast;
} fixture;

static fixture F;

static cars_ast *parse(const char *text)
{
    cars_arena_free(&F.a);
    cars_diags_free(&F.d);
    cars_arena_init(&F.a);
    cars_diags_init(&F.d);
    F.ast = cars_parse_text("t.cars", text, strlen(text), &F.a, &F.d);
    assert_non_null(F.ast);
    return F.ast;
}

static cars_ast *parse_ok(const char *text)
{
    parse(text);
    if (F.d.errors) {
        cars_diags_print(&F.d, stderr);
        fail_msg("unexpected errors");
    }
    return F.ast;
}

/* The first diagnostic, as "line:col: message". */
static const char *first_error(const char *text)
{
    static char buf[512];
    parse(text);
    assert_true(F.d.errors > 0);
    cars_diags_sort(&F.d);
    const cars_diag *g = &F.d.items[0];
    snprintf(buf, sizeof buf, "%u:%u: %s", g->span.line, g->span.col, g->message);
    return buf;
}

static int teardown(void **state)
{
    (void)state;
    cars_arena_free(&F.a);
    cars_diags_free(&F.d);
    memset(&F, 0, sizeof F);
    return 0;
}

/* The `when` of `exclusion X-1 "t" { when EXPR }`. */
static cars_expr *when_of(const char *expr)
{
    char src[1024];
    snprintf(src, sizeof src, "exclusion X-1 \"t\" {\n  when %s\n}\n", expr);
    parse_ok(src);
    assert_int_equal(F.ast->nrules, 1);
    return F.ast->rules[0]->when;
}

static void test_schema(void **state)
{
    (void)state;
    cars_ast *ast = parse_ok(
        "schema {\n"
        "  received: date required reference\n"
        "  route: one of [a, b, c] required\n"
        "  applicant.nationality: country required protected nationality\n"
        "  visit.cost_gbp: number min 0.5 optional\n"
        "  travel_history: list of {\n"
        "    country: country required\n"
        "    year: integer required\n"
        "  } optional\n"
        "}\n");
    assert_true(ast->has_schema);
    assert_int_equal(ast->nfields, 5);
    cars_field *f = ast->fields;
    assert_string_equal(f[0].path, "received");
    assert_int_equal(f[0].type, CARS_T_DATE);
    assert_true(f[0].required && f[0].reference);
    assert_int_equal(f[1].type, CARS_T_ENUM);
    assert_int_equal(f[1].members.n, 3);
    assert_string_equal(f[1].members.names[2], "c");
    assert_int_equal(f[1].members.spans[2].col, 24);
    assert_string_equal(f[2].path, "applicant.nationality");
    assert_int_equal(f[2].protect, CARS_PROT_NATIONALITY);
    assert_true(f[3].has_min && !f[3].required);
    assert_true(f[3].min == 0.5);
    assert_int_equal(f[4].type, CARS_T_LIST);
    assert_int_equal(f[4].nelems, 2);
    assert_string_equal(f[4].elems[0].path, "country");
    assert_int_equal(f[4].elems[0].type, CARS_T_COUNTRY);
    assert_ptr_equal(f[4].elems[1].parent, &f[4]);
    assert_int_equal(f[2].span.line, 4);
    assert_int_equal(f[2].span.col, 3);
    assert_int_equal(f[2].span.end_col, 23);
    assert_int_equal(ast->ndecls, 1);
    assert_int_equal(ast->decls[0].kind, CARS_D_SCHEMA);
}

static void test_schema_errors(void **state)
{
    (void)state;
    assert_string_equal(first_error("schema {\n  x: integer\n}\n"),
                        "2:3: field 'x' must say whether it is required or optional");
    assert_string_equal(first_error("schema {\n  x: integer required optional\n}\n"),
                        "2:3: field 'x' is both required and optional");
    assert_string_equal(first_error("schema {\n  x: date required protected race\n}\n"),
                        "2:30: unknown protected characteristic 'race'");
    assert_string_equal(first_error("schema {\n  x: emial required\n}\n"),
                        "2:6: unexpected name 'emial', expected a type (bool, integer, number, string, email, "
                        "phone, document, date, country, one of [...], list of {...})");
    assert_string_equal(first_error("schema {\n  x: 1 required\n}\n"),
                        "2:6: unexpected number '1', expected a type (bool, integer, number, string, email, "
                        "phone, document, date, country, one of [...], list of {...})");
}

/* The kinds of string: `email`, `phone`, `document` are strings that say
 * what they hold; they are not reserved words. */
static void test_string_kinds(void **state)
{
    (void)state;
    cars_ast *ast = parse_ok(
        "schema {\n"
        "  contact.email: email optional\n"
        "  contact.phone: phone optional\n"
        "  applicant.passport.number: document required\n"
        "  id: string required\n"
        "  email: email optional\n"
        "  phone.document: document optional\n"
        "}\n"
        "let document = phone.document\n"
        "table t \"T\" {\n  file \"t.csv\"\n  key email: email, phone: phone\n}\n");
    cars_field *f = ast->fields;
    assert_int_equal(ast->nfields, 6);
    static const cars_strkind want[] = {CARS_SK_EMAIL, CARS_SK_PHONE, CARS_SK_DOCUMENT,
                                        CARS_SK_PLAIN, CARS_SK_EMAIL, CARS_SK_DOCUMENT};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(f[i].type, CARS_T_STRING);
        assert_int_equal(f[i].kind, want[i]);
    }
    assert_string_equal(f[4].path, "email");
    assert_string_equal(ast->lets[0]->name, "document");
    assert_int_equal(ast->tables[0]->key_kinds[1], CARS_K_PHONE);
}

static void test_precedence(void **state)
{
    (void)state;
    /* or < and < not < comparison < + - < * < unary - < days */
    cars_expr *e = when_of("a or b and not c = 1 + 2 * -3 days");
    assert_int_equal(e->kind, CARS_E_OR);
    assert_int_equal(e->a->kind, CARS_E_NAME);
    cars_expr *and = e->b;
    assert_int_equal(and->kind, CARS_E_AND);
    assert_int_equal(and->b->kind, CARS_E_NOT);
    cars_expr *eq = and->b->a;
    assert_int_equal(eq->kind, CARS_E_EQ);
    assert_int_equal(eq->b->kind, CARS_E_ADD);
    cars_expr *mul = eq->b->b;
    assert_int_equal(mul->kind, CARS_E_MUL);
    assert_int_equal(mul->b->kind, CARS_E_NEG);
    assert_int_equal(mul->b->a->kind, CARS_E_DAYS);
    assert_int_equal(mul->b->a->a->ival, 3);
    assert_int_equal(e->depth, 9);

    e = when_of("a - b - c");
    assert_int_equal(e->kind, CARS_E_SUB);
    assert_int_equal(e->a->kind, CARS_E_SUB); /* left associative */

    e = when_of("(a or b) and c");
    assert_int_equal(e->kind, CARS_E_AND);
    assert_int_equal(e->a->kind, CARS_E_OR);
    assert_true(e->a->parens);
}

static void test_comparisons_do_not_chain(void **state)
{
    (void)state;
    assert_string_equal(first_error("exclusion X-1 \"t\" {\n  when a = b = c\n}\n"),
                        "2:14: unexpected '=', expected '}'");
}

static void test_predicates(void **state)
{
    (void)state;
    cars_expr *e = when_of("x between 18 and 29 and y within last 5 years");
    assert_int_equal(e->kind, CARS_E_AND);
    assert_int_equal(e->a->kind, CARS_E_BETWEEN);
    assert_int_equal(e->a->b->ival, 18);
    assert_int_equal(e->a->c->ival, 29);
    assert_int_equal(e->b->kind, CARS_E_WITHIN);
    assert_int_equal(e->b->b->ival, 5);

    e = when_of("x not in [USA, CAN] or y in some_set");
    assert_int_equal(e->a->kind, CARS_E_IN);
    assert_true(e->a->negated);
    assert_int_equal(e->a->b->kind, CARS_E_LIST);
    assert_int_equal(e->a->b->nargs, 2);
    assert_string_equal(e->a->b->args[1]->name, "CAN");
    assert_false(e->b->negated);
    assert_string_equal(e->b->b->name, "some_set");

    e = when_of("a.b is present and c is absent");
    assert_int_equal(e->a->kind, CARS_E_PRESENT);
    assert_false(e->a->negated);
    assert_string_equal(e->a->a->name, "a.b");
    assert_true(e->b->negated);

    e = when_of("(applicant.passport.issuing_country, applicant.passport.number) in false_documents");
    assert_int_equal(e->kind, CARS_E_TUPLE_IN);
    assert_int_equal(e->nargs, 2);
    assert_string_equal(e->args[1]->name, "applicant.passport.number");
    assert_string_equal(e->b->name, "false_documents");
}

static void test_quantifiers_and_calls(void **state)
{
    (void)state;
    cars_expr *e = when_of("any(t in travel_history where t.country in allies and t.complied)");
    assert_int_equal(e->kind, CARS_E_QUANT);
    assert_int_equal(e->quant, CARS_Q_ANY);
    assert_string_equal(e->name, "t");
    assert_string_equal(e->a->name, "travel_history");
    assert_int_equal(e->b->kind, CARS_E_AND);
    assert_string_equal(e->b->a->a->name, "t.country"); /* keyword after '.' is a name */

    e = when_of("count(v in uk.visits) >= 2 and none(r in uk.refusals where r.year > 2020)");
    assert_int_equal(e->a->a->kind, CARS_E_QUANT);
    assert_int_equal(e->a->a->quant, CARS_Q_COUNT);
    assert_null(e->a->a->b);
    assert_int_equal(e->b->quant, CARS_Q_NONE);

    e = when_of("years_between(applicant.date_of_birth, received) >= 18");
    assert_int_equal(e->a->kind, CARS_E_CALL);
    assert_string_equal(e->a->name, "years_between");
    assert_int_equal(e->a->nargs, 2);
}

static void test_literals(void **state)
{
    (void)state;
    cars_expr *e = when_of("x = \"a\\\"b\\\\c\\n\\t\\u00e9\\ud83d\\ude00\" or d = 2026-02-28 or n = 1499.99");
    cars_expr *s = e->a->a->b;
    assert_int_equal(s->kind, CARS_E_STR);
    assert_int_equal(s->slen, 13);
    assert_memory_equal(s->sval, "a\"b\\c\n\t\xc3\xa9\xf0\x9f\x98\x80", 13);
    cars_expr *d = e->a->b->b;
    assert_int_equal(d->kind, CARS_E_DATE);
    assert_string_equal(d->text, "2026-02-28");
    assert_int_equal(d->ival, cars_date_make(2026, 2, 28));
    cars_expr *n = e->b->b;
    assert_int_equal(n->kind, CARS_E_NUM);
    assert_string_equal(n->text, "1499.99");
    assert_true(n->nval == 1499.99);
}

/* Decimal literals out of the range of a double are errors wherever they
 * stand (expressions, `min`, example values), as over-large integers are:
 * never infinity, never a silent 0 or subnormal. The limits themselves read
 * exactly. */
static void test_decimal_range(void **state)
{
    (void)state;
    char src[2048], digits[400];
    memset(digits, '0', 330);
    digits[330] = '\0';
    snprintf(src, sizeof src, "let x = 1%s.5\n", digits); /* 1e330 */
    assert_string_equal(first_error(src), "1:9: decimal literal too large");
    snprintf(src, sizeof src, "let x = 0.%s1\n", digits); /* 1e-331: would be 0 */
    assert_string_equal(first_error(src), "1:9: decimal literal too small: it would lose precision or become 0");
    snprintf(src, sizeof src, "let x = 0.%.310s5\n", digits); /* 5e-311: subnormal */
    assert_string_equal(first_error(src), "1:9: decimal literal too small: it would lose precision or become 0");
    snprintf(src, sizeof src, "schema {\n  x: number min -1%s.0 optional\n}\n", digits);
    assert_string_equal(first_error(src), "2:18: decimal literal too large");
    snprintf(src, sizeof src, "example e {\n  x = 1%s.0\n}\n", digits);
    assert_string_equal(first_error(src), "2:7: decimal literal too large");
    /* in range: the largest double, the smallest normal one, and zero */
    snprintf(src, sizeof src, "let a = 17976931348623157%.292s.0\n", digits); /* 309 digits */
    parse_ok(src);
    assert_true(F.ast->lets[0]->value->nval == DBL_MAX);
    snprintf(src, sizeof src, "let b = 0.%.307s22250738585072014\nlet c = 0.000\n", digits);
    parse_ok(src);
    assert_true(F.ast->lets[0]->value->nval == DBL_MIN);
    assert_true(F.ast->lets[1]->value->nval == 0);
}

static void test_lexical_errors(void **state)
{
    (void)state;
    assert_string_equal(first_error("let x = \"abc\n"), "1:9: unterminated string");
    assert_string_equal(first_error("let x = \"abc"), "1:9: unterminated string");
    assert_string_equal(first_error("let x = \"a\\qb\"\n"), "1:11: unknown escape '\\q' in string");
    assert_string_equal(first_error("let x = \"\\ud800\"\n"),
                        "1:10: lone surrogate '\\uD800' in string");
    assert_string_equal(first_error("let x = \"\\udc00x\"\n"),
                        "1:10: lone surrogate '\\uDC00' in string");
    assert_string_equal(first_error("let x = \"\\u12\"\n"), "1:10: malformed \\u escape in string");
    assert_string_equal(first_error("let x = \"\\u0000\"\n"),
                        "1:10: NUL ('\\u0000') is not allowed in strings");
    assert_string_equal(first_error("let x = 2026-02-30\n"), "1:9: invalid date '2026-02-30'");
    assert_string_equal(first_error("let x = 99999999999999999999\n"),
                        "1:9: integer literal too large");
    assert_string_equal(first_error("let x = a $ b\n"), "1:11: unexpected character '$'");
    assert_string_equal(first_error("let x = \x01 1\n"), "1:9: unexpected character '\\x01'");
    assert_string_equal(first_error("let x = \xc3\xa9 1\n"), "1:9: unexpected character '\xc3\xa9'");
    assert_string_equal(first_error("let x = a && b\n"), "1:11: unexpected '&&'");
    assert_string_equal(first_error("let x = \xef\xbb\xbf 1\n"),
                        "1:9: unexpected byte-order mark (U+FEFF)");
    parse_ok("\xef\xbb\xbflet x = 1\n"); /* allowed first */
    assert_int_equal(F.ast->lets[0]->span.col, 8);
    assert_string_equal(first_error("let x = a == b\n"), "1:11: unexpected '=='");
    /* the file is refused before scanning */
    assert_string_equal(first_error("let x = 1\nlet y = \xff\n"), "2:9: invalid UTF-8 byte '\\xff'");
    assert_string_equal(first_error("let x = \xed\xa0\x80\n"), "1:9: invalid UTF-8 byte '\\xed'");
    static const char nul[] = "let x = 1\0";
    cars_arena_free(&F.a);
    cars_diags_free(&F.d);
    cars_arena_init(&F.a);
    cars_diags_init(&F.d);
    F.ast = cars_parse_text("t.cars", nul, sizeof nul - 1, &F.a, &F.d);
    assert_non_null(F.ast);
    assert_int_equal(F.d.errors, 1);
    assert_string_equal(F.d.items[0].message, "NUL byte in source");
    assert_int_equal(F.d.items[0].span.col, 10);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    assert_string_equal(first_error("set a = [USA, CAN\nlet b = 1\n"),
                        "2:1: unexpected 'let', expected ']' or ','");
    assert_string_equal(first_error("exclusion X-1 \"t\" {\n  a = 1\n}\n"),
                        "2:3: unexpected name 'a', expected 'authorisation', 'justification', "
                        "'rationale', 'reviewed', 'says' or 'when'");
    assert_string_equal(first_error("exclusion X-1 \"t\" {\n  when\n}\n"),
                        "3:1: unexpected '}', expected an expression");
    assert_string_equal(first_error("exclusion X-1 \"t\" {\n  when a\n"),
                        "2:9: unexpected end of file, expected '}'");
    assert_string_equal(first_error("exclusion X \"t\" {\n  when a\n}\n"),
                        "1:11: malformed rule id 'X'");
    assert_string_equal(first_error("let when = 1\n"), "1:5: unexpected 'when', expected name");
    assert_string_equal(first_error("exlusion X-1 \"t\" { when a }\n"),
                        "1:1: unexpected name 'exlusion', expected a declaration");
    assert_string_equal(F.d.items[0].hint, "did you mean 'exclusion'?");
    /* recovery: one error per broken declaration */
    parse("exclusion A-1 \"t\" { when a = }\n"
          "exclusion A-2 \"t\" { when b }\n"
          "exclusion A-3 \"t\" { when c c }\n"
          "exclusion A-4 \"t\" { when d }\n");
    assert_int_equal(F.d.errors, 2);
    assert_int_equal(F.ast->nrules, 2);
    assert_string_equal(F.ast->rules[1]->id, "A-4");
}

static void test_depth_limits(void **state)
{
    (void)state;
    enum { N = 10000 };
    char *src = malloc(3 * N + 32);
    assert_non_null(src);
    strcpy(src, "let x = ");
    size_t n = strlen(src);
    for (int i = 0; i < N; i++)
        src[n++] = '(';
    src[n++] = '1';
    for (int i = 0; i < N; i++)
        src[n++] = ')';
    src[n] = '\0';
    assert_string_equal(first_error(src), "1:209: nested too deeply (more than 200 levels of brackets)");
    assert_int_equal(F.d.errors, 1);
    /* a long left-deep chain is refused too: walkers recurse on depth */
    strcpy(src, "let x = 1");
    n = strlen(src);
    for (int i = 0; i < 300; i++) {
        memcpy(src + n, "+1", 2);
        n += 2;
    }
    src[n] = '\0';
    assert_string_equal(first_error(src), "1:9: expression nested too deeply (more than 200 levels)");
    free(src);
}

static void test_declarations(void **state)
{
    (void)state;
    cars_ast *ast = parse_ok(
        "set s = [USA, CAN]\n"
        "let age = years_between(dob, received)\n"
        "table false_documents \"Known false documents\" {\n"
        "  file \"tables/false_documents.csv\"\n"
        "  key issuing_country: country, number: document\n"
        "  rationale \"why\"\n"
        "  reviewed 2026-09-01 every 6 months\n"
        "}\n"
        "profile PRF-002 \"p\" {\n"
        "  rationale \"r\"\n"
        "  authorisation MA-2026-014\n"
        "  justification OJ-2026-003\n"
        "  reviewed 2026-10-15 every 3 months\n"
        "  when age > 18\n"
        "}\n"
        "single S-CX-1 complex \"c\" { when a }\n"
        "single S-NCX-1 noncomplex \"n\" { when a }\n"
        "multiple M-A1 tier A \"m\" { when a }\n"
        "threshold MPCA \"3 or more\" {\n"
        "  at least 3\n"
        "  at least 1 in tier A\n"
        "}\n"
        "routing {\n"
        "  exclusions -> NONE\n"
        "  complex singles -> CXDR\n"
        "  noncomplex singles -> NCXDR\n"
        "  threshold MPCA -> NCXPCA otherwise CXPCA\n"
        "}\n"
        "include \"more.cars\"\n");
    assert_int_equal(ast->nsets, 1);
    assert_int_equal(ast->sets[0]->list->nargs, 2);
    assert_int_equal(ast->nlets, 1);
    assert_int_equal(ast->lets[0]->value->kind, CARS_E_CALL);
    assert_int_equal(ast->ntables, 1);
    cars_table *t = ast->tables[0];
    assert_string_equal(t->file, "tables/false_documents.csv");
    assert_int_equal(t->nkeys, 2);
    assert_string_equal(t->key_names[1], "number");
    assert_int_equal(t->key_kinds[0], CARS_K_COUNTRY);
    assert_int_equal(t->key_kinds[1], CARS_K_DOCUMENT);
    assert_int_equal(t->meta.review_months, 6);
    assert_int_equal(ast->nrules, 4);
    cars_rule *r = ast->rules[0];
    assert_int_equal(r->kind, CARS_R_PROFILE);
    assert_string_equal(r->meta.authorisation, "MA-2026-014");
    assert_string_equal(r->meta.justification, "OJ-2026-003");
    assert_int_equal(r->meta.reviewed, cars_date_make(2026, 10, 15));
    assert_int_equal(r->when_span.line, 14);
    assert_int_equal(ast->rules[1]->kind, CARS_R_SINGLE_COMPLEX);
    assert_int_equal(ast->rules[2]->kind, CARS_R_SINGLE_NONCOMPLEX);
    assert_int_equal(ast->rules[3]->kind, CARS_R_MULTIPLE);
    assert_string_equal(ast->rules[3]->tier, "A");
    assert_int_equal(ast->nthresholds, 1);
    assert_int_equal(ast->thresholds[0]->at_least, 3);
    assert_int_equal(ast->thresholds[0]->ntiers, 1);
    assert_int_equal(ast->thresholds[0]->tier_min[0], 1);
    assert_int_equal(ast->nstages, 4);
    assert_int_equal(ast->stages[1].sel, CARS_S_COMPLEX_SINGLES);
    assert_int_equal(ast->stages[3].sel, CARS_S_THRESHOLD);
    assert_string_equal(ast->stages[3].threshold, "MPCA");
    assert_int_equal(ast->stages[3].outcome, CARS_O_NCXPCA);
    assert_true(ast->stages[3].has_otherwise);
    assert_int_equal(ast->stages[3].otherwise, CARS_O_CXPCA);
    assert_int_equal(ast->ndecls, 10);
    assert_int_equal(ast->decls[9].kind, CARS_D_INCLUDE);
    assert_string_equal(((cars_expr *)ast->decls[9].node)->sval, "more.cars");
    assert_int_equal(ast->decls[2].span.line, 3);
    assert_int_equal(ast->decls[2].span.end_line, 8);
}

static void test_examples(void **state)
{
    (void)state;
    cars_ast *ast = parse_ok(
        "example tourist {\n"
        "  id = \"T-0001\"\n"
        "  received = 2026-11-01\n"
        "  cost = -12.5\n"
        "  travel_history = [{country = USA, year = 2024, complied = true}, {}]\n"
        "}\n"
        "test \"a conviction\" {\n"
        "  like tourist\n"
        "  criminality.convictions = true\n"
        "  visit.length_days = absent\n"
        "  expect CXDR [S-CX-1, M-A1]\n"
        "}\n");
    assert_int_equal(ast->nexamples, 2);
    cars_example *ex = ast->examples[0];
    assert_false(ex->is_test);
    assert_int_equal(ex->nassigns, 4);
    assert_string_equal(ex->assigns[2].value->text, "-12.5");
    cars_expr *th = ex->assigns[3].value;
    assert_int_equal(th->kind, CARS_E_LIST);
    assert_int_equal(th->nargs, 2);
    cars_expr *rec = th->args[0];
    assert_int_equal(rec->kind, CARS_E_LIST);
    assert_int_equal(rec->nargs, 3);
    assert_int_equal(rec->args[0]->kind, CARS_E_EQ);
    assert_string_equal(rec->args[0]->a->name, "country");
    assert_string_equal(rec->args[0]->b->name, "USA");
    cars_example *t = ast->examples[1];
    assert_true(t->is_test);
    assert_string_equal(t->name, "a conviction");
    assert_string_equal(t->like, "tourist");
    assert_null(t->assigns[1].value);
    assert_true(t->has_expect && t->has_expect_rules);
    assert_int_equal(t->expect, CARS_O_CXDR);
    assert_int_equal(t->nexpect_rules, 2);
    assert_string_equal(t->expect_rules[1], "M-A1");
    assert_string_equal(first_error("test \"x\" {\n  expect MAYBE\n}\n"), "2:10: unknown outcome 'MAYBE'");
}

static void test_comments(void **state)
{
    (void)state;
    cars_ast *ast = parse_ok(
        "# header\n"
        "\n"
        "# about s\n"
        "set s = [a] # trailing\n"
        "schema {\n"
        "  # about x\n"
        "  x: bool required\n"
        "}\n"
        "# the end\n");
    assert_int_equal(ast->ncomments, 5);
    assert_false(ast->comments[0].trailing);
    assert_true(ast->comments[2].trailing);
    assert_string_equal(ast->comments[2].text, " trailing");
    assert_int_equal(ast->decls[0].ncomments, 2);
    assert_string_equal(ast->sets[0]->comments[1].text, " about s");
    assert_int_equal(ast->decls[1].ncomments, 0);
    assert_int_equal(ast->fields[0].ncomments, 1);
    assert_int_equal(ast->ntail_comments, 1);
    assert_string_equal(ast->tail_comments[0].text, " the end");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_files_and_includes(void **state)
{
    (void)state;
    char dir[] = "/tmp/cars-test-parse-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char a[128], b[128], c[128], sub[128];
    snprintf(a, sizeof a, "%s/a.cars", dir);
    snprintf(b, sizeof b, "%s/b.cars", dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    snprintf(c, sizeof c, "%s/sub/c.cars", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    write_file(a, "set a1 = [x]\ninclude \"sub/c.cars\"\nset a2 = [x]\n");
    write_file(b, "set b1 = [x]\n");
    write_file(c, "set c1 = [x]\ninclude \"../b.cars\"\n");
    cars_arena_free(&F.a);
    cars_diags_free(&F.d);
    cars_arena_init(&F.a);
    cars_diags_init(&F.d);
    const char *paths[] = {dir};
    F.ast = cars_parse_paths(paths, 1, &F.a, &F.d);
    assert_non_null(F.ast);
    assert_int_equal(F.d.errors, 0);
    /* a.cars, then what it includes at the point of inclusion; b.cars once */
    assert_int_equal(F.ast->nsets, 4);
    assert_string_equal(F.ast->sets[0]->name, "a1");
    assert_string_equal(F.ast->sets[1]->name, "c1");
    assert_string_equal(F.ast->sets[2]->name, "b1");
    assert_string_equal(F.ast->sets[3]->name, "a2");
    assert_int_equal(F.ast->nfiles, 3);
    assert_ptr_equal(F.d.files, F.ast->files);

    write_file(b, "include \"sub/c.cars\"\n");
    write_file(c, "include \"../b.cars\"\n");
    cars_diags_free(&F.d);
    cars_diags_init(&F.d);
    const char *pb[] = {b};
    F.ast = cars_parse_paths(pb, 1, &F.a, &F.d);
    assert_non_null(F.ast);
    assert_int_equal(F.d.errors, 1);
    assert_non_null(strstr(F.d.items[0].message, "include cycle"));
    unlink(a);
    unlink(b);
    unlink(c);
    rmdir(sub);
    rmdir(dir);
}

/* The one lister of a directory's *.cars files (reading a ruleset, carsc
 * fmt): name order, no hidden files, no other extensions, one '/' whether or
 * not the directory has one, the errno of a directory that cannot be read. */
static void test_list_sources(void **state)
{
    (void)state;
    char dir[] = "/tmp/cars-test-list-XXXXXX";
    assert_non_null(mkdtemp(dir));
    static const char *const names[] = {"b.cars", "a.cars", ".h.cars", "c.txt", ".cars", "a.cars.bak"};
    char path[160];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        write_file(path, "set s = [x]\n");
    }
    cars_arena a;
    cars_arena_init(&a);
    char **paths;
    size_t n;
    assert_int_equal(cars_list_sources(dir, &a, &paths, &n), 0);
    assert_int_equal(n, 2);
    snprintf(path, sizeof path, "%s/a.cars", dir);
    assert_string_equal(paths[0], path);
    snprintf(path, sizeof path, "%s/b.cars", dir);
    assert_string_equal(paths[1], path);
    char slash[160];
    snprintf(slash, sizeof slash, "%s/", dir);
    assert_int_equal(cars_list_sources(slash, &a, &paths, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(paths[1], path);
    snprintf(path, sizeof path, "%s/missing", dir);
    assert_int_equal(cars_list_sources(path, &a, &paths, &n), ENOENT);
    assert_int_equal(n, 0);
    assert_null(paths);
    cars_arena_free(&a);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* Every allocation in turn fails: never a crash or a leak (ASan checks). */
static void test_allocation_failure(void **state)
{
    (void)state;
    FILE *f = fopen("tests/data/visit.cars", "rb");
    if (!f)
        skip(); /* not run from the repository root */
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    cars_alloc_count(1);
    parse_ok(text);
    long total = cars_alloc_count(1);
    assert_true(total > 0);
    for (long k = 0; k < total; k++) {
        cars_arena_free(&F.a);
        cars_diags_free(&F.d);
        cars_arena_init(&F.a);
        cars_diags_init(&F.d);
        cars_alloc_count(1); /* allocation k + 1 of this run fails */
        cars_alloc_fail_after(k);
        cars_ast *ast = cars_parse_text("t.cars", text, n, &F.a, &F.d);
        cars_alloc_fail_after(-1);
        if (ast && !cars_arena_failed(&F.a) && F.d.errors == 0)
            assert_int_equal(ast->nrules, 9);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_schema, teardown),
        cmocka_unit_test_teardown(test_schema_errors, teardown),
        cmocka_unit_test_teardown(test_string_kinds, teardown),
        cmocka_unit_test_teardown(test_precedence, teardown),
        cmocka_unit_test_teardown(test_comparisons_do_not_chain, teardown),
        cmocka_unit_test_teardown(test_predicates, teardown),
        cmocka_unit_test_teardown(test_quantifiers_and_calls, teardown),
        cmocka_unit_test_teardown(test_literals, teardown),
        cmocka_unit_test_teardown(test_lexical_errors, teardown),
        cmocka_unit_test_teardown(test_decimal_range, teardown),
        cmocka_unit_test_teardown(test_syntax_errors, teardown),
        cmocka_unit_test_teardown(test_depth_limits, teardown),
        cmocka_unit_test_teardown(test_declarations, teardown),
        cmocka_unit_test_teardown(test_examples, teardown),
        cmocka_unit_test_teardown(test_comments, teardown),
        cmocka_unit_test_teardown(test_files_and_includes, teardown),
        cmocka_unit_test(test_list_sources),
        cmocka_unit_test_teardown(test_allocation_failure, teardown),
    };
    return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}

/* test_check.c - the checker: each diagnostic it can give, with its exact
 * message, line and column (and hint where it has one); several errors per
 * run; the annotations it leaves for codegen (types, references, protected
 * characteristics). Each case parses a small text with cars_parse_text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "date.h"
#include "parse.h"

/* Lines 1-20: a schema and a routing block every case can use. Case text
 * starts on line 21. */
#define BASE                                                                   \
    "schema {\n"                                                               \
    "  id: string required\n"                                                  \
    "  received: date required reference\n"                                    \
    "  route: one of [a, b] required\n"                                        \
    "  visit.purpose: one of [tourism, business, family] required\n"           \
    "  visit.length_days: integer min 0 optional\n"                            \
    "  visit.cost: number optional\n"                                          \
    "  nat: country required protected nationality\n"                          \
    "  dob: date required protected age\n"                                     \
    "  sex: one of [F, M] required protected sex\n"                            \
    "  email: string optional\n"                                               \
    "  history: list of {\n"                                                   \
    "    year: integer required\n"                                             \
    "    ok: bool required\n"                                                  \
    "  } optional\n"                                                           \
    "}\n"                                                                      \
    "routing {\n"                                                              \
    "  complex singles -> CXDR\n"                                              \
    "  otherwise -> NCXDR\n"                                                   \
    "}\n"

typedef struct fixture {
    cars_arena a;
    cars_diags d;
    cars_ast *ast;
    bool ok;
} fixture;

static fixture F;

static void run_opt(const char *text, const cars_check_options *opt)
{
    cars_arena_init(&F.a);
    cars_diags_init(&F.d);
    F.ast = cars_parse_text("t.cars", text, strlen(text), &F.a, &F.d);
    assert_non_null(F.ast);
    if (F.d.errors) {
        cars_diags_print(&F.d, stderr);
        fail_msg("the test text does not parse");
    }
    F.ok = cars_check(F.ast, &F.a, &F.d, opt);
    cars_diags_sort(&F.d);
    if (getenv("CARS_TEST_DUMP"))
        cars_diags_print(&F.d, stderr);
}

static void run(const char *text)
{
    cars_check_options opt = {0};
    run_opt(text, &opt);
}

static void done(void)
{
    cars_diags_free(&F.d);
    cars_arena_free(&F.a);
}

/* The i-th diagnostic (sorted) is exactly this. */
static void diag_is(size_t i, cars_severity sev, uint32_t line, uint32_t col, const char *msg,
                    const char *hint)
{
    if (i >= F.d.n)
        fail_msg("diagnostic %zu missing (only %zu): %s", i, F.d.n, msg);
    const cars_diag *g = &F.d.items[i];
    assert_string_equal(g->message, msg);
    assert_int_equal(g->sev, sev);
    assert_int_equal(g->span.line, line);
    assert_int_equal(g->span.col, col);
    if (hint) {
        assert_non_null(g->hint);
        assert_string_equal(g->hint, hint);
    }
}

static void error_is(size_t i, uint32_t line, uint32_t col, const char *msg, const char *hint)
{
    diag_is(i, CARS_SEV_ERROR, line, col, msg, hint);
}

/* Exactly one diagnostic: this error. */
static void only_error(const char *text, uint32_t line, uint32_t col, const char *msg,
                       const char *hint)
{
    run(text);
    assert_false(F.ok);
    error_is(0, line, col, msg, hint);
    assert_int_equal(F.d.n, 1);
    done();
}

/* What a rule that reads a protected characteristic carries besides its
 * lawful basis (on the rule's own line; ML columns). */
#define M "rationale \"r\" reviewed 2026-01-01 every 6 months "
#define ML 49

#define RULE(cond) BASE "single S-1 complex \"t\" { when " cond " }\n"
/* column of the condition in RULE(): after `single S-1 complex "t" { when ` */
#define C0 31

/* ---- names and types ------------------------------------------------------- */

static void t_clean(void **state)
{
    (void)state;
    run(BASE "let age = years_between(dob, received)\n"
             "single S-1 complex \"t\" {\n"
             "  justification OJ-1\n"
             "  rationale \"r\"\n"
             "  reviewed 2026-01-01 every 6 months\n"
             "  when age between 18 and 29 and visit.purpose = tourism\n"
             "   and visit.length_days > 90 and visit.cost >= 1.5\n"
             "   and any(h in history where h.ok and h.year within last 5 years)\n"
             "   and email = \"x\" and route in [a] and received + 3 days > dob\n"
             "   and count(h in history) >= 2 and email is present\n"
             "}\n");
    assert_true(F.ok);
    assert_int_equal(F.d.n, 0);
    const cars_rule *r = F.ast->rules[0];
    assert_int_equal(r->protect, CARS_PROT_AGE);
    assert_int_equal(r->when->ty.kind, CARS_T_BOOL);
    done();
}

static void t_unknown_field(void **state)
{
    (void)state;
    only_error(RULE("visit.lenght_days > 90"), 21, C0, "unknown field 'visit.lenght_days'",
               "did you mean 'visit.length_days'?");
}

static void t_not_member(void **state)
{
    (void)state;
    only_error(RULE("visit.purpose = holiday"), 21, C0 + 16,
               "'visit.purpose' is one of [tourism, business, family]; 'holiday' is not a member",
               NULL);
}

static void t_member_hint(void **state)
{
    (void)state;
    only_error(RULE("visit.purpose in [tourism, busines]"), 21, C0 + 27,
               "'visit.purpose' is one of [tourism, business, family]; 'busines' is not a member",
               "did you mean 'business'?");
}

static void t_compare_types(void **state)
{
    (void)state;
    only_error(RULE("visit.length_days < received"), 21, C0,
               "cannot compare integer with date", NULL);
}

static void t_and_needs_bool(void **state)
{
    (void)state;
    only_error(RULE("email is present and visit.length_days"), 21, C0 + 21,
               "'and' needs bool operands, got integer", NULL);
}

static void t_year_arity(void **state)
{
    (void)state;
    only_error(RULE("year(received, received) > 1"), 21, C0, "'year' takes 1 argument, got 2", NULL);
}

static void t_years_between_type(void **state)
{
    (void)state;
    only_error(RULE("years_between(received, 5) > 1"), 21, C0 + 24,
               "'years_between' needs a date, got integer", NULL);
}

static void t_unknown_function(void **state)
{
    (void)state;
    only_error(RULE("yeer(received) > 1"), 21, C0, "unknown function 'yeer'",
               "did you mean 'year'?");
}

static void t_days_integer(void **state)
{
    (void)state;
    only_error(RULE("received + visit.cost days > received"), 21, C0 + 11,
               "'days' needs an integer, got number", NULL);
}

static void t_date_plus_integer(void **state)
{
    (void)state;
    only_error(RULE("received + 5 > received"), 21, C0,
               "dates allow only + or - a number of days, not date + integer",
               "write 'DATE + N days' or 'DATE - N days'");
}

static void t_quant_not_list(void **state)
{
    (void)state;
    only_error(RULE("any(h in email where h.ok)"), 21, C0 + 9,
               "a quantifier needs a list field, got string", NULL);
}

static void t_quant_nested(void **state)
{
    (void)state;
    only_error(RULE("any(h in history where any(g in history where g.ok))"), 21, C0 + 23,
               "quantifiers may not be nested (v1)", NULL);
}

static void t_elem_unknown(void **state)
{
    (void)state;
    only_error(RULE("any(h in history where h.yeer > 1)"), 21, C0 + 23,
               "'history' has no element field 'yeer'", "did you mean 'h.year'?");
}

static void t_within_integer(void **state)
{
    (void)state;
    only_error(RULE("visit.cost within last 5 years"), 21, C0,
               "'within last N years' needs an integer year, got number", NULL);
}

static void t_within_reference(void **state)
{
    (void)state;
    only_error("schema {\n  id: string required\n  y: integer optional\n}\n"
               "routing {\n  otherwise -> NCXDR\n}\n",
               1, 1, "the schema has no reference date",
               "mark one date field 'reference', e.g. 'received: date required reference'");
}

static void t_within_reference_use(void **state)
{
    (void)state;
    run("schema {\n  id: string required\n  y: integer optional\n}\n"
        "single S-1 complex \"t\" { when y within last 5 years }\n"
        "routing {\n  complex singles -> CXDR\n  otherwise -> NCXDR\n}\n");
    assert_int_equal(F.d.n, 2);
    error_is(1, 5, 31, "'within last N years' needs a reference date in the schema",
             "mark one date field of the schema 'reference'");
    done();
}

static void t_string_ops(void **state)
{
    (void)state;
    only_error(RULE("email < \"a\""), 21, C0, "cannot compare string with string",
               "a string can only be compared with = or != against a literal, tested with "
               "'in [...]' or 'is present', or looked up in a table");
}

static void t_in_member_type(void **state)
{
    (void)state;
    only_error(RULE("visit.length_days in [1, \"x\"]"), 21, C0 + 25,
               "this member is a string; 'visit.length_days' is an integer", NULL);
}

static void t_in_bad_type(void **state)
{
    (void)state;
    only_error(RULE("received in [1]"), 21, C0,
               "'in' needs an integer, country, enumeration or string value, got date", NULL);
}

static void t_present_field(void **state)
{
    (void)state;
    only_error(RULE("visit.length_days + 1 is present"), 21, C0,
               "'is present' needs a field of the schema", NULL);
}

static void t_country_code(void **state)
{
    (void)state;
    only_error(BASE "single S-1 complex \"t\" { authorisation MA-1 " M "when nat = usa }\n", 21, 56 + ML,
               "'usa' is not a country code", "country codes are three upper-case letters, e.g. USA");
}

static void t_unknown_set(void **state)
{
    (void)state;
    only_error(RULE("route in rout_set"), 21, C0 + 9, "unknown set or table 'rout_set'", NULL);
}

/* ---- tables ------------------------------------------------------------------ */

#define TABLES                                                                 \
    "table docs \"d\" {\n"                                                      \
    "  file \"docs.csv\"\n"                                                     \
    "  key country: country, number: document\n"                               \
    "}\n"                                                                      \
    "table mails \"m\" {\n"                                                     \
    "  file \"mails.csv\"\n"                                                    \
    "  key email: email\n"                                                     \
    "}\n"

static void t_table_arity(void **state)
{
    (void)state;
    run(BASE TABLES "single S-1 complex \"t\" { when email in docs or (email) in mails }\n");
    assert_false(F.ok);
    error_is(0, 29, 40, "table 'docs' has 2 key columns; look it up with a tuple (a, b) in docs",
             NULL);
    done();
}

static void t_table_key_type(void **state)
{
    (void)state;
    run(BASE TABLES "single S-1 complex \"t\" { authorisation MA-1 " M "\n"
                    "  when (nat, email) in docs and visit.length_days in mails\n}\n");
    assert_false(F.ok);
    assert_int_equal(F.d.n, 1);
    error_is(0, 30, 33, "table keys may only be top-level fields of string or country type", NULL);
    done();
}

static void t_table_country_key(void **state)
{
    (void)state;
    only_error(BASE TABLES "single S-1 complex \"t\" { when (email, email) in docs or email in mails }\n", 29, 32,
               "key column 'country' of table 'docs' is a country; 'email' is a string", NULL);
}

static void t_table_unused(void **state)
{
    (void)state;
    run(BASE TABLES "single S-1 complex \"t\" { when email in mails }\n");
    assert_true(F.ok);
    assert_int_equal(F.d.n, 1);
    diag_is(0, CARS_SEV_WARNING, 21, 7, "table 'docs' is never used", "remove it");
    done();
}

/* ---- schema ------------------------------------------------------------------ */

static void t_schema_checks(void **state)
{
    (void)state;
    run("schema {\n"
        "  id: string required\n"
        "  received: date required reference\n"
        "  visit: string optional\n"
        "  visit.purpose: one of [a, b] required\n"
        "  id: integer optional\n"
        "  name: string min 3 optional\n"
        "  other: date required reference\n"
        "  l: list of {\n"
        "    note: string optional\n"
        "  } optional\n"
        "}\n"
        "routing {\n  otherwise -> NCXDR\n}\n");
    assert_false(F.ok);
    diag_is(0, CARS_SEV_NOTE, 2, 3, "the first definition of id", NULL);
    diag_is(1, CARS_SEV_NOTE, 3, 3, "the first definition of the reference date", NULL);
    error_is(2, 4, 3, "'visit' is a field, so it cannot also be an object holding 'visit.purpose'",
             NULL);
    error_is(3, 6, 3, "duplicate field 'id'", NULL);
    error_is(4, 7, 3, "'min' applies only to integer and number fields", NULL);
    error_is(5, 8, 3, "only one field may be the reference date", NULL);
    error_is(6, 10, 5, "fields of a list element may not be strings (v1)", NULL);
    assert_int_equal(F.d.n, 7);
    done();
}

/* ---- declarations ------------------------------------------------------------ */

static void t_duplicate_rule(void **state)
{
    (void)state;
    run(RULE("email is present") "single S-1 complex \"u\" { when email is absent }\n");
    assert_false(F.ok);
    diag_is(0, CARS_SEV_NOTE, 21, 8, "the first definition of S-1", NULL);
    error_is(1, 22, 8, "'S-1' is already defined (as a rule)", NULL);
    done();
}

static void t_unused_and_cycle(void **state)
{
    (void)state;
    run(BASE "set s = [a]\n"
             "let x = y + 1\n"
             "let y = x + 1\n"
             "single S-1 complex \"t\" { when x > 1 }\n");
    assert_false(F.ok);
    diag_is(0, CARS_SEV_WARNING, 21, 5, "set 's' is never used", "remove it");
    error_is(1, 23, 9, "definition 'x' depends on itself", NULL);
    assert_int_equal(F.d.n, 2);
    done();
}

static void t_unused_let(void **state)
{
    (void)state;
    run(BASE "let x = 1\n" "single S-1 complex \"t\" { when email is present }\n");
    assert_true(F.ok);
    diag_is(0, CARS_SEV_WARNING, 21, 5, "definition 'x' is never used", "remove it");
    done();
}

/* ---- thresholds and routing --------------------------------------------------- */

#define MULTI                                                                  \
    "multiple M-1 tier A \"m\" { when email is present }\n"                    \
    "multiple M-2 tier B \"m\" { when route = a }\n"

static void t_threshold_unreachable(void **state)
{
    (void)state;
    run("schema {\n  id: string required\n  received: date required reference\n"
        "  route: one of [a, b] required\n  email: string optional\n}\n" MULTI
        "threshold T \"t\" {\n  at least 3\n  at least 2 in tier A\n  at least 1 in tier C\n}\n"
        "routing {\n  threshold T -> NCXPCA otherwise CXPCA\n}\n");
    assert_false(F.ok);
    error_is(0, 10, 3, "threshold T can never be reached: it needs 3 multiple PCAs, and there are 2",
             NULL);
    error_is(1, 11, 3, "threshold T can never be reached: it needs 2 in tier A, and tier A has 1",
             NULL);
    error_is(2, 12, 3, "no multiple PCA is in tier C", NULL);
    done();
}

static void t_routing(void **state)
{
    (void)state;
    run("schema {\n  id: string required\n  received: date required reference\n"
        "  route: one of [a, b] required\n  email: string optional\n}\n" MULTI
        "threshold T \"t\" {\n  at least 1\n}\n"
        "exclusion X-1 \"x\" { when route = b }\n"
        "routing {\n"
        "  complex singles -> CXDR\n"
        "  complex singles -> CXDR\n"
        "  threshold TT -> NCXPCA otherwise CXPCA\n"
        "  otherwise -> NONE\n"
        "}\n");
    assert_false(F.ok);
    error_is(0, 12, 11, "exclusion X-1 is not routed: no stage routes the exclusions",
             "add 'exclusions -> NONE' to the routing block");
    error_is(1, 15, 3, "complex singles are already routed on line 14", NULL);
    error_is(2, 16, 13, "unknown threshold 'TT'", "did you mean 'T'?");
    error_is(3, 17, 3, "this stage can never be reached: the stage on line 16 always decides",
             "remove it, or move it before the stage that always decides");
    assert_int_equal(F.d.n, 4);
    done();
}

static void t_last_stage(void **state)
{
    (void)state;
    only_error("schema {\n  id: string required\n  received: date required reference\n}\n"
               "single S-1 complex \"t\" { when id = \"x\" }\n"
               "routing {\n  complex singles -> CXDR\n}\n",
               7, 3, "the last stage must always decide",
               "end with 'otherwise -> OUTCOME' or a threshold with 'otherwise'");
}

/* ---- lawful basis --------------------------------------------------------------- */

static void t_lawful_basis(void **state)
{
    (void)state;
    run(BASE "let age = years_between(dob, received)\n"
             "single S-1 complex \"t\" { " M "when nat in [QZA] }\n"
             "single S-2 complex \"t\" { " M "when age > 17 }\n"
             "single S-3 complex \"t\" { when sex = F }\n"
             "single S-4 complex \"t\" { authorisation MA-1 justification OJ-1 when route = a }\n"
             "single S-5 complex \"t\" { authorisation MA-1 justification OJ-1 " M "\n"
             "  when nat = QZA and age > 17 }\n");
    assert_false(F.ok);
    error_is(0, 22, 31 + ML, "single S-1 reads nat (protected nationality) without an authorisation",
             "cite the Ministerial Authorisation: authorisation MA-YYYY-NNN");
    error_is(1, 23, 31 + ML, "single S-2 reads dob (protected age) without a justification",
             "cite the objective justification: justification OJ-YYYY-NNN");
    error_is(2, 24, 31, "sex is a protected characteristic with no lawful basis for routing",
             "remove the condition");
    diag_is(3, CARS_SEV_WARNING, 25, 40,
            "single S-4 cites an authorisation but does not read nationality", "remove the citation");
    diag_is(4, CARS_SEV_WARNING, 25, 59, "single S-4 cites a justification but does not read age",
            "remove the citation");
    assert_int_equal(F.d.n, 5);
    assert_int_equal(F.ast->rules[4]->protect, CARS_PROT_NATIONALITY | CARS_PROT_AGE);
    assert_int_equal(F.ast->lets[0]->value->protect, CARS_PROT_AGE);
    done();
}

/* The records contract's fields keep their protection whatever the schema
 * says; its proxies of nationality need an authorisation when compared with
 * particular countries, and only then. */
#define CONTRACT_SCHEMA                                                        \
    "schema {\n"                                                               \
    "  id: string required\n"                                                  \
    "  received: date required reference\n"                                    \
    "  applicant.nationality: country required\n"                              \
    "  applicant.date_of_birth: date required protected age\n"                 \
    "  applicant.sex: country required protected nationality\n"                \
    "  applicant.passport.number: string required\n"                           \
    "  applicant.passport.issuing_country: country required\n"                 \
    "  applicant.country_of_residence: country optional\n"                     \
    "  trips: list of {\n    country: country required\n  } optional\n"        \
    "}\n"                                                                      \
    "routing {\n  complex singles -> CXDR\n  otherwise -> NCXDR\n}\n"          \
    "table docs \"d\" {\n  file \"d.csv\"\n  key c: country, n: document\n}\n" \
    "table cs \"c\" {\n  file \"c.csv\"\n  key c: country\n}\n"

static void t_contract_and_proxies(void **state)
{
    (void)state;
    run(CONTRACT_SCHEMA /* lines 1-25 */
        "let pc = applicant.passport.issuing_country\n"
        "single S-1 complex \"t\" { " M "when applicant.nationality = QZA }\n" /* 27 */
        "single S-2 complex \"t\" { " M "when pc != QZA }\n"
        "single S-3 complex \"t\" { " M "when applicant.passport.issuing_country in cs }\n"
        "single S-4 complex \"t\" {\n"
        "  when (applicant.passport.issuing_country, applicant.passport.number) in docs }\n"
        "single S-5 complex \"t\" { when applicant.country_of_residence is present\n"
        "  and any(t in trips where t.country = QZA or t.country = pc) }\n"
        "single S-6 complex \"t\" { authorisation MA-1 " M "when any(t in trips where pc = QZB) }\n"
        "single S-7 complex \"t\" { when applicant.sex = QZA }\n"); /* 35 */
    assert_false(F.ok);
    error_is(0, 4, 3, "the records contract makes applicant.nationality a protected "
             "characteristic (nationality); the schema may not remove its protection",
             "add 'protected nationality' to the field");
    error_is(1, 6, 3, "the records contract makes applicant.sex a protected characteristic "
             "(sex), not nationality", "write 'protected sex' instead of 'protected nationality'");
    /* the contract's protection holds for the rules all the same */
    error_is(2, 27, 31 + ML, "single S-1 reads applicant.nationality (protected nationality) without "
             "an authorisation", "cite the Ministerial Authorisation: authorisation MA-YYYY-NNN");
    error_is(3, 28, 31 + ML, "single S-2 compares applicant.passport.issuing_country with particular "
             "countries without an authorisation: it is a proxy of nationality (protected)",
             "cite the Ministerial Authorisation (authorisation MA-YYYY-NNN), or remove the "
             "condition");
    error_is(4, 29, 31 + ML, "single S-3 compares applicant.passport.issuing_country with particular "
             "countries without an authorisation: it is a proxy of nationality (protected)", NULL);
    error_is(5, 35, 31, "applicant.sex is a protected characteristic with no lawful basis for "
             "routing", "remove the condition");
    assert_int_equal(F.d.n, 6);
    assert_int_equal(F.ast->rules[1]->protect, CARS_PROT_NAT_PROXY);
    assert_int_equal(F.ast->rules[2]->protect, CARS_PROT_NAT_PROXY);
    assert_int_equal(F.ast->rules[3]->protect, 0); /* a document's identity */
    assert_int_equal(F.ast->rules[4]->protect, 0); /* presence; compared with an element */
    assert_int_equal(F.ast->rules[5]->protect, CARS_PROT_NAT_PROXY);
    assert_int_equal(F.ast->fields[2].protect, CARS_PROT_NATIONALITY); /* the contract's */
    done();
}

/* ---- metadata ---------------------------------------------------------------------- */

static void t_profile_meta(void **state)
{
    (void)state;
    run("schema {\n  id: string required\n  received: date required reference\n}\n"
        "profile P-1 \"p\" { when id = \"x\" }\n"
        "profile P-2 \"p\" {\n  rationale \"r\"\n  reviewed 2026-01-01 every 61 months\n"
        "  when id = \"x\"\n}\n"
        "routing {\n  profiles -> CXDR\n  otherwise -> NCXDR\n}\n");
    assert_false(F.ok);
    error_is(0, 5, 9, "profile P-1 has no rationale", "add: rationale \"why the profile exists\"");
    error_is(1, 5, 9, "profile P-1 has no review date", "add: reviewed YYYY-MM-DD every N months");
    error_is(2, 8, 3, "a review interval must be 1 to 60 months, got 61", NULL);
    assert_int_equal(F.d.n, 3);
    done();
}

static void review_case(const char *reviewed, int months, const char *as_of, const char *due)
{
    char text[1024];
    snprintf(text, sizeof text,
             "schema {\n  id: string required\n  received: date required reference\n}\n"
             "profile P-1 \"p\" {\n  rationale \"r\"\n  reviewed %s every %d months\n"
             "  when id = \"x\"\n}\n"
             "routing {\n  profiles -> CXDR\n  otherwise -> NCXDR\n}\n",
             reviewed, months);
    cars_check_options opt = {0};
    opt.has_as_of = true;
    assert_true(cars_date_parse(as_of, 10, &opt.as_of));
    run_opt(text, &opt);
    if (!due) {
        assert_true(F.ok);
        assert_int_equal(F.d.n, 0);
    } else {
        char msg[128];
        snprintf(msg, sizeof msg, "the review of profile P-1 fell due on %s", due);
        assert_int_equal(F.d.n, 1);
        error_is(0, 7, 3, msg, "review it, then update 'reviewed'");
    }
    done();
}

static void t_review_due(void **state)
{
    (void)state;
    review_case("2026-08-31", 6, "2027-02-27", NULL);
    review_case("2026-08-31", 6, "2027-02-28", "2027-02-28"); /* clamped to the month's end */
    review_case("2027-08-31", 6, "2028-03-01", "2028-02-29"); /* leap year */
    review_case("2026-10-15", 3, "2027-01-14", NULL);
    review_case("2026-10-15", 3, "2027-01-15", "2027-01-15");
    review_case("2026-01-31", 13, "2027-02-28", "2027-02-28");
}

/* ---- examples and tests ------------------------------------------------------------- */

static void t_examples(void **state)
{
    (void)state;
    run(RULE("email is present")
        "example ex1 {\n"
        "  id = \"x\"\n"
        "  visit.purpose = holiday\n"
        "  nosuch = 1\n"
        "  received = 5\n"
        "  history = [{year = 2020, okk = true}]\n"
        "}\n"
        "test \"t\" {\n"
        "  like ex2\n"
        "  expect CXDR\n"
        "}\n");
    assert_false(F.ok);
    error_is(0, 24, 19,
             "'visit.purpose' is one of [tourism, business, family]; 'holiday' is not a member",
             NULL);
    error_is(1, 25, 3, "unknown field 'nosuch'", NULL);
    error_is(2, 26, 14, "'received' is a date; this value is not", NULL);
    error_is(3, 27, 28, "elements of 'history' have no field 'okk'", "did you mean 'ok'?");
    error_is(4, 30, 8, "unknown example 'ex2'", "did you mean 'ex1'?");
    assert_int_equal(F.d.n, 5);
    done();
}

static void t_several_errors(void **state)
{
    (void)state;
    run(BASE "single S-1 complex \"t\" { when visit.lenght_days > 90 }\n"
             "single S-2 complex \"t\" { when route = c }\n"
             "single S-3 complex \"t\" { when 1 and route = a }\n");
    assert_false(F.ok);
    assert_int_equal(F.d.errors, 3);
    error_is(0, 21, 31, "unknown field 'visit.lenght_days'", NULL);
    error_is(1, 22, 39, "'route' is one of [a, b]; 'c' is not a member", NULL);
    error_is(2, 23, 31, "'and' needs bool operands, got integer", NULL);
    done();
}

static void t_duplicate_examples(void **state)
{
    (void)state;
    run(RULE("email is present")
        "example e1 {\n  id = \"a\"\n}\n"
        "example e1 {\n  id = \"b\"\n}\n"
        "test \"t1\" {\n  like e1\n  expect CXDR [S-2]\n}\n"
        "test \"t1\" {\n  like e1\n  expect CXDR [S-1]\n}\n");
    assert_false(F.ok);
    diag_is(0, CARS_SEV_NOTE, 22, 9, "the first definition of e1", NULL);
    error_is(1, 25, 9, "'e1' is already defined (as an example)", NULL);
    diag_is(2, CARS_SEV_NOTE, 28, 6, "the first definition of t1", NULL);
    error_is(3, 30, 16, "unknown rule 'S-2'", "did you mean 'S-1'?");
    error_is(4, 32, 6, "'t1' is already defined (as a test)", NULL);
    assert_int_equal(F.d.n, 5);
    done();
}

/* A name that is both a member of the compared enumeration and a field is
 * read as the member. */
static void t_member_over_field(void **state)
{
    (void)state;
    run("schema {\n  id: string required\n  received: date required reference\n"
        "  b: bool optional\n  kind: one of [a, b] required\n}\n"
        "single S-1 complex \"t\" { when kind = b and b }\n"
        "routing {\n  complex singles -> CXDR\n  otherwise -> NCXDR\n}\n");
    assert_true(F.ok);
    const cars_expr *eq = F.ast->rules[0]->when->a;
    assert_int_equal(eq->b->ref_kind, CARS_REF_MEMBER);
    assert_int_equal(eq->b->ival, 1);
    assert_int_equal(F.ast->rules[0]->when->b->ref_kind, CARS_REF_FIELD);
    done();
}

static void t_protected_and_let_types(void **state)
{
    (void)state;
    run("schema {\n  id: string required\n  received: date required reference\n"
        "  nat: string required protected nationality\n"
        "  l: list of {\n    y: integer required\n  } optional\n}\n"
        "let s = l\n"
        "single S-1 complex \"t\" { when count(x in l) > 1 }\n"
        "routing {\n  complex singles -> CXDR\n  otherwise -> NCXDR\n}\n");
    assert_false(F.ok);
    error_is(0, 4, 3, "'protected nationality' needs a country field", NULL);
    diag_is(1, CARS_SEV_WARNING, 9, 5, "definition 's' is never used", "remove it");
    error_is(2, 9, 9, "a definition must be a value, not a list", NULL);
    assert_int_equal(F.d.n, 3);
    done();
}

static void t_no_routing(void **state)
{
    (void)state;
    run("schema {\n  id: string required\n  received: date required reference\n}\n");
    assert_false(F.ok);
    assert_int_equal(F.d.n, 1);
    assert_false(F.d.items[0].has_span);
    assert_string_equal(F.d.items[0].message, "the ruleset has no routing block");
    done();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_clean),
        cmocka_unit_test(t_unknown_field),
        cmocka_unit_test(t_not_member),
        cmocka_unit_test(t_member_hint),
        cmocka_unit_test(t_compare_types),
        cmocka_unit_test(t_and_needs_bool),
        cmocka_unit_test(t_year_arity),
        cmocka_unit_test(t_years_between_type),
        cmocka_unit_test(t_unknown_function),
        cmocka_unit_test(t_days_integer),
        cmocka_unit_test(t_date_plus_integer),
        cmocka_unit_test(t_quant_not_list),
        cmocka_unit_test(t_quant_nested),
        cmocka_unit_test(t_elem_unknown),
        cmocka_unit_test(t_within_integer),
        cmocka_unit_test(t_within_reference),
        cmocka_unit_test(t_within_reference_use),
        cmocka_unit_test(t_string_ops),
        cmocka_unit_test(t_in_member_type),
        cmocka_unit_test(t_in_bad_type),
        cmocka_unit_test(t_present_field),
        cmocka_unit_test(t_country_code),
        cmocka_unit_test(t_unknown_set),
        cmocka_unit_test(t_table_arity),
        cmocka_unit_test(t_table_key_type),
        cmocka_unit_test(t_table_country_key),
        cmocka_unit_test(t_table_unused),
        cmocka_unit_test(t_schema_checks),
        cmocka_unit_test(t_duplicate_rule),
        cmocka_unit_test(t_unused_and_cycle),
        cmocka_unit_test(t_unused_let),
        cmocka_unit_test(t_threshold_unreachable),
        cmocka_unit_test(t_routing),
        cmocka_unit_test(t_last_stage),
        cmocka_unit_test(t_lawful_basis),
        cmocka_unit_test(t_contract_and_proxies),
        cmocka_unit_test(t_profile_meta),
        cmocka_unit_test(t_review_due),
        cmocka_unit_test(t_examples),
        cmocka_unit_test(t_several_errors),
        cmocka_unit_test(t_duplicate_examples),
        cmocka_unit_test(t_member_over_field),
        cmocka_unit_test(t_protected_and_let_types),
        cmocka_unit_test(t_no_routing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

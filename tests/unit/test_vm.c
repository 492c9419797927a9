/* test_vm.c - VM semantics end to end: a hand-built program (testprog.h) is
 * written with cars_bundle_write, loaded back, and records are routed
 * through the reader, the VM and the output writer. Also: Kleene logic,
 * absent data, dates and 29 February ages, lookups with normalisation,
 * thresholds, and the isolation property (any order, any thread count). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "alloc.h"
#include "date.h"
#include "bundle_write.h"
#include "loader.h"
#include "opcodes.h"
#include "output.h"
#include "reader.h"
#include "route.h"
#include "testprog.h"
#include "vm.h"

typedef struct env {
    tp t;
    uint8_t *bytes;
    cars_program p;
    cars_reader *r;
    cars_vm *vm;
    cars_buf out;
} env;

/* The standard program as bundle format `version` has it: from version 3
 * the contact fields carry their kinds (email, phone); before, no field has
 * a kind and the tables are hashed by that version's rules, as the carsc of
 * the day wrote them. */
static env *open_env(uint16_t version)
{
    env *e = calloc(1, sizeof *e);
    assert_non_null(e);
    tp_standard(&e->t);
    e->t.p.version = version; /* the meta of versions 1 to 3 has no test results */
    if (version < CARS_BUNDLE_VERSION_KINDS) {
        e->t.p.version = version;
        e->t.fields[F_EMAIL].kind = e->t.fields[F_PHONE].kind = CARS_FK_PLAIN;
        e->t.p.ntables = 0;
        tp_table(&e->t, TP_S("false_documents"), 2, CARS_KEY_COUNTRY, CARS_KEY_DOCUMENT, tp_std_docs, 2);
        tp_table(&e->t, TP_S("false_contacts"), 1, CARS_KEY_CONTACT, 0, tp_std_contacts, 2);
    }
    size_t len;
    assert_true(cars_bundle_write(&e->t.p, &e->bytes, &len));
    cars_wr16(e->bytes + 8, version);
    if (version == 1) /* 22 sections: no stage indexes (the standard program has none) */
        tp_relabel_v1(e->bytes, len, true);
    char err[600];
    int rc = cars_bundle_load(e->bytes, len, &e->p, err, sizeof err);
    if (rc)
        fprintf(stderr, "load: %s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(e->p.version, version);
    e->r = cars_reader_new(&e->p);
    e->vm = cars_vm_new(&e->p);
    assert_non_null(e->r);
    assert_non_null(e->vm);
    return e;
}

static void close_env(env *e)
{
    cars_reader_free(e->r);
    cars_vm_free(e->vm);
    cars_buf_free(&e->out);
    cars_program_free(&e->p);
    cars_free(e->bytes);
    free(e);
}

static int setup(void **state)
{
    *state = open_env(CARS_BUNDLE_VERSION);
    return 0;
}

static int teardown(void **state)
{
    close_env(*state);
    return 0;
}

/* Routes one line; returns the output line (without its newline). */
static const char *route(env *e, const char *json)
{
    e->out.len = 0;
    if (!cars_reader_parse(e->r, json, strlen(json))) {
        const cars_record *rec = cars_reader_record(e->r);
        cars_output_error(&e->out, &e->p, rec->has_id ? &rec->id : NULL, cars_reader_error(e->r), 1);
    } else {
        cars_result res;
        char err[200];
        assert_int_equal(cars_vm_route(e->vm, cars_reader_record(e->r), &res, err, sizeof err), 0);
        cars_output_result(&e->out, &e->p, &cars_reader_record(e->r)->id, &res);
        /* the router's line, from the release's text made once, is the same */
        cars_outtext *t = cars_outtext_new(&e->p);
        assert_non_null(t);
        cars_buf routed = {0};
        cars_output_routed(&routed, t, &cars_reader_record(e->r)->id, &res);
        assert_int_equal(routed.len, e->out.len);
        assert_memory_equal(routed.p, e->out.p, e->out.len);
        cars_buf_free(&routed);
        cars_outtext_free(t);
    }
    cars_buf_put(&e->out, "", 1);
    e->out.p[e->out.len - 2] = '\0'; /* drop the newline */
    return e->out.p;
}

/* A valid base record; `extra` is spliced in before the closing brace. */
static const char *rec(const char *extra)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "{\"id\":\"T-1\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\","
             "\"applicant\":{\"date_of_birth\":\"1980-05-05\",\"nationality\":\"USA\","
             "\"passport\":{\"number\":\"x1\",\"issuing_country\":\"GBR\"}},"
             "\"criminality\":{\"war_crimes\":false}%s}",
             extra);
    return buf;
}

/* The value of rule `id` for a record: -1 unknown, 0 false, 1 true. */
static int rule_value(env *e, const char *json, const char *id)
{
    assert_true(cars_reader_parse(e->r, json, strlen(json)));
    for (uint32_t i = 0; i < e->p.nrules; i++)
        if (e->p.rules[i].id.len == strlen(id) && memcmp(e->p.rules[i].id.p, id, strlen(id)) == 0)
            return cars_vm_eval_rule(e->vm, cars_reader_record(e->r), i);
    fail_msg("no rule %s", id);
    return -2;
}

static void test_none(void **state)
{
    env *e = *state;
    char extra[] = "";
    (void)extra;
    const char *j = "{\"id\":\"T-2\",\"received\":\"2026-11-01\",\"route\":\"overseas_domestic_worker\","
                    "\"applicant\":{\"date_of_birth\":\"1980-05-05\",\"nationality\":\"USA\","
                    "\"passport\":{\"number\":\"x1\",\"issuing_country\":\"GBR\"}},\"criminality\":{\"war_crimes\":true}}";
    assert_string_equal(route(e, j),
                        "{\"id\":\"T-2\",\"outcome\":\"NONE\",\"rules\":[\"SCOPE-1\"],\"explanation\":\"No complexity "
                        "rating: not considered under Appendix V (SCOPE-1).\",\"release\":\"2026-W47\"}");
}

static void test_cxdr_two_rules(void **state)
{
    env *e = *state;
    assert_string_equal(
        route(e, "{\"id\":\"T-3\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\",\"applicant\":{"
                 "\"date_of_birth\":\"1980-05-05\",\"nationality\":\"USA\",\"passport\":{\"number\":\"x1\","
                 "\"issuing_country\":\"GBR\"}},\"criminality\":{\"war_crimes\":true},\"visit\":{\"length_days\":91}}"),
        "{\"id\":\"T-3\",\"outcome\":\"CXDR\",\"rules\":[\"S-CX-1\",\"S-CX-2\"],\"explanation\":\"Complex (CXDR): "
        "answered yes to a criminality question (S-CX-1); a visit longer than 90 days (S-CX-2).\",\"release\":\"2026-W47\"}");
}

static void test_ncxdr(void **state)
{
    env *e = *state;
    assert_string_equal(route(e, rec(",\"travel_history\":[{\"country\":\"FRA\",\"year\":2020,\"complied\":true},"
                                     "{\"country\":\"DEU\",\"year\":2021,\"complied\":true}]")),
                        "{\"id\":\"T-1\",\"outcome\":\"NCXDR\",\"rules\":[\"S-NCX-1\"],\"explanation\":\"Non-complex "
                        "(NCXDR): compliant travel history (S-NCX-1).\",\"release\":\"2026-W47\"}");
    /* one element not complied: ALL is false */
    assert_int_equal(rule_value(e, rec(",\"travel_history\":[{\"country\":\"FRA\",\"year\":2020,\"complied\":true},"
                                       "{\"country\":\"DEU\",\"year\":2021,\"complied\":false}]"),
                                "S-NCX-1"),
                     0);
    /* absent list: the quantifiers are unknown, so the rule does not match */
    assert_int_equal(rule_value(e, rec(""), "S-NCX-1"), -1);
    assert_int_equal(rule_value(e, rec(",\"travel_history\":null"), "S-NCX-1"), -1);
    /* an empty list: count 0 < 2 is known false */
    assert_int_equal(rule_value(e, rec(",\"travel_history\":[]"), "S-NCX-1"), 0);
}

static void test_threshold(void **state)
{
    env *e = *state;
    /* M-A1 (USA, complied, 2024 >= 2021), M-A2, M-B2: 3 matched, 2 in tier A */
    assert_string_equal(
        route(e, rec(",\"travel_history\":[{\"country\":\"USA\",\"year\":2024,\"complied\":true}],"
                     "\"finances\":{\"owns_property\":true},\"visit\":{\"cost_gbp\":999.5}")),
        "{\"id\":\"T-1\",\"outcome\":\"NCXPCA\",\"rules\":[\"M-A1\",\"M-A2\",\"M-B2\"],\"explanation\":\"Non-complex "
        "(NCXPCA): 3 multiple PCAs matched, 2 in Tier A (needs at least 3, at least 1 in Tier A): complied travel to "
        "a listed country in the last 5 years (M-A1); owns property (M-A2); a visit costing under 1000 pounds "
        "(M-B2).\",\"release\":\"2026-W47\"}");
    /* only tier B: 2 matched, 0 in tier A */
    assert_string_equal(route(e, "{\"id\":\"T-4\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\","
                                 "\"applicant\":{\"date_of_birth\":\"2000-02-29\",\"nationality\":\"USA\",\"passport\":{"
                                 "\"number\":\"x1\",\"issuing_country\":\"GBR\"}},\"criminality\":{\"war_crimes\":false},"
                                 "\"visit\":{\"cost_gbp\":10}}"),
                        "{\"id\":\"T-4\",\"outcome\":\"CXPCA\",\"rules\":[\"M-B1\",\"M-B2\"],\"explanation\":\"Complex "
                        "(CXPCA): 2 multiple PCAs matched, 0 in Tier A (needs at least 3, at least 1 in Tier A): aged 18 "
                        "to 29 (M-B1); a visit costing under 1000 pounds (M-B2).\",\"release\":\"2026-W47\"}");
    assert_string_equal(route(e, rec("")),
                        "{\"id\":\"T-1\",\"outcome\":\"CXPCA\",\"rules\":[],\"explanation\":\"Complex (CXPCA): 0 multiple "
                        "PCAs matched, 0 in Tier A (needs at least 3, at least 1 in Tier A).\",\"release\":\"2026-W47\"}");
    /* three in tier B only would not do: at least 1 in tier A is needed (here 1 match only, so CXPCA) */
    assert_true(strstr(route(e, rec(",\"finances\":{\"owns_property\":true}")),
                       "\"CXPCA\",\"rules\":[\"M-A2\"]") != NULL);
}

static void test_leap_day_ages(void **state)
{
    env *e = *state;
    char j[1024];
    /* born 29 Feb 2008: 18 on 1 Mar 2026 (not a leap year), not on 28 Feb */
    const char *fmt = "{\"id\":\"A\",\"received\":\"%s\",\"route\":\"standard_visitor\",\"applicant\":{"
                      "\"date_of_birth\":\"2008-02-29\",\"nationality\":\"USA\",\"passport\":{\"number\":\"x\","
                      "\"issuing_country\":\"GBR\"}},\"criminality\":{\"war_crimes\":false}}";
    snprintf(j, sizeof j, fmt, "2026-02-28");
    assert_int_equal(rule_value(e, j, "M-B1"), 0);
    snprintf(j, sizeof j, fmt, "2026-03-01");
    assert_int_equal(rule_value(e, j, "M-B1"), 1);
    /* in a leap year, 29 Feb itself */
    snprintf(j, sizeof j, "{\"id\":\"A\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\",\"applicant\":{"
                          "\"date_of_birth\":\"1996-11-02\",\"nationality\":\"USA\",\"passport\":{\"number\":\"x\","
                          "\"issuing_country\":\"GBR\"}},\"criminality\":{\"war_crimes\":false}}");
    assert_int_equal(rule_value(e, j, "M-B1"), 1); /* 29 the day before the 30th birthday */
    assert_int_equal(cars_years_between(cars_date_make(2004, 2, 29), cars_date_make(2028, 2, 29)), 24);
    assert_int_equal(cars_years_between(cars_date_make(2004, 2, 29), cars_date_make(2027, 2, 28)), 22);
    assert_int_equal(cars_years_between(cars_date_make(2004, 2, 29), cars_date_make(2027, 3, 1)), 23);
}

/* The VM keeps a record's last age and year (YEARS_BETWEEN, YEAR) while
 * the record runs; none may reach the next record. Records that differ
 * only in the date of birth, only in the date received, or in a year of
 * travel, one after the other on one VM, give what each gives on a fresh
 * VM, in routing and in cars_vm_eval_rule alike. */
static void test_dates_per_record(void **state)
{
    env *e = *state;
    static const char *const when[][3] = {
        /* date of birth, received, year of travel: M-B1 (18 to 29), M-A1 (travel in the last 5 years) */
        {"2008-02-29", "2026-02-28", "2021"}, {"2008-02-29", "2026-03-01", "2021"}, {"1996-11-02", "2026-11-01", "2021"},
        {"1996-11-02", "2026-11-02", "2020"}, {"2008-02-29", "2026-02-28", "2021"}, {"1996-11-02", "2027-01-01", "2022"},
        {"1996-11-02", "2027-01-01", "2021"}, {"1996-11-02", "2026-11-01", "2021"},
    };
    enum { N = sizeof when / sizeof *when };
    char lines[N][1024], alone[N][2048];
    for (int i = 0; i < N; i++) {
        snprintf(lines[i], sizeof lines[i],
                 "{\"id\":\"D-%d\",\"received\":\"%s\",\"route\":\"standard_visitor\",\"applicant\":{"
                 "\"date_of_birth\":\"%s\",\"nationality\":\"USA\",\"passport\":{\"number\":\"x\","
                 "\"issuing_country\":\"GBR\"}},\"criminality\":{\"war_crimes\":false},\"travel_history\":["
                 "{\"country\":\"USA\",\"year\":%s,\"complied\":true}]}",
                 i, when[i][1], when[i][0], when[i][2]);
        cars_vm *keep = e->vm;
        e->vm = cars_vm_new(&e->p); /* a fresh VM for each record alone */
        assert_non_null(e->vm);
        snprintf(alone[i], sizeof alone[i], "%s", route(e, lines[i]));
        cars_vm_free(e->vm);
        e->vm = keep;
    }
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < N; i++)
            assert_string_equal(route(e, lines[round ? N - 1 - i : i]), alone[round ? N - 1 - i : i]);
    /* what the ages are: the answers above are not all alike */
    assert_int_equal(rule_value(e, lines[0], "M-B1"), 0);
    assert_int_equal(rule_value(e, lines[1], "M-B1"), 1);
    assert_int_equal(rule_value(e, lines[0], "M-B1"), 0);
    assert_int_equal(rule_value(e, lines[2], "M-B1"), 1);
    assert_int_equal(rule_value(e, lines[3], "M-B1"), 0);
    assert_int_equal(rule_value(e, lines[3], "M-A1"), 0); /* 2020 < 2026 - 5 */
    assert_int_equal(rule_value(e, lines[2], "M-A1"), 1);
    assert_int_equal(rule_value(e, lines[6], "M-A1"), 0); /* 2021 < 2027 - 5 */
    assert_int_equal(rule_value(e, lines[5], "M-A1"), 1);
}

static void test_lookups(void **state)
{
    env *e = *state;
    char j[1024];
    const char *fmt = "{\"id\":\"L\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\",\"applicant\":{"
                      "\"date_of_birth\":\"1980-01-01\",\"nationality\":\"USA\",\"passport\":{\"number\":\"%s\","
                      "\"issuing_country\":\"%s\"}},\"criminality\":{\"war_crimes\":false}%s}";
    snprintf(j, sizeof j, fmt, "ab12345", "GBR", "");
    assert_int_equal(rule_value(e, j, "BDT-DOC"), 1);
    snprintf(j, sizeof j, fmt, "A-B 1 2-3 4 5", "GBR", "");
    assert_int_equal(rule_value(e, j, "BDT-DOC"), 1);
    snprintf(j, sizeof j, fmt, "AB12345", "USA", ""); /* the other column must match too */
    assert_int_equal(rule_value(e, j, "BDT-DOC"), 0);
    snprintf(j, sizeof j, fmt, "ZZ-999", "USA", "");
    assert_int_equal(rule_value(e, j, "BDT-DOC"), 1);
    /* contacts: e-mail trimmed and lower-cased; phone digits with the + */
    snprintf(j, sizeof j, fmt, "x", "GBR", ",\"contact\":{\"email\":\"  FRAUD@example.COM \"}");
    assert_int_equal(rule_value(e, j, "BDT-CON"), 1);
    snprintf(j, sizeof j, fmt, "x", "GBR", ",\"contact\":{\"phone\":\"+44 20 7946-0000\"}");
    assert_int_equal(rule_value(e, j, "BDT-CON"), 1);
    snprintf(j, sizeof j, fmt, "x", "GBR", ",\"contact\":{\"phone\":\"44 20 7946 0000\"}");
    assert_int_equal(rule_value(e, j, "BDT-CON"), -1); /* false or unknown (no e-mail) */
    snprintf(j, sizeof j, fmt, "x", "GBR", ",\"contact\":{\"email\":\"a@b.c\",\"phone\":\"1\"}");
    assert_int_equal(rule_value(e, j, "BDT-CON"), 0);
    snprintf(j, sizeof j, fmt, "x", "GBR", ",\"contact\":{\"email\":\"a@b.c\",\"phone\":\"+44 20 7946 0000\"}");
    assert_int_equal(rule_value(e, j, "BDT-CON"), 1);
    assert_string_equal(strstr(route(e, j), "\"outcome\""),
                        "\"outcome\":\"CXDR\",\"rules\":[\"BDT-CON\"],\"explanation\":\"Complex (CXDR): contact details "
                        "found in the table of false contacts (BDT-CON).\",\"release\":\"2026-W47\"}");
}

/* The same lookups through a format version 3 release and a version 2 one:
 * version 3 normalises a contact field by its kind and trims Unicode
 * blanks; version 2 keeps its rules (contact by value, ASCII trim), so an
 * old release routes as it always did. BDT-CON is lookup(email) or
 * lookup(phone): with only a phone given, a miss is unknown (-1). */
static void test_lookup_versions(void **state)
{
    (void)state;
    env *v3 = open_env(3), *v2 = open_env(2), *v1 = open_env(1);
    static const struct { const char *extra, *rule; int v3, v2; } cases[] = {
        {",\"contact\":{\"phone\":\"+44 20 7946 0000 @\"}", "BDT-CON", 1, -1},
        {",\"contact\":{\"phone\":\"\\u00a0+44 20 7946 0000\"}", "BDT-CON", 1, -1},
        {",\"contact\":{\"phone\":\"\\u200e+44 20 7946 0000\\u2029\"}", "BDT-CON", 1, -1},
        {",\"contact\":{\"phone\":\"\\t+44 20 7946 0000\\n\"}", "BDT-CON", 1, 1},
        {",\"contact\":{\"email\":\"\\u00a0Fraud@Example.com\\ufeff\"}", "BDT-CON", 1, -1},
        {",\"contact\":{\"email\":\" Fraud@Example.com \"}", "BDT-CON", 1, 1},
        {",\"contact\":{\"email\":\"+44 20 7946 0000\"}", "BDT-CON", -1, 1}, /* v2: a phone, by value */
        {",\"contact\":{\"phone\":\"Fraud@Example.com\"}", "BDT-CON", -1, 1}, /* v2: an email, by value */
    };
    char j[4096];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(j, sizeof j, "%s", rec(cases[i].extra));
        assert_int_equal(rule_value(v3, j, cases[i].rule), cases[i].v3);
        assert_int_equal(rule_value(v2, j, cases[i].rule), cases[i].v2);
        assert_int_equal(rule_value(v1, j, cases[i].rule), cases[i].v2);
    }
    /* documents: version 3 removes every blank and dash */
    const char *doc = "{\"id\":\"L\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\",\"applicant\":{"
                      "\"date_of_birth\":\"1980-01-01\",\"nationality\":\"USA\",\"passport\":{\"number\":\"%s\","
                      "\"issuing_country\":\"GBR\"}},\"criminality\":{\"war_crimes\":false}}";
    static const struct { const char *number; int v3, v2; } docs[] = {
        {"ab 12-345", 1, 1}, {"AB\\u00a012\\u2013345", 1, 0}, {"\\u3000AB12345", 1, 0}, {"AB\\t12345", 1, 0},
        {"AB\\uff0d12345", 1, 0}, {"\\uff21B12345", 0, 0}, /* a fullwidth A is not an A */
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        snprintf(j, sizeof j, doc, docs[i].number);
        assert_int_equal(rule_value(v3, j, "BDT-DOC"), docs[i].v3);
        assert_int_equal(rule_value(v2, j, "BDT-DOC"), docs[i].v2);
        assert_int_equal(rule_value(v1, j, "BDT-DOC"), docs[i].v2);
    }
    close_env(v1);
    close_env(v2);
    close_env(v3);
}

static void test_kleene(void **state)
{
    env *e = *state;
    /* S-NCX-1 = count >= 2 (jump if false) and all(complied): false short-circuits */
    assert_int_equal(rule_value(e, rec(",\"travel_history\":[{\"country\":\"FRA\",\"year\":2020,\"complied\":false}]"),
                                "S-NCX-1"),
                     0);
    /* BDT-CON = lookup(email) or lookup(phone): unknown or false = unknown; unknown or true = true */
    assert_int_equal(rule_value(e, rec(",\"contact\":{\"phone\":\"0\"}"), "BDT-CON"), -1);
    assert_int_equal(rule_value(e, rec(",\"contact\":{\"phone\":\"+442079460000\"}"), "BDT-CON"), 1);
    /* comparisons on absent fields are unknown */
    assert_int_equal(rule_value(e, rec(""), "S-CX-2"), -1);
    assert_int_equal(rule_value(e, rec(",\"visit\":{\"length_days\":null}"), "S-CX-2"), -1);
    assert_int_equal(rule_value(e, rec(",\"visit\":{\"length_days\":90}"), "S-CX-2"), 0);
    assert_int_equal(rule_value(e, rec(",\"visit\":{\"cost_gbp\":1000}"), "M-B2"), 0);
    assert_int_equal(rule_value(e, rec(",\"visit\":{\"cost_gbp\":999.99}"), "M-B2"), 1);
}

static void test_isolation(void **state)
{
    env *e = *state;
    static const char *lines[] = {
        "{\"id\":\"I-1\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\",\"applicant\":{\"date_of_birth\":"
        "\"1980-05-05\",\"nationality\":\"USA\",\"passport\":{\"number\":\"x1\",\"issuing_country\":\"GBR\"}},"
        "\"criminality\":{\"war_crimes\":false},\"travel_history\":[{\"country\":\"USA\",\"year\":2024,\"complied\":true}],"
        "\"finances\":{\"owns_property\":true},\"visit\":{\"cost_gbp\":1}}",
        "{\"id\":\"I-2\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\",\"applicant\":{\"date_of_birth\":"
        "\"1980-05-05\",\"nationality\":\"USA\",\"passport\":{\"number\":\"x1\",\"issuing_country\":\"GBR\"}},"
        "\"criminality\":{\"war_crimes\":false}}",
        "{\"id\":\"I-3\",\"route\":\"nope\"}",
        "not json",
        "{\"id\":\"I-5\",\"received\":\"2026-11-01\",\"route\":\"overseas_domestic_worker\",\"applicant\":{"
        "\"date_of_birth\":\"1980-05-05\",\"nationality\":\"USA\",\"passport\":{\"number\":\"x1\",\"issuing_country\":"
        "\"GBR\"}},\"criminality\":{\"war_crimes\":false}}",
        "{\"id\":\"I-6\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\",\"applicant\":{\"date_of_birth\":"
        "\"2000-05-05\",\"nationality\":\"USA\",\"passport\":{\"number\":\"AB12345\",\"issuing_country\":\"GBR\"}},"
        "\"criminality\":{\"war_crimes\":true},\"travel_history\":[{\"country\":\"FRA\",\"year\":2020,\"complied\":true},"
        "{\"country\":\"FRA\",\"year\":2021,\"complied\":true}]}",
    };
    enum { N = sizeof lines / sizeof *lines };
    /* each alone */
    char alone[N][1024];
    for (int i = 0; i < N; i++) {
        snprintf(alone[i], sizeof alone[i], "%s", route(e, lines[i]));
        char *p = strstr(alone[i], ",\"line\":");
        if (p)
            *p = '\0'; /* line numbers differ by position */
    }
    static const int orders[4][N] = {{0, 1, 2, 3, 4, 5}, {5, 4, 3, 2, 1, 0}, {3, 0, 5, 1, 4, 2}, {2, 2, 5, 5, 0, 0}};
    for (int o = 0; o < 4; o++)
        for (int threads = 1; threads <= 4; threads *= 2) {
            char in[8192] = "";
            for (int i = 0; i < N; i++) {
                strcat(in, lines[orders[o][i]]);
                strcat(in, i % 2 ? "\n\n" : "\n"); /* blank lines are skipped */
            }
            FILE *fi = fmemopen(in, strlen(in), "r");
            char *outp = NULL;
            size_t outn = 0;
            FILE *fo = open_memstream(&outp, &outn);
            char err[200];
            int rc = cars_route_stream(&e->p, fi, fo, threads, NULL, err, sizeof err);
            fclose(fi);
            fclose(fo);
            assert_int_equal(rc, 3);
            char *save, *ln = strtok_r(outp, "\n", &save);
            for (int i = 0; i < N; i++, ln = strtok_r(NULL, "\n", &save)) {
                assert_non_null(ln);
                char *p = strstr(ln, ",\"line\":");
                if (p)
                    *p = '\0';
                assert_string_equal(ln, alone[orders[o][i]]);
            }
            assert_null(ln);
            free(outp);
        }
}

static const char *esc(const char *s, size_t n)
{
    static cars_buf b;
    b.len = 0;
    cars_json_string(&b, s, n);
    cars_buf_put(&b, "", 1);
    return b.p;
}

static void test_json_escaping(void **state)
{
    (void)state;
    assert_string_equal(esc("plain", 5), "\"plain\"");
    assert_string_equal(esc("a\"b\\c", 5), "\"a\\\"b\\\\c\"");
    assert_string_equal(esc("\n\r\t\b\f\x01\x1f", 7), "\"\\n\\r\\t\\b\\f\\u0001\\u001f\"");
    assert_string_equal(esc("\0x", 2), "\"\\u0000x\"");
    assert_string_equal(esc("/\x7f", 2), "\"/\x7f\""); /* DEL and / need no escape */
    /* valid UTF-8 is kept as is; invalid bytes become U+FFFD */
    assert_string_equal(esc("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9), "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
    assert_string_equal(esc("a\xff" "b", 3), "\"a\xef\xbf\xbd" "b\"");
    assert_string_equal(esc("\xc3", 1), "\"\xef\xbf\xbd\"");                 /* cut short */
    assert_string_equal(esc("\xc0\x80", 2), "\"\xef\xbf\xbd\xef\xbf\xbd\"");  /* overlong */
    assert_string_equal(esc("\xed\xa0\x80", 3), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""); /* surrogate */
}

/* A rule id or title needing escapes is escaped in the rules list and the
 * explanation (the loader marks plain ones, written without escaping). */
static void test_title_escaping(void **state)
{
    (void)state;
    tp t;
    tp_standard(&t);
    t.rules[3].title = TP_S("a \"war\" crime \\ caf\xc3\xa9");
    t.rules[3].id = TP_S("S-CX-\"1");
    t.rules[4].title = TP_S("tab\there"); /* each byte that is not plain, alone */
    t.rules[5].title = TP_S("back\\slash");
    t.rules[6].title = TP_S("del\x7f");
    for (int k = 3; k <= 6; k++)
        t.rules[k].says = t.rules[k].title; /* the explanation's text (format version 5) */
    t.tiers[0] = TP_S("A \"1\"");
    uint8_t *bytes;
    size_t len;
    assert_true(cars_bundle_write(&t.p, &bytes, &len));
    cars_program p;
    char err[300];
    assert_int_equal(cars_bundle_load(bytes, len, &p, err, sizeof err), 0);
    assert_false(p.rules[3].plain);
    assert_false(p.rules[4].plain);
    assert_false(p.rules[5].plain);
    assert_false(p.rules[6].plain);
    assert_true(p.rules[7].plain);
    cars_reader *r = cars_reader_new(&p);
    cars_vm *vm = cars_vm_new(&p);
    const char *j = "{\"id\":\"T-9\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\",\"applicant\":{"
                    "\"date_of_birth\":\"1980-05-05\",\"nationality\":\"USA\",\"passport\":{\"number\":\"x1\","
                    "\"issuing_country\":\"GBR\"}},\"criminality\":{\"war_crimes\":true},\"visit\":{\"length_days\":91}}";
    assert_true(cars_reader_parse(r, j, strlen(j)));
    cars_result res;
    assert_int_equal(cars_vm_route(vm, cars_reader_record(r), &res, err, sizeof err), 0);
    cars_buf out = {0};
    cars_output_result(&out, &p, &cars_reader_record(r)->id, &res);
    cars_buf_put(&out, "", 1);
    assert_string_equal(out.p, "{\"id\":\"T-9\",\"outcome\":\"CXDR\",\"rules\":[\"S-CX-\\\"1\",\"S-CX-2\"],"
                               "\"explanation\":\"Complex (CXDR): a \\\"war\\\" crime \\\\ caf\xc3\xa9 (S-CX-\\\"1); tab\\there "
                               "(S-CX-2).\",\"release\":\"2026-W47\"}\n");
    /* the same from the release's text made once */
    cars_outtext *text = cars_outtext_new(&p);
    assert_non_null(text);
    cars_buf routed = {0};
    cars_output_routed(&routed, text, &cars_reader_record(r)->id, &res);
    cars_buf_put(&routed, "", 1);
    assert_string_equal(routed.p, out.p);
    /* a threshold's explanation names the tiers, escaped */
    const char *j2 = "{\"id\":\"T-10\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\",\"applicant\":{"
                     "\"date_of_birth\":\"1980-05-05\",\"nationality\":\"USA\",\"passport\":{\"number\":\"x1\","
                     "\"issuing_country\":\"GBR\"}},\"criminality\":{\"war_crimes\":false},"
                     "\"finances\":{\"owns_property\":true}}";
    assert_true(cars_reader_parse(r, j2, strlen(j2)));
    assert_int_equal(cars_vm_route(vm, cars_reader_record(r), &res, err, sizeof err), 0);
    out.len = routed.len = 0;
    cars_output_result(&out, &p, &cars_reader_record(r)->id, &res);
    cars_buf_put(&out, "", 1);
    cars_output_routed(&routed, text, &cars_reader_record(r)->id, &res);
    cars_buf_put(&routed, "", 1);
    assert_non_null(strstr(out.p, "1 multiple PCA matched, 1 in Tier A \\\"1\\\" (needs at least 3, at least 1 in "
                                  "Tier A \\\"1\\\")"));
    assert_string_equal(routed.p, out.p);
    /* an id that escapes to six times its length, into buffers of every start */
    char j3[4096];
    int at = snprintf(j3, sizeof j3, "{\"id\":\"");
    for (int k = 0; k < 300; k++)
        at += snprintf(j3 + at, sizeof j3 - (size_t)at, "\\u0001");
    snprintf(j3 + at, sizeof j3 - (size_t)at, "\"%s", strchr(j2, ','));
    if (!cars_reader_parse(r, j3, strlen(j3)))
        fail_msg("%s", cars_reader_error(r));
    assert_int_equal(cars_vm_route(vm, cars_reader_record(r), &res, err, sizeof err), 0);
    out.len = 0;
    cars_output_result(&out, &p, &cars_reader_record(r)->id, &res);
    for (size_t pre = 0; pre < 40; pre++) {
        cars_buf fresh = {0};
        cars_buf_reserve(&fresh, pre);
        cars_output_routed(&fresh, text, &cars_reader_record(r)->id, &res);
        assert_int_equal(fresh.len, pre + out.len);
        assert_memory_equal(fresh.p + pre, out.p, out.len);
        cars_buf_free(&fresh);
    }
    cars_buf_free(&routed);
    cars_outtext_free(text);
    cars_buf_free(&out);
    cars_reader_free(r);
    cars_vm_free(vm);
    cars_program_free(&p);
    cars_free(bytes);
}

/* Every prefix of a valid record is handled (refused) without a crash, and
 * the reader recovers on the next line. */
static void test_prefixes(void **state)
{
    env *e = *state;
    const char *full = rec(",\"travel_history\":[{\"country\":\"USA\",\"year\":2024,\"complied\":true}],"
                           "\"contact\":{\"email\":\"a\\u00e9@b\"}");
    char line[4096];
    snprintf(line, sizeof line, "%s", full);
    size_t n = strlen(line);
    for (size_t k = 0; k < n; k++)
        assert_false(cars_reader_parse(e->r, line, k));
    assert_true(cars_reader_parse(e->r, line, n));
}

/* ---- integer and date arithmetic at the int64 limits -------------------- */

/* Runs one rule: the constants `push` (in order), then the instructions
 * `ops`, then `= want`. Returns its value (1: the result was exactly want). */
static int eval_ops(const int64_t *push, int npush, const int *ops, int nops, int64_t want)
{
    tp t;
    tp_init(&t);
    tp_begin(&t, CARS_BK_MAIN, 0);
    t.blocks[0].max_stack = 0;
    tp_op1(&t, CARS_OP_EVAL_STAGE, 0), tp_op(&t, CARS_OP_DECIDE_IF_MATCHED), tp_u8(&t, CARS_OUT_CXDR);
    tp_op(&t, CARS_OP_DECIDE), tp_u8(&t, CARS_OUT_NCXDR);
    tp_end(&t);
    tp_begin(&t, CARS_BK_RULE, 0);
    for (int i = 0; i < npush; i++)
        tp_int(&t, push[i]);
    for (int i = 0; i < nops; i++)
        tp_op(&t, ops[i]);
    tp_int(&t, want), tp_op(&t, CARS_OP_EQ_I), tp_op(&t, CARS_OP_RET);
    tp_rule(&t, TP_S("R-1"), TP_S("r"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(&t));
    tp_stage(&t, 0, 1);
    uint8_t *bytes;
    size_t len;
    assert_true(cars_bundle_write(&t.p, &bytes, &len));
    cars_program p;
    char err[600];
    int rc = cars_bundle_load(bytes, len, &p, err, sizeof err);
    if (rc)
        fail_msg("load: %s", err);
    cars_reader *r = cars_reader_new(&p);
    cars_vm *vm = cars_vm_new(&p);
    assert_non_null(r);
    assert_non_null(vm);
    const char *j = rec("");
    assert_true(cars_reader_parse(r, j, strlen(j)));
    int v = cars_vm_eval_rule(vm, cars_reader_record(r), 0);
    cars_vm_free(vm);
    cars_reader_free(r);
    cars_program_free(&p);
    cars_free(bytes);
    return v;
}

static void bin_is(int op, int64_t a, int64_t b, int64_t want)
{
    const int64_t push[2] = {a, b};
    if (eval_ops(push, 2, &op, 1, want) != 1)
        fail_msg("%s %lld %lld is not %lld", cars_opinfo_table[op].name, (long long)a, (long long)b, (long long)want);
}

static void un_is(int op, int64_t a, int64_t want)
{
    if (eval_ops(&a, 1, &op, 1, want) != 1)
        fail_msg("%s %lld is not %lld", cars_opinfo_table[op].name, (long long)a, (long long)want);
}

/* ADD_I, SUB_I, MUL_I, NEG_I and ADD_DAYS saturate at INT64_MIN and
 * INT64_MAX (exact below them); YEAR and YEARS_BETWEEN are exact for any
 * day count, so nothing wraps and nothing becomes unknown. */
static void test_arith_limits(void **state)
{
    (void)state;
    const int64_t MAX = INT64_MAX, MIN = INT64_MIN;
    bin_is(CARS_OP_ADD_I, 5, 7, 12);
    bin_is(CARS_OP_ADD_I, MAX - 1, 1, MAX);
    bin_is(CARS_OP_ADD_I, MAX, 1, MAX);
    bin_is(CARS_OP_ADD_I, MAX, MAX, MAX);
    bin_is(CARS_OP_ADD_I, MIN, -1, MIN);
    bin_is(CARS_OP_ADD_I, MIN, MIN, MIN);
    bin_is(CARS_OP_ADD_I, MAX, MIN, -1);
    bin_is(CARS_OP_SUB_I, MIN + 1, 1, MIN);
    bin_is(CARS_OP_SUB_I, MIN, 1, MIN);
    bin_is(CARS_OP_SUB_I, MAX, -1, MAX);
    bin_is(CARS_OP_SUB_I, 0, MIN, MAX);
    bin_is(CARS_OP_SUB_I, -1, MIN, MAX);
    bin_is(CARS_OP_SUB_I, -2, MIN, MAX - 1);
    bin_is(CARS_OP_SUB_I, MIN, MAX, MIN);
    bin_is(CARS_OP_SUB_I, 2026, 9223372036854775000, 2026 - 9223372036854775000);
    bin_is(CARS_OP_MUL_I, -6, 7, -42);
    bin_is(CARS_OP_MUL_I, MAX, 2, MAX);
    bin_is(CARS_OP_MUL_I, MAX, -2, MIN);
    bin_is(CARS_OP_MUL_I, MIN, 2, MIN);
    bin_is(CARS_OP_MUL_I, MIN, -1, MAX);
    bin_is(CARS_OP_MUL_I, MAX, -1, -MAX);
    bin_is(CARS_OP_MUL_I, MIN, 1, MIN);
    bin_is(CARS_OP_MUL_I, (int64_t)1 << 32, (int64_t)1 << 31, MAX);
    bin_is(CARS_OP_MUL_I, -((int64_t)1 << 32), (int64_t)1 << 31, MIN);
    bin_is(CARS_OP_MUL_I, 3037000500, 3037000500, MAX);
    bin_is(CARS_OP_MUL_I, 3037000499, 3037000499, 9223372030926249001);
    bin_is(CARS_OP_MUL_I, 0, MIN, 0);
    un_is(CARS_OP_NEG_I, MIN, MAX);
    un_is(CARS_OP_NEG_I, MAX, -MAX);
    un_is(CARS_OP_NEG_I, 0, 0);
    int64_t arrival = cars_date_make(2027, 2, 16), expiry = cars_date_make(2028, 6, 20);
    bin_is(CARS_OP_ADD_DAYS, arrival, 490, expiry);
    bin_is(CARS_OP_ADD_DAYS, arrival, MAX, MAX);
    bin_is(CARS_OP_ADD_DAYS, arrival, MAX - arrival, MAX);
    bin_is(CARS_OP_ADD_DAYS, arrival, MAX - arrival - 1, MAX - 1);
    bin_is(CARS_OP_ADD_DAYS, -arrival, MIN, MIN);
    /* expiry < date + n days: the comparison PRF-003 makes, true for any n > 490 */
    const int64_t push[3] = {expiry, arrival, MAX};
    const int lt[2] = {CARS_OP_ADD_DAYS, CARS_OP_LT_I};
    assert_int_equal(eval_ops(push, 3, lt, 2, 1), 1);
    un_is(CARS_OP_YEAR, 0, 1970);
    un_is(CARS_OP_YEAR, -1, 1969);
    un_is(CARS_OP_YEAR, cars_date_make(9999, 12, 31), 9999);
    un_is(CARS_OP_YEAR, 1000000000, 2739877);
    un_is(CARS_OP_YEAR, MAX, 25252734927768524);
    un_is(CARS_OP_YEAR, MIN, -25252734927764585);
    bin_is(CARS_OP_YEARS_BETWEEN, 0, MAX, 25252734927766554);
    bin_is(CARS_OP_YEARS_BETWEEN, MIN, 0, 25252734927766554);
    bin_is(CARS_OP_YEARS_BETWEEN, MAX, 0, -25252734927766554);
    bin_is(CARS_OP_YEARS_BETWEEN, MIN, MAX, 50505469855533109);
    bin_is(CARS_OP_YEARS_BETWEEN, cars_date_make(2008, 2, 29), cars_date_make(2026, 3, 1), 18);
}

/* Allocation failure anywhere in routing a stream: a clean -1 with a
 * message, or success; never a crash or a leak. */
static void test_alloc_failure(void **state)
{
    env *e = *state;
    const char *in = "{\"id\":\"A\"}\n{\"id\":\"B\"}\n";
    bool done = false;
    for (long n = 0; n < 400 && !done; n++) {
        FILE *fi = fmemopen((void *)in, strlen(in), "r");
        char *outp = NULL;
        size_t outn = 0;
        FILE *fo = open_memstream(&outp, &outn);
        char err[200];
        cars_alloc_count(1);
        cars_alloc_fail_after(n);
        int rc = cars_route_stream(&e->p, fi, fo, 2, NULL, err, sizeof err);
        cars_alloc_fail_after(-1);
        fclose(fi);
        fclose(fo);
        free(outp);
        done = rc == 3;
        if (!done)
            assert_int_equal(rc, -1);
        if (!done)
            assert_string_equal(err, "out of memory");
    }
    assert_true(done);
    for (long n = 0; n < 10; n++) {
        cars_alloc_count(1);
        cars_alloc_fail_after(n);
        cars_vm *vm = cars_vm_new(&e->p);
        cars_alloc_fail_after(-1);
        cars_vm_free(vm);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_none),       cmocka_unit_test(test_cxdr_two_rules), cmocka_unit_test(test_ncxdr),
        cmocka_unit_test(test_threshold),  cmocka_unit_test(test_leap_day_ages),  cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_kleene),     cmocka_unit_test(test_isolation),      cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_title_escaping),
        cmocka_unit_test(test_prefixes),   cmocka_unit_test(test_alloc_failure),
        cmocka_unit_test(test_arith_limits),
        cmocka_unit_test(test_lookup_versions),
        cmocka_unit_test(test_dates_per_record),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

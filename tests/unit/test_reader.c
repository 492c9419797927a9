/* test_reader.c - the record reader: every kind of invalid record with its
 * exact error text, null = absent, unknown fields ignored, the id of an
 * invalid record, limits (depth, lone surrogates), and reuse across lines
 * (nothing carried from one record to the next). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "alloc.h"
#include "date.h"
#include "reader.h"
#include "testprog.h"

static tp T;
static cars_reader *R;

static int setup(void **s)
{
    (void)s;
    tp_standard(&T);
    R = cars_reader_new(&T.p);
    return R ? 0 : -1;
}
static int teardown(void **s)
{
    (void)s;
    cars_reader_free(R);
    return 0;
}

#define BASE_HEAD "{\"id\":\"T-1\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\","
#define APPLICANT "\"applicant\":{\"date_of_birth\":\"1980-05-05\",\"nationality\":\"USA\"," \
                  "\"passport\":{\"number\":\"x1\",\"issuing_country\":\"GBR\"}}"
#define CRIM "\"criminality\":{\"war_crimes\":false}"
#define VALID BASE_HEAD APPLICANT "," CRIM "}"

static void invalid(const char *json, const char *msg)
{
    bool ok = cars_reader_parse(R, json, strlen(json));
    if (ok)
        fail_msg("accepted: %s", json);
    assert_string_equal(cars_reader_error(R), msg);
}

static bool valid(const char *json)
{
    bool ok = cars_reader_parse(R, json, strlen(json));
    if (!ok)
        fprintf(stderr, "refused: %s\n", cars_reader_error(R));
    return ok;
}

static void test_valid(void **s)
{
    (void)s;
    assert_true(valid(VALID));
    const cars_record *r = cars_reader_record(R);
    assert_true(r->has_id);
    assert_int_equal(r->id.len, 3);
    assert_memory_equal(r->id.p, "T-1", 3);
    assert_true(r->v[F_RECEIVED].known);
    assert_int_equal(r->v[F_RECEIVED].i, cars_date_make(2026, 11, 1));
    assert_int_equal(r->v[F_ROUTE].i, M_STANDARD);
    assert_int_equal(r->v[F_NATIONALITY].i, tp_cc("USA"));
    assert_false(r->v[F_LENGTH].known);
    assert_false(r->v[F_TRAVEL].known);
    assert_int_equal(r->s[F_PASSNO].len, 2);
    assert_memory_equal(r->s[F_PASSNO].p, "x1", 2);
    /* field order is free, unknown fields (even nested, even lists) are ignored */
    assert_true(valid("{\"criminality\":{\"war_crimes\":true,\"other\":[1,{\"a\":null}]},\"x\":{\"y\":[[]]}," APPLICANT
                      ",\"route\":\"marriage_visitor\",\"received\":\"2026-11-01\",\"id\":\"Z\"}"));
    assert_int_equal(cars_reader_record(R)->v[F_ROUTE].i, M_MARRIAGE);
    assert_int_equal(cars_reader_record(R)->v[F_WAR].i, 1);
}

static void test_values(void **s)
{
    (void)s;
    assert_true(valid(BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"length_days\":0,\"cost_gbp\":12.5},"
                                          "\"travel_history\":[{\"country\":\"FRA\",\"year\":2020,\"complied\":true},"
                                          "{\"year\":-5,\"complied\":false,\"country\":\"DEU\",\"x\":1}]}"));
    const cars_record *r = cars_reader_record(R);
    assert_true(r->v[F_LENGTH].known);
    assert_int_equal(r->v[F_LENGTH].i, 0);
    assert_true(r->v[F_COST].f == 12.5);
    assert_int_equal(r->v[F_TRAVEL].i, 2);
    assert_int_equal(r->lists[F_TRAVEL].n, 2);
    const cars_value *e = r->lists[F_TRAVEL].elems;
    assert_int_equal(e[0].i, tp_cc("FRA"));
    assert_int_equal(e[4].i, -5);
    assert_int_equal(e[5].i, 0);
    assert_true(e[5].known);
    /* null = absent, and nothing is carried over from the last record */
    assert_true(valid(BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"length_days\":null},\"travel_history\":null}"));
    r = cars_reader_record(R);
    assert_false(r->v[F_LENGTH].known);
    assert_false(r->v[F_COST].known);
    assert_false(r->v[F_TRAVEL].known);
    assert_int_equal(r->lists[F_TRAVEL].n, 0);
    /* a number field takes integers; big integers within int64 */
    assert_true(valid(BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"cost_gbp\":7,\"length_days\":9223372036854775807}}"));
    assert_true(cars_reader_record(R)->v[F_COST].f == 7.0);
    assert_int_equal(cars_reader_record(R)->v[F_LENGTH].i, INT64_MAX);
    /* strings with escapes are decoded */
    assert_true(valid("{\"id\":\"a\\\"b\\u00e9\\ud83d\\ude00\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\","
                      APPLICANT "," CRIM "}"));
    assert_int_equal(cars_reader_record(R)->id.len, 3 + 2 + 4);
    assert_memory_equal(cars_reader_record(R)->id.p, "a\"b\xc3\xa9\xf0\x9f\x98\x80", 9);
}

static void test_json_errors(void **s)
{
    (void)s;
    invalid("{\"id\":\"T-9\",", "not valid JSON: premature EOF; the line ends after byte 12");
    assert_true(cars_reader_record(R)->has_id); /* the id could be read */
    invalid("nonsense", "not valid JSON: invalid string in json text; found nonsense at byte 1");
    assert_false(cars_reader_record(R)->has_id);
    invalid("[1,2]", "not a JSON object");
    invalid("42", "not a JSON object");
    invalid("\"x\"", "not a JSON object");
    invalid("null", "not a JSON object");
    invalid(VALID " {}", "not valid JSON: trailing garbage; found { at byte 214");
    invalid(VALID " \"never closed", "not valid JSON: trailing garbage; found \"never closed at byte 214");
    invalid("{\"id\":\"\\ud800\"}", "not valid JSON: lone surrogate \\ud800 in a string");
    assert_false(cars_reader_record(R)->has_id); /* the id holds it: not reported */
    invalid("{\"id\":\"G-1\",\"x\":\"\\ud800\"}", "not valid JSON: lone surrogate \\ud800 in a string");
    assert_true(cars_reader_record(R)->has_id); /* elsewhere: the id is reported */
    invalid("{\"id\":\"x\\ud800\\u0041\"}", "not valid JSON: lone surrogate \\ud800 in a string");
    assert_false(cars_reader_record(R)->has_id);
    invalid("{\"id\":\"\\udc00\\ud800\"}", "not valid JSON: lone surrogate \\udc00 in a string");
    invalid("{\"id\":\"\\ud800\\u0041\"}", "not valid JSON: lone surrogate \\ud800 in a string");
    invalid("{\"id\":\"\xff\"}", "not valid JSON: invalid UTF-8 at byte 8: FF never appears in UTF-8");
    /* an escaped backslash before u is not an escape */
    invalid("{\"id\":\"\\\\ud800\"}", "missing required field received");
}

static void test_depth(void **s)
{
    (void)s;
    char deep[400];
    size_t n = 0;
    deep[n++] = '{';
    memcpy(deep + n, "\"x\":", 4), n += 4;
    for (int i = 0; i < 63; i++)
        deep[n++] = '[';
    for (int i = 0; i < 63; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    deep[n] = '\0';
    invalid(deep, "missing required field id"); /* 64 levels: fine */
    n = 0;
    deep[n++] = '{';
    memcpy(deep + n, "\"x\":", 4), n += 4;
    for (int i = 0; i < 64; i++)
        deep[n++] = '[';
    for (int i = 0; i < 64; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    deep[n] = '\0';
    invalid(deep, "nesting deeper than 64 levels");
}

static void test_required(void **s)
{
    (void)s;
    invalid(BASE_HEAD APPLICANT "}", "missing required field criminality.war_crimes");
    invalid(BASE_HEAD APPLICANT ",\"criminality\":{\"war_crimes\":null}}", "missing required field criminality.war_crimes");
    invalid(BASE_HEAD APPLICANT ",\"criminality\":null}", "missing required field criminality.war_crimes");
    invalid("{\"id\":null,\"received\":\"2026-11-01\",\"route\":\"standard_visitor\"," APPLICANT "," CRIM "}",
            "missing required field id");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"travel_history\":[{\"country\":\"FRA\",\"complied\":true}]}",
            "missing required field travel_history[0].year");
}

static void test_types(void **s)
{
    (void)s;
    invalid(BASE_HEAD "\"applicant\":{\"date_of_birth\":\"2026-02-30\",\"nationality\":\"USA\","
                      "\"passport\":{\"number\":\"x1\",\"issuing_country\":\"GBR\"}}," CRIM "}",
            "applicant.date_of_birth: 2026-02-30 is not a date");
    invalid("{\"id\":\"T-1\",\"received\":\"2026-11-01\",\"route\":\"tourist\"," APPLICANT "," CRIM "}",
            "route: \"tourist\" is not one of standard_visitor, marriage_visitor, overseas_domestic_worker");
    assert_true(cars_reader_record(R)->has_id);
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"length_days\":-3}}",
            "visit.length_days: expected an integer \xe2\x89\xa5 0, got -3");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"length_days\":1.5}}",
            "visit.length_days: expected an integer \xe2\x89\xa5 0, got 1.5");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"length_days\":1e2}}",
            "visit.length_days: expected an integer \xe2\x89\xa5 0, got 1e2");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"length_days\":9223372036854775808}}",
            "visit.length_days: expected an integer \xe2\x89\xa5 0, got 9223372036854775808: too large (at most "
            "9223372036854775807)");
    /* past what the field can hold, said so: above int64 or double; below, the minimum says it */
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"length_days\":123456789012345678901234567890}}",
            "visit.length_days: expected an integer \xe2\x89\xa5 0, got 123456789012345678901234567890: too large "
            "(at most 9223372036854775807)");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"length_days\":-9223372036854775809}}",
            "visit.length_days: expected an integer \xe2\x89\xa5 0, got -9223372036854775809");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"length_days\":1.5}}",
            "visit.length_days: expected an integer \xe2\x89\xa5 0, got 1.5");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"cost_gbp\":2e308}}",
            "visit.cost_gbp: expected a number \xe2\x89\xa5 0, got 2e308: too large (at most about 1.8e308)");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"cost_gbp\":-2e308}}",
            "visit.cost_gbp: expected a number \xe2\x89\xa5 0, got -2e308");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"cost_gbp\":-0.5}}",
            "visit.cost_gbp: expected a number \xe2\x89\xa5 0, got -0.5");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"cost_gbp\":\"12\"}}",
            "visit.cost_gbp: expected a number \xe2\x89\xa5 0, got \"12\"");
    invalid(BASE_HEAD APPLICANT ",\"criminality\":{\"war_crimes\":\"no\"}}",
            "criminality.war_crimes: expected true or false, got \"no\"");
    invalid(BASE_HEAD APPLICANT ",\"criminality\":{\"war_crimes\":0}}",
            "criminality.war_crimes: expected true or false, got 0");
    invalid("{\"id\":5,\"received\":\"2026-11-01\",\"route\":\"standard_visitor\"," APPLICANT "," CRIM "}",
            "id: expected a string, got 5");
    assert_false(cars_reader_record(R)->has_id); /* an id that is not a string is not reported */
    invalid(BASE_HEAD "\"applicant\":{\"date_of_birth\":\"1980-05-05\",\"nationality\":\"usa\","
                      "\"passport\":{\"number\":\"x1\",\"issuing_country\":\"GBR\"}}," CRIM "}",
            "applicant.nationality: expected a country code (3 upper-case letters), got \"usa\"");
    invalid(BASE_HEAD "\"applicant\":{\"date_of_birth\":\"1980-05-05\",\"nationality\":\"GBRX\","
                      "\"passport\":{\"number\":\"x1\",\"issuing_country\":\"GBR\"}}," CRIM "}",
            "applicant.nationality: expected a country code (3 upper-case letters), got \"GBRX\"");
    invalid("{\"id\":\"T-1\",\"received\":20261101,\"route\":\"standard_visitor\"," APPLICANT "," CRIM "}",
            "received: expected a date (YYYY-MM-DD), got 20261101");
    invalid("{\"id\":\"T-1\",\"received\":\"2026-1-01\",\"route\":\"standard_visitor\"," APPLICANT "," CRIM "}",
            "received: 2026-1-01 is not a date");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"travel_history\":{}}", "travel_history: expected a list, got an object");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"travel_history\":[5]}", "travel_history[0]: expected an object, got 5");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"travel_history\":[{\"country\":\"FRA\",\"year\":\"2020\",\"complied\":true}]}",
            "travel_history[0].year: expected an integer, got \"2020\"");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"length_days\":[]}}",
            "visit.length_days: expected an integer \xe2\x89\xa5 0, got a list");
    invalid(BASE_HEAD APPLICANT ",\"criminality\":true}", "criminality: expected an object, got true");
    invalid(BASE_HEAD "\"applicant\":{\"date_of_birth\":\"1980-05-05\",\"nationality\":\"USA\",\"passport\":7}," CRIM "}",
            "applicant.passport: expected an object, got 7");
}

static void test_duplicates(void **s)
{
    (void)s;
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"route\":\"standard_visitor\"}", "duplicate key \"route\"");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"extra\":1,\"zz\":2,\"extra\":3}", "duplicate key \"extra\"");
    invalid(BASE_HEAD APPLICANT ",\"criminality\":{\"war_crimes\":false,\"war_crimes\":true}}",
            "criminality: duplicate key \"war_crimes\"");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"travel_history\":[{\"country\":\"FRA\",\"year\":1,\"year\":2,\"complied\":true}]}",
            "travel_history[0]: duplicate key \"year\"");
    /* the object that holds it is named: a nested one by its path, an element by its index */
    invalid(BASE_HEAD "\"applicant\":{\"date_of_birth\":\"1980-05-05\",\"nationality\":\"USA\","
            "\"passport\":{\"number\":\"x1\",\"issuing_country\":\"GBR\",\"number\":\"x2\"}}," CRIM "}",
            "applicant.passport: duplicate key \"number\"");
    invalid(BASE_HEAD APPLICANT ",\"criminality\":{\"war_crimes\":false,\"q\":1,\"q\":2}}",
            "criminality: duplicate key \"q\"");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"travel_history\":[{\"country\":\"FRA\",\"year\":1,\"complied\":true},"
            "{\"country\":\"FRA\",\"year\":1,\"q\":1,\"complied\":true,\"q\":2}]}",
            "travel_history[1]: duplicate key \"q\"");
    /* inside a value of no field: the path by its unknown keys (as they
     * are if plain names, else quoted) and the indexes of its arrays */
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"x\":{\"k\":1,\"k\":2}}", "x: duplicate key \"k\"");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"x\":{\"y\":[0,{},[{\"k\":1,\"k\":2}]]}}",
            "x.y[2][0]: duplicate key \"k\"");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"x\":[{\"k\":1},{\"k\":1,\"k\":2}]}", "x[1]: duplicate key \"k\"");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"a b\":{\"c.d\":{\"k\":[],\"k\":{}}}}",
            "\"a b\".\"c.d\": duplicate key \"k\"");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"\\u0078\":{\"k\":1,\"\\u006b\":2}}", "x: duplicate key \"k\"");
    invalid(BASE_HEAD "\"applicant\":{\"date_of_birth\":\"1980-05-05\",\"nationality\":\"USA\","
            "\"passport\":{\"number\":\"x1\",\"issuing_country\":\"GBR\",\"z\":{\"k\":1,\"k\":2}}}," CRIM "}",
            "applicant.passport.z: duplicate key \"k\"");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"travel_history\":[{\"country\":\"FRA\",\"year\":1,\"complied\":true,"
            "\"q\":[{\"k\":1,\"k\":2}]}]}",
            "travel_history[0].q[0]: duplicate key \"k\"");
    /* a path longer than the message's room is cut, never overrun: 40
     * levels of a 60-byte key (the rendering's own limit) */
    {
        char json[8192], want[400];
        int o = snprintf(json, sizeof json, "%s", BASE_HEAD APPLICANT "," CRIM ",");
        for (int d = 0; d < 40; d++)
            o += snprintf(json + o, sizeof json - (size_t)o, "\"%060d\":{", d);
        o += snprintf(json + o, sizeof json - (size_t)o, "\"k\":1,\"k\":2");
        for (int d = 0; d < 40; d++)
            json[o++] = '}';
        snprintf(json + o, sizeof json - (size_t)o, "}");
        assert_false(cars_reader_parse(R, json, strlen(json)));
        const char *e = cars_reader_error(R);
        snprintf(want, sizeof want, "%060d.%060d.", 0, 1);
        assert_true(strncmp(e, want, strlen(want)) == 0);
        assert_non_null(strstr(e, ": duplicate key \"k\""));
        assert_true(strlen(e) < 400);
    }
    /* the same unknown key in two different objects is fine */
    assert_true(valid(BASE_HEAD APPLICANT "," CRIM ",\"a\":{\"k\":1},\"b\":{\"k\":2}}"));
}

/* An id given twice is reported only when both are the same string: with
 * two different ids (or an id and a value that is not one) the record
 * cannot say which application it is, and naming either would be a guess. */
static void id_twice_as(const char *json, const char *msg, const char *id)
{
    invalid(json, msg);
    const cars_record *rec = cars_reader_record(R);
    if (!id) {
        if (rec->has_id)
            fail_msg("id %.*s reported for %s", (int)rec->id.len, rec->id.p, json);
        return;
    }
    assert_true(rec->has_id);
    assert_int_equal(rec->id.len, strlen(id));
    assert_memory_equal(rec->id.p, id, strlen(id));
}

static void id_twice(const char *json, const char *id)
{
    id_twice_as(json, "duplicate key \"id\"", id);
}

static void test_id_twice(void **s)
{
    (void)s;
    id_twice(BASE_HEAD APPLICANT "," CRIM ",\"id\":\"T-2\"}", NULL);
    id_twice(BASE_HEAD APPLICANT "," CRIM ",\"id\":\"T-1\"}", "T-1"); /* the same id twice */
    id_twice(BASE_HEAD APPLICANT "," CRIM ",\"i\\u0064\":\"T-2\"}", NULL); /* escaped key */
    id_twice(BASE_HEAD APPLICANT "," CRIM ",\"id\":\"T\\u002d1\"}", "T-1"); /* the same text, escaped */
    id_twice(BASE_HEAD APPLICANT "," CRIM ",\"id\":null}", NULL);
    id_twice(BASE_HEAD APPLICANT "," CRIM ",\"id\":5}", NULL);
    id_twice(BASE_HEAD APPLICANT "," CRIM ",\"id\":{\"id\":\"T-1\"}}", NULL);
    id_twice(BASE_HEAD APPLICANT "," CRIM ",\"id\":\"T-1 \"}", NULL);
    id_twice(BASE_HEAD APPLICANT "," CRIM ",\"id\":\"T-1\",\"id\":\"T-1\"}", "T-1"); /* three times */
    id_twice(BASE_HEAD APPLICANT "," CRIM ",\"id\":\"T-1\",\"id\":\"T-3\"}", NULL);
    id_twice(BASE_HEAD APPLICANT "," CRIM ",\"id\":\"T-3\",\"id\":\"T-1\"}", NULL);
    id_twice("{\"id\":null,\"id\":\"T-2\"}", NULL);
    id_twice_as("{\"id\":\"T-1\",\"id\":\"T-2\",\"received\":", "not valid JSON: premature EOF; the line ends after byte 34", NULL);
    id_twice_as("{\"id\":\"T-1\",\"id\":\"T-1\",\"received\":", "not valid JSON: premature EOF; the line ends after byte 34", "T-1");
    id_twice_as("{\"id\":\"T-1\",\"id\":\"T-2\",\"x\":\"\\ud800\"}", "not valid JSON: lone surrogate \\ud800 in a string",
                NULL);
    /* an id elsewhere than at the root is not the record's id */
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"x\":{\"id\":\"T-2\",\"id\":\"T-3\"}}", "x: duplicate key \"id\"");
    assert_true(cars_reader_record(R)->has_id);
    assert_memory_equal(cars_reader_record(R)->id.p, "T-1", 3);
}

static void test_long_list(void **s)
{
    (void)s;
    const char *head = BASE_HEAD APPLICANT "," CRIM ",\"travel_history\":[";
    const char *el = "{\"country\":\"FRA\",\"year\":2020,\"complied\":true},";
    size_t n = CARS_READER_MAX_ELEMS + 1, len = strlen(head) + n * strlen(el) + 8;
    char *buf = malloc(len);
    strcpy(buf, head);
    char *p = buf + strlen(buf);
    for (size_t i = 0; i < n; i++) {
        memcpy(p, el, strlen(el));
        p += strlen(el);
    }
    strcpy(p - 1, "]}");
    invalid(buf, "travel_history: more than 100000 elements");
    /* exactly at the limit: fine */
    p = buf + strlen(head) + (n - 1) * strlen(el);
    strcpy(p - 1, "]}");
    assert_true(valid(buf));
    assert_int_equal(cars_reader_record(R)->lists[F_TRAVEL].n, CARS_READER_MAX_ELEMS);
    free(buf);
}

/* A growable line buffer for the tests that build long records. */
typedef struct lbuf {
    char *p;
    size_t n, cap;
} lbuf;

static void lb_add(lbuf *b, const char *s)
{
    size_t k = strlen(s);
    if (b->n + k + 1 > b->cap) {
        b->cap = (b->n + k + 1) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, s, k + 1);
    b->n += k;
}

#define TRAVEL_OBJ "{\"country\":\"FRA\",\"year\":2020,\"complied\":true}"

/* travel_history = [before x nb, TRAVEL_OBJ x nobj] (before: one element). */
static void list_line(lbuf *b, const char *before, unsigned nb, unsigned nobj)
{
    b->n = 0;
    lb_add(b, BASE_HEAD APPLICANT "," CRIM ",\"travel_history\":[");
    for (unsigned i = 0; i < nb; i++)
        lb_add(b, i ? "," : ""), lb_add(b, before);
    for (unsigned i = 0; i < nobj; i++)
        lb_add(b, nb + i ? "," : ""), lb_add(b, i % 2 ? "{\"year\":1999,\"complied\":false,\"country\":\"DEU\"}" : TRAVEL_OBJ);
    lb_add(b, "]}");
}

/* Elements that are not objects, of every JSON type and in any number,
 * before or between objects: an error naming the first one, and never a
 * write past the element array (the reader counted them without growing it:
 * a heap overflow under ASan, SIGSEGV in carsvm). The next records read
 * cleanly, however many elements came before. */
static void test_list_non_objects(void **s)
{
    (void)s;
    static const char *const kinds[] = {"0", "1.5", "\"x\"", "true", "false", "null", "[]", "[{}]", "[1,{}]"};
    static const char *const got[] = {"0", "1.5", "\"x\"", "true", "false", "null", "a list", "a list", "a list"};
    static const unsigned counts[] = {1, 63, 64, 65, 128, 129, 10000};
    lbuf b = {0};
    char want[200];
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
        for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
            list_line(&b, kinds[k], counts[c], 3); /* non-objects first, on a fresh reader (no array yet) */
            snprintf(want, sizeof want, "travel_history[0]: expected an object, got %s", got[k]);
            cars_reader *fresh = cars_reader_new(&T.p);
            assert_non_null(fresh);
            assert_false(cars_reader_parse(fresh, b.p, b.n));
            assert_string_equal(cars_reader_error(fresh), want);
            cars_reader_free(fresh);
            invalid(b.p, want); /* and on one that has read long lists */
            b.n = 0; /* one object, then the non-objects, then objects */
            lb_add(&b, BASE_HEAD APPLICANT "," CRIM ",\"travel_history\":[" TRAVEL_OBJ);
            for (unsigned i = 0; i < counts[c]; i++)
                lb_add(&b, ","), lb_add(&b, kinds[k]);
            lb_add(&b, "," TRAVEL_OBJ "," TRAVEL_OBJ "]}");
            snprintf(want, sizeof want, "travel_history[1]: expected an object, got %s", got[k]);
            invalid(b.p, want);
        }
    /* after all that, valid lists of every length read back exactly */
    for (unsigned n = 0; n <= 300; n += 37) {
        list_line(&b, "", 0, n);
        assert_true(valid(b.p));
        const cars_record *r = cars_reader_record(R);
        assert_int_equal(r->lists[F_TRAVEL].n, n);
        assert_int_equal(r->v[F_TRAVEL].i, n);
        for (unsigned i = 0; i < n; i++) {
            const cars_value *e = r->lists[F_TRAVEL].elems + (size_t)i * 3;
            assert_int_equal(e[E_COUNTRY].i, tp_cc(i % 2 ? "DEU" : "FRA"));
            assert_int_equal(e[E_YEAR].i, i % 2 ? 1999 : 2020);
            assert_int_equal(e[E_COMPLIED].i, i % 2 == 0);
        }
        list_line(&b, "7", 1, n + 100); /* and an invalid one in between */
        invalid(b.p, "travel_history[0]: expected an object, got 7");
    }
    /* a line too long for 32-bit offsets is refused before a byte is read */
    assert_false(cars_reader_parse(R, "{", (size_t)CARS_READER_MAX_LINE + 1));
    assert_string_equal(cars_reader_error(R), "line longer than 4294967294 bytes");
    assert_false(cars_reader_out_of_memory(R));
    /* the index of a later element's error counts the non-objects before it */
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"travel_history\":[" TRAVEL_OBJ ",{\"country\":\"FRA\",\"complied\":true}]}",
            "missing required field travel_history[1].year");
    free(b.p);
}

/* The comparison bound of the duplicate check for an object of n unknown keys. */
static double cmp_bound(double n)
{
    if (n < 2)
        return 0;
    unsigned lg = 0; /* floor(log2 n); lg + (m - 1) >= log2 n, m = n / 2^lg in [1, 2) */
    while ((double)(1ull << (lg + 1)) <= n && lg < 62)
        lg++;
    double m = n / (double)(1ull << lg);
    return 2 * n * (lg + m - 1) + 3 * n;
}

/* Appends an object of n unknown keys "<p>NNNNNNN" in the given order;
 * `inner`, if not NULL, is the value of the middle key (nesting). */
static void key_object(lbuf *b, unsigned n, int order, const char *inner)
{
    char k[64];
    lb_add(b, "{");
    for (unsigned i = 0; i < n; i++) {
        unsigned v;
        char pre = 'k';
        switch (order) {
        case 0: v = i / 2, pre = i % 2 ? 'a' : 'b'; break; /* b0 a0 b1 a1 ...: the shell sort's worst */
        case 1: v = i; break;                              /* ascending */
        case 2: v = n - 1 - i; break;                      /* descending */
        case 3: v = i < n / 2 ? 2 * i : 2 * (n - 1 - i) + 1; break; /* organ pipe */
        case 4: v = (unsigned)((uint64_t)i * 7919u % 1000003u); break; /* scrambled, distinct */
        default: v = i % 2 ? i : 0; break;                 /* many equal keys */
        }
        snprintf(k, sizeof k, "%s\"%c%07u\":", i ? "," : "", pre, v);
        lb_add(b, k);
        lb_add(b, inner && i == n / 2 ? inner : "0");
    }
    lb_add(b, "}");
}

/* The duplicate check of unknown keys stays within 2 n log2 n + 3 n
 * comparisons per object, whatever the order of the keys and however they
 * nest (in unknown objects, known ones, list elements). It was a shell sort,
 * quadratic on keys interleaved b0 a0 b1 a1 ...: 131,072 such keys took
 * 4.6 s. Comparisons are counted, not timed. */
static void test_duplicate_check_n_log_n(void **s)
{
    (void)s;
    lbuf b = {0}, in = {0};
    for (int order = 0; order <= 5; order++)
        for (unsigned n = 2; n <= 131072; n *= (order == 0 ? 2 : 8)) {
            b.n = 0;
            lb_add(&b, BASE_HEAD APPLICANT "," CRIM ",\"x\":");
            key_object(&b, n, order, NULL);
            lb_add(&b, "}");
            bool ok = cars_reader_parse(R, b.p, b.n);
            if (order == 5 && n > 2)
                assert_string_equal(cars_reader_error(R), "x: duplicate key \"k0000000\"");
            else if (!ok)
                fail_msg("order %d, %u keys: %s", order, n, cars_reader_error(R));
            uint64_t c = cars_reader_key_comparisons(R);
            if ((double)c > cmp_bound(n))
                fail_msg("order %d, %u keys: %llu comparisons, more than 2 n log2 n + 3 n = %.0f", order, n,
                         (unsigned long long)c, cmp_bound(n));
        }
    /* nested unknown objects, unknown keys beside known ones, in list elements */
    in.n = 0;
    key_object(&in, 4096, 0, NULL);
    char *leaf = strdup(in.p);
    in.n = 0;
    key_object(&in, 4096, 0, leaf);
    b.n = 0;
    lb_add(&b, BASE_HEAD "\"applicant\":{\"date_of_birth\":\"1980-05-05\",\"nationality\":\"USA\",\"x\":");
    lb_add(&b, in.p);
    lb_add(&b, ",\"passport\":{\"number\":\"x1\",\"issuing_country\":\"GBR\"}}," CRIM ",\"travel_history\":[");
    for (int e = 0; e < 3; e++) {
        lbuf el = {0};
        key_object(&el, 2048, 0, NULL);
        el.p[el.n - 1] = '\0'; /* reopen it: add the element's own fields */
        lb_add(&b, e ? "," : "");
        lb_add(&b, el.p);
        lb_add(&b, ",\"country\":\"FRA\",\"year\":2020,\"complied\":true}");
        free(el.p);
    }
    lb_add(&b, "],\"y\":");
    lb_add(&b, in.p);
    lb_add(&b, "}");
    assert_true(valid(b.p));
    double bound = 4 * cmp_bound(4096) + 3 * cmp_bound(2048) + cmp_bound(2); /* 4 objects of 4096, 3 of 2048, x and y */
    if ((double)cars_reader_key_comparisons(R) > bound)
        fail_msg("nested: %llu comparisons, bound %.0f", (unsigned long long)cars_reader_key_comparisons(R), bound);
    free(leaf);
    free(in.p);
    free(b.p);
}

/* The position of the first byte of s that is not strict UTF-8 (RFC 3629)
 * or a control character other than tab, LF, CR; n if none. Written from
 * the RFC's definition (decode, then check the length is the shortest and
 * the code point is a scalar value), independently of the reader's table. */
static size_t ref_first_bad(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                return i;
            i++;
            continue;
        }
        size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || i + len > n)
            return i;
        uint32_t cp = c & (0xFFu >> (len + 1));
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = cp << 6 | (s[i + k] & 0x3Fu);
        }
        static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return n;
}

/* Sequences of 2, 3 and 4 bytes in a string value: the reader refuses
 * exactly what strict UTF-8 refuses, and says at which byte. yajl alone
 * took overlong forms (C0 AF), encoded surrogates (ED A0 80), code points
 * above U+10FFFF and lead bytes F5-F7. */
static void test_utf8_exhaustive(void **s)
{
    (void)s;
    /* the sequence at byte 17 (after one ASCII block of 16) or 41 (inside one) */
    const char *heads[2] = {"{\"id\":\"T\",\"x\":\"a", "{\"id\":\"T\",\"xxxxxxxxxxxxxxxxxxxxxxxx\":\"abcdef"};
    char line[80], want[200];
    /* every lead byte and second byte; the third and fourth from these (each
     * side of every range edge), the fourth from the first four */
    static const unsigned char tails[] = {0x41, 0x80, 0xBF, 0xC0, 0x00, 0x7F, 0x8F, 0x90, 0x9F, 0xA0, 0xF5, 0xFF};
    unsigned long tried = 0;
    for (unsigned len = 2; len <= 4; len++)
        for (unsigned b0 = len == 2 ? 0x80 : len == 3 ? 0xE0 : 0xF0; b0 <= 0xFF; b0++)
            for (unsigned b1 = 0; b1 <= 0xFF; b1++)
                for (unsigned t = 0; t < (len == 2 ? 1u : len == 3 ? sizeof tails : 4u * 4u); t++) {
                    unsigned char q[4] = {(unsigned char)b0, (unsigned char)b1,
                                          tails[len == 3 ? t : t % 4], tails[len == 4 ? t / 4 : 0]};
                    bool skip = false;
                    for (unsigned k = 1; k < len; k++) /* bytes that would end the string or reach yajl's own check */
                        skip |= q[k] == '"' || q[k] == '\\' || q[k] == '\t' || q[k] == '\n' || q[k] == '\r';
                    if (skip)
                        continue;
                    const char *head = heads[b1 & 1];
                    size_t hl = strlen(head);
                    memcpy(line, head, hl);
                    memcpy(line + hl, q, len);
                    memcpy(line + hl + len, "\"}", 3);
                    size_t n = hl + len + 2;
                    size_t bad = ref_first_bad((const unsigned char *)line, n);
                    tried++;
                    bool ok = cars_reader_parse(R, line, n);
                    assert_false(ok); /* no required field: never valid */
                    const char *err = cars_reader_error(R);
                    if (bad == n) {
                        if (strcmp(err, "missing required field received") != 0)
                            fail_msg("%02X %02X %02X %02X (%u bytes) refused: %s", q[0], q[1], q[2], q[3], len, err);
                        assert_true(cars_reader_record(R)->has_id);
                        continue;
                    }
                    snprintf(want, sizeof want, "at byte %zu", bad + 1);
                    if (strncmp(err, "not valid JSON: ", 16) != 0 || !strstr(err, want))
                        fail_msg("%02X %02X %02X %02X (%u bytes): want %s, got: %s", q[0], q[1], q[2], q[3], len, want, err);
                    assert_true(cars_reader_record(R)->has_id); /* the id itself is clean */
                }
    assert_true(tried > 100000);
}

/* What each kind of bad byte is called, where it is said to be, and when
 * the id of such a record is still given. */
static void test_utf8_messages(void **s)
{
    (void)s;
    invalid("{\"id\":\"G-1\",\"x\":\"\xC0\xAF\"}", "not valid JSON: invalid UTF-8 at byte 18: C0 AF is an overlong encoding");
    assert_true(cars_reader_record(R)->has_id);
    invalid("{\"id\":\"G-1\",\"x\":\"\xE0\x80\xAF\"}", "not valid JSON: invalid UTF-8 at byte 18: E0 80 AF is an overlong encoding");
    invalid("{\"id\":\"G-1\",\"x\":\"\xF0\x80\x80\xAF\"}",
            "not valid JSON: invalid UTF-8 at byte 18: F0 80 80 AF is an overlong encoding");
    invalid("{\"id\":\"G-1\",\"x\":\"\xED\xA0\x80\"}",
            "not valid JSON: invalid UTF-8 at byte 18: ED A0 80 encodes the surrogate U+D800");
    invalid("{\"id\":\"G-1\",\"x\":\"\xED\xBF\xBF\"}",
            "not valid JSON: invalid UTF-8 at byte 18: ED BF BF encodes the surrogate U+DFFF");
    invalid("{\"id\":\"G-1\",\"x\":\"\xF4\x90\x80\x80\"}", "not valid JSON: invalid UTF-8 at byte 18: F4 90 80 80 is beyond U+10FFFF");
    invalid("{\"id\":\"G-1\",\"x\":\"\xF5\x80\x80\x80\"}", "not valid JSON: invalid UTF-8 at byte 18: F5 80 80 80 is beyond U+10FFFF");
    invalid("{\"id\":\"G-1\",\"x\":\"\xF8\x88\x80\x80\x80\"}", "not valid JSON: invalid UTF-8 at byte 18: F8 never appears in UTF-8");
    invalid("{\"id\":\"G-1\",\"x\":\"\x80\"}", "not valid JSON: invalid UTF-8 at byte 18: 80 is a continuation byte with no lead byte");
    invalid("{\"id\":\"G-1\",\"x\":\"\xE2\x82\"}", "not valid JSON: invalid UTF-8 at byte 18: E2 82 is an incomplete sequence");
    invalid("{\"id\":\"G-1\",\"x\":\"\xE2\x82", "not valid JSON: invalid UTF-8 at byte 18: E2 82 is an incomplete sequence");
    /* in a key, a known field, a list element */
    invalid("{\"id\":\"G-1\",\"\xC0\xAF\":1}", "not valid JSON: invalid UTF-8 at byte 14: C0 AF is an overlong encoding");
    invalid("{\"id\":\"G-1\",\"route\":\"standard\xC0\xAF\"}",
            "not valid JSON: invalid UTF-8 at byte 30: C0 AF is an overlong encoding");
    invalid(BASE_HEAD APPLICANT "," CRIM ",\"travel_history\":[{\"country\":\"FR\xED\xA0\x80\"}]}",
            "not valid JSON: invalid UTF-8 at byte 245: ED A0 80 encodes the surrogate U+D800");
    assert_true(cars_reader_record(R)->has_id);
    /* the id is given only if its own text is clean: two ids that differ only
     * in bad bytes never come out as the same id */
    invalid("{\"id\":\"G\xC0\xAF\"}", "not valid JSON: invalid UTF-8 at byte 9: C0 AF is an overlong encoding");
    assert_false(cars_reader_record(R)->has_id);
    invalid("{\"id\":\"G\xC0\xAE\"}", "not valid JSON: invalid UTF-8 at byte 9: C0 AE is an overlong encoding");
    assert_false(cars_reader_record(R)->has_id);
    invalid("{\"x\":\"\xC0\xAF\",\"id\":\"G-2\"}", "not valid JSON: invalid UTF-8 at byte 7: C0 AF is an overlong encoding");
    assert_true(cars_reader_record(R)->has_id); /* the bad bytes are elsewhere */
    assert_memory_equal(cars_reader_record(R)->id.p, "G-2", 3);
    invalid("{\"x\":\"\xC0\xAF\",\"id\":\"G\\ud800\"}", "not valid JSON: invalid UTF-8 at byte 7: C0 AF is an overlong encoding");
    assert_false(cars_reader_record(R)->has_id); /* the id holds a lone surrogate */
    invalid("{\"x\":\"\\udc00\",\"id\":\"G\xED\xA0\x80\"}",
            "not valid JSON: invalid UTF-8 at byte 22: ED A0 80 encodes the surrogate U+D800");
    assert_false(cars_reader_record(R)->has_id);
    /* every edge of the valid ranges is kept as it is */
    const char *edges = "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf";
    char line[400];
    snprintf(line, sizeof line, "{\"id\":\"%s\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\"," APPLICANT "," CRIM "}",
             edges);
    assert_true(valid(line));
    assert_int_equal(cars_reader_record(R)->id.len, strlen(edges));
    assert_memory_equal(cars_reader_record(R)->id.p, edges, strlen(edges));
}

/* Control characters JSON never allows raw (form feed and vertical tab,
 * which yajl took as whitespace, NUL, ...) and the byte order mark, on any
 * line. */
static void test_control_and_bom(void **s)
{
    (void)s;
#define WS_MSG "(JSON whitespace is space, tab, CR, LF; strings must escape it)"
    invalid("\f", "not valid JSON: control character 0x0C at byte 1 " WS_MSG);
    invalid("\v" VALID, "not valid JSON: control character 0x0B at byte 1 " WS_MSG);
    invalid(VALID "\f", "not valid JSON: control character 0x0C at byte 213 " WS_MSG);
    assert_true(cars_reader_record(R)->has_id);
    char nul[] = "{\"id\":\"G-1\",\"x\":\"a\0b\"}";
    assert_false(cars_reader_parse(R, nul, sizeof nul - 1));
    assert_string_equal(cars_reader_error(R), "not valid JSON: control character 0x00 at byte 19 " WS_MSG);
    /* tab, CR and LF are whitespace between tokens */
    assert_true(valid("\t\r\n " VALID " \t\r\n"));
    invalid("\xEF\xBB\xBF" VALID, "not valid JSON: the line starts with a UTF-8 byte order mark (EF BB BF); JSON Lines "
                                  "text must not");
    assert_false(cars_reader_record(R)->has_id);
    invalid(" \xEF\xBB\xBF" VALID, "not valid JSON: invalid char in json text; found U+FEFF (an invisible character) at byte 2");
    /* U+FEFF inside a string is a character like any other */
    assert_true(valid("{\"id\":\"\xEF\xBB\xBFG\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\"," APPLICANT "," CRIM "}"));
}

/* Values quoted in messages: control characters escaped (an embedded NUL
 * used to cut the message), quotes and backslashes escaped, long values cut
 * between characters, never inside an escape. */
static void test_render(void **s)
{
    (void)s;
    invalid("{\"id\":\"T-1\",\"received\":\"2026-11-01\",\"route\":\"tour\\u0000ist\"}",
            "route: \"tour\\u0000ist\" is not one of standard_visitor, marriage_visitor, overseas_domestic_worker");
    invalid("{\"id\":\"T-1\",\"received\":\"2026-11-01\\u0000\"}", "received: 2026-11-01\\u0000 is not a date");
    invalid("{\"id\":\"T-1\",\"route\":\"a\\\"b\\\\c\\n\\t\\u001f\\u007f\"}",
            "route: \"a\\\"b\\\\c\\n\\t\\u001f\\u007f\" is not one of standard_visitor, marriage_visitor, "
            "overseas_domestic_worker");
    invalid("{\"id\":\"T-1\",\"a\\u0000\":1,\"a\\u0000\":2}", "duplicate key \"a\\u0000\"");
    /* 58 letters then NULs: cut before an escape that would pass 60 bytes */
    invalid("{\"id\":\"T-1\",\"route\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\u0000\\u0000\"}",
            "route: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xe2\x80\xa6\" is not one of "
            "standard_visitor, marriage_visitor, overseas_domestic_worker");
    /* 59 letters then a 2-byte character: cut before it */
    invalid("{\"id\":\"T-1\",\"route\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9\"}",
            "route: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xe2\x80\xa6\" is not one of "
            "standard_visitor, marriage_visitor, overseas_domestic_worker");
    /* exactly 60 bytes: whole, no ellipsis */
    invalid("{\"id\":\"T-1\",\"route\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9\"}",
            "route: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9\" is not one of "
            "standard_visitor, marriage_visitor, overseas_domestic_worker");
}

/* Empty unknown keys, twice, on a fresh reader: the duplicate is named (and
 * the unknown objects that hold it, by their empty keys, quoted). The
 * unknown-key buffer used to stay NULL when every unknown key was empty, and
 * the message was rendered from NULL + 0 (undefined; clang's UBSan traps on
 * it, found by fuzz_reader reading each line with a fresh reader). */
static void test_empty_keys(void **s)
{
    (void)s;
    static const char *const lines[][2] = {{"{\"\":1,\"\":2}", "duplicate key \"\""},
                                           {"{\"x\":{\"\":[],\"\":{}}}", "x: duplicate key \"\""},
                                           {"{\"id\":\"S\",\"\":{\"\":-1},\"\":true}", "duplicate key \"\""},
                                           {"{\"\":{\"\":{\"\":1,\"\":2}}}", "\"\".\"\": duplicate key \"\""}};
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        cars_reader *fresh = cars_reader_new(&T.p);
        assert_non_null(fresh);
        assert_false(cars_reader_parse(fresh, lines[i][0], strlen(lines[i][0])));
        assert_string_equal(cars_reader_error(fresh), lines[i][1]);
        cars_reader_free(fresh);
    }
}

/* Reading allocates nothing per record once warmed up. */
static void test_no_allocation(void **s)
{
    (void)s;
    const char *rec = BASE_HEAD APPLICANT "," CRIM ",\"travel_history\":[{\"country\":\"FRA\",\"year\":2020,\"complied\":true}]}";
    assert_true(valid(rec));
    cars_alloc_count(1);
    for (int i = 0; i < 100; i++) {
        assert_true(valid(rec));
        invalid("{\"id\":\"x\",\"route\":\"nope\"}", "route: \"nope\" is not one of standard_visitor, marriage_visitor, "
                                                   "overseas_domestic_worker");
    }
    assert_int_equal(cars_alloc_count(1), 0);
}

/* Allocation failure at every point of creating and first use of a reader:
 * a clean NULL or a clean error, never a crash or a leak. */
static void test_alloc_failure(void **s)
{
    (void)s;
    bool worked = false;
    for (long n = 0; n < 200 && !worked; n++) {
        cars_alloc_count(1);
        cars_alloc_fail_after(n);
        cars_reader *r = cars_reader_new(&T.p);
        if (r) {
            const char *j = VALID;
            bool ok = cars_reader_parse(r, j, strlen(j));
            if (!ok) {
                assert_string_equal(cars_reader_error(r), "out of memory reading the record");
                assert_true(cars_reader_out_of_memory(r));
            }
            worked = ok;
            cars_reader_free(r);
        }
        cars_alloc_fail_after(-1);
    }
    assert_true(worked);
}

/* Random mutations of valid records (deterministic PRNG): never a crash
 * (ASan/UBSan in make test), and parsing the same line twice, with another
 * line in between, gives the same verdict and error. */
static void test_mutations(void **s)
{
    (void)s;
    const char *seed_lines[] = {
        BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"length_days\":3,\"cost_gbp\":1.5},\"contact\":{\"email\":\"a\\u00e9@b\"},"
                             "\"travel_history\":[{\"country\":\"USA\",\"year\":2024,\"complied\":true},{\"country\":\"FRA\","
                             "\"year\":2020,\"complied\":false}],\"x\":[null,{\"y\":\"\\ud83d\\ude00\"}]}",
        VALID,
    };
    static const char alphabet[] = "{}[]\",:0123456789-+.eE\\utrfalsn \x00\xff\xc3\xa9";
    uint64_t x = 88172645463325252ull;
    char line[1024], err1[600];
    for (int iter = 0; iter < 20000; iter++) {
        const char *src = seed_lines[iter % 2];
        size_t n = strlen(src);
        memcpy(line, src, n);
        int edits = 1 + (int)(iter % 4);
        for (int e = 0; e < edits; e++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t at = (size_t)(x % n);
            char c = alphabet[(x >> 20) % (sizeof alphabet - 1)];
            switch ((x >> 40) % 3) {
            case 0: line[at] = c; break;                                                  /* replace */
            case 1: if (n < sizeof line - 1) { memmove(line + at + 1, line + at, n - at); line[at] = c; n++; } break;
            default: if (n > 1) { memmove(line + at, line + at + 1, n - at - 1); n--; } break; /* delete */
            }
        }
        bool ok1 = cars_reader_parse(R, line, n);
        snprintf(err1, sizeof err1, "%s", cars_reader_error(R));
        assert_true(cars_reader_parse(R, VALID, strlen(VALID)));
        bool ok2 = cars_reader_parse(R, line, n);
        assert_int_equal(ok1, ok2);
        if (!ok1)
            assert_string_equal(err1, cars_reader_error(R));
    }
}

/* Numbers read as strtod reads them, bit for bit (the reader has a fast
 * path for short decimals). */
/* cars_reader_parse_padded reads the line where it is, in a block whose
 * bytes after the line's '\n' (or NUL) are whatever the next lines hold:
 * here the most hostile ones (closing brackets, quotes, digits). A line
 * cut short must stay refused, and every line gets the verdict, the error
 * and the id that cars_reader_parse gives it. */
static void test_padded(void **s)
{
    (void)s;
    static const char *const lines[] = {
        VALID, "{\"id\":\"a\",\"x\":1", "{\"id\":\"a\",\"x\":[1,2", "{\"id\":\"a\",\"x\":tru", "{\"id\":\"a\",\"x\":\"b",
        "{\"id\":\"a\",\"x\":", "{\"id\":\"a\"", "{", "", VALID " ", "{\"id\":\"a\",\"x\":\"\\u00e9\"," VALID + 1,
    };
    cars_reader *c = cars_reader_new(&T.p);
    assert_non_null(c);
    static char block[8192];
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        size_t n = strlen(lines[i]);
        assert_true(n + 1 + CARS_READER_PAD <= sizeof block);
        for (int end = 0; end < 2; end++) {
            memcpy(block, lines[i], n);
            block[n] = end ? '\0' : '\n';
            for (size_t k = n + 1; k < n + 1 + CARS_READER_PAD; k++)
                block[k] = "}]\"1e,:"[k % 7];
            bool ok = cars_reader_parse(c, lines[i], n), pok = cars_reader_parse_padded(R, block, n);
            if (ok != pok)
                fail_msg("%s: copied %d, padded %d: %s", lines[i], ok, pok, cars_reader_error(R));
            assert_string_equal(cars_reader_error(c), cars_reader_error(R));
            assert_int_equal(cars_reader_record(c)->has_id, cars_reader_record(R)->has_id);
        }
    }
    cars_reader_free(c);
}

/* What simdjson's On-Demand API alone would let through or refuse, around
 * an otherwise valid record: the reader (simdjson) must give the verdict
 * and the error of the referee (yajl's reading, cars_reader_parse_yajl). */
static void test_simdjson_gaps(void **s)
{
    (void)s;
    static const char *const refused[] = {
        "\"x\":[1 2],", "\"x\":tru,", "\"x\":01,", "\"x\":1.,", "\"x\":-,", "\"x\":nul,", "\"x\":truex,",
        "\"x\":\"b\":1,", "\"x\":\"\\q\",", "\"x\":\"\\ud800\",", "\"x\":\"\\udc00\",", "\"x\":{\"a\":1 \"b\":2},",
        "\"x\":[1,],", "\"x\":{,},", "\"r\\u006fute\":\"standard_visitor\",", "\"x\":1,\"x\":2,",
        "\"x\":\"\x01\",", "\"x\":\f1,", "\"x\":0\"a\",", "\"x\":1.5\"\",", "\"x\":true\"a\",",
        "\"x\":null\"a\",", "\"x\":[1\"a\"],", "\"x\":\"a\"1,", "\"x\":\"a\"\"b\",",
    };
    static const char *const accepted[] = {
        "\"x\":1e400,", "\"x\":-0.0e+5,", "\"x\":\"\\u00e9\\ud83d\\ude00\",", "\"x\":[[[]],{}],",
        "\"\\u0078\":{\"y\":null},", "\"x\":123456789012345678901234567890,",
    };
    cars_reader *y = cars_reader_new(&T.p);
    assert_non_null(y);
    char line[512];
    for (size_t i = 0; i < sizeof refused / sizeof *refused + sizeof accepted / sizeof *accepted; i++) {
        bool want = i >= sizeof refused / sizeof *refused;
        const char *extra = want ? accepted[i - sizeof refused / sizeof *refused] : refused[i];
        snprintf(line, sizeof line, "{%s%s", extra, VALID + 1);
        bool ok = cars_reader_parse(R, line, strlen(line)), yok = cars_reader_parse_yajl(y, line, strlen(line));
        if (ok != want || yok != want)
            fail_msg("%s: simdjson %d, yajl %d (want %d): %s", line, ok, yok, want, cars_reader_error(R));
        assert_string_equal(cars_reader_error(R), cars_reader_error(y));
    }
    /* trailing content, nesting past the limit, a lone surrogate in a key */
    const char *more[] = {VALID " x", VALID "}", VALID "{}", "{\"\\ud800\":1," VALID + 1, VALID "\"", VALID " \"ab"};
    for (size_t i = 0; i < sizeof more / sizeof *more; i++) {
        assert_false(cars_reader_parse(R, more[i], strlen(more[i])));
        assert_false(cars_reader_parse_yajl(y, more[i], strlen(more[i])));
        assert_string_equal(cars_reader_error(R), cars_reader_error(y));
    }
    cars_reader_free(y);
}

static void test_numbers_as_strtod(void **s)
{
    (void)s;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    char num[64], line[512];
    for (int iter = 0; iter < 200000; iter++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int ndig = 1 + (int)(x % 18), dot = (int)((x >> 8) % (unsigned)(ndig + 1));
        size_t o = 0;
        if ((x >> 16) & 1)
            num[o++] = '-';
        uint64_t y = x;
        for (int k = 0; k < ndig; k++) {
            if (k == dot && k > 0)
                num[o++] = '.';
            y = y * 6364136223846793005ull + 1442695040888963407ull;
            num[o++] = (char)('0' + (k == 0 && ndig > 1 && dot != 1 ? 1 + (y >> 60) % 9 : (y >> 59) % 10));
        }
        num[o] = '\0';
        snprintf(line, sizeof line, BASE_HEAD APPLICANT "," CRIM ",\"visit\":{\"cost_gbp\":%s}}", num);
        bool ok = cars_reader_parse(R, line, strlen(line));
        double want = strtod(num, NULL);
        if (want < 0) {
            assert_false(ok);
            continue;
        }
        if (!ok)
            fail_msg("refused %s: %s", num, cars_reader_error(R));
        double got = cars_reader_record(R)->v[F_COST].f;
        if (memcmp(&got, &want, sizeof got) != 0)
            fail_msg("%s: read %.17g, strtod %.17g", num, got, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),      cmocka_unit_test(test_values),     cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_depth),      cmocka_unit_test(test_required),   cmocka_unit_test(test_types),
        cmocka_unit_test(test_duplicates), cmocka_unit_test(test_id_twice),   cmocka_unit_test(test_long_list),
        cmocka_unit_test(test_no_allocation),
        cmocka_unit_test(test_alloc_failure), cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_numbers_as_strtod), cmocka_unit_test(test_list_non_objects),
        cmocka_unit_test(test_duplicate_check_n_log_n), cmocka_unit_test(test_utf8_exhaustive),
        cmocka_unit_test(test_utf8_messages), cmocka_unit_test(test_control_and_bom), cmocka_unit_test(test_render),
        cmocka_unit_test(test_empty_keys), cmocka_unit_test(test_simdjson_gaps), cmocka_unit_test(test_padded),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

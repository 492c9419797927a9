/* test_reader_walk.c - the reader's accept path, the walk directed by the
 * schema (vm/reader_walk.c), held to yajl and the state machine (the
 * referee, cars_reader_parse_yajl): every kind of line the walk refuses
 * gets the referee's error, word for word, and every line it accepts
 * fills the record exactly as the referee does (unknown keys, elements,
 * nulls, escaped keys and strings, whitespace, any order of keys). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "reader.h"
#include "testprog.h"

static tp T;
static cars_reader *R, *Y; /* the reader, and the referee */

static int setup(void **s)
{
    (void)s;
    tp_standard(&T);
    R = cars_reader_new(&T.p);
    Y = cars_reader_new(&T.p);
    return R && Y ? 0 : -1;
}

static int teardown(void **s)
{
    (void)s;
    cars_reader_free(R);
    cars_reader_free(Y);
    return 0;
}

#define HEAD "\"id\":\"T-1\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\","
#define APPL "\"applicant\":{\"date_of_birth\":\"1980-05-05\",\"nationality\":\"USA\"," \
             "\"passport\":{\"number\":\"x1\",\"issuing_country\":\"GBR\"}}"
#define CRIM "\"criminality\":{\"war_crimes\":false}"
#define BODY HEAD APPL "," CRIM
#define TRAVEL "{\"country\":\"FRA\",\"year\":2020,\"complied\":true}"

/* line is refused with msg, by the reader and by the referee alike. */
static void refused(const char *line, const char *msg)
{
    if (cars_reader_parse(R, line, strlen(line)))
        fail_msg("accepted: %s", line);
    assert_false(cars_reader_parse_yajl(Y, line, strlen(line)));
    assert_string_equal(cars_reader_error(R), cars_reader_error(Y));
    assert_string_equal(cars_reader_error(R), msg);
    assert_int_equal(cars_reader_record(R)->has_id, cars_reader_record(Y)->has_id);
}

/* head + tail refused as not valid JSON: msg, the grammar broken at
 * tail's first byte, where `found` is (NULL: the line ends too soon). */
static void refused_json(const char *head, const char *tail, const char *msg, const char *found)
{
    char line[2048], want[2600];
    snprintf(line, sizeof line, "%s%s", head, tail);
    if (found)
        snprintf(want, sizeof want, "not valid JSON: %s; found %s at byte %zu", msg, found, strlen(head) + 1);
    else
        snprintf(want, sizeof want, "not valid JSON: %s; the line ends after byte %zu", msg, strlen(line));
    refused(line, want);
}

static void same_value(const cars_value *a, const cars_value *b, uint8_t type)
{
    assert_int_equal(a->known, b->known);
    if (!a->known)
        return;
    if (type == CARS_FT_NUMBER)
        assert_true(a->f == b->f);
    else
        assert_int_equal(a->i, b->i);
}

/* line is accepted by both, and the records are the same. */
static void accepted(const char *line)
{
    if (!cars_reader_parse(R, line, strlen(line)))
        fail_msg("refused: %s: %s", line, cars_reader_error(R));
    if (!cars_reader_parse_yajl(Y, line, strlen(line)))
        fail_msg("the referee refused: %s: %s", line, cars_reader_error(Y));
    const cars_record *a = cars_reader_record(R), *b = cars_reader_record(Y);
    assert_int_equal(a->has_id, b->has_id);
    assert_int_equal(a->id.len, b->id.len);
    assert_memory_equal(a->id.p, b->id.p, a->id.len);
    for (uint32_t f = 0; f < T.p.nfields; f++) {
        const cars_pfield *pf = &T.p.fields[f];
        same_value(&a->v[f], &b->v[f], pf->type);
        if (pf->type == CARS_FT_STRING && a->v[f].known) {
            assert_int_equal(a->s[f].len, b->s[f].len);
            assert_memory_equal(a->s[f].p, b->s[f].p, a->s[f].len);
        }
        if (pf->type != CARS_FT_LIST)
            continue;
        assert_int_equal(a->lists[f].n, b->lists[f].n);
        for (uint32_t e = 0; e < a->lists[f].n * a->lists[f].stride; e++)
            same_value(&a->lists[f].elems[e], &b->lists[f].elems[e],
                       T.p.elem_fields[pf->elems_first + e % a->lists[f].stride].type);
    }
}

static void test_refusals_json(void **s)
{
    (void)s;
    /* where the grammar broke: the token found there and its byte (1-based) */
    refused_json("{\"id\":\"T-1\"", "", "premature EOF", NULL);
    refused("[" "{" BODY "}]", "not a JSON object");
    refused_json("{", "1:2}", "invalid object key (must be a string)", "1");
    refused_json("{\"id\" ", "\"T-1\"}", "object key and value must be separated by a colon (':')", "\"T-1\"");
    refused_json("{" BODY " ", "\"x\":1}", "after key and value, inside map, I expect ',' or '}'", "\"x\"");
    refused_json("{" BODY ",\"x\":[1 ", "2]}", "after array element, I expect ',' or ']'", "2");
    refused_json("{" BODY ",\"travel_history\":[" TRAVEL " ", TRAVEL "]}",
                 "after array element, I expect ',' or ']'", "{");
    refused_json("{" BODY ",\"x\":", "tru}", "invalid string in json text", "tru");
    refused_json("{" BODY ",\"x\":", "01}", "after key and value, inside map, I expect ',' or '}'", "01");
    refused_json("{" BODY ",\"x\":", "\"\\q\"}", "inside a string, '\\' occurs before a character which it may not",
                 "\"\\q\"");
    refused_json("{" BODY ",", "\"\\q\":1}", "inside a string, '\\' occurs before a character which it may not",
                 "\"\\q\"");
    refused_json("{" BODY "} ", "{}", "trailing garbage", "{");
    /* a string left open: where it opens */
    refused_json("{" BODY ",\"x\":", "\"open}", "premature EOF", "\"open}");
    /* an invisible character is named, not shown */
    refused_json("{" BODY ",\"x\":", "\xE2\x80\x8B" "1}", "invalid char in json text", "U+200B (an invisible character)");
    /* a long token: its first 24 bytes */
    refused_json("{" BODY ",\"x\":", "abcdefghijklmnopqrstuvwxyz}", "invalid char in json text",
                 "abcdefghijklmnopqrstuvwx");
}

/* The byte a refusal names: "...at byte N" (N), "...the line ends after
 * byte N" (N, *ends set), or 0 when it names none. */
static size_t named_byte(const char *err, bool *ends)
{
    const char *a = strstr(err, " at byte "), *e = strstr(err, "; the line ends after byte ");
    *ends = e != NULL;
    return e ? strtoul(e + 27, NULL, 10) : a ? strtoul(a + 9, NULL, 10) : 0;
}

/* The class of the messages above: a byte inserted where a value or key
 * may start is named exactly there; a record cut short anywhere is named
 * at its end or at a byte before (a string or token it leaves open). */
static void test_refusals_json_where(void **s)
{
    (void)s;
    const char *rec = "{" BODY ",\"travel_history\":[" TRAVEL "," TRAVEL "]}";
    size_t n = strlen(rec), inserted = 0;
    char line[2048];
    bool in_str = false, ends;
    for (size_t k = 1; k < n; k++) {
        char c = rec[k - 1];
        if (c == '"' && (k < 2 || rec[k - 2] != '\\'))
            in_str = !in_str;
        if (in_str || !strchr("{[,:", c))
            continue;
        for (const char *ins = "#x"; *ins; ins++) { /* '#' and 'x' start no JSON token */
            memcpy(line, rec, k);
            line[k] = *ins;
            memcpy(line + k + 1, rec + k, n - k + 1);
            assert_false(cars_reader_parse(R, line, n + 1));
            const char *err = cars_reader_error(R);
            if (strncmp(err, "not valid JSON: ", 16) != 0 || named_byte(err, &ends) != k + 1 || ends)
                fail_msg("'%c' inserted at byte %zu: %s", *ins, k + 1, err);
            inserted++;
        }
    }
    for (size_t m = 1; m < n; m++) {
        memcpy(line, rec, m);
        assert_false(cars_reader_parse(R, line, m));
        const char *err = cars_reader_error(R);
        size_t at = named_byte(err, &ends);
        if (strncmp(err, "not valid JSON: ", 16) != 0 || at == 0 || at > m || (ends && at != m))
            fail_msg("cut after byte %zu: %s", m, err);
    }
    assert_int_equal(inserted, 2 * 38); /* before each of its 18 keys and 18 values and its list's 2 elements */
}

static void test_refusals_schema(void **s)
{
    (void)s;
    refused("{" BODY ",\"finances\":{\"owns_property\":1}}", "finances.owns_property: expected true or false, got 1");
    refused_json("{" BODY ",\"finances\":{\"owns_property\":", "nul}}", "invalid string in json text", "nul");
    refused("{" BODY ",\"visit\":{\"length_days\":-1}}", "visit.length_days: expected an integer \xe2\x89\xa5 0, got -1");
    refused("{" BODY ",\"visit\":{\"length_days\":{}}}",
            "visit.length_days: expected an integer \xe2\x89\xa5 0, got an object");
    refused("{" BODY ",\"visit\":{\"cost_gbp\":1e400}}",
            "visit.cost_gbp: expected a number \xe2\x89\xa5 0, got 1e400: too large (at most about 1.8e308)");
    refused("{" BODY ",\"visit\":{\"cost_gbp\":true}}", "visit.cost_gbp: expected a number \xe2\x89\xa5 0, got true");
    refused("{" BODY ",\"contact\":{\"email\":[]}}", "contact.email: expected a string, got a list");
    refused("{" BODY ",\"contact\":{\"email\":7}}", "contact.email: expected a string, got 7");
    refused("{" BODY ",\"contact\":7}", "contact: expected an object, got 7");
    refused("{" BODY ",\"contact\":[]}", "contact: expected an object, got a list");
    refused("{" BODY ",\"contact\":\"x\"}", "contact: expected an object, got \"x\"");
    refused("{\"id\":\"T-1\",\"received\":\"2026-02-29\",\"route\":\"standard_visitor\"," APPL "," CRIM "}",
            "received: 2026-02-29 is not a date");
    refused("{\"id\":\"T-1\",\"received\":\"2026-11-01\",\"route\":\"Standard_visitor\"," APPL "," CRIM "}",
            "route: \"Standard_visitor\" is not one of standard_visitor, marriage_visitor, overseas_domestic_worker");
    refused("{" BODY ",\"travel_history\":[" TRAVEL ",null]}", "travel_history[1]: expected an object, got null");
    refused("{" BODY ",\"travel_history\":[{\"country\":\"FRA\",\"year\":2020,\"complied\":null}]}",
            "missing required field travel_history[0].complied");
    refused("{" BODY ",\"travel_history\":[{\"country\":\"fra\",\"year\":2020,\"complied\":true}]}",
            "travel_history[0].country: expected a country code (3 upper-case letters), got \"fra\"");
    refused("{" BODY ",\"travel_history\":[{\"country\":\"FRA\",\"year\":[],\"complied\":true}]}",
            "travel_history[0].year: expected an integer, got a list");
    refused("{" BODY ",\"travel_history\":[{\"country\":\"FRA\",\"year\":{},\"complied\":true}]}",
            "travel_history[0].year: expected an integer, got an object");
    refused("{" BODY ",\"travel_history\":{}}", "travel_history: expected a list, got an object");
    refused("{" BODY ",\"travel_history\":7}", "travel_history: expected a list, got 7");
    refused("{" HEAD APPL "}", "missing required field criminality.war_crimes");
}

static void test_refusals_duplicates(void **s)
{
    (void)s;
    refused("{" BODY ",\"id\":\"T-2\"}", "duplicate key \"id\"");
    refused("{" BODY ",\"criminality\":null}", "duplicate key \"criminality\"");
    refused("{" BODY ",\"x\":1,\"y\":{},\"x\":[]}", "duplicate key \"x\"");
    refused("{" BODY ",\"x\":{\"a\":1,\"b\":2,\"a\":3}}", "x: duplicate key \"a\"");
    refused("{" BODY ",\"x\":[{\"a\":1,\"a\":2}]}", "x[0]: duplicate key \"a\"");
    refused("{" BODY ",\"contact\":{\"q\":1,\"q\":1}}", "contact: duplicate key \"q\"");
    refused("{" BODY ",\"travel_history\":[" TRAVEL ",{\"country\":\"FRA\",\"year\":1,\"complied\":true,\"year\":2}]}",
            "travel_history[1]: duplicate key \"year\"");
    refused("{" BODY ",\"travel_history\":[{\"z\":1,\"country\":\"FRA\",\"year\":1,\"complied\":true,\"z\":2}]}",
            "travel_history[0]: duplicate key \"z\"");
    /* an escaped key is the key it decodes to */
    refused("{" BODY ",\"\\u0069d\":\"T-2\"}", "duplicate key \"id\"");
    refused("{" BODY ",\"x\\u0041\":1,\"xA\":2}", "duplicate key \"xA\"");
}

static void test_limits(void **s)
{
    (void)s;
    char line[600];
    for (int levels = 62; levels <= 65; levels++) { /* the root object is a level */
        int n = snprintf(line, sizeof line, "{" BODY ",\"x\":");
        for (int i = 1; i < levels; i++)
            n += sprintf(line + n, i % 2 ? "[" : "{\"k\":");
        line[n++] = '0';
        for (int i = levels - 1; i >= 1; i--)
            line[n++] = i % 2 ? ']' : '}';
        line[n++] = '}';
        line[n] = '\0';
        if (levels <= 64)
            accepted(line);
        else
            refused(line, "nesting deeper than 64 levels");
    }
}

static void test_accepted(void **s)
{
    (void)s;
    accepted("{" BODY "}");
    accepted("{" CRIM "," APPL "," HEAD "\"x\":{\"y\":[[{}]]},\"z\":null}");
    accepted("{ " HEAD " \"applicant\" : { \"passport\" : {\"issuing_country\" : \"GBR\" , \"number\" : \"x 1\" } ,"
             "\"nationality\":\"USA\",\"date_of_birth\":\"1980-05-05\"\t} ,\r" CRIM " }");
    /* nulls: absent, objects and lists too */
    accepted("{" BODY ",\"contact\":null,\"visit\":{\"length_days\":null,\"cost_gbp\":null},\"travel_history\":null,"
             "\"finances\":{\"owns_property\":null}}");
    /* elements: unknown keys, keys in any order, empty lists, scalars of every type */
    accepted("{" BODY ",\"travel_history\":[]}");
    accepted("{" BODY ",\"travel_history\":[" TRAVEL ",{\"complied\":false,\"x\":[1,{\"a\":2}],\"year\":-7,"
             "\"country\":\"DEU\",\"y\":\"q\"}," TRAVEL "]}");
    accepted("{" BODY ",\"visit\":{\"length_days\":0,\"cost_gbp\":1234567.891},\"finances\":{\"owns_property\":true}}");
    accepted("{" BODY ",\"visit\":{\"length_days\":9223372036854775807,\"cost_gbp\":1e3}}");
    accepted("{" BODY ",\"visit\":{\"cost_gbp\":0.1234567890123456789}}");
    /* unknown keys: the same key in different objects, escaped strings and keys */
    accepted("{" BODY ",\"a\":{\"k\":1},\"b\":{\"k\":2},\"k\":[{\"k\":1},{\"k\":1}]}");
    accepted("{\"\\u0069d\":\"a\\\"b\\\\c\\u00e9\",\"received\":\"2026-11-01\",\"r\\u006fute\":\"standard_visitor\","
             APPL "," CRIM ",\"contact\":{\"email\":\"x\\/y@z\",\"phone\":\"\\t1\"}}");
    accepted("{\"id\":\"\",\"received\":\"2026-11-01\",\"route\":\"standard_visitor\"," APPL "," CRIM ",\"\":1}");
    /* a backslash elsewhere in the line: strings are found by scanning */
    accepted("{" BODY ",\"q\":\"\\n\",\"contact\":{\"email\":\"a@b\",\"phone\":\"\"}}");
}

/* Keys past 16 bytes are compared whole: a key that shares a field's
 * length and its first and last 8 bytes is another key. */
static void test_long_keys(void **s)
{
    (void)s;
    static tp L;
    tp_standard(&L);
    tp_field(&L, F__N, TP_S("visit.a_rather_long_key_name"), CARS_FT_INTEGER, 0);
    tp_field(&L, F__N + 1, TP_S("visit.a_rather_long_key_name_too"), CARS_FT_INTEGER, 0);
    L.p.nfields = F__N + 2;
    cars_reader *r = cars_reader_new(&L.p), *y = cars_reader_new(&L.p);
    assert_non_null(r);
    assert_non_null(y);
    static const char *const lines[] = {
        "{" BODY ",\"visit\":{\"a_rather_long_key_name\":1,\"a_rather_long_key_name_too\":2}}",
        "{" BODY ",\"visit\":{\"a_rather_lXng_key_name\":1,\"a_rather_long_kXy_name_too\":2}}",
        "{" BODY ",\"visit\":{\"a_rather_long_key_name\":1,\"a_rather_long_key_name\":2}}",
    };
    static const bool ok[] = {true, true, false};
    static const bool known[] = {true, false, false};
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        assert_int_equal(cars_reader_parse(r, lines[i], strlen(lines[i])), ok[i]);
        assert_int_equal(cars_reader_parse_yajl(y, lines[i], strlen(lines[i])), ok[i]);
        assert_string_equal(cars_reader_error(r), cars_reader_error(y));
        if (!ok[i])
            continue;
        for (int f = F__N; f < F__N + 2; f++) {
            assert_int_equal(cars_reader_record(r)->v[f].known, known[i]);
            assert_int_equal(cars_reader_record(y)->v[f].known, known[i]);
        }
        if (known[i])
            assert_int_equal(cars_reader_record(r)->v[F__N + 1].i, 2);
    }
    assert_string_equal(cars_reader_error(r), "visit: duplicate key \"a_rather_long_key_name\"");
    cars_reader_free(r);
    cars_reader_free(y);
}

/* An enum's members are compared by their words (first 8 bytes, last 8,
 * length) and past 16 bytes whole: a text that shares a member's length
 * and words but not its middle, or one byte of it, is no member. */
static void test_enum_members(void **s)
{
    (void)s;
    static const char *const members[] = {"standard_visitor", "marriage_visitor", "overseas_domestic_worker"};
    for (size_t i = 0; i < sizeof members / sizeof *members; i++) {
        char line[1024];
        snprintf(line, sizeof line, "{\"id\":\"T-1\",\"received\":\"2026-11-01\",\"route\":\"%s\"," APPL "," CRIM "}",
                 members[i]);
        accepted(line);
        assert_int_equal(cars_reader_record(R)->v[F_ROUTE].i, (int64_t)i);
    }
    static const char *const others[] = {"standard_visitoR", "Standard_visitor", "standard",
                                         "standard_visitor_", "overseas_domestic_workeR", "overseas_domXstic_worker",
                                         "overseas_domestic_worke", "", "marriage_visitorstandard_visitor"};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        char line[1024], msg[256];
        snprintf(line, sizeof line, "{\"id\":\"T-1\",\"received\":\"2026-11-01\",\"route\":\"%s\"," APPL "," CRIM "}",
                 others[i]);
        snprintf(msg, sizeof msg,
                 "route: \"%s\" is not one of standard_visitor, marriage_visitor, overseas_domestic_worker", others[i]);
        refused(line, msg);
    }
}

/* Numbers as integer fields (with a min and without) and as a number field
 * with a min: the walk's one-scan conversion and its fall-backs give what
 * the referee gives, value for value and refusal for refusal. */
static void test_numbers(void **s)
{
    (void)s;
    static const char *const nums[] = {
        "0", "-0", "7", "-7", "0.0", "-0.0", "0.05", "-0.05", "1.5", "12345678901234", "123456789012345",
        "1234567890123456", "12345678901234.5", "1234567890123.45", "0.123456789012345", "0.1234567890123456",
        "999999999999999999", "-999999999999999999", "1000000000000000000", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "123456789012345678901234567890", "1e3", "1E3", "1e-3", "-1e+2", "1.0e1", "2.5E-1", "1e400", "-1e400",
        "100.000000000000", "3.14159", "-3.14159", "00", "01", "1.", ".5", "-", "1e", "1e+", "--1", "0x10"};
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
        char lines[3][1024];
        snprintf(lines[0], sizeof lines[0], "{" BODY ",\"visit\":{\"length_days\":%s}}", nums[i]);
        snprintf(lines[1], sizeof lines[1], "{" BODY ",\"visit\":{\"cost_gbp\":%s}}", nums[i]);
        snprintf(lines[2], sizeof lines[2],
                 "{" BODY ",\"travel_history\":[{\"country\":\"FRA\",\"year\":%s,\"complied\":true}]}", nums[i]);
        for (int k = 0; k < 3; k++) {
            bool ok = cars_reader_parse(R, lines[k], strlen(lines[k]));
            if (ok)
                accepted(lines[k]);
            else
                assert_false(cars_reader_parse_yajl(Y, lines[k], strlen(lines[k])));
            assert_string_equal(cars_reader_error(R), cars_reader_error(Y));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals_json),       cmocka_unit_test(test_refusals_json_where),
        cmocka_unit_test(test_refusals_schema),
        cmocka_unit_test(test_refusals_duplicates), cmocka_unit_test(test_limits),
        cmocka_unit_test(test_accepted),            cmocka_unit_test(test_long_keys),
        cmocka_unit_test(test_enum_members),        cmocka_unit_test(test_numbers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

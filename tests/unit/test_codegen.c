/* test_codegen.c - code generation end to end: small rulesets are parsed,
 * checked, compiled, written as bundles, loaded and verified, and records
 * are routed through the VM's reader and interpreter. Covers Kleene logic
 * with absent data, arithmetic and dates, sets, strings, quantifiers, bulk
 * tables (normalisation), thresholds, bad table files, and reproducible
 * builds (same bytes twice, and from another working directory). */
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
#include "bundle_write.h"
#include "check.h"
#include "codegen.h"
#include "compile.h"
#include "loader.h"
#include "parse.h"
#include "reader.h"
#include "vm.h"

static char dir[64];

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/cars-cg-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A compiled ruleset with a reader and a VM. */
typedef struct rig {
    cars_compiled c;
    cars_reader *rd;
    cars_vm *vm;
    char got[256];
} rig;

static void compile_ok(rig *r, const char *text)
{
    write_file("r.cars", text);
    char path[128];
    snprintf(path, sizeof path, "%s/r.cars", dir);
    cars_check_options opt = {0};
    bool ok = cars_compile(path, &opt, "t", &r->c);
    if (!ok) {
        cars_diags_print(&r->c.diags, stderr);
        fail_msg("does not compile: %s", r->c.error);
    }
    r->rd = cars_reader_new(&r->c.loaded);
    r->vm = cars_vm_new(&r->c.loaded);
    assert_non_null(r->rd);
    assert_non_null(r->vm);
}

static void rig_free(rig *r)
{
    cars_reader_free(r->rd);
    cars_vm_free(r->vm);
    cars_compiled_free(&r->c);
}

static const char *const OUT[] = {"NCXDR", "NCXPCA", "CXDR", "CXPCA", "NONE", "ERROR"};

/* Routes one JSON record: "OUTCOME R-1 R-2". */
static const char *route(rig *r, const char *json)
{
    if (!cars_reader_parse(r->rd, json, strlen(json))) {
        snprintf(r->got, sizeof r->got, "ERROR %s", cars_reader_error(r->rd));
        return r->got;
    }
    cars_result res;
    char err[128];
    assert_int_equal(cars_vm_route(r->vm, cars_reader_record(r->rd), &res, err, sizeof err), 0);
    size_t n = (size_t)snprintf(r->got, sizeof r->got, "%s", OUT[res.outcome]);
    for (uint32_t i = 0; i < res.nrules; i++) {
        const cars_str *id = &r->c.loaded.rules[res.rules[i]].id;
        n += (size_t)snprintf(r->got + n, sizeof r->got - n, " %.*s", (int)id->len, id->p);
    }
    return r->got;
}

#define SCHEMA                                                                 \
    "schema {\n"                                                               \
    "  id: string required\n"                                                  \
    "  received: date required reference\n"                                    \
    "  purpose: one of [tourism, business, medical] required\n"                \
    "  stay: integer optional\n"                                               \
    "  cost: number optional\n"                                                \
    "  savings: number optional\n"                                             \
    "  arrival: date optional\n"                                               \
    "  expiry: date optional\n"                                                \
    "  flag: bool optional\n"                                                  \
    "  other: bool optional\n"                                                 \
    "  home: country optional\n"                                               \
    "  email: string optional\n"                                               \
    "  trips: list of {\n"                                                     \
    "    country: country required\n"                                          \
    "    year: integer required\n"                                             \
    "    ok: bool required\n"                                                  \
    "  } optional\n"                                                           \
    "}\n"

#define REC(extra) "{\"id\":\"A\",\"received\":\"2026-11-01\",\"purpose\":\"tourism\"" extra "}"

static void t_logic_and_absent(void **state)
{
    (void)state;
    rig r;
    compile_ok(&r, SCHEMA
               "single S-1 complex \"and\" { when flag and other }\n"
               "single S-2 complex \"or\" { when flag or other }\n"
               "single S-3 complex \"not\" { when not flag }\n"
               "routing {\n  complex singles -> CXDR\n  otherwise -> NCXDR\n}\n");
    assert_string_equal(route(&r, REC("")), "NCXDR");
    assert_string_equal(route(&r, REC(",\"flag\":true")), "CXDR S-2");
    assert_string_equal(route(&r, REC(",\"other\":true")), "CXDR S-2");
    assert_string_equal(route(&r, REC(",\"flag\":false")), "CXDR S-3");
    assert_string_equal(route(&r, REC(",\"flag\":true,\"other\":true")), "CXDR S-1 S-2");
    assert_string_equal(route(&r, REC(",\"flag\":false,\"other\":null")), "CXDR S-3");
    rig_free(&r);
}

/* Chains jump straight to their end: every mix of true, false and absent. */
static void t_logic_chains(void **state)
{
    (void)state;
    rig r;
    compile_ok(&r, SCHEMA
               "single S-1 complex \"or3\" { when flag or other or stay > 1 }\n"
               "single S-2 complex \"and3\" { when flag and other and stay > 1 }\n"
               "single S-3 complex \"not and3\" { when not (flag and other and stay > 1) }\n"
               "routing {\n  complex singles -> CXDR\n  otherwise -> NCXDR\n}\n");
    static const char *const vals[3] = {"true", "false", NULL};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 3; c++) {
                char rec[256];
                int v[3] = {a, b, c}; /* 0 true, 1 false, 2 absent */
                snprintf(rec, sizeof rec, REC("%s%s%s%s%s%s"),
                         a < 2 ? ",\"flag\":" : "", a < 2 ? vals[a] : "",
                         b < 2 ? ",\"other\":" : "", b < 2 ? vals[b] : "",
                         c < 2 ? ",\"stay\":" : "", c == 0 ? "2" : c == 1 ? "0" : "");
                bool any_t = false, any_f = false, any_u = false;
                for (int k = 0; k < 3; k++) {
                    any_t |= v[k] == 0;
                    any_f |= v[k] == 1;
                    any_u |= v[k] == 2;
                }
                char want[64] = "CXDR";
                if (any_t)
                    strcat(want, " S-1");
                if (!any_f && !any_u)
                    strcat(want, " S-2");
                if (any_f)
                    strcat(want, " S-3");
                if (strcmp(want, "CXDR") == 0)
                    strcpy(want, "NCXDR");
                assert_string_equal(route(&r, rec), want);
            }
    rig_free(&r);
}

static void t_arith_dates(void **state)
{
    (void)state;
    rig r;
    compile_ok(&r, SCHEMA
               "let end = arrival + stay days\n"
               "single S-1 complex \"long\" { when stay > 90 }\n"
               "single S-2 complex \"ends late\" { when end > expiry }\n"
               "single S-3 complex \"savings\" { when savings >= cost * 3 }\n"
               "single S-4 complex \"between\" { when stay between 10 and 20 }\n"
               "single S-5 complex \"mix\" { when cost + stay > 100 }\n"
               "single S-6 complex \"before\" { when arrival - 2 days = received }\n"
               "routing {\n  complex singles -> CXDR\n  otherwise -> NCXDR\n}\n");
    assert_string_equal(route(&r, REC(",\"stay\":91")), "CXDR S-1");
    assert_string_equal(route(&r, REC(",\"stay\":90")), "NCXDR");
    assert_string_equal(route(&r, REC(",\"stay\":10,\"arrival\":\"2026-11-03\","
                                      "\"expiry\":\"2026-11-13\"")),
                        "CXDR S-4 S-6");
    assert_string_equal(route(&r, REC(",\"stay\":11,\"arrival\":\"2026-11-05\","
                                      "\"expiry\":\"2026-11-15\"")),
                        "CXDR S-2 S-4");
    assert_string_equal(route(&r, REC(",\"savings\":30,\"cost\":10")), "CXDR S-3");
    assert_string_equal(route(&r, REC(",\"savings\":29.99,\"cost\":10")), "NCXDR");
    assert_string_equal(route(&r, REC(",\"cost\":80.5,\"stay\":20")), "CXDR S-4 S-5");
    rig_free(&r);
}

static void t_sets_and_strings(void **state)
{
    (void)state;
    rig r;
    compile_ok(&r, SCHEMA
               "set allies = [USA, CAN]\n"
               "single S-1 complex \"c\" { when home in allies }\n"
               "single S-2 complex \"e\" { when purpose not in [tourism, medical] }\n"
               "single S-3 complex \"s\" { when email in [\"a@b\", \"c@d\"] }\n"
               "single S-4 complex \"s\" { when email != \"a@b\" }\n"
               "single S-5 complex \"i\" { when stay in [1, -2, 3] }\n"
               "single S-6 complex \"p\" { when email is absent and home is present }\n"
               "routing {\n  complex singles -> CXDR\n  otherwise -> NCXDR\n}\n");
    assert_string_equal(route(&r, REC(",\"home\":\"CAN\"")), "CXDR S-1 S-6");
    assert_string_equal(route(&r, REC(",\"home\":\"FRA\",\"email\":\"c@d\"")), "CXDR S-3 S-4");
    assert_string_equal(route(&r, REC(",\"email\":\"a@b\"")), "CXDR S-3");
    assert_string_equal(route(&r, "{\"id\":\"A\",\"received\":\"2026-11-01\","
                                  "\"purpose\":\"business\",\"stay\":-2}"),
                        "CXDR S-2 S-5");
    assert_string_equal(route(&r, REC("")), "NCXDR");
    rig_free(&r);
}

static void t_quantifiers(void **state)
{
    (void)state;
    rig r;
    compile_ok(&r, SCHEMA
               "multiple M-1 tier A \"any\" { when any(t in trips where t.ok and t.year within last 5 years) }\n"
               "multiple M-2 tier A \"all\" { when all(t in trips where t.ok) }\n"
               "multiple M-3 tier B \"none\" { when none(t in trips where t.country = USA) }\n"
               "multiple M-4 tier B \"count\" { when count(t in trips) >= 2 }\n"
               "threshold T \"t\" {\n  at least 2\n  at least 1 in tier A\n}\n"
               "routing {\n  threshold T -> NCXPCA otherwise CXPCA\n}\n");
    assert_string_equal(route(&r, REC("")), "CXPCA");
    assert_string_equal(route(&r, REC(",\"trips\":[]")), "NCXPCA M-2 M-3");
    assert_string_equal(route(&r, REC(",\"trips\":[{\"country\":\"USA\",\"year\":2021,\"ok\":true},"
                                      "{\"country\":\"FRA\",\"year\":2020,\"ok\":true}]")),
                        "NCXPCA M-1 M-2 M-4");
    assert_string_equal(route(&r, REC(",\"trips\":[{\"country\":\"USA\",\"year\":2020,\"ok\":false},"
                                      "{\"country\":\"FRA\",\"year\":2020,\"ok\":true}]")),
                        "CXPCA M-4");
    rig_free(&r);
}

#define TABLE_RULES                                                            \
    "schema {\n"                                                               \
    "  id: string required\n"                                                  \
    "  received: date required reference\n"                                    \
    "  email: email optional\n"                                                \
    "  phone: phone optional\n"                                                \
    "  pc: country required\n"                                                 \
    "  pn: string required\n"                                                  \
    "}\n"                                                                      \
    "table contacts \"c\" {\n  file \"contacts.csv\"\n  key contact: contact\n}\n" \
    "table docs \"d\" {\n  file \"docs.csv\"\n  key country: country, number: document\n}\n" \
    "screen BDT-C \"contact\" { when email in contacts or phone in contacts }\n" \
    "screen BDT-D \"doc\" { when (pc, pn) in docs }\n"                         \
    "exclusion X-1 \"x\" { when (pc, pn) not in docs and pn = \"EXCLUDE\" }\n"  \
    "routing {\n  exclusions -> NONE\n  screens -> CXDR\n  otherwise -> NCXDR\n}\n"

#define TREC(extra) "{\"id\":\"A\",\"received\":\"2026-11-01\",\"pc\":\"QZA\"" extra "}"

static void t_tables(void **state)
{
    (void)state;
    write_file("contacts.csv", "contact\nBad.Actor@Example.com \n\"+44 20 7946 0000\"\n");
    write_file("docs.csv", "country,number\r\nQZA,ab 12-345\r\n\r\nQZA,AB12345\r\n");
    rig r;
    compile_ok(&r, TABLE_RULES);
    assert_int_equal(r.c.loaded.tables[1].n, 1); /* the duplicate row is deduplicated */
    assert_string_equal(route(&r, TREC(",\"pn\":\"ab12345\"")), "CXDR BDT-D");
    assert_string_equal(route(&r, TREC(",\"pn\":\"X1\",\"email\":\" bad.actor@example.COM\"")),
                        "CXDR BDT-C");
    assert_string_equal(route(&r, TREC(",\"pn\":\"X1\",\"phone\":\"+442079460000\"")),
                        "CXDR BDT-C");
    assert_string_equal(route(&r, TREC(",\"pn\":\"X1\",\"phone\":\"+44 (0)20 7946 0000\"")),
                        "NCXDR");
    assert_string_equal(route(&r, TREC(",\"pn\":\"EXCLUDE\"")), "NONE X-1");
    /* a phone field compares by its digits, whatever else is typed in it */
    assert_string_equal(route(&r, TREC(",\"pn\":\"X1\",\"phone\":\"+44 20 7946 0000 @\"")),
                        "CXDR BDT-C");
    /* Unicode blanks are trimmed: a leading no-break space, a trailing BOM */
    assert_string_equal(route(&r, TREC(",\"pn\":\"X1\",\"phone\":\"\\u00a0+44 20 7946 0000\"")),
                        "CXDR BDT-C");
    assert_string_equal(route(&r, TREC(",\"pn\":\"X1\",\"email\":\"\\u00a0Bad.Actor@Example.com\\ufeff\"")),
                        "CXDR BDT-C");
    /* an email field compares as an email (trimmed, lower-cased), not by
     * its digits: a phone number typed into it matches only as written */
    assert_string_equal(route(&r, TREC(",\"pn\":\"X1\",\"email\":\"+44 20 7946 0000\"")), "NCXDR");
    assert_string_equal(route(&r, TREC(",\"pn\":\"X1\",\"email\":\" +442079460000\"")),
                        "CXDR BDT-C");
    /* a document loses Unicode blanks and dashes anywhere */
    assert_string_equal(route(&r, TREC(",\"pn\":\"ab\\u00a012\\u2010345\"")), "CXDR BDT-D");
    rig_free(&r);
}

/* Table cells: Unicode blanks trimmed as in records (a contact cell by its
 * own value). */
static void t_table_cells(void **state)
{
    (void)state;
    write_file("contacts.csv", "contact\n\xC2\xA0" "Bad.Actor@Example.com\xE2\x80\x8B\n"
                               "\xE3\x80\x80+44 20 7946 0000\n");
    write_file("docs.csv", "country,number\nQZA,ab\xE2\x80\x93" "12\xC2\xA0" "345\n");
    rig r;
    compile_ok(&r, TABLE_RULES);
    assert_string_equal(route(&r, TREC(",\"pn\":\"AB12345\"")), "CXDR BDT-D");
    assert_string_equal(route(&r, TREC(",\"pn\":\"X1\",\"email\":\"bad.actor@example.com\"")),
                        "CXDR BDT-C");
    assert_string_equal(route(&r, TREC(",\"pn\":\"X1\",\"phone\":\"+442079460000\"")),
                        "CXDR BDT-C");
    rig_free(&r);
}

static void bad_table(const char *csv, const char *want)
{
    write_file("contacts.csv", "contact\na@b\n");
    write_file("docs.csv", csv);
    write_file("r.cars", TABLE_RULES);
    char path[128];
    snprintf(path, sizeof path, "%s/r.cars", dir);
    cars_compiled c;
    cars_check_options opt = {0};
    assert_false(cars_compile(path, &opt, "t", &c));
    assert_true(c.diags.n >= 1);
    const cars_diag *g = &c.diags.items[0];
    char got[256];
    const char *file = strrchr(c.diags.files[g->span.file].path, '/');
    snprintf(got, sizeof got, "%s:%u:%u: %s", file ? file + 1 : "?", g->span.line, g->span.col,
             g->message);
    assert_string_equal(got, want);
    cars_compiled_free(&c);
}

static void t_bad_tables(void **state)
{
    (void)state;
    bad_table("country,num\nQZA,1\n",
              "docs.csv:1:1: the header row of table 'docs' must be 'country,number'");
    bad_table("country,number\nQZA,1\nusa,2\n", "docs.csv:3:1: 'usa' is not a country code");
    bad_table("country,number\nQZA,1\nQZA\n",
              "docs.csv:3:1: this row has 1 column; table 'docs' has 2");
    bad_table("country,number\nQZA,\"1\n", "docs.csv:3:1: unterminated quoted value");
    bad_table("country,number\nQZA, - \n", "docs.csv:2:5: empty key in column 'number'");
    bad_table("country,number\nQZA,\xC2\xA0\xE2\x80\x94\n", "docs.csv:2:5: empty key in column 'number'");
    bad_table("country,number\nQZA,AB\xFF" "1\n",
              "docs.csv:2:5: the value in column 'number' is not valid UTF-8 (byte 3 of it is 0xff)");
    bad_table("country,number\nQZA,\"A\xED\xA0\x80\"\n",
              "docs.csv:2:5: the value in column 'number' is not valid UTF-8 (byte 2 of it is 0xed)");
}

/* The same ruleset built twice, and from another directory, gives the same
 * bytes; no absolute path is in the bundle. */
static void t_reproducible(void **state)
{
    (void)state;
    write_file("contacts.csv", "contact\na@b\n");
    write_file("docs.csv", "country,number\nQZA,1\n");
    write_file("r.cars", TABLE_RULES);
    char path[128], cwd[512];
    snprintf(path, sizeof path, "%s/r.cars", dir);
    cars_check_options opt = {0};
    cars_compiled a, b, c;
    assert_true(cars_compile(path, &opt, "rel", &a));
    assert_true(cars_compile(path, &opt, "rel", &b));
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    assert_true(cars_compile("r.cars", &opt, "rel", &c));
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.bytes, b.bytes, a.len);
    assert_int_equal(a.len, c.len);
    assert_memory_equal(a.bytes, c.bytes, a.len);
    for (size_t i = 0; i + strlen(dir) <= a.len; i++)
        assert_false(memcmp(a.bytes + i, dir, strlen(dir)) == 0);
    assert_int_equal(a.loaded.nsources, 1);
    assert_int_equal(a.loaded.source_names[0].len, 6);
    assert_memory_equal(a.loaded.source_names[0].p, "r.cars", 6);
    cars_compiled_free(&a);
    cars_compiled_free(&b);
    cars_compiled_free(&c);
}

/* A ruleset of SCHEMA with nx exclusions (stay = 1000 + k), np profiles
 * (stay = k, and `also` when not empty) and 5 complex singles (cost > j),
 * routed in that order; malloc'd. */
static char *large_ruleset(int nx, int np, const char *also)
{
    size_t cap = 128 * 1024, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    n += (size_t)snprintf(text + n, cap - n, "%s", SCHEMA);
    for (int k = 0; k < nx; k++)
        n += (size_t)snprintf(text + n, cap - n, "exclusion X-%d \"x\" { when stay = %d }\n", k, k + 1000);
    for (int k = 0; k < np; k++)
        n += (size_t)snprintf(text + n, cap - n,
                              "profile P-%d \"p\" {\n  rationale \"r\"\n  reviewed 2026-11-01 every 6 months\n"
                              "  when stay = %d%s%s\n}\n",
                              k, k, *also ? " and " : "", also);
    for (int j = 1; j <= 5; j++)
        n += (size_t)snprintf(text + n, cap - n, "single S-%d complex \"c\" { when cost > %d }\n", j, j);
    n += (size_t)snprintf(text + n, cap - n, "routing {\n%s  profiles -> CXDR\n  complex singles -> CXDR\n"
                          "  otherwise -> NCXDR\n}\n", nx ? "  exclusions -> NONE\n" : "");
    assert_true(n < cap);
    return text;
}

/* Two indexed stages, a large one first: 300 profiles on stay (a 5-word
 * bitset), then 5 complex singles on cost (one word). A profile that is a
 * candidate but does not match leaves its stage's candidate words behind;
 * the singles' stage must read only its own words. */
static void t_indexed_stages(void **state)
{
    (void)state;
    char *text = large_ruleset(0, 300, "any(t in trips where t.ok)");
    rig r;
    compile_ok(&r, text);
    free(text);
    uint32_t indexed = 0;
    for (uint32_t i = 0; i < r.c.loaded.nindexes; i++)
        indexed |= 1u << r.c.loaded.indexes[i].stage;
    assert_int_equal(__builtin_popcount(indexed), 2);
    for (int k = 0; k < 300; k += 7) {
        char rec[256], want[32];
        snprintf(rec, sizeof rec, REC(",\"stay\":%d,\"cost\":3.5"), k);
        assert_string_equal(route(&r, rec), "CXDR S-1 S-2 S-3"); /* P-k a candidate, not a match */
        snprintf(rec, sizeof rec, REC(",\"stay\":%d,\"trips\":[{\"country\":\"FRA\",\"year\":2020,\"ok\":true}]"), k);
        snprintf(want, sizeof want, "CXDR P-%d", k);
        assert_string_equal(route(&r, rec), want);
    }
    assert_string_equal(route(&r, REC(",\"stay\":300,\"cost\":1")), "NCXDR");
    rig_free(&r);
}

/* cars_vm_decide (rules' values given, for "why not"): stages that cross
 * words of the bitset it reads (70 exclusions, 300 profiles, 5 singles), on
 * random values, against what the routing says: the first stage with a
 * match decides, with its matched rules in stage order. */
static void t_decide_given(void **state)
{
    (void)state;
    char *text = large_ruleset(70, 300, "");
    rig r;
    compile_ok(&r, text);
    free(text);
    const cars_program *p = &r.c.loaded;
    assert_int_equal(p->nstages, 3);
    static const uint8_t outs[3] = {CARS_OUT_NONE, CARS_OUT_CXDR, CARS_OUT_CXDR};
    uint8_t *value = calloc(p->nrules, 1);
    uint64_t *bits = calloc(p->nstage_rules / 64 + 1, sizeof *bits);
    assert_non_null(value);
    assert_non_null(bits);
    srand(47);
    for (int trial = 0; trial < 2000; trial++) {
        memset(value, 0, p->nrules);
        int picks = rand() % 4;
        for (int i = 0; i < picks; i++)
            value[rand() % (int)p->nrules] = 1;
        uint8_t want = CARS_OUT_NCXDR;
        uint32_t wrules[400], nw = 0;
        for (uint32_t s = 0; s < 3 && nw == 0; s++) {
            for (uint32_t k = 0; k < p->stages[s].n; k++)
                if (value[p->stage_rules[p->stages[s].first + k]])
                    wrules[nw++] = p->stage_rules[p->stages[s].first + k];
            if (nw)
                want = outs[s];
        }
        cars_result a, b;
        char err[128];
        assert_int_equal(cars_vm_decide(r.vm, value, &a, err, sizeof err), 0);
        cars_vm_decide_bits_from(p, value, bits);
        assert_int_equal(cars_vm_decide_bits(r.vm, bits, &b, err, sizeof err), 0);
        assert_int_equal(a.outcome, want);
        assert_int_equal(b.outcome, want);
        assert_int_equal(a.nrules, nw);
        assert_int_equal(b.nrules, nw);
        assert_memory_equal(a.rules, wrules, nw * sizeof *wrules);
        assert_memory_equal(b.rules, wrules, nw * sizeof *wrules);
    }
    free(value);
    free(bits);
    rig_free(&r);
}

/* The program model: blocks, stages, sets, field flags. */
static void t_program_model(void **state)
{
    (void)state;
    rig r;
    compile_ok(&r, SCHEMA
               "set s = [business, tourism, tourism]\n"
               "exclusion X-1 \"x\" { when purpose in s }\n"
               "single S-1 complex \"q\" { when any(t in trips where t.ok) and flag }\n"
               "single S-2 noncomplex \"n\" { when stay > 1 }\n"
               "routing {\n  exclusions -> NONE\n  complex singles -> CXDR\n"
               "  noncomplex singles -> NCXDR\n  otherwise -> CXPCA\n}\n");
    const cars_program *p = &r.c.loaded;
    assert_int_equal(p->nrules, 3);
    assert_int_equal(p->nblocks, 5); /* MAIN, 3 RULE, 1 ELEM */
    assert_int_equal(p->blocks[0].kind, CARS_BK_MAIN);
    assert_int_equal(p->blocks[4].kind, CARS_BK_ELEM);
    assert_int_equal(p->nstages, 3);
    assert_int_equal(p->nsets, 1);
    assert_int_equal(p->sets[0].n, 2);
    assert_int_equal(p->sets[0].values[0], 0);
    assert_int_equal(p->sets[0].values[1], 1);
    assert_true(p->fields[2].flags & CARS_FF_READ);  /* purpose */
    assert_false(p->fields[0].flags & CARS_FF_READ); /* id */
    assert_true(p->fields[1].flags & CARS_FF_REFERENCE);
    assert_string_equal(route(&r, REC("")), "NONE X-1");
    assert_string_equal(route(&r, "{\"id\":\"A\",\"received\":\"2026-11-01\","
                                  "\"purpose\":\"medical\",\"stay\":2}"),
                        "NCXDR S-2");
    assert_string_equal(route(&r, "{\"id\":\"A\",\"received\":\"2026-11-01\","
                                  "\"purpose\":\"medical\"}"),
                        "CXPCA");
    rig_free(&r);
}

/* Every allocation of a build failing in turn: a clean failure, never a
 * crash or a leak (under ASan), never a bundle. */
static void t_fault_injection(void **state)
{
    (void)state;
    write_file("contacts.csv", "contact\na@b\n");
    write_file("docs.csv", "country,number\nQZA,1\n");
    write_file("r.cars", TABLE_RULES);
    char path[128];
    snprintf(path, sizeof path, "%s/r.cars", dir);
    cars_check_options opt = {0};
    cars_compiled c;
    cars_alloc_count(1);
    assert_true(cars_compile(path, &opt, "t", &c));
    cars_compiled_free(&c);
    long total = cars_alloc_count(1);
    assert_true(total > 10);
    for (long n = 0; n < total; n++) {
        cars_alloc_count(1); /* allocation n + 1 of this run fails */
        cars_alloc_fail_after(n);
        bool ok = cars_compile(path, &opt, "t", &c);
        cars_alloc_fail_after(-1);
        assert_false(ok);
        assert_true(c.diags.errors > 0 || c.error[0]);
        cars_compiled_free(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_logic_and_absent),
        cmocka_unit_test(t_logic_chains),
        cmocka_unit_test(t_arith_dates),
        cmocka_unit_test(t_sets_and_strings),
        cmocka_unit_test(t_quantifiers),
        cmocka_unit_test(t_tables), cmocka_unit_test(t_table_cells),
        cmocka_unit_test(t_bad_tables),
        cmocka_unit_test(t_reproducible),
        cmocka_unit_test(t_indexed_stages),
        cmocka_unit_test(t_decide_given),
        cmocka_unit_test(t_program_model),
        cmocka_unit_test(t_fault_injection),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

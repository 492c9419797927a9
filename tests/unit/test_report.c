/* test_report.c - carsc report's model and writers: the HTML escaper, what
 * the checker says each rule reads (directly, through a definition, a proxy
 * of nationality), the equality list, review states, the word diff of a
 * changed rule, the worked examples of a ruleset directory, and that the
 * same input gives the same bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "report.h"
#include "report_html.h"

#define SMALL "tests/cases/report/small"

static void test_html_escape(void **state)
{
    (void)state;
    cars_buf b = {0};
    const char s[] = "<script>\"a\" & 'b'\x01\x7f</script>\n\tok";
    cars_html_esc(&b, s, sizeof s - 1);
    assert_string_equal(cars_buf_cstr(&b),
                        "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;\n\tok");
    cars_buf_free(&b);
}

static const cars_report_rule *rule(const cars_report *r, const char *id)
{
    for (size_t i = 0; i < r->nrules; i++)
        if (strcmp(r->rules[i].anchor, id) == 0)
            return &r->rules[i];
    fail_msg("no rule %s", id);
    return NULL;
}

static const cars_report_read *read_of(const cars_report_rule *rr, const char *path)
{
    for (size_t i = 0; i < rr->nreads; i++)
        if (strcmp(rr->reads[i].path, path) == 0)
            return &rr->reads[i];
    fail_msg("%s does not read %s", rr->anchor, path);
    return NULL;
}

static void test_reads_and_equality(void **state)
{
    (void)state;
    cars_report r;
    char err[600];
    assert_true(cars_report_open(&r, SMALL, NULL, NULL, err, sizeof err));
    const cars_report_rule *s = rule(&r, "S-CX-1"), *p = rule(&r, "PRF-1"), *b = rule(&r, "BDT-DOC");
    const cars_report_read *dob = read_of(s, "applicant.date_of_birth");
    assert_string_equal(dob->via, "age");
    assert_int_equal(dob->protect, CARS_PROT_AGE);
    assert_null(read_of(s, "visit.length_days")->via);
    assert_int_equal(cars_report_protect(s), CARS_PROT_AGE);
    assert_string_equal(cars_report_citation(s->rule, CARS_PROT_AGE), "OJ-2026-002");
    assert_int_equal(cars_report_protect(p), CARS_PROT_NATIONALITY);
    assert_string_equal(cars_report_citation(p->rule, CARS_PROT_NATIONALITY), "MA-2026-001");
    assert_true(read_of(b, "applicant.passport.issuing_country")->proxy);
    assert_false(read_of(b, "applicant.passport.number")->proxy);
    assert_int_equal(cars_report_protect(b), 0); /* a lookup with the number: no citation needed */
    assert_true(cars_report_equality(s) && cars_report_equality(p) && cars_report_equality(b));
    assert_int_equal(p->review.state, CARS_REVIEW_OK); /* a source tree has no window */
    assert_int_equal(s->review.state, CARS_REVIEW_OK);
    assert_int_equal(b->review.state, CARS_REVIEW_NONE);
    assert_int_equal(r.nexamples, 2);
    assert_int_equal(r.examples[0].outcome, CARS_OUT_NCXDR);
    assert_int_equal(r.examples[1].outcome, CARS_OUT_CXDR);
    assert_non_null(strstr(r.examples[1].trace, "CXDR by PRF-1"));
    cars_report_free(&r);
}

/* Copies the small ruleset into a new directory, with `from` replaced by
 * `to` in its rules. */
static void copy_small(const char *dir, const char *from, const char *to)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp -R %s %s && sed -i 's/%s/%s/' %s/rules.cars", SMALL, dir, from, to, dir);
    assert_int_equal(system(cmd), 0);
}

static void test_word_diff(void **state)
{
    (void)state;
    char tmp[] = "/tmp/cars-report-XXXXXX", now[300];
    assert_non_null(mkdtemp(tmp));
    snprintf(now, sizeof now, "%s/now", tmp);
    copy_small(now, "Children on long visits", "Children on longer visits");
    cars_report r;
    char err[600];
    assert_true(cars_report_open(&r, now, SMALL, NULL, err, sizeof err));
    assert_int_equal(r.nchanges, 1);
    const cars_report_change *c = &r.changes[0];
    assert_int_equal(c->kind, CARS_CHANGE_CHANGED);
    assert_string_equal(c->id, "S-CX-1");
    size_t del = 0, ins = 0;
    for (size_t i = 0; i < c->ntoks; i++) {
        const cars_diff_tok *t = &c->toks[i];
        if (t->op == CARS_DIFF_DEL)
            del++, assert_memory_equal(t->s, "long", t->len), assert_int_equal(t->len, 4);
        if (t->op == CARS_DIFF_INS)
            ins++, assert_memory_equal(t->s, "longer", t->len), assert_int_equal(t->len, 6);
    }
    assert_int_equal(del, 1);
    assert_int_equal(ins, 1);
    assert_true(c->ntoks <= 5); /* same runs are joined */
    cars_report_free(&r);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    assert_int_equal(system(cmd), 0);
}

static void test_same_bytes(void **state)
{
    (void)state;
    cars_buf md[2] = {{0}}, js[2] = {{0}};
    for (int k = 0; k < 2; k++) {
        cars_report r;
        char err[600];
        assert_true(cars_report_open(&r, SMALL, NULL, NULL, err, sizeof err));
        cars_report_md(&r, &md[k]);
        cars_report_json(&r, &js[k]);
        cars_report_free(&r);
    }
    assert_int_equal(md[0].len, md[1].len);
    assert_memory_equal(md[0].p, md[1].p, md[0].len);
    assert_int_equal(js[0].len, js[1].len);
    assert_memory_equal(js[0].p, js[1].p, js[0].len);
    for (int k = 0; k < 2; k++) {
        cars_buf_free(&md[k]);
        cars_buf_free(&js[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_escape),
        cmocka_unit_test(test_reads_and_equality),
        cmocka_unit_test(test_word_diff),
        cmocka_unit_test(test_same_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

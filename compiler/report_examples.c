/* report_examples.c - the Tests section of carsc report, for a ruleset
 * directory: each example and test routed as a worked example, with the
 * trace carsc explain gives (compiler/explain.h). Releases carry no
 * examples, on purpose, so a release's report has no such section. */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "commands.h"
#include "explain.h"

/* Routes one example with its trace into *e (strings in the arena). */
static bool explain_one(cars_report *r, cars_explainer *x, const cars_example *ex, cars_report_example *e)
{
    char *line = NULL;
    size_t len = 0;
    if (!cars_example_json(r->ast, ex, &line, &len))
        return false;
    cars_buf out = {0};
    e->ex = ex;
    e->outcome = cars_explain_line(x, line, len, ex->span.line, false, &out);
    e->record = cars_arena_strndup(&r->arena, line, len);
    e->record_len = len;
    e->trace = out.failed ? NULL : cars_arena_strndup(&r->arena, out.p ? out.p : "", out.len);
    e->trace_len = out.len;
    cars_free(line);
    cars_buf_free(&out);
    return e->outcome >= 0 && e->record && e->trace;
}

bool cars_report_examples(cars_report *r, char *err, size_t errlen)
{
    const cars_ast *ast = r->ast;
    if (!ast->nexamples)
        return true;
    r->examples = cars_arena_alloc(&r->arena, ast->nexamples * sizeof *r->examples);
    cars_explainer *x = cars_explainer_new(ast, r->p, &r->cur.map);
    bool ok = r->examples && x;
    for (size_t i = 0; ok && i < ast->nexamples; i++) {
        ok = explain_one(r, x, ast->examples[i], &r->examples[i]);
        if (!ok)
            snprintf(err, errlen, "cannot trace %s \"%s\"", ast->examples[i]->is_test ? "test" : "example",
                     ast->examples[i]->name);
        else
            r->nexamples++;
    }
    if (!r->examples || !x)
        snprintf(err, errlen, "out of memory");
    cars_explainer_free(x);
    return ok;
}

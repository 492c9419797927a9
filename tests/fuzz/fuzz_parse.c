/* fuzz_parse.c - fuzz target: the rule front end (parse + check) on
 * arbitrary text. Never crashes, never leaks, always terminates. */
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "check.h"
#include "diag.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cars_arena a;
    cars_diags d;
    cars_arena_init(&a);
    cars_diags_init(&d);
    cars_ast *ast = cars_parse_text("fuzz.cars", (const char *)data, size, &a, &d);
    if (ast && d.errors == 0) {
        cars_check_options opt = {0};
        (void)cars_check(ast, &a, &d, &opt);
    }
    cars_diags_free(&d);
    cars_arena_free(&a);
    return 0;
}

/* check.h - name resolution, type checking and the static checks
 * (lawful basis, review dates, duplicates, unused names, thresholds). */
#ifndef CARS_CHECK_H
#define CARS_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"

typedef struct cars_check_options {
    bool has_as_of;   /* check review dates against as_of */
    int64_t as_of;    /* days since 1970-01-01 */
    bool has_window_end; /* warn of reviews falling due after as_of, up to window_end */
    int64_t window_end;
    bool carried;     /* the text a release carries, compiled again to check the release
                         (compiler/compile.c): the rules that do not change the code and
                         came after some releases were built (a rationale and a review
                         for each rule that reads a protected characteristic) are not
                         applied again, so older releases still read back */
} cars_check_options;

/* Annotates the AST (types, references, protected characteristics) and adds
 * diagnostics. Returns true when no error was found. */
bool cars_check(cars_ast *ast, cars_arena *arena, cars_diags *d, const cars_check_options *opt);

/* `months` calendar months after `day` (the last day of a shorter month):
 * when a review falls due. */
int64_t cars_add_months(int64_t day, int months);

#endif

/* check.c - name resolution, type checking and static checks. (stub) */
#include "check.h"

bool cars_check(cars_ast *ast, cars_arena *arena, cars_diags *d, const cars_check_options *opt)
{
    (void)ast; (void)arena; (void)opt;
    return d->errors == 0;
}

/* verify.c - the verifier (see verify.h). */
#include "verify.h"

int cars_verify(const cars_program *p, char *err, size_t errlen)
{
    (void)p; (void)err; (void)errlen;
    return 0;
}

/* bundle_write.c - serialise a cars_program (docs/bytecode.md). */
#include "bundle_write.h"

bool cars_bundle_write(const cars_program *p, uint8_t **out, size_t *len)
{
    (void)p; *out = NULL; *len = 0;
    return false;
}

/* errstr.c - errno values in words (see errstr.h): glibc's table, read
 * through strerrordesc_np (MT-Safe), never through strerror's buffer. */
#define _GNU_SOURCE /* strerrordesc_np */
#include "errstr.h"

#include <stdarg.h>
#include <stdio.h>

#include <string.h>

const char *cars_strerror(int e)
{
    const char *s = strerrordesc_np(e);
    return s ? s : "Unknown error";
}

int cars_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (errlen)
        vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

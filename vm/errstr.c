/* errstr.c - errno values in words (see errstr.h): glibc's table, read
 * through strerrordesc_np (MT-Safe), never through strerror's buffer. */
#define _GNU_SOURCE /* strerrordesc_np */
#include "errstr.h"

#include <string.h>

const char *cars_strerror(int e)
{
    const char *s = strerrordesc_np(e);
    return s ? s : "Unknown error";
}

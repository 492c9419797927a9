/* errstr.h - the words for an errno value, safe from any thread: what
 * strerror says (in the C locale) without strerror's shared buffer, so
 * that the core's messages keep no global state (libcars loads releases
 * from any thread). */
#ifndef CARS_ERRSTR_H
#define CARS_ERRSTR_H

#include <stddef.h>

/* "No such file or directory"; "Unknown error" for a number that is none.
 * A static string. */
const char *cars_strerror(int e);

/* Writes the message into err (when errlen > 0) and returns -1: the one way
 * a function that reports into a caller's buffer says why it failed. */
int cars_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif

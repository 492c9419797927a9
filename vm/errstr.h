/* errstr.h - the words for an errno value, safe from any thread: what
 * strerror says (in the C locale) without strerror's shared buffer, so
 * that the core's messages keep no global state (libcars loads releases
 * from any thread). */
#ifndef CARS_ERRSTR_H
#define CARS_ERRSTR_H

/* "No such file or directory"; "Unknown error" for a number that is none.
 * A static string. */
const char *cars_strerror(int e);

#endif

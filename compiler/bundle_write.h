/* bundle_write.h - serialise a cars_program into bundle bytes (the format of
 * docs/bytecode.md). The loader (vm/loader.h) is its inverse. */
#ifndef CARS_BUNDLE_WRITE_H
#define CARS_BUNDLE_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"

/* Writes the bundle into a buffer from cars_malloc (*out, free with
 * cars_free) of *len bytes, of format version p->version (see
 * docs/bytecode.md: the meta of versions 1 to 3 is 56 bytes, with no test
 * results; versions before 5 are written with version 4's 24 sections, version 5 with its 26;
 * a program with sealed text writes its titles and source text empty). Deterministic: the same program gives the same
 * bytes (every padding byte is zero). False when out of memory or when the
 * program cannot be represented (a count or size beyond 32 bits). The
 * program is not verified here: cars_verify() it first. */
bool cars_bundle_write(const cars_program *p, uint8_t **out, size_t *len);

#endif

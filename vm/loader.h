/* loader.h - bundle bytes -> cars_program, checked step by step:
 * length -> magic -> version -> endianness -> [signature] -> section bounds
 * -> decode (every count, offset and string checked) -> verifier.
 * Byte layout and error codes: docs/bytecode.md. */
#ifndef CARS_LOADER_H
#define CARS_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"

/* Error codes of cars_bundle_load (0 = loaded and verified). */
enum cars_load_error {
    CARS_LOAD_OK = 0,
    CARS_LOAD_TRUNCATED = 1,  /* shorter than the header, or than its total size */
    CARS_LOAD_MAGIC = 2,      /* not a CARS bundle */
    CARS_LOAD_VERSION = 3,    /* unsupported format version or flags */
    CARS_LOAD_ENDIAN = 4,     /* endianness check value wrong */
    CARS_LOAD_SIZE = 5,       /* total size field disagrees with the length */
    CARS_LOAD_SIGNATURE = 6,  /* reserved for the signature step */
    CARS_LOAD_SECTIONS = 7,   /* section table: bounds, alignment, order, overlap, missing */
    CARS_LOAD_DECODE = 8,     /* a section's contents: counts, offsets, strings */
    CARS_LOAD_VERIFY = 9,     /* the verifier refused the program */
    CARS_LOAD_NOMEM = 10,     /* out of memory */
};

/* Loads `len` bytes. On success (0) `*out` is a verified program that points
 * into `bytes` (strings, set values, table hashes and code are used in
 * place), so `bytes` must stay valid and unchanged until
 * cars_program_free(out); if `bytes` is not 8-byte aligned the loader works
 * on its own aligned copy. On failure returns a code above, writes an exact
 * message into err, and `*out` holds nothing to free (freeing it is
 * harmless). */
int cars_bundle_load(const uint8_t *bytes, size_t len, cars_program *out, char *err, size_t errlen);

/* The first checks alone, before the signature: length, magic, format
 * version, endianness and total size. Same codes and messages as
 * cars_bundle_load. */
int cars_bundle_check_header(const uint8_t *bytes, size_t len, char *err, size_t errlen);

enum cars_channel { CARS_CHANNEL_PRODUCTION = 0, CARS_CHANNEL_TEST = 1 };

/* What a release says of itself (its signed `meta` section). */
typedef struct cars_release_meta {
    const char *release_id; size_t release_id_len;
    uint64_t sequence;
    int64_t valid_from, valid_until; /* days since 1970-01-01, inclusive */
    uint8_t channel;
} cars_release_meta;

/* A release id as carsc writes it: 1 to 64 of [A-Za-z0-9._-]. The loader
 * refuses any other, so no id can forge a line in the state file, a log or
 * the routing output. */
bool cars_release_id_valid(const char *id, size_t len);
/* Parses a release sequence: decimal digits only (no sign, no blank, at
 * least one), at most UINT64_MAX; false otherwise, never a wrapped value. */
bool cars_sequence_parse(const char *s, size_t len, uint64_t *out);

/* After the signature and before the verifier: the section table and the
 * release metadata (id, sequence, validity, channel), so the operator's
 * policy (vm/release.h) can refuse a release before any code is decoded.
 * `bytes` must be 8-byte aligned; m->release_id points into it. */
int cars_bundle_peek_release(const uint8_t *bytes, size_t len, cars_release_meta *m, char *err, size_t errlen);

/* Frees what cars_bundle_load allocated (not `bytes`) and zeroes *p. */
void cars_program_free(cars_program *p);

/* A short name of an error code ("truncated", "bad magic", ...). */
const char *cars_load_error_name(int code);

#endif

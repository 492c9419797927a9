/* declog.h - the decision log: one JSON line per routing, chained by hash,
 * so that any edit, deletion or reordering of lines is detectable, and
 * holding no application data (the input record appears only as a keyed
 * digest). Written by `carsvm route` and `carsvm serve` with
 * --decision-log; checked by `carsvm log verify` and `carsvm log replay`
 * (docs/serve.md: "The decision log").
 *
 * Each file opens with a header line; every line ends with the hash of the
 * line before it ("prev": BLAKE2b-256 of that line's bytes, without its
 * newline, in hex). The first file's header has 64 zeros; a rotated file's
 * header names the file before it and carries that file's last hash. */
#ifndef CARS_DECLOG_H
#define CARS_DECLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "program.h"
#include "vm.h"

#define CARS_DECLOG_KEY_BYTES 32
#define CARS_DECLOG_HASH_BYTES 32
/* ,"prev":"<64 hex digits>"} : how every line ends (before its newline). */
#define CARS_DECLOG_TAIL_LEN (9 + 64 + 2)

/* When written lines are forced to stable storage (a crash of the process
 * loses nothing either way: the line is in the kernel after write()). */
typedef enum cars_declog_sync {
    CARS_DECLOG_SYNC_EVERY = 0, /* fdatasync after every write, before the caller answers */
    CARS_DECLOG_SYNC_SECOND,    /* fdatasync when the last one is a second old or more */
    CARS_DECLOG_SYNC_NONE,      /* left to the kernel (and at close) */
} cars_declog_sync;

typedef struct cars_declog_opts {
    cars_declog_sync sync;
    uint64_t rotate_bytes; /* 0: no rotation by size */
    bool rotate_daily;     /* a new file when the UTC day changes */
} cars_declog_opts;

typedef struct cars_declog cars_declog;

/* The key of the input digests: a file of 64 hex digits (and a newline).
 * 0, or -1 with a message. */
int cars_declog_key_load(const char *path, uint8_t key[CARS_DECLOG_KEY_BYTES], char *err, size_t errlen);
/* Creates a new key file (mode 0600, refused if it exists). */
int cars_declog_key_create(const char *path, char *err, size_t errlen);

/* Opens (or creates) the log at `path` for appending, locked against any
 * other writer. A torn last line (the writer was killed mid-write) is cut
 * off, and *torn set to the bytes cut (may be NULL). NULL on failure. */
cars_declog *cars_declog_open(const char *path, const cars_declog_opts *o, size_t *torn, char *err,
                              size_t errlen);
/* Syncs and closes; 0, or -1 when the final sync failed. NULL is harmless. */
int cars_declog_close(cars_declog *l, char *err, size_t errlen);

/* What every entry of one release carries: the key, and the release's id
 * and bundle digest in hex. */
typedef struct cars_declog_src {
    const uint8_t *key;
    const cars_program *p;
    char bundle_hex[2 * CARS_DECLOG_HASH_BYTES + 1];
} cars_declog_src;

/* The bundle digest of a release's bytes (BLAKE2b-256), in hex. */
void cars_declog_bundle_hex(const uint8_t *bytes, size_t len, char out[2 * CARS_DECLOG_HASH_BYTES + 1]);

/* Appends one entry for the record `line` (the bytes routed, without their
 * newline) to `bodies`: the line without its chain tail, then '\n'. `r`
 * NULL: the record was invalid (outcome ERROR). Any thread may build
 * entries; cars_declog_append chains and writes them. */
void cars_declog_entry(cars_buf *bodies, const cars_declog_src *s, const cars_str *id, const cars_result *r,
                       const char *line, size_t len);

/* Chains and writes every entry in `bodies` with one write(): all of them
 * or none (a short write, on a full disk, is cut off again). Rotates
 * first when due. 0, or -1 with a message (then nothing was written). */
int cars_declog_append(cars_declog *l, const cars_buf *bodies, char *err, size_t errlen);

/* Entries appended and appends refused since the log was opened; the hash
 * of its last line, in hex. */
void cars_declog_stats(cars_declog *l, unsigned long long *lines, unsigned long long *failures,
                       char head_hex[2 * CARS_DECLOG_HASH_BYTES + 1]);

/* The hash of one line (without its newline). */
void cars_declog_line_hash(const char *line, size_t len, uint8_t out[CARS_DECLOG_HASH_BYTES]);

#endif

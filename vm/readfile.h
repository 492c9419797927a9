/* readfile.h - reading a whole file (a release, a key, a signature, the
 * state file, a rule file, a table) into memory, for carsvm and carsc
 * alike. Only regular files are read, each kind up to its own size limit:
 * a FIFO, a device or a directory is refused at once (never read, never
 * waited on), so is a file over the limit. */
#ifndef CARS_READFILE_H
#define CARS_READFILE_H

#include <stddef.h>
#include <stdint.h>

/* What a file is for; each kind has its own size limit (docs/releases.md,
 * "Files carsvm and carsc read"). */
typedef enum cars_file_kind {
    CARS_FILE_RELEASE,   /* a .carsb bundle: 1 GiB */
    CARS_FILE_KEY,       /* a public or secret key: 8 KiB */
    CARS_FILE_SIGNATURE, /* a .minisig signature: 8 KiB */
    CARS_FILE_STATE,     /* carsvm's state file: 4 KiB */
    CARS_FILE_RULES,     /* a .cars source file: 16 MiB */
    CARS_FILE_TABLE,     /* a table's CSV file: 512 MiB */
} cars_file_kind;

/* "release", "key", "signature", "state file", "rule file", "table file". */
const char *cars_file_kind_name(cars_file_kind kind);
/* The largest file of that kind that is read, in bytes. */
size_t cars_file_limit(cars_file_kind kind);

/* The file's bytes in a cars_malloc buffer (8-aligned, as the loader wants)
 * with a NUL after the last byte. On failure NULL, errno set (ENOENT for a
 * file that does not exist, EINVAL for one that is not a regular file,
 * EFBIG for one over the limit) and a message naming the kind and the
 * path in err: "cannot read release r.carsb: No such file or directory",
 * "signature r.carsb.minisig is a directory, not a regular file",
 * "release big.carsb is larger than the 1024 MiB limit for a release". */
uint8_t *cars_read_file(const char *path, cars_file_kind kind, size_t *len, char *err, size_t errlen);

/* As cars_read_file, and *mode receives the file's st_mode (the secret
 * key's permissions are checked on the very file that was read). */
uint8_t *cars_read_file_mode(const char *path, cars_file_kind kind, size_t *len, unsigned *mode,
                             char *err, size_t errlen);

#endif

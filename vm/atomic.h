/* atomic.h - the one way cars writes a file: so that it holds either all of
 * the old bytes or all of the new, even across a crash. A temporary file
 * beside the target (mkstemp: PATH.tmp.XXXXXX, never a guessable name) is
 * given its permissions, written, flushed (fsync), renamed over the target
 * (or, for a file that must not exist yet, linked into place), and the
 * directory is flushed so that the rename itself is durable. On any failure
 * the temporary file is removed and the target left as it was.
 *
 * Used by carsc build, sign, keygen and fmt -w, the -o of carsc impact,
 * effectiveness and equality, carsvm route -o and the
 * operator's state file (vm/state.h). Its one allocation (the temporary name) goes
 * through cars_malloc, so fault injection reaches it. */
#ifndef CARS_ATOMIC_H
#define CARS_ATOMIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The permissions the new file gets. */
typedef enum cars_perm {
    CARS_PERM_PRIVATE = 0, /* 0600, the temporary file's own: nothing changed */
    CARS_PERM_UMASK,       /* `mode` less the umask, as open(2) would create it */
    CARS_PERM_EXACT,       /* `mode` exactly, whatever the umask */
    CARS_PERM_OWNER,       /* owner `uid`, group `gid` and `mode` exactly (fchown, then fchmod) */
    CARS_PERM_KEEP,        /* the target's mode if it exists; else as CARS_PERM_PRIVATE */
} cars_perm;

typedef struct cars_atomic_opts {
    const char *what;  /* names the file in messages ("state file", "output"); NULL: the path alone */
    cars_perm perm;
    unsigned mode, uid, gid;
    bool no_replace;   /* refuse (EEXIST) to replace a file that exists: linked, never renamed, into place */
    bool in_place;     /* a target that exists and is not a regular file (a device, a pipe) is written in
                        * place, never renamed over */
} cars_atomic_opts;

/* One file being written. */
typedef struct cars_atomic {
    const char *path;
    char *tmp;  /* the temporary file's name (cars_malloc); NULL when written in place */
    int fd;
    FILE *stream;
    cars_atomic_opts opts;
} cars_atomic;

/* Creates the temporary file (or opens an in-place target) and gives it its
 * permissions. 0, or -1 with a message ("cannot write output out/x.jsonl:
 * No such file or directory", "out of memory writing ...") and nothing
 * left behind. `path` and `opts->what` must outlive `a`. */
int cars_atomic_open(cars_atomic *a, const char *path, const cars_atomic_opts *opts, char *err, size_t errlen);
/* Appends n bytes (not with a stream). 0, or -1 with a message; the file is
 * then abandoned (as cars_atomic_abort). */
int cars_atomic_write(cars_atomic *a, const void *p, size_t n, char *err, size_t errlen);
/* A stdio stream on the file, for writers that want one (NULL, errno set,
 * if it cannot be made). Flushed and closed by cars_atomic_commit; do not
 * fclose it. */
FILE *cars_atomic_stream(cars_atomic *a);
/* Flushes the bytes, puts the file in place and flushes its directory. 0,
 * or -1 with a message, the temporary file removed. Either way `a` is
 * finished (cars_atomic_abort is then harmless). */
int cars_atomic_commit(cars_atomic *a, char *err, size_t errlen);
/* Abandons the file: closed, and the temporary file removed (a target
 * written in place stays as far as it was written). Harmless twice. */
void cars_atomic_abort(cars_atomic *a);

/* Open, write, commit: the whole file at once. */
int cars_atomic_write_file(const char *path, const void *p, size_t n, const cars_atomic_opts *opts, char *err,
                           size_t errlen);

#endif

/* state.h - the operator's state file: the last release accepted here
 * (docs/releases.md, "The state file"). Read strictly, in exactly the form
 * written; replaced atomically (a temporary file beside it with the old
 * file's owner, group and mode, flushed, renamed over it, the directory
 * flushed); guarded by an exclusive lock on STATE.lock so that two carsvm
 * runs cannot both check and record at once. A symbolic link is refused:
 * the rename would replace the link, not the file it points to.
 *
 *   cars-release-state 1
 *   sequence N          decimal, no sign, no leading zero, at most 2^64-1
 *   release ID          1 to 64 of [A-Za-z0-9._-]
 *   digest HEX          BLAKE2b-256 of the release, 64 lower-case hex digits
 */
#ifndef CARS_STATE_H
#define CARS_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cars_state {
    bool present;      /* false: no state file (nothing accepted here yet) */
    uint64_t sequence;
    char release[65];  /* NUL-terminated */
    char digest[65];   /* 64 lower-case hex digits and a NUL */
    bool has_owner;    /* the file's owner, group and mode, kept when it is replaced */
    unsigned uid, gid, mode;
} cars_state;

/* Parses the text of a state file; false with the reason in `why`
 * ("line 2: the sequence is not a decimal number ..."). */
bool cars_state_parse(const char *text, size_t len, cars_state *st, char *why, size_t whylen);

/* Reads the state file at `path`. 0 with st->present false when there is
 * none; -1 with a message when it cannot be read, is not a regular file (a
 * symbolic link included) or is damaged. */
int cars_state_read(const char *path, cars_state *st, char *err, size_t errlen);

/* Replaces the state file with one recording this release, keeping the
 * owner, group and mode of `old` (if old->has_owner; else mode 0600).
 * 0, or -1 with a message (the old file is then untouched). */
int cars_state_write(const char *path, const cars_state *old, uint64_t sequence, const char *release_id,
                     size_t release_id_len, const char digest_hex[65], char *err, size_t errlen);

/* Takes the exclusive lock on PATH.lock (created beside the state file if
 * need be, and left there), waiting up to wait_ms milliseconds while
 * another process holds it (0: do not wait). 0 with *fd set (pass it to
 * cars_state_unlock), or -1 with a message, *busy telling whether it was
 * because another process held the lock all that time. */
int cars_state_lock(const char *path, long wait_ms, int *fd, bool *busy, char *err, size_t errlen);
void cars_state_unlock(int fd);

#endif

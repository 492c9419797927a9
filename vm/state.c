/* state.c - the operator's state file (see state.h): strict reading,
 * atomic replacement that keeps the owner, group and mode, and the lock
 * that makes checking and recording one step. */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "atomic.h"
#include "errstr.h"
#include "readfile.h"
#include "loader.h" /* cars_release_id_valid, cars_sequence_parse */

static const char DAMAGED_HINT[] = "restore it from backup (it records the last release accepted here, which "
                                   "protects against rollback)";

/* A reason naming a line; false, for `return why_not(...)`. */
static bool why_not(char *why, size_t whylen, const char *fmt, int line)
{
    snprintf(why, whylen, fmt, line);
    return false;
}

/* The next line (without its '\n'); false if none ends in '\n'. */
static bool next_line(const char **p, const char *end, const char **s, size_t *n)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl)
        return false;
    *s = *p;
    *n = (size_t)(nl - *p);
    *p = nl + 1;
    return true;
}

/* The next line is "KEY VALUE": the value in *v, *vn. */
static bool keyed_line(const char **p, const char *end, const char *key, const char **v, size_t *vn)
{
    const char *s;
    size_t n, k = strlen(key);
    if (!next_line(p, end, &s, &n) || n < k || memcmp(s, key, k) != 0)
        return false;
    *v = s + k;
    *vn = n - k;
    return true;
}

/* Why line `no` (which should read `form`) is wrong: missing, cut short,
 * or another line. */
static bool bad_line(const char *p, const char *end, int no, const char *form, char *why, size_t whylen)
{
    if (p == end)
        snprintf(why, whylen, "the file ends before line %d", no);
    else if (!memchr(p, '\n', (size_t)(end - p)))
        snprintf(why, whylen, "line %d does not end with a newline", no);
    else
        snprintf(why, whylen, "line %d is not '%s'", no, form);
    return false;
}

static bool lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

bool cars_state_parse(const char *text, size_t len, cars_state *st, char *why, size_t whylen)
{
    static const char HEAD[] = "cars-release-state 1";
    const char *p = text, *end = text + len, *v;
    size_t vn;
    memset(st, 0, sizeof *st);
    if (len == 0) {
        snprintf(why, whylen, "the file is empty");
        return false;
    }
    if (!keyed_line(&p, end, HEAD, &v, &vn) || vn != 0)
        return bad_line(text, end, 1, HEAD, why, whylen);
    const char *at = p;
    if (!keyed_line(&p, end, "sequence ", &v, &vn))
        return bad_line(at, end, 2, "sequence N", why, whylen);
    if ((vn > 1 && v[0] == '0') || !cars_sequence_parse(v, vn, &st->sequence)) /* exactly as written: no leading zero */
        return why_not(why, whylen, "line %d: the sequence is not a whole number from 0 to 18446744073709551615 "
                       "in decimal, without sign or leading zeros", 2);
    at = p;
    if (!keyed_line(&p, end, "release ", &v, &vn))
        return bad_line(at, end, 3, "release ID", why, whylen);
    if (!cars_release_id_valid(v, vn))
        return why_not(why, whylen, "line %d: the release id is not 1 to 64 letters, digits, '-', '_' or '.'", 3);
    memcpy(st->release, v, vn);
    st->release[vn] = '\0';
    at = p;
    if (!keyed_line(&p, end, "digest ", &v, &vn))
        return bad_line(at, end, 4, "digest HEX", why, whylen);
    if (vn != 64 || !lower_hex(v, vn))
        return why_not(why, whylen, "line %d: the digest is not 64 lower-case hex digits", 4);
    memcpy(st->digest, v, 64);
    st->digest[64] = '\0';
    if (p != end)
        return why_not(why, whylen, "there is more after line %d", 4);
    st->present = true;
    return true;
}

int cars_state_read(const char *path, cars_state *st, char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    struct stat ls;
    if (lstat(path, &ls) != 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "cannot read state file %s: %s", path, cars_strerror(errno));
        return -1;
    }
    if (S_ISLNK(ls.st_mode)) {
        snprintf(err, errlen, "state file %s is a symbolic link: give --state the file itself (carsvm replaces "
                 "the state file by renaming a new one over it, which would replace the link)", path);
        return -1;
    }
    size_t n;
    char *text = (char *)cars_read_file(path, CARS_FILE_STATE, &n, err, errlen);
    if (!text)
        return -1;
    char why[200];
    bool ok = cars_state_parse(text, n, st, why, sizeof why);
    cars_free(text);
    if (!ok) {
        snprintf(err, errlen, "state file %s is damaged: %s; %s", path, why, DAMAGED_HINT);
        return -1;
    }
    st->has_owner = true;
    st->uid = (unsigned)ls.st_uid;
    st->gid = (unsigned)ls.st_gid;
    st->mode = (unsigned)(ls.st_mode & 07777);
    return 0;
}

int cars_state_write(const char *path, const cars_state *old, uint64_t sequence, const char *release_id,
                     size_t release_id_len, const char digest_hex[65], char *err, size_t errlen)
{
    if (!cars_release_id_valid(release_id, release_id_len)) {
        snprintf(err, errlen, "cannot record a release id that is not 1 to 64 letters, digits, '-', '_' or '.'");
        return -1;
    }
    char text[256];
    snprintf(text, sizeof text, "cars-release-state 1\nsequence %" PRIu64 "\nrelease %.*s\ndigest %.64s\n", sequence,
             (int)release_id_len, release_id, digest_hex);
    cars_atomic_opts o = {.what = "state file", .perm = CARS_PERM_PRIVATE}; /* 0600 for a new state file */
    if (old && old->has_owner)
        o.perm = CARS_PERM_OWNER, o.uid = old->uid, o.gid = old->gid, o.mode = old->mode;
    return cars_atomic_write_file(path, text, strlen(text), &o, err, errlen);
}

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    /* whole milliseconds of the whole difference: dividing the nanoseconds'
     * difference alone would round a negative one towards zero, up to 1 ms
     * too much, and give up on a lock before its time */
    long long ns = (long long)(now.tv_sec - since->tv_sec) * 1000000000LL + (now.tv_nsec - since->tv_nsec);
    return (long)(ns / 1000000);
}

/* Opens PATH.lock (a regular file, never a link); -1 with a message. */
static int open_lock_file(const char *path, char *err, size_t errlen)
{
    size_t n = strlen(path) + sizeof ".lock";
    char *lp = cars_malloc(n);
    if (!lp) {
        snprintf(err, errlen, "out of memory locking state file %s", path);
        return -1;
    }
    snprintf(lp, n, "%s.lock", path);
    int fd = open(lp, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
    struct stat st;
    if (fd < 0)
        snprintf(err, errlen, "cannot open lock file %s of state file %s: %s", lp, path,
                 errno == ELOOP ? "it is a symbolic link" : cars_strerror(errno));
    else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "lock file %s of state file %s is not a regular file", lp, path);
        close(fd);
        fd = -1;
    }
    cars_free(lp);
    return fd;
}

int cars_state_lock(const char *path, long wait_ms, int *fd, bool *busy, char *err, size_t errlen)
{
    *busy = false;
    *fd = open_lock_file(path, err, errlen);
    if (*fd < 0)
        return -1;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
            return 0;
        if (errno == EINTR)
            continue;
        if (errno != EWOULDBLOCK) {
            snprintf(err, errlen, "cannot lock state file %s (%s.lock): %s", path, path, cars_strerror(errno));
            break;
        }
        long waited = elapsed_ms(&start);
        if (waited >= wait_ms) {
            *busy = true;
            if (wait_ms <= 0)
                snprintf(err, errlen, "state file %s is locked by another carsvm (%s.lock)", path, path);
            else
                snprintf(err, errlen, "state file %s has been locked by another carsvm (%s.lock) for more than "
                         "%ld %s: giving up; run again when it has finished", path, path,
                         wait_ms % 1000 ? wait_ms : wait_ms / 1000, wait_ms % 1000 ? "ms" : "seconds");
            break;
        }
        long ms = wait_ms - waited < 10 ? wait_ms - waited : 10;
        struct timespec pause = {0, ms * 1000000L};
        nanosleep(&pause, NULL);
    }
    close(*fd);
    *fd = -1;
    return -1;
}

void cars_state_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* closing the only descriptor releases the lock */
}

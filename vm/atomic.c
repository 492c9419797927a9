/* atomic.c - writing a file atomically and durably (see atomic.h):
 * mkstemp beside the target, permissions, write, fsync, rename (or link),
 * fsync of the directory. */
#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "errstr.h"

static const char TMP_SUFFIX[] = ".tmp.XXXXXX";

/* "cannot VERB [WHAT ]PATH: REASON"; -1, for `return failed(...)`. */
static int failed(const cars_atomic *a, const char *verb, int e, char *err, size_t errlen)
{
    const char *what = a->opts.what;
    snprintf(err, errlen, "cannot %s %s%s%s: %s%s", verb, what ? what : "", what ? " " : "", a->path, cars_strerror(e),
             a->opts.no_replace && e == EEXIST ? " (refusing to overwrite it)" : "");
    return -1;
}

static bool write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return false;
        }
        s += w;
        n -= (size_t)w;
    }
    return true;
}

/* fsync that a file system without it for this kind of file (EINVAL: a
 * pipe, some devices, a directory on some systems) does not fail. */
static int sync_fd(int fd)
{
    return fsync(fd) == 0 || errno == EINVAL ? 0 : -1;
}

/* fsync of the directory holding a->path, so the rename itself is durable.
 * a->tmp (longer than the path) receives the directory's name. */
static int sync_dir(cars_atomic *a)
{
    const char *slash = strrchr(a->path, '/');
    size_t n = slash ? (size_t)(slash - a->path) : 0;
    if (!slash)
        memcpy(a->tmp, ".", 2);
    else if (n == 0)
        memcpy(a->tmp, "/", 2);
    else {
        memcpy(a->tmp, a->path, n);
        a->tmp[n] = '\0';
    }
    int fd = open(a->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = sync_fd(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* The permissions of opts->perm on the open temporary file. */
static int set_perm(cars_atomic *a, char *err, size_t errlen)
{
    const cars_atomic_opts *o = &a->opts;
    struct stat st;
    mode_t mask;
    switch (o->perm) {
    case CARS_PERM_UMASK:
        mask = umask(0);
        umask(mask);
        if (fchmod(a->fd, (mode_t)o->mode & ~mask) != 0)
            return failed(a, "write", errno, err, errlen);
        return 0;
    case CARS_PERM_EXACT:
        return fchmod(a->fd, (mode_t)o->mode) == 0 ? 0 : failed(a, "write", errno, err, errlen);
    case CARS_PERM_OWNER:
        if (fchown(a->fd, (uid_t)o->uid, (gid_t)o->gid) == 0 && fchmod(a->fd, (mode_t)o->mode) == 0)
            return 0;
        snprintf(err, errlen, "cannot give the new %s the owner %u:%u and mode %04o of %s %s: %s (run as its "
                 "owner)", o->what ? o->what : "file", o->uid, o->gid, o->mode, o->what ? o->what : "file",
                 a->path, cars_strerror(errno));
        return -1;
    case CARS_PERM_KEEP:
        if (stat(a->path, &st) == 0 && fchmod(a->fd, st.st_mode & 07777) != 0)
            return failed(a, "write", errno, err, errlen);
        return 0;
    default:
        return 0;
    }
}

/* A target that exists and is not a regular file, opened for writing in place. */
static int open_in_place(cars_atomic *a, char *err, size_t errlen)
{
    a->fd = open(a->path, O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC);
    return a->fd < 0 ? failed(a, "write", errno, err, errlen) : 0;
}

int cars_atomic_open(cars_atomic *a, const char *path, const cars_atomic_opts *opts, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    a->path = path;
    a->fd = -1;
    if (opts)
        a->opts = *opts;
    struct stat st;
    if (a->opts.in_place && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return open_in_place(a, err, errlen);
    size_t n = strlen(path) + sizeof TMP_SUFFIX;
    a->tmp = cars_malloc(n);
    if (!a->tmp) {
        snprintf(err, errlen, "out of memory writing %s%s%s", a->opts.what ? a->opts.what : "",
                 a->opts.what ? " " : "", path);
        return -1;
    }
    snprintf(a->tmp, n, "%s%s", path, TMP_SUFFIX);
    a->fd = mkstemp(a->tmp); /* mode 0600, O_EXCL: a name nobody could have guessed or planted */
    if (a->fd < 0) {
        int e = errno;
        cars_free(a->tmp);
        a->tmp = NULL;
        return failed(a, "write", e, err, errlen);
    }
    if (set_perm(a, err, errlen) != 0) {
        cars_atomic_abort(a);
        return -1;
    }
    return 0;
}

int cars_atomic_write(cars_atomic *a, const void *p, size_t n, char *err, size_t errlen)
{
    if (write_all(a->fd, p, n))
        return 0;
    failed(a, "write", errno, err, errlen);
    cars_atomic_abort(a);
    return -1;
}

FILE *cars_atomic_stream(cars_atomic *a)
{
    if (!a->stream)
        a->stream = fdopen(a->fd, "wb");
    return a->stream;
}

/* Closes the file (the stream, if any, flushed first): 0 or -1, errno set. */
static int close_file(cars_atomic *a)
{
    int rc = 0;
    if (a->stream) {
        rc = fflush(a->stream) != 0 || ferror(a->stream) ? -1 : 0;
        if (rc == 0)
            rc = sync_fd(a->fd);
        int e = errno;
        if (fclose(a->stream) != 0 && rc == 0)
            rc = -1;
        else
            errno = e;
    } else {
        rc = sync_fd(a->fd);
        int e = errno;
        if (close(a->fd) != 0 && rc == 0)
            rc = -1;
        else
            errno = e;
    }
    a->stream = NULL;
    a->fd = -1;
    return rc;
}

/* Puts the temporary file in place: renamed over the target, or linked
 * where there must be none yet. */
static int put_in_place(cars_atomic *a)
{
    if (!a->opts.no_replace)
        return rename(a->tmp, a->path);
    if (link(a->tmp, a->path) != 0)
        return -1;
    unlink(a->tmp);
    return 0;
}

int cars_atomic_commit(cars_atomic *a, char *err, size_t errlen)
{
    if (close_file(a) != 0) {
        failed(a, "write", errno, err, errlen);
        cars_atomic_abort(a);
        return -1;
    }
    if (!a->tmp)
        return 0; /* written in place */
    if (put_in_place(a) != 0) {
        failed(a, a->opts.no_replace ? "create" : "replace", errno, err, errlen);
        cars_atomic_abort(a);
        return -1;
    }
    int rc = 0;
    if (sync_dir(a) != 0) {
        const char *what = a->opts.what;
        snprintf(err, errlen, "%s%s%s was written but its directory could not be flushed: %s", what ? what : "",
                 what ? " " : "", a->path, cars_strerror(errno));
        rc = -1;
    }
    cars_free(a->tmp);
    a->tmp = NULL;
    return rc;
}

void cars_atomic_abort(cars_atomic *a)
{
    if (a->stream)
        fclose(a->stream);
    else if (a->fd >= 0)
        close(a->fd);
    a->stream = NULL;
    a->fd = -1;
    if (a->tmp) {
        unlink(a->tmp);
        cars_free(a->tmp);
        a->tmp = NULL;
    }
}

int cars_atomic_write_file(const char *path, const void *p, size_t n, const cars_atomic_opts *opts, char *err,
                           size_t errlen)
{
    cars_atomic a;
    if (cars_atomic_open(&a, path, opts, err, errlen) != 0 || cars_atomic_write(&a, p, n, err, errlen) != 0)
        return -1;
    return cars_atomic_commit(&a, err, errlen);
}

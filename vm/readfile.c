/* readfile.c - reading a whole regular file into memory, with a size limit
 * per kind of file (see readfile.h). The file is opened without blocking
 * (a FIFO with no writer would otherwise hang the open) and checked with
 * fstat before a byte is read; the limit is enforced while reading too,
 * since a file can grow, or report size 0 and hold more (/proc). */
#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "errstr.h"

enum { KIB = 1024, MIB = 1024 * 1024 };

/* Largest measured (docs/reliability.md): a 10-million-entry table is
 * 209 MB of CSV and its release 80 MB. A key or a signature is under
 * 2.5 KB even with minisign's longest comments, the state file under
 * 200 bytes; a rule file's limit is the language's (docs/language.md). */
static const struct {
    const char *name;
    size_t limit;
} kinds[] = {
    [CARS_FILE_RELEASE] = {"release", (size_t)1024 * MIB},
    [CARS_FILE_KEY] = {"key", 8 * KIB},
    [CARS_FILE_SIGNATURE] = {"signature", 8 * KIB},
    [CARS_FILE_STATE] = {"state file", 4 * KIB},
    [CARS_FILE_RULES] = {"rule file", 16 * MIB},
    [CARS_FILE_TABLE] = {"table file", (size_t)512 * MIB},
};

const char *cars_file_kind_name(cars_file_kind kind)
{
    return (unsigned)kind < sizeof kinds / sizeof kinds[0] ? kinds[kind].name : "file";
}

size_t cars_file_limit(cars_file_kind kind)
{
    return (unsigned)kind < sizeof kinds / sizeof kinds[0] ? kinds[kind].limit : 0;
}

/* "a FIFO", "a directory", ... for a file that is not a regular file. */
static const char *type_name(mode_t m)
{
    return S_ISFIFO(m) ? "a FIFO" : S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device"
           : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "a special file";
}

static uint8_t *refuse(int e, char *err, size_t errlen, const char *fmt, const char *what, const char *path,
                       const char *detail)
{
    if (errlen)
        snprintf(err, errlen, fmt, what, path, detail);
    errno = e;
    return NULL;
}

static uint8_t *too_large(cars_file_kind kind, const char *path, char *err, size_t errlen)
{
    size_t lim = cars_file_limit(kind);
    char size[40];
    snprintf(size, sizeof size, lim >= MIB ? "%zu MiB" : "%zu KiB", lim >= MIB ? lim / MIB : lim / KIB);
    if (errlen)
        snprintf(err, errlen, "%s %s is larger than the %s limit for a %s", cars_file_kind_name(kind), path, size,
                 cars_file_kind_name(kind));
    errno = EFBIG;
    return NULL;
}

/* Reads fd to its end into a buffer of `cap` bytes to start with (plus the
 * NUL), growing it up to limit + 1 bytes; *n is what was read. NULL with
 * errno set on a read error or no memory; *n > limit when over the limit. */
static uint8_t *read_all(int fd, size_t cap, size_t limit, size_t *n)
{
    uint8_t *b = cars_malloc(cap + 1);
    *n = 0;
    while (b) {
        if (*n == cap) {
            if (cap > limit)
                break; /* over the limit: the caller refuses it */
            size_t ncap = cap < limit / 2 ? cap * 2 : limit + 1;
            uint8_t *nb = cars_realloc(b, ncap + 1);
            if (!nb) {
                cars_free(b);
                errno = ENOMEM;
                return NULL;
            }
            b = nb;
            cap = ncap;
        }
        ssize_t got = read(fd, b + *n, cap - *n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            cars_free(b);
            errno = e;
            return NULL;
        }
        if (got == 0)
            break;
        *n += (size_t)got;
    }
    if (!b)
        errno = ENOMEM;
    return b;
}

uint8_t *cars_read_file_mode(const char *path, cars_file_kind kind, size_t *len, unsigned *mode,
                             char *err, size_t errlen)
{
    const char *what = cars_file_kind_name(kind);
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno; /* a socket cannot be opened: say what it is */
        if (e == ENXIO && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
            return refuse(EINVAL, err, errlen, "%s %s is %s, not a regular file", what, path, type_name(st.st_mode));
        return refuse(e, err, errlen, "cannot read %s %s: %s", what, path, cars_strerror(e));
    }
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return refuse(e, err, errlen, "cannot read %s %s: %s", what, path, cars_strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return refuse(EINVAL, err, errlen, "%s %s is %s, not a regular file", what, path, type_name(st.st_mode));
    }
    size_t limit = cars_file_limit(kind), n;
    if ((uint64_t)st.st_size > limit) {
        close(fd);
        return too_large(kind, path, err, errlen);
    }
    /* one byte more than the size: EOF is seen without growing the buffer */
    uint8_t *b = read_all(fd, st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, limit, &n);
    int e = errno;
    close(fd);
    if (!b)
        return refuse(e, err, errlen, e == ENOMEM ? "out of memory reading %s %s%s" : "cannot read %s %s: %s", what,
                      path, e == ENOMEM ? "" : cars_strerror(e));
    if (n > limit) {
        cars_free(b);
        return too_large(kind, path, err, errlen);
    }
    b[n] = '\0';
    *len = n;
    if (mode)
        *mode = (unsigned)st.st_mode;
    return b;
}

uint8_t *cars_read_file(const char *path, cars_file_kind kind, size_t *len, char *err, size_t errlen)
{
    return cars_read_file_mode(path, kind, len, NULL, err, errlen);
}

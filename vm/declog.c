/* declog.c - writing the decision log (see declog.h): entries are built by
 * any thread, then chained and appended under one mutex with a single
 * write() to a file opened O_APPEND and locked with flock. */
#include "declog.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "alloc.h"
#include "errstr.h"
#include "hex.h"
#include "json.h"
#include "names.h"

#define HEXLEN (2 * CARS_DECLOG_HASH_BYTES)

struct cars_declog {
    pthread_mutex_t mu;
    char *path;
    int fd;
    uint64_t size;
    int64_t day;            /* the UTC day of the current file */
    uint8_t head[CARS_DECLOG_HASH_BYTES];
    struct timespec synced; /* the last fdatasync */
    cars_declog_opts o;
    cars_buf out;           /* the lines of one append */
    unsigned long long lines, failures;
    bool broken;            /* a failed write could not be cut off again */
};

void cars_declog_line_hash(const char *line, size_t len, uint8_t out[CARS_DECLOG_HASH_BYTES])
{
    crypto_generichash(out, CARS_DECLOG_HASH_BYTES, (const unsigned char *)line, len, NULL, 0);
}

void cars_declog_bundle_hex(const uint8_t *bytes, size_t len, char out[HEXLEN + 1])
{
    uint8_t d[CARS_DECLOG_HASH_BYTES];
    crypto_generichash(d, sizeof d, bytes, len, NULL, 0);
    cars_hex(d, sizeof d, out);
}

/* ---- the key ---------------------------------------------------------- */

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                                                                      : -1;
}

int cars_declog_key_load(const char *path, uint8_t key[CARS_DECLOG_KEY_BYTES], char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cars_fail(err, errlen, "cannot read the decision-log key %s: %s", path, cars_strerror(errno));
    char text[2 * CARS_DECLOG_KEY_BYTES + 3] = {0};
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        n--;
    if (n != 2 * CARS_DECLOG_KEY_BYTES)
        return cars_fail(err, errlen, "the decision-log key %s is not 64 hex digits", path);
    for (size_t i = 0; i < CARS_DECLOG_KEY_BYTES; i++) {
        int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return cars_fail(err, errlen, "the decision-log key %s is not 64 hex digits", path);
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    sodium_memzero(text, sizeof text);
    return 0;
}

int cars_declog_key_create(const char *path, char *err, size_t errlen)
{
    uint8_t key[CARS_DECLOG_KEY_BYTES];
    char text[2 * CARS_DECLOG_KEY_BYTES + 2];
    randombytes_buf(key, sizeof key);
    cars_hex(key, sizeof key, text);
    strcat(text, "\n");
    sodium_memzero(key, sizeof key);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return cars_fail(err, errlen, "cannot create the key %s: %s", path, cars_strerror(errno));
    ssize_t w = write(fd, text, strlen(text));
    sodium_memzero(text, sizeof text);
    if (w != 2 * CARS_DECLOG_KEY_BYTES + 1 || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(path);
        return cars_fail(err, errlen, "cannot write the key %s: %s", path, cars_strerror(e));
    }
    return close(fd) == 0 ? 0 : cars_fail(err, errlen, "cannot write the key %s: %s", path, cars_strerror(errno));
}

/* ---- entries -------------------------------------------------------- */

/* 2026-12-03T03:45:12.123456Z (27 characters and a NUL; room for more). */
static void timestamp(char out[64], int64_t *day)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(ts.tv_nsec / 1000));
    if (day)
        *day = (int64_t)(ts.tv_sec / 86400);
}

void cars_declog_entry(cars_buf *b, const cars_declog_src *s, const cars_str *id, const cars_result *r,
                       const char *line, size_t len)
{
    char ts[64], hex[HEXLEN + 1];
    timestamp(ts, NULL);
    cars_buf_puts(b, "{\"ts\":\"");
    cars_buf_puts(b, ts);
    cars_buf_puts(b, "\",\"id\":");
    if (id)
        cars_json_string(b, id->p, id->len);
    else
        cars_buf_puts(b, "null");
    cars_buf_puts(b, ",\"release\":");
    cars_json_string(b, s->p->release_id.p, s->p->release_id.len);
    cars_buf_puts(b, ",\"bundle\":\"");
    cars_buf_puts(b, s->bundle_hex);
    cars_buf_puts(b, "\",\"outcome\":\"");
    cars_buf_puts(b, cars_outcome_name(r ? r->outcome : CARS_OUT_ERROR));
    cars_buf_puts(b, "\",\"rules\":[");
    for (uint32_t k = 0; r && k < r->nrules; k++) {
        if (k)
            cars_buf_puts(b, ",");
        const cars_str *rid = &s->p->rules[r->rules[k]].id;
        cars_json_string(b, rid->p, rid->len);
    }
    uint8_t d[CARS_DECLOG_HASH_BYTES];
    crypto_generichash(d, sizeof d, (const unsigned char *)line, len, s->key, CARS_DECLOG_KEY_BYTES);
    cars_hex(d, sizeof d, hex);
    cars_buf_puts(b, "],\"input\":\"");
    cars_buf_puts(b, hex);
    cars_buf_puts(b, "\"\n");
}

/* Appends the chain tail to the line body just put in l->out (from
 * `start`), and the newline; moves the head. */
static void chain(cars_declog *l, size_t start)
{
    char hex[HEXLEN + 1];
    cars_hex(l->head, sizeof l->head, hex);
    cars_buf_puts(&l->out, ",\"prev\":\"");
    cars_buf_puts(&l->out, hex);
    cars_buf_puts(&l->out, "\"}");
    if (!l->out.failed)
        cars_declog_line_hash(l->out.p + start, l->out.len - start, l->head);
    cars_buf_puts(&l->out, "\n");
}

/* The first line of every file. */
static void header(cars_declog *l, const char *prev_file)
{
    char ts[64];
    timestamp(ts, &l->day);
    size_t start = l->out.len;
    cars_buf_puts(&l->out, "{\"log\":\"cars decisions\",\"version\":1,\"ts\":\"");
    cars_buf_puts(&l->out, ts);
    cars_buf_puts(&l->out, "\",\"prev_file\":");
    if (prev_file)
        cars_json_string(&l->out, prev_file, strlen(prev_file));
    else
        cars_buf_puts(&l->out, "null");
    chain(l, start);
}

/* ---- opening, recovering the chain ---------------------------------- */

/* Reads the end of the file: cuts a torn last line, hashes the last whole
 * one into l->head. */
static int recover(cars_declog *l, int rfd, size_t *torn, char *err, size_t errlen)
{
    size_t want = 4096;
    for (;;) {
        size_t n = l->size < want ? (size_t)l->size : want;
        char *tail = cars_malloc(n);
        if (!tail)
            return cars_fail(err, errlen, "out of memory");
        off_t at = (off_t)(l->size - n);
        if (pread(rfd, tail, n, at) != (ssize_t)n) {
            cars_free(tail);
            return cars_fail(err, errlen, "cannot read the decision log %s: %s", l->path, cars_strerror(errno));
        }
        size_t end = n; /* one past the last '\n' */
        while (end > 0 && tail[end - 1] != '\n')
            end--;
        size_t start = end ? end - 1 : 0;
        while (start > 0 && tail[start - 1] != '\n')
            start--;
        if ((end == 0 || start == 0) && n < l->size) { /* the last line does not fit yet */
            cars_free(tail);
            want *= 4;
            continue;
        }
        if (end < n) { /* a torn line after the last newline: cut it */
            if (torn)
                *torn = n - end;
            l->size = (uint64_t)at + end;
            if (ftruncate(l->fd, (off_t)l->size) != 0) {
                cars_free(tail);
                return cars_fail(err, errlen, "cannot cut the torn last line of %s: %s", l->path, cars_strerror(errno));
            }
        }
        if (end > 0)
            cars_declog_line_hash(tail + start, end - 1 - start, l->head);
        cars_free(tail);
        return 0;
    }
}

/* Opens l->path, locks it, recovers the chain or writes the header. */
static int open_file(cars_declog *l, const char *prev_file, size_t *torn, char *err, size_t errlen)
{
    l->fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (l->fd < 0)
        return cars_fail(err, errlen, "cannot open the decision log %s: %s", l->path, cars_strerror(errno));
    int rfd = open(l->path, O_RDONLY | O_CLOEXEC); /* pread needs a readable descriptor */
    struct stat st;
    if (rfd < 0 || flock(l->fd, LOCK_EX | LOCK_NB) != 0 || fstat(l->fd, &st) != 0) {
        int e = errno;
        if (rfd >= 0)
            close(rfd);
        return cars_fail(err, errlen, "cannot open the decision log %s: %s", l->path,
                    e == EWOULDBLOCK ? "another process is writing it" : cars_strerror(e));
    }
    l->size = (uint64_t)st.st_size;
    l->day = (int64_t)(st.st_mtime / 86400);
    int rc = 0;
    if (l->size > 0)
        rc = recover(l, rfd, torn, err, errlen);
    close(rfd);
    if (rc == 0 && l->size == 0) {
        l->out.len = 0;
        header(l, prev_file);
        ssize_t w = l->out.failed ? -1 : write(l->fd, l->out.p, l->out.len);
        if (w != (ssize_t)l->out.len)
            return cars_fail(err, errlen, "cannot write the decision log %s: %s", l->path,
                        w < 0 ? cars_strerror(errno) : "short write");
        l->size = l->out.len;
        if (fdatasync(l->fd) != 0)
            return cars_fail(err, errlen, "cannot sync the decision log %s: %s", l->path, cars_strerror(errno));
    }
    return rc;
}

cars_declog *cars_declog_open(const char *path, const cars_declog_opts *o, size_t *torn, char *err,
                              size_t errlen)
{
    cars_declog *l = cars_calloc(1, sizeof *l);
    size_t n = strlen(path) + 1;
    if (!l || !(l->path = cars_malloc(n))) {
        cars_free(l);
        cars_fail(err, errlen, "out of memory");
        return NULL;
    }
    memcpy(l->path, path, n);
    l->o = *o;
    if (torn)
        *torn = 0;
    pthread_mutex_init(&l->mu, NULL);
    clock_gettime(CLOCK_MONOTONIC, &l->synced);
    if (open_file(l, NULL, torn, err, errlen) != 0) {
        cars_declog_close(l, NULL, 0);
        return NULL;
    }
    return l;
}

int cars_declog_close(cars_declog *l, char *err, size_t errlen)
{
    if (!l)
        return 0;
    int rc = 0;
    if (l->fd >= 0 && fdatasync(l->fd) != 0)
        rc = cars_fail(err, errlen, "cannot sync the decision log %s: %s", l->path, cars_strerror(errno));
    if (l->fd >= 0 && close(l->fd) != 0 && rc == 0)
        rc = cars_fail(err, errlen, "cannot close the decision log %s: %s", l->path, cars_strerror(errno));
    pthread_mutex_destroy(&l->mu);
    cars_buf_free(&l->out);
    cars_free(l->path);
    cars_free(l);
    return rc;
}

/* ---- rotation ------------------------------------------------------- */

static void fsync_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* Renames the file to PATH.YYYYMMDDTHHMMSS.uuuuuuZ (-N when taken), names
 * that sort in the order written, and starts a new one whose header names
 * it and carries the chain. */
static int rotate(cars_declog *l, char *err, size_t errlen)
{
    char name[4200];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    int n = snprintf(name, sizeof name, "%s.%04d%02d%02dT%02d%02d%02d.%06ldZ", l->path, tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(now.tv_nsec / 1000));
    struct stat st;
    for (int k = 1; n > 0 && (size_t)n < sizeof name && lstat(name, &st) == 0; k++)
        snprintf(name + n, sizeof name - (size_t)n, "-%d", k);
    if (n <= 0 || (size_t)n + 12 >= sizeof name)
        return cars_fail(err, errlen, "the decision log's name is too long to rotate");
    if (fdatasync(l->fd) != 0 || rename(l->path, name) != 0)
        return cars_fail(err, errlen, "cannot rotate the decision log %s: %s", l->path, cars_strerror(errno));
    close(l->fd); /* releases the lock on the renamed file */
    l->fd = -1;
    const char *base = strrchr(name, '/');
    int rc = open_file(l, base ? base + 1 : name, NULL, err, errlen);
    fsync_dir(l->path);
    return rc;
}

static bool rotation_due(const cars_declog *l, size_t adding)
{
    if (l->o.rotate_bytes && l->size + adding > l->o.rotate_bytes && l->lines > 0)
        return true;
    return l->o.rotate_daily && (int64_t)(time(NULL) / 86400) != l->day;
}

/* ---- appending ------------------------------------------------------ */

static void maybe_sync(cars_declog *l)
{
    if (l->o.sync == CARS_DECLOG_SYNC_NONE)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (l->o.sync == CARS_DECLOG_SYNC_SECOND && now.tv_sec - l->synced.tv_sec < 1)
        return;
    (void)fdatasync(l->fd); /* the write() is done: a failed sync is not a lost line for the process */
    l->synced = now;
}

/* Writes l->out, cutting a short write off again. */
static int write_out(cars_declog *l, char *err, size_t errlen)
{
    ssize_t w;
    do
        w = write(l->fd, l->out.p, l->out.len);
    while (w < 0 && errno == EINTR);
    if (w == (ssize_t)l->out.len)
        return 0;
    if (w < 0)
        return cars_fail(err, errlen, "cannot write the decision log %s: %s", l->path, cars_strerror(errno));
    if (w > 0 && ftruncate(l->fd, (off_t)l->size) != 0) /* the lines written in part: cut off again */
        l->broken = true;
    return cars_fail(err, errlen, "cannot write the decision log %s: only %zd of %zu bytes written (the disk is full, "
                "or a file size limit reached)", l->path, w, l->out.len);
}

static int append_locked(cars_declog *l, const cars_buf *bodies, char *err, size_t errlen)
{
    if (l->broken || l->fd < 0)
        return cars_fail(err, errlen, "the decision log %s is unusable after an earlier failure", l->path);
    if (rotation_due(l, bodies->len + bodies->len / 2) && rotate(l, err, errlen) != 0) {
        l->broken = l->fd < 0;
        return -1;
    }
    uint8_t head[CARS_DECLOG_HASH_BYTES];
    memcpy(head, l->head, sizeof head);
    l->out.len = 0;
    unsigned long long n = 0;
    for (size_t at = 0; at < bodies->len; n++) {
        const char *nl = memchr(bodies->p + at, '\n', bodies->len - at);
        size_t len = nl ? (size_t)(nl - (bodies->p + at)) : bodies->len - at;
        size_t start = l->out.len;
        cars_buf_put(&l->out, bodies->p + at, len);
        chain(l, start);
        at += len + 1;
    }
    if (l->out.failed || write_out(l, err, errlen) != 0) {
        if (l->out.failed)
            cars_fail(err, errlen, "out of memory");
        memcpy(l->head, head, sizeof head);
        l->out.failed = false;
        return -1;
    }
    l->size += l->out.len;
    l->lines += n;
    maybe_sync(l);
    return 0;
}

int cars_declog_append(cars_declog *l, const cars_buf *bodies, char *err, size_t errlen)
{
    if (bodies->len == 0)
        return 0;
    pthread_mutex_lock(&l->mu);
    int rc = append_locked(l, bodies, err, errlen);
    if (rc != 0)
        l->failures++;
    pthread_mutex_unlock(&l->mu);
    return rc;
}

void cars_declog_stats(cars_declog *l, unsigned long long *lines, unsigned long long *failures,
                       char head_hex[HEXLEN + 1])
{
    pthread_mutex_lock(&l->mu);
    *lines = l->lines;
    *failures = l->failures;
    cars_hex(l->head, sizeof l->head, head_hex);
    pthread_mutex_unlock(&l->mu);
}

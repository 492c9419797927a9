/* declog_verify.c - checking the decision log's chain (see
 * declog_verify.h): every line well-formed JSON, each file opening with its
 * header, and each line's "prev" the hash of the line before it, across
 * files given in order. A torn last line (no newline: the writer was
 * killed mid-write) is ignored: the log verifies up to its last whole line. */
#include "declog_verify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "errstr.h"
#include "hex.h"

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (errlen)
        vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return 1;
}

bool cars_declog_tail_ok(const char *line, size_t len)
{
    if (len < CARS_DECLOG_TAIL_LEN + 2)
        return false;
    const char *t = line + len - CARS_DECLOG_TAIL_LEN;
    if (memcmp(t, ",\"prev\":\"", 9) != 0 || memcmp(t + 73, "\"}", 2) != 0)
        return false;
    for (int i = 9; i < 73; i++)
        if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
            return false;
    return true;
}

/* What kind of line: 'h' header, 'e' entry, 0 neither (or not JSON). */
static int line_kind(char *line, size_t len)
{
    char saved = line[len];
    line[len] = '\0';
    yajl_val v = yajl_tree_parse(line, NULL, 0);
    line[len] = saved;
    if (!v || !YAJL_IS_OBJECT(v)) {
        yajl_tree_free(v);
        return 0;
    }
    static const char *log_path[] = {"log", NULL}, *input_path[] = {"input", NULL};
    yajl_val log = yajl_tree_get(v, log_path, yajl_t_string);
    yajl_val input = yajl_tree_get(v, input_path, yajl_t_string);
    int kind = log && strcmp(log->u.string, "cars decisions") == 0 ? 'h' : input ? 'e' : 0;
    yajl_tree_free(v);
    return kind;
}

/* Checks line `no` of a file against the chain; 0 or 1 (bad, err set). */
static int check_line(char *line, size_t len, unsigned long long no, cars_declog_chk *c, char *err,
                      size_t errlen)
{
    if (!cars_declog_tail_ok(line, len))
        return bad(err, errlen, "line %llu does not end with the hash of the line before it", no);
    int kind = line_kind(line, len);
    if (kind == 0)
        return bad(err, errlen, "line %llu is not a decision-log line (JSON object)", no);
    if (no == 1 && kind != 'h')
        return bad(err, errlen, "line 1 is not the log's header line");
    if (no > 1 && kind != 'e')
        return bad(err, errlen, "line %llu is a header line in the middle of a file", no);
    char head[65];
    cars_hex(c->head, sizeof c->head, head);
    const char *prev = line + len - CARS_DECLOG_TAIL_LEN + 9;
    if (c->have_head && memcmp(prev, head, 64) != 0) {
        if (no == 1)
            return bad(err, errlen,
                       "line 1: the chain breaks here: this file does not continue the file before it "
                       "(a file is missing, or the files are out of order)");
        return bad(err, errlen,
                   "line %llu: the chain breaks here: its \"prev\" is not the hash of line %llu "
                   "(line %llu was edited, or lines were deleted, inserted or reordered before line %llu)",
                   no, no - 1, no - 1, no);
    }
    if (!c->have_head && strspn(prev, "0") < 64)
        c->continues = true; /* an earlier file, not given, came before */
    cars_declog_line_hash(line, len, c->head);
    c->have_head = true;
    return 0;
}

int cars_declog_verify_file(const char *path, cars_declog_chk *c, cars_declog_file_result *res, char *err,
                            size_t errlen)
{
    memset(res, 0, sizeof *res);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, cars_strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] != '\n') { /* torn: the log verifies up to here */
            res->torn = (size_t)n;
            break;
        }
        res->lines++;
        rc = check_line(line, (size_t)n - 1, res->lines, c, err, errlen);
        if (rc)
            res->bad_line = res->lines;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "cannot read %s: %s", path, cars_strerror(errno));
        rc = -1;
    } else if (rc == 0 && res->lines == 0) {
        rc = bad(err, errlen, "the file holds no whole line");
        res->bad_line = 1;
    }
    free(line);
    fclose(f);
    return rc;
}

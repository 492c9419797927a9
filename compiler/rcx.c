/* rcx.c - the re-route list (rcx.h). */
#include "rcx.h"

#include <string.h>

#include "alloc.h"
#include "date.h"
#include "jsonl.h"

#define CMD "effectiveness"

static char *dup_s(const char *s)
{
    size_t n = strlen(s);
    char *d = cars_malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

cars_rcx_entry *cars_rcx_find(const cars_rcx *x, const char *id)
{
    uint64_t h = cars_strindex_hash(0, id);
    size_t pos = 0;
    for (uint32_t i; (i = cars_strindex_next(&x->index, h, &pos)) != CARS_STRINDEX_NONE;)
        if (strcmp(x->e[i].id, id) == 0)
            return &x->e[i];
    return NULL;
}

/* Adds a re-route; false when out of memory. */
static bool add(cars_rcx *x, const char *id, const char *reason)
{
    x->lines++;
    cars_rcx_entry *e = cars_rcx_find(x, id);
    if (e) {
        e->listed++;
        return true;
    }
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 256;
        cars_rcx_entry *ne = cars_realloc(x->e, cap * sizeof *ne);
        if (!ne)
            return false;
        x->e = ne;
        x->cap = cap;
    }
    e = &x->e[x->n];
    *e = (cars_rcx_entry){dup_s(id), reason && *reason ? dup_s(reason) : NULL, 1, 0, -1, false, false};
    if (!e->id || !cars_strindex_add(&x->index, cars_strindex_hash(0, id), (uint32_t)x->n)) {
        cars_free(e->id);
        cars_free(e->reason);
        return false;
    }
    x->n++;
    return true;
}

int cars_csv_split(char *line, char **field, int max)
{
    int n = 0;
    char *r = line, *w = line;
    for (;;) {
        if (n == max)
            return -1;
        field[n++] = w;
        if (*r == '"') {
            for (r++;; r++) {
                if (*r == '\0')
                    return -1;
                if (*r == '"' && r[1] == '"')
                    *w++ = '"', r++;
                else if (*r == '"')
                    break;
                else
                    *w++ = *r;
            }
            r++;
            if (*r != ',' && *r != '\0' && *r != '\r')
                return -1;
        } else {
            while (*r && *r != ',' && *r != '\r')
                *w++ = *r++;
        }
        char c = *r;
        *w++ = '\0';
        if (c != ',')
            return n;
        r++;
    }
}

static bool bad(const cars_lines *l, const char *msg)
{
    fprintf(stderr, "carsc " CMD ": %s:%llu: %s\n", l->path, (unsigned long long)l->no, msg);
    return false;
}

static bool check_date(const cars_lines *l, const char *d)
{
    int64_t days;
    return !d || !*d || cars_date_parse(d, strlen(d), &days) ? true : bad(l, "date is not YYYY-MM-DD");
}

/* The CSV header: which column holds id, reason and date (-1 none). */
static bool csv_header(cars_lines *l, int col[3], int *ncols)
{
    char *f[8];
    int n = cars_csv_split(l->buf, f, 8);
    static const char *const names[3] = {"id", "reason", "date"};
    col[0] = col[1] = col[2] = -1;
    for (int i = 0; i < n; i++) {
        int k = 0;
        while (k < 3 && strcmp(f[i], names[k]) != 0)
            k++;
        if (k == 3 || col[k] >= 0)
            return bad(l, "the header names the columns id, reason, date (id required, each once)");
        col[k] = i;
    }
    *ncols = n;
    return col[0] >= 0 ? true : bad(l, "the header names the columns id, reason, date (id required, each once)");
}

static bool csv_line(cars_rcx *x, cars_lines *l, const int col[3], int ncols)
{
    char *f[8];
    int n = cars_csv_split(l->buf, f, 8);
    if (n != ncols)
        return bad(l, n < 0 ? "malformed CSV line" : "not as many fields as the header");
    if (!*f[col[0]])
        return bad(l, "empty id");
    if (col[2] >= 0 && !check_date(l, f[col[2]]))
        return false;
    return add(x, f[col[0]], col[1] >= 0 ? f[col[1]] : NULL) ? true : bad(l, "out of memory");
}

static bool json_line(cars_rcx *x, cars_lines *l)
{
    char err[200];
    yajl_val t = yajl_tree_parse(l->buf, err, sizeof err);
    if (!t || !YAJL_IS_OBJECT(t)) {
        yajl_tree_free(t);
        return bad(l, "not a JSON object");
    }
    yajl_val id = cars_json_path(t, "id"), reason = cars_json_path(t, "reason"), date = cars_json_path(t, "date");
    bool ok = false;
    if (!id || !YAJL_IS_STRING(id) || !*id->u.string)
        bad(l, "\"id\" must be a non-empty string");
    else if ((reason && !YAJL_IS_STRING(reason) && !YAJL_IS_NULL(reason)) ||
             (date && !YAJL_IS_STRING(date) && !YAJL_IS_NULL(date)))
        bad(l, "\"reason\" and \"date\" are strings");
    else if (check_date(l, YAJL_GET_STRING(date)))
        ok = add(x, id->u.string, YAJL_GET_STRING(reason)) ? true : bad(l, "out of memory");
    yajl_tree_free(t);
    return ok;
}

bool cars_rcx_read(cars_rcx *x, const char *path)
{
    memset(x, 0, sizeof *x);
    cars_lines l;
    if (!cars_lines_open(&l, path, CMD))
        return false;
    int rc = 0, col[3] = {-1, -1, -1}, ncols = 0;
    bool ok = true, json = false, first = true;
    while (ok && (rc = cars_lines_next(&l, CMD)) == 1) {
        const char *s = l.buf;
        while (*s == ' ' || *s == '\t')
            s++;
        if (first)
            json = *s == '{';
        if (first && !json)
            ok = csv_header(&l, col, &ncols);
        else
            ok = json ? json_line(x, &l) : csv_line(x, &l, col, ncols);
        first = false;
    }
    ok = ok && rc == 0;
    cars_lines_close(&l);
    return ok;
}

void cars_rcx_free(cars_rcx *x)
{
    for (size_t i = 0; i < x->n; i++) {
        cars_free(x->e[i].id);
        cars_free(x->e[i].reason);
    }
    cars_free(x->e);
    cars_strindex_free(&x->index);
    memset(x, 0, sizeof *x);
}

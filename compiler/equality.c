/* equality.c - the EIA figures (equality.h): one pass, then pooling and
 * suppression. */
#include "equality.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "date.h"
#include "jsonl.h"
#include "names.h"

#define CMD "carsc equality"
#define NOT_GIVEN "(not given)"

static const char *const age_band[] = {"0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75 and over"};
static const int age_low[] = {0, 18, 25, 35, 45, 55, 65, 75};

uint64_t cars_eq_cx(const uint64_t *c) { return c[CARS_OUT_CXDR] + c[CARS_OUT_CXPCA]; }
bool cars_eq_ratio_shown(const bool *hidden)
{
    return !hidden[CARS_OUT_CXDR] && !hidden[CARS_OUT_CXPCA] && !hidden[CARS_EQ_COLS - 1];
}

/* The counts of label's row (made if need be), or the overflow; NULL out of memory. */
static uint64_t *row_counts(cars_eq_dim_t *d, const char *value)
{
    char label[64];
    snprintf(label, sizeof label, "%s", value);
    uint64_t hash = cars_strindex_hash(0, label);
    size_t pos = 0;
    for (uint32_t i; (i = cars_strindex_next(&d->index, hash, &pos)) != CARS_STRINDEX_NONE;)
        if (strcmp(d->rows[i].label, label) == 0)
            return d->rows[i].c;
    if (d->n >= CARS_EQ_MAX_VALUES)
        return d->overflow;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 32;
        cars_eq_row *r = cars_realloc(d->rows, cap * sizeof *r);
        if (!r)
            return NULL;
        d->rows = r;
        d->cap = cap;
    }
    cars_eq_row *r = &d->rows[d->n];
    memset(r, 0, sizeof *r);
    memcpy(r->label, label, sizeof label);
    if (!cars_strindex_add(&d->index, hash, (uint32_t)d->n))
        return NULL;
    d->n++;
    return r->c;
}

static const char *string_at(yajl_val rec, const char *path)
{
    const char *s = rec ? YAJL_GET_STRING(cars_json_path(rec, path)) : NULL;
    return s && *s ? s : NOT_GIVEN;
}

static const char *age_of(yajl_val rec, const char *dob_path, const char *recv_path)
{
    const char *b = string_at(rec, dob_path), *r = string_at(rec, recv_path);
    int64_t db, dr;
    if (!cars_date_parse(b, strlen(b), &db) || !cars_date_parse(r, strlen(r), &dr))
        return NOT_GIVEN;
    int64_t age = cars_years_between(db, dr);
    if (age < 0)
        return NOT_GIVEN;
    int k = 7;
    while (k > 0 && age < age_low[k])
        k--;
    return age_band[k];
}

static bool add(cars_equality *q, yajl_val rec, int outcome)
{
    const char *v[CARS_EQ_NDIMS] = {string_at(rec, q->field[0]), string_at(rec, q->field[1]),
                                    age_of(rec, q->field[2], q->field[3])};
    q->pop[outcome]++;
    q->pop[CARS_EQ_COLS - 1]++;
    for (int d = 0; d < CARS_EQ_NDIMS; d++) {
        uint64_t *c = row_counts(&q->dim[d], v[d]);
        if (!c)
            return false;
        c[outcome]++;
        c[CARS_EQ_COLS - 1]++;
    }
    return true;
}

/* Reads the record of routing line rt->no and adds it; false (message on
 * stderr, naming lines only) when it does not match or memory runs out. */
static bool one(cars_equality *q, cars_lines *rec, const cars_lines *rt, cars_rline *rl)
{
    char err[200];
    if (!cars_rline_parse(rl, rt->buf, err, sizeof err)) {
        fprintf(stderr, CMD ": %s:%llu: %s\n", rt->path, (unsigned long long)rt->no, err);
        return false;
    }
    int rc = cars_lines_next(rec, "equality");
    if (rc == 0)
        fprintf(stderr, CMD ": %s ends before %s: line %llu of %s has no record\n", rec->path, rt->path,
                (unsigned long long)rt->no, rt->path);
    if (rc <= 0)
        return false;
    yajl_val t = yajl_tree_parse(rec->buf, err, sizeof err);
    const char *rid = YAJL_GET_STRING(t ? cars_json_path(t, "id") : NULL);
    bool ok = !(t && rl->id && (!rid || strcmp(rid, rl->id) != 0));
    if (!ok)
        fprintf(stderr, CMD ": line %llu of %s is not the record of line %llu of %s (their ids differ)\n",
                (unsigned long long)rec->no, rec->path, (unsigned long long)rt->no, rt->path);
    if (ok && !add(q, t, rl->outcome)) {
        fprintf(stderr, CMD ": out of memory\n");
        ok = false;
    }
    yajl_tree_free(t);
    return ok;
}

static bool pass(cars_equality *q)
{
    cars_lines rec, rt;
    if (!cars_lines_open(&rec, q->records_path, "equality"))
        return false;
    if (!cars_lines_open(&rt, q->routing_path, "equality")) {
        cars_lines_close(&rec);
        return false;
    }
    cars_rline rl;
    memset(&rl, 0, sizeof rl);
    int rc = 0;
    bool ok = true;
    while (ok && (rc = cars_lines_next(&rt, "equality")) == 1)
        ok = one(q, &rec, &rt, &rl);
    ok = ok && rc == 0;
    if (ok && (rc = cars_lines_next(&rec, "equality")) != 0) {
        if (rc > 0)
            fprintf(stderr, CMD ": %s has more records than %s has routing lines (line %llu)\n", rec.path, rt.path,
                    (unsigned long long)rec.no);
        ok = false;
    }
    cars_rline_free(&rl);
    cars_lines_close(&rt);
    cars_lines_close(&rec);
    return ok;
}

static int rank(const cars_eq_row *r) { return r->pooled ? 2 : strcmp(r->label, NOT_GIVEN) == 0 ? 1 : 0; }

static int cmp_rows(const void *a, const void *b)
{
    const cars_eq_row *x = a, *y = b;
    int d = rank(x) - rank(y);
    return d ? d : strcmp(x->label, y->label);
}

/* Pools the rows under min_cell (and the overflow) into one "other" row. */
static void pool(cars_eq_dim_t *d, uint64_t min_cell)
{
    cars_eq_row other;
    memset(&other, 0, sizeof other);
    snprintf(other.label, sizeof other.label, "other (groups under %llu records)", (unsigned long long)min_cell);
    other.pooled = true;
    memcpy(other.c, d->overflow, sizeof other.c);
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (d->rows[i].c[CARS_EQ_COLS - 1] >= min_cell) {
            d->rows[k++] = d->rows[i];
            continue;
        }
        for (int c = 0; c < CARS_EQ_COLS; c++)
            other.c[c] += d->rows[i].c[c];
    }
    d->n = k;
    if (other.c[CARS_EQ_COLS - 1] > 0)
        d->rows[d->n++] = other; /* room: at least one row was pooled, or the overflow row fits in cap */
    qsort(d->rows, d->n, sizeof *d->rows, cmp_rows);
}

/* Hides the smallest non-zero shown count among cells[i] (stride apart);
 * false if there is none. */
static bool hide_smallest(cars_eq_row *rows, size_t n, int col, size_t skip_row, bool by_row)
{
    cars_eq_row *best = NULL;
    int bestc = -1;
    for (size_t i = 0; i < (by_row ? (size_t)CARS_EQ_COLS : n); i++) {
        cars_eq_row *r = by_row ? &rows[skip_row] : &rows[i];
        int c = by_row ? (int)i : col;
        if ((!by_row && i == skip_row) || r->hidden[c] || r->c[c] == 0)
            continue;
        if (!best || r->c[c] < best->c[bestc])
            best = r, bestc = c;
    }
    if (best)
        best->hidden[bestc] = true;
    return best != NULL;
}

void cars_eq_suppress(cars_eq_row *rows, size_t n, const bool pop_hidden[CARS_EQ_COLS], uint64_t min_cell)
{
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < CARS_EQ_COLS; c++)
            rows[i].hidden[c] = rows[i].c[c] > 0 && rows[i].c[c] < min_cell;
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t i = 0; i < n; i++) { /* a row: the outcomes add up to the total */
            int h = 0;
            for (int c = 0; c < CARS_EQ_COLS; c++)
                h += rows[i].hidden[c];
            if (h == 1)
                changed |= hide_smallest(rows, n, 0, i, true);
        }
        for (int c = 0; c < CARS_EQ_COLS; c++) { /* a column: the groups add up to the population */
            size_t h = 0, at = 0;
            for (size_t i = 0; i < n; i++)
                if (rows[i].hidden[c])
                    h++, at = i;
            if (h == 1 && !pop_hidden[c])
                changed |= hide_smallest(rows, n, c, at, false);
        }
    }
}

/* The record fields: the schema's marks, or the reference schema's paths. */
static void fields(cars_equality *q, const cars_program *rel)
{
    static const char *const dflt[4] = {"applicant.nationality", "applicant.sex", "applicant.date_of_birth",
                                        "received"};
    static const unsigned flag[4] = {CARS_FF_PROT_NATIONALITY, CARS_FF_PROT_SEX, CARS_FF_PROT_AGE,
                                     CARS_FF_REFERENCE};
    static char path[4][256];
    for (int k = 0; k < 4; k++) {
        q->field[k] = dflt[k];
        for (uint32_t i = 0; rel && i < rel->nfields; i++)
            if (rel->fields[i].flags & flag[k]) {
                const cars_str *s = &rel->fields[i].path;
                snprintf(path[k], sizeof path[k], "%.*s", (int)(s->len < 255 ? s->len : 255), s->p);
                q->field[k] = path[k];
                break;
            }
    }
}

bool cars_equality_run(cars_equality *q, const char *records, const char *routing, const cars_program *rel,
                       uint64_t min_cell)
{
    memset(q, 0, sizeof *q);
    q->records_path = records;
    q->routing_path = routing;
    q->min_cell = min_cell;
    fields(q, rel);
    if (!pass(q))
        return false;
    for (int c = 0; c < CARS_EQ_COLS; c++)
        q->pop_hidden[c] = q->pop[c] > 0 && q->pop[c] < min_cell;
    for (int d = 0; d < CARS_EQ_NDIMS; d++) {
        cars_eq_dim_t *dm = &q->dim[d];
        if (dm->n == dm->cap) { /* room for the pooled row */
            cars_eq_row *r = cars_realloc(dm->rows, (dm->cap + 1) * sizeof *r);
            if (!r) {
                fprintf(stderr, CMD ": out of memory\n");
                return false;
            }
            dm->rows = r;
            dm->cap++;
        }
        pool(dm, min_cell);
        cars_eq_suppress(dm->rows, dm->n, q->pop_hidden, min_cell);
    }
    return true;
}

void cars_equality_free(cars_equality *q)
{
    for (int d = 0; d < CARS_EQ_NDIMS; d++) {
        cars_free(q->dim[d].rows);
        cars_strindex_free(&q->dim[d].index);
    }
    memset(q, 0, sizeof *q);
}

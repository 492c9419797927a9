/* lookup.c - the VM's table lookups (see lookup.h). */
#include "lookup.h"

#include "alloc.h"
#include "normalise.h"

/* The directory of table t: 2^bits ranges, bits about log2 of the table's
 * size, from 1 to 16. */
static bool make_dir(cars_table_dir *d, const cars_ptable *t)
{
    unsigned bits = 1;
    while (bits < 16 && ((uint64_t)1 << (bits + 1)) <= t->n)
        bits++;
    size_t nb = (size_t)1 << bits;
    d->shift = 64 - bits;
    d->dir = cars_calloc(nb + 1, sizeof *d->dir);
    if (!d->dir)
        return false;
    uint32_t j = 0;
    for (size_t b = 0; b < nb; b++) {
        while (j < t->n && (t->hashes[j] >> d->shift) < b)
            j++;
        d->dir[b] = j;
    }
    d->dir[nb] = t->n;
    return true;
}

cars_table_dir *cars_table_dirs_make(const cars_program *p)
{
    cars_table_dir *dirs = cars_calloc((size_t)p->ntables + 1, sizeof *dirs);
    bool ok = dirs != NULL;
    for (uint32_t t = 0; ok && t < p->ntables; t++)
        ok = make_dir(&dirs[t], &p->tables[t]);
    if (!ok) {
        cars_table_dirs_free(p, dirs);
        return NULL;
    }
    return dirs;
}

void cars_table_dirs_free(const cars_program *p, cars_table_dir *dirs)
{
    for (uint32_t t = 0; dirs && t < p->ntables; t++)
        cars_free(dirs[t].dir);
    cars_free(dirs);
}

int cars_lookup_make(cars_lookup *l, const cars_program *p, const cars_table_dir *dirs)
{
    *l = (cars_lookup){.p = p, .dirs = dirs};
    if (!cars_buf_grow(&l->key, 4096)) {
        cars_lookup_free(l);
        return -1;
    }
    return 0;
}

void cars_lookup_free(cars_lookup *l)
{
    cars_buf_free(&l->key);
    *l = (cars_lookup){0};
}

/* Whether hash h is one of table t's: a search of the range its top bits
 * give. */
static bool in_table(const cars_ptable *t, const cars_table_dir *d, uint64_t h)
{
    uint64_t b = h >> d->shift;
    uint32_t lo = d->dir[b], hi = d->dir[b + 1], end = hi;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->hashes[mid] < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < end && t->hashes[lo] == h;
}

/* The text of field f for a lookup: a string, or a country's 3 letters. */
static bool field_text(const cars_program *p, const cars_record *rec, uint16_t f, char cc[3], const char **s, size_t *n)
{
    if (!rec->v[f].known)
        return false;
    if (p->fields[f].type == CARS_FT_COUNTRY) {
        int64_t c = rec->v[f].i;
        cc[0] = (char)('A' + c / 676 % 26);
        cc[1] = (char)('A' + c / 26 % 26);
        cc[2] = (char)('A' + c % 26);
        *s = cc;
        *n = 3;
    } else {
        *s = rec->s[f].p;
        *n = rec->s[f].len;
    }
    return true;
}

int cars_lookup_run(cars_lookup *l, const cars_record *rec, uint16_t t, const uint16_t *f, int nf, uint8_t kinds)
{
    const cars_program *p = l->p;
    const cars_ptable *tab = &p->tables[t];
    char cc[2][3];
    const char *s[2] = {"", ""};
    size_t n[2] = {0, 0};
    for (int k = 0; k < nf; k++)
        if (!field_text(p, rec, f[k], cc[k], &s[k], &n[k]))
            return CARS_LOOKUP_UNKNOWN;
    size_t need = n[0] + (nf > 1 ? 1 + n[1] : 0);
    if (need > l->key.cap) {
        l->key.len = 0;
        l->key.failed = false; /* a record after one that ran out may try again */
        if (!cars_buf_grow(&l->key, need))
            return -1;
    }
    char *key = l->key.p;
    size_t o = cars_normalise(p->version, kinds & 15, s[0], n[0], key);
    if (nf > 1) {
        key[o++] = CARS_TABLE_COLUMN_SEP;
        o += cars_normalise(p->version, kinds >> 4, s[1], n[1], key + o);
    }
    return in_table(tab, &l->dirs[t], cars_table_hash_bytes(p->table_key, key, o));
}

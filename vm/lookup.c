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

/* The three letters of country code c (cars_country_code) into out. */
static void country_letters(int64_t c, char out[3])
{
    if ((uint64_t)c < 26 * 26 * 26) { /* a code the reader made: unsigned divisions, cheaper */
        uint32_t u = (uint32_t)c, q = u / 26;
        out[0] = (char)('A' + q / 26);
        out[1] = (char)('A' + q % 26);
        out[2] = (char)('A' + u % 26);
        return;
    }
    out[0] = (char)('A' + c / 676 % 26);
    out[1] = (char)('A' + c / 26 % 26);
    out[2] = (char)('A' + c % 26);
}

/* The length of field f's text for a lookup: a string's, or a country's 3
 * letters. */
static size_t field_len(const cars_program *p, const cars_record *rec, uint16_t f)
{
    return p->fields[f].type == CARS_FT_COUNTRY ? 3 : rec->s[f].len;
}

/* Writes field f's text, normalised by `kind`, to out (room for
 * field_len); returns its length. A country's letters are written where
 * they go and, as a country key, kept as they are. Inline: a lookup makes
 * no call of its own for it. */
static inline size_t put_field(const cars_program *p, const cars_record *rec, uint16_t f, int kind, char *out)
{
    if (p->fields[f].type != CARS_FT_COUNTRY)
        return cars_normalise(p->version, kind, rec->s[f].p, rec->s[f].len, out);
    country_letters(rec->v[f].i, out);
    return kind == CARS_KEY_COUNTRY ? 3 : cars_normalise(p->version, kind, out, 3, out);
}

int cars_lookup_run(cars_lookup *l, const cars_record *rec, uint16_t t, const uint16_t *f, int nf, uint8_t kinds)
{
    const cars_program *p = l->p;
    if (!rec->v[f[0]].known || (nf > 1 && !rec->v[f[1]].known))
        return CARS_LOOKUP_UNKNOWN;
    size_t need = field_len(p, rec, f[0]) + (nf > 1 ? 1 + field_len(p, rec, f[1]) : 0);
    if (need > l->key.cap) {
        l->key.len = 0;
        l->key.failed = false; /* a record after one that ran out may try again */
        if (!cars_buf_grow(&l->key, need))
            return -1;
    }
    char *key = l->key.p;
    size_t o = put_field(p, rec, f[0], kinds & 15, key);
    if (nf > 1) {
        key[o++] = CARS_TABLE_COLUMN_SEP;
        o += put_field(p, rec, f[1], kinds >> 4, key + o);
    }
    return in_table(&p->tables[t], &l->dirs[t], cars_table_hash_bytes(p->table_key, key, o));
}

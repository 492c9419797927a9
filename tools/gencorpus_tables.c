/* gencorpus_tables.c - the bulk tables of tools/gencorpus.c
 * (gencorpus_tables.h): false documents and contacts read from a ruleset's
 * CSV files, normalised as carsvm normalises table keys (vm/normalise.h,
 * from libcarsvm), and table keys re-spelled the way applicants type them. */
#include "gencorpus_tables.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "normalise.h"

/* ---- the tables ------------------------------------------------------------ */

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int set_has(const strset *t, const char *s)
{
    if (!t->cap) return 0;
    for (size_t i = fnv(s) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        if (!t->slot[i]) return 0;
        if (strcmp(t->slot[i], s) == 0) return 1;
    }
}

static void set_add(strset *t, const char *s)
{
    if (set_has(t, s)) return;
    if ((t->n + 1) * 2 > t->cap) {
        strset g = { NULL, t->cap ? t->cap * 2 : 1024, 0 };
        g.slot = calloc(g.cap, sizeof *g.slot);
        if (!g.slot) die("out of memory");
        for (size_t i = 0; i < t->cap; i++)
            if (t->slot[i]) {
                size_t k = fnv(t->slot[i]) & (g.cap - 1);
                while (g.slot[k]) k = (k + 1) & (g.cap - 1);
                g.slot[k] = t->slot[i];
                g.n++;
            }
        free(t->slot);
        *t = g;
    }
    size_t k = fnv(s) & (t->cap - 1);
    while (t->slot[k]) k = (k + 1) & (t->cap - 1);
    size_t len = strlen(s) + 1;
    t->slot[k] = xmalloc(len);
    memcpy(t->slot[k], s, len);
    t->n++;
}

static void set_free(strset *t)
{
    for (size_t i = 0; i < t->cap; i++) free(t->slot[i]);
    free(t->slot);
}

/* A table key of kind `as` as carsvm normalises it for the releases carsc
 * writes (vm/normalise.h), into out: cap bytes with the NUL. */
static void norm_key(int as, const char *in, char *out, size_t cap)
{
    size_t len = strlen(in);
    char small[256];
    char *tmp = len < sizeof small ? small : xmalloc(len + 1);
    size_t n = cars_normalise(CARS_BUNDLE_VERSION, as, in, len, tmp);
    if (n >= cap) n = cap - 1;
    memcpy(out, tmp, n);
    out[n] = 0;
    if (tmp != small) free(tmp);
}

static char *read_line(FILE *f, char *line, size_t cap)
{
    if (!fgets(line, (int)cap, f)) return NULL;
    line[strcspn(line, "\r\n")] = 0;
    return line;
}

void load_tables(tables *t, const char *dir)
{
    char path[4096], line[256], key[160];
    snprintf(path, sizeof path, "%s/false_documents.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); exit(1); }
    size_t cap = 0;
    read_line(f, line, sizeof line); /* header */
    while (read_line(f, line, sizeof line)) {
        char *comma = strchr(line, ',');
        if (!comma || comma - line != 3) continue;
        if (t->ndocs == cap) {
            cap = cap ? cap * 2 : 1024;
            t->doc_country = realloc(t->doc_country, cap * sizeof *t->doc_country);
            t->doc_number = realloc(t->doc_number, cap * sizeof *t->doc_number);
            if (!t->doc_country || !t->doc_number) die("out of memory");
        }
        memcpy(t->doc_country[t->ndocs], line, 3);
        t->doc_country[t->ndocs][3] = 0;
        norm_key(AS_DOCUMENT, comma + 1, t->doc_number[t->ndocs], sizeof t->doc_number[0]);
        snprintf(key, sizeof key, "%s,%s", t->doc_country[t->ndocs], t->doc_number[t->ndocs]);
        set_add(&t->docs, key);
        t->ndocs++;
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/false_contacts.csv", dir);
    f = fopen(path, "r");
    if (!f) { perror(path); exit(1); }
    cap = 0;
    read_line(f, line, sizeof line);
    while (read_line(f, line, sizeof line)) {
        if (!*line) continue;
        if (t->ncontacts == cap) {
            cap = cap ? cap * 2 : 1024;
            t->contacts = realloc(t->contacts, cap * sizeof *t->contacts);
            if (!t->contacts) die("out of memory");
        }
        norm_key(AS_CELL, line, t->contacts[t->ncontacts], sizeof t->contacts[0]);
        set_add(&t->contact_set, t->contacts[t->ncontacts]);
        t->ncontacts++;
    }
    fclose(f);
}

int doc_listed(const tables *t, const char *country, const char *number)
{
    char n[64], key[80];
    norm_key(AS_DOCUMENT, number, n, sizeof n);
    snprintf(key, sizeof key, "%s,%s", country, n);
    return set_has(&t->docs, key);
}

/* Whether an email or phone field holding `value` hits the contact table. */
int contact_listed(const tables *t, int as, const char *value)
{
    char n[128];
    norm_key(as, value, n, sizeof n);
    return set_has(&t->contact_set, n);
}

/* ---- re-spelling -------------------------------------------------------------- */

/* A normalised document number as an applicant might type it. */
void respell_document(rng *r, const char *norm, char *out, size_t cap)
{
    unsigned style = rbelow(r, 5), o = 0;
    size_t n = strlen(norm);
    for (size_t i = 0; i < n && o + 3 < cap; i++) {
        char c = norm[i];
        if (style == 0 || (style == 3 && rbelow(r, 2)))
            c = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        if (i > 0 && style == 1 && i % 3 == 0) out[o++] = ' ';
        if (i > 0 && style == 2 && i % 2 == 0) out[o++] = '-';
        if (i > 0 && style == 4 && rbelow(r, 4) == 0) out[o++] = rbelow(r, 2) ? ' ' : '-';
        out[o++] = c;
    }
    out[o] = 0;
}

/* A normalised email with different capitals and maybe spaces round it. */
void respell_email(rng *r, const char *norm, char *out, size_t cap)
{
    size_t o = 0;
    unsigned style = rbelow(r, 3);
    if (rbelow(r, 3) == 0) out[o++] = ' ';
    for (size_t i = 0; norm[i] && o + 3 < cap; i++) {
        char c = norm[i];
        int up = style == 0 ? 1 : style == 1 ? (i == 0 || norm[i - 1] == '.' || norm[i - 1] == '@')
                                             : (int)rbelow(r, 2);
        if (up && c >= 'a' && c <= 'z') c = (char)(c - 32);
        out[o++] = c;
    }
    if (rbelow(r, 3) == 0) out[o++] = ' ';
    out[o] = 0;
}

/* A normalised phone number (digits, maybe a leading +) with new spacing,
 * hyphens or brackets; never adds a digit (so never the "(0)" form). */
void respell_phone(rng *r, const char *norm, char *out, size_t cap)
{
    size_t o = 0, i = 0, n = strlen(norm);
    unsigned style = rbelow(r, 4);
    if (norm[0] == '+' && n >= 3) {
        out[o++] = '+';
        out[o++] = norm[1];
        out[o++] = norm[2];
        out[o++] = ' ';
        i = 3;
    } else if (style == 3 && n > 4) { /* (0xx) */
        out[o++] = '(';
        size_t stop = norm[1] == '7' ? 5 : norm[1] == '2' ? 3 : 4;
        for (; i < stop; i++) out[o++] = norm[i];
        out[o++] = ')';
        out[o++] = ' ';
    }
    for (int k = 0; i < n && o + 3 < cap; i++, k++) {
        if (k > 0 && k % 4 == 0 && style != 2) out[o++] = style == 1 ? '-' : ' ';
        out[o++] = norm[i];
    }
    out[o] = 0;
}

void free_tables(tables *t)
{
    set_free(&t->docs);
    set_free(&t->contact_set);
    free(t->doc_country);
    free(t->doc_number);
    free(t->contacts);
}

/* gencorpus_tables.h - the bulk tables of tools/gencorpus.c, in
 * tools/gencorpus_tables.c: the false documents and false contacts of a
 * ruleset's tables (--tables DIR), whether a value hits them, and table keys
 * re-spelled as applicants type them (table hits and near misses). */
#ifndef CARS_GENCORPUS_TABLES_H
#define CARS_GENCORPUS_TABLES_H

#include <stddef.h>

#include "gencorpus_json.h"
#include "program.h"

/* A set of normalised keys (open addressing, FNV-1a). */
typedef struct strset {
    char **slot;
    size_t cap, n;
} strset;

typedef struct tables {
    char (*doc_country)[4];
    char (*doc_number)[32]; /* normalised */
    size_t ndocs;
    char (*contacts)[96];   /* normalised */
    size_t ncontacts;
    strset docs, contact_set; /* "CTY,NUMBER" and normalised contacts */
} tables;

/* Reads DIR/false_documents.csv and DIR/false_contacts.csv (exits on
 * failure). */
void load_tables(tables *t, const char *dir);
void free_tables(tables *t);

/* What a key is: a document number, an email, a phone number, or a table
 * cell (an email if it holds '@', else a phone), as vm/program.h numbers
 * the key kinds. */
enum { AS_DOCUMENT = CARS_KEY_DOCUMENT, AS_EMAIL = CARS_KEY_EMAIL, AS_PHONE = CARS_KEY_PHONE,
       AS_CELL = CARS_KEY_CONTACT };

/* Whether the document `number` of `country` hits the document table. */
int doc_listed(const tables *t, const char *country, const char *number);
/* Whether an email or phone field (as: AS_EMAIL or AS_PHONE) holding
 * `value` hits the contact table. */
int contact_listed(const tables *t, int as, const char *value);

/* A normalised document number as an applicant might type it. */
void respell_document(rng *r, const char *norm, char *out, size_t cap);
/* A normalised email with different capitals and maybe spaces round it. */
void respell_email(rng *r, const char *norm, char *out, size_t cap);
/* A normalised phone number with new spacing, hyphens or brackets. */
void respell_phone(rng *r, const char *norm, char *out, size_t cap);

#endif

/* lookup.h - the VM's table lookups (LOOKUP1, LOOKUP2): a record's fields
 * normalised by their key kinds, joined, hashed with the table key, and
 * searched among the table's hashes through a directory made once per
 * program (cars_vm_shared) and only read after.
 * Normalisation and hashing: vm/normalise.h. */
#ifndef CARS_LOOKUP_H
#define CARS_LOOKUP_H

#include <stdint.h>

#include "buf.h"
#include "program.h"
#include "reader.h"

/* A table's hashes by their top bits: those whose top 64 - shift bits are
 * b are hashes[dir[b] .. dir[b + 1]). The hashes are SipHash outputs under
 * a key no record knows, as good as uniform: each range holds one or two. */
typedef struct cars_table_dir {
    unsigned shift;
    uint32_t *dir; /* 2^(64 - shift) + 1 entries */
} cars_table_dir;

/* The directory of every table of p (p->ntables entries), or NULL when
 * out of memory. */
cars_table_dir *cars_table_dirs_make(const cars_program *p);
void cars_table_dirs_free(const cars_program *p, cars_table_dir *dirs);

/* A VM's lookups: the directories (shared, read only) and its own key buffer. */
typedef struct cars_lookup {
    const cars_program *p;
    const cars_table_dir *dirs; /* per table */
    cars_buf key;               /* the normalised key of the lookup running */
} cars_lookup;

/* 0, or -1 when out of memory (then nothing is left to free). */
int cars_lookup_make(cars_lookup *l, const cars_program *p, const cars_table_dir *dirs);
void cars_lookup_free(cars_lookup *l);

/* Whether fields f[0..nf) (1 or 2) of rec, normalised by `kinds` (the key
 * kind of the first in bits 0-3, of the second in bits 4-7:
 * cars_xcode_key_kinds), are a key of table t: 1 if they are, 0 if not,
 * CARS_LOOKUP_UNKNOWN if a field is absent, -1 when out of memory. */
#define CARS_LOOKUP_UNKNOWN 2
int cars_lookup_run(cars_lookup *l, const cars_record *rec, uint16_t t, const uint16_t *f, int nf, uint8_t kinds);

#endif

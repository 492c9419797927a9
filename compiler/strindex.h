/* strindex.h - the one index from a text key to an item of the caller's
 * array, for the figures (carsc effectiveness's groups and re-route ids,
 * carsc equality's rows): open addressing over (hash, item) pairs, a power
 * of two at most half full, grown as items are added. The caller keeps the
 * items and compares keys; the index keeps each key's hash, so it grows
 * without asking for them again. */
#ifndef CARS_STRINDEX_H
#define CARS_STRINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CARS_STRINDEX_NONE UINT32_MAX

typedef struct cars_strindex_slot {
    uint64_t hash;
    uint32_t item; /* CARS_STRINDEX_NONE: empty */
} cars_strindex_slot;

typedef struct cars_strindex {
    cars_strindex_slot *slot;
    size_t nslots, n;
} cars_strindex;

/* FNV-1a of the NUL-terminated s, begun from `seed` (a kind that is part of
 * the key; 0 for none). */
uint64_t cars_strindex_hash(unsigned seed, const char *s);
/* The same of the n bytes at p (a key that is not NUL-terminated). */
uint64_t cars_strindex_hashn(unsigned seed, const char *p, size_t n);

/* The items whose key has hash h, one at a time: *pos starts at 0; each
 * call gives the next candidate (the caller compares its key) or
 * CARS_STRINDEX_NONE when there is none left. */
uint32_t cars_strindex_next(const cars_strindex *x, uint64_t h, size_t *pos);

/* Adds item under hash h (its key not already there); false when out of
 * memory (the index is then as it was). */
bool cars_strindex_add(cars_strindex *x, uint64_t h, uint32_t item);

void cars_strindex_free(cars_strindex *x);

#endif

/* normalise.h - table key normalisation and hashing, shared by the compiler
 * (which hashes the CSV entries of a table) and the VM (which hashes a
 * record's values the same way before looking them up).
 *
 *   document  remove spaces and hyphens, upper-case ASCII ("ab 12-345" -> "AB12345")
 *   email     trim whitespace, lower-case ASCII
 *   phone     trim whitespace, then digits only, a leading '+' kept
 *             ("+44 (0)20 7946-0000" -> "+440207946000")
 *   contact   email if the value contains '@', else phone
 *   country   as is (three upper-case letters)
 *   text      as is
 *
 * Entry hash = crypto_shorthash (SipHash-2-4, 64 bits read little-endian)
 * under the 16-byte table key of the normalised columns joined by 0x1F. */
#ifndef CARS_NORMALISE_H
#define CARS_NORMALISE_H

#include <stddef.h>
#include <stdint.h>

/* Normalises `in` (len bytes) by `kind` (enum cars_keykind_v) into `out`,
 * which must hold at least len bytes (normalising never lengthens; out may
 * be in itself: it is written front to back).
 * Returns the normalised length. Unknown kinds copy as is. */
size_t cars_normalise(int kind, const char *in, size_t len, char *out);

/* SipHash-2-4 under `key` of `len` bytes (already normalised and joined). */
uint64_t cars_table_hash_bytes(const uint8_t key[16], const void *bytes, size_t len);

/* The entry hash of `ncols` already-normalised columns joined by 0x1F.
 * Allocation-free for keys up to 4 KiB in total; longer ones use a
 * temporary buffer from cars_malloc (returns 0 if that fails). */
uint64_t cars_table_hash(const uint8_t key[16], const char *const *cols, const size_t *lens, size_t ncols);

#endif

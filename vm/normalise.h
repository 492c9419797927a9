/* normalise.h - table key normalisation and hashing, shared by the compiler
 * (which hashes the CSV entries of a table) and the VM (which hashes a
 * record's values the same way before looking them up).
 *
 * The rules belong to the bundle format version: a release is looked up
 * with the rules it was built with, for ever (its table hashes were made
 * with them). Format version 3 (what carsc writes):
 *
 *   "blank"   a code point that is Unicode White_Space (U+0009-U+000D,
 *             U+0020, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028,
 *             U+2029, U+202F, U+205F, U+3000) or Default_Ignorable_Code_Point
 *             (U+00AD, U+034F, U+061C, U+115F-U+1160, U+17B4-U+17B5,
 *             U+180B-U+180F, U+200B-U+200F, U+202A-U+202E, U+2060-U+206F,
 *             U+3164, U+FE00-U+FE0F, U+FEFF, U+FFA0, U+FFF0-U+FFF8,
 *             U+1BCA0-U+1BCA3, U+1D173-U+1D17A, U+E0000-U+E0FFF), as of
 *             Unicode 14.0; the list is part of the format and never changes
 *   "trim"    remove blanks at both ends
 *   document  remove blanks and dashes (ASCII '-', U+2010-U+2015, U+2212,
 *             U+FE63, U+FF0D) anywhere, upper-case ASCII a-z
 *             ("ab 12-345" -> "AB12345")
 *   email     trim, lower-case ASCII A-Z
 *   phone     trim, then ASCII digits 0-9 only, a leading '+' kept
 *             ("+44 (0)20 7946-0000" -> "+4402079460000")
 *   contact   a table cell: email if it contains '@', else phone. A record's
 *             field in a contact column is normalised by the field's own
 *             kind (cars_field_key_kind): an email field as an email, a
 *             phone field as a phone, whatever it contains
 *   country   as is (three upper-case letters)
 *   text      as is
 * Nothing else is mapped: other letters keep their case, other digits
 * (fullwidth, Arabic-Indic, ...) are not digits, and a byte that is not
 * part of valid UTF-8 is never a blank.
 *
 * Format versions 1 and 2 (before field kinds), kept exactly: trim removes
 * ASCII space, \t, \n, \r, \f and \v only; document removes ASCII ' ' and
 * '-' only; a contact column normalises every value by its contents ('@':
 * email, else phone), for table cells and record fields alike.
 *
 * Entry hash = crypto_shorthash (SipHash-2-4, 64 bits read little-endian)
 * under the 16-byte table key of the normalised columns joined by 0x1F. */
#ifndef CARS_NORMALISE_H
#define CARS_NORMALISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"

/* Normalises `in` (len bytes) by `kind` (enum cars_keykind_v) with the
 * rules of bundle format `version` into `out`, which must hold at least len
 * bytes (normalising never lengthens; out may be in itself: it is written
 * front to back). Returns the normalised length. Unknown kinds copy as is. */
size_t cars_normalise(unsigned version, int kind, const char *in, size_t len, char *out);

/* The key kind that top-level field `field` of p is normalised by when it is
 * looked up in a column of kind `column`: the column's kind, except that from
 * format version 3 a contact column takes the field's own kind (an email or
 * phone field; the verifier proves it is one). */
int cars_field_key_kind(const cars_program *p, int column, unsigned field);

/* Whether code point cp is a blank of format version 3 (above). carsc fmt
 * writes the blanks other than the ASCII space as escapes, so that
 * canonical text shows them. */
bool cars_is_blank(uint32_t cp);

/* What joins the normalised columns of a two-column key (the ASCII unit
 * separator): carsc when it hashes a table's entries, the VM when it hashes
 * a record's fields. */
#define CARS_TABLE_COLUMN_SEP 0x1F

/* SipHash-2-4 under `key` of `len` bytes (already normalised and joined). */
uint64_t cars_table_hash_bytes(const uint8_t key[16], const void *bytes, size_t len);

/* The entry hash of `ncols` already-normalised columns joined by
 * CARS_TABLE_COLUMN_SEP.
 * Allocation-free for keys up to 4 KiB in total; longer ones use a
 * temporary buffer from cars_malloc (returns 0 if that fails). */
uint64_t cars_table_hash(const uint8_t key[16], const char *const *cols, const size_t *lens, size_t ncols);

#endif

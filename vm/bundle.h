/* bundle.h - constants of the bundle byte format (docs/bytecode.md), shared
 * by the writer (compiler/bundle_write.c) and the loader (vm/loader.c), and
 * the little-endian readers and writers every reader of code and sections
 * uses (the interpreter, the verifier, the disassembler, the loader). */
#ifndef CARS_BUNDLE_H
#define CARS_BUNDLE_H

#include <stdint.h>
#include <string.h>

#define CARS_BUNDLE_MAGIC "CARSB\r\n\x1a"
#define CARS_BUNDLE_VERSION 5      /* what carsc writes */
#define CARS_BUNDLE_VERSION_MIN 1  /* the oldest carsvm reads: version 1 has no stage indexes */
#define CARS_BUNDLE_VERSION_KINDS 3 /* the first with field kinds and the Unicode-aware
                                       normalisation (vm/normalise.h); 1 and 2 keep theirs */
#define CARS_BUNDLE_VERSION_TESTS 4 /* the first whose meta carries what the ruleset's
                                       tests gave at build time (80 bytes, not 56) */
#define CARS_BUNDLE_VERSION_SEALED 5 /* the first with each rule's text for the decision maker
                                         (section says) and sealed rule text (section sealed) */
#define CARS_BUNDLE_ENDIAN 0x01020304u
#define CARS_BUNDLE_HEADER 32      /* bytes before the section table */
#define CARS_BUNDLE_SECENTRY 24    /* u32 id, u32 zero, u64 offset, u64 length */

/* Section ids, in the order they appear (each exactly once). */
#define CARS_SECTIONS(S) \
    S(1, META, "meta") \
    S(2, STRINGS, "strings") \
    S(3, FIELDS, "fields") \
    S(4, ELEM_FIELDS, "elem_fields") \
    S(5, MEMBERS, "members") \
    S(6, SETS, "sets") \
    S(7, SET_VALUES, "set_values") \
    S(8, CONSTANTS, "constants") \
    S(9, TABLES, "tables") \
    S(10, TABLE_HASHES, "table_hashes") \
    S(11, TABLE_KEY, "table_key") \
    S(12, TIERS, "tiers") \
    S(13, RULES, "rules") \
    S(14, STAGES, "stages") \
    S(15, STAGE_RULES, "stage_rules") \
    S(16, THRESHOLDS, "thresholds") \
    S(17, BLOCKS, "blocks") \
    S(18, CODE, "code") \
    S(19, LINES, "lines") \
    S(20, SOURCES, "sources") \
    S(21, DIGESTS, "digests") \
    S(22, SOURCE_TEXT, "source_text") \
    S(23, INDEXES, "indexes") \
    S(24, INDEX_WORDS, "index_words") \
    S(25, SAYS, "says") \
    S(26, SEALED, "sealed")

enum cars_section_id {
#define S(id, name, text) CARS_SEC_##name = id,
    CARS_SECTIONS(S)
#undef S
    CARS_SEC__COUNT = 26,
    CARS_SEC__COUNT_V4 = 24, /* versions 2 to 4 end with index_words */
    CARS_SEC__COUNT_V1 = 22 /* version 1 ends with source_text */
};

/* Record sizes of the counted sections (after their 8-byte count header). */
#define CARS_REC_STR 8          /* members, constants, tiers, sources */
#define CARS_REC_FIELD 40
#define CARS_REC_SET 8
#define CARS_REC_TABLE 80
#define CARS_REC_RULE 32
#define CARS_REC_STAGE 8
#define CARS_REC_STAGE_RULE 4
#define CARS_REC_THRESHOLD 56
#define CARS_REC_BLOCK 16
#define CARS_REC_LINE 12
#define CARS_REC_DIGEST 40     /* str name, 32-byte BLAKE2b-256 */
#define CARS_REC_INDEX 16      /* u32 stage, u16 field, u8 flags, u8 zero, u32 nvalues, u32 words_first */
#define CARS_META_BYTES 80     /* see docs/bytecode.md: meta */
#define CARS_META_BYTES_V3 56  /* meta of format versions 1 to 3: no test results */

/* The number of sections in format version `version`. */
static inline uint32_t cars_bundle_sections(unsigned version)
{
    return version == 1                             ? CARS_SEC__COUNT_V1
           : version < CARS_BUNDLE_VERSION_SEALED ? CARS_SEC__COUNT_V4
                                                   : CARS_SEC__COUNT;
}

/* The sealed section (format version 5; empty when the release is not
 * sealed): u32 recipient count (1 to CARS_SEAL_MAX_RECIPIENTS), u32 zero;
 * per recipient a CARS_SEAL_RECIPIENT-byte record (8-byte audit key id,
 * 80-byte crypto_box_seal of the 32-byte text key, 8 zero bytes); a 24-byte
 * nonce; then crypto_secretbox_easy of the sealed texts (16-byte tag first). */
#define CARS_SEAL_MAX_RECIPIENTS 16
#define CARS_SEAL_KEYID 8
#define CARS_SEAL_BOXED 80 /* crypto_box_SEALBYTES + 32 */
#define CARS_SEAL_RECIPIENT 96
#define CARS_SEAL_NONCE 24
#define CARS_SEAL_TAG 16

/* The size of the meta section in format version `version`. */
static inline int cars_meta_bytes(unsigned version)
{
    return version >= CARS_BUNDLE_VERSION_TESTS ? CARS_META_BYTES : CARS_META_BYTES_V3;
}

static inline uint16_t cars_rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t cars_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t cars_rd64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8); /* the bytes are little-endian: one load */
    return v;
#else
    return (uint64_t)cars_rd32(p) | ((uint64_t)cars_rd32(p + 4) << 32);
#endif
}
static inline void cars_wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void cars_wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void cars_wr64(uint8_t *p, uint64_t v)
{
    cars_wr32(p, (uint32_t)v);
    cars_wr32(p + 4, (uint32_t)(v >> 32));
}

#endif

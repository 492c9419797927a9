/* program.h - a loaded CARS release, as the VM sees it.
 *
 * The compiler fills one of these and calls cars_bundle_write()
 * (compiler/bundle_write.h) to serialise it; the loader (vm/loader.c) builds
 * one from bundle bytes, pointing into them where it can (tables, sets and
 * code are used in place: loading is a bounds check, not a rebuild), and the
 * verifier (vm/verify.c) proves it safe before any instruction runs.
 * Byte layout: docs/bytecode.md.
 */
#ifndef CARS_PROGRAM_H
#define CARS_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cars_str {
    const char *p; /* not NUL-terminated in a loaded bundle */
    uint32_t len;
} cars_str;

/* Opcodes, by their explicit codes (vm/opcodes.def; 33 is a hole). */
enum cars_opcode {
#define X(code, name, a, b, c, pop, push, in, flow, doc) CARS_OP_##name = code,
#include "opcodes.def"
#undef X
    CARS_OP__COUNT /* one past the highest code: the last line of opcodes.def */
};

/* Field types (schema). */
enum cars_ftype {
    CARS_FT_BOOL = 1, CARS_FT_INTEGER, CARS_FT_NUMBER, CARS_FT_STRING,
    CARS_FT_DATE, CARS_FT_COUNTRY, CARS_FT_ENUM, CARS_FT_LIST,
};

/* Field flags. */
enum {
    CARS_FF_REQUIRED = 1u << 0,
    CARS_FF_READ = 1u << 1,      /* the program reads it: the reader keeps its value */
    CARS_FF_HAS_MIN = 1u << 2,
    CARS_FF_REFERENCE = 1u << 3, /* the reference date */
    CARS_FF_PROT_NATIONALITY = 1u << 4,
    CARS_FF_PROT_AGE = 1u << 5,
    CARS_FF_PROT_SEX = 1u << 6,
};

/* What a string field holds (schema `email`, `phone`, `document`; format
 * version 3): a lookup in a contact column normalises the field by it. */
enum cars_fkind_v { CARS_FK_PLAIN, CARS_FK_EMAIL, CARS_FK_PHONE, CARS_FK_DOCUMENT };

/* A schema field. Top-level fields are prog->fields[0..nfields): field
 * operand F of LOAD/PRESENT/STR_EQ/LOOKUP* and list operand L of the
 * quantifiers index them. Element fields of a LIST field are
 * prog->elem_fields[elems_first .. elems_first+elems_n): operand F of
 * LOAD_ELEM/PRESENT_ELEM is relative to elems_first of the block's list. */
typedef struct cars_pfield {
    cars_str path; /* top-level: the full dotted path; element: the key */
    uint8_t type;  /* enum cars_ftype */
    uint8_t flags;
    uint8_t kind;  /* enum cars_fkind_v: CARS_FK_PLAIN but on a top-level string field */
    double min;    /* if CARS_FF_HAS_MIN */
    uint32_t members_first, members_n; /* ENUM: into prog->members; value = index */
    uint32_t elems_first, elems_n;     /* LIST */
} cars_pfield;

/* Key normalisation of a table column (the compiler's cars_keykind takes these values). */
enum cars_keykind_v {
    CARS_KEY_DOCUMENT, CARS_KEY_EMAIL, CARS_KEY_PHONE, CARS_KEY_CONTACT,
    CARS_KEY_COUNTRY, CARS_KEY_TEXT,
};

/* A bulk data table: the keyed hashes of its normalised entries, ascending,
 * without duplicates. Entry hash = SipHash-2-4 (crypto_shorthash) under
 * prog->table_key of the normalised columns joined by 0x1F. */
typedef struct cars_ptable {
    cars_str name, title;
    uint8_t nkeys;            /* 1 or 2 */
    uint8_t key_kinds[2];     /* enum cars_keykind_v */
    cars_str key_names[2];
    uint32_t n;
    const uint64_t *hashes;   /* n entries */
    uint8_t digest[32];       /* BLAKE2b-256 of the source CSV file */
} cars_ptable;

/* A constant set: int64 values ascending, no duplicates (enum indexes,
 * country codes, integers). */
typedef struct cars_pset {
    uint32_t n;
    const int64_t *values;
} cars_pset;

enum cars_rule_kind_v {
    CARS_RK_EXCLUSION, CARS_RK_SCREEN, CARS_RK_PROFILE,
    CARS_RK_SINGLE_COMPLEX, CARS_RK_SINGLE_NONCOMPLEX, CARS_RK_MULTIPLE,
};

typedef struct cars_prule {
    cars_str id, title;  /* title: the rules team's (empty in a sealed release) */
    cars_str says;       /* the phrase used in explanations: the rule's `says` text (format
                            version 5); before, its title */
    uint8_t kind;        /* enum cars_rule_kind_v */
    uint8_t tier;        /* MULTIPLE: index into prog->tiers */
    uint32_t block;      /* its RULE block */
    uint32_t source;     /* source file index, for reports */
    uint32_t line;       /* source line of the rule */
    bool plain;          /* loader: id and title need no JSON escaping (printable
                            ASCII but '"' and '\\'); false = escape them */
} cars_prule;

/* A stage: the rules it evaluates, by ascending rule index. */
typedef struct cars_pstage {
    uint32_t first, n; /* into prog->stage_rules */
} cars_pstage;

#define CARS_MAX_TIERS 8
typedef struct cars_pthreshold {
    cars_str id, title;
    uint32_t at_least;                 /* total matched needed */
    uint32_t tier_min[CARS_MAX_TIERS]; /* per tier, 0 = no condition */
} cars_pthreshold;

/* A stage index (EVAL_STAGE_INDEXED): which of the stage's rules can match,
 * given top-level field `field`. In prog->index_words from words_first:
 * nvalues keys (int64, or with CARS_IX_NUMBER the bits of doubles, as the
 * VM compares numbers; strictly ascending), then nvalues + 2 bitsets of
 * W = ceil(stage n / 64) words each. A present value v falls in slot j =
 * the number of keys <= v (0 .. nvalues); an absent field in slot
 * nvalues + 1. Bit k of bitset j set means rule stage_rules[first + k] can
 * match in slot j. A rule with no condition on the field is set in every
 * slot; a rule whose condition requires the field to lie in some intervals
 * (`f = c`, `f > c`, `f in [...]`, ...) is set only in their slots, never in
 * the absent one (under Kleene logic an absent field makes the condition
 * unknown, so the rule cannot match). The candidates of a record are the
 * AND of its bitsets over the indexes of the instruction; only they are
 * evaluated. */
enum { CARS_IX_NUMBER = 1u << 0 }; /* cars_pindex.flags: keys are doubles (a number field) */

typedef struct cars_pindex {
    uint32_t stage;
    uint16_t field;
    uint8_t flags;        /* CARS_IX_*: 0, integer keys */
    uint32_t nvalues;
    uint32_t words_first;
} cars_pindex;

enum cars_block_kind { CARS_BK_MAIN, CARS_BK_RULE, CARS_BK_ELEM };

typedef struct cars_pblock {
    uint32_t offset, len;  /* into prog->code */
    uint8_t kind;          /* enum cars_block_kind */
    uint16_t list;         /* ELEM: the LIST field it iterates */
    uint16_t max_stack;    /* declared maximum depth; the verifier checks it */
} cars_pblock;

/* Line table: code at [offset, next entry's offset) came from file:line. */
typedef struct cars_pline {
    uint32_t offset, file, line;
} cars_pline;

/* Outcomes, as in operands of the DECIDE* instructions. */
enum cars_outcome_v {
    CARS_OUT_NCXDR, CARS_OUT_NCXPCA, CARS_OUT_CXDR, CARS_OUT_CXPCA,
    CARS_OUT_NONE, CARS_OUT_ERROR,
};

/* The BLAKE2b-256 digest of a source or table file of the release. */
typedef struct cars_pdigest {
    cars_str name; /* relative to the ruleset */
    uint8_t digest[32];
} cars_pdigest;

/* What the ruleset's tests gave when the release was built: a production
 * build runs them all and is refused unless every one passes; a test-channel
 * build does not run them (run = 0, every count 0). Coverage: the rules, and
 * the conditions in them (each operand of an and/or, outside quantifier
 * bodies), that some test made true and some test made false. */
typedef struct cars_ptests {
    uint32_t passed;      /* tests run, all passed */
    uint32_t rules_covered, rules;
    uint32_t conds_covered, conds;
    uint8_t run;          /* 1: the tests ran and passed; 0: not run (or format 1 to 3) */
} cars_ptests;

typedef struct cars_program {
    uint16_t version; /* bundle format version (vm/bundle.h): the loader sets it
                         from the header, the compiler to CARS_BUNDLE_VERSION;
                         it chooses the table key normalisation (vm/normalise.h) */
    /* release metadata (signed with the rest; vm/release.h checks it) */
    cars_str release_id;
    cars_str ruleset_title;
    cars_str compiler_version;
    uint64_t sequence;
    int64_t valid_from, valid_until; /* days since 1970-01-01, inclusive */
    uint8_t channel;                 /* enum cars_channel (vm/release.h) */
    cars_pdigest *digests; uint32_t ndigests;     /* every source and table file */
    cars_ptests tests;               /* what the ruleset's tests gave (format version 4) */
    cars_str *source_text; uint32_t nsource_text; /* canonical text of each source (nsources) */
    /* format version 5: the rule text sealed to audit keys (bundle.h), or
     * empty. A sealed release's titles and source text are empty until
     * carsc opens the seal with an audit key (compiler/seal.h). */
    const uint8_t *sealed; size_t sealed_len;

    cars_pfield *fields; uint32_t nfields;
    cars_pfield *elem_fields; uint32_t nelem_fields;
    cars_str *members; uint32_t nmembers;
    cars_pset *sets; uint32_t nsets;
    cars_str *strings; uint32_t nstrings;       /* STR_EQ constants */
    uint8_t table_key[16];
    cars_ptable *tables; uint32_t ntables;
    cars_str *tiers; uint32_t ntiers;
    cars_prule *rules; uint32_t nrules;
    uint32_t *stage_rules; uint32_t nstage_rules;
    cars_pstage *stages; uint32_t nstages;
    cars_pthreshold *thresholds; uint32_t nthresholds;
    cars_pblock *blocks; uint32_t nblocks;      /* blocks[0] is MAIN */
    const uint8_t *code; uint32_t code_len;
    cars_pline *lines; uint32_t nlines;
    cars_pindex *indexes; uint32_t nindexes;    /* stage indexes (format version 2) */
    const uint64_t *index_words; size_t nindex_words;
    cars_str *source_names; uint32_t nsources;  /* file names, relative to the ruleset */

    /* Loader bookkeeping (vm/loader.c), NULL in a compiler-built program:
     * what cars_program_free releases. */
    void *opened_text;  /* carsc: the sealed text opened with an audit key (compiler/seal.h) */
    void *load_arrays;  /* one allocation holding every decoded array */
    void *load_copy;    /* an 8-aligned copy of the bundle, if it needed one */
} cars_program;

/* Country codes: 3 letters A-Z as (c0-'A')*676 + (c1-'A')*26 + (c2-'A'). */
static inline int64_t cars_country_code(const char c[3])
{
    return (int64_t)(c[0] - 'A') * 676 + (c[1] - 'A') * 26 + (c[2] - 'A');
}

#endif

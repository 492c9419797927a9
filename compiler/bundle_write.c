/* bundle_write.c - serialise a cars_program into bundle bytes, the exact
 * inverse of vm/loader.c. Layout: docs/bytecode.md. Deterministic: sections
 * in id order, strings appended to the pool in a fixed order, and every
 * padding byte zero. */
#include "bundle_write.h"

#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "bundle.h"

/* Appends n zero bytes to a section (vm/buf.h); NULL when out of memory. */
static uint8_t *wb_reserve(cars_buf *b, size_t n) { return cars_buf_reserve(b, n); }

/* The writer's state: one buffer per section plus the string pool. */
typedef struct writer {
    cars_buf sec[CARS_SEC__COUNT + 1];
    bool too_big;
} writer;

static void put_str(writer *w, uint8_t *at, cars_str s)
{
    cars_buf *pool = &w->sec[CARS_SEC_STRINGS];
    size_t off = pool->len;
    if (off > UINT32_MAX) {
        w->too_big = true;
        return;
    }
    if (s.len) {
        uint8_t *d = wb_reserve(pool, s.len);
        if (!d)
            return;
        memcpy(d, s.p, s.len);
    }
    cars_wr32(at, s.len ? (uint32_t)off : 0);
    cars_wr32(at + 4, s.len);
}

/* Starts a counted section: u32 count, u32 zero; returns the first record. */
static uint8_t *counted(writer *w, int id, uint32_t n, size_t rec)
{
    cars_buf *b = &w->sec[id];
    uint8_t *h = wb_reserve(b, 8);
    if (!h)
        return NULL;
    cars_wr32(h, n);
    return wb_reserve(b, (size_t)n * rec);
}

/* A sealed program (format version 5) writes no text that describes its
 * rules in the clear: titles and source text are in its sealed section. */
static bool sealed(const cars_program *p) { return p->sealed_len > 0; }

/* `s`, or the empty string when `blank`. */
static cars_str text_or_empty(bool blank, cars_str s)
{
    cars_str none = {NULL, 0};
    return blank ? none : s;
}

/* A counted section of strs; `blank`: each written empty. */
static void write_strs_as(writer *w, int id, const cars_str *s, uint32_t n, bool blank)
{
    uint8_t *r = counted(w, id, n, CARS_REC_STR);
    for (uint32_t i = 0; r && i < n; i++)
        put_str(w, r + (size_t)i * CARS_REC_STR, text_or_empty(blank, s[i]));
}

static void write_strs(writer *w, int id, const cars_str *s, uint32_t n) { write_strs_as(w, id, s, n, false); }

/* Format version 5: each rule's says text, and the sealed text as it is. */
static void write_says_sealed(writer *w, const cars_program *p)
{
    uint8_t *r = counted(w, CARS_SEC_SAYS, p->nrules, CARS_REC_STR);
    for (uint32_t i = 0; r && i < p->nrules; i++)
        put_str(w, r + (size_t)i * CARS_REC_STR, p->rules[i].says);
    uint8_t *d = p->sealed_len ? wb_reserve(&w->sec[CARS_SEC_SEALED], p->sealed_len) : NULL;
    if (d)
        memcpy(d, p->sealed, p->sealed_len);
}

static void write_fields(writer *w, int id, const cars_pfield *f, uint32_t n)
{
    uint8_t *r = counted(w, id, n, CARS_REC_FIELD);
    for (uint32_t i = 0; r && i < n; i++) {
        uint8_t *q = r + (size_t)i * CARS_REC_FIELD;
        put_str(w, q, f[i].path);
        q[8] = f[i].type;
        q[9] = f[i].flags;
        q[10] = f[i].kind;
        cars_wr32(q + 12, f[i].members_first);
        cars_wr32(q + 16, f[i].members_n);
        cars_wr32(q + 20, f[i].elems_first);
        cars_wr32(q + 24, f[i].elems_n);
        uint64_t bits;
        double m = f[i].min;
        memcpy(&bits, &m, 8);
        cars_wr64(q + 32, bits);
    }
}

static void write_sets(writer *w, const cars_program *p)
{
    uint8_t *r = counted(w, CARS_SEC_SETS, p->nsets, CARS_REC_SET);
    cars_buf *vals = &w->sec[CARS_SEC_SET_VALUES];
    for (uint32_t i = 0; r && i < p->nsets; i++) {
        size_t first = vals->len / 8;
        if (first > UINT32_MAX)
            w->too_big = true;
        cars_wr32(r + (size_t)i * 8, (uint32_t)first);
        cars_wr32(r + (size_t)i * 8 + 4, p->sets[i].n);
        uint8_t *d = wb_reserve(vals, (size_t)p->sets[i].n * 8);
        for (uint32_t k = 0; d && k < p->sets[i].n; k++)
            cars_wr64(d + (size_t)k * 8, (uint64_t)p->sets[i].values[k]);
    }
}

static void write_tables(writer *w, const cars_program *p)
{
    uint8_t *r = counted(w, CARS_SEC_TABLES, p->ntables, CARS_REC_TABLE);
    cars_buf *hs = &w->sec[CARS_SEC_TABLE_HASHES];
    for (uint32_t i = 0; r && i < p->ntables; i++) {
        const cars_ptable *t = &p->tables[i];
        uint8_t *q = r + (size_t)i * CARS_REC_TABLE;
        put_str(w, q, t->name);
        put_str(w, q + 8, text_or_empty(sealed(p), t->title));
        q[16] = t->nkeys;
        q[17] = t->key_kinds[0];
        q[18] = t->key_kinds[1];
        put_str(w, q + 24, t->key_names[0]);
        put_str(w, q + 32, t->key_names[1]);
        size_t first = hs->len / 8;
        if (first > UINT32_MAX)
            w->too_big = true;
        cars_wr32(q + 40, (uint32_t)first);
        cars_wr32(q + 44, t->n);
        memcpy(q + 48, t->digest, 32);
        uint8_t *d = wb_reserve(hs, (size_t)t->n * 8);
        for (uint32_t k = 0; d && k < t->n; k++)
            cars_wr64(d + (size_t)k * 8, t->hashes[k]);
    }
}

/* The format version written in the header: the program's, 1 to
 * CARS_BUNDLE_VERSION (carsc compiles version 5; a release of version 3 or 4
 * is compiled again as its own version: version 4 is version 5 without the
 * sections says and sealed, version 3 is version 4 with the meta of
 * versions 1 to 3, which has no test results). */
static uint16_t write_version(const cars_program *p)
{
    return p->version >= CARS_BUNDLE_VERSION_MIN && p->version <= CARS_BUNDLE_VERSION ? p->version
                                                                                      : CARS_BUNDLE_VERSION;
}

static void write_rest(writer *w, const cars_program *p)
{
    /* a version 3 program (a release of that format compiled again) has the
     * 56-byte meta of versions 1 to 3, with no test results */
    uint8_t *q = wb_reserve(&w->sec[CARS_SEC_META], (size_t)cars_meta_bytes(write_version(p)));
    if (q) {
        put_str(w, q, p->release_id);
        put_str(w, q + 8, p->ruleset_title);
        put_str(w, q + 16, p->compiler_version);
        cars_wr64(q + 24, p->sequence);
        cars_wr64(q + 32, (uint64_t)p->valid_from);
        cars_wr64(q + 40, (uint64_t)p->valid_until);
        q[48] = p->channel;
    }
    if (q && write_version(p) >= CARS_BUNDLE_VERSION_TESTS) {
        q[49] = p->tests.run;
        cars_wr32(q + 56, p->tests.passed);
        cars_wr32(q + 60, p->tests.rules_covered);
        cars_wr32(q + 64, p->tests.rules);
        cars_wr32(q + 68, p->tests.conds_covered);
        cars_wr32(q + 72, p->tests.conds);
    }
    uint8_t *g = counted(w, CARS_SEC_DIGESTS, p->ndigests, CARS_REC_DIGEST);
    for (uint32_t i = 0; g && i < p->ndigests; i++) {
        put_str(w, g + (size_t)i * CARS_REC_DIGEST, p->digests[i].name);
        memcpy(g + (size_t)i * CARS_REC_DIGEST + 8, p->digests[i].digest, 32);
    }
    q = wb_reserve(&w->sec[CARS_SEC_TABLE_KEY], 16);
    if (q)
        memcpy(q, p->table_key, 16);
    uint8_t *r = counted(w, CARS_SEC_RULES, p->nrules, CARS_REC_RULE);
    for (uint32_t i = 0; r && i < p->nrules; i++) {
        const cars_prule *x = &p->rules[i];
        q = r + (size_t)i * CARS_REC_RULE;
        put_str(w, q, x->id);
        put_str(w, q + 8, text_or_empty(sealed(p), x->title));
        q[16] = x->kind;
        q[17] = x->tier;
        cars_wr32(q + 20, x->block);
        cars_wr32(q + 24, x->source);
        cars_wr32(q + 28, x->line);
    }
    r = counted(w, CARS_SEC_STAGES, p->nstages, CARS_REC_STAGE);
    for (uint32_t i = 0; r && i < p->nstages; i++) {
        cars_wr32(r + (size_t)i * 8, p->stages[i].first);
        cars_wr32(r + (size_t)i * 8 + 4, p->stages[i].n);
    }
    r = counted(w, CARS_SEC_STAGE_RULES, p->nstage_rules, CARS_REC_STAGE_RULE);
    for (uint32_t i = 0; r && i < p->nstage_rules; i++)
        cars_wr32(r + (size_t)i * 4, p->stage_rules[i]);
    r = counted(w, CARS_SEC_THRESHOLDS, p->nthresholds, CARS_REC_THRESHOLD);
    for (uint32_t i = 0; r && i < p->nthresholds; i++) {
        const cars_pthreshold *t = &p->thresholds[i];
        q = r + (size_t)i * CARS_REC_THRESHOLD;
        put_str(w, q, t->id);
        put_str(w, q + 8, text_or_empty(sealed(p), t->title));
        cars_wr32(q + 16, t->at_least);
        for (int k = 0; k < CARS_MAX_TIERS; k++)
            cars_wr32(q + 20 + 4 * k, t->tier_min[k]);
    }
    r = counted(w, CARS_SEC_BLOCKS, p->nblocks, CARS_REC_BLOCK);
    for (uint32_t i = 0; r && i < p->nblocks; i++) {
        const cars_pblock *b = &p->blocks[i];
        q = r + (size_t)i * CARS_REC_BLOCK;
        cars_wr32(q, b->offset);
        cars_wr32(q + 4, b->len);
        q[8] = b->kind;
        cars_wr16(q + 10, b->list);
        cars_wr16(q + 12, b->max_stack);
    }
    q = wb_reserve(&w->sec[CARS_SEC_CODE], p->code_len);
    if (q && p->code_len)
        memcpy(q, p->code, p->code_len);
    r = counted(w, CARS_SEC_LINES, p->nlines, CARS_REC_LINE);
    for (uint32_t i = 0; r && i < p->nlines; i++) {
        cars_wr32(r + (size_t)i * 12, p->lines[i].offset);
        cars_wr32(r + (size_t)i * 12 + 4, p->lines[i].file);
        cars_wr32(r + (size_t)i * 12 + 8, p->lines[i].line);
    }
}

static void write_indexes(writer *w, const cars_program *p)
{
    uint8_t *r = counted(w, CARS_SEC_INDEXES, p->nindexes, CARS_REC_INDEX);
    for (uint32_t i = 0; r && i < p->nindexes; i++) {
        uint8_t *q = r + (size_t)i * CARS_REC_INDEX;
        cars_wr32(q, p->indexes[i].stage);
        cars_wr16(q + 4, p->indexes[i].field);
        q[6] = p->indexes[i].flags;
        cars_wr32(q + 8, p->indexes[i].nvalues);
        cars_wr32(q + 12, p->indexes[i].words_first);
    }
    uint8_t *d = wb_reserve(&w->sec[CARS_SEC_INDEX_WORDS], p->nindex_words * 8);
    for (size_t k = 0; d && k < p->nindex_words; k++)
        cars_wr64(d + k * 8, p->index_words[k]);
}

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

bool cars_bundle_write(const cars_program *p, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    writer *w = cars_calloc(1, sizeof *w);
    if (!w)
        return false;
    write_rest(w, p);
    write_fields(w, CARS_SEC_FIELDS, p->fields, p->nfields);
    write_fields(w, CARS_SEC_ELEM_FIELDS, p->elem_fields, p->nelem_fields);
    write_strs(w, CARS_SEC_MEMBERS, p->members, p->nmembers);
    write_sets(w, p);
    write_strs(w, CARS_SEC_CONSTANTS, p->strings, p->nstrings);
    write_tables(w, p);
    write_strs(w, CARS_SEC_TIERS, p->tiers, p->ntiers);
    write_strs(w, CARS_SEC_SOURCES, p->source_names, p->nsources);
    write_strs_as(w, CARS_SEC_SOURCE_TEXT, p->source_text, p->nsource_text, sealed(p));
    write_indexes(w, p);
    /* every version before 5 is written with version 4's 24 sections */
    uint32_t nsec = write_version(p) >= CARS_BUNDLE_VERSION_SEALED ? CARS_SEC__COUNT : CARS_SEC__COUNT_V4;
    if (nsec > CARS_SEC__COUNT_V4)
        write_says_sealed(w, p);

    bool ok = !w->too_big;
    size_t total = CARS_BUNDLE_HEADER + (size_t)nsec * CARS_BUNDLE_SECENTRY;
    for (uint32_t id = 1; id <= nsec; id++) {
        ok = ok && !w->sec[id].failed && w->sec[id].len <= UINT32_MAX;
        total = align8(total) + w->sec[id].len;
    }
    total = align8(total);
    uint8_t *b = ok ? cars_calloc(1, total) : NULL;
    if (b) {
        memcpy(b, CARS_BUNDLE_MAGIC, 8);
        cars_wr16(b + 8, write_version(p));
        cars_wr16(b + 10, 0);
        cars_wr32(b + 12, CARS_BUNDLE_ENDIAN);
        cars_wr64(b + 16, total);
        cars_wr32(b + 24, nsec);
        size_t at = CARS_BUNDLE_HEADER + (size_t)nsec * CARS_BUNDLE_SECENTRY;
        for (uint32_t id = 1; id <= nsec; id++) {
            uint8_t *e = b + CARS_BUNDLE_HEADER + (size_t)(id - 1) * CARS_BUNDLE_SECENTRY;
            at = align8(at);
            cars_wr32(e, id);
            cars_wr64(e + 8, at);
            cars_wr64(e + 16, w->sec[id].len);
            if (w->sec[id].len)
                memcpy(b + at, w->sec[id].p, w->sec[id].len);
            at += w->sec[id].len;
        }
        *out = b;
        *len = total;
    }
    for (int id = 0; id <= CARS_SEC__COUNT; id++)
        cars_free(w->sec[id].p);
    cars_free(w);
    return b != NULL;
}

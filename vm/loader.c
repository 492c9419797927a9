/* loader.c - bundle bytes -> verified cars_program. The steps run in a fixed
 * order with no way to skip one: length -> magic -> version -> endianness ->
 * [signature] -> section bounds -> decode -> verifier. Strings, set values,
 * table hashes and code are used in place (loading a 1,000,000-entry table
 * is a bounds and sortedness check, not a rebuild); the record arrays are
 * decoded into one allocation. Byte layout and error codes:
 * docs/bytecode.md. */
#include "loader.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "bundle.h"
#include "date.h"
#include "json.h"
#include "verify.h"

static const char *const section_names[CARS_SEC__COUNT + 1] = {
    "?",
#define S(id, name, text) text,
    CARS_SECTIONS(S)
#undef S
};

typedef struct sec {
    const uint8_t *p;
    size_t len;
} sec;

typedef struct loader {
    const uint8_t *b;
    size_t len;
    sec s[CARS_SEC__COUNT + 1];
    uint16_t version;
    char *err;
    size_t errlen;
} loader;

static int fail(loader *L, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (L->errlen)
        vsnprintf(L->err, L->errlen, fmt, ap);
    va_end(ap);
    return code;
}

const char *cars_load_error_name(int code)
{
    static const char *const names[] = {
        "ok", "truncated", "bad magic", "unsupported version", "wrong endianness",
        "wrong size", "bad signature", "bad section table", "bad section contents",
        "refused by the verifier", "out of memory",
    };
    return code >= 0 && code <= CARS_LOAD_NOMEM ? names[code] : "unknown error";
}

bool cars_release_id_valid(const char *id, size_t len)
{
    if (len == 0 || len > 64)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = id[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.'))
            return false;
    }
    return true;
}

bool cars_sequence_parse(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static void loader_init(loader *L, const uint8_t *bytes, size_t len, char *err, size_t errlen)
{
    memset(L, 0, sizeof *L);
    L->err = err;
    L->errlen = errlen;
    if (errlen)
        err[0] = '\0';
    L->b = bytes;
    L->len = len;
}

/* Header and section table. */
static int check_header(loader *L)
{
    const uint8_t *b = L->b;
    if (L->len < CARS_BUNDLE_HEADER)
        return fail(L, CARS_LOAD_TRUNCATED, "bundle truncated: %zu bytes, shorter than the %d-byte header",
                    L->len, CARS_BUNDLE_HEADER);
    if (memcmp(b, CARS_BUNDLE_MAGIC, 8) != 0)
        return fail(L, CARS_LOAD_MAGIC, "not a CARS bundle: bad magic");
    uint16_t version = cars_rd16(b + 8), flags = cars_rd16(b + 10);
    if (version < CARS_BUNDLE_VERSION_MIN || version > CARS_BUNDLE_VERSION)
        return fail(L, CARS_LOAD_VERSION, "unsupported bundle format version %u (this carsvm reads versions %d to %d)",
                    version, CARS_BUNDLE_VERSION_MIN, CARS_BUNDLE_VERSION);
    L->version = version;
    if (flags != 0)
        return fail(L, CARS_LOAD_VERSION, "unsupported bundle flags 0x%04x", flags);
    uint32_t endian;
    memcpy(&endian, b + 12, 4); /* native order: in-place arrays need a little-endian host */
    if (endian != CARS_BUNDLE_ENDIAN)
        return fail(L, CARS_LOAD_ENDIAN, "bundle endianness check failed: read 0x%08x, expected 0x%08x",
                    endian, CARS_BUNDLE_ENDIAN);
    uint64_t total = cars_rd64(b + 16);
    if (total < L->len)
        return fail(L, CARS_LOAD_SIZE, "bundle has %zu bytes but its header says %llu",
                    L->len, (unsigned long long)total);

    return 0;
}

/* Bytes [from, to) lie before a section or after the last one: padding,
 * which must be zero (docs/bytecode.md), so every byte is accounted for. */
static int check_padding(loader *L, uint64_t from, uint64_t to, const char *next)
{
    for (uint64_t i = from; i < to; i++)
        if (L->b[i] != 0) {
            if (next)
                return fail(L, CARS_LOAD_SECTIONS, "byte %llu, padding before section '%s', is not zero",
                            (unsigned long long)i, next);
            return fail(L, CARS_LOAD_SECTIONS, "byte %llu, padding after the last section, is not zero",
                        (unsigned long long)i);
        }
    return 0;
}

/* The section table: ids, alignment, order, bounds, padding. */
static int check_sections(loader *L)
{
    const uint8_t *b = L->b;
    uint64_t total = cars_rd64(b + 16);
    uint32_t nsec = cars_rd32(b + 24), want = cars_bundle_sections(L->version);
    if (nsec != want)
        return fail(L, CARS_LOAD_SECTIONS, "bundle has %u sections, expected %u (format version %u)", nsec, want,
                    L->version);
    if (cars_rd32(b + 28) != 0)
        return fail(L, CARS_LOAD_SECTIONS, "reserved header bytes 28-31 are not zero");
    size_t table_end = CARS_BUNDLE_HEADER + (size_t)nsec * CARS_BUNDLE_SECENTRY;
    if (table_end > L->len)
        return fail(L, CARS_LOAD_TRUNCATED, "bundle truncated: section table ends at byte %zu but the bundle has %zu",
                    table_end, L->len);
    uint64_t prev_end = table_end;
    for (uint32_t i = 0; i < nsec; i++) {
        const uint8_t *e = b + CARS_BUNDLE_HEADER + (size_t)i * CARS_BUNDLE_SECENTRY;
        uint32_t id = cars_rd32(e);
        uint64_t off = cars_rd64(e + 8), n = cars_rd64(e + 16);
        if (id != i + 1)
            return fail(L, CARS_LOAD_SECTIONS, "section table entry %u has id %u, expected %u ('%s')",
                        i, id, i + 1, section_names[i + 1]);
        const char *name = section_names[id];
        if (cars_rd32(e + 4) != 0)
            return fail(L, CARS_LOAD_SECTIONS, "section '%s': reserved bytes are not zero", name);
        if (off % 8 != 0)
            return fail(L, CARS_LOAD_SECTIONS, "section '%s' starts at byte %llu, not a multiple of 8",
                        name, (unsigned long long)off);
        if (off < prev_end)
            return fail(L, CARS_LOAD_SECTIONS, "section '%s' starts at byte %llu, overlapping what precedes it (ends at %llu)",
                        name, (unsigned long long)off, (unsigned long long)prev_end);
        if (n > total || off > total - n)
            return fail(L, CARS_LOAD_SECTIONS, "section '%s' ends beyond the bundle's declared size of %llu bytes",
                        name, (unsigned long long)total);
        if (off + n > L->len)
            return fail(L, CARS_LOAD_TRUNCATED, "bundle truncated: section '%s' ends at byte %llu but the bundle has %zu",
                        name, (unsigned long long)(off + n), L->len);
        int rc = check_padding(L, prev_end, off, name);
        if (rc)
            return rc;
        L->s[id].p = b + off;
        L->s[id].len = (size_t)n;
        prev_end = off + n;
    }
    if (total > L->len)
        return fail(L, CARS_LOAD_TRUNCATED, "bundle truncated: its header says %llu bytes but the bundle has %zu",
                    (unsigned long long)total, L->len);
    return check_padding(L, prev_end, total, NULL);
}

/* A counted section: u32 count, u32 zero, then count records of `rec` bytes. */
static int counted(loader *L, int id, size_t rec, uint32_t *n, const uint8_t **recs)
{
    const sec *s = &L->s[id];
    if (s->len < 8)
        return fail(L, CARS_LOAD_DECODE, "section '%s' is %zu bytes, too short for its count", section_names[id], s->len);
    uint32_t count = cars_rd32(s->p);
    if (cars_rd32(s->p + 4) != 0)
        return fail(L, CARS_LOAD_DECODE, "section '%s': reserved bytes are not zero", section_names[id]);
    if ((s->len - 8) / rec != count || (s->len - 8) % rec != 0)
        return fail(L, CARS_LOAD_DECODE, "section '%s' holds %u records of %zu bytes but is %zu bytes long",
                    section_names[id], count, rec, s->len);
    *n = count;
    *recs = s->p + 8;
    return 0;
}

static int get_str(loader *L, int id, uint32_t rec, const uint8_t *at, cars_str *out)
{
    uint32_t off = cars_rd32(at), n = cars_rd32(at + 4);
    const sec *pool = &L->s[CARS_SEC_STRINGS];
    if ((uint64_t)off + n > pool->len)
        return fail(L, CARS_LOAD_DECODE, "section '%s' record %u: string at %u+%u is outside the string pool (%zu bytes)",
                    section_names[id], rec, off, n, pool->len);
    out->p = (const char *)pool->p + off;
    out->len = n;
    return 0;
}

/* Counts of every counted section, then the arrays carved from one block. */
typedef struct counts {
    uint32_t fields, elems, members, sets, consts, tables, tiers, rules, stages, srules, thresholds, blocks, lines, sources;
    const uint8_t *r_fields, *r_elems, *r_members, *r_sets, *r_consts, *r_tables, *r_tiers, *r_rules, *r_stages,
        *r_srules, *r_thresholds, *r_blocks, *r_lines, *r_sources, *r_digests, *r_text;
    uint32_t digests, texts, indexes, says;
    const uint8_t *r_indexes, *r_says;
} counts;

static int read_counts(loader *L, counts *c)
{
    int rc;
    if ((rc = counted(L, CARS_SEC_FIELDS, CARS_REC_FIELD, &c->fields, &c->r_fields)) ||
        (rc = counted(L, CARS_SEC_ELEM_FIELDS, CARS_REC_FIELD, &c->elems, &c->r_elems)) ||
        (rc = counted(L, CARS_SEC_MEMBERS, CARS_REC_STR, &c->members, &c->r_members)) ||
        (rc = counted(L, CARS_SEC_SETS, CARS_REC_SET, &c->sets, &c->r_sets)) ||
        (rc = counted(L, CARS_SEC_CONSTANTS, CARS_REC_STR, &c->consts, &c->r_consts)) ||
        (rc = counted(L, CARS_SEC_TABLES, CARS_REC_TABLE, &c->tables, &c->r_tables)) ||
        (rc = counted(L, CARS_SEC_TIERS, CARS_REC_STR, &c->tiers, &c->r_tiers)) ||
        (rc = counted(L, CARS_SEC_RULES, CARS_REC_RULE, &c->rules, &c->r_rules)) ||
        (rc = counted(L, CARS_SEC_STAGES, CARS_REC_STAGE, &c->stages, &c->r_stages)) ||
        (rc = counted(L, CARS_SEC_STAGE_RULES, CARS_REC_STAGE_RULE, &c->srules, &c->r_srules)) ||
        (rc = counted(L, CARS_SEC_THRESHOLDS, CARS_REC_THRESHOLD, &c->thresholds, &c->r_thresholds)) ||
        (rc = counted(L, CARS_SEC_BLOCKS, CARS_REC_BLOCK, &c->blocks, &c->r_blocks)) ||
        (rc = counted(L, CARS_SEC_LINES, CARS_REC_LINE, &c->lines, &c->r_lines)) ||
        (rc = counted(L, CARS_SEC_SOURCES, CARS_REC_STR, &c->sources, &c->r_sources)) ||
        (rc = counted(L, CARS_SEC_DIGESTS, CARS_REC_DIGEST, &c->digests, &c->r_digests)) ||
        (rc = counted(L, CARS_SEC_SOURCE_TEXT, CARS_REC_STR, &c->texts, &c->r_text)))
        return rc;
    if (L->version >= 2 && (rc = counted(L, CARS_SEC_INDEXES, CARS_REC_INDEX, &c->indexes, &c->r_indexes)))
        return rc;
    if (L->version >= CARS_BUNDLE_VERSION_SEALED) {
        if ((rc = counted(L, CARS_SEC_SAYS, CARS_REC_STR, &c->says, &c->r_says)))
            return rc;
        if (c->says != c->rules)
            return fail(L, CARS_LOAD_DECODE, "section 'says' has %u entries but 'rules' has %u", c->says, c->rules);
    }
    if (c->texts != 0 && c->texts != c->sources)
        return fail(L, CARS_LOAD_DECODE, "section 'source_text' has %u entries but 'sources' has %u",
                    c->texts, c->sources);
    if (L->s[CARS_SEC_TABLE_KEY].len != 16)
        return fail(L, CARS_LOAD_DECODE, "section 'table_key' is %zu bytes, expected 16", L->s[CARS_SEC_TABLE_KEY].len);
    static const int words[] = {CARS_SEC_SET_VALUES, CARS_SEC_TABLE_HASHES, CARS_SEC_INDEX_WORDS};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (L->s[words[i]].len % 8)
            return fail(L, CARS_LOAD_DECODE, "section '%s' is not a whole number of 8-byte values",
                        section_names[words[i]]);
    return 0;
}

/* Carves n * size bytes (8-aligned) from the arena block. */
static void *carve(uint8_t **at, size_t n, size_t size)
{
    void *p = *at;
    *at += (n * size + 7) & ~(size_t)7;
    return p;
}

/* Bytes [from, to) of record `rec` of section `id` must be zero (reserved). */
static int reserved(loader *L, int id, uint32_t rec, const uint8_t *q, int from, int to)
{
    for (int i = from; i < to; i++)
        if (q[i] != 0)
            return fail(L, CARS_LOAD_DECODE, "section '%s' record %u: reserved byte %d is not zero (%u)",
                        section_names[id], rec, i, q[i]);
    return 0;
}

static int decode_fields(loader *L, int id, const uint8_t *r, uint32_t n, cars_pfield *f)
{
    bool kinds = L->version >= CARS_BUNDLE_VERSION_KINDS; /* byte 10: the field's kind */
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *q = r + (size_t)i * CARS_REC_FIELD;
        int rc = get_str(L, id, i, q, &f[i].path);
        if (rc || (rc = reserved(L, id, i, q, kinds ? 11 : 10, 12)) || (rc = reserved(L, id, i, q, 28, 32)))
            return rc;
        f[i].type = q[8];
        f[i].flags = q[9];
        f[i].kind = kinds ? q[10] : 0;
        f[i].members_first = cars_rd32(q + 12);
        f[i].members_n = cars_rd32(q + 16);
        f[i].elems_first = cars_rd32(q + 20);
        f[i].elems_n = cars_rd32(q + 24);
        uint64_t bits = cars_rd64(q + 32);
        memcpy(&f[i].min, &bits, 8);
    }
    return 0;
}

static int decode_strs(loader *L, int id, const uint8_t *r, uint32_t n, cars_str *s)
{
    for (uint32_t i = 0; i < n; i++) {
        int rc = get_str(L, id, i, r + (size_t)i * CARS_REC_STR, &s[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static int decode_sets_tables(loader *L, const counts *c, cars_program *p)
{
    size_t nvals = L->s[CARS_SEC_SET_VALUES].len / 8, nhash = L->s[CARS_SEC_TABLE_HASHES].len / 8;
    for (uint32_t i = 0; i < c->sets; i++) {
        uint32_t first = cars_rd32(c->r_sets + (size_t)i * 8), n = cars_rd32(c->r_sets + (size_t)i * 8 + 4);
        if ((uint64_t)first + n > nvals)
            return fail(L, CARS_LOAD_DECODE, "set %u: values %u+%u are outside section 'set_values' (%zu values)",
                        i, first, n, nvals);
        p->sets[i].n = n;
        p->sets[i].values = (const int64_t *)(const void *)(L->s[CARS_SEC_SET_VALUES].p + (size_t)first * 8);
    }
    for (uint32_t i = 0; i < c->tables; i++) {
        const uint8_t *q = c->r_tables + (size_t)i * CARS_REC_TABLE;
        cars_ptable *t = &p->tables[i];
        int rc;
        if ((rc = get_str(L, CARS_SEC_TABLES, i, q, &t->name)) || (rc = get_str(L, CARS_SEC_TABLES, i, q + 8, &t->title)) ||
            (rc = get_str(L, CARS_SEC_TABLES, i, q + 24, &t->key_names[0])) ||
            (rc = get_str(L, CARS_SEC_TABLES, i, q + 32, &t->key_names[1])))
            return rc;
        if ((rc = reserved(L, CARS_SEC_TABLES, i, q, 19, 24)))
            return rc;
        t->nkeys = q[16];
        t->key_kinds[0] = q[17];
        t->key_kinds[1] = q[18];
        uint32_t first = cars_rd32(q + 40), n = cars_rd32(q + 44);
        if ((uint64_t)first + n > nhash)
            return fail(L, CARS_LOAD_DECODE, "table %u: hashes %u+%u are outside section 'table_hashes' (%zu hashes)",
                        i, first, n, nhash);
        t->n = n;
        t->hashes = (const uint64_t *)(const void *)(L->s[CARS_SEC_TABLE_HASHES].p + (size_t)first * 8);
        memcpy(t->digest, q + 48, 32);
    }
    return 0;
}

/* What the tests gave (format version 4: meta bytes 49 and 56 to 75; before,
 * bytes 49 to 55 are reserved). Not run: every count zero. Run: the
 * covered counts are at most the totals. */
static int decode_tests(loader *L, const uint8_t *m, cars_ptests *t)
{
    bool v4 = L->version >= CARS_BUNDLE_VERSION_TESTS;
    for (int i = v4 ? 50 : 49; i < (v4 ? 56 : CARS_META_BYTES_V3); i++)
        if (m[i] != 0)
            return fail(L, CARS_LOAD_DECODE, "section 'meta': reserved bytes are not zero");
    memset(t, 0, sizeof *t);
    if (!v4)
        return 0;
    if (m[49] > 1 || cars_rd32(m + 76) != 0)
        return fail(L, CARS_LOAD_DECODE, "section 'meta': reserved bytes are not zero");
    t->run = m[49];
    t->passed = cars_rd32(m + 56);
    t->rules_covered = cars_rd32(m + 60);
    t->rules = cars_rd32(m + 64);
    t->conds_covered = cars_rd32(m + 68);
    t->conds = cars_rd32(m + 72);
    bool zero = !t->passed && !t->rules_covered && !t->rules && !t->conds_covered && !t->conds;
    if ((!t->run && !zero) || t->rules_covered > t->rules || t->conds_covered > t->conds)
        return fail(L, CARS_LOAD_DECODE, "section 'meta': the test results are not consistent");
    return 0;
}

/* The release metadata (meta section, cars_meta_bytes(version)). */
static int decode_meta(loader *L, cars_program *p)
{
    if (L->s[CARS_SEC_META].len != (size_t)cars_meta_bytes(L->version))
        return fail(L, CARS_LOAD_DECODE, "section 'meta' is %zu bytes, expected %d", L->s[CARS_SEC_META].len,
                    cars_meta_bytes(L->version));
    const uint8_t *m = L->s[CARS_SEC_META].p;
    int rc;
    if ((rc = get_str(L, CARS_SEC_META, 0, m, &p->release_id)) ||
        (rc = get_str(L, CARS_SEC_META, 0, m + 8, &p->ruleset_title)) ||
        (rc = get_str(L, CARS_SEC_META, 0, m + 16, &p->compiler_version)))
        return rc;
    if (!cars_release_id_valid(p->release_id.p, p->release_id.len))
        return fail(L, CARS_LOAD_DECODE, "section 'meta': the release id is not 1 to 64 letters, digits, '-', '_' "
                    "or '.'");
    p->sequence = cars_rd64(m + 24);
    p->valid_from = (int64_t)cars_rd64(m + 32);
    p->valid_until = (int64_t)cars_rd64(m + 40);
    p->channel = m[48];
    if (p->channel > CARS_CHANNEL_TEST)
        return fail(L, CARS_LOAD_DECODE, "section 'meta': unknown channel %u", p->channel);
    int rc_tests = decode_tests(L, m, &p->tests);
    if (rc_tests)
        return rc_tests;
    if (p->valid_from < CARS_DATE_MIN || p->valid_until > CARS_DATE_MAX || p->valid_from > p->valid_until)
        return fail(L, CARS_LOAD_DECODE, "section 'meta': the validity window is not a range of dates");
    return 0;
}

static int decode_rest(loader *L, const counts *c, cars_program *p)
{
    int rc;
    for (uint32_t i = 0; i < c->rules; i++) {
        const uint8_t *q = c->r_rules + (size_t)i * CARS_REC_RULE;
        cars_prule *x = &p->rules[i];
        if ((rc = get_str(L, CARS_SEC_RULES, i, q, &x->id)) || (rc = get_str(L, CARS_SEC_RULES, i, q + 8, &x->title)) ||
            (rc = reserved(L, CARS_SEC_RULES, i, q, 18, 20)))
            return rc;
        x->kind = q[16];
        x->tier = q[17];
        x->block = cars_rd32(q + 20);
        x->source = cars_rd32(q + 24);
        x->line = cars_rd32(q + 28);
    }
    for (uint32_t i = 0; i < c->stages; i++) {
        p->stages[i].first = cars_rd32(c->r_stages + (size_t)i * 8);
        p->stages[i].n = cars_rd32(c->r_stages + (size_t)i * 8 + 4);
    }
    for (uint32_t i = 0; i < c->srules; i++)
        p->stage_rules[i] = cars_rd32(c->r_srules + (size_t)i * 4);
    for (uint32_t i = 0; i < c->thresholds; i++) {
        const uint8_t *q = c->r_thresholds + (size_t)i * CARS_REC_THRESHOLD;
        cars_pthreshold *t = &p->thresholds[i];
        if ((rc = get_str(L, CARS_SEC_THRESHOLDS, i, q, &t->id)) ||
            (rc = get_str(L, CARS_SEC_THRESHOLDS, i, q + 8, &t->title)) ||
            (rc = reserved(L, CARS_SEC_THRESHOLDS, i, q, 52, 56)))
            return rc;
        t->at_least = cars_rd32(q + 16);
        for (int k = 0; k < CARS_MAX_TIERS; k++)
            t->tier_min[k] = cars_rd32(q + 20 + 4 * k);
    }
    for (uint32_t i = 0; i < c->blocks; i++) {
        const uint8_t *q = c->r_blocks + (size_t)i * CARS_REC_BLOCK;
        if ((rc = reserved(L, CARS_SEC_BLOCKS, i, q, 9, 10)) || (rc = reserved(L, CARS_SEC_BLOCKS, i, q, 14, 16)))
            return rc;
        p->blocks[i].offset = cars_rd32(q);
        p->blocks[i].len = cars_rd32(q + 4);
        p->blocks[i].kind = q[8];
        p->blocks[i].list = cars_rd16(q + 10);
        p->blocks[i].max_stack = cars_rd16(q + 12);
    }
    for (uint32_t i = 0; i < c->lines; i++) {
        const uint8_t *q = c->r_lines + (size_t)i * CARS_REC_LINE;
        p->lines[i].offset = cars_rd32(q);
        p->lines[i].file = cars_rd32(q + 4);
        p->lines[i].line = cars_rd32(q + 8);
    }
    if (L->s[CARS_SEC_CODE].len > UINT32_MAX)
        return fail(L, CARS_LOAD_DECODE, "section 'code' is larger than 4 GiB");
    p->code = L->s[CARS_SEC_CODE].p;
    p->code_len = (uint32_t)L->s[CARS_SEC_CODE].len;
    memcpy(p->table_key, L->s[CARS_SEC_TABLE_KEY].p, 16);
    for (uint32_t i = 0; i < c->indexes; i++) {
        const uint8_t *q = c->r_indexes + (size_t)i * CARS_REC_INDEX;
        if ((rc = reserved(L, CARS_SEC_INDEXES, i, q, 7, 8)))
            return rc;
        p->indexes[i].stage = cars_rd32(q);
        p->indexes[i].field = cars_rd16(q + 4);
        p->indexes[i].flags = q[6];
        p->indexes[i].nvalues = cars_rd32(q + 8);
        p->indexes[i].words_first = cars_rd32(q + 12);
    }
    p->index_words = (const uint64_t *)(const void *)L->s[CARS_SEC_INDEX_WORDS].p;
    p->nindex_words = L->s[CARS_SEC_INDEX_WORDS].len / 8;
    for (uint32_t i = 0; i < c->digests; i++) {
        const uint8_t *q = c->r_digests + (size_t)i * CARS_REC_DIGEST;
        if ((rc = get_str(L, CARS_SEC_DIGESTS, i, q, &p->digests[i].name)))
            return rc;
        memcpy(p->digests[i].digest, q + 8, 32);
    }
    return decode_meta(L, p);
}

/* The sealed section's frame (bundle.h); its contents are opened by carsc
 * only, with an audit key. */
static int decode_sealed(loader *L, cars_program *p)
{
    const sec *s = &L->s[CARS_SEC_SEALED];
    if (L->version < CARS_BUNDLE_VERSION_SEALED || s->len == 0)
        return 0;
    uint32_t n = s->len >= 8 ? cars_rd32(s->p) : 0;
    if (n < 1 || n > CARS_SEAL_MAX_RECIPIENTS || cars_rd32(s->p + 4) != 0)
        return fail(L, CARS_LOAD_DECODE, "section 'sealed': %s",
                    s->len < 8 ? "truncated" : "the audit key count is not 1 to 16, or a reserved byte is not zero");
    size_t frame = 8 + (size_t)n * CARS_SEAL_RECIPIENT + CARS_SEAL_NONCE + CARS_SEAL_TAG;
    if (s->len < frame)
        return fail(L, CARS_LOAD_DECODE, "section 'sealed' is truncated: %zu bytes, at least %zu for %u audit keys",
                    s->len, frame, n);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *q = s->p + 8 + (size_t)i * CARS_SEAL_RECIPIENT;
        int rc = reserved(L, CARS_SEC_SEALED, i, q, CARS_SEAL_KEYID + CARS_SEAL_BOXED, CARS_SEAL_RECIPIENT);
        if (rc)
            return rc;
    }
    p->sealed = s->p;
    p->sealed_len = s->len;
    return 0;
}

/* Each rule's text for the decision maker: section says (format version 5),
 * before that its title. */
static int decode_says(loader *L, const counts *c, cars_program *p)
{
    for (uint32_t i = 0; i < c->rules; i++) {
        cars_prule *x = &p->rules[i];
        if (L->version < CARS_BUNDLE_VERSION_SEALED) {
            x->says = x->title;
        } else {
            int rc = get_str(L, CARS_SEC_SAYS, i, c->r_says + (size_t)i * CARS_REC_STR, &x->says);
            if (rc)
                return rc;
        }
        x->plain = cars_json_plain(x->id.p, x->id.len) && cars_json_plain(x->says.p, x->says.len);
    }
    return decode_sealed(L, p);
}

static int decode(loader *L, cars_program *p)
{
    counts c;
    memset(&c, 0, sizeof c);
    int rc = read_counts(L, &c);
    if (rc)
        return rc;
    p->version = L->version;
    size_t total = 0;
#define SZ(n, T) (((size_t)(n) * sizeof(T) + 7) & ~(size_t)7)
    total += SZ(c.fields, cars_pfield) + SZ(c.elems, cars_pfield) + SZ(c.members, cars_str) + SZ(c.sets, cars_pset) +
             SZ(c.consts, cars_str) + SZ(c.tables, cars_ptable) + SZ(c.tiers, cars_str) + SZ(c.rules, cars_prule) +
             SZ(c.stages, cars_pstage) + SZ(c.srules, uint32_t) + SZ(c.thresholds, cars_pthreshold) +
             SZ(c.blocks, cars_pblock) + SZ(c.lines, cars_pline) + SZ(c.sources, cars_str) +
             SZ(c.digests, cars_pdigest) + SZ(c.texts, cars_str) + SZ(c.indexes, cars_pindex);
#undef SZ
    uint8_t *block = cars_calloc(1, total ? total : 8);
    if (!block)
        return fail(L, CARS_LOAD_NOMEM, "out of memory loading the bundle");
    p->load_arrays = block;
    uint8_t *at = block;
    p->fields = carve(&at, c.fields, sizeof(cars_pfield)), p->nfields = c.fields;
    p->elem_fields = carve(&at, c.elems, sizeof(cars_pfield)), p->nelem_fields = c.elems;
    p->members = carve(&at, c.members, sizeof(cars_str)), p->nmembers = c.members;
    p->sets = carve(&at, c.sets, sizeof(cars_pset)), p->nsets = c.sets;
    p->strings = carve(&at, c.consts, sizeof(cars_str)), p->nstrings = c.consts;
    p->tables = carve(&at, c.tables, sizeof(cars_ptable)), p->ntables = c.tables;
    p->tiers = carve(&at, c.tiers, sizeof(cars_str)), p->ntiers = c.tiers;
    p->rules = carve(&at, c.rules, sizeof(cars_prule)), p->nrules = c.rules;
    p->stages = carve(&at, c.stages, sizeof(cars_pstage)), p->nstages = c.stages;
    p->stage_rules = carve(&at, c.srules, sizeof(uint32_t)), p->nstage_rules = c.srules;
    p->thresholds = carve(&at, c.thresholds, sizeof(cars_pthreshold)), p->nthresholds = c.thresholds;
    p->blocks = carve(&at, c.blocks, sizeof(cars_pblock)), p->nblocks = c.blocks;
    p->lines = carve(&at, c.lines, sizeof(cars_pline)), p->nlines = c.lines;
    p->source_names = carve(&at, c.sources, sizeof(cars_str)), p->nsources = c.sources;
    p->digests = carve(&at, c.digests, sizeof(cars_pdigest)), p->ndigests = c.digests;
    p->source_text = carve(&at, c.texts, sizeof(cars_str)), p->nsource_text = c.texts;
    p->indexes = carve(&at, c.indexes, sizeof(cars_pindex)), p->nindexes = c.indexes;
    if ((rc = decode_fields(L, CARS_SEC_FIELDS, c.r_fields, c.fields, p->fields)) ||
        (rc = decode_fields(L, CARS_SEC_ELEM_FIELDS, c.r_elems, c.elems, p->elem_fields)) ||
        (rc = decode_strs(L, CARS_SEC_MEMBERS, c.r_members, c.members, p->members)) ||
        (rc = decode_strs(L, CARS_SEC_CONSTANTS, c.r_consts, c.consts, p->strings)) ||
        (rc = decode_strs(L, CARS_SEC_TIERS, c.r_tiers, c.tiers, p->tiers)) ||
        (rc = decode_strs(L, CARS_SEC_SOURCES, c.r_sources, c.sources, p->source_names)) ||
        (rc = decode_strs(L, CARS_SEC_SOURCE_TEXT, c.r_text, c.texts, p->source_text)) ||
        (rc = decode_sets_tables(L, &c, p)) || (rc = decode_rest(L, &c, p)) || (rc = decode_says(L, &c, p)))
        return rc;
    return 0;
}

int cars_bundle_load(const uint8_t *bytes, size_t len, cars_program *out, char *err, size_t errlen)
{
    loader L;
    loader_init(&L, bytes, len, err, errlen);
    memset(out, 0, sizeof *out);
    if (len && ((uintptr_t)bytes & 7u) != 0) {
        uint8_t *copy = cars_malloc(len);
        if (!copy)
            return fail(&L, CARS_LOAD_NOMEM, "out of memory loading the bundle");
        memcpy(copy, bytes, len);
        out->load_copy = copy;
        L.b = copy;
    }
    int rc = check_header(&L);
    if (!rc)
        rc = check_sections(&L);
    if (!rc)
        rc = decode(&L, out);
    if (!rc) {
        char verr[512];
        int vr = cars_verify(out, verr, sizeof verr);
        if (vr == CARS_VERIFY_NOMEM)
            rc = fail(&L, CARS_LOAD_NOMEM, "out of memory loading the bundle (%s)", verr);
        else if (vr != 0)
            rc = fail(&L, CARS_LOAD_VERIFY, "bundle refused by the verifier: %s", verr);
    }
    if (rc)
        cars_program_free(out);
    return rc;
}

int cars_bundle_check_header(const uint8_t *bytes, size_t len, char *err, size_t errlen)
{
    loader L;
    loader_init(&L, bytes, len, err, errlen);
    return check_header(&L);
}

int cars_bundle_peek_release(const uint8_t *bytes, size_t len, cars_release_meta *m, char *err, size_t errlen)
{
    loader L;
    loader_init(&L, bytes, len, err, errlen);
    int rc = check_header(&L);
    if (!rc)
        rc = check_sections(&L);
    if (rc)
        return rc;
    cars_program p;
    memset(&p, 0, sizeof p);
    if ((rc = decode_meta(&L, &p)))
        return rc;
    m->release_id = p.release_id.p;
    m->release_id_len = p.release_id.len;
    m->sequence = p.sequence;
    m->valid_from = p.valid_from;
    m->valid_until = p.valid_until;
    m->channel = p.channel;
    return 0;
}

void cars_program_free(cars_program *p)
{
    cars_free(p->opened_text);
    cars_free(p->load_arrays);
    cars_free(p->load_copy);
    memset(p, 0, sizeof *p);
}

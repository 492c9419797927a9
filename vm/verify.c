/* verify.c - the verifier: a pure function that proves a program safe for
 * the interpreter, which checks nothing itself. Table-driven from
 * opcodes.def (operand formats, stack effects); the checks, in order:
 * schema, sets, tables, tiers, rules, stages, thresholds, blocks, line
 * table, then each block's code (opcodes, operands, block-kind rules,
 * jumps, stack depth on every path, termination), and last that every
 * stage index is sound (verify_index.c: no rule left out of a slot where
 * its condition can be true). The first problem found is reported;
 * docs/bytecode.md lists every check. */
#include "verify.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "bundle.h"
#include "opcodes.h"
#include "verify_index.h"

typedef struct vctx {
    const cars_program *p;
    char *err;
    size_t errlen;
} vctx;

static int fail(vctx *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (v->errlen)
        vsnprintf(v->err, v->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

#define STR(s) (int)(s).len, (s).p

static const char *type_name(unsigned t)
{
    static const char *const names[] = {"?", "bool", "integer", "number", "string", "date", "country", "enum", "list"};
    return t <= CARS_FT_LIST ? names[t] : "?";
}

/* Only for a key kind that check_data has accepted (<= CARS_KEY_TEXT): it
 * runs before any code is checked, and refuses every other kind. */
static const char *kind_name(unsigned k)
{
    static const char *const names[CARS_KEY_TEXT + 1] = {"document", "email", "phone", "contact", "country", "text"};
    return names[k];
}

static const char *fkind_name(unsigned k)
{
    static const char *const names[] = {"plain", "email", "phone", "document"};
    return k <= CARS_FK_DOCUMENT ? names[k] : "?";
}

static int check_schema(vctx *v)
{
    const cars_program *p = v->p;
    if (p->version < CARS_BUNDLE_VERSION_MIN || p->version > CARS_BUNDLE_VERSION)
        return fail(v, "unknown format version %u", p->version);
    for (uint32_t i = 0; i < p->nfields; i++) {
        const cars_pfield *f = &p->fields[i];
        if (f->type < CARS_FT_BOOL || f->type > CARS_FT_LIST)
            return fail(v, "field %u (%.*s): unknown type %u", i, STR(f->path), f->type);
        if (f->kind > CARS_FK_DOCUMENT)
            return fail(v, "field %u (%.*s): unknown kind %u", i, STR(f->path), f->kind);
        if (f->kind != CARS_FK_PLAIN && f->type != CARS_FT_STRING)
            return fail(v, "field %u (%.*s): kind %s is only for string fields, not %s", i, STR(f->path),
                        fkind_name(f->kind), type_name(f->type));
        if (f->kind != CARS_FK_PLAIN && p->version < CARS_BUNDLE_VERSION_KINDS)
            return fail(v, "field %u (%.*s): kind %s needs format version %d (this is version %u)", i,
                        STR(f->path), fkind_name(f->kind), CARS_BUNDLE_VERSION_KINDS, p->version);
        if (f->type == CARS_FT_ENUM && ((uint64_t)f->members_first + f->members_n > p->nmembers || f->members_n == 0))
            return fail(v, "field %u (%.*s): members %u+%u out of range (%u members)", i, STR(f->path),
                        f->members_first, f->members_n, p->nmembers);
        if (f->type == CARS_FT_LIST && (uint64_t)f->elems_first + f->elems_n > p->nelem_fields)
            return fail(v, "field %u (%.*s): element fields %u+%u out of range (%u element fields)", i, STR(f->path),
                        f->elems_first, f->elems_n, p->nelem_fields);
    }
    for (uint32_t i = 0; i < p->nelem_fields; i++) {
        const cars_pfield *f = &p->elem_fields[i];
        if (f->type < CARS_FT_BOOL || f->type > CARS_FT_LIST || f->type == CARS_FT_STRING || f->type == CARS_FT_LIST)
            return fail(v, "element field %u (%.*s): type %s is not allowed in a list element", i, STR(f->path),
                        type_name(f->type));
        if (f->kind != CARS_FK_PLAIN)
            return fail(v, "element field %u (%.*s): kind %s is only for string fields, not %s", i, STR(f->path),
                        fkind_name(f->kind), type_name(f->type));
        if (f->type == CARS_FT_ENUM && ((uint64_t)f->members_first + f->members_n > p->nmembers || f->members_n == 0))
            return fail(v, "element field %u (%.*s): members %u+%u out of range (%u members)", i, STR(f->path),
                        f->members_first, f->members_n, p->nmembers);
    }
    return 0;
}

static int check_data(vctx *v)
{
    const cars_program *p = v->p;
    for (uint32_t i = 0; i < p->nsets; i++)
        for (uint32_t k = 1; k < p->sets[i].n; k++)
            if (p->sets[i].values[k - 1] >= p->sets[i].values[k])
                return fail(v, "set %u: values not strictly ascending at position %u", i, k);
    for (uint32_t i = 0; i < p->ntables; i++) {
        const cars_ptable *t = &p->tables[i];
        if (t->nkeys < 1 || t->nkeys > 2)
            return fail(v, "table %u (%.*s): %u key columns (must be 1 or 2)", i, STR(t->name), t->nkeys);
        for (int k = 0; k < t->nkeys; k++)
            if (t->key_kinds[k] > CARS_KEY_TEXT)
                return fail(v, "table %u (%.*s): unknown key kind %u", i, STR(t->name), t->key_kinds[k]);
        for (uint32_t k = 1; k < t->n; k++)
            if (t->hashes[k - 1] >= t->hashes[k])
                return fail(v, "table %u (%.*s): hashes not strictly ascending at entry %u", i, STR(t->name), k);
    }
    if (p->ntiers > CARS_MAX_TIERS)
        return fail(v, "%u tiers (at most %d)", p->ntiers, CARS_MAX_TIERS);
    return 0;
}

/* Stage indexes (after the stages): bounds, an integer-valued field the
 * reader keeps, keys ascending, no bit beyond the stage's rules. */
static int check_indexes(vctx *v)
{
    const cars_program *p = v->p;
    for (uint32_t i = 0; i < p->nindexes; i++) {
        const cars_pindex *x = &p->indexes[i];
        if (x->stage >= p->nstages)
            return fail(v, "index %u: stage %u out of range (%u stages)", i, x->stage, p->nstages);
        if (x->field >= p->nfields)
            return fail(v, "index %u: field %u out of range (%u fields)", i, x->field, p->nfields);
        const cars_pfield *f = &p->fields[x->field];
        if (!(f->flags & CARS_FF_READ))
            return fail(v, "index %u: field %u (%.*s) is not marked read", i, x->field, STR(f->path));
        if (x->flags & ~(unsigned)CARS_IX_NUMBER)
            return fail(v, "index %u: unknown flags 0x%02x", i, x->flags);
        bool num = x->flags & CARS_IX_NUMBER;
        if (num != (f->type == CARS_FT_NUMBER) || f->type == CARS_FT_STRING || f->type == CARS_FT_LIST)
            return fail(v, "index %u: field %u (%.*s) is a %s, which cannot have %s keys", i, x->field, STR(f->path),
                        type_name(f->type), num ? "number" : "integer");
        if (x->nvalues == UINT32_MAX) /* the absent slot, K + 1, must fit a u32 */
            return fail(v, "index %u: %u keys; at most %u", i, x->nvalues, UINT32_MAX - 1);
        uint32_t n = p->stages[x->stage].n, w = (n + 63) / 64;
        uint64_t need = (uint64_t)x->nvalues + ((uint64_t)x->nvalues + 2) * w;
        if (x->words_first + need > p->nindex_words)
            return fail(v, "index %u: words %u+%llu out of range (%zu index words)", i, x->words_first,
                        (unsigned long long)need, p->nindex_words);
        const uint64_t *words = p->index_words + x->words_first;
        if (num) { /* doubles: no NaN, ascending */
            double prev = 0;
            for (uint32_t k = 0; k < x->nvalues; k++) {
                double d;
                memcpy(&d, &words[k], 8);
                if (d != d || (k && !(prev < d)))
                    return fail(v, "index %u: keys not strictly ascending at position %u", i, k);
                prev = d;
            }
        } else {
            for (uint32_t k = 1; k < x->nvalues; k++)
                if ((int64_t)words[k - 1] >= (int64_t)words[k])
                    return fail(v, "index %u: keys not strictly ascending at position %u", i, k);
        }
        uint64_t beyond = n % 64 ? ~(uint64_t)0 << (n % 64) : 0;
        for (uint64_t j = 0; j <= (uint64_t)x->nvalues + 1 && beyond; j++)
            if (words[x->nvalues + (uint64_t)j * w + w - 1] & beyond)
                return fail(v, "index %u: bitset %u has bits beyond the stage's %u rules", i, (unsigned)j, n);
    }
    return 0;
}

static int check_routing_data(vctx *v)
{
    const cars_program *p = v->p;
    for (uint32_t i = 0; i < p->nrules; i++) {
        const cars_prule *r = &p->rules[i];
        if (r->kind > CARS_RK_MULTIPLE)
            return fail(v, "rule %u (%.*s): unknown kind %u", i, STR(r->id), r->kind);
        if (r->block >= p->nblocks)
            return fail(v, "rule %u (%.*s): block %u out of range (%u blocks)", i, STR(r->id), r->block, p->nblocks);
        if (p->blocks[r->block].kind != CARS_BK_RULE)
            return fail(v, "rule %u (%.*s): block %u is not a RULE block", i, STR(r->id), r->block);
        if (r->kind == CARS_RK_MULTIPLE && r->tier >= p->ntiers)
            return fail(v, "rule %u (%.*s): tier %u out of range (%u tiers)", i, STR(r->id), r->tier, p->ntiers);
    }
    for (uint32_t i = 0; i < p->nstages; i++) {
        const cars_pstage *s = &p->stages[i];
        if ((uint64_t)s->first + s->n > p->nstage_rules)
            return fail(v, "stage %u: rules %u+%u out of range (%u stage rules)", i, s->first, s->n, p->nstage_rules);
        for (uint32_t k = 0; k < s->n; k++) {
            uint32_t r = p->stage_rules[s->first + k];
            if (r >= p->nrules)
                return fail(v, "stage %u: rule %u out of range (%u rules)", i, r, p->nrules);
            if (k > 0 && p->stage_rules[s->first + k - 1] >= r)
                return fail(v, "stage %u: rule list not ascending at position %u", i, k);
        }
    }
    int rc = check_indexes(v);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < p->nthresholds; i++)
        for (uint32_t k = p->ntiers; k < CARS_MAX_TIERS; k++)
            if (p->thresholds[i].tier_min[k])
                return fail(v, "threshold %u (%.*s): condition on tier %u, which does not exist (%u tiers)", i,
                            STR(p->thresholds[i].id), k, p->ntiers);
    return 0;
}

static int check_blocks(vctx *v)
{
    const cars_program *p = v->p;
    if (p->nblocks == 0)
        return fail(v, "the program has no blocks");
    for (uint32_t i = 0; i < p->nblocks; i++) {
        const cars_pblock *b = &p->blocks[i];
        if (b->kind > CARS_BK_ELEM)
            return fail(v, "block %u: unknown kind %u", i, b->kind);
        if (i == 0 && b->kind != CARS_BK_MAIN)
            return fail(v, "block 0 is not the MAIN block");
        if (i > 0 && b->kind == CARS_BK_MAIN)
            return fail(v, "block %u is a second MAIN block", i);
        if (b->len == 0)
            return fail(v, "block %u is empty", i);
        if ((uint64_t)b->offset + b->len > p->code_len)
            return fail(v, "block %u: code %u+%u out of bounds (%u bytes of code)", i, b->offset, b->len, p->code_len);
        if (b->max_stack > CARS_MAX_STACK)
            return fail(v, "block %u: declared max_stack %u exceeds %d", i, b->max_stack, CARS_MAX_STACK);
        if (b->kind == CARS_BK_ELEM && (b->list >= p->nfields || p->fields[b->list].type != CARS_FT_LIST))
            return fail(v, "block %u: ELEM block over field %u, which is not a list", i, b->list);
    }
    for (uint32_t i = 0; i < p->nlines; i++) {
        const cars_pline *l = &p->lines[i];
        if (l->offset >= p->code_len)
            return fail(v, "line table entry %u: offset %u out of bounds (%u bytes of code)", i, l->offset, p->code_len);
        if (i > 0 && p->lines[i - 1].offset > l->offset)
            return fail(v, "line table entry %u: offsets not ascending", i);
        if (l->file >= p->nsources)
            return fail(v, "line table entry %u: source file %u out of range (%u files)", i, l->file, p->nsources);
    }
    return 0;
}

/* ---- code ---- */

typedef struct bctx {
    vctx *v;
    uint32_t bi;
    const cars_pblock *b;
    uint32_t at; /* absolute offset of the instruction */
    const char *name;
} bctx;

#define BFAIL(c, fmt, ...) fail((c)->v, "block %u at offset %u: %s " fmt, (c)->bi, (c)->at, (c)->name, __VA_ARGS__)

static uint16_t rd16(const uint8_t *q) { return (uint16_t)(q[0] | (q[1] << 8)); }

static int check_field(bctx *c, unsigned f, bool load)
{
    const cars_program *p = c->v->p;
    if (f >= p->nfields)
        return BFAIL(c, "field %u out of range (%u fields)", f, p->nfields);
    const cars_pfield *fd = &p->fields[f];
    if (!(fd->flags & CARS_FF_READ))
        return BFAIL(c, "field %u (%.*s) is not marked read", f, STR(fd->path));
    if (load && (fd->type == CARS_FT_STRING || fd->type == CARS_FT_LIST))
        return BFAIL(c, "field %u (%.*s): a %s field cannot be loaded", f, STR(fd->path), type_name(fd->type));
    return 0;
}

/* Format version 3: whether a string field of kind `fk` may be looked up in
 * a column of key kind `col` (a country column: checked by type). A contact
 * column needs an email or a phone field (it is normalised by the field's
 * kind); an email, phone or document column a plain field or one of its
 * kind; a text column a plain field. */
static bool kind_fits(unsigned col, unsigned fk)
{
    switch (col) {
    case CARS_KEY_CONTACT: return fk == CARS_FK_EMAIL || fk == CARS_FK_PHONE;
    case CARS_KEY_EMAIL: return fk == CARS_FK_PLAIN || fk == CARS_FK_EMAIL;
    case CARS_KEY_PHONE: return fk == CARS_FK_PLAIN || fk == CARS_FK_PHONE;
    case CARS_KEY_DOCUMENT: return fk == CARS_FK_PLAIN || fk == CARS_FK_DOCUMENT;
    default: return fk == CARS_FK_PLAIN;
    }
}

static int check_key(bctx *c, const cars_ptable *t, int col, unsigned f)
{
    const cars_program *p = c->v->p;
    int rc = check_field(c, f, false);
    if (rc)
        return rc;
    const cars_pfield *fd = &p->fields[f];
    if (fd->type != CARS_FT_STRING && fd->type != CARS_FT_COUNTRY)
        return BFAIL(c, "field %u (%.*s) is a %s, not a string or country", f, STR(fd->path), type_name(fd->type));
    if ((fd->type == CARS_FT_COUNTRY) != (t->key_kinds[col] == CARS_KEY_COUNTRY))
        return BFAIL(c, "column %d of table %.*s is a %s key but field %.*s is a %s", col + 1, STR(t->name),
                     kind_name(t->key_kinds[col]), STR(fd->path), type_name(fd->type));
    if (p->version >= CARS_BUNDLE_VERSION_KINDS && !kind_fits(t->key_kinds[col], fd->kind))
        return BFAIL(c, "column %d of table %.*s (key kind %s) cannot look up field %.*s (kind %s)", col + 1,
                     STR(t->name), kind_name(t->key_kinds[col]), STR(fd->path), fkind_name(fd->kind));
    return 0;
}

/* Operand checks of one instruction at q (opcode already known). */
static int check_operands(bctx *c, const uint8_t *q, bool seen_stage)
{
    const cars_program *p = c->v->p;
    uint8_t op = q[0];
    uint8_t kind = c->b->kind;
    bool routing = op == CARS_OP_EVAL_STAGE || op == CARS_OP_EVAL_STAGE_INDEXED || op == CARS_OP_DECIDE_IF_MATCHED ||
                   op == CARS_OP_DECIDE_THRESHOLD || op == CARS_OP_DECIDE;
    if (kind == CARS_BK_MAIN && !routing)
        return BFAIL(c, "is not a routing instruction (MAIN block)%s", "");
    if (kind != CARS_BK_MAIN && routing)
        return BFAIL(c, "is only allowed in the MAIN block%s", "");
    switch (op) {
    case CARS_OP_PUSH_BOOL:
        if (q[1] > 1)
            return BFAIL(c, "operand %u is not 0 or 1", q[1]);
        return 0;
    case CARS_OP_LOAD:
    case CARS_OP_PRESENT:
        return check_field(c, rd16(q + 1), op == CARS_OP_LOAD);
    case CARS_OP_LOAD_ELEM:
    case CARS_OP_PRESENT_ELEM: {
        if (kind != CARS_BK_ELEM)
            return BFAIL(c, "outside an ELEM block%s", "");
        const cars_pfield *l = &p->fields[c->b->list];
        if (rd16(q + 1) >= l->elems_n)
            return BFAIL(c, "element field %u out of range (list %.*s has %u element fields)", rd16(q + 1),
                         STR(l->path), l->elems_n);
        return 0;
    }
    case CARS_OP_IN_SET:
        if (rd16(q + 1) >= p->nsets)
            return BFAIL(c, "set %u out of range (%u sets)", rd16(q + 1), p->nsets);
        return 0;
    case CARS_OP_STR_EQ: {
        unsigned f = rd16(q + 1), k = rd16(q + 3);
        int rc = check_field(c, f, false);
        if (rc)
            return rc;
        if (p->fields[f].type != CARS_FT_STRING)
            return BFAIL(c, "field %u (%.*s) is a %s, not a string", f, STR(p->fields[f].path),
                         type_name(p->fields[f].type));
        if (k >= p->nstrings)
            return BFAIL(c, "string constant %u out of range (%u strings)", k, p->nstrings);
        return 0;
    }
    case CARS_OP_STR_EQ_ELEM:
        return BFAIL(c, "is reserved and refused in format version %d", 1);
    case CARS_OP_LOOKUP1:
    case CARS_OP_LOOKUP2: {
        unsigned t = rd16(q + 1), n = op == CARS_OP_LOOKUP1 ? 1 : 2;
        if (t >= p->ntables)
            return BFAIL(c, "table %u out of range (%u tables)", t, p->ntables);
        const cars_ptable *tab = &p->tables[t];
        if (tab->nkeys != n)
            return BFAIL(c, "table %u (%.*s) has %u key columns, not %u", t, STR(tab->name), tab->nkeys, n);
        for (unsigned k = 0; k < n; k++) {
            int rc = check_key(c, tab, (int)k, rd16(q + 3 + 2 * k));
            if (rc)
                return rc;
        }
        return 0;
    }
    case CARS_OP_ANY:
    case CARS_OP_ALL:
    case CARS_OP_NONE:
    case CARS_OP_COUNT: {
        unsigned bb = rd16(q + 1), l = rd16(q + 3);
        if (kind != CARS_BK_RULE)
            return BFAIL(c, "is only allowed in a RULE block (quantifiers do not nest)%s", "");
        if (l >= p->nfields || p->fields[l].type != CARS_FT_LIST)
            return BFAIL(c, "over field %u, which is not a list", l);
        if (!(p->fields[l].flags & CARS_FF_READ))
            return BFAIL(c, "field %u (%.*s) is not marked read", l, STR(p->fields[l].path));
        if (bb >= p->nblocks)
            return BFAIL(c, "block %u out of range (%u blocks)", bb, p->nblocks);
        if (p->blocks[bb].kind != CARS_BK_ELEM)
            return BFAIL(c, "body block %u is not an ELEM block", bb);
        if (p->blocks[bb].list != l)
            return BFAIL(c, "body block %u iterates field %u, not field %u", bb, p->blocks[bb].list, l);
        return 0;
    }
    case CARS_OP_EVAL_STAGE:
        if (rd16(q + 1) >= p->nstages)
            return BFAIL(c, "stage %u out of range (%u stages)", rd16(q + 1), p->nstages);
        return 0;
    case CARS_OP_EVAL_STAGE_INDEXED: {
        unsigned s = rd16(q + 1), xi = rd16(q + 3), xn = rd16(q + 5);
        if (s >= p->nstages)
            return BFAIL(c, "stage %u out of range (%u stages)", s, p->nstages);
        if (xn == 0)
            return BFAIL(c, "names no index%s", "");
        if ((uint32_t)xi + xn > p->nindexes)
            return BFAIL(c, "indexes %u+%u out of range (%u indexes)", xi, xn, p->nindexes);
        for (unsigned k = xi; k < xi + xn; k++)
            if (p->indexes[k].stage != s)
                return BFAIL(c, "index %u belongs to stage %u, not stage %u", k, p->indexes[k].stage, s);
        return 0;
    }
    case CARS_OP_DECIDE_IF_MATCHED:
    case CARS_OP_DECIDE:
        if (op == CARS_OP_DECIDE_IF_MATCHED && !seen_stage)
            return BFAIL(c, "before any EVAL_STAGE%s", "");
        if (q[1] > CARS_OUT_NONE)
            return BFAIL(c, "outcome %u out of range", q[1]);
        return 0;
    case CARS_OP_DECIDE_THRESHOLD:
        if (!seen_stage)
            return BFAIL(c, "before any EVAL_STAGE%s", "");
        if (rd16(q + 1) >= p->nthresholds)
            return BFAIL(c, "threshold %u out of range (%u thresholds)", rd16(q + 1), p->nthresholds);
        if (q[3] > CARS_OUT_NONE || q[4] > CARS_OUT_NONE)
            return BFAIL(c, "outcome %u out of range", q[3] > CARS_OUT_NONE ? q[3] : q[4]);
        return 0;
    default:
        return 0;
    }
}

static bool terminator(uint8_t op)
{
    return op == CARS_OP_RET || op == CARS_OP_DECIDE || op == CARS_OP_DECIDE_THRESHOLD;
}

/* Stack depth and control flow: depth[i] is the depth before the byte at
 * block offset i when an instruction starts there (-1: not reached yet).
 * Jumps go forward only, so one pass in order sees every path. */
static int check_code(vctx *v, uint32_t bi, int16_t *depth, uint8_t *start)
{
    const cars_program *p = v->p;
    const cars_pblock *b = &p->blocks[bi];
    const uint8_t *code = p->code + b->offset;
    uint32_t len = b->len;
    bctx c = {v, bi, b, b->offset, ""};
    for (uint32_t i = 0; i < len; i++)
        depth[i] = -1, start[i] = 0;
    depth[0] = 0;
    bool seen_stage = false;
    uint32_t pc = 0;
    while (pc < len) {
        c.at = b->offset + pc;
        c.name = "";
        uint8_t op = code[pc];
        if (op >= CARS_OP__COUNT)
            return fail(v, "block %u at offset %u: unknown opcode %u", bi, c.at, op);
        const cars_opinfo *info = &cars_opinfo_table[op];
        c.name = info->name;
        if (pc + info->len > len)
            return BFAIL(&c, "runs past the end of the block (ends at %u)", b->offset + len);
        start[pc] = 1;
        int d = depth[pc];
        if (d < 0)
            return BFAIL(&c, "is unreachable%s", "");
        int rc = check_operands(&c, code + pc, seen_stage);
        if (rc)
            return rc;
        if (op == CARS_OP_EVAL_STAGE || op == CARS_OP_EVAL_STAGE_INDEXED)
            seen_stage = true;
        if (d < info->pop)
            return BFAIL(&c, "needs %u values but the stack holds %d", info->pop, d);
        if (op == CARS_OP_RET && d != 1)
            return BFAIL(&c, "with stack depth %d (must be 1)", d);
        int nd = d - info->pop + info->push;
        if (nd > b->max_stack)
            return BFAIL(&c, "raises the stack depth to %d, beyond the declared max_stack %u", nd, b->max_stack);
        uint32_t next = pc + info->len;
        if (op == CARS_OP_JUMP_IF_FALSE || op == CARS_OP_JUMP_IF_TRUE) {
            uint32_t target = next + rd16(code + pc + 1);
            if (target >= len)
                return BFAIL(&c, "jumps to offset %u, outside the block (ends at %u)", b->offset + target,
                             b->offset + len);
            if (depth[target] >= 0 && depth[target] != nd)
                return BFAIL(&c, "reaches offset %u with stack depth %d, another path with %d", b->offset + target, nd,
                             depth[target]);
            depth[target] = (int16_t)nd;
        }
        if (b->kind == CARS_BK_MAIN && (op == CARS_OP_DECIDE || op == CARS_OP_DECIDE_THRESHOLD) && next != len)
            return BFAIL(&c, "is not the last instruction of the MAIN block%s", "");
        if (!terminator(op)) {
            if (next == len)
            {
                if (b->kind == CARS_BK_MAIN)
                    return BFAIL(&c, "ends the MAIN block without DECIDE or DECIDE_THRESHOLD%s", "");
                return BFAIL(&c, "ends the block without RET%s", "");
            }
            if (depth[next] >= 0 && depth[next] != nd)
                return BFAIL(&c, "reaches offset %u with stack depth %d, another path with %d", b->offset + next, nd,
                             depth[next]);
            depth[next] = (int16_t)nd;
        }
        pc = next;
    }
    for (uint32_t i = 0; i < len; i++)
        if (depth[i] >= 0 && !start[i])
            return fail(v, "block %u: a jump lands at offset %u, inside an instruction", bi, b->offset + i);
    return 0;
}

int cars_verify(const cars_program *p, char *err, size_t errlen)
{
    vctx v = {p, err, errlen};
    if (errlen)
        err[0] = '\0';
    int rc;
    if ((rc = check_schema(&v)) || (rc = check_data(&v)) || (rc = check_blocks(&v)) || (rc = check_routing_data(&v)))
        return -1;
    uint32_t maxlen = 1;
    for (uint32_t i = 0; i < p->nblocks; i++)
        if (p->blocks[i].len > maxlen)
            maxlen = p->blocks[i].len;
    int16_t *depth = cars_malloc((size_t)maxlen * sizeof *depth);
    uint8_t *start = cars_malloc(maxlen);
    if (!depth || !start) {
        cars_free(depth);
        cars_free(start);
        fail(&v, "out of memory verifying the program");
        return CARS_VERIFY_NOMEM;
    }
    for (uint32_t i = 0; i < p->nblocks && rc == 0; i++)
        rc = check_code(&v, i, depth, start);
    cars_free(depth);
    cars_free(start);
    if (rc == 0)
        return cars_verify_index_sound(p, err, errlen);
    return rc ? -1 : 0;
}

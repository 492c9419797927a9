/* verify.c - the verifier: a pure function that proves a program safe for
 * the interpreter, which checks nothing itself. Table-driven from
 * opcodes.def: each operand is checked by its kind (check_kind), each
 * instruction's place by its blocks and flow (check_place), jumps and
 * terminators by its kinds and flow, the stack by its effect; only checks
 * that span operands are per opcode (check_operands). The checks, in order:
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
#include "names.h"
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
                        cars_field_kind_name(f->kind), cars_field_type_name(f->type));
        if (f->kind != CARS_FK_PLAIN && p->version < CARS_BUNDLE_VERSION_KINDS)
            return fail(v, "field %u (%.*s): kind %s needs format version %d (this is version %u)", i,
                        STR(f->path), cars_field_kind_name(f->kind), CARS_BUNDLE_VERSION_KINDS, p->version);
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
                        cars_field_type_name(f->type));
        if (f->kind != CARS_FK_PLAIN)
            return fail(v, "element field %u (%.*s): kind %s is only for string fields, not %s", i, STR(f->path),
                        cars_field_kind_name(f->kind), cars_field_type_name(f->type));
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
                        cars_field_type_name(f->type), num ? "number" : "integer");
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

static int check_field(bctx *c, unsigned f, bool load)
{
    const cars_program *p = c->v->p;
    if (f >= p->nfields)
        return BFAIL(c, "field %u out of range (%u fields)", f, p->nfields);
    const cars_pfield *fd = &p->fields[f];
    if (!(fd->flags & CARS_FF_READ))
        return BFAIL(c, "field %u (%.*s) is not marked read", f, STR(fd->path));
    if (load && (fd->type == CARS_FT_STRING || fd->type == CARS_FT_LIST))
        return BFAIL(c, "field %u (%.*s): a %s field cannot be loaded", f, STR(fd->path), cars_field_type_name(fd->type));
    return 0;
}

/* A field operand of kind STRF (a string) or KEYF (a string or country). */
static int check_typed_field(bctx *c, unsigned f, unsigned kind)
{
    int rc = check_field(c, f, false);
    if (rc)
        return rc;
    const cars_pfield *fd = &c->v->p->fields[f];
    if (kind == CARS_OK_STRF && fd->type != CARS_FT_STRING)
        return BFAIL(c, "field %u (%.*s) is a %s, not a string", f, STR(fd->path), cars_field_type_name(fd->type));
    if (kind == CARS_OK_KEYF && fd->type != CARS_FT_STRING && fd->type != CARS_FT_COUNTRY)
        return BFAIL(c, "field %u (%.*s) is a %s, not a string or country", f, STR(fd->path), cars_field_type_name(fd->type));
    return 0;
}

/* The quantified list (LIST) and the body block (BODY) on their own. */
static int check_list_body(bctx *c, unsigned kind, unsigned x)
{
    const cars_program *p = c->v->p;
    if (kind == CARS_OK_LIST) {
        if (x >= p->nfields || p->fields[x].type != CARS_FT_LIST)
            return BFAIL(c, "over field %u, which is not a list", x);
        if (!(p->fields[x].flags & CARS_FF_READ))
            return BFAIL(c, "field %u (%.*s) is not marked read", x, STR(p->fields[x].path));
        return 0;
    }
    if (x >= p->nblocks)
        return BFAIL(c, "block %u out of range (%u blocks)", x, p->nblocks);
    if (p->blocks[x].kind != CARS_BK_ELEM)
        return BFAIL(c, "body block %u is not an ELEM block", x);
    return 0;
}

/* What one operand of this kind must be, on its own: the generic bounds
 * pass, per operand kind of opcodes.def (JUMP: check_code; INT, NUM and
 * INDEX: anything). */
static int check_kind(bctx *c, unsigned kind, uint64_t arg)
{
    const cars_program *p = c->v->p;
    unsigned x = (unsigned)arg; /* every operand but INT and NUM is at most 16 bits */
    switch (kind) {
    case CARS_OK_BOOL:
        return x > 1 ? BFAIL(c, "operand %u is not 0 or 1", x) : 0;
    case CARS_OK_FIELD:
    case CARS_OK_VALUE:
        return check_field(c, x, kind == CARS_OK_VALUE);
    case CARS_OK_STRF:
    case CARS_OK_KEYF:
        return check_typed_field(c, x, kind);
    case CARS_OK_ELEMF: { /* in an ELEM block (checked before), whose list check_blocks proved */
        const cars_pfield *l = &p->fields[c->b->list];
        if (x >= l->elems_n)
            return BFAIL(c, "element field %u out of range (list %.*s has %u element fields)", x, STR(l->path),
                         l->elems_n);
        return 0;
    }
    case CARS_OK_LIST:
    case CARS_OK_BODY:
        return check_list_body(c, kind, x);
    case CARS_OK_SET:
        return x >= p->nsets ? BFAIL(c, "set %u out of range (%u sets)", x, p->nsets) : 0;
    case CARS_OK_STRING:
        return x >= p->nstrings ? BFAIL(c, "string constant %u out of range (%u strings)", x, p->nstrings) : 0;
    case CARS_OK_TABLE:
        return x >= p->ntables ? BFAIL(c, "table %u out of range (%u tables)", x, p->ntables) : 0;
    case CARS_OK_STAGE:
        return x >= p->nstages ? BFAIL(c, "stage %u out of range (%u stages)", x, p->nstages) : 0;
    case CARS_OK_NINDEX:
        return x == 0 ? BFAIL(c, "names no index%s", "") : 0;
    case CARS_OK_THRESHOLD:
        return x >= p->nthresholds ? BFAIL(c, "threshold %u out of range (%u thresholds)", x, p->nthresholds) : 0;
    case CARS_OK_OUTCOME:
    case CARS_OK_ELSE:
        return x > CARS_OUT_NONE ? BFAIL(c, "outcome %u out of range", x) : 0;
    default:
        return 0;
    }
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

/* LOOKUP1/LOOKUP2: table t (in range) has as many key columns as the
 * instruction has KEYF operands, and each field (a string or country) fits
 * its column. */
static int check_lookup(bctx *c, const cars_opinfo *info, const uint64_t *arg)
{
    const cars_program *p = c->v->p;
    unsigned t = (unsigned)arg[0], n = info->noperands - 1u;
    const cars_ptable *tab = &p->tables[t];
    if (tab->nkeys != n)
        return BFAIL(c, "table %u (%.*s) has %u key columns, not %u", t, STR(tab->name), tab->nkeys, n);
    for (unsigned col = 0; col < n; col++) {
        unsigned f = (unsigned)arg[col + 1];
        const cars_pfield *fd = &p->fields[f];
        if ((fd->type == CARS_FT_COUNTRY) != (tab->key_kinds[col] == CARS_KEY_COUNTRY))
            return BFAIL(c, "column %u of table %.*s is a %s key but field %.*s is a %s", col + 1, STR(tab->name),
                         cars_key_kind_name(tab->key_kinds[col]), STR(fd->path), cars_field_type_name(fd->type));
        if (p->version >= CARS_BUNDLE_VERSION_KINDS && !kind_fits(tab->key_kinds[col], fd->kind))
            return BFAIL(c, "column %u of table %.*s (key kind %s) cannot look up field %.*s (kind %s)", col + 1,
                         STR(tab->name), cars_key_kind_name(tab->key_kinds[col]), STR(fd->path),
                         cars_field_kind_name(fd->kind));
    }
    return 0;
}

/* Where the instruction may be: its block kinds (opcodes.def IN), and
 * after a stage if it reads the current matches. */
static int check_place(bctx *c, const cars_opinfo *info, bool seen_stage)
{
    uint8_t kind = c->b->kind;
    if (!(info->in & (1u << kind))) { /* the message says why it cannot be here */
        if (kind == CARS_BK_MAIN)
            return BFAIL(c, "is not a routing instruction (MAIN block)%s", "");
        if (info->in == CARS_IN_M)
            return BFAIL(c, "is only allowed in the MAIN block%s", "");
        if (info->in == CARS_IN_E)
            return BFAIL(c, "outside an ELEM block%s", "");
        return BFAIL(c, "is only allowed in a RULE block%s",
                     info->kind[0] == CARS_OK_BODY ? " (quantifiers do not nest)" : "");
    }
    if ((info->flow & CARS_FLOW_MATCHES) && !seen_stage)
        return BFAIL(c, "before any EVAL_STAGE%s", "");
    return 0;
}

/* Operand checks of one instruction at q: its place, each operand by its
 * kind (a BODY block after the list it iterates), then the checks that
 * span operands. */
static int check_operands(bctx *c, const cars_opinfo *info, const uint8_t *q, bool seen_stage)
{
    const cars_program *p = c->v->p;
    int rc = check_place(c, info, seen_stage);
    if (rc || info->noperands == 0)
        return rc;
    uint64_t arg[CARS_OP_MAX_OPERANDS] = {0};
    unsigned body = CARS_OP_MAX_OPERANDS;
    for (unsigned i = 0; i < info->noperands && rc == 0; i++) {
        arg[i] = cars_operand(info, q, i);
        if (info->kind[i] == CARS_OK_BODY)
            body = i;
        else
            rc = check_kind(c, info->kind[i], arg[i]);
    }
    if (rc == 0 && body < CARS_OP_MAX_OPERANDS)
        rc = check_kind(c, CARS_OK_BODY, arg[body]);
    if (rc)
        return rc;
    switch (q[0]) {
    case CARS_OP_LOOKUP1:
    case CARS_OP_LOOKUP2:
        return check_lookup(c, info, arg);
    case CARS_OP_ANY:
    case CARS_OP_ALL:
    case CARS_OP_NONE:
    case CARS_OP_COUNT: /* operands B, L */
        if (p->blocks[arg[0]].list != arg[1])
            return BFAIL(c, "body block %u iterates field %u, not field %u", (unsigned)arg[0], p->blocks[arg[0]].list,
                         (unsigned)arg[1]);
        return 0;
    case CARS_OP_EVAL_STAGE_INDEXED: { /* operands S, I, N */
        unsigned s = (unsigned)arg[0], xi = (unsigned)arg[1], xn = (unsigned)arg[2];
        if ((uint32_t)xi + xn > p->nindexes)
            return BFAIL(c, "indexes %u+%u out of range (%u indexes)", xi, xn, p->nindexes);
        for (unsigned k = xi; k < xi + xn; k++)
            if (p->indexes[k].stage != s)
                return BFAIL(c, "index %u belongs to stage %u, not stage %u", k, p->indexes[k].stage, s);
        return 0;
    }
    default:
        return 0;
    }
}

/* The depth nd reaches offset `to` (block offset): it must agree with any
 * other path there. */
static inline int reach(bctx *c, int16_t *depth, uint32_t to, int nd)
{
    if (depth[to] >= 0 && depth[to] != nd)
        return BFAIL(c, "reaches offset %u with stack depth %d, another path with %d", c->b->offset + to, nd,
                     depth[to]);
    depth[to] = (int16_t)nd;
    return 0;
}

/* Control flow of the instruction at block offset pc (depth d before it,
 * nd after): its jump target and its successor, or the end of its path. */
static int check_flow(bctx *c, const cars_opinfo *info, const uint8_t *code, uint32_t pc, int nd, int16_t *depth)
{
    const cars_pblock *b = c->b;
    uint32_t len = b->len, next = pc + info->len;
    if (info->flow & CARS_FLOW_JUMPS) { /* its first operand is the JUMP (opcodes.c asserts it) */
        uint32_t target = next + (uint32_t)cars_operand(info, code + pc, 0);
        if (target >= len)
            return BFAIL(c, "jumps to offset %u, outside the block (ends at %u)", b->offset + target, b->offset + len);
        int rc = reach(c, depth, target, nd);
        if (rc)
            return rc;
    }
    if (b->kind == CARS_BK_MAIN && cars_op_ends(info) && next != len)
        return BFAIL(c, "is not the last instruction of the MAIN block%s", "");
    if (cars_op_ends(info))
        return 0;
    if (next == len) {
        if (b->kind == CARS_BK_MAIN)
            return BFAIL(c, "ends the MAIN block without DECIDE or DECIDE_THRESHOLD%s", "");
        return BFAIL(c, "ends the block without RET%s", "");
    }
    return reach(c, depth, next, nd);
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
    for (uint32_t pc = 0, next; pc < len; pc = next) {
        c.at = b->offset + pc;
        const cars_opinfo *info = cars_opinfo_of(code[pc]);
        if (!info)
            return fail(v, "block %u at offset %u: unknown opcode %u", bi, c.at, code[pc]);
        c.name = info->name;
        next = pc + info->len;
        if (next > len)
            return BFAIL(&c, "runs past the end of the block (ends at %u)", b->offset + len);
        start[pc] = 1;
        int d = depth[pc];
        if (d < 0)
            return BFAIL(&c, "is unreachable%s", "");
        int rc = check_operands(&c, info, code + pc, seen_stage);
        if (rc)
            return rc;
        if (info->flow & CARS_FLOW_STAGE)
            seen_stage = true;
        if (d < info->pop)
            return BFAIL(&c, "needs %u values but the stack holds %d", info->pop, d);
        if (cars_op_ends(info) && b->kind != CARS_BK_MAIN && d != 1)
            return BFAIL(&c, "with stack depth %d (must be 1)", d);
        int nd = d - info->pop + info->push;
        if (nd > b->max_stack)
            return BFAIL(&c, "raises the stack depth to %d, beyond the declared max_stack %u", nd, b->max_stack);
        if ((rc = check_flow(&c, info, code, pc, nd, depth)) != 0)
            return rc;
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

/* xcode.c - translates a verified program's RULE and ELEM blocks into the
 * interpreter's own form (xcode.h): one pass marks the jump targets of a
 * block, a second decodes each instruction and fuses it into the one
 * before when a rule below allows and no jump lands on it. */
#include "xcode.h"

#include <string.h>

#include "alloc.h"
#include "bundle.h"
#include "normalise.h"
#include "opcodes.h"

/* The compares are in the same order in every family. */
#define SAME_ORDER(name, op) \
    _Static_assert(CARS_XO_CMPK_##name##_I - CARS_XO_CMPK_EQ_I == CARS_XO_##name##_I - CARS_XO_EQ_I && \
                       CARS_XO_CMPK_##name##_F - CARS_XO_CMPK_EQ_F == CARS_XO_##name##_F - CARS_XO_EQ_F && \
                       CARS_XO_LOAD_CMPK_##name##_I - CARS_XO_LOAD_CMPK_EQ_I == CARS_XO_##name##_I - CARS_XO_EQ_I && \
                       CARS_XO_LOAD_CMPK_##name##_F - CARS_XO_LOAD_CMPK_EQ_F == CARS_XO_##name##_F - CARS_XO_EQ_F && \
                       CARS_XO_CMPK_EQ_F - CARS_XO_CMPK_EQ_I == CARS_XO_EQ_F - CARS_XO_EQ_I && \
                       CARS_XO_LOAD_CMPK_EQ_F - CARS_XO_LOAD_CMPK_EQ_I == CARS_XO_EQ_F - CARS_XO_EQ_I, \
                   "the compares of " #name " are out of order in CARS_XOPS");
CARS_XCMPS(SAME_ORDER)
#undef SAME_ORDER

typedef struct xstate {
    cars_xcode *x;
    uint8_t *target;   /* per byte of the block: a jump lands there */
    uint32_t *at;      /* per byte of the block: the instruction that begins there */
    uint8_t *landed;   /* per instruction: a jump lands on its first bytecode instruction */
} xstate;

/* The bytecode instruction at q (len bytes left in its block), decoded;
 * jumps keep their target as an offset in the block (off: q's). */
static cars_xop decode(const uint8_t *q, const cars_opinfo *info, uint32_t off)
{
    cars_xop o = {.op = CARS_XO_FAIL, .sub = q[0]};
    uint16_t a = info->noperands > 0 && cars_operand_width[info->kind[0]] == 2 ? cars_rd16(q + 1) : 0;
    uint16_t b = info->noperands > 1 && cars_operand_width[info->kind[1]] == 2 ? (uint16_t)cars_operand(info, q, 1) : 0;
    switch (q[0]) {
    case CARS_OP_PUSH_INT: case CARS_OP_PUSH_NUM: case CARS_OP_PUSH_BOOL: /* the bits of the constant */
        o.op = CARS_XO_PUSH, o.k.i = (int64_t)cars_operand(info, q, 0);
        break;
#define SAME(name) case CARS_OP_##name: o.op = CARS_XO_##name; break;
    SAME(LOAD) SAME(LOAD_ELEM) SAME(PRESENT) SAME(PRESENT_ELEM) SAME(TO_NUM) SAME(ADD_I) SAME(SUB_I) SAME(MUL_I)
    SAME(NEG_I) SAME(ADD_F) SAME(SUB_F) SAME(MUL_F) SAME(NEG_F) SAME(YEAR) SAME(YEARS_BETWEEN) SAME(EQ_I)
    SAME(NE_I) SAME(LT_I) SAME(LE_I) SAME(GT_I) SAME(GE_I) SAME(EQ_F) SAME(NE_F) SAME(LT_F) SAME(LE_F) SAME(GT_F)
    SAME(GE_F) SAME(IN_SET) SAME(STR_EQ) SAME(LOOKUP1) SAME(LOOKUP2) SAME(NOT) SAME(AND) SAME(OR) SAME(RET)
#undef SAME
    case CARS_OP_ADD_DAYS: /* date + days: the same saturating sum */
        o.op = CARS_XO_ADD_I;
        break;
    case CARS_OP_JUMP_IF_FALSE: case CARS_OP_JUMP_IF_TRUE:
        o.op = q[0] == CARS_OP_JUMP_IF_FALSE ? CARS_XO_JUMP_IF_FALSE : CARS_XO_JUMP_IF_TRUE;
        o.to = off + info->len + a;
        return o;
    case CARS_OP_ANY: case CARS_OP_ALL: case CARS_OP_NONE: case CARS_OP_COUNT:
        o.op = CARS_XO_QUANTIFY;
        break;
    default: /* routing instructions: not in a RULE or ELEM block */
        return o;
    }
    o.a = a, o.b = b;
    if (info->noperands > 2)
        o.c = (uint16_t)cars_operand(info, q, 2);
    return o;
}

uint8_t cars_xcode_key_kinds(const cars_program *p, uint16_t t, const uint16_t *f, int nf)
{
    unsigned kinds = 0;
    for (int k = 0; k < nf && k < 2; k++)
        kinds |= ((unsigned)cars_field_key_kind(p, p->tables[t].key_kinds[k], f[k]) & 15u) << (4 * k);
    return (uint8_t)kinds;
}

/* IN_SET of a small set, its values within 64 of the least (enum members,
 * booleans, small integers), as a bit mask: the same answer, no search. */
static void as_mask(cars_xop *o, const cars_pset *set)
{
    if (set->n == 0 || set->values[0] < INT32_MIN || set->values[0] > INT32_MAX ||
        set->values[set->n - 1] > set->values[0] + 63) /* values[0] + 63: no overflow, as an int32 */
        return;
    uint64_t mask = 0;
    for (uint32_t k = 0; k < set->n; k++)
        mask |= (uint64_t)1 << (set->values[k] - set->values[0]);
    o->op = CARS_XO_IN_MASK;
    o->lo = (int32_t)set->values[0];
    o->k.i = (int64_t)mask;
}

/* LOAD_ANY_JT: at most ANY_MAX fields, a and four in k. */
enum { ANY_MAX = 5 };

/* Field f joins p, a LOAD_JT or a LOAD_ANY_JT. */
static void any_add(cars_xop *p, uint16_t f)
{
    if (p->op == CARS_XO_LOAD_JT)
        p->op = CARS_XO_LOAD_ANY_JT, p->sub = 1, p->k.i = 0;
    p->k.i = (int64_t)((uint64_t)p->k.i | (uint64_t)f << (16 * (p->sub - 1)));
    p->sub++;
}

/* The end of an OR chain, LOAD f; OR, whose jumps (p, a LOAD_JT or a
 * LOAD_ANY_JT) land right after it (next: its offset): f joins p, and the
 * last field known true jumps to where the run would have gone on. */
static bool fuse_any_end(cars_xop *p, const cars_xop *load, const cars_xop *or, uint32_t next)
{
    if ((p->op != CARS_XO_LOAD_JT && (p->op != CARS_XO_LOAD_ANY_JT || p->sub >= ANY_MAX)) ||
        load->op != CARS_XO_LOAD || or->op != CARS_XO_OR || p->to != next)
        return false;
    any_add(p, load->a);
    return true;
}

static bool is_cmp(uint8_t op) { return op >= CARS_XO_EQ_I && op <= CARS_XO_GE_F; }
static bool is_cmpk(uint8_t op) { return op >= CARS_XO_CMPK_EQ_I && op <= CARS_XO_CMPK_GE_F; }

/* Fuses instruction c into p, the one before it, if a rule allows: p then
 * holds what the two did. */
static bool fuse(cars_xop *p, const cars_xop *c)
{
    uint8_t po = p->op, co = c->op;
    if (po == CARS_XO_PUSH && co == CARS_XO_TO_NUM) { /* a known constant, converted now */
        p->k.f = (double)p->k.i;
    } else if (po == CARS_XO_PUSH && is_cmp(co)) {
        p->op = (uint8_t)(CARS_XO_CMPK_EQ_I + (co - CARS_XO_EQ_I));
    } else if (po == CARS_XO_LOAD && is_cmpk(co)) {
        p->op = (uint8_t)(CARS_XO_LOAD_CMPK_EQ_I + (co - CARS_XO_CMPK_EQ_I));
        p->k = c->k;
    } else if (po == CARS_XO_LOAD && co == CARS_XO_IN_SET) {
        p->op = CARS_XO_LOAD_IN_SET, p->b = c->a;
    } else if (po == CARS_XO_LOAD && co == CARS_XO_IN_MASK) {
        p->op = CARS_XO_LOAD_IN_MASK, p->lo = c->lo, p->k = c->k;
    } else if (po == CARS_XO_LOAD_IN_MASK && co == CARS_XO_JUMP_IF_FALSE) {
        p->op = CARS_XO_LOAD_IN_MASK_JF, p->to = c->to;
    } else if (po == CARS_XO_LOAD && co == CARS_XO_OR_JT) {
        p->op = CARS_XO_LOAD_OR_JT, p->to = c->to;
    } else if ((po == CARS_XO_LOAD_JT || po == CARS_XO_LOAD_ANY_JT) && co == CARS_XO_LOAD_OR_JT && p->to == c->to &&
               (po == CARS_XO_LOAD_JT || p->sub < ANY_MAX)) {
        any_add(p, c->a);
    } else if (po == CARS_XO_PUSH && (co == CARS_XO_ADD_I || co == CARS_XO_SUB_I)) {
        p->op = co == CARS_XO_ADD_I ? CARS_XO_ADDK_I : CARS_XO_SUBK_I;
    } else if (po == CARS_XO_LOAD_YEAR && co == CARS_XO_SUBK_I) {
        p->op = CARS_XO_LOAD_YEAR_SUBK, p->k = c->k;
    } else if (po == CARS_XO_LOAD && (co == CARS_XO_JUMP_IF_FALSE || co == CARS_XO_JUMP_IF_TRUE)) {
        p->op = co == CARS_XO_JUMP_IF_FALSE ? CARS_XO_LOAD_JF : CARS_XO_LOAD_JT, p->to = c->to;
    } else if ((po == CARS_XO_AND && co == CARS_XO_JUMP_IF_FALSE) || (po == CARS_XO_OR && co == CARS_XO_JUMP_IF_TRUE)) {
        p->op = po == CARS_XO_AND ? CARS_XO_AND_JF : CARS_XO_OR_JT, p->to = c->to;
    } else if (po == CARS_XO_LOAD && co == CARS_XO_LOAD) {
        p->op = CARS_XO_LOAD2, p->b = c->a;
    } else if (po == CARS_XO_LOAD2 && co == CARS_XO_YEARS_BETWEEN) {
        p->op = CARS_XO_AGE;
    } else if (po == CARS_XO_LOAD && co == CARS_XO_YEAR) {
        p->op = CARS_XO_LOAD_YEAR;
    } else {
        return false;
    }
    return true;
}

static bool jumps(uint8_t op)
{
    return op == CARS_XO_JUMP_IF_FALSE || op == CARS_XO_JUMP_IF_TRUE || op == CARS_XO_LOAD_JF ||
           op == CARS_XO_LOAD_JT || op == CARS_XO_AND_JF || op == CARS_XO_OR_JT || op == CARS_XO_LOAD_IN_MASK_JF ||
           op == CARS_XO_LOAD_OR_JT || op == CARS_XO_LOAD_ANY_JT;
}

/* Marks the jump targets of a block's len bytes of code; no instruction
 * begins anywhere yet. */
static void mark_targets(xstate *s, const uint8_t *code, uint32_t len)
{
    memset(s->target, 0, len);
    for (uint32_t off = 0; off < len; off++)
        s->at[off] = UINT32_MAX;
    for (uint32_t off = 0; off < len;) {
        const cars_opinfo *info = cars_opinfo_of(code[off]);
        if (!info || info->len > len - off)
            return;
        if (info->flow & CARS_FLOW_JUMPS) {
            uint32_t t = off + info->len + cars_rd16(code + off + 1);
            if (t < len)
                s->target[t] = 1;
        }
        off += info->len;
    }
}

static void translate_block(xstate *s, const cars_program *p, uint32_t bi)
{
    cars_xcode *x = s->x;
    const uint8_t *code = p->code + p->blocks[bi].offset;
    const uint32_t len = p->blocks[bi].len, first = x->n;
    x->start[bi] = first;
    mark_targets(s, code, len);
    for (uint32_t off = 0; off < len;) {
        const cars_opinfo *info = cars_opinfo_of(code[off]);
        if (!info || info->len > len - off) { /* not an instruction: the verifier refuses it */
            x->code[x->n++] = (cars_xop){.op = CARS_XO_FAIL, .sub = code[off]};
            break;
        }
        s->at[off] = x->n;
        s->landed[x->n] = s->target[off];
        cars_xop o = decode(code + off, info, off);
        if ((o.op == CARS_XO_LOOKUP1 || o.op == CARS_XO_LOOKUP2) && o.a < p->ntables && o.b < p->nfields &&
            o.c < p->nfields) {
            const uint16_t f[2] = {o.b, o.c};
            o.sub = cars_xcode_key_kinds(p, o.a, f, o.op == CARS_XO_LOOKUP1 ? 1 : 2);
        }
        if ((o.op == CARS_XO_IN_SET) && o.a < p->nsets)
            as_mask(&o, &p->sets[o.a]);
        if (o.op == CARS_XO_RET && p->blocks[bi].kind == CARS_BK_ELEM)
            o.op = CARS_XO_RET_ELEM;
        if (o.op == CARS_XO_QUANTIFY && (p->blocks[bi].kind != CARS_BK_RULE || o.a >= p->nblocks))
            o = (cars_xop){.op = CARS_XO_FAIL, .sub = code[off]}; /* xrun runs one quantifier at a time */
        x->code[x->n++] = o;
        while (x->n - first >= 2 && !s->landed[x->n - 1] && fuse(&x->code[x->n - 2], &x->code[x->n - 1]))
            x->n--;
        if (x->n - first >= 3 && !s->landed[x->n - 1] && !s->landed[x->n - 2] &&
            fuse_any_end(&x->code[x->n - 3], &x->code[x->n - 2], &x->code[x->n - 1], off + info->len))
            x->n -= 2;
        off += info->len;
    }
    const uint32_t end = x->n; /* past the block's end (a verified block ends in RET first) */
    x->code[x->n++] = (cars_xop){.op = CARS_XO_FAIL, .sub = 0};
    for (uint32_t k = first; k < end; k++)
        if (jumps(x->code[k].op)) {
            uint32_t t = x->code[k].to;
            x->code[k].to = t < len && s->target[t] && s->at[t] != UINT32_MAX ? s->at[t] : end;
        }
}

/* The MAIN block's routing instructions, straight-line code; operands out
 * of range (the verifier refuses them) make FAIL instructions. */
static void translate_main(cars_xcode *x, const cars_program *p)
{
    const uint8_t *code = p->code + p->blocks[0].offset;
    const uint32_t len = p->blocks[0].len;
    x->start[0] = x->n;
    for (uint32_t off = 0; off < len;) {
        const cars_opinfo *info = cars_opinfo_of(code[off]);
        cars_xop o = {.op = CARS_XO_FAIL, .sub = code[off]};
        if (!info || info->len > len - off) {
            x->code[x->n++] = o;
            break;
        }
        const uint8_t *q = code + off;
        uint32_t a = info->noperands > 0 ? (uint32_t)cars_operand(info, q, 0) : 0;
        uint32_t b = info->noperands > 1 ? (uint32_t)cars_operand(info, q, 1) : 0;
        uint32_t c = info->noperands > 2 ? (uint32_t)cars_operand(info, q, 2) : 0;
        if (q[0] == CARS_OP_EVAL_STAGE && a < p->nstages)
            o = (cars_xop){.op = CARS_XO_STAGE, .a = (uint16_t)a};
        else if (q[0] == CARS_OP_EVAL_STAGE_INDEXED && a < p->nstages && c >= 1 && b + c <= p->nindexes)
            o = (cars_xop){.op = CARS_XO_STAGE_INDEXED, .a = (uint16_t)a, .b = (uint16_t)b, .c = (uint16_t)c};
        else if (q[0] == CARS_OP_DECIDE_IF_MATCHED)
            o = (cars_xop){.op = CARS_XO_DECIDE_IF_MATCHED, .sub = (uint8_t)a};
        else if (q[0] == CARS_OP_DECIDE_THRESHOLD && a < p->nthresholds)
            o = (cars_xop){.op = CARS_XO_DECIDE_THRESHOLD, .a = (uint16_t)a, .b = (uint16_t)b, .c = (uint16_t)c};
        else if (q[0] == CARS_OP_DECIDE)
            o = (cars_xop){.op = CARS_XO_DECIDE, .sub = (uint8_t)a};
        x->code[x->n++] = o;
        off += info->len;
    }
    x->code[x->n++] = (cars_xop){.op = CARS_XO_FAIL, .sub = 0}; /* past the end: a verified MAIN ends in a DECIDE */
}

/* An upper bound of the instructions of block b, and its sentinel. */
static uint32_t count_block(const cars_program *p, uint32_t bi)
{
    const uint8_t *code = p->code + p->blocks[bi].offset;
    uint32_t len = p->blocks[bi].len, n = 1;
    for (uint32_t off = 0; off < len; n++) {
        const cars_opinfo *info = cars_opinfo_of(code[off]);
        if (!info)
            return n + 1;
        off += info->len;
    }
    return n;
}

static bool translated(const cars_program *p, uint32_t bi)
{
    return bi > 0 && p->blocks[bi].kind != CARS_BK_MAIN;
}

int cars_xcode_make(cars_xcode *x, const cars_program *p)
{
    memset(x, 0, sizeof *x);
    size_t total = 1, longest = 1; /* 1: code[0], a FAIL (the first instruction of a rule whose block is out of range) */
    bool main = p->nblocks > 0 && p->blocks[0].kind == CARS_BK_MAIN;
    if (main)
        total += count_block(p, 0);
    for (uint32_t bi = 0; bi < p->nblocks; bi++)
        if (translated(p, bi)) {
            total += count_block(p, bi);
            if (p->blocks[bi].len + (size_t)1 > longest)
                longest = p->blocks[bi].len + (size_t)1;
        }
    xstate s = {.x = x};
    x->code = cars_calloc(total + 1, sizeof *x->code);
    x->start = cars_calloc((size_t)p->nblocks + 1, sizeof *x->start);
    x->rule = cars_calloc((size_t)p->nrules + 1, sizeof *x->rule);
    s.target = cars_calloc(longest, 1);
    s.at = cars_calloc(longest, sizeof *s.at);
    s.landed = cars_calloc(total + 1, 1);
    int rc = 0;
    if (!x->code || !x->start || !x->rule || !s.target || !s.at || !s.landed) {
        cars_xcode_free(x);
        rc = -1;
    } else {
        x->code[x->n++] = (cars_xop){.op = CARS_XO_FAIL, .sub = p->code_len ? p->code[p->blocks[0].offset] : 0};
        if (main)
            translate_main(x, p);
        for (uint32_t bi = 0; bi < p->nblocks; bi++)
            if (translated(p, bi))
                translate_block(&s, p, bi);
        for (uint32_t r = 0; r < p->nrules; r++)
            x->rule[r] = p->rules[r].block < p->nblocks ? x->start[p->rules[r].block] : 0;
    }
    cars_free(s.target);
    cars_free(s.at);
    cars_free(s.landed);
    return rc;
}

void cars_xcode_free(cars_xcode *x)
{
    cars_free(x->code);
    cars_free(x->start);
    cars_free(x->rule);
    memset(x, 0, sizeof *x);
}

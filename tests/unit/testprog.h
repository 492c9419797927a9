/* testprog.h - build small cars_program values by hand for the VM tests:
 * a fixed schema (a subset of the application record), a code assembler,
 * and tp_standard(), a miniature ruleset with every kind of stage. */
#ifndef CARS_TESTPROG_H
#define CARS_TESTPROG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "normalise.h"
#include "program.h"

#define TP_S(lit) ((cars_str){lit, (uint32_t)(sizeof(lit) - 1)})

/* Field indexes of the test schema. */
enum {
    F_ID, F_RECEIVED, F_ROUTE, F_DOB, F_NATIONALITY, F_PASSNO, F_PASSCTRY, F_EMAIL, F_PHONE,
    F_LENGTH, F_COST, F_PROPERTY, F_TRAVEL, F_WAR, F__N
};
enum { E_COUNTRY, E_YEAR, E_COMPLIED };
enum { M_STANDARD, M_MARRIAGE, M_ODW, M__N };

typedef struct tp {
    cars_program p;
    cars_pfield fields[F__N + 4];
    cars_pfield elems[3];
    cars_str members[M__N];
    uint8_t code[8192];
    cars_pblock blocks[64];
    cars_prule rules[32];
    uint32_t stage_rules[64];
    cars_pstage stages[16];
    cars_pthreshold thresholds[4];
    cars_pset sets[8];
    int64_t set_vals[8][8];
    cars_str strings[8];
    cars_ptable tables[4];
    uint64_t hashes[4][16];
    cars_str tiers[2];
    cars_pline lines[64];
    cars_str sources[1];
    cars_pindex indexes[4];
    uint64_t iwords[16];
    uint32_t cur_block;
} tp;

/* Relabels a bundle of 24 sections as format version 1 (22 sections). The
 * last two table entries and the last two sections become padding: when
 * `clear`, they are zeroed, as padding must be. */
static inline void tp_relabel_v1(uint8_t *b, size_t len, bool clear)
{
    cars_wr16(b + 8, 1);
    cars_wr32(b + 24, CARS_SEC__COUNT_V1);
    if (!clear)
        return;
    uint8_t *last = b + CARS_BUNDLE_HEADER + (size_t)(CARS_SEC__COUNT_V1 - 1) * CARS_BUNDLE_SECENTRY;
    size_t end = (size_t)(cars_rd64(last + 8) + cars_rd64(last + 16));
    memset(last + CARS_BUNDLE_SECENTRY, 0, 2 * CARS_BUNDLE_SECENTRY);
    memset(b + end, 0, len - end);
}

static inline void tp_field(tp *t, int i, cars_str path, uint8_t type, uint8_t flags)
{
    t->fields[i] = (cars_pfield){.path = path, .type = type, .flags = (uint8_t)(flags | CARS_FF_READ)};
}

/* The schema, with no code yet. */
static inline void tp_init(tp *t)
{
    memset(t, 0, sizeof *t);
    cars_program *p = &t->p;
    p->version = CARS_BUNDLE_VERSION;
    p->release_id = TP_S("2026-W47");
    p->ruleset_title = TP_S("Test ruleset");
    tp_field(t, F_ID, TP_S("id"), CARS_FT_STRING, CARS_FF_REQUIRED);
    tp_field(t, F_RECEIVED, TP_S("received"), CARS_FT_DATE, CARS_FF_REQUIRED | CARS_FF_REFERENCE);
    tp_field(t, F_ROUTE, TP_S("route"), CARS_FT_ENUM, CARS_FF_REQUIRED);
    t->fields[F_ROUTE].members_first = 0;
    t->fields[F_ROUTE].members_n = M__N;
    tp_field(t, F_DOB, TP_S("applicant.date_of_birth"), CARS_FT_DATE, CARS_FF_REQUIRED | CARS_FF_PROT_AGE);
    tp_field(t, F_NATIONALITY, TP_S("applicant.nationality"), CARS_FT_COUNTRY, CARS_FF_REQUIRED);
    tp_field(t, F_PASSNO, TP_S("applicant.passport.number"), CARS_FT_STRING, CARS_FF_REQUIRED);
    tp_field(t, F_PASSCTRY, TP_S("applicant.passport.issuing_country"), CARS_FT_COUNTRY, CARS_FF_REQUIRED);
    tp_field(t, F_EMAIL, TP_S("contact.email"), CARS_FT_STRING, 0);
    t->fields[F_EMAIL].kind = CARS_FK_EMAIL;
    tp_field(t, F_PHONE, TP_S("contact.phone"), CARS_FT_STRING, 0);
    t->fields[F_PHONE].kind = CARS_FK_PHONE;
    tp_field(t, F_LENGTH, TP_S("visit.length_days"), CARS_FT_INTEGER, CARS_FF_HAS_MIN);
    tp_field(t, F_COST, TP_S("visit.cost_gbp"), CARS_FT_NUMBER, CARS_FF_HAS_MIN);
    tp_field(t, F_PROPERTY, TP_S("finances.owns_property"), CARS_FT_BOOL, 0);
    tp_field(t, F_TRAVEL, TP_S("travel_history"), CARS_FT_LIST, 0);
    t->fields[F_TRAVEL].elems_first = 0;
    t->fields[F_TRAVEL].elems_n = 3;
    tp_field(t, F_WAR, TP_S("criminality.war_crimes"), CARS_FT_BOOL, CARS_FF_REQUIRED);
    t->elems[E_COUNTRY] = (cars_pfield){.path = TP_S("country"), .type = CARS_FT_COUNTRY, .flags = CARS_FF_REQUIRED | CARS_FF_READ};
    t->elems[E_YEAR] = (cars_pfield){.path = TP_S("year"), .type = CARS_FT_INTEGER, .flags = CARS_FF_REQUIRED | CARS_FF_READ};
    t->elems[E_COMPLIED] = (cars_pfield){.path = TP_S("complied"), .type = CARS_FT_BOOL, .flags = CARS_FF_REQUIRED | CARS_FF_READ};
    t->members[M_STANDARD] = TP_S("standard_visitor");
    t->members[M_MARRIAGE] = TP_S("marriage_visitor");
    t->members[M_ODW] = TP_S("overseas_domestic_worker");
    t->tiers[0] = TP_S("A");
    t->tiers[1] = TP_S("B");
    t->sources[0] = TP_S("test.cars");
    for (int i = 0; i < 16; i++)
        p->table_key[i] = (uint8_t)(i * 7 + 1);
    p->fields = t->fields, p->nfields = F__N;
    p->elem_fields = t->elems, p->nelem_fields = 3;
    p->members = t->members, p->nmembers = M__N;
    p->code = t->code;
    p->blocks = t->blocks;
    p->rules = t->rules;
    p->stage_rules = t->stage_rules;
    p->stages = t->stages;
    p->thresholds = t->thresholds;
    p->sets = t->sets;
    p->strings = t->strings;
    p->tables = t->tables;
    p->tiers = t->tiers, p->ntiers = 2;
    p->lines = t->lines;
    p->source_names = t->sources, p->nsources = 1;
}

/* ---- the assembler ---- */
static inline void tp_u8(tp *t, unsigned v) { t->code[t->p.code_len++] = (uint8_t)v; }
static inline void tp_u16(tp *t, unsigned v) { tp_u8(t, v & 0xFF), tp_u8(t, (v >> 8) & 0xFF); }
static inline void tp_u64(tp *t, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        tp_u8(t, (unsigned)(v >> (8 * i)) & 0xFF);
}
static inline void tp_op(tp *t, int op) { tp_u8(t, (unsigned)op); }
static inline void tp_op1(tp *t, int op, unsigned a) { tp_op(t, op), tp_u16(t, a); }
static inline void tp_op2(tp *t, int op, unsigned a, unsigned b) { tp_op(t, op), tp_u16(t, a), tp_u16(t, b); }
static inline void tp_int(tp *t, int64_t v) { tp_op(t, CARS_OP_PUSH_INT), tp_u64(t, (uint64_t)v); }
static inline void tp_num(tp *t, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, 8);
    tp_op(t, CARS_OP_PUSH_NUM), tp_u64(t, bits);
}
static inline void tp_bool(tp *t, int v) { tp_op(t, CARS_OP_PUSH_BOOL), tp_u8(t, (unsigned)v); }
/* Emits a jump with a placeholder; tp_patch() points it at the current end. */
static inline uint32_t tp_jump(tp *t, int op)
{
    tp_op(t, op);
    uint32_t at = t->p.code_len;
    tp_u16(t, 0);
    return at;
}
static inline void tp_patch(tp *t, uint32_t at)
{
    uint32_t d = t->p.code_len - (at + 2);
    t->code[at] = (uint8_t)d, t->code[at + 1] = (uint8_t)(d >> 8);
}

static inline uint32_t tp_begin(tp *t, uint8_t kind, uint16_t list)
{
    uint32_t b = t->p.nblocks++;
    t->blocks[b] = (cars_pblock){.offset = t->p.code_len, .kind = kind, .list = list, .max_stack = 16};
    t->cur_block = b;
    t->lines[t->p.nlines++] = (cars_pline){t->p.code_len, 0, 10 + b};
    return b;
}
static inline uint32_t tp_end(tp *t)
{
    cars_pblock *b = &t->blocks[t->cur_block];
    b->len = t->p.code_len - b->offset;
    return t->cur_block;
}

static inline uint32_t tp_rule(tp *t, cars_str id, cars_str title, uint8_t kind, uint8_t tier, uint32_t block)
{
    uint32_t r = t->p.nrules++;
    t->rules[r] = (cars_prule){.id = id, .title = title, .says = title, .kind = kind, .tier = tier, .block = block, .line = r + 1};
    return r;
}
/* A stage of rules [first, first+n). */
static inline uint32_t tp_stage(tp *t, uint32_t first, uint32_t n)
{
    uint32_t s = t->p.nstages++;
    t->stages[s] = (cars_pstage){t->p.nstage_rules, n};
    for (uint32_t i = 0; i < n; i++)
        t->stage_rules[t->p.nstage_rules++] = first + i;
    return s;
}
static inline uint32_t tp_set(tp *t, const int64_t *v, uint32_t n)
{
    uint32_t s = t->p.nsets++;
    memcpy(t->set_vals[s], v, n * sizeof *v);
    t->sets[s] = (cars_pset){n, t->set_vals[s]};
    return s;
}

static int tp_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* A table of raw entries ("a" or "a\x1f" "b" for two columns), normalised
 * and hashed as the compiler does. */
static inline uint32_t tp_table(tp *t, cars_str name, uint8_t nkeys, uint8_t k0, uint8_t k1, const char *const *entries,
                                uint32_t n)
{
    uint32_t ti = t->p.ntables++;
    cars_ptable *tab = &t->tables[ti];
    *tab = (cars_ptable){.name = name, .title = name, .nkeys = nkeys, .key_kinds = {k0, k1}, .n = n,
                         .hashes = t->hashes[ti]};
    tab->key_names[0] = TP_S("a");
    tab->key_names[1] = nkeys > 1 ? TP_S("b") : TP_S("");
    for (uint32_t i = 0; i < n; i++) {
        const char *e = entries[i];
        const char *sep = strchr(e, '\x1f');
        char n0[256], n1[256];
        size_t l0 = sep ? (size_t)(sep - e) : strlen(e);
        const char *cols[2] = {n0, n1};
        size_t lens[2];
        lens[0] = cars_normalise(t->p.version, k0, e, l0, n0);
        if (sep)
            lens[1] = cars_normalise(t->p.version, k1, sep + 1, strlen(sep + 1), n1);
        t->hashes[ti][i] = cars_table_hash(t->p.table_key, cols, lens, sep ? 2 : 1);
    }
    qsort(t->hashes[ti], n, sizeof(uint64_t), tp_cmp_u64);
    return ti;
}

static inline int64_t tp_cc(const char *c) { return cars_country_code(c); }

/* The entries of the standard program's two tables. */
static const char *const tp_std_docs[] = {"GBR\x1f" "AB 12-345", "USA\x1fzz999"};
static const char *const tp_std_contacts[] = {"Fraud@Example.com", "+44 20 7946 0000"};

/* The miniature ruleset:
 *   exclusions        SCOPE-1  route = overseas_domestic_worker      -> NONE
 *   screens           BDT-DOC  (passport country, number) in false_documents
 *                     BDT-CON  contact.email in false_contacts       -> CXDR
 *   complex singles   S-CX-1   criminality.war_crimes
 *                     S-CX-2   visit.length_days > 90                -> CXDR
 *   noncomplex single S-NCX-1  count(travel_history) >= 2 and all(t.complied) -> NCXDR
 *   multiples         M-A1 (A) any(t.country in [USA, CAN] and t.complied and t.year >= year(received) - 5)
 *                     M-A2 (A) finances.owns_property
 *                     M-B1 (B) years_between(dob, received) between 18 and 29
 *                     M-B2 (B) visit.cost_gbp < 1000.0
 *   threshold MPCA: at least 3, at least 1 in tier A -> NCXPCA otherwise CXPCA */
/* The standard program; with `indexed`, its multiples stage (4: M-A1, M-A2
 * owns_property, M-B1, M-B2) runs as EVAL_STAGE_INDEXED 4 0 3: index 0 on
 * finances.owns_property (keys 1, 2: M-A2 is a candidate only when it is
 * true), index 1 on route (no keys: every rule, present or absent), index 2
 * on visit.cost_gbp (number key 1000.0: M-B2, cost < 1000, only below it).
 * The same routing, fewer rules evaluated. */
static inline void tp_build_standard(tp *t, bool indexed)
{
    tp_init(t);
    static const int64_t odw[1] = {M_ODW};
    uint32_t s_odw = tp_set(t, odw, 1);
    int64_t allies[2] = {tp_cc("CAN"), tp_cc("USA")};
    uint32_t s_allies = tp_set(t, allies, 2);
    uint32_t t_docs = tp_table(t, TP_S("false_documents"), 2, CARS_KEY_COUNTRY, CARS_KEY_DOCUMENT, tp_std_docs, 2);
    uint32_t t_con = tp_table(t, TP_S("false_contacts"), 1, CARS_KEY_CONTACT, 0, tp_std_contacts, 2);

    tp_begin(t, CARS_BK_MAIN, 0); /* block 0: its code is written last */
    t->blocks[0].max_stack = 0;

    uint32_t b;
    b = tp_begin(t, CARS_BK_RULE, 0);
    tp_op1(t, CARS_OP_LOAD, F_ROUTE), tp_op1(t, CARS_OP_IN_SET, s_odw), tp_op(t, CARS_OP_RET);
    tp_rule(t, TP_S("SCOPE-1"), TP_S("not considered under Appendix V"), CARS_RK_EXCLUSION, 0, tp_end(t));

    b = tp_begin(t, CARS_BK_RULE, 0);
    tp_op(t, CARS_OP_LOOKUP2), tp_u16(t, t_docs), tp_u16(t, F_PASSCTRY), tp_u16(t, F_PASSNO), tp_op(t, CARS_OP_RET);
    tp_rule(t, TP_S("BDT-DOC"), TP_S("passport found in the table of known false documents"), CARS_RK_SCREEN, 0, tp_end(t));
    b = tp_begin(t, CARS_BK_RULE, 0);
    tp_op2(t, CARS_OP_LOOKUP1, t_con, F_EMAIL), tp_op2(t, CARS_OP_LOOKUP1, t_con, F_PHONE), tp_op(t, CARS_OP_OR);
    tp_op(t, CARS_OP_RET);
    tp_rule(t, TP_S("BDT-CON"), TP_S("contact details found in the table of false contacts"), CARS_RK_SCREEN, 0, tp_end(t));

    b = tp_begin(t, CARS_BK_RULE, 0);
    tp_op1(t, CARS_OP_LOAD, F_WAR), tp_op(t, CARS_OP_RET);
    tp_rule(t, TP_S("S-CX-1"), TP_S("answered yes to a criminality question"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(t));
    b = tp_begin(t, CARS_BK_RULE, 0);
    tp_op1(t, CARS_OP_LOAD, F_LENGTH), tp_int(t, 90), tp_op(t, CARS_OP_GT_I), tp_op(t, CARS_OP_RET);
    tp_rule(t, TP_S("S-CX-2"), TP_S("a visit longer than 90 days"), CARS_RK_SINGLE_COMPLEX, 0, tp_end(t));

    /* ELEM blocks first, then the rule that uses them */
    uint32_t e_complied = tp_begin(t, CARS_BK_ELEM, F_TRAVEL);
    tp_op1(t, CARS_OP_LOAD_ELEM, E_COMPLIED), tp_op(t, CARS_OP_RET);
    tp_end(t);
    uint32_t e_true = tp_begin(t, CARS_BK_ELEM, F_TRAVEL);
    tp_bool(t, 1), tp_op(t, CARS_OP_RET);
    tp_end(t);
    b = tp_begin(t, CARS_BK_RULE, 0);
    tp_op2(t, CARS_OP_COUNT, e_true, F_TRAVEL), tp_int(t, 2), tp_op(t, CARS_OP_GE_I);
    uint32_t j = tp_jump(t, CARS_OP_JUMP_IF_FALSE);
    tp_op2(t, CARS_OP_ALL, e_complied, F_TRAVEL), tp_op(t, CARS_OP_AND);
    tp_patch(t, j);
    tp_op(t, CARS_OP_RET);
    tp_rule(t, TP_S("S-NCX-1"), TP_S("compliant travel history"), CARS_RK_SINGLE_NONCOMPLEX, 0, tp_end(t));

    uint32_t e_ally = tp_begin(t, CARS_BK_ELEM, F_TRAVEL);
    tp_op1(t, CARS_OP_LOAD_ELEM, E_COUNTRY), tp_op1(t, CARS_OP_IN_SET, s_allies);
    tp_op1(t, CARS_OP_LOAD_ELEM, E_COMPLIED), tp_op(t, CARS_OP_AND);
    tp_op1(t, CARS_OP_LOAD_ELEM, E_YEAR), tp_op1(t, CARS_OP_LOAD, F_RECEIVED), tp_op(t, CARS_OP_YEAR), tp_int(t, 5),
        tp_op(t, CARS_OP_SUB_I), tp_op(t, CARS_OP_GE_I), tp_op(t, CARS_OP_AND), tp_op(t, CARS_OP_RET);
    tp_end(t);
    b = tp_begin(t, CARS_BK_RULE, 0);
    tp_op2(t, CARS_OP_ANY, e_ally, F_TRAVEL), tp_op(t, CARS_OP_RET);
    tp_rule(t, TP_S("M-A1"), TP_S("complied travel to a listed country in the last 5 years"), CARS_RK_MULTIPLE, 0,
            tp_end(t));
    b = tp_begin(t, CARS_BK_RULE, 0);
    tp_op1(t, CARS_OP_LOAD, F_PROPERTY), tp_op(t, CARS_OP_RET);
    tp_rule(t, TP_S("M-A2"), TP_S("owns property"), CARS_RK_MULTIPLE, 0, tp_end(t));
    b = tp_begin(t, CARS_BK_RULE, 0);
    tp_op1(t, CARS_OP_LOAD, F_DOB), tp_op1(t, CARS_OP_LOAD, F_RECEIVED), tp_op(t, CARS_OP_YEARS_BETWEEN);
    tp_int(t, 18), tp_op(t, CARS_OP_GE_I);
    tp_op1(t, CARS_OP_LOAD, F_DOB), tp_op1(t, CARS_OP_LOAD, F_RECEIVED), tp_op(t, CARS_OP_YEARS_BETWEEN);
    tp_int(t, 29), tp_op(t, CARS_OP_LE_I), tp_op(t, CARS_OP_AND), tp_op(t, CARS_OP_RET);
    tp_rule(t, TP_S("M-B1"), TP_S("aged 18 to 29"), CARS_RK_MULTIPLE, 1, tp_end(t));
    b = tp_begin(t, CARS_BK_RULE, 0);
    tp_op1(t, CARS_OP_LOAD, F_COST), tp_num(t, 1000.0), tp_op(t, CARS_OP_LT_F), tp_op(t, CARS_OP_RET);
    tp_rule(t, TP_S("M-B2"), TP_S("a visit costing under 1000 pounds"), CARS_RK_MULTIPLE, 1, tp_end(t));
    (void)b;

    tp_stage(t, 0, 1); /* exclusions */
    tp_stage(t, 1, 2); /* screens */
    tp_stage(t, 3, 2); /* complex singles */
    tp_stage(t, 5, 1); /* noncomplex singles */
    tp_stage(t, 6, 4); /* multiples */
    t->thresholds[0] = (cars_pthreshold){.id = TP_S("MPCA"), .title = TP_S("3 or more multiple PCAs"), .at_least = 3,
                                         .tier_min = {1, 0}};
    t->p.nthresholds = 1;

    /* MAIN, at the end of the code */
    t->blocks[0].offset = t->p.code_len;
    t->lines[0].offset = t->p.code_len;
    t->cur_block = 0;
    static const uint8_t outs[4] = {CARS_OUT_NONE, CARS_OUT_CXDR, CARS_OUT_CXDR, CARS_OUT_NCXDR};
    for (unsigned s = 0; s < 4; s++)
        tp_op1(t, CARS_OP_EVAL_STAGE, s), tp_op(t, CARS_OP_DECIDE_IF_MATCHED), tp_u8(t, outs[s]);
    if (indexed) {
        static const uint64_t words[12] = {1, 2, 0xD, 0xF, 0xD, 0xD, 0xF, 0xF, 0, 0xF, 0x7, 0x7};
        memcpy(t->iwords, words, sizeof words);
        double k1000 = 1000.0;
        memcpy(&t->iwords[8], &k1000, 8);
        t->indexes[0] = (cars_pindex){.stage = 4, .field = F_PROPERTY, .nvalues = 2, .words_first = 0};
        t->indexes[1] = (cars_pindex){.stage = 4, .field = F_ROUTE, .nvalues = 0, .words_first = 6};
        t->indexes[2] = (cars_pindex){.stage = 4, .field = F_COST, .flags = CARS_IX_NUMBER, .nvalues = 1,
                                      .words_first = 8};
        t->p.indexes = t->indexes, t->p.nindexes = 3;
        t->p.index_words = t->iwords, t->p.nindex_words = 12;
        tp_op1(t, CARS_OP_EVAL_STAGE_INDEXED, 4), tp_u16(t, 0), tp_u16(t, 3);
    } else {
        tp_op1(t, CARS_OP_EVAL_STAGE, 4);
    }
    tp_op(t, CARS_OP_DECIDE_THRESHOLD), tp_u16(t, 0), tp_u8(t, CARS_OUT_NCXPCA), tp_u8(t, CARS_OUT_CXPCA);
    tp_end(t);
    /* the line table must be ascending: MAIN's entry moves to the end */
    cars_pline main_line = t->lines[0];
    memmove(&t->lines[0], &t->lines[1], (t->p.nlines - 1) * sizeof(cars_pline));
    t->lines[t->p.nlines - 1] = main_line;
}

static inline void tp_standard(tp *t) { tp_build_standard(t, false); }

#endif

/* codegen_expr.c - expressions to stack instructions (vm/opcodes.def).
 *
 *   a and b          <a> JUMP_IF_FALSE L <b> AND L:   (Kleene; b skipped when a is false)
 *   a or b           <a> JUMP_IF_TRUE L <b> OR L:
 *   x between l, h   <x> <l> GE <x> <h> LE AND
 *   x within last N years   <x> LOAD ref YEAR <N> SUB_I GE_I
 *   d + n days       <d> <n> ADD_DAYS        (d - n days: <n> NEG_I)
 *   x in [...]       <x> IN_SET s            (not in: ... NOT)
 *   str in [...]     STR_EQ f c1 STR_EQ f c2 OR ...
 *   quantifiers      ANY/ALL/NONE/COUNT B L over an ELEM block B
 * A definition (`let`) is compiled inline wherever it is used. An integer
 * meeting a number is converted with TO_NUM. */
#include <string.h>

#include "bundle.h"
#include "codegen_int.h"

#define BLK (&g->blocks[bi])

static void op(cars_cg *g, size_t bi, int opc, const cars_expr *e)
{
    cars_cg_op(g, BLK, opc, &e->span);
}

static void op16(cars_cg *g, size_t bi, int opc, const cars_expr *e, uint32_t v)
{
    op(g, bi, opc, e);
    cars_cg_u16(g, BLK, v);
}

static bool is_num(const cars_expr *e) { return e->ty.kind == CARS_T_NUMBER; }

/* Compiles `e`, converting an integer to a number when `as_num`. */
static void cg_value(cars_cg *g, size_t bi, const cars_expr *e, bool as_num)
{
    cars_cg_expr(g, bi, e);
    if (as_num && e->ty.kind == CARS_T_INTEGER)
        op(g, bi, CARS_OP_TO_NUM, e);
}

static void cg_name(cars_cg *g, size_t bi, const cars_expr *e)
{
    switch (e->ref_kind) {
    case CARS_REF_FIELD:
        cars_cg_read_field(g, e->ref.field);
        op16(g, bi, CARS_OP_LOAD, e, e->ref.field->index);
        break;
    case CARS_REF_ELEM:
        cars_cg_read_field(g, e->ref.field);
        op16(g, bi, CARS_OP_LOAD_ELEM, e, e->ref.field->index);
        break;
    case CARS_REF_LET:
        cars_cg_expr(g, bi, e->ref.let->value);
        break;
    default: /* a member index or a country code */
        op(g, bi, CARS_OP_PUSH_INT, e);
        cars_cg_u64(g, BLK, (uint64_t)e->ival);
        break;
    }
}

/* Opcode of a comparison kind, integer or number form. */
static int cmp_op(cars_expr_kind k, bool f)
{
    static const int ops_i[] = {CARS_OP_EQ_I, CARS_OP_NE_I, CARS_OP_LT_I,
                                CARS_OP_LE_I, CARS_OP_GT_I, CARS_OP_GE_I};
    static const int ops_f[] = {CARS_OP_EQ_F, CARS_OP_NE_F, CARS_OP_LT_F,
                                CARS_OP_LE_F, CARS_OP_GT_F, CARS_OP_GE_F};
    size_t i = (size_t)(k - CARS_E_EQ);
    return f ? ops_f[i] : ops_i[i];
}

static void cg_cmp(cars_cg *g, size_t bi, cars_expr_kind k, const cars_expr *x,
                   const cars_expr *y, const cars_expr *at)
{
    bool f = is_num(x) || is_num(y);
    cg_value(g, bi, x, f);
    cg_value(g, bi, y, f);
    op(g, bi, cmp_op(k, f), at);
}

static void str_eq(cars_cg *g, size_t bi, const cars_field *f, const cars_expr *lit,
                   const cars_expr *at)
{
    cars_cg_read_field(g, f);
    op16(g, bi, CARS_OP_STR_EQ, at, f->index);
    cars_cg_u16(g, BLK, cars_cg_string(g, lit->sval, lit->slen));
}

static void cg_compare(cars_cg *g, size_t bi, const cars_expr *e)
{
    if (e->a->ty.kind == CARS_T_STRING) {
        const cars_expr *lit = e->a->kind == CARS_E_STR ? e->a : e->b;
        const cars_expr *fe = lit == e->a ? e->b : e->a;
        str_eq(g, bi, fe->ref.field, lit, e);
        if (e->kind == CARS_E_NE)
            op(g, bi, CARS_OP_NOT, e);
        return;
    }
    cg_cmp(g, bi, e->kind, e->a, e->b, e);
}

/* a and b / a or b, short-circuit: the jump keeps a as the result. A chain
 * `a or b or c` jumps straight to its end:
 *   <a> JUMP_IF_TRUE L <b> OR JUMP_IF_TRUE L <c> OR L: */
static void cg_logic(cars_cg *g, size_t bi, const cars_expr *e)
{
    bool and = e->kind == CARS_E_AND;
    const cars_expr *chain[64];
    size_t n = 0;
    const cars_expr *x = e;
    while (x->kind == e->kind && n < 63) { /* left-nested: ((a or b) or c) */
        chain[n++] = x->b;
        x = x->a;
    }
    chain[n++] = x;
    size_t patch[64];
    cars_cg_expr(g, bi, chain[n - 1]);
    for (size_t k = n - 1; k-- > 0;) {
        op(g, bi, and ? CARS_OP_JUMP_IF_FALSE : CARS_OP_JUMP_IF_TRUE, e);
        patch[k] = BLK->len;
        cars_cg_u16(g, BLK, 0);
        cars_cg_expr(g, bi, chain[k]);
        op(g, bi, and ? CARS_OP_AND : CARS_OP_OR, e);
    }
    for (size_t k = 0; k + 1 < n && !g->failed; k++) {
        size_t dist = BLK->len - (patch[k] + 2);
        if (dist > 0xFFFF) {
            if (!g->too_big)
                cars_error(g->d, &e->span, NULL, "this condition is too large to compile");
            g->too_big = true;
            return;
        }
        cars_wr16(BLK->code + patch[k], (uint16_t)dist);
    }
}

static void cg_arith(cars_cg *g, size_t bi, const cars_expr *e)
{
    if (e->ty.kind == CARS_T_DATE) {
        cars_cg_expr(g, bi, e->a);
        cars_cg_expr(g, bi, e->b);
        if (e->kind == CARS_E_SUB)
            op(g, bi, CARS_OP_NEG_I, e);
        op(g, bi, CARS_OP_ADD_DAYS, e);
        return;
    }
    bool f = is_num(e);
    cg_value(g, bi, e->a, f);
    cg_value(g, bi, e->b, f);
    static const int ops[2][3] = {{CARS_OP_ADD_I, CARS_OP_SUB_I, CARS_OP_MUL_I},
                                  {CARS_OP_ADD_F, CARS_OP_SUB_F, CARS_OP_MUL_F}};
    op(g, bi, ops[f][e->kind - CARS_E_ADD], e);
}

static uint32_t table_index(const cars_ast *ast, const cars_table *t)
{
    for (size_t i = 0; i < ast->ntables; i++)
        if (ast->tables[i] == t)
            return (uint32_t)i;
    return 0;
}

/* An enumeration member's index among the names its field declares. */
static int64_t member_index(const cars_field *f, const char *name)
{
    for (size_t i = 0; i < f->members.n; i++)
        if (strcmp(f->members.names[i], name) == 0)
            return (int64_t)i;
    return -1; /* never: the checker resolved it */
}

int64_t cars_cg_member_value(const cars_expr *m, cars_type t)
{
    switch (t.kind) {
    /* The checker resolved the member (ref_kind, ival) for the type it
     * last checked it against (ty). A named set used with two types (two
     * enumerations, or an enumeration and countries) holds the last one's
     * value; for the other, the member is found again by its name. */
    case CARS_T_ENUM:
        return m->ref_kind == CARS_REF_MEMBER && m->ty.field == t.field ? m->ival
                                                                         : member_index(t.field, m->name);
    case CARS_T_COUNTRY:
        return m->ref_kind == CARS_REF_COUNTRY ? m->ival : cars_country_code(m->name);
    default: /* bound: an integer literal is 0 to INT64_MAX, so its negation is exact */
        return m->kind == CARS_E_NEG ? -m->a->ival : m->ival;
    }
}

static void cg_lookup(cars_cg *g, size_t bi, const cars_expr *e, cars_expr *const *keys,
                      size_t n, const cars_table *t)
{
    for (size_t i = 0; i < n; i++)
        cars_cg_read_field(g, keys[i]->ref.field);
    op16(g, bi, n == 2 ? CARS_OP_LOOKUP2 : CARS_OP_LOOKUP1, e, table_index(g->ast, t));
    for (size_t i = 0; i < n; i++)
        cars_cg_u16(g, BLK, keys[i]->ref.field->index);
}

static void cg_members(cars_cg *g, size_t bi, const cars_expr *e, const cars_expr *list)
{
    cars_expr *const *ms = list ? list->args : NULL;
    size_t n = list ? list->nargs : 0;
    if (e->a->ty.kind == CARS_T_STRING) {
        for (size_t i = 0; i < n; i++) {
            str_eq(g, bi, e->a->ref.field, ms[i], e);
            if (i)
                op(g, bi, CARS_OP_OR, e);
        }
        if (n == 0) {
            op(g, bi, CARS_OP_PUSH_BOOL, e);
            cars_cg_byte(g, BLK, 0);
        }
        return;
    }
    int64_t *vals = cars_arena_alloc(g->a, (n + 1) * sizeof *vals);
    if (!vals) {
        g->failed = true;
        return;
    }
    for (size_t i = 0; i < n; i++)
        vals[i] = cars_cg_member_value(ms[i], e->a->ty);
    cars_cg_expr(g, bi, e->a);
    op16(g, bi, CARS_OP_IN_SET, e, cars_cg_set(g, vals, n));
}

static void cg_in(cars_cg *g, size_t bi, const cars_expr *e)
{
    const cars_expr *b = e->b;
    if (e->kind == CARS_E_TUPLE_IN)
        cg_lookup(g, bi, e, e->args, e->nargs, b->ref.table);
    else if (b->kind == CARS_E_NAME && b->ref_kind == CARS_REF_TABLE)
        cg_lookup(g, bi, e, &e->a, 1, b->ref.table);
    else
        cg_members(g, bi, e, b->kind == CARS_E_LIST ? b : b->ref.set->list);
    if (e->negated)
        op(g, bi, CARS_OP_NOT, e);
}

static void cg_quant(cars_cg *g, size_t bi, const cars_expr *e)
{
    static const int ops[] = {CARS_OP_ANY, CARS_OP_ALL, CARS_OP_NONE, CARS_OP_COUNT};
    const cars_field *list = e->a->ref.field;
    cars_cg_read_field(g, list);
    size_t nb = cars_cg_new_block(g, CARS_BK_ELEM, (uint16_t)list->index);
    if (g->failed)
        return;
    if (e->b)
        cars_cg_expr(g, nb, e->b);
    else {
        cars_cg_op(g, &g->blocks[nb], CARS_OP_PUSH_BOOL, &e->span);
        cars_cg_byte(g, &g->blocks[nb], 1);
    }
    cars_cg_op(g, &g->blocks[nb], CARS_OP_RET, &e->span);
    op16(g, bi, ops[e->quant], e, (uint32_t)nb);
    cars_cg_u16(g, BLK, list->index);
}

static void cg_literal(cars_cg *g, size_t bi, const cars_expr *e)
{
    if (e->kind == CARS_E_BOOL) {
        op(g, bi, CARS_OP_PUSH_BOOL, e);
        cars_cg_byte(g, BLK, e->ival ? 1 : 0);
        return;
    }
    uint64_t v = (uint64_t)e->ival;
    if (e->kind == CARS_E_NUM)
        memcpy(&v, &e->nval, 8);
    op(g, bi, e->kind == CARS_E_NUM ? CARS_OP_PUSH_NUM : CARS_OP_PUSH_INT, e);
    cars_cg_u64(g, BLK, v);
}

static void cg_misc(cars_cg *g, size_t bi, const cars_expr *e)
{
    switch (e->kind) {
    case CARS_E_CALL:
        for (size_t i = 0; i < e->nargs; i++)
            cars_cg_expr(g, bi, e->args[i]);
        op(g, bi, strcmp(e->name, "year") == 0 ? CARS_OP_YEAR : CARS_OP_YEARS_BETWEEN, e);
        break;
    case CARS_E_NOT:
        cars_cg_expr(g, bi, e->a);
        op(g, bi, CARS_OP_NOT, e);
        break;
    case CARS_E_NEG:
        cars_cg_expr(g, bi, e->a);
        op(g, bi, is_num(e) ? CARS_OP_NEG_F : CARS_OP_NEG_I, e);
        break;
    case CARS_E_BETWEEN:
        cg_cmp(g, bi, CARS_E_GE, e->a, e->b, e);
        cg_cmp(g, bi, CARS_E_LE, e->a, e->c, e);
        op(g, bi, CARS_OP_AND, e);
        break;
    case CARS_E_WITHIN:
        cars_cg_expr(g, bi, e->a);
        cars_cg_read_field(g, g->reference);
        op16(g, bi, CARS_OP_LOAD, e, g->reference->index);
        op(g, bi, CARS_OP_YEAR, e);
        cars_cg_expr(g, bi, e->b);
        op(g, bi, CARS_OP_SUB_I, e);
        op(g, bi, CARS_OP_GE_I, e);
        break;
    case CARS_E_PRESENT: {
        const cars_field *f = e->a->ref.field;
        cars_cg_read_field(g, f);
        op16(g, bi, f->parent ? CARS_OP_PRESENT_ELEM : CARS_OP_PRESENT, e, f->index);
        if (e->negated)
            op(g, bi, CARS_OP_NOT, e);
        break;
    }
    default:
        g->failed = true; /* the checker refuses every other form */
        break;
    }
}

static void cg_expr(cars_cg *g, size_t bi, const cars_expr *e);

void cars_cg_expr(cars_cg *g, size_t bi, const cars_expr *e)
{
    if (g->failed)
        return;
    size_t start = BLK->len;
    cg_expr(g, bi, e);
    cars_expr_map *m = g->map;
    if (m && !g->failed && cars_cg_reserve(g, (void **)&m->sites, m->n, &m->cap, m->n + 1, sizeof *m->sites))
        m->sites[m->n++] = (cars_expr_site){e, (uint32_t)bi, (uint32_t)start, (uint32_t)BLK->len};
}

static void cg_expr(cars_cg *g, size_t bi, const cars_expr *e)
{
    switch (e->kind) {
    case CARS_E_INT: case CARS_E_NUM: case CARS_E_DATE: case CARS_E_BOOL:
        cg_literal(g, bi, e);
        break;
    case CARS_E_NAME: cg_name(g, bi, e); break;
    case CARS_E_AND: case CARS_E_OR: cg_logic(g, bi, e); break;
    case CARS_E_EQ: case CARS_E_NE: case CARS_E_LT: case CARS_E_LE: case CARS_E_GT:
    case CARS_E_GE:
        cg_compare(g, bi, e);
        break;
    case CARS_E_ADD: case CARS_E_SUB: case CARS_E_MUL: cg_arith(g, bi, e); break;
    case CARS_E_DAYS: cars_cg_expr(g, bi, e->a); break;
    case CARS_E_IN: case CARS_E_TUPLE_IN: cg_in(g, bi, e); break;
    case CARS_E_QUANT: cg_quant(g, bi, e); break;
    default: cg_misc(g, bi, e); break;
    }
}

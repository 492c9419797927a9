/* codegen_index.c - stage indexes (EVAL_STAGE_INDEXED; layout in
 * vm/program.h and docs/bytecode.md).
 *
 * A rule can match only when every conjunct of its `when` is true. Some
 * conjuncts pin a top-level field (enumeration, country, bool, integer,
 * date, number) to a set of intervals: `f = c`, `f < c` (and <=, >, >=,
 * either way round), `f between a and b`, `f in [...]` or a named set, a
 * bool field `f` alone or `not f`; also inside definitions and nested
 * `and`s. Keys are integers, or for a number field IEEE-754 doubles
 * compared as the VM compares numbers. If the record's field is absent or outside the intervals, the
 * conjunct is unknown or false (Kleene logic), and so is the rule. For a
 * stage of at least MIN_RULES rules, each field pinned by some rule gets an
 * index: the interval ends as sorted keys, and one bitset of the stage's
 * rules per slot between keys, plus one for absence. A record's candidates
 * are the AND of its bitsets; the VM evaluates only those, in stage order,
 * so the matches (and everything decided from them) are exactly those of
 * evaluating every rule.
 *
 * The VM's saturating arithmetic (vm.c) never meets an index: a pin compares
 * a field's own value, never an arithmetic result, with constants, and the
 * only computed constant is -N for an integer literal N (0 <= N <=
 * INT64_MAX, so -N is exact here as in NEG_I, and -(double)N is TO_NUM of
 * it). Interval ends at INT64_MAX are open-ended (point, upto, `> INT64_MAX`
 * never true), so no key is computed beyond the range
 * (tests/cases/vm/index_int64_limits). */
#include <stdlib.h>
#include <string.h>
#include <float.h>
#include <math.h> /* isnan, isinf: macros, no libm */

#include "alloc.h"
#include "codegen_int.h"

enum {
    MIN_RULES = 4,          /* smaller stages: evaluating every rule is as cheap */
    MAX_FIELDS = 8,         /* indexes per stage: the ones that pin the most rules */
    MAX_WORDS = 1u << 20,   /* bitset words of one index (8 MB): beyond, not indexed */
};

/* A rule's condition on one field: e is EQ, a comparison, BETWEEN, IN (a
 * list or named set), or a bool field alone (NAME) or negated (NOT). */
typedef struct pin {
    const cars_field *f;
    const cars_expr *e;
} pin;

typedef struct rule_pins {
    pin p[MAX_FIELDS * 2];
    size_t n;
} rule_pins;

/* An index key: an integer, or a number field's double. */
typedef union key {
    int64_t i;
    double d;
} key;

/* A half-open interval of field values [lo, hi); lo_inf: from -infinity,
 * hi_inf: to +infinity. */
typedef struct ival {
    key lo, hi;
    bool lo_inf, hi_inf;
} ival;

static bool top_field(const cars_expr *e)
{
    return e->kind == CARS_E_NAME && e->ref_kind == CARS_REF_FIELD && !e->ref.field->parent;
}

static bool indexable(const cars_expr *e)
{
    if (!top_field(e))
        return false;
    switch (e->ref.field->type) {
    case CARS_T_BOOL: case CARS_T_INTEGER: case CARS_T_DATE: case CARS_T_COUNTRY: case CARS_T_ENUM:
        return true;
    default:
        return false;
    }
}

static bool number_field(const cars_expr *e) { return top_field(e) && e->ref.field->type == CARS_T_NUMBER; }

/* A constant as the VM compares it with an integer-valued field (the
 * integer comparisons): see cg_name and cg_literal in codegen_expr.c. */
static bool constant(const cars_expr *e, int64_t *v)
{
    switch (e->kind) {
    case CARS_E_INT: case CARS_E_BOOL: case CARS_E_DATE:
        *v = e->ival;
        return true;
    case CARS_E_NEG: /* a literal is 0 to INT64_MAX: its negation is exact */
        if (e->a->kind != CARS_E_INT)
            return false;
        *v = -e->a->ival;
        return true;
    case CARS_E_NAME:
        if (e->ref_kind != CARS_REF_MEMBER && e->ref_kind != CARS_REF_COUNTRY)
            return false;
        *v = e->ival;
        return true;
    default:
        return false;
    }
}

/* A constant as the VM compares it with a number field: an integer
 * literal converted as TO_NUM does, or a number literal. */
static bool num_constant(const cars_expr *e, double *v)
{
    bool neg = e->kind == CARS_E_NEG;
    const cars_expr *x = neg ? e->a : e;
    if (x->kind == CARS_E_INT)
        *v = (double)x->ival;
    else if (x->kind == CARS_E_NUM)
        *v = x->nval;
    else
        return false;
    if (neg)
        *v = -*v;
    return !isnan(*v);
}

/* The least double above x (x finite). */
static double next_up(double x)
{
    if (x == 0)
        return DBL_TRUE_MIN;
    uint64_t b;
    memcpy(&b, &x, 8);
    b = x > 0 ? b + 1 : b - 1; /* the next representable value towards +infinity */
    memcpy(&x, &b, 8);
    return x;
}

static const cars_expr *in_list(const cars_expr *e)
{
    if (e->kind != CARS_E_IN || e->negated || !indexable(e->a))
        return NULL;
    if (e->b->kind == CARS_E_LIST)
        return e->b;
    if (e->b->kind == CARS_E_NAME && e->b->ref_kind == CARS_REF_SET)
        return e->b->ref.set->list;
    return NULL;
}

/* [v, v + 1), or [v, +inf) at the top of the range. */
static ival point(int64_t v)
{
    return (ival){{.i = v}, {.i = v == INT64_MAX ? 0 : v + 1}, false, v == INT64_MAX};
}

static ival upto(int64_t v) /* (-inf, v]: v + 1 excluded */
{
    return (ival){{.i = 0}, {.i = v == INT64_MAX ? 0 : v + 1}, true, v == INT64_MAX};
}

static const cars_expr_kind flipped[] = {CARS_E_EQ, CARS_E_NE, CARS_E_GT, CARS_E_GE, CARS_E_LT, CARS_E_LE};

/* The interval of a comparison `f k c` on a number field. */
static long num_interval(cars_expr_kind k, double v, double w, ival *out)
{
    if (isinf(v) || isinf(w))
        return -1;
    switch (k) {
    case CARS_E_EQ: *out = (ival){{.d = v}, {.d = next_up(v)}, false, false}; return 1;
    case CARS_E_LT: *out = (ival){{.d = 0}, {.d = v}, true, false}; return 1;
    case CARS_E_LE: *out = (ival){{.d = 0}, {.d = next_up(v)}, true, false}; return 1;
    case CARS_E_GT: *out = (ival){{.d = next_up(v)}, {.d = 0}, false, true}; return 1;
    case CARS_E_GE: *out = (ival){{.d = v}, {.d = 0}, false, true}; return 1;
    default: /* BETWEEN v and w */
        *out = (ival){{.d = v}, {.d = next_up(w)}, false, false};
        return 1;
    }
}

/* The intervals a pin allows, into out (room for pin_room); returns how
 * many, or -1 if the pin is not one this file understands. */
static long pin_intervals(const cars_expr *e, ival *out)
{
    int64_t v, w;
    double dv, dw;
    const cars_expr *l = in_list(e);
    if (l) {
        for (size_t i = 0; i < l->nargs; i++)
            out[i] = point(cars_cg_member_value(l->args[i], e->a->ty));
        return (long)l->nargs;
    }
    switch (e->kind) {
    case CARS_E_NAME: /* a bool field: true */
    case CARS_E_NOT:  /* not a bool field: false */
        out[0] = point(e->kind == CARS_E_NAME);
        return indexable(e->kind == CARS_E_NAME ? e : e->a) ? 1 : -1;
    case CARS_E_BETWEEN: /* lo <= x <= hi */
        if (number_field(e->a) && num_constant(e->b, &dv) && num_constant(e->c, &dw))
            return num_interval(CARS_E_BETWEEN, dv, dw, out);
        if (!indexable(e->a) || !constant(e->b, &v) || !constant(e->c, &w))
            return -1;
        out[0] = upto(w);
        out[0].lo = (key){.i = v}, out[0].lo_inf = false;
        return 1;
    case CARS_E_EQ: case CARS_E_LT: case CARS_E_LE: case CARS_E_GT: case CARS_E_GE: {
        cars_expr_kind k = e->kind, kf = flipped[k - CARS_E_EQ]; /* c < f is f > c */
        if (number_field(e->a) && num_constant(e->b, &dv))
            return num_interval(k, dv, dv, out);
        if (number_field(e->b) && num_constant(e->a, &dv))
            return num_interval(kf, dv, dv, out);
        if (indexable(e->a) && constant(e->b, &v)) {
        } else if (indexable(e->b) && constant(e->a, &v)) {
            k = kf;
        } else {
            return -1;
        }
        switch (k) {
        case CARS_E_EQ: out[0] = point(v); break;
        case CARS_E_LT: out[0] = (ival){{.i = 0}, {.i = v}, true, false}; break;
        case CARS_E_LE: out[0] = upto(v); break;
        case CARS_E_GT:
            if (v == INT64_MAX)
                return 0; /* never true */
            out[0] = (ival){{.i = v + 1}, {.i = 0}, false, true};
            break;
        default: out[0] = (ival){{.i = v}, {.i = 0}, false, true}; break; /* GE */
        }
        return 1;
    }
    default:
        return -1;
    }
}

static size_t pin_room(const cars_expr *e)
{
    const cars_expr *l = in_list(e);
    return l ? l->nargs : 1;
}

static const cars_field *pinned_field(const cars_expr *e)
{
    if (e->kind == CARS_E_NOT || e->kind == CARS_E_IN || e->kind == CARS_E_BETWEEN)
        return e->a->ref.field;
    if (e->kind == CARS_E_NAME)
        return e->ref.field;
    return top_field(e->a) ? e->a->ref.field : e->b->ref.field;
}

static void add_pin(rule_pins *rp, const cars_expr *e)
{
    ival tmp[1];
    if (!in_list(e) && pin_intervals(e, tmp) < 0)
        return;
    const cars_field *f = pinned_field(e);
    for (size_t i = 0; i < rp->n; i++)
        if (rp->p[i].f == f)
            return; /* the first condition on a field is enough */
    if (rp->n < sizeof rp->p / sizeof rp->p[0])
        rp->p[rp->n++] = (pin){f, e};
}

/* The pins among the conjuncts of e (through definitions). */
static void collect(const cars_expr *e, rule_pins *rp)
{
    switch (e->kind) {
    case CARS_E_AND:
        collect(e->a, rp);
        collect(e->b, rp);
        return;
    case CARS_E_NAME:
        if (e->ref_kind == CARS_REF_LET)
            collect(e->ref.let->value, rp);
        else if (indexable(e) && e->ref.field->type == CARS_T_BOOL)
            add_pin(rp, e);
        return;
    case CARS_E_NOT:
        if (indexable(e->a) && e->a->ref.field->type == CARS_T_BOOL)
            add_pin(rp, e);
        return;
    case CARS_E_IN:
        if (in_list(e))
            add_pin(rp, e);
        return;
    case CARS_E_EQ: case CARS_E_LT: case CARS_E_LE: case CARS_E_GT: case CARS_E_GE: case CARS_E_BETWEEN:
        add_pin(rp, e);
        return;
    default:
        return;
    }
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = ((const key *)x)->i, b = ((const key *)y)->i;
    return (a > b) - (a < b);
}

static int cmp_f64(const void *x, const void *y)
{
    double a = ((const key *)x)->d, b = ((const key *)y)->d;
    return (a > b) - (a < b);
}

typedef struct field_count {
    const cars_field *f;
    size_t rules;
} field_count;

static int by_rules(const void *x, const void *y)
{
    const field_count *a = x, *b = y;
    if (a->rules != b->rules)
        return a->rules < b->rules ? 1 : -1;
    return (a->f->index > b->f->index) - (a->f->index < b->f->index);
}

/* The slot of a value: how many keys are at most v. */
static size_t slot_of(const key *keys, size_t n, key v, bool num)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (num ? keys[mid].d <= v.d : keys[mid].i <= v.i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const pin *pin_of(const rule_pins *rp, const cars_field *f)
{
    for (size_t i = 0; i < rp->n; i++)
        if (rp->p[i].f == f)
            return &rp->p[i];
    return NULL;
}

/* One index of stage `stage` over field f; false if not worth it or no memory. */
static bool build_index(cars_cg *g, uint32_t stage, const rule_pins *rp, uint32_t n, const cars_field *f)
{
    bool num = f->type == CARS_T_NUMBER;
    size_t room = 0;
    for (uint32_t k = 0; k < n; k++) {
        const pin *p = pin_of(&rp[k], f);
        room += p ? pin_room(p->e) : 0;
    }
    key *keys = cars_malloc((2 * room + 1) * sizeof *keys);
    ival *iv = cars_malloc((room + 1) * sizeof *iv);
    if (!keys || !iv) {
        cars_free(keys);
        cars_free(iv);
        g->failed = true;
        return false;
    }
    size_t at = 0;
    for (uint32_t k = 0; k < n; k++) {
        const pin *p = pin_of(&rp[k], f);
        long m = p ? pin_intervals(p->e, iv) : 0;
        for (long i = 0; i < m; i++) {
            if (!iv[i].lo_inf)
                keys[at++] = iv[i].lo;
            if (!iv[i].hi_inf)
                keys[at++] = iv[i].hi;
        }
    }
    qsort(keys, at, sizeof *keys, num ? cmp_f64 : cmp_i64);
    size_t u = 0;
    for (size_t i = 0; i < at; i++)
        if (u == 0 || (num ? cmp_f64 : cmp_i64)(&keys[u - 1], &keys[i]) != 0)
            keys[u++] = keys[i];
    /* slots 0..u: values below keys[0], [keys[0], keys[1]), ...; slot u+1: absent */
    size_t w = (n + 63) / 64, nsets = u + 2, words = u + nsets * w;
    if (nsets * w > MAX_WORDS || g->niwords + words > UINT32_MAX ||
        !cars_cg_reserve(g, (void **)&g->iwords, g->niwords, &g->cap_iwords, g->niwords + words, sizeof *g->iwords) ||
        !cars_cg_reserve(g, (void **)&g->indexes, g->nindexes, &g->cap_indexes, g->nindexes + 1, sizeof *g->indexes)) {
        cars_free(keys);
        cars_free(iv);
        return false;
    }
    uint64_t *out = g->iwords + g->niwords, *bits = out + u;
    for (size_t i = 0; i < u; i++)
        memcpy(&out[i], &keys[i], 8); /* the integer, or the double's bits */
    memset(bits, 0, nsets * w * sizeof *bits);
    for (uint32_t k = 0; k < n; k++) {
        const pin *p = pin_of(&rp[k], f);
        uint64_t bit = (uint64_t)1 << (k % 64);
        if (!p) { /* no condition on f: a candidate whatever its value, or none */
            for (size_t j = 0; j < nsets; j++)
                bits[j * w + k / 64] |= bit;
            continue;
        }
        long m = pin_intervals(p->e, iv);
        for (long i = 0; i < m; i++) {
            size_t from = iv[i].lo_inf ? 0 : slot_of(keys, u, iv[i].lo, num);
            size_t to = iv[i].hi_inf ? u + 1 : slot_of(keys, u, iv[i].hi, num);
            for (size_t j = from; j < to; j++)
                bits[j * w + k / 64] |= bit;
        }
    }
    cars_free(keys);
    cars_free(iv);
    g->indexes[g->nindexes++] = (cars_pindex){stage, (uint16_t)f->index, num ? CARS_IX_NUMBER : 0, (uint32_t)u,
                                              (uint32_t)g->niwords};
    g->niwords += words;
    cars_cg_read_field(g, f);
    return true;
}

void cars_cg_stage_index(cars_cg *g, uint32_t stage, const uint32_t *rules, uint32_t n, uint32_t *first,
                         uint32_t *count)
{
    *first = (uint32_t)g->nindexes;
    *count = 0;
    if (n < MIN_RULES)
        return;
    rule_pins *rp = cars_calloc(n, sizeof *rp);
    field_count *fc = cars_calloc((size_t)n * MAX_FIELDS * 2 + 1, sizeof *fc);
    if (!rp || !fc) {
        cars_free(rp);
        cars_free(fc);
        g->failed = true;
        return;
    }
    size_t nf = 0;
    for (uint32_t k = 0; k < n; k++) {
        collect(g->ast->rules[rules[k]]->when, &rp[k]);
        for (size_t i = 0; i < rp[k].n; i++) {
            size_t j = 0;
            while (j < nf && fc[j].f != rp[k].p[i].f)
                j++;
            if (j == nf)
                fc[nf++] = (field_count){rp[k].p[i].f, 0};
            fc[j].rules++;
        }
    }
    qsort(fc, nf, sizeof *fc, by_rules);
    for (size_t j = 0; j < nf && *count < MAX_FIELDS && !g->failed; j++)
        if (build_index(g, stage, rp, n, fc[j].f))
            (*count)++;
    cars_free(rp);
    cars_free(fc);
}

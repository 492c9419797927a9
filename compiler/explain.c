/* explain.c - why a record was routed as it was (see explain.h): the VM's
 * trace of one record, read against the AST, into text or JSON. */
#include "explain.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "bundle.h"
#include "date.h"
#include "json.h"
#include "names.h"
#include "normalise.h"
#include "opcodes.h"
#include "reader.h"
#include "vm.h"

static const char *const RESULT[] = {"not possible", "unknown", "false", "true"}; /* [value + 2] */

#define MAX_EVENTS (1u << 22) /* beyond this, steps are no longer kept (huge lists) */

struct cars_explainer {
    const cars_ast *ast;
    const cars_program *p;
    const cars_expr_map *map;
    cars_reader *rd;
    cars_vm *vm;
    cars_trace_event *ev;
    size_t nev, cap;
    bool truncated, nomem;
    int8_t *value;       /* per rule: 1, 0, -1 unknown, -2 not evaluated */
    uint32_t *rule_ev;   /* per rule: its CARS_TR_RULE event */
    uint8_t *given;      /* per rule: its value for the why-not decisions */
    uint64_t *gbits;     /* the same as bits in stage order (cars_vm_decide_bits) */
    uint32_t *pos_first; /* per rule: its first position in stage_rules, or UINT32_MAX */
    uint32_t *pos_next;  /* per position: the rule's next position, or UINT32_MAX */
    uint32_t *rules;     /* the last result's rules */
    uint32_t nrules;
    uint8_t outcome;
    const cars_record *rec;
    char *scratch;       /* normalised keys */
    size_t scratch_cap;
};

static void collect(void *ctx, const cars_trace_event *e)
{
    cars_explainer *x = ctx;
    if (e->kind == CARS_TR_STEP || e->kind == CARS_TR_RET || e->kind == CARS_TR_ELEM) {
        if (x->p->blocks[e->block].kind != CARS_BK_RULE) /* element steps: not kept */
            return;
        if (x->nev >= MAX_EVENTS) {
            x->truncated = true;
            return;
        }
    }
    if (x->nev == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 1024;
        cars_trace_event *q = cars_realloc(x->ev, cap * sizeof *q);
        if (!q) {
            x->nomem = true;
            return;
        }
        x->ev = q, x->cap = cap;
    }
    x->ev[x->nev++] = *e;
}

cars_explainer *cars_explainer_new(const cars_ast *ast, const cars_program *p, const cars_expr_map *map)
{
    cars_explainer *x = cars_calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->ast = ast, x->p = p, x->map = map;
    x->rd = cars_reader_new(p);
    x->vm = cars_vm_new(p);
    x->value = cars_calloc(p->nrules + 1, 1);
    x->given = cars_calloc(p->nrules + 1, 1);
    x->gbits = cars_calloc((size_t)p->nstage_rules / 64 + 1, sizeof *x->gbits);
    x->pos_first = cars_calloc((size_t)p->nrules + 1, sizeof *x->pos_first);
    x->pos_next = cars_calloc((size_t)p->nstage_rules + 1, sizeof *x->pos_next);
    for (uint32_t r = 0; x->pos_first && r < p->nrules; r++)
        x->pos_first[r] = UINT32_MAX;
    for (uint32_t j = p->nstage_rules; x->pos_first && x->pos_next && j-- > 0;) { /* each list ascending */
        x->pos_next[j] = x->pos_first[p->stage_rules[j]];
        x->pos_first[p->stage_rules[j]] = j;
    }
    x->rule_ev = cars_calloc(p->nrules + 1, sizeof *x->rule_ev);
    x->rules = cars_calloc(p->nrules + 1, sizeof *x->rules);
    x->scratch_cap = 256;
    x->scratch = cars_malloc(x->scratch_cap);
    if (!x->rd || !x->vm || !x->value || !x->given || !x->gbits || !x->pos_first || !x->pos_next || !x->rule_ev || !x->rules || !x->scratch) {
        cars_explainer_free(x);
        return NULL;
    }
    return x;
}

void cars_explainer_free(cars_explainer *x)
{
    if (!x)
        return;
    cars_reader_free(x->rd);
    cars_vm_free(x->vm);
    cars_free(x->ev);
    cars_free(x->value);
    cars_free(x->given);
    cars_free(x->gbits);
    cars_free(x->pos_first);
    cars_free(x->pos_next);
    cars_free(x->rule_ev);
    cars_free(x->rules);
    cars_free(x->scratch);
    cars_free(x);
}

const uint32_t *cars_explain_last_rules(const cars_explainer *x, uint32_t *n)
{
    *n = x->nrules;
    return x->rules;
}

/* ---- reading the trace ------------------------------------------------------ */

/* The value of site s in the run of rule r: -1, 0, 1; -2 if it did not run.
 * Its value is the top of the stack when control first reaches its end. */
static int site_value(const cars_explainer *x, uint32_t r, const cars_expr_site *s, cars_value *v)
{
    if (x->value[r] == -2 || s->block != x->p->rules[r].block)
        return -2;
    for (size_t i = x->rule_ev[r] + 1; i < x->nev && x->ev[i].kind != CARS_TR_RULE_END; i++) {
        const cars_trace_event *e = &x->ev[i];
        if (e->kind == CARS_TR_STEP && e->block == s->block && e->next == s->end && e->at >= s->start &&
            e->at < s->end) {
            if (v)
                *v = e->value;
            return e->value.known ? e->value.i != 0 : -1;
        }
    }
    return -2;
}

/* The site of expression e in rule r's block, or NULL. */
static const cars_expr_site *site_of(const cars_explainer *x, uint32_t r, const cars_expr *e)
{
    for (size_t i = 0; i < x->map->n; i++)
        if (x->map->sites[i].e == e && x->map->sites[i].block == x->p->rules[r].block)
            return &x->map->sites[i];
    return NULL;
}

void cars_explain_site_values(const cars_explainer *x, int8_t *out)
{
    for (size_t i = 0; i < x->map->n; i++) {
        out[i] = -2;
        const cars_expr_site *s = &x->map->sites[i];
        for (uint32_t r = 0; r < x->p->nrules; r++)
            if (x->p->rules[r].block == s->block)
                out[i] = (int8_t)site_value(x, r, s, NULL);
    }
}

/* The conjuncts of a rule's condition, in source order (a and b and c). */
static size_t conjuncts(const cars_expr *e, const cars_expr **out, size_t max)
{
    const cars_expr *rev[64];
    size_t n = 0;
    while (e->kind == CARS_E_AND && n < 63) {
        rev[n++] = e->b;
        e = e->a;
    }
    rev[n++] = e;
    size_t k = 0;
    while (n > 0 && k < max)
        out[k++] = rev[--n];
    return k;
}

/* Rule r's first conjunct that is false or unknown (NULL if none); *res its value. */
static const cars_expr *failed_condition(const cars_explainer *x, uint32_t r, int *res)
{
    const cars_expr *c[64];
    size_t n = conjuncts(x->ast->rules[r]->when, c, 64);
    for (size_t k = 0; k < n; k++) {
        const cars_expr_site *s = site_of(x, r, c[k]);
        int v = s ? site_value(x, r, s, NULL) : -2;
        if (v == 0 || v == -1) {
            *res = v;
            return c[k];
        }
    }
    *res = x->value[r];
    return n == 1 ? c[0] : NULL;
}

/* ---- values --------------------------------------------------------------------- */

/* Field f of the record as text; false when not answered. */
static bool field_text(const cars_explainer *x, uint32_t f, char *buf, size_t n)
{
    const cars_program *p = x->p;
    const cars_value *v = &x->rec->v[f];
    if (!v->known)
        return false;
    char d[11];
    switch (p->fields[f].type) {
    case CARS_FT_BOOL: snprintf(buf, n, "%s", v->i ? "true" : "false"); break;
    case CARS_FT_INTEGER: snprintf(buf, n, "%" PRId64, v->i); break;
    case CARS_FT_NUMBER: snprintf(buf, n, "%.17g", v->f); break;
    case CARS_FT_DATE: cars_date_format(v->i, d); snprintf(buf, n, "%s", d); break;
    case CARS_FT_COUNTRY:
        snprintf(buf, n, "%c%c%c", (char)('A' + v->i / 676 % 26), (char)('A' + v->i / 26 % 26),
                 (char)('A' + v->i % 26));
        break;
    case CARS_FT_ENUM: {
        const cars_pfield *pf = &p->fields[f];
        const cars_str *m = v->i >= 0 && (uint64_t)v->i < pf->members_n ? &p->members[pf->members_first + v->i] : NULL;
        snprintf(buf, n, "%.*s", m ? (int)m->len : 1, m ? m->p : "?");
        break;
    }
    case CARS_FT_STRING:
        snprintf(buf, n, "\"%.*s\"", (int)(x->rec->s[f].len > 60 ? 60 : x->rec->s[f].len), x->rec->s[f].p);
        break;
    case CARS_FT_LIST:
        snprintf(buf, n, "%" PRId64 " entr%s", v->i, v->i == 1 ? "y" : "ies");
        break;
    default: snprintf(buf, n, "?"); break;
    }
    return true;
}

/* A computed value of type t as text. */
static void value_text(const cars_type *t, const cars_value *v, char *buf, size_t n)
{
    char d[11];
    switch (t->kind) {
    case CARS_T_BOOL: snprintf(buf, n, "%s", v->i ? "true" : "false"); break;
    case CARS_T_NUMBER: snprintf(buf, n, "%.17g", v->f); break;
    case CARS_T_DATE: cars_date_format(v->i, d); snprintf(buf, n, "%s", d); break;
    case CARS_T_DAYS: snprintf(buf, n, "%" PRId64 " days", v->i); break;
    case CARS_T_ENUM:
        if (t->field && v->i >= 0 && (size_t)v->i < t->field->members.n) {
            snprintf(buf, n, "%s", t->field->members.names[v->i]);
            break;
        }
        /* fall through */
    default: snprintf(buf, n, "%" PRId64, v->i); break;
    }
}

/* One value behind a condition: "NAME is VALUE" or "NAME was not answered". */
typedef struct xval {
    const char *name;
    const char *table; /* a table lookup: the table's name */
    char names[160];   /* a lookup of several fields: "(a, b)" */
    char text[160];
    char needs[160]; /* a failed comparison: what it needs of this value ("> 90") */
    bool answered;
    bool in_table;
} xval;

#define MAX_VALS 12

static bool seen(const xval *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0 && !v[i].table)
            return true;
    return false;
}

/* The normalised text of the key fields of a lookup, joined by " / ". */
static void lookup_text(cars_explainer *x, const cars_table *t, cars_expr *const *keys, size_t nk, xval *v)
{
    const cars_program *p = x->p;
    uint32_t ti = 0;
    while (ti < x->ast->ntables && x->ast->tables[ti] != t)
        ti++;
    size_t o = 0;
    v->answered = true;
    for (size_t k = 0; k < nk && ti < p->ntables; k++) {
        uint32_t f = keys[k]->ref.field->index;
        char one[64];
        if (!field_text(x, f, one, sizeof one)) {
            v->answered = false;
            return;
        }
        const char *s = p->fields[f].type == CARS_FT_COUNTRY ? one : x->rec->s[f].p;
        size_t len = p->fields[f].type == CARS_FT_COUNTRY ? 3 : x->rec->s[f].len;
        if (len > x->scratch_cap) {
            char *q = cars_realloc(x->scratch, len);
            if (!q) {
                x->nomem = true;
                return;
            }
            x->scratch = q, x->scratch_cap = len;
        }
        size_t m = cars_normalise(p->version, cars_field_key_kind(p, p->tables[ti].key_kinds[k], f), s, len, x->scratch);
        int w = snprintf(v->text + o, sizeof v->text - o, "%s\"%.*s\"", k ? " / " : "", (int)(m > 60 ? 60 : m),
                         x->scratch);
        if (w > 0 && (size_t)w < sizeof v->text - o)
            o += (size_t)w;
    }
    v->table = t->name;
}

/* The values behind expression e (fields, definitions, list sizes, lookups). */
static void values_of(cars_explainer *x, uint32_t r, const cars_expr *e, xval *v, size_t *n)
{
    if (!e || *n >= MAX_VALS)
        return;
    if (e->kind == CARS_E_NAME && (e->ref_kind == CARS_REF_FIELD || e->ref_kind == CARS_REF_LET)) {
        if (seen(v, *n, e->name))
            return;
        xval *o = &v[*n];
        memset(o, 0, sizeof *o);
        o->name = e->name;
        if (e->ref_kind == CARS_REF_FIELD) {
            o->answered = field_text(x, e->ref.field->index, o->text, sizeof o->text);
        } else {
            const cars_expr_site *s = site_of(x, r, e);
            cars_value val;
            int res = s ? site_value(x, r, s, &val) : -2;
            if (res == -2)
                return; /* not reached: nothing to say */
            o->answered = val.known;
            if (val.known)
                value_text(&e->ty, &val, o->text, sizeof o->text);
        }
        (*n)++;
        return;
    }
    if ((e->kind == CARS_E_IN && e->b && e->b->kind == CARS_E_NAME && e->b->ref_kind == CARS_REF_TABLE) ||
        e->kind == CARS_E_TUPLE_IN) {
        xval *o = &v[*n];
        memset(o, 0, sizeof *o);
        bool tuple = e->kind == CARS_E_TUPLE_IN;
        o->name = e->a ? e->a->name : "?";
        if (tuple) {
            size_t w = 0;
            for (size_t i = 0; i < e->nargs && w + 4 < sizeof o->names; i++) {
                int m = snprintf(o->names + w, sizeof o->names - w, "%s%s", i ? ", " : "(", e->args[i]->name);
                w += m > 0 ? (size_t)m : 0;
            }
            if (w + 2 <= sizeof o->names)
                memcpy(o->names + w, ")", 2);
            o->name = o->names;
        }
        const cars_expr_site *s = site_of(x, r, e);
        cars_value val = {0};
        int res = s ? site_value(x, r, s, &val) : -2;
        lookup_text(x, e->b->ref.table, tuple ? e->args : (cars_expr *const *)&e->a, tuple ? e->nargs : 1, o);
        if (res == -2)
            return;
        o->in_table = val.known && (e->negated ? !val.i : val.i);
        (*n)++;
        return;
    }
    if (e->kind == CARS_E_IN && e->b && e->b->kind == CARS_E_NAME)
        return values_of(x, r, e->a, v, n); /* the set's name is not a value */
    values_of(x, r, e->a, v, n);
    if (e->kind != CARS_E_QUANT) /* the body is about each element */
        values_of(x, r, e->b, v, n);
    values_of(x, r, e->c, v, n);
    for (size_t i = 0; i < e->nargs && e->kind != CARS_E_LIST; i++)
        values_of(x, r, e->args[i], v, n);
}

static void span_text(const cars_ast *ast, const cars_span *sp, char *out, size_t n);

static bool is_value_name(const cars_expr *e)
{
    return e && e->kind == CARS_E_NAME && (e->ref_kind == CARS_REF_FIELD || e->ref_kind == CARS_REF_LET);
}

/* What failed condition c needs of the one value it compares, as the rule
 * writes it: "> 90" (the value's side first: `90 < x` needs "> 90"),
 * "between 18 and 25", "in high_risk_routes", "not in [QZA, QZB]".
 * Written into that value's `needs`, when it was answered. */
static void set_needs(const cars_explainer *x, const cars_expr *c, xval *v, size_t n)
{
    static const char *const OPS[] = {"=", "!=", "<", "<=", ">", ">="}; /* CARS_E_EQ .. CARS_E_GE */
    static const char *const FLIPPED[] = {"=", "!=", ">", ">=", "<", "<="};
    const cars_expr *name = NULL;
    char need[160], t1[64], t2[64];
    if (c->kind >= CARS_E_EQ && c->kind <= CARS_E_GE && is_value_name(c->a) != is_value_name(c->b)) {
        bool left = is_value_name(c->a);
        name = left ? c->a : c->b;
        span_text(x->ast, &(left ? c->b : c->a)->span, t1, sizeof t1);
        snprintf(need, sizeof need, "%s %s", (left ? OPS : FLIPPED)[c->kind - CARS_E_EQ], t1);
    } else if (c->kind == CARS_E_BETWEEN && is_value_name(c->a) && c->b && c->c) {
        name = c->a;
        span_text(x->ast, &c->b->span, t1, sizeof t1);
        span_text(x->ast, &c->c->span, t2, sizeof t2);
        snprintf(need, sizeof need, "between %s and %s", t1, t2);
    } else if (c->kind == CARS_E_IN && is_value_name(c->a) && c->b &&
               !(c->b->kind == CARS_E_NAME && c->b->ref_kind == CARS_REF_TABLE)) {
        name = c->a;
        span_text(x->ast, &c->b->span, t1, sizeof t1);
        snprintf(need, sizeof need, "%sin %s", c->negated ? "not " : "", t1);
    } else {
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (!v[i].table && v[i].answered && strcmp(v[i].name, name->name) == 0)
            memcpy(v[i].needs, need, sizeof need);
}

/* ---- source text -------------------------------------------------------------- */

/* The text of span sp, whitespace runs folded to one space, at most n-1 bytes. */
static void span_text(const cars_ast *ast, const cars_span *sp, char *out, size_t n)
{
    out[0] = '\0';
    if (sp->file >= ast->nfiles || n < 8)
        return;
    const char *t = ast->files[sp->file].text;
    size_t len = ast->files[sp->file].len, i = 0;
    for (uint32_t line = 1; line < sp->line && i < len; i++)
        line += t[i] == '\n';
    i += sp->col - 1;
    size_t end = i;
    for (uint32_t line = sp->line; end < len && line < sp->end_line; end++)
        line += t[end] == '\n';
    if (sp->end_line == sp->line)
        end = i + (sp->end_col - sp->col) + 1;
    else {
        while (end > 0 && t[end - 1] != '\n')
            end--;
        end += sp->end_col;
    }
    size_t o = 0;
    bool space = false;
    for (; i < end && i < len && o + 4 < n; i++) {
        char c = t[i];
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = o > 0;
            continue;
        }
        if (space)
            out[o++] = ' ';
        space = false;
        out[o++] = c;
    }
    if (i < end && i < len)
        memcpy(out + (o > n - 4 ? n - 4 : o), "...", 4), o = 0;
    else
        out[o] = '\0';
}

static const char *file_name(const cars_ast *ast, uint32_t f)
{
    const char *path = f < ast->nfiles ? ast->files[f].path : "?";
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}


/* ---- stages ------------------------------------------------------------------ */

/* One stage as the trace saw it. */
typedef struct xstage {
    uint32_t s, ev, end;     /* stage index; its STAGE event; the event after its last */
    const cars_stage *ast;
    uint8_t decide_op;       /* the MAIN instruction after it */
    uint8_t outcome;         /* what it decides (DECIDE_IF_MATCHED; threshold met) */
    uint8_t otherwise;       /* DECIDE_THRESHOLD: when not met */
    uint16_t threshold;
    bool decided;
} xstage;

static const cars_stage *ast_stage(const cars_ast *ast, uint32_t s)
{
    for (size_t i = 0, k = 0; i < ast->nstages; i++)
        if (ast->stages[i].sel != CARS_S_OTHERWISE && k++ == s)
            return &ast->stages[i];
    return NULL;
}

static void read_stage(const cars_explainer *x, size_t i, xstage *st)
{
    const cars_program *p = x->p;
    memset(st, 0, sizeof *st);
    st->s = x->ev[i].index, st->ev = (uint32_t)i, st->ast = ast_stage(x->ast, st->s);
    const uint8_t *pc = p->code + p->blocks[0].offset + x->ev[i].at;
    const uint32_t decide_at = x->ev[i].at + cars_opinfo_table[*pc].len; /* the verifier proved MAIN's layout */
    pc += cars_opinfo_table[*pc].len;
    st->decide_op = *pc;
    st->outcome = pc[CARS_OPND(DECIDE_IF_MATCHED, 1, 1)];
    if (*pc == CARS_OP_DECIDE_THRESHOLD)
        st->threshold = cars_rd16(pc + CARS_OPND(DECIDE_THRESHOLD, 1, 2)),
        st->outcome = pc[CARS_OPND(DECIDE_THRESHOLD, 2, 1)], st->otherwise = pc[CARS_OPND(DECIDE_THRESHOLD, 3, 1)];
    size_t k = i + 1;
    while (k < x->nev && x->ev[k].kind != CARS_TR_STAGE && x->ev[k].kind != CARS_TR_DECIDE)
        k++;
    /* decided by its own instruction, not by a later `otherwise` */
    st->decided = k < x->nev && x->ev[k].kind == CARS_TR_DECIDE && x->ev[k].at == decide_at;
    st->end = (uint32_t)k;
}

/* The index event that excluded the stage's k-th rule, or -1. */
static long excluded_by(const cars_explainer *x, const xstage *st, uint32_t k)
{
    for (uint32_t i = st->ev + 1; i < st->end && x->ev[i].kind == CARS_TR_INDEX; i++)
        if (k / 64 < x->ev[i].nwords && !(x->ev[i].words[k / 64] >> (k % 64) & 1))
            return (long)i;
    return -1;
}

/* The label of a stage, as routing.cars writes it. */
static void stage_label(const cars_explainer *x, const xstage *st, char *buf, size_t n)
{
    static const char *const SEL[] = {"exclusions", "screens", "profiles", "complex singles", "noncomplex singles"};
    const cars_stage *a = st->ast;
    if (st->decide_op == CARS_OP_DECIDE_THRESHOLD) {
        const cars_str *id = &x->p->thresholds[st->threshold].id;
        snprintf(buf, n, "threshold %.*s -> %s otherwise %s", (int)id->len, id->p, cars_outcome_name(st->outcome),
                 cars_outcome_name(st->otherwise));
    } else {
        snprintf(buf, n, "%s -> %s", a && a->sel <= CARS_S_NONCOMPLEX_SINGLES ? SEL[a->sel] : "stage",
                 cars_outcome_name(st->outcome));
    }
}

/* The threshold's count against what it needs: "2 matched, 1 in tier A;
 * needs 3 with 1 in tier A". */
static void threshold_text(const cars_explainer *x, const xstage *st, char *buf, size_t n)
{
    const cars_program *p = x->p;
    const cars_pthreshold *th = &p->thresholds[st->threshold];
    const cars_pstage *ps = &p->stages[st->s];
    uint32_t total = 0, tier[CARS_MAX_TIERS] = {0};
    for (uint32_t k = 0; k < ps->n; k++) {
        uint32_t r = p->stage_rules[ps->first + k];
        if (x->value[r] == 1 && p->rules[r].kind == CARS_RK_MULTIPLE) {
            total++;
            tier[p->rules[r].tier % CARS_MAX_TIERS]++;
        }
    }
    int o = snprintf(buf, n, "%u matched", total);
    for (uint32_t t = 0; t < p->ntiers && t < CARS_MAX_TIERS && o > 0 && (size_t)o < n; t++)
        if (th->tier_min[t])
            o += snprintf(buf + o, n - (size_t)o, ", %u in tier %.*s", tier[t], (int)p->tiers[t].len, p->tiers[t].p);
    if (o > 0 && (size_t)o < n)
        o += snprintf(buf + o, n - (size_t)o, "; needs %u", th->at_least);
    for (uint32_t t = 0; t < p->ntiers && t < CARS_MAX_TIERS && o > 0 && (size_t)o < n; t++)
        if (th->tier_min[t])
            o += snprintf(buf + o, n - (size_t)o, " with %u in tier %.*s", th->tier_min[t], (int)p->tiers[t].len,
                          p->tiers[t].p);
}

/* Whether the routing ended on `otherwise -> O` (a DECIDE after every stage). */
static bool otherwise_decided(const cars_explainer *x)
{
    if (x->nev == 0 || x->ev[x->nev - 1].kind != CARS_TR_DECIDE)
        return false;
    return x->p->code[x->p->blocks[0].offset + x->ev[x->nev - 1].at] == CARS_OP_DECIDE;
}

/* ---- why not ------------------------------------------------------------------- */

/* Each rule's value for cars_vm_decide: as the trace saw it, and for a rule
 * the trace did not run, as the VM evaluates it. */
static int fill_given(cars_explainer *x)
{
    for (uint32_t r = 0; r < x->p->nrules; r++) {
        int v = x->value[r] != -2 ? x->value[r] : cars_vm_eval_rule(x->vm, x->rec, r);
        if (v == -2)
            return -1;
        x->given[r] = v == 1;
    }
    return 0;
}

/* ---- text ---------------------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void putf(cars_buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        cars_buf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static int id_width(const cars_program *p)
{
    uint32_t w = 4;
    for (uint32_t r = 0; r < p->nrules; r++)
        if (p->rules[r].id.len > w)
            w = p->rules[r].id.len;
    return (int)(w > 24 ? 24 : w);
}

static void text_values(cars_buf *b, const xval *v, size_t n, int indent)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i].table && v[i].answered)
            putf(b, "%*s%s, normalised %s, is %sin table %s\n", indent, "", v[i].name, v[i].text,
                 v[i].in_table ? "" : "not ", v[i].table);
        else if (v[i].answered && v[i].needs[0])
            putf(b, "%*s%s is %s; the rule needs %s\n", indent, "", v[i].name, v[i].text, v[i].needs);
        else if (v[i].answered)
            putf(b, "%*s%s is %s\n", indent, "", v[i].name, v[i].text);
        else
            putf(b, "%*s%s was not answered\n", indent, "", v[i].name);
    }
}

static void text_rule(cars_explainer *x, cars_buf *b, const xstage *st, uint32_t k, int w)
{
    const cars_program *p = x->p;
    uint32_t r = p->stage_rules[p->stages[st->s].first + k];
    const cars_str *id = &p->rules[r].id;
    int res;
    if (x->value[r] == -2) {
        long e = excluded_by(x, st, k);
        putf(b, "    %-*.*s  not possible", w, (int)id->len, id->p);
        if (e >= 0) {
            uint32_t f = p->indexes[x->ev[e].index].field;
            char val[96];
            bool known = field_text(x, f, val, sizeof val);
            putf(b, ": %.*s %s%s\n", (int)p->fields[f].path.len, p->fields[f].path.p, known ? "is " : "was not answered",
                 known ? val : "");
        } else {
            putf(b, "\n");
        }
        return;
    }
    const cars_expr *c = failed_condition(x, r, &res);
    const cars_rule *ar = x->ast->rules[r];
    if (x->value[r] == 1 || !c) { /* matched: its title, and the values that made it match */
        putf(b, "    %-*.*s  %-7s  %.*s\n", w, (int)id->len, id->p, RESULT[x->value[r] + 2], (int)p->rules[r].title.len,
             p->rules[r].title.p);
        xval v[MAX_VALS];
        size_t n = 0;
        values_of(x, r, ar->when, v, &n);
        text_values(b, v, n, w + 15);
        return;
    }
    char text[120];
    span_text(x->ast, &c->span, text, sizeof text);
    putf(b, "    %-*.*s  %-7s  %s  (%s:%u)\n", w, (int)id->len, id->p, RESULT[x->value[r] + 2], text,
         file_name(x->ast, c->span.file), c->span.line);
    xval v[MAX_VALS];
    size_t n = 0;
    values_of(x, r, c, v, &n);
    set_needs(x, c, v, n);
    text_values(b, v, n, w + 15);
}

/* Rule r's bits in x->gbits inverted, at each of its places in stage_rules. */
static void flip(cars_explainer *x, uint32_t r)
{
    for (uint32_t j = x->pos_first[r]; j != UINT32_MAX; j = x->pos_next[j])
        x->gbits[j / 64] ^= UINT64_C(1) << (j % 64);
}

/* Calls fn for each rule whose result, had it alone gone the other way,
 * would have changed the outcome (alt: the routing it would have had), in
 * rule order; first: no call before it. Every rule's value is worked out
 * once (fill_given), then each flip is one decision over them. 1 if fn was
 * called, 0 if not, -1 if a rule's value could not be worked out. */
typedef void why_fn(cars_explainer *x, cars_buf *b, uint32_t r, const cars_result *alt, bool first);

static int each_why_not(cars_explainer *x, cars_buf *b, const cars_result *res, why_fn *fn)
{
    bool any = false;
    if (fill_given(x) != 0)
        return -1;
    cars_vm_decide_bits_from(x->p, x->given, x->gbits);
    for (uint32_t r = 0; r < x->p->nrules; r++) {
        cars_result alt;
        flip(x, r);
        int rc = cars_vm_decide_bits(x->vm, x->gbits, &alt, NULL, 0);
        flip(x, r);
        if (rc != 0 || alt.outcome == res->outcome)
            continue;
        fn(x, b, r, &alt, !any);
        any = true;
    }
    return any;
}

static void text_why(cars_explainer *x, cars_buf *b, uint32_t r, const cars_result *alt, bool first)
{
    putf(b, "%s    had %.*s %s: %s\n", first ? "  why not:\n" : "", (int)x->p->rules[r].id.len, x->p->rules[r].id.p,
         x->given[r] ? "not matched" : "matched", cars_outcome_name(alt->outcome));
}

static void text_why_not(cars_explainer *x, cars_buf *b, const cars_result *res)
{
    if (each_why_not(x, b, res, text_why) == 0)
        putf(b, "  why not: no single rule's result would change the outcome\n");
}

static void text_record(cars_explainer *x, cars_buf *b, const cars_result *res, uint64_t no)
{
    const cars_program *p = x->p;
    const cars_record *rec = x->rec;
    putf(b, "line %" PRIu64 "%s%.*s: %s", no, rec->has_id ? ", " : "", rec->has_id ? (int)rec->id.len : 0,
         rec->has_id ? rec->id.p : "", cars_outcome_name(res->outcome));
    for (uint32_t i = 0; i < res->nrules; i++)
        putf(b, "%s%.*s", i ? ", " : " by ", (int)p->rules[res->rules[i]].id.len, p->rules[res->rules[i]].id.p);
    putf(b, "\n");
    int w = id_width(p);
    for (size_t i = 0; i < x->nev; i++) {
        if (x->ev[i].kind != CARS_TR_STAGE)
            continue;
        xstage st;
        read_stage(x, i, &st);
        char label[160], th[200];
        stage_label(x, &st, label, sizeof label);
        if (st.decide_op == CARS_OP_DECIDE_THRESHOLD) {
            threshold_text(x, &st, th, sizeof th);
            putf(b, "  %s: %s: %s\n", label, th, cars_outcome_name(res->outcome));
        } else {
            putf(b, "  %s: %s\n", label, st.decided ? "matched, decides" : "nothing matched");
        }
        for (uint32_t k = 0; k < p->stages[st.s].n; k++)
            text_rule(x, b, &st, k, w);
    }
    if (otherwise_decided(x))
        putf(b, "  otherwise -> %s\n", cars_outcome_name(res->outcome));
    if (x->truncated)
        putf(b, "  (the trace was too long to keep every step: some values are not shown)\n");
    text_why_not(x, b, res);
}

/* ---- JSON ---------------------------------------------------------------------- */

static void json_str(cars_buf *b, const char *s) { cars_json_string(b, s, strlen(s)); }
static void json_cstr(cars_buf *b, const cars_str *s) { cars_json_string(b, s->p, s->len); }

static void json_values(cars_buf *b, const xval *v, size_t n)
{
    cars_buf_puts(b, ",\"values\":[");
    for (size_t i = 0; i < n; i++) {
        cars_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
        json_str(b, v[i].name);
        putf(b, ",\"answered\":%s", v[i].answered ? "true" : "false");
        if (v[i].answered) {
            cars_buf_puts(b, v[i].table ? ",\"normalised\":" : ",\"value\":");
            json_str(b, v[i].text);
        }
        if (v[i].needs[0]) {
            cars_buf_puts(b, ",\"needs\":");
            json_str(b, v[i].needs);
        }
        if (v[i].table && v[i].answered) {
            cars_buf_puts(b, ",\"table\":");
            json_str(b, v[i].table);
            putf(b, ",\"in_table\":%s", v[i].in_table ? "true" : "false");
        }
        cars_buf_puts(b, "}");
    }
    cars_buf_puts(b, "]");
}

static void json_rule(cars_explainer *x, cars_buf *b, const xstage *st, uint32_t k)
{
    const cars_program *p = x->p;
    uint32_t r = p->stage_rules[p->stages[st->s].first + k];
    cars_buf_puts(b, "{\"rule\":");
    json_cstr(b, &p->rules[r].id);
    cars_buf_puts(b, ",\"result\":");
    json_str(b, RESULT[x->value[r] + 2]);
    if (x->value[r] == -2) {
        long e = excluded_by(x, st, k);
        if (e >= 0) {
            uint32_t f = p->indexes[x->ev[e].index].field;
            char val[96];
            bool known = field_text(x, f, val, sizeof val);
            cars_buf_puts(b, ",\"excluded_by\":{\"name\":");
            json_cstr(b, &p->fields[f].path);
            putf(b, ",\"answered\":%s", known ? "true" : "false");
            if (known) {
                cars_buf_puts(b, ",\"value\":");
                json_str(b, val);
            }
            cars_buf_puts(b, "}");
        }
        cars_buf_puts(b, "}");
        return;
    }
    int res;
    const cars_expr *c = x->value[r] == 1 ? NULL : failed_condition(x, r, &res);
    if (!c) {
        xval v[MAX_VALS];
        size_t n = 0;
        values_of(x, r, x->ast->rules[r]->when, v, &n);
        json_values(b, v, n);
    } else {
        char text[400];
        span_text(x->ast, &c->span, text, sizeof text);
        cars_buf_puts(b, ",\"condition\":{\"text\":");
        json_str(b, text);
        cars_buf_puts(b, ",\"file\":");
        json_str(b, file_name(x->ast, c->span.file));
        putf(b, ",\"line\":%u,\"column\":%u}", c->span.line, c->span.col);
        xval v[MAX_VALS];
        size_t n = 0;
        values_of(x, r, c, v, &n);
        set_needs(x, c, v, n);
        json_values(b, v, n);
    }
    cars_buf_puts(b, "}");
}

static void json_stage(cars_explainer *x, cars_buf *b, const xstage *st)
{
    char label[160];
    stage_label(x, st, label, sizeof label);
    cars_buf_puts(b, "{\"stage\":");
    json_str(b, label);
    putf(b, ",\"decided\":%s", st->decided ? "true" : "false");
    if (st->decide_op == CARS_OP_DECIDE_THRESHOLD) {
        char th[200];
        threshold_text(x, st, th, sizeof th);
        cars_buf_puts(b, ",\"threshold\":");
        json_str(b, th);
    }
    cars_buf_puts(b, ",\"rules\":[");
    for (uint32_t k = 0; k < x->p->stages[st->s].n; k++) {
        if (k)
            cars_buf_puts(b, ",");
        json_rule(x, b, st, k);
    }
    cars_buf_puts(b, "]}");
}

static void json_why(cars_explainer *x, cars_buf *b, uint32_t r, const cars_result *alt, bool first)
{
    cars_buf_puts(b, first ? "{\"rule\":" : ",{\"rule\":");
    json_cstr(b, &x->p->rules[r].id);
    putf(b, ",\"had\":\"%s\",\"outcome\":\"%s\"}", x->given[r] ? "not matched" : "matched",
         cars_outcome_name(alt->outcome));
}

static void json_why_not(cars_explainer *x, cars_buf *b, const cars_result *res)
{
    cars_buf_puts(b, ",\"why_not\":[");
    each_why_not(x, b, res, json_why);
    cars_buf_puts(b, "]");
}

static void json_record(cars_explainer *x, cars_buf *b, const cars_result *res, uint64_t no)
{
    const cars_program *p = x->p;
    putf(b, "{\"line\":%" PRIu64 ",\"id\":", no);
    if (x->rec->has_id)
        json_cstr(b, &x->rec->id);
    else
        cars_buf_puts(b, "null");
    putf(b, ",\"outcome\":\"%s\",\"rules\":[", cars_outcome_name(res->outcome));
    for (uint32_t i = 0; i < res->nrules; i++) {
        if (i)
            cars_buf_puts(b, ",");
        json_cstr(b, &p->rules[res->rules[i]].id);
    }
    cars_buf_puts(b, "],\"stages\":[");
    bool first = true;
    for (size_t i = 0; i < x->nev; i++) {
        if (x->ev[i].kind != CARS_TR_STAGE)
            continue;
        xstage st;
        read_stage(x, i, &st);
        if (!first)
            cars_buf_puts(b, ",");
        first = false;
        json_stage(x, b, &st);
    }
    putf(b, "],\"otherwise\":%s,\"complete\":%s", otherwise_decided(x) ? "true" : "false",
         x->truncated ? "false" : "true");
    json_why_not(x, b, res);
    cars_buf_puts(b, "}\n");
}

/* ---- one record ------------------------------------------------------------------ */

int cars_explain_line(cars_explainer *x, const char *line, size_t len, uint64_t no, bool json, cars_buf *out)
{
    const cars_program *p = x->p;
    x->nev = 0, x->truncated = x->nomem = false, x->nrules = 0, x->rec = NULL;
    x->outcome = CARS_OUT_ERROR;
    if (!cars_reader_parse(x->rd, line, len)) {
        const char *why = cars_reader_error(x->rd);
        if (json) {
            putf(out, "{\"line\":%" PRIu64 ",\"outcome\":\"ERROR\",\"error\":", no);
            json_str(out, why);
            cars_buf_puts(out, "}\n");
        } else {
            putf(out, "line %" PRIu64 ": ERROR: %s\n", no, why);
        }
        return cars_reader_out_of_memory(x->rd) ? -1 : CARS_OUT_ERROR;
    }
    x->rec = cars_reader_record(x->rd);
    cars_result res;
    char err[200];
    if (cars_vm_trace(x->vm, x->rec, &res, collect, x, err, sizeof err) != 0 || x->nomem) {
        putf(out, "internal error: %s\n", x->nomem ? "out of memory" : err);
        return -1;
    }
    memset(x->value, 0xFE, p->nrules); /* -2: not evaluated */
    for (size_t i = 0; i < x->nev; i++) {
        const cars_trace_event *e = &x->ev[i];
        if (e->kind == CARS_TR_RULE)
            x->rule_ev[e->index] = (uint32_t)i;
        else if (e->kind == CARS_TR_RULE_END)
            x->value[e->index] = (int8_t)(e->value.known ? e->value.i != 0 : -1);
    }
    x->outcome = res.outcome;
    x->nrules = res.nrules;
    memcpy(x->rules, res.rules, res.nrules * sizeof *x->rules);
    if (json)
        json_record(x, out, &res, no);
    else
        text_record(x, out, &res, no);
    return out->failed ? -1 : res.outcome;
}

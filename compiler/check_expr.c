/* check_expr.c - name resolution and type checking of expressions.
 *
 * Every expression gets a type (e->ty), the protected characteristics it
 * reads (e->protect) and, for names, what the name refers to (e->ref_kind,
 * e->ref). A bare name that is neither a field nor a definition, set or table
 * is read as an enumeration member or a country code when the other side of
 * the comparison says so. CARS_T_ERROR marks an expression already reported:
 * nothing is reported about it again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"
#include "program.h"

static const cars_type T_ERR = {CARS_T_ERROR, NULL};
static const cars_type T_BOOL = {CARS_T_BOOL, NULL};
static const cars_type T_INT = {CARS_T_INTEGER, NULL};
static const cars_type T_NUM = {CARS_T_NUMBER, NULL};

/* ---- lookups ------------------------------------------------------------ */

/* The name index of cars_ast (see ast.h). */
typedef struct cars_name_ix {
    const char *name;
    unsigned kind; /* enum ix_kind */
    size_t order;  /* position in its array: the first declaration wins */
    void *node;
} cars_name_ix;

enum ix_kind { IX_FIELD, IX_LET, IX_SET, IX_TABLE };

static int ix_cmp(const void *x, const void *y)
{
    const cars_name_ix *a = x, *b = y;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    return (a->order > b->order) - (a->order < b->order);
}

void cars_ck_index_names(cars_ast *ast, cars_arena *a)
{
    size_t n = ast->nfields + ast->nlets + ast->nsets + ast->ntables, k = 0;
    cars_name_ix *ix = cars_arena_alloc(a, (n + 1) * sizeof *ix);
    if (!ix)
        return; /* lookups scan instead */
    for (size_t i = 0; i < ast->nfields; i++)
        ix[k++] = (cars_name_ix){ast->fields[i].path, IX_FIELD, i, &ast->fields[i]};
    for (size_t i = 0; i < ast->nlets; i++)
        ix[k++] = (cars_name_ix){ast->lets[i]->name, IX_LET, i, ast->lets[i]};
    for (size_t i = 0; i < ast->nsets; i++)
        ix[k++] = (cars_name_ix){ast->sets[i]->name, IX_SET, i, ast->sets[i]};
    for (size_t i = 0; i < ast->ntables; i++)
        ix[k++] = (cars_name_ix){ast->tables[i]->name, IX_TABLE, i, ast->tables[i]};
    qsort(ix, n, sizeof *ix, ix_cmp);
    ast->name_ix = ix;
    ast->nname_ix = n;
}

/* The first declaration of `name` of this kind, by binary search. */
static void *ix_find(const cars_ast *ast, unsigned kind, const char *name)
{
    cars_name_ix want = {name, kind, 0, NULL};
    size_t lo = 0, hi = ast->nname_ix;
    while (lo < hi) { /* the first entry not below (kind, name, 0) */
        size_t mid = lo + (hi - lo) / 2;
        if (ix_cmp(&ast->name_ix[mid], &want) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < ast->nname_ix && ast->name_ix[lo].kind == kind && strcmp(ast->name_ix[lo].name, name) == 0)
        return ast->name_ix[lo].node;
    return NULL;
}

const cars_field *cars_ck_field(const cars_ast *ast, const char *path)
{
    if (ast->name_ix)
        return ix_find(ast, IX_FIELD, path);
    for (size_t i = 0; i < ast->nfields; i++)
        if (strcmp(ast->fields[i].path, path) == 0)
            return &ast->fields[i];
    return NULL;
}

const cars_field *cars_ck_elem(const cars_field *list, const char *key)
{
    for (size_t i = 0; i < list->nelems; i++)
        if (strcmp(list->elems[i].path, key) == 0)
            return &list->elems[i];
    return NULL;
}

cars_let *cars_ck_find_let(const cars_ast *ast, const char *name)
{
    if (ast->name_ix)
        return ix_find(ast, IX_LET, name);
    for (size_t i = 0; i < ast->nlets; i++)
        if (strcmp(ast->lets[i]->name, name) == 0)
            return ast->lets[i];
    return NULL;
}

cars_set *cars_ck_find_set(const cars_ast *ast, const char *name)
{
    if (ast->name_ix)
        return ix_find(ast, IX_SET, name);
    for (size_t i = 0; i < ast->nsets; i++)
        if (strcmp(ast->sets[i]->name, name) == 0)
            return ast->sets[i];
    return NULL;
}

cars_table *cars_ck_find_table(const cars_ast *ast, const char *name)
{
    if (ast->name_ix)
        return ix_find(ast, IX_TABLE, name);
    for (size_t i = 0; i < ast->ntables; i++)
        if (strcmp(ast->tables[i]->name, name) == 0)
            return ast->tables[i];
    return NULL;
}

int cars_ck_member(const cars_field *f, const char *name)
{
    for (size_t i = 0; i < f->members.n; i++)
        if (strcmp(f->members.names[i], name) == 0)
            return (int)i;
    return -1;
}

/* ---- hints -------------------------------------------------------------- */

const char *cars_ck_nearest(const char *name, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    size_t limit = strlen(name) / 3 + 1;
    if (limit > 3)
        limit = 3;
    for (size_t i = 0; i < n; i++) {
        size_t dist = cars_edit_distance(name, strlen(name), cands[i], strlen(cands[i]));
        if (dist <= limit && dist < best_d) {
            best = cands[i];
            best_d = dist;
        }
    }
    return best;
}

const char *cars_ck_did_you_mean(const char *best, char *buf, size_t size)
{
    if (!best)
        return NULL;
    snprintf(buf, size, "did you mean '%s'?", best);
    return buf;
}

const char *cars_ck_type_name(cars_type t)
{
    switch (t.kind) {
    case CARS_T_BOOL: return "bool";
    case CARS_T_INTEGER: return "integer";
    case CARS_T_NUMBER: return "number";
    case CARS_T_STRING: return "string";
    case CARS_T_DATE: return "date";
    case CARS_T_DAYS: return "days";
    case CARS_T_COUNTRY: return "country";
    case CARS_T_ENUM: return "enumeration";
    case CARS_T_LIST: return "list";
    case CARS_T_SETLIT: return "set";
    case CARS_T_ERROR: break;
    }
    return "error";
}

/* Candidates for an unknown name: fields, definitions, sets, tables, and the
 * enclosing quantifier's element fields. */
static const char *nearest_name(cars_ck *c, const char *name, char *buf, size_t size)
{
    const cars_ast *ast = c->ast;
    size_t n = ast->nfields + ast->nlets + ast->nsets + ast->ntables + 8;
    if (c->list)
        n += c->list->nelems;
    const char **cands = cars_arena_alloc(c->a, n * sizeof *cands);
    if (!cands)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < ast->nfields; i++)
        cands[k++] = ast->fields[i].path;
    for (size_t i = 0; i < ast->nlets; i++)
        cands[k++] = ast->lets[i]->name;
    for (size_t i = 0; i < ast->nsets; i++)
        cands[k++] = ast->sets[i]->name;
    for (size_t i = 0; i < ast->ntables; i++)
        cands[k++] = ast->tables[i]->name;
    for (size_t i = 0; c->list && i < c->list->nelems; i++) {
        size_t len = strlen(c->var) + strlen(c->list->elems[i].path) + 2;
        char *s = cars_arena_alloc(c->a, len);
        if (s) {
            snprintf(s, len, "%s.%s", c->var, c->list->elems[i].path);
            cands[k++] = s;
        }
    }
    return cars_ck_did_you_mean(cars_ck_nearest(name, cands, k), buf, size);
}

/* "[tourism, business, family, ...]" */
static void members_text(const cars_field *f, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    for (size_t i = 0; i < f->members.n && used < size; i++) {
        if (i == 4 && f->members.n > 5) {
            used += (size_t)snprintf(buf + used, size - used, ", ...");
            break;
        }
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                                 f->members.names[i]);
    }
    if (used < size)
        snprintf(buf + used, size - used, "]");
}

/* ---- names -------------------------------------------------------------- */

static bool is_country_code(const char *s)
{
    return strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
           s[2] >= 'A' && s[2] <= 'Z';
}

static cars_type field_type(const cars_field *f)
{
    cars_type t = {f->type, NULL};
    if (f->type == CARS_T_ENUM || f->type == CARS_T_LIST)
        t.field = f;
    return t;
}

/* A member or country code named by a bare name, given the wanted type. */
static cars_type resolve_constant(cars_ck *c, cars_expr *e, const cars_type *want)
{
    char buf[256], hint[160];
    if (want && want->kind == CARS_T_ENUM) {
        int idx = cars_ck_member(want->field, e->name);
        if (idx >= 0) {
            e->ref_kind = CARS_REF_MEMBER;
            e->ival = idx;
            return *want;
        }
        members_text(want->field, buf, sizeof buf);
        const char *near = cars_ck_nearest(e->name, want->field->members.names,
                                           want->field->members.n);
        cars_error(c->d, &e->span, cars_ck_did_you_mean(near, hint, sizeof hint),
                   "'%s' is one of %s; '%s' is not a member", want->field->path, buf, e->name);
        return T_ERR;
    }
    if (want && want->kind == CARS_T_COUNTRY) {
        if (is_country_code(e->name)) {
            e->ref_kind = CARS_REF_COUNTRY;
            e->ival = cars_country_code(e->name);
            return *want;
        }
        cars_error(c->d, &e->span, "country codes are three upper-case letters, e.g. USA",
                   "'%s' is not a country code", e->name);
        return T_ERR;
    }
    cars_error(c->d, &e->span, nearest_name(c, e->name, hint, sizeof hint), "unknown %s '%s'",
               strchr(e->name, '.') ? "field" : "name", e->name);
    return T_ERR;
}

static cars_type resolve_elem(cars_ck *c, cars_expr *e)
{
    char hint[160];
    size_t vlen = strlen(c->var);
    if (e->name[vlen] == '\0') {
        e->ref_kind = CARS_REF_VAR;
        cars_error(c->d, &e->span, NULL,
                   "'%s' is an element of '%s'; use one of its fields, e.g. '%s.%s'", c->var,
                   c->list->path, c->var, c->list->nelems ? c->list->elems[0].path : "x");
        return T_ERR;
    }
    const cars_field *f = cars_ck_elem(c->list, e->name + vlen + 1);
    if (!f) {
        cars_error(c->d, &e->span, nearest_name(c, e->name, hint, sizeof hint),
                   "'%s' has no element field '%s'", c->list->path, e->name + vlen + 1);
        return T_ERR;
    }
    e->ref_kind = CARS_REF_ELEM;
    e->ref.field = f;
    e->protect = f->protect;
    return field_type(f);
}

static bool names_var(const cars_ck *c, const char *name)
{
    if (!c->var)
        return false;
    size_t n = strlen(c->var);
    return strncmp(name, c->var, n) == 0 && (name[n] == '\0' || name[n] == '.');
}

/* Whether `e` is a bare name that only a wanted type can give meaning to. */
bool cars_ck_is_bare(const cars_ck *c, const cars_expr *e)
{
    return e->kind == CARS_E_NAME && !names_var(c, e->name) &&
           !cars_ck_find_let(c->ast, e->name) && !cars_ck_field(c->ast, e->name) &&
           !cars_ck_find_set(c->ast, e->name) && !cars_ck_find_table(c->ast, e->name);
}

static cars_type resolve_name(cars_ck *c, cars_expr *e, const cars_type *want)
{
    if (names_var(c, e->name))
        return resolve_elem(c, e);
    if (want && want->kind == CARS_T_ENUM && cars_ck_member(want->field, e->name) >= 0)
        return resolve_constant(c, e, want); /* a member, even if also a name */
    cars_let *l = cars_ck_find_let(c->ast, e->name);
    if (l) {
        e->ref_kind = CARS_REF_LET;
        e->ref.let = l;
        l->used = true;
        if (l->checking) {
            cars_error(c->d, &e->span, NULL, "definition '%s' depends on itself", l->name);
            return T_ERR;
        }
        cars_ck_let(c, l);
        e->protect = l->value ? l->value->protect : 0;
        return l->value ? l->value->ty : T_ERR;
    }
    const cars_field *f = cars_ck_field(c->ast, e->name);
    if (f) {
        e->ref_kind = CARS_REF_FIELD;
        e->ref.field = f;
        e->protect = f->protect;
        return field_type(f);
    }
    cars_set *s = cars_ck_find_set(c->ast, e->name);
    if (s) {
        e->ref_kind = CARS_REF_SET;
        e->ref.set = s;
        s->used = true;
        return (cars_type){CARS_T_SETLIT, NULL};
    }
    cars_table *t = cars_ck_find_table(c->ast, e->name);
    if (t) {
        e->ref_kind = CARS_REF_TABLE;
        e->ref.table = t;
        t->used = true;
        return (cars_type){CARS_T_SETLIT, NULL};
    }
    return resolve_constant(c, e, want);
}

void cars_ck_let(cars_ck *c, cars_let *l)
{
    if (l->checked || l->checking || !l->value)
        return;
    l->checking = true;
    const char *var = c->var;
    const cars_field *list = c->list;
    c->var = NULL;
    c->list = NULL;
    cars_type t = cars_ck_expr(c, l->value, NULL);
    c->var = var;
    c->list = list;
    if (t.kind == CARS_T_SETLIT || t.kind == CARS_T_LIST || t.kind == CARS_T_DAYS) {
        cars_error(c->d, &l->value->span, NULL, "a definition must be a value, not a %s",
                   cars_ck_type_name(t));
        l->value->ty = T_ERR;
    }
    l->checking = false;
    l->checked = true;
}

/* ---- operators ---------------------------------------------------------- */

static const char *op_text(cars_expr_kind k)
{
    switch (k) {
    case CARS_E_AND: return "and";
    case CARS_E_OR: return "or";
    case CARS_E_NOT: return "not";
    case CARS_E_EQ: return "=";
    case CARS_E_NE: return "!=";
    case CARS_E_LT: return "<";
    case CARS_E_LE: return "<=";
    case CARS_E_GT: return ">";
    case CARS_E_GE: return ">=";
    case CARS_E_ADD: return "+";
    case CARS_E_SUB: return "-";
    case CARS_E_MUL: return "*";
    case CARS_E_NEG: return "-";
    default: return "?";
    }
}

static bool is_numeric(cars_type_kind k) { return k == CARS_T_INTEGER || k == CARS_T_NUMBER; }

/* Whether `e` is a top-level field named directly (not through a let). */
static const cars_field *direct_field(const cars_expr *e)
{
    return e->kind == CARS_E_NAME && e->ref_kind == CARS_REF_FIELD ? e->ref.field : NULL;
}

static const char *const STRING_RULE =
    "a string can only be compared with = or != against a literal, tested with 'in [...]' or "
    "'is present', or looked up in a table";

/* Check both operands of a binary operator, resolving a bare name on one side
 * by the type of the other. */
static void check_pair(cars_ck *c, cars_expr *e, cars_type *ta, cars_type *tb)
{
    bool swap = cars_ck_is_bare(c, e->a) && !cars_ck_is_bare(c, e->b);
    cars_expr *first = swap ? e->b : e->a, *second = swap ? e->a : e->b;
    cars_type t1 = cars_ck_expr(c, first, NULL), t2 = T_ERR;
    if (t1.kind != CARS_T_ERROR || !cars_ck_is_bare(c, second))
        t2 = cars_ck_expr(c, second, &t1); /* else: a constant with no type to take */
    else
        second->ty = T_ERR;
    *ta = swap ? t2 : t1;
    *tb = swap ? t1 : t2;
    e->protect = e->a->protect | e->b->protect;
}

static bool same_type(cars_type a, cars_type b)
{
    if (a.kind != b.kind)
        return is_numeric(a.kind) && is_numeric(b.kind);
    if (a.kind == CARS_T_ENUM)
        return a.field == b.field;
    return true;
}

static cars_type check_string_eq(cars_ck *c, cars_expr *e)
{
    const cars_expr *lit = e->a->kind == CARS_E_STR ? e->a : e->b;
    const cars_expr *other = lit == e->a ? e->b : e->a;
    if (lit->kind != CARS_E_STR || !direct_field(other)) {
        cars_error(c->d, &e->span, STRING_RULE, "cannot compare %s with %s",
                   cars_ck_type_name(e->a->ty), cars_ck_type_name(e->b->ty));
        return T_ERR;
    }
    return T_BOOL;
}

static cars_type compare_types(cars_ck *c, cars_expr *e)
{
    cars_type ta, tb;
    check_pair(c, e, &ta, &tb);
    if (ta.kind == CARS_T_ERROR || tb.kind == CARS_T_ERROR)
        return T_ERR;
    bool eq = e->kind == CARS_E_EQ || e->kind == CARS_E_NE;
    if (ta.kind == CARS_T_STRING || tb.kind == CARS_T_STRING) {
        if (eq && ta.kind == tb.kind)
            return check_string_eq(c, e);
        const cars_expr *lit = ta.kind == CARS_T_STRING ? e->a : e->b;
        cars_type other = ta.kind == CARS_T_STRING ? tb : ta;
        if (lit->kind == CARS_E_STR && other.kind == CARS_T_ENUM) {
            char hint[160], members[256];
            snprintf(hint, sizeof hint, "write the member without quotes: %s", lit->sval);
            members_text(other.field, members, sizeof members);
            cars_error(c->d, &lit->span, cars_ck_member(other.field, lit->sval) >= 0 ? hint : NULL,
                       "'%s' is one of %s; compare it with a member, not a string",
                       other.field->path, members);
            return T_ERR;
        }
        cars_error(c->d, &e->span, STRING_RULE, "cannot compare %s with %s",
                   cars_ck_type_name(ta), cars_ck_type_name(tb));
        return T_ERR;
    }
    if (ta.kind == CARS_T_ENUM && tb.kind == CARS_T_ENUM && ta.field != tb.field) {
        cars_error(c->d, &e->span, NULL, "cannot compare '%s' with '%s': they are different "
                   "enumerations", ta.field->path, tb.field->path);
        return T_ERR;
    }
    if (!same_type(ta, tb)) {
        cars_error(c->d, &e->span, NULL, "cannot compare %s with %s", cars_ck_type_name(ta),
                   cars_ck_type_name(tb));
        return T_ERR;
    }
    bool ordered = is_numeric(ta.kind) || ta.kind == CARS_T_DATE;
    bool equatable = ordered || ta.kind == CARS_T_BOOL || ta.kind == CARS_T_COUNTRY ||
                     ta.kind == CARS_T_ENUM;
    if (!(eq ? equatable : ordered)) {
        cars_error(c->d, &e->span, NULL, "'%s' cannot compare %s values", op_text(e->kind),
                   cars_ck_type_name(ta));
        return T_ERR;
    }
    return T_BOOL;
}

/* A constant a proxy of nationality can be compared with: a country code,
 * or (if the schema typed it otherwise) a member or a string literal. */
static bool proxy_constant(const cars_expr *e)
{
    return e->kind == CARS_E_STR ||
           (e->kind == CARS_E_NAME &&
            (e->ref_kind == CARS_REF_COUNTRY || e->ref_kind == CARS_REF_MEMBER));
}

/* `=` and `!=` of a proxy of nationality with a particular country single
 * applicants out by country, as nationality does (check.c, lawful basis). */
static cars_type check_compare(cars_ck *c, cars_expr *e)
{
    cars_type t = compare_types(c, e);
    if (t.kind == CARS_T_BOOL && (e->kind == CARS_E_EQ || e->kind == CARS_E_NE) &&
        ((cars_ck_proxy(e->a) && proxy_constant(e->b)) ||
         (cars_ck_proxy(e->b) && proxy_constant(e->a))))
        e->protect |= CARS_PROT_NAT_PROXY;
    return t;
}

static cars_type check_logic(cars_ck *c, cars_expr *e)
{
    cars_type ta = cars_ck_expr(c, e->a, NULL);
    cars_type tb = e->b ? cars_ck_expr(c, e->b, NULL) : T_BOOL;
    e->protect = e->a->protect | (e->b ? e->b->protect : 0);
    bool bad = false;
    cars_expr *ops[2] = {e->a, e->b};
    cars_type ts[2] = {ta, tb};
    for (int i = 0; i < 2; i++) {
        if (!ops[i] || ts[i].kind == CARS_T_BOOL || ts[i].kind == CARS_T_ERROR)
            continue;
        cars_error(c->d, &ops[i]->span, NULL, "'%s' needs bool operands, got %s",
                   op_text(e->kind), cars_ck_type_name(ts[i]));
        bad = true;
    }
    return bad || ta.kind == CARS_T_ERROR || tb.kind == CARS_T_ERROR ? T_ERR : T_BOOL;
}

static cars_type check_arith(cars_ck *c, cars_expr *e)
{
    cars_type ta = cars_ck_expr(c, e->a, NULL);
    cars_type tb = cars_ck_expr(c, e->b, NULL);
    e->protect = e->a->protect | e->b->protect;
    if (ta.kind == CARS_T_ERROR || tb.kind == CARS_T_ERROR)
        return T_ERR;
    if (is_numeric(ta.kind) && is_numeric(tb.kind))
        return ta.kind == CARS_T_NUMBER || tb.kind == CARS_T_NUMBER ? T_NUM : T_INT;
    if (e->kind != CARS_E_MUL && ta.kind == CARS_T_DATE && tb.kind == CARS_T_DAYS)
        return ta;
    if (ta.kind == CARS_T_DATE || tb.kind == CARS_T_DATE || tb.kind == CARS_T_DAYS ||
        ta.kind == CARS_T_DAYS)
        cars_error(c->d, &e->span, "write 'DATE + N days' or 'DATE - N days'",
                   "dates allow only + or - a number of days, not %s %s %s",
                   cars_ck_type_name(ta), op_text(e->kind), cars_ck_type_name(tb));
    else
        cars_error(c->d, &e->span, NULL, "'%s' needs integer or number operands, got %s and %s",
                   op_text(e->kind), cars_ck_type_name(ta), cars_ck_type_name(tb));
    return T_ERR;
}

static cars_type check_neg(cars_ck *c, cars_expr *e)
{
    cars_type t = cars_ck_expr(c, e->a, NULL);
    e->protect = e->a->protect;
    if (t.kind == CARS_T_ERROR || is_numeric(t.kind))
        return t;
    cars_error(c->d, &e->span, NULL, "'-' needs an integer or number, got %s",
               cars_ck_type_name(t));
    return T_ERR;
}

static cars_type check_days(cars_ck *c, cars_expr *e)
{
    cars_type t = cars_ck_expr(c, e->a, NULL);
    e->protect = e->a->protect;
    if (t.kind == CARS_T_ERROR)
        return T_ERR;
    if (t.kind != CARS_T_INTEGER) {
        cars_error(c->d, &e->a->span, NULL, "'days' needs an integer, got %s",
                   cars_ck_type_name(t));
        return T_ERR;
    }
    return (cars_type){CARS_T_DAYS, NULL};
}

static bool orderable(cars_type t) { return is_numeric(t.kind) || t.kind == CARS_T_DATE; }

static cars_type check_between(cars_ck *c, cars_expr *e)
{
    cars_type ta = cars_ck_expr(c, e->a, NULL);
    cars_type tb = cars_ck_expr(c, e->b, NULL);
    cars_type tc = cars_ck_expr(c, e->c, NULL);
    e->protect = e->a->protect | e->b->protect | e->c->protect;
    if (ta.kind == CARS_T_ERROR || tb.kind == CARS_T_ERROR || tc.kind == CARS_T_ERROR)
        return T_ERR;
    if (!orderable(ta) || !same_type(ta, tb) || !same_type(ta, tc)) {
        cars_error(c->d, &e->span, NULL, "'between' needs integers, numbers or dates, got %s "
                   "between %s and %s", cars_ck_type_name(ta), cars_ck_type_name(tb),
                   cars_ck_type_name(tc));
        return T_ERR;
    }
    return T_BOOL;
}

static cars_type check_within(cars_ck *c, cars_expr *e)
{
    cars_type ta = cars_ck_expr(c, e->a, NULL);
    cars_type tb = cars_ck_expr(c, e->b, NULL);
    e->protect = e->a->protect | e->b->protect | (c->reference ? c->reference->protect : 0);
    bool bad = ta.kind == CARS_T_ERROR || tb.kind == CARS_T_ERROR;
    if (!bad && ta.kind != CARS_T_INTEGER) {
        cars_error(c->d, &e->a->span, NULL, "'within last N years' needs an integer year, got %s",
                   cars_ck_type_name(ta));
        bad = true;
    }
    if (!bad && tb.kind != CARS_T_INTEGER) {
        cars_error(c->d, &e->b->span, NULL, "the number of years must be an integer, got %s",
                   cars_ck_type_name(tb));
        bad = true;
    }
    if (!bad && !c->reference) {
        cars_error(c->d, &e->span, "mark one date field of the schema 'reference'",
                   "'within last N years' needs a reference date in the schema");
        bad = true;
    }
    return bad ? T_ERR : T_BOOL;
}

static cars_type check_call(cars_ck *c, cars_expr *e)
{
    static const char *const fns[] = {"year", "years_between"};
    char hint[160];
    size_t want_args;
    if (strcmp(e->name, "year") == 0)
        want_args = 1;
    else if (strcmp(e->name, "years_between") == 0)
        want_args = 2;
    else {
        for (size_t i = 0; i < e->nargs; i++)
            cars_ck_expr(c, e->args[i], NULL);
        cars_error(c->d, &e->span, cars_ck_did_you_mean(cars_ck_nearest(e->name, fns, 2), hint,
                                                         sizeof hint),
                   "unknown function '%s'", e->name);
        return T_ERR;
    }
    bool bad = false;
    for (size_t i = 0; i < e->nargs; i++) {
        cars_type t = cars_ck_expr(c, e->args[i], NULL);
        e->protect |= e->args[i]->protect;
        if (t.kind == CARS_T_ERROR)
            bad = true;
        else if (t.kind != CARS_T_DATE && i < want_args) {
            cars_error(c->d, &e->args[i]->span, NULL, "'%s' needs a date, got %s", e->name,
                       cars_ck_type_name(t));
            bad = true;
        }
    }
    if (e->nargs != want_args) {
        cars_error(c->d, &e->span, NULL, "'%s' takes %zu argument%s, got %zu", e->name,
                   want_args, want_args == 1 ? "" : "s", e->nargs);
        bad = true;
    }
    return bad ? T_ERR : T_INT;
}

static cars_type check_present(cars_ck *c, cars_expr *e)
{
    cars_type t = cars_ck_expr(c, e->a, NULL);
    e->protect = e->a->protect;
    if (t.kind == CARS_T_ERROR)
        return T_ERR;
    if (e->a->kind != CARS_E_NAME ||
        (e->a->ref_kind != CARS_REF_FIELD && e->a->ref_kind != CARS_REF_ELEM)) {
        cars_error(c->d, &e->a->span, NULL, "'is %s' needs a field of the schema",
                   e->negated ? "absent" : "present");
        return T_ERR;
    }
    return T_BOOL;
}

static cars_type check_quant(cars_ck *c, cars_expr *e)
{
    if (c->var) {
        cars_error(c->d, &e->span, NULL, "quantifiers may not be nested (v1)");
        return T_ERR;
    }
    cars_type tl = cars_ck_expr(c, e->a, NULL);
    e->protect = e->a->protect;
    if (tl.kind == CARS_T_ERROR)
        return T_ERR;
    if (tl.kind != CARS_T_LIST || e->a->ref_kind != CARS_REF_FIELD) {
        cars_error(c->d, &e->a->span, NULL, "a quantifier needs a list field, got %s",
                   cars_ck_type_name(tl));
        return T_ERR;
    }
    if (cars_ck_field(c->ast, e->name) || cars_ck_find_let(c->ast, e->name)) {
        cars_error(c->d, &e->name_span, NULL,
                   "'%s' is already a name; choose another variable", e->name);
        return T_ERR;
    }
    bool bad = false;
    if (e->b) {
        c->var = e->name;
        c->list = e->a->ref.field;
        cars_type tb = cars_ck_expr(c, e->b, NULL);
        c->var = NULL;
        c->list = NULL;
        e->protect |= e->b->protect;
        if (tb.kind == CARS_T_ERROR)
            bad = true;
        else if (tb.kind != CARS_T_BOOL) {
            cars_error(c->d, &e->b->span, NULL, "'where' needs a bool condition, got %s",
                       cars_ck_type_name(tb));
            bad = true;
        }
    } else if (e->quant != CARS_Q_COUNT) {
        cars_error(c->d, &e->span, NULL, "this quantifier needs a 'where' condition");
        bad = true;
    }
    if (bad)
        return T_ERR;
    return e->quant == CARS_Q_COUNT ? T_INT : T_BOOL;
}

/* Whether a let (directly or through other lets) contains a quantifier. */
static bool has_quant(const cars_expr *e, int depth)
{
    if (!e || depth > 64)
        return false;
    if (e->kind == CARS_E_QUANT)
        return true;
    if (e->kind == CARS_E_NAME && e->ref_kind == CARS_REF_LET && e->ref.let->value)
        return has_quant(e->ref.let->value, depth + 1);
    if (has_quant(e->a, depth) || has_quant(e->b, depth) || has_quant(e->c, depth))
        return true;
    for (size_t i = 0; i < e->nargs; i++)
        if (has_quant(e->args[i], depth))
            return true;
    return false;
}

static cars_type check_list_alone(cars_ck *c, cars_expr *e)
{
    cars_error(c->d, &e->span, NULL, "a list can only follow 'in'");
    return T_ERR;
}

static cars_type check_name(cars_ck *c, cars_expr *e, const cars_type *want)
{
    cars_type t = resolve_name(c, e, want);
    if (t.kind == CARS_T_SETLIT) {
        cars_error(c->d, &e->span, NULL, "'%s' is a %s; it can only follow 'in'", e->name,
                   e->ref_kind == CARS_REF_SET ? "set" : "table");
        return T_ERR;
    }
    if (c->var && e->ref_kind == CARS_REF_LET && has_quant(e->ref.let->value, 0)) {
        cars_error(c->d, &e->span, NULL,
                   "'%s' contains a quantifier; quantifiers may not be nested (v1)", e->name);
        return T_ERR;
    }
    return t;
}

static cars_type check_literal(cars_expr *e)
{
    switch (e->kind) {
    case CARS_E_INT: return T_INT;
    case CARS_E_NUM: return T_NUM;
    case CARS_E_STR: return (cars_type){CARS_T_STRING, NULL};
    case CARS_E_DATE: return (cars_type){CARS_T_DATE, NULL};
    default: return T_BOOL;
    }
}

static cars_type check_kind(cars_ck *c, cars_expr *e, const cars_type *want)
{
    switch (e->kind) {
    case CARS_E_INT: case CARS_E_NUM: case CARS_E_STR: case CARS_E_DATE: case CARS_E_BOOL:
        return check_literal(e);
    case CARS_E_NAME: return check_name(c, e, want);
    case CARS_E_CALL: return check_call(c, e);
    case CARS_E_NOT: case CARS_E_AND: case CARS_E_OR: return check_logic(c, e);
    case CARS_E_NEG: return check_neg(c, e);
    case CARS_E_EQ: case CARS_E_NE: case CARS_E_LT: case CARS_E_LE: case CARS_E_GT:
    case CARS_E_GE:
        return check_compare(c, e);
    case CARS_E_ADD: case CARS_E_SUB: case CARS_E_MUL: return check_arith(c, e);
    case CARS_E_DAYS: return check_days(c, e);
    case CARS_E_BETWEEN: return check_between(c, e);
    case CARS_E_WITHIN: return check_within(c, e);
    case CARS_E_IN: case CARS_E_TUPLE_IN: return cars_ck_in(c, e);
    case CARS_E_LIST: return check_list_alone(c, e);
    case CARS_E_PRESENT: return check_present(c, e);
    case CARS_E_QUANT: return check_quant(c, e);
    }
    return T_ERR;
}

cars_type cars_ck_expr(cars_ck *c, cars_expr *e, const cars_type *want)
{
    e->protect = 0;
    e->ty = check_kind(c, e, want);
    return e->ty;
}

/* check_in.c - checking set membership (`x in [...]`, `x in set`), bulk
 * table lookups (`x in table`, `(a, b) in table`) and the values written in
 * examples and tests. */
#include <stdio.h>
#include <string.h>

#include "check_int.h"

static const cars_type T_ERR = {CARS_T_ERROR, NULL};
static const cars_type T_BOOL = {CARS_T_BOOL, NULL};

static const cars_field *direct_field(const cars_expr *e)
{
    return e->kind == CARS_E_NAME && e->ref_kind == CARS_REF_FIELD ? e->ref.field : NULL;
}

static bool is_int_literal(const cars_expr *e)
{
    return e->kind == CARS_E_INT || (e->kind == CARS_E_NEG && e->a->kind == CARS_E_INT);
}

static bool is_num_literal(const cars_expr *e)
{
    return is_int_literal(e) || e->kind == CARS_E_NUM ||
           (e->kind == CARS_E_NEG && e->a->kind == CARS_E_NUM);
}

/* Whether a member expression is a constant of type `t` (already checked). */
static bool is_constant_of(const cars_expr *m, cars_type t)
{
    switch (t.kind) {
    case CARS_T_ENUM: return m->kind == CARS_E_NAME && m->ref_kind == CARS_REF_MEMBER;
    case CARS_T_COUNTRY: return m->kind == CARS_E_NAME && m->ref_kind == CARS_REF_COUNTRY;
    case CARS_T_INTEGER: return is_int_literal(m);
    case CARS_T_STRING: return m->kind == CARS_E_STR;
    default: return false;
    }
}

/* Check the members of a list against the type of the value tested. */
static bool check_members(cars_ck *c, cars_expr *const *ms, size_t n, cars_type t,
                          const cars_expr *value)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        cars_expr *m = ms[i];
        cars_type tm = cars_ck_expr(c, m, &t);
        if (tm.kind == CARS_T_ERROR) {
            ok = false;
            continue;
        }
        if (!is_constant_of(m, t)) {
            if (m->kind == CARS_E_NAME && m->ref_kind != CARS_REF_MEMBER &&
                m->ref_kind != CARS_REF_COUNTRY)
                cars_error(c->d, &m->span, NULL, "set members must be constants; '%s' is a name",
                           m->name);
            else
                cars_error(c->d, &m->span, NULL, "this member is %s %s; '%s' is %s %s",
                           tm.kind == CARS_T_INTEGER ? "an" : "a", cars_ck_type_name(tm),
                           value->kind == CARS_E_NAME ? value->name : "the value",
                           t.kind == CARS_T_INTEGER || t.kind == CARS_T_ENUM ? "an" : "a",
                           cars_ck_type_name(t));
            ok = false;
        }
    }
    return ok;
}

static bool member_type_ok(cars_ck *c, cars_expr *e, cars_type ta)
{
    switch (ta.kind) {
    case CARS_T_ENUM: case CARS_T_COUNTRY: case CARS_T_INTEGER:
        return true;
    case CARS_T_STRING:
        if (direct_field(e->a))
            return true;
        cars_error(c->d, &e->a->span, NULL,
                   "'in' on a string needs a field of the schema, not an expression");
        return false;
    default:
        cars_error(c->d, &e->a->span, NULL,
                   "'in' needs an integer, country, enumeration or string value, got %s",
                   cars_ck_type_name(ta));
        return false;
    }
}

static size_t set_index(const cars_ast *ast, const cars_set *s)
{
    for (size_t i = 0; i < ast->nsets; i++)
        if (ast->sets[i] == s)
            return i;
    return 0;
}

static bool check_set_use(cars_ck *c, cars_set *s, cars_type ta, const cars_expr *value)
{
    cars_ck_setinfo *info = &c->sets[set_index(c->ast, s)];
    if (info->kind == ta.kind && info->field == ta.field)
        return true; /* already checked against this type (and reported) */
    info->kind = ta.kind;
    info->field = ta.field;
    if (!s->list)
        return false;
    return check_members(c, s->list->args, s->list->nargs, ta, value);
}

/* What a key column holds, and what a string field of a kind holds. */
static const char *const column_holds[] = {
    [CARS_K_DOCUMENT] = "document numbers", [CARS_K_EMAIL] = "emails",
    [CARS_K_PHONE] = "phone numbers", [CARS_K_CONTACT] = "both emails and phone numbers",
    [CARS_K_COUNTRY] = "countries", [CARS_K_TEXT] = "text, compared exactly as written",
};
static const char *const field_holds[] = {
    [CARS_SK_PLAIN] = "text", [CARS_SK_EMAIL] = "emails", [CARS_SK_PHONE] = "phone numbers",
    [CARS_SK_DOCUMENT] = "document numbers",
};

/* A string field in a key column that is not a country: the router
 * normalises it by the column's kind, or in a contact column by the field's
 * own kind, which must therefore be email or phone. A field of a kind may
 * not go into a column that would compare it otherwise. */
static bool check_key_kind(cars_ck *c, const cars_expr *arg, const cars_field *f,
                           const cars_table *t, size_t k)
{
    cars_keykind col = t->key_kinds[k];
    char hint[200];
    if (col == CARS_K_CONTACT) {
        if (f->kind == CARS_SK_EMAIL || f->kind == CARS_SK_PHONE)
            return true;
        if (f->kind == CARS_SK_PLAIN) {
            snprintf(hint, sizeof hint, "declare '%s' as 'email' or 'phone' in the schema, so the "
                     "router knows how to compare it", f->path);
            cars_error(c->d, &arg->span, hint,
                       "key column '%s' of table '%s' holds both emails and phone numbers; "
                       "'%s' is a plain string", t->key_names[k], t->name, f->path);
        } else {
            cars_error(c->d, &arg->span, "look it up in a table whose key column is 'document'",
                       "'%s' holds document numbers; key column '%s' of table '%s' holds "
                       "emails and phone numbers", f->path, t->key_names[k], t->name);
        }
        return false;
    }
    bool same = f->kind == CARS_SK_PLAIN || (col == CARS_K_EMAIL && f->kind == CARS_SK_EMAIL) ||
                (col == CARS_K_PHONE && f->kind == CARS_SK_PHONE) ||
                (col == CARS_K_DOCUMENT && f->kind == CARS_SK_DOCUMENT);
    if (same)
        return true;
    if (col == CARS_K_TEXT)
        snprintf(hint, sizeof hint, "declare the key column '%s: %s', or '%s' a plain string to "
                 "compare it exactly as written", t->key_names[k], cars_string_kind_keyword(f->kind), f->path);
    else
        snprintf(hint, sizeof hint, "look it up in a table whose key column is '%s'%s",
                 cars_string_kind_keyword(f->kind), f->kind == CARS_SK_DOCUMENT ? "" : " or 'contact'");
    cars_error(c->d, &arg->span, hint, "'%s' holds %s; key column '%s' of table '%s' holds %s",
               f->path, field_holds[f->kind], t->key_names[k], t->name, column_holds[col]);
    return false;
}

/* One key column of a table lookup. */
static bool check_key(cars_ck *c, cars_expr *arg, const cars_table *t, size_t k)
{
    const cars_field *f = direct_field(arg);
    if (!f || (f->type != CARS_T_STRING && f->type != CARS_T_COUNTRY)) {
        cars_error(c->d, &arg->span, NULL,
                   "table keys may only be top-level fields of string or country type");
        return false;
    }
    bool country_key = t->key_kinds[k] == CARS_K_COUNTRY;
    if (country_key && f->type != CARS_T_COUNTRY) {
        cars_error(c->d, &arg->span, NULL,
                   "key column '%s' of table '%s' is a country; '%s' is a string",
                   t->key_names[k], t->name, f->path);
        return false;
    }
    if (!country_key && f->type == CARS_T_COUNTRY) {
        cars_error(c->d, &arg->span, NULL,
                   "'%s' is a country; key column '%s' of table '%s' must be declared 'country'",
                   f->path, t->key_names[k], t->name);
        return false;
    }
    return country_key || check_key_kind(c, arg, f, t, k);
}

static const char *nearest_collection(cars_ck *c, const char *name, char *buf, size_t size)
{
    size_t n = c->ast->nsets + c->ast->ntables;
    const char **cands = cars_arena_alloc(c->a, (n + 1) * sizeof *cands);
    if (!cands)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < c->ast->nsets; i++)
        cands[k++] = c->ast->sets[i]->name;
    for (size_t i = 0; i < c->ast->ntables; i++)
        cands[k++] = c->ast->tables[i]->name;
    return cars_ck_did_you_mean(cars_ck_nearest(name, cands, k), buf, size);
}

/* Resolve the right side of `in` when it is a name: a set or a table. */
static bool resolve_collection(cars_ck *c, cars_expr *b)
{
    char hint[160];
    cars_set *s = cars_ck_find_set(c->ast, b->name);
    cars_table *t = s ? NULL : cars_ck_find_table(c->ast, b->name);
    b->ty = (cars_type){CARS_T_SETLIT, NULL};
    if (s) {
        b->ref_kind = CARS_REF_SET;
        b->ref.set = s;
        s->used = true;
    } else if (t) {
        b->ref_kind = CARS_REF_TABLE;
        b->ref.table = t;
        t->used = true;
    } else {
        cars_error(c->d, &b->span, nearest_collection(c, b->name, hint, sizeof hint),
                   "unknown set or table '%s'", b->name);
        b->ty = T_ERR;
        return false;
    }
    return true;
}

static cars_type check_tuple_in(cars_ck *c, cars_expr *e)
{
    bool ok = true;
    for (size_t i = 0; i < e->nargs; i++) {
        cars_type t = cars_ck_expr(c, e->args[i], NULL);
        e->protect |= e->args[i]->protect;
        ok = ok && t.kind != CARS_T_ERROR;
    }
    cars_expr *b = e->b;
    if (b->kind != CARS_E_NAME) {
        cars_error(c->d, &b->span, NULL, "a tuple can only be looked up in a table");
        return T_ERR;
    }
    if (!resolve_collection(c, b))
        return T_ERR;
    if (b->ref_kind != CARS_REF_TABLE) {
        cars_error(c->d, &b->span, NULL, "'%s' is a set; a tuple can only be looked up in a table",
                   b->name);
        return T_ERR;
    }
    const cars_table *t = b->ref.table;
    if (e->nargs != t->nkeys) {
        cars_error(c->d, &e->span, NULL, "table '%s' has %zu key column%s; the tuple has %zu",
                   t->name, t->nkeys, t->nkeys == 1 ? "" : "s", e->nargs);
        return T_ERR;
    }
    for (size_t i = 0; ok && i < e->nargs; i++)
        ok = check_key(c, e->args[i], t, i) && ok;
    return ok ? T_BOOL : T_ERR;
}

static cars_type check_table_in(cars_ck *c, cars_expr *e)
{
    const cars_table *t = e->b->ref.table;
    if (t->nkeys != 1) {
        cars_error(c->d, &e->b->span, NULL,
                   "table '%s' has %zu key columns; look it up with a tuple (a, b) in %s",
                   t->name, t->nkeys, t->name);
        return T_ERR;
    }
    return check_key(c, e->a, t, 0) ? T_BOOL : T_ERR;
}

/* Whether a membership test singles applicants out by a proxy of
 * nationality: a proxy `in` (or `not in`) a list or set of countries, or
 * looked up in a table whose every key is a proxy (a table of countries).
 * A lookup with another key (a document number, a contact) finds one known
 * document or contact: it does not single out a country. */
static bool proxy_membership(const cars_expr *e)
{
    if (e->kind == CARS_E_IN)
        return cars_ck_proxy(e->a);
    for (size_t i = 0; i < e->nargs; i++)
        if (!cars_ck_proxy(e->args[i]))
            return false;
    return e->nargs > 0;
}

static cars_type check_in(cars_ck *c, cars_expr *e);

cars_type cars_ck_in(cars_ck *c, cars_expr *e)
{
    cars_type t = check_in(c, e);
    if (t.kind == CARS_T_BOOL && proxy_membership(e))
        e->protect |= CARS_PROT_NAT_PROXY;
    return t;
}

static cars_type check_in(cars_ck *c, cars_expr *e)
{
    if (e->kind == CARS_E_TUPLE_IN)
        return check_tuple_in(c, e);
    cars_type ta = cars_ck_expr(c, e->a, NULL);
    e->protect = e->a->protect;
    cars_expr *b = e->b;
    if (b->kind == CARS_E_NAME) {
        if (!resolve_collection(c, b) || ta.kind == CARS_T_ERROR)
            return T_ERR;
        if (b->ref_kind == CARS_REF_TABLE)
            return check_table_in(c, e);
        if (!member_type_ok(c, e, ta))
            return T_ERR;
        return check_set_use(c, b->ref.set, ta, e->a) ? T_BOOL : T_ERR;
    }
    if (b->kind != CARS_E_LIST) {
        cars_ck_expr(c, b, NULL);
        cars_error(c->d, &b->span, NULL, "'in' needs a list [...], a set or a table");
        return T_ERR;
    }
    b->ty = (cars_type){CARS_T_SETLIT, NULL};
    if (ta.kind == CARS_T_ERROR || !member_type_ok(c, e, ta))
        return T_ERR;
    return check_members(c, b->args, b->nargs, ta, e->a) ? T_BOOL : T_ERR;
}

/* ---- example values ----------------------------------------------------- */

static bool value_fits(cars_ck *c, const cars_field *f, cars_expr *v)
{
    cars_type want = {f->type, f};
    switch (f->type) {
    case CARS_T_BOOL: return v->kind == CARS_E_BOOL;
    case CARS_T_INTEGER: return is_int_literal(v);
    case CARS_T_NUMBER: return is_num_literal(v);
    case CARS_T_STRING: return v->kind == CARS_E_STR;
    case CARS_T_DATE: return v->kind == CARS_E_DATE;
    case CARS_T_ENUM:
    case CARS_T_COUNTRY:
        if (v->kind != CARS_E_NAME)
            return false;
        if (cars_ck_field(c->ast, v->name) || cars_ck_find_let(c->ast, v->name))
            return false;
        /* resolve as a member or country code: reports its own error */
        v->ty = cars_ck_expr(c, v, &want);
        return true;
    default: return false;
    }
}

static void check_record(cars_ck *c, const cars_field *list, cars_expr *rec)
{
    char hint[160];
    if (rec->kind != CARS_E_LIST) {
        cars_error(c->d, &rec->span, NULL, "each element of '%s' is a record {...}", list->path);
        return;
    }
    for (size_t i = 0; i < rec->nargs; i++) {
        cars_expr *kv = rec->args[i];
        if (kv->kind != CARS_E_EQ || !kv->a || kv->a->kind != CARS_E_NAME)
            continue;
        const cars_field *ef = cars_ck_elem(list, kv->a->name);
        if (!ef) {
            const char **names = cars_arena_alloc(c->a, (list->nelems + 1) * sizeof *names);
            for (size_t j = 0; names && j < list->nelems; j++)
                names[j] = list->elems[j].path;
            const char *near = names ? cars_ck_nearest(kv->a->name, names, list->nelems) : NULL;
            cars_error(c->d, &kv->a->span, cars_ck_did_you_mean(near, hint, sizeof hint),
                       "elements of '%s' have no field '%s'", list->path, kv->a->name);
            continue;
        }
        if (kv->b)
            cars_ck_value(c, ef, kv->b);
    }
}

void cars_ck_value(cars_ck *c, const cars_field *f, cars_expr *v)
{
    if (!v)
        return;
    if (f->type == CARS_T_LIST) {
        if (v->kind != CARS_E_LIST) {
            cars_error(c->d, &v->span, NULL, "'%s' is a list of records: [{...}, ...]", f->path);
            return;
        }
        for (size_t i = 0; i < v->nargs; i++)
            check_record(c, f, v->args[i]);
        return;
    }
    size_t before = c->d->errors;
    if (!value_fits(c, f, v) && c->d->errors == before) {
        cars_type ft = {f->type, f};
        const char *tn = cars_ck_type_name(ft);
        cars_error(c->d, &v->span, NULL, "'%s' is %s %s; this value is not", f->path,
                   tn[0] == 'i' || tn[0] == 'e' ? "an" : "a", tn);
    }
}

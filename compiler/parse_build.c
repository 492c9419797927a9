/* parse_build.c - building the AST from grammar/parser.y's actions, and the
 * semantic errors the parser can see on its own: missing or duplicate
 * items, unknown outcomes and stage names, malformed rule ids, and the
 * wording of syntax errors ("unexpected X, expected Y"). */
#include "parse_build.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- helpers -------------------------------------------------------------- */

void *cars_vec_push(cars_arena *a, void *arr, size_t *n, const void *elem, size_t size)
{
    size_t k = *n;
    if (k == 0 || (k & (k - 1)) == 0) { /* full: capacity is the next power of two */
        arr = cars_arena_grow(a, arr, k, k ? 2 * k : 1, size);
        if (!arr)
            return NULL;
    }
    memcpy((char *)arr + k * size, elem, size);
    *n = k + 1;
    return arr;
}

#define APPEND(ps, arr, n, val)                                                  \
    do {                                                                         \
        void *np_ = cars_vec_push((ps)->arena, (arr), &(n), &(val), sizeof(val)); \
        if (!np_)                                                                \
            return false;                                                        \
        (arr) = np_;                                                             \
    } while (0)

static size_t distance(const char *a, size_t na, const char *b, size_t nb);

static bool add_decl(cars_pstate *ps, cars_decl_kind kind, void *node, const cars_span *span)
{
    cars_decl d;
    memset(&d, 0, sizeof d);
    d.kind = kind;
    d.file = ps->file;
    d.node = node;
    d.span = *span;
    APPEND(ps, ps->ast->decls, ps->ast->ndecls, d);
    return true;
}

cars_expr *cars_pb_new(cars_pstate *ps, cars_expr_kind kind, const cars_span *span)
{
    if (ps->stop)
        return NULL;
    if (++ps->nodes > CARS_MAX_NODES) {
        cars_error(ps->d, span, "split the ruleset into smaller files",
                   "too many expressions in one file (more than %d)", CARS_MAX_NODES);
        ps->stop = true;
        return NULL;
    }
    cars_expr *e = cars_arena_alloc(ps->arena, sizeof *e);
    if (e) {
        e->kind = kind;
        e->span = *span;
        e->depth = 1;
    }
    return e;
}

/* An outcome by name; `allow_error` for tests (`expect ERROR`). */
static cars_outcome outcome(cars_pstate *ps, const char *name, const cars_span *span,
                            bool allow_error)
{
    for (int o = CARS_O_NCXDR; o <= CARS_O_ERROR; o++)
        if (strcmp(name, cars_outcome_name(o)) == 0 && (allow_error || o != CARS_O_ERROR))
            return (cars_outcome)o;
    cars_error(ps->d, span,
               allow_error ? "outcomes are NONE, NCXDR, NCXPCA, CXDR, CXPCA and ERROR"
                           : "outcomes are NONE, NCXDR, NCXPCA, CXDR and CXPCA",
               "unknown outcome '%s'", name);
    return CARS_O_ERROR;
}

static void duplicate(cars_pstate *ps, const char *what, const cars_span *span)
{
    cars_error(ps->d, span, NULL, "duplicate '%s'", what);
}

/* ---- names ---------------------------------------------------------------- */

char *cars_pb_join(cars_pstate *ps, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = cars_arena_alloc(ps->arena, la + lb + 2);
    if (s) {
        memcpy(s, a, la);
        s[la] = '.';
        memcpy(s + la + 1, b, lb + 1);
    }
    return s;
}

cars_name_list *cars_pb_names(cars_pstate *ps, cars_name_list *l, const char *name,
                              const cars_span *span)
{
    if (!l && !(l = cars_arena_alloc(ps->arena, sizeof *l)))
        return NULL;
    size_t n = l->n;
    const char **names = cars_vec_push(ps->arena, l->names, &n, &name, sizeof name);
    if (!names)
        return NULL;
    n = l->n;
    cars_span *spans = cars_vec_push(ps->arena, l->spans, &n, span, sizeof *span);
    if (!spans)
        return NULL;
    l->names = names;
    l->spans = spans;
    l->n = n;
    return l;
}

/* ---- schema --------------------------------------------------------------- */

cars_field *cars_pb_ftype(cars_pstate *ps, cars_type_kind kind)
{
    cars_field *f = cars_arena_alloc(ps->arena, sizeof *f);
    if (f)
        f->type = kind;
    return f;
}

/* A type written as a name: a kind of string (`email`, `phone`,
 * `document`; like key kinds, these are not reserved words), which makes
 * f a string of that kind. Any other name is reported as the syntax error
 * it is, with a hint, and false returned: the parser then recovers at the
 * next field, as from any syntax error. */
bool cars_pb_string_kind(cars_pstate *ps, cars_field *f, const char *name, const cars_span *span)
{
    for (int k = CARS_SK_EMAIL; k <= CARS_SK_DOCUMENT; k++)
        if (strcmp(name, cars_string_kind_keyword((cars_strkind)k)) == 0) {
            f->kind = (cars_strkind)k;
            return true;
        }
    static const char *const types[] = {"bool", "integer", "number", "string", "email", "phone",
                                        "document", "date", "country"};
    const char *best = NULL;
    size_t len = strlen(name), bestd = len <= 3 ? 2 : 3;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t d = distance(name, len, types[i], strlen(types[i]));
        if (d < bestd)
            best = types[i], bestd = d;
    }
    char hint[64];
    if (best)
        snprintf(hint, sizeof hint, "did you mean '%s'?", best);
    const char *h = strcmp(name, "contact") == 0 ? "a field holds emails or phone numbers: declare it 'email' or 'phone'"
                    : strcmp(name, "text") == 0  ? "'text' is a kind of table key; a field of text is a 'string'"
                    : best                       ? hint
                                                 : NULL;
    cars_error(ps->d, span, h, "unexpected name '%.40s%s', expected a type (bool, integer, number, string, "
               "email, phone, document, date, country, one of [...], list of {...})", name, len > 40 ? "..." : "");
    return false;
}

void cars_pb_flag(cars_pstate *ps, bool *flag, const char *what, const cars_span *span)
{
    if (*flag)
        duplicate(ps, what, span);
    *flag = true;
}

void cars_pb_protect(cars_pstate *ps, unsigned *protect, const char *what, const cars_span *span)
{
    unsigned bit = strcmp(what, "nationality") == 0 ? CARS_PROT_NATIONALITY
                   : strcmp(what, "age") == 0       ? CARS_PROT_AGE
                   : strcmp(what, "sex") == 0       ? CARS_PROT_SEX
                                                    : 0;
    if (!bit) {
        cars_error(ps->d, span, "protected characteristics are nationality, age and sex",
                   "unknown protected characteristic '%s'", what);
        return;
    }
    if (*protect)
        cars_error(ps->d, span, NULL, "a field has at most one protected characteristic");
    *protect = bit;
}


/* The hint for a field without required/optional: if the next word on the
 * line is a misspelt attribute (it was read as the next field's name), say
 * which. */
static const char *misspelt_attribute(cars_pstate *ps)
{
    static const char *const attrs[] = {"required", "optional", "reference", "protected"};
    static const char *const hints[] = {
        "did you mean 'required'?", "did you mean 'optional'?",
        "did you mean 'reference'?", "did you mean 'protected'?",
    };
    size_t i = ps->tok_off;
    while (i > 0 && (ps->text[i - 1] == ' ' || ps->text[i - 1] == '\t'))
        i--;
    if (i > 0 && ps->text[i - 1] != '\n' && ps->tok_len > 0 && ps->tok_len <= 12)
        for (size_t k = 0; k < 4; k++)
            if (distance(ps->text + ps->tok_off, ps->tok_len, attrs[k], strlen(attrs[k])) <= 2) {
                ps->misspelt_end = ps->tok_off + ps->tok_len; /* its cascade is not news */
                return hints[k];
            }
    return "add 'required' or 'optional' after the type";
}

void cars_pb_field(cars_pstate *ps, cars_field *f, const char *path, const cars_span *span,
                   const cars_fattrs *attrs, const cars_span *attr_span)
{
    (void)attr_span;
    f->path = path;
    f->span = *span;
    f->required = attrs->req;
    f->reference = attrs->ref;
    f->has_min = attrs->has_min;
    f->min = attrs->min;
    f->protect = attrs->protect;
    if (attrs->req && attrs->opt)
        cars_error(ps->d, span, NULL, "field '%s' is both required and optional", path);
    else if (!attrs->req && !attrs->opt)
        cars_error(ps->d, span, misspelt_attribute(ps),
                   "field '%s' must say whether it is required or optional", path);
}

/* Element fields point at their list field, once the list field has its
 * final address. */
static void set_parents(cars_field *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < fields[i].nelems; j++)
            fields[i].elems[j].parent = &fields[i];
}

bool cars_pb_schema(cars_pstate *ps, cars_field *fields, size_t n, const cars_span *span)
{
    set_parents(fields, n);
    if (ps->ast->has_schema) {
        cars_error(ps->d, span, "a ruleset has one schema block", "duplicate schema block");
    } else {
        ps->ast->has_schema = true;
        ps->ast->schema_span = *span;
        ps->ast->fields = fields;
        ps->ast->nfields = n;
    }
    return add_decl(ps, CARS_D_SCHEMA, fields, span);
}

/* ---- sets, definitions, tables ---------------------------------------------- */

bool cars_pb_set(cars_pstate *ps, const char *name, const cars_span *name_span,
                 cars_expr *list, const cars_span *span)
{
    cars_set *s = cars_arena_alloc(ps->arena, sizeof *s);
    if (!s)
        return false;
    s->name = name;
    s->span = *name_span;
    s->list = list;
    APPEND(ps, ps->ast->sets, ps->ast->nsets, s);
    return add_decl(ps, CARS_D_SET, s, span);
}

bool cars_pb_let(cars_pstate *ps, const char *name, const cars_span *name_span,
                 cars_expr *value, const cars_span *span)
{
    cars_let *l = cars_arena_alloc(ps->arena, sizeof *l);
    if (!l)
        return false;
    l->name = name;
    l->span = *name_span;
    l->value = value;
    APPEND(ps, ps->ast->lets, ps->ast->nlets, l);
    return add_decl(ps, CARS_D_LET, l, span);
}

cars_table *cars_pb_begin_table(cars_pstate *ps)
{
    ps->table = cars_arena_alloc(ps->arena, sizeof *ps->table);
    ps->meta = ps->table ? &ps->table->meta : NULL;
    return ps->table;
}

void cars_pb_table_file(cars_pstate *ps, cars_table *t, cars_expr *file, const cars_span *span)
{
    if (t->file)
        duplicate(ps, "file", span);
    t->file = file->sval;
    t->file_span = *span;
}

bool cars_pb_keycol(cars_pstate *ps, const char *name, const cars_span *name_span,
                    const char *kind, const cars_span *kind_span)
{
    cars_table *t = ps->table;
    if (!t)
        return true;
    cars_keykind k = CARS_K_TEXT;
    bool found = false;
    for (unsigned i = CARS_K_DOCUMENT; i <= CARS_K_TEXT; i++)
        if (strcmp(kind, cars_key_kind_name(i)) == 0) {
            k = (cars_keykind)i;
            found = true;
        }
    if (!found)
        cars_error(ps->d, kind_span,
                   "key kinds are document, email, phone, contact, country and text",
                   "unknown key kind '%s'", kind);
    size_t n = t->nkeys;
    APPEND(ps, t->key_names, n, name);
    n = t->nkeys;
    APPEND(ps, t->key_kinds, n, k);
    n = t->nkeys;
    APPEND(ps, t->key_spans, n, *name_span);
    t->nkeys = n;
    return true;
}

bool cars_pb_table(cars_pstate *ps, cars_table *t, const char *name, cars_expr *title,
                   const cars_span *name_span, const cars_span *span)
{
    t->name = name;
    t->title = title->sval;
    t->span = *name_span;
    if (!t->file)
        cars_error(ps->d, name_span, "add: file \"tables/NAME.csv\"",
                   "table '%s' has no 'file'", name);
    if (!t->nkeys)
        cars_error(ps->d, name_span, "add: key COLUMN: KIND, ...",
                   "table '%s' has no 'key'", name);
    APPEND(ps, ps->ast->tables, ps->ast->ntables, t);
    return add_decl(ps, CARS_D_TABLE, t, span);
}

/* ---- metadata --------------------------------------------------------------- */

void cars_pb_rationale(cars_pstate *ps, cars_expr *text, const cars_span *span)
{
    if (!ps->meta)
        return;
    if (ps->meta->rationale)
        duplicate(ps, "rationale", span);
    ps->meta->rationale = text->sval;
    ps->meta->rationale_span = *span;
}

void cars_pb_says(cars_pstate *ps, cars_expr *text, const cars_span *span)
{
    if (!ps->meta)
        return;
    if (ps->meta->says)
        duplicate(ps, "says", span);
    ps->meta->says = text->sval;
    ps->meta->says_span = *span;
}

void cars_pb_review(cars_pstate *ps, cars_expr *date, cars_expr *months, const cars_span *span)
{
    if (!ps->meta)
        return;
    if (ps->meta->has_review)
        duplicate(ps, "reviewed", span);
    if (months->ival < 1 || months->ival > 120)
        cars_error(ps->d, &months->span, NULL, "review interval must be 1 to 120 months");
    ps->meta->has_review = true;
    ps->meta->reviewed = date->ival;
    ps->meta->review_months = (int)(months->ival > 120 ? 120 : months->ival); /* literal: >= 0 */
    ps->meta->review_span = *span;
}

void cars_pb_cite(cars_pstate *ps, bool authorisation, const char *id, const cars_span *span)
{
    if (!ps->meta)
        return;
    const char **slot = authorisation ? &ps->meta->authorisation : &ps->meta->justification;
    if (*slot)
        duplicate(ps, authorisation ? "authorisation" : "justification", span);
    *slot = id;
    if (authorisation)
        ps->meta->authorisation_span = *span;
    else
        ps->meta->justification_span = *span;
}

cars_meta *cars_pb_begin_meta(cars_pstate *ps)
{
    ps->meta = cars_arena_alloc(ps->arena, sizeof *ps->meta);
    return ps->meta;
}

/* ---- rules ------------------------------------------------------------------ */

cars_rule *cars_pb_rule_head(cars_pstate *ps, cars_rule_kind kind, const char *id,
                             const cars_span *id_span, cars_expr *title)
{
    cars_rule *r = cars_arena_alloc(ps->arena, sizeof *r);
    if (r) {
        r->kind = kind;
        r->id = id;
        r->id_span = *id_span;
        r->title = title->sval;
    }
    return r;
}

void cars_pb_bad_rule_id(cars_pstate *ps, const char *id, const cars_span *span)
{
    cars_error(ps->d, span, "rule ids are upper case with at least one hyphen, e.g. S-CX-1",
               "malformed rule id '%s'", id);
}

bool cars_pb_rule(cars_pstate *ps, cars_rule *r, cars_meta *meta, cars_expr *when,
                  const cars_span *when_span, const cars_span *span)
{
    r->meta = *meta;
    r->when = when;
    r->when_span = *when_span;
    r->when_span.end_line = when->span.end_line;
    r->when_span.end_col = when->span.end_col;
    r->span = *span;
    APPEND(ps, ps->ast->rules, ps->ast->nrules, r);
    return add_decl(ps, CARS_D_RULE, r, span);
}

cars_threshold *cars_pb_begin_threshold(cars_pstate *ps)
{
    cars_threshold *t = cars_arena_alloc(ps->arena, sizeof *t);
    ps->meta = t ? &t->meta : NULL;
    return t;
}

bool cars_pb_at_least(cars_pstate *ps, cars_threshold *t, cars_expr *n, const char *tier,
                      const cars_span *span, const cars_span *kw_span)
{
    if (!tier) {
        if (t->at_least_span.line)
            duplicate(ps, "at least", kw_span);
        t->at_least = n->ival;
        t->at_least_span = *span;
        return true;
    }
    for (size_t i = 0; i < t->ntiers; i++)
        if (strcmp(t->tiers[i], tier) == 0)
            cars_error(ps->d, span, NULL, "duplicate 'at least ... in tier %s'", tier);
    size_t k = t->ntiers;
    APPEND(ps, t->tiers, k, tier);
    k = t->ntiers;
    APPEND(ps, t->tier_min, k, n->ival);
    k = t->ntiers;
    APPEND(ps, t->tier_spans, k, *span);
    t->ntiers = k;
    return true;
}

bool cars_pb_threshold(cars_pstate *ps, cars_threshold *t, const char *id,
                       const cars_span *id_span, cars_expr *title, const cars_span *span)
{
    t->id = id;
    t->title = title->sval;
    t->span = *id_span;
    if (!t->at_least_span.line && !t->ntiers)
        cars_error(ps->d, id_span, "add: at least N", "threshold '%s' has no 'at least'", id);
    APPEND(ps, ps->ast->thresholds, ps->ast->nthresholds, t);
    return add_decl(ps, CARS_D_THRESHOLD, t, span);
}

/* ---- routing ----------------------------------------------------------------- */

void cars_pb_stage(cars_pstate *ps, cars_stage *s, const char *sel, const cars_span *sel_span,
                   const char *out, const cars_span *out_span, const cars_span *span)
{
    static const struct { const char *name; cars_stage_sel sel; } sels[] = {
        {"exclusions", CARS_S_EXCLUSIONS}, {"screens", CARS_S_SCREENS},
        {"profiles", CARS_S_PROFILES},     {"complex", CARS_S_COMPLEX_SINGLES},
        {"noncomplex", CARS_S_NONCOMPLEX_SINGLES}, {"threshold", CARS_S_THRESHOLD},
        {"otherwise", CARS_S_OTHERWISE},
    };
    memset(s, 0, sizeof *s);
    s->span = *span;
    s->span.end_line = out_span->end_line;
    s->span.end_col = out_span->end_col;
    bool found = false;
    for (size_t i = 0; i < sizeof sels / sizeof sels[0]; i++)
        if (strcmp(sel, sels[i].name) == 0) {
            s->sel = sels[i].sel;
            found = true;
        }
    if (!found) {
        cars_error(ps->d, sel_span,
                   "stages are exclusions, screens, profiles, complex singles, noncomplex "
                   "singles, threshold ID and otherwise",
                   "unknown routing stage '%s'", sel);
        s->sel = CARS_S_OTHERWISE;
    }
    s->outcome = outcome(ps, out, out_span, false);
}

void cars_pb_singles(cars_pstate *ps, const char *word, const cars_span *span)
{
    if (strcmp(word, "singles") != 0)
        cars_error(ps->d, span, NULL, "expected 'singles', found '%s'", word);
}

void cars_pb_stage_otherwise(cars_pstate *ps, cars_stage *stages, size_t n, const char *out,
                             const cars_span *out_span, const cars_span *kw_span)
{
    cars_stage *last = n ? &stages[n - 1] : NULL;
    if (!last || last->sel != CARS_S_THRESHOLD || last->has_otherwise) {
        cars_error(ps->d, kw_span, "write 'otherwise -> OUTCOME' for a final stage",
                   "'otherwise OUTCOME' must follow 'threshold ID -> OUTCOME'");
        return;
    }
    last->has_otherwise = true;
    last->otherwise = outcome(ps, out, out_span, false);
    last->span.end_line = out_span->end_line;
    last->span.end_col = out_span->end_col;
}

bool cars_pb_routing(cars_pstate *ps, cars_stage *stages, size_t n, const cars_span *span)
{
    if (ps->ast->has_routing) {
        cars_error(ps->d, span, "a ruleset has one routing block", "duplicate routing block");
    } else {
        ps->ast->has_routing = true;
        ps->ast->routing_span = *span;
        ps->ast->stages = stages;
        ps->ast->nstages = n;
    }
    return add_decl(ps, CARS_D_ROUTING, stages, span);
}

/* ---- examples and tests ------------------------------------------------------ */

cars_example *cars_pb_begin_example(cars_pstate *ps)
{
    ps->ex = cars_arena_alloc(ps->arena, sizeof *ps->ex);
    return ps->ex;
}

bool cars_pb_assign(cars_pstate *ps, cars_example *ex, const cars_assign *as)
{
    for (size_t i = 0; i < ex->nassigns; i++)
        if (strcmp(ex->assigns[i].path, as->path) == 0)
            cars_error(ps->d, &as->span, NULL, "'%s' is assigned twice", as->path);
    APPEND(ps, ex->assigns, ex->nassigns, *as);
    return true;
}

void cars_pb_like(cars_pstate *ps, cars_example *ex, const char *name, const cars_span *span)
{
    if (ex->like)
        duplicate(ps, "like", span);
    ex->like = name;
    ex->like_span = *span;
}

void cars_pb_expect(cars_pstate *ps, cars_example *ex, const char *out, const cars_span *span)
{
    if (ex->has_expect)
        duplicate(ps, "expect", span);
    ex->has_expect = true;
    ex->expect = outcome(ps, out, span, true);
    ex->expect_span = *span;
}

bool cars_pb_expect_rule(cars_pstate *ps, const char *id, const cars_span *span)
{
    cars_example *ex = ps->ex;
    if (!ex)
        return true;
    size_t n = ex->nexpect_rules;
    APPEND(ps, ex->expect_rules, n, id);
    n = ex->nexpect_rules;
    APPEND(ps, ex->expect_rule_spans, n, *span);
    ex->nexpect_rules = n;
    return true;
}

bool cars_pb_example(cars_pstate *ps, cars_example *ex, const char *name,
                     const cars_span *name_span, const cars_span *span)
{
    ex->name = name;
    ex->span = *name_span;
    APPEND(ps, ps->ast->examples, ps->ast->nexamples, ex);
    return add_decl(ps, CARS_D_EXAMPLE, ex, span);
}

bool cars_pb_test(cars_pstate *ps, cars_example *ex, cars_expr *name, const cars_span *span)
{
    ex->name = name->sval;
    ex->span = name->span;
    ex->is_test = true;
    if (!ex->has_expect)
        cars_error(ps->d, &name->span, "add: expect OUTCOME [RULE, ...]",
                   "test \"%s\" has no 'expect'", name->sval);
    APPEND(ps, ps->ast->examples, ps->ast->nexamples, ex);
    return add_decl(ps, CARS_D_EXAMPLE, ex, span);
}

bool cars_pb_include(cars_pstate *ps, cars_expr *path, const cars_span *span)
{
    if (!add_decl(ps, CARS_D_INCLUDE, path, span))
        return false;
    if (ps->include)
        return ps->include(ps->include_ctx, ps, path->sval, &path->span);
    return true;
}

/* ---- expressions ----------------------------------------------------------- */

static uint32_t depth_of(const cars_expr *e) { return e ? e->depth : 0; }

bool cars_pb_redepth(cars_pstate *ps, cars_expr *e)
{
    uint32_t d = depth_of(e->a);
    if (depth_of(e->b) > d)
        d = depth_of(e->b);
    if (depth_of(e->c) > d)
        d = depth_of(e->c);
    for (size_t i = 0; i < e->nargs; i++)
        if (depth_of(e->args[i]) > d)
            d = depth_of(e->args[i]);
    e->depth = d + 1;
    if (e->depth > CARS_MAX_NEST) {
        if (!ps->deep_reported)
            cars_error(ps->d, &e->span, "split the expression, or name parts of it with 'let'",
                       "expression nested too deeply (more than %d levels)", CARS_MAX_NEST);
        ps->deep_reported = true;
        ps->stop = true;
        return false;
    }
    return true;
}

cars_expr *cars_pb_expr(cars_pstate *ps, cars_expr_kind kind, const cars_span *span,
                        cars_expr *a, cars_expr *b, cars_expr *c)
{
    cars_expr *e = cars_pb_new(ps, kind, span);
    if (!e)
        return NULL;
    e->a = a;
    e->b = b;
    e->c = c;
    return cars_pb_redepth(ps, e) ? e : NULL;
}

cars_expr *cars_pb_negate(cars_pstate *ps, cars_expr *lit, const cars_span *span)
{
    (void)ps;
    lit->span = *span;
    lit->ival = -lit->ival; /* bound: an integer literal is 0 to INT64_MAX (lexer.l) */
    lit->nval = -lit->nval;
    if (lit->text) {
        char *t = cars_arena_alloc(ps->arena, strlen(lit->text) + 2);
        if (!t)
            return NULL;
        t[0] = '-';
        strcpy(t + 1, lit->text);
        lit->text = t;
    }
    return lit;
}

cars_expr *cars_pb_bool(cars_pstate *ps, bool v, const cars_span *span)
{
    cars_expr *e = cars_pb_new(ps, CARS_E_BOOL, span);
    if (e)
        e->ival = v;
    return e;
}

cars_expr *cars_pb_name(cars_pstate *ps, const char *name, const cars_span *span)
{
    cars_expr *e = cars_pb_new(ps, CARS_E_NAME, span);
    if (e)
        e->name = name;
    return e;
}

cars_expr *cars_pb_list(cars_pstate *ps, cars_expr **items, size_t n, const cars_span *span)
{
    cars_expr *e = cars_pb_new(ps, CARS_E_LIST, span);
    if (!e)
        return NULL;
    e->args = items;
    e->nargs = n;
    return cars_pb_redepth(ps, e) ? e : NULL;
}

cars_expr *cars_pb_field_value(cars_pstate *ps, const char *key, const cars_span *key_span,
                               cars_expr *value, const cars_span *span)
{
    cars_expr *k = cars_pb_name(ps, key, key_span);
    return k ? cars_pb_expr(ps, CARS_E_EQ, span, k, value, NULL) : NULL;
}

cars_expr *cars_pb_within(cars_pstate *ps, cars_expr *a, const char *last,
                          const cars_span *last_span, cars_expr *b, const char *years,
                          const cars_span *years_span, const cars_span *span)
{
    if (strcmp(last, "last") != 0)
        cars_error(ps->d, last_span, "write: YEAR within last N years",
                   "expected 'last', found '%s'", last);
    if (strcmp(years, "years") != 0)
        cars_error(ps->d, years_span, "write: YEAR within last N years",
                   "expected 'years', found '%s'", years);
    return cars_pb_expr(ps, CARS_E_WITHIN, span, a, b, NULL);
}

cars_expr *cars_pb_tuple(cars_pstate *ps, cars_expr *first, cars_expr **rest, size_t n,
                         const cars_span *span)
{
    cars_expr *e = cars_pb_new(ps, CARS_E_TUPLE_IN, span);
    if (!e)
        return NULL;
    cars_expr **args = cars_arena_alloc(ps->arena, (n + 1) * sizeof *args);
    if (!args)
        return NULL;
    args[0] = first;
    memcpy(args + 1, rest, n * sizeof *args);
    e->args = args;
    e->nargs = n + 1;
    return cars_pb_redepth(ps, e) ? e : NULL;
}

cars_expr *cars_pb_call(cars_pstate *ps, const char *name, cars_expr **args, size_t n,
                        const cars_span *span)
{
    cars_expr *e = cars_pb_new(ps, CARS_E_CALL, span);
    if (!e)
        return NULL;
    e->name = name;
    e->args = args;
    e->nargs = n;
    return cars_pb_redepth(ps, e) ? e : NULL;
}

cars_expr *cars_pb_quant(cars_pstate *ps, int quant, const char *var, const cars_span *var_span,
                         cars_expr *list, cars_expr *where, const cars_span *span)
{
    cars_expr *e = cars_pb_expr(ps, CARS_E_QUANT, span, list, where, NULL);
    if (e) {
        e->quant = (cars_quant)quant;
        e->name = var;
        e->name_span = *var_span;
    }
    return e;
}

/* ---- syntax errors ------------------------------------------------------------ */

/* A token name from bison, as a person reads it: `let` -> 'let',
 * `<name>` -> name, `'='` and `end of file` stay. */
static void describe(char *out, size_t size, const char *name)
{
    size_t n = strlen(name);
    if (n >= 2 && name[0] == '<')
        snprintf(out, size, "%.*s", (int)(n - 2), name + 1);
    else if (name[0] == '\'' || strchr(name, ' '))
        snprintf(out, size, "%s", name);
    else
        snprintf(out, size, "'%s'", name);
}

static bool has(const char *const *names, int n, const char *want)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], want) == 0)
            return true;
    return false;
}

/* Edit distance between short strings (at most 40 bytes each). */
static size_t distance(const char *a, size_t na, const char *b, size_t nb)
{
    return na > 40 || nb > 40 ? SIZE_MAX : cars_edit_distance(a, na, b, nb);
}

/* The expected keyword closest to a misspelt name, if one is close. */
static const char *closest_keyword(const char *word, size_t len, const char *const *exp, int n)
{
    const char *best = NULL;
    size_t limit = len <= 3 ? 1 : 2, bestd = SIZE_MAX;
    for (int i = 0; i < n; i++) {
        const char *k = exp[i];
        if (k[0] == '<' || k[0] == '\'' || strchr(k, ' '))
            continue;
        size_t d = distance(word, len, k, strlen(k));
        if (d > 0 && d <= limit && d < bestd) {
            best = k;
            bestd = d;
        }
    }
    return best;
}

static bool is_decl_start(const char *tok)
{
    static const char *const starts[] = {
        "schema", "set", "let", "table", "exclusion", "screen", "profile", "single",
        "multiple", "threshold", "routing", "example", "test", "include", "end of file",
    };
    for (size_t k = 0; k < sizeof starts / sizeof starts[0]; k++)
        if (strcmp(tok, starts[k]) == 0)
            return true;
    return false;
}

static const char *syntax_hint(cars_pstate *ps, const char *tok, const char *const *exp, int n,
                               bool at_eof, char *buf, size_t size)
{
    if (at_eof && has(exp, n, "'}'"))
        return "a '{' is not closed";
    if (has(exp, n, "'}'") && is_decl_start(tok) && strcmp(tok, "threshold") != 0)
        return "the declaration before it is missing its closing '}'";
    if (strcmp(tok, "'='") == 0 && ps->tok_off > 0 && ps->text[ps->tok_off - 1] == '=')
        return "equality is written with a single '='";
    if (strcmp(tok, "<name>") == 0) {
        const char *k = closest_keyword(ps->text + ps->tok_off, ps->tok_len, exp, n);
        if (k) {
            snprintf(buf, size, "did you mean '%s'?", k);
            return buf;
        }
    }
    if (has(exp, n, "when") && !has(exp, n, "'}'"))
        return "a rule's condition comes last and starts with 'when'";
    if (tok[0] != '<' && tok[0] != '\'' && has(exp, n, "<name>"))
        return "this word is reserved; choose another name";
    return NULL;
}

/* Is every expected token one that starts a declaration (top level)? */
static bool only_declarations(const char *const *exp, int n)
{
    for (int i = 0; i < n; i++)
        if (!is_decl_start(exp[i]))
            return false;
    return n > 0;
}

void cars_pb_syntax_error(cars_pstate *ps, const cars_span *loc, bool at_eof, const char *tok,
                          const char *const *exp, int n)
{
    if (ps->misspelt_end && ps->misspelt_end <= ps->tok_off) {
        size_t i = ps->misspelt_end;
        while (i < ps->tok_off && (ps->text[i] == ' ' || ps->text[i] == '\t' ||
                                   ps->text[i] == '\n' || ps->text[i] == '\r'))
            i++;
        ps->misspelt_end = 0;
        if (i == ps->tok_off)
            return; /* `requird` was read as a field name: already reported */
    }
    char what[120];
    if (at_eof) {
        snprintf(what, sizeof what, "end of file");
    } else {
        char kind[40];
        describe(kind, sizeof kind, tok);
        const char *text = ps->text + ps->tok_off;
        int len = ps->tok_len > 40 ? 40 : (int)ps->tok_len;
        const char *more = ps->tok_len > 40 ? "..." : "";
        if (strcmp(tok, "<string>") == 0) /* a string: show it as written */
            snprintf(what, sizeof what, "string %.*s%s", len, text, more);
        else if (tok[0] == '<')
            snprintf(what, sizeof what, "%s '%.*s%s'", kind, len, text, more);
        else
            snprintf(what, sizeof what, "%s", kind);
    }
    char list[400] = "";
    bool expr = has(exp, n, "<name>") && has(exp, n, "<number>") &&
                has(exp, n, "'('");
    if (only_declarations(exp, n)) {
        snprintf(list, sizeof list, ", expected a declaration");
    } else if (has(exp, n, "bool") && has(exp, n, "integer") && has(exp, n, "one")) {
        snprintf(list, sizeof list, ", expected a type (bool, integer, number, string, email, phone, "
                                    "document, date, country, one of [...], list of {...})");
    } else if (expr) {
        snprintf(list, sizeof list, ", expected an expression");
    } else if (n > 0 && n <= 6) {
        size_t used = 0;
        for (int i = 0; i < n; i++) {
            char one[40];
            describe(one, sizeof one, exp[i]);
            const char *sep = i == 0 ? ", expected " : i == n - 1 ? " or " : ", ";
            int w = snprintf(list + used, sizeof list - used, "%s%s", sep, one);
            if (w < 0 || (size_t)w >= sizeof list - used)
                break;
            used += (size_t)w;
        }
    }
    char buf[80];
    const char *hint = syntax_hint(ps, tok, exp, n, at_eof, buf, sizeof buf);
    cars_error(ps->d, loc, hint, "unexpected %s%s", what, list);
}

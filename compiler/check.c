/* check.c - the checker's driver and the whole-ruleset checks: the schema,
 * duplicate and unused names, rules (types, lawful basis, metadata),
 * thresholds, routing, and examples/tests. Expressions are checked in
 * check_expr.c and check_in.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"
#include "date.h"

/* ---- schema ------------------------------------------------------------- */

static void note_first(cars_ck *c, const cars_span *first, const char *what)
{
    cars_diag_add(c->d, CARS_SEV_NOTE, first, NULL, "the first definition of %s", what);
}

static void check_field_basics(cars_ck *c, const cars_field *f, bool elem)
{
    if (f->has_min && f->type != CARS_T_INTEGER && f->type != CARS_T_NUMBER)
        cars_error(c->d, &f->span, NULL, "'min' applies only to integer and number fields");
    if (f->reference && f->type != CARS_T_DATE)
        cars_error(c->d, &f->span, NULL, "the reference field '%s' must be a date", f->path);
    if (elem && (f->type == CARS_T_STRING || f->type == CARS_T_LIST))
        cars_error(c->d, &f->span, NULL, "fields of a list element may not be %s (v1)",
                   f->type == CARS_T_STRING ? "strings" : "lists");
    if (elem && f->reference)
        cars_error(c->d, &f->span, NULL, "the reference date must be a top-level field");
    static const struct { unsigned bit; cars_type_kind type; const char *what; } prot[] = {
        {CARS_PROT_NATIONALITY, CARS_T_COUNTRY, "'protected nationality' needs a country field"},
        {CARS_PROT_AGE, CARS_T_DATE, "'protected age' needs a date of birth field"},
        {CARS_PROT_SEX, CARS_T_ENUM, "'protected sex' needs a one of [...] field"},
    };
    for (size_t i = 0; i < 3; i++)
        if ((f->protect & prot[i].bit) && f->type != prot[i].type)
            cars_error(c->d, &f->span, NULL, "%s", prot[i].what);
    if (f->protect & ~(unsigned)(CARS_PROT_NATIONALITY | CARS_PROT_AGE | CARS_PROT_SEX))
        cars_error(c->d, &f->span, NULL,
                   "the protected characteristics are nationality, age and sex");
    for (size_t i = 0; i < f->members.n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(f->members.names[i], f->members.names[j]) == 0)
                cars_error(c->d, &f->members.spans[i], NULL, "duplicate member '%s'",
                           f->members.names[i]);
}

/* ---- the records contract ------------------------------------------------ */

/* application-records.md names these fields protected characteristics. The
 * compiler holds that, not the ruleset: a schema that declares one of them
 * must carry exactly this protection (it may add protection to other fields,
 * never remove it). */
static const struct contract_field {
    const char *path;
    unsigned bit;
    const char *name; /* as written after 'protected' */
} CONTRACT[] = {
    {"applicant.nationality", CARS_PROT_NATIONALITY, "nationality"},
    {"applicant.sex", CARS_PROT_SEX, "sex"},
    {"applicant.date_of_birth", CARS_PROT_AGE, "age"},
};

/* The country fields of the applicant's identity the contract names: a
 * proxy of nationality when compared with particular countries. */
static const char *const PROXIES[] = {"applicant.passport.issuing_country",
                                      "applicant.country_of_residence"};

static const char *prot_name(unsigned bit)
{
    return bit == CARS_PROT_NATIONALITY ? "nationality" : bit == CARS_PROT_AGE ? "age" : "sex";
}

static void check_contract(cars_ck *c, cars_field *f)
{
    for (size_t i = 0; i < sizeof CONTRACT / sizeof CONTRACT[0]; i++) {
        const struct contract_field *k = &CONTRACT[i];
        if (strcmp(f->path, k->path) != 0 || f->protect == k->bit)
            continue;
        char hint[160];
        if (f->protect)
            snprintf(hint, sizeof hint, "write 'protected %s' instead of 'protected %s'", k->name,
                     prot_name(f->protect));
        else
            snprintf(hint, sizeof hint, "add 'protected %s' to the field", k->name);
        if (f->protect)
            cars_error(c->d, &f->span, hint,
                       "the records contract makes %s a protected characteristic (%s), not %s",
                       f->path, k->name, prot_name(f->protect));
        else
            cars_error(c->d, &f->span, hint,
                       "the records contract makes %s a protected characteristic (%s); the "
                       "schema may not remove its protection", f->path, k->name);
        f->protect = k->bit; /* every use still needs its lawful basis */
    }
}

bool cars_ck_proxy(const cars_expr *e)
{
    for (int depth = 0; e && e->kind == CARS_E_NAME && depth < 64; depth++) {
        if (e->ref_kind == CARS_REF_LET) {
            e = e->ref.let->value;
            continue;
        }
        if (e->ref_kind != CARS_REF_FIELD || e->ref.field->parent)
            return false;
        for (size_t i = 0; i < sizeof PROXIES / sizeof PROXIES[0]; i++)
            if (strcmp(e->ref.field->path, PROXIES[i]) == 0)
                return true;
        return false;
    }
    return false;
}

/* ---- schema (continued) --------------------------------------------------- */

static bool is_prefix(const char *pre, const char *path)
{
    size_t n = strlen(pre);
    return strncmp(pre, path, n) == 0 && path[n] == '.';
}

static void check_elems(cars_ck *c, cars_field *list)
{
    for (size_t j = 0; j < list->nelems; j++) {
        cars_field *e = &list->elems[j];
        e->index = (uint32_t)j;
        e->parent = list;
        check_field_basics(c, e, true);
        for (size_t k = 0; k < j; k++)
            if (strcmp(list->elems[k].path, e->path) == 0) {
                cars_error(c->d, &e->span, NULL, "duplicate field '%s.%s'", list->path, e->path);
                note_first(c, &list->elems[k].span, e->path);
                break;
            }
    }
}

static void check_schema(cars_ck *c)
{
    cars_ast *ast = c->ast;
    if (!ast->has_schema) {
        cars_error(c->d, NULL, NULL, "the ruleset has no schema");
        return;
    }
    bool *as_object = cars_arena_alloc(c->a, ast->nfields + 1); /* reported as an object */
    for (size_t i = 0; i < ast->nfields && as_object; i++) {
        cars_field *f = &ast->fields[i];
        f->index = (uint32_t)i;
        check_field_basics(c, f, false);
        check_contract(c, f);
        if (f->type == CARS_T_LIST)
            check_elems(c, f);
        for (size_t j = 0; j < i; j++) {
            const cars_field *g = &ast->fields[j];
            if (strcmp(g->path, f->path) == 0) {
                cars_error(c->d, &f->span, NULL, "duplicate field '%s'", f->path);
                note_first(c, &g->span, f->path);
            } else if (is_prefix(g->path, f->path) || is_prefix(f->path, g->path)) {
                const cars_field *obj = is_prefix(g->path, f->path) ? g : f;
                if (as_object[obj->index])
                    continue;
                as_object[obj->index] = true;
                cars_error(c->d, &obj->span, NULL,
                           "'%s' is a field, so it cannot also be an object holding '%s'",
                           obj->path, obj == g ? f->path : g->path);
            }
        }
        if (f->reference) {
            if (c->reference) {
                cars_error(c->d, &f->span, NULL, "only one field may be the reference date");
                note_first(c, &c->reference->span, "the reference date");
            } else if (f->type == CARS_T_DATE)
                c->reference = f;
        }
    }
    if (!c->reference)
        cars_error(c->d, &ast->schema_span, "mark one date field 'reference', e.g. "
                   "'received: date required reference'",
                   "the schema has no reference date");
}

/* ---- duplicate names ---------------------------------------------------- */

typedef struct named {
    const char *name, *what;
    const cars_span *span;
} named;

typedef struct named_ref {
    const named *item;
    size_t index;
} named_ref;

static int cmp_named(const void *a, const void *b)
{
    const named_ref *x = a, *y = b;
    int c = strcmp(x->item->name, y->item->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Every item whose name an earlier item already has is reported against the
 * earliest one. Sorted by (name, position): n log n, not n squared. */
static void check_dups(cars_ck *c, const named *items, size_t n)
{
    if (n < 2)
        return;
    named_ref *refs = cars_arena_alloc(c->a, n * sizeof *refs);
    if (!refs)
        return;
    for (size_t i = 0; i < n; i++)
        refs[i] = (named_ref){&items[i], i};
    qsort(refs, n, sizeof *refs, cmp_named);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (strcmp(refs[i].item->name, refs[first].item->name) != 0) {
            first = i;
            continue;
        }
        const named *dup = refs[i].item, *orig = refs[first].item;
        cars_error(c->d, dup->span, NULL, "'%s' is already defined (as %s %s)", dup->name,
                   orig->what[0] == 'e' ? "an" : "a", orig->what);
        note_first(c, orig->span, dup->name);
    }
}

static void check_duplicates(cars_ck *c)
{
    cars_ast *ast = c->ast;
    size_t n = ast->nrules + ast->nthresholds + ast->nlets + ast->nsets + ast->ntables +
               ast->nexamples;
    named *items = cars_arena_alloc(c->a, (n + 1) * sizeof *items);
    if (!items)
        return;
    size_t k = 0;
    for (size_t i = 0; i < ast->nrules; i++)
        items[k++] = (named){ast->rules[i]->id, "rule", &ast->rules[i]->id_span};
    for (size_t i = 0; i < ast->nthresholds; i++)
        items[k++] = (named){ast->thresholds[i]->id, "threshold", &ast->thresholds[i]->span};
    check_dups(c, items, k);
    k = 0;
    for (size_t i = 0; i < ast->nlets; i++)
        items[k++] = (named){ast->lets[i]->name, "definition", &ast->lets[i]->span};
    for (size_t i = 0; i < ast->nsets; i++)
        items[k++] = (named){ast->sets[i]->name, "set", &ast->sets[i]->span};
    for (size_t i = 0; i < ast->ntables; i++)
        items[k++] = (named){ast->tables[i]->name, "table", &ast->tables[i]->span};
    check_dups(c, items, k);
    for (int tests = 0; tests < 2; tests++) {
        k = 0;
        for (size_t i = 0; i < ast->nexamples; i++)
            if (ast->examples[i]->is_test == tests)
                items[k++] = (named){ast->examples[i]->name, tests ? "test" : "example",
                                     &ast->examples[i]->span};
        check_dups(c, items, k);
    }
}

/* ---- metadata ----------------------------------------------------------- */

/* reviewed + months, clamped to the end of the month (Aug 31 + 6 = Feb 28).
 * Bound: `reviewed` is a date literal (year 1 to 9999) and check_review
 * allows 1 to 60 months, so the year stays below 10005. */
int64_t cars_add_months(int64_t day, int months)
{
    int y, m, d;
    cars_date_split(day, &y, &m, &d);
    int total = (m - 1) + months;
    y += total / 12;
    m = total % 12 + 1;
    int last = cars_days_in_month(y, m);
    return cars_date_make(y, m, d > last ? last : d);
}

static void check_review(cars_ck *c, const cars_meta *m, const char *what, const char *id)
{
    if (!m->has_review)
        return;
    if (m->review_months < 1 || m->review_months > 60) {
        cars_error(c->d, &m->review_span, NULL, "a review interval must be 1 to 60 months, got %d",
                   m->review_months);
        return;
    }
    if (!c->opt || !c->opt->has_as_of)
        return;
    int64_t due = cars_add_months(m->reviewed, m->review_months);
    if (due <= c->opt->as_of) {
        char buf[11];
        cars_date_format(due, buf);
        cars_error(c->d, &m->review_span, "review it, then update 'reviewed'",
                   "the review of %s %s fell due on %s", what, id, buf);
    } else if (c->opt->has_window_end && due <= c->opt->window_end) {
        char buf[11], end[11];
        cars_date_format(due, buf);
        cars_date_format(c->opt->window_end, end);
        cars_warning(c->d, &m->review_span, "review it before then, or end the release's validity earlier",
                     "the review of %s %s falls due on %s, inside the release's validity window (until %s)",
                     what, id, buf, end);
    }
}

static void check_profile_meta(cars_ck *c, const cars_rule *r)
{
    if (r->kind != CARS_R_PROFILE)
        return;
    if (!r->meta.rationale)
        cars_error(c->d, &r->id_span, "add: rationale \"why the profile exists\"",
                   "profile %s has no rationale", r->id);
    if (!r->meta.has_review)
        cars_error(c->d, &r->id_span, "add: reviewed YYYY-MM-DD every N months",
                   "profile %s has no review date", r->id);
}

/* ---- lawful basis ------------------------------------------------------- */

/* The first name in `e` through which it reads protected characteristic
 * `bit` (a field, an element field or a definition). */
static const cars_expr *first_reader(const cars_expr *e, unsigned bit)
{
    if (!e || !(e->protect & bit))
        return NULL;
    if (e->kind == CARS_E_NAME)
        return e;
    const cars_expr *r = first_reader(e->a, bit);
    if (!r)
        r = first_reader(e->b, bit);
    if (!r)
        r = first_reader(e->c, bit);
    for (size_t i = 0; !r && i < e->nargs; i++)
        r = first_reader(e->args[i], bit);
    return r ? r : e;
}

static const char *protected_path(const cars_ast *ast, unsigned bit)
{
    for (size_t i = 0; i < ast->nfields; i++) {
        if (ast->fields[i].protect & bit)
            return ast->fields[i].path;
        for (size_t j = 0; j < ast->fields[i].nelems; j++)
            if (ast->fields[i].elems[j].protect & bit)
                return ast->fields[i].elems[j].path;
    }
    return "?";
}

/* The field through which `e` reads characteristic `bit`, following
 * definitions: the one a rule author must look at. */
static const char *reader_path(const cars_ast *ast, const cars_expr *e, unsigned bit)
{
    for (int depth = 0; e && depth < 64; depth++) {
        if (e->kind == CARS_E_NAME && e->ref_kind == CARS_REF_LET && e->ref.let->value)
            e = first_reader(e->ref.let->value, bit);
        else if (e->kind == CARS_E_NAME &&
                 (e->ref_kind == CARS_REF_FIELD || e->ref_kind == CARS_REF_ELEM))
            return e->ref.field->path;
        else
            break;
    }
    return protected_path(ast, bit);
}

/* The proxy of nationality compared in `e` (a comparison, a membership
 * test, or a definition holding one). */
static const char *proxy_path(const cars_expr *e)
{
    for (int depth = 0; e && depth < 64; depth++) {
        if (e->kind == CARS_E_NAME && e->ref_kind == CARS_REF_LET) {
            e = first_reader(e->ref.let->value, CARS_PROT_NAT_PROXY);
            continue;
        }
        const cars_expr *ops[3] = {e->a, e->b, e->nargs ? e->args[0] : NULL};
        for (int i = 0; i < 3; i++)
            for (const cars_expr *x = ops[i]; x && cars_ck_proxy(x);) {
                if (x->kind == CARS_E_NAME && x->ref_kind == CARS_REF_FIELD)
                    return x->ref.field->path;
                x = x->ref.let->value; /* a definition naming the proxy */
            }
        break;
    }
    return "a proxy of nationality";
}

static void check_lawful(cars_ck *c, const cars_rule *r)
{
    const cars_expr *e;
    const cars_ast *ast = c->ast;
    if ((e = first_reader(r->when, CARS_PROT_SEX)))
        cars_error(c->d, &e->span, "remove the condition",
                   "%s is a protected characteristic with no lawful basis for routing",
                   reader_path(ast, e, CARS_PROT_SEX));
    if ((e = first_reader(r->when, CARS_PROT_NATIONALITY)) && !r->meta.authorisation)
        cars_error(c->d, &e->span, "cite the Ministerial Authorisation: authorisation MA-YYYY-NNN",
                   "%s %s reads %s (protected nationality) without an authorisation",
                   cars_rule_keyword(r->kind), r->id, reader_path(ast, e, CARS_PROT_NATIONALITY));
    else if ((e = first_reader(r->when, CARS_PROT_NAT_PROXY)) && !r->meta.authorisation)
        cars_error(c->d, &e->span,
                   "cite the Ministerial Authorisation (authorisation MA-YYYY-NNN), or remove "
                   "the condition",
                   "%s %s compares %s with particular countries without an authorisation: it is "
                   "a proxy of nationality (protected)", cars_rule_keyword(r->kind), r->id, proxy_path(e));
    if ((e = first_reader(r->when, CARS_PROT_AGE)) && !r->meta.justification)
        cars_error(c->d, &e->span, "cite the objective justification: justification OJ-YYYY-NNN",
                   "%s %s reads %s (protected age) without a justification", cars_rule_keyword(r->kind),
                   r->id, reader_path(ast, e, CARS_PROT_AGE));
    if (r->meta.authorisation && r->when && r->when->ty.kind != CARS_T_ERROR &&
        !(r->protect & (CARS_PROT_NATIONALITY | CARS_PROT_NAT_PROXY)))
        cars_warning(c->d, &r->meta.authorisation_span, "remove the citation",
                     "%s %s cites an authorisation but does not read nationality",
                     cars_rule_keyword(r->kind), r->id);
    if (r->meta.justification && r->when && r->when->ty.kind != CARS_T_ERROR &&
        !(r->protect & CARS_PROT_AGE))
        cars_warning(c->d, &r->meta.justification_span, "remove the citation",
                     "%s %s cites a justification but does not read age", cars_rule_keyword(r->kind),
                     r->id);
}

/* A rule that reads a protected characteristic (directly, through a
 * definition, or through a proxy of nationality) carries its reasons and
 * its review cadence, so an auditor can see why and how often it is looked
 * at again. Profiles need both anyway (check_profile_meta). */
static void check_protected_meta(cars_ck *c, const cars_rule *r)
{
    static const struct {
        unsigned bit;
        const char *name;
    } chars[] = {{CARS_PROT_NATIONALITY, "nationality"},
                 {CARS_PROT_NAT_PROXY, "a proxy of nationality"},
                 {CARS_PROT_AGE, "age"}};
    if (r->kind == CARS_R_PROFILE || !r->when || (c->opt && c->opt->carried))
        return;
    const cars_expr *e = NULL;
    size_t k = 0;
    for (; k < sizeof chars / sizeof chars[0] && !e; k++)
        e = first_reader(r->when, chars[k].bit);
    if (!e)
        return;
    unsigned bit = chars[k - 1].bit;
    const char *path = bit == CARS_PROT_NAT_PROXY ? proxy_path(e) : reader_path(c->ast, e, bit);
    char hint[200];
    if (!r->meta.rationale) {
        snprintf(hint, sizeof hint, "add `rationale \"why the rule exists\"` to %s", r->id);
        cars_error(c->d, &r->id_span, hint, "%s %s reads %s (protected: %s) and has no rationale",
                   cars_rule_keyword(r->kind), r->id, path, chars[k - 1].name);
    }
    if (!r->meta.has_review) {
        snprintf(hint, sizeof hint, "add `reviewed YYYY-MM-DD every N months` to %s (the day of its last review)",
                 r->id);
        cars_error(c->d, &r->id_span, hint, "%s %s reads %s (protected: %s) and has no review date",
                   cars_rule_keyword(r->kind), r->id, path, chars[k - 1].name);
    }
}

/* ---- rules, lets, sets, tables ------------------------------------------ */

static void check_rule(cars_ck *c, cars_rule *r)
{
    check_profile_meta(c, r);
    check_review(c, &r->meta, cars_rule_keyword(r->kind), r->id);
    if (!r->when) {
        cars_error(c->d, &r->id_span, "add: when CONDITION", "%s %s has no 'when' condition",
                   cars_rule_keyword(r->kind), r->id);
        return;
    }
    cars_type t = cars_ck_expr(c, r->when, NULL);
    r->protect = r->when->protect;
    if (t.kind != CARS_T_BOOL && t.kind != CARS_T_ERROR)
        cars_error(c->d, &r->when->span, NULL, "a rule's condition must be bool, got %s",
                   cars_ck_type_name(t));
    check_lawful(c, r);
    check_protected_meta(c, r);
    cars_ck_says(c, r);
}

/* `says` is what the decision maker reads of a rule that matched: a table
 * or a threshold never appears in an explanation by a text of its own. */
static void check_no_says(cars_ck *c, const cars_meta *m, const char *what, const char *id)
{
    if (m->says)
        cars_error(c->d, &m->says_span, "remove it (only a rule has a says text)",
                   "%s %s has a says text, but only a rule's appears in an explanation", what, id);
}

static void check_unused(cars_ck *c)
{
    cars_ast *ast = c->ast;
    /* a duplicate (reported already) is never the one a name finds */
    for (size_t i = 0; i < ast->nlets; i++) {
        cars_ck_let(c, ast->lets[i]);
        if (!ast->lets[i]->used && cars_ck_find_let(ast, ast->lets[i]->name) == ast->lets[i])
            cars_warning(c->d, &ast->lets[i]->span, "remove it",
                         "definition '%s' is never used", ast->lets[i]->name);
    }
    for (size_t i = 0; i < ast->nsets; i++)
        if (!ast->sets[i]->used && cars_ck_find_set(ast, ast->sets[i]->name) == ast->sets[i])
            cars_warning(c->d, &ast->sets[i]->span, "remove it", "set '%s' is never used",
                         ast->sets[i]->name);
    for (size_t i = 0; i < ast->ntables; i++) {
        cars_table *t = ast->tables[i];
        check_review(c, &t->meta, "table", t->name);
        check_no_says(c, &t->meta, "table", t->name);
        if (!t->used && cars_ck_find_table(ast, t->name) == t)
            cars_warning(c->d, &t->span, "remove it", "table '%s' is never used", t->name);
        if (t->file && t->file[0] == '/')
            cars_error(c->d, &t->file_span, "write the path relative to the ruleset's directory",
                       "a table file must be inside the ruleset, not an absolute path");
        if (t->nkeys < 1 || t->nkeys > 2)
            cars_error(c->d, &t->span, NULL, "a table has one or two key columns, not %zu",
                       t->nkeys);
    }
}

/* ---- thresholds ---------------------------------------------------------- */

static size_t count_tier(const cars_ast *ast, const char *tier)
{
    size_t n = 0;
    for (size_t i = 0; i < ast->nrules; i++)
        if (ast->rules[i]->kind == CARS_R_MULTIPLE && ast->rules[i]->tier &&
            (!tier || strcmp(ast->rules[i]->tier, tier) == 0))
            n++;
    return n;
}

static void check_tiers(cars_ck *c)
{
    const cars_ast *ast = c->ast;
    size_t distinct = 0;
    for (size_t i = 0; i < ast->nrules; i++) {
        const cars_rule *r = ast->rules[i];
        if (r->kind != CARS_R_MULTIPLE || !r->tier)
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = ast->rules[j]->kind == CARS_R_MULTIPLE && ast->rules[j]->tier &&
                   strcmp(ast->rules[j]->tier, r->tier) == 0;
        if (!seen && ++distinct == 9)
            cars_error(c->d, &r->tier_span, NULL, "a ruleset may have at most 8 tiers");
    }
}

static void check_threshold(cars_ck *c, const cars_threshold *t)
{
    size_t total = count_tier(c->ast, NULL);
    if (t->at_least < 0 || (size_t)t->at_least > total)
        cars_error(c->d, &t->at_least_span, NULL,
                   "threshold %s can never be reached: it needs %lld multiple PCAs, and there "
                   "%s %zu", t->id, (long long)t->at_least, total == 1 ? "is" : "are", total);
    for (size_t i = 0; i < t->ntiers; i++) {
        size_t n = count_tier(c->ast, t->tiers[i]);
        if (n == 0)
            cars_error(c->d, &t->tier_spans[i], NULL, "no multiple PCA is in tier %s",
                       t->tiers[i]);
        else if (t->tier_min[i] < 0 || (size_t)t->tier_min[i] > n)
            cars_error(c->d, &t->tier_spans[i], NULL,
                       "threshold %s can never be reached: it needs %lld in tier %s, and tier "
                       "%s has %zu", t->id, (long long)t->tier_min[i], t->tiers[i], t->tiers[i],
                       n);
    }
    check_review(c, &t->meta, "threshold", t->id);
    check_no_says(c, &t->meta, "threshold", t->id);
}

/* ---- routing ------------------------------------------------------------- */

static cars_stage_sel sel_of(cars_rule_kind k)
{
    switch (k) {
    case CARS_R_EXCLUSION: return CARS_S_EXCLUSIONS;
    case CARS_R_SCREEN: return CARS_S_SCREENS;
    case CARS_R_PROFILE: return CARS_S_PROFILES;
    case CARS_R_SINGLE_COMPLEX: return CARS_S_COMPLEX_SINGLES;
    case CARS_R_SINGLE_NONCOMPLEX: return CARS_S_NONCOMPLEX_SINGLES;
    case CARS_R_MULTIPLE: break;
    }
    return CARS_S_THRESHOLD;
}

static const char *const ROUTE_HINT[] = {
    "add 'exclusions -> NONE' to the routing block", "add 'screens -> CXDR' to the routing block",
    "add 'profiles -> CXDR' to the routing block",
    "add 'complex singles -> CXDR' to the routing block",
    "add 'noncomplex singles -> NCXDR' to the routing block",
    "add 'threshold ID -> NCXPCA otherwise CXPCA' to the routing block", NULL};

static void check_threshold_ref(cars_ck *c, const cars_stage *s)
{
    char hint[160];
    for (size_t i = 0; i < c->ast->nthresholds; i++)
        if (strcmp(c->ast->thresholds[i]->id, s->threshold) == 0)
            return;
    const char **ids = cars_arena_alloc(c->a, (c->ast->nthresholds + 1) * sizeof *ids);
    for (size_t i = 0; ids && i < c->ast->nthresholds; i++)
        ids[i] = c->ast->thresholds[i]->id;
    const char *near = ids ? cars_ck_nearest(s->threshold, ids, c->ast->nthresholds) : NULL;
    cars_error(c->d, &s->threshold_span, cars_ck_did_you_mean(near, hint, sizeof hint),
               "unknown threshold '%s'", s->threshold);
}

static void check_stage_outcomes(cars_ck *c, const cars_stage *s)
{
    if (s->outcome == CARS_O_ERROR || s->outcome > CARS_O_ERROR ||
        (s->sel == CARS_S_THRESHOLD && s->has_otherwise && (s->otherwise == CARS_O_ERROR || s->otherwise > CARS_O_ERROR)))
        cars_error(c->d, &s->span, "the outcomes are NCXDR, NCXPCA, CXDR, CXPCA and NONE",
                   "ERROR is not a routing outcome");
}

static void check_routing(cars_ck *c)
{
    const cars_ast *ast = c->ast;
    if (!ast->has_routing) {
        cars_error(c->d, NULL, "add: routing { ... otherwise -> OUTCOME }",
                   "the ruleset has no routing block");
        return;
    }
    const cars_stage *by_sel[7] = {0};
    const cars_stage *decider = NULL;
    for (size_t i = 0; i < ast->nstages; i++) {
        const cars_stage *s = &ast->stages[i];
        if (decider) {
            cars_error(c->d, &s->span, "remove it, or move it before the stage that always decides",
                       "this stage can never be reached: the stage on line %u always decides",
                       decider->span.line);
            break;
        }
        check_stage_outcomes(c, s);
        if (s->sel == CARS_S_THRESHOLD)
            check_threshold_ref(c, s);
        if (s->sel == CARS_S_OTHERWISE || (s->sel == CARS_S_THRESHOLD && s->has_otherwise))
            decider = s;
        else if (s->sel == CARS_S_THRESHOLD && i + 1 < ast->nstages &&
                 ast->stages[i + 1].sel != CARS_S_OTHERWISE)
            cars_error(c->d, &s->span, "add 'otherwise OUTCOME' to this line",
                       "a threshold stage without 'otherwise' must be the last stage or be "
                       "followed by 'otherwise -> OUTCOME' (v1)");
        if (s->sel == CARS_S_OTHERWISE)
            continue;
        if (by_sel[s->sel]) {
            cars_error(c->d, &s->span, NULL, "%s are already routed on line %u",
                       cars_stage_name(s->sel), by_sel[s->sel]->span.line);
            continue;
        }
        by_sel[s->sel] = s;
    }
    if (ast->nstages == 0)
        cars_error(c->d, &ast->routing_span, NULL, "the routing block has no stages");
    else if (!decider)
        cars_error(c->d, &ast->stages[ast->nstages - 1].span,
                   "end with 'otherwise -> OUTCOME' or a threshold with 'otherwise'",
                   "the last stage must always decide");
    bool reported[7] = {0};
    for (size_t i = 0; i < ast->nrules; i++) {
        cars_stage_sel sel = sel_of(ast->rules[i]->kind);
        if (by_sel[sel] || reported[sel])
            continue;
        reported[sel] = true;
        cars_error(c->d, &ast->rules[i]->id_span, ROUTE_HINT[sel],
                   "%s %s is not routed: no stage routes the %s", cars_rule_keyword(ast->rules[i]->kind),
                   ast->rules[i]->id, cars_stage_name(sel));
    }
}

/* ---- examples and tests -------------------------------------------------- */

static const cars_example *find_example(const cars_ast *ast, const char *name)
{
    for (size_t i = 0; i < ast->nexamples; i++)
        if (!ast->examples[i]->is_test && strcmp(ast->examples[i]->name, name) == 0)
            return ast->examples[i];
    return NULL;
}

static const char *nearest_of(cars_ck *c, const char *name, int what, char *buf, size_t size)
{
    const cars_ast *ast = c->ast;
    size_t n = what == 0 ? ast->nfields : what == 1 ? ast->nexamples : ast->nrules;
    const char **cands = cars_arena_alloc(c->a, (n + 1) * sizeof *cands);
    if (!cands)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (what == 0)
            cands[k++] = ast->fields[i].path;
        else if (what == 1 && !ast->examples[i]->is_test)
            cands[k++] = ast->examples[i]->name;
        else if (what == 2)
            cands[k++] = ast->rules[i]->id;
    }
    return cars_ck_did_you_mean(cars_ck_nearest(name, cands, k), buf, size);
}

static bool rule_exists(const cars_ast *ast, const char *id)
{
    for (size_t i = 0; i < ast->nrules; i++)
        if (strcmp(ast->rules[i]->id, id) == 0)
            return true;
    return false;
}

static void check_example(cars_ck *c, cars_example *ex)
{
    char hint[160];
    if (ex->like && !find_example(c->ast, ex->like))
        cars_error(c->d, &ex->like_span, nearest_of(c, ex->like, 1, hint, sizeof hint),
                   "unknown example '%s'", ex->like);
    for (size_t i = 0; i < ex->nassigns; i++) {
        cars_assign *as = &ex->assigns[i];
        const cars_field *f = cars_ck_field(c->ast, as->path);
        if (!f)
            cars_error(c->d, &as->span, nearest_of(c, as->path, 0, hint, sizeof hint),
                       "unknown field '%s'", as->path);
        else
            cars_ck_value(c, f, as->value);
    }
    if (!ex->is_test)
        return;
    /* a test without `expect` is reported by the parser */
    for (size_t i = 0; i < ex->nexpect_rules; i++)
        if (!rule_exists(c->ast, ex->expect_rules[i]))
            cars_error(c->d, &ex->expect_rule_spans[i],
                       nearest_of(c, ex->expect_rules[i], 2, hint, sizeof hint),
                       "unknown rule '%s'", ex->expect_rules[i]);
}

/* ---- driver -------------------------------------------------------------- */

bool cars_check(cars_ast *ast, cars_arena *arena, cars_diags *d, const cars_check_options *opt)
{
    cars_ck c;
    memset(&c, 0, sizeof c);
    c.ast = ast;
    c.a = arena;
    c.d = d;
    c.opt = opt;
    c.sets = cars_arena_alloc(arena, (ast->nsets + 1) * sizeof *c.sets);
    if (!c.sets)
        return false;
    for (size_t i = 0; i < ast->nsets; i++)
        c.sets[i].kind = CARS_T_ERROR;
    cars_ck_index_names(ast, arena);
    check_schema(&c);
    check_duplicates(&c);
    for (size_t i = 0; i < ast->nrules; i++)
        check_rule(&c, ast->rules[i]);
    check_unused(&c);
    check_tiers(&c);
    for (size_t i = 0; i < ast->nthresholds; i++)
        check_threshold(&c, ast->thresholds[i]);
    check_routing(&c);
    for (size_t i = 0; i < ast->nexamples; i++)
        check_example(&c, ast->examples[i]);
    return d->errors == 0 && !cars_arena_failed(arena);
}

/* report_diff.c - what changed since the previous release, for carsc report
 * --previous: rules and thresholds added, withdrawn and changed (with a
 * word-level diff of their canonical text), and table entry counts before
 * and after. Declarations are matched by id. */
#include "report.h"

#include <string.h>

/* A rule or threshold of one side: id, title and its canonical text. */
typedef struct side_decl {
    const char *id, *title;
    const char *text;
    size_t len;
} side_decl;

static side_decl *side_decls(cars_arena *a, const cars_ast *ast, size_t *n)
{
    *n = ast->nrules + ast->nthresholds;
    side_decl *d = cars_arena_alloc(a, (*n + 1) * sizeof *d);
    if (!d)
        return NULL;
    for (size_t i = 0; i < ast->nrules; i++) {
        d[i].id = ast->rules[i]->id;
        d[i].title = ast->rules[i]->title;
        d[i].text = cars_report_decl_text(ast, &ast->rules[i]->span, &d[i].len);
    }
    for (size_t i = 0; i < ast->nthresholds; i++) {
        side_decl *x = &d[ast->nrules + i];
        x->id = ast->thresholds[i]->id;
        x->title = ast->thresholds[i]->title;
        x->text = cars_report_decl_text(ast, &ast->thresholds[i]->span, &x->len);
    }
    return d;
}

static const side_decl *find(const side_decl *d, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(d[i].id, id) == 0)
            return &d[i];
    return NULL;
}

/* Words: runs of non-space, and runs of space, each a token. */
static size_t tokenise(cars_arena *a, const char *s, size_t len, cars_diff_tok **out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; n++) {
        int sp = s[i] == ' ' || s[i] == '\n';
        while (i < len && (s[i] == ' ' || s[i] == '\n') == sp)
            i++;
    }
    *out = cars_arena_alloc(a, (n + 1) * sizeof **out);
    if (!*out)
        return 0;
    size_t k = 0;
    for (size_t i = 0; i < len; k++) {
        int sp = s[i] == ' ' || s[i] == '\n';
        size_t j = i;
        while (j < len && (s[j] == ' ' || s[j] == '\n') == sp)
            j++;
        (*out)[k] = (cars_diff_tok){CARS_DIFF_SAME, s + i, j - i};
        i = j;
    }
    return k;
}

static bool same_tok(const cars_diff_tok *x, const cars_diff_tok *y)
{
    return x->len == y->len && memcmp(x->s, y->s, x->len) == 0;
}

/* Joins neighbouring tokens of one kind that are neighbours in their text. */
static size_t coalesce(cars_diff_tok *t, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && t[k - 1].op == t[i].op && t[k - 1].s + t[k - 1].len == t[i].s)
            t[k - 1].len += t[i].len;
        else
            t[k++] = t[i];
    }
    return k;
}

/* The word diff of two texts (longest common subsequence of tokens); a
 * text too long for it shows as all deleted then all inserted. */
static size_t word_diff(cars_arena *a, const side_decl *x, const side_decl *y, cars_diff_tok **out)
{
    cars_diff_tok *xt, *yt;
    size_t n = tokenise(a, x->text, x->len, &xt), m = tokenise(a, y->text, y->len, &yt);
    *out = cars_arena_alloc(a, (n + m + 1) * sizeof **out);
    uint32_t *L = n <= 4000 && m <= 4000 ? cars_arena_alloc(a, (n + 1) * (m + 1) * sizeof *L) : NULL;
    if (!*out)
        return 0;
    size_t k = 0, i = 0, j = 0;
    if (L)
        for (size_t p = n; p-- > 0;)
            for (size_t q = m; q-- > 0;) {
                uint32_t down = L[(p + 1) * (m + 1) + q], right = L[p * (m + 1) + q + 1];
                L[p * (m + 1) + q] = same_tok(&xt[p], &yt[q]) ? L[(p + 1) * (m + 1) + q + 1] + 1
                                                              : (down > right ? down : right);
            }
    while (i < n || j < m) {
        if (L && i < n && j < m && same_tok(&xt[i], &yt[j])) {
            (*out)[k++] = xt[i++], j++;
        } else if (j < m && (i == n || (L && L[i * (m + 1) + j + 1] > L[(i + 1) * (m + 1) + j]))) {
            (*out)[k] = yt[j++], (*out)[k++].op = CARS_DIFF_INS;
        } else if (i < n) {
            (*out)[k] = xt[i++], (*out)[k++].op = CARS_DIFF_DEL;
        } else {
            (*out)[k] = yt[j++], (*out)[k++].op = CARS_DIFF_INS;
        }
    }
    return coalesce(*out, k);
}

static void add_change(cars_report *r, size_t *cap, cars_change_kind kind, const side_decl *old,
                       const side_decl *now)
{
    const side_decl *d = now ? now : old;
    if (!d)
        return;
    if (r->nchanges == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        r->changes = cars_arena_grow(&r->arena, r->changes, r->nchanges, *cap, sizeof *r->changes);
        if (!r->changes) {
            r->nchanges = 0; /* the arena's failure is reported */
            return;
        }
    }
    cars_report_change *c = &r->changes[r->nchanges++];
    c->kind = kind;
    c->id = d->id;
    c->title = d->title;
    if (kind == CARS_CHANGE_CHANGED) {
        c->ntoks = word_diff(&r->arena, old, now, &c->toks);
        return;
    }
    c->toks = cars_arena_alloc(&r->arena, sizeof *c->toks);
    if (c->toks) {
        *c->toks = (cars_diff_tok){kind == CARS_CHANGE_ADDED ? CARS_DIFF_INS : CARS_DIFF_DEL, d->text, d->len};
        c->ntoks = 1;
    }
}

static bool table_changes(cars_report *r)
{
    const cars_program *a = r->prev.p, *b = r->p;
    r->tchanges = cars_arena_alloc(&r->arena, (a->ntables + b->ntables + 1) * sizeof *r->tchanges);
    if (!r->tchanges)
        return false;
    for (uint32_t i = 0; i < b->ntables; i++) {
        cars_report_tchange *t = &r->tchanges[r->ntchanges++];
        t->name = cars_arena_strndup(&r->arena, b->tables[i].name.p, b->tables[i].name.len);
        t->after = true;
        t->n_after = b->tables[i].n;
        for (uint32_t k = 0; k < a->ntables; k++)
            if (a->tables[k].name.len == b->tables[i].name.len &&
                memcmp(a->tables[k].name.p, b->tables[i].name.p, a->tables[k].name.len) == 0) {
                t->before = true;
                t->n_before = a->tables[k].n;
                t->replaced = t->n_before == t->n_after && memcmp(a->tables[k].digest, b->tables[i].digest, 32);
            }
    }
    for (uint32_t k = 0; k < a->ntables; k++) {
        bool found = false;
        for (uint32_t i = 0; i < b->ntables; i++)
            found |= a->tables[k].name.len == b->tables[i].name.len &&
                     memcmp(a->tables[k].name.p, b->tables[i].name.p, a->tables[k].name.len) == 0;
        if (!found) {
            cars_report_tchange *t = &r->tchanges[r->ntchanges++];
            t->name = cars_arena_strndup(&r->arena, a->tables[k].name.p, a->tables[k].name.len);
            t->before = true;
            t->n_before = a->tables[k].n;
        }
    }
    return true;
}

bool cars_report_changes(cars_report *r)
{
    size_t na, nb, cap = 0;
    side_decl *a = side_decls(&r->arena, r->prev.ast, &na), *b = side_decls(&r->arena, r->ast, &nb);
    if (!a || !b)
        return false;
    for (size_t i = 0; i < nb; i++)
        if (!find(a, na, b[i].id))
            add_change(r, &cap, CARS_CHANGE_ADDED, NULL, &b[i]);
    for (size_t i = 0; i < na; i++)
        if (!find(b, nb, a[i].id))
            add_change(r, &cap, CARS_CHANGE_WITHDRAWN, &a[i], NULL);
    for (size_t i = 0; i < nb; i++) {
        const side_decl *o = find(a, na, b[i].id);
        if (o && (o->len != b[i].len || memcmp(o->text, b[i].text, o->len) != 0))
            add_change(r, &cap, CARS_CHANGE_CHANGED, o, &b[i]);
    }
    return table_changes(r) && !cars_arena_failed(&r->arena);
}

/* fmt.c - the printer of carsc fmt (the command is cmd_fmt.c): a parsed
 * file back as text in canonical form.
 *
 * Canonical form: 2-space indent, one item per line, items in source order,
 * a blank line between top-level declarations (single blank lines inside a
 * block are kept), parentheses exactly where precedence needs them, string
 * escapes normalised (blanks other than the space, which a reader cannot
 * see, as \u escapes), number and date literals as written. A `when` longer
 * than the line (or with comments between its operands) is broken before
 * each top-level `and`/`or`; a long list is broken one element per line.
 *
 * Comments are placed by position, not by attachment: before printing an
 * item, every comment that came before it in the source is printed on its
 * own line; after an item, a comment that was on its last line stays at the
 * end of the line. That makes fmt idempotent: fmt(fmt(x)) == fmt(x).
 */
#include "fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "date.h"
#include "fmt_int.h"

enum { WIDTH = 80 };

/* ---- the printer: lines, blank lines and comments ---------------------------------- */

typedef struct printer {
    cars_buf out;
    const cars_ast *ast;
    uint32_t file;
    size_t ci;          /* next comment of ast->comments to print */
    uint32_t prev_line; /* source line where the last printed thing ended (0: none) */
    bool force_blank;   /* a blank line before the next thing (between declarations) */
    const cars_source *src;
    size_t *lines;      /* offset of the start of each source line */
    uint32_t nlines;
} printer;

static const cars_comment *next_comment(printer *p)
{
    while (p->ci < p->ast->ncomments && p->ast->comments[p->ci].span.file != p->file)
        p->ci++;
    return p->ci < p->ast->ncomments ? &p->ast->comments[p->ci] : NULL;
}

static bool comes_before(const cars_span *c, uint32_t line, uint32_t col)
{
    return c->line < line || (c->line == line && c->col < col);
}

/* Is there a blank source line strictly between lines `from` and `to`? */
static bool blank_between(const printer *p, uint32_t from, uint32_t to)
{
    for (uint32_t l = from + 1; l < to && l <= p->nlines; l++) {
        const char *s = p->src->text + p->lines[l - 1];
        while (*s == ' ' || *s == '\t' || *s == '\r')
            s++;
        if (*s == '\n' || *s == '\0')
            return true;
    }
    return false;
}

static void gap(printer *p, uint32_t line)
{
    if (p->force_blank || (p->prev_line && blank_between(p, p->prev_line, line)))
        cars_buf_puts(&p->out, "\n");
    p->force_blank = false;
}

static void put_comment(printer *p, const cars_comment *c)
{
    cars_buf_puts(&p->out, "#");
    cars_buf_puts(&p->out, c->text);
}

/* Print, each on its own line, the comments that come before (line, col). */
static void flush_before(printer *p, uint32_t line, uint32_t col, int indent)
{
    const cars_comment *c;
    while ((c = next_comment(p)) && comes_before(&c->span, line, col)) {
        gap(p, c->span.line);
        cars_fmt_spaces(&p->out, indent);
        put_comment(p, c);
        cars_buf_puts(&p->out, "\n");
        p->prev_line = c->span.line;
        p->ci++;
    }
}

/* Start an item that began at `at` in the source. */
static void begin(printer *p, const cars_span *at, int indent)
{
    flush_before(p, at->line, at->col, indent);
    gap(p, at->line);
    cars_fmt_spaces(&p->out, indent);
}

/* End an item whose source ended on line `end`: its trailing comment. */
static void end(printer *p, uint32_t end_line)
{
    const cars_comment *c = next_comment(p);
    if (c && c->trailing && c->span.line <= end_line) {
        cars_buf_puts(&p->out, "  ");
        put_comment(p, c);
        p->ci++;
    }
    cars_buf_puts(&p->out, "\n");
    if (end_line > p->prev_line)
        p->prev_line = end_line;
}

/* A whole item on one line. */
static void item(printer *p, const cars_span *at, uint32_t end_line, int indent, const char *text)
{
    begin(p, at, indent);
    cars_buf_puts(&p->out, text);
    end(p, end_line);
}

static void open_block(printer *p, uint32_t line)
{
    cars_buf_puts(&p->out, " {");
    end(p, line);
    p->prev_line = 0; /* no blank line at the start of a block */
}

static void close_block(printer *p, const cars_span *decl, int indent)
{
    flush_before(p, decl->end_line, decl->end_col, indent + 2);
    cars_fmt_spaces(&p->out, indent);
    cars_buf_puts(&p->out, "}");
}

/* Is there a comment of this file after `from` and before line `line`? */
static bool comment_within(printer *p, const cars_span *from, uint32_t line)
{
    for (size_t i = p->ci; i < p->ast->ncomments; i++) {
        const cars_comment *c = &p->ast->comments[i];
        if (c->span.file != p->file)
            continue;
        if (c->span.line >= line)
            return false;
        if (!comes_before(&c->span, from->line, from->col))
            return true;
    }
    return false;
}

/* One element of a breakable list. */
typedef struct elem {
    char *text;
    cars_span span;
} elem;

/* `head[a, b, c]tail`, or, when too long or holding comments, broken one
 * element per line. The line is begun by the caller (at `at`). */
static void put_list(printer *p, const char *head, elem *els, size_t n, const char *tail,
                     const cars_span *at, uint32_t end_line, int indent)
{
    size_t width = (size_t)indent + strlen(head) + strlen(tail) + 2;
    for (size_t i = 0; i < n; i++)
        width += strlen(els[i].text) + 2;
    bool brk = n > 0 && (width > WIDTH || comment_within(p, at, els[n - 1].span.line));
    if (!brk) {
        cars_buf_puts(&p->out, head);
        cars_buf_puts(&p->out, "[");
        for (size_t i = 0; i < n; i++) {
            if (i)
                cars_buf_puts(&p->out, ", ");
            cars_buf_puts(&p->out, els[i].text);
        }
        cars_buf_puts(&p->out, "]");
        cars_buf_puts(&p->out, tail);
        end(p, end_line);
        return;
    }
    cars_buf_puts(&p->out, head);
    cars_buf_puts(&p->out, "[");
    end(p, at->line);
    p->prev_line = 0;
    for (size_t i = 0; i < n; i++) {
        begin(p, &els[i].span, indent + 2);
        cars_buf_puts(&p->out, els[i].text);
        cars_buf_puts(&p->out, ",");
        end(p, els[i].span.end_line);
    }
    cars_fmt_spaces(&p->out, indent);
    cars_buf_puts(&p->out, "]");
    cars_buf_puts(&p->out, tail);
    end(p, end_line);
}

/* The text of `b` as a string of its own (NUL-terminated, the caller's to
 * cars_free); NULL, with `b` freed, if memory ran out. */
static char *buf_text(cars_buf *b)
{
    if (!cars_buf_cstr(b) || b->failed) {
        cars_buf_free(b);
        return NULL;
    }
    char *s = b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    return s;
}

static char *expr_text(const cars_expr *e, bool value)
{
    cars_buf b = {0};
    if (value)
        cars_fmt_value(&b, e, false);
    else
        cars_fmt_expr(&b, e, 0);
    return buf_text(&b);
}

/* Elements of an expression list (set or value), as text. NULL: no memory. */
static elem *list_elems(const cars_expr *list, bool value)
{
    elem *els = cars_calloc(list->nargs + 1, sizeof *els);
    if (!els)
        return NULL;
    for (size_t i = 0; i < list->nargs; i++) {
        const cars_expr *x = list->args[i];
        els[i].span = x->span;
        els[i].text = value ? expr_text(x, true) : expr_text(x, false);
        if (value && x->kind == CARS_E_LIST) { /* a record */
            cars_buf b = {0};
            cars_fmt_value(&b, x, true);
            cars_free(els[i].text);
            els[i].text = buf_text(&b);
        }
    }
    return els;
}

static void free_elems(elem *els, size_t n)
{
    for (size_t i = 0; els && i < n; i++)
        cars_free(els[i].text);
    cars_free(els);
}

static bool elems_ok(printer *p, elem *els, size_t n)
{
    if (!els)
        return p->out.failed = true, false;
    for (size_t i = 0; i < n; i++)
        if (!els[i].text)
            return p->out.failed = true, false;
    return true;
}

static void put_expr_list(printer *p, const char *head, const cars_expr *list, bool value,
                          const char *tail, const cars_span *at, uint32_t end_line, int indent)
{
    elem *els = list_elems(list, value);
    if (elems_ok(p, els, list->nargs))
        put_list(p, head, els, list->nargs, tail, at, end_line, indent);
    free_elems(els, list->nargs);
}

/* ---- declarations -------------------------------------------------------------- */

static const char *const type_names[] = {
    [CARS_T_BOOL] = "bool", [CARS_T_INTEGER] = "integer", [CARS_T_NUMBER] = "number",
    [CARS_T_STRING] = "string", [CARS_T_DATE] = "date", [CARS_T_COUNTRY] = "country",
};

static void put_number(cars_buf *b, double v)
{
    char tmp[40];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(tmp, sizeof tmp, "%.*g", digits, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    cars_buf_puts(b, tmp);
}

static void field_attrs(cars_buf *b, const cars_field *f)
{
    if (f->has_min) {
        cars_buf_puts(b, " min ");
        put_number(b, f->min);
    }
    cars_buf_puts(b, f->required ? " required" : " optional");
    if (f->reference)
        cars_buf_puts(b, " reference");
    if (f->protect)
        cars_buf_puts(b, f->protect == CARS_PROT_NATIONALITY ? " protected nationality"
                   : f->protect == CARS_PROT_AGE       ? " protected age"
                                                       : " protected sex");
}

static void put_fields(printer *p, const cars_field *fs, size_t n, int indent);

static void put_field(printer *p, const cars_field *f, int indent)
{
    begin(p, &f->span, indent);
    cars_buf attrs = {0};
    field_attrs(&attrs, f);
    const char *attr_text = cars_buf_cstr(&attrs);
    if (!attr_text || attrs.failed) {
        p->out.failed = true;
        cars_buf_free(&attrs);
        return;
    }
    cars_buf_puts(&p->out, f->path);
    cars_buf_puts(&p->out, ": ");
    if (f->type == CARS_T_LIST) {
        cars_buf_puts(&p->out, "list of");
        open_block(p, f->span.line);
        put_fields(p, f->elems, f->nelems, indent + 2);
        cars_span last = f->nelems ? f->elems[f->nelems - 1].span : f->span;
        /* the closing brace: comments before the next field stay with it */
        flush_before(p, last.end_line + 1, 0, indent + 2);
        cars_fmt_spaces(&p->out, indent);
        cars_buf_puts(&p->out, "}");
        cars_buf_puts(&p->out, attr_text);
        end(p, last.end_line + 1);
    } else if (f->type == CARS_T_ENUM) {
        elem *els = cars_calloc(f->members.n + 1, sizeof *els);
        if (!els) {
            p->out.failed = true;
        } else {
            for (size_t i = 0; i < f->members.n; i++) {
                els[i].text = (char *)f->members.names[i];
                els[i].span = f->members.spans[i];
            }
            uint32_t endl = f->members.n ? f->members.spans[f->members.n - 1].end_line
                                         : f->span.line;
            put_list(p, "one of ", els, f->members.n, attr_text, &f->span, endl, indent);
            cars_free(els);
        }
    } else {
        cars_buf_puts(&p->out, f->type == CARS_T_STRING ? cars_string_kind_keyword(f->kind) : type_names[f->type]);
        cars_buf_puts(&p->out, attr_text);
        end(p, f->span.end_line);
    }
    cars_buf_free(&attrs);
}

static void put_fields(printer *p, const cars_field *fs, size_t n, int indent)
{
    for (size_t i = 0; i < n; i++)
        put_field(p, &fs[i], indent);
}

/* Items inside a declaration, sorted by where they were written. */
typedef struct line_item {
    cars_span at;
    uint32_t end_line;
    char *text;          /* owned */
    const cars_expr *when;
    const cars_assign *assign;
} line_item;

static int cmp_items(const void *a, const void *b)
{
    const cars_span *x = &((const line_item *)a)->at, *y = &((const line_item *)b)->at;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->col < y->col ? -1 : x->col > y->col;
}

typedef struct items {
    line_item *v;
    size_t n, cap;
    bool failed;
} items;

static void add_item(items *it, const cars_span *at, uint32_t end_line, cars_buf *text)
{
    if (text->failed || it->failed) {
        it->failed = true;
        cars_buf_free(text);
        return;
    }
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 8;
        line_item *v = cars_realloc(it->v, cap * sizeof *v);
        if (!v) {
            it->failed = true;
            cars_buf_free(text);
            return;
        }
        it->v = v;
        it->cap = cap;
    }
    line_item *li = &it->v[it->n++];
    memset(li, 0, sizeof *li);
    li->at = *at;
    li->end_line = end_line > at->end_line ? end_line : at->end_line;
    li->text = buf_text(text);
    if (!li->text)
        it->failed = true;
}

static void meta_items(items *it, const cars_meta *m)
{
    if (m->rationale) {
        cars_buf b = {0};
        cars_buf_puts(&b, "rationale ");
        cars_fmt_quoted(&b, m->rationale, strlen(m->rationale));
        add_item(it, &m->rationale_span, m->rationale_span.end_line, &b);
    }
    if (m->says) {
        cars_buf b = {0};
        cars_buf_puts(&b, "says ");
        cars_fmt_quoted(&b, m->says, strlen(m->says));
        add_item(it, &m->says_span, m->says_span.end_line, &b);
    }
    if (m->authorisation) {
        cars_buf b = {0};
        cars_buf_puts(&b, "authorisation ");
        cars_buf_puts(&b, m->authorisation);
        add_item(it, &m->authorisation_span, 0, &b);
    }
    if (m->justification) {
        cars_buf b = {0};
        cars_buf_puts(&b, "justification ");
        cars_buf_puts(&b, m->justification);
        add_item(it, &m->justification_span, 0, &b);
    }
    if (m->has_review) {
        cars_buf b = {0};
        char date[11];
        cars_date_format(m->reviewed, date);
        cars_fmt_printf(&b, "reviewed %s every %d months", date, m->review_months);
        add_item(it, &m->review_span, m->review_span.end_line, &b);
    }
}

/* Flatten the top-level chain of the `when`'s root operator. */
static size_t chain(const cars_expr *e, cars_expr_kind k, const cars_expr **ops, size_t max)
{
    if (e->kind != k)
        return 0;
    size_t n = 0;
    const cars_expr *x = e;
    while (x->kind == k && n + 1 < max) {
        ops[n++] = x->b;
        x = x->a;
    }
    ops[n++] = x;
    for (size_t i = 0; i < n / 2; i++) { /* collected right to left */
        const cars_expr *t = ops[i];
        ops[i] = ops[n - 1 - i];
        ops[n - 1 - i] = t;
    }
    return n;
}

enum { MAXOPS = 202 }; /* the parser bounds expression depth at 200 */

/* One line `prefix EXPR` begun at `at`. A quantifier too long for the line
 * whose `where` is an and/or chain is broken before each and/or, aligned
 * under the first operand after `where`. */
static void put_line_expr(printer *p, const cars_span *at, int indent, const char *prefix,
                          const cars_expr *e, int min, uint32_t end_line)
{
    cars_buf t = {0};
    cars_fmt_expr(&t, e, min);
    const cars_expr *ops[MAXOPS];
    size_t n = 0;
    const cars_expr *w = e->kind == CARS_E_QUANT ? e->b : NULL;
    if ((size_t)indent + strlen(prefix) + t.len > WIDTH && w &&
        (w->kind == CARS_E_AND || w->kind == CARS_E_OR))
        n = chain(w, w->kind, ops, MAXOPS);
    begin(p, at, indent);
    cars_buf_puts(&p->out, prefix);
    if (n < 2 || t.failed) {
        if (t.failed)
            p->out.failed = true;
        cars_buf_put(&p->out, t.p, t.len);
        cars_buf_free(&t);
        end(p, end_line);
        return;
    }
    cars_buf_free(&t);
    cars_buf head = {0};
    cars_fmt_quant_head(&head, e);
    cars_buf_puts(&head, " where ");
    int col = indent + (int)strlen(prefix) + (int)head.len;
    cars_buf_put(&p->out, head.p, head.len);
    if (head.failed)
        p->out.failed = true;
    cars_buf_free(&head);
    bool is_and = w->kind == CARS_E_AND;
    int min_op = is_and ? P_AND + 1 : P_OR + 1;
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            begin(p, &ops[i]->span, col - (is_and ? 4 : 3));
            cars_buf_puts(&p->out, is_and ? "and " : "or ");
        }
        cars_fmt_expr(&p->out, ops[i], min_op);
        if (i + 1 == n)
            cars_buf_puts(&p->out, ")");
        end(p, i + 1 == n ? end_line : ops[i]->span.end_line);
    }
}

static void put_when(printer *p, const line_item *li, int indent)
{
    const cars_expr *w = li->when;
    const cars_expr *ops[MAXOPS];
    cars_expr_kind k = w->kind;
    size_t n = (k == CARS_E_AND || k == CARS_E_OR) ? chain(w, k, ops, MAXOPS) : 0;
    bool brk = n > 1 && ((size_t)indent + 5 + strlen(li->text) > WIDTH ||
                         comment_within(p, &li->at, ops[n - 1]->span.line));
    if (!brk) {
        put_line_expr(p, &li->at, indent, "when ", w, 0, li->end_line);
        return;
    }
    int min = k == CARS_E_AND ? P_AND + 1 : P_OR + 1;
    for (size_t i = 0; i < n; i++)
        put_line_expr(p, i ? &ops[i]->span : &li->at, indent,
                      i == 0 ? "when " : k == CARS_E_AND ? " and " : "  or ", ops[i], min,
                      i + 1 == n ? li->end_line : ops[i]->span.end_line);
}

static void put_items(printer *p, items *it, int indent)
{
    if (it->failed)
        p->out.failed = true;
    else if (it->n > 1)
        qsort(it->v, it->n, sizeof *it->v, cmp_items);
    for (size_t i = 0; i < it->n && !it->failed; i++) {
        line_item *li = &it->v[i];
        if (li->when) {
            put_when(p, li, indent);
        } else if (li->assign && li->assign->value && li->assign->value->kind == CARS_E_LIST) {
            begin(p, &li->at, indent);
            cars_buf head = {0};
            cars_buf_puts(&head, li->assign->path);
            cars_buf_puts(&head, " = ");
            const char *text = cars_buf_cstr(&head);
            if (!text || head.failed)
                p->out.failed = true;
            else
                put_expr_list(p, text, li->assign->value, true, "", &li->at, li->end_line,
                              indent);
            cars_buf_free(&head);
        } else {
            item(p, &li->at, li->end_line, indent, li->text);
        }
    }
    for (size_t i = 0; i < it->n; i++)
        cars_free(it->v[i].text);
    cars_free(it->v);
}

static void put_rule(printer *p, const cars_decl *d, const cars_rule *r)
{
    begin(p, &d->span, 0);
    cars_fmt_printf(&p->out, "%s ", cars_rule_keyword(r->kind));
    cars_buf_puts(&p->out, r->id);
    if (r->kind == CARS_R_SINGLE_COMPLEX)
        cars_buf_puts(&p->out, " complex");
    else if (r->kind == CARS_R_SINGLE_NONCOMPLEX)
        cars_buf_puts(&p->out, " noncomplex");
    else if (r->kind == CARS_R_MULTIPLE) {
        cars_buf_puts(&p->out, " tier ");
        cars_buf_puts(&p->out, r->tier);
    }
    cars_buf_puts(&p->out, " ");
    cars_fmt_quoted(&p->out, r->title, strlen(r->title));
    open_block(p, d->span.line);
    items it = {0};
    meta_items(&it, &r->meta);
    cars_buf w = {0};
    cars_fmt_expr(&w, r->when, 0);
    add_item(&it, &r->when_span, r->when_span.end_line, &w);
    if (!it.failed)
        it.v[it.n - 1].when = r->when;
    put_items(p, &it, 2);
    close_block(p, &d->span, 0);
}

static void put_table(printer *p, const cars_decl *d, const cars_table *t)
{
    begin(p, &d->span, 0);
    cars_buf_puts(&p->out, "table ");
    cars_buf_puts(&p->out, t->name);
    cars_buf_puts(&p->out, " ");
    cars_fmt_quoted(&p->out, t->title, strlen(t->title));
    open_block(p, d->span.line);
    items it = {0};
    if (t->file) {
        cars_buf b = {0};
        cars_buf_puts(&b, "file ");
        cars_fmt_quoted(&b, t->file, strlen(t->file));
        add_item(&it, &t->file_span, 0, &b);
    }
    if (t->nkeys) {
        cars_buf b = {0};
        cars_buf_puts(&b, "key ");
        for (size_t i = 0; i < t->nkeys; i++)
            cars_fmt_printf(&b, "%s%s: %s", i ? ", " : "", t->key_names[i], cars_key_kind_name(t->key_kinds[i]));
        add_item(&it, &t->key_spans[0], t->key_spans[t->nkeys - 1].end_line, &b);
    }
    meta_items(&it, &t->meta);
    put_items(p, &it, 2);
    close_block(p, &d->span, 0);
}

static void put_threshold(printer *p, const cars_decl *d, const cars_threshold *t)
{
    begin(p, &d->span, 0);
    cars_buf_puts(&p->out, "threshold ");
    cars_buf_puts(&p->out, t->id);
    cars_buf_puts(&p->out, " ");
    cars_fmt_quoted(&p->out, t->title, strlen(t->title));
    open_block(p, d->span.line);
    items it = {0};
    if (t->at_least_span.line) {
        cars_buf b = {0};
        cars_fmt_printf(&b, "at least %lld", (long long)t->at_least);
        add_item(&it, &t->at_least_span, 0, &b);
    }
    for (size_t i = 0; i < t->ntiers; i++) {
        cars_buf b = {0};
        cars_fmt_printf(&b, "at least %lld in tier ", (long long)t->tier_min[i]);
        cars_buf_puts(&b, t->tiers[i]);
        add_item(&it, &t->tier_spans[i], 0, &b);
    }
    meta_items(&it, &t->meta);
    put_items(p, &it, 2);
    close_block(p, &d->span, 0);
}

static void put_routing(printer *p, const cars_decl *d)
{
    begin(p, &d->span, 0);
    cars_buf_puts(&p->out, "routing");
    open_block(p, d->span.line);
    const cars_stage *st = d->node;
    size_t n = st == p->ast->stages ? p->ast->nstages : 0;
    for (size_t i = 0; i < n; i++) {
        const cars_stage *s = &st[i];
        cars_buf b = {0};
        if (s->sel == CARS_S_THRESHOLD) {
            cars_fmt_printf(&b, "threshold %s -> %s", s->threshold, cars_outcome_name(s->outcome));
            if (s->has_otherwise)
                cars_fmt_printf(&b, " otherwise %s", cars_outcome_name(s->otherwise));
        } else if (s->sel == CARS_S_OTHERWISE) {
            cars_fmt_printf(&b, "otherwise -> %s", cars_outcome_name(s->outcome));
        } else {
            cars_fmt_printf(&b, "%s -> %s", cars_stage_name(s->sel), cars_outcome_name(s->outcome));
        }
        const char *text = cars_buf_cstr(&b);
        if (!text || b.failed)
            p->out.failed = true;
        else
            item(p, &s->span, s->span.end_line, 2, text);
        cars_buf_free(&b);
    }
    close_block(p, &d->span, 0);
}

static void put_example(printer *p, const cars_decl *d, const cars_example *ex)
{
    begin(p, &d->span, 0);
    if (ex->is_test) {
        cars_buf_puts(&p->out, "test ");
        cars_fmt_quoted(&p->out, ex->name, strlen(ex->name));
    } else {
        cars_buf_puts(&p->out, "example ");
        cars_buf_puts(&p->out, ex->name);
    }
    open_block(p, d->span.line);
    items it = {0};
    if (ex->like) {
        cars_buf b = {0};
        cars_buf_puts(&b, "like ");
        cars_buf_puts(&b, ex->like);
        add_item(&it, &ex->like_span, 0, &b);
    }
    for (size_t i = 0; i < ex->nassigns; i++) {
        const cars_assign *as = &ex->assigns[i];
        cars_buf b = {0};
        cars_buf_puts(&b, as->path);
        cars_buf_puts(&b, " = ");
        if (as->value)
            cars_fmt_value(&b, as->value, false);
        else
            cars_buf_puts(&b, "absent");
        add_item(&it, &as->span, as->value ? as->value->span.end_line : 0, &b);
        if (!it.failed)
            it.v[it.n - 1].assign = as;
    }
    if (ex->has_expect) {
        cars_buf b = {0};
        cars_fmt_printf(&b, "expect %s", cars_outcome_name(ex->expect));
        if (ex->has_expect_rules) {
            cars_buf_puts(&b, " [");
            for (size_t i = 0; i < ex->nexpect_rules; i++)
                cars_fmt_printf(&b, "%s%s", i ? ", " : "", ex->expect_rules[i]);
            cars_buf_puts(&b, "]");
        }
        uint32_t endl = ex->nexpect_rules ? ex->expect_rule_spans[ex->nexpect_rules - 1].end_line : 0;
        add_item(&it, &ex->expect_span, endl, &b);
    }
    put_items(p, &it, 2);
    close_block(p, &d->span, 0);
}

static void put_decl(printer *p, const cars_decl *d)
{
    switch (d->kind) {
    case CARS_D_SCHEMA:
        begin(p, &d->span, 0);
        cars_buf_puts(&p->out, "schema");
        open_block(p, d->span.line);
        if (d->node == p->ast->fields)
            put_fields(p, p->ast->fields, p->ast->nfields, 2);
        close_block(p, &d->span, 0);
        break;
    case CARS_D_SET: {
        const cars_set *s = d->node;
        begin(p, &d->span, 0);
        cars_buf head = {0};
        cars_buf_puts(&head, "set ");
        cars_buf_puts(&head, s->name);
        cars_buf_puts(&head, " = ");
        const char *text = cars_buf_cstr(&head);
        if (!text || head.failed)
            p->out.failed = true;
        else
            put_expr_list(p, text, s->list, false, "", &d->span, d->span.end_line, 0);
        cars_buf_free(&head);
        return;
    }
    case CARS_D_LET: {
        const cars_let *l = d->node;
        begin(p, &d->span, 0);
        cars_buf_puts(&p->out, "let ");
        cars_buf_puts(&p->out, l->name);
        cars_buf_puts(&p->out, " = ");
        cars_fmt_expr(&p->out, l->value, 0);
        end(p, d->span.end_line);
        return;
    }
    case CARS_D_TABLE: put_table(p, d, d->node); break;
    case CARS_D_RULE: put_rule(p, d, d->node); break;
    case CARS_D_THRESHOLD: put_threshold(p, d, d->node); break;
    case CARS_D_ROUTING: put_routing(p, d); break;
    case CARS_D_EXAMPLE: put_example(p, d, d->node); break;
    case CARS_D_INCLUDE: {
        const cars_expr *e = d->node;
        begin(p, &d->span, 0);
        cars_buf_puts(&p->out, "include ");
        cars_fmt_quoted(&p->out, e->sval, e->slen);
        end(p, d->span.end_line);
        return;
    }
    }
    end(p, d->span.end_line);
}

char *cars_fmt_string(const cars_ast *ast, uint32_t file, size_t *len)
{
    printer p;
    memset(&p, 0, sizeof p);
    p.ast = ast;
    p.file = file;
    p.src = &ast->files[file];
    size_t nl = 1;
    for (size_t i = 0; i < p.src->len; i++)
        nl += p.src->text[i] == '\n';
    p.lines = cars_malloc(nl * sizeof *p.lines);
    if (!p.lines)
        return NULL;
    p.lines[0] = 0;
    for (size_t i = 0, k = 1; i < p.src->len; i++)
        if (p.src->text[i] == '\n')
            p.lines[k++] = i + 1;
    p.nlines = (uint32_t)nl;
    for (size_t i = 0; i < ast->ndecls; i++) {
        if (ast->decls[i].file != file)
            continue;
        put_decl(&p, &ast->decls[i]);
        p.force_blank = true;
    }
    const cars_comment *c;
    while ((c = next_comment(&p))) { /* comments after the last declaration */
        gap(&p, c->span.line);
        put_comment(&p, c);
        cars_buf_puts(&p.out, "\n");
        p.prev_line = c->span.line;
        p.ci++;
    }
    cars_free(p.lines);
    *len = p.out.len;
    return buf_text(&p.out);
}

bool cars_fmt_file(const cars_ast *ast, uint32_t file, FILE *out)
{
    size_t len;
    char *s = cars_fmt_string(ast, file, &len);
    if (!s)
        return false;
    bool ok = fwrite(s, 1, len, out) == len;
    cars_free(s);
    return ok;
}

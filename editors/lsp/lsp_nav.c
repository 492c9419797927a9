/* lsp_nav.c - the language server's answers about a place in a file: go
 * to definition (a set, table, definition or field named there: where it
 * is declared; a field's line in the schema), hover (a field's type,
 * whether it is required and whether it is protected; what a set, table or
 * definition is) and formatting (the real printer, compiler/fmt.c: one
 * edit replacing the whole document, none when it is already canonical,
 * null when it does not parse). */
#include <string.h>

#include "alloc.h"
#include "fmt.h"
#include "lsp.h"

/* What a name at a place refers to. */
typedef struct target {
    enum { T_NONE, T_FIELD, T_LET, T_SET, T_TABLE } kind;
    const void *node;
    cars_span at; /* where the name was found */
} target;

typedef struct place {
    uint32_t file, line, col; /* 1-based, col in bytes */
} place;

static bool covers(const cars_span *sp, const place *p)
{
    if (sp->file != p->file || p->line < sp->line || p->line > sp->end_line)
        return false;
    if (p->line == sp->line && p->col < sp->col)
        return false;
    return !(p->line == sp->end_line && p->col > sp->end_col);
}

static const cars_field *field_named(const cars_ast *ast, const char *path)
{
    for (size_t i = 0; i < ast->nfields; i++)
        if (strcmp(ast->fields[i].path, path) == 0)
            return &ast->fields[i];
    return NULL;
}

/* A name the checker did not resolve (the ruleset has a syntax error):
 * looked up among fields, definitions, sets and tables by name. */
static target lookup(const cars_ast *ast, const char *name)
{
    target t = {T_NONE, NULL, {0}};
    const cars_field *f = field_named(ast, name);
    if (f)
        return (target){T_FIELD, f, {0}};
    for (size_t i = 0; i < ast->nlets; i++)
        if (strcmp(ast->lets[i]->name, name) == 0)
            return (target){T_LET, ast->lets[i], {0}};
    for (size_t i = 0; i < ast->nsets; i++)
        if (strcmp(ast->sets[i]->name, name) == 0)
            return (target){T_SET, ast->sets[i], {0}};
    for (size_t i = 0; i < ast->ntables; i++)
        if (strcmp(ast->tables[i]->name, name) == 0)
            return (target){T_TABLE, ast->tables[i], {0}};
    return t;
}

static target name_target(const cars_ast *ast, const cars_expr *e)
{
    target t = {T_NONE, NULL, e->span};
    switch (e->ref_kind) {
    case CARS_REF_FIELD:
    case CARS_REF_ELEM: t.kind = T_FIELD; t.node = e->ref.field; break;
    case CARS_REF_LET: t.kind = T_LET; t.node = e->ref.let; break;
    case CARS_REF_SET: t.kind = T_SET; t.node = e->ref.set; break;
    case CARS_REF_TABLE: t.kind = T_TABLE; t.node = e->ref.table; break;
    case CARS_REF_NONE: t = lookup(ast, e->name); t.at = e->span; break;
    default: break;
    }
    if (!t.node)
        t.kind = T_NONE;
    return t;
}

/* The name in expression e at p (depth bounded by the parser). */
static target in_expr(const cars_ast *ast, const cars_expr *e, const place *p)
{
    target none = {T_NONE, NULL, {0}};
    if (!e || !covers(&e->span, p))
        return none;
    if (e->kind == CARS_E_NAME)
        return name_target(ast, e);
    const cars_expr *kids[] = {e->a, e->b, e->c};
    for (size_t i = 0; i < 3; i++) {
        target t = in_expr(ast, kids[i], p);
        if (t.kind != T_NONE)
            return t;
    }
    for (size_t i = 0; i < e->nargs; i++) {
        target t = in_expr(ast, e->args[i], p);
        if (t.kind != T_NONE)
            return t;
    }
    return none;
}

static target in_fields(const cars_field *f, size_t n, const place *p)
{
    for (size_t i = 0; i < n; i++) {
        if (covers(&f[i].span, p))
            return (target){T_FIELD, &f[i], f[i].span};
        target t = in_fields(f[i].elems, f[i].nelems, p);
        if (t.kind != T_NONE)
            return t;
    }
    return (target){T_NONE, NULL, {0}};
}

/* Declarations and the examples' and tests' assignments at p. */
static target in_decls(const cars_ast *ast, const place *p)
{
    target t = in_fields(ast->fields, ast->nfields, p);
    for (size_t i = 0; i < ast->nsets && t.kind == T_NONE; i++)
        if (covers(&ast->sets[i]->span, p))
            t = (target){T_SET, ast->sets[i], ast->sets[i]->span};
    for (size_t i = 0; i < ast->nlets && t.kind == T_NONE; i++)
        if (covers(&ast->lets[i]->span, p))
            t = (target){T_LET, ast->lets[i], ast->lets[i]->span};
    for (size_t i = 0; i < ast->ntables && t.kind == T_NONE; i++)
        if (covers(&ast->tables[i]->span, p))
            t = (target){T_TABLE, ast->tables[i], ast->tables[i]->span};
    for (size_t i = 0; i < ast->nexamples && t.kind == T_NONE; i++)
        for (size_t k = 0; k < ast->examples[i]->nassigns && t.kind == T_NONE; k++) {
            const cars_assign *a = &ast->examples[i]->assigns[k];
            const cars_field *f = covers(&a->span, p) ? field_named(ast, a->path) : NULL;
            if (f)
                t = (target){T_FIELD, f, a->span};
        }
    return t;
}

static target find_target(const cars_ast *ast, const place *p)
{
    for (size_t i = 0; i < ast->nrules; i++) {
        target t = in_expr(ast, ast->rules[i]->when, p);
        if (t.kind != T_NONE)
            return t;
    }
    for (size_t i = 0; i < ast->nlets; i++) {
        target t = in_expr(ast, ast->lets[i]->value, p);
        if (t.kind != T_NONE)
            return t;
    }
    return in_decls(ast, p);
}

static const cars_span *target_span(const target *t)
{
    switch (t->kind) {
    case T_FIELD: return &((const cars_field *)t->node)->span;
    case T_LET: return &((const cars_let *)t->node)->span;
    case T_SET: return &((const cars_set *)t->node)->span;
    case T_TABLE: return &((const cars_table *)t->node)->span;
    default: return NULL;
    }
}

/* ---- requests ------------------------------------------------------------- */

/* Reads params (textDocument.uri, position) and the ruleset of the file;
 * false (an error already sent) when they are not as the LSP says. */
static bool at_position(lsp_server *s, const yajl_val id, const yajl_val params, lsp_ruleset *rs, place *p)
{
    const char *lp[] = {"position", "line", NULL}, *cp[] = {"position", "character", NULL};
    const char *uri = lsp_doc_uri(params);
    yajl_val line = yajl_tree_get(params, lp, yajl_t_number), ch = yajl_tree_get(params, cp, yajl_t_number);
    if (!uri || !line || !ch || !YAJL_IS_INTEGER(line) || !YAJL_IS_INTEGER(ch) || YAJL_GET_INTEGER(line) < 0 ||
        YAJL_GET_INTEGER(ch) < 0 || YAJL_GET_INTEGER(line) >= UINT32_MAX || YAJL_GET_INTEGER(ch) > UINT32_MAX) {
        lsp_send_error(s, id, LSP_INVALID_PARAMS,
                       "params need textDocument.uri (a string) and position.line and position.character "
                       "(integers from 0)");
        return false;
    }
    char *path = lsp_uri_path(uri);
    if (!path) {
        lsp_send_error(s, id, LSP_INVALID_PARAMS, "only file: URIs name rule files, not '%.200s'", uri);
        return false;
    }
    lsp_ruleset_load(s, path, rs);
    long f = lsp_ruleset_file(rs, path);
    cars_free(path);
    size_t off;
    if (f < 0 || !lsp_offset(rs->ast->files[f].text, rs->ast->files[f].len, (uint32_t)YAJL_GET_INTEGER(line),
                             (uint32_t)YAJL_GET_INTEGER(ch), &off)) {
        p->file = UINT32_MAX; /* no such place: nothing there */
        return true;
    }
    const char *text = rs->ast->files[f].text;
    size_t start = off;
    while (start > 0 && text[start - 1] != '\n')
        start--;
    *p = (place){(uint32_t)f, (uint32_t)YAJL_GET_INTEGER(line) + 1, (uint32_t)(off - start) + 1};
    return true;
}

void lsp_definition(lsp_server *s, const yajl_val id, const yajl_val params)
{
    lsp_ruleset rs;
    place p;
    if (!at_position(s, id, params, &rs, &p)) {
        return;
    }
    target t = p.file == UINT32_MAX || !rs.ast ? (target){T_NONE, NULL, {0}} : find_target(rs.ast, &p);
    const cars_span *sp = target_span(&t);
    char *uri = sp ? lsp_file_uri(s, &rs, sp->file) : NULL;
    cars_buf b = {0};
    lsp_result_start(&b, id);
    if (uri) {
        cars_buf_puts(&b, "{\"uri\":");
        lsp_put_str(&b, uri);
        cars_buf_puts(&b, ",\"range\":");
        lsp_put_span(&b, &rs.ast->files[sp->file], sp);
        cars_buf_puts(&b, "}");
    } else {
        cars_buf_puts(&b, "null");
    }
    lsp_send_result(s, &b);
    cars_free(uri);
    lsp_ruleset_free(&rs);
}

/* ---- hover ---------------------------------------------------------------- */

static void put_type(cars_buf *b, const cars_field *f, int depth)
{
    static const char *const names[] = {
        [CARS_T_BOOL] = "bool", [CARS_T_INTEGER] = "integer", [CARS_T_NUMBER] = "number",
        [CARS_T_DATE] = "date", [CARS_T_COUNTRY] = "country",
    };
    if (f->type == CARS_T_STRING) {
        cars_buf_puts(b, cars_string_kind_keyword(f->kind));
    } else if (f->type == CARS_T_ENUM) {
        cars_buf_puts(b, "one of [");
        for (size_t i = 0; i < f->members.n; i++) {
            cars_buf_puts(b, i ? ", " : "");
            cars_buf_puts(b, f->members.names[i]);
        }
        cars_buf_puts(b, "]");
    } else if (f->type == CARS_T_LIST) {
        cars_buf_puts(b, "list of {");
        for (size_t i = 0; i < f->nelems && depth < 4; i++) {
            cars_buf_puts(b, i ? ", " : " ");
            cars_buf_puts(b, f->elems[i].path);
            cars_buf_puts(b, ": ");
            put_type(b, &f->elems[i], depth + 1);
        }
        cars_buf_puts(b, " }");
    } else {
        cars_buf_puts(b, (unsigned)f->type < sizeof names / sizeof names[0] && names[f->type] ? names[f->type] : "?");
    }
}

static void hover_field(cars_buf *b, const cars_field *f)
{
    cars_buf_puts(b, "**field** `");
    if (f->parent) {
        cars_buf_puts(b, f->parent->path);
        cars_buf_puts(b, "[].");
    }
    cars_buf_puts(b, f->path);
    cars_buf_puts(b, "`: `");
    put_type(b, f, 0);
    cars_buf_puts(b, "`\n\n");
    cars_buf_puts(b, f->required ? "required" : "optional");
    if (f->reference)
        cars_buf_puts(b, ", the reference date");
    if (f->has_min) {
        char m[64];
        snprintf(m, sizeof m, ", at least %g", f->min);
        cars_buf_puts(b, m);
    }
    if (f->protect & CARS_PROT_NATIONALITY)
        cars_buf_puts(b, "; **protected**: nationality");
    else if (f->protect & CARS_PROT_AGE)
        cars_buf_puts(b, "; **protected**: age");
    else if (f->protect & CARS_PROT_SEX)
        cars_buf_puts(b, "; **protected**: sex");
    else
        cars_buf_puts(b, "; not protected");
}

/* The source lines of the declaration whose node is `node` (at most 12),
 * as a code block. */
static void put_decl_source(cars_buf *b, const cars_ast *ast, const void *node)
{
    for (size_t i = 0; i < ast->ndecls; i++) {
        const cars_decl *d = &ast->decls[i];
        if (d->node != node || d->span.file >= ast->nfiles)
            continue;
        const cars_source *src = &ast->files[d->span.file];
        size_t a, z;
        uint32_t last = d->span.end_line < d->span.line + 11 ? d->span.end_line : d->span.line + 11;
        if (!lsp_offset(src->text, src->len, d->span.line - 1, 0, &a) ||
            !lsp_offset(src->text, src->len, last - 1, UINT32_MAX, &z))
            return;
        cars_buf_puts(b, "\n\n```cars\n");
        cars_buf_put(b, src->text + a, z - a);
        cars_buf_puts(b, last < d->span.end_line ? "\n...\n```" : "\n```");
        return;
    }
}

static void hover_text(cars_buf *b, const cars_ast *ast, const target *t)
{
    if (t->kind == T_FIELD) {
        hover_field(b, t->node);
    } else if (t->kind == T_SET) {
        const cars_set *set = t->node;
        char n[64];
        snprintf(n, sizeof n, "`: %zu member%s", set->list ? set->list->nargs : 0,
                 set->list && set->list->nargs == 1 ? "" : "s");
        cars_buf_puts(b, "**set** `");
        cars_buf_puts(b, set->name);
        cars_buf_puts(b, n);
    } else if (t->kind == T_LET) {
        static const char *const types[] = {
            [CARS_T_BOOL] = "bool", [CARS_T_INTEGER] = "integer", [CARS_T_NUMBER] = "number",
            [CARS_T_STRING] = "string", [CARS_T_DATE] = "date", [CARS_T_DAYS] = "days",
            [CARS_T_COUNTRY] = "country",
        };
        const cars_let *let = t->node;
        unsigned k = let->checked && let->value ? (unsigned)let->value->ty.kind : 0;
        cars_buf_puts(b, "**definition** `");
        cars_buf_puts(b, let->name);
        cars_buf_puts(b, "`");
        if (k < sizeof types / sizeof types[0] && types[k]) {
            cars_buf_puts(b, ": `");
            cars_buf_puts(b, types[k]);
            cars_buf_puts(b, "`");
        }
    } else if (t->kind == T_TABLE) {
        const cars_table *tb = t->node;
        cars_buf_puts(b, "**table** `");
        cars_buf_puts(b, tb->name);
        cars_buf_puts(b, "`");
        if (tb->file) {
            cars_buf_puts(b, ": file `");
            cars_buf_puts(b, tb->file);
            cars_buf_puts(b, "`");
        }
        for (size_t i = 0; i < tb->nkeys; i++) {
            cars_buf_puts(b, i ? ", " : "; key ");
            cars_buf_puts(b, tb->key_names[i]);
        }
    }
    if (t->kind != T_FIELD)
        put_decl_source(b, ast, t->node);
}

void lsp_hover(lsp_server *s, const yajl_val id, const yajl_val params)
{
    lsp_ruleset rs;
    place p;
    if (!at_position(s, id, params, &rs, &p))
        return;
    target t = p.file == UINT32_MAX || !rs.ast ? (target){T_NONE, NULL, {0}} : find_target(rs.ast, &p);
    cars_buf b = {0};
    lsp_result_start(&b, id);
    if (t.kind == T_NONE) {
        cars_buf_puts(&b, "null");
    } else {
        cars_buf text = {0};
        hover_text(&text, rs.ast, &t);
        cars_buf_puts(&b, "{\"contents\":{\"kind\":\"markdown\",\"value\":");
        lsp_put_strn(&b, text.p ? text.p : "", text.len);
        cars_buf_puts(&b, "},\"range\":");
        lsp_put_span(&b, &rs.ast->files[p.file], &t.at);
        cars_buf_puts(&b, "}");
        b.failed |= text.failed;
        cars_buf_free(&text);
    }
    lsp_send_result(s, &b);
    lsp_ruleset_free(&rs);
}

/* ---- formatting ------------------------------------------------------------ */

/* The end of text as an LSP position: its last line and that line's
 * length in UTF-16 units. */
static void text_end(const char *text, size_t len, uint32_t *line, uint32_t *ch)
{
    uint32_t l = 0;
    size_t last = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n') {
            l++;
            last = i + 1;
        }
    *line = l;
    *ch = lsp_utf16_col(text + last, len - last, 1, (uint32_t)(len - last));
}

void lsp_formatting(lsp_server *s, const yajl_val id, const yajl_val params)
{
    const char *uri = lsp_doc_uri(params);
    char *path = uri ? lsp_uri_path(uri) : NULL;
    if (!path) {
        lsp_send_error(s, id, LSP_INVALID_PARAMS, "params need textDocument.uri, a file: URI");
        return;
    }
    const lsp_doc *doc = lsp_doc_at_path(s, path);
    cars_arena a;
    cars_arena_init(&a);
    cars_diags d;
    cars_diags_init(&d);
    cars_ast *ast = doc ? cars_parse_text(path, doc->text, doc->len, &a, &d) : cars_parse_file(path, &a, &d);
    size_t len = 0;
    char *text = ast && !d.errors ? cars_fmt_string(ast, 0, &len) : NULL;
    cars_buf b = {0};
    lsp_result_start(&b, id);
    if (!text) {
        cars_buf_puts(&b, "null"); /* does not parse (its diagnostics say why): left as it is */
    } else if (ast->files[0].len == len && memcmp(ast->files[0].text, text, len) == 0) {
        cars_buf_puts(&b, "[]");
    } else {
        uint32_t l, c;
        text_end(ast->files[0].text, ast->files[0].len, &l, &c);
        cars_buf_puts(&b, "[{\"range\":");
        lsp_put_range(&b, 0, 0, l, c);
        cars_buf_puts(&b, ",\"newText\":");
        lsp_put_strn(&b, text, len);
        cars_buf_puts(&b, "}]");
    }
    lsp_send_result(s, &b);
    cars_free(text);
    cars_diags_free(&d);
    cars_arena_free(&a);
    cars_free(path);
}

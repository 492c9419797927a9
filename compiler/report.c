/* report.c - the model of carsc report: a release opened as carsc decompile
 * opens it (its code must be what its carried text compiles to), its
 * signature looked at (and checked with a trusted key), its carried text
 * parsed and checked again so that the checker says which fields each rule
 * reads and which protected characteristics; review dates against the
 * validity window; tables with their counts and digests. */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "alloc.h"
#include "atomic.h"
#include "check.h"
#include "check_int.h" /* cars_ck_proxy: the checker's own rule for proxies of nationality */
#include "commands.h"
#include "compile.h"
#include "hex.h"
#include "parse.h"
#include "readfile.h"
#include "release.h"
#include "seal.h"
#include "sign.h"

/* ---- names -------------------------------------------------------------- */

const char *cars_report_kind_title(unsigned kind)
{
    static const char *const t[] = {"Scope exclusions", "Bulk data tables", "Risk profiles",
                                    "Single PCAs (complex)", "Single PCAs (non-complex)", "Multiple PCAs"};
    return kind < 6 ? t[kind] : "Threshold";
}

const char *cars_report_stage_page(unsigned kind)
{
    static const char *const p[] = {"scope.html", "screens.html", "profiles.html",
                                    "singles.html", "singles.html", "multiple.html"};
    return kind < 6 ? p[kind] : "multiple.html";
}

const char *cars_report_prot_name(unsigned bit)
{
    switch (bit) {
    case CARS_PROT_NATIONALITY: return "nationality";
    case CARS_PROT_AGE: return "age";
    case CARS_PROT_SEX: return "sex";
    case CARS_PROT_NAT_PROXY: return "nationality (through a proxy)";
    default: return "?";
    }
}

const char *cars_report_citation_kind(unsigned bit)
{
    if (bit == CARS_PROT_AGE)
        return "justification";
    if (bit == CARS_PROT_SEX)
        return "none lawful";
    return "authorisation";
}

const char *cars_report_citation(const cars_rule *rule, unsigned bit)
{
    if (bit == CARS_PROT_AGE)
        return rule->meta.justification;
    if (bit == CARS_PROT_SEX)
        return NULL;
    return rule->meta.authorisation;
}

size_t cars_report_count(const cars_report *r, unsigned kind)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nrules; i++)
        n += r->rules[i].rule && r->rules[i].rule->kind == kind;
    return n;
}

bool cars_report_has_window(const cars_report *r)
{
    return !r->cur.is_tree && (r->p->valid_from || r->p->valid_until);
}

unsigned cars_report_protect(const cars_report_rule *rr)
{
    return rr->rule ? rr->rule->protect : 0;
}

bool cars_report_equality(const cars_report_rule *rr)
{
    if (cars_report_protect(rr))
        return true;
    for (size_t i = 0; i < rr->nreads; i++)
        if (rr->reads[i].protect || rr->reads[i].proxy)
            return true;
    return false;
}

/* ---- opening ------------------------------------------------------------ */

/* Parses and checks the text a release carries (or a tree's own files). */
static bool parse_carried(cars_report *r, cars_report_src *s, char *err, size_t errlen)
{
    const cars_program *p = s->p;
    if (p->nsource_text != p->nsources || p->nsources == 0) {
        snprintf(err, errlen, "the release carries no source text");
        return false;
    }
    cars_text_file *f = cars_arena_alloc(&r->arena, p->nsources * sizeof *f);
    if (!f)
        return false;
    for (uint32_t i = 0; i < p->nsources; i++) {
        f[i].name = cars_arena_strndup(&r->arena, p->source_names[i].p, p->source_names[i].len);
        f[i].text = p->source_text[i].p;
        f[i].len = p->source_text[i].len;
    }
    cars_diags d;
    cars_diags_init(&d);
    s->ast = cars_parse_texts(f, p->nsources, &r->arena, &d);
    if (s->ast && d.errors == 0) {
        cars_check_options none;
        memset(&none, 0, sizeof none);
        cars_check(s->ast, &r->arena, &d, &none);
    }
    bool ok = s->ast && d.errors == 0 && !cars_arena_failed(&r->arena);
    cars_diags_free(&d);
    if (!ok)
        snprintf(err, errlen, "the source text the release carries does not check");
    return ok;
}

static bool is_tree_path(const char *path)
{
    struct stat st;
    size_t n = strlen(path);
    return stat(path, &st) == 0 && (S_ISDIR(st.st_mode) || (n > 5 && strcmp(path + n - 5, ".cars") == 0));
}

static bool open_src(cars_report *r, cars_report_src *s, const char *path, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    if (is_tree_path(path)) {
        cars_compiled *c = cars_calloc(1, sizeof *c);
        if (!c)
            return false;
        s->is_tree = true;
        s->compiled = c;
        cars_check_options opt = {0};
        if (!cars_compile_mapped(path, &opt, "source", c, &s->map)) {
            cars_report_compile(c, false);
            snprintf(err, errlen, "%s does not compile", path);
            return false;
        }
        s->p = &c->loaded;
        s->ast = c->ast;
        return true;
    }
    s->bytes = cars_read_release_checked(path, &s->prog, &s->len, "report");
    if (!s->bytes) {
        snprintf(err, errlen, "cannot report on %s", path);
        return false;
    }
    s->p = &s->prog;
    return parse_carried(r, s, err, errlen);
}

static void close_src(cars_report_src *s)
{
    if (s->compiled) {
        cars_compiled_free(s->compiled);
        cars_free(s->compiled);
    }
    if (s->bytes) {
        cars_program_free(&s->prog);
        cars_free(s->bytes);
    }
    memset(s, 0, sizeof *s);
}

/* The signature beside the release (PATH.minisig): its key id, and with a
 * trusted key whether it is good over every byte with this release's label.
 * Without --trust a missing signature is reported, not refused; with it,
 * anything but a good signature is an error. */
static bool look_at_signature(cars_report *r, const char *path, const char *trust, char *err, size_t errlen)
{
    char sp[4096], why[600];
    snprintf(sp, sizeof sp, "%s.minisig", path);
    size_t slen, klen;
    char *sig = (char *)cars_read_file(sp, CARS_FILE_SIGNATURE, &slen, why, sizeof why);
    if (!sig) {
        if (errno == ENOENT && !trust)
            return true;
        snprintf(err, errlen, "%s", errno == ENOENT ? "the release is unsigned (no .minisig beside it)" : why);
        return false;
    }
    cars_signature s;
    bool ok = cars_signature_parse(sig, slen, &s, why, sizeof why) == CARS_SIG_OK;
    cars_free(sig);
    if (!ok) {
        snprintf(err, errlen, "signature %s: %s", sp, why);
        return false;
    }
    cars_keyid_hex(s.keyid, r->keyid);
    r->sig = CARS_REPORT_SIG_UNCHECKED;
    if (!trust)
        return true;
    char *key = (char *)cars_read_file(trust, CARS_FILE_KEY, &klen, why, sizeof why);
    cars_pubkey pk;
    cars_release_meta m;
    ok = key && cars_pubkey_parse(key, klen, &pk, why, sizeof why) == CARS_SIG_OK &&
         cars_signature_verify(&pk, &s, r->cur.bytes, r->cur.len, why, sizeof why) == CARS_SIG_OK &&
         cars_bundle_peek_release(r->cur.bytes, r->cur.len, &m, why, sizeof why) == 0 &&
         cars_release_check_comment(&m, s.trusted, s.trusted_len, why, sizeof why) == CARS_REL_OK;
    cars_free(key);
    if (!ok) {
        snprintf(err, errlen, "signature of %s not accepted: %s", path, why);
        return false;
    }
    r->sig = CARS_REPORT_SIG_GOOD;
    return true;
}

/* ---- the model ---------------------------------------------------------- */

static cars_report_review review_of(const cars_report *r, const cars_meta *m)
{
    cars_report_review v = {.state = CARS_REVIEW_NONE};
    if (!m->has_review)
        return v;
    v.reviewed = m->reviewed;
    v.months = m->review_months;
    v.due = cars_add_months(m->reviewed, m->review_months);
    bool window = cars_report_has_window(r);
    if (window && v.due <= r->p->valid_from)
        v.state = CARS_REVIEW_OVERDUE;
    else if (window && v.due <= r->p->valid_until)
        v.state = CARS_REVIEW_DUE;
    else
        v.state = CARS_REVIEW_OK;
    return v;
}

/* Adds one read (path, via) unless already listed. */
static void add_read(cars_report *r, cars_report_rule *rr, size_t *cap, const cars_expr *e, const char *via)
{
    const cars_field *f = e->ref.field;
    char path[512];
    if (e->ref_kind == CARS_REF_ELEM && f->parent)
        snprintf(path, sizeof path, "%s.%s", f->parent->path, f->path);
    else
        snprintf(path, sizeof path, "%s", f->path);
    for (size_t i = 0; i < rr->nreads; i++)
        if (strcmp(rr->reads[i].path, path) == 0 &&
            ((!via && !rr->reads[i].via) || (via && rr->reads[i].via && strcmp(via, rr->reads[i].via) == 0)))
            return;
    if (rr->nreads == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        rr->reads = cars_arena_grow(&r->arena, rr->reads, rr->nreads, *cap, sizeof *rr->reads);
        if (!rr->reads) {
            rr->nreads = 0;
            return;
        }
    }
    cars_report_read *x = &rr->reads[rr->nreads++];
    x->path = cars_arena_strdup(&r->arena, path);
    x->via = via;
    x->protect = f->protect;
    x->proxy = e->ref_kind == CARS_REF_FIELD && cars_ck_proxy(e);
}

/* The fields an expression reads, as the checker resolved its names;
 * through a definition, named by the first definition entered. */
static void collect_reads(cars_report *r, cars_report_rule *rr, size_t *cap, const cars_expr *e, const char *via,
                          int depth)
{
    if (!e || depth > 256)
        return;
    if (e->kind == CARS_E_NAME) {
        if (e->ref_kind == CARS_REF_FIELD || e->ref_kind == CARS_REF_ELEM)
            add_read(r, rr, cap, e, via);
        else if (e->ref_kind == CARS_REF_LET && e->ref.let)
            collect_reads(r, rr, cap, e->ref.let->value, via ? via : e->ref.let->name, depth + 1);
        return;
    }
    collect_reads(r, rr, cap, e->a, via, depth + 1);
    collect_reads(r, rr, cap, e->b, via, depth + 1);
    collect_reads(r, rr, cap, e->c, via, depth + 1);
    for (size_t i = 0; i < e->nargs; i++)
        collect_reads(r, rr, cap, e->args[i], via, depth + 1);
}

const char *cars_report_decl_text(const cars_ast *ast, const cars_span *sp, size_t *len)
{
    const cars_source *s = &ast->files[sp->file < ast->nfiles ? sp->file : 0];
    const char *p = s->text, *end = s->text + s->len, *start = NULL;
    for (uint32_t line = 1; p <= end; line++) {
        if (line == sp->line)
            start = p;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (line == sp->end_line && start) {
            *len = (size_t)((nl ? nl : end) - start);
            return start;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    *len = 0;
    return s->text;
}

/* The outcome the routing gives a rule's stage (-1: the threshold's). */
static int stage_outcome(const cars_ast *ast, unsigned kind)
{
    static const int sel[] = {CARS_S_EXCLUSIONS, CARS_S_SCREENS, CARS_S_PROFILES, CARS_S_COMPLEX_SINGLES,
                              CARS_S_NONCOMPLEX_SINGLES};
    for (size_t i = 0; kind < 5 && i < ast->nstages; i++)
        if ((int)ast->stages[i].sel == sel[kind])
            return (int)ast->stages[i].outcome;
    return -1;
}

static void fill_rule(cars_report *r, cars_report_rule *rr, const cars_rule *rule, const cars_span *span,
                      const char *id, const char *title, const cars_meta *meta)
{
    const cars_ast *ast = r->ast;
    rr->rule = rule;
    rr->anchor = id;
    rr->title = title;
    rr->meta = meta;
    rr->page = cars_report_stage_page(rule ? rule->kind : 6);
    rr->file = ast->files[span->file < ast->nfiles ? span->file : 0].path;
    rr->text = cars_report_decl_text(ast, span, &rr->len);
    rr->outcome = rule ? stage_outcome(ast, rule->kind) : -1;
    rr->review = review_of(r, meta);
    size_t cap = 0;
    if (rule)
        collect_reads(r, rr, &cap, rule->when, NULL, 0);
}

static bool build_model(cars_report *r)
{
    const cars_ast *ast = r->ast;
    r->nrules = ast->nrules + ast->nthresholds;
    r->rules = cars_arena_alloc(&r->arena, (r->nrules + 1) * sizeof *r->rules);
    r->ntables = ast->ntables;
    r->tables = cars_arena_alloc(&r->arena, (r->ntables + 1) * sizeof *r->tables);
    if (!r->rules || !r->tables)
        return false;
    for (size_t i = 0; i < ast->nrules; i++) {
        const cars_rule *ru = ast->rules[i];
        fill_rule(r, &r->rules[i], ru, &ru->span, ru->id, ru->title, &ru->meta);
    }
    for (size_t i = 0; i < ast->nthresholds; i++) {
        const cars_threshold *t = ast->thresholds[i];
        fill_rule(r, &r->rules[ast->nrules + i], NULL, &t->span, t->id, t->title, &t->meta);
    }
    for (size_t i = 0; i < ast->ntables; i++) {
        cars_report_table *t = &r->tables[i];
        t->table = ast->tables[i];
        t->review = review_of(r, &t->table->meta);
        for (uint32_t k = 0; k < r->p->ntables; k++)
            if (r->p->tables[k].name.len == strlen(t->table->name) &&
                memcmp(r->p->tables[k].name.p, t->table->name, r->p->tables[k].name.len) == 0)
                t->ptable = &r->p->tables[k];
    }
    return !cars_arena_failed(&r->arena);
}

bool cars_report_open(cars_report *r, const char *path, const char *previous, const char *trust, char *err,
                      size_t errlen)
{
    memset(r, 0, sizeof *r);
    cars_arena_init(&r->arena);
    if (!open_src(r, &r->cur, path, err, errlen))
        return false;
    r->p = r->cur.p;
    r->ast = r->cur.ast;
    if (r->cur.is_tree) {
        if (trust) {
            snprintf(err, errlen, "--trust needs a release, not a ruleset");
            return false;
        }
        r->examples_path = path;
    } else {
        uint8_t d[32];
        crypto_generichash(d, 32, r->cur.bytes, r->cur.len, NULL, 0);
        cars_hex(d, 32, r->digest);
        if (r->p->sealed_len)
            cars_seal_ids(r->p, r->sealed_to, sizeof r->sealed_to);
        if (!look_at_signature(r, path, trust, err, errlen))
            return false;
    }
    if (previous) {
        if (!open_src(r, &r->prev, previous, err, errlen))
            return false;
        r->has_prev = true;
    }
    if (!build_model(r) || (r->has_prev && !cars_report_changes(r))) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    return !r->cur.is_tree || cars_report_examples(r, err, errlen);
}

void cars_report_free(cars_report *r)
{
    close_src(&r->cur);
    close_src(&r->prev);
    cars_arena_free(&r->arena);
    memset(r, 0, sizeof *r);
}

bool cars_report_write(const char *dir, const char *name, cars_buf *b, char *err, size_t errlen)
{
    if (b->failed) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cars_atomic_opts o = {.perm = CARS_PERM_UMASK, .mode = 0666};
    return cars_atomic_write_file(path, b->p ? b->p : "", b->len, &o, err, errlen) == 0;
}

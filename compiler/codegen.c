/* codegen.c - the program model (fields, members, sets, strings, tiers,
 * rules, stages, thresholds, blocks, line table) from a checked AST.
 * Expressions are compiled by codegen_expr.c; instructions and constants
 * are emitted, and the blocks laid out as one program, by codegen_emit.c;
 * tables are read by codegen_table.c.
 *
 * Blocks: blocks[0] is MAIN (routing), blocks[1 + i] is rule i's RULE block,
 * and ELEM blocks follow in the order their quantifiers are compiled. The
 * code is the blocks' code concatenated in block order. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "codegen_int.h"
#include "opcodes.h"

/* ---- schema ---------------------------------------------------------------------- */

static cars_str str_of(const char *s)
{
    cars_str r = {s ? s : "", s ? (uint32_t)strlen(s) : 0};
    return r;
}

static uint8_t ftype(cars_type_kind k)
{
    switch (k) {
    case CARS_T_BOOL: return CARS_FT_BOOL;
    case CARS_T_INTEGER: return CARS_FT_INTEGER;
    case CARS_T_NUMBER: return CARS_FT_NUMBER;
    case CARS_T_STRING: return CARS_FT_STRING;
    case CARS_T_DATE: return CARS_FT_DATE;
    case CARS_T_COUNTRY: return CARS_FT_COUNTRY;
    case CARS_T_ENUM: return CARS_FT_ENUM;
    default: return CARS_FT_LIST;
    }
}

static void fill_field(cars_cg *g, cars_pfield *pf, const cars_field *f)
{
    pf->path = str_of(f->path);
    pf->type = ftype(f->type);
    pf->flags = (uint8_t)((f->required ? CARS_FF_REQUIRED : 0) |
                          (f->has_min ? CARS_FF_HAS_MIN : 0) |
                          (f->reference ? CARS_FF_REFERENCE : 0) |
                          (f->protect & CARS_PROT_NATIONALITY ? CARS_FF_PROT_NATIONALITY : 0) |
                          (f->protect & CARS_PROT_AGE ? CARS_FF_PROT_AGE : 0) |
                          (f->protect & CARS_PROT_SEX ? CARS_FF_PROT_SEX : 0));
    pf->min = f->has_min ? f->min : 0;
    static const uint8_t kinds[] = {
        [CARS_SK_PLAIN] = CARS_FK_PLAIN, [CARS_SK_EMAIL] = CARS_FK_EMAIL,
        [CARS_SK_PHONE] = CARS_FK_PHONE, [CARS_SK_DOCUMENT] = CARS_FK_DOCUMENT,
    };
    pf->kind = f->type == CARS_T_STRING ? kinds[f->kind] : CARS_FK_PLAIN;
    if (f->type == CARS_T_ENUM) {
        pf->members_first = g->p->nmembers;
        pf->members_n = (uint32_t)f->members.n;
        for (size_t i = 0; i < f->members.n; i++)
            g->p->members[g->p->nmembers++] = str_of(f->members.names[i]);
    }
}

static bool gen_schema(cars_cg *g)
{
    const cars_ast *ast = g->ast;
    size_t nmem = 0, nelem = 0;
    for (size_t i = 0; i < ast->nfields; i++) {
        nmem += ast->fields[i].members.n;
        nelem += ast->fields[i].nelems;
        for (size_t j = 0; j < ast->fields[i].nelems; j++)
            nmem += ast->fields[i].elems[j].members.n;
    }
    cars_program *p = g->p;
    p->fields = cars_arena_alloc(g->a, (ast->nfields + 1) * sizeof *p->fields);
    p->elem_fields = cars_arena_alloc(g->a, (nelem + 1) * sizeof *p->elem_fields);
    p->members = cars_arena_alloc(g->a, (nmem + 1) * sizeof *p->members);
    g->elem_first = cars_arena_alloc(g->a, (ast->nfields + 1) * sizeof *g->elem_first);
    if (!p->fields || !p->elem_fields || !p->members || !g->elem_first)
        return false;
    for (size_t i = 0; i < ast->nfields; i++) {
        const cars_field *f = &ast->fields[i];
        fill_field(g, &p->fields[i], f);
        if (f->type != CARS_T_LIST)
            continue;
        g->elem_first[i] = p->nelem_fields;
        p->fields[i].elems_first = p->nelem_fields;
        p->fields[i].elems_n = (uint32_t)f->nelems;
        for (size_t j = 0; j < f->nelems; j++)
            fill_field(g, &p->elem_fields[p->nelem_fields++], &f->elems[j]);
    }
    p->nfields = (uint32_t)ast->nfields;
    return true;
}

void cars_cg_read_field(cars_cg *g, const cars_field *f)
{
    if (f->parent) {
        g->p->elem_fields[g->elem_first[f->parent->index] + f->index].flags |= CARS_FF_READ;
        g->p->fields[f->parent->index].flags |= CARS_FF_READ;
    } else
        g->p->fields[f->index].flags |= CARS_FF_READ;
}

/* ---- rules, tiers, stages, thresholds -------------------------------------------- */

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static bool gen_tiers(cars_cg *g)
{
    const cars_ast *ast = g->ast;
    g->tiers = cars_arena_alloc(g->a, (ast->nrules + 1) * sizeof *g->tiers);
    if (!g->tiers)
        return false;
    for (size_t i = 0; i < ast->nrules; i++) {
        const cars_rule *r = ast->rules[i];
        if (r->kind != CARS_R_MULTIPLE || !r->tier)
            continue;
        bool seen = false;
        for (size_t j = 0; j < g->ntiers && !seen; j++)
            seen = strcmp(g->tiers[j], r->tier) == 0;
        if (!seen)
            g->tiers[g->ntiers++] = r->tier;
    }
    if (g->ntiers)
        qsort(g->tiers, g->ntiers, sizeof *g->tiers, cmp_str);
    g->p->tiers = cars_arena_alloc(g->a, (g->ntiers + 1) * sizeof *g->p->tiers);
    if (!g->p->tiers)
        return false;
    for (size_t i = 0; i < g->ntiers; i++)
        g->p->tiers[i] = str_of(g->tiers[i]);
    g->p->ntiers = (uint32_t)g->ntiers;
    return true;
}

static uint8_t tier_index(const cars_cg *g, const char *tier)
{
    for (size_t i = 0; tier && i < g->ntiers; i++)
        if (strcmp(g->tiers[i], tier) == 0)
            return (uint8_t)i;
    return 0;
}

const char *cars_says_default(int kind)
{
    switch (kind) {
    case CARS_R_EXCLUSION: return "outside the scope of complexity routing";
    case CARS_R_SCREEN: return "matched a bulk data table";
    case CARS_R_PROFILE: return "matched a risk profile";
    case CARS_R_SINGLE_COMPLEX: return "matched a person-centric attribute";
    case CARS_R_SINGLE_NONCOMPLEX: return "matched a non-complex attribute";
    default: return "matched a multiple person-centric attribute";
    }
}

static bool gen_rules(cars_cg *g)
{
    const cars_ast *ast = g->ast;
    cars_program *p = g->p;
    p->rules = cars_arena_alloc(g->a, (ast->nrules + 1) * sizeof *p->rules);
    if (!p->rules)
        return false;
    for (size_t i = 0; i < ast->nrules; i++) {
        const cars_rule *r = ast->rules[i];
        cars_prule *pr = &p->rules[i];
        pr->id = str_of(r->id);
        pr->title = str_of(r->title);
        pr->says = str_of(r->meta.says ? r->meta.says : cars_says_default(r->kind));
        pr->kind = (uint8_t)r->kind;
        pr->tier = tier_index(g, r->tier);
        pr->source = r->span.file;
        pr->line = r->span.line;
        pr->block = (uint32_t)cars_cg_new_block(g, CARS_BK_RULE, 0);
    }
    for (size_t i = 0; i < ast->nrules && !g->failed; i++) {
        size_t bi = p->rules[i].block;
        cars_cg_expr(g, bi, ast->rules[i]->when);
        cars_cg_op(g, &g->blocks[bi], CARS_OP_RET, &ast->rules[i]->when->span);
    }
    p->nrules = (uint32_t)ast->nrules;
    return !g->failed;
}

static bool stage_has(cars_stage_sel sel, cars_rule_kind k)
{
    switch (sel) {
    case CARS_S_EXCLUSIONS: return k == CARS_R_EXCLUSION;
    case CARS_S_SCREENS: return k == CARS_R_SCREEN;
    case CARS_S_PROFILES: return k == CARS_R_PROFILE;
    case CARS_S_COMPLEX_SINGLES: return k == CARS_R_SINGLE_COMPLEX;
    case CARS_S_NONCOMPLEX_SINGLES: return k == CARS_R_SINGLE_NONCOMPLEX;
    case CARS_S_THRESHOLD: return k == CARS_R_MULTIPLE;
    case CARS_S_OTHERWISE: break;
    }
    return false;
}

static uint32_t threshold_index(const cars_ast *ast, const char *id)
{
    for (size_t i = 0; i < ast->nthresholds; i++)
        if (strcmp(ast->thresholds[i]->id, id) == 0)
            return (uint32_t)i;
    return 0;
}

static bool gen_thresholds(cars_cg *g)
{
    const cars_ast *ast = g->ast;
    cars_program *p = g->p;
    p->thresholds = cars_arena_alloc(g->a, (ast->nthresholds + 1) * sizeof *p->thresholds);
    if (!p->thresholds)
        return false;
    for (size_t i = 0; i < ast->nthresholds; i++) {
        const cars_threshold *t = ast->thresholds[i];
        cars_pthreshold *pt = &p->thresholds[i];
        pt->id = str_of(t->id);
        pt->title = str_of(t->title);
        /* bound: the checker refused a minimum below 0 or above the number of
           multiple PCAs (check_threshold), and rules are counted in u32 */
        pt->at_least = (uint32_t)t->at_least;
        for (size_t k = 0; k < t->ntiers; k++)
            pt->tier_min[tier_index(g, t->tiers[k]) % CARS_MAX_TIERS] = (uint32_t)t->tier_min[k];
    }
    p->nthresholds = (uint32_t)ast->nthresholds;
    return true;
}

/* One stage per routing line that evaluates rules; MAIN decides. */
static bool gen_routing(cars_cg *g)
{
    const cars_ast *ast = g->ast;
    cars_program *p = g->p;
    p->stages = cars_arena_alloc(g->a, (ast->nstages + 1) * sizeof *p->stages);
    p->stage_rules = cars_arena_alloc(g->a, (ast->nstages * ast->nrules + 1) * sizeof(uint32_t));
    if (!p->stages || !p->stage_rules)
        return false;
    cars_cg_block *m = &g->blocks[0];
    for (size_t i = 0; i < ast->nstages; i++) {
        const cars_stage *s = &ast->stages[i];
        if (s->sel == CARS_S_OTHERWISE) {
            cars_cg_op(g, m, CARS_OP_DECIDE, &s->span);
            cars_cg_byte(g, m, (uint8_t)s->outcome);
            break;
        }
        cars_pstage *ps = &p->stages[p->nstages];
        ps->first = p->nstage_rules;
        for (size_t r = 0; r < ast->nrules; r++)
            if (stage_has(s->sel, ast->rules[r]->kind))
                p->stage_rules[p->nstage_rules++] = (uint32_t)r;
        ps->n = p->nstage_rules - ps->first;
        uint32_t xi = 0, xn = 0;
        if (g->index_stages)
            cars_cg_stage_index(g, p->nstages, p->stage_rules + ps->first, ps->n, &xi, &xn);
        cars_cg_op(g, m, xn ? CARS_OP_EVAL_STAGE_INDEXED : CARS_OP_EVAL_STAGE, &s->span);
        cars_cg_u16(g, m, p->nstages++);
        if (xn) {
            cars_cg_u16(g, m, xi);
            cars_cg_u16(g, m, xn);
        }
        if (s->sel != CARS_S_THRESHOLD) {
            cars_cg_op(g, m, CARS_OP_DECIDE_IF_MATCHED, &s->span);
            cars_cg_byte(g, m, (uint8_t)s->outcome);
            continue;
        }
        cars_outcome other = s->otherwise;
        if (!s->has_otherwise && i + 1 < ast->nstages) /* `otherwise -> O` on the next line */
            other = ast->stages[++i].outcome;
        cars_cg_op(g, m, CARS_OP_DECIDE_THRESHOLD, &s->span);
        cars_cg_u16(g, m, threshold_index(ast, s->threshold));
        cars_cg_byte(g, m, (uint8_t)s->outcome);
        cars_cg_byte(g, m, (uint8_t)other);
        break;
    }
    return !g->failed;
}

/* Source names relative to the ruleset directory, never absolute. */
static const char *relative_name(cars_arena *a, const char *dir, const char *path)
{
    char rd[PATH_MAX], rp[PATH_MAX];
    if (realpath(dir, rd) && realpath(path, rp)) {
        size_t n = strlen(rd);
        if (strncmp(rp, rd, n) == 0 && rp[n] == '/')
            return cars_arena_strdup(a, rp + n + 1);
    }
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool gen_sources(cars_cg *g, const char *dir)
{
    const cars_ast *ast = g->ast;
    g->p->source_names = cars_arena_alloc(g->a, (ast->nfiles + 1) * sizeof(cars_str));
    if (!g->p->source_names)
        return false;
    for (size_t i = 0; i < ast->nfiles; i++) /* no directory: the paths are the names (cars_parse_texts) */
        g->p->source_names[i] = str_of(dir ? relative_name(g->a, dir, ast->files[i].path) : ast->files[i].path);
    g->p->nsources = (uint32_t)ast->nfiles;
    return true;
}

/* The coverage program: one RULE block per condition, all in one stage;
 * MAIN evaluates it and decides NONE. */
static bool gen_conditions(cars_cg *g, const cars_expr *const *conds, size_t n)
{
    cars_program *p = g->p;
    p->rules = cars_arena_alloc(g->a, (n + 1) * sizeof *p->rules);
    p->stages = cars_arena_alloc(g->a, sizeof *p->stages);
    p->stage_rules = cars_arena_alloc(g->a, (n + 1) * sizeof(uint32_t));
    if (!p->rules || !p->stages || !p->stage_rules)
        return false;
    for (size_t i = 0; i < n; i++) {
        p->rules[i].id = str_of("C");
        p->rules[i].title = str_of("condition");
        p->rules[i].says = p->rules[i].title;
        p->rules[i].kind = CARS_RK_EXCLUSION;
        p->rules[i].source = conds[i]->span.file;
        p->rules[i].line = conds[i]->span.line;
        p->rules[i].block = (uint32_t)cars_cg_new_block(g, CARS_BK_RULE, 0);
        p->stage_rules[i] = (uint32_t)i;
    }
    for (size_t i = 0; i < n && !g->failed; i++) {
        cars_cg_expr(g, p->rules[i].block, conds[i]);
        cars_cg_op(g, &g->blocks[p->rules[i].block], CARS_OP_RET, &conds[i]->span);
    }
    p->nrules = p->nstage_rules = (uint32_t)n;
    p->stages[0] = (cars_pstage){0, (uint32_t)n};
    p->nstages = 1;
    cars_cg_op(g, &g->blocks[0], CARS_OP_EVAL_STAGE, NULL);
    cars_cg_u16(g, &g->blocks[0], 0);
    cars_cg_op(g, &g->blocks[0], CARS_OP_DECIDE, NULL);
    cars_cg_byte(g, &g->blocks[0], CARS_OUT_NONE);
    return !g->failed;
}

static bool codegen(const cars_ast *ast, const char *ruleset_dir, const cars_program *tables, cars_program *out,
                    cars_arena *a, cars_diags *d, const cars_expr *const *conds, size_t nconds, bool index,
                    cars_expr_map *map)
{
    cars_cg g;
    memset(&g, 0, sizeof g);
    g.index_stages = index;
    g.map = map;
    memset(out, 0, sizeof *out);
    g.ast = ast;
    g.a = a;
    g.d = d;
    g.p = out;
    out->version = CARS_BUNDLE_VERSION; /* cars_bundle_write writes this version */
    out->release_id = str_of("");
    out->ruleset_title = str_of("");
    for (size_t i = 0; i < ast->nfields; i++)
        if (ast->fields[i].reference)
            g.reference = &ast->fields[i];
    if (!gen_schema(&g) ||
        !(tables ? cars_codegen_tables_from(ast, tables, out, a, d) : cars_codegen_tables(ast, ruleset_dir, out, a, d)))
        return false;
    cars_cg_new_block(&g, CARS_BK_MAIN, 0);
    bool ok = !g.failed && gen_tiers(&g);
    if (ok && conds)
        ok = gen_conditions(&g, conds, nconds);
    else if (ok)
        ok = gen_rules(&g) && gen_thresholds(&g) && gen_routing(&g);
    if (!ok || !gen_sources(&g, ruleset_dir) || !cars_cg_layout(&g))
        return false;
    return !g.failed && !g.too_big && !cars_arena_failed(a);
}

bool cars_codegen(const cars_ast *ast, const char *ruleset_dir, cars_program *out, cars_arena *a,
                  cars_diags *d, bool index)
{
    return codegen(ast, ruleset_dir, NULL, out, a, d, NULL, 0, index, NULL);
}

bool cars_codegen_carried(const cars_ast *ast, const cars_program *tables, cars_program *out, cars_arena *a,
                          cars_diags *d, bool index)
{
    return codegen(ast, NULL, tables, out, a, d, NULL, 0, index, NULL);
}

bool cars_codegen_conditions(const cars_ast *ast, const char *ruleset_dir,
                             const cars_expr *const *conds, size_t n, cars_program *out,
                             cars_arena *a, cars_diags *d)
{
    return codegen(ast, ruleset_dir, NULL, out, a, d, conds, n, false, NULL);
}

bool cars_codegen_mapped(const cars_ast *ast, const char *ruleset_dir, const cars_program *tables, cars_program *out,
                         cars_arena *a, cars_diags *d, bool index, cars_expr_map *map)
{
    memset(map, 0, sizeof *map);
    return codegen(ast, tables ? NULL : ruleset_dir, tables, out, a, d, NULL, 0, index, map);
}

/* disasm.c - the disassembler: one line per instruction with its offset,
 * name, decoded operands (field paths, set/table/rule names, jump targets)
 * and the source file:line from the line table. Names, lengths and operand
 * kinds come from the opcode table (opcodes.def): each operand prints by
 * its kind, one helper per kind, after its kind's lead-in (", ", " over ",
 * " -> ", ...) unless it is the first. Safe on any program: out-of-range
 * operands print as '?'. */
#include "disasm.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "names.h"
#include "opcodes.h"

#define STR(s) (int)(s).len, (s).p

/* A bounded text buffer for one instruction's operands. */
typedef struct sbuf {
    char p[512];
    size_t len;
} sbuf;

static void sbp(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, sizeof b->p - b->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        b->len += (size_t)n < sizeof b->p - b->len ? (size_t)n : sizeof b->p - 1 - b->len;
}

static void field(const cars_program *p, unsigned f, sbuf *out)
{
    if (f < p->nfields)
        sbp(out, "%.*s", STR(p->fields[f].path));
    else
        sbp(out, "?field%u", f);
}

static void elem_field(const cars_program *p, const cars_pblock *b, unsigned f, sbuf *out)
{
    if (b->list < p->nfields && f < p->fields[b->list].elems_n &&
        p->fields[b->list].elems_first + f < p->nelem_fields)
        sbp(out, "%.*s[].%.*s", STR(p->fields[b->list].path),
                STR(p->elem_fields[p->fields[b->list].elems_first + f].path));
    else
        sbp(out, "?elem%u", f);
}

/* Entry i of a table of n named entries (name: entry i's, if i < n), or ?<what><i>. */
static void named(sbuf *out, const char *what, unsigned i, uint32_t n, const cars_str *name)
{
    if (i < n)
        sbp(out, "%.*s", STR(*name));
    else
        sbp(out, "?%s%u", what, i);
}

static void set_values(const cars_program *p, unsigned s, sbuf *out)
{
    sbp(out, "set %u", s);
    if (s < p->nsets) {
        sbp(out, " [");
        for (uint32_t k = 0; k < p->sets[s].n && k < 8; k++)
            sbp(out, "%s%" PRId64, k ? ", " : "", p->sets[s].values[k]);
        sbp(out, "%s]", p->sets[s].n > 8 ? ", ..." : "");
    }
}

static void stage_rules(const cars_program *p, unsigned s, sbuf *out)
{
    sbp(out, "stage %u", s);
    if (s < p->nstages && (uint64_t)p->stages[s].first + p->stages[s].n <= p->nstage_rules) {
        sbp(out, " (");
        uint32_t n = p->stages[s].n, shown = n > 8 ? 8 : n; /* the line stays readable */
        for (uint32_t k = 0; k < shown; k++) {
            uint32_t r = p->stage_rules[p->stages[s].first + k];
            if (r < p->nrules)
                sbp(out, "%s%.*s", k ? ", " : "", STR(p->rules[r].id));
        }
        if (shown < n)
            sbp(out, " and %u more", n - shown);
        sbp(out, ")");
    }
}

/* INDEX I with its NINDEX N (the next operand): the fields of indexes I..I+N-1. */
static void index_fields(const cars_program *p, unsigned xi, unsigned xn, sbuf *out)
{
    for (unsigned k = xi; k < xi + xn; k++) {
        sbp(out, k > xi ? ", " : " ");
        if (k < p->nindexes)
            field(p, p->indexes[k].field, out);
        else
            sbp(out, "?index%u", k);
    }
}

/* What comes before an operand of this kind that is not the first. */
static const char *lead(unsigned kind)
{
    switch (kind) {
    case CARS_OK_LIST: return " over ";
    case CARS_OK_INDEX: return " indexed by";
    case CARS_OK_NINDEX: return "";
    case CARS_OK_OUTCOME: return " -> ";
    case CARS_OK_ELSE: return " otherwise ";
    default: return ", ";
    }
}

/* Operand i of the instruction at offset at, by its kind (arg: all of them). */
static void operand(const cars_program *p, const cars_pblock *b, uint32_t at, const cars_opinfo *info,
                    const uint64_t *arg, unsigned i, sbuf *out)
{
    unsigned x = (unsigned)arg[i];
    switch (info->kind[i]) {
    case CARS_OK_INT: sbp(out, "%" PRId64, (int64_t)arg[i]); break;
    case CARS_OK_NUM: {
        double d;
        memcpy(&d, &arg[i], 8);
        sbp(out, "%.17g", d);
        break;
    }
    case CARS_OK_BOOL: sbp(out, "%s", x ? "true" : "false"); break;
    case CARS_OK_FIELD: case CARS_OK_VALUE: case CARS_OK_STRF: case CARS_OK_KEYF: case CARS_OK_LIST:
        field(p, x, out);
        break;
    case CARS_OK_ELEMF: elem_field(p, b, x, out); break;
    case CARS_OK_BODY: sbp(out, "block %u", x); break;
    case CARS_OK_SET: set_values(p, x, out); break;
    case CARS_OK_STRING:
        if (x < p->nstrings)
            sbp(out, "\"%.*s\"", STR(p->strings[x]));
        else
            sbp(out, "?string%u", x);
        break;
    case CARS_OK_TABLE: named(out, "table", x, p->ntables, x < p->ntables ? &p->tables[x].name : NULL); break;
    case CARS_OK_JUMP: sbp(out, "-> %04x", at + info->len + x); break;
    case CARS_OK_STAGE: stage_rules(p, x, out); break;
    case CARS_OK_INDEX: index_fields(p, x, i + 1 < info->noperands ? (unsigned)arg[i + 1] : 1, out); break;
    case CARS_OK_THRESHOLD:
        named(out, "threshold", x, p->nthresholds, x < p->nthresholds ? &p->thresholds[x].id : NULL);
        break;
    case CARS_OK_OUTCOME: case CARS_OK_ELSE: sbp(out, "%s", cars_outcome_name((int)x)); break;
    default: break; /* NINDEX: printed with its INDEX */
    }
}

/* Decoded operands of the instruction at q, each by its kind (opcodes.def). */
static void operands(const cars_program *p, const cars_pblock *b, uint32_t at, const uint8_t *q, sbuf *out)
{
    const cars_opinfo *info = &cars_opinfo_table[q[0]];
    uint64_t arg[CARS_OP_MAX_OPERANDS];
    for (unsigned i = 0; i < info->noperands; i++)
        arg[i] = cars_operand(info, q, i);
    for (unsigned i = 0; i < info->noperands; i++) {
        if (i > 0)
            sbp(out, "%s", lead(info->kind[i]));
        operand(p, b, at, info, arg, i, out);
    }
}

/* The line-table entry covering offset at, or NULL. */
static const cars_pline *line_of(const cars_program *p, uint32_t at)
{
    const cars_pline *best = NULL;
    for (uint32_t i = 0; i < p->nlines && p->lines[i].offset <= at; i++)
        best = &p->lines[i];
    return best;
}

static void header(const cars_program *p, uint32_t bi, FILE *out)
{
    const cars_pblock *b = &p->blocks[bi];
    fprintf(out, "\n; block %u %s", bi, cars_block_kind_name(b->kind));
    if (b->kind == CARS_BK_ELEM) {
        sbuf t;
        t.len = 0;
        t.p[0] = '\0';
        field(p, b->list, &t);
        fprintf(out, " over %s", t.p);
    }
    for (uint32_t r = 0; r < p->nrules; r++)
        if (p->rules[r].block == bi)
            fprintf(out, " %.*s \"%.*s\"", STR(p->rules[r].id), STR(p->rules[r].title));
    fprintf(out, " (max_stack %u)\n", b->max_stack);
}

void cars_disasm(const cars_program *p, FILE *out)
{
    fprintf(out, "; release %.*s \"%.*s\": %u rules, %u stages, %u blocks, %u bytes of code\n", STR(p->release_id),
            STR(p->ruleset_title), p->nrules, p->nstages, p->nblocks, p->code_len);
    for (uint32_t bi = 0; bi < p->nblocks; bi++) {
        const cars_pblock *b = &p->blocks[bi];
        header(p, bi, out);
        uint32_t pc = b->offset, end = b->offset + b->len;
        if (end > p->code_len || end < pc)
            end = pc;
        while (pc < end) {
            const uint8_t *q = p->code + pc;
            const cars_opinfo *info = cars_opinfo_of(q[0]);
            if (!info || pc + info->len > end) {
                fprintf(out, "%04x  ?? %u\n", pc, q[0]);
                break;
            }
            sbuf text;
            text.len = 0;
            text.p[0] = '\0';
            operands(p, b, pc, q, &text);
            const cars_pline *ln = line_of(p, pc);
            if (ln && ln->file < p->nsources)
                fprintf(out, "%04x  %-18s %-44s ; %.*s:%u", pc, info->name, text.p, STR(p->source_names[ln->file]),
                        ln->line);
            else if (text.len)
                fprintf(out, "%04x  %-18s %s", pc, info->name, text.p);
            else
                fprintf(out, "%04x  %s", pc, info->name);
            fputc('\n', out);
            pc += info->len;
        }
    }
}

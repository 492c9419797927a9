/* disasm.c - the disassembler: one line per instruction with its offset,
 * name, decoded operands (field paths, set/table/rule names, jump targets)
 * and the source file:line from the line table. Names, lengths and operand
 * formats come from the opcode tables (opcodes.def). Safe on any program:
 * out-of-range operands print as '?'. */
#include "disasm.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

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

static uint16_t rd16(const uint8_t *q) { return (uint16_t)(q[0] | (q[1] << 8)); }

static uint64_t rd64(const uint8_t *q)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | q[i];
    return v;
}

static const char *outcome(unsigned o)
{
    static const char *const names[] = {"NCXDR", "NCXPCA", "CXDR", "CXPCA", "NONE", "ERROR"};
    return o <= CARS_OUT_ERROR ? names[o] : "?";
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

/* Decoded operands of the instruction at q. */
static void operands(const cars_program *p, const cars_pblock *b, uint32_t at, const uint8_t *q, sbuf *out)
{
    uint8_t op = q[0];
    switch (op) {
    case CARS_OP_PUSH_INT:
        sbp(out, "%" PRId64, (int64_t)rd64(q + 1));
        break;
    case CARS_OP_PUSH_NUM: {
        uint64_t bits = rd64(q + 1);
        double d;
        memcpy(&d, &bits, 8);
        sbp(out, "%.17g", d);
        break;
    }
    case CARS_OP_PUSH_BOOL:
        sbp(out, "%s", q[1] ? "true" : "false");
        break;
    case CARS_OP_LOAD:
    case CARS_OP_PRESENT:
        field(p, rd16(q + 1), out);
        break;
    case CARS_OP_LOAD_ELEM:
    case CARS_OP_PRESENT_ELEM:
        elem_field(p, b, rd16(q + 1), out);
        break;
    case CARS_OP_IN_SET: {
        unsigned s = rd16(q + 1);
        sbp(out, "set %u", s);
        if (s < p->nsets) {
            sbp(out, " [");
            for (uint32_t k = 0; k < p->sets[s].n && k < 8; k++)
                sbp(out, "%s%" PRId64, k ? ", " : "", p->sets[s].values[k]);
            sbp(out, "%s]", p->sets[s].n > 8 ? ", ..." : "");
        }
        break;
    }
    case CARS_OP_STR_EQ:
    case CARS_OP_STR_EQ_ELEM: {
        unsigned c = rd16(q + 3);
        if (op == CARS_OP_STR_EQ)
            field(p, rd16(q + 1), out);
        else
            elem_field(p, b, rd16(q + 1), out);
        if (c < p->nstrings)
            sbp(out, ", \"%.*s\"", STR(p->strings[c]));
        else
            sbp(out, ", ?string%u", c);
        break;
    }
    case CARS_OP_LOOKUP1:
    case CARS_OP_LOOKUP2: {
        unsigned t = rd16(q + 1);
        if (t < p->ntables)
            sbp(out, "%.*s", STR(p->tables[t].name));
        else
            sbp(out, "?table%u", t);
        sbp(out, ", ");
        field(p, rd16(q + 3), out);
        if (op == CARS_OP_LOOKUP2) {
            sbp(out, ", ");
            field(p, rd16(q + 5), out);
        }
        break;
    }
    case CARS_OP_JUMP_IF_FALSE:
    case CARS_OP_JUMP_IF_TRUE:
        sbp(out, "-> %04x", at + 3 + rd16(q + 1));
        break;
    case CARS_OP_ANY:
    case CARS_OP_ALL:
    case CARS_OP_NONE:
    case CARS_OP_COUNT:
        sbp(out, "block %u over ", rd16(q + 1));
        field(p, rd16(q + 3), out);
        break;
    case CARS_OP_EVAL_STAGE:
    case CARS_OP_EVAL_STAGE_INDEXED: {
        unsigned s = rd16(q + 1);
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
        if (q[0] == CARS_OP_EVAL_STAGE_INDEXED) {
            unsigned xi = rd16(q + 3), xn = rd16(q + 5);
            sbp(out, " indexed by");
            for (unsigned k = xi; k < xi + xn; k++) {
                sbp(out, k > xi ? ", " : " ");
                if (k < p->nindexes)
                    field(p, p->indexes[k].field, out);
                else
                    sbp(out, "?index%u", k);
            }
        }
        break;
    }
    case CARS_OP_DECIDE_IF_MATCHED:
    case CARS_OP_DECIDE:
        sbp(out, "%s", outcome(q[1]));
        break;
    case CARS_OP_DECIDE_THRESHOLD: {
        unsigned t = rd16(q + 1);
        if (t < p->nthresholds)
            sbp(out, "%.*s", STR(p->thresholds[t].id));
        else
            sbp(out, "?threshold%u", t);
        sbp(out, " -> %s otherwise %s", outcome(q[3]), outcome(q[4]));
        break;
    }
    default:
        break;
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
    static const char *const kinds[] = {"MAIN", "RULE", "ELEM"};
    const cars_pblock *b = &p->blocks[bi];
    fprintf(out, "\n; block %u %s", bi, b->kind <= CARS_BK_ELEM ? kinds[b->kind] : "?");
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
            if (q[0] >= CARS_OP__COUNT || pc + cars_opinfo_table[q[0]].len > end) {
                fprintf(out, "%04x  ?? %u\n", pc, q[0]);
                break;
            }
            const cars_opinfo *info = &cars_opinfo_table[q[0]];
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

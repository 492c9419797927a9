/* vm.c - the interpreter. Runs a verified program over one record: the MAIN
 * block evaluates stages (each rule's RULE block), and decides. Values are
 * {payload, known}; absent data is unknown and propagates (Kleene logic).
 * Routing runs the blocks in the VM's internal form (xrun, vm/xcode.h);
 * tracing runs the bytecode itself (run_mode): the same meaning, instruction
 * for instruction. The interpreter trusts exactly what the verifier proved
 * (operand indexes, jump targets, stack depth, block kinds); anything else
 * is an error, never an assertion. Nothing is allocated per record and
 * nothing survives from one record to the next. */
#include "vm.h"

#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "bundle.h"
#include "date.h"
#include "normalise.h"
#include "opcodes.h"
#include "satarith.h"
#include "verify.h"
#include "lookup.h"
#include "stagebits.h"
#include "xcode.h"
#include "xrun.h"

#define STACK_SLOTS (2 * CARS_MAX_STACK + 8) /* a RULE block plus one ELEM block */

/* The bytecode interpreter and the routing block are written once and
 * instantiated per mode, tracing or deciding from given rule values, with
 * the mode a constant; routing runs the internal form (xrun), with no trace
 * code in it at all. */
#if defined(__GNUC__)
#define CARS_ALWAYS_INLINE inline __attribute__((always_inline))
#define CARS_NOINLINE __attribute__((noinline))
#else
#define CARS_ALWAYS_INLINE inline
#define CARS_NOINLINE
#endif
enum { MODE_TRACE = 1, MODE_DECIDE };

struct cars_vm_shared {
    const cars_program *p;
    cars_xcode x;          /* the RULE and ELEM blocks as routing runs them */
    cars_table_dir *dirs;  /* each table's directory of hashes */
};

struct cars_vm {
    const cars_program *p;
    const cars_xcode *x;         /* the shared internal form (vm->sh's or a caller's) */
    cars_lookup lk;              /* table lookups: the shared directories, this VM's key buffer */
    cars_vm_shared *own;         /* made by cars_vm_new for this VM alone, else NULL */
    cars_value stack[STACK_SLOTS];
    uint32_t *matched, nmatched; /* the current stage's matched rules */
    uint32_t *decided;           /* the result's rules */
    uint64_t *cand;              /* EVAL_STAGE_INDEXED: the candidate bitset (tracing) */
    const uint64_t **cand_bits;  /* EVAL_STAGE_INDEXED: its indexes' bitsets */
    uint32_t *cand_rules;        /* EVAL_STAGE_INDEXED: the candidate rules */
    char *err;
    size_t errlen;
    cars_trace_fn *trace;        /* MODE_TRACE: where events go */
    void *trace_ctx;
    const uint64_t *given;       /* MODE_DECIDE: bit j is the given value of stage_rules[j] */
    uint64_t *given_buf;         /* cars_vm_decide's values as such bits */
    /* The last YEARS_BETWEEN and YEAR of this record, with their arguments
     * (a record asks for the same age, and the year of the same date, many
     * times): cleared when a record begins, so none reaches the next. */
    struct date_memo {
        int64_t a, b, v;
        bool ok;
    } age, year;
};

static void emit(cars_vm *vm, cars_trace_kind kind, uint32_t block, uint32_t index, const cars_value *v)
{
    cars_trace_event e = {.kind = kind, .block = block, .index = index};
    if (v)
        e.value = *v;
    vm->trace(vm->trace_ctx, &e);
}

cars_vm_shared *cars_vm_shared_new(const cars_program *p)
{
    cars_vm_shared *s = cars_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->p = p;
    if (cars_xcode_make(&s->x, p) != 0 || !(s->dirs = cars_table_dirs_make(p))) {
        cars_vm_shared_free(s);
        return NULL;
    }
    return s;
}

void cars_vm_shared_free(cars_vm_shared *s)
{
    if (!s)
        return;
    cars_xcode_free(&s->x);
    cars_table_dirs_free(s->p, s->dirs);
    cars_free(s);
}

cars_vm *cars_vm_new(const cars_program *p)
{
    cars_vm_shared *s = cars_vm_shared_new(p);
    cars_vm *vm = s ? cars_vm_new_shared(p, s) : NULL;
    if (!vm)
        cars_vm_shared_free(s);
    else
        vm->own = s;
    return vm;
}

cars_vm *cars_vm_new_shared(const cars_program *p, const cars_vm_shared *s)
{
    if (s->p != p)
        return NULL; /* made for another program */
    cars_vm *vm = cars_calloc(1, sizeof *vm);
    if (!vm)
        return NULL;
    vm->p = p;
    vm->x = &s->x;
    vm->matched = cars_calloc(p->nrules + 1, sizeof(uint32_t));
    vm->decided = cars_calloc(p->nrules + 1, sizeof(uint32_t));
    uint32_t words = 1;
    for (uint32_t st = 0; st < p->nstages; st++)
        if ((p->stages[st].n + 63) / 64 > words)
            words = (p->stages[st].n + 63) / 64;
    vm->cand = cars_calloc(words, sizeof(uint64_t));
    vm->cand_bits = cars_calloc(p->nindexes + 1, sizeof *vm->cand_bits);
    vm->cand_rules = cars_calloc(p->nrules + 1, sizeof(uint32_t));
    vm->given_buf = cars_calloc((size_t)p->nstage_rules / 64 + 1, sizeof(uint64_t));
    if (!vm->matched || !vm->decided || !vm->cand || !vm->cand_bits || !vm->cand_rules || !vm->given_buf || cars_lookup_make(&vm->lk, p, s->dirs) != 0) {
        cars_vm_free(vm);
        return NULL;
    }
    return vm;
}

void cars_vm_free(cars_vm *vm)
{
    if (!vm)
        return;
    cars_free(vm->matched);
    cars_free(vm->decided);
    cars_free(vm->cand);
    cars_free(vm->cand_bits);
    cars_free(vm->cand_rules);
    cars_free(vm->given_buf);
    cars_lookup_free(&vm->lk);
    cars_vm_shared_free(vm->own);
    cars_free(vm);
}

static int vm_fail(cars_vm *vm, const char *msg, unsigned a)
{
    if (vm->errlen)
        snprintf(vm->err, vm->errlen, msg, a);
    return -1;
}

static bool in_set(const cars_pset *s, int64_t x)
{
    uint32_t lo = 0, hi = s->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->values[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->values[lo] == x;
}

/* A lookup in table t ran out of memory: -1, with the message. */
static int lookup_failed(cars_vm *vm, uint16_t t)
{
    return vm_fail(vm, "out of memory in a table lookup (%u)", t);
}

/* LOOKUP1/LOOKUP2 (cars_lookup_run); -1, with the message, when out of memory. */
static int lookup(cars_vm *vm, const cars_record *rec, uint16_t t, const uint16_t *f, int nf, uint8_t kinds,
                  cars_value *v)
{
    int r = cars_lookup_run(&vm->lk, rec, t, f, nf, kinds);
    if (r < 0)
        return lookup_failed(vm, t);
    v->known = r != CARS_LOOKUP_UNKNOWN;
    v->i = r == 1;
    return 0;
}

/* cars_years_between(from, to), computed once per record for the same dates. */
static inline int64_t years_between(cars_vm *vm, int64_t from, int64_t to)
{
    if (!vm->age.ok || vm->age.a != from || vm->age.b != to)
        vm->age = (struct date_memo){from, to, cars_years_between(from, to), true};
    return vm->age.v;
}

/* cars_date_year(days), computed once per record for the same date. */
static inline int64_t date_year(cars_vm *vm, int64_t days)
{
    if (!vm->year.ok || vm->year.a != days)
        vm->year = (struct date_memo){days, 0, cars_date_year(days), true};
    return vm->year.v;
}

/* A record begins: nothing computed for the last one is used again. */
static inline void forget_record(cars_vm *vm)
{
    vm->age.ok = false;
    vm->year.ok = false;
}

static int run(cars_vm *vm, uint32_t bi, const cars_record *rec, const cars_value *elem, cars_value *sp, cars_value *out);
static int run_traced(cars_vm *vm, uint32_t bi, const cars_record *rec, const cars_value *elem, cars_value *sp,
                      cars_value *out);

/* ANY/ALL/NONE/COUNT: run ELEM block b over list field l. */
static CARS_ALWAYS_INLINE int quantify(cars_vm *vm, uint8_t op, uint16_t b, uint16_t l, const cars_record *rec,
                                       cars_value *sp, cars_value *v, const int mode)
{
    if (!rec->v[l].known) { /* absent list: unknown */
        v->known = false;
        v->i = 0;
        return 0;
    }
    const cars_list *list = &rec->lists[l];
    bool unknown = false;
    int64_t count = 0;
    for (uint32_t k = 0; k < list->n; k++) {
        cars_value e;
        if (mode == MODE_TRACE)
            emit(vm, CARS_TR_ELEM, b, k, NULL);
        if ((mode == MODE_TRACE ? run_traced : run)(vm, b, rec, list->elems + (size_t)k * list->stride, sp, &e) != 0)
            return -1;
        bool t = e.known && e.i;
        if (!e.known)
            unknown = true;
        if (op == CARS_OP_COUNT) {
            count += t; /* bound: list->n <= CARS_READER_MAX_ELEMS (100,000) */
        } else if (op == CARS_OP_ALL) {
            if (e.known && !e.i) {
                v->known = true;
                v->i = 0;
                return 0;
            }
        } else if (t) { /* ANY, NONE: one true element decides */
            v->known = true;
            v->i = op == CARS_OP_ANY;
            return 0;
        }
    }
    if (op == CARS_OP_COUNT) {
        v->known = true;
        v->i = count;
    } else {
        v->known = !unknown;
        v->i = op != CARS_OP_ANY; /* ANY: false; ALL, NONE: true */
        if (unknown)
            v->i = 0;
    }
    return 0;
}

/* Operand i of instruction OP, read as w bytes: its offset, from
 * opcodes.def; a read of another width than the list gives does not
 * compile. */
#define ARG(OP, i, w) CARS_OPND(OP, i, w)

/* The four quantifiers share one case: the same operands, the same length. */
_Static_assert(CARS_OPLEN_ALL == CARS_OPLEN_ANY && CARS_OPLEN_NONE == CARS_OPLEN_ANY &&
                   CARS_OPLEN_COUNT == CARS_OPLEN_ANY && CARS_OPND_ALL_2 == CARS_OPND_ANY_2 &&
                   CARS_OPND_NONE_2 == CARS_OPND_ANY_2 && CARS_OPND_COUNT_2 == CARS_OPND_ANY_2,
                   "ANY, ALL, NONE and COUNT differ in opcodes.def");

#define BIN_I(expr) do { sp--; cars_value *a = sp - 1, *b = sp; \
        a->known = a->known && b->known; a->i = a->known ? (expr) : 0; } while (0)
#define BIN_F(expr) do { sp--; cars_value *a = sp - 1, *b = sp; \
        a->known = a->known && b->known; if (a->known) a->f = (expr); else a->i = 0; } while (0)
#define CMP_F(expr) do { sp--; cars_value *a = sp - 1, *b = sp; \
        a->known = a->known && b->known; a->i = a->known ? (int64_t)(expr) : 0; } while (0)

/* AND: a and b, false wins, then unknown; OR: a or b, true wins, then
 * unknown. The one definition for both interpreters (and_values, or_values
 * here; xrun's XAND, XOR). */
static inline cars_value kleene_and(cars_value a, cars_value b)
{
    bool f = (a.known && !a.i) || (b.known && !b.i), known = f || (a.known && b.known);
    return (cars_value){.i = known && !f, .known = known};
}

static inline cars_value kleene_or(cars_value a, cars_value b)
{
    bool t = (a.known && a.i) || (b.known && b.i);
    return (cars_value){.i = t, .known = t || (a.known && b.known)};
}

static inline void and_values(cars_value **spp)
{
    cars_value *sp = --*spp;
    sp[-1] = kleene_and(sp[-1], sp[0]);
}

static inline void or_values(cars_value **spp)
{
    cars_value *sp = --*spp;
    sp[-1] = kleene_or(sp[-1], sp[0]);
}

/* Runs block bi with its stack starting at sp; its RET value goes to *out. */
static CARS_ALWAYS_INLINE int run_mode(cars_vm *vm, uint32_t bi, const cars_record *rec, const cars_value *elem,
                                       cars_value *sp, cars_value *out, const int mode)
{
    const cars_program *p = vm->p;
    const uint8_t *const start = p->code + p->blocks[bi].offset;
    const uint8_t *pc = start;
    const cars_value *const base = sp;
    for (;;) {
        const uint8_t op = *pc;
        const uint8_t *const at = pc;
        (void)at;
        switch (op) {
        case CARS_OP_PUSH_INT: /* push integer constant K */
            sp->i = (int64_t)cars_rd64(pc + ARG(PUSH_INT, 1, 8)), sp->known = true, sp++;
            pc += CARS_OPLEN_PUSH_INT;
            break;
        case CARS_OP_PUSH_NUM: { /* push number constant K (IEEE-754 bits) */
            uint64_t bits = cars_rd64(pc + ARG(PUSH_NUM, 1, 8));
            memcpy(&sp->f, &bits, 8);
            sp->known = true, sp++;
            pc += CARS_OPLEN_PUSH_NUM;
            break;
        }
        case CARS_OP_PUSH_BOOL: /* push boolean constant K */
            sp->i = pc[ARG(PUSH_BOOL, 1, 1)], sp->known = true, sp++;
            pc += CARS_OPLEN_PUSH_BOOL;
            break;
        case CARS_OP_LOAD: /* push record field F (unknown if absent) */
            *sp++ = rec->v[cars_rd16(pc + ARG(LOAD, 1, 2))];
            pc += CARS_OPLEN_LOAD;
            break;
        case CARS_OP_LOAD_ELEM: /* push field F of the current list element */
            *sp++ = elem[cars_rd16(pc + ARG(LOAD_ELEM, 1, 2))];
            pc += CARS_OPLEN_LOAD_ELEM;
            break;
        case CARS_OP_PRESENT: /* push whether record field F is present */
            sp->i = rec->v[cars_rd16(pc + ARG(PRESENT, 1, 2))].known, sp->known = true, sp++;
            pc += CARS_OPLEN_PRESENT;
            break;
        case CARS_OP_PRESENT_ELEM: /* push whether element field F is present */
            sp->i = elem[cars_rd16(pc + ARG(PRESENT_ELEM, 1, 2))].known, sp->known = true, sp++;
            pc += CARS_OPLEN_PRESENT_ELEM;
            break;
        case CARS_OP_TO_NUM: /* integer -> number */
            if (sp[-1].known)
                sp[-1].f = (double)sp[-1].i;
            pc += CARS_OPLEN_TO_NUM;
            break;
        case CARS_OP_ADD_I: BIN_I(cars_sat_add(a->i, b->i)); pc += CARS_OPLEN_ADD_I; break; /* a + b (saturating) */
        case CARS_OP_SUB_I: BIN_I(cars_sat_sub(a->i, b->i)); pc += CARS_OPLEN_SUB_I; break; /* a - b (saturating) */
        case CARS_OP_MUL_I: BIN_I(cars_sat_mul(a->i, b->i)); pc += CARS_OPLEN_MUL_I; break; /* a * b (saturating) */
        case CARS_OP_NEG_I: /* -a (integer; -INT64_MIN saturates to INT64_MAX) */
            if (sp[-1].known)
                sp[-1].i = cars_sat_neg(sp[-1].i);
            pc += CARS_OPLEN_NEG_I;
            break;
        case CARS_OP_ADD_F: BIN_F(a->f + b->f); pc += CARS_OPLEN_ADD_F; break; /* a + b (numbers) */
        case CARS_OP_SUB_F: BIN_F(a->f - b->f); pc += CARS_OPLEN_SUB_F; break; /* a - b (numbers) */
        case CARS_OP_MUL_F: BIN_F(a->f * b->f); pc += CARS_OPLEN_MUL_F; break; /* a * b (numbers) */
        case CARS_OP_NEG_F: /* -a (number) */
            if (sp[-1].known)
                sp[-1].f = -sp[-1].f;
            pc += CARS_OPLEN_NEG_F;
            break;
        case CARS_OP_ADD_DAYS: BIN_I(cars_sat_add(a->i, b->i)); pc += CARS_OPLEN_ADD_DAYS; break; /* date a + b days (saturating) */
        case CARS_OP_YEAR: /* the year of date a (exact for any day count) */
            if (sp[-1].known)
                sp[-1].i = date_year(vm, sp[-1].i);
            pc += CARS_OPLEN_YEAR;
            break;
        case CARS_OP_YEARS_BETWEEN: /* completed years from date a to date b (29 Feb rule; exact) */
            BIN_I(years_between(vm, a->i, b->i));
            pc += CARS_OPLEN_YEARS_BETWEEN;
            break;
        case CARS_OP_EQ_I: BIN_I(a->i == b->i); pc += CARS_OPLEN_EQ_I; break; /* a = b */
        case CARS_OP_NE_I: BIN_I(a->i != b->i); pc += CARS_OPLEN_NE_I; break; /* a != b */
        case CARS_OP_LT_I: BIN_I(a->i < b->i); pc += CARS_OPLEN_LT_I; break;  /* a < b */
        case CARS_OP_LE_I: BIN_I(a->i <= b->i); pc += CARS_OPLEN_LE_I; break; /* a <= b */
        case CARS_OP_GT_I: BIN_I(a->i > b->i); pc += CARS_OPLEN_GT_I; break;  /* a > b */
        case CARS_OP_GE_I: BIN_I(a->i >= b->i); pc += CARS_OPLEN_GE_I; break; /* a >= b */
        case CARS_OP_EQ_F: CMP_F(a->f == b->f); pc += CARS_OPLEN_EQ_F; break; /* a = b (numbers) */
        case CARS_OP_NE_F: CMP_F(a->f != b->f); pc += CARS_OPLEN_NE_F; break; /* a != b (numbers) */
        case CARS_OP_LT_F: CMP_F(a->f < b->f); pc += CARS_OPLEN_LT_F; break;  /* a < b (numbers) */
        case CARS_OP_LE_F: CMP_F(a->f <= b->f); pc += CARS_OPLEN_LE_F; break; /* a <= b (numbers) */
        case CARS_OP_GT_F: CMP_F(a->f > b->f); pc += CARS_OPLEN_GT_F; break;  /* a > b (numbers) */
        case CARS_OP_GE_F: CMP_F(a->f >= b->f); pc += CARS_OPLEN_GE_F; break; /* a >= b (numbers) */
        case CARS_OP_IN_SET: /* a is in constant set S */
            if (sp[-1].known)
                sp[-1].i = in_set(&p->sets[cars_rd16(pc + ARG(IN_SET, 1, 2))], sp[-1].i);
            pc += CARS_OPLEN_IN_SET;
            break;
        case CARS_OP_STR_EQ: { /* string field F equals string constant C */
            uint16_t f = cars_rd16(pc + ARG(STR_EQ, 1, 2));
            const cars_str *c = &p->strings[cars_rd16(pc + ARG(STR_EQ, 2, 2))];
            sp->known = rec->v[f].known;
            sp->i = sp->known && rec->s[f].len == c->len && (c->len == 0 || memcmp(rec->s[f].p, c->p, c->len) == 0);
            sp++;
            pc += CARS_OPLEN_STR_EQ;
            break;
        }
        case CARS_OP_LOOKUP1: { /* field F, normalised, is a key of one-column table T */
            uint16_t t = cars_rd16(pc + ARG(LOOKUP1, 1, 2)), f = cars_rd16(pc + ARG(LOOKUP1, 2, 2));
            if (lookup(vm, rec, t, &f, 1, cars_xcode_key_kinds(p, t, &f, 1), sp) != 0)
                return -1;
            sp++;
            pc += CARS_OPLEN_LOOKUP1;
            break;
        }
        case CARS_OP_LOOKUP2: { /* fields F1, F2, normalised, are a key of table T */
            uint16_t t = cars_rd16(pc + ARG(LOOKUP2, 1, 2));
            uint16_t f[2] = {cars_rd16(pc + ARG(LOOKUP2, 2, 2)), cars_rd16(pc + ARG(LOOKUP2, 3, 2))};
            if (lookup(vm, rec, t, f, 2, cars_xcode_key_kinds(p, t, f, 2), sp) != 0)
                return -1;
            sp++;
            pc += CARS_OPLEN_LOOKUP2;
            break;
        }
        case CARS_OP_NOT: /* not a (unknown stays unknown) */
            sp[-1].i = sp[-1].known ? !sp[-1].i : 0;
            pc += CARS_OPLEN_NOT;
            break;
        case CARS_OP_AND: /* a and b: false wins, then unknown */
            and_values(&sp);
            pc += CARS_OPLEN_AND;
            break;
        case CARS_OP_OR: /* a or b: true wins, then unknown */
            or_values(&sp);
            pc += CARS_OPLEN_OR;
            break;
        case CARS_OP_JUMP_IF_FALSE: /* if a is known false, jump forward D keeping it */
            pc += CARS_OPLEN_JUMP_IF_FALSE + ((sp[-1].known && !sp[-1].i) ? cars_rd16(pc + ARG(JUMP_IF_FALSE, 1, 2)) : 0);
            break;
        case CARS_OP_JUMP_IF_TRUE: /* if a is known true, jump forward D keeping it */
            pc += CARS_OPLEN_JUMP_IF_TRUE + ((sp[-1].known && sp[-1].i) ? cars_rd16(pc + ARG(JUMP_IF_TRUE, 1, 2)) : 0);
            break;
        case CARS_OP_ANY:   /* some element makes B true (unknown if L absent) */
        case CARS_OP_ALL:   /* every element makes B true */
        case CARS_OP_NONE:  /* no element makes B true */
        case CARS_OP_COUNT: /* number of elements that make B true (known true only) */
            if (quantify(vm, op, cars_rd16(pc + ARG(ANY, 1, 2)), cars_rd16(pc + ARG(ANY, 2, 2)), rec, sp, sp, mode) != 0)
                return -1;
            sp++;
            pc += CARS_OPLEN_ANY;
            break;
        case CARS_OP_RET: /* end of a RULE or ELEM block: its value is the top of stack */
            if (sp - base != 1)
                return vm_fail(vm, "block %u returned with a wrong stack depth", bi);
            *out = sp[-1];
            if (mode == MODE_TRACE)
                emit(vm, CARS_TR_RET, bi, 0, out);
            return 0;
        default:
            return vm_fail(vm, "opcode %u is not allowed here (the verifier should have refused it)", op);
        }
        if (mode == MODE_TRACE) {
            cars_trace_event e = {.kind = CARS_TR_STEP, .op = op, .block = bi, .at = (uint32_t)(at - start),
                                  .next = (uint32_t)(pc - start), .value = sp[-1]};
            vm->trace(vm->trace_ctx, &e);
        }
    }
}

/* ---- routing: the blocks in their internal form (xcode.h) ---------------------
 * The same meaning as run_mode, instruction for instruction; fused
 * instructions do what their runs did. Dispatch is threaded (a jump from
 * each instruction to the next one's code) where the compiler has labels
 * as values, else (or when built with -DCARS_VM_SWITCH, to try that) a
 * switch. */
#if defined(__GNUC__) && !defined(CARS_VM_SWITCH)
#define CARS_VM_THREADED 1
#else
#define CARS_VM_THREADED 0
#endif
#if CARS_VM_THREADED
#define XCASE(name) L_##name:
#define XNEXT(n) do { x += (n); goto *labels[x->op]; } while (0)
#define XJUMP(t) do { x = xc + (t); goto *labels[x->op]; } while (0)
#else
#define XCASE(name) case CARS_XO_##name:
#define XNEXT(n) do { x += (n); goto dispatch; } while (0)
#define XJUMP(t) do { x = xc + (t); goto dispatch; } while (0)
#endif

/* The top of xrun's stack is kept in two locals, ti and tk (its payload,
 * as bits, and whether it is known), the rest in memory below sp: a stack
 * of depth d has sp = base + d, its element j < d - 1 at base[j + 1] and
 * base[0] unused, so a push stores the old top at *sp (nothing to store
 * when the stack is empty: it stores what ti and tk hold) and a pop loads
 * the new top from *--sp. The verifier's depths and bounds are those of
 * the bytecode. */
#define TSPILL() (sp->i = ti, sp->known = tk, sp++)
#define TPUSH(I, K) do { TSPILL(); ti = (I); tk = (K); } while (0) /* I, K: not of ti, tk */
static inline double xf(int64_t i) { double f; memcpy(&f, &i, sizeof f); return f; }
static inline int64_t xi(double f) { int64_t i; memcpy(&i, &f, sizeof i); return i; }
/* a (below the top) and b (the top), popped: the new top is expr */
#define XBIN_I(name, expr) XCASE(name) { sp--; const int64_t a = sp->i, b = ti; \
        tk = sp->known && tk; ti = tk ? (expr) : 0; XNEXT(1); }
#define XBIN_F(name, expr) XCASE(name) { sp--; const double a = xf(sp->i), b = xf(ti); \
        tk = sp->known && tk; ti = tk ? xi(expr) : 0; XNEXT(1); }
#define XCMP_F(name, expr) XCASE(name) { sp--; const double a = xf(sp->i), b = xf(ti); \
        tk = sp->known && tk; ti = tk ? (int64_t)(expr) : 0; XNEXT(1); }
#define XCMPK_I(name, op) XCASE(CMPK_##name##_I) ti = tk ? ti op x->k.i : 0; XNEXT(1);
#define XCMPK_F(name, op) XCASE(CMPK_##name##_F) ti = tk ? (int64_t)(xf(ti) op x->k.f) : 0; XNEXT(1);
#define XLOAD_CMPK_I(name, op) XCASE(LOAD_CMPK_##name##_I) { \
    const cars_value *v = &rv[x->a]; TPUSH(v->known ? v->i op x->k.i : 0, v->known); XNEXT(1); }
#define XLOAD_CMPK_F(name, op) XCASE(LOAD_CMPK_##name##_F) { \
    const cars_value *v = &rv[x->a]; TPUSH(v->known ? (int64_t)(v->f op x->k.f) : 0, v->known); XNEXT(1); }
/* AND, OR of a (below the top, popped) and the top */
#define XKLEENE(fn) do { sp--; const cars_value v_ = fn(*sp, (cars_value){.i = ti, .known = tk}); \
        ti = v_.i, tk = v_.known; } while (0)
#define XAND() XKLEENE(kleene_and)
#define XOR() XKLEENE(kleene_or)

/* DECIDE_THRESHOLD: the matched MULTIPLE rules, their total and per-tier
 * counts against threshold t. */
static void threshold(cars_vm *vm, uint16_t t, uint8_t o1, uint8_t o2, cars_result *res)
{
    const cars_program *p = vm->p;
    const cars_pthreshold *th = &p->thresholds[t];
    uint32_t per_tier[CARS_MAX_TIERS] = {0}, n = 0;
    for (uint32_t k = 0; k < vm->nmatched; k++) {
        const cars_prule *r = &p->rules[vm->matched[k]];
        if (r->kind != CARS_RK_MULTIPLE)
            continue;
        vm->decided[n++] = vm->matched[k];
        if (r->tier < CARS_MAX_TIERS)
            per_tier[r->tier]++;
    }
    bool met = n >= th->at_least;
    for (int k = 0; k < CARS_MAX_TIERS; k++)
        if (per_tier[k] < th->tier_min[k])
            met = false;
    res->outcome = met ? o1 : o2;
    res->nrules = n;
    res->rules = vm->decided;
    res->threshold = t;
    res->threshold_met = met;
}

/* EVAL_STAGE_INDEXED of stage si, indexes xi..xi+nx-1: its candidates, in
 * stage order, in vm->cand_rules; how many. Not inlined: in xrun, its
 * loops' registers left GCC too few for the ones every instruction uses
 * (the record's fields, the VM), which it kept in memory. */
CARS_NOINLINE static uint32_t candidates(cars_vm *vm, const cars_record *rec, uint32_t si, uint32_t xi, uint32_t nx)
{
    const cars_program *p = vm->p;
    return cars_cand(p, rec, &p->stages[si], &p->indexes[xi], nx, vm->cand_bits, NULL, vm->cand_rules);
}

/* Runs block bi once, its value in *out (rules NULL, bi a RULE block), or
 * routes the record into *res (bi 0, the MAIN block: each stage's RULE
 * blocks one after the other from vm->stack, each match joining
 * vm->matched, then the next routing instruction). One call a record. */
static int xrun(cars_vm *vm, const cars_record *rec, const cars_value *elem, cars_value *sp, uint32_t bi,
                cars_value *out, cars_result *res)
{
    const cars_program *p = vm->p;
    const cars_xop *const xc = vm->x->code;
    const uint32_t *const xr = vm->x->rule;
    const uint32_t *rules = NULL; /* the running stage's rules (n), the k-th running */
    uint32_t k = 0, n = 0;
    const cars_xop *stage = NULL; /* its STAGE instruction */
    const cars_xop *x = xc + vm->x->start[bi];
    cars_value *const base = sp;
    const cars_value *const rv = rec->v; /* the record's fields */
    qstate q = {0};
    cars_value qv;
    int64_t ti = 0; /* the top of the stack (TPUSH) */
    bool tk = false;
#if CARS_VM_THREADED
    static const void *const labels[CARS_XO__COUNT] = {
#define X(name) [CARS_XO_##name] = &&L_##name,
        CARS_XOPS(X)
#undef X
    };
    goto *labels[x->op];
#else
dispatch:
    switch (x->op) {
#endif
    XCASE(PUSH) TPUSH(x->k.i, true); XNEXT(1);
    XCASE(LOAD) TPUSH(rv[x->a].i, rv[x->a].known); XNEXT(1);
    XCASE(LOAD_ELEM) TPUSH(elem[x->a].i, elem[x->a].known); XNEXT(1);
    XCASE(PRESENT) TPUSH(rv[x->a].known, true); XNEXT(1);
    XCASE(PRESENT_ELEM) TPUSH(elem[x->a].known, true); XNEXT(1);
    XCASE(TO_NUM) if (tk) ti = xi((double)ti); XNEXT(1);
    XBIN_I(ADD_I, cars_sat_add(a, b))
    XBIN_I(SUB_I, cars_sat_sub(a, b))
    XBIN_I(MUL_I, cars_sat_mul(a, b))
    XCASE(NEG_I) if (tk) ti = cars_sat_neg(ti); XNEXT(1);
    XBIN_F(ADD_F, a + b)
    XBIN_F(SUB_F, a - b)
    XBIN_F(MUL_F, a * b)
    XCASE(NEG_F) if (tk) ti = xi(-xf(ti)); XNEXT(1);
    XCASE(YEAR) if (tk) ti = date_year(vm, ti); XNEXT(1);
    XBIN_I(YEARS_BETWEEN, years_between(vm, a, b))
    XBIN_I(EQ_I, a == b) XBIN_I(NE_I, a != b) XBIN_I(LT_I, a < b)
    XBIN_I(LE_I, a <= b) XBIN_I(GT_I, a > b) XBIN_I(GE_I, a >= b)
    XCMP_F(EQ_F, a == b) XCMP_F(NE_F, a != b) XCMP_F(LT_F, a < b)
    XCMP_F(LE_F, a <= b) XCMP_F(GT_F, a > b) XCMP_F(GE_F, a >= b)
    XCASE(IN_SET) if (tk) ti = in_set(&p->sets[x->a], ti); XNEXT(1);
    XCASE(STR_EQ) {
        const cars_str *c = &p->strings[x->b];
        const bool known = rv[x->a].known;
        TPUSH(known && rec->s[x->a].len == c->len && (c->len == 0 || memcmp(rec->s[x->a].p, c->p, c->len) == 0),
              known);
        XNEXT(1);
    }
    XCASE(LOOKUP1) { /* as lookup(); an absent field: unknown, without the call */
        const int r = rv[x->b].known ? cars_lookup_run(&vm->lk, rec, x->a, &x->b, 1, x->sub) : CARS_LOOKUP_UNKNOWN;
        if (r < 0)
            return lookup_failed(vm, x->a);
        TPUSH(r == 1, r != CARS_LOOKUP_UNKNOWN);
        XNEXT(1);
    }
    XCASE(LOOKUP2) {
        const uint16_t f[2] = {x->b, x->c};
        const int r = rv[x->b].known && rv[x->c].known ? cars_lookup_run(&vm->lk, rec, x->a, f, 2, x->sub)
                                                       : CARS_LOOKUP_UNKNOWN;
        if (r < 0)
            return lookup_failed(vm, x->a);
        TPUSH(r == 1, r != CARS_LOOKUP_UNKNOWN);
        XNEXT(1);
    }
    XCASE(NOT) ti = tk ? !ti : 0; XNEXT(1);
    XCASE(AND) XAND(); XNEXT(1);
    XCASE(OR) XOR(); XNEXT(1);
    XCASE(JUMP_IF_FALSE) if (tk && !ti) XJUMP(x->to); XNEXT(1);
    XCASE(JUMP_IF_TRUE) if (tk && ti) XJUMP(x->to); XNEXT(1);
    XCASE(QUANTIFY) /* its ELEM block a on each element of list b, in this call */
        if (!rv[x->b].known) { /* absent list: unknown */
            TPUSH(0, false);
            XNEXT(1);
        }
        TSPILL(); /* the top to memory: each element's block starts from an empty stack at q.sp */
        q = (qstate){.at = x, .list = &rec->lists[x->b], .sp = sp};
        qv = quantify_end(&q);
        if (q.list->n == 0)
            goto quantified;
        elem = q.list->elems;
        XJUMP(vm->x->start[x->a]);
    XCASE(RET_ELEM) /* an element's value */
        if (!q.at) /* an ELEM block runs only under its quantifier */
            return vm_fail(vm, "block %u returned with no quantifier running", bi);
        if (sp - q.sp != 1)
            return vm_fail(vm, "block %u returned with a wrong stack depth", q.at->a);
        if (!quantify_step(&q, (cars_value){.i = ti, .known = tk}, &qv)) {
            if (++q.k < q.list->n) {
                sp = q.sp;
                elem = q.list->elems + (size_t)q.k * q.list->stride;
                XJUMP(vm->x->start[q.at->a]);
            }
            qv = quantify_end(&q);
        }
        goto quantified;
    XCASE(RET) /* of a RULE block: quantifiers run ELEM blocks only */
        if (sp - base != 1)
            return vm_fail(vm, "block %u returned with a wrong stack depth", rules ? p->rules[rules[k]].block : bi);
        if (!rules) {
            *out = (cars_value){.i = ti, .known = tk};
            return 0;
        }
        if (tk && ti)
            vm->matched[vm->nmatched++] = rules[k];
        if (++k == n) {
            x = stage;
            XNEXT(1);
        }
        sp = base;
        XJUMP(xr[rules[k]]);
quantified: /* the quantifier's value on top of the stack its ELEM block began from */
    sp = q.sp;
    ti = qv.i, tk = qv.known;
    x = q.at;
    q.at = NULL;
    XNEXT(1);
    XCASE(FAIL) return vm_fail(vm, "opcode %u is not allowed here (the verifier should have refused it)", x->sub);
    CARS_XCMPS(XCMPK_I)
    CARS_XCMPS(XCMPK_F)
    CARS_XCMPS(XLOAD_CMPK_I)
    CARS_XCMPS(XLOAD_CMPK_F)
    XCASE(STAGE) /* its rules, from an empty stack */
        vm->nmatched = 0;
        rules = p->stage_rules + p->stages[x->a].first, n = p->stages[x->a].n;
        goto stage_begins;
    XCASE(STAGE_INDEXED)
        vm->nmatched = 0;
        rules = vm->cand_rules, n = candidates(vm, rec, x->a, x->b, x->c);
stage_begins:
        if (n == 0)
            XNEXT(1);
        k = 0, stage = x, sp = base;
        XJUMP(xr[rules[0]]);
    XCASE(DECIDE_IF_MATCHED) /* if the stage matched any rule: outcome sub, halt */
        if (vm->nmatched == 0)
            XNEXT(1);
        res->outcome = x->sub;
        memcpy(vm->decided, vm->matched, vm->nmatched * sizeof(uint32_t));
        res->nrules = vm->nmatched;
        return 0;
    XCASE(DECIDE_THRESHOLD) threshold(vm, x->a, (uint8_t)x->b, (uint8_t)x->c, res); return 0;
    XCASE(DECIDE) res->outcome = x->sub, res->nrules = 0; return 0;
    XCASE(LOAD_IN_SET) {
        const cars_value v = rv[x->a];
        TPUSH(v.known ? in_set(&p->sets[x->b], v.i) : v.i, v.known);
        XNEXT(1);
    }
    XCASE(LOAD_JF) TPUSH(rv[x->a].i, rv[x->a].known); if (tk && !ti) XJUMP(x->to); XNEXT(1);
    XCASE(LOAD_JT) TPUSH(rv[x->a].i, rv[x->a].known); if (tk && ti) XJUMP(x->to); XNEXT(1);
    XCASE(AND_JF) XAND(); if (tk && !ti) XJUMP(x->to); XNEXT(1);
    XCASE(OR_JT) XOR(); if (ti) XJUMP(x->to); XNEXT(1); /* OR's value is true only when known */
    XCASE(LOAD2) TSPILL(), *sp++ = rv[x->a], ti = rv[x->b].i, tk = rv[x->b].known; XNEXT(1);
    XCASE(AGE) {
        const cars_value *a = &rv[x->a], *b = &rv[x->b];
        const bool known = a->known && b->known;
        TPUSH(known ? years_between(vm, a->i, b->i) : 0, known);
        XNEXT(1);
    }
    XCASE(LOAD_YEAR) {
        const cars_value v = rv[x->a];
        TPUSH(v.known ? date_year(vm, v.i) : v.i, v.known);
        XNEXT(1);
    }
    XCASE(IN_MASK) if (tk) ti = in_mask(x, ti); XNEXT(1);
    XCASE(LOAD_IN_MASK) {
        const cars_value v = rv[x->a];
        TPUSH(v.known ? in_mask(x, v.i) : v.i, v.known);
        XNEXT(1);
    }
    XCASE(LOAD_IN_MASK_JF) {
        const cars_value v = rv[x->a];
        TPUSH(v.known ? in_mask(x, v.i) : v.i, v.known);
        if (v.known && !ti)
            XJUMP(x->to);
        XNEXT(1);
    }
    XCASE(LOAD_OR_JT) { /* the top OR field a */
        const cars_value *b = &rv[x->a];
        const bool t = (tk && ti) || KTRUE(*b);
        tk = t || (tk && b->known), ti = t;
        if (t)
            XJUMP(x->to);
        XNEXT(1);
    }
    XCASE(LOAD_ANY_JT) { /* an OR of fields: the first known true jumps, else false or unknown */
        const cars_value v = rv[x->a];
        if (KTRUE(v)) {
            TPUSH(v.i, v.known);
            XJUMP(x->to);
        }
        bool known = v.known;
        uint64_t rest = (uint64_t)x->k.i;
        for (unsigned j = 1; j < x->sub; j++, rest >>= 16) {
            const cars_value *f = &rv[rest & 0xffff];
            if (KTRUE(*f)) {
                TPUSH(1, true);
                XJUMP(x->to);
            }
            known = known && f->known;
        }
        TPUSH(0, known);
        XNEXT(1);
    }
    XCASE(ADDK_I) ti = tk ? cars_sat_add(ti, x->k.i) : 0; XNEXT(1);
    XCASE(SUBK_I) ti = tk ? cars_sat_sub(ti, x->k.i) : 0; XNEXT(1);
    XCASE(LOAD_YEAR_SUBK) {
        const cars_value v = rv[x->a];
        TPUSH(v.known ? cars_sat_sub(date_year(vm, v.i), x->k.i) : 0, v.known);
        XNEXT(1);
    }
#if !CARS_VM_THREADED
    default:
        return vm_fail(vm, "opcode %u is not allowed here (the verifier should have refused it)", x->sub);
    }
#endif
}

static int run(cars_vm *vm, uint32_t bi, const cars_record *rec, const cars_value *elem, cars_value *sp, cars_value *out)
{
    return xrun(vm, rec, elem, sp, bi, out, NULL);
}

static int run_traced(cars_vm *vm, uint32_t bi, const cars_record *rec, const cars_value *elem, cars_value *sp,
                      cars_value *out)
{
    return run_mode(vm, bi, rec, elem, sp, out, MODE_TRACE);
}

int cars_vm_eval_rule(cars_vm *vm, const cars_record *rec, uint32_t rule)
{
    char err[128];
    vm->err = err;
    vm->errlen = sizeof err;
    if (rule >= vm->p->nrules)
        return -2;
    forget_record(vm);
    cars_value v;
    if (run(vm, vm->p->rules[rule].block, rec, NULL, vm->stack, &v) != 0)
        return -2;
    return v.known ? (v.i != 0) : -1;
}

/* MODE_DECIDE: the rules of stage s whose given bit is set join
 * vm->matched, in stage order, read a word of bits at a time. */
static void decide_stage(cars_vm *vm, const cars_pstage *s)
{
    const uint32_t *sr = vm->p->stage_rules;
    for (uint32_t k = 0; k < s->n;) {
        uint32_t j = s->first + k, off = j % 64, span = 64 - off;
        uint64_t m = vm->given[j / 64] >> off;
        if (span > s->n - k) {
            span = s->n - k;
            m &= (UINT64_C(1) << span) - 1; /* span < 64 here */
        }
        for (; m; m &= m - 1)
            vm->matched[vm->nmatched++] = sr[j + cars_lowest_bit(m)];
        k += span;
    }
}

/* Runs rule r of the current stage; a match joins vm->matched. */
static CARS_ALWAYS_INLINE int eval_rule(cars_vm *vm, const cars_record *rec, uint32_t r, const int mode)
{
    cars_value v;
    if (mode == MODE_TRACE) {
        emit(vm, CARS_TR_RULE, vm->p->rules[r].block, r, NULL);
        if (run_traced(vm, vm->p->rules[r].block, rec, NULL, vm->stack, &v) != 0)
            return -1;
        emit(vm, CARS_TR_RULE_END, vm->p->rules[r].block, r, &v);
    } else if (run(vm, vm->p->rules[r].block, rec, NULL, vm->stack, &v) != 0) {
        return -1;
    }
    if (v.known && v.i)
        vm->matched[vm->nmatched++] = r;
    return 0;
}

static void emit_words(cars_vm *vm, cars_trace_kind kind, uint32_t index, const uint64_t *words, uint32_t w)
{
    cars_trace_event e = {.kind = kind, .index = index, .words = words, .nwords = w};
    vm->trace(vm->trace_ctx, &e);
}

/* A routing instruction's event: a stage begins (index: the stage) or an
 * outcome is decided (index: the outcome); at is its offset in block 0. */
static void emit_at(cars_vm *vm, cars_trace_kind kind, uint32_t at, uint32_t index)
{
    cars_trace_event e = {.kind = kind, .at = at, .index = index};
    vm->trace(vm->trace_ctx, &e);
}

/* EVAL_STAGE_INDEXED at pc: the candidates of its indexes, in stage order,
 * become the current matches. MODE_DECIDE evaluates every rule (a given
 * value need not respect the indexes); MODE_TRACE reports each index's
 * slot and the candidates. */
static CARS_ALWAYS_INLINE int eval_indexed(cars_vm *vm, const cars_record *rec, const uint8_t *pc, uint32_t at,
                                           const int mode)
{
    const cars_program *p = vm->p;
    const uint32_t si = cars_rd16(pc + ARG(EVAL_STAGE_INDEXED, 1, 2));
    const uint32_t xi = cars_rd16(pc + ARG(EVAL_STAGE_INDEXED, 2, 2));
    const cars_pstage *s = &p->stages[si];
    vm->nmatched = 0;
    if (mode == MODE_DECIDE) {
        decide_stage(vm, s);
        return 0;
    }
    const cars_pindex *x = &p->indexes[xi];
    uint32_t nx = cars_rd16(pc + ARG(EVAL_STAGE_INDEXED, 3, 2)), w = (s->n + 63) / 64;
    uint32_t n = cars_cand(p, rec, s, x, nx, vm->cand_bits, vm->cand, vm->cand_rules);
    emit_at(vm, CARS_TR_STAGE, at, si);
    for (uint32_t k = 0; k < nx; k++)
        emit_words(vm, CARS_TR_INDEX, xi + k, vm->cand_bits[k], w);
    emit_words(vm, CARS_TR_CANDIDATES, si, vm->cand, w);
    for (uint32_t j = 0; j < n; j++)
        if (eval_rule(vm, rec, vm->cand_rules[j], mode) != 0)
            return -1;
    return 0;
}

/* A record's setup, before routing, tracing or deciding it. */
static inline void begin_record(cars_vm *vm, cars_result *res, char *err, size_t errlen)
{
    vm->err = err;
    vm->errlen = errlen;
    vm->nmatched = 0;
    forget_record(vm);
    memset(res, 0, sizeof *res);
    res->threshold = UINT32_MAX;
    res->rules = vm->decided;
}

static CARS_ALWAYS_INLINE int route_mode(cars_vm *vm, const cars_record *rec, cars_result *res, char *err,
                                         size_t errlen, const int mode)
{
    const cars_program *p = vm->p;
    begin_record(vm, res, err, errlen);
    const uint8_t *const start = p->code + p->blocks[0].offset;
    const uint8_t *pc = start;
    for (;;) {
        const uint8_t op = *pc;
        const uint32_t at = (uint32_t)(pc - start);
        switch (op) {
        case CARS_OP_EVAL_STAGE: { /* evaluate every rule of stage S; they become the current matches */
            const uint32_t si = cars_rd16(pc + ARG(EVAL_STAGE, 1, 2));
            const cars_pstage *s = &p->stages[si];
            if (mode == MODE_TRACE)
                emit_at(vm, CARS_TR_STAGE, at, si);
            vm->nmatched = 0;
            if (mode == MODE_DECIDE) {
                decide_stage(vm, s);
            } else {
                for (uint32_t k = 0; k < s->n; k++)
                    if (eval_rule(vm, rec, p->stage_rules[s->first + k], mode) != 0)
                        return -1;
            }
            pc += CARS_OPLEN_EVAL_STAGE;
            break;
        }
        case CARS_OP_EVAL_STAGE_INDEXED: /* only the candidates of indexes I..I+N-1, in stage order */
            if (eval_indexed(vm, rec, pc, at, mode) != 0)
                return -1;
            pc += CARS_OPLEN_EVAL_STAGE_INDEXED;
            break;
        case CARS_OP_DECIDE_IF_MATCHED: /* if the current stage matched any rule: outcome O, halt */
            if (vm->nmatched > 0) {
                res->outcome = pc[ARG(DECIDE_IF_MATCHED, 1, 1)];
                if (mode == MODE_TRACE)
                    emit_at(vm, CARS_TR_DECIDE, at, res->outcome);
                memcpy(vm->decided, vm->matched, vm->nmatched * sizeof(uint32_t));
                res->nrules = vm->nmatched;
                return 0;
            }
            pc += CARS_OPLEN_DECIDE_IF_MATCHED;
            break;
        case CARS_OP_DECIDE_THRESHOLD: /* threshold T over the matches: O1 if met, else O2; halt */
            threshold(vm, cars_rd16(pc + ARG(DECIDE_THRESHOLD, 1, 2)), pc[ARG(DECIDE_THRESHOLD, 2, 1)],
                      pc[ARG(DECIDE_THRESHOLD, 3, 1)], res);
            if (mode == MODE_TRACE)
                emit_at(vm, CARS_TR_DECIDE, at, res->outcome);
            return 0;
        case CARS_OP_DECIDE: /* outcome O, with no rules; halt */
            res->outcome = pc[ARG(DECIDE, 1, 1)];
            res->nrules = 0;
            if (mode == MODE_TRACE)
                emit_at(vm, CARS_TR_DECIDE, at, res->outcome);
            return 0;
        default:
            return vm_fail(vm, "opcode %u is not a routing instruction (the verifier should have refused it)", op);
        }
    }
}

int cars_vm_route(cars_vm *vm, const cars_record *rec, cars_result *res, char *err, size_t errlen)
{
    begin_record(vm, res, err, errlen);
    return xrun(vm, rec, NULL, vm->stack, 0, NULL, res); /* the MAIN block in the internal form */
}

int cars_vm_trace(cars_vm *vm, const cars_record *rec, cars_result *res, cars_trace_fn *fn, void *ctx, char *err,
                  size_t errlen)
{
    vm->trace = fn;
    vm->trace_ctx = ctx;
    int rc = route_mode(vm, rec, res, err, errlen, MODE_TRACE);
    vm->trace = NULL, vm->trace_ctx = NULL;
    return rc;
}

int cars_vm_decide_bits(cars_vm *vm, const uint64_t *bits, cars_result *res, char *err, size_t errlen)
{
    vm->given = bits;
    int rc = route_mode(vm, NULL, res, err, errlen, MODE_DECIDE);
    vm->given = NULL;
    return rc;
}

int cars_vm_decide(cars_vm *vm, const uint8_t *value, cars_result *res, char *err, size_t errlen)
{
    cars_vm_decide_bits_from(vm->p, value, vm->given_buf);
    return cars_vm_decide_bits(vm, vm->given_buf, res, err, errlen);
}

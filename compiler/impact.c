/* impact.c - the impact pass (impact.h): both releases per record, on
 * every core, figures merged in input order. */
#include "impact.h"

#include <stdarg.h>
#include <string.h>

#include "alloc.h"
#include "errstr.h"
#include "lineblocks.h"
#include "reader.h"
#include "strindex.h"
#include "vm.h"

#define NCELLS (CARS_NOUTCOMES * CARS_NOUTCOMES)

typedef struct worker {
    const cars_impact *im;
    cars_reader *reader[2];
    cars_vm *vm[2];
    uint64_t matrix[CARS_NOUTCOMES][CARS_NOUTCOMES];
    uint64_t rules_changed[CARS_NOUTCOMES];
    uint64_t *fired[2], *gained, *lost; /* as in cars_impact */
    uint8_t *mark;                      /* ng: bit 1 old lists the rule, bit 2 new does */
    cars_impact_example ex[NCELLS][CARS_IMPACT_EXAMPLES]; /* this block's */
    uint32_t nex[NCELLS];
    bool fatal;
    char err[256];
} worker;

/* Matches the rules of both releases by id: old rules in order, then the
 * rules only the new release has, in its order. */
static int match_rules(cars_impact *im)
{
    const cars_program *o = im->old, *n = im->new_;
    size_t total = (size_t)o->nrules + n->nrules;
    im->gid = cars_calloc(total + 1, sizeof *im->gid);
    im->g_old = cars_calloc(total + 1, sizeof *im->g_old);
    im->g_new = cars_calloc(total + 1, sizeof *im->g_new);
    im->old_to_g = cars_calloc((size_t)o->nrules + 1, sizeof *im->old_to_g);
    im->new_to_g = cars_calloc((size_t)n->nrules + 1, sizeof *im->new_to_g);
    if (!im->gid || !im->g_old || !im->g_new || !im->old_to_g || !im->new_to_g)
        return -1;
    cars_strindex ids = {0};
    for (int side = 0; side < 2; side++) {
        const cars_program *p = side ? n : o;
        for (uint32_t r = 0; r < p->nrules; r++) {
            const cars_str *id = &p->rules[r].id;
            uint64_t h = cars_strindex_hashn(0, id->p, id->len);
            size_t pos = 0;
            uint32_t g;
            while ((g = cars_strindex_next(&ids, h, &pos)) != CARS_STRINDEX_NONE &&
                   !(im->gid[g]->len == id->len && memcmp(im->gid[g]->p, id->p, id->len) == 0))
                ;
            if (g == CARS_STRINDEX_NONE) {
                g = im->ng;
                if (!cars_strindex_add(&ids, h, g)) {
                    cars_strindex_free(&ids);
                    return -1;
                }
                im->ng++;
                im->gid[g] = id;
                im->g_old[g] = im->g_new[g] = -1;
            }
            (side ? im->new_to_g : im->old_to_g)[r] = g;
            if ((side ? im->g_new : im->g_old)[g] < 0) /* a repeated id keeps its first rule */
                (side ? im->g_new : im->g_old)[g] = r;
        }
    }
    cars_strindex_free(&ids);
    return 0;
}

static void keep_example(worker *w, unsigned cell, const cars_record *rec, uint64_t no)
{
    if (w->nex[cell] >= CARS_IMPACT_EXAMPLES)
        return;
    cars_impact_example *e = &w->ex[cell][w->nex[cell]++];
    memset(e, 0, sizeof *e);
    e->line = no;
    if (rec && rec->has_id) {
        size_t n = rec->id.len;
        if (n > CARS_IMPACT_ID_MAX) {
            n = CARS_IMPACT_ID_MAX;
            while (n > 0 && ((unsigned char)rec->id.p[n] & 0xC0) == 0x80) /* cut at a character */
                n--;
            e->cut = true;
        }
        memcpy(e->id, rec->id.p, n);
        e->has_id = true;
    }
}

/* Reads and routes the line under release `s`; its outcome, and the rules
 * its routing line lists marked with bit (1 << s). NULL record if the
 * line could not be read at all. */
static uint8_t route_side(worker *w, int s, const cars_lb_line *ln, const cars_record **rec, uint32_t *nrules,
                          const uint32_t **rules)
{
    *nrules = 0;
    *rules = NULL;
    bool ok = cars_reader_parse(w->reader[s], ln->p, ln->len);
    *rec = cars_reader_record(w->reader[s]);
    if (!ok) {
        if (cars_reader_out_of_memory(w->reader[s])) {
            w->fatal = true;
            snprintf(w->err, sizeof w->err, "out of memory");
        }
        return CARS_OUT_ERROR;
    }
    cars_result res;
    if (cars_vm_route(w->vm[s], *rec, &res, w->err, sizeof w->err) != 0) {
        w->fatal = true;
        return CARS_OUT_ERROR;
    }
    const uint32_t *to_g = s ? w->im->new_to_g : w->im->old_to_g;
    for (uint32_t i = 0; i < res.nrules; i++) {
        uint32_t g = to_g[res.rules[i]];
        w->fired[s][g]++;
        w->mark[g] |= (uint8_t)(1u << s);
    }
    *nrules = res.nrules;
    *rules = res.rules;
    return res.outcome < CARS_NOUTCOMES ? res.outcome : CARS_OUT_ERROR;
}

static void one_line(worker *w, const cars_lb_line *ln)
{
    const cars_record *rec[2];
    uint32_t nr[2];
    const uint32_t *rules[2];
    uint8_t out[2];
    for (int s = 0; s < 2; s++)
        out[s] = route_side(w, s, ln, &rec[s], &nr[s], &rules[s]);
    unsigned cell = out[0] * CARS_NOUTCOMES + out[1];
    size_t ng = w->im->ng;
    bool differ = false;
    for (int s = 0; s < 2; s++) {
        const uint32_t *to_g = s ? w->im->new_to_g : w->im->old_to_g;
        for (uint32_t i = 0; i < nr[s]; i++) {
            uint32_t g = to_g[rules[s][i]];
            if (w->mark[g] == 1)
                w->lost[cell * ng + g]++;
            else if (w->mark[g] == 2)
                w->gained[cell * ng + g]++;
            differ |= w->mark[g] != 3;
        }
    }
    for (int s = 0; s < 2; s++) {
        const uint32_t *to_g = s ? w->im->new_to_g : w->im->old_to_g;
        for (uint32_t i = 0; i < nr[s]; i++)
            w->mark[to_g[rules[s][i]]] = 0;
    }
    w->matrix[out[0]][out[1]]++;
    if (out[0] == out[1] && differ)
        w->rules_changed[out[0]]++;
    if (out[0] != out[1])
        keep_example(w, cell, rec[0] && rec[0]->has_id ? rec[0] : rec[1], ln->no);
}

static void work(void *arg, const cars_lb_line *lines, size_t n)
{
    worker *w = arg;
    memset(w->nex, 0, sizeof w->nex);
    for (size_t i = 0; i < n && !w->fatal; i++)
        one_line(w, &lines[i]);
}

static int merge(void *ctx, void *arg)
{
    cars_impact *im = ctx;
    worker *w = arg;
    if (w->fatal)
        return -2;
    for (unsigned c = 0; c < NCELLS; c++)
        for (uint32_t i = 0; i < w->nex[c] && im->nex[c] < CARS_IMPACT_EXAMPLES; i++)
            im->ex[c][im->nex[c]++] = w->ex[c][i];
    return 0;
}

static bool worker_init(worker *w, const cars_impact *im, cars_vm_shared *const sh[2])
{
    size_t ng = im->ng ? im->ng : 1;
    w->im = im;
    for (int s = 0; s < 2; s++) {
        const cars_program *p = s ? im->new_ : im->old;
        w->reader[s] = cars_reader_new(p);
        w->vm[s] = cars_vm_new_shared(p, sh[s]);
        w->fired[s] = cars_calloc(ng, sizeof(uint64_t));
        if (!w->reader[s] || !w->vm[s] || !w->fired[s])
            return false;
    }
    w->gained = cars_calloc(ng * NCELLS, sizeof(uint64_t));
    w->lost = cars_calloc(ng * NCELLS, sizeof(uint64_t));
    w->mark = cars_calloc(ng, 1);
    return w->gained && w->lost && w->mark;
}

static void worker_free(worker *w)
{
    for (int s = 0; s < 2; s++) {
        cars_reader_free(w->reader[s]);
        cars_vm_free(w->vm[s]);
        cars_free(w->fired[s]);
    }
    cars_free(w->gained);
    cars_free(w->lost);
    cars_free(w->mark);
}

/* Adds a worker's counts to the totals. */
static void add_counts(cars_impact *im, const worker *w)
{
    size_t ng = im->ng;
    for (int a = 0; a < CARS_NOUTCOMES; a++) {
        im->rules_changed[a] += w->rules_changed[a];
        for (int b = 0; b < CARS_NOUTCOMES; b++)
            im->matrix[a][b] += w->matrix[a][b];
    }
    for (size_t g = 0; g < ng; g++) {
        im->fired_old[g] += w->fired[0][g];
        im->fired_new[g] += w->fired[1][g];
    }
    for (size_t i = 0; i < ng * NCELLS; i++) {
        im->gained[i] += w->gained[i];
        im->lost[i] += w->lost[i];
    }
}

static int run_pass(cars_impact *im, FILE *in, int nthreads, worker *ws, char *err, size_t errlen)
{
    void *ptr[CARS_LB_MAX_THREADS];
    cars_vm_shared *sh[2] = {cars_vm_shared_new(im->old), cars_vm_shared_new(im->new_)};
    bool ok = sh[0] && sh[1];
    for (int t = 0; ok && t < nthreads; t++) {
        ok = worker_init(&ws[t], im, sh);
        ptr[t] = &ws[t];
    }
    int rc = -1;
    cars_lb_pass pass = {nthreads, ptr, work, merge, im, 0, 0};
    if (ok)
        rc = cars_lb_run(&pass, in, err, errlen);
    else
        cars_fail(err, errlen, "out of memory");
    for (int t = 0; t < nthreads; t++) { /* the VMs go before what they share */
        for (int s = 0; s < 2; s++) {
            cars_vm_free(ws[t].vm[s]);
            ws[t].vm[s] = NULL;
        }
    }
    cars_vm_shared_free(sh[0]);
    cars_vm_shared_free(sh[1]);
    if (!ok)
        return -1;
    im->blank = pass.blank;
    if (rc == -2)
        for (int t = 0; t < nthreads; t++)
            if (ws[t].fatal)
                return cars_fail(err, errlen, "%s", ws[t].err);
    if (rc != 0)
        return -1;
    for (int t = 0; t < nthreads; t++)
        add_counts(im, &ws[t]);
    im->records = pass.lines - pass.blank;
    return 0;
}

int cars_impact_run(cars_impact *im, const cars_program *old, const cars_program *new_, FILE *in, int threads,
                    char *err, size_t errlen)
{
    memset(im, 0, sizeof *im);
    im->old = old;
    im->new_ = new_;
    if (match_rules(im) != 0)
        return cars_fail(err, errlen, "out of memory");
    size_t ng = im->ng ? im->ng : 1;
    im->fired_old = cars_calloc(ng, sizeof(uint64_t));
    im->fired_new = cars_calloc(ng, sizeof(uint64_t));
    im->gained = cars_calloc(ng * NCELLS, sizeof(uint64_t));
    im->lost = cars_calloc(ng * NCELLS, sizeof(uint64_t));
    int nthreads = cars_lb_threads(threads);
    worker *ws = cars_calloc((size_t)nthreads, sizeof *ws);
    if (!im->fired_old || !im->fired_new || !im->gained || !im->lost || !ws) {
        cars_free(ws);
        return cars_fail(err, errlen, "out of memory");
    }
    int rc = run_pass(im, in, nthreads, ws, err, errlen);
    for (int t = 0; t < nthreads; t++)
        worker_free(&ws[t]);
    cars_free(ws);
    return rc;
}

void cars_impact_free(cars_impact *im)
{
    cars_free(im->gid);
    cars_free(im->g_old);
    cars_free(im->g_new);
    cars_free(im->old_to_g);
    cars_free(im->new_to_g);
    cars_free(im->fired_old);
    cars_free(im->fired_new);
    cars_free(im->gained);
    cars_free(im->lost);
    memset(im, 0, sizeof *im);
}

uint64_t cars_impact_changed(const cars_impact *im)
{
    uint64_t n = 0;
    for (int a = 0; a < CARS_NOUTCOMES; a++)
        for (int b = 0; b < CARS_NOUTCOMES; b++)
            n += a != b ? im->matrix[a][b] : 0;
    return n;
}

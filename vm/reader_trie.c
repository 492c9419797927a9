/* reader_trie.c - the record reader's construction: the schema trie (one
 * node per name of a dotted field path, objects above, fields at the
 * leaves) and its hash table of (parent, key) -> child that every key of
 * every record is looked up in (cars_rd_find_child, reader_int.h); the
 * record's slots, the marks of what a line has seen, and the buffers that
 * only grow. Everything here is allocated once per reader. */
#include "alloc.h"
#include "reader_int.h"

/* A new node, entered in the hash table too. */
static int32_t add_node(cars_reader *r, const char *name, uint32_t len, int32_t parent)
{
    int32_t c = (int32_t)r->nnodes++;
    cars_rd_node *n = &r->nodes[c];
    n->name = name;
    n->len = len;
    n->pre = cars_rd_key_prefix(name, len);
    n->field = -1;
    n->child = -1;
    n->sibling = -1;
    n->parent = parent;
    n->pbase = -1;
    if (parent < 0)
        return c; /* the root: never looked up */
    n->sibling = r->nodes[parent].child;
    r->nodes[parent].child = c;
    uint32_t i = cars_rd_child_hash(parent, n->pre, len) & r->hmask;
    while (r->htab[i] >= 0)
        i = (i + 1) & r->hmask;
    r->htab[i] = c;
    return c;
}

/* The nodes and the hash table, sized for the most nodes the fields can
 * need: one per name of each path (the names that paths share make fewer),
 * plus the root; the table at most a quarter full. */
static bool alloc_trie(cars_reader *r)
{
    const cars_program *p = r->p;
    uint32_t max = 1;
    for (uint32_t f = 0; f < p->nfields; f++) {
        max++;
        for (uint32_t i = 0; i < p->fields[f].path.len; i++)
            max += p->fields[f].path.p[i] == '.';
    }
    r->nodes = cars_calloc(max, sizeof(cars_rd_node));
    uint32_t size = 16;
    while (size < 4 * max)
        size *= 2;
    r->htab = cars_malloc(size * sizeof *r->htab);
    if (!r->nodes || !r->htab)
        return false;
    r->hmask = size - 1;
    for (uint32_t i = 0; i < size; i++)
        r->htab[i] = -1;
    return true;
}

/* The trie of the fields' paths, looked up as records are (cars_rd_find_child)
 * while it is built. */
static bool build_trie(cars_reader *r)
{
    if (!alloc_trie(r))
        return false;
    const cars_program *p = r->p;
    add_node(r, "", 0, -1);
    r->id_field = -1;
    for (uint32_t f = 0; f < p->nfields; f++) {
        const char *s = p->fields[f].path.p;
        uint32_t len = p->fields[f].path.len, start = 0;
        int32_t cur = 0;
        for (uint32_t i = 0; i <= len; i++) {
            if (i < len && s[i] != '.')
                continue;
            int32_t c = cars_rd_find_child(r, cur, s + start, i - start, cars_rd_key_prefix(s + start, i - start));
            if (c < 0)
                c = add_node(r, s + start, i - start, cur);
            cur = c;
            start = i + 1;
        }
        r->nodes[cur].field = (int32_t)f;
        if (len == 2 && memcmp(s, "id", 2) == 0 && p->fields[f].type == CARS_FT_STRING)
            r->id_field = (int32_t)f;
    }
    return true;
}

/* The bits of a table for k children: at least twice as many entries. */
static unsigned table_bits(uint32_t k)
{
    unsigned b = 1;
    while ((1u << b) < 2 * k)
        b++;
    return b;
}

/* Node nd's own table of its k children at ptab + base (1 << bits entries):
 * the first multiplier of a fixed sequence under which no two children
 * share an entry, with up to 4 times the entries; false if none. */
static bool child_table(cars_reader *r, cars_rd_node *nd, uint32_t k, int32_t base)
{
    uint64_t mul = 0x9E3779B97F4A7C15ull;
    for (unsigned bits = table_bits(k), extra = 0; extra < 3; extra++, bits++) {
        cars_rd_pslot *t = r->ptab + base;
        for (int attempt = 0; attempt < 64; attempt++) {
            mul = (mul ^ (mul >> 29)) * 0xBF58476D1CE4E5B9ull | 1; /* odd */
            uint8_t shift = (uint8_t)(64 - bits);
            bool ok = true;
            for (uint32_t i = 0; i < (1u << bits); i++)
                t[i] = (cars_rd_pslot){.len = UINT32_MAX, .node = -1};
            for (int32_t c = nd->child; ok && c >= 0; c = r->nodes[c].sibling) {
                const cars_rd_node *n = &r->nodes[c];
                uint32_t h = (uint32_t)(((n->pre + n->len) * mul) >> shift);
                ok = t[h].node < 0;
                t[h] = r->nslot[c];
            }
            if (ok) {
                nd->pbase = base;
                nd->shift = shift;
                nd->mul = mul;
                return true;
            }
        }
    }
    return false;
}

/* Every object's own table of its children, in one array. */
static bool child_tables(cars_reader *r)
{
    size_t total = 0;
    for (uint32_t i = 0; i < r->nnodes; i++) {
        uint32_t k = 0;
        for (int32_t c = r->nodes[i].child; c >= 0; c = r->nodes[c].sibling)
            k++;
        if (k)
            total += (size_t)1 << (table_bits(k) + 2);
    }
    r->ptab = cars_malloc((total + r->nnodes) * sizeof *r->ptab);
    if (!r->ptab)
        return false;
    r->nslot = r->ptab + total;
    for (uint32_t c = 0; c < r->nnodes; c++) {
        const cars_rd_node *n = &r->nodes[c];
        const cars_pfield *f = n->field >= 0 ? &r->p->fields[n->field] : NULL;
        r->nslot[c] = (cars_rd_pslot){n->pre, n->len > 8 ? cars_rd_key_last(n->name, n->len) : 0, n->len, (int32_t)c,
                                      n->field, f ? f->type : 0, f ? (uint8_t)(f->flags & CARS_FF_REQUIRED) : 0};
    }
    int32_t base = 0;
    for (uint32_t i = 0; i < r->nnodes; i++) {
        uint32_t k = 0;
        for (int32_t c = r->nodes[i].child; c >= 0; c = r->nodes[c].sibling)
            k++;
        if (k && child_table(r, &r->nodes[i], k, base))
            base += (int32_t)(1u << (64 - r->nodes[i].shift));
    }
    return true;
}

cars_reader *cars_reader_new(const cars_program *p)
{
    cars_reader *r = cars_calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->p = p;
    uint32_t nf = p->nfields ? p->nfields : 1;
    r->v = cars_calloc(nf, sizeof *r->v);
    r->s = cars_calloc(nf, sizeof *r->s);
    r->lists = cars_calloc(nf, sizeof *r->lists);
    r->list_cap = cars_calloc(nf, sizeof *r->list_cap);
    r->present = cars_calloc(nf, sizeof *r->present);
    r->req = cars_calloc(nf, sizeof *r->req);
    for (uint32_t f = 0; r->req && f < p->nfields; f++)
        if (p->fields[f].flags & CARS_FF_REQUIRED)
            r->req[r->nreq++] = f;
    r->lreq = cars_calloc(nf, sizeof *r->lreq);
    for (uint32_t f = 0; r->lreq && f < p->nfields; f++)
        for (uint32_t e = 0; p->fields[f].type == CARS_FT_LIST && e < p->fields[f].elems_n; e++)
            r->lreq[f] += p->elem_fields[p->fields[f].elems_first + e].flags & CARS_FF_REQUIRED;
    r->listf = cars_calloc(nf, sizeof *r->listf);
    for (uint32_t f = 0; r->listf && f < p->nfields; f++)
        if (p->fields[f].type == CARS_FT_LIST)
            r->listf[r->nlistf++] = f;
    r->eseen = cars_calloc(p->nelem_fields + 1, sizeof *r->eseen);
    for (uint32_t f = 0; f < p->nfields; f++)
        if (p->fields[f].type == CARS_FT_LIST && p->fields[f].elems_n > r->max_stride)
            r->max_stride = p->fields[f].elems_n;
    r->escratch = cars_calloc(r->max_stride + 1, sizeof *r->escratch);
    r->epre = cars_calloc(p->nelem_fields + 1, sizeof *r->epre);
    /* the unknown keys' buffers exist from the start: never a NULL base, even
     * when every unknown key is empty ("") and adds no byte */
    r->ukcap = 64;
    r->ukeys = cars_malloc(r->ukcap * sizeof *r->ukeys);
    r->ukbuf_cap = 1024;
    r->ukbuf = cars_malloc(r->ukbuf_cap);
    for (uint32_t e = 0; r->epre && e < p->nelem_fields; e++)
        r->epre[e] = cars_rd_key_prefix(p->elem_fields[e].path.p, p->elem_fields[e].path.len);
    r->mkeys = cars_calloc(p->nmembers + 1, sizeof *r->mkeys);
    for (uint32_t m = 0; r->mkeys && m < p->nmembers; m++) {
        const cars_str *ms = &p->members[m];
        r->mkeys[m] = (cars_rd_mkey){cars_rd_key_prefix(ms->p, ms->len),
                                     ms->len > 8 ? cars_rd_key_last(ms->p, ms->len) : 0, ms->len};
    }
    cars_rd_arena_funcs(&r->ar, &r->afuncs);
    r->simd = cars_rd_simd_new();
    if (!r->simd || !r->v || !r->s || !r->lists || !r->list_cap || !r->present || !r->req || !r->lreq || !r->listf || !r->eseen || !r->escratch || !r->epre || !r->mkeys ||
        !r->ukeys || !r->ukbuf || !build_trie(r) || !child_tables(r)) {
        cars_reader_free(r);
        return NULL;
    }
    r->seen = cars_calloc(r->nnodes, sizeof *r->seen);
    if (!r->seen) {
        cars_reader_free(r);
        return NULL;
    }
    for (uint32_t f = 0; f < p->nfields; f++)
        r->lists[f].stride = p->fields[f].type == CARS_FT_LIST ? p->fields[f].elems_n : 0;
    r->rec.v = r->v;
    r->rec.s = r->s;
    r->rec.lists = r->lists;
    return r;
}

void cars_reader_free(cars_reader *r)
{
    if (!r)
        return;
    if (r->lists)
        for (uint32_t f = 0; f < r->p->nfields; f++)
            cars_free(r->lists[f].elems);
    cars_free(r->v);
    cars_free(r->s);
    cars_free(r->lists);
    cars_free(r->list_cap);
    cars_free(r->present);
    cars_free(r->req);
    cars_free(r->lreq);
    cars_free(r->listf);
    cars_free(r->seen);
    cars_free(r->eseen);
    cars_free(r->escratch);
    cars_free(r->epre);
    cars_free(r->mkeys);
    cars_free(r->nodes);
    cars_free(r->htab);
    cars_free(r->ptab);
    cars_free(r->strbuf);
    cars_free(r->ukeys);
    cars_free(r->ukbuf);
    cars_rd_arena_destroy(&r->ar);
    cars_rd_simd_free(r->simd);
    cars_free(r);
}

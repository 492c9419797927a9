/* strindex.c - open addressing from a key's hash to an item (strindex.h). */
#include "strindex.h"

#include <string.h>

#include "alloc.h"

uint64_t cars_strindex_hashn(unsigned seed, const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull ^ seed;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

uint64_t cars_strindex_hash(unsigned seed, const char *s)
{
    return cars_strindex_hashn(seed, s, strlen(s));
}

uint32_t cars_strindex_next(const cars_strindex *x, uint64_t h, size_t *pos)
{
    if (!x->nslots)
        return CARS_STRINDEX_NONE;
    size_t mask = x->nslots - 1;
    for (size_t k = *pos; k < x->nslots; k++) { /* probe k of the sequence from h */
        const cars_strindex_slot *s = &x->slot[((size_t)h + k) & mask];
        if (s->item == CARS_STRINDEX_NONE)
            break;
        if (s->hash == h) {
            *pos = k + 1;
            return s->item;
        }
    }
    *pos = x->nslots;
    return CARS_STRINDEX_NONE;
}

static void put(cars_strindex_slot *slot, size_t nslots, uint64_t h, uint32_t item)
{
    size_t i = (size_t)h & (nslots - 1);
    while (slot[i].item != CARS_STRINDEX_NONE)
        i = (i + 1) & (nslots - 1);
    slot[i] = (cars_strindex_slot){h, item};
}

bool cars_strindex_add(cars_strindex *x, uint64_t h, uint32_t item)
{
    if ((x->n + 1) * 2 > x->nslots) {
        size_t ns = x->nslots ? x->nslots * 2 : 64;
        cars_strindex_slot *s = cars_malloc(ns * sizeof *s);
        if (!s)
            return false;
        for (size_t i = 0; i < ns; i++)
            s[i].item = CARS_STRINDEX_NONE;
        for (size_t i = 0; i < x->nslots; i++)
            if (x->slot[i].item != CARS_STRINDEX_NONE)
                put(s, ns, x->slot[i].hash, x->slot[i].item);
        cars_free(x->slot);
        x->slot = s;
        x->nslots = ns;
    }
    put(x->slot, x->nslots, h, item);
    x->n++;
    return true;
}

void cars_strindex_free(cars_strindex *x)
{
    cars_free(x->slot);
    x->slot = NULL;
    x->nslots = x->n = 0;
}

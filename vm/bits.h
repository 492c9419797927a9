/* bits.h - bit tricks shared by the VM and the verifier. */
#ifndef CARS_BITS_H
#define CARS_BITS_H

#include <stdint.h>

/* The index of the lowest set bit of m (m != 0). */
static inline unsigned cars_lowest_bit(uint64_t m)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(m);
#else
    unsigned k = 0;
    while (!(m & 1))
        m >>= 1, k++;
    return k;
#endif
}

#endif

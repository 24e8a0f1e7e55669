/* uniform_bits.h - random words to uniform values: the lattices every distribution
 * draws from, and the exact float32 rounding of uniform's values.
 *
 * Pure integer -> float conversions and one exact scaling each (no rounding beyond
 * the stated lattice), so every SIMD level reproduces them lane by lane.  The math
 * applied to these uniforms (log, sincos, inverse normal CDF) is in fmath.h. */
#ifndef INITFILL_UNIFORM_BITS_H
#define INITFILL_UNIFORM_BITS_H

#include <stdint.h>
#include <string.h>
#include "config.h"

/* (0, 1] on a 2^-24 lattice, exact in float32: the radius draw of Box-Muller. */
IF_INLINE float if_u01_oc_f32(uint32_t w) {
    return (float)((w >> 8) + 1u) * 0x1p-24f;
}
/* [0, 1) on a 2^-24 lattice, exact in float32 and float64. */
IF_INLINE double if_u01_co_24(uint32_t w) { return (double)(w >> 8) * 0x1p-24; }
/* [0, 1) on a 2^-52 lattice, exact in float64.  52 rather than 53 bits: then
 * low + (high - low) u is exact for dyadic ranges such as [1, 2), where a 53-bit
 * lattice would fall half on ties and favour even mantissas 3:1. */
IF_INLINE double if_u01_co_52(uint64_t w) { return (double)(w >> 12) * 0x1p-52; }
/* (0, 1] on a 2^-53 lattice: the radius draw of float64 Box-Muller. */
IF_INLINE double if_u01_oc_53(uint64_t w) { return (double)((w >> 11) + 1u) * 0x1p-53; }
/* (0, 1) from 32 bits, midpoints of a 2^-32 lattice, exact in float64. */
IF_INLINE double if_u01_oo_32(uint32_t w) { return ((double)w + 0.5) * 0x1p-32; }
/* (0, 1) from 52 bits, midpoints of a 2^-52 lattice, exact in float64. */
IF_INLINE double if_u01_oo_52(uint64_t w) {
    return ((double)(w >> 12) + 0.5) * 0x1p-52;
}

/* The largest float32 <= y: float32 cells then get exactly their share of a
 * uniform y, where round-to-nearest would give the lowest cell half of it. */
IF_INLINE float if_f32_floor(double y) {
    const float f = (float)y;
    if ((double)f <= y) return f;
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    b = f > 0.0f ? b - 1u : f < 0.0f ? b + 1u : UINT32_C(0x80000001);
    float g;
    memcpy(&g, &b, sizeof g);
    return g;
}

/* Two words as one 64-bit word, the first one low: how 64-bit outputs take them. */
IF_INLINE uint64_t if_join64(uint32_t lo, uint32_t hi) {
    return (uint64_t)lo | ((uint64_t)hi << 32);
}

#endif /* INITFILL_UNIFORM_BITS_H */

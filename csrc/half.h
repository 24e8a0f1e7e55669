/* initfill/half.h - float32 -> float16 / bfloat16 rounding in software.
 *
 * Both conversions round to nearest, ties to even (RNE), on the bit pattern, so they
 * are exact and independent of the FPU rounding mode and of F16C/AVX512_BF16:
 *
 *   bfloat16: the top 16 bits of the float32 after adding 0x7FFF plus the lowest
 *             kept bit.  Denormal float32 inputs (exponent field 0) become a zero of
 *             the same sign, as vcvtne2ps2bf16 does (it treats them as zero), so a
 *             bfloat16 result is never denormal.  NaN stays NaN (quieted, sign and
 *             top payload bits kept); overflow rounds to infinity.
 *   float16:  IEEE 754 binary16 RNE, subnormal results included; values of
 *             magnitude >= 65520 become infinity.  NaN stays NaN (quieted).
 *
 * Uniform fills round down instead (the _down variants), so that every half value
 * in [low, high) gets exactly its share, as float32 uniform values do: the largest
 * half <= x, with the same denormal, NaN and overflow rules.
 *
 * The widening conversions back to float32 are exact. */
#ifndef INITFILL_HALF_H
#define INITFILL_HALF_H

#include <stdint.h>
#include <string.h>
#include "config.h"

IF_INLINE uint32_t if_f32_bits(float x) {
    uint32_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

IF_INLINE float if_bits_f32(uint32_t b) {
    float x;
    memcpy(&x, &b, sizeof x);
    return x;
}

IF_INLINE uint16_t if_f32_to_bf16(float x) {
    const uint32_t b = if_f32_bits(x);
    if ((b & UINT32_C(0x7F800000)) == 0) return (uint16_t)((b >> 16) & 0x8000u);
    if ((b & UINT32_C(0x7FFFFFFF)) > UINT32_C(0x7F800000))
        return (uint16_t)((b >> 16) | 0x0040u);
    return (uint16_t)((b + UINT32_C(0x7FFF) + ((b >> 16) & 1u)) >> 16);
}

IF_INLINE uint16_t if_f32_to_bf16_down(float x) {
    const uint32_t b = if_f32_bits(x);
    if ((b & UINT32_C(0x7F800000)) == 0) return (uint16_t)((b >> 16) & 0x8000u);
    if ((b & UINT32_C(0x7FFFFFFF)) > UINT32_C(0x7F800000))
        return (uint16_t)((b >> 16) | 0x0040u);
    /* truncation is toward zero: step a negative inexact value one further down */
    return (uint16_t)((b >> 16) + ((b >> 31) & ((b & 0xFFFFu) != 0u)));
}

IF_INLINE float if_bf16_to_f32(uint16_t h) { return if_bits_f32((uint32_t)h << 16); }

/* float16 bits of a float32 infinity or NaN (|bits| = a): NaN stays NaN, quieted,
 * with the top payload bits kept. */
IF_INLINE uint16_t if_f16_inf_nan(uint16_t sign, uint32_t a) {
    return (uint16_t)(sign | (a > UINT32_C(0x7F800000) ? 0x7E00u | ((a >> 13) & 0x03FFu)
                                                       : 0x7C00u));
}

IF_INLINE uint16_t if_f32_to_f16(float x) {
    const uint32_t b = if_f32_bits(x);
    const uint16_t sign = (uint16_t)((b >> 16) & 0x8000u);
    const uint32_t a = b & UINT32_C(0x7FFFFFFF);
    if (a >= UINT32_C(0x7F800000)) return if_f16_inf_nan(sign, a);
    if (a >= UINT32_C(0x477FF000)) return (uint16_t)(sign | 0x7C00u); /* >= 65520 */
    if (a < UINT32_C(0x38800000)) {                                  /* < 2^-14 */
        if (a <= UINT32_C(0x33000000)) return sign; /* <= 2^-25: ties to even 0 */
        const uint32_t e = a >> 23;                 /* 102 .. 112 */
        const uint32_t m = (a & UINT32_C(0x007FFFFF)) | UINT32_C(0x00800000);
        const uint32_t shift = 126u - e;            /* 14 .. 24 */
        uint32_t r = m >> shift;
        const uint32_t rem = m & ((UINT32_C(1) << shift) - 1u);
        const uint32_t half = UINT32_C(1) << (shift - 1u);
        r += (rem > half || (rem == half && (r & 1u))) ? 1u : 0u;
        return (uint16_t)(sign | r);
    }
    uint32_t r = (a - UINT32_C(0x38000000)) >> 13;
    const uint32_t rem = a & UINT32_C(0x1FFF);
    r += (rem > 0x1000u || (rem == 0x1000u && (r & 1u))) ? 1u : 0u;
    return (uint16_t)(sign | r);
}

IF_INLINE uint16_t if_f32_to_f16_down(float x) {
    const uint32_t b = if_f32_bits(x);
    const uint16_t sign = (uint16_t)((b >> 16) & 0x8000u);
    const uint32_t a = b & UINT32_C(0x7FFFFFFF);
    if (a >= UINT32_C(0x7F800000)) return if_f16_inf_nan(sign, a);
    if (a >= UINT32_C(0x47800000)) /* >= 65536: 65504 above zero, -inf below */
        return (uint16_t)(sign ? 0xFC00u : 0x7BFFu);
    uint32_t r, inexact;
    if (a < UINT32_C(0x33800000)) { /* below 2^-24, the smallest subnormal */
        r = 0u;
        inexact = a != 0u;
    } else if (a < UINT32_C(0x38800000)) { /* subnormal result */
        const uint32_t shift = 126u - (a >> 23); /* 14 .. 23 */
        const uint32_t m = (a & UINT32_C(0x007FFFFF)) | UINT32_C(0x00800000);
        r = m >> shift;
        inexact = (m & ((UINT32_C(1) << shift) - 1u)) != 0u;
    } else {
        r = (a - UINT32_C(0x38000000)) >> 13;
        inexact = (a & UINT32_C(0x1FFF)) != 0u;
    }
    return (uint16_t)(sign | (r + (sign ? inexact : 0u)));
}

IF_INLINE float if_f16_to_f32(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t e = (h >> 10) & 0x1Fu, m = h & 0x03FFu;
    if (e == 0x1Fu) return if_bits_f32(sign | UINT32_C(0x7F800000) | (m << 13));
    if (e == 0) {
        /* zero or subnormal: m * 2^-24, exact in float32 */
        const float v = (float)m * 0x1p-24f;
        return sign ? -v : v;
    }
    return if_bits_f32(sign | ((e + 112u) << 23) | (m << 13));
}

#endif /* INITFILL_HALF_H */

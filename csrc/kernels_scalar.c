/* kernels_scalar.c - the scalar level: per-element arithmetic of every distribution and output type.
 *
 * One Philox block (4 x 32 bits) yields 4 values of a 32-bit output type or 2 of a
 * 64-bit one; element i of a stream comes from block i / 4 (or i / 2).  A fill that
 * starts or ends inside a block computes the whole block and keeps what it needs.
 *
 *   uniform   f32: one word each, (w >> 8) 2^-24, in double, rounded down to
 *             float32 (each float32 cell gets exactly its share) and clamped
 *             f64: two words each, (w64 >> 12) 2^-52, clamped below high
 *   normal    Box-Muller on a pair: radius from the first draw, angle from the
 *             second (quadrant from its top 2 bits, the rest reduced exactly to
 *             (-pi/4, pi/4)); f32 in float32 arithmetic, f64 in float64
 *   trunc     inverse CDF of a uniform in (Phi(a), Phi(b)): float64 outputs in
 *             float64 (AS241); float32 and half outputs by a float32 polynomial
 *             where 4p(1-p) >= 3/64 and AS241 in float64 elsewhere,
 *             increasing in the element's uniform on every path,
 *             an asymptotic tail inversion beyond 30 sigma, uniform for intervals
 *             over which the density is flat to 1e-9; then rounded and clamped
 *             into [a, b] in the output type
 *   bits      the words themselves; u64 = w0 | w1 << 32, w2 | w3 << 32
 *   f16/bf16  the float32 block of the same distribution, with the clamp limits of
 *             the half type (set by plan.c), rounded to nearest even per block
 *             (uniform: rounded down, as its float32 values are)
 *             (half.h); clamping before rounding equals clamping after it, since
 *             rounding is monotonic and the limits are half values
 */
#include <string.h>

#include "kernels.h"
#include "fmath.h"
#include "half.h"
#include "philox.h"
#include "uniform_bits.h"

/* ------------------------------------------------------------------ uniform */

IF_INLINE float clampf(float x, float lo, float hi) {
    x = x < lo ? lo : x;
    return x > hi ? hi : x;
}
IF_INLINE double clampd(double x, double lo, double hi) {
    x = x < lo ? lo : x;
    return x > hi ? hi : x;
}

IF_INLINE void blk_uniform_f32(const initfill_plan *p, const uint32_t w[4], float *o) {
    for (int k = 0; k < 4; ++k) {
        const double y = p->lo + p->span * if_u01_co_24(w[k]);
        o[k] = clampf(if_f32_floor(y), p->clo_f, p->chi_f);
    }
}

IF_INLINE void blk_uniform_f64(const initfill_plan *p, const uint32_t w[4], double *o) {
    for (int k = 0; k < 2; ++k) {
        const double y = p->lo + p->span * if_u01_co_52(if_join64(w[2 * k], w[2 * k + 1]));
        o[k] = clampd(y, p->clo, p->chi);
    }
}

/* ------------------------------------------------------------------- normal */

IF_INLINE void box_muller_f32(uint32_t wr, uint32_t wa, float *z0, float *z1) {
    const float r = __builtin_sqrtf(-2.0f * if_logf(if_u01_oc_f32(wr)));
    const int32_t m = (int32_t)((wa >> 6) & UINT32_C(0xFFFFFF));
    const float phi = (float)(2 * m - 0xFFFFFF) * (float)(1.5707963267948966 * 0x1p-25);
    float s, c;
    if_sincosf(phi, &s, &c);
    switch (wa >> 30) {
    case 0: *z0 = r * c; *z1 = r * s; break;
    case 1: *z0 = r * -s; *z1 = r * c; break;
    case 2: *z0 = r * -c; *z1 = r * -s; break;
    default: *z0 = r * s; *z1 = r * -c; break;
    }
}

IF_INLINE void box_muller_f64(uint64_t wr, uint64_t wa, double *z0, double *z1) {
    const double r = __builtin_sqrt(-2.0 * if_log(if_u01_oc_53(wr)));
    const int64_t m = (int64_t)((wa >> 10) & UINT64_C(0xFFFFFFFFFFFFF));
    const double phi = (double)(2 * m - INT64_C(0xFFFFFFFFFFFFF)) *
                       (1.5707963267948966 * 0x1p-53);
    double s, c;
    if_sincos(phi, &s, &c);
    switch (wa >> 62) {
    case 0: *z0 = r * c; *z1 = r * s; break;
    case 1: *z0 = r * -s; *z1 = r * c; break;
    case 2: *z0 = r * -c; *z1 = r * -s; break;
    default: *z0 = r * s; *z1 = r * -c; break;
    }
}

IF_INLINE void blk_normal_f32(const initfill_plan *p, const uint32_t w[4], float *o) {
    float z[4];
    box_muller_f32(w[0], w[1], &z[0], &z[1]);
    box_muller_f32(w[2], w[3], &z[2], &z[3]);
    for (int k = 0; k < 4; ++k) o[k] = p->mean_f + p->std_f * z[k];
}

IF_INLINE void blk_normal_f64(const initfill_plan *p, const uint32_t w[4], double *o) {
    double z[2];
    box_muller_f64(if_join64(w[0], w[1]), if_join64(w[2], w[3]), &z[0], &z[1]);
    for (int k = 0; k < 2; ++k) o[k] = p->mean + p->std * z[k];
}

/* --------------------------------------------------------- truncated normal */

/* x >= t with P(X > x | X > t) = v for X ~ N(0,1), t >= 30: solve
 *   y = -log v - log(x / t) + log h(x) - log h(t),  x = sqrt(t^2 + 2y)
 * (Q(x) = phi(x) h(x) / x); the map contracts by ~1/x^2 <= 1/900 per step. */
static double tn_far_tail(const initfill_plan *p, double u) {
    const double t = p->t;
    const double y0 = -if_log(1.0 - u * p->one_minus_r);
    double y = y0;
    for (int i = 0; i < 6; ++i) {
        const double x = t * __builtin_sqrt(1.0 + (2.0 * y / t) / t);
        y = y0 - if_log(x / t) + (if_log_mills_h(x) - p->lnht);
    }
    return t * __builtin_sqrt(1.0 + (2.0 * y / t) / t);
}

/* The unclamped float64 value for a uniform u in (0, 1): increasing in u on every
 * path, i.e. an approximation of mean + std Phi^-1(Phi(alpha) + u Z).  On a mirrored
 * interval (sign < 0) the lower-tail computation runs on 1 - u, exact in float64 for
 * every u lattice used here. */
/* y = y0 + w y1 = 2 (pa + v z) - 1 for the word w of the uniform u = (w + 1/2) 2^-32
 * (v = u, or 1 - u on a mirrored interval), with the rounding of one line in w. */
IF_INLINE void tn_f32_line(const initfill_plan *p, double *y0, double *y1) {
    const double z2 = 2.0 * p->z, y00 = 2.0 * p->pa - 1.0;
    if (p->sign > 0.0) {
        *y0 = y00 + 0x1p-33 * z2;
        *y1 = 0x1p-32 * z2;
    } else {
        *y0 = (y00 + z2) - 0x1p-33 * z2;
        *y1 = -0x1p-32 * z2;
    }
}

IF_INLINE double tn_value(const initfill_plan *p, double u, uint32_t w) {
    double z;
    if (IF_LIKELY(p->mode == IF_TN_INVERSE_CDF_F32)) {
        /* y = 2 pr - 1 (a line in the word w) and 4 pr (1 - pr) = 1 - y^2 for
         * pr = pa + v z, in float64; central values from H in float32 (its error
         * dominates: <= 2.6 float32 ulp of the value), the others exactly as
         * IF_TN_INVERSE_CDF.  (sign std) zz = std (sign zz), exactly. */
        double y0, y1;
        tn_f32_line(p, &y0, &y1);
        const double y = y0 + (double)w * y1;
        const double d4 = 1.0 - y * y;
        if (d4 >= IF_TN_F32_CENTRAL)
            return p->mean + (p->sign * p->std) * (y * (double)if_tn_h_f32((float)d4));
        const double v = p->sign > 0.0 ? u : 1.0 - u;
        const double pr = p->pa + v * p->z;
        z = pr <= 0.5 ? if_ppnd(pr) : -if_ppnd(p->qb + (1.0 - v) * p->z);
    } else if (p->mode == IF_TN_INVERSE_CDF) {
        const double v = p->sign > 0.0 ? u : 1.0 - u;
        const double pr = p->pa + v * p->z;
        z = pr <= 0.5 ? if_ppnd(pr) : -if_ppnd(p->qb + (1.0 - v) * p->z);
    } else if (p->mode == IF_TN_FAR_TAIL) {
        z = -tn_far_tail(p, p->sign > 0.0 ? 1.0 - u : u);
    } else { /* IF_TN_FLAT */
        return p->lo + p->span * u;
    }
    return p->mean + p->std * (p->sign * z);
}

IF_INLINE void blk_trunc_f32(const initfill_plan *p, const uint32_t w[4], float *o) {
    for (int k = 0; k < 4; ++k)
        o[k] = clampf((float)tn_value(p, if_u01_oo_32(w[k]), w[k]), p->clo_f, p->chi_f);
}

IF_INLINE void blk_trunc_f64(const initfill_plan *p, const uint32_t w[4], double *o) {
    for (int k = 0; k < 2; ++k) {
        const double u = if_u01_oo_52(if_join64(w[2 * k], w[2 * k + 1]));
        o[k] = clampd(tn_value(p, u, 0), p->clo, p->chi);
    }
}

/* --------------------------------------------------------------------- bits */

IF_INLINE void blk_bits_u32(const initfill_plan *p, const uint32_t w[4], uint32_t *o) {
    (void)p;
    for (int k = 0; k < 4; ++k) o[k] = w[k];
}

IF_INLINE void blk_bits_u64(const initfill_plan *p, const uint32_t w[4], uint64_t *o) {
    (void)p;
    o[0] = if_join64(w[0], w[1]);
    o[1] = if_join64(w[2], w[3]);
}

/* ------------------------------------------------------------- half types */

#define IF_DEFINE_HALF_BLK(NAME, F32BLK, CONV)                                    \
    IF_INLINE void NAME(const initfill_plan *p, const uint32_t w[4], uint16_t *o) { \
        float t[4];                                                                 \
        F32BLK(p, w, t);                                                            \
        for (int k = 0; k < 4; ++k) o[k] = CONV(t[k]);                              \
    }

IF_DEFINE_HALF_BLK(blk_uniform_f16, blk_uniform_f32, if_f32_to_f16_down)
IF_DEFINE_HALF_BLK(blk_uniform_bf16, blk_uniform_f32, if_f32_to_bf16_down)
IF_DEFINE_HALF_BLK(blk_normal_f16, blk_normal_f32, if_f32_to_f16)
IF_DEFINE_HALF_BLK(blk_normal_bf16, blk_normal_f32, if_f32_to_bf16)
IF_DEFINE_HALF_BLK(blk_trunc_f16, blk_trunc_f32, if_f32_to_f16)
IF_DEFINE_HALF_BLK(blk_trunc_bf16, blk_trunc_f32, if_f32_to_bf16)

/* ------------------------------------------------------- contiguous drivers */

#define IF_DEFINE_GEN(NAME, T, EPB, BLOCK)                                          \
    static void NAME(const initfill_plan *p, uint64_t seed, uint64_t stream,        \
                     uint64_t first, size_t n, void *out_) {                        \
        T *out = out_;                                                              \
        uint64_t blk = first / (EPB);                                               \
        const size_t skip = (size_t)(first % (EPB));                                \
        uint32_t w[4];                                                              \
        T tmp[EPB];                                                                 \
        if (skip != 0 && n != 0) {                                                  \
            if_philox_block(seed, stream, blk++, w);                                \
            BLOCK(p, w, tmp);                                                       \
            size_t take = (EPB) - skip;                                             \
            if (take > n) take = n;                                                 \
            memcpy(out, tmp + skip, take * sizeof(T));                              \
            out += take;                                                            \
            n -= take;                                                              \
        }                                                                           \
        for (; n >= (EPB); n -= (EPB), out += (EPB)) {                              \
            if_philox_block(seed, stream, blk++, w);                                \
            BLOCK(p, w, out);                                                       \
        }                                                                           \
        if (n != 0) {                                                               \
            if_philox_block(seed, stream, blk, w);                                  \
            BLOCK(p, w, tmp);                                                       \
            memcpy(out, tmp, n * sizeof(T));                                        \
        }                                                                           \
    }

IF_DEFINE_GEN(gen_uniform_f32, float, 4, blk_uniform_f32)
IF_DEFINE_GEN(gen_uniform_f64, double, 2, blk_uniform_f64)
IF_DEFINE_GEN(gen_normal_f32, float, 4, blk_normal_f32)
IF_DEFINE_GEN(gen_normal_f64, double, 2, blk_normal_f64)
IF_DEFINE_GEN(gen_trunc_f32, float, 4, blk_trunc_f32)
IF_DEFINE_GEN(gen_trunc_f64, double, 2, blk_trunc_f64)
IF_DEFINE_GEN(gen_bits_u32, uint32_t, 4, blk_bits_u32)
IF_DEFINE_GEN(gen_bits_u64, uint64_t, 2, blk_bits_u64)
IF_DEFINE_GEN(gen_uniform_f16, uint16_t, 4, blk_uniform_f16)
IF_DEFINE_GEN(gen_uniform_bf16, uint16_t, 4, blk_uniform_bf16)
IF_DEFINE_GEN(gen_normal_f16, uint16_t, 4, blk_normal_f16)
IF_DEFINE_GEN(gen_normal_bf16, uint16_t, 4, blk_normal_bf16)
IF_DEFINE_GEN(gen_trunc_f16, uint16_t, 4, blk_trunc_f16)
IF_DEFINE_GEN(gen_trunc_bf16, uint16_t, 4, blk_trunc_bf16)

/* The fill of each valid (distribution, dtype) pair; plan.c refuses the others. */
static const if_contig_fn scalar_fills[INITFILL_BITS + 1][INITFILL_BFLOAT16 + 1] = {
    [INITFILL_UNIFORM] = {[INITFILL_FLOAT32] = gen_uniform_f32,
                          [INITFILL_FLOAT64] = gen_uniform_f64,
                          [INITFILL_FLOAT16] = gen_uniform_f16,
                          [INITFILL_BFLOAT16] = gen_uniform_bf16},
    [INITFILL_NORMAL] = {[INITFILL_FLOAT32] = gen_normal_f32,
                         [INITFILL_FLOAT64] = gen_normal_f64,
                         [INITFILL_FLOAT16] = gen_normal_f16,
                         [INITFILL_BFLOAT16] = gen_normal_bf16},
    [INITFILL_TRUNC_NORMAL] = {[INITFILL_FLOAT32] = gen_trunc_f32,
                               [INITFILL_FLOAT64] = gen_trunc_f64,
                               [INITFILL_FLOAT16] = gen_trunc_f16,
                               [INITFILL_BFLOAT16] = gen_trunc_bf16},
    [INITFILL_BITS] = {[INITFILL_UINT32] = gen_bits_u32, [INITFILL_UINT64] = gen_bits_u64},
};

void if_gen_contig_scalar(const initfill_plan *p, uint64_t seed, uint64_t stream,
                          uint64_t first, size_t n, void *out) {
    scalar_fills[p->dist][p->dtype](p, seed, stream, first, n, out);
}

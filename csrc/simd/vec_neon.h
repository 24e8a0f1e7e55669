/* simd/vec_neon.h - the vector primitives of simd/fills_template.h on aarch64: Advanced SIMD
 * (NEON, part of every ARMv8-A core), 4 float or 2 double lanes, masks as all-ones
 * lanes.  vi holds 4 32-bit lanes; the 64-bit lane operations reinterpret it.
 *
 * Only kernels_neon.c includes this; it needs no extra flags, but -ffp-contract=off
 * is essential (gcc on aarch64 otherwise fuses multiply-adds).  The conversions that
 * round (FCVTN, UCVTF, SCVTF, FCVTN to half) follow FPCR, whose rounding mode is to
 * nearest even and whose flush-to-zero bits are clear on Linux, exactly as the scalar
 * code assumes.  Rounding toward -infinity has no instruction; its replacements below
 * round to nearest and step back, which gives the same bits. */
#ifndef INITFILL_VEC_NEON_H
#define INITFILL_VEC_NEON_H

#include <arm_neon.h>
#include <stdint.h>
#include "../config.h"

#define IF_NV 4 /* counter vectors per batch: 4 x 2 Philox blocks (32 registers) */

typedef uint32x4_t vi;
typedef float32x4_t vf;
typedef float64x2_t vd;
typedef uint32x4_t mf;
typedef uint64x2_t md;
typedef uint16x4_t vh; /* 4 half-precision values */

#define IF_U64(a) vreinterpretq_u64_u32(a)
#define IF_U32(a) vreinterpretq_u32_u64(a)

/* ----------------------------------------------------------------- integers */
#define vi_srl32(a, n) vshrq_n_u32((a), (n))
#define vi_sll32(a, n) vshlq_n_u32((a), (n))
#define vi_srl64(a, n) IF_U32(vshrq_n_u64(IF_U64(a), (n)))
#define vi_sll64(a, n) IF_U32(vshlq_n_u64(IF_U64(a), (n)))

IF_INLINE vi vi_set1_32(uint32_t x) { return vdupq_n_u32(x); }
IF_INLINE vi vi_set1_64(uint64_t x) { return IF_U32(vdupq_n_u64(x)); }
IF_INLINE vi vi_add32(vi a, vi b) { return vaddq_u32(a, b); }
IF_INLINE vi vi_sub32(vi a, vi b) { return vsubq_u32(a, b); }
IF_INLINE vi vi_add64(vi a, vi b) { return IF_U32(vaddq_u64(IF_U64(a), IF_U64(b))); }
IF_INLINE vi vi_and(vi a, vi b) { return vandq_u32(a, b); }
IF_INLINE vi vi_or(vi a, vi b) { return vorrq_u32(a, b); }
IF_INLINE vi vi_xor(vi a, vi b) { return veorq_u32(a, b); }
IF_INLINE vi vi_xor3(vi a, vi b, vi c) { return veorq_u32(veorq_u32(a, b), c); }
/* Low 32 bits of each 64-bit lane times those of b, full 64-bit products. */
IF_INLINE vi vi_mul32x32(vi a, vi b) {
    return IF_U32(vmull_u32(vmovn_u64(IF_U64(a)), vmovn_u64(IF_U64(b))));
}
IF_INLINE void vi_storeu(void *p, vi a) { vst1q_u32((uint32_t *)p, a); }
IF_INLINE vi vi_iota64(void) { return IF_U32(vcombine_u64(vcreate_u64(0), vcreate_u64(1))); }

/* Lanes whose a & bits is nonzero. */
IF_INLINE mf vi_test32(vi a, vi bits) { return vtstq_u32(a, bits); }
IF_INLINE md vi_test64(vi a, vi bits) { return vtstq_u64(IF_U64(a), IF_U64(bits)); }
IF_INLINE mf vi_eq32(vi a, vi b) { return vceqq_u32(a, b); }
/* signed a > b */
IF_INLINE mf vi_gt32(vi a, vi b) {
    return vcgtq_s32(vreinterpretq_s32_u32(a), vreinterpretq_s32_u32(b));
}
IF_INLINE vi vi_sel32(mf m, vi a, vi b) { return vbslq_u32(m, a, b); }
IF_INLINE mf mf_and(mf a, mf b) { return vandq_u32(a, b); }
/* e + 1 in the lanes of m (all-ones lanes are -1). */
IF_INLINE vi vi_inc_where(vi e, mf m) { return vsubq_u32(e, m); }

/* Philox output of 2 blocks (word k of block j in the low half of 64-bit lane j of
 * xk) to the 8 words in stream order: block 0 words 0..3, then block 1. */
IF_INLINE void vi_words(vi x0, vi x1, vi x2, vi x3, vi *o0, vi *o1) {
    const vi y01 = vuzp1q_u32(x0, x1); /* w0b0 w0b1 w1b0 w1b1 */
    const vi y23 = vuzp1q_u32(x2, x3); /* w2b0 w2b1 w3b0 w3b1 */
    *o0 = vuzp1q_u32(y01, y23);
    *o1 = vuzp2q_u32(y01, y23);
}

/* Even / odd 32-bit (64-bit) lanes of the concatenation a:b, in order. */
IF_INLINE vi vi_even32(vi a, vi b) { return vuzp1q_u32(a, b); }
IF_INLINE vi vi_odd32(vi a, vi b) { return vuzp2q_u32(a, b); }
IF_INLINE vi vi_even64(vi a, vi b) { return IF_U32(vuzp1q_u64(IF_U64(a), IF_U64(b))); }
IF_INLINE vi vi_odd64(vi a, vi b) { return IF_U32(vuzp2q_u64(IF_U64(a), IF_U64(b))); }

/* ------------------------------------------------------------------- float32 */
IF_INLINE vf vf_set1(float x) { return vdupq_n_f32(x); }
IF_INLINE vf vf_add(vf a, vf b) { return vaddq_f32(a, b); }
IF_INLINE vf vf_sub(vf a, vf b) { return vsubq_f32(a, b); }
IF_INLINE vf vf_mul(vf a, vf b) { return vmulq_f32(a, b); }
/* a * b + c rounded once: fmaf's value */
IF_INLINE vf vf_fma(vf a, vf b, vf c) { return vfmaq_f32(c, a, b); }
IF_INLINE vf vf_div(vf a, vf b) { return vdivq_f32(a, b); }
IF_INLINE vf vf_sqrt(vf a) { return vsqrtq_f32(a); }
IF_INLINE vf vf_from_i32(vi a) { return vcvtq_f32_s32(vreinterpretq_s32_u32(a)); }
IF_INLINE vi vf_bits(vf a) { return vreinterpretq_u32_f32(a); }
IF_INLINE vf vf_of_bits(vi a) { return vreinterpretq_f32_u32(a); }
/* ordered compares: false where either is NaN */
IF_INLINE mf vf_lt(vf a, vf b) { return vcltq_f32(a, b); }
IF_INLINE mf vf_gt(vf a, vf b) { return vcgtq_f32(a, b); }
/* m ? a : b per lane */
IF_INLINE vf vf_sel(mf m, vf a, vf b) { return vbslq_f32(m, a, b); }
IF_INLINE void vf_storeu(float *p, vf a) { vst1q_f32(p, a); }
/* Interleave a and b: a0 b0 a1 b1 ... (lo: the first half of the lanes). */
IF_INLINE vf vf_zip_lo(vf a, vf b) { return vzip1q_f32(a, b); }
IF_INLINE vf vf_zip_hi(vf a, vf b) { return vzip2q_f32(a, b); }

/* ------------------------------------------------------------------- float64 */
IF_INLINE vd vd_set1(double x) { return vdupq_n_f64(x); }
IF_INLINE vd vd_add(vd a, vd b) { return vaddq_f64(a, b); }
IF_INLINE vd vd_sub(vd a, vd b) { return vsubq_f64(a, b); }
IF_INLINE vd vd_mul(vd a, vd b) { return vmulq_f64(a, b); }
IF_INLINE vd vd_div(vd a, vd b) { return vdivq_f64(a, b); }
IF_INLINE vd vd_sqrt(vd a) { return vsqrtq_f64(a); }
IF_INLINE vi vd_bits(vd a) { return vreinterpretq_u32_f64(a); }
IF_INLINE vd vd_of_bits(vi a) { return vreinterpretq_f64_u32(a); }
IF_INLINE md vd_lt(vd a, vd b) { return vcltq_f64(a, b); }
IF_INLINE md vd_le(vd a, vd b) { return vcleq_f64(a, b); }
IF_INLINE md vd_gt(vd a, vd b) { return vcgtq_f64(a, b); }
IF_INLINE md vd_ge(vd a, vd b) { return vcgeq_f64(a, b); }
IF_INLINE vd vd_sel(md m, vd a, vd b) { return vbslq_f64(m, a, b); }
/* the sign bit flipped, as the scalar -x (a bit operation, NaN included) */
IF_INLINE vd vd_neg(vd a) {
    return vreinterpretq_f64_u64(veorq_u64(vreinterpretq_u64_f64(a),
                                           vdupq_n_u64(UINT64_C(0x8000000000000000))));
}
IF_INLINE md md_and(md a, md b) { return vandq_u64(a, b); }
IF_INLINE int md_any(md m) { return vmaxvq_u32(IF_U32(m)) != 0; }
IF_INLINE int md_all(md m) { return vminvq_u32(IF_U32(m)) == UINT32_C(0xFFFFFFFF); }
IF_INLINE void vd_storeu(double *p, vd a) { vst1q_f64(p, a); }
IF_INLINE vd vd_zip_lo(vd a, vd b) { return vzip1q_f64(a, b); }
IF_INLINE vd vd_zip_hi(vd a, vd b) { return vzip2q_f64(a, b); }

/* Exact conversions: UCVTF of a 64-bit lane below 2^53 is exact (and rounds to
 * nearest even above, as the scalar (double) cast does); 32-bit lanes widen first. */
IF_INLINE vd vd_from_u52(vi a) { return vcvtq_f64_u64(IF_U64(a)); }
IF_INLINE vd vd_from_u53(vi a) { return vcvtq_f64_u64(IF_U64(a)); }
IF_INLINE vd vd_from_u32_lo(vi a) { return vcvtq_f64_u64(vmovl_u32(vget_low_u32(a))); }
IF_INLINE vd vd_from_u32_hi(vi a) { return vcvtq_f64_u64(vmovl_high_u32(a)); }

/* float32 of the lanes of lo then hi, to nearest even (FCVTN, FPCR rounding). */
IF_INLINE vf vf_from_vd2(vd lo, vd hi) { return vcvt_high_f32_f64(vcvt_f32_f64(lo), hi); }
/* float64 of the low and the high half of the lanes (exact) */
IF_INLINE vd vd_from_vf_lo(vf a) { return vcvt_f64_f32(vget_low_f32(a)); }
IF_INLINE vd vd_from_vf_hi(vf a) { return vcvt_high_f64_f32(a); }
/* The largest float32 <= each lane (if_f32_floor): round to nearest, then step one
 * float32 toward -infinity where that went above (the widening back is exact); -0
 * steps to -2^-149. */
IF_INLINE vf vf_from_vd2_down(vd lo, vd hi) {
    const float32x2_t fl = vcvt_f32_f64(lo), fh = vcvt_f32_f64(hi);
    const mf above = vcombine_u32(vmovn_u64(vcgtq_f64(vcvt_f64_f32(fl), lo)),
                                  vmovn_u64(vcgtq_f64(vcvt_f64_f32(fh), hi)));
    const vi b = vreinterpretq_u32_f32(vcombine_f32(fl, fh));
    /* -1 (magnitude down) above zero, +1 (magnitude up) below zero and for -0 */
    const vi s = vreinterpretq_u32_s32(vshrq_n_s32(vreinterpretq_s32_u32(b), 31));
    const vi step = vsubq_u32(vdupq_n_u32(UINT32_C(0xFFFFFFFF)), vaddq_u32(s, s));
    return vreinterpretq_f32_u32(vbslq_u32(above, vaddq_u32(b, step), b));
}

/* -------------------------------------------------------------------- halves */
IF_INLINE void vh_storeu(uint16_t *p, vh a) { vst1_u16(p, a); }
/* IEEE binary16 to nearest even, subnormals included (FCVTN: FPCR rounding, FZ and
 * AHP clear); NaN quieted with its sign and top payload bits, as if_f16_inf_nan. */
IF_INLINE vh vf_to_f16(vf a) { return vreinterpret_u16_f16(vcvt_f16_f32(a)); }
/* The largest half <= each lane (if_f32_to_f16_down): round to nearest, then step
 * one half toward -infinity where the (exact) widening back is above the input.
 * This covers the ends: +inf from [65520, 65536) steps to 65504, -65504 - e steps
 * to -inf, and -0 from a small negative value steps to -2^-24.  NaN compares false
 * and keeps the nearest conversion's NaN, as the scalar code does. */
IF_INLINE vh vf_to_f16_down(vf a) {
    const float16x4_t h = vcvt_f16_f32(a);
    const uint16x4_t above = vmovn_u32(vcgtq_f32(vcvt_f32_f16(h), a));
    const uint16x4_t b = vreinterpret_u16_f16(h);
    const uint16x4_t s = vreinterpret_u16_s16(vshr_n_s16(vreinterpret_s16_u16(b), 15));
    const uint16x4_t step = vsub_u16(vdup_n_u16(0xFFFFu), vadd_u16(s, s));
    return vbsl_u16(above, vadd_u16(b, step), b);
}
/* 32-bit lanes holding 16-bit values to the packed 4 values. */
IF_INLINE vh vi_narrow16(vi a) { return vmovn_u32(a); }

#endif /* INITFILL_VEC_NEON_H */

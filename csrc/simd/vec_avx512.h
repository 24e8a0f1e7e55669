/* simd/vec_avx512.h - the vector primitives of simd/fills_template.h on x86-64-v4:
 * AVX-512 F/BW/DQ/VL, 16 float or 8 double lanes, masks in k registers.
 *
 * Only kernels_avx512.c includes this, compiled with the AVX-512 flags of setup.py.
 * Every primitive is an exact IEEE operation or a pure bit manipulation; none
 * rounds differently from its scalar counterpart in kernels_scalar.c. */
#ifndef INITFILL_VEC_AVX512_H
#define INITFILL_VEC_AVX512_H

#include <immintrin.h>
#include <stdint.h>
#include "../config.h"

#define IF_NV 4 /* counter vectors per batch: 4 x 8 Philox blocks */

typedef __m512i vi;
typedef __m512 vf;
typedef __m512d vd;
typedef __mmask16 mf;
typedef __mmask8 md;
typedef __m256i vh; /* 16 half-precision values */

/* ----------------------------------------------------------------- integers */
#define vi_srl32(a, n) _mm512_srli_epi32((a), (n))
#define vi_sll32(a, n) _mm512_slli_epi32((a), (n))
#define vi_srl64(a, n) _mm512_srli_epi64((a), (n))
#define vi_sll64(a, n) _mm512_slli_epi64((a), (n))

IF_INLINE vi vi_set1_32(uint32_t x) { return _mm512_set1_epi32((int)x); }
IF_INLINE vi vi_set1_64(uint64_t x) { return _mm512_set1_epi64((long long)x); }
IF_INLINE vi vi_add32(vi a, vi b) { return _mm512_add_epi32(a, b); }
IF_INLINE vi vi_sub32(vi a, vi b) { return _mm512_sub_epi32(a, b); }
IF_INLINE vi vi_add64(vi a, vi b) { return _mm512_add_epi64(a, b); }
IF_INLINE vi vi_and(vi a, vi b) { return _mm512_and_si512(a, b); }
IF_INLINE vi vi_or(vi a, vi b) { return _mm512_or_si512(a, b); }
IF_INLINE vi vi_xor(vi a, vi b) { return _mm512_xor_si512(a, b); }
IF_INLINE vi vi_xor3(vi a, vi b, vi c) { return _mm512_ternarylogic_epi64(a, b, c, 0x96); }
/* Low 32 bits of each 64-bit lane times those of b, full 64-bit products. */
IF_INLINE vi vi_mul32x32(vi a, vi b) { return _mm512_mul_epu32(a, b); }
IF_INLINE void vi_storeu(void *p, vi a) { _mm512_storeu_si512(p, a); }
IF_INLINE vi vi_iota64(void) { return _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0); }

/* Lanes whose a & bits is nonzero. */
IF_INLINE mf vi_test32(vi a, vi bits) { return _mm512_test_epi32_mask(a, bits); }
IF_INLINE md vi_test64(vi a, vi bits) { return _mm512_test_epi64_mask(a, bits); }
IF_INLINE mf vi_eq32(vi a, vi b) { return _mm512_cmpeq_epi32_mask(a, b); }
/* signed a > b */
IF_INLINE mf vi_gt32(vi a, vi b) { return _mm512_cmpgt_epi32_mask(a, b); }
IF_INLINE vi vi_sel32(mf m, vi a, vi b) { return _mm512_mask_blend_epi32(m, b, a); }
IF_INLINE mf mf_and(mf a, mf b) { return (mf)(a & b); }
/* e + 1 in the lanes of m. */
IF_INLINE vi vi_inc_where(vi e, mf m) { return _mm512_mask_add_epi32(e, m, e, vi_set1_32(1)); }

/* Philox output of 8 blocks (word k of block j in the low half of lane j of xk)
 * to the 32 words in stream order: block 0 words 0..3, block 1 words 0..3, ... */
IF_INLINE void vi_words(vi x0, vi x1, vi x2, vi x3, vi *o0, vi *o1) {
    const vi y01 = _mm512_mask_blend_epi32(0xAAAA, x0, vi_sll64(x1, 32));
    const vi y23 = _mm512_mask_blend_epi32(0xAAAA, x2, vi_sll64(x3, 32));
    const vi a = _mm512_unpacklo_epi64(y01, y23); /* blocks 0 2 4 6 */
    const vi b = _mm512_unpackhi_epi64(y01, y23); /* blocks 1 3 5 7 */
    *o0 = _mm512_permutex2var_epi64(a, _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0), b);
    *o1 = _mm512_permutex2var_epi64(a, _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4), b);
}

/* Even / odd 32-bit (64-bit) lanes of the concatenation a:b, in order. */
IF_INLINE vi vi_even32(vi a, vi b) {
    return _mm512_permutex2var_epi32(
        a, _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0), b);
}
IF_INLINE vi vi_odd32(vi a, vi b) {
    return _mm512_permutex2var_epi32(
        a, _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1), b);
}
IF_INLINE vi vi_even64(vi a, vi b) {
    return _mm512_permutex2var_epi64(a, _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0), b);
}
IF_INLINE vi vi_odd64(vi a, vi b) {
    return _mm512_permutex2var_epi64(a, _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1), b);
}

/* ------------------------------------------------------------------- float32 */
IF_INLINE vf vf_set1(float x) { return _mm512_set1_ps(x); }
IF_INLINE vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
IF_INLINE vf vf_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
IF_INLINE vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
/* a * b + c rounded once: fmaf's value */
IF_INLINE vf vf_fma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
IF_INLINE vf vf_div(vf a, vf b) { return _mm512_div_ps(a, b); }
IF_INLINE vf vf_sqrt(vf a) { return _mm512_sqrt_ps(a); }
IF_INLINE vf vf_from_i32(vi a) { return _mm512_cvtepi32_ps(a); }
IF_INLINE vi vf_bits(vf a) { return _mm512_castps_si512(a); }
IF_INLINE vf vf_of_bits(vi a) { return _mm512_castsi512_ps(a); }
IF_INLINE mf vf_lt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
IF_INLINE mf vf_gt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
/* m ? a : b per lane */
IF_INLINE vf vf_sel(mf m, vf a, vf b) { return _mm512_mask_blend_ps(m, b, a); }
IF_INLINE void vf_storeu(float *p, vf a) { _mm512_storeu_ps(p, a); }
/* Interleave a and b: a0 b0 a1 b1 ... (lo: the first half of the lanes). */
IF_INLINE vf vf_zip_lo(vf a, vf b) {
    return _mm512_permutex2var_ps(
        a, _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0), b);
}
IF_INLINE vf vf_zip_hi(vf a, vf b) {
    return _mm512_permutex2var_ps(
        a, _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8), b);
}

/* ------------------------------------------------------------------- float64 */
IF_INLINE vd vd_set1(double x) { return _mm512_set1_pd(x); }
IF_INLINE vd vd_add(vd a, vd b) { return _mm512_add_pd(a, b); }
IF_INLINE vd vd_sub(vd a, vd b) { return _mm512_sub_pd(a, b); }
IF_INLINE vd vd_mul(vd a, vd b) { return _mm512_mul_pd(a, b); }
IF_INLINE vd vd_div(vd a, vd b) { return _mm512_div_pd(a, b); }
IF_INLINE vd vd_sqrt(vd a) { return _mm512_sqrt_pd(a); }
IF_INLINE vi vd_bits(vd a) { return _mm512_castpd_si512(a); }
IF_INLINE vd vd_of_bits(vi a) { return _mm512_castsi512_pd(a); }
IF_INLINE md vd_lt(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
IF_INLINE md vd_le(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_LE_OQ); }
IF_INLINE md vd_gt(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ); }
IF_INLINE vd vd_sel(md m, vd a, vd b) { return _mm512_mask_blend_pd(m, b, a); }
IF_INLINE md vd_ge(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_GE_OQ); }
IF_INLINE vd vd_neg(vd a) { return _mm512_xor_pd(a, _mm512_set1_pd(-0.0)); }
IF_INLINE md md_and(md a, md b) { return (md)(a & b); }
IF_INLINE int md_any(md m) { return m != 0; }
IF_INLINE int md_all(md m) { return m == 0xFF; }
IF_INLINE void vd_storeu(double *p, vd a) { _mm512_storeu_pd(p, a); }
IF_INLINE vd vd_zip_lo(vd a, vd b) {
    return _mm512_permutex2var_pd(a, _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0), b);
}
IF_INLINE vd vd_zip_hi(vd a, vd b) {
    return _mm512_permutex2var_pd(a, _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4), b);
}

/* Lane compaction: the lanes of m packed to the front / spread back out. */
#define IF_HAVE_COMPRESS 1
IF_INLINE vd vd_loadu(const double *p) { return _mm512_loadu_pd(p); }
IF_INLINE vd vd_compress(md m, vd a) { return _mm512_maskz_compress_pd(m, a); }
/* the first lanes of a into the lanes of m, src elsewhere */
IF_INLINE vd vd_expand_into(vd src, md m, vd a) { return _mm512_mask_expand_pd(src, m, a); }
IF_INLINE md md_not(md m) { return (md)~m; }
IF_INLINE int md_count(md m) { return __builtin_popcount((unsigned)m); }

/* Exact conversions: 64-bit lanes below 2^53; the low / high 8 32-bit lanes. */
IF_INLINE vd vd_from_u52(vi a) { return _mm512_cvtepu64_pd(a); }
IF_INLINE vd vd_from_u53(vi a) { return _mm512_cvtepu64_pd(a); }
IF_INLINE vd vd_from_u32_lo(vi a) { return _mm512_cvtepu32_pd(_mm512_castsi512_si256(a)); }
IF_INLINE vd vd_from_u32_hi(vi a) { return _mm512_cvtepu32_pd(_mm512_extracti64x4_epi64(a, 1)); }

/* float32 of the lanes of lo then hi: to nearest even / toward -infinity. */
IF_INLINE vf vf_from_vd2(vd lo, vd hi) {
    return _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)),
                              _mm512_cvtpd_ps(hi), 1);
}
/* float64 of the low and the high half of the lanes (exact) */
IF_INLINE vd vd_from_vf_lo(vf a) { return _mm512_cvtps_pd(_mm512_castps512_ps256(a)); }
IF_INLINE vd vd_from_vf_hi(vf a) { return _mm512_cvtps_pd(_mm512_extractf32x8_ps(a, 1)); }
IF_INLINE vf vf_from_vd2_down(vd lo, vd hi) {
    const int rd = _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC;
    return _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvt_roundpd_ps(lo, rd)),
                              _mm512_cvt_roundpd_ps(hi, rd), 1);
}

/* -------------------------------------------------------------------- halves */
IF_INLINE void vh_storeu(uint16_t *p, vh a) { _mm256_storeu_si256((__m256i *)p, a); }
IF_INLINE vh vf_to_f16(vf a) { return _mm512_cvtps_ph(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
IF_INLINE vh vf_to_f16_down(vf a) { return _mm512_cvtps_ph(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
/* 32-bit lanes holding 16-bit values to the packed 16 values. */
IF_INLINE vh vi_narrow16(vi a) { return _mm512_cvtepi32_epi16(a); }
#if defined(__AVX512BF16__)
#define IF_HAVE_BF16_INSN 1
IF_INLINE vh vf_to_bf16_insn(vf a) { return (vh)_mm512_cvtneps_pbh(a); }
#endif

/* Non-temporal stores (64-byte aligned p; 32 for vh) and the fence after them. */
#define IF_HAVE_STREAM 1
IF_INLINE void vf_stream(float *p, vf a) { _mm512_stream_ps(p, a); }
IF_INLINE void vd_stream(double *p, vd a) { _mm512_stream_pd(p, a); }
IF_INLINE void vi_stream(void *p, vi a) { _mm512_stream_si512(p, a); }
IF_INLINE void vh_stream(uint16_t *p, vh a) { _mm256_stream_si256((__m256i *)p, a); }
IF_INLINE void vsfence(void) { _mm_sfence(); }

#endif /* INITFILL_VEC_AVX512_H */

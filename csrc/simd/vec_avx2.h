/* simd/vec_avx2.h - the vector primitives of simd/fills_template.h on x86-64-v3:
 * AVX2 + F16C, 8 float or 4 double lanes, masks as all-ones lanes.
 *
 * Only kernels_avx2.c includes this, compiled with the x86-64-v3 flags of setup.py
 * (FMA enabled but never used: -ffp-contract=off).  AVX2 lacks some AVX-512
 * conversions; their replacements below are exact, so they give the same bits. */
#ifndef INITFILL_VEC_AVX2_H
#define INITFILL_VEC_AVX2_H

#include <immintrin.h>
#include <stdint.h>
#include "../config.h"

#define IF_NV 2 /* counter vectors per batch: 2 x 4 Philox blocks */
#define IF_VFILL_NOINLINE 1 /* see IF_VFILL in fills_template.h */

typedef __m256i vi;
typedef __m256 vf;
typedef __m256d vd;
typedef __m256 mf;
typedef __m256d md;
typedef __m128i vh; /* 8 half-precision values */

/* ----------------------------------------------------------------- integers */
#define vi_srl32(a, n) _mm256_srli_epi32((a), (n))
#define vi_sll32(a, n) _mm256_slli_epi32((a), (n))
#define vi_srl64(a, n) _mm256_srli_epi64((a), (n))
#define vi_sll64(a, n) _mm256_slli_epi64((a), (n))

IF_INLINE vi vi_set1_32(uint32_t x) { return _mm256_set1_epi32((int)x); }
IF_INLINE vi vi_set1_64(uint64_t x) { return _mm256_set1_epi64x((long long)x); }
IF_INLINE vi vi_add32(vi a, vi b) { return _mm256_add_epi32(a, b); }
IF_INLINE vi vi_sub32(vi a, vi b) { return _mm256_sub_epi32(a, b); }
IF_INLINE vi vi_add64(vi a, vi b) { return _mm256_add_epi64(a, b); }
IF_INLINE vi vi_and(vi a, vi b) { return _mm256_and_si256(a, b); }
IF_INLINE vi vi_or(vi a, vi b) { return _mm256_or_si256(a, b); }
IF_INLINE vi vi_xor(vi a, vi b) { return _mm256_xor_si256(a, b); }
IF_INLINE vi vi_xor3(vi a, vi b, vi c) { return vi_xor(vi_xor(a, b), c); }
IF_INLINE vi vi_mul32x32(vi a, vi b) { return _mm256_mul_epu32(a, b); }
IF_INLINE void vi_storeu(void *p, vi a) { _mm256_storeu_si256((__m256i *)p, a); }
IF_INLINE vi vi_iota64(void) { return _mm256_set_epi64x(3, 2, 1, 0); }

IF_INLINE mf vi_eq32(vi a, vi b) { return _mm256_castsi256_ps(_mm256_cmpeq_epi32(a, b)); }
IF_INLINE mf vi_gt32(vi a, vi b) { return _mm256_castsi256_ps(_mm256_cmpgt_epi32(a, b)); }
IF_INLINE vi vi_sel32(mf m, vi a, vi b) {
    return _mm256_blendv_epi8(b, a, _mm256_castps_si256(m));
}
IF_INLINE mf mf_and(mf a, mf b) { return _mm256_and_ps(a, b); }
IF_INLINE mf vi_test32(vi a, vi bits) {
    return _mm256_xor_ps(vi_eq32(vi_and(a, bits), _mm256_setzero_si256()),
                         _mm256_castsi256_ps(_mm256_set1_epi32(-1)));
}
IF_INLINE md vi_test64(vi a, vi bits) {
    return _mm256_xor_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(vi_and(a, bits),
                                                                _mm256_setzero_si256())),
                         _mm256_castsi256_pd(_mm256_set1_epi32(-1)));
}
/* e + 1 in the lanes of m (all-ones lanes are -1). */
IF_INLINE vi vi_inc_where(vi e, mf m) { return _mm256_sub_epi32(e, _mm256_castps_si256(m)); }

/* Philox output of 4 blocks (word k of block j in the low half of lane j of xk)
 * to the 16 words in stream order. */
IF_INLINE void vi_words(vi x0, vi x1, vi x2, vi x3, vi *o0, vi *o1) {
    const vi y01 = _mm256_blend_epi32(x0, vi_sll64(x1, 32), 0xAA);
    const vi y23 = _mm256_blend_epi32(x2, vi_sll64(x3, 32), 0xAA);
    const vi a = _mm256_unpacklo_epi64(y01, y23); /* blocks 0 2 */
    const vi b = _mm256_unpackhi_epi64(y01, y23); /* blocks 1 3 */
    *o0 = _mm256_permute2x128_si256(a, b, 0x20);
    *o1 = _mm256_permute2x128_si256(a, b, 0x31);
}

/* Even / odd 32-bit (64-bit) lanes of the concatenation a:b, in order. */
IF_INLINE vi vi_even32(vi a, vi b) {
    const __m256 t = _mm256_shuffle_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b),
                                       _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_permute4x64_epi64(_mm256_castps_si256(t), _MM_SHUFFLE(3, 1, 2, 0));
}
IF_INLINE vi vi_odd32(vi a, vi b) {
    const __m256 t = _mm256_shuffle_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b),
                                       _MM_SHUFFLE(3, 1, 3, 1));
    return _mm256_permute4x64_epi64(_mm256_castps_si256(t), _MM_SHUFFLE(3, 1, 2, 0));
}
IF_INLINE vi vi_even64(vi a, vi b) {
    return _mm256_permute4x64_epi64(_mm256_unpacklo_epi64(a, b), _MM_SHUFFLE(3, 1, 2, 0));
}
IF_INLINE vi vi_odd64(vi a, vi b) {
    return _mm256_permute4x64_epi64(_mm256_unpackhi_epi64(a, b), _MM_SHUFFLE(3, 1, 2, 0));
}

/* ------------------------------------------------------------------- float32 */
IF_INLINE vf vf_set1(float x) { return _mm256_set1_ps(x); }
IF_INLINE vf vf_add(vf a, vf b) { return _mm256_add_ps(a, b); }
IF_INLINE vf vf_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
IF_INLINE vf vf_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
/* a * b + c rounded once: fmaf's value */
IF_INLINE vf vf_fma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
IF_INLINE vf vf_div(vf a, vf b) { return _mm256_div_ps(a, b); }
IF_INLINE vf vf_sqrt(vf a) { return _mm256_sqrt_ps(a); }
IF_INLINE vf vf_from_i32(vi a) { return _mm256_cvtepi32_ps(a); }
IF_INLINE vi vf_bits(vf a) { return _mm256_castps_si256(a); }
IF_INLINE vf vf_of_bits(vi a) { return _mm256_castsi256_ps(a); }
IF_INLINE mf vf_lt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
IF_INLINE mf vf_gt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
IF_INLINE vf vf_sel(mf m, vf a, vf b) { return _mm256_blendv_ps(b, a, m); }
IF_INLINE void vf_storeu(float *p, vf a) { _mm256_storeu_ps(p, a); }
IF_INLINE vf vf_zip_lo(vf a, vf b) {
    return _mm256_permute2f128_ps(_mm256_unpacklo_ps(a, b), _mm256_unpackhi_ps(a, b), 0x20);
}
IF_INLINE vf vf_zip_hi(vf a, vf b) {
    return _mm256_permute2f128_ps(_mm256_unpacklo_ps(a, b), _mm256_unpackhi_ps(a, b), 0x31);
}

/* ------------------------------------------------------------------- float64 */
IF_INLINE vd vd_set1(double x) { return _mm256_set1_pd(x); }
IF_INLINE vd vd_add(vd a, vd b) { return _mm256_add_pd(a, b); }
IF_INLINE vd vd_sub(vd a, vd b) { return _mm256_sub_pd(a, b); }
IF_INLINE vd vd_mul(vd a, vd b) { return _mm256_mul_pd(a, b); }
IF_INLINE vd vd_div(vd a, vd b) { return _mm256_div_pd(a, b); }
IF_INLINE vd vd_sqrt(vd a) { return _mm256_sqrt_pd(a); }
IF_INLINE vi vd_bits(vd a) { return _mm256_castpd_si256(a); }
IF_INLINE vd vd_of_bits(vi a) { return _mm256_castsi256_pd(a); }
IF_INLINE md vd_lt(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
IF_INLINE md vd_le(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_LE_OQ); }
IF_INLINE md vd_gt(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_GT_OQ); }
IF_INLINE md vd_ge(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
IF_INLINE vd vd_sel(md m, vd a, vd b) { return _mm256_blendv_pd(b, a, m); }
IF_INLINE vd vd_neg(vd a) { return _mm256_xor_pd(a, _mm256_set1_pd(-0.0)); }
IF_INLINE md md_and(md a, md b) { return _mm256_and_pd(a, b); }
IF_INLINE md md_true(void) { return _mm256_castsi256_pd(_mm256_set1_epi32(-1)); }
IF_INLINE int md_any(md m) { return _mm256_movemask_pd(m) != 0; }
IF_INLINE int md_all(md m) { return _mm256_movemask_pd(m) == 0xF; }
IF_INLINE void vd_storeu(double *p, vd a) { _mm256_storeu_pd(p, a); }
IF_INLINE vd vd_zip_lo(vd a, vd b) {
    return _mm256_permute2f128_pd(_mm256_unpacklo_pd(a, b), _mm256_unpackhi_pd(a, b), 0x20);
}
IF_INLINE vd vd_zip_hi(vd a, vd b) {
    return _mm256_permute2f128_pd(_mm256_unpacklo_pd(a, b), _mm256_unpackhi_pd(a, b), 0x31);
}

/* Lane compaction (what AVX-512's vcompresspd / vexpandpd do), by a permutation
 * from a table indexed by the 4-bit lane mask: the 32-bit halves of each selected
 * double moved to the front (compress) or from the front out to the selected lanes
 * (expand).  Only moves bits, so the values are untouched. */
#define IF_HAVE_COMPRESS 1
typedef struct {
    int32_t idx[16][8];
} if_lane_table;
static const if_lane_table if_compress_tab = {{
#define IF_C(a, b, c, d) {2 * (a), 2 * (a) + 1, 2 * (b), 2 * (b) + 1, 2 * (c), 2 * (c) + 1, 2 * (d), 2 * (d) + 1}
    IF_C(0, 0, 0, 0), IF_C(0, 0, 0, 0), IF_C(1, 0, 0, 0), IF_C(0, 1, 0, 0),
    IF_C(2, 0, 0, 0), IF_C(0, 2, 0, 0), IF_C(1, 2, 0, 0), IF_C(0, 1, 2, 0),
    IF_C(3, 0, 0, 0), IF_C(0, 3, 0, 0), IF_C(1, 3, 0, 0), IF_C(0, 1, 3, 0),
    IF_C(2, 3, 0, 0), IF_C(0, 2, 3, 0), IF_C(1, 2, 3, 0), IF_C(0, 1, 2, 3)}};
static const if_lane_table if_expand_tab = {{
    IF_C(0, 0, 0, 0), IF_C(0, 0, 0, 0), IF_C(0, 0, 0, 0), IF_C(0, 1, 0, 0),
    IF_C(0, 0, 0, 0), IF_C(0, 0, 1, 0), IF_C(0, 0, 1, 0), IF_C(0, 1, 2, 0),
    IF_C(0, 0, 0, 0), IF_C(0, 0, 0, 1), IF_C(0, 0, 0, 1), IF_C(0, 1, 0, 2),
    IF_C(0, 0, 0, 1), IF_C(0, 0, 1, 2), IF_C(0, 0, 1, 2), IF_C(0, 1, 2, 3)}};
#undef IF_C
IF_INLINE vd vd_loadu(const double *p) { return _mm256_loadu_pd(p); }
IF_INLINE vd vd_compress(md m, vd a) {
    const vi idx = _mm256_loadu_si256((const __m256i *)if_compress_tab.idx[_mm256_movemask_pd(m)]);
    return _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(a), idx));
}
/* the first lanes of a into the lanes of m, src elsewhere */
IF_INLINE vd vd_expand_into(vd src, md m, vd a) {
    const vi idx = _mm256_loadu_si256((const __m256i *)if_expand_tab.idx[_mm256_movemask_pd(m)]);
    return _mm256_blendv_pd(src, _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(a), idx)), m);
}
IF_INLINE md md_not(md m) { return _mm256_xor_pd(m, md_true()); }
IF_INLINE int md_count(md m) { return __builtin_popcount((unsigned)_mm256_movemask_pd(m)); }

/* Exact conversions.  Below 2^52: the lane's bits under the exponent of 2^52,
 * minus 2^52. */
IF_INLINE vd vd_from_u52(vi a) {
    const vd two52 = _mm256_set1_pd(0x1p52);
    return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(a, _mm256_castpd_si256(two52))),
                         two52);
}
/* Below 2^53 (or 2^64 when the result is exact): high and low 32 bits apart. */
IF_INLINE vd vd_from_u53(vi a) {
    const vd hi = vd_from_u52(vi_srl64(a, 32));
    const vd lo = vd_from_u52(vi_and(a, vi_set1_64(0xFFFFFFFFu)));
    return _mm256_add_pd(_mm256_mul_pd(hi, _mm256_set1_pd(0x1p32)), lo);
}
IF_INLINE vd vd_from_u32_lo(vi a) {
    return vd_from_u52(_mm256_cvtepu32_epi64(_mm256_castsi256_si128(a)));
}
IF_INLINE vd vd_from_u32_hi(vi a) {
    return vd_from_u52(_mm256_cvtepu32_epi64(_mm256_extracti128_si256(a, 1)));
}

IF_INLINE vf vf_from_vd2(vd lo, vd hi) {
    return _mm256_set_m128(_mm256_cvtpd_ps(hi), _mm256_cvtpd_ps(lo));
}
/* float64 of the low and the high half of the lanes (exact) */
IF_INLINE vd vd_from_vf_lo(vf a) { return _mm256_cvtps_pd(_mm256_castps256_ps128(a)); }
IF_INLINE vd vd_from_vf_hi(vf a) { return _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)); }
/* The largest float32 <= each lane (if_f32_floor): round to nearest, then step one
 * float32 toward -infinity where that went above; -0 steps to -2^-149. */
IF_INLINE __m128 vf_floor4(vd x) {
    const __m128 f = _mm256_cvtpd_ps(x);
    const vi above = _mm256_castpd_si256(_mm256_cmp_pd(_mm256_cvtps_pd(f), x, _CMP_GT_OQ));
    const __m128i m = _mm256_castsi256_si128(
        _mm256_permutevar8x32_epi32(above, _mm256_set_epi32(7, 5, 3, 1, 6, 4, 2, 0)));
    const __m128i b = _mm_castps_si128(f);
    const __m128i s = _mm_srai_epi32(b, 31); /* -1 below zero (and for -0) */
    const __m128i step = _mm_sub_epi32(_mm_set1_epi32(-1), _mm_add_epi32(s, s));
    return _mm_castsi128_ps(_mm_blendv_epi8(b, _mm_add_epi32(b, step), m));
}
IF_INLINE vf vf_from_vd2_down(vd lo, vd hi) { return _mm256_set_m128(vf_floor4(hi), vf_floor4(lo)); }

/* -------------------------------------------------------------------- halves */
IF_INLINE void vh_storeu(uint16_t *p, vh a) { _mm_storeu_si128((__m128i *)p, a); }
IF_INLINE vh vf_to_f16(vf a) { return _mm256_cvtps_ph(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
IF_INLINE vh vf_to_f16_down(vf a) { return _mm256_cvtps_ph(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
IF_INLINE vh vi_narrow16(vi a) {
    const vi t = _mm256_packus_epi32(a, a);
    return _mm256_castsi256_si128(_mm256_permute4x64_epi64(t, _MM_SHUFFLE(3, 1, 2, 0)));
}

/* Non-temporal stores (32-byte aligned p; 16 for vh) and the fence after them. */
#define IF_HAVE_STREAM 1
IF_INLINE void vf_stream(float *p, vf a) { _mm256_stream_ps(p, a); }
IF_INLINE void vd_stream(double *p, vd a) { _mm256_stream_pd(p, a); }
IF_INLINE void vi_stream(void *p, vi a) { _mm256_stream_si256((__m256i *)p, a); }
IF_INLINE void vh_stream(uint16_t *p, vh a) { _mm_stream_si128((__m128i *)p, a); }
IF_INLINE void vsfence(void) { _mm_sfence(); }

#endif /* INITFILL_VEC_AVX2_H */

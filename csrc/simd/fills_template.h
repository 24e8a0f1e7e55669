/* simd/fills_template.h - kernels_scalar.c's fills on vectors, for one instruction set.
 *
 * Included by each kernels_<isa>.c after its simd/vec_<isa>.h; defines
 * IF_SIMD_ENTRY, the contiguous fill of that level.  Same contract as the scalar
 * if_gen_contig_scalar, and the same values bit for bit: lane by lane the same
 * operations in the same order (see kernels_scalar.c for the per-element arithmetic).
 *
 * A batch is IF_NV vectors of Philox counters (IF_NB blocks), computed 10 rounds
 * at once with each counter word in the low half of a 64-bit lane (the 32x32->64
 * multiply then gives both Philox halves with no shuffle), then reordered into
 * IF_NW vectors of words in stream order.  Every output type takes IF_NW vectors
 * per batch: 32-bit outputs one value per word, 64-bit outputs one per pair of
 * words (the same bytes), halves one per word.  Partial batches at either end, and
 * the truncated normal's rare modes (far tail, flat interval), run on the scalar
 * code, as does any fill shorter than one batch. */
#include <stddef.h>
#include "../kernels.h"
#include "../fmath.h"
#include "../philox.h"
#include "../uniform_bits.h"
#include "vmath.h"

#define IF_L64 ((int)(sizeof(vd) / sizeof(double)))
#define IF_NB (IF_NV * IF_L64) /* Philox blocks per batch */
#define IF_NW (2 * IF_NV)       /* vectors of words per batch */
/* Fills of at least this many bytes use non-temporal stores (where the ISA has them):
 * well beyond a core's L2, and large enough that losing the lines from L3 cannot
 * matter.  A build may set another (-DIF_STREAM_MIN=...); the values never change. */
#ifndef IF_STREAM_MIN
#define IF_STREAM_MIN ((size_t)1 << 23)
#endif

/* ------------------------------------------------------------------ Philox */

typedef struct {
    vi k0[10], k1[10], slo, shi;
} if_vkeys;

IF_INLINE void vkeys_init(if_vkeys *k, uint64_t seed, uint64_t stream) {
    uint32_t a = (uint32_t)seed, b = (uint32_t)(seed >> 32);
    for (int r = 0; r < 10; ++r) {
        k->k0[r] = vi_set1_64(a);
        k->k1[r] = vi_set1_64(b);
        a += IF_PHILOX_W0;
        b += IF_PHILOX_W1;
    }
    k->slo = vi_set1_64((uint32_t)stream);
    k->shi = vi_set1_64(stream >> 32);
}

/* The 4 IF_NB words (IF_NW vectors) of blocks blk .. blk + IF_NB - 1, in stream order. */
IF_INLINE void vphilox(const if_vkeys *k, uint64_t blk, vi w[IF_NW]) {
    vi c0[IF_NV], c1[IF_NV], c2[IF_NV], c3[IF_NV];
    const vi m0 = vi_set1_64(IF_PHILOX_M0), m1 = vi_set1_64(IF_PHILOX_M1);
    for (int v = 0; v < IF_NV; ++v) {
        c0[v] = vi_add64(vi_set1_64(blk + (uint64_t)(v * IF_L64)), vi_iota64());
        c1[v] = vi_srl64(c0[v], 32);
        c2[v] = k->slo;
        c3[v] = k->shi;
    }
    for (int r = 0; r < 10; ++r) {
        for (int v = 0; v < IF_NV; ++v) {
            const vi p0 = vi_mul32x32(c0[v], m0);
            const vi p1 = vi_mul32x32(c2[v], m1);
            c0[v] = vi_xor3(vi_srl64(p1, 32), c1[v], k->k0[r]);
            c2[v] = vi_xor3(vi_srl64(p0, 32), c3[v], k->k1[r]);
            c1[v] = p1;
            c3[v] = p0;
        }
    }
    for (int v = 0; v < IF_NV; ++v) vi_words(c0[v], c1[v], c2[v], c3[v], &w[2 * v], &w[2 * v + 1]);
}

/* --------------------------------------------------------------- helpers */

IF_INLINE vf vclampf(vf x, vf lo, vf hi) {
    x = vf_sel(vf_lt(x, lo), lo, x);
    return vf_sel(vf_gt(x, hi), hi, x);
}
IF_INLINE vd vclampd(vd x, vd lo, vd hi) {
    x = vd_sel(vd_lt(x, lo), lo, x);
    return vd_sel(vd_gt(x, hi), hi, x);
}

/* Stores of one vector: non-temporal (aligned, bypassing the caches) when nt. */
#if !defined(IF_HAVE_STREAM)
#define vf_stream vf_storeu
#define vd_stream vd_storeu
#define vi_stream vi_storeu
#define vh_stream vh_storeu
IF_INLINE void vsfence(void) {}
#endif
IF_INLINE void vput_f(float *p, vf v, int nt) { if (nt) vf_stream(p, v); else vf_storeu(p, v); }
IF_INLINE void vput_d(double *p, vd v, int nt) { if (nt) vd_stream(p, v); else vd_storeu(p, v); }
IF_INLINE void vput_i(void *p, vi v, int nt) { if (nt) vi_stream(p, v); else vi_storeu(p, v); }
IF_INLINE void vput_h(uint16_t *p, vh v, int nt) { if (nt) vh_stream(p, v); else vh_storeu(p, v); }

/* Everything a batch needs from the plan, broadcast once per call. */
typedef struct {
    vd lo, span, mean, std, sign, pa, z, qb;
    vd y0, z2, sstd; /* IF_TN_INVERSE_CDF_F32: y = y0 + w z2 = 2 (pa + v z) - 1; sign std */
    vd clo, chi;
    vf clo_f, chi_f, mean_f, std_f;
    int mirrored, bf16_insn, nt;
    int tn_f32;                   /* mode IF_TN_INVERSE_CDF_F32 */
    int uclamp_lo, uclamp_hi;     /* uniform float32: whether each clamp can act */
    int uclamp64_lo, uclamp64_hi; /* uniform float64: the same */
} if_vplan;

IF_INLINE void vplan_init(if_vplan *c, const initfill_plan *p) {
    c->lo = vd_set1(p->lo);
    c->span = vd_set1(p->span);
    c->mean = vd_set1(p->mean);
    c->std = vd_set1(p->std);
    c->sign = vd_set1(p->sign);
    c->pa = vd_set1(p->pa);
    c->z = vd_set1(p->z);
    c->qb = vd_set1(p->qb);
    {
        /* tn_f32_line of kernels_scalar.c */
        const double z2 = 2.0 * p->z, y00 = 2.0 * p->pa - 1.0;
        c->y0 = vd_set1(p->sign > 0.0 ? y00 + 0x1p-33 * z2 : (y00 + z2) - 0x1p-33 * z2);
        c->z2 = vd_set1(p->sign > 0.0 ? 0x1p-32 * z2 : -0x1p-32 * z2);
        c->sstd = vd_set1(p->sign * p->std);
    }
    c->tn_f32 = p->dist == INITFILL_TRUNC_NORMAL && p->mode == IF_TN_INVERSE_CDF_F32;
    c->clo = vd_set1(p->clo);
    c->chi = vd_set1(p->chi);
    c->clo_f = vf_set1(p->clo_f);
    c->chi_f = vf_set1(p->chi_f);
    c->mean_f = vf_set1(p->mean_f);
    c->std_f = vf_set1(p->std_f);
    c->mirrored = !(p->sign > 0.0);
    c->bf16_insn = atomic_load_explicit(&if_cpu_has_bf16, memory_order_relaxed);
    /* low + span u (rounded down) is nondecreasing in u, so a clamp can only act if
     * it acts on the smallest or the largest u of the lattice (same operations as
     * vuniform_f32 and vuniform_f64, on scalars). */
    c->uclamp_lo = if_f32_floor(p->lo + p->span * if_u01_co_24(0)) < p->clo_f;
    c->uclamp_hi = if_f32_floor(p->lo + p->span * if_u01_co_24(UINT32_MAX)) > p->chi_f;
    c->uclamp64_lo = p->lo + p->span * if_u01_co_52(0) < p->clo;
    c->uclamp64_hi = p->lo + p->span * if_u01_co_52(UINT64_MAX) > p->chi;
}

/* ----------------------------------------------------------------- values */

/* blk_uniform_f32 on one vector of words */
IF_INLINE vf vuniform_f32(const if_vplan *c, vi w) {
    const vi k = vi_srl32(w, 8);
    const vd ulo = vd_mul(vd_from_u32_lo(k), vd_set1(0x1p-24));
    const vd uhi = vd_mul(vd_from_u32_hi(k), vd_set1(0x1p-24));
    vf f = vf_from_vd2_down(vd_add(c->lo, vd_mul(c->span, ulo)),
                            vd_add(c->lo, vd_mul(c->span, uhi)));
    if (c->uclamp_lo) f = vf_sel(vf_lt(f, c->clo_f), c->clo_f, f);
    if (c->uclamp_hi) f = vf_sel(vf_gt(f, c->chi_f), c->chi_f, f);
    return f;
}

/* box_muller_f32 on the pairs of w: the radius words are the even words, the angle
 * words the odd ones; IF_NV vectors of pairs at once */
IF_INLINE void vnormal_f32(const if_vplan *c, const vi w[IF_NW], vf o[IF_NW]) {
    vi wa[IF_NV];
    vf r[IF_NV], phi[IF_NV], s[IF_NV], co[IF_NV];
    IF_J(IF_NV) {
        const vi wr = vi_even32(w[2 * j], w[2 * j + 1]);
        wa[j] = vi_odd32(w[2 * j], w[2 * j + 1]);
        r[j] = vf_mul(vf_from_i32(vi_add32(vi_srl32(wr, 8), vi_set1_32(1))), vf_set1(0x1p-24f));
        const vi m = vi_and(vi_srl32(wa[j], 6), vi_set1_32(0xFFFFFF));
        phi[j] = vf_mul(vf_from_i32(vi_sub32(vi_add32(m, m), vi_set1_32(0xFFFFFF))),
                        vf_set1((float)(1.5707963267948966 * 0x1p-25)));
    }
    vlogf(IF_NV, r);
    vsincosf(IF_NV, phi, s, co);
    IF_J(IF_NV) {
        const vf rad = vf_sqrt(vf_mul(vf_set1(-2.0f), r[j]));
        /* quadrant q = wa >> 30: (z0, z1) = (c, s), (-s, c), (-c, -s), (s, -c) */
        const mf odd = vi_test32(wa[j], vi_set1_32(UINT32_C(1) << 30));
        const vf a = vf_sel(odd, s[j], co[j]), b = vf_sel(odd, co[j], s[j]);
        const vi q1 = vi_add32(vi_srl32(wa[j], 30), vi_set1_32(1));
        const vi sign0 = vi_sll32(vi_srl32(q1, 1), 31); /* q == 1 or q == 2 */
        const vi sign1 = vi_and(wa[j], vi_set1_32(UINT32_C(0x80000000))); /* q >= 2 */
        vf z0 = vf_of_bits(vi_xor(vf_bits(vf_mul(rad, a)), sign0));
        vf z1 = vf_of_bits(vi_xor(vf_bits(vf_mul(rad, b)), sign1));
        z0 = vf_add(c->mean_f, vf_mul(c->std_f, z0));
        z1 = vf_add(c->mean_f, vf_mul(c->std_f, z1));
        o[2 * j] = vf_zip_lo(z0, z1);
        o[2 * j + 1] = vf_zip_hi(z0, z1);
    }
}

/* box_muller_f64 on the pairs of 64-bit words of w */
IF_INLINE void vnormal_f64(const if_vplan *c, const vi w[IF_NW], vd o[IF_NW]) {
    vi wa[IF_NV];
    vd r[IF_NV], phi[IF_NV], s[IF_NV], co[IF_NV];
    IF_J(IF_NV) {
        const vi wr = vi_even64(w[2 * j], w[2 * j + 1]);
        wa[j] = vi_odd64(w[2 * j], w[2 * j + 1]);
        r[j] = vd_mul(vd_from_u53(vi_add64(vi_srl64(wr, 11), vi_set1_64(1))), vd_set1(0x1p-53));
        /* (double)(2m - (2^52 - 1)), exactly: both terms and the result are below 2^53 */
        const vd m = vd_from_u52(vi_and(vi_srl64(wa[j], 10), vi_set1_64(UINT64_C(0xFFFFFFFFFFFFF))));
        phi[j] = vd_mul(vd_sub(vd_add(m, m), vd_set1(4503599627370495.0)),
                        vd_set1(1.5707963267948966 * 0x1p-53));
    }
    vlog(IF_NV, r);
    vsincos(IF_NV, phi, s, co);
    IF_J(IF_NV) {
        const vd rad = vd_sqrt(vd_mul(vd_set1(-2.0), r[j]));
        const md odd = vi_test64(wa[j], vi_set1_64(UINT64_C(1) << 62));
        const vd a = vd_sel(odd, s[j], co[j]), b = vd_sel(odd, co[j], s[j]);
        const vi q1 = vi_add64(vi_srl64(wa[j], 62), vi_set1_64(1));
        const vi sign0 = vi_sll64(vi_srl64(q1, 1), 63);
        const vi sign1 = vi_and(wa[j], vi_set1_64(UINT64_C(0x8000000000000000)));
        vd z0 = vd_of_bits(vi_xor(vd_bits(vd_mul(rad, a)), sign0));
        vd z1 = vd_of_bits(vi_xor(vd_bits(vd_mul(rad, b)), sign1));
        z0 = vd_add(c->mean, vd_mul(c->std, z0));
        z1 = vd_add(c->mean, vd_mul(c->std, z1));
        o[2 * j] = vd_zip_lo(z0, z1);
        o[2 * j + 1] = vd_zip_hi(z0, z1);
    }
}

/* tn_value, mode IF_TN_INVERSE_CDF, unclamped: the probability handed to ppnd (and
 * whether it is the lower tail's) ... */
IF_INLINE vd vtn_p(const if_vplan *c, vd u, md *low) {
    const vd v = c->mirrored ? vd_sub(vd_set1(1.0), u) : u;
    const vd pr = vd_add(c->pa, vd_mul(v, c->z));
    *low = vd_le(pr, vd_set1(0.5));
    if (md_all(*low)) return pr;
    return vd_sel(*low, pr, vd_add(c->qb, vd_mul(vd_sub(vd_set1(1.0), v), c->z)));
}

/* ... and the value from ppnd's result t. */
IF_INLINE vd vtn_finish(const if_vplan *c, vd t, md low) {
    const vd z = vd_sel(low, t, vd_neg(t));
    return vd_add(c->mean, vd_mul(c->std, vd_mul(c->sign, z)));
}

#if defined(IF_HAVE_COMPRESS)
/* ppnd's central (or tail) branch on the n vectors at buf (n <= IF_NV, a constant
 * after inlining: the n polynomial chains advance side by side). */
IF_INLINE void vppnd_group(double *buf, int n, int central) {
    vd v[IF_NV];
    IF_J(n) v[j] = vd_loadu(buf + j * IF_L64);
    if (central) vppnd_central(n, v);
    else vppnd_tail(n, v);
    IF_J(n) vd_storeu(buf + j * IF_L64, v[j]);
}

/* ppnd's central (or tail) branch on buf[0 .. count), count a multiple of IF_L64:
 * IF_NV vectors at a time, then the rest as one group (not one by one: a single
 * vector's chains of dependent multiplies and adds would run at their latency; the
 * batch of a +-2 sigma float64 fill leaves 3 central vectors over about every
 * other time). */
IF_INLINE void vppnd_buffer(double *buf, int count, int central) {
    int k = 0;
    for (; k + IF_NV * IF_L64 <= count; k += IF_NV * IF_L64) vppnd_group(buf + k, IF_NV, central);
    switch ((count - k) / IF_L64) {
#if IF_NV > 3
    case 3: vppnd_group(buf + k, 3, central); break;
#endif
#if IF_NV > 2
    case 2: vppnd_group(buf + k, 2, central); break;
#endif
    case 1: vppnd_group(buf + k, 1, central); break;
    default: break;
    }
}
#endif

/* tn_value of m vectors of uniforms (m a multiple of IF_NV), in place. */
IF_INLINE void vtn_values(const if_vplan *c, int m, vd *u) {
#if defined(IF_HAVE_COMPRESS)
    /* A vector with central and tail lanes would compute both sides of ppnd (about
     * one value in nine of a +-2 sigma fill is a tail value, so most vectors hold
     * both kinds): pack the probabilities of each side into whole vectors instead,
     * compute each side once per lane, and spread the results back.  Padding lanes
     * get 1/2. */
    enum { CAP = 2 * IF_NW * IF_L64 + IF_L64 };
    double pc[CAP], pt[CAP];
    md low[2 * IF_NW], cen[2 * IF_NW];
    int nc = 0, nt = 0;
    for (int j = 0; j < m; ++j) {
        const vd p = vtn_p(c, u[j], &low[j]);
        cen[j] = vppnd_is_central(p);
        vd_storeu(pc + nc, vd_compress(cen[j], p));
        vd_storeu(pt + nt, vd_compress(md_not(cen[j]), p));
        nc += md_count(cen[j]);
        nt += IF_L64 - md_count(cen[j]);
    }
    for (int k = nc; k % IF_L64 != 0; ++k) pc[k] = 0.5;
    for (int k = nt; k % IF_L64 != 0; ++k) pt[k] = 0.5;
    vppnd_buffer(pc, (nc + IF_L64 - 1) / IF_L64 * IF_L64, 1);
    vppnd_buffer(pt, (nt + IF_L64 - 1) / IF_L64 * IF_L64, 0);
    nc = nt = 0;
    for (int j = 0; j < m; ++j) {
        vd t = vd_expand_into(vd_set1(0.0), md_not(cen[j]), vd_loadu(pt + nt));
        t = vd_expand_into(t, cen[j], vd_loadu(pc + nc));
        nc += md_count(cen[j]);
        nt += IF_L64 - md_count(cen[j]);
        u[j] = vtn_finish(c, t, low[j]);
    }
#else
    for (int j0 = 0; j0 < m; j0 += IF_NV) {
        md low[IF_NV];
        vd p[IF_NV];
        IF_J(IF_NV) p[j] = vtn_p(c, u[j0 + j], &low[j]);
        vppnd(IF_NV, p);
        IF_J(IF_NV) u[j0 + j] = vtn_finish(c, p[j], low[j]);
    }
#endif
}

/* tn_value, mode IF_TN_INVERSE_CDF_F32, of a batch, as float32 and clamped: IF_NV
 * vectors of words at a time (2 IF_NV vectors of float64 uniforms).  The lanes
 * outside the central range take IF_TN_INVERSE_CDF's computation (vtn_p, vppnd),
 * run only on the float64 vectors that hold such a lane. */
IF_INLINE void vtrunc32_f32(const if_vplan *c, const vi w[IF_NW], vf o[IF_NW]) {
    const vd h = vd_set1(0.5), s = vd_set1(0x1p-32), one = vd_set1(1.0);
    const vd cen = vd_set1(IF_TN_F32_CENTRAL);
    for (int j0 = 0; j0 < IF_NW; j0 += IF_NV) {
        vd u[2 * IF_NV], y[2 * IF_NV];
        md tail[2 * IF_NV];
        vf s4[IF_NV];
        int any = 0;
        IF_J(IF_NV) {
            y[2 * j] = vd_add(c->y0, vd_mul(vd_from_u32_lo(w[j0 + j]), c->z2));
            y[2 * j + 1] = vd_add(c->y0, vd_mul(vd_from_u32_hi(w[j0 + j]), c->z2));
        }
        for (int k = 0; k < 2 * IF_NV; ++k) {
            u[k] = vd_sub(one, vd_mul(y[k], y[k])); /* d4 */
            tail[k] = vd_lt(u[k], cen);
            any |= md_any(tail[k]);
        }
        IF_J(IF_NV) s4[j] = vf_from_vd2(u[2 * j], u[2 * j + 1]);
        vtn_h_f32(IF_NV, s4);
        IF_J(IF_NV) {
            y[2 * j] = vd_mul(y[2 * j], vd_from_vf_lo(s4[j]));
            y[2 * j + 1] = vd_mul(y[2 * j + 1], vd_from_vf_hi(s4[j]));
        }
        for (int k = 0; k < 2 * IF_NV; ++k) y[k] = vd_add(c->mean, vd_mul(c->sstd, y[k]));
        if (IF_UNLIKELY(any)) {
            for (int k = 0; k < 2 * IF_NV; ++k) {
                if (!md_any(tail[k])) continue;
                const int wv = j0 + k / 2;
                const vd uk = vd_mul(vd_add(k % 2 ? vd_from_u32_hi(w[wv]) : vd_from_u32_lo(w[wv]), h), s);
                /* the tail lanes' probabilities are below 0.012: AS241's tail */
                md low;
                vd pr = vtn_p(c, uk, &low);
                vppnd_tail(1, &pr);
                y[k] = vd_sel(tail[k], vtn_finish(c, pr, low), y[k]);
            }
        }
        IF_J(IF_NV)
            o[j0 + j] = vclampf(vf_from_vd2(y[2 * j], y[2 * j + 1]), c->clo_f, c->chi_f);
    }
}

/* the truncated normal float32 values of a batch */
IF_INLINE void vtrunc_f32(const if_vplan *c, const vi w[IF_NW], vf o[IF_NW]) {
    if (c->tn_f32) {
        vtrunc32_f32(c, w, o);
        return;
    }
    const vd h = vd_set1(0.5), s = vd_set1(0x1p-32);
    vd u[2 * IF_NW];
    for (int j = 0; j < IF_NW; ++j) {
        u[2 * j] = vd_mul(vd_add(vd_from_u32_lo(w[j]), h), s);
        u[2 * j + 1] = vd_mul(vd_add(vd_from_u32_hi(w[j]), h), s);
    }
    vtn_values(c, 2 * IF_NW, u);
    for (int j = 0; j < IF_NW; ++j)
        o[j] = vclampf(vf_from_vd2(u[2 * j], u[2 * j + 1]), c->clo_f, c->chi_f);
}

IF_INLINE vd vuniform_f64(const if_vplan *c, vi w) {
    const vd u = vd_mul(vd_from_u52(vi_srl64(w, 12)), vd_set1(0x1p-52));
    vd y = vd_add(c->lo, vd_mul(c->span, u));
    if (c->uclamp64_lo) y = vd_sel(vd_lt(y, c->clo), c->clo, y);
    if (c->uclamp64_hi) y = vd_sel(vd_gt(y, c->chi), c->chi, y);
    return y;
}

/* the truncated normal float64 values of nb batches (nb = 1 or 2: the words w[IF_NW
 * b + j] of batch b), as one set of uniforms: two batches give the inverse CDF's
 * sides of each about twice the lanes, whole groups of vectors more often (see
 * vtn_values; the float64 fill's tail side then usually fills two vectors, not one) */
IF_INLINE void vtrunc_f64(const if_vplan *c, int nb, const vi *w, vd *o) {
    for (int j = 0; j < nb * IF_NW; ++j)
        o[j] = vd_mul(vd_add(vd_from_u52(vi_srl64(w[j], 12)), vd_set1(0.5)), vd_set1(0x1p-52));
    vtn_values(c, nb * IF_NW, o);
    for (int j = 0; j < nb * IF_NW; ++j) o[j] = vclampd(o[j], c->clo, c->chi);
}

/* ------------------------------------------------------------ half types */

/* if_f32_to_bf16 / if_f32_to_bf16_down: zero-exponent inputs to a signed zero,
 * NaN quieted, else round the top 16 bits (to nearest even / toward -inf). */
IF_INLINE vh vbf16(vf x, int down) {
    const vi b = vf_bits(x);
    const vi hi = vi_srl32(b, 16);
    vi r;
    if (down) {
        const mf carry = mf_and(vi_test32(b, vi_set1_32(0xFFFF)),
                                vi_test32(b, vi_set1_32(UINT32_C(0x80000000))));
        r = vi_sel32(carry, vi_add32(hi, vi_set1_32(1)), hi);
    } else {
        r = vi_srl32(vi_add32(b, vi_add32(vi_set1_32(0x7FFF), vi_and(hi, vi_set1_32(1)))), 16);
    }
    const vi a = vi_and(b, vi_set1_32(0x7FFFFFFF));
    r = vi_sel32(vi_gt32(a, vi_set1_32(0x7F800000)), vi_or(hi, vi_set1_32(0x40)), r);
    r = vi_sel32(vi_eq32(vi_and(b, vi_set1_32(0x7F800000)), vi_set1_32(0)),
                 vi_and(hi, vi_set1_32(0x8000)), r);
    return vi_narrow16(r);
}

/* the f32 values of a batch, as the given half type */
IF_INLINE void vstore_half(uint16_t *o, const vf v[IF_NW], int dtype, int down, int insn,
                           int nt) {
    for (int k = 0; k < IF_NW; ++k) {
        vh h;
        if (dtype == INITFILL_FLOAT16) {
            h = down ? vf_to_f16_down(v[k]) : vf_to_f16(v[k]);
        } else {
#if defined(IF_HAVE_BF16_INSN)
            if (!down && insn) h = vf_to_bf16_insn(v[k]);
            else h = vbf16(v[k], down);
#else
            (void)insn;
            h = vbf16(v[k], down);
#endif
        }
        vput_h(o + k * (int)(sizeof(vf) / sizeof(float)), h, nt);
    }
}

/* ------------------------------------------------------------------ driver */

#define IF_L32 ((int)(sizeof(vf) / sizeof(float)))
#define IF_PER32 (IF_NW * IF_L32) /* 32-bit or half outputs per batch */
#define IF_PER64 (IF_NW * IF_L64) /* 64-bit outputs per batch */

/* NAME(c, k, blk, n, o): whole batches from block blk into o[0 ..], as long as n
 * elements allow; returns the number of elements written.  BATCH stores one batch
 * of the words w[] at `at`.  A level whose vec header defines IF_VFILL_NOINLINE
 * keeps each loop a function of its own, so that its register allocation does not
 * depend on the others, working on local copies of the plan and keys that the
 * output stores cannot alias (AVX2, with 16 registers: uniform float32 1.9 -> 1.25
 * ns/elem); AVX-512 runs 3% faster with the loops inlined. */
#if defined(IF_VFILL_NOINLINE)
#define IF_VFILL_ATTR IF_NOINLINE
#define IF_VFILL_LOCALS                                                         \
    const if_vplan cv = *cp, *const c = &cv;                                    \
    const if_vkeys kv = *kp, *const k = &kv;
#else
#define IF_VFILL_ATTR
#define IF_VFILL_LOCALS                                                         \
    const if_vplan *const c = cp;                                               \
    const if_vkeys *const k = kp;
#endif
#define IF_VFILL(NAME, T, PER, BATCH)                                              \
    static IF_VFILL_ATTR size_t NAME(const if_vplan *cp, const if_vkeys *kp, uint64_t blk, \
                                   size_t n, T *o) {                               \
        IF_VFILL_LOCALS                                                            \
        size_t done = 0;                                                           \
        (void)c;                                                                   \
        for (; n - done >= (size_t)(PER); done += (size_t)(PER), blk += IF_NB) {   \
            vi w[IF_NW];                                                           \
            T *at = o + done;                                                      \
            vphilox(k, blk, w);                                                    \
            BATCH;                                                                 \
        }                                                                          \
        return done;                                                               \
    }

#define IF_EACH_F32(F) for (int j = 0; j < IF_NW; ++j) vput_f(at + j * IF_L32, F(c, w[j]), c->nt)
#define IF_EACH_F64(F) for (int j = 0; j < IF_NW; ++j) vput_d(at + j * IF_L64, F(c, w[j]), c->nt)
#define IF_HALF(DT, DOWN, VALUES)                                                  \
    vf v[IF_NW];                                                                       \
    VALUES;                                                                        \
    vstore_half(at, v, DT, DOWN, c->bf16_insn, c->nt)
#define IF_HALF_EACH(F) for (int j = 0; j < IF_NW; ++j) v[j] = F(c, w[j])

IF_VFILL(vfill_bits32, uint32_t, IF_PER32,
         for (int j = 0; j < IF_NW; ++j) vput_i(at + j * IF_L32, w[j], c->nt))
IF_VFILL(vfill_uniform_f32, float, IF_PER32, IF_EACH_F32(vuniform_f32))
IF_VFILL(vfill_trunc_f32, float, IF_PER32,
         vf v[IF_NW]; vtrunc_f32(c, w, v);
         for (int j = 0; j < IF_NW; ++j) vput_f(at + j * IF_L32, v[j], c->nt))
IF_VFILL(vfill_normal_f32, float, IF_PER32,
         vf v[IF_NW]; vnormal_f32(c, w, v);
         for (int j = 0; j < IF_NW; ++j) vput_f(at + j * IF_L32, v[j], c->nt))
IF_VFILL(vfill_uniform_f64, double, IF_PER64, IF_EACH_F64(vuniform_f64))
/* IF_VFILL's loop for the truncated normal float64: two batches at a time (see
 * vtrunc_f64), then one */
static IF_VFILL_ATTR size_t vfill_trunc_f64(const if_vplan *cp, const if_vkeys *kp,
                                            uint64_t blk, size_t n, double *o) {
    IF_VFILL_LOCALS
    size_t done = 0;
    for (; n - done >= 2 * (size_t)IF_PER64; done += 2 * (size_t)IF_PER64, blk += 2 * IF_NB) {
        vi w[2 * IF_NW];
        vd v[2 * IF_NW];
        vphilox(k, blk, w);
        vphilox(k, blk + IF_NB, w + IF_NW);
        vtrunc_f64(c, 2, w, v);
        for (int j = 0; j < 2 * IF_NW; ++j) vput_d(o + done + j * IF_L64, v[j], c->nt);
    }
    if (n - done >= (size_t)IF_PER64) {
        vi w[IF_NW];
        vd v[IF_NW];
        vphilox(k, blk, w);
        vtrunc_f64(c, 1, w, v);
        for (int j = 0; j < IF_NW; ++j) vput_d(o + done + j * IF_L64, v[j], c->nt);
        done += (size_t)IF_PER64;
    }
    return done;
}
IF_VFILL(vfill_normal_f64, double, IF_PER64,
         vd v[IF_NW]; vnormal_f64(c, w, v);
         for (int j = 0; j < IF_NW; ++j) vput_d(at + j * IF_L64, v[j], c->nt))
IF_VFILL(vfill_uniform_f16, uint16_t, IF_PER32,
         IF_HALF(INITFILL_FLOAT16, 1, IF_HALF_EACH(vuniform_f32)))
IF_VFILL(vfill_uniform_bf16, uint16_t, IF_PER32,
         IF_HALF(INITFILL_BFLOAT16, 1, IF_HALF_EACH(vuniform_f32)))
IF_VFILL(vfill_normal_f16, uint16_t, IF_PER32,
         IF_HALF(INITFILL_FLOAT16, 0, vnormal_f32(c, w, v)))
IF_VFILL(vfill_normal_bf16, uint16_t, IF_PER32,
         IF_HALF(INITFILL_BFLOAT16, 0, vnormal_f32(c, w, v)))
IF_VFILL(vfill_trunc_f16, uint16_t, IF_PER32,
         IF_HALF(INITFILL_FLOAT16, 0, vtrunc_f32(c, w, v)))
IF_VFILL(vfill_trunc_bf16, uint16_t, IF_PER32,
         IF_HALF(INITFILL_BFLOAT16, 0, vtrunc_f32(c, w, v)))

/* Whole batches of the plan's fill; returns the elements written. */
static size_t vfill(const initfill_plan *p, const if_vplan *c, const if_vkeys *k,
                    uint64_t blk, size_t n, void *o) {
    const int d = p->dist;
    switch (p->dtype) {
    case INITFILL_UINT32: return vfill_bits32(c, k, blk, n, o);
    case INITFILL_UINT64: return vfill_bits32(c, k, blk, 2 * n, o) / 2;
    case INITFILL_FLOAT32:
        return d == INITFILL_UNIFORM ? vfill_uniform_f32(c, k, blk, n, o)
             : d == INITFILL_NORMAL ? vfill_normal_f32(c, k, blk, n, o)
                                    : vfill_trunc_f32(c, k, blk, n, o);
    case INITFILL_FLOAT64:
        return d == INITFILL_UNIFORM ? vfill_uniform_f64(c, k, blk, n, o)
             : d == INITFILL_NORMAL ? vfill_normal_f64(c, k, blk, n, o)
                                    : vfill_trunc_f64(c, k, blk, n, o);
    case INITFILL_FLOAT16:
        return d == INITFILL_UNIFORM ? vfill_uniform_f16(c, k, blk, n, o)
             : d == INITFILL_NORMAL ? vfill_normal_f16(c, k, blk, n, o)
                                    : vfill_trunc_f16(c, k, blk, n, o);
    default:
        return d == INITFILL_UNIFORM ? vfill_uniform_bf16(c, k, blk, n, o)
             : d == INITFILL_NORMAL ? vfill_normal_bf16(c, k, blk, n, o)
                                    : vfill_trunc_bf16(c, k, blk, n, o);
    }
}

void IF_SIMD_ENTRY(const initfill_plan *p, uint64_t seed, uint64_t stream,
                   uint64_t first, size_t n, void *out) {
    const size_t es = (size_t)initfill_dtype_size(p->dtype);
    const size_t epb = es == 8 ? 2 : 4; /* elements per Philox block */
    char *o = out;
    if (p->dist == INITFILL_TRUNC_NORMAL && p->mode != IF_TN_INVERSE_CDF &&
        p->mode != IF_TN_INVERSE_CDF_F32) {
        if_gen_contig_scalar(p, seed, stream, first, n, out);
        return;
    }
    const size_t skip = (size_t)(first % epb);
    if (skip != 0 && n != 0) {
        const size_t h = epb - skip < n ? epb - skip : n;
        if_gen_contig_scalar(p, seed, stream, first, h, o);
        first += h;
        n -= h;
        o += h * es;
    }
    if (n >= epb * IF_NB) {
        /* A fill much larger than the caches goes straight to memory with aligned
         * non-temporal stores: no read of each line before it is written, and no
         * eviction of everything else.  The scalar head steps to a 64-byte
         * boundary (reachable unless o is misaligned by less than a block). */
        int nt = 0;
        if (n * es >= IF_STREAM_MIN) {
            size_t h = 0;
            while (h < 64 && ((uintptr_t)(o + h * es) & 63u) != 0) h += epb;
            if (((uintptr_t)(o + h * es) & 63u) == 0 && h < n) {
                if (h != 0) if_gen_contig_scalar(p, seed, stream, first, h, o);
                first += h;
                n -= h;
                o += h * es;
                nt = 1;
            }
        }
        if_vplan c;
        if_vkeys k;
        vplan_init(&c, p);
        c.nt = nt;
        vkeys_init(&k, seed, stream);
        const size_t done = vfill(p, &c, &k, first / epb, n, o);
        if (nt) vsfence();
        first += done;
        n -= done;
        o += done * es;
    }
    if (n != 0) if_gen_contig_scalar(p, seed, stream, first, n, o);
}

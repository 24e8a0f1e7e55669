/* simd/vmath.h - fmath.h's log, sincos and inverse normal CDF on vectors.
 *
 * Written against the primitives of one simd/vec_*.h header (included first).  Each
 * function performs, lane by lane, exactly the operations of its scalar counterpart
 * in fmath.h in the same order (no contraction into FMA: setup.py passes
 * -ffp-contract=off; an FMA only where the scalar code calls fmaf), so every
 * lane equals the scalar result bit for bit.  Where the scalar code branches, both
 * sides are computed when the lanes disagree and the right one is selected.
 *
 * Each function works on n <= IF_NV vectors at once, step by step across them (n is
 * a constant after inlining and the loops unroll): the long dependency chains of
 * the polynomials then advance side by side instead of one after another, which
 * the out-of-order window alone does not achieve. */
#ifndef INITFILL_VMATH_H
#define INITFILL_VMATH_H

#define IF_J(n) for (int j = 0; j < (n); ++j)

/* c[0] innermost: out = c[m-1] + x (c[m-2] + x (... + x c[0])) */
IF_INLINE void vpolyf(int n, const vf *x, const float *c, int m, vf *out) {
    IF_J(n) out[j] = vf_set1(c[0]);
    for (int k = 1; k < m; ++k) IF_J(n) out[j] = vf_add(vf_set1(c[k]), vf_mul(x[j], out[j]));
}
IF_INLINE void vpolyd(int n, const vd *x, const double *c, int m, vd *out) {
    IF_J(n) out[j] = vd_set1(c[0]);
    for (int k = 1; k < m; ++k) IF_J(n) out[j] = vd_add(vd_set1(c[k]), vd_mul(x[j], out[j]));
}

/* if_logf: natural log of positive normal float32 lanes, in place. */
IF_INLINE void vlogf(int n, vf *x) {
    static const float c[4] = {(float)(2.0 / 9.0), (float)(2.0 / 7.0), (float)(2.0 / 5.0),
                               (float)(2.0 / 3.0)};
    vi e[IF_NV];
    vf f[IF_NV], s[IF_NV], z[IF_NV], r[IF_NV];
    IF_J(n) {
        const vi b = vf_bits(x[j]);
        e[j] = vi_sub32(vi_srl32(b, 23), vi_set1_32(127));
        vf m = vf_of_bits(vi_or(vi_and(b, vi_set1_32(0x007FFFFF)), vi_set1_32(0x3F800000)));
        const mf big = vf_gt(m, vf_set1(1.41421356f));
        m = vf_sel(big, vf_mul(m, vf_set1(0.5f)), m);
        e[j] = vi_inc_where(e[j], big);
        f[j] = vf_sub(m, vf_set1(1.0f));
    }
    IF_J(n) s[j] = vf_div(f[j], vf_add(vf_set1(2.0f), f[j]));
    IF_J(n) z[j] = vf_mul(s[j], s[j]);
    vpolyf(n, z, c, 4, r);
    IF_J(n) {
        const vf l = vf_sub(f[j], vf_mul(s[j], vf_sub(f[j], vf_mul(z[j], r[j]))));
        const vf ef = vf_from_i32(e[j]);
        x[j] = vf_add(vf_mul(ef, vf_set1(0x1.62e4p-1f)),
                      vf_add(vf_mul(ef, vf_set1(0x1.7f7d1cp-20f)), l));
    }
}

/* if_log: natural log of positive normal float64 lanes, in place. */
IF_INLINE void vlog(int n, vd *x) {
    static const double c[10] = {2.0 / 21.0, 2.0 / 19.0, 2.0 / 17.0, 2.0 / 15.0, 2.0 / 13.0,
                                 2.0 / 11.0, 2.0 / 9.0,  2.0 / 7.0,  2.0 / 5.0,  2.0 / 3.0};
    vd ed[IF_NV], f[IF_NV], s[IF_NV], z[IF_NV], r[IF_NV];
    IF_J(n) {
        const vi b = vd_bits(x[j]);
        /* (double)e, exactly: the exponent field is below 2^11 */
        const vd eb = vd_from_u52(vi_srl64(b, 52));
        vd m = vd_of_bits(vi_or(vi_and(b, vi_set1_64(UINT64_C(0x000FFFFFFFFFFFFF))),
                                vi_set1_64(UINT64_C(0x3FF0000000000000))));
        const md big = vd_gt(m, vd_set1(1.4142135623730951));
        m = vd_sel(big, vd_mul(m, vd_set1(0.5)), m);
        ed[j] = vd_sub(eb, vd_sel(big, vd_set1(1022.0), vd_set1(1023.0)));
        f[j] = vd_sub(m, vd_set1(1.0));
    }
    IF_J(n) s[j] = vd_div(f[j], vd_add(vd_set1(2.0), f[j]));
    IF_J(n) z[j] = vd_mul(s[j], s[j]);
    vpolyd(n, z, c, 10, r);
    IF_J(n) {
        const vd l = vd_sub(f[j], vd_mul(s[j], vd_sub(f[j], vd_mul(z[j], r[j]))));
        x[j] = vd_add(vd_mul(ed[j], vd_set1(0x1.62e42feep-1)),
                      vd_add(vd_mul(ed[j], vd_set1(0x1.a39ef35793c76p-33)), l));
    }
}

/* if_sincosf on |x| <= pi/4 */
IF_INLINE void vsincosf(int n, const vf *x, vf *s, vf *c) {
    static const float cs[4] = {(float)(1.0 / 362880.0), (float)(-1.0 / 5040.0),
                                (float)(1.0 / 120.0), (float)(-1.0 / 6.0)};
    static const float cc[5] = {(float)(-1.0 / 3628800.0), (float)(1.0 / 40320.0),
                                (float)(-1.0 / 720.0), (float)(1.0 / 24.0), -0.5f};
    vf z[IF_NV];
    IF_J(n) z[j] = vf_mul(x[j], x[j]);
    vpolyf(n, z, cs, 4, s);
    vpolyf(n, z, cc, 5, c);
    IF_J(n) {
        s[j] = vf_add(x[j], vf_mul(x[j], vf_mul(z[j], s[j])));
        c[j] = vf_add(vf_set1(1.0f), vf_mul(z[j], c[j]));
    }
}

/* if_sincos on |x| <= pi/4 */
IF_INLINE void vsincos(int n, const vd *x, vd *s, vd *c) {
    static const double cs[8] = {1.0 / 355687428096000.0, -1.0 / 1307674368000.0,
                                 1.0 / 6227020800.0, -1.0 / 39916800.0, 1.0 / 362880.0,
                                 -1.0 / 5040.0, 1.0 / 120.0, -1.0 / 6.0};
    static const double cc[8] = {1.0 / 20922789888000.0, -1.0 / 87178291200.0,
                                 1.0 / 479001600.0, -1.0 / 3628800.0, 1.0 / 40320.0,
                                 -1.0 / 720.0, 1.0 / 24.0, -0.5};
    vd z[IF_NV];
    IF_J(n) z[j] = vd_mul(x[j], x[j]);
    vpolyd(n, z, cs, 8, s);
    vpolyd(n, z, cc, 8, c);
    IF_J(n) {
        s[j] = vd_add(x[j], vd_mul(x[j], vd_mul(z[j], s[j])));
        c[j] = vd_add(vd_set1(1.0), vd_mul(z[j], c[j]));
    }
}

/* if_tn_h_f32 of s4 lanes in [IF_TN_F32_CENTRAL, 1], in place (other lanes get
 * finite values of no meaning). */
IF_INLINE void vtn_h_f32(int n, vf *s4) {
    vf x[IF_NV];
    vlogf(n, s4);
    IF_J(n) {
        x[j] = vf_sub(vf_set1(-1.5f), s4[j]);
        s4[j] = vf_set1(if_tn_h_f32_c[0]);
    }
    for (int k = 1; k < 8; ++k) IF_J(n) s4[j] = vf_fma(x[j], s4[j], vf_set1(if_tn_h_f32_c[k]));
}

static const double if_as241_a[8] = {
    2.5090809287301226727e+3, 3.3430575583588128105e+4, 6.7265770927008700853e+4,
    4.5921953931549871457e+4, 1.3731693765509461125e+4, 1.9715909503065514427e+3,
    1.3314166789178437745e+2, 3.3871328727963666080};
static const double if_as241_b[8] = {
    5.2264952788528545610e+3, 2.8729085735721942674e+4, 3.9307895800092710610e+4,
    2.1213794301586595867e+4, 5.3941960214247511077e+3, 6.8718700749205790830e+2,
    4.2313330701600911252e+1, 1.0};
static const double if_as241_c[8] = {
    7.74545014278341407640e-4, 2.27238449892691845833e-2, 2.41780725177450611770e-1,
    1.27045825245236838258, 3.64784832476320460504, 5.76949722146069140550,
    4.63033784615654529590, 1.42343711074968357734};
static const double if_as241_d[8] = {
    1.05075007164441684324e-9, 5.47593808499534494600e-4, 1.51986665636164571966e-2,
    1.48103976427480074590e-1, 6.89767334985100004550e-1, 1.67638483018380384940,
    2.05319162663775882187, 1.0};
static const double if_as241_e[8] = {
    2.01033439929228813265e-7, 2.71155556874348757815e-5, 1.24266094738807843860e-3,
    2.65321895265761230930e-2, 2.96560571828504891230e-1, 1.78482653991729133580,
    5.46378491116411436990, 6.65790464350110377720};
static const double if_as241_f[8] = {
    2.04426310338993978564e-15, 1.42151175831644588870e-7, 1.84631831751005468180e-5,
    7.86869131145613259100e-4, 1.48753612908506148525e-2, 1.36929880922735805310e-1,
    5.99832206555887937690e-1, 1.0};

/* if_ppnd's central branch (|p - 1/2| <= 0.425), on every lane, in place */
IF_INLINE void vppnd_central(int n, vd *p) {
    vd q[IF_NV], r[IF_NV], num[IF_NV], den[IF_NV];
    IF_J(n) q[j] = vd_sub(p[j], vd_set1(0.5));
    IF_J(n) r[j] = vd_sub(vd_set1(0.180625), vd_mul(q[j], q[j]));
    vpolyd(n, r, if_as241_a, 8, num);
    vpolyd(n, r, if_as241_b, 8, den);
    IF_J(n) p[j] = vd_div(vd_mul(q[j], num[j]), den[j]);
}

/* if_ppnd's tail branches (|p - 1/2| > 0.425), on every lane, in place */
IF_INLINE void vppnd_tail(int n, vd *p) {
    vd r[IF_NV], x[IF_NV], num[IF_NV], den[IF_NV];
    md neg[IF_NV], near[IF_NV];
    int far = 0;
    IF_J(n) {
        neg[j] = vd_lt(vd_sub(p[j], vd_set1(0.5)), vd_set1(0.0));
        r[j] = vd_sel(neg[j], p[j], vd_sub(vd_set1(1.0), p[j]));
    }
    vlog(n, r);
    IF_J(n) {
        r[j] = vd_sqrt(vd_neg(r[j]));
        near[j] = vd_le(r[j], vd_set1(5.0));
        far |= !md_all(near[j]);
        x[j] = vd_sub(r[j], vd_set1(1.6));
    }
    vpolyd(n, x, if_as241_c, 8, num);
    vpolyd(n, x, if_as241_d, 8, den);
    IF_J(n) x[j] = vd_div(num[j], den[j]);
    if (far) {
        IF_J(n) r[j] = vd_sub(r[j], vd_set1(5.0));
        vpolyd(n, r, if_as241_e, 8, num);
        vpolyd(n, r, if_as241_f, 8, den);
        IF_J(n) x[j] = vd_sel(near[j], x[j], vd_div(num[j], den[j]));
    }
    IF_J(n) p[j] = vd_sel(neg[j], vd_neg(x[j]), x[j]);
}

IF_INLINE md vppnd_is_central(vd p) {
    const vd q = vd_sub(p, vd_set1(0.5));
    return md_and(vd_ge(q, vd_set1(-0.425)), vd_le(q, vd_set1(0.425)));
}

/* if_ppnd: Phi^-1(p) for 0 < p < 1 (AS241), in place. */
IF_INLINE void vppnd(int n, vd *p) {
    md central[IF_NV];
    int all = 1, none = 1;
    IF_J(n) {
        central[j] = vppnd_is_central(p[j]);
        all &= md_all(central[j]);
        none &= !md_any(central[j]);
    }
    if (all) {
        vppnd_central(n, p);
    } else if (none) {
        vppnd_tail(n, p);
    } else {
        vd t[IF_NV];
        IF_J(n) t[j] = p[j];
        vppnd_central(n, p);
        vppnd_tail(n, t);
        IF_J(n) p[j] = vd_sel(central[j], p[j], t[j]);
    }
}

#endif /* INITFILL_VMATH_H */

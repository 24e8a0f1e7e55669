/* simd/vmath.h - fmath.h's log, sincos and inverse normal CDF on vectors.
 *
 * Written against the primitives of one simd/vec_*.h header (included first).  Each
 * function performs, lane by lane, exactly the operations of its scalar counterpart
 * in fmath.h in the same order (no FMA: setup.py passes -ffp-contract=off), so every
 * lane equals the scalar result bit for bit.  Where the scalar code branches, both
 * sides are computed when the lanes disagree and the right one is selected. */
#ifndef INITFILL_VMATH_H
#define INITFILL_VMATH_H

/* if_logf: natural log of positive normal float32 lanes. */
IF_INLINE vf vlogf(vf x) {
    const vi b = vf_bits(x);
    vi e = vi_sub32(vi_srl32(b, 23), vi_set1_32(127));
    vf m = vf_of_bits(vi_or(vi_and(b, vi_set1_32(0x007FFFFF)), vi_set1_32(0x3F800000)));
    const mf big = vf_gt(m, vf_set1(1.41421356f));
    m = vf_sel(big, vf_mul(m, vf_set1(0.5f)), m);
    e = vi_inc_where(e, big);
    const vf f = vf_sub(m, vf_set1(1.0f));
    const vf s = vf_div(f, vf_add(vf_set1(2.0f), f));
    const vf z = vf_mul(s, s);
    vf r = vf_add(vf_set1((float)(2.0 / 7.0)), vf_mul(z, vf_set1((float)(2.0 / 9.0))));
    r = vf_add(vf_set1((float)(2.0 / 5.0)), vf_mul(z, r));
    r = vf_add(vf_set1((float)(2.0 / 3.0)), vf_mul(z, r));
    r = vf_mul(z, r);
    const vf l = vf_sub(f, vf_mul(s, vf_sub(f, r)));
    const vf ef = vf_from_i32(e);
    return vf_add(vf_mul(ef, vf_set1(0x1.62e4p-1f)),
                  vf_add(vf_mul(ef, vf_set1(0x1.7f7d1cp-20f)), l));
}

/* if_log: natural log of positive normal float64 lanes. */
IF_INLINE vd vlog(vd x) {
    const vi b = vd_bits(x);
    /* (double)e, exactly: the exponent field is below 2^11 */
    const vd eb = vd_from_u52(vi_srl64(b, 52));
    vd m = vd_of_bits(vi_or(vi_and(b, vi_set1_64(UINT64_C(0x000FFFFFFFFFFFFF))),
                            vi_set1_64(UINT64_C(0x3FF0000000000000))));
    const md big = vd_gt(m, vd_set1(1.4142135623730951));
    m = vd_sel(big, vd_mul(m, vd_set1(0.5)), m);
    const vd ed = vd_sub(eb, vd_sel(big, vd_set1(1022.0), vd_set1(1023.0)));
    const vd f = vd_sub(m, vd_set1(1.0));
    const vd s = vd_div(f, vd_add(vd_set1(2.0), f));
    const vd z = vd_mul(s, s);
    vd r = vd_add(vd_set1(2.0 / 19.0), vd_mul(z, vd_set1(2.0 / 21.0)));
    r = vd_add(vd_set1(2.0 / 17.0), vd_mul(z, r));
    r = vd_add(vd_set1(2.0 / 15.0), vd_mul(z, r));
    r = vd_add(vd_set1(2.0 / 13.0), vd_mul(z, r));
    r = vd_add(vd_set1(2.0 / 11.0), vd_mul(z, r));
    r = vd_add(vd_set1(2.0 / 9.0), vd_mul(z, r));
    r = vd_add(vd_set1(2.0 / 7.0), vd_mul(z, r));
    r = vd_add(vd_set1(2.0 / 5.0), vd_mul(z, r));
    r = vd_add(vd_set1(2.0 / 3.0), vd_mul(z, r));
    r = vd_mul(z, r);
    const vd l = vd_sub(f, vd_mul(s, vd_sub(f, r)));
    return vd_add(vd_mul(ed, vd_set1(0x1.62e42feep-1)),
                  vd_add(vd_mul(ed, vd_set1(0x1.a39ef35793c76p-33)), l));
}

/* if_sincosf on |x| <= pi/4 */
IF_INLINE void vsincosf(vf x, vf *s, vf *c) {
    const vf z = vf_mul(x, x);
    vf ps = vf_add(vf_set1((float)(-1.0 / 5040.0)), vf_mul(z, vf_set1((float)(1.0 / 362880.0))));
    ps = vf_add(vf_set1((float)(1.0 / 120.0)), vf_mul(z, ps));
    ps = vf_add(vf_set1((float)(-1.0 / 6.0)), vf_mul(z, ps));
    *s = vf_add(x, vf_mul(x, vf_mul(z, ps)));
    vf pc = vf_add(vf_set1((float)(1.0 / 40320.0)), vf_mul(z, vf_set1((float)(-1.0 / 3628800.0))));
    pc = vf_add(vf_set1((float)(-1.0 / 720.0)), vf_mul(z, pc));
    pc = vf_add(vf_set1((float)(1.0 / 24.0)), vf_mul(z, pc));
    pc = vf_add(vf_set1(-0.5f), vf_mul(z, pc));
    *c = vf_add(vf_set1(1.0f), vf_mul(z, pc));
}

/* if_sincos on |x| <= pi/4 */
IF_INLINE void vsincos(vd x, vd *s, vd *c) {
    const vd z = vd_mul(x, x);
    vd ps;
    ps = vd_add(vd_set1(-1.0 / 1307674368000.0), vd_mul(z, vd_set1(1.0 / 355687428096000.0)));
    ps = vd_add(vd_set1(1.0 / 6227020800.0), vd_mul(z, ps));
    ps = vd_add(vd_set1(-1.0 / 39916800.0), vd_mul(z, ps));
    ps = vd_add(vd_set1(1.0 / 362880.0), vd_mul(z, ps));
    ps = vd_add(vd_set1(-1.0 / 5040.0), vd_mul(z, ps));
    ps = vd_add(vd_set1(1.0 / 120.0), vd_mul(z, ps));
    ps = vd_add(vd_set1(-1.0 / 6.0), vd_mul(z, ps));
    *s = vd_add(x, vd_mul(x, vd_mul(z, ps)));
    vd pc = vd_add(vd_set1(-1.0 / 87178291200.0), vd_mul(z, vd_set1(1.0 / 20922789888000.0)));
    pc = vd_add(vd_set1(1.0 / 479001600.0), vd_mul(z, pc));
    pc = vd_add(vd_set1(-1.0 / 3628800.0), vd_mul(z, pc));
    pc = vd_add(vd_set1(1.0 / 40320.0), vd_mul(z, pc));
    pc = vd_add(vd_set1(-1.0 / 720.0), vd_mul(z, pc));
    pc = vd_add(vd_set1(1.0 / 24.0), vd_mul(z, pc));
    pc = vd_add(vd_set1(-0.5), vd_mul(z, pc));
    *c = vd_add(vd_set1(1.0), vd_mul(z, pc));
}

/* ((((((c[0] r + c[1]) r + c[2]) ... ) r + c[7], as fmath.h writes AS241's polynomials */
IF_INLINE vd vhorner8(vd r, const double c[8]) {
    vd a = vd_add(vd_mul(vd_set1(c[0]), r), vd_set1(c[1]));
    for (int k = 2; k < 8; ++k) a = vd_add(vd_mul(a, r), vd_set1(c[k]));
    return a;
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

/* if_ppnd's central branch (|p - 1/2| <= 0.425), on every lane */
IF_INLINE vd vppnd_central(vd p) {
    const vd q = vd_sub(p, vd_set1(0.5));
    const vd r = vd_sub(vd_set1(0.180625), vd_mul(q, q));
    return vd_div(vd_mul(q, vhorner8(r, if_as241_a)), vhorner8(r, if_as241_b));
}

/* if_ppnd's tail branches (|p - 1/2| > 0.425), on every lane */
IF_INLINE vd vppnd_tail(vd p) {
    const vd q = vd_sub(p, vd_set1(0.5));
    const md neg = vd_lt(q, vd_set1(0.0));
    vd r = vd_sel(neg, p, vd_sub(vd_set1(1.0), p));
    r = vd_sqrt(vd_neg(vlog(r)));
    const md near = vd_le(r, vd_set1(5.0));
    const vd x = vd_sub(r, vd_set1(1.6));
    vd v = vd_div(vhorner8(x, if_as241_c), vhorner8(x, if_as241_d));
    if (!md_all(near)) {
        const vd y = vd_sub(r, vd_set1(5.0));
        v = vd_sel(near, v, vd_div(vhorner8(y, if_as241_e), vhorner8(y, if_as241_f)));
    }
    return vd_sel(neg, vd_neg(v), v);
}

IF_INLINE md vppnd_is_central(vd p) {
    const vd q = vd_sub(p, vd_set1(0.5));
    return md_and(vd_ge(q, vd_set1(-0.425)), vd_le(q, vd_set1(0.425)));
}

/* if_ppnd: Phi^-1(p) for 0 < p < 1 (AS241). */
IF_INLINE vd vppnd(vd p) {
    const md central = vppnd_is_central(p);
    if (md_all(central)) return vppnd_central(p);
    if (!md_any(central)) return vppnd_tail(p);
    return vd_sel(central, vppnd_central(p), vppnd_tail(p));
}

#endif /* INITFILL_VMATH_H */

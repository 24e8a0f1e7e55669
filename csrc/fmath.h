/* initfill/fmath.h - the project's own elementary functions.
 *
 * Every per-element computation of initfill uses only IEEE-754 add, subtract,
 * multiply, divide, sqrt, comparisons and exact integer<->float conversions, in a
 * fixed order and never contracted into FMA (the build passes -ffp-contract=off);
 * the one fused multiply-add, in if_tn_h_f32's Horner steps, is an explicit fmaf,
 * correctly rounded by definition (C11 7.12.13.1) on every C library, and the
 * vector code uses the FMA instruction at the same step.
 * No libm call happens per element, so the values are the same on every libm, and a
 * SIMD kernel that performs the same operations in the same order reproduces them
 * bit for bit.
 *
 * log:    x = 2^e * m, m in [sqrt(1/2), sqrt(2)), f = m - 1, s = f / (2 + f);
 *         log(1 + f) = 2 atanh(s) = f - s (f - R(s^2)), R from the atanh series
 *         (the fdlibm arrangement; the series coefficients are exact 2/(2k+1)).
 * sincos: Taylor series on |x| <= pi/4; callers reduce the angle by quadrant in
 *         integer arithmetic, so no floating-point argument reduction is needed.
 * tn_h_f32: the float32 central inverse normal CDF of algorithm version 2, after
 *         Giles' change of variable ("Approximating the erfinv function", GPU
 *         Computing Gems Jade Edition, 2011): with y = 2p - 1 and
 *         w = -log(1 - y^2) = -log(4p(1-p)), Phi^-1(p) = y H(w), H smooth and nearly
 *         linear in w.  H is a degree-7 polynomial fitted here (minimax relative
 *         error 2.0e-8 on 0 <= w <= 3.06; tests/fit_trunc_normal_f32.py), not Giles'
 *         single-precision coefficients (4.6 float32 ulp on +-2 sigma when measured).
 * ppnd:   Wichura's algorithm AS241 (PPND16), "The percentage points of the normal
 *         distribution", Applied Statistics 37 (1988) 477-484, relative accuracy
 *         about 1e-16; the coefficients below are those published there.
 *
 * The conversions of random words to uniforms are in uniform_bits.h.
 */
#ifndef INITFILL_FMATH_H
#define INITFILL_FMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>
#include "config.h"

/* ---------------------------------------------------------------------- log */

/* Natural log of a positive, finite, normal float32. */
IF_INLINE float if_logf(float x) {
    uint32_t b;
    memcpy(&b, &x, sizeof b);
    int32_t e = (int32_t)(b >> 23) - 127;
    uint32_t mb = (b & UINT32_C(0x007FFFFF)) | UINT32_C(0x3F800000);
    float m;
    memcpy(&m, &mb, sizeof m);
    if (m > 1.41421356f) {
        m = m * 0.5f;
        e = e + 1;
    }
    const float f = m - 1.0f;
    const float s = f / (2.0f + f);
    const float z = s * s;
    const float r = z * ((float)(2.0 / 3.0) +
                    z * ((float)(2.0 / 5.0) +
                    z * ((float)(2.0 / 7.0) +
                    z * (float)(2.0 / 9.0))));
    const float l = f - s * (f - r);
    const float ef = (float)e;
    /* ln2 split so that e * hi is exact for |e| < 2^8. */
    return ef * 0x1.62e4p-1f + (ef * 0x1.7f7d1cp-20f + l);
}

/* Natural log of a positive, finite, normal float64. */
IF_INLINE double if_log(double x) {
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    int64_t e = (int64_t)(b >> 52) - 1023;
    uint64_t mb = (b & UINT64_C(0x000FFFFFFFFFFFFF)) | UINT64_C(0x3FF0000000000000);
    double m;
    memcpy(&m, &mb, sizeof m);
    if (m > 1.4142135623730951) {
        m = m * 0.5;
        e = e + 1;
    }
    const double f = m - 1.0;
    const double s = f / (2.0 + f);
    const double z = s * s;
    const double r = z * (2.0 / 3.0 + z * (2.0 / 5.0 + z * (2.0 / 7.0 +
                     z * (2.0 / 9.0 + z * (2.0 / 11.0 + z * (2.0 / 13.0 +
                     z * (2.0 / 15.0 + z * (2.0 / 17.0 + z * (2.0 / 19.0 +
                     z * (2.0 / 21.0))))))))));
    const double l = f - s * (f - r);
    const double ed = (double)e;
    /* ln2 split so that e * hi is exact for |e| < 2^21. */
    return ed * 0x1.62e42feep-1 + (ed * 0x1.a39ef35793c76p-33 + l);
}

/* ------------------------------------------------------------------- sincos */

/* sin and cos of |x| <= pi/4, float32, errors below 1 ulp + rounding. */
IF_INLINE void if_sincosf(float x, float *s, float *c) {
    const float z = x * x;
    *s = x + x * (z * ((float)(-1.0 / 6.0) +
                  z * ((float)(1.0 / 120.0) +
                  z * ((float)(-1.0 / 5040.0) +
                  z * (float)(1.0 / 362880.0)))));
    *c = 1.0f + z * (-0.5f +
                z * ((float)(1.0 / 24.0) +
                z * ((float)(-1.0 / 720.0) +
                z * ((float)(1.0 / 40320.0) +
                z * (float)(-1.0 / 3628800.0)))));
}

/* sin and cos of |x| <= pi/4, float64. */
IF_INLINE void if_sincos(double x, double *s, double *c) {
    const double z = x * x;
    *s = x + x * (z * (-1.0 / 6.0 + z * (1.0 / 120.0 + z * (-1.0 / 5040.0 +
                  z * (1.0 / 362880.0 + z * (-1.0 / 39916800.0 +
                  z * (1.0 / 6227020800.0 + z * (-1.0 / 1307674368000.0 +
                  z * (1.0 / 355687428096000.0)))))))));
    *c = 1.0 + z * (-0.5 + z * (1.0 / 24.0 + z * (-1.0 / 720.0 +
                z * (1.0 / 40320.0 + z * (-1.0 / 3628800.0 +
                z * (1.0 / 479001600.0 + z * (-1.0 / 87178291200.0 +
                z * (1.0 / 20922789888000.0))))))));
}

/* ---------------------------------------------------- inverse normal CDF (AS241) */

/* Phi^-1(p) for 0 < p < 1.  Accurate in the lower tail for any normal p; for
 * p > 1/2 outside the central region pass the complement and negate instead. */
IF_INLINE double if_ppnd(double p) {
    const double q = p - 0.5;
    if (q >= -0.425 && q <= 0.425) {
        const double r = 0.180625 - q * q;
        const double num = ((((((2.5090809287301226727e+3 * r +
            3.3430575583588128105e+4) * r + 6.7265770927008700853e+4) * r +
            4.5921953931549871457e+4) * r + 1.3731693765509461125e+4) * r +
            1.9715909503065514427e+3) * r + 1.3314166789178437745e+2) * r +
            3.3871328727963666080;
        const double den = ((((((5.2264952788528545610e+3 * r +
            2.8729085735721942674e+4) * r + 3.9307895800092710610e+4) * r +
            2.1213794301586595867e+4) * r + 5.3941960214247511077e+3) * r +
            6.8718700749205790830e+2) * r + 4.2313330701600911252e+1) * r + 1.0;
        return q * num / den;
    }
    double r = q < 0.0 ? p : 1.0 - p;
    r = __builtin_sqrt(-if_log(r));
    double v;
    if (r <= 5.0) {
        r = r - 1.6;
        const double num = ((((((7.74545014278341407640e-4 * r +
            2.27238449892691845833e-2) * r + 2.41780725177450611770e-1) * r +
            1.27045825245236838258) * r + 3.64784832476320460504) * r +
            5.76949722146069140550) * r + 4.63033784615654529590) * r +
            1.42343711074968357734;
        const double den = ((((((1.05075007164441684324e-9 * r +
            5.47593808499534494600e-4) * r + 1.51986665636164571966e-2) * r +
            1.48103976427480074590e-1) * r + 6.89767334985100004550e-1) * r +
            1.67638483018380384940) * r + 2.05319162663775882187) * r + 1.0;
        v = num / den;
    } else {
        r = r - 5.0;
        const double num = ((((((2.01033439929228813265e-7 * r +
            2.71155556874348757815e-5) * r + 1.24266094738807843860e-3) * r +
            2.65321895265761230930e-2) * r + 2.96560571828504891230e-1) * r +
            1.78482653991729133580) * r + 5.46378491116411436990) * r +
            6.65790464350110377720;
        const double den = ((((((2.04426310338993978564e-15 * r +
            1.42151175831644588870e-7) * r + 1.84631831751005468180e-5) * r +
            7.86869131145613259100e-4) * r + 1.48753612908506148525e-2) * r +
            1.36929880922735805310e-1) * r + 5.99832206555887937690e-1) * r + 1.0;
        v = num / den;
    }
    return q < 0.0 ? -v : v;
}

/* ------------------------------------- float32 central inverse normal CDF (v2) */

/* The central range of if_tn_h_f32: 4 p (1 - p) >= 3/64, i.e. p in [0.011859,
 * 0.988141], |Phi^-1(p)| <= 2.2621. */
#define IF_TN_F32_CENTRAL 0.046875

/* H(w) = Phi^-1(p) / (2p - 1) for w = -log(4 p (1 - p)) in [0, 3.0603]; Horner in
 * x = w - 1.5, highest coefficient first, each step one fmaf. */
static const float if_tn_h_f32_c[8] = {
    -0x1.30586p-23f, -0x1.cc79d8p-18f, 0x1.153718p-15f, 0x1.065c2ep-12f,
    -0x1.83db6p-9f,  0x1.4647fp-10f,   0x1.6a9048p-2f,  0x1.c54ba8p+0f};

/* H of s4 = 4 p (1 - p) in [IF_TN_F32_CENTRAL, 1], in float32 arithmetic. */
IF_INLINE float if_tn_h_f32(float s4) {
    const float x = -1.5f - if_logf(s4);
    float r = if_tn_h_f32_c[0];
    for (int k = 1; k < 8; ++k) r = fmaf(x, r, if_tn_h_f32_c[k]);
    return r;
}

/* log of the Mills-ratio correction h(x) = x Q(x) / phi(x) for x >= 30, from its
 * asymptotic series sum (-1)^n (2n-1)!! / x^(2n); the first omitted term is below
 * 5e-18 there. */
IF_INLINE double if_log_mills_h(double x) {
    const double w = 1.0 / (x * x);
    const double h = 1.0 + w * (-1.0 + w * (3.0 + w * (-15.0 + w * (105.0 +
                     w * (-945.0 + w * (10395.0 + w * (-135135.0)))))));
    return if_log(h);
}

#endif /* INITFILL_FMATH_H */

/* special.c - exp, expm1 and Phi with only +, -, *, /, sqrt and bit manipulation.
 *
 * exp: x = k ln2 + r with |r| <= ln2/2 (Cody-Waite split of ln2, exact k ln2_hi),
 *      Taylor series of e^r to r^13/13! (truncation < 5e-18), then scaling by 2^k
 *      built from the exponent bits (in two steps for subnormal results).
 * Phi: Phi(x) = 1/2 + phi(x) sum x^(2n+1) / (2n+1)!! for -1/2 <= x <= 1;
 *      x < -1/2: Phi(x) = phi(x) / CF(|x|), with Laplace's continued fraction
 *                CF(t) = t + 1/(t + 2/(t + 3/(t + ...))) evaluated backwards from a
 *                depth chosen from t (error below 1e-17);
 *      x > 1:    1 - Phi(-x).
 *      phi(t) = e^(-t^2/2) / sqrt(2 pi) with t^2 split exactly (Dekker), so the
 *      exponent carries no rounding error that e^ would magnify for large t.
 */
#include <math.h> /* INFINITY only: no libm function is called */
#include <stdint.h>
#include <string.h>

#include "special.h"

static double pow2i(int k) { /* 2^k for -1022 <= k <= 1023 */
    const uint64_t b = (uint64_t)(k + 1023) << 52;
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

double if_exp(double x) {
    if (x != x) return x;
    if (x > 709.0) return (double)INFINITY;
    if (x < -746.0) return 0.0;
    const double t = x * 1.4426950408889634 + (x < 0.0 ? -0.5 : 0.5);
    const int k = (int)t; /* round half away from zero */
    const double r = (x - (double)k * 0x1.62e42feep-1) - (double)k * 0x1.a39ef35793c76p-33;
    double p = 1.0 / 6227020800.0; /* 1/13! */
    static const double inv_fact[13] = {
        1.0, 1.0, 1.0 / 2.0, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0,
        1.0 / 5040.0, 1.0 / 40320.0, 1.0 / 362880.0, 1.0 / 3628800.0,
        1.0 / 39916800.0, 1.0 / 479001600.0};
    for (int i = 12; i >= 0; --i) p = p * r + inv_fact[i];
    if (k < -1021) return p * pow2i(k + 600) * pow2i(-600);
    return p * pow2i(k);
}

double if_expm1(double x) {
    if (x > -0.5 && x < 0.5) {
        /* Taylor series to x^20/20!: truncation below 1e-25 for |x| < 1/2. */
        double p = 0.0, f = 1.0;
        double inv[21];
        for (int i = 1; i <= 20; ++i) {
            f = f * (double)i;
            inv[i] = 1.0 / f;
        }
        for (int i = 20; i >= 1; --i) p = p * x + inv[i];
        return p * x;
    }
    return if_exp(x) - 1.0;
}

/* e^(-t^2/2) with t^2 formed exactly as hi + lo. */
static double exp_half_sq(double t) {
    const double c = t * 134217729.0; /* 2^27 + 1: Veltkamp split */
    const double th = c - (c - t);
    const double tl = t - th;
    const double hi = th * th;
    const double lo = 2.0 * th * tl + tl * tl;
    return if_exp(-0.5 * hi) * if_exp(-0.5 * lo);
}

#define IF_INV_SQRT_2PI 0.39894228040143267794

double if_ncdf(double x) {
    if (x != x) return x;
    if (x >= -0.5 && x <= 1.0) {
        double term = x, sum = x;
        const double x2 = x * x;
        for (int n = 1; n <= 24; ++n) {
            term = term * x2 / (double)(2 * n + 1);
            sum += term;
        }
        return 0.5 + IF_INV_SQRT_2PI * exp_half_sq(x) * sum;
    }
    if (x > 1.0) return 1.0 - if_ncdf(-x);
    if (x < -40.0) return 0.0;
    const double t = -x;
    const int depth = (int)(400.0 / (t * t)) + 24;
    double g = t;
    for (int k = depth; k >= 1; --k) g = t + (double)k / g;
    return IF_INV_SQRT_2PI * exp_half_sq(t) / g;
}

"""Maintainer tool: fit the float32 polynomial H of the truncated normal (version 2).

Not used by the build or the tests.  Prints the coefficients of csrc/fmath.h's
if_tn_h_f32_c and the largest error of the float32 evaluation, emulated operation by
operation in NumPy float32 (fmaf through float64) (if_logf included), over the central range:
    python tests/fit_trunc_normal_f32.py

Phi^-1(p) = y H(w) with y = 2p - 1 and w = -log(4p(1-p)) (the change of variable of
M. Giles, "Approximating the erfinv function", GPU Computing Gems Jade Edition,
2011).  H is fitted on 0 <= w <= -log(3/64) by least squares on Chebyshev nodes,
reweighted toward equal relative error (Lawson's iteration), in x = w - 1.5.
"""
import numpy as np
from scipy.special import ndtri

F = np.float32
CENTRAL = 0.046875  # IF_TN_F32_CENTRAL: 4p(1-p) >= 3/64
DEGREE = 7
SHIFT = 1.5
L_HI, L_LO = F(float.fromhex("0x1.62e4p-1")), F(float.fromhex("0x1.7f7d1cp-20"))


def logf(x):
    """fmath.h's if_logf, in float32."""
    b = np.asarray(x, F).view(np.uint32)
    e = (b >> 23).astype(np.int32) - 127
    m = ((b & 0x7FFFFF) | 0x3F800000).astype(np.uint32).view(F)
    big = m > F(1.41421356)
    m = np.where(big, m * F(0.5), m).astype(F)
    e = e + big
    f = (m - F(1)).astype(F)
    s = (f / (F(2) + f)).astype(F)
    z = (s * s).astype(F)
    r = (z * (F(2 / 3) + z * (F(2 / 5) + z * (F(2 / 7) + z * F(2 / 9))))).astype(F)
    lg = (f - s * (f - r)).astype(F)
    ef = e.astype(F)
    return (ef * L_HI + (ef * L_LO + lg)).astype(F)


def h_exact(w):
    y = np.sqrt(-np.expm1(-w))
    p = np.exp(-w) / (2 * (1 + y))
    return np.where(y == 0, np.sqrt(2 * np.pi) / 2, ndtri(p) / -np.where(y == 0, 1, y))


def fit():
    n = 3000
    wmax = -np.log(CENTRAL) * 1.0005
    w = np.cos(np.pi * (np.arange(n) + 0.5) / n) * wmax / 2 + wmax / 2
    h, x = h_exact(w), w - SHIFT
    weight = np.ones(n)
    v = np.vander(x, DEGREE + 1)
    for _ in range(30):
        sw = np.sqrt(weight)
        c, *_ = np.linalg.lstsq(v / h[:, None] * sw[:, None], sw, rcond=None)
        err = np.abs(v @ c / h - 1)
        weight = weight * err / err.mean()
        weight /= weight.sum()
    return [F(k) for k in c], err.max()


def value(coef, y):
    """tn_value's central branch for std 1, mean 0: (float)(y H((float)(1 - y^2))).

    fmaf is emulated in float64, which can round differently from a true fmaf in
    rare double-rounding cases (an error estimate, not the bits)."""
    s4 = (1 - y * y).astype(F)
    x = (F(-SHIFT) - logf(s4)).astype(F)
    r = np.full_like(x, coef[0])
    for k in coef[1:]:  # fmaf: x r is exact in float64; the sum rounded twice (to
        r = (x.astype(np.float64) * r + k).astype(F)  # float64, then float32)
    return (y * r.astype(np.float64)).astype(F).astype(np.float64), s4 >= F(CENTRAL)


def main():
    coef, rel = fit()
    print(f"relative error of the fit {rel:.2e}")
    print("coefficients:", ", ".join(float(k).hex() + "f" for k in coef))
    p = np.linspace(0, 0.5, 2**21)[1:]
    x, central = value(coef, 2 * p - 1)
    ref = ndtri(p)
    ulps = np.abs(x - ref) / np.spacing(np.abs(ref).astype(F)).astype(np.float64)
    print(f"largest error on the central range: {ulps[central].max():.2f} float32 ulp")


if __name__ == "__main__":
    main()

"""Statistical tests of initfill's distributions at large N.

Every test draws from fixed seeds and streams, so its outcome is deterministic: the
thresholds are chosen so that a correct generator would fail them with probability
below about 1e-6 (p-values > 1e-6, or bounds of 6 standard errors, P ~ 2e-9), and the
frozen stream makes a passing test pass forever.  What they detect (checked when they
were written, by feeding them deliberately wrong samples): a std off by 1%, a mean
shifted by 0.01 std, a truncation bound off by 1%, a correlation of 0.01 between
neighbours, a Box-Muller pair that is not radially symmetric.

References used below:

- the two-sided one-sample Kolmogorov-Smirnov distribution is ``scipy.stats.kstwo``;
- the Anderson-Darling statistic with a fully specified CDF has the asymptotic law of
  ``sum_j chi2_1 / (j (j + 1))`` (Anderson & Darling, Ann. Math. Stat. 23 (1952)
  193-212); its critical value for p = 1e-6 is bounded with a Chernoff bound, see
  :data:`AD_CRIT`;
- the truncated normal law is evaluated in log space with ``scipy.special.log_ndtr``
  (accurate to the far tails, beyond 30 standard deviations, where
  ``scipy.stats.truncnorm`` is not designed to be accurate).

float32 samples are discrete: where the spacing of float32 values is not negligible
against the spread of the law (narrow intervals, far tails, uniform ranges of a few
ulps) the test is a chi-square against the *rounded* law, whose bins end at float32
rounding midpoints (or, for float32 uniforms, which are rounded down, at the float32
values), so that it is exact whatever the discreteness.

The last section goes below what sampling can see: the uniforms behind each value are
a fixed function of the Philox words that ``bits_`` returns, so every normal and
truncated-normal value is compared with the exact transform of its own uniforms
(a few ulps).  Two approximations that no test at these N can tell from the exact law
-- x = t + E/t beyond 30 sigma, and a flat density on intervals of width 1e-2 sigma --
are caught there.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

import initfill

# ------------------------------------------------------------------------- helpers

P_MIN = 1e-6        # smallest p-value a correct generator is allowed
K_SE = 6.0          # bound in standard errors: two-sided P = 2e-9 for a normal statistic

# Anderson-Darling: for the asymptotic null law A2 = sum_j l_j chi2_1, l_j = 1/(j(j+1)),
# Chernoff gives P(A2 > z) <= exp(-t z) prod_j (1 - 2 t l_j)^(-1/2) for 0 < t < 1; at
# t = 0.969 that is 1.0e-6 for z = 16.6 and 7e-7 for z = 17.  (The usual closed-form
# fit of Marsaglia & Marsaglia (2004) underestimates this far tail: it puts p = 1e-6
# at A2 = 10.9, where the first term alone already has P(chi2_1 / 2 > 10.9) = 3e-6.)
AD_CRIT = 17.0

N_BIG = 1 << 22     # plain normal/uniform samples
N_MID = 1 << 20     # each truncated-normal case


def ks_pvalue(x, cdf):
    """Two-sided one-sample KS statistic and exact-law p-value."""
    xs = np.sort(np.asarray(x, dtype=np.float64))
    n = xs.size
    f = cdf(xs)
    i = np.arange(1, n + 1, dtype=np.float64)
    d = max(float(np.max(i / n - f)), float(np.max(f - (i - 1) / n)))
    return d, float(stats.kstwo.sf(d, n))


def ad_statistic(x, logcdf, logsf):
    """Anderson-Darling A2 of `x` against a fully specified continuous law."""
    xs = np.sort(np.asarray(x, dtype=np.float64))
    n = xs.size
    w = 2.0 * np.arange(1, n + 1, dtype=np.float64) - 1.0
    return float(-n - np.sum(w * (logcdf(xs) + logsf(xs[::-1]))) / n)


def _f32_ord(v):
    """float32 values -> integers in the same order, consecutive for neighbours."""
    b = np.asarray(v, dtype=np.float32).view(np.int32).astype(np.int64)
    return np.where(b < 0, -(b & 0x7FFFFFFF), b)


def _f32_from_ord(o):
    o = np.asarray(o, dtype=np.int64)
    b = np.where(o < 0, (-o) | 0x80000000, o).astype(np.uint32)
    return b.view(np.float32)


def output_grid(dtype, lo, hi, limit=4096):
    """All float32 values in [lo, hi] if there are at most `limit` of them, else None."""
    if dtype != np.float32:
        return None
    a, b = _f32_ord(np.float32(lo)), _f32_ord(np.float32(hi))
    if b - a + 1 > limit:
        return None
    return _f32_from_ord(np.arange(a, b + 1)).astype(np.float64)


def support32(lo, hi):
    """The float32 values nearest inside [lo, hi]: what clamping to [lo, hi] keeps."""
    big = float(np.finfo(np.float32).max)
    lo32 = -big if lo < -big else float(np.float32(lo))
    if lo32 < lo:
        lo32 = float(np.nextafter(np.float32(lo32), np.float32(np.inf)))
    hi32 = big if hi > big else float(np.float32(hi))
    if hi32 > hi:
        hi32 = float(np.nextafter(np.float32(hi32), np.float32(-np.inf)))
    return lo32, hi32


def uniform_support(dtype, low, high):
    """Smallest and largest value a uniform fill of [low, high) may return."""
    if dtype == np.float32:
        lo = support32(low, high)[0]
        hi = np.float32(high)
        if float(hi) >= high:
            hi = np.nextafter(hi, np.float32(-np.inf))
        return lo, float(hi)
    return low, float(np.nextafter(high, -np.inf))


def _merge_thin(counts, expected, min_expected=5.0):
    """Merge neighbouring bins until every bin expects at least `min_expected`."""
    oc, oe = [], []
    c_acc = e_acc = 0.0
    for c, e in zip(counts, expected):
        c_acc += c
        e_acc += e
        if e_acc >= min_expected:
            oc.append(c_acc)
            oe.append(e_acc)
            c_acc = e_acc = 0.0
    if e_acc > 0.0 or c_acc > 0.0:
        if oc:
            oc[-1] += c_acc
            oe[-1] += e_acc
        else:
            oc.append(c_acc)
            oe.append(e_acc)
    return np.array(oc), np.array(oe)


def binned_chi2(x, cdf, edges, support=None, exact64=False, rounding="nearest"):
    """Chi-square of the sample `x` against its law, in bins that end at output values.

    `edges` are cut points; each is rounded to a value v of the output dtype, and a bin
    ends after v: it holds exactly the outputs <= v.  Its expected mass is that of the
    continuous law below the rounding midpoint of v and its upper neighbour, i.e. the
    mass that round-to-nearest sends to values <= v (with ``rounding="down"``: below
    the upper neighbour itself, the mass that rounding down sends there).  Cut points
    are kept only for
    ``support[0] <= v < support[1]``, where `support` holds the smallest and largest
    value the fill may return (clamping puts the mass beyond them on them).  So the
    test is exact for round-to-nearest-and-clamp output however coarse the dtype's
    grid is against the law.  float32 midpoints are exact in float64; for float64
    samples the midpoint is formed in long double when `exact64` is set (`cdf` must
    then accept long double), else the float64 law is taken as continuous.
    Thin bins are merged.  Returns (p-value, number of bins); one bin gives p = 1.
    """
    x = np.asarray(x)
    xs = np.sort(x.astype(np.float64))
    n = xs.size
    lo, hi = support if support is not None else (-np.inf, np.inf)
    if x.dtype == np.float32:
        v = np.unique(np.asarray(edges, dtype=np.float64).astype(np.float32))
        v = v[(v >= lo) & (v < hi)]
        nxt = np.nextafter(v, np.float32(np.inf))
        if rounding == "down":
            mid = nxt.astype(np.float64)
        else:
            mid = (v.astype(np.float64) + nxt.astype(np.float64)) * 0.5
        v = v.astype(np.float64)
    else:
        v = np.unique(np.asarray(edges, dtype=np.float64))
        v = v[(v >= lo) & (v < hi)]
        if exact64 and rounding == "down":
            mid = np.nextafter(v, np.inf)
        elif exact64:
            nxt = np.nextafter(v, np.inf)
            mid = (v.astype(np.longdouble) + nxt.astype(np.longdouble)) / 2
        else:
            mid = v
    below = np.searchsorted(xs, v, side="right")
    counts = np.diff(np.concatenate(([0], below, [n]))).astype(np.float64)
    cum = np.clip(np.asarray(cdf(mid), dtype=np.float64), 0.0, 1.0)
    probs = np.diff(np.concatenate(([0.0], cum, [1.0])))
    bad = np.flatnonzero((probs <= 0.0) & (counts > 0))
    assert bad.size == 0, f"outputs where the law has no mass: bins {bad} of {v}"
    counts, expected = _merge_thin(counts, n * probs)
    if counts.size == 1:
        return 1.0, 1
    stat = float(np.sum((counts - expected) ** 2 / expected))
    return float(stats.chi2.sf(stat, counts.size - 1)), counts.size


def assert_mean_var(x, mu, sigma2, m4c):
    """Mean and variance within K_SE standard errors.

    `m4c` is the fourth central moment of the law, so the variance of the sample's
    second central moment about the true mean is (m4c - sigma2**2) / n.
    """
    xd = np.asarray(x, dtype=np.float64)
    n = xd.size
    dm = float(xd.mean()) - mu
    assert abs(dm) < K_SE * math.sqrt(sigma2 / n), (dm, math.sqrt(sigma2 / n))
    dv = float(np.mean((xd - mu) ** 2)) - sigma2
    se_v = math.sqrt((m4c - sigma2 ** 2) / n)
    assert abs(dv) < K_SE * se_v, (dv, se_v)


def assert_binomial(count, n, p):
    """`count` successes of `n` trials within K_SE binomial standard errors of n p."""
    sd = math.sqrt(n * p * (1.0 - p))
    assert abs(count - n * p) < K_SE * sd, (count, n * p, sd)


def assert_uncorrelated(a, b):
    """Pearson correlation of `a` and `b` within K_SE of zero.

    The standard error is estimated from the products themselves (sd of the centred
    products / sqrt(n)), so it is right also for dependent-but-uncorrelated pairs such
    as the two outputs of one Box-Muller draw.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    a = (a - a.mean()) / a.std()
    b = (b - b.mean()) / b.std()
    prod = a * b
    r = float(prod.mean())
    se = float(prod.std()) / math.sqrt(prod.size)
    assert abs(r) < K_SE * se, (r, se)
    return r


def norm_logsf(x):
    return special.log_ndtr(-x)


# ------------------------------------------------------- truncated normal reference

def _log_mass_lower(x, al):
    """log(Phi(x) - Phi(al)) for al <= x <= 0-ish, accurate in the far lower tail."""
    lx = special.log_ndtr(x)
    if np.isneginf(al):
        return lx
    with np.errstate(divide="ignore"):
        return lx + np.log(-np.expm1(special.log_ndtr(al) - lx))


def tn_cdf(x, mean, std, a, b):
    """CDF at `x` of N(mean, std**2) truncated to [a, b] (absolute bounds).

    Computed where the interval's mass is in the lower tail of N(0, 1) (reflecting
    z -> -z otherwise), as exp(log(Phi(z) - Phi(al)) - log(Phi(be) - Phi(al))) with
    ``log_ndtr`` and ``expm1``: relative accuracy ~1e-10 or better also for intervals
    of width 1e-6 sigma, and for bounds 40 or 10**4 sigma out.
    """
    z = (np.asarray(x, dtype=np.float64) - mean) / std
    al, be = (a - mean) / std, (b - mean) / std
    flip = al + be > 0
    if flip:
        z, al, be = -z, -be, -al
    z = np.clip(z, al, be)
    with np.errstate(divide="ignore"):
        g = np.exp(_log_mass_lower(z, al) - _log_mass_lower(np.float64(be), al))
    return 1.0 - g if flip else g


def tn_ppf(q, mean, std, a, b, iters=90):
    """Quantiles of the truncated law by bisection on tn_cdf (only used for bin edges)."""
    q = np.asarray(q, dtype=np.float64)
    al, be = (a - mean) / std, (b - mean) / std
    if math.isfinite(al):
        lo_z, hi_z = al, min(be, al + 60.0)
    elif math.isfinite(be):
        lo_z, hi_z = be - 60.0, be
    else:
        lo_z, hi_z = -40.0, 40.0
    lo = np.full_like(q, mean + std * lo_z)
    hi = np.full_like(q, mean + std * hi_z)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        below = tn_cdf(mid, mean, std, a, b) < q
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return 0.5 * (lo + hi)


def tn_moments(mean, std, a, b):
    """Mean, variance and 4th central moment of the truncated law (scipy; moderate
    bounds only)."""
    al, be = (a - mean) / std, (b - mean) / std
    d = stats.truncnorm(al, be, loc=mean, scale=std)
    m, v = float(d.mean()), float(d.var())
    m4c = float(d.expect(lambda t: (t - m) ** 4))
    return m, v, m4c


# ========================================================================= normal

NORMAL_PARAMS = [(0.0, 1.0), (2.0, 0.5), (-1.0, 3.0), (0.0, 0.02)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mean, std", NORMAL_PARAMS)
def test_normal_ks_ad_moments(dtype, mean, std):
    # the standard case at 2**22, the affine ones at 2**20 (they share the z draws)
    n = N_BIG if (mean, std) == (0.0, 1.0) else N_MID
    g = initfill.Generator(20260101)
    x = g.normal_(np.empty(n, dtype), mean=mean, std=std, stream=17)
    z = (x.astype(np.float64) - mean) / std
    d, p = ks_pvalue(z, special.ndtr)
    assert p > P_MIN, (d, p)
    a2 = ad_statistic(z, special.log_ndtr, norm_logsf)
    assert a2 < AD_CRIT, a2
    assert_mean_var(z, 0.0, 1.0, 3.0)
    # third and fourth moments: E z^3 = 0 (var 15), E z^4 = 3 (var 105 - 9)
    n = z.size
    z2 = z * z
    assert abs(float(np.mean(z2 * z))) < K_SE * math.sqrt(15.0 / n)
    assert abs(float(np.mean(z2 * z2)) - 3.0) < K_SE * math.sqrt(96.0 / n)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normal_module_level_and_default_generator(dtype, monkeypatch):
    g = initfill.Generator(5)
    x = initfill.normal_(np.empty(N_MID, dtype), 0.5, 2.0, generator=g)
    d, p = ks_pvalue((x.astype(np.float64) - 0.5) / 2.0, special.ndtr)
    assert p > P_MIN, (d, p)
    # reseed the default generator, and put the old one back afterwards
    monkeypatch.setattr(initfill._functions, "_default", initfill.default_generator())
    initfill.manual_seed(1234)
    y = initfill.normal_(np.empty((1024, 1024), dtype), mean=-3.0, std=0.25)
    d, p = ks_pvalue((y.ravel().astype(np.float64) + 3.0) / 0.25, special.ndtr)
    assert p > P_MIN, (d, p)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normal_tail_frequencies(dtype):
    n = N_BIG * 2
    z = initfill.Generator(77).normal_(np.empty(n, dtype), stream=3).astype(np.float64)
    assert_binomial(int(np.count_nonzero(np.abs(z) > 4.0)), n, 2 * special.ndtr(-4.0))
    assert_binomial(int(np.count_nonzero(np.abs(z) > 3.5)), n, 2 * special.ndtr(-3.5))
    assert_binomial(int(np.count_nonzero(z > 3.0)), n, special.ndtr(-3.0))
    assert_binomial(int(np.count_nonzero(z < -3.0)), n, special.ndtr(-3.0))
    assert_binomial(int(np.count_nonzero(z > 2.0)), n, special.ndtr(-2.0))
    assert_binomial(int(np.count_nonzero(np.abs(z) < 0.01)), n, 1 - 2 * special.ndtr(-0.01))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normal_box_muller_pairs_radially_symmetric(dtype):
    # float32: elements 4k, 4k+1 come from words (w0, w1) and 4k+2, 4k+3 from (w2, w3);
    # float64: elements 2k, 2k+1 from one block.  Each such pair must be two
    # independent N(0, 1): r^2 ~ chi2_2 (CDF 1 - exp(-r^2/2)), angle uniform and
    # independent of r, the two uncorrelated (also in their squares).
    z = initfill.Generator(31337).normal_(np.empty(N_BIG, dtype), stream=0)
    z = z.astype(np.float64)
    z0, z1 = z[0::2], z[1::2]
    r2 = z0 * z0 + z1 * z1
    d, p = ks_pvalue(r2, lambda v: -np.expm1(-v / 2.0))
    assert p > P_MIN, ("radius", d, p)
    theta = np.arctan2(z1, z0)
    d, p = ks_pvalue(theta, lambda v: (v + np.pi) / (2 * np.pi))
    assert p > P_MIN, ("angle", d, p)
    # the angle within each quadrant (the polynomial sincos works on a reduced angle)
    d, p = ks_pvalue(np.mod(theta, np.pi / 2), lambda v: v / (np.pi / 2))
    assert p > P_MIN, ("angle mod pi/2", d, p)
    # joint law of (r^2, angle): 32 x 32 equiprobable cells
    k = 32
    ri = np.searchsorted(-2.0 * np.log1p(-np.arange(1, k) / k), r2)
    ti = np.clip(((theta + np.pi) / (2 * np.pi) * k).astype(np.int64), 0, k - 1)
    cells = np.bincount(ri * k + ti, minlength=k * k)
    p = float(stats.chisquare(cells).pvalue)
    assert p > P_MIN, ("r x angle", p)
    # angular harmonics: E cos(k theta) = E sin(k theta) = 0, each with variance
    # 1 / 2 (k = 2: z0 and z1 with equal variance; k = 4, 8: the quadrant reduction)
    se = math.sqrt(0.5 / theta.size)
    e1 = (z0 + 1j * z1) / np.sqrt(r2)        # exp(i theta)
    ek = e1.copy()
    for h in range(1, 9):
        m = complex(np.mean(ek))
        assert abs(m.real) < K_SE * se and abs(m.imag) < K_SE * se, (h, m, se)
        ek *= e1
    assert_uncorrelated(z0, z1)
    assert_uncorrelated(z0 * z0, z1 * z1)
    # every position within a Philox block has mean 0 and variance 1
    for r in range(4):
        assert_mean_var(z[r::4], 0.0, 1.0, 3.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normal_lag_correlations(dtype):
    z = initfill.Generator(8).normal_(np.empty(N_BIG, dtype), stream=5).astype(np.float64)
    for lag in (1, 2, 3, 4, 5, 8):
        assert_uncorrelated(z[:-lag], z[lag:])
    # squares: would show a shared radius leaking between pairs or blocks
    for lag in (2, 4):
        assert_uncorrelated(z[:-lag] ** 2, z[lag:] ** 2)


# ======================================================================== uniform

UNIFORM_PARAMS = [(0.0, 1.0), (-3.0, 5.0), (-0.1, 0.1), (1e3, 1e3 + 1.0)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("low, high", UNIFORM_PARAMS)
def test_uniform_ks_ad_moments(dtype, low, high):
    n = N_BIG if (low, high) == (0.0, 1.0) else N_MID
    x = initfill.Generator(4242).uniform_(np.empty(n, dtype), low=low, high=high,
                                          stream=9)
    xd = x.astype(np.float64)
    assert xd.min() >= low and xd.max() < high
    u = (xd - low) / (high - low)
    if dtype == np.float32 and low == 1e3:
        # float32 spacing 2**-14 at 1e3: 16384 values, test the rounded law exactly
        cdf = lambda v: np.clip((v - low) / (high - low), 0.0, 1.0)  # noqa: E731
        p, _ = binned_chi2(x, cdf, low + np.arange(1, 256) / 256.0 * (high - low),
                           support=uniform_support(dtype, low, high), rounding="down")
        assert p > P_MIN, p
        return
    d, p = ks_pvalue(u, lambda v: np.clip(v, 0.0, 1.0))
    assert p > P_MIN, (d, p)
    if dtype == np.float64:
        # (float32 draws sit on a 2**-24 lattice that includes 0, where log F = -inf;
        # the 52-bit float64 lattice is continuous for A2 at this N)
        a2 = ad_statistic(u, np.log, lambda v: np.log1p(-v))
        assert a2 < AD_CRIT, a2
    # uniform on [0, 1): variance 1/12, fourth central moment 1/80
    assert_mean_var(u, 0.5, 1.0 / 12.0, 1.0 / 80.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniform_module_level(dtype):
    g = initfill.Generator(6)
    x = initfill.uniform_(np.empty(N_MID, dtype), -2.0, 0.5, generator=g)
    xd = x.astype(np.float64)
    assert xd.min() >= -2.0 and xd.max() < 0.5
    d, p = ks_pvalue((xd + 2.0) / 2.5, lambda v: v)
    assert p > P_MIN, (d, p)


@pytest.mark.parametrize("dtype, low, high", [
    # float32: the 8 values 1 + j 2**-23, j < 8
    (np.float32, 1.0, 1.0 + 2.0 ** -20),
    (np.float32, -1.0 - 2.0 ** -19, -1.0),
    (np.float32, 2.0 ** 30, 2.0 ** 30 + 1024.0),   # float32 spacing 128 there
    (np.float32, 0.0, 1e-40),                       # subnormal float32 range
    # float64: 4096 values
    (np.float64, 1.0, 1.0 + 2.0 ** -40),
    (np.float64, -(2.0 ** 20), -(2.0 ** 20) + 2.0 ** -20),
])
def test_uniform_never_reaches_high_when_rounding_could(dtype, low, high):
    x = initfill.Generator(99).uniform_(np.empty(N_MID, dtype), low=low, high=high,
                                        stream=1)
    xd = x.astype(np.float64)
    assert xd.min() >= low
    assert xd.max() < high
    # the law of y = low + (high - low) u (u on a 2**-24 or 2**-52 lattice, fine here)
    # rounded to the dtype and clamped into [low, high): float32 rounds y down, so
    # every float32 cell gets exactly its share; float64 rounds y to nearest (the
    # lowest value gets half a share, the largest below `high` one and a half)
    cdf = lambda v: np.clip((v - low) / (high - low), 0.0, 1.0)  # noqa: E731
    sup = uniform_support(dtype, low, high)
    grid = output_grid(dtype, *sup)
    edges = grid if grid is not None else low + np.arange(1, 64) / 64.0 * (high - low)
    p, nbins = binned_chi2(x, cdf, edges, support=sup, exact64=True,
                           rounding="down" if dtype == np.float32 else "nearest")
    assert nbins >= 4 and p > P_MIN, (nbins, p)
    if grid is not None:
        # every float32 value of [low, high) occurs
        assert np.array_equal(np.unique(xd), grid), (np.unique(xd), grid)


def test_uniform_float64_cells_get_equal_shares():
    # u lies on a 2**-52 lattice, so on [1, 2) every value is exact: no ties to even
    # (a 2**-53 lattice gave even mantissas 3/4 of the draws)
    x = initfill.Generator(0).uniform_(np.empty(N_MID), 1.0, 2.0, stream=0)
    assert_binomial(int(np.count_nonzero(x.view(np.uint64) & np.uint64(1))), N_MID, 0.5)


def test_uniform_float32_cells_get_equal_shares():
    # the float32 counterpart holds: on [1, 2) the 2**-24 lattice of u is twice as
    # fine as the float32 grid and rounding down gives each float32 two lattice points
    x = initfill.Generator(0).uniform_(np.empty(N_MID, np.float32), 1.0, 2.0, stream=0)
    assert_binomial(int(np.count_nonzero(x.view(np.uint32) & np.uint32(1))), N_MID, 0.5)


def test_uniform_float32_unit_interval_lattice():
    # [0, 1) in float32 is the exact lattice k 2**-24: never 1, every value a multiple
    # of 2**-24, and the low 8 bits of the lattice index uniform.
    x = initfill.Generator(3).uniform_(np.empty(N_BIG, np.float32), stream=0)
    assert x.min() >= 0.0 and x.max() < 1.0
    k = x.astype(np.float64) * 2.0 ** 24
    assert np.array_equal(k, np.floor(k))
    p = float(stats.chisquare(np.bincount(k.astype(np.int64) & 255, minlength=256)).pvalue)
    assert p > P_MIN, p


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniform_pairs_chi_square(dtype):
    # Non-overlapping neighbour pairs on a 64 x 64 grid of equiprobable cells: pairs
    # within a Philox block and pairs straddling two blocks, at lag 1 and lag 2.
    u = initfill.Generator(2718).uniform_(np.empty(N_BIG + 4, dtype), stream=4)
    cell = np.minimum((u.astype(np.float64) * 64).astype(np.int64), 63)
    for first, lag in ((0, 1), (1, 1), (3, 1), (0, 2), (2, 2)):
        step = 8 if lag == 2 else 4
        i = np.arange(first, N_BIG - lag, step)
        counts = np.bincount(cell[i] * 64 + cell[i + lag], minlength=64 * 64)
        p = float(stats.chisquare(counts).pvalue)
        assert p > P_MIN, (first, lag, p)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniform_lag_correlations(dtype):
    u = initfill.Generator(11).uniform_(np.empty(N_BIG, dtype), stream=2)
    u = u.astype(np.float64)
    for lag in (1, 2, 3, 4, 8):
        assert_uncorrelated(u[:-lag], u[lag:])


# ==================================================== independence between streams

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("which", ["normal", "uniform"])
def test_streams_and_seeds_uncorrelated(dtype, which):
    n = N_MID

    def draw(seed, stream):
        g = initfill.Generator(seed)
        fill = g.normal_ if which == "normal" else g.uniform_
        return fill(np.empty(n, dtype), stream=stream).astype(np.float64)

    base = draw(0, 0)
    others = {
        "next stream": draw(0, 1),
        "stream 2**32 (high counter word)": draw(0, 2 ** 32),
        "named stream": draw(0, "layers.0.weight"),
        "seed 1": draw(1, 0),
        "seed 2**32 (high key word)": draw(2 ** 32, 0),
    }
    for name, other in others.items():
        try:
            assert_uncorrelated(base, other)
            if which == "uniform":
                c = np.minimum((base * 32).astype(np.int64), 31) * 32 + \
                    np.minimum((other * 32).astype(np.int64), 31)
                p = float(stats.chisquare(np.bincount(c, minlength=1024)).pvalue)
                assert p > P_MIN, p
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None
    # a Generator without stream= uses successive streams: its two fills are unrelated
    g = initfill.Generator(0)
    fill = g.normal_ if which == "normal" else g.uniform_
    a = fill(np.empty(n, dtype)).astype(np.float64)
    b = fill(np.empty(n, dtype)).astype(np.float64)
    assert_uncorrelated(a, b)


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64])
def test_bits_every_bit_fair(dtype):
    x = initfill.Generator(12).bits_(np.empty(N_MID, dtype), stream=7)
    nb = 8 * x.itemsize
    ones = np.array([int(np.count_nonzero((x >> dtype(j)) & dtype(1))) for j in range(nb)])
    sd = math.sqrt(N_MID / 4.0)
    assert np.max(np.abs(ones - N_MID / 2.0)) < K_SE * sd, ones


# =============================================================== truncated normal

# (mean, std, a, b) with absolute bounds as in torch.  Comments give [alpha, beta] in
# standard deviations where it is not obvious.
TN_CASES = [
    (0.0, 1.0, -2.0, 2.0),
    (0.0, 1.0, -1.0, 3.0),                  # asymmetric
    (0.0, 1.0, -np.inf, 0.5),               # one-sided
    (0.0, 1.0, -0.3, np.inf),               # one-sided, reflected
    (0.0, 1.0, -np.inf, np.inf),            # untruncated
    (0.0, 1.0, 6.0, np.inf),                # far one-sided tail
    (0.0, 1.0, -np.inf, -6.0),
    (0.0, 1.0, 5.0, 5.5),                   # two-sided in the tail
    (0.0, 1.0, -8.0, -7.0),
    (0.0, 1.0, 29.5, np.inf),               # last inverse-CDF case
    (0.0, 1.0, 30.5, np.inf),               # first asymptotic-tail case
    (0.0, 1.0, 40.0, np.inf),
    (0.0, 1.0, 40.0, 40.05),                # two-sided beyond 30 sigma
    (0.0, 1.0, -np.inf, -1e4),
    (0.0, 1.0, 0.0, 1e-3),                  # narrow, at 0
    (0.0, 1.0, -5e-4, 5e-4),
    (0.0, 1.0, 2.0, 2.0 + 1e-3),            # narrow, at 2 sigma
    (0.0, 1.0, 0.0, 1e-6),                  # very narrow
    (0.0, 1.0, -2.0 - 1e-6, -2.0),
    (0.0, 1.0, 2.0, 2.0 + 1e-6),
    (0.0, 1.0, 3.0, 3.0 + 1e-10),           # flat: the uniform path
    (1.5, 0.7, 0.2, 3.0),                   # mean != 0, std != 1: [-1.857, 2.143]
    (-3.0, 2.0, -4.0, 10.0),                # [-0.5, 6.5]
    (0.3, 0.05, 0.2, 0.4),                  # Keras-like +-2 sigma, inexact bounds
    (0.0, 1e-3, -2e-3, 2e-3),               # tiny std
    (100.0, 0.01, 100.02, np.inf),          # coarse float32 grid: spacing 7.6e-6
    (0.0, 1.0, 3.0, 1e300),                 # b beyond float32 range
]


def _tn_id(c):
    return "m{}_s{}_a{}_b{}".format(*c)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", TN_CASES, ids=_tn_id)
def test_trunc_normal_law(dtype, case):
    mean, std, a, b = case
    # 2**19 draws; 2**18 beyond 30 sigma, where each draw costs more (and where
    # test_trunc_normal_is_the_inverse_cdf_of_its_uniforms checks every value)
    far = min(abs(a - mean), abs(b - mean)) / std > 30 and a * b > 0
    n = 1 << (18 if far else 19)
    g = initfill.Generator(1618)
    x = g.trunc_normal_(np.empty(n, dtype), mean=mean, std=std, a=a, b=b,
                        stream=TN_CASES.index(case))
    xd = x.astype(np.float64)
    # every value inside [a, b] as a real number, after rounding to the dtype
    assert np.all(np.isfinite(xd))
    assert xd.min() >= a and xd.max() <= b, (xd.min(), xd.max())

    def cdf(v):
        return tn_cdf(v, mean, std, a, b)

    # chi-square against the rounded and clamped law: bins at 127 quantiles, or at
    # every float32 value when the law covers fewer than 4096 of them
    sup = support32(a, b) if dtype == np.float32 else (a, b)
    q_lo, q_hi = tn_ppf(np.array([1e-7, 1.0 - 1e-7]), mean, std, a, b)
    grid = output_grid(dtype, max(q_lo, sup[0]), min(q_hi, sup[1]))
    edges = grid if grid is not None else tn_ppf(np.arange(1, 128) / 128.0, mean, std, a, b)
    p, nbins = binned_chi2(x, cdf, edges, support=sup)
    assert p > P_MIN, ("chi2", p, nbins)
    # KS where the sample is continuous on the law's scale: float64 always; float32
    # when its spacing is below 1e-6 of the spread (else the chi-square is exact)
    spread = float(q_hi - q_lo)
    ulp = float(np.spacing(np.float32(max(abs(q_lo), abs(q_hi)))))
    if dtype == np.float64 or ulp < 1e-6 * spread:
        d, p = ks_pvalue(xd, cdf)
        assert p > P_MIN, ("ks", d, p)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", [(0.0, 1.0, -2.0, 2.0), (0.0, 1.0, -1.0, 3.0),
                                  (1.5, 0.7, 0.2, 3.0), (0.0, 1.0, 1.0, np.inf),
                                  (0.0, 1.0, 6.0, np.inf)], ids=_tn_id)
def test_trunc_normal_moments(dtype, case):
    mean, std, a, b = case
    x = initfill.Generator(404).trunc_normal_(np.empty(N_BIG, dtype), mean=mean,
                                              std=std, a=a, b=b, stream=0)
    m, v, m4c = tn_moments(mean, std, a, b)
    assert_mean_var(x, m, v, m4c)


def test_trunc_normal_keras_std_correction():
    # N(0, 1) truncated to +-2 has std 0.87962566103423978 (the Keras/JAX constant):
    # dividing sigma by it gives unit variance.
    s = 1.0 / 0.87962566103423978
    x = initfill.Generator(21).trunc_normal_(np.empty(N_BIG), std=s, a=-2 * s, b=2 * s)
    _, v, m4c = tn_moments(0.0, s, -2 * s, 2 * s)
    assert abs(v - 1.0) < 1e-15
    assert_mean_var(x, 0.0, 1.0, m4c)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_trunc_normal_module_level(dtype):
    g = initfill.Generator(8128)
    x = initfill.trunc_normal_(np.empty(N_MID, dtype), 1.0, 2.0, -1.0, 4.0, generator=g)
    xd = x.astype(np.float64)
    assert xd.min() >= -1.0 and xd.max() <= 4.0
    d, p = ks_pvalue(xd, lambda v: tn_cdf(v, 1.0, 2.0, -1.0, 4.0))
    assert p > P_MIN, (d, p)


def _tail_sf(s, t):
    """P(t (X - t) > s | X > t), X ~ N(0, 1), to relative O(s / t**4).

    With x = t + s / t: Q(x) / Q(t) = exp(-(x^2 - t^2) / 2) (t / x) h(x) / h(t) and
    h(x) / h(t) = 1 + O(s / t^4) (Mills-ratio series), so the tail is
    exp(-s - s^2 / (2 t^2)) / (1 + s / t^2): Exp(1) in the limit t -> infinity.
    """
    c = 1.0 / (t * t)
    return np.exp(-s - s * s * c / 2.0) / (1.0 + s * c)


@pytest.mark.parametrize("t", [40.0, 1e4])
def test_trunc_normal_far_tail_exponential_limit(t):
    # For X ~ N(0, 1) given X > t, S = t (X - t) is nearly Exp(1): mean 1 - 2/t^2 and
    # variance 1 - 6/t^2 to O(t^-4); its tail frequencies follow _tail_sf.
    n = N_MID
    x = initfill.Generator(55).trunc_normal_(np.empty(n), a=t, b=np.inf, stream=0)
    assert x.min() >= t
    s = t * (x - t)
    d, p = ks_pvalue(s, lambda v: 1.0 - _tail_sf(v, t))
    assert p > P_MIN, (d, p)
    c = 1.0 / (t * t)
    assert_mean_var(s, 1.0 - 2.0 * c, 1.0 - 6.0 * c, 9.0)
    # deep quantiles of the asymptotic inversion: expected counts 47.6 and 47000
    for s0 in (3.0, 10.0):
        assert_binomial(int(np.count_nonzero(s > s0)), n, float(_tail_sf(s0, t)))


def test_trunc_normal_float32_tiny_std_within_bounds():
    # std = 1e-3 with bounds +-2e-3: neither bound is a float32, and rounding values
    # near the bounds must not step outside.  The law itself is checked in
    # test_trunc_normal_law.
    for stream in range(4):
        x = initfill.Generator(1).trunc_normal_(np.empty(N_MID, np.float32), std=1e-3,
                                                a=-2e-3, b=2e-3, stream=stream)
        xd = x.astype(np.float64)
        assert xd.min() >= -2e-3 and xd.max() <= 2e-3
        # the density at the bounds is not small: values come within 1e-6 of both
        assert xd.min() < -2e-3 + 1e-6 and xd.max() > 2e-3 - 1e-6


# ================================== accuracy against the exact transform of the bits
#
# The uniforms behind each value are a fixed function of the Philox words, which
# bits_ returns for the same seed and stream (algorithm version 1): float32 normal
# pairs use words (w0, w1) and (w2, w3), radius u = ((w0 >> 8) + 1) 2**-24 and angle
# index (w1 >> 6) & (2**24 - 1) in quadrant w1 >> 30; float64 pairs join (w0, w1) and
# (w2, w3) and use 53 and 52 + 2 bits the same way; truncated normals use
# u = (w + 1/2) 2**-32 (float32) or ((w64 >> 12) + 1/2) 2**-52 (float64).  So each
# value can be compared with the exact transform of its own uniforms, which finds
# errors far below what any sample statistic can see.

LONG_DOUBLE_EXACT = np.finfo(np.longdouble).nmant >= 63


def _box_muller_exact(r_idx, a_idx, r_bits, a_bits):
    """Exact Box-Muller pair in long double: u = (r_idx + 1) 2**-r_bits, the angle
    (2 m - (2**a_bits - 1)) pi/2 2**-(a_bits + 1) in quadrant q, as the kernels define."""
    ld = np.longdouble
    pi = ld("3.14159265358979323846264338327950288")
    m, q = a_idx
    u = (r_idx + ld(1)) * ld(2.0) ** -r_bits
    r = np.sqrt(-2 * np.log(u))
    phi = (2 * m - ld(2.0 ** a_bits - 1)) * (pi / 2) * ld(2.0) ** -(a_bits + 1)
    c, s = np.cos(phi), np.sin(phi)
    q = q.astype(np.int64)
    return r * np.choose(q, [c, -s, -c, s]), r * np.choose(q, [s, c, -s, -c])


@pytest.mark.parametrize("dtype", [np.float32, pytest.param(np.float64, marks=pytest.mark.skipif(
    not LONG_DOUBLE_EXACT, reason="needs an 80-bit long double reference"))])
def test_normal_is_box_muller_to_a_few_ulps(dtype):
    n = 1 << 18
    g = initfill.Generator(7)
    z = g.normal_(np.empty(n, dtype), stream=3)
    ld = np.longdouble
    if dtype == np.float32:
        w = g.bits_(np.empty(n, np.uint32), stream=3).astype(np.int64)
        wr, wa = w[0::2], w[1::2]
        e0, e1 = _box_muller_exact((wr >> 8).astype(ld), ((wa >> 6) & 0xFFFFFF, wa >> 30),
                                   24, 24)
    else:
        w = g.bits_(np.empty(n, np.uint64), stream=3)
        wr, wa = w[0::2], w[1::2]
        e0, e1 = _box_muller_exact((wr >> np.uint64(11)).astype(ld),
                                   ((wa >> np.uint64(10)) & np.uint64(2**52 - 1),
                                    wa >> np.uint64(62)), 53, 52)
        e0 = e0.astype(ld)
    exact = np.empty(n, ld)
    exact[0::2], exact[1::2] = e0, e1
    ulp = np.spacing(np.abs(exact).astype(dtype)).astype(ld)
    err_ulps = np.abs(z.astype(ld) - exact) / ulp
    # measured: 3.2 ulps at most for both dtypes (own log/sincos, float32 arithmetic
    # for float32 output)
    assert float(err_ulps.max()) <= 6.0, float(err_ulps.max())


def _tn_inverse_ref(u, mean, std, a, b):
    """F^-1(u) or F^-1(1 - u) of the truncated law, whichever the reflection gives.

    In the frame where the interval's mass is in the lower tail (reflecting if
    alpha + beta > 0): z = Phi^-1(p), p = Phi(alpha) + u (Phi(beta) - Phi(alpha)).
    p is formed in long double and z = ndtri(double(p)) corrected by
    (p - double(p)) / phi(z), which leaves ~1e-16 relative error; beyond 30 sigma,
    where Phi underflows double, in log space with log_ndtr / ndtri_exp (~1e-16 t**2).
    """
    al, be = (a - mean) / std, (b - mean) / std
    sign = 1.0
    if not (np.isinf(al) and np.isinf(be)) and al + be > 0:
        al, be, sign = -be, -al, -1.0
    if be < -30.0:
        la = special.log_ndtr(al) if np.isfinite(al) else -np.inf
        lb = special.log_ndtr(be)
        with np.errstate(divide="ignore"):
            lt = lb + np.log1p(-(1.0 - u) * -np.expm1(la - lb))
        z = special.ndtri_exp(lt)
    else:
        ld = np.longdouble
        pa = ld(special.ndtr(al)) if np.isfinite(al) else ld(0.0)
        if not np.isfinite(be):
            pb = ld(1.0)
        else:
            pb = ld(special.ndtr(be)) if be <= 0 else ld(1.0) - ld(special.ndtr(-be))
        p = pa + np.asarray(u, dtype=ld) * (pb - pa)
        pd = p.astype(np.float64)
        z0 = special.ndtri(pd)
        dens = np.exp(-0.5 * z0 * z0) / math.sqrt(2.0 * math.pi)
        z = z0 + ((p - pd.astype(ld)) / dens.astype(ld)).astype(np.float64)
    return np.clip(mean + std * sign * z, a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", [(0.0, 1.0, -2.0, 2.0), (0.0, 1.0, -1.0, 3.0),
                                  (0.0, 1.0, -np.inf, 0.5), (0.0, 1.0, 6.0, np.inf),
                                  (0.0, 1.0, 5.0, 5.5), (0.0, 1.0, 29.5, np.inf),
                                  (0.0, 1.0, 30.5, np.inf), (0.0, 1.0, 40.0, np.inf),
                                  (0.0, 1.0, -40.05, -40.0), (0.0, 1.0, 2.0, 2.0 + 1e-6),
                                  (1.5, 0.7, 0.2, 3.0)], ids=_tn_id)
def test_trunc_normal_is_the_inverse_cdf_of_its_uniforms(dtype, case):
    # The value of every element is F^-1 of its uniform (or of 1 - u: the direction
    # is the implementation's, and may differ between the central and the far-tail
    # method), to a few float64 ulps, and to a few float32 ulps for float32.
    mean, std, a, b = case
    n = 1 << 16
    g = initfill.Generator(11)
    x = g.trunc_normal_(np.empty(n, dtype), mean, std, a, b, stream=5).astype(np.float64)
    if dtype == np.float32:
        w = g.bits_(np.empty(n, np.uint32), stream=5)
        u = (w.astype(np.float64) + 0.5) * 2.0 ** -32
        # algorithm version 2: within 4 float32 ulp of std z (the value less its
        # mean; measured 2.6), plus the rounding of the sum
        tol = (4 * np.spacing(np.abs(x - mean).astype(np.float32)).astype(np.float64)
               + np.spacing(np.abs(x).astype(np.float32)))
    else:
        w = g.bits_(np.empty(n, np.uint64), stream=5)
        u = ((w >> np.uint64(12)).astype(np.float64) + 0.5) * 2.0 ** -52
        tol = 16 * np.spacing(np.maximum(np.abs(x), 1.0))
    errs = [np.max(np.abs(x - _tn_inverse_ref(v, mean, std, a, b)) / tol)
            for v in (u, 1.0 - u)]
    # measured: float64 within 7 ulps of max(|x|, 1); float32 (version 2) within
    # 2.6 ulp of std z
    assert min(errs) <= 1.0, errs

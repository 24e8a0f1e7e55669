"""An independent reference of initfill's documented element -> value mapping.

Philox4x32-10 is re-implemented here in vectorized NumPy (32 x 32 -> 64-bit products
in uint64), checked against the core's (itself held to the Random123 known-answer
vectors by test_known_answers.py) on random inputs, and the documented
mapping of algorithm version 1 is rebuilt on top of it:

- counter = (blk mod 2**32, blk >> 32, stream mod 2**32, stream >> 32),
  key = (seed mod 2**32, seed >> 32);
- 32-bit outputs: element i is word i % 4 of block i // 4;
- 64-bit outputs: element i joins words 2j (low) and 2j + 1 (high) of block i // 2,
  j = i % 2;
- uniform float32: low + (high - low) * ((w >> 8) * 2**-24) computed in float64,
  rounded down to float32, clamped into [smallest float32 >= low, largest float32 < high];
- uniform float64: low + (high - low) * ((u64 >> 12) * 2**-52), clamped below high.

Bit-exact equality with initfill's fills (bits_ and uniform_) at offsets that start
mid-block and across the 2**32 boundary of the low counter word proves the mapping the
documentation states.
"""
from __future__ import annotations

import numpy as np
import pytest

import initfill

M0, M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
W0, W1 = 0x9E3779B9, 0xBB67AE85
MASK32 = np.uint64(0xFFFFFFFF)
S32 = np.uint64(32)


def philox4x32_10(c0, c1, c2, c3, k0, k1):
    """Vectorized Philox4x32-10 (Salmon et al., SC'11): arrays of counter words in,
    four arrays of output words out (all uint32)."""
    c = [np.asarray(v, dtype=np.uint64) & MASK32 for v in (c0, c1, c2, c3)]
    c = np.broadcast_arrays(*c)
    c = [v.copy() for v in c]
    k0, k1 = int(k0) & 0xFFFFFFFF, int(k1) & 0xFFFFFFFF
    for r in range(10):
        p0 = M0 * c[0]          # < 2**64: exact in uint64
        p1 = M1 * c[2]
        n0 = (p1 >> S32) ^ c[1] ^ np.uint64(k0)
        n2 = (p0 >> S32) ^ c[3] ^ np.uint64(k1)
        c = [n0, p1 & MASK32, n2, p0 & MASK32]
        k0 = (k0 + W0) & 0xFFFFFFFF
        k1 = (k1 + W1) & 0xFFFFFFFF
    return [v.astype(np.uint32) for v in c]


def test_reference_philox_matches_core_on_random_inputs():
    rng = np.random.default_rng(20261129)
    ctr = rng.integers(0, 2**32, size=(64, 4), dtype=np.uint64)
    key = rng.integers(0, 2**32, size=(64, 2), dtype=np.uint64)
    for c, k in zip(ctr, key):
        ref = philox4x32_10(*c, *k)
        assert tuple(int(w) for w in ref) == tuple(
            initfill._core.philox4x32_10([int(v) for v in c], [int(v) for v in k]))


def blocks(seed, stream, blk):
    """Words (4, n) of blocks ``blk`` (uint64 array) of ``stream`` under ``seed``."""
    blk = np.asarray(blk, dtype=np.uint64)
    w = philox4x32_10(blk & MASK32, blk >> S32, stream & 0xFFFFFFFF, stream >> 32,
                      seed & 0xFFFFFFFF, seed >> 32)
    return np.stack(w)


def ref_bits32(seed, stream, idx):
    idx = np.asarray(idx, dtype=np.uint64)
    w = blocks(seed, stream, idx // np.uint64(4))
    return w[(idx % np.uint64(4)).astype(np.intp), np.arange(idx.size)]


def ref_bits64(seed, stream, idx):
    idx = np.asarray(idx, dtype=np.uint64)
    w = blocks(seed, stream, idx // np.uint64(2)).astype(np.uint64)
    j = (idx % np.uint64(2)).astype(np.intp)
    cols = np.arange(idx.size)
    return w[2 * j, cols] | (w[2 * j + 1, cols] << S32)


def _f32_ceil(x):
    f = np.float32(x)
    return f if float(f) >= x else np.nextafter(f, np.float32(np.inf))


def _f32_below(x):
    f = np.float32(x)
    return np.nextafter(f, np.float32(-np.inf)) if float(f) >= x else f


def ref_uniform(seed, stream, idx, low, high, dtype):
    low, high = float(low), float(high)
    if low == high:  # documented: an empty [low, high) fills low (rounded to dtype)
        return np.full(np.size(idx), low, dtype=dtype)
    if dtype == np.float32:
        u = (ref_bits32(seed, stream, idx) >> np.uint32(8)).astype(np.float64) * 2.0**-24
        y = low + (high - low) * u
        f = y.astype(np.float32)
        f = np.where(f.astype(np.float64) > y, np.nextafter(f, np.float32(-np.inf)), f)
        return np.clip(f, _f32_ceil(low), _f32_below(high))
    u = (ref_bits64(seed, stream, idx) >> np.uint64(12)).astype(np.float64) * 2.0**-52
    y = low + (high - low) * u
    return np.minimum(y, np.nextafter(high, -np.inf))


# (global length, first element, count): starts at/inside blocks, across the wrap of
# the low counter word at block 2**32 (element 4 * 2**32 for 32-bit outputs,
# 2 * 2**32 for 64-bit ones), and far above 2**33.
WINDOWS = [
    (1000, 0, 1000),
    (1000, 1, 37),
    (1000, 3, 5),
    (2**36, 4 * 2**32 - 7, 29),
    (2**36, 2 * 2**32 - 5, 23),
    (2**36, 2**33 + 3, 50),
    (2**62, 2**62 - 11, 11),
]
SEED_STREAMS = [(0, 0), (42, 7), (2**64 - 1, 2**32 + 1), (0x0123456789ABCDEF, 2**63 + 5)]


def _fill(method, dtype, seed, stream, window, **kw):
    n_global, start, count = window
    x = np.empty(count, dtype)
    getattr(initfill.Generator(seed), method)(
        x, stream=stream, global_shape=(n_global,), offset=(start,), **kw)
    return x, np.arange(start, start + count, dtype=np.uint64)


@pytest.mark.parametrize("seed, stream", SEED_STREAMS)
@pytest.mark.parametrize("window", WINDOWS)
def test_bits_uint32_mapping(seed, stream, window):
    x, idx = _fill("bits_", np.uint32, seed, stream, window)
    assert np.array_equal(x, ref_bits32(seed, stream, idx))


@pytest.mark.parametrize("seed, stream", SEED_STREAMS)
@pytest.mark.parametrize("window", WINDOWS)
def test_bits_uint64_mapping(seed, stream, window):
    x, idx = _fill("bits_", np.uint64, seed, stream, window)
    assert np.array_equal(x, ref_bits64(seed, stream, idx))


def test_named_stream_mapping():
    s = initfill.stream_id("encoder.layers.11.attn.q_proj.weight")
    x = initfill.Generator(9).bits_(np.empty(20, np.uint32),
                                    stream="encoder.layers.11.attn.q_proj.weight")
    assert np.array_equal(x, ref_bits32(9, s, np.arange(20, dtype=np.uint64)))


UNIFORM_RANGES = [
    (0.0, 1.0),
    (-1.0, 1.0),
    (-3.5, 2.25),
    (-0.1, 0.1),
    (-7.0, -2.0),
    (-1e-3, -1e-4),
    (0.1, 0.7),
    (1.0, 1.0 + 2.0**-20),        # a span of a few float32 ulps: clamps matter
    (-2.0**-30, 2.0**-30),
    (-1e30, 1e30),
    (5.0, 5.0),                   # low == high
    (0.1, 0.1),                   # low == high, not a float32
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("low, high", UNIFORM_RANGES)
def test_uniform_mapping(dtype, low, high):
    for seed, stream in SEED_STREAMS[:3]:
        for window in WINDOWS:
            x, idx = _fill("uniform_", dtype, seed, stream, window, low=low, high=high)
            want = ref_uniform(seed, stream, idx, low, high, dtype)
            assert x.dtype == want.dtype
            assert np.array_equal(x.view(f"u{x.itemsize}"), want.view(f"u{x.itemsize}")), (
                seed, stream, window, low, high)


def test_uniform_float32_never_reaches_high_and_fills_cells_evenly():
    # high = 1 + 2**-20 spans 8 float32 values.  Values are rounded down, so each of
    # the 8 cells gets exactly 1/8 of the 2**24-point lattice (round-to-nearest would
    # give the first cell half as much and the last, clamped, 3/2 as much).
    low, high = 1.0, 1.0 + 2.0**-20
    n = 2**16
    x = initfill.Generator(3).uniform_(np.empty(n, np.float32), low, high, stream=0)
    assert x.max() < np.float32(high) and x.min() >= np.float32(low)
    idx = np.arange(n, dtype=np.uint64)
    assert np.array_equal(x, ref_uniform(3, 0, idx, low, high, np.float32))
    cells = np.round((x.astype(np.float64) - 1.0) * 2.0**23).astype(int)
    counts = np.bincount(cells, minlength=8)
    assert counts.size == 8
    from scipy import stats
    assert stats.chisquare(counts).pvalue > 1e-6, counts


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64, np.float32, np.float64])
def test_nd_block_uses_c_order_global_index(dtype):
    # A 3-D block of a tensor of more than 2**33 elements: element (i, j, k) of the
    # block is global index ((o0 + i) * G1 + o1 + j) * G2 + o2 + k.
    G, o, shape = (5, 2**16 + 3, 2**15 + 1), (3, 2**16 - 2, 2**15 - 6), (2, 4, 7)
    x = np.empty(shape, dtype)
    g = initfill.Generator(31)
    if dtype in (np.uint32, np.uint64):
        g.bits_(x, stream=2**40, global_shape=G, offset=o)
    else:
        g.uniform_(x, -1.5, 0.5, stream=2**40, global_shape=G, offset=o)
    i, j, k = np.indices(shape, dtype=np.uint64)
    idx = (((o[0] + i) * G[1] + o[1] + j) * G[2] + o[2] + k).reshape(-1)
    if dtype == np.uint32:
        want = ref_bits32(31, 2**40, idx)
    elif dtype == np.uint64:
        want = ref_bits64(31, 2**40, idx)
    else:
        want = ref_uniform(31, 2**40, idx, -1.5, 0.5, dtype)
    assert np.array_equal(x.reshape(-1).view(f"u{x.itemsize}"),
                          want.view(f"u{x.itemsize}"))


@pytest.fixture
def four_threads():
    n = initfill.get_num_threads()
    initfill.set_num_threads(4)
    yield
    initfill.set_num_threads(n)


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64, np.float32, np.float64])
def test_threaded_window_across_the_counter_wrap(dtype, four_threads):
    # 2**18 + 3 elements (enough for 4 threads) straddling block 2**32, starting
    # mid-block: every thread's part agrees with the reference.
    per_block = 4 if np.dtype(dtype).itemsize == 4 else 2
    n = 2**18 + 3
    start = per_block * 2**32 - 2**17 - 1
    x = np.empty(n, dtype)
    g = initfill.Generator(2**64 - 2)
    kw = dict(stream=5, global_shape=(2**40,), offset=(start,))
    idx = np.arange(start, start + n, dtype=np.uint64)
    if dtype == np.uint32:
        g.bits_(x, **kw)
        want = ref_bits32(2**64 - 2, 5, idx)
    elif dtype == np.uint64:
        g.bits_(x, **kw)
        want = ref_bits64(2**64 - 2, 5, idx)
    else:
        g.uniform_(x, -0.25, 4.0, **kw)
        want = ref_uniform(2**64 - 2, 5, idx, -0.25, 4.0, dtype)
    assert np.array_equal(x.view(f"u{x.itemsize}"), want.view(f"u{x.itemsize}"))


# Truncated normal, inverse-CDF path: with alpha = (a - mean) / std and
# beta = (b - mean) / std, z = Phi^-1(Phi(alpha) + u (Phi(beta) - Phi(alpha))), computed
# on the mirrored interval [-beta, -alpha] with 1 - u (and negated) when
# alpha + beta > 0, so x increases with u either way;
# u = (w + 1/2) 2^-32 from the element's 32-bit word (float32 outputs) or
# ((w64 >> 12) + 1/2) 2^-52 from its 64-bit word (float64 outputs); x = mean + std z,
# rounded to the dtype and clamped into [a, b].  SciPy's ndtr/ndtri are the reference.
TRUNC_CASES = [
    (0.0, 1.0, -2.0, 2.0),
    (0.0, 1.0, -1.0, 3.0),      # mirrored
    (0.5, 2.0, -3.0, 0.25),
    (0.0, 1.0, -np.inf, -4.0),  # one-sided, deep in the lower tail
    (0.0, 1.0, 4.5, np.inf),    # mirrored one-sided tail
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mean, std, a, b", TRUNC_CASES)
def test_trunc_normal_matches_the_documented_inverse_cdf(dtype, mean, std, a, b):
    from scipy import special

    n = 4096
    g = initfill.Generator(5)
    x = g.trunc_normal_(np.empty(n, dtype), mean, std, a, b, stream=9)
    if dtype == np.float32:
        u = (g.bits_(np.empty(n, np.uint32), stream=9).astype(np.float64) + 0.5) * 2.0**-32
    else:
        w = g.bits_(np.empty(n, np.uint64), stream=9)
        u = ((w >> np.uint64(12)).astype(np.float64) + 0.5) * 2.0**-52
    al, be = (a - mean) / std, (b - mean) / std
    sign = 1.0
    if al + be > 0:
        al, be, sign, u = -be, -al, -1.0, 1.0 - u
    pa, pb = special.ndtr(al), special.ndtr(be)
    z = sign * special.ndtri(pa + u * (pb - pa))
    ref = mean + std * z
    if dtype == np.float32:
        # algorithm version 2: the central values come from a float32 polynomial,
        # within 4 float32 ulp of std z (measured 2.6), then mean is added and the
        # sum rounded (docs/algorithms.md)
        tol = (4 * np.spacing(np.abs(ref - mean).astype(np.float32)).astype(np.float64)
               + np.spacing(np.abs(ref).astype(np.float32)))
        err = np.abs(x.astype(np.float64) - ref) / tol
        assert err.max() <= 1.0, err.max()
    else:
        err = np.abs(x - ref) / np.maximum(1.0, np.abs(ref))
        assert err.max() < 2e-13, err.max()
    assert x.min() >= a and x.max() <= b


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("a, b", [
    (-2.0, 2.0), (-1.0, 3.0), (0.5, np.inf), (-np.inf, -0.5),   # inverse CDF, both ways
    (29.9, np.inf), (30.1, np.inf), (-np.inf, -30.1), (-41.0, -40.0),  # far tail paths
    (2.0, 2.0 + 1e-12), (-1e-12, 1e-12),                      # flat (narrow) intervals
])
def test_trunc_normal_increases_with_its_uniform_on_every_path(dtype, a, b):
    # x = F^-1(u) on every path, so values vary smoothly with the bounds: the same seed
    # gives nearly the same tensor for a = 29.9 and a = 30.1 across the far-tail switch.
    n = 2048
    g = initfill.Generator(8)
    x = g.trunc_normal_(np.empty(n, dtype), 0.0, 1.0, a, b, stream=4)
    if dtype == np.float32:
        u = g.bits_(np.empty(n, np.uint32), stream=4).astype(np.float64)
    else:
        u = (g.bits_(np.empty(n, np.uint64), stream=4) >> np.uint64(12)).astype(np.float64)
    xs = x[np.argsort(u, kind="stable")]
    assert np.all(np.diff(xs.astype(np.float64)) >= 0)

"""float16 and bfloat16 outputs: the RNE rounding of the float32 stream, clamped in the
half type; accepted storage; the statistical properties issue 4 asks for."""
import math

import numpy as np
import pytest

import initfill
from initfill import _core

F16, BF16 = 4, 5
N = 1 << 18


def _ml():
    return pytest.importorskip("ml_dtypes", reason="ml_dtypes is not installed")


def bf16_round(x32: np.ndarray) -> np.ndarray:
    """Reference bf16 bits of float32 values, independent of initfill: ml_dtypes'
    RNE conversion with float32 denormals flushed to signed zero first (the
    AVX512_BF16 behaviour initfill matches)."""
    ml = _ml()
    b = x32.view(np.uint32)
    den = (b & 0x7F800000) == 0
    flushed = np.where(den, b & 0x80000000, b).astype(np.uint32).view(np.float32)
    with np.errstate(invalid="ignore", over="ignore"):
        return flushed.astype(ml.bfloat16).view(np.uint16)


def bf16_values(bits: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)


def half_fill(kind, dist, *args, shape=(N,), stream=3, seed=11):
    """Fill a half buffer (kind 'f16' or 'bf16', raw uint16 for bf16) and the float32
    buffer of the same (seed, stream); return (half bits as uint16, float32 array)."""
    g = initfill.Generator(seed)
    x32 = getattr(g, dist)(np.empty(shape, np.float32), *args, stream=stream)
    if kind == "f16":
        h = getattr(g, dist)(np.empty(shape, np.float16), *args, stream=stream)
        return h.view(np.uint16), x32
    h = getattr(g, dist)(np.empty(shape, np.uint16), *args, stream=stream, dtype="bfloat16")
    return h, x32


def all_values(kind):
    """Every finite value the half type can hold after initfill's conversion (bf16:
    no denormals), sorted."""
    bits = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16)
    if kind == "f16":
        v = bits.view(np.float16).astype(np.float64)
    else:
        bits = bits[((bits & 0x7F80) != 0) | ((bits & 0x7F) == 0)]
        v = bf16_values(bits)
    return np.unique(v[np.isfinite(v)])


def limits(kind, lo, hi, open_hi=False):
    v = all_values(kind)
    inside = v[(v >= lo) & ((v < hi) if open_hi else (v <= hi))]
    return inside.min(), inside.max()


def values(kind, bits):
    return bits.view(np.float16).astype(np.float64) if kind == "f16" else bf16_values(bits)


# ------------------------------------------------------------- the conversion

def test_conversion_matches_independent_references():
    ml = _ml()
    rng = np.random.default_rng(1)
    bits = np.concatenate([
        rng.integers(0, 1 << 32, 1 << 20, dtype=np.uint64).astype(np.uint32),
        np.arange(0, 1 << 32, 4099, dtype=np.uint64).astype(np.uint32),
        np.array([0, 0x80000000, 0x7F800000, 0xFF800000, 0x33000000, 0x33000001,
                  0x387FC000, 0x38800000, 0x477FEFFF, 0x477FF000, 0x7F7FFFFF,
                  0x00000001, 0x807FFFFF, 0x3F808000, 0x3F818000], dtype=np.uint32),
    ])
    f = bits.view(np.float32)
    nan = np.isnan(f)
    out = np.empty(f.size, np.uint16)
    _core.round_half(f, out, F16)
    with np.errstate(over="ignore", invalid="ignore"):
        ref16 = f.astype(np.float16).view(np.uint16)
    assert np.array_equal(out[~nan], ref16[~nan])
    assert np.isnan(out[nan].view(np.float16)).all()
    _core.round_half(f, out, BF16)
    assert np.array_equal(out[~nan], bf16_round(f)[~nan])
    assert np.isnan((out[nan].astype(np.uint32) << 16).view(np.float32)).all()
    # denormal float32 -> signed zero in bf16, never a bf16 denormal
    den = (bits & 0x7F800000) == 0
    assert ((out[den] & 0x7FFF) == 0).all()
    assert np.array_equal(out[den] >> 15, (bits[den] >> 31).astype(np.uint16))
    # rounding down (uniform fills): the largest half value <= x
    fin = np.isfinite(f) & ~den
    _core.round_half(f, out, F16, True)
    with np.errstate(over="ignore", invalid="ignore"):
        ref = floor_half("f16", f)
    assert np.array_equal(values("f16", out)[fin], ref[fin])
    _core.round_half(f, out, BF16, True)
    assert np.array_equal(values("bf16", out)[fin], floor_half("bf16", f)[fin])
    assert ((out[den] & 0x7FFF) == 0).all()
    del ml


def floor_half(kind, x32):
    """The largest half value <= x (float64 result), from NumPy's RNE casts: step
    the nearest value down one half ulp where it lies above x."""
    x = np.asarray(x32, np.float32)
    if kind == "f16":
        with np.errstate(over="ignore"):
            h = x.astype(np.float16)
        above = h.astype(np.float64) > x.astype(np.float64)
        h[above] = np.nextafter(h[above], np.float16(-np.inf))
        return h.astype(np.float64)
    b = bf16_round(x)
    v = bf16_values(b)
    with np.errstate(invalid="ignore"):
        above = v > x.astype(np.float64)
    b = b.copy()
    neg = (b & 0x8000) != 0
    b[above & ~neg] -= 1   # positive: one bf16 step toward zero
    b[above & neg] += 1    # negative: one bf16 step away from zero
    return bf16_values(b)


@pytest.mark.parametrize("kind", ["f16", "bf16"])
@pytest.mark.parametrize("dist,args", [
    ("normal_", (0.25, 1.5)),
    ("normal_", (0.0, 1e-3)),
    ("uniform_", (-3.0, 5.0)),
    ("uniform_", (-1e-4, 1e-4)),
])
def test_half_is_rne_of_float32(kind, dist, args):
    h, x32 = half_fill(kind, dist, *args)
    if dist == "uniform_":  # rounded down, then the [low, high) guard in the half type
        ref = np.clip(floor_half(kind, x32), *limits(kind, args[0], args[1], open_hi=True))
    elif kind == "f16":
        ref = x32.astype(np.float16).astype(np.float64)
    else:
        ref = bf16_values(bf16_round(x32))
    assert np.array_equal(values(kind, h), ref)


@pytest.mark.parametrize("kind", ["f16", "bf16"])
@pytest.mark.parametrize("args", [(0.0, 1.0, -2.0, 2.0), (0.0, 1e-3, -2e-3, 2e-3),
                                  (0.01, 0.02, 0.0, 0.04), (5.0, 1.0, 4.5, 7.3)])
def test_trunc_half_is_rne_of_float32_clamped(kind, args):
    a, b = args[2], args[3]
    h, x32 = half_fill(kind, "trunc_normal_", *args)
    ref = x32.astype(np.float16).astype(np.float64) if kind == "f16" else bf16_values(bf16_round(x32))
    got = values(kind, h)
    assert np.array_equal(got, np.clip(ref, *limits(kind, a, b)))


# --------------------------------------------- properties of the distributions

@pytest.mark.parametrize("kind", ["f16", "bf16"])
@pytest.mark.parametrize("args", [(0.0, 1e-3, -2e-3, 2e-3), (0.0, 0.02, -0.04, 0.04),
                                  (0.0, 1.0, -2.0, 2.0), (0.3, 0.1, 0.3001, 0.5)])
def test_trunc_never_outside_and_no_pile_up(kind, args):
    mean, std, a, b = args
    h, _ = half_fill(kind, "trunc_normal_", *args, shape=(1 << 20,))
    v = values(kind, h)
    assert v.min() >= a and v.max() <= b
    # Each bound's value carries the mass that rounds to it, not the mass beyond.
    from math import erfc, sqrt

    def phi(x):
        return 0.5 * erfc(-x / sqrt(2))

    z = phi((b - mean) / std) - phi((a - mean) / std)
    uniq = np.unique(v)
    lo, nxt_lo, hi, prv_hi = uniq[0], uniq[1], uniq[-1], uniq[-2]
    for at, mass in [(hi, phi((b - mean) / std) - phi(((prv_hi + hi) / 2 - mean) / std)),
                     (lo, phi(((lo + nxt_lo) / 2 - mean) / std) - phi((a - mean) / std))]:
        expected = v.size * mass / z
        got = np.count_nonzero(v == at)
        assert abs(got - expected) <= 6 * math.sqrt(expected) + 6, (at, got, expected)


def test_bf16_normal_tails_at_normal_rate():
    n = 1 << 22
    g = initfill.Generator(5)
    h = g.normal_(np.empty(n, np.uint16), dtype="bfloat16")
    v = bf16_values(h)
    # values in [4 - ulp/2, 4) round to 4 (the bf16 ulp just below 4 is 2**-6)
    t = 4.0 - 2.0 ** -7
    expected = n * math.erfc(t / math.sqrt(2))
    got = np.count_nonzero(np.abs(v) >= 4.0)
    assert abs(got - expected) <= 5 * math.sqrt(expected), (got, expected)
    assert np.abs(v).max() > 4.5


@pytest.mark.parametrize("kind,eps", [("f16", 2.0 ** -11), ("bf16", 2.0 ** -8)])
@pytest.mark.parametrize("dist,args", [("normal_", (0.5, 2.0)), ("uniform_", (-1.0, 3.0)),
                                       ("trunc_normal_", (0.0, 0.02, -0.04, 0.04))])
def test_mean_std_match_float32_within_rounding(kind, eps, dist, args):
    h, x32 = half_fill(kind, dist, *args)
    v = values(kind, h)
    x = x32.astype(np.float64)
    # every element moved by at most half an ulp: <= eps * |x| (normal range)
    bound = eps * np.abs(x).mean()
    assert abs(v.mean() - x.mean()) <= bound
    assert abs(v.std() - x.std()) <= 2 * eps * x.std() + bound


@pytest.mark.parametrize("kind", ["f16", "bf16"])
def test_uniform_half_stays_below_high(kind):
    h, _ = half_fill(kind, "uniform_", 0.0, 1.0, shape=(1 << 20,))
    v = values(kind, h)
    assert v.min() >= 0.0 and v.max() < 1.0


# ----------------------------------------------------------------- validation

def test_half_overflow_and_empty_intervals_are_errors():
    g = initfill.Generator(0)
    with pytest.raises(ValueError):
        g.normal_(np.empty(8, np.float16), 0.0, 1e4)
    with pytest.raises(ValueError):
        g.uniform_(np.empty(8, np.float16), 0.0, 1e5)
    with pytest.raises(ValueError):
        g.trunc_normal_(np.empty(8, np.float16), 0.0, 1.0, 1e-9, 2e-9)
    with pytest.raises(ValueError):
        g.trunc_normal_(np.empty(8, np.uint16), 1.0, 1.0, 1.0001, 1.0002, dtype="bfloat16")
    with pytest.raises(ValueError):
        g.uniform_(np.empty(8, np.uint16), 1.0001, 1.0002, dtype="bfloat16")
    # the same parameters are fine in float32
    g.normal_(np.empty(8, np.float32), 0.0, 1e4)


def test_error_leaves_buffer_untouched():
    x = np.full(16, 7, np.float16)
    with pytest.raises(ValueError):
        initfill.Generator(0).normal_(x, 0.0, 1e6)
    assert (x == 7).all()


# -------------------------------------------------------------------- storage

def test_storage_kinds_agree():
    ml = _ml()
    g = initfill.Generator(3)
    ref = g.normal_(np.empty((64, 33), np.uint16), dtype="bfloat16", stream=1)
    a = g.normal_(np.empty((64, 33), ml.bfloat16), stream=1)
    assert np.array_equal(a.view(np.uint16), ref)
    b = g.normal_(np.empty((64, 33), ml.bfloat16), dtype="bfloat16", stream=1)
    assert np.array_equal(b.view(np.uint16), ref)
    raw = bytearray(64 * 33 * 2)
    g.normal_(raw, dtype="bfloat16", stream=1)
    assert np.array_equal(np.frombuffer(raw, np.uint16).reshape(64, 33), ref)
    c = g.normal_(np.empty((64, 33), np.float16), stream=1)
    d = g.normal_(np.empty((64, 33), np.uint16), dtype="float16", stream=1)
    assert np.array_equal(c.view(np.uint16), d)
    e = g.normal_(np.empty((64, 33), np.int16), dtype=np.float16, stream=1)
    assert np.array_equal(e.view(np.uint16), d)


def test_strided_and_sharded_half():
    g = initfill.Generator(9)
    full = g.uniform_(np.empty((40, 50), np.float16), stream=2)
    big = np.zeros((40, 100), np.float16)
    g.uniform_(big[:, ::2], stream=2)
    assert np.array_equal(big[:, ::2], full)
    assert (big[:, 1::2] == 0).all()
    shard = g.uniform_(np.empty((10, 50), np.uint16), stream=2, global_shape=(40, 50),
                       offset=(30, 0), dtype="float16")
    assert np.array_equal(shard, full[30:].view(np.uint16))


def test_wrong_dtype_claims_are_type_errors():
    g = initfill.Generator(0)
    with pytest.raises(TypeError):
        g.normal_(np.empty(8, np.float32), dtype="bfloat16")
    with pytest.raises(TypeError):
        g.normal_(np.empty(8, np.uint16))  # raw words need dtype=
    with pytest.raises(TypeError):
        g.bits_(np.empty(8, np.uint16), dtype="bfloat16")


def test_constant_half():
    ml = _ml()
    x = initfill.constant_(np.empty(9, np.float16), 0.1)
    assert (x == np.float16(0.1)).all()
    y = initfill.constant_(np.empty(9, np.uint16), 0.1, dtype="bfloat16")
    assert (y == np.array(0.1, np.float32).astype(ml.bfloat16).view(np.uint16)).all()
    with pytest.raises(ValueError):
        initfill.constant_(np.empty(2, np.float16), 1e6)


def test_import_does_not_load_optional_packages():
    import subprocess
    import sys

    code = ("import sys, initfill; import numpy as np; "
            "initfill.Generator(0).normal_(np.empty(4, np.float16)); "
            "print('torch' in sys.modules, 'ml_dtypes' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]


@pytest.mark.parametrize("dt", [np.float16, "bfloat16"])
def test_half_values_independent_of_threads(dt):
    n0 = initfill.get_num_threads()
    outs = []
    try:
        for n in (1, 3, 8):
            initfill.set_num_threads(n)
            g = initfill.Generator(13)
            if dt == "bfloat16":
                outs.append(g.trunc_normal_(np.empty(300_001, np.uint16), 0, 0.02, -0.04, 0.04,
                                            dtype="bfloat16"))
            else:
                outs.append(g.trunc_normal_(np.empty(300_001, dt), 0, 0.02, -0.04, 0.04))
    finally:
        initfill.set_num_threads(n0)
    assert all(np.array_equal(outs[0].view(np.uint16), o.view(np.uint16)) for o in outs[1:])

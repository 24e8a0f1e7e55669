"""The module functions (initfill._functions): each scale matches its convention.

torch is not a test dependency, so the expected values are the formulas themselves
(docs/design.md, "Conventions"), written out as each framework's source computes them:

- torch.nn.init: ``xavier_uniform_``: ``std = gain * sqrt(2 / (fan_in + fan_out))``,
  ``U(-sqrt(3) std, sqrt(3) std)``; ``xavier_normal_``: N(0, std**2), untruncated;
  ``kaiming_*``: ``std = calculate_gain(nonlinearity, a) / sqrt(fan)``, fan by ``mode``
  (lower-cased), uniform bound ``sqrt(3) std``, normal untruncated, zero-element
  tensors warn and are left alone; ``trunc_normal_(mean, std, a, b)``: absolute
  bounds.  ``nn.Linear``'s default is ``kaiming_uniform_(a=sqrt(5))``, i.e.
  ``U(+-1/sqrt(fan_in))``.
- Keras ``VarianceScaling`` / JAX ``variance_scaling``: ``n`` = fan_in, fan_out, their
  mean, or (JAX) their geometric mean, ``max(1, n)`` (Keras); truncated normal has
  ``s = sqrt(scale / n) / 0.87962566103423978`` cut at +-2 s; untruncated normal
  ``sqrt(scale / n)``; uniform limit ``sqrt(3 scale / n)``.  LeCun = scale 1, fan_in
  (Keras' ``lecun_normal`` is the truncated one).

Every statistical check uses a fixed seed and a threshold of six standard errors
derived from N, so it cannot flake.  Where the contract makes it exact (values are a
pure function of seed, stream and global index) the test asserts equality with the
primitive fill given the formula's parameters, and with a slice of the whole tensor.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

import initfill
from initfill import Generator, calculate_gain, compute_fans

TRUNC_CORR = 0.87962566103423978  # std of N(0, 1) truncated to [-2, 2] (Keras, JAX)
DTYPES = [np.float32, np.float64]


def check_mean_var(x, mean, var, excess_kurtosis=0.0, what=""):
    """Sample mean and variance within six standard errors of ``mean`` and ``var``."""
    n = x.size
    xd = np.asarray(x, dtype=np.float64).ravel()
    m, v = xd.mean(), xd.var()
    assert abs(m - mean) <= 6 * math.sqrt(var / n), f"{what}: mean {m} vs {mean}"
    rel = 6 * math.sqrt((2.0 + excess_kurtosis) / n)
    assert abs(v / var - 1) <= rel, f"{what}: variance {v} vs {var} (rel tol {rel:.3g})"


def check_uniform(x, bound, what=""):
    """Values in [-bound, bound), reaching close to both ends; variance bound**2 / 3."""
    lo, hi = float(x.min()), float(x.max())
    assert lo >= -bound and hi < bound, f"{what}: [{lo}, {hi}] vs +-{bound}"
    # With N >= 2**15 the chance that no value lies within 0.1% of an end is < e**-30.
    assert lo < -bound * (1 - 1e-3) and hi > bound * (1 - 1e-3), what
    check_mean_var(x, 0.0, bound**2 / 3, excess_kurtosis=-1.2, what=what)


def check_untruncated_normal(x, std, what=""):
    check_mean_var(x, 0.0, std**2, what=what)
    # Untruncated: P(|z| > 2.5) = 2 (1 - Phi(2.5)) ~ 1.24%; a +-2 std cut would give 0.
    n = x.size
    p = 2 * stats.norm.sf(2.5)
    count = int(np.count_nonzero(np.abs(np.asarray(x, np.float64)) > 2.5 * std))
    assert abs(count - n * p) <= 6 * math.sqrt(n * p * (1 - p)), f"{what}: tail {count}"


def check_truncated_2s(x, s, what=""):
    """Truncated normal N(0, s**2) cut at +-2 s: exact bounds, variance (0.8796 s)**2."""
    lo, hi = float(x.min()), float(x.max())
    assert lo >= -2 * s and hi <= 2 * s, f"{what}: [{lo}, {hi}] vs +-{2 * s}"
    assert lo < -2 * s * (1 - 5e-3) and hi > 2 * s * (1 - 5e-3), what
    k = float(stats.truncnorm.stats(-2, 2, moments="k"))
    check_mean_var(x, 0.0, (TRUNC_CORR * s) ** 2, excess_kurtosis=k, what=what)


def same_up_to_rounding(x, y, scale):
    """Equal, or (if a formula rounds differently in its last bit) within 1e-6 scale."""
    np.testing.assert_allclose(np.asarray(x, np.float64), np.asarray(y, np.float64),
                               rtol=0, atol=1e-6 * scale)


# --------------------------------------------------------------------------------------
# Xavier / Glorot


XAVIER_SHAPES = [(512, 256), (128, 64, 3, 3), (64, 32, 8)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", XAVIER_SHAPES)
@pytest.mark.parametrize("gain", [1.0, math.sqrt(2.0), 5.0 / 3, 0.5])
def test_xavier_uniform(dtype, shape, gain):
    fan_in, fan_out = compute_fans(shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    x = initfill.xavier_uniform_(np.empty(shape, dtype), gain, generator=Generator(1),
                                 stream=5)
    check_uniform(x, bound * (1 + 1e-15), f"xavier_uniform_ {shape} gain={gain}")
    # The same values as U(-b, b) with torch's arithmetic for b.
    b = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    assert math.isclose(b, bound, rel_tol=1e-15)
    y = Generator(1).uniform_(np.empty(shape, dtype), -b, b, stream=5)
    same_up_to_rounding(x, y, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", XAVIER_SHAPES)
@pytest.mark.parametrize("gain", [1.0, 5.0 / 3])
def test_xavier_normal(dtype, shape, gain):
    fan_in, fan_out = compute_fans(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    x = initfill.xavier_normal_(np.empty(shape, dtype), gain=gain, generator=Generator(2),
                                stream=9)
    check_untruncated_normal(x, std, f"xavier_normal_ {shape}")
    y = Generator(2).normal_(np.empty(shape, dtype), 0.0, std, stream=9)
    same_up_to_rounding(x, y, std)


def test_xavier_default_gain_is_one():
    x = initfill.xavier_uniform_(np.empty((64, 32)), generator=Generator(3), stream=0)
    y = initfill.xavier_uniform_(np.empty((64, 32)), 1.0, generator=Generator(3), stream=0)
    assert np.array_equal(x, y)


# --------------------------------------------------------------------------------------
# Kaiming / He


KAIMING_CASES = [
    # (nonlinearity, a, expected gain)
    ("leaky_relu", 0, math.sqrt(2.0)),             # torch's default arguments
    ("leaky_relu", 0.2, math.sqrt(2.0 / 1.04)),
    ("leaky_relu", math.sqrt(5), math.sqrt(1.0 / 3)),  # nn.Linear / nn.Conv default
    ("relu", 0, math.sqrt(2.0)),
    ("relu", 0.7, math.sqrt(2.0)),                 # a is ignored for relu
    ("tanh", 0, 5.0 / 3),
    ("linear", 0, 1.0),
    ("selu", 0, 0.75),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity, a, gain", KAIMING_CASES)
def test_kaiming_uniform(dtype, mode, nonlinearity, a, gain):
    shape = (96, 48, 3, 3)  # fan_in 432, fan_out 864
    fan = dict(zip(("fan_in", "fan_out"), compute_fans(shape)))[mode]
    bound = gain * math.sqrt(3.0 / fan)
    x = initfill.kaiming_uniform_(np.empty(shape, dtype), a, mode, nonlinearity,
                                  generator=Generator(4), stream=1)
    check_uniform(x, bound * (1 + 1e-15), f"kaiming_uniform_ {nonlinearity} a={a} {mode}")
    b = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    y = Generator(4).uniform_(np.empty(shape, dtype), -b, b, stream=1)
    same_up_to_rounding(x, y, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity, a, gain", KAIMING_CASES[::2])
def test_kaiming_normal(dtype, mode, nonlinearity, a, gain):
    shape = (96, 48, 3, 3)
    fan = dict(zip(("fan_in", "fan_out"), compute_fans(shape)))[mode]
    std = gain / math.sqrt(fan)
    x = initfill.kaiming_normal_(np.empty(shape, dtype), a=a, mode=mode,
                                 nonlinearity=nonlinearity, generator=Generator(5), stream=2)
    check_untruncated_normal(x, std, f"kaiming_normal_ {nonlinearity} a={a} {mode}")
    y = Generator(5).normal_(np.empty(shape, dtype), 0.0, std, stream=2)
    same_up_to_rounding(x, y, std)


def test_kaiming_defaults_and_mode_case():
    # torch: a=0, mode="fan_in", nonlinearity="leaky_relu" -> std = sqrt(2 / fan_in);
    # the mode is lower-cased.
    shape = (64, 128)
    x = initfill.kaiming_normal_(np.empty(shape), generator=Generator(6), stream=0)
    y = Generator(6).normal_(np.empty(shape), 0.0, math.sqrt(2.0) / math.sqrt(128), stream=0)
    same_up_to_rounding(x, y, 1.0)
    u = initfill.kaiming_uniform_(np.empty(shape), mode="FAN_OUT", generator=Generator(6),
                                  stream=0)
    v = initfill.kaiming_uniform_(np.empty(shape), mode="fan_out", generator=Generator(6),
                                  stream=0)
    assert np.array_equal(u, v)


@pytest.mark.parametrize("dtype", DTYPES)
def test_nn_linear_default_init(dtype):
    # nn.Linear(784, 300): weight kaiming_uniform_(a=sqrt(5)) = U(+-1/sqrt(784)),
    # bias U(+-1/sqrt(fan_in)).
    fan_in = 784
    w = initfill.kaiming_uniform_(np.empty((300, fan_in), dtype), a=math.sqrt(5),
                                  generator=Generator(7), stream=0)
    check_uniform(w, (1 / 28) * (1 + 1e-12), "nn.Linear weight")
    bound = 1 / math.sqrt(fan_in)
    bias = initfill.uniform_(np.empty(300, dtype), -bound, bound, generator=Generator(7),
                             stream=1)
    assert float(bias.min()) >= -bound and float(bias.max()) < bound


def test_kaiming_zero_element_warns_like_torch():
    for fill in (initfill.kaiming_uniform_, initfill.kaiming_normal_):
        x = np.empty((0, 16), np.float32)
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            assert fill(x) is x


# --------------------------------------------------------------------------------------
# trunc_normal_ with absolute bounds


TN_CASES = [
    # (mean, std, a, b)
    (0.0, 1.0, -2.0, 2.0),
    (0.0, 0.02, -0.04, 0.04),     # timm / ViT style: +-2 std written as values
    (0.5, 2.0, -1.0, 0.25),
    (3.0, 1.0, 4.0, 10.0),        # interval entirely above the mean
    (0.0, 1.0, -math.inf, -1.0),  # one-sided
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mean, std, a, b", TN_CASES)
def test_trunc_normal_absolute_bounds(dtype, mean, std, a, b):
    n = 1 << 17
    x = initfill.trunc_normal_(np.empty(n, dtype), mean, std, a, b, generator=Generator(8),
                               stream=3)
    assert float(x.min()) >= a and float(x.max()) <= b
    dist = stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
    m, v, k = (float(t) for t in dist.stats(moments="mvk"))
    check_mean_var(x, m, v, excess_kurtosis=k, what=f"trunc_normal_ {mean, std, a, b}")


def test_trunc_normal_default_bounds_are_values_not_stds():
    # torch semantics: a=-2, b=2 are absolute.  With std=0.02 they cut nothing that
    # matters, so about 4.55% of the values lie beyond 2 std = 0.04.
    n = 1 << 17
    x = initfill.trunc_normal_(np.empty(n), std=0.02, generator=Generator(9), stream=0)
    p = 2 * stats.norm.sf(2.0)
    count = int(np.count_nonzero(np.abs(x) > 0.04))
    assert abs(count - n * p) <= 6 * math.sqrt(n * p * (1 - p))
    check_mean_var(x, 0.0, 0.02**2)
    y = initfill.trunc_normal_(np.empty(n), generator=Generator(9), stream=0)
    assert float(y.min()) >= -2.0 and float(y.max()) <= 2.0


# --------------------------------------------------------------------------------------
# LeCun and variance scaling (Keras / JAX)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout, shape", [("torch", (256, 128)), ("keras", (128, 256)),
                                           ("torch", (64, 32, 3, 3)),
                                           ("keras", (3, 3, 32, 64)), ("jax", (3, 3, 32, 64))])
def test_lecun(dtype, layout, shape):
    fan_in = compute_fans(shape, layout)[0]
    assert fan_in in (128, 288)
    x = initfill.lecun_uniform_(np.empty(shape, dtype), layout=layout, generator=Generator(10),
                                stream=0)
    check_uniform(x, math.sqrt(3.0 / fan_in) * (1 + 1e-15), f"lecun_uniform_ {layout}")
    y = initfill.lecun_normal_(np.empty(shape, dtype), layout=layout, generator=Generator(10),
                               stream=1)
    s = math.sqrt(1.0 / fan_in) / TRUNC_CORR
    check_truncated_2s(y, s, f"lecun_normal_ {layout}")
    # Variance 1 / fan_in, as the name promises.
    assert abs(float(np.var(y, dtype=np.float64)) * fan_in - 1) < 6 * math.sqrt(2 / y.size)


def test_lecun_is_variance_scaling_fan_in():
    shape = (48, 40)
    for layout in ("torch", "keras", "jax"):
        a = initfill.lecun_uniform_(np.empty(shape), layout=layout, generator=Generator(1),
                                    stream=4)
        b = initfill.variance_scaling_(np.empty(shape), 1.0, "fan_in", "uniform",
                                       layout=layout, generator=Generator(1), stream=4)
        assert np.array_equal(a, b)
        a = initfill.lecun_normal_(np.empty(shape), layout=layout, generator=Generator(1),
                                   stream=4)
        b = initfill.variance_scaling_(np.empty(shape), layout=layout,
                                       generator=Generator(1), stream=4)
        assert np.array_equal(a, b)


# A torch-layout conv weight with very different fans, and how each layout spells it.
VS_TORCH_SHAPE = (256, 16, 3, 3)  # fan_in 144, fan_out 2304, avg 1224, geo 576
VS_LAYOUTS = {
    "torch": (VS_TORCH_SHAPE, {}),
    "keras": ((3, 3, 16, 256), {}),
    "jax": ((3, 3, 16, 256), {}),
    "axes": (VS_TORCH_SHAPE, {"in_axis": 1, "out_axis": 0}),
    "axes-batch": ((2, 3, 16, 256), {"in_axis": -2, "out_axis": -1, "batch_axis": 0}),
}
VS_N = {"fan_in": 144.0, "fan_out": 2304.0, "fan_avg": 1224.0, "fan_geo_avg": 576.0}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", VS_LAYOUTS)
@pytest.mark.parametrize("mode", VS_N)
@pytest.mark.parametrize("distribution",
                         ["truncated_normal", "untruncated_normal", "normal", "uniform"])
def test_variance_scaling(dtype, layout, mode, distribution):
    shape, axes = VS_LAYOUTS[layout]
    lay = "jax" if layout.startswith("axes") else layout
    n = VS_N[mode]
    if layout == "axes-batch":
        n = {"fan_in": 16 * 3, "fan_out": 256 * 3, "fan_avg": (48 + 768) / 2,
             "fan_geo_avg": math.sqrt(48 * 768)}[mode]
    scale = 2.0
    what = f"variance_scaling_ {layout} {mode} {distribution}"
    x = initfill.variance_scaling_(np.empty(shape, dtype), scale, mode, distribution,
                                   layout=lay, **axes, generator=Generator(12), stream=6)
    g = Generator(12)
    if distribution == "truncated_normal":
        s = math.sqrt(scale / n) / TRUNC_CORR
        check_truncated_2s(x, s, what)
        y = g.trunc_normal_(np.empty(shape, dtype), 0.0, s, -2 * s, 2 * s, stream=6)
        same_up_to_rounding(x, y, s)
    elif distribution == "uniform":
        limit = math.sqrt(3 * scale / n)
        check_uniform(x, limit * (1 + 1e-15), what)
        y = g.uniform_(np.empty(shape, dtype), -limit, limit, stream=6)
        same_up_to_rounding(x, y, limit)
    else:
        std = math.sqrt(scale / n)
        check_untruncated_normal(x, std, what)
        y = g.normal_(np.empty(shape, dtype), 0.0, std, stream=6)
        same_up_to_rounding(x, y, std)


def test_variance_scaling_normal_is_untruncated_normal():
    a = initfill.variance_scaling_(np.empty((30, 20)), 0.5, "fan_avg", "normal",
                                   generator=Generator(1), stream=0)
    b = initfill.variance_scaling_(np.empty((30, 20)), 0.5, "fan_avg", "untruncated_normal",
                                   generator=Generator(1), stream=0)
    assert np.array_equal(a, b)


def test_variance_scaling_defaults():
    # scale=1, mode="fan_in", distribution="truncated_normal", layout="torch".
    shape = (64, 100)
    x = initfill.variance_scaling_(np.empty(shape), generator=Generator(2), stream=0)
    s = math.sqrt(1.0 / 100) / TRUNC_CORR
    y = Generator(2).trunc_normal_(np.empty(shape), 0.0, s, -2 * s, 2 * s, stream=0)
    same_up_to_rounding(x, y, s)


def test_variance_scaling_small_shapes_keras():
    # Keras: 0-D fans (1, 1), 1-D (n, n); n is at least 1.
    x = initfill.variance_scaling_(np.empty(()), 3.0, "fan_avg", "uniform", layout="keras",
                                   generator=Generator(3), stream=0)
    y = Generator(3).uniform_(np.empty(()), -3.0, 3.0, stream=0)
    same_up_to_rounding(x, y, 3.0)
    b = initfill.variance_scaling_(np.empty(50), 3.0, "fan_out", "uniform", layout="keras",
                                   generator=Generator(3), stream=1)
    lim = math.sqrt(9.0 / 50)
    assert float(np.abs(b).max()) < lim
    same_up_to_rounding(b, Generator(3).uniform_(np.empty(50), -lim, lim, stream=1), lim)


def test_variance_scaling_of_a_single_element():
    # A (1, 1) weight: every n is 1, so the uniform limit is sqrt(3 scale).  (Keras'
    # max(1, n) only matters for n < 1, i.e. a zero fan, i.e. a zero-size tensor, which
    # is a no-op: see test_bad_input.)
    for mode in VS_N:
        x = initfill.variance_scaling_(np.empty((1, 1)), 4.0, mode, "uniform",
                                       generator=Generator(4), stream=0)
        lim = math.sqrt(12.0)
        assert abs(float(x[0, 0])) < lim
        same_up_to_rounding(x, Generator(4).uniform_(np.empty((1, 1)), -lim, lim, stream=0),
                            lim)


# --------------------------------------------------------------------------------------
# Fans from global_shape: a block gets the whole tensor's scale and values


INITS = {
    "xavier_uniform_": lambda x, **kw: initfill.xavier_uniform_(x, 1.3, **kw),
    "xavier_normal_": lambda x, **kw: initfill.xavier_normal_(x, **kw),
    "kaiming_uniform_": lambda x, **kw: initfill.kaiming_uniform_(x, math.sqrt(5), **kw),
    "kaiming_normal_": lambda x, **kw: initfill.kaiming_normal_(
        x, mode="fan_out", nonlinearity="relu", **kw),
    "lecun_uniform_": lambda x, **kw: initfill.lecun_uniform_(x, **kw),
    "lecun_normal_": lambda x, **kw: initfill.lecun_normal_(x, layout="keras", **kw),
    "variance_scaling_[trunc,geo,jax]": lambda x, **kw: initfill.variance_scaling_(
        x, 2.0, "fan_geo_avg", "truncated_normal", layout="jax", **kw),
    "variance_scaling_[uniform,avg,axes]": lambda x, **kw: initfill.variance_scaling_(
        x, 0.5, "fan_avg", "uniform", in_axis=1, out_axis=0, **kw),
    "variance_scaling_[normal,out]": lambda x, **kw: initfill.variance_scaling_(
        x, 1.0, "fan_out", "normal", **kw),
    "uniform_": lambda x, **kw: initfill.uniform_(x, -0.1, 0.3, **kw),
    "normal_": lambda x, **kw: initfill.normal_(x, 1.0, 0.5, **kw),
    "trunc_normal_": lambda x, **kw: initfill.trunc_normal_(x, 0.0, 0.02, -0.03, 0.05, **kw),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", INITS)
def test_block_equals_slice_of_whole(dtype, name):
    G = (24, 40, 3, 5)
    fill = INITS[name]
    whole = fill(np.empty(G, dtype), generator=Generator(77), stream=3)
    for off, ext in (((0, 0, 0, 0), (24, 8, 3, 5)), ((5, 8, 1, 2), (7, 32, 2, 3)),
                     ((23, 39, 2, 4), (1, 1, 1, 1))):
        block = fill(np.empty(ext, dtype), generator=Generator(77), stream=3,
                     global_shape=G, offset=off)
        sl = tuple(slice(o, o + e) for o, e in zip(off, ext))
        np.testing.assert_array_equal(block, whole[sl], err_msg=f"{name} block {off} {ext}")


def test_block_gets_the_scale_of_the_big_tensor():
    # An (8, 40) row shard of a (4096, 40) torch weight: xavier's bound comes from fans
    # (40, 4096), not (40, 8); the values are exactly those of U(-b, b) at the shard's
    # global indices.
    G, off, ext = (4096, 40), (1024, 0), (2048, 40)
    b = math.sqrt(3.0) * math.sqrt(2.0 / (40 + 4096))
    x = initfill.xavier_uniform_(np.empty(ext, np.float32), generator=Generator(5), stream=0,
                                 global_shape=G, offset=off)
    y = Generator(5).uniform_(np.empty(ext, np.float32), -b, b, stream=0, global_shape=G,
                              offset=off)
    same_up_to_rounding(x, y, b)
    check_uniform(x, b * (1 + 1e-15), "xavier shard")
    # Without global_shape the shard would have been scaled for fans (40, 2048).
    alone = initfill.xavier_uniform_(np.empty(ext, np.float32), generator=Generator(5),
                                     stream=0)
    assert float(np.abs(alone).max()) > b * 1.2
    # Kaiming fan_out and variance scaling fan_avg of a column shard of a conv weight.
    G4 = (512, 64, 3, 3)
    k = initfill.kaiming_normal_(np.empty((512, 16, 3, 3), np.float32), mode="fan_out",
                                 generator=Generator(6), stream=0, global_shape=G4,
                                 offset=(0, 48, 0, 0))
    check_untruncated_normal(k, math.sqrt(2.0) / math.sqrt(512 * 9), "kaiming shard")
    v = initfill.variance_scaling_(np.empty((512, 16, 3, 3), np.float32), 1.0, "fan_avg",
                                   "uniform", generator=Generator(6), stream=1,
                                   global_shape=G4, offset=(0, 16, 0, 0))
    check_uniform(v, math.sqrt(3.0 / ((64 * 9 + 512 * 9) / 2)) * (1 + 1e-15), "vs shard")


def test_strided_view_gets_the_values_of_its_logical_shape():
    # The logical tensor of a transposed view is the view's shape, in C order.
    base = np.empty((40, 24))
    x = initfill.xavier_uniform_(base.T, generator=Generator(8), stream=0)
    assert x is not None
    y = initfill.xavier_uniform_(np.empty((24, 40)), generator=Generator(8), stream=0)
    assert np.array_equal(base.T, y)
    rev = np.empty((24, 40))[::-1, ::2]
    initfill.kaiming_uniform_(rev, generator=Generator(8), stream=1)
    z = initfill.kaiming_uniform_(np.empty((24, 20)), generator=Generator(8), stream=1)
    assert np.array_equal(rev, z)


# --------------------------------------------------------------------------------------
# constant_, zeros_, ones_


@pytest.mark.parametrize("dtype", DTYPES)
def test_constant_zeros_ones(dtype):
    x = np.full((5, 7), 9.0, dtype)
    assert initfill.constant_(x, 0.1) is x
    assert np.all(x == dtype(0.1))
    assert initfill.constant_(x, 3) is x and np.all(x == 3)
    assert initfill.constant_(x, np.float32(-2.5)) is x and np.all(x == -2.5)
    assert initfill.zeros_(x) is x and np.all(x == 0) and not np.signbit(x).any()
    assert initfill.ones_(x) is x and np.all(x == 1)
    big = float(np.finfo(dtype).max)
    assert np.all(initfill.constant_(x, big) == big)


def test_constant_writes_only_the_view():
    base = np.full((6, 8), 7.0, np.float32)
    initfill.constant_(base[1::2, ::-3], -1.0)
    mask = np.zeros(base.shape, bool)
    mask[1::2, ::-3] = True
    assert np.all(base[mask] == -1.0) and np.all(base[~mask] == 7.0)
    initfill.zeros_(base[:, 0])
    assert np.all(base[:, 0] == 0) and np.all(base[:, 1:][~mask[:, 1:]] == 7.0)


def test_constant_on_raw_buffers():
    buf = bytearray(32)
    assert initfill.ones_(buf, dtype=np.float64) is buf
    assert np.array_equal(np.frombuffer(buf, np.float64), np.ones(4))
    mv = memoryview(bytearray(16))
    initfill.constant_(mv, 0.5, dtype="float32")
    assert np.array_equal(np.frombuffer(mv, np.float32), np.full(4, 0.5, np.float32))


# --------------------------------------------------------------------------------------
# generator=, stream=, manual_seed and the default generator


ALL_INITS = {**INITS,
             "variance_scaling_[default]": lambda x, **kw: initfill.variance_scaling_(x, **kw)}


@pytest.mark.parametrize("name", ALL_INITS)
def test_same_seed_same_values(name):
    fill = ALL_INITS[name]
    shape = (16, 12, 3)
    g1, g2 = Generator(2024), Generator(2024)
    a = [fill(np.empty(shape, np.float32), generator=g1) for _ in range(3)]
    b = [fill(np.empty(shape, np.float32), generator=g2) for _ in range(3)]
    for u, v in zip(a, b):
        assert np.array_equal(u, v)
    # Each call takes the next stream: successive tensors differ.
    assert g1.next_stream == 3
    assert not np.array_equal(a[0], a[1]) and not np.array_equal(a[1], a[2])
    # A different seed gives different values.
    c = fill(np.empty(shape, np.float32), generator=Generator(2025))
    assert not np.array_equal(a[0], c)
    # An explicit stream does not advance the counter and names the same values.
    d = fill(np.empty(shape, np.float32), generator=g1, stream=1)
    assert g1.next_stream == 3 and np.array_equal(d, a[1])
    e = fill(np.empty(shape, np.float32), generator=g1, stream="block.0.weight")
    f = fill(np.empty(shape, np.float32), generator=g2,
             stream=initfill.stream_id("block.0.weight"))
    assert np.array_equal(e, f) and g1.next_stream == 3


@pytest.mark.parametrize("name", ALL_INITS)
def test_default_generator_is_used_without_generator(name):
    fill = ALL_INITS[name]
    shape = (10, 14)
    g = initfill.manual_seed(31337)
    assert initfill.default_generator() is g and g.seed == 31337 and g.next_stream == 0
    a = fill(np.empty(shape))
    b = fill(np.empty(shape), generator=None)
    assert g.next_stream == 2
    ref = Generator(31337)
    assert np.array_equal(a, fill(np.empty(shape), generator=ref))
    assert np.array_equal(b, fill(np.empty(shape), generator=ref))
    # manual_seed restarts the sequence.
    initfill.manual_seed(31337)
    assert np.array_equal(a, fill(np.empty(shape)))


def test_manual_seed_values_match_generator():
    initfill.manual_seed(5)
    x = initfill.normal_(np.empty(1000, np.float32))
    u = initfill.uniform_(np.empty(1000, np.float32), -1, 1)
    g = Generator(5)
    assert np.array_equal(x, g.normal_(np.empty(1000, np.float32)))
    assert np.array_equal(u, g.uniform_(np.empty(1000, np.float32), -1, 1))
    initfill.manual_seed(6)
    assert not np.array_equal(x, initfill.normal_(np.empty(1000, np.float32)))


def test_threads_do_not_change_initializer_values():
    n = initfill.get_num_threads()
    try:
        out = []
        for t in (1, 2, 3):
            initfill.set_num_threads(t)
            out.append(initfill.lecun_normal_(np.empty((300, 200), np.float32),
                                              generator=Generator(1), stream=0))
        assert np.array_equal(out[0], out[1]) and np.array_equal(out[0], out[2])
    finally:
        initfill.set_num_threads(n)


def test_initializers_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, fill in ALL_INITS.items():
            fill(np.empty((8, 8)), generator=Generator(1))

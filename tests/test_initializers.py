"""initfill.initializers: Keras names, arguments, defaults, configs and values."""
from __future__ import annotations

import math

import numpy as np
import pytest

import initfill
from initfill import initializers as I

TRUNC = 0.87962566103423978
SEEDED = [
    I.RandomNormal(seed=3), I.RandomUniform(seed=3), I.TruncatedNormal(seed=3),
    I.VarianceScaling(seed=3), I.GlorotUniform(seed=3), I.GlorotNormal(seed=3),
    I.HeUniform(seed=3), I.HeNormal(seed=3), I.LecunUniform(seed=3),
    I.LecunNormal(seed=3), I.Orthogonal(seed=3),
]
ALL = SEEDED + [I.Zeros(), I.Ones(), I.Constant(0.5), I.Identity(2.0)]


# --- the Keras surface ----------------------------------------------------------------

def test_defaults_and_config_keys_are_keras():
    assert I.RandomNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert I.RandomUniform().get_config() == {"minval": -0.05, "maxval": 0.05, "seed": None}
    assert I.TruncatedNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert I.VarianceScaling().get_config() == {
        "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal", "seed": None,
        "input_axes": None, "output_axes": None}
    assert I.Orthogonal().get_config() == {"gain": 1.0, "seed": None}
    assert I.Identity().get_config() == {"gain": 1.0}
    assert I.Constant(2).get_config() == {"value": 2.0}
    assert I.Zeros().get_config() == {} and I.Ones().get_config() == {}
    for cls in (I.GlorotUniform, I.GlorotNormal, I.HeUniform, I.HeNormal,
                I.LecunUniform, I.LecunNormal):
        assert cls(seed=5).get_config() == {"seed": 5, "input_axes": None,
                                            "output_axes": None}


@pytest.mark.parametrize("cls,args", [
    (I.GlorotUniform, (1.0, "fan_avg", "uniform")),
    (I.GlorotNormal, (1.0, "fan_avg", "truncated_normal")),
    (I.HeUniform, (2.0, "fan_in", "uniform")),
    (I.HeNormal, (2.0, "fan_in", "truncated_normal")),
    (I.LecunUniform, (1.0, "fan_in", "uniform")),
    (I.LecunNormal, (1.0, "fan_in", "truncated_normal")),
])
def test_presets_are_variance_scaling(cls, args):
    init = cls(seed=11)
    assert isinstance(init, I.VarianceScaling)
    assert (init.scale, init.mode, init.distribution) == args
    same = I.VarianceScaling(*args, seed=11)
    assert np.array_equal(init((3, 3, 8, 16)), same((3, 3, 8, 16)))


@pytest.mark.parametrize("init", ALL, ids=lambda i: type(i).__name__)
def test_config_round_trip(init):
    config = init.get_config()
    again = type(init).from_config(config)
    assert again.get_config() == config and again == init
    ser = I.serialize(init)
    assert ser["class_name"] == {"Orthogonal": "OrthogonalInitializer",
                                 "Identity": "IdentityInitializer"}.get(
        type(init).__name__, type(init).__name__)
    assert ser["module"] == "keras.initializers" and ser["registered_name"] is None
    assert I.deserialize(ser) == init and I.get(ser) == init
    if config.get("seed", 0) is not None:        # seeded or deterministic: same values
        assert np.array_equal(init((4, 4)), again((4, 4)))


def test_layout_is_in_config_only_when_not_keras():
    assert "layout" not in I.HeNormal().get_config()
    vs = I.VarianceScaling(2.0, layout="torch")
    assert vs.get_config()["layout"] == "torch"
    assert I.VarianceScaling.from_config(vs.get_config()).layout == "torch"
    assert I.HeNormal.from_config({"seed": 1, "layout": "jax"}).layout == "jax"


@pytest.mark.parametrize("name,cls", [
    ("glorot_uniform", I.GlorotUniform), ("glorot_normal", I.GlorotNormal),
    ("he_normal", I.HeNormal), ("he_uniform", I.HeUniform),
    ("lecun_normal", I.LecunNormal), ("lecun_uniform", I.LecunUniform),
    ("random_normal", I.RandomNormal), ("random_uniform", I.RandomUniform),
    ("truncated_normal", I.TruncatedNormal), ("variance_scaling", I.VarianceScaling),
    ("zeros", I.Zeros), ("ones", I.Ones), ("constant", I.Constant),
    ("orthogonal", I.Orthogonal), ("identity", I.Identity),
    ("GlorotUniform", I.GlorotUniform), ("HeNormal", I.HeNormal),
    ("TruncatedNormal", I.TruncatedNormal), ("uniform", I.RandomUniform),
    ("normal", I.RandomNormal), ("zero", I.Zeros), ("one", I.Ones),
])
def test_get_names(name, cls):
    got = I.get(name)
    assert type(got) is cls
    assert got == cls()


def test_get_other_identifiers():
    he = I.HeNormal(seed=1)
    assert I.get(he) is he
    assert I.get(None) is None
    assert type(I.get(I.GlorotNormal)) is I.GlorotNormal

    def fn(shape, dtype=None):
        return np.zeros(shape)

    assert I.get(fn) is fn
    got = I.get({"class_name": "RandomNormal", "config": {"stddev": 0.02, "seed": 4}})
    assert got == I.RandomNormal(stddev=0.02, seed=4)
    assert I.get({"class_name": "he_normal"}) == I.HeNormal()


@pytest.mark.parametrize("bad", ["he_normall", "xavier", "", 3, {"class_name": "Nope"},
                                 {"config": {}}])
def test_get_unknown_lists_known_names(bad):
    with pytest.raises(ValueError) as e:
        I.get(bad)
    if isinstance(bad, str) or isinstance(bad, dict) and "class_name" in bad:
        assert "glorot_uniform" in str(e.value) and "he_normal" in str(e.value)


def test_top_level_names():
    assert initfill.initializers is I
    assert "initializers" in initfill.__all__


# --- values ---------------------------------------------------------------------------

@pytest.mark.parametrize("init", SEEDED, ids=lambda i: type(i).__name__)
def test_seeded_is_repeatable_and_fill_matches_call(init):
    shape = (6, 5)
    a = init(shape)
    assert a.dtype == np.float32 and a.shape == shape
    assert np.array_equal(a, init(shape))
    for dtype in (np.float32, np.float64):
        buf = np.full(shape, np.nan, dtype)
        assert init.fill_(buf) is buf
        assert np.array_equal(buf, init(shape, dtype))
    # a strided view gets the same values
    big = np.zeros((12, 10), np.float64)
    init.fill_(big[::2, ::2])
    assert np.array_equal(big[::2, ::2], init(shape, "float64"))
    assert not big[1::2].any()


def test_seeded_values_are_generator_stream_0():
    shape = (7, 9)
    g = initfill.Generator
    assert np.array_equal(I.RandomNormal(0.1, 0.02, seed=7)(shape),
                          g(7).normal_(np.empty(shape, np.float32), 0.1, 0.02, stream=0))
    assert np.array_equal(I.RandomUniform(-1, 2, seed=7)(shape),
                          g(7).uniform_(np.empty(shape, np.float32), -1, 2, stream=0))
    assert np.array_equal(I.TruncatedNormal(1.0, 0.5, seed=7)(shape, "float64"),
                          g(7).trunc_normal_(np.empty(shape), 1.0, 0.5, 0.0, 2.0, stream=0))
    # Keras fans (*kernel, in, out): the he_normal std is sqrt(2/fan_in)/0.8796...
    k = (3, 3, 4, 8)
    s = math.sqrt(2.0 / 36) / TRUNC
    assert np.array_equal(I.HeNormal(seed=7)(k),
                          g(7).trunc_normal_(np.empty(k, np.float32), 0, s, -2 * s, 2 * s,
                                             stream=0))
    assert np.array_equal(
        I.GlorotUniform(seed=7)(k),
        initfill.variance_scaling_(np.empty(k, np.float32), 1.0, "fan_avg", "uniform",
                                   layout="keras", generator=g(7), stream=0))


def test_unseeded_draws_a_seed_once_at_construction():
    # Keras 3: an unseeded object returns the same values on every call; a new object
    # new values.  The seed is drawn from the default generator's next stream.
    initfill.manual_seed(123)
    init = I.RandomNormal()
    assert initfill.default_generator().next_stream == 1
    a, b = init((50,)), init((50,))
    assert np.array_equal(a, b)
    assert np.array_equal(init.fill_(np.empty(50, np.float32)), a)
    assert not np.array_equal(I.RandomNormal()((50,)), a)
    initfill.manual_seed(123)
    assert np.array_equal(I.RandomNormal()((50,)), a)  # reproducible from manual_seed
    word = initfill.Generator(123).bits_(np.empty(1, np.uint64), stream=0)
    ref = initfill.Generator(int(word[0])).normal_(np.empty(50, np.float32), 0.0, 0.05,
                                                   stream=0)
    assert np.array_equal(a, ref)
    assert init.get_config()["seed"] is None  # as Keras's config


def test_generator_and_stream_override():
    g = initfill.Generator(9)
    init = I.HeUniform(seed=1)
    a = init.fill_(np.empty((8, 8)), generator=g, stream=5)
    b = init.fill_(np.empty((8, 8)), generator=initfill.Generator(9), stream=5)
    assert np.array_equal(a, b) and not np.array_equal(a, init((8, 8), "float64"))
    with pytest.raises(ValueError, match="stream= needs generator="):
        init.fill_(np.empty(3), stream=1)
    with pytest.raises(TypeError, match="generator"):
        init.fill_(np.empty(3), generator=np.random.default_rng())


def test_statistics_keras_scales():
    n = 400_000
    x = I.RandomNormal(1.0, 0.5, seed=1)((n,), "float64")
    assert abs(x.mean() - 1.0) < 0.005 and abs(x.std() - 0.5) < 0.005
    x = I.RandomUniform(-2.0, 1.0, seed=1)((n,), "float64")
    assert x.min() >= -2.0 and x.max() < 1.0 and abs(x.mean() + 0.5) < 0.01
    x = I.TruncatedNormal(0.5, 0.1, seed=1)((n,), "float64")
    assert x.min() >= 0.3 and x.max() <= 0.7
    assert abs(x.std() - 0.1 * TRUNC) < 0.001
    # variance-scaling: variance scale/fan with Keras fans (*kernel, in, out)
    shape = (5, 5, 40, 80)                      # fan_in 1000, fan_out 2000
    for init, var in [(I.HeNormal(seed=2), 2 / 1000), (I.HeUniform(seed=2), 2 / 1000),
                      (I.GlorotNormal(seed=2), 2 / 3000), (I.LecunUniform(seed=2), 1 / 1000),
                      (I.VarianceScaling(3.0, "fan_out", "untruncated_normal", seed=2), 3 / 2000)]:
        w = init(shape, "float64")
        assert abs(w.var() / var - 1) < 0.02, (init, w.var(), var)
    w = I.HeNormal(seed=2)(shape)
    assert np.abs(w).max() <= 2 * math.sqrt(2 / 1000) / TRUNC * (1 + 1e-6)
    # Dense kernel (in, out) vs the torch layout (out, in)
    assert I.LecunNormal().fans((100, 10)) == (100, 10)
    assert I.LecunNormal(layout="torch").fans((100, 10)) == (10, 100)


def test_constants_and_identity():
    assert np.array_equal(I.Zeros()((2, 3)), np.zeros((2, 3), np.float32))
    assert np.array_equal(I.Ones()((2, 3), "float64"), np.ones((2, 3)))
    assert np.array_equal(I.Constant(-1.5)((4,)), np.full(4, -1.5, np.float32))
    assert np.array_equal(I.Identity(3.0)((2, 4)), 3.0 * np.eye(2, 4, dtype=np.float32))
    with pytest.raises(ValueError, match="2-D"):
        I.Identity()((3, 3, 3))
    with pytest.raises(ValueError, match="2-D"):
        I.Identity()((3,))


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 5), (3, 2, 8), (2, 3, 3, 2)])
def test_orthogonal_is_orthogonal(shape):
    q = I.Orthogonal(gain=2.0, seed=8)(shape, "float64")
    assert q.shape == shape
    flat = q.reshape(-1, shape[-1]) / 2.0
    rows, cols = flat.shape
    gram = flat.T @ flat if rows >= cols else flat @ flat.T
    assert np.allclose(gram, np.eye(min(rows, cols)), atol=1e-12)
    assert np.array_equal(I.Orthogonal(gain=2.0, seed=8)(shape, "float64"), q)


def test_orthogonal_sign_correction_and_source():
    """Q comes from the QR of initfill's normal matrix with R's diagonal made positive."""
    q = I.Orthogonal(seed=21)((10, 4), "float64")
    a = initfill.Generator(21).normal_(np.empty((10, 4)), stream=0)
    r = q.T @ a                                  # = R when A = QR
    assert np.allclose(np.tril(r, -1), 0, atol=1e-12)
    assert (np.diag(r) > 0).all()
    # wide shapes are the transpose of the tall factorization
    wide = I.Orthogonal(seed=21)((4, 10), "float64")
    assert np.array_equal(wide, q.T)


def test_orthogonal_is_haar_on_average():
    """Haar: E[trace Q] = 0 and Var = 1; an unsigned QR has a biased trace."""
    traces = [np.trace(I.Orthogonal(seed=s)((6, 6), "float64")) for s in range(300)]
    assert abs(np.mean(traces)) < 0.25                 # sd of the mean is ~0.06
    assert 0.6 < np.var(traces) < 1.5


# --- errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("make,err,match", [
    (lambda: I.RandomNormal(stddev=-1), ValueError, "stddev"),
    (lambda: I.RandomNormal(mean=float("nan")), ValueError, "mean"),
    (lambda: I.RandomNormal(stddev="1"), TypeError, "stddev"),
    (lambda: I.TruncatedNormal(stddev=0), ValueError, "stddev"),
    (lambda: I.RandomUniform(1.0, -1.0), ValueError, "minval"),
    (lambda: I.VarianceScaling(0.0), ValueError, "scale"),
    (lambda: I.VarianceScaling(mode="fan_geo"), ValueError, "mode"),
    (lambda: I.VarianceScaling(distribution="gaussian"), ValueError, "distribution"),
    (lambda: I.VarianceScaling(layout="tf"), ValueError, "layout"),
    (lambda: I.HeNormal(seed=-1), ValueError, "seed"),
    (lambda: I.HeNormal(seed=1.5), TypeError, "seed"),
    (lambda: I.HeNormal(seed=True), TypeError, "seed"),
    (lambda: I.Constant(float("inf")), ValueError, "value"),
    (lambda: I.Orthogonal(gain=None), TypeError, "gain"),
])
def test_bad_arguments(make, err, match):
    with pytest.raises(err, match=match):
        make()


def test_bad_calls_leave_buffers_alone():
    init = I.GlorotUniform(seed=0)
    with pytest.raises(TypeError, match="dtype"):
        init((2, 2), "int32")
    with pytest.raises(TypeError, match="dtype"):
        init((2, 2), "complex64")
    with pytest.raises(TypeError, match="shape"):
        init("abc")
    with pytest.raises(ValueError, match="negative"):
        init((2, -1))
    ro = np.zeros((3, 3), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        init.fill_(ro)
    x = np.zeros(5, np.float32)
    with pytest.raises(ValueError, match="2 dimensions"):
        I.Orthogonal(seed=0).fill_(x)
    assert not x.any()
    assert I.RandomNormal(seed=0)(4).shape == (4,)
    assert I.RandomNormal(seed=0)((0, 3)).shape == (0, 3)


@pytest.mark.parametrize("make", [
    lambda: I.RandomNormal(stddev=-1.0),
    lambda: I.RandomUniform(minval=1.0, maxval=0.0),
    lambda: I.TruncatedNormal(stddev=float("nan")),
    lambda: I.VarianceScaling(scale=-1.0),
    lambda: I.VarianceScaling(mode="fan_sideways"),
    lambda: I.Orthogonal(gain=float("inf")),
])
def test_refused_arguments_draw_no_seed(make):
    """A seed=None object draws its seed from the default generator only once its
    arguments are accepted: a refused construction leaves that generator alone."""
    initfill.manual_seed(11)
    with pytest.raises((TypeError, ValueError)):
        make()
    assert initfill.default_generator().next_stream == 0

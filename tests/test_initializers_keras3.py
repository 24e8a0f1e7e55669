"""Keras 3 semantics of initfill.initializers: configs of Keras <= 3.14 and 3.15
(input_axes / output_axes), "normal" as Keras reads it, unseeded objects, half
precision through every door, Identity as Keras writes it, get()'s overloads."""
import typing

import numpy as np
import pytest

import initfill
from initfill import initializers as I

TRUNC = 0.87962566103423978
PRESETS = ["GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform",
           "LecunNormal"]

# Literal dicts in the format Keras documents for keras.initializers.serialize:
# Keras <= 3.14 writes no axes keys, 3.15 writes input_axes and output_axes.
KERAS_3_14 = [
    {"module": "keras.initializers", "class_name": "VarianceScaling",
     "config": {"scale": 2.0, "mode": "fan_out", "distribution": "untruncated_normal",
                "seed": 3}, "registered_name": None},
    {"module": "keras.initializers", "class_name": "GlorotUniform",
     "config": {"seed": 5}, "registered_name": None},
    {"module": "keras.initializers", "class_name": "HeNormal",
     "config": {"seed": None}, "registered_name": None},
    {"module": "keras.initializers", "class_name": "IdentityInitializer",
     "config": {"gain": 2.0}, "registered_name": None},
    {"module": "keras.initializers", "class_name": "OrthogonalInitializer",
     "config": {"gain": 1.5, "seed": 1}, "registered_name": None},
]
KERAS_3_15 = [
    {"module": "keras.initializers", "class_name": "VarianceScaling",
     "config": {"scale": 2.0, "mode": "fan_out", "distribution": "untruncated_normal",
                "seed": 3, "input_axes": None, "output_axes": None},
     "registered_name": None},
    {"module": "keras.initializers", "class_name": "VarianceScaling",
     "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": 8,
                "input_axes": [0, 1], "output_axes": [2]}, "registered_name": None},
    {"module": "keras.initializers", "class_name": "GlorotUniform",
     "config": {"seed": 5, "input_axes": None, "output_axes": None},
     "registered_name": None},
    {"module": "keras.initializers", "class_name": "LecunNormal",
     "config": {"seed": 2, "input_axes": 0, "output_axes": [1, 2]},
     "registered_name": None},
]


@pytest.mark.parametrize("config", KERAS_3_15, ids=lambda c: c["class_name"])
def test_keras_3_15_configs_round_trip_exactly(config):
    init = I.deserialize(config)
    assert I.serialize(init) == config
    assert I.get(config) == init


@pytest.mark.parametrize("config", KERAS_3_14, ids=lambda c: c["class_name"])
def test_keras_3_14_configs_load_and_write_the_3_15_shape(config):
    init = I.deserialize(config)
    out = I.serialize(init)
    expect = dict(config["config"])
    if isinstance(init, I.VarianceScaling):
        expect.update(input_axes=None, output_axes=None)
    assert out["class_name"] == config["class_name"] and out["config"] == expect
    # the 3.15 dict, minus the two keys, is the 3.14 dict again: nothing else changed
    assert {k: v for k, v in out["config"].items()
            if k not in ("input_axes", "output_axes")} == config["config"]
    assert I.deserialize(out) == init


@pytest.mark.parametrize("name", ["VarianceScaling"] + PRESETS)
def test_every_variance_scaling_class_takes_the_axes(name):
    cls = getattr(I, name)
    init = cls(seed=1, input_axes=[0, 1], output_axes=2) if name != "VarianceScaling" \
        else cls(seed=1, input_axes=[0, 1], output_axes=2)
    c = init.get_config()
    assert c["input_axes"] == [0, 1] and c["output_axes"] == 2
    assert type(init).from_config(c) == init


def test_axes_fans_are_products_without_receptive_field():
    # shape (4, 6, 10, 3): input axes 0, 1 (24 inputs), output axis 2 (10); axis 3
    # counts in neither fan (no receptive-field factor).
    shape = (4, 6, 10, 3)
    vs = I.VarianceScaling(1.0, "fan_in", "uniform", seed=0, input_axes=[0, 1],
                           output_axes=[2])
    assert vs.fans(shape) == (24, 10)
    assert I.VarianceScaling(input_axes=0).fans(shape) == (4, 3)   # output: Keras's -1
    assert I.VarianceScaling(input_axes=-1, output_axes=0).fans(shape) == (3, 4)
    w = vs(shape, "float64")
    limit = np.sqrt(3.0 / 24)
    assert w.max() < limit and w.min() >= -limit and w.max() > 0.95 * limit
    ref = initfill.variance_scaling_(np.empty(shape), 1.0, "fan_in", "uniform",
                                     layout="jax", in_axis=(0, 1), out_axis=2,
                                     batch_axis=3, generator=initfill.Generator(0),
                                     stream=0)
    assert np.array_equal(w, ref)
    # presets: GlorotUniform with axes = fan_avg of the axes' products
    g = I.GlorotUniform(seed=4, input_axes=0, output_axes=[1, 2])
    assert g.fans(shape) == (4, 60)
    assert g(shape).max() < np.sqrt(6.0 / 64)


@pytest.mark.parametrize("bad, err", [
    ({"input_axes": 7}, ValueError), ({"input_axes": [0], "output_axes": [0]}, ValueError),
    ({"input_axes": "0"}, TypeError), ({"output_axes": [0.5]}, TypeError),
    ({"input_axes": []}, ValueError),
])
def test_bad_axes(bad, err):
    with pytest.raises(err, match="axes"):
        I.VarianceScaling(**bad)((2, 3, 4))


@pytest.mark.parametrize("given", ["normal", "NORMAL", "Normal", "Truncated_Normal"])
def test_class_reads_normal_as_keras_does(given):
    init = I.VarianceScaling(2.0, "fan_in", given, seed=3)
    assert init.distribution == "truncated_normal"
    assert init.get_config()["distribution"] == "truncated_normal"
    assert np.array_equal(init((20, 30)), I.HeNormal(seed=3)((20, 30)))


def test_function_says_normal_is_untruncated():
    # variance_scaling_'s "normal" is JAX's: untruncated (documented).
    assert "normal" in initfill.variance_scaling_.__doc__
    a = initfill.variance_scaling_(np.empty((40, 50)), 2.0, "fan_in", "normal",
                                   generator=initfill.Generator(1), stream=0)
    b = initfill.variance_scaling_(np.empty((40, 50)), 2.0, "fan_in", "untruncated_normal",
                                   generator=initfill.Generator(1), stream=0)
    assert np.array_equal(a, b)


@pytest.mark.parametrize("name", PRESETS + ["RandomNormal", "RandomUniform",
                                            "TruncatedNormal", "Orthogonal"])
def test_unseeded_object_returns_the_same_values_every_call(name):
    init = getattr(I, name)()
    a = init((6, 5))
    assert np.array_equal(a, init((6, 5)))
    assert np.array_equal(a, init.fill_(np.empty((6, 5), np.float32)))
    assert not np.array_equal(a, getattr(I, name)()((6, 5)))


# --- half precision through every door --------------------------------------------------

try:
    import ml_dtypes
    BF16 = np.dtype(ml_dtypes.bfloat16)
except ImportError:  # the half tests below skip; the rest of the file runs
    BF16 = None
needs_ml_dtypes = pytest.mark.skipif(BF16 is None, reason="ml_dtypes is not installed")

HALF_CASES = [I.RandomNormal(seed=1), I.RandomUniform(seed=1), I.TruncatedNormal(seed=1),
              I.VarianceScaling(seed=1), I.GlorotUniform(seed=1), I.HeNormal(seed=1),
              I.LecunUniform(seed=1), I.Orthogonal(seed=1), I.Identity(2.0),
              I.Constant(0.3), I.Zeros(), I.Ones(),
              I.VarianceScaling(seed=1, input_axes=0, output_axes=1)]


@needs_ml_dtypes
@pytest.mark.parametrize("init", HALF_CASES, ids=lambda i: repr(i)[:40])
@pytest.mark.parametrize("half", ["float16", "bfloat16"])
def test_half_outputs_agree_between_call_and_fill(init, half):
    shape = (8, 12)
    dt = BF16 if half == "bfloat16" else np.dtype(np.float16)
    got = init(shape, half)
    assert got.dtype == dt and got.shape == shape
    assert np.array_equal(init(shape, dt).view(np.uint16), got.view(np.uint16))
    buf = init.fill_(np.full(shape, np.nan, dt))
    assert np.array_equal(buf.view(np.uint16), got.view(np.uint16))
    # the half value is the float32 value rounded to the half type (within one of its
    # ulps: nearest for normal draws, down for uniform ones, as the kernels round)
    f32 = init(shape, "float32")
    rel = 2.0 ** (-7 if half == "bfloat16" else -10)
    assert np.allclose(got.astype(np.float32), f32, rtol=rel, atol=1e-7)
    # a strided view of a half buffer is a door too
    big = np.full((8, 24), np.nan, dt)
    assert np.array_equal(init.fill_(big[:, ::2]).view(np.uint16), got.view(np.uint16))


@needs_ml_dtypes
@pytest.mark.parametrize("init", HALF_CASES, ids=lambda i: repr(i)[:40])
@pytest.mark.parametrize("half", ["float16", "bfloat16"])
def test_half_torch_tensors_in_fill(init, half):
    torch = pytest.importorskip("torch")
    shape = (8, 12)
    t = torch.full(shape, float("nan"), dtype=getattr(torch, half))
    assert init.fill_(t) is t
    got = init(shape, half)
    assert np.array_equal(t.view(torch.int16).numpy().view(np.uint16), got.view(np.uint16))


def test_get_has_overloads():
    overloads = typing.get_overloads(I.get)
    assert len(overloads) == 3
    hints = [typing.get_type_hints(o)["return"] for o in overloads]
    assert type(None) in hints and I.Initializer in hints
    w = I.get("he_normal")((784, 256))
    assert w.shape == (784, 256)

"""initfill.recommend: the activation-matched initializer."""
from __future__ import annotations

import math

import numpy as np
import pytest

import initfill
from initfill import initializers as I


@pytest.mark.parametrize("act,name,gain", [
    ("relu", "he_normal", math.sqrt(2)),
    ("gelu", "he_normal", math.sqrt(2)),
    ("silu", "he_normal", math.sqrt(2)),
    ("swish", "he_normal", math.sqrt(2)),
    ("elu", "he_normal", math.sqrt(2)),
    ("leaky_relu", "he_normal", math.sqrt(2 / (1 + 0.01**2))),
    ("leaky_relu:0.2", "he_normal", math.sqrt(2 / 1.04)),
    ("tanh", "glorot_uniform", 1.0),
    ("sigmoid", "glorot_uniform", 1.0),
    ("softmax", "glorot_uniform", 1.0),
    ("linear", "lecun_normal", 1.0),
    ("selu", "lecun_normal", 1.0),
    ("ReLU", "he_normal", math.sqrt(2)),
])
def test_table(act, name, gain):
    rec = initfill.recommend(act)
    assert rec.name == name
    assert math.isclose(rec.gain, gain, rel_tol=1e-12)
    assert math.isclose(rec.scale, rec.gain**2, rel_tol=1e-12)
    assert isinstance(rec.initializer, I.VarianceScaling)
    assert rec.initializer.scale == rec.scale and rec.initializer.mode == rec.mode
    assert isinstance(rec.reason, str) and "\n" not in rec.reason
    assert any(str(y) in rec.reason for y in range(1990, 2020))   # cites a paper


def test_aliases_name_the_canonical_activation():
    for alias, name in (("swish", "silu"), ("identity", "linear"), ("none", "linear"),
                        ("leakyrelu", "leaky_relu")):
        assert initfill.recommend(alias).activation == name
        assert initfill.recommend(alias) == initfill.recommend(name)


def test_slope_forms():
    a = initfill.recommend("leaky_relu", negative_slope=0.2)
    b = initfill.recommend("leaky_relu:0.2")
    assert a == b and math.isclose(a.scale, 2 / 1.04)
    assert "0.2" in a.reason
    with pytest.raises(ValueError, match="once"):
        initfill.recommend("leaky_relu:0.2", negative_slope=0.2)
    with pytest.raises(ValueError, match="leaky_relu only"):
        initfill.recommend("relu", negative_slope=0.2)
    with pytest.raises(ValueError, match="not a number"):
        initfill.recommend("leaky_relu:abc")
    with pytest.raises(ValueError, match="no parameter"):
        initfill.recommend("tanh:2")


def test_layouts_read_the_right_fans_and_distribution():
    torch_w = np.empty((64, 1000), np.float64)   # (out, in)
    rec = initfill.recommend("relu", layout="torch", seed=3)
    rec.fill_(torch_w)
    assert rec.distribution == "untruncated_normal"       # torch's kaiming_normal_
    assert abs(torch_w.var() * 1000 / 2 - 1) < 0.03
    assert np.abs(torch_w).max() > 2.2 * math.sqrt(2 / 1000)   # not truncated
    keras_w = np.empty((1000, 64), np.float64)   # (in, out)
    rec = initfill.recommend("relu", layout="keras", seed=3)
    assert type(rec.initializer) is I.HeNormal           # the Keras object itself
    rec.initializer.fill_(keras_w)
    assert abs(keras_w.var() * 1000 / 2 - 1) < 0.03
    assert np.abs(keras_w).max() <= 2 * math.sqrt(2 / 1000) / 0.87962566103423978 * (1 + 1e-9)
    jax = initfill.recommend("tanh", layout="jax")
    assert type(jax.initializer) is I.GlorotUniform and jax.initializer.layout == "jax"


def test_torch_layout_matches_torch_style_functions():
    w = np.empty((32, 16, 3, 3), np.float32)
    initfill.recommend("relu").initializer.fill_(w, generator=initfill.Generator(5), stream=0)
    ref = initfill.kaiming_normal_(np.empty_like(w), nonlinearity="relu",
                                   generator=initfill.Generator(5), stream=0)
    assert np.allclose(w, ref, rtol=1e-6, atol=0)
    initfill.recommend("tanh").initializer.fill_(w, generator=initfill.Generator(5), stream=0)
    ref = initfill.xavier_uniform_(np.empty_like(w), generator=initfill.Generator(5), stream=0)
    assert np.allclose(w, ref, rtol=1e-6, atol=0)


def test_unknown_activation_lists_known():
    with pytest.raises(ValueError) as e:
        initfill.recommend("mish")
    msg = str(e.value)
    for name in ("relu", "leaky_relu", "gelu", "silu", "swish", "elu", "tanh", "sigmoid",
                 "softmax", "linear", "selu"):
        assert name in msg
    with pytest.raises(TypeError, match="activation"):
        initfill.recommend(None)
    with pytest.raises(ValueError, match="layout"):
        initfill.recommend("relu", layout="mxnet")

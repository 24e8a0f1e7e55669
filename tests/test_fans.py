"""Fans and gains: ``compute_fans`` in every layout and ``calculate_gain``'s whole table.

The rules tested here (docs/design.md, "Conventions"):

- torch (``torch.nn.init._calculate_fan_in_and_fan_out``): shape ``(out, in, *kernel)``,
  ``fan_in = in * prod(kernel)``, ``fan_out = out * prod(kernel)``; fewer than two
  dimensions is a ValueError.
- Keras (``keras.initializers`` ``compute_fans``): shape ``(*kernel, in, out)``; a 1-D
  shape ``(n,)`` has ``fan_in = fan_out = n``, a 0-D shape ``(1, 1)``.
- JAX (``jax.nn.initializers.variance_scaling``): ``in_axis`` (default -2) and
  ``out_axis`` (default -1), each an int or a sequence of ints, ``batch_axis`` axes left
  out; the receptive field is the product of the remaining axes.
- ``calculate_gain``: linear/conv*/sigmoid 1, tanh 5/3, relu sqrt(2),
  leaky_relu sqrt(2 / (1 + slope**2)) with slope 0.01 by default, selu 3/4.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

import initfill
from initfill import calculate_gain, compute_fans

TORCH_2D_MSG = "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"

# (torch shape (out, in, *k), expected (fan_in, fan_out))
TORCH_CASES = [
    ((5, 3), (3, 5)),                       # nn.Linear(3, 5).weight
    ((1, 1), (1, 1)),
    ((16, 8, 3), (24, 48)),                 # Conv1d(8, 16, 3)
    ((64, 3, 7, 7), (147, 3136)),           # Conv2d(3, 64, 7): ResNet stem
    ((32, 16, 3, 5), (240, 480)),           # non-square kernel
    ((8, 4, 3, 5, 7), (420, 840)),          # Conv3d(4, 8, (3, 5, 7))
    ((2, 3, 1, 1), (3, 2)),                 # 1x1 conv
    ((0, 5), (5, 0)),                       # zero-size dims are counted, not refused
    ((4, 0, 3), (0, 12)),
]


def to_keras(shape):
    """Torch ``(out, in, *k)`` -> Keras ``(*k, in, out)``."""
    return (*shape[2:], shape[1], shape[0])


@pytest.mark.parametrize("shape, fans", TORCH_CASES)
def test_torch_layout(shape, fans):
    assert compute_fans(shape) == fans
    assert compute_fans(shape, "torch") == fans
    assert compute_fans(shape, layout="torch") == fans


@pytest.mark.parametrize("shape, fans", TORCH_CASES)
def test_keras_layout(shape, fans):
    assert compute_fans(to_keras(shape), "keras") == fans


@pytest.mark.parametrize("shape, fans", TORCH_CASES)
def test_jax_layout_defaults_to_last_two_axes(shape, fans):
    # JAX's defaults in_axis=-2, out_axis=-1 read the Keras/Flax (*k, in, out) layout.
    ks = to_keras(shape)
    assert compute_fans(ks, "jax") == fans
    assert compute_fans(ks, "jax", in_axis=-2, out_axis=-1) == fans


@pytest.mark.parametrize("shape, fans", TORCH_CASES)
def test_explicit_axes_read_any_layout(shape, fans):
    # Torch's layout through the axes rule: in_axis=1, out_axis=0 (or their negatives).
    n = len(shape)
    for in_axis, out_axis in ((1, 0), (1 - n, -n), ([1], (0,))):
        for layout in ("torch", "keras", "jax"):
            # Giving an axis selects the axes rule whatever the layout.
            assert compute_fans(shape, layout, in_axis=in_axis, out_axis=out_axis) == fans


def test_torch_and_keras_agree_on_random_shapes():
    rng = np.random.default_rng(1)
    for _ in range(200):
        ndim = int(rng.integers(2, 7))
        shape = tuple(int(v) for v in rng.integers(1, 9, size=ndim))
        receptive = math.prod(shape[2:])
        want = (shape[1] * receptive, shape[0] * receptive)
        assert compute_fans(shape, "torch") == want
        assert compute_fans(to_keras(shape), "keras") == want
        assert compute_fans(to_keras(shape), "jax") == want


def test_sequences_of_axes():
    shape = (2, 3, 4, 5)
    # in = 2*3 = 6, out = 5, receptive = 4.
    assert compute_fans(shape, in_axis=(0, 1), out_axis=-1) == (24, 20)
    assert compute_fans(shape, in_axis=[0, -3], out_axis=[3]) == (24, 20)
    assert compute_fans(shape, in_axis=range(2), out_axis=np.int64(3)) == (24, 20)
    # Several output axes: in = 4, out = 2*5 = 10, receptive = 3.
    assert compute_fans(shape, in_axis=2, out_axis=(0, 3)) == (12, 30)
    # Only in_axis given: out_axis defaults to -1 (and vice versa).
    assert compute_fans(shape, in_axis=0) == (2 * 12, 5 * 12)
    assert compute_fans(shape, out_axis=0) == (4 * 15, 2 * 15)
    # Every axis is in or out: receptive field 1.
    assert compute_fans(shape, in_axis=(0, 2), out_axis=(1, 3)) == (8, 15)


def test_batch_axes_are_left_out():
    # (batch, in, out), e.g. a stack of 10 dense kernels.
    assert compute_fans((10, 3, 4), "jax", batch_axis=0) == (3, 4)
    assert compute_fans((10, 3, 4), "jax", batch_axis=(0,)) == (3, 4)
    assert compute_fans((10, 3, 4), "jax", batch_axis=-3) == (3, 4)
    # Two batch axes and a kernel axis: receptive = 7.
    assert compute_fans((2, 7, 3, 5, 11), "jax", in_axis=2, out_axis=-2,
                        batch_axis=(0, -1)) == (21, 35)
    # No batch axis: the leading axis is part of the receptive field.
    assert compute_fans((10, 3, 4), "jax") == (30, 40)


def test_torch_needs_two_dimensions():
    for shape in ((), (5,), (0,)):
        with pytest.raises(ValueError, match=TORCH_2D_MSG):
            compute_fans(shape)
        with pytest.raises(ValueError, match=TORCH_2D_MSG):
            compute_fans(shape, "torch")


def test_keras_zero_and_one_dimension():
    assert compute_fans((), "keras") == (1, 1)
    assert compute_fans((7,), "keras") == (7, 7)
    assert compute_fans((1,), "keras") == (1, 1)
    assert compute_fans((3, 5), "keras") == (3, 5)


def test_axes_rule_needs_two_dimensions():
    for shape in ((), (7,)):
        with pytest.raises(ValueError, match="at least 2 dimensions"):
            compute_fans(shape, "jax")
        with pytest.raises(ValueError, match="at least 2 dimensions"):
            compute_fans(shape, "keras", in_axis=0)


def test_fans_are_exact_python_ints():
    shape = (2**40 + 1, 2**30 + 3, 3, 5)
    fi, fo = compute_fans(shape)
    assert type(fi) is int and type(fo) is int
    assert (fi, fo) == ((2**30 + 3) * 15, (2**40 + 1) * 15)
    fi, fo = compute_fans(np.array([64, 3, 7, 7]))
    assert type(fi) is int and (fi, fo) == (147, 3136)
    assert compute_fans([np.int32(7), np.uint8(7), np.int64(3), 64], "keras") == (147, 3136)


def test_compute_fans_errors():
    with pytest.raises(ValueError, match=r"layout.*'pytorch'"):
        compute_fans((3, 4), "pytorch")
    with pytest.raises(ValueError, match=r"layout"):
        compute_fans((3, 4), None)
    with pytest.raises(ValueError, match=r"in_axis=2 is out of range"):
        compute_fans((3, 4), in_axis=2)
    with pytest.raises(ValueError, match=r"out_axis=-3 is out of range"):
        compute_fans((3, 4), out_axis=-3)
    with pytest.raises(ValueError, match=r"batch_axis=5 is out of range"):
        compute_fans((3, 4, 5), "jax", batch_axis=5)
    with pytest.raises(ValueError, match=r"share an axis"):
        compute_fans((3, 4), in_axis=0, out_axis=-2)
    with pytest.raises(ValueError, match=r"share an axis"):
        compute_fans((3, 4, 5), "jax", batch_axis=1)
    with pytest.raises(ValueError, match=r"share an axis"):
        compute_fans((3, 4, 5), in_axis=(0, 0), out_axis=2)
    with pytest.raises(TypeError, match=r"in_axis"):
        compute_fans((3, 4), in_axis=True)
    with pytest.raises(TypeError, match=r"batch_axis"):
        compute_fans((3, 4, 5), "jax", batch_axis=False)
    with pytest.raises(TypeError):
        compute_fans((3, 4), in_axis=0.0)
    with pytest.raises(TypeError):
        compute_fans((3.0, 4))
    with pytest.raises(TypeError):
        compute_fans(None)


# --------------------------------------------------------------------------------------
# calculate_gain (torch.nn.init.calculate_gain's table, exact values)


@pytest.mark.parametrize("name", ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                                  "conv_transpose2d", "conv_transpose3d", "sigmoid"])
def test_gain_one(name):
    assert calculate_gain(name) == 1
    assert calculate_gain(name, 0.3) == 1  # the parameter is ignored


def test_gain_table():
    assert calculate_gain("tanh") == 5.0 / 3
    assert calculate_gain("relu") == math.sqrt(2.0)
    assert calculate_gain("relu", 0.5) == math.sqrt(2.0)
    assert calculate_gain("selu") == 0.75
    assert calculate_gain("leaky_relu") == math.sqrt(2.0 / (1 + 0.01**2))
    assert calculate_gain("leaky_relu", None) == calculate_gain("leaky_relu")


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2, 0.5, -0.3, 1.0, 3.5, math.sqrt(5),
                                   0, 1, 2, -1, np.float64(0.1)])
def test_leaky_relu_slopes(slope):
    assert calculate_gain("leaky_relu", slope) == math.sqrt(2.0 / (1 + slope**2))


def test_leaky_relu_special_values():
    assert calculate_gain("leaky_relu", 0) == math.sqrt(2.0)  # = relu
    assert calculate_gain("leaky_relu", 1) == 1.0             # = linear
    assert calculate_gain("leaky_relu", -1) == 1.0
    # nn.Linear's default kaiming_uniform_(a=sqrt(5)): gain sqrt(1/3).
    assert math.isclose(calculate_gain("leaky_relu", math.sqrt(5)), math.sqrt(1 / 3),
                        rel_tol=1e-15)


@pytest.mark.parametrize("name", ["swish", "Linear", "RELU", "gelu", "", "conv4d"])
def test_unknown_nonlinearity(name):
    with pytest.raises(ValueError, match=f"^Unsupported nonlinearity {re.escape(name)}$"):
        calculate_gain(name)


def test_non_str_nonlinearity():
    with pytest.raises(ValueError, match="Unsupported nonlinearity None"):
        calculate_gain(None)


@pytest.mark.parametrize("param", [True, False, "0.1", [0.1], 1j])
def test_bad_leaky_relu_slope(param):
    msg = rf"^negative_slope {re.escape(str(param))} not a valid number$"
    with pytest.raises(ValueError, match=msg):
        calculate_gain("leaky_relu", param)


def test_names_are_exported():
    assert initfill.calculate_gain is calculate_gain
    assert initfill.compute_fans is compute_fans

"""Fans and gains: how the frameworks turn a shape and an activation into a scale."""
from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

LAYOUTS = ("torch", "keras", "jax")

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
           "conv_transpose2d", "conv_transpose3d", "sigmoid")


def check_layout(layout: Any) -> str:
    """`layout` if it is one of :data:`LAYOUTS`, else a ValueError naming it."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    return layout


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Return the recommended gain for a nonlinearity, as ``torch.nn.init`` does.

    ============================ ==========================
    nonlinearity                 gain
    ============================ ==========================
    linear, conv*, sigmoid       1
    tanh                         5/3
    relu                         sqrt(2)
    leaky_relu                   sqrt(2 / (1 + slope**2))
    selu                         3/4
    ============================ ==========================

    Parameters
    ----------
    nonlinearity : str
        Name of the nonlinearity.
    param : float, optional
        Negative slope of ``leaky_relu`` (default 0.01).

    Returns
    -------
    float
        The gain.

    Raises
    ------
    ValueError
        For an unknown nonlinearity or a slope that is not a number.
    """
    if nonlinearity in _LINEAR:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        return leaky_relu_gain(param, "param")
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def leaky_relu_gain(slope: Any, name: str) -> float:
    """``sqrt(2 / (1 + slope**2))`` (slope None: 0.01), with a ValueError naming
    `name` for a slope that is not an int or float, or whose square overflows
    float64 (torch raises OverflowError there)."""
    if slope is None:
        slope = 0.01
    elif isinstance(slope, bool) or not isinstance(slope, (int, float)):
        raise ValueError(f"negative_slope {slope} not a valid number")
    try:
        return math.sqrt(2.0 / (1 + slope**2))
    except OverflowError:
        raise ValueError(
            f"{name} (the negative slope of leaky_relu) must be below 1.3e154 in "
            f"magnitude, so that its square is a float64; got "
            + (f"{slope:.3g}" if isinstance(slope, float)
               else f"an int of {slope.bit_length()} bits")
        ) from None


def _axes(name: str, axes: Any, ndim: int) -> tuple[int, ...]:
    if isinstance(axes, bool):
        raise TypeError(f"{name} must be an int or a sequence of ints, got bool")
    items: tuple[Any, ...]
    if hasattr(axes, "__index__"):
        items = (axes,)
    elif hasattr(axes, "__iter__") and not isinstance(axes, (str, bytes)):
        items = tuple(axes)
    else:
        raise TypeError(f"{name} must be an int or a sequence of ints, got {type(axes).__name__}")
    for a in items:
        if isinstance(a, bool) or not hasattr(a, "__index__"):
            raise TypeError(f"{name} must hold ints, got {type(a).__name__}")
    axes = tuple(operator.index(a) for a in items)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"{name}={a} is out of range for a shape of {ndim} dimensions")
        out.append(a % ndim)
    return tuple(out)


def compute_fans(
    shape: Sequence[int],
    layout: str = "torch",
    *,
    in_axis: int | Sequence[int] | None = None,
    out_axis: int | Sequence[int] | None = None,
    batch_axis: int | Sequence[int] = (),
) -> tuple[int, int]:
    """Return ``(fan_in, fan_out)`` of a weight shape under a framework's convention.

    Parameters
    ----------
    shape : sequence of int
        The weight's (global) shape.
    layout : {"torch", "keras", "jax"}
        ``"torch"``: ``(out, in, *kernel)``, at least 2 dimensions, as
        ``torch.nn.init``.  ``"keras"``: ``(*kernel, in, out)``; a 1-D shape has
        ``fan_in = fan_out = shape[0]`` and a 0-D one 1, as Keras.  ``"jax"``: the
        axes rule of ``jax.nn.initializers.variance_scaling`` (in_axis=-2,
        out_axis=-1 unless given).
    in_axis, out_axis : int or sequence of int, optional
        Explicit axes (JAX convention); giving either selects the axes rule.
    batch_axis : int or sequence of int
        Axes excluded from the fans (JAX convention).

    Returns
    -------
    fan_in, fan_out : int
        The receptive field size times the input (output) extent.

    Raises
    ------
    ValueError
        For an unknown layout, a torch-layout shape under 2 dimensions, or axes
        out of range.

    Examples
    --------
    >>> compute_fans((64, 3, 7, 7))
    (147, 3136)
    >>> compute_fans((7, 7, 3, 64), layout="keras")
    (147, 3136)
    """
    try:
        shape = tuple(operator.index(s) for s in shape)
    except TypeError:
        raise TypeError(f"shape must be a sequence of ints, got {shape!r}") from None
    if any(s < 0 for s in shape):
        raise ValueError(f"shape must not have negative extents, got {shape}")
    ndim = len(shape)
    check_layout(layout)
    if in_axis is not None or out_axis is not None or layout == "jax":
        if ndim < 2:
            raise ValueError(f"the axes rule needs at least 2 dimensions, got shape {shape}")
        ins = _axes("in_axis", -2 if in_axis is None else in_axis, ndim)
        outs = _axes("out_axis", -1 if out_axis is None else out_axis, ndim)
        batch = _axes("batch_axis", batch_axis, ndim)
        if len(set(ins) | set(outs) | set(batch)) != len(ins) + len(outs) + len(batch):
            raise ValueError("in_axis, out_axis and batch_axis must not share an axis")
        in_size = math.prod(shape[a] for a in ins)
        out_size = math.prod(shape[a] for a in outs)
        rest = (a for a in range(ndim) if a not in ins and a not in outs and a not in batch)
        receptive = math.prod(shape[a] for a in rest)
        return in_size * receptive, out_size * receptive
    if layout == "torch":
        return torch_fans(shape)
    if ndim == 0:
        return 1, 1
    if ndim == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def torch_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """``compute_fans(shape, "torch")`` for a shape already known to be a tuple of
    non-negative ints (an array's shape): the fans of ``(out, in, *kernel)``."""
    if len(shape) < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def kaiming_mode(mode: str) -> str:
    """torch's kaiming `mode`, lower-cased: "fan_in" or "fan_out", else a ValueError
    with torch's message (checked before the fans, as torch does)."""
    mode = mode.lower()
    valid = ["fan_in", "fan_out"]
    if mode not in valid:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid}")
    return mode


def xavier_std(fan_in: int, fan_out: int, gain: float) -> float:
    """Glorot & Bengio (2010): ``gain * sqrt(2 / (fan_in + fan_out))``."""
    return gain * math.sqrt(2.0 / float(fan_in + fan_out))

"""Module-level initializers with ``torch.nn.init``'s names, plus LeCun and Keras/JAX
variance scaling.  Scales are plain Python arithmetic; the fills are the Generator's.

Every function fills ``x`` in place and returns it.  ``generator=`` picks the
Generator (default: the module's, reseeded by :func:`manual_seed`); ``stream=``,
``global_shape=``, ``offset=`` and ``dtype=`` are passed on to it, and fans come from
``global_shape`` when it is given, so every shard of a tensor gets the same scale.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from . import _core
from ._core import BFLOAT16, FLOAT16, NORMAL, TRUNC_NORMAL, UNIFORM
from ._fans import (calculate_gain, compute_fans, kaiming_mode, leaky_relu_gain, torch_fans,
                    xavier_std)
from ._generator import Generator, check_stream
from ._params import finite, plan_error, real
from ._target import Target, resolve_target

_default = Generator(0)

# Keras/JAX: the std of N(0, 1) truncated to [-2, 2] is this, so dividing by it gives
# the truncated draw the intended variance.
TRUNC_STD_CORRECTION = 0.87962566103423978

VARIANCE_SCALING_MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
VARIANCE_SCALING_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "normal",
                                  "uniform")


def manual_seed(seed: int) -> Generator:
    """Reseed the default generator (and restart its stream counter).

    Parameters
    ----------
    seed : int
        A seed in ``[0, 2**64)``.

    Returns
    -------
    Generator
        The new default generator.
    """
    global _default
    _default = Generator(seed)
    return _default


def default_generator() -> Generator:
    """Return the generator used when ``generator=`` is not given."""
    return _default


def _generator_arg(generator: Generator | None) -> Generator:
    """The Generator a module function draws from: `generator`, or the default."""
    if generator is None:
        return _default
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be an initfill.Generator, got {type(generator).__name__}")
    return generator


def uniform_(x, a=0.0, b=1.0, *, generator=None, stream=None, global_shape=None,
             offset=None, dtype=None):
    """Fill `x` with U(`a`, `b`) values in ``[a, b)`` (torch's ``uniform_``); ``a == b``
    fills `a`.

    Parameters
    ----------
    x : ndarray or writable buffer
        float32, float64, float16 or bfloat16 output (see :meth:`Generator.uniform_`).
    a, b : float
        Bounds, ``a <= b``.
    generator : Generator, optional
        Defaults to the module's default generator.
    stream, global_shape, offset, dtype
        See :meth:`Generator.uniform_`.

    Returns
    -------
    x
    """
    gen = _generator_arg(generator)
    target = resolve_target(x, False, "uniform_", dtype, global_shape, offset)
    return gen._fill_target(target, UNIFORM, (real("a", a), real("b", b)), ("a", "b"),
                            "uniform_", stream)


def normal_(x, mean=0.0, std=1.0, *, generator=None, stream=None, global_shape=None,
            offset=None, dtype=None):
    """Fill `x` with N(`mean`, `std`**2) values (torch's ``normal_``).

    Parameters
    ----------
    x : ndarray or writable buffer
        float32, float64, float16 or bfloat16 output (see :meth:`Generator.uniform_`).
    mean, std : float
        Mean and standard deviation (``std >= 0``).
    generator, stream, global_shape, offset, dtype
        See :func:`uniform_`.

    Returns
    -------
    x
    """
    gen = _generator_arg(generator)
    target = resolve_target(x, False, "normal_", dtype, global_shape, offset)
    return gen._fill_target(target, NORMAL, (real("mean", mean), real("std", std)),
                            ("mean", "std"), "normal_", stream)


def trunc_normal_(x, mean=0.0, std=1.0, a=-2.0, b=2.0, *, generator=None, stream=None,
                  global_shape=None, offset=None, dtype=None):
    """Fill `x` with N(`mean`, `std`**2) truncated to the absolute bounds ``[a, b]``.

    Same signature and meaning as ``torch.nn.init.trunc_normal_``: `a` and `b` are
    values, not multiples of `std`.

    Parameters
    ----------
    x : ndarray or writable buffer
        float32, float64, float16 or bfloat16 output (see :meth:`Generator.uniform_`).
    mean, std : float
        Parameters of the parent normal (``std > 0``).
    a, b : float
        Absolute bounds, ``a < b``.
    generator, stream, global_shape, offset, dtype
        See :func:`uniform_`.

    Returns
    -------
    x
    """
    gen = _generator_arg(generator)
    target = resolve_target(x, False, "trunc_normal_", dtype, global_shape, offset)
    params = (real("mean", mean), real("std", std), real("a", a), real("b", b))
    return gen._fill_target(target, TRUNC_NORMAL, params, ("mean", "std", "a", "b"),
                            "trunc_normal_", stream)


def constant_(x, val, *, dtype=None):
    """Fill `x` with the value `val`.

    Parameters
    ----------
    x : ndarray or writable buffer
        float32, float64, float16 or bfloat16 output (see :meth:`Generator.uniform_`).
    val : float
        The value; must be finite.
    dtype : dtype-like, optional
        Element type when `x` is a raw byte buffer.

    Returns
    -------
    x
    """
    v = real("val", val)
    return write_constant(resolve_target(x, False, "constant_", dtype), v, "val")


def write_constant(target: Target, value: float, name: str) -> Any:
    """Write `value` (named `name` in messages) into every element of `target`.

    C's rules decide whether the value fits (those of ``uniform_(low=high=value)``);
    half outputs get the float32 of `value` rounded as every half fill rounds.  +0.0
    (all bits zero in every float dtype) into a C-contiguous output is a memset on
    the fill threads.
    """
    params = (value, value)
    plan = _core.Plan(UNIFORM, target.code, params)
    if plan.status:
        raise plan_error(plan, (name, name), params, target.code)
    arr = target.array
    if value == 0.0 and math.copysign(1.0, value) > 0 and arr.flags.c_contiguous:
        _core.zero_bytes(arr)
    elif target.code in (FLOAT16, BFLOAT16):
        bits = np.empty(1, np.uint16)
        _core.round_half(np.array([value], np.float32), bits, target.code)
        arr.view(np.uint16)[...] = bits[0]
    else:
        arr[...] = value
    target.tell_written()
    return target.source


def zeros_(x, *, dtype=None):
    """Fill `x` with zeros (+0.0).  See :func:`constant_`.

    A C-contiguous `x` is cleared by a memset split over initfill's threads
    (:func:`set_num_threads`), each faulting in its own pages of fresh memory: the
    fastest first touch initfill has, the floor of ``initfill bench --model``.
    """
    return constant_(x, 0.0, dtype=dtype)


def ones_(x, *, dtype=None):
    """Fill `x` with ones.  See :func:`constant_`."""
    return constant_(x, 1.0, dtype=dtype)


def _gain(gain: Any) -> float:
    g = finite("gain", gain)
    if g < 0:
        raise ValueError(f"gain must be >= 0, got {g}")
    return g


def _fill_with_std(gen: Generator, target: Target, dist: int, std: float | None,
                   what: str, stream: int | str | None) -> Any:
    """Fill `target` with zero-mean values of standard deviation `std`: U(-l, l) with
    ``l = sqrt(3) std`` for UNIFORM, N(0, std**2) for NORMAL; None leaves it alone."""
    if std is None:  # zero-size: nothing to write, but `stream` is checked all the same
        check_stream(stream)
        return target.source
    if dist == UNIFORM:
        bound = math.sqrt(3.0) * std
        return gen._fill_target(target, UNIFORM, (-bound, bound), ("-bound", "bound"), what,
                                stream)
    return gen._fill_target(target, NORMAL, (0.0, std), ("mean", "std"), what, stream)


def _xavier_std_of(target: Target, gain: Any) -> float | None:
    """torch's Xavier std of the target's global shape; None for a zero-size one."""
    g = _gain(gain)
    fan_in, fan_out = torch_fans(target.global_shape)
    if fan_in + fan_out == 0:
        return None  # zero-size: nothing to fill
    return xavier_std(fan_in, fan_out, g)


def xavier_uniform_(x, gain=1.0, *, generator=None, stream=None, global_shape=None,
                    offset=None, dtype=None):
    """Glorot/Xavier uniform: U(-bound, bound), ``bound = gain * sqrt(6 / (fan_in + fan_out))``.

    Glorot & Bengio (2010).  Fans follow torch: ``(out, in, *kernel)``.

    Parameters
    ----------
    x : ndarray or writable buffer
        float32, float64, float16 or bfloat16 output with at least 2 dimensions.
    gain : float
        Scaling factor, e.g. :func:`calculate_gain`.
    generator, stream, global_shape, offset, dtype
        See :func:`uniform_`.

    Returns
    -------
    x
    """
    gen = _generator_arg(generator)
    target = resolve_target(x, False, "xavier_uniform_", dtype, global_shape, offset)
    std = _xavier_std_of(target, gain)
    return _fill_with_std(gen, target, UNIFORM, std, "xavier_uniform_", stream)


def xavier_normal_(x, gain=1.0, *, generator=None, stream=None, global_shape=None,
                   offset=None, dtype=None):
    """Glorot/Xavier normal: N(0, std**2), ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    Untruncated, as in torch.

    Parameters
    ----------
    x : ndarray or writable buffer
        float32, float64, float16 or bfloat16 output with at least 2 dimensions.
    gain : float
        Scaling factor.
    generator, stream, global_shape, offset, dtype
        See :func:`uniform_`.

    Returns
    -------
    x
    """
    gen = _generator_arg(generator)
    target = resolve_target(x, False, "xavier_normal_", dtype, global_shape, offset)
    std = _xavier_std_of(target, gain)
    return _fill_with_std(gen, target, NORMAL, std, "xavier_normal_", stream)


def _kaiming_std_of(target: Target, a: Any, mode: Any, nonlinearity: Any) -> float | None:
    """torch's Kaiming std ``gain / sqrt(fan)`` of the target's global shape; None
    (after torch's warning) for a zero-size one."""
    if not isinstance(mode, str):
        raise TypeError(f"mode must be a str, got {type(mode).__name__}")
    if isinstance(a, float) and not math.isfinite(a):
        raise ValueError(f"a must be finite, got {a}")
    mode = kaiming_mode(mode)
    gain = (leaky_relu_gain(a, "a") if nonlinearity == "leaky_relu"
            else calculate_gain(nonlinearity, a))
    shape = target.global_shape
    if 0 in shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan_in, fan_out = torch_fans(shape)
    return gain / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def kaiming_uniform_(x, a=0, mode="fan_in", nonlinearity="leaky_relu", *, generator=None,
                     stream=None, global_shape=None, offset=None, dtype=None):
    """He/Kaiming uniform: U(-bound, bound), ``bound = gain * sqrt(3 / fan)``.

    He et al. (2015).  ``gain = calculate_gain(nonlinearity, a)``; `fan` is fan_in or
    fan_out by `mode`.  ``nn.Linear``'s default weight init is
    ``kaiming_uniform_(w, a=math.sqrt(5))``.

    Parameters
    ----------
    x : ndarray or writable buffer
        float32, float64, float16 or bfloat16 output with at least 2 dimensions.
    a : float
        Negative slope of the rectifier after this layer (leaky_relu).
    mode : {"fan_in", "fan_out"}
        Preserve the variance of the forward (fan_in) or backward (fan_out) pass.
    nonlinearity : str
        See :func:`calculate_gain`.
    generator, stream, global_shape, offset, dtype
        See :func:`uniform_`.

    Returns
    -------
    x

    Warns
    -----
    UserWarning
        On a zero-element `x`, which is left as it is.
    """
    gen = _generator_arg(generator)
    target = resolve_target(x, False, "kaiming_uniform_", dtype, global_shape, offset)
    std = _kaiming_std_of(target, a, mode, nonlinearity)
    return _fill_with_std(gen, target, UNIFORM, std, "kaiming_uniform_", stream)


def kaiming_normal_(x, a=0, mode="fan_in", nonlinearity="leaky_relu", *, generator=None,
                    stream=None, global_shape=None, offset=None, dtype=None):
    """He/Kaiming normal: N(0, std**2), ``std = gain / sqrt(fan)``, untruncated as in torch.

    Parameters
    ----------
    x : ndarray or writable buffer
        float32, float64, float16 or bfloat16 output with at least 2 dimensions.
    a, mode, nonlinearity
        See :func:`kaiming_uniform_`.
    generator, stream, global_shape, offset, dtype
        See :func:`uniform_`.

    Returns
    -------
    x
    """
    gen = _generator_arg(generator)
    target = resolve_target(x, False, "kaiming_normal_", dtype, global_shape, offset)
    std = _kaiming_std_of(target, a, mode, nonlinearity)
    return _fill_with_std(gen, target, NORMAL, std, "kaiming_normal_", stream)


def variance_scaling_(x, scale=1.0, mode="fan_in", distribution="truncated_normal", *,
                      layout="torch", in_axis=None, out_axis=None, batch_axis=(),
                      generator=None, stream=None, global_shape=None, offset=None,
                      dtype=None):
    """Keras/JAX variance scaling: samples with variance ``scale / n``.

    ``n`` is fan_in, fan_out, their mean (``fan_avg``) or geometric mean
    (``fan_geo_avg``, JAX), at least 1.  ``truncated_normal`` draws
    N(0, s**2) cut at ``±2 s`` with ``s = sqrt(scale / n) / 0.87962566103423978``
    (the std of a standard normal truncated to [-2, 2]), so the variance is as asked;
    ``untruncated_normal`` (alias ``normal``) uses ``s = sqrt(scale / n)``;
    ``uniform`` draws U(-l, l) with ``l = sqrt(3 scale / n)``.

    Parameters
    ----------
    x : ndarray or writable buffer
        float32, float64, float16 or bfloat16 output (see :meth:`Generator.uniform_`).
    scale : float
        Positive scaling factor.
    mode : {"fan_in", "fan_out", "fan_avg", "fan_geo_avg"}
        Which fan divides the scale.
    distribution : {"truncated_normal", "untruncated_normal", "normal", "uniform"}
        The distribution.  ``"normal"`` here means **untruncated** normal, as in
        JAX's ``variance_scaling``; Keras's ``VarianceScaling`` class (and
        :class:`initfill.initializers.VarianceScaling`) reads ``"normal"`` as
        truncated.  Give ``"truncated_normal"`` or ``"untruncated_normal"`` to be
        unambiguous.
    layout : {"torch", "keras", "jax"}
        How fans are read from the shape; see :func:`compute_fans`.
    in_axis, out_axis, batch_axis
        Explicit axes as in JAX; see :func:`compute_fans`.
    generator, stream, global_shape, offset, dtype
        See :func:`uniform_`.

    Returns
    -------
    x
    """
    gen = _generator_arg(generator)
    sc = check_variance_scaling(scale, mode, distribution, VARIANCE_SCALING_MODES,
                                VARIANCE_SCALING_DISTRIBUTIONS)
    target = resolve_target(x, False, "variance_scaling_", dtype, global_shape, offset)
    return fill_variance_scaling(target, sc, mode, distribution, gen, stream, layout=layout,
                                 in_axis=in_axis, out_axis=out_axis, batch_axis=batch_axis)


def check_variance_scaling(scale: Any, mode: Any, distribution: Any,
                           modes: tuple[str, ...], distributions: tuple[str, ...]) -> float:
    """`scale` as a positive finite float, with `mode` in `modes` and `distribution` in
    `distributions` (each caller's own choices); ValueError/TypeError naming them."""
    sc = finite("scale", scale)
    if sc <= 0:
        raise ValueError(f"scale must be positive, got {sc}")
    if mode not in modes:
        raise ValueError(f"mode must be one of {modes}, got {mode!r}")
    if distribution not in distributions:
        raise ValueError(f"distribution must be one of {distributions}, got {distribution!r}")
    return sc


def fill_variance_scaling(target: Target, scale: float, mode: str, distribution: str,
                          gen: Generator, stream: int | str | None, *, layout: str,
                          in_axis: Any = None, out_axis: Any = None,
                          batch_axis: Any = ()) -> Any:
    """Fill a resolved `target` by the variance-scaling rule (arguments already
    checked as :func:`variance_scaling_` checks them); returns ``target.source``."""
    fan_in, fan_out = compute_fans(target.global_shape, layout, in_axis=in_axis,
                                   out_axis=out_axis, batch_axis=batch_axis)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0,
         "fan_geo_avg": math.sqrt(fan_in * fan_out)}[mode]
    variance = scale / max(1.0, float(n))
    what = "variance_scaling_"
    if distribution == "truncated_normal":
        s = math.sqrt(variance) / TRUNC_STD_CORRECTION
        return gen._fill_target(target, TRUNC_NORMAL, (0.0, s, -2.0 * s, 2.0 * s),
                                ("mean", "std", "a", "b"), what, stream)
    if distribution == "uniform":
        limit = math.sqrt(3.0 * variance)  # not sqrt(3) * std: its own rounding
        return gen._fill_target(target, UNIFORM, (-limit, limit), ("-limit", "limit"), what,
                                stream)
    return _fill_with_std(gen, target, NORMAL, math.sqrt(variance), what, stream)


def lecun_uniform_(x, *, layout="torch", generator=None, stream=None, global_shape=None,
                   offset=None, dtype=None):
    """LeCun uniform: U(-l, l), ``l = sqrt(3 / fan_in)`` (LeCun et al. 1998; Keras, JAX).

    Equal to ``variance_scaling_(x, 1.0, "fan_in", "uniform")``.

    Parameters
    ----------
    x : ndarray or writable buffer
        float32, float64, float16 or bfloat16 output (see :meth:`Generator.uniform_`).
    layout : {"torch", "keras", "jax"}
        How fans are read from the shape.
    generator, stream, global_shape, offset, dtype
        See :func:`uniform_`.

    Returns
    -------
    x
    """
    return variance_scaling_(x, 1.0, "fan_in", "uniform", layout=layout, generator=generator,
                             stream=stream, global_shape=global_shape, offset=offset,
                             dtype=dtype)


def lecun_normal_(x, *, layout="torch", generator=None, stream=None, global_shape=None,
                  offset=None, dtype=None):
    """LeCun normal: truncated normal with variance ``1 / fan_in``, as Keras and JAX.

    Equal to ``variance_scaling_(x, 1.0, "fan_in", "truncated_normal")``: the
    self-normalizing init for SELU networks (Klambauer et al. 2017).

    Parameters
    ----------
    x : ndarray or writable buffer
        float32, float64, float16 or bfloat16 output (see :meth:`Generator.uniform_`).
    layout : {"torch", "keras", "jax"}
        How fans are read from the shape.
    generator, stream, global_shape, offset, dtype
        See :func:`uniform_`.

    Returns
    -------
    x
    """
    return variance_scaling_(x, 1.0, "fan_in", "truncated_normal", layout=layout,
                             generator=generator, stream=stream, global_shape=global_shape,
                             offset=offset, dtype=dtype)

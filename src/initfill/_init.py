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
from ._buffers import (BFLOAT16, CODE_MAX, CODE_NAMES, FLOAT16, FLOAT_CODES, addressing,
                       after_write, as_target)
from ._fans import calculate_gain, compute_fans, kaiming_mode, torch_fans, xavier_std
from ._generator import Generator, finite

_default = Generator(0)

# Keras/JAX: the std of N(0, 1) truncated to [-2, 2] is this, so dividing by it gives
# the truncated draw the intended variance.
TRUNC_STD_CORRECTION = 0.87962566103423978

MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "normal", "uniform")


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


def _gen(generator: Generator | None) -> Generator:
    if generator is None:
        return _default
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be an initfill.Generator, got {type(generator).__name__}")
    return generator


def _shape(x: Any, dtype: Any, global_shape: Any, offset: Any) -> tuple[int, ...]:
    """Global shape of `x`, validated as the fill will validate it."""
    if dtype is None and global_shape is None and offset is None and _core.fast_target(x) >= 0:
        return x.shape  # a C-contiguous, writable float ndarray: nothing to refuse
    arr, _ = as_target(x, dtype, FLOAT_CODES, "initializer")
    return addressing(arr.shape, global_shape, offset)[0]


def uniform_(x, a=0.0, b=1.0, *, generator=None, stream=None, global_shape=None,
             offset=None, dtype=None):
    """Fill `x` with U(`a`, `b`) values in ``[a, b)`` (torch's ``uniform_``).

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
    lo, hi = finite("a", a), finite("b", b)
    if lo > hi:
        raise ValueError(f"a must be <= b, got a={lo}, b={hi}")
    return _gen(generator).uniform_(x, lo, hi, stream=stream, global_shape=global_shape,
                                    offset=offset, dtype=dtype)


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
    return _gen(generator).normal_(x, mean, std, stream=stream, global_shape=global_shape,
                                   offset=offset, dtype=dtype)


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
    return _gen(generator).trunc_normal_(x, mean, std, a, b, stream=stream,
                                         global_shape=global_shape, offset=offset,
                                         dtype=dtype)


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
    v = finite("val", val)
    arr, code = as_target(x, dtype, FLOAT_CODES, "constant_")
    if abs(v) > CODE_MAX[code]:
        raise ValueError(f"val={v} does not fit in {CODE_NAMES[code]}")
    if code in (FLOAT16, BFLOAT16):
        # The float32 of v rounded to the half type, as every half fill rounds.
        bits = np.empty(1, np.uint16)
        _core.round_half(np.array([v], np.float32), bits, code)
        arr.view(np.uint16)[...] = bits[0]
    else:
        arr[...] = v
    after_write(x)
    return x


def zeros_(x, *, dtype=None):
    """Fill `x` with zeros.  See :func:`constant_`."""
    return constant_(x, 0.0, dtype=dtype)


def ones_(x, *, dtype=None):
    """Fill `x` with ones.  See :func:`constant_`."""
    return constant_(x, 1.0, dtype=dtype)


def _gain(gain: Any) -> float:
    g = finite("gain", gain)
    if g < 0:
        raise ValueError(f"gain must be >= 0, got {g}")
    return g


def _xavier_std(x, gain, dtype, global_shape, offset):
    g = _gain(gain)
    fan_in, fan_out = torch_fans(_shape(x, dtype, global_shape, offset))
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
    std = _xavier_std(x, gain, dtype, global_shape, offset)
    if std is None:
        return x
    bound = math.sqrt(3.0) * std
    return uniform_(x, -bound, bound, generator=generator, stream=stream,
                    global_shape=global_shape, offset=offset, dtype=dtype)


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
    std = _xavier_std(x, gain, dtype, global_shape, offset)
    if std is None:
        return x
    return normal_(x, 0.0, std, generator=generator, stream=stream,
                   global_shape=global_shape, offset=offset, dtype=dtype)


def _kaiming_std(x, a, mode, nonlinearity, dtype, global_shape, offset):
    if not isinstance(mode, str):
        raise TypeError(f"mode must be a str, got {type(mode).__name__}")
    if isinstance(a, float) and not math.isfinite(a):
        raise ValueError(f"a must be finite, got {a}")
    shape = _shape(x, dtype, global_shape, offset)
    if 0 in shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    mode = kaiming_mode(mode)
    fan_in, fan_out = torch_fans(shape)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


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
    std = _kaiming_std(x, a, mode, nonlinearity, dtype, global_shape, offset)
    if std is None:
        return x
    # The gain is at most 5/3 and the fan at least 1, so the bound is finite: the
    # Generator's own checks are all that uniform_ would add.
    bound = math.sqrt(3.0) * std
    return _gen(generator).uniform_(x, -bound, bound, stream=stream,
                                    global_shape=global_shape, offset=offset, dtype=dtype)


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
    std = _kaiming_std(x, a, mode, nonlinearity, dtype, global_shape, offset)
    if std is None:
        return x
    return normal_(x, 0.0, std, generator=generator, stream=stream,
                   global_shape=global_shape, offset=offset, dtype=dtype)


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
        The distribution.
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
    sc = finite("scale", scale)
    if sc <= 0:
        raise ValueError(f"scale must be positive, got {sc}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {DISTRIBUTIONS}, got {distribution!r}")
    shape = _shape(x, dtype, global_shape, offset)
    fan_in, fan_out = compute_fans(shape, layout, in_axis=in_axis, out_axis=out_axis,
                                   batch_axis=batch_axis)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0,
         "fan_geo_avg": math.sqrt(fan_in * fan_out)}[mode]
    variance = sc / max(1.0, float(n))
    kw = dict(generator=generator, stream=stream, global_shape=global_shape, offset=offset,
              dtype=dtype)
    if distribution == "truncated_normal":
        s = math.sqrt(variance) / TRUNC_STD_CORRECTION
        return trunc_normal_(x, 0.0, s, -2.0 * s, 2.0 * s, **kw)
    if distribution == "uniform":
        limit = math.sqrt(3.0 * variance)
        return uniform_(x, -limit, limit, **kw)
    return normal_(x, 0.0, math.sqrt(variance), **kw)


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

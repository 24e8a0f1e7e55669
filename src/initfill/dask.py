"""Lazy dask arrays filled by initfill, chunk by chunk, equal to the whole fill.

Every function returns a lazy :class:`dask.array.Array` whose chunks are filled, each
in its own task, by initfill with the chunk's global offset (``global_shape=`` and
``offset=`` of the fills).  Every value is a pure function of ``(seed, stream, global
element index)``, so ``.compute()`` equals the NumPy fill of the whole array with the
same seed and stream, bit for bit, whatever the chunking, the scheduler (threads,
processes, ``dask.distributed``) or the order the chunks are computed in::

    initfill.dask.normal(shape, chunks=c, seed=s, stream=t, std=0.02).compute()
    == initfill.Generator(s).normal_(np.empty(shape, np.float32), std=0.02, stream=t)

The initializers take their fans from the global `shape`, so every chunk has the
scale of the whole tensor.  Task names are a hash of every argument (and of
:data:`initfill.ALGORITHM_VERSION`): the same call gives the same graph keys.
Arguments are checked when the array is made, before any graph exists, with the
errors (and messages) of the NumPy fills.

This module needs dask (``pip install initfill[dask]``); ``import initfill`` does not
import it.  bfloat16 needs ml_dtypes (``initfill[half]``).
"""
from __future__ import annotations

import functools
import math
import operator
from typing import Any

import numpy as np

try:
    import dask.array as da
    from dask.base import tokenize
except ImportError as e:  # pragma: no cover - the [dask] extra is not installed
    raise ImportError(
        "initfill.dask needs dask: pip install 'initfill[dask]' (or dask[array])"
    ) from e

from . import _functions
from ._buffers import is_bfloat16_dtype
from ._core import ALGORITHM_VERSION
from ._generator import Generator, stream_id

__all__ = [
    "kaiming_normal",
    "kaiming_uniform",
    "lecun_normal",
    "lecun_uniform",
    "normal",
    "trunc_normal",
    "uniform",
    "variance_scaling",
    "xavier_normal",
    "xavier_uniform",
]

# The fills that are Generator methods (their parameter names are the Generator's:
# low/high); the others are initfill's module functions, which take generator=.
_GENERATOR_FILLS = ("uniform_", "normal_", "trunc_normal_")
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.float16))


def _shape(shape: Any) -> tuple[int, ...]:
    """`shape` (an int or a sequence of ints >= 0) as a tuple of ints."""
    if isinstance(shape, (str, bytes, bool)):
        raise TypeError(f"shape must be an int or a sequence of ints, "
                        f"got {type(shape).__name__}")
    try:
        items: Any = (operator.index(shape),)
    except TypeError:
        items = shape
    if not hasattr(items, "__iter__"):
        raise TypeError(f"shape must be an int or a sequence of ints, "
                        f"got {type(shape).__name__}")
    out = []
    for s in items:
        try:
            if isinstance(s, bool):
                raise TypeError
            out.append(operator.index(s))
        except TypeError:
            raise TypeError(f"shape must hold ints, got {type(s).__name__}") from None
    if any(s < 0 for s in out):
        raise ValueError(f"shape must not have negative extents, got {tuple(out)}")
    return tuple(out)


def _dtype(dtype: Any) -> np.dtype:
    """`dtype` as one of the NumPy dtypes initfill fills (native float32, float64,
    float16; ml_dtypes' bfloat16, also named "bfloat16"/"bf16"); TypeError otherwise."""
    if isinstance(dtype, str) and dtype.lower() in ("bfloat16", "bf16"):
        try:
            import ml_dtypes
        except ImportError:
            raise TypeError("dtype bfloat16 needs ml_dtypes (pip install "
                            "'initfill[half]')") from None
        return np.dtype(ml_dtypes.bfloat16)
    if dtype is None:
        raise TypeError("dtype must be float32, float64, float16 or bfloat16, got None")
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a NumPy dtype or its name, got {dtype!r}") from None
    if dt in _FLOATS and dt.isnative or is_bfloat16_dtype(dt):
        return dt
    raise TypeError(f"dtype must be float32, float64, float16 or bfloat16 (native byte "
                    f"order), got {dt.str if not dt.isnative else dt.name}")


def _chunks(chunks: Any, shape: tuple[int, ...], dt: np.dtype) -> tuple[tuple[int, ...], ...]:
    """`chunks` in any form dask takes, normalized against `shape` (known sizes only)."""
    if chunks is None:
        raise TypeError("chunks must be given (an int, a tuple, 'auto', ... as dask "
                        "takes them), got None")
    try:
        normal = da.core.normalize_chunks(chunks, shape, dtype=dt)
    except (ValueError, TypeError, NotImplementedError) as e:
        kind = TypeError if isinstance(e, TypeError) else ValueError
        raise kind(f"chunks={chunks!r} do not fit shape {shape}: {e}") from None
    for axis, sizes in enumerate(normal):
        if any(isinstance(c, float) and math.isnan(c) for c in sizes):
            raise ValueError(f"chunks must have known sizes, got NaN along axis {axis}")
    return tuple(tuple(int(c) for c in sizes) for sizes in normal)


def _fill(name: str, block: np.ndarray, kwargs: dict[str, Any], seed: int, stream: int,
          global_shape: tuple[int, ...], offset: tuple[int, ...]) -> None:
    """Fill `block`, the part at `offset` of an array of `global_shape`, by initfill's
    fill `name` (a Generator method or a module function) with `kwargs`."""
    gen = Generator(seed)
    if name in _GENERATOR_FILLS:
        getattr(gen, name)(block, stream=stream, global_shape=global_shape, offset=offset,
                           **kwargs)
    else:
        getattr(_functions, name)(block, generator=gen, stream=stream,
                                  global_shape=global_shape, offset=offset, **kwargs)


def _block(name: str, kwargs: dict[str, Any], seed: int, stream: int,
           global_shape: tuple[int, ...], dt: np.dtype,
           block_info: dict[Any, Any] | None = None) -> np.ndarray:
    """The task of one chunk: a new array of the chunk's shape, filled at its offset."""
    info = block_info[None]  # type: ignore[index]
    block = np.empty(info["chunk-shape"], dt)
    if block.size:  # a zero-size chunk has nothing to write (and the checks were made)
        offset = tuple(start for start, _ in info["array-location"])
        _fill(name, block, kwargs, seed, stream, global_shape, offset)
    return block


def _lazy(name: str, shape: Any, chunks: Any, seed: Any, stream: Any, dtype: Any,
          **kwargs: Any) -> da.Array:
    """The dask array whose chunks `_block` fills by fill `name`, after every check."""
    gshape = _shape(shape)
    dt = _dtype(dtype)
    normal = _chunks(chunks, gshape, dt)
    if seed is None:
        raise TypeError("seed must be an int: every chunk's task makes its own Generator "
                        "from it, so it cannot be drawn there")
    seed = Generator(seed).seed  # checks type and range
    if stream is None:
        raise TypeError("stream must be an int or a str: every chunk's task fills from "
                        "the same stream, so there is no counter to take it from")
    sid = stream_id(stream)
    # One fill of one element (or of the whole zero-size array): the fills' own checks
    # of every parameter, the fans of `gshape` and the dtype, before a graph is built.
    if math.prod(gshape):
        probe = np.empty((1,) * len(gshape), dt)
        _fill(name, probe, kwargs, seed, sid, gshape, (0,) * len(gshape))
    else:
        _fill(name, np.empty(gshape, dt), kwargs, seed, sid, gshape, (0,) * len(gshape))
    token = tokenize(name, gshape, normal, dt.name, seed, sid, sorted(kwargs.items()),
                     ALGORITHM_VERSION)
    task = functools.partial(_block, name, kwargs, seed, sid, gshape, dt)
    return da.map_blocks(task, chunks=normal, dtype=dt, meta=np.empty((0,) * len(gshape), dt),
                         name=f"initfill-{name.rstrip('_').replace('_', '-')}-{token}")


def uniform(shape, *, chunks, seed, stream, low=0.0, high=1.0, dtype="float32"):
    """A lazy array of U(`low`, `high`) values in ``[low, high)``, chunk by chunk.

    Parameters
    ----------
    shape : int or sequence of int
        The whole array's shape.
    chunks : int, tuple, str or dict
        Chunk sizes in any form :func:`dask.array.core.normalize_chunks` takes
        (``"auto"`` included); uneven and zero-size chunks are fine.
    seed : int
        The seed, in ``[0, 2**64)``.
    stream : int or str
        The stream (a str is hashed by :func:`initfill.stream_id`).
    low, high : float
        Bounds, as in :meth:`initfill.Generator.uniform_`.
    dtype : {"float32", "float64", "float16", "bfloat16"} or dtype
        Element type; bfloat16 is ``ml_dtypes.bfloat16``.

    Returns
    -------
    dask.array.Array
        Lazy; computed, equal to
        ``initfill.Generator(seed).uniform_(np.empty(shape, dtype), low, high, stream=stream)``.

    Raises
    ------
    TypeError, ValueError
        For a bad shape, chunks, dtype, seed, stream or bound, before a graph is built.
    """
    return _lazy("uniform_", shape, chunks, seed, stream, dtype, low=low, high=high)


def normal(shape, *, chunks, seed, stream, mean=0.0, std=1.0, dtype="float32"):
    """A lazy array of N(`mean`, `std`**2) values, chunk by chunk.

    Parameters
    ----------
    shape, chunks, seed, stream, dtype
        See :func:`uniform`.
    mean, std : float
        As in :meth:`initfill.Generator.normal_`.

    Returns
    -------
    dask.array.Array
        Lazy; computed, equal to
        ``initfill.Generator(seed).normal_(np.empty(shape, dtype), mean, std, stream=stream)``.
    """
    return _lazy("normal_", shape, chunks, seed, stream, dtype, mean=mean, std=std)


def trunc_normal(shape, *, chunks, seed, stream, mean=0.0, std=1.0, a=-2.0, b=2.0,
                 dtype="float32"):
    """A lazy array of N(`mean`, `std`**2) values truncated to ``[a, b]``.

    Parameters
    ----------
    shape, chunks, seed, stream, dtype
        See :func:`uniform`.
    mean, std, a, b : float
        As in :meth:`initfill.Generator.trunc_normal_` (absolute bounds).

    Returns
    -------
    dask.array.Array
        Lazy; computed, equal to ``initfill.Generator(seed).trunc_normal_(np.empty(shape,
        dtype), mean, std, a, b, stream=stream)``.
    """
    return _lazy("trunc_normal_", shape, chunks, seed, stream, dtype, mean=mean, std=std,
                 a=a, b=b)


def xavier_uniform(shape, *, chunks, seed, stream, gain=1.0, dtype="float32"):
    """A lazy Glorot/Xavier uniform array; fans of the whole `shape` (torch layout).

    Parameters
    ----------
    shape, chunks, seed, stream, dtype
        See :func:`uniform`.
    gain : float
        As in :func:`initfill.xavier_uniform_`.

    Returns
    -------
    dask.array.Array
        Lazy; computed, equal to ``initfill.xavier_uniform_(np.empty(shape, dtype), gain,
        generator=initfill.Generator(seed), stream=stream)``.
    """
    return _lazy("xavier_uniform_", shape, chunks, seed, stream, dtype, gain=gain)


def xavier_normal(shape, *, chunks, seed, stream, gain=1.0, dtype="float32"):
    """A lazy Glorot/Xavier normal array; see :func:`initfill.xavier_normal_`.

    Parameters
    ----------
    shape, chunks, seed, stream, dtype
        See :func:`uniform`.
    gain : float
        As in :func:`initfill.xavier_normal_`.

    Returns
    -------
    dask.array.Array
        Lazy; computed, equal to ``initfill.xavier_normal_`` of the whole array.
    """
    return _lazy("xavier_normal_", shape, chunks, seed, stream, dtype, gain=gain)


def kaiming_uniform(shape, *, chunks, seed, stream, a=0, mode="fan_in",
                    nonlinearity="leaky_relu", dtype="float32"):
    """A lazy He/Kaiming uniform array; fans of the whole `shape` (torch layout).

    Parameters
    ----------
    shape, chunks, seed, stream, dtype
        See :func:`uniform`.
    a, mode, nonlinearity
        As in :func:`initfill.kaiming_uniform_` (``a=math.sqrt(5)`` is
        ``nn.Linear``'s default).

    Returns
    -------
    dask.array.Array
        Lazy; computed, equal to ``initfill.kaiming_uniform_(np.empty(shape, dtype), a,
        mode, nonlinearity, generator=initfill.Generator(seed), stream=stream)``.

    Warns
    -----
    UserWarning
        For a zero-element `shape`, as :func:`initfill.kaiming_uniform_` does.
    """
    return _lazy("kaiming_uniform_", shape, chunks, seed, stream, dtype, a=a, mode=mode,
                 nonlinearity=nonlinearity)


def kaiming_normal(shape, *, chunks, seed, stream, a=0, mode="fan_in",
                   nonlinearity="leaky_relu", dtype="float32"):
    """A lazy He/Kaiming normal array; see :func:`initfill.kaiming_normal_`.

    Parameters
    ----------
    shape, chunks, seed, stream, dtype
        See :func:`uniform`.
    a, mode, nonlinearity
        As in :func:`initfill.kaiming_normal_`.

    Returns
    -------
    dask.array.Array
        Lazy; computed, equal to ``initfill.kaiming_normal_`` of the whole array.

    Warns
    -----
    UserWarning
        For a zero-element `shape`.
    """
    return _lazy("kaiming_normal_", shape, chunks, seed, stream, dtype, a=a, mode=mode,
                 nonlinearity=nonlinearity)


def variance_scaling(shape, *, chunks, seed, stream, scale=1.0, mode="fan_in",
                     distribution="truncated_normal", layout="torch", in_axis=None,
                     out_axis=None, batch_axis=(), dtype="float32"):
    """A lazy Keras/JAX variance-scaling array; see :func:`initfill.variance_scaling_`.

    Parameters
    ----------
    shape, chunks, seed, stream, dtype
        See :func:`uniform`.
    scale, mode, distribution, layout, in_axis, out_axis, batch_axis
        As in :func:`initfill.variance_scaling_` (``"normal"`` is untruncated there
        and here); fans come from the whole `shape`.

    Returns
    -------
    dask.array.Array
        Lazy; computed, equal to ``initfill.variance_scaling_`` of the whole array.
    """
    return _lazy("variance_scaling_", shape, chunks, seed, stream, dtype, scale=scale,
                 mode=mode, distribution=distribution, layout=layout, in_axis=in_axis,
                 out_axis=out_axis, batch_axis=batch_axis)


def lecun_uniform(shape, *, chunks, seed, stream, layout="torch", dtype="float32"):
    """A lazy LeCun uniform array; see :func:`initfill.lecun_uniform_`.

    Parameters
    ----------
    shape, chunks, seed, stream, dtype
        See :func:`uniform`.
    layout : {"torch", "keras", "jax"}
        How fans are read from the whole `shape`.

    Returns
    -------
    dask.array.Array
        Lazy; computed, equal to ``initfill.lecun_uniform_`` of the whole array.
    """
    return _lazy("lecun_uniform_", shape, chunks, seed, stream, dtype, layout=layout)


def lecun_normal(shape, *, chunks, seed, stream, layout="torch", dtype="float32"):
    """A lazy LeCun (truncated) normal array; see :func:`initfill.lecun_normal_`.

    Parameters
    ----------
    shape, chunks, seed, stream, dtype
        See :func:`uniform`.
    layout : {"torch", "keras", "jax"}
        How fans are read from the whole `shape`.

    Returns
    -------
    dask.array.Array
        Lazy; computed, equal to ``initfill.lecun_normal_`` of the whole array.
    """
    return _lazy("lecun_normal_", shape, chunks, seed, stream, dtype, layout=layout)

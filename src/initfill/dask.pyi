"""Type stubs of initfill.dask (see the docstrings in dask.py)."""
from typing import Any, Literal, SupportsIndex

import dask.array as da
from numpy.typing import DTypeLike
from typing_extensions import TypeAlias

from . import _Axes, _Distribution, _KaimingMode, _Layout, _Mode, _Nonlinearity, _Real, _Stream

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

_ShapeArg: TypeAlias = SupportsIndex | tuple[SupportsIndex, ...] | list[SupportsIndex]
# Any form dask.array.core.normalize_chunks takes: an int, "auto", a tuple of ints or
# of tuples of ints, a dict of axis -> size.
_Chunks: TypeAlias = Any
_DType: TypeAlias = DTypeLike | Literal["bfloat16", "bf16"]

def uniform(shape: _ShapeArg, *, chunks: _Chunks, seed: int, stream: _Stream,
            low: _Real = 0.0, high: _Real = 1.0, dtype: _DType = "float32") -> da.Array: ...
def normal(shape: _ShapeArg, *, chunks: _Chunks, seed: int, stream: _Stream,
           mean: _Real = 0.0, std: _Real = 1.0, dtype: _DType = "float32") -> da.Array: ...
def trunc_normal(shape: _ShapeArg, *, chunks: _Chunks, seed: int, stream: _Stream,
                 mean: _Real = 0.0, std: _Real = 1.0, a: _Real = -2.0, b: _Real = 2.0,
                 dtype: _DType = "float32") -> da.Array: ...
def xavier_uniform(shape: _ShapeArg, *, chunks: _Chunks, seed: int, stream: _Stream,
                   gain: _Real = 1.0, dtype: _DType = "float32") -> da.Array: ...
def xavier_normal(shape: _ShapeArg, *, chunks: _Chunks, seed: int, stream: _Stream,
                  gain: _Real = 1.0, dtype: _DType = "float32") -> da.Array: ...
def kaiming_uniform(shape: _ShapeArg, *, chunks: _Chunks, seed: int, stream: _Stream,
                    a: float = 0, mode: _KaimingMode = "fan_in",
                    nonlinearity: _Nonlinearity = "leaky_relu",
                    dtype: _DType = "float32") -> da.Array: ...
def kaiming_normal(shape: _ShapeArg, *, chunks: _Chunks, seed: int, stream: _Stream,
                   a: float = 0, mode: _KaimingMode = "fan_in",
                   nonlinearity: _Nonlinearity = "leaky_relu",
                   dtype: _DType = "float32") -> da.Array: ...
def variance_scaling(shape: _ShapeArg, *, chunks: _Chunks, seed: int, stream: _Stream,
                     scale: _Real = 1.0, mode: _Mode = "fan_in",
                     distribution: _Distribution = "truncated_normal",
                     layout: _Layout = "torch", in_axis: _Axes | None = None,
                     out_axis: _Axes | None = None, batch_axis: _Axes = (),
                     dtype: _DType = "float32") -> da.Array: ...
def lecun_uniform(shape: _ShapeArg, *, chunks: _Chunks, seed: int, stream: _Stream,
                  layout: _Layout = "torch", dtype: _DType = "float32") -> da.Array: ...
def lecun_normal(shape: _ShapeArg, *, chunks: _Chunks, seed: int, stream: _Stream,
                 layout: _Layout = "torch", dtype: _DType = "float32") -> da.Array: ...

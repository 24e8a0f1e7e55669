"""Turning what a user passes as ``x`` into a writable NumPy view of the same memory.

Nothing here copies: every accepted object is viewed in place, and anything that
cannot be viewed in place is refused with a TypeError or ValueError that names the
argument, before a single element is written.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

# Output codes of the C library (initfill.h).
FLOAT32, FLOAT64, UINT32, UINT64 = 0, 1, 2, 3
FLOAT_CODES: dict[np.dtype, int] = {np.dtype(np.float32): FLOAT32, np.dtype(np.float64): FLOAT64}
BITS_CODES: dict[np.dtype, int] = {np.dtype(np.uint32): UINT32, np.dtype(np.uint64): UINT64}


def _dtype_name(dt: np.dtype) -> str:
    return dt.name if dt.isnative else f"{dt.name} ({dt.str}, non-native byte order)"


def as_target(x: Any, dtype: Any, codes: dict[np.dtype, int], what: str) -> tuple[np.ndarray, int]:
    """Return ``(view, code)``: a writable ndarray over ``x``'s memory and its C type.

    Parameters
    ----------
    x : ndarray or buffer-protocol object
        The output.  NumPy arrays may have any shape and strides; other objects
        (memoryview, bytearray, mmap, array.array, ...) are viewed through the
        buffer protocol.  Raw byte buffers need ``dtype``.
    dtype : dtype-like or None
        Element type of ``x`` when it is a raw byte buffer.
    codes : dict
        The element types this fill accepts.
    what : str
        Name of the fill, for messages.
    """
    if isinstance(x, np.ndarray):
        arr = x
    else:
        try:
            mv = memoryview(x)
        except TypeError:
            raise TypeError(
                f"x must be a NumPy array or a writable buffer-protocol object, "
                f"got {type(x).__name__}"
            ) from None
        if mv.readonly:
            raise ValueError("x is read-only: initfill fills buffers in place")
        arr = np.asarray(mv)
    if dtype is not None:
        try:
            want = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"dtype must be a NumPy dtype or its name, got {dtype!r}") from None
        if arr.dtype != want:
            if arr.dtype.itemsize != 1 or arr.dtype.kind not in "uiSVb":
                raise TypeError(
                    f"dtype={want.name} does not match x, whose elements are "
                    f"{_dtype_name(arr.dtype)}; dtype= reinterprets raw byte buffers only"
                )
            if not arr.flags.c_contiguous:
                raise ValueError("a raw byte buffer given with dtype= must be C-contiguous")
            arr = arr.reshape(-1)
            if arr.size % want.itemsize:
                raise ValueError(
                    f"x holds {arr.size} bytes, not a multiple of the {want.itemsize}-byte "
                    f"dtype {want.name}"
                )
            if arr.size and arr.ctypes.data % want.alignment:
                raise ValueError(f"x is not aligned to {want.alignment} bytes for {want.name}")
            arr = arr.view(want)
    dt = arr.dtype
    if not dt.isnative:
        raise TypeError(f"x has non-native byte order ({dt.str}); {what} writes native {dt.name} only")
    code = codes.get(dt)
    if code is None:
        accepted = ", ".join(d.name for d in codes)
        raise TypeError(f"{what} fills {accepted} buffers; x has dtype {_dtype_name(dt)}")
    if not arr.flags.writeable:
        raise ValueError("x is read-only: initfill fills buffers in place")
    if not arr.flags.aligned:
        raise ValueError(f"x is not aligned to its {dt.name} elements")
    if not _elements_disjoint(arr):
        raise ValueError(
            "x has elements that share memory (e.g. a zero stride from as_strided); "
            "their values would depend on which write lands last"
        )
    return arr, code


def _elements_disjoint(arr: np.ndarray) -> bool:
    """True when no two elements of `arr` can overlap in memory.

    Sufficient test: with the dimensions sorted by |stride|, each stride must step
    over everything the smaller dimensions span.  Every view made by slicing,
    transposing or reshaping an array passes; only hand-made ``as_strided`` views
    with zero or interleaved strides fail.
    """
    if arr.size == 0:
        return True
    span = arr.itemsize
    for n, s in sorted(zip(arr.shape, arr.strides), key=lambda d: abs(d[1])):
        if n <= 1:
            continue
        if abs(s) < span:
            return False
        span += abs(s) * (n - 1)
    return True


def _int_tuple(name: str, value: Any, ndim: int) -> tuple[int, ...]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be a tuple of ints, got {type(value).__name__}")
    out = []
    for v in value:
        if isinstance(v, bool):
            raise TypeError(f"{name} must hold ints, got a bool")
        try:
            out.append(operator.index(v))
        except TypeError:
            raise TypeError(f"{name} must hold ints, got {type(v).__name__}") from None
    if len(out) != ndim:
        raise ValueError(f"{name} has {len(out)} entries but x has {ndim} dimensions")
    if any(v < 0 for v in out):
        raise ValueError(f"{name} must be non-negative, got {tuple(out)}")
    return tuple(out)


def addressing(
    shape: tuple[int, ...], global_shape: Any, offset: Any
) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """Return ``(global_shape, gstrides, gbase)`` for a block of ``shape``.

    The block is ``[o0:o0+shape[0], o1:o1+shape[1], ...]`` of a logical C-order tensor
    of ``global_shape``; element ``i`` of the block has global index
    ``gbase + sum(i_k * gstrides[k])``.
    """
    ndim = len(shape)
    if global_shape is None:
        if offset is not None:
            raise ValueError("offset= needs global_shape=: the shape of the whole tensor")
        gshape = tuple(shape)
        off = (0,) * ndim
    else:
        gshape = _int_tuple("global_shape", global_shape, ndim)
        off = (0,) * ndim if offset is None else _int_tuple("offset", offset, ndim)
        for d in range(ndim):
            if off[d] + shape[d] > gshape[d]:
                raise ValueError(
                    f"the block does not fit in global_shape: along axis {d}, offset "
                    f"{off[d]} + extent {shape[d]} > {gshape[d]}"
                )
    total = 1
    for n in gshape:
        total *= n
    if total >= 1 << 63:
        raise ValueError(f"global_shape {gshape} has {total} elements, more than 2**63 - 1")
    gstrides = [1] * ndim
    for d in range(ndim - 2, -1, -1):
        gstrides[d] = gstrides[d + 1] * gshape[d + 1]
    gbase = sum(o * s for o, s in zip(off, gstrides))
    return gshape, tuple(gstrides), gbase

"""ctypes function pointers to initfill's C kernels, for ctypes and Numba users.

Every name below is a ``ctypes`` function pointer to the C function of the same name
with the ``initfill_`` prefix (see ``initfill/initfill.h``), taken from the table the
package exports as the capsule ``initfill._C_API``.  They write exactly the values of
the Python API for the same seed, stream and global index range, return an ``int``
status (0 = success, see :func:`status_string`), and need no GIL: plain ctypes
calls release it, and ``@njit(nogil=True)`` functions may run in several threads.

Numba calls ctypes function pointers from ``@njit`` code directly: pass a
C-contiguous array as ``arr.ctypes`` (Numba checks that its dtype matches the
pointer type).  The example ``examples/numba_fill.py`` shows it::

    import numba, numpy as np
    from initfill import ctypes_api as C

    normal_f32 = C.normal_f32          # a global: Numba freezes it at compile time

    @numba.njit(nogil=True)
    def init(w, seed, stream):
        return normal_f32(w.ctypes, w.size, 0, seed, stream, 0.0, 0.02, 1)

From plain ctypes pass ``arr.ctypes.data_as(ctypes.POINTER(ctypes.c_float))``.
:func:`addresses` gives the raw addresses for other foreign-function tools (cffi,
``numba.types.ExternalFunctionPointer``, LLVM JITs).

Signatures (``out`` is a pointer to the first element; ``n`` elements are written,
taking the values of global elements ``first .. first + n - 1``)::

    uniform_f32(out, n, first, seed, stream, low, high, nthreads) -> int
    uniform_f64(out, n, first, seed, stream, low, high, nthreads) -> int
    normal_f32(out, n, first, seed, stream, mean, std, nthreads) -> int
    normal_f64(out, n, first, seed, stream, mean, std, nthreads) -> int
    trunc_normal_f32(out, n, first, seed, stream, mean, std, a, b, nthreads) -> int
    trunc_normal_f64(out, n, first, seed, stream, mean, std, a, b, nthreads) -> int
    bits_u32(out, n, first, seed, stream, nthreads) -> int
    bits_u64(out, n, first, seed, stream, nthreads) -> int
    uniform_f16(out, n, first, seed, stream, low, high, nthreads) -> int
    uniform_bf16(out, n, first, seed, stream, low, high, nthreads) -> int
    normal_f16(out, n, first, seed, stream, mean, std, nthreads) -> int
    normal_bf16(out, n, first, seed, stream, mean, std, nthreads) -> int
    trunc_normal_f16(out, n, first, seed, stream, mean, std, a, b, nthreads) -> int
    trunc_normal_bf16(out, n, first, seed, stream, mean, std, a, b, nthreads) -> int

The ``_f16`` and ``_bf16`` fills take a ``uint16`` pointer and write the raw bits of
IEEE binary16 or bfloat16 values: the float32 values rounded to nearest even
(uniform: rounded down) and clamped in the half type, exactly what the Python API
writes into float16 arrays and bfloat16 arrays (or ``uint16`` words with
``dtype="bfloat16"``).  Pass a float16 or bfloat16 array as its ``uint16`` view,
e.g. ``w.view(np.uint16).ctypes`` from Numba.
"""
from __future__ import annotations

import ctypes
from ctypes import (
    POINTER,
    c_char_p,
    c_double,
    c_float,
    c_int,
    c_uint16,
    c_uint32,
    c_uint64,
)

from . import _core

__all__ = [
    "addresses",
    "bits_u32",
    "bits_u64",
    "normal_bf16",
    "normal_f16",
    "normal_f32",
    "normal_f64",
    "status_string",
    "trunc_normal_bf16",
    "trunc_normal_f16",
    "trunc_normal_f32",
    "trunc_normal_f64",
    "uniform_bf16",
    "uniform_f16",
    "uniform_f32",
    "uniform_f64",
]

_U64 = c_uint64
_FLOAT_FILL = (_U64, _U64, _U64, _U64, c_double, c_double, c_int)
_TRUNC_FILL = (_U64, _U64, _U64, _U64, c_double, c_double, c_double, c_double, c_int)
_BITS_FILL = (_U64, _U64, _U64, _U64, c_int)

_PROTOTYPES = {
    "uniform_f32": ctypes.CFUNCTYPE(c_int, POINTER(c_float), *_FLOAT_FILL),
    "uniform_f64": ctypes.CFUNCTYPE(c_int, POINTER(c_double), *_FLOAT_FILL),
    "normal_f32": ctypes.CFUNCTYPE(c_int, POINTER(c_float), *_FLOAT_FILL),
    "normal_f64": ctypes.CFUNCTYPE(c_int, POINTER(c_double), *_FLOAT_FILL),
    "trunc_normal_f32": ctypes.CFUNCTYPE(c_int, POINTER(c_float), *_TRUNC_FILL),
    "trunc_normal_f64": ctypes.CFUNCTYPE(c_int, POINTER(c_double), *_TRUNC_FILL),
    "bits_u32": ctypes.CFUNCTYPE(c_int, POINTER(c_uint32), *_BITS_FILL),
    "bits_u64": ctypes.CFUNCTYPE(c_int, POINTER(c_uint64), *_BITS_FILL),
    "uniform_f16": ctypes.CFUNCTYPE(c_int, POINTER(c_uint16), *_FLOAT_FILL),
    "uniform_bf16": ctypes.CFUNCTYPE(c_int, POINTER(c_uint16), *_FLOAT_FILL),
    "normal_f16": ctypes.CFUNCTYPE(c_int, POINTER(c_uint16), *_FLOAT_FILL),
    "normal_bf16": ctypes.CFUNCTYPE(c_int, POINTER(c_uint16), *_FLOAT_FILL),
    "trunc_normal_f16": ctypes.CFUNCTYPE(c_int, POINTER(c_uint16), *_TRUNC_FILL),
    "trunc_normal_bf16": ctypes.CFUNCTYPE(c_int, POINTER(c_uint16), *_TRUNC_FILL),
}

_ADDRESSES = _core.capi_addresses()

uniform_f32 = _PROTOTYPES["uniform_f32"](_ADDRESSES["uniform_f32"])
uniform_f64 = _PROTOTYPES["uniform_f64"](_ADDRESSES["uniform_f64"])
normal_f32 = _PROTOTYPES["normal_f32"](_ADDRESSES["normal_f32"])
normal_f64 = _PROTOTYPES["normal_f64"](_ADDRESSES["normal_f64"])
trunc_normal_f32 = _PROTOTYPES["trunc_normal_f32"](_ADDRESSES["trunc_normal_f32"])
trunc_normal_f64 = _PROTOTYPES["trunc_normal_f64"](_ADDRESSES["trunc_normal_f64"])
bits_u32 = _PROTOTYPES["bits_u32"](_ADDRESSES["bits_u32"])
bits_u64 = _PROTOTYPES["bits_u64"](_ADDRESSES["bits_u64"])
uniform_f16 = _PROTOTYPES["uniform_f16"](_ADDRESSES["uniform_f16"])
uniform_bf16 = _PROTOTYPES["uniform_bf16"](_ADDRESSES["uniform_bf16"])
normal_f16 = _PROTOTYPES["normal_f16"](_ADDRESSES["normal_f16"])
normal_bf16 = _PROTOTYPES["normal_bf16"](_ADDRESSES["normal_bf16"])
trunc_normal_f16 = _PROTOTYPES["trunc_normal_f16"](_ADDRESSES["trunc_normal_f16"])
trunc_normal_bf16 = _PROTOTYPES["trunc_normal_bf16"](_ADDRESSES["trunc_normal_bf16"])

_status_string = ctypes.CFUNCTYPE(c_char_p, c_int)(_ADDRESSES["status_string"])


def addresses() -> dict[str, int]:
    """Return the addresses of the C entry points, by name.

    Returns
    -------
    dict of str to int
        ``uniform_f32``, ..., ``bits_u64``, ``fill_nd``, ``status_string`` and
        ``uniform_f16``, ..., ``trunc_normal_bf16``: the functions
        ``initfill_<name>`` of ``initfill/initfill.h``.  Valid while the process
        runs (the extension is never unloaded).
    """
    return dict(_ADDRESSES)


def status_string(status: int) -> str:
    """Return the English description of a C status code.

    Parameters
    ----------
    status : int
        A code returned by one of the fills.

    Returns
    -------
    str
        For example ``"success"`` for 0.
    """
    return _status_string(status).decode("ascii")

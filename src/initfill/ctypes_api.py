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
    normal_f32(out, n, first, seed, stream, mean, std, nthreads) -> int
    trunc_normal_f32(out, n, first, seed, stream, mean, std, a, b, nthreads) -> int
    bits_u32(out, n, first, seed, stream, nthreads) -> int

and the same for ``_f64`` (``double``), ``bits_u64`` (``uint64``), and the half types
``_f16`` and ``_bf16`` (``uint16``); ``fill_nd(dist, dtype, params, nparams, seed,
stream, data, ndim, shape, strides, gstrides, gbase, nthreads)`` fills an n-d view as
``initfill_fill_nd`` does.  The list of entry points and their signature kinds comes
from the C header (``INITFILL_CAPI_ENTRIES``), through ``initfill._core``.

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
    c_int64,
    c_uint16,
    c_uint32,
    c_uint64,
    c_void_p,
)

from . import _core

# The ctypes type of each C output element type the table uses ("void": none).
_ELEMENT = {"float": c_float, "double": c_double, "uint16_t": c_uint16,
            "uint32_t": c_uint32, "uint64_t": c_uint64}
_WINDOW = (c_uint64, c_uint64, c_uint64, c_uint64)  # n, first, seed, stream
_I64P = POINTER(c_int64)

# Each signature kind of initfill.h (INITFILL_PARAMS_<kind>): the ctypes function
# type for an output element type.
_KINDS = {
    "FILL2": lambda t: ctypes.CFUNCTYPE(c_int, POINTER(t), *_WINDOW, c_double, c_double,
                                        c_int),
    "FILL4": lambda t: ctypes.CFUNCTYPE(c_int, POINTER(t), *_WINDOW, c_double, c_double,
                                        c_double, c_double, c_int),
    "BITS": lambda t: ctypes.CFUNCTYPE(c_int, POINTER(t), *_WINDOW, c_int),
    "FILL_ND": lambda t: ctypes.CFUNCTYPE(c_int, c_int, c_int, POINTER(c_double), c_int,
                                          c_uint64, c_uint64, c_void_p, c_int, _I64P,
                                          _I64P, _I64P, c_uint64, c_int),
    "STATUS": lambda t: ctypes.CFUNCTYPE(c_char_p, c_int),
}

_ENTRIES = _core.capi_entries()
_ADDRESSES = {name: address for name, address, _, _ in _ENTRIES}
_FUNCTIONS = {
    name: _KINDS[kind](_ELEMENT.get(out_type))(address)
    for name, address, kind, out_type in _ENTRIES
}
# The fills become this module's attributes; the status text has a str wrapper.
_status_string = _FUNCTIONS.pop("status_string")
globals().update(_FUNCTIONS)

__all__ = sorted(["addresses", "status_string", *_FUNCTIONS])


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

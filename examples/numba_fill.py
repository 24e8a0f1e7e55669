"""Fill arrays with initfill's kernels from Numba ``@njit`` code.

initfill.ctypes_api holds ctypes function pointers to the C kernels; Numba compiles
calls to them into direct native calls.  Pass contiguous arrays as ``arr.ctypes``
(Numba checks the element type against the pointer type).  The values are those of
the Python API for the same seed, stream and global index range.

Run:  python examples/numba_fill.py
"""
import numba
import numpy as np

import initfill
from initfill import ctypes_api

# Numba freezes global function pointers into the compiled code.
_normal_f32 = ctypes_api.normal_f32
_trunc_normal_f64 = ctypes_api.trunc_normal_f64
_bits_u64 = ctypes_api.bits_u64


@numba.njit(nogil=True)
def normal_f32(out, first, seed, stream, mean, std, nthreads=1):
    """Normal values for global elements ``first .. first + out.size - 1``."""
    return _normal_f32(out.ctypes, out.size, first, seed, stream, mean, std, nthreads)


@numba.njit(nogil=True)
def trunc_normal_f64(out, first, seed, stream, mean, std, a, b, nthreads=1):
    """Truncated-normal values in ``[a, b]`` for that index range."""
    return _trunc_normal_f64(out.ctypes, out.size, first, seed, stream, mean, std, a, b,
                             nthreads)


@numba.njit(nogil=True)
def bits_u64(out, first, seed, stream, nthreads=1):
    """The raw uint64 generator words for that index range."""
    return _bits_u64(out.ctypes, out.size, first, seed, stream, nthreads)


@numba.njit
def init_layers(weights, seed):
    """A whole "model" inside one jitted function: layer k uses stream k.

    Returns the first nonzero status, or 0.
    """
    for k in range(len(weights)):
        w = weights[k]
        std = 1.0 / np.sqrt(w.shape[1])  # LeCun normal
        status = _normal_f32(w.ctypes, w.size, 0, seed, k, 0.0, std, 1)
        if status != 0:
            return status
    return 0


def main():
    seed = 2024
    w = np.empty((256, 64), np.float32)
    assert normal_f32(w, 0, seed, 3, 0.0, 0.02) == 0
    same = initfill.Generator(seed).normal_(np.empty((256, 64), np.float32), 0.0, 0.02,
                                            stream=3)
    print("normal_f32 matches the Python API:", bool((w == same).all()))

    layers = numba.typed.List([np.empty((128, 64), np.float32),
                               np.empty((64, 32), np.float32)])
    assert init_layers(layers, seed) == 0
    ref = initfill.Generator(seed).normal_(np.empty((64, 32), np.float32), 0.0,
                                           1.0 / np.sqrt(32), stream=1)
    print("layer 1 matches the Python API:", bool((layers[1] == ref).all()))

    status = normal_f32(w, 0, seed, 3, 0.0, -1.0)
    print("std < 0 gives status", status, "-", ctypes_api.status_string(status))


if __name__ == "__main__":
    main()

# cython: language_level=3, boundscheck=False, wraparound=False
"""A Cython module that calls initfill's kernels without the GIL.

``cimport initfill`` gives the C functions of initfill/initfill_capi.h; they call
through the capsule ``initfill._C_API``, so this module does not link to initfill.
Build with ``python setup.py build_ext --inplace`` (setup.py adds
``initfill.get_include()`` to the include path).
"""
from libc.stdint cimport int64_t, uint16_t, uint32_t, uint64_t

cimport initfill

# Fetch and check the C API table once, at import (like numpy's import_array()).
initfill.import_capi()

from cython cimport floating

ctypedef fused word_t:
    uint32_t
    uint64_t


cdef int _check(int status) except -1:
    if status != initfill.OK:
        raise ValueError(initfill.status_string(status).decode())
    return 0


def fill(str dist, floating[::1] out, uint64_t first, uint64_t seed, uint64_t stream,
         tuple params, int nthreads=1):
    """Fill `out` with the values of global elements ``first .. first + len(out) - 1``.

    Parameters
    ----------
    dist : {"uniform", "normal", "trunc_normal"}
        The distribution; `params` are ``(low, high)``, ``(mean, std)`` or
        ``(mean, std, a, b)``.
    out : float32 or float64 contiguous 1-D buffer
        Written in place.
    first, seed, stream : int
        The global index of ``out[0]``, the seed and the stream number.
    params : tuple of float
    nthreads : int
        Threads for the fill; the values never depend on it.
    """
    cdef int kind = ("uniform", "normal", "trunc_normal").index(dist)
    if len(params) != (4 if kind == 2 else 2):
        raise ValueError(f"wrong number of parameters for {dist}")
    cdef double p[4]
    p[:] = [0.0, 0.0, 0.0, 0.0]
    for k in range(len(params)):
        p[k] = params[k]
    cdef uint64_t n = out.shape[0]
    cdef int status = initfill.OK
    if n == 0:
        return
    with nogil:
        if floating is float:
            if kind == 0:
                status = initfill.uniform_f32(&out[0], n, first, seed, stream, p[0], p[1],
                                              nthreads)
            elif kind == 1:
                status = initfill.normal_f32(&out[0], n, first, seed, stream, p[0], p[1],
                                             nthreads)
            else:
                status = initfill.trunc_normal_f32(&out[0], n, first, seed, stream, p[0],
                                                   p[1], p[2], p[3], nthreads)
        else:
            if kind == 0:
                status = initfill.uniform_f64(&out[0], n, first, seed, stream, p[0], p[1],
                                              nthreads)
            elif kind == 1:
                status = initfill.normal_f64(&out[0], n, first, seed, stream, p[0], p[1],
                                             nthreads)
            else:
                status = initfill.trunc_normal_f64(&out[0], n, first, seed, stream, p[0],
                                                   p[1], p[2], p[3], nthreads)
    _check(status)


def fill_half(str dist, uint16_t[::1] out, uint64_t first, uint64_t seed,
              uint64_t stream, tuple params, bint bfloat16=False, int nthreads=1):
    """Like `fill`, for float16 or bfloat16 values written as raw uint16 bits.

    Parameters
    ----------
    dist : {"uniform", "normal", "trunc_normal"}
        The distribution, with `params` as for `fill`.
    out : uint16 contiguous 1-D buffer
        Receives IEEE binary16 bits (pass a float16 array as ``arr.view(np.uint16)``),
        or bfloat16 bits when `bfloat16` is true.
    first, seed, stream : int
        The global index of ``out[0]``, the seed and the stream number.
    params : tuple of float
    bfloat16 : bool
        Write bfloat16 instead of float16.
    nthreads : int
        Threads for the fill; the values never depend on it.
    """
    cdef int kind = ("uniform", "normal", "trunc_normal").index(dist)
    if len(params) != (4 if kind == 2 else 2):
        raise ValueError(f"wrong number of parameters for {dist}")
    cdef double p[4]
    p[:] = [0.0, 0.0, 0.0, 0.0]
    for k in range(len(params)):
        p[k] = params[k]
    cdef uint64_t n = out.shape[0]
    cdef int status = initfill.OK
    if n == 0:
        return
    with nogil:
        if kind == 0 and not bfloat16:
            status = initfill.uniform_f16(&out[0], n, first, seed, stream, p[0], p[1],
                                          nthreads)
        elif kind == 0:
            status = initfill.uniform_bf16(&out[0], n, first, seed, stream, p[0], p[1],
                                           nthreads)
        elif kind == 1 and not bfloat16:
            status = initfill.normal_f16(&out[0], n, first, seed, stream, p[0], p[1],
                                         nthreads)
        elif kind == 1:
            status = initfill.normal_bf16(&out[0], n, first, seed, stream, p[0], p[1],
                                          nthreads)
        elif not bfloat16:
            status = initfill.trunc_normal_f16(&out[0], n, first, seed, stream, p[0], p[1],
                                               p[2], p[3], nthreads)
        else:
            status = initfill.trunc_normal_bf16(&out[0], n, first, seed, stream, p[0],
                                                p[1], p[2], p[3], nthreads)
    _check(status)


def bits(word_t[::1] out, uint64_t first, uint64_t seed, uint64_t stream,
         int nthreads=1):
    """Fill uint32 or uint64 `out` with the raw generator words of that index range."""
    cdef uint64_t n = out.shape[0]
    cdef int status = initfill.OK
    if n == 0:
        return
    with nogil:
        if word_t is uint32_t:
            status = initfill.bits_u32(&out[0], n, first, seed, stream, nthreads)
        else:
            status = initfill.bits_u64(&out[0], n, first, seed, stream, nthreads)
    _check(status)


def fill_2d_block(double[:, :] out, uint64_t seed, uint64_t stream,
                  tuple global_shape, tuple offset, double mean=0.0, double std=1.0):
    """Normal values for the block of a 2-d tensor at `offset`, in any-strided `out`.

    Uses initfill.fill_nd: ``out`` equals ``whole[o0:o0+m, o1:o1+k]`` of a fill of
    the whole `global_shape` tensor with the same seed and stream.
    """
    cdef double p[2]
    p[0] = mean
    p[1] = std
    cdef int64_t shape[2]
    cdef int64_t strides[2]
    cdef int64_t gstrides[2]
    shape[0] = out.shape[0]
    shape[1] = out.shape[1]
    strides[0] = out.strides[0]
    strides[1] = out.strides[1]
    gstrides[0] = global_shape[1]
    gstrides[1] = 1
    cdef uint64_t gbase = <uint64_t>offset[0] * <uint64_t>global_shape[1] + <uint64_t>offset[1]
    cdef int status
    if shape[0] == 0 or shape[1] == 0:
        return
    with nogil:
        status = initfill.fill_nd(initfill.NORMAL, initfill.FLOAT64, p, 2, seed, stream,
                                  &out[0, 0], 2, shape, strides, gstrides, gbase, 1)
    _check(status)

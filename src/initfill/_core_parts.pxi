# Long fills in parts, with a check for Ctrl-C (a pending signal) between parts.

# A fill holds the GIL released for its whole length, so Python runs no signal
# handler until it returns.  Above this many elements a fill is made of several normal
# C fills of at most this many elements each (values are a pure function of the
# global index, so the bytes are those of one whole fill); between parts the calling
# thread takes the GIL and runs PyErr_CheckSignals, and a raising handler
# (KeyboardInterrupt) stops the fill there: the buffer is left partly written, and
# every C fill, hence the pool, completed normally.  2**25 float32 elements are
# 128 MiB, some 10-60 ms of filling on one thread.
from cpython.exc cimport PyErr_CheckSignals

cdef uint64_t _part_elements = 1 << 25


def part_elements():
    """Most elements one part of a long fill writes between two checks for a
    pending signal."""
    return _part_elements


def set_part_elements(uint64_t n):
    """Set the part size of long fills (tests force small parts with it)."""
    global _part_elements
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    _part_elements = n


cdef int fill_contiguous_parts(const initfill_plan *plan, uint64_t seed, uint64_t stream,
                               uint64_t n, void *data, int nthreads) except? -1:
    """initfill_fill_contiguous over elements [0, n) of `data`, in parts of
    _part_elements with a signal check after each part but the last."""
    cdef uint64_t part = _part_elements
    cdef uint64_t es = <uint64_t>initfill_dtype_size(plan.dtype)
    cdef uint64_t first = 0, count
    cdef int status = INITFILL_OK
    while first < n:
        count = n - first if n - first < part else part
        with nogil:
            status = initfill_fill_contiguous(plan, seed, stream, first, count,
                                              <char *>data + first * es, nthreads)
        if status != INITFILL_OK:
            return status
        first += count
        if first < n:
            PyErr_CheckSignals()
    return status


cdef int fill_strided_parts(const initfill_plan *plan, uint64_t seed, uint64_t stream,
                            void *data, int ndim, const int64_t *shape,
                            const int64_t *strides, const int64_t *gstr, uint64_t gbase,
                            uint64_t total, int nthreads) except? -1:
    """initfill_fill_strided of the whole view, in parts of at most _part_elements
    with a signal check after each part but the last.

    A part is a run of `rows` indices along dimension `d` (the first whose inner block
    fits a part) at one index of every dimension before it; it keeps all ndim
    dimensions (those before `d` of extent 1), its address and first global index
    moved to where the run starts."""
    cdef uint64_t part = _part_elements
    cdef int status
    # C's own checks of the whole view first: a view it refuses is handed to it whole,
    # so that no part is written before an error a later part would meet.
    cdef uint64_t checked_total
    if total <= part or if_check_strided(plan, data, ndim, shape, strides, gstr, gbase,
                                         nthreads, &checked_total) != INITFILL_OK:
        with nogil:
            status = initfill_fill_strided(plan, seed, stream, data, ndim, shape, strides,
                                           gstr, gbase, nthreads)
        return status
    cdef int64_t pshape[64]
    cdef int64_t index[64]
    cdef uint64_t inner = total
    cdef int d = 0, e
    while True:  # total > part >= 1, so some d has an inner block <= part
        inner //= <uint64_t>shape[d]
        if inner <= part:
            break
        d += 1
    cdef int64_t rows = <int64_t>(part // inner)
    for e in range(ndim):
        pshape[e] = 1 if e < d else shape[e]
        index[e] = 0
    cdef int64_t j
    cdef char *pdata
    cdef uint64_t pbase, done = 0
    while True:
        pdata = <char *>data
        pbase = gbase
        for e in range(d):
            pdata += index[e] * strides[e]
            pbase += <uint64_t>index[e] * <uint64_t>gstr[e]
        j = 0
        while j < shape[d]:
            pshape[d] = rows if shape[d] - j > rows else shape[d] - j
            with nogil:
                status = initfill_fill_strided(plan, seed, stream,
                                               pdata + j * strides[d], ndim, pshape,
                                               strides, gstr,
                                               pbase + <uint64_t>j * <uint64_t>gstr[d],
                                               nthreads)
            if status != INITFILL_OK:
                return status
            j += pshape[d]
            done += <uint64_t>pshape[d] * inner
            if done < total:
                PyErr_CheckSignals()
        # next index of the dimensions before d
        e = d - 1
        while e >= 0:
            index[e] += 1
            if index[e] < shape[e]:
                break
            index[e] = 0
            e -= 1
        if e < 0:
            return INITFILL_OK

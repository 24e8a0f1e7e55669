# Plans and the general strided fill.

cdef Py_ssize_t NOGIL_THRESHOLD = 4096

_MESSAGES = {
    INITFILL_ERR_NULL: "a required pointer is NULL",
    INITFILL_ERR_DTYPE: "the dtype is not supported by this distribution",
    INITFILL_ERR_DIST: "unknown distribution",
    INITFILL_ERR_PARAM: "the parameters are not finite, are inconsistent, or do not "
                        "fit the output dtype",
    INITFILL_ERR_SHAPE: "the shape, offset or global shape is out of range",
    INITFILL_ERR_ALIGN: "the buffer is not aligned to its dtype",
    INITFILL_ERR_THREADS: "the thread count is out of range",
    INITFILL_ERR_SYSTEM: "a thread could not be started",
    INITFILL_ERR_CAPI: "the initfill C API table is not imported",
}


def status_message(int status):
    """Text of a C status code."""
    return _MESSAGES.get(status, f"unknown status {status}")


@cython.auto_pickle(False)
cdef class Plan:
    """A distribution's parameters, validated and prepared once for a dtype.

    ``status`` is the C status of the preparation (0: usable by :func:`fill`).
    """
    cdef initfill_plan plan
    cdef readonly int status

    def __cinit__(self, int dist, int dtype, tuple params):
        cdef double p[4]
        cdef int n = len(params)
        if n > 4:
            raise ValueError("too many distribution parameters")
        for i in range(n):
            p[i] = params[i]
        self.status = initfill_plan_init(&self.plan, dist, dtype, p, n)


def check_params(int dist, int dtype, tuple params):
    """Return the C status of preparing ``params`` for ``dist`` and ``dtype``."""
    return Plan(dist, dtype, params).status


def fill(cnp.ndarray arr not None, Plan plan not None, uint64_t seed, uint64_t stream,
         tuple gstrides, uint64_t gbase, int nthreads):
    """Fill ``arr`` in place with ``plan``; returns the C status (0 on success).

    ``arr`` must be writable, aligned, native-endian and of the element type the plan
    was made for; ``gstrides`` are the C-order element strides of the logical tensor.
    """
    cdef int status = plan.status
    if status != INITFILL_OK:
        return status
    cdef int ndim = cnp.PyArray_NDIM(arr)
    if ndim > INITFILL_MAX_NDIM or len(gstrides) != ndim:
        return INITFILL_ERR_SHAPE
    if not cnp.PyArray_ISWRITEABLE(arr):
        raise ValueError("the output array is read-only")
    cdef int64_t shape[64]
    cdef int64_t strides[64]
    cdef int64_t gstr[64]
    cdef cnp.npy_intp *dims = cnp.PyArray_DIMS(arr)
    cdef cnp.npy_intp *strd = cnp.PyArray_STRIDES(arr)
    for d in range(ndim):
        shape[d] = dims[d]
        strides[d] = strd[d]
        gstr[d] = gstrides[d]
    cdef void *data = cnp.PyArray_DATA(arr)
    if cnp.PyArray_SIZE(arr) < NOGIL_THRESHOLD:
        return initfill_fill_strided(&plan.plan, seed, stream, data, ndim, shape, strides,
                                     gstr, gbase, nthreads)
    with nogil:
        status = initfill_fill_strided(&plan.plan, seed, stream, data, ndim, shape, strides,
                                       gstr, gbase, nthreads)
    return status

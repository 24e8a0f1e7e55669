# The C codes and texts Python reads, the fill thread count, plans and the strided fill.

# Element types, distributions and parameter rules of initfill.h (Python never types
# these numbers itself).
FLOAT32, FLOAT64, FLOAT16, BFLOAT16 = (INITFILL_FLOAT32, INITFILL_FLOAT64,
                                       INITFILL_FLOAT16, INITFILL_BFLOAT16)
UINT32, UINT64 = INITFILL_UINT32, INITFILL_UINT64
UNIFORM, NORMAL, TRUNC_NORMAL, BITS = (INITFILL_UNIFORM, INITFILL_NORMAL,
                                       INITFILL_TRUNC_NORMAL, INITFILL_BITS)

# Below this many elements the GIL is kept: releasing it costs more than the fill.
cdef Py_ssize_t NOGIL_THRESHOLD = 4096

# Threads of every fill, as initfill.set_num_threads last set them.
cdef int _num_threads = 1


def fill_threads():
    """The thread count every fill uses (initfill.get_num_threads)."""
    return _num_threads


def set_fill_threads(int n):
    """Set the thread count every fill uses (initfill.set_num_threads validates it)."""
    global _num_threads
    if not 1 <= n <= INITFILL_MAX_THREADS:
        raise ValueError(f"n must be in [1, {INITFILL_MAX_THREADS}], got {n}")
    _num_threads = n


def status_message(int status):
    """Text of a C status code (initfill_status_string)."""
    return initfill_status_string(status).decode()


def rule_message(int rule):
    """Text of a parameter rule (initfill_rule_string); it reads after the
    parameter's name, and a pair rule calls the other parameter "the next parameter"."""
    return initfill_rule_string(rule).decode()


@cython.auto_pickle(False)
cdef class Plan:
    """A distribution's parameters, validated and prepared once for a dtype.

    ``status`` is the C status of the preparation (0: usable by :func:`fill`); when
    the parameters were refused, ``err_param`` is the index of the one that broke
    rule ``err_rule`` (see :func:`rule_message`).
    """
    cdef initfill_plan plan
    cdef readonly int status

    def __cinit__(self, int dist, int dtype, tuple params):
        cdef double p[4]
        cdef Py_ssize_t i, n = len(params)
        if n > 4:
            raise ValueError("too many distribution parameters")
        for i in range(n):
            p[i] = params[i]
        self.status = initfill_plan_init(&self.plan, dist, dtype, p, <int>n)

    @property
    def err_param(self):
        return self.plan.err_param

    @property
    def err_rule(self):
        return self.plan.err_rule


def fill(cnp.ndarray arr not None, Plan plan not None, uint64_t seed, uint64_t stream,
         gstrides, uint64_t gbase):
    """Fill ``arr`` in place with ``plan``; returns the C status (0 on success).

    ``arr`` must be writable, aligned, native-endian and of the element type the plan
    was made for; ``gstrides`` are the C-order element strides of the logical tensor,
    or None when ``arr`` is the whole logical tensor (then ``gbase`` must be 0).
    """
    cdef int status = plan.status
    if status != INITFILL_OK:
        return status
    cdef int d, ndim = cnp.PyArray_NDIM(arr)
    if ndim > INITFILL_MAX_NDIM or (gstrides is not None and len(gstrides) != ndim):
        return INITFILL_ERR_SHAPE
    if not cnp.PyArray_ISWRITEABLE(arr):
        raise ValueError("the output array is read-only")
    cdef int64_t shape[64]
    cdef int64_t strides[64]
    cdef int64_t gstr[64]
    cdef cnp.npy_intp *dims = cnp.PyArray_DIMS(arr)
    cdef cnp.npy_intp *strd = cnp.PyArray_STRIDES(arr)
    cdef int64_t run = 1
    for d in range(ndim - 1, -1, -1):
        shape[d] = dims[d]
        strides[d] = strd[d]
        if gstrides is None:
            gstr[d] = run
            run *= dims[d]
        else:
            gstr[d] = gstrides[d]
    cdef void *data = cnp.PyArray_DATA(arr)
    cdef int nthreads = _num_threads
    if cnp.PyArray_SIZE(arr) < NOGIL_THRESHOLD:
        return initfill_fill_strided(&plan.plan, seed, stream, data, ndim, shape, strides,
                                     gstr, gbase, nthreads)
    return fill_strided_parts(&plan.plan, seed, stream, data, ndim, shape, strides, gstr,
                              gbase, <uint64_t>cnp.PyArray_SIZE(arr), nthreads)


def zero_bytes(cnp.ndarray arr not None):
    """Write zero into every byte of the C-contiguous, writable ``arr``, split over
    the fill threads (csrc/zero.h)."""
    if not cnp.PyArray_ISWRITEABLE(arr):
        raise ValueError("the output array is read-only")
    if not cnp.PyArray_IS_C_CONTIGUOUS(arr):
        raise ValueError("zero_bytes needs a C-contiguous array")
    cdef void *data = cnp.PyArray_DATA(arr)
    cdef size_t nbytes = <size_t>cnp.PyArray_NBYTES(arr)
    cdef int nthreads = _num_threads
    with nogil:
        if_zero_bytes(data, nbytes, nthreads)

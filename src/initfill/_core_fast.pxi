# The fast path for small C-contiguous arrays, the fill thread count, the plan cache.

# ---- The fast path: a C-contiguous NumPy array, default addressing -------------------
# Small fills are dominated by Python overhead (buffer checks, addressing, preparing
# the plan), so Generator's fills first offer the call to fill_fast, which checks
# everything the general path would for the one common case and fills in one step;
# it declines (returns -1, nothing written, no stream taken) whenever the general
# path has something to check, convert or report.

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


# Prepared plans, keyed by (dist, dtype, exact bits of the parameters): -0.0 and 0.0
# are different keys.  Direct-mapped; only touched with the GIL held, and a plan is
# copied out before the GIL is released, so a slot may be replaced at any time.
cdef enum:
    PLAN_CACHE_BITS = 6

ctypedef struct plan_slot:
    int used, dist, dtype, nparams, status
    double params[4]
    initfill_plan plan

cdef plan_slot _plan_cache[1 << PLAN_CACHE_BITS]


cdef int cached_plan(int dist, int dtype, const double *p, int n,
                     initfill_plan *out) noexcept:
    """Copy the plan of (dist, dtype, p[:n]) into *out; return its status."""
    cdef uint64_t h = <uint64_t>(dist * 8 + dtype + 1) * 0x9E3779B97F4A7C15ULL
    cdef uint64_t w
    cdef int i
    for i in range(n):
        memcpy(&w, &p[i], 8)
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL
    cdef plan_slot *slot = &_plan_cache[h >> (64 - PLAN_CACHE_BITS)]
    if not (slot.used and slot.dist == dist and slot.dtype == dtype
            and slot.nparams == n and memcmp(slot.params, p, n * sizeof(double)) == 0):
        slot.used = 0
        slot.status = initfill_plan_init(&slot.plan, dist, dtype, p, n)
        slot.dist = dist
        slot.dtype = dtype
        slot.nparams = n
        memcpy(slot.params, p, n * sizeof(double))
        slot.used = 1
    memcpy(out, &slot.plan, sizeof(initfill_plan))
    return slot.status


cdef int fast_code(object x, bint bits) noexcept:
    """C type of `x` if it is an exact ndarray the fast path may fill as one
    contiguous run (C-contiguous, aligned, writable, native byte order, a type of
    this fill); else -1."""
    if type(x) is not cnp.ndarray:
        return -1
    cdef cnp.ndarray arr = <cnp.ndarray>x
    cdef int need = (cnp.NPY_ARRAY_C_CONTIGUOUS | cnp.NPY_ARRAY_ALIGNED
                     | cnp.NPY_ARRAY_WRITEABLE)
    if (cnp.PyArray_FLAGS(arr) & need) != need or cnp.PyArray_ISBYTESWAPPED(arr):
        return -1
    cdef int t = cnp.PyArray_TYPE(arr)
    cdef Py_ssize_t size = cnp.PyArray_ITEMSIZE(arr)
    if bits:
        if t == cnp.NPY_UINT or t == cnp.NPY_ULONG or t == cnp.NPY_ULONGLONG:
            if size == 4:
                return 2
            if size == 8:
                return 3
        return -1
    if t == cnp.NPY_FLOAT:
        return 0
    if t == cnp.NPY_DOUBLE:
        return 1
    if t == cnp.NPY_FLOAT16:
        return 4
    return -1

def pool_workers():
    """Number of worker threads the fill pool has started in this process (it starts
    them on first need and keeps them; a forked child starts with none)."""
    return if_pool_size()


def fast_target(x, bint bits=False):
    """Return the C type of `x` if :func:`fill_fast` can fill it, else -1."""
    return fast_code(x, bits)


def fill_fast(gen, x, int dist, tuple params):
    """Fill `x` with the next stream of Generator `gen`, if the fast path applies.

    The parameters (a tuple of up to 4 floats) must already be checked as the Python
    API checks them.  Returns 0 when `x` was filled, -1 when the fast path does not apply
    (`x` is not a C-contiguous, aligned, writable, native-endian ndarray of a type of
    `dist`, or the plan is refused): nothing was written and no stream was taken, so
    the caller takes the general path, which reports any error.  Another value is a
    C status from the fill itself.
    """
    cdef int code = fast_code(x, dist == 3)
    if code < 0:
        return -1
    cdef double p[4]
    cdef Py_ssize_t i, nparams = len(params)
    if nparams > 4:
        return -1
    for i in range(nparams):
        p[i] = params[i]
    cdef initfill_plan plan
    if cached_plan(dist, code, p, <int>nparams, &plan) != INITFILL_OK:
        return -1
    cdef uint64_t seed = gen.seed
    cdef uint64_t s = gen.take_stream()
    cdef cnp.ndarray arr = <cnp.ndarray>x
    cdef uint64_t n = <uint64_t>cnp.PyArray_SIZE(arr)
    cdef void *data = cnp.PyArray_DATA(arr)
    cdef int nthreads = _num_threads
    cdef int status
    if n < <uint64_t>NOGIL_THRESHOLD:
        return initfill_fill_contiguous(&plan, seed, s, 0, n, data, nthreads)
    with nogil:
        status = initfill_fill_contiguous(&plan, seed, s, 0, n, data, nthreads)
    return status

"""Cython glue between NumPy arrays and the C kernels of ``csrc/``.

Only checks what C cannot see (the array object) and calls the kernels with the GIL
released above a size threshold.  Everything user-facing lives in the Python modules.
"""
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t, uintptr_t
from libc.string cimport memcmp, memcpy
cimport cython
cimport numpy as cnp

cnp.import_array()

cdef extern from "initfill/initfill.h" nogil:
    int INITFILL_ALGORITHM_VERSION
    int INITFILL_OK, INITFILL_ERR_NULL, INITFILL_ERR_DTYPE, INITFILL_ERR_DIST
    int INITFILL_ERR_PARAM, INITFILL_ERR_SHAPE, INITFILL_ERR_ALIGN
    int INITFILL_ERR_THREADS, INITFILL_ERR_SYSTEM
    int INITFILL_MAX_THREADS, INITFILL_MAX_NDIM
    ctypedef struct initfill_plan:
        pass
    int initfill_plan_init(initfill_plan *plan, int dist, int dtype,
                           const double *params, int nparams)
    int initfill_fill_strided(const initfill_plan *plan, uint64_t seed,
                              uint64_t stream, void *data, int ndim,
                              const int64_t *shape, const int64_t *strides,
                              const int64_t *gstrides, uint64_t gbase, int nthreads)
    int initfill_fill_contiguous(const initfill_plan *plan, uint64_t seed,
                                 uint64_t stream, uint64_t first, uint64_t n, void *out,
                                 int nthreads)

cdef extern from "initfill/initfill.h" nogil:
    int INITFILL_ABI_VERSION, INITFILL_ERR_CAPI
    ctypedef struct initfill_capi:
        uint32_t abi_version
        uint32_t size
        uint32_t algorithm_version
        void *uniform_f32
        void *uniform_f64
        void *normal_f32
        void *normal_f64
        void *trunc_normal_f32
        void *trunc_normal_f64
        void *bits_u32
        void *bits_u64
        void *fill_nd
        void *status_string
        void *uniform_f16
        void *uniform_bf16
        void *normal_f16
        void *normal_bf16
        void *trunc_normal_f16
        void *trunc_normal_bf16
    const initfill_capi *initfill_get_capi()

cdef extern from "Python.h":
    object PyCapsule_New(void *pointer, const char *name, void *destructor)

cdef extern from "half.h" nogil:
    uint16_t if_f32_to_f16(float x)
    uint16_t if_f32_to_bf16(float x)
    uint16_t if_f32_to_f16_down(float x)
    uint16_t if_f32_to_bf16_down(float x)

cdef extern from "philox.h" nogil:
    void if_philox4x32_10(const uint32_t *ctr, const uint32_t *key, uint32_t *out)

ALGORITHM_VERSION = INITFILL_ALGORITHM_VERSION
ABI_VERSION = INITFILL_ABI_VERSION
MAX_THREADS = INITFILL_MAX_THREADS

# The table of C entry points for other extension modules (initfill_capi.h imports
# it as initfill._C_API); it points to static storage, so the capsule needs no
# destructor.
_C_API = PyCapsule_New(<void *>initfill_get_capi(), b"initfill._C_API", NULL)


def capi_addresses():
    """Return the addresses of the entry points of the C API table.

    Returns
    -------
    dict of str to int
        ``uniform_f32`` ... ``bits_u64``, ``fill_nd``, ``status_string`` and the
        half-precision fills ``uniform_f16`` ... ``trunc_normal_bf16``: the
        functions ``initfill_<name>`` of ``initfill/initfill.h`` (used by
        :mod:`initfill.ctypes_api`).
    """
    cdef const initfill_capi *t = initfill_get_capi()
    return {
        "uniform_f32": <size_t>t.uniform_f32,
        "uniform_f64": <size_t>t.uniform_f64,
        "normal_f32": <size_t>t.normal_f32,
        "normal_f64": <size_t>t.normal_f64,
        "trunc_normal_f32": <size_t>t.trunc_normal_f32,
        "trunc_normal_f64": <size_t>t.trunc_normal_f64,
        "bits_u32": <size_t>t.bits_u32,
        "bits_u64": <size_t>t.bits_u64,
        "fill_nd": <size_t>t.fill_nd,
        "status_string": <size_t>t.status_string,
        "uniform_f16": <size_t>t.uniform_f16,
        "uniform_bf16": <size_t>t.uniform_bf16,
        "normal_f16": <size_t>t.normal_f16,
        "normal_bf16": <size_t>t.normal_bf16,
        "trunc_normal_f16": <size_t>t.trunc_normal_f16,
        "trunc_normal_bf16": <size_t>t.trunc_normal_bf16,
    }


def capi_header():
    """Return the header of the C API table exported as ``initfill._C_API``.

    Returns
    -------
    tuple of int
        ``(abi_version, size, algorithm_version)``; ``size`` is the table's size in
        bytes.
    """
    cdef const initfill_capi *t = initfill_get_capi()
    return (t.abi_version, t.size, t.algorithm_version)

# Below this many elements the GIL is kept: releasing it costs more than the fill.
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


cdef extern from "pool.h" nogil:
    int if_pool_size()


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

# ---- DLPack: only the struct layouts (dlpack.h, v0.x and v1.x); nothing is owned here.
cdef extern from "Python.h":
    bint PyCapsule_IsValid(object capsule, const char *name)
    void *PyCapsule_GetPointer(object capsule, const char *name) except? NULL

ctypedef struct if_DLDevice:
    int device_type
    int32_t device_id

ctypedef struct if_DLDataType:
    uint8_t code
    uint8_t bits
    uint16_t lanes

ctypedef struct if_DLTensor:
    void *data
    if_DLDevice device
    int32_t ndim
    if_DLDataType dtype
    int64_t *shape
    int64_t *strides
    uint64_t byte_offset

ctypedef struct if_DLManagedTensor:
    if_DLTensor dl_tensor
    void *manager_ctx
    void *deleter

ctypedef struct if_DLPackVersion:
    uint32_t major
    uint32_t minor

ctypedef struct if_DLManagedTensorVersioned:
    if_DLPackVersion version
    void *manager_ctx
    void *deleter
    uint64_t flags
    if_DLTensor dl_tensor


def dlpack_info(capsule):
    """Read a DLPack capsule without consuming it.

    Returns ``(address, shape, strides_in_elements_or_None, type_code, bits, lanes,
    readonly)``; `readonly` is None for a pre-1.0 capsule, which cannot say.  The
    capsule keeps ownership: keep it alive while the memory is used, and its
    destructor releases the tensor.
    """
    cdef if_DLTensor *t
    cdef if_DLManagedTensorVersioned *mv
    cdef if_DLManagedTensor *m
    readonly = None
    if PyCapsule_IsValid(capsule, b"dltensor_versioned"):
        mv = <if_DLManagedTensorVersioned *>PyCapsule_GetPointer(capsule, b"dltensor_versioned")
        if mv.version.major != 1:
            raise TypeError(f"unsupported DLPack version {mv.version.major}.{mv.version.minor}")
        t = &mv.dl_tensor
        readonly = bool(mv.flags & 1)
    elif PyCapsule_IsValid(capsule, b"dltensor"):
        m = <if_DLManagedTensor *>PyCapsule_GetPointer(capsule, b"dltensor")
        t = &m.dl_tensor
    else:
        raise TypeError("__dlpack__ did not return an unused DLPack capsule")
    if t.ndim < 0 or t.ndim > INITFILL_MAX_NDIM:
        raise ValueError(f"x has {t.ndim} dimensions; initfill handles up to {INITFILL_MAX_NDIM}")
    shape = tuple(t.shape[i] for i in range(t.ndim))
    strides = None if t.strides == NULL else tuple(t.strides[i] for i in range(t.ndim))
    addr = <uintptr_t>t.data + <uintptr_t>t.byte_offset
    return (addr, shape, strides, t.dtype.code, t.dtype.bits, t.dtype.lanes, readonly)


def round_half(const float[::1] src, uint16_t[::1] dst, int dtype, bint down=False):
    """Round float32 values to float16 (dtype 4) or bfloat16 (5) bits with the
    kernels' conversion: to nearest even, or down (uniform fills); for tests."""
    cdef Py_ssize_t i, n = src.shape[0]
    if dst.shape[0] != n:
        raise ValueError("src and dst differ in length")
    if dtype != 4 and dtype != 5:
        raise ValueError("dtype must be 4 (float16) or 5 (bfloat16)")
    for i in range(n):
        if dtype == 4:
            dst[i] = if_f32_to_f16_down(src[i]) if down else if_f32_to_f16(src[i])
        else:
            dst[i] = if_f32_to_bf16_down(src[i]) if down else if_f32_to_bf16(src[i])


def philox4x32_10(ctr, key):
    """Raw Philox4x32-10: four 32-bit counter words and two key words -> 4 words."""
    cdef uint32_t c[4]
    cdef uint32_t k[2]
    cdef uint32_t out[4]
    if len(ctr) != 4 or len(key) != 2:
        raise ValueError("ctr needs 4 words and key 2")
    for i in range(4):
        c[i] = ctr[i]
    for i in range(2):
        k[i] = key[i]
    if_philox4x32_10(c, k, out)
    return (out[0], out[1], out[2], out[3])


# --- SIMD levels (see initfill/_simd.py for the public functions) -------------------

cdef extern from "initfill/initfill.h" nogil:
    int INITFILL_SIMD_LEVELS
    int initfill_simd_level()
    int initfill_simd_available(int level)
    int initfill_set_simd_level(int level)
    const char *initfill_simd_name(int level)

SIMD_NAMES = tuple(initfill_simd_name(i).decode() for i in range(INITFILL_SIMD_LEVELS))


def simd_level_index():
    """Index into SIMD_NAMES of the active level."""
    return initfill_simd_level()


def simd_available(int level):
    """Whether level `level` (an index into SIMD_NAMES) is built and runs on this CPU."""
    return bool(initfill_simd_available(level))


def set_simd_level_index(int level):
    """Make `level` active; ValueError if it is not available."""
    if initfill_set_simd_level(level) != INITFILL_OK:
        raise ValueError(f"SIMD level {level} is not available")

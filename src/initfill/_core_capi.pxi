# The C API table: the capsule initfill._C_API and its entry points.

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

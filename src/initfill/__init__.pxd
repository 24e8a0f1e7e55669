# initfill/__init__.pxd - `cimport initfill`: nogil access to initfill's C kernels.
#
# The functions are the wrappers of initfill/initfill_capi.h: they call through the
# table that the Python package exports as the capsule `initfill._C_API`, so the
# extension does not link to initfill.  Two things to do in the user's module:
#
#   * build it with  include_dirs=[initfill.get_include()];
#   * call  initfill.import_capi()  once at module level (like numpy's import_array):
#     it raises ImportError if initfill is missing or its C API does not match the
#     headers the module was compiled with.  Before that call every fill returns
#     initfill.ERR_CAPI and writes nothing.
#
#     cimport initfill
#     initfill.import_capi()
#
#     def fill(float[::1] out, unsigned long long seed, unsigned long long stream):
#         cdef int st
#         with nogil:
#             st = initfill.normal_f32(&out[0], out.shape[0], 0, seed, stream,
#                                      0.0, 1.0, 1)
#         if st != initfill.OK:
#             raise ValueError(initfill.status_string(st).decode())
#
# Each fill writes the values of global elements first .. first+n-1 of stream
# `stream` under `seed` to out[0 .. n-1]: the values the Python API writes for the
# same seed, stream and index range (see initfill/initfill.h for the parameters).
#
# Cython cannot read the list INITFILL_CAPI_ENTRIES of initfill.h that generates the
# C side, nor INITFILL_STATUS_CODES; tests/test_embedding.py checks that the
# declarations below match both.

from libc.stdint cimport int64_t, uint16_t, uint32_t, uint64_t

cdef extern from "initfill/initfill_capi.h" nogil:
    enum:
        ALGORITHM_VERSION "INITFILL_ALGORITHM_VERSION"
        ABI_VERSION "INITFILL_ABI_VERSION"
        MAX_THREADS "INITFILL_MAX_THREADS"
        MAX_NDIM "INITFILL_MAX_NDIM"

    # Status codes.
    enum:
        OK "INITFILL_OK"
        ERR_NULL "INITFILL_ERR_NULL"
        ERR_DTYPE "INITFILL_ERR_DTYPE"
        ERR_DIST "INITFILL_ERR_DIST"
        ERR_PARAM "INITFILL_ERR_PARAM"
        ERR_SHAPE "INITFILL_ERR_SHAPE"
        ERR_ALIGN "INITFILL_ERR_ALIGN"
        ERR_THREADS "INITFILL_ERR_THREADS"
        ERR_SYSTEM "INITFILL_ERR_SYSTEM"
        ERR_CAPI "INITFILL_ERR_CAPI"

    # Element types and distributions, for fill_nd.
    enum:
        FLOAT32 "INITFILL_FLOAT32"
        FLOAT64 "INITFILL_FLOAT64"
        UINT32 "INITFILL_UINT32"
        UINT64 "INITFILL_UINT64"
        FLOAT16 "INITFILL_FLOAT16"
        BFLOAT16 "INITFILL_BFLOAT16"
        UNIFORM "INITFILL_UNIFORM"
        NORMAL "INITFILL_NORMAL"
        TRUNC_NORMAL "INITFILL_TRUNC_NORMAL"
        BITS "INITFILL_BITS"

    int uniform_f32 "initfill_capi_uniform_f32"(
        float *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream,
        double low, double high, int nthreads)
    int uniform_f64 "initfill_capi_uniform_f64"(
        double *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream,
        double low, double high, int nthreads)
    int normal_f32 "initfill_capi_normal_f32"(
        float *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream,
        double mean, double std, int nthreads)
    int normal_f64 "initfill_capi_normal_f64"(
        double *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream,
        double mean, double std, int nthreads)
    int trunc_normal_f32 "initfill_capi_trunc_normal_f32"(
        float *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream,
        double mean, double std, double a, double b, int nthreads)
    int trunc_normal_f64 "initfill_capi_trunc_normal_f64"(
        double *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream,
        double mean, double std, double a, double b, int nthreads)
    int bits_u32 "initfill_capi_bits_u32"(
        uint32_t *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream,
        int nthreads)
    int bits_u64 "initfill_capi_bits_u64"(
        uint64_t *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream,
        int nthreads)
    # Half precision: `out` receives raw binary16 (_f16) or bfloat16 (_bf16) bits,
    # the float32 values rounded to nearest even (uniform: rounded down) and clamped
    # in the half type (see initfill/initfill.h).  A float16 NumPy array is passed
    # as its uint16 view (arr.view(numpy.uint16)).
    int uniform_f16 "initfill_capi_uniform_f16"(
        uint16_t *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream,
        double low, double high, int nthreads)
    int uniform_bf16 "initfill_capi_uniform_bf16"(
        uint16_t *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream,
        double low, double high, int nthreads)
    int normal_f16 "initfill_capi_normal_f16"(
        uint16_t *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream,
        double mean, double std, int nthreads)
    int normal_bf16 "initfill_capi_normal_bf16"(
        uint16_t *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream,
        double mean, double std, int nthreads)
    int trunc_normal_f16 "initfill_capi_trunc_normal_f16"(
        uint16_t *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream,
        double mean, double std, double a, double b, int nthreads)
    int trunc_normal_bf16 "initfill_capi_trunc_normal_bf16"(
        uint16_t *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream,
        double mean, double std, double a, double b, int nthreads)
    int fill_nd "initfill_capi_fill_nd"(
        int dist, int dtype, const double *params, int nparams, uint64_t seed,
        uint64_t stream, void *data, int ndim, const int64_t *shape,
        const int64_t *strides, const int64_t *gstrides, uint64_t gbase,
        int nthreads)
    const char *status_string "initfill_capi_status_string"(int status)
    # ALGORITHM_VERSION of the installed initfill (-1 before import_capi()).
    int installed_algorithm_version "initfill_capi_algorithm_version"()

cdef extern from "initfill/initfill_capi.h":
    # Needs the GIL; raises ImportError on a missing or mismatched initfill.
    int import_capi "initfill_import_capi"() except -1

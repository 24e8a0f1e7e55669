# C declarations of initfill.h and the internal headers _core uses (one place).

cdef extern from "initfill/initfill.h" nogil:
    int INITFILL_ALGORITHM_VERSION
    int INITFILL_OK, INITFILL_ERR_NULL, INITFILL_ERR_DTYPE, INITFILL_ERR_DIST
    int INITFILL_ERR_PARAM, INITFILL_ERR_SHAPE, INITFILL_ERR_ALIGN
    int INITFILL_ERR_THREADS, INITFILL_ERR_SYSTEM
    int INITFILL_MAX_THREADS, INITFILL_MAX_NDIM
    int INITFILL_FLOAT32, INITFILL_FLOAT64, INITFILL_UINT32, INITFILL_UINT64
    int INITFILL_FLOAT16, INITFILL_BFLOAT16
    int INITFILL_UNIFORM, INITFILL_NORMAL, INITFILL_TRUNC_NORMAL, INITFILL_BITS
    ctypedef struct initfill_plan:
        int dtype, err_param, err_rule
    int initfill_plan_init(initfill_plan *plan, int dist, int dtype,
                           const double *params, int nparams)
    int initfill_fill_strided(const initfill_plan *plan, uint64_t seed,
                              uint64_t stream, void *data, int ndim,
                              const int64_t *shape, const int64_t *strides,
                              const int64_t *gstrides, uint64_t gbase, int nthreads)
    int initfill_fill_contiguous(const initfill_plan *plan, uint64_t seed,
                                 uint64_t stream, uint64_t first, uint64_t n, void *out,
                                 int nthreads)
    int initfill_dtype_size(int dtype)
    const char *initfill_status_string(int status)
    const char *initfill_rule_string(int rule)

cdef extern from "initfill/initfill.h" nogil:
    int INITFILL_SIMD_LEVELS
    int initfill_simd_level()
    int initfill_simd_available(int level)
    int initfill_set_simd_level(int level)
    const char *initfill_simd_name(int level)

cdef extern from "half.h" nogil:
    uint16_t if_f32_to_f16(float x)
    uint16_t if_f32_to_bf16(float x)
    uint16_t if_f32_to_f16_down(float x)
    uint16_t if_f32_to_bf16_down(float x)

cdef extern from "philox.h" nogil:
    void if_philox4x32_10(const uint32_t *ctr, const uint32_t *key, uint32_t *out)

cdef extern from "zero.h" nogil:
    void if_zero_bytes(void *data, size_t nbytes, int nthreads)

cdef extern from "pool.h" nogil:
    int if_pool_size()

cdef extern from "driver.h" nogil:
    int if_check_strided(const initfill_plan *plan, const void *data, int ndim,
                         const int64_t *shape, const int64_t *strides,
                         const int64_t *gstrides, uint64_t gbase, int nthreads,
                         uint64_t *total)

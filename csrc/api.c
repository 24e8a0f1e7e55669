/* api.c - the simple interface and the table of entry points (initfill.h).
 *
 * Thin wrappers over initfill_plan_init + initfill_fill_contiguous/strided: no
 * arithmetic of their own, so they give exactly the values of every other path. */
#include <stddef.h>

#include "initfill/initfill.h"

static int fill_1d(int dist, int dtype, const double *params, int nparams, void *out,
                   uint64_t n, uint64_t first, uint64_t seed, uint64_t stream,
                   int nthreads) {
    initfill_plan plan;
    const int st = initfill_plan_init(&plan, dist, dtype, params, nparams);
    if (st != INITFILL_OK) return st;
    return initfill_fill_contiguous(&plan, seed, stream, first, n, out, nthreads);
}

int initfill_uniform_f32(float *out, uint64_t n, uint64_t first, uint64_t seed,
                         uint64_t stream, double low, double high, int nthreads) {
    const double p[2] = {low, high};
    return fill_1d(INITFILL_UNIFORM, INITFILL_FLOAT32, p, 2, out, n, first, seed, stream,
                   nthreads);
}

int initfill_uniform_f64(double *out, uint64_t n, uint64_t first, uint64_t seed,
                         uint64_t stream, double low, double high, int nthreads) {
    const double p[2] = {low, high};
    return fill_1d(INITFILL_UNIFORM, INITFILL_FLOAT64, p, 2, out, n, first, seed, stream,
                   nthreads);
}

int initfill_normal_f32(float *out, uint64_t n, uint64_t first, uint64_t seed,
                        uint64_t stream, double mean, double std, int nthreads) {
    const double p[2] = {mean, std};
    return fill_1d(INITFILL_NORMAL, INITFILL_FLOAT32, p, 2, out, n, first, seed, stream,
                   nthreads);
}

int initfill_normal_f64(double *out, uint64_t n, uint64_t first, uint64_t seed,
                        uint64_t stream, double mean, double std, int nthreads) {
    const double p[2] = {mean, std};
    return fill_1d(INITFILL_NORMAL, INITFILL_FLOAT64, p, 2, out, n, first, seed, stream,
                   nthreads);
}

int initfill_trunc_normal_f32(float *out, uint64_t n, uint64_t first, uint64_t seed,
                              uint64_t stream, double mean, double std, double a,
                              double b, int nthreads) {
    const double p[4] = {mean, std, a, b};
    return fill_1d(INITFILL_TRUNC_NORMAL, INITFILL_FLOAT32, p, 4, out, n, first, seed,
                   stream, nthreads);
}

int initfill_trunc_normal_f64(double *out, uint64_t n, uint64_t first, uint64_t seed,
                              uint64_t stream, double mean, double std, double a,
                              double b, int nthreads) {
    const double p[4] = {mean, std, a, b};
    return fill_1d(INITFILL_TRUNC_NORMAL, INITFILL_FLOAT64, p, 4, out, n, first, seed,
                   stream, nthreads);
}

int initfill_bits_u32(uint32_t *out, uint64_t n, uint64_t first, uint64_t seed,
                      uint64_t stream, int nthreads) {
    return fill_1d(INITFILL_BITS, INITFILL_UINT32, NULL, 0, out, n, first, seed, stream,
                   nthreads);
}

int initfill_bits_u64(uint64_t *out, uint64_t n, uint64_t first, uint64_t seed,
                      uint64_t stream, int nthreads) {
    return fill_1d(INITFILL_BITS, INITFILL_UINT64, NULL, 0, out, n, first, seed, stream,
                   nthreads);
}

int initfill_uniform_f16(uint16_t *out, uint64_t n, uint64_t first, uint64_t seed,
                         uint64_t stream, double low, double high, int nthreads) {
    const double p[2] = {low, high};
    return fill_1d(INITFILL_UNIFORM, INITFILL_FLOAT16, p, 2, out, n, first, seed, stream,
                   nthreads);
}

int initfill_uniform_bf16(uint16_t *out, uint64_t n, uint64_t first, uint64_t seed,
                          uint64_t stream, double low, double high, int nthreads) {
    const double p[2] = {low, high};
    return fill_1d(INITFILL_UNIFORM, INITFILL_BFLOAT16, p, 2, out, n, first, seed,
                   stream, nthreads);
}

int initfill_normal_f16(uint16_t *out, uint64_t n, uint64_t first, uint64_t seed,
                        uint64_t stream, double mean, double std, int nthreads) {
    const double p[2] = {mean, std};
    return fill_1d(INITFILL_NORMAL, INITFILL_FLOAT16, p, 2, out, n, first, seed, stream,
                   nthreads);
}

int initfill_normal_bf16(uint16_t *out, uint64_t n, uint64_t first, uint64_t seed,
                         uint64_t stream, double mean, double std, int nthreads) {
    const double p[2] = {mean, std};
    return fill_1d(INITFILL_NORMAL, INITFILL_BFLOAT16, p, 2, out, n, first, seed, stream,
                   nthreads);
}

int initfill_trunc_normal_f16(uint16_t *out, uint64_t n, uint64_t first, uint64_t seed,
                              uint64_t stream, double mean, double std, double a,
                              double b, int nthreads) {
    const double p[4] = {mean, std, a, b};
    return fill_1d(INITFILL_TRUNC_NORMAL, INITFILL_FLOAT16, p, 4, out, n, first, seed,
                   stream, nthreads);
}

int initfill_trunc_normal_bf16(uint16_t *out, uint64_t n, uint64_t first, uint64_t seed,
                               uint64_t stream, double mean, double std, double a,
                               double b, int nthreads) {
    const double p[4] = {mean, std, a, b};
    return fill_1d(INITFILL_TRUNC_NORMAL, INITFILL_BFLOAT16, p, 4, out, n, first, seed,
                   stream, nthreads);
}

int initfill_fill_nd(int dist, int dtype, const double *params, int nparams,
                     uint64_t seed, uint64_t stream, void *data, int ndim,
                     const int64_t *shape, const int64_t *strides,
                     const int64_t *gstrides, uint64_t gbase, int nthreads) {
    initfill_plan plan;
    const int st = initfill_plan_init(&plan, dist, dtype, params, nparams);
    if (st != INITFILL_OK) return st;
    return initfill_fill_strided(&plan, seed, stream, data, ndim, shape, strides,
                                 gstrides, gbase, nthreads);
}

int initfill_algorithm_version(void) { return INITFILL_ALGORITHM_VERSION; }

int initfill_abi_version(void) { return INITFILL_ABI_VERSION; }

const char *initfill_status_string(int status) {
    switch (status) {
    case INITFILL_OK: return "success";
    case INITFILL_ERR_NULL: return "a required pointer is NULL";
    case INITFILL_ERR_DTYPE: return "the dtype is not supported by this distribution";
    case INITFILL_ERR_DIST: return "unknown distribution";
    case INITFILL_ERR_PARAM:
        return "the parameters are not finite, are inconsistent, or do not fit the "
               "output dtype";
    case INITFILL_ERR_SHAPE: return "the shape, offset or global shape is out of range";
    case INITFILL_ERR_ALIGN: return "the buffer is not aligned to its dtype";
    case INITFILL_ERR_THREADS: return "the thread count is out of range";
    case INITFILL_ERR_SYSTEM: return "a thread could not be started";
    case INITFILL_ERR_CAPI:
        return "the initfill C API table is not imported (call initfill_import_capi)";
    default: return "unknown status";
    }
}

static const initfill_capi capi_table = {
    .abi_version = INITFILL_ABI_VERSION,
    .size = (uint32_t)sizeof(initfill_capi),
    .algorithm_version = INITFILL_ALGORITHM_VERSION,
    .reserved = 0,
    .uniform_f32 = initfill_uniform_f32,
    .uniform_f64 = initfill_uniform_f64,
    .normal_f32 = initfill_normal_f32,
    .normal_f64 = initfill_normal_f64,
    .trunc_normal_f32 = initfill_trunc_normal_f32,
    .trunc_normal_f64 = initfill_trunc_normal_f64,
    .bits_u32 = initfill_bits_u32,
    .bits_u64 = initfill_bits_u64,
    .fill_nd = initfill_fill_nd,
    .status_string = initfill_status_string,
    .uniform_f16 = initfill_uniform_f16,
    .uniform_bf16 = initfill_uniform_bf16,
    .normal_f16 = initfill_normal_f16,
    .normal_bf16 = initfill_normal_bf16,
    .trunc_normal_f16 = initfill_trunc_normal_f16,
    .trunc_normal_bf16 = initfill_trunc_normal_bf16,
};

const initfill_capi *initfill_get_capi(void) { return &capi_table; }

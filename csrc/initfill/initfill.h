/* initfill/initfill.h - the public C interface of initfill.
 *
 * initfill fills preallocated buffers in place with uniform, normal, truncated-normal
 * or raw random values.  Every value is a pure function of
 *     (seed, stream, global element index)
 * so the result does not depend on the number of threads, on how the work is split,
 * on the memory layout of the output, or on whether a tensor is filled whole or one
 * block (shard) at a time.  INITFILL_ALGORITHM_VERSION names the mapping from that
 * triple to values; a change to any output value changes it.
 *
 * Usage:
 *     initfill_plan plan;
 *     double params[2] = {0.0, 1.0};                    // mean, std
 *     int st = initfill_plan_init(&plan, INITFILL_NORMAL, INITFILL_FLOAT32, params, 2);
 *     if (st == INITFILL_OK)
 *         st = initfill_fill_contiguous(&plan, seed, stream, 0, n, out, nthreads);
 *
 * Plain C11; no Python.  Usable from C++.
 */
#ifndef INITFILL_INITFILL_H
#define INITFILL_INITFILL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the (seed, stream, index) -> value mapping. */
#define INITFILL_ALGORITHM_VERSION 1

/* Status codes returned by every entry point. */
enum {
    INITFILL_OK = 0,
    INITFILL_ERR_NULL = 1,    /* a required pointer is NULL */
    INITFILL_ERR_DTYPE = 2,   /* unknown dtype, or not valid for the distribution */
    INITFILL_ERR_DIST = 3,    /* unknown distribution */
    INITFILL_ERR_PARAM = 4,   /* parameters non-finite, inconsistent or out of range */
    INITFILL_ERR_SHAPE = 5,   /* bad ndim, negative extents, or index overflow */
    INITFILL_ERR_ALIGN = 6,   /* output pointer or stride not aligned to the dtype */
    INITFILL_ERR_THREADS = 7, /* thread count out of [1, INITFILL_MAX_THREADS] */
    INITFILL_ERR_SYSTEM = 8   /* a thread could not be started */
};

/* Output element types. */
enum {
    INITFILL_FLOAT32 = 0,
    INITFILL_FLOAT64 = 1,
    INITFILL_UINT32 = 2,
    INITFILL_UINT64 = 3,
    INITFILL_FLOAT16 = 4,  /* IEEE binary16, stored as uint16_t bits */
    INITFILL_BFLOAT16 = 5  /* bfloat16 (top half of a float32), uint16_t bits */
};

/* float16 and bfloat16 outputs are a conversion of the float32 stream: the half value
 * of (seed, stream, index) is the float32 value of the same triple rounded to nearest
 * even (bfloat16: float32 denormals flush to a signed zero, as AVX512_BF16 does).
 * Clamp limits (uniform's [low, high), trunc_normal's [a, b]) are taken in the half
 * type: the value is clamped to the representable values inside the bounds, so it
 * never leaves them after rounding.  Parameters that could overflow the half type
 * (|low|, |high|, |mean| beyond its largest value, std above 1/32 of it) are refused
 * with INITFILL_ERR_PARAM, and so are bounds with no half value between them. */

/* Distributions and their parameters (params[] of initfill_plan_init):
 *   INITFILL_UNIFORM       low, high        values in [low, high); low == high fills low
 *   INITFILL_NORMAL        mean, std        std >= 0
 *   INITFILL_TRUNC_NORMAL  mean, std, a, b  std > 0, a < b, absolute bounds; a may be
 *                                           -inf and b +inf; values never leave [a, b]
 *                                           after rounding to the output type
 *   (uniform, normal and trunc_normal take every float type: FLOAT32, FLOAT64,
 *    FLOAT16, BFLOAT16)
 *   INITFILL_BITS          (none)           raw generator words, uint32 or uint64
 */
enum {
    INITFILL_UNIFORM = 0,
    INITFILL_NORMAL = 1,
    INITFILL_TRUNC_NORMAL = 2,
    INITFILL_BITS = 3
};

#define INITFILL_MAX_THREADS 1024
#define INITFILL_MAX_NDIM 64

/* Everything a fill needs about its distribution, prepared once by
 * initfill_plan_init.  Treat the fields as private. */
typedef struct initfill_plan {
    int dist, dtype, mode;
    double sign;
    double mean, std;
    float mean_f, std_f;
    double lo, span;
    double pa, z, qb;
    double t, lnht, one_minus_r;
    double clo, chi;
    float clo_f, chi_f;
} initfill_plan;

/* Validates the parameters and prepares `plan`.  Returns INITFILL_OK or an error. */
int initfill_plan_init(initfill_plan *plan, int dist, int dtype,
                       const double *params, int nparams);

/* Fills out[0 .. n-1] with the values of global elements first .. first+n-1. */
int initfill_fill_contiguous(const initfill_plan *plan, uint64_t seed, uint64_t stream,
                             uint64_t first, uint64_t n, void *out, int nthreads);

/* Fills an n-d strided view.  Element (i_0, ..., i_{d-1}) of the view lives at
 * data + sum(i_k * strides[k]) (strides in bytes, any sign) and takes the value of
 * global element  gbase + sum(i_k * gstrides[k])  (gstrides in elements: the
 * C-order strides of the logical tensor, so gstrides[ndim-1] == 1). */
int initfill_fill_strided(const initfill_plan *plan, uint64_t seed, uint64_t stream,
                          void *data, int ndim, const int64_t *shape,
                          const int64_t *strides, const int64_t *gstrides,
                          uint64_t gbase, int nthreads);

/* Size in bytes of one element of `dtype`, or 0 for an unknown dtype. */
int initfill_dtype_size(int dtype);

#ifdef __cplusplus
}
#endif

#endif /* INITFILL_INITFILL_H */

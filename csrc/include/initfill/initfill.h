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
 * Simplest use (one function per distribution and type; see "The simple interface"):
 *     int st = initfill_normal_f32(out, n, first, seed, stream, 0.0, 0.02, nthreads);
 *
 * With a reusable plan:
 *     initfill_plan plan;
 *     double params[2] = {0.0, 1.0};                    // mean, std
 *     int st = initfill_plan_init(&plan, INITFILL_NORMAL, INITFILL_FLOAT32, params, 2);
 *     if (st == INITFILL_OK)
 *         st = initfill_fill_contiguous(&plan, seed, stream, 0, n, out, nthreads);
 *
 * Plain C11; no Python.  Usable from C++.  Python extension modules can call the
 * same functions without linking to initfill: see initfill_capi.h.
 */
#ifndef INITFILL_INITFILL_H
#define INITFILL_INITFILL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the (seed, stream, index) -> value mapping. */
#define INITFILL_ALGORITHM_VERSION 2

/* Status codes returned by every entry point, with their English descriptions
 * (initfill_status_string):  X(name, code, description). */
#define INITFILL_STATUS_CODES(X)                                                     \
    X(OK, 0, "success")                                                              \
    X(ERR_NULL, 1, "a required pointer is NULL")                                     \
    X(ERR_DTYPE, 2, "the dtype is not supported by this distribution")               \
    X(ERR_DIST, 3, "unknown distribution")                                           \
    X(ERR_PARAM, 4, "the parameters are not finite, are inconsistent, or do not "    \
                    "fit the output dtype")                                          \
    X(ERR_SHAPE, 5, "the shape, offset or global shape is out of range")             \
    X(ERR_ALIGN, 6, "the buffer is not aligned to its dtype")                        \
    X(ERR_THREADS, 7, "the thread count is out of range")                            \
    X(ERR_SYSTEM, 8, "a thread could not be started")                                \
    /* Returned by the initfill_capi_* wrappers of initfill_capi.h before          \
     * initfill_import_capi() succeeded; kept apart from the library's own codes. */ \
    X(ERR_CAPI, 32, "the initfill C API table is not imported (call "                \
                    "initfill_import_capi)")

/* INITFILL_OK, INITFILL_ERR_NULL, ... */
#define INITFILL_STATUS_ENUM_(name, code, text) INITFILL_##name = code,
enum { INITFILL_STATUS_CODES(INITFILL_STATUS_ENUM_) };
#undef INITFILL_STATUS_ENUM_

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
    /* Appended: which parameter broke which rule when initfill_plan_init returned
     * INITFILL_ERR_PARAM (see "Parameter rules" below); -1 and INITFILL_RULE_NONE
     * otherwise. */
    int err_param, err_rule;
} initfill_plan;

/* ------------------------------------------------------------------------------
 * Parameter rules.  When initfill_plan_init refuses the parameters
 * (INITFILL_ERR_PARAM) it records in the plan the index into params[] of the
 * parameter that broke a rule (err_param) and the rule (err_rule); every other
 * status leaves err_param = -1 and err_rule = INITFILL_RULE_NONE.  Rules marked
 * "pair" compare params[err_param] with params[err_param + 1], which their text
 * calls "the next parameter".  The checks run in this order, so the first rule a
 * call breaks is the one reported:
 *   uniform (low, high):       FINITE, ORDERED, WITHIN_DTYPE, SPAN_FINITE,
 *                              VALUE_BETWEEN
 *   normal (mean, std):        FINITE, NONNEGATIVE (std), MEAN_WITHIN_HALF_DTYPE,
 *                              STD_WITHIN_32TH_DTYPE
 *   trunc_normal (mean, std, a, b): FINITE (mean, std), POSITIVE (std), NOT_NAN (a, b),
 *                              STRICTLY_ORDERED, WITHIN_DTYPE (mean), VALUE_BETWEEN,
 *                              MASS_BETWEEN, SPAN_FINITE
 *   any distribution:          COUNT (err_param -1) for a wrong nparams */
enum {
    INITFILL_RULE_NONE = 0,
    INITFILL_RULE_FINITE = 1,                /* finite */
    INITFILL_RULE_NONNEGATIVE = 2,           /* >= 0 */
    INITFILL_RULE_POSITIVE = 3,              /* > 0 */
    INITFILL_RULE_NOT_NAN = 4,               /* not NaN (infinite bounds are allowed) */
    INITFILL_RULE_ORDERED = 5,               /* pair: <= the next parameter */
    INITFILL_RULE_STRICTLY_ORDERED = 6,      /* pair: < the next parameter */
    INITFILL_RULE_WITHIN_DTYPE = 7,          /* |value| <= the dtype's largest value */
    INITFILL_RULE_MEAN_WITHIN_HALF_DTYPE = 8,  /* |mean| <= half of it */
    INITFILL_RULE_STD_WITHIN_32TH_DTYPE = 9,   /* std <= 1/32 of it */
    INITFILL_RULE_SPAN_FINITE = 10,          /* pair: the difference stays finite */
    INITFILL_RULE_VALUE_BETWEEN = 11,        /* pair: a dtype value lies in the range */
    INITFILL_RULE_MASS_BETWEEN = 12,         /* pair: the range has probability mass
                                                that double precision can represent */
    INITFILL_RULE_COUNT = 13,                /* wrong number of parameters */
    INITFILL_RULES = 14
};

/* A static English text of a rule that reads after the parameter's name (e.g.
 * "must be finite"); pair rules say "the next parameter" for params[err_param + 1].
 * Never NULL ("unknown rule" for an unknown code). */
const char *initfill_rule_string(int rule);

/* Validates the parameters and prepares `plan`.  Returns INITFILL_OK or an error;
 * on INITFILL_ERR_PARAM, plan->err_param and plan->err_rule say why. */
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

/* ------------------------------------------------------------------------------
 * SIMD levels.  Every level writes the same bytes; only the speed differs.  The
 * first fill or query picks the best level this build and CPU support, or the one
 * the environment variable INITFILL_SIMD names (scalar, avx2, avx512, neon) when it
 * is usable (an unusable name is ignored here; the Python package rejects it).  The
 * level is process-wide; changing it while other threads fill is safe. */
enum {
    INITFILL_SIMD_SCALAR = 0, /* portable C */
    INITFILL_SIMD_AVX2 = 1,   /* x86-64-v3: AVX2, FMA, F16C */
    INITFILL_SIMD_AVX512 = 2, /* x86-64-v4: AVX-512 F/BW/DQ/VL, AVX512_BF16 if present */
    INITFILL_SIMD_NEON = 3,   /* aarch64 */
    INITFILL_SIMD_LEVELS = 4
};

/* The active level. */
int initfill_simd_level(void);
/* 1 if `level` is compiled in and the CPU runs it, else 0. */
int initfill_simd_available(int level);
/* Makes `level` active: INITFILL_OK, or INITFILL_ERR_PARAM if it is not available. */
int initfill_set_simd_level(int level);
/* "scalar", "avx2", "avx512", "neon", or NULL for an unknown level. */
const char *initfill_simd_name(int level);

/* ------------------------------------------------------------------------------
 * The simple interface: one call per distribution and output type.
 *
 * Each function fills out[0 .. n-1] with the values of global elements
 * first .. first+n-1 of stream `stream` under `seed`, exactly the values the Python
 * API writes (initfill.Generator(seed).normal_(x, stream=stream) on a 1-D x of at
 * least first+n elements gives x[first:first+n]).  `nthreads` in
 * [1, INITFILL_MAX_THREADS] threads share the work (small fills run on the calling
 * thread whatever it says); the values never depend on it.  `out` must be aligned to
 * its element type; it may be NULL when n == 0.  Each returns INITFILL_OK or an
 * error status, and writes nothing on error.  Thread-safe and fork-safe; the only
 * global state is the SIMD level (below) and a pool of worker threads, started when
 * a fill first needs them and reused by later fills (a forked child starts its own).
 *
 *   uniform    values in [low, high), low <= high both finite; low == high fills low
 *   normal     N(mean, std^2), std >= 0
 *   trunc_normal  N(mean, std^2) restricted to the absolute bounds [a, b]: std > 0,
 *                 a < b, a may be -INFINITY and b +INFINITY; every value lies in
 *                 [a, b] after rounding to the output type
 *   bits       the raw generator words (see initfill.Generator.bits_)
 * ------------------------------------------------------------------------------ */

/* Version of the layout of initfill_capi and of the signatures of this section.
 * Raised only by an incompatible change; new entry points are appended to
 * initfill_capi (its `size` grows) without raising it. */
#define INITFILL_ABI_VERSION 1

/* The entry points of this section, one line each; the list generates their
 * prototypes (below), the table initfill_capi, the wrappers initfill_capi_* of
 * initfill_capi.h and the Python package's ctypes and capsule views of them.
 *
 *   X(name, return type, kind, output element type, distribution, dtype)
 *
 * declares  <return type> initfill_<name> INITFILL_PARAMS_<kind>(<output type>)
 * and is field <name> of initfill_capi, in this order.  Distribution and dtype are
 * those the simple fills pass to initfill_plan_init (NONE where the kind has none).
 * Spelled out:
 *
 *   int initfill_uniform_f32(float *out, uint64_t n, uint64_t first, uint64_t seed,
 *                            uint64_t stream, double low, double high, int nthreads)
 *   int initfill_normal_f32(float *out, ..., double mean, double std, int nthreads)
 *   int initfill_trunc_normal_f32(float *out, ..., double mean, double std,
 *                                 double a, double b, int nthreads)
 *   int initfill_bits_u32(uint32_t *out, uint64_t n, uint64_t first, uint64_t seed,
 *                         uint64_t stream, int nthreads)
 *   (likewise _f64 with double *out, _u64 with uint64_t *out, and the half types
 *    _f16 and _bf16 with uint16_t *out)
 *   int initfill_fill_nd(int dist, int dtype, const double *params, int nparams,
 *                        uint64_t seed, uint64_t stream, void *data, int ndim,
 *                        const int64_t *shape, const int64_t *strides,
 *                        const int64_t *gstrides, uint64_t gbase, int nthreads)
 *   const char *initfill_status_string(int status)
 */
#define INITFILL_CAPI_ENTRIES(X)                                                     \
    X(uniform_f32, int, FILL2, float, UNIFORM, FLOAT32)                              \
    X(uniform_f64, int, FILL2, double, UNIFORM, FLOAT64)                             \
    X(normal_f32, int, FILL2, float, NORMAL, FLOAT32)                                \
    X(normal_f64, int, FILL2, double, NORMAL, FLOAT64)                               \
    X(trunc_normal_f32, int, FILL4, float, TRUNC_NORMAL, FLOAT32)                    \
    X(trunc_normal_f64, int, FILL4, double, TRUNC_NORMAL, FLOAT64)                   \
    X(bits_u32, int, BITS, uint32_t, BITS, UINT32)                                   \
    X(bits_u64, int, BITS, uint64_t, BITS, UINT64)                                   \
    X(fill_nd, int, FILL_ND, void, NONE, NONE)                                       \
    X(status_string, const char *, STATUS, void, NONE, NONE)                         \
    /* Appended after the first release of the table (size grew; ABI version 1): */  \
    X(uniform_f16, int, FILL2, uint16_t, UNIFORM, FLOAT16)                           \
    X(uniform_bf16, int, FILL2, uint16_t, UNIFORM, BFLOAT16)                         \
    X(normal_f16, int, FILL2, uint16_t, NORMAL, FLOAT16)                             \
    X(normal_bf16, int, FILL2, uint16_t, NORMAL, BFLOAT16)                           \
    X(trunc_normal_f16, int, FILL4, uint16_t, TRUNC_NORMAL, FLOAT16)                 \
    X(trunc_normal_bf16, int, FILL4, uint16_t, TRUNC_NORMAL, BFLOAT16)

/* The parameter lists of the kinds (T: the output element type), and the argument
 * lists that pass them on.  FILL2's two parameters are (low, high) for uniform and
 * (mean, std) for normal; FILL4's are (mean, std, a, b). */
#define INITFILL_PARAMS_FILL2(T)                                                     \
    (T *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream, double p0,  \
     double p1, int nthreads)
#define INITFILL_ARGS_FILL2 (out, n, first, seed, stream, p0, p1, nthreads)
#define INITFILL_PARAMS_FILL4(T)                                                     \
    (T *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream, double p0,  \
     double p1, double p2, double p3, int nthreads)
#define INITFILL_ARGS_FILL4 (out, n, first, seed, stream, p0, p1, p2, p3, nthreads)
#define INITFILL_PARAMS_BITS(T)                                                      \
    (T *out, uint64_t n, uint64_t first, uint64_t seed, uint64_t stream, int nthreads)
#define INITFILL_ARGS_BITS (out, n, first, seed, stream, nthreads)
#define INITFILL_PARAMS_FILL_ND(T)                                                   \
    (int dist, int dtype, const double *params, int nparams, uint64_t seed,          \
     uint64_t stream, void *data, int ndim, const int64_t *shape,                    \
     const int64_t *strides, const int64_t *gstrides, uint64_t gbase, int nthreads)
#define INITFILL_ARGS_FILL_ND                                                        \
    (dist, dtype, params, nparams, seed, stream, data, ndim, shape, strides,         \
     gstrides, gbase, nthreads)
#define INITFILL_PARAMS_STATUS(T) (int status)
#define INITFILL_ARGS_STATUS (status)

#define INITFILL_PROTOTYPE_(name, ret, kind, T, dist, dtype)                         \
    ret initfill_##name INITFILL_PARAMS_##kind(T);
INITFILL_CAPI_ENTRIES(INITFILL_PROTOTYPE_)
#undef INITFILL_PROTOTYPE_

/* Half-precision outputs: `out` receives the raw 16-bit patterns, IEEE binary16
 * (_f16) or bfloat16 (_bf16: the top half of a float32), one uint16_t per value.
 * Each value is the float32 value of the same (seed, stream, index), the one the
 * _f32 function writes, rounded to the nearest half value with ties to even (uniform:
 * rounded down, so that it stays below `high`) and then clamped in the half type to
 * the representable values inside the bounds ([low, high) for uniform, [a, b] for
 * trunc_normal).  bfloat16 first flushes float32 denormals to a zero of the same
 * sign.  Parameters that could overflow the half type, and bounds with no half value
 * between them, give INITFILL_ERR_PARAM.  These are exactly the values of the Python
 * API on float16 arrays and on bfloat16 arrays (or uint16 words with
 * dtype="bfloat16").  `out` must be 2-byte aligned.
 *
 * initfill_fill_nd: any distribution and type into an n-d strided view (or a block
 * of a larger logical tensor), without an initfill_plan: `params` as for
 * initfill_plan_init, the view as for initfill_fill_strided.  Validates the
 * parameters before writing.
 *
 * initfill_status_string: a static English description of a status code (never
 * NULL). */

/* INITFILL_ALGORITHM_VERSION and INITFILL_ABI_VERSION of the compiled library
 * (compare them with the macros to catch a header/library mismatch). */
int initfill_algorithm_version(void);
int initfill_abi_version(void);

/* ------------------------------------------------------------------------------
 * The table of entry points that the Python package exports as the PyCapsule
 * `initfill._C_API` (named "initfill._C_API"), so that an extension module can call
 * the kernels without linking to initfill: see initfill_capi.h.  Fields are only
 * ever appended; `size` is sizeof(initfill_capi) of the library that filled it.
 * ------------------------------------------------------------------------------ */
#define INITFILL_CAPI_FIELD_(name, ret, kind, T, dist, dtype)                       \
    ret(*name) INITFILL_PARAMS_##kind(T);
typedef struct initfill_capi {
    uint32_t abi_version;       /* INITFILL_ABI_VERSION */
    uint32_t size;              /* sizeof(initfill_capi) */
    uint32_t algorithm_version; /* INITFILL_ALGORITHM_VERSION */
    uint32_t reserved;          /* 0 */
    INITFILL_CAPI_ENTRIES(INITFILL_CAPI_FIELD_)
} initfill_capi;
#undef INITFILL_CAPI_FIELD_

/* The library's table (static storage, never NULL). */
const initfill_capi *initfill_get_capi(void);

#ifdef __cplusplus
}
#endif

#endif /* INITFILL_INITFILL_H */

/* plan.c - validation and per-call preparation of distribution parameters.
 *
 * Runs once per fill; nothing here runs per element (that is kernels_scalar.c and
 * simd/fills_template.h).  What enters the values (Phi, log, expm1) is the project's
 * own (special.c, fmath.h), so the prepared constants are the same on every C
 * library; libm's nextafter is exact by definition. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "initfill/initfill.h"
#include "fmath.h"
#include "half.h"
#include "kernels.h"
#include "special.h"

/* Beyond this the inverse-CDF path would need Phi below ~1e-198; the asymptotic
 * tail sampler takes over (see tn_far_tail in kernels_scalar.c). */
#define IF_TAIL_START 30.0
/* The narrowest interval (in sigma) that float32 outputs compute in float32. */
#define IF_TN_F32_MIN_WIDTH 0.125

int initfill_dtype_size(int dtype) {
    switch (dtype) {
    case INITFILL_FLOAT32: case INITFILL_UINT32: return 4;
    case INITFILL_FLOAT64: case INITFILL_UINT64: return 8;
    case INITFILL_FLOAT16: case INITFILL_BFLOAT16: return 2;
    default: return 0;
    }
}

static int is_half(int dtype) {
    return dtype == INITFILL_FLOAT16 || dtype == INITFILL_BFLOAT16;
}

static int is_float(int dtype) {
    return dtype == INITFILL_FLOAT32 || dtype == INITFILL_FLOAT64 || is_half(dtype);
}

static double dtype_max(int dtype) {
    switch (dtype) {
    case INITFILL_FLOAT32: return (double)FLT_MAX;
    case INITFILL_FLOAT16: return 65504.0;
    case INITFILL_BFLOAT16: return 0x1.FEp127;
    default: return DBL_MAX;
    }
}

/* ---- half types: the representable values are those the conversion can produce
 * (for bfloat16: zeros, normals and infinities, never a denormal). */

static uint16_t half_of(int dtype, float f) {
    return dtype == INITFILL_FLOAT16 ? if_f32_to_f16(f) : if_f32_to_bf16(f);
}
static double half_value(int dtype, uint16_t h) {
    return (double)(dtype == INITFILL_FLOAT16 ? if_f16_to_f32(h) : if_bf16_to_f32(h));
}
/* The next representable half value above (dir > 0) or below (dir < 0) h. */
static uint16_t half_step(int dtype, uint16_t h, int dir) {
    do {
        if (dir > 0) {
            if (h == 0x8000u) h = 0x0001u;
            else if (h & 0x8000u) --h;
            else ++h;
        } else {
            if (h == 0x0000u) h = 0x8001u;
            else if (h & 0x8000u) ++h;
            else --h;
        }
    } while (dtype == INITFILL_BFLOAT16 && (h & 0x7F80u) == 0 && (h & 0x007Fu) != 0);
    return h;
}

/* Smallest value of the output type >= x, and largest <= x (|x| <= dtype_max). */
static double ceil_to(int dtype, double x) {
    if (dtype == INITFILL_FLOAT64) return x;
    float f = (float)x;
    if ((double)f < x) f = nextafterf(f, INFINITY);
    if (!is_half(dtype)) return (double)f;
    uint16_t h = half_of(dtype, f);
    while (half_value(dtype, h) < x) h = half_step(dtype, h, 1);
    return half_value(dtype, h);
}
static double floor_to(int dtype, double x) {
    if (dtype == INITFILL_FLOAT64) return x;
    float f = (float)x;
    if ((double)f > x) f = nextafterf(f, -INFINITY);
    if (!is_half(dtype)) return (double)f;
    uint16_t h = half_of(dtype, f);
    while (half_value(dtype, h) > x) h = half_step(dtype, h, -1);
    return half_value(dtype, h);
}
/* Largest value of the output type < x (|x| <= dtype_max, x above -dtype_max). */
static double below(int dtype, double x) {
    if (dtype == INITFILL_FLOAT64) return nextafter(x, -INFINITY);
    if (dtype == INITFILL_FLOAT32) {
        float f = (float)x;
        if ((double)f >= x) f = nextafterf(f, -INFINITY);
        return (double)f;
    }
    const double v = floor_to(dtype, x);
    if (v < x) return v;
    return half_value(dtype, half_step(dtype, half_of(dtype, (float)v), -1));
}

static void set_clamp(initfill_plan *p, double lo, double hi) {
    p->clo = lo;
    p->chi = hi;
    p->clo_f = (float)lo;
    p->chi_f = (float)hi;
}

/* Records that params[param] broke `rule` (see initfill.h) and refuses the plan. */
static int refuse(initfill_plan *p, int param, int rule) {
    p->err_param = param;
    p->err_rule = rule;
    return INITFILL_ERR_PARAM;
}

static int plan_uniform(initfill_plan *p, double low, double high) {
    const double mx = dtype_max(p->dtype);
    if (!isfinite(low)) return refuse(p, 0, INITFILL_RULE_FINITE);
    if (!isfinite(high)) return refuse(p, 1, INITFILL_RULE_FINITE);
    if (!(low <= high)) return refuse(p, 0, INITFILL_RULE_ORDERED);
    if (fabs(low) > mx) return refuse(p, 0, INITFILL_RULE_WITHIN_DTYPE);
    if (fabs(high) > mx) return refuse(p, 1, INITFILL_RULE_WITHIN_DTYPE);
    const double span = high - low;
    if (!isfinite(span)) return refuse(p, 0, INITFILL_RULE_SPAN_FINITE);
    p->lo = low;
    p->span = span;
    if (span == 0.0) {
        /* The float32 value rounded to the output type (float64: low itself). */
        double v = low;
        if (p->dtype == INITFILL_FLOAT32) v = (double)(float)low;
        else if (is_half(p->dtype)) v = half_value(p->dtype, half_of(p->dtype, (float)low));
        set_clamp(p, v, v);
        return INITFILL_OK;
    }
    /* [low, high): the largest representable value below high. */
    const double hi = below(p->dtype, high);
    const double lo = ceil_to(p->dtype, low);
    if (!(lo <= hi)) return refuse(p, 0, INITFILL_RULE_VALUE_BETWEEN);
    set_clamp(p, lo, hi);
    return INITFILL_OK;
}

static int plan_normal(initfill_plan *p, double mean, double std) {
    const double mx = dtype_max(p->dtype);
    if (!isfinite(mean)) return refuse(p, 0, INITFILL_RULE_FINITE);
    if (!isfinite(std)) return refuse(p, 1, INITFILL_RULE_FINITE);
    if (!(std >= 0.0)) return refuse(p, 1, INITFILL_RULE_NONNEGATIVE);
    /* Keep mean + std * z finite for every z the generator can produce (|z| < 9). */
    if (fabs(mean) > mx / 2) return refuse(p, 0, INITFILL_RULE_MEAN_WITHIN_HALF_DTYPE);
    if (std > mx / 32) return refuse(p, 1, INITFILL_RULE_STD_WITHIN_32TH_DTYPE);
    p->mean = mean;
    p->std = std;
    p->mean_f = (float)mean;
    p->std_f = (float)std;
    return INITFILL_OK;
}

static int plan_trunc_normal(initfill_plan *p, double mean, double std, double a,
                             double b) {
    const double mx = dtype_max(p->dtype);
    if (!isfinite(mean)) return refuse(p, 0, INITFILL_RULE_FINITE);
    if (!isfinite(std)) return refuse(p, 1, INITFILL_RULE_FINITE);
    if (!(std > 0.0)) return refuse(p, 1, INITFILL_RULE_POSITIVE);
    if (isnan(a)) return refuse(p, 2, INITFILL_RULE_NOT_NAN);
    if (isnan(b)) return refuse(p, 3, INITFILL_RULE_NOT_NAN);
    /* a < b also excludes a = +inf and b = -inf (empty intervals). */
    if (!(a < b)) return refuse(p, 2, INITFILL_RULE_STRICTLY_ORDERED);
    if (fabs(mean) > mx) return refuse(p, 0, INITFILL_RULE_WITHIN_DTYPE);
    /* Clamp limits: the representable values inside [a, b]. */
    const double clo = a < -mx ? -mx : ceil_to(p->dtype, a);
    const double chi = b > mx ? mx : floor_to(p->dtype, b);
    if (!(clo <= chi)) return refuse(p, 2, INITFILL_RULE_VALUE_BETWEEN);
    set_clamp(p, clo, chi);
    p->mean = mean;
    p->std = std;

    double al = (a - mean) / std, be = (b - mean) / std;
    if (isnan(al) || isnan(be) || al == INFINITY || be == -INFINITY || !(al < be))
        return refuse(p, 2, INITFILL_RULE_MASS_BETWEEN);
    p->sign = 1.0;
    /* Work where the interval's mass is in the lower tail, so that Phi is small
     * and accurate there (reflection z -> -z). */
    if (!(isinf(al) && isinf(be)) && al + be > 0.0) {
        const double t = al;
        al = -be;
        be = -t;
        p->sign = -1.0;
    }
    const double w = be - al;
    const double far = fmax(fabs(al), fabs(be));
    if (w <= 1e-9 && w * far <= 1e-9) {
        /* Density varies by less than ~1e-9 across the interval: uniform on [a, b]. */
        p->mode = IF_TN_FLAT;
        p->lo = a;
        p->span = b - a;
        if (!isfinite(p->span)) return refuse(p, 2, INITFILL_RULE_SPAN_FINITE);
        return INITFILL_OK;
    }
    if (be < -IF_TAIL_START) {
        /* Whole interval far in the (reflected) lower tail: mirror to [t, s]. */
        const double t = -be, s = -al;
        if (t > 1e150) return refuse(p, 2, INITFILL_RULE_MASS_BETWEEN);
        p->mode = IF_TN_FAR_TAIL;
        p->t = t;
        p->lnht = if_log_mills_h(t);
        if (isinf(s)) {
            p->one_minus_r = 1.0;
        } else {
            const double lnr = -(s - t) * ((s + t) * 0.5) - if_log(s / t) +
                               (s > 1e150 ? 0.0 : if_log_mills_h(s)) - p->lnht;
            p->one_minus_r = -if_expm1(lnr);
        }
        return INITFILL_OK;
    }
    /* float64 keeps version 1's values.  The float32 method (errors up to ~2.6
     * float32 ulp, in a fixed pattern) hands each value outside its central range
     * back to them (see tn_value in kernels_scalar.c), and whole intervals narrower
     * than IF_TN_F32_MIN_WIDTH sigma: across those a few ulp are a visible share of
     * the width (the CDF would be off by up to ~2.6 ulp / width, 5e-6 here). */
    p->mode = p->dtype != INITFILL_FLOAT64 && w >= IF_TN_F32_MIN_WIDTH
                  ? IF_TN_INVERSE_CDF_F32 : IF_TN_INVERSE_CDF;
    p->pa = isinf(al) ? 0.0 : if_ncdf(al);
    p->qb = isinf(be) ? 0.0 : if_ncdf(-be);
    p->z = be <= 0.0 ? if_ncdf(be) - p->pa : (1.0 - p->pa) - p->qb;
    if (!(p->z > 0.0)) return refuse(p, 2, INITFILL_RULE_MASS_BETWEEN);
    return INITFILL_OK;
}

const char *initfill_rule_string(int rule) {
    switch (rule) {
    case INITFILL_RULE_NONE: return "breaks no rule";
    case INITFILL_RULE_FINITE: return "must be finite";
    case INITFILL_RULE_NONNEGATIVE: return "must be >= 0";
    case INITFILL_RULE_POSITIVE: return "must be > 0";
    case INITFILL_RULE_NOT_NAN: return "must not be NaN";
    case INITFILL_RULE_ORDERED: return "must be <= the next parameter";
    case INITFILL_RULE_STRICTLY_ORDERED: return "must be < the next parameter";
    case INITFILL_RULE_WITHIN_DTYPE:
        return "must not exceed the largest value of the output dtype in magnitude";
    case INITFILL_RULE_MEAN_WITHIN_HALF_DTYPE:
        return "must not exceed half the largest value of the output dtype in magnitude";
    case INITFILL_RULE_STD_WITHIN_32TH_DTYPE:
        return "must not exceed 1/32 of the largest value of the output dtype (so that "
               "mean + std * z stays finite)";
    case INITFILL_RULE_SPAN_FINITE:
        return "must not lie so far from the next parameter that their difference "
               "overflows";
    case INITFILL_RULE_VALUE_BETWEEN:
        return "must leave at least one value of the output dtype between it and the "
               "next parameter";
    case INITFILL_RULE_MASS_BETWEEN:
        return "must leave a probability mass that double precision can represent "
               "between it and the next parameter";
    case INITFILL_RULE_COUNT: return "wrong number of parameters for the distribution";
    default: return "unknown rule";
    }
}

int initfill_plan_init(initfill_plan *plan, int dist, int dtype, const double *params,
                       int nparams) {
    if (plan == NULL) return INITFILL_ERR_NULL;
    memset(plan, 0, sizeof *plan);
    plan->err_param = -1;
    plan->err_rule = INITFILL_RULE_NONE;
    if (initfill_dtype_size(dtype) == 0) return INITFILL_ERR_DTYPE;
    plan->dist = dist;
    plan->dtype = dtype;
    switch (dist) {
    case INITFILL_BITS:
        return is_float(dtype) ? INITFILL_ERR_DTYPE : INITFILL_OK;
    case INITFILL_UNIFORM:
        if (!is_float(dtype)) return INITFILL_ERR_DTYPE;
        if (params == NULL) return INITFILL_ERR_NULL;
        if (nparams != 2) return refuse(plan, -1, INITFILL_RULE_COUNT);
        return plan_uniform(plan, params[0], params[1]);
    case INITFILL_NORMAL:
        if (!is_float(dtype)) return INITFILL_ERR_DTYPE;
        if (params == NULL) return INITFILL_ERR_NULL;
        if (nparams != 2) return refuse(plan, -1, INITFILL_RULE_COUNT);
        return plan_normal(plan, params[0], params[1]);
    case INITFILL_TRUNC_NORMAL:
        if (!is_float(dtype)) return INITFILL_ERR_DTYPE;
        if (params == NULL) return INITFILL_ERR_NULL;
        if (nparams != 4) return refuse(plan, -1, INITFILL_RULE_COUNT);
        return plan_trunc_normal(plan, params[0], params[1], params[2], params[3]);
    default:
        return INITFILL_ERR_DIST;
    }
}

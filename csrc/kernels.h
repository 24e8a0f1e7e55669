/* kernels.h - internal: the contiguous fills of each SIMD level, the one the
 * dispatcher picks, and the truncated normal's modes. */
#ifndef INITFILL_KERNELS_H
#define INITFILL_KERNELS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "initfill/initfill.h"

/* Writes the values of global elements first .. first+n-1 to out[0 .. n-1].  The
 * plan must come from initfill_plan_init; nothing is validated here.  Every level
 * writes the same bytes. */
typedef void (*if_contig_fn)(const initfill_plan *p, uint64_t seed, uint64_t stream,
                             uint64_t first, size_t n, void *out);

void if_gen_contig_scalar(const initfill_plan *p, uint64_t seed, uint64_t stream,
                          uint64_t first, size_t n, void *out);
#if defined(IF_BUILD_AVX2)
void if_gen_contig_avx2(const initfill_plan *p, uint64_t seed, uint64_t stream,
                        uint64_t first, size_t n, void *out);
#endif
#if defined(IF_BUILD_AVX512)
void if_gen_contig_avx512(const initfill_plan *p, uint64_t seed, uint64_t stream,
                          uint64_t first, size_t n, void *out);
#endif
#if defined(IF_BUILD_NEON)
void if_gen_contig_neon(const initfill_plan *p, uint64_t seed, uint64_t stream,
                        uint64_t first, size_t n, void *out);
#endif

/* How a truncated normal plan computes its values (initfill_plan.mode, set by
 * plan.c). */
enum {
    IF_TN_INVERSE_CDF = 0, /* Phi^-1 of a uniform in (Phi(a), Phi(b)): the usual case */
    IF_TN_FAR_TAIL = 1,    /* the interval lies beyond 30 sigma: asymptotic inversion */
    IF_TN_FLAT = 2,        /* the density is flat to 1e-9 across it: uniform on [a, b] */
    /* float32 and half outputs (algorithm version 2): as IF_TN_INVERSE_CDF, but the
     * central values (4 p (1 - p) >= IF_TN_F32_CENTRAL) come from the float32
     * polynomial if_tn_h_f32; the others are IF_TN_INVERSE_CDF's, unchanged */
    IF_TN_INVERSE_CDF_F32 = 3
};

/* Nonzero when the CPU executes AVX512_BF16 instructions (set by dispatch.c before
 * the AVX-512 level can be chosen). */
extern atomic_int if_cpu_has_bf16;

/* The contiguous fill of the active level (dispatch.c). */
if_contig_fn if_active_contig(void);

#endif /* INITFILL_KERNELS_H */

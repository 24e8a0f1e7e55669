/* initfill/kernels.h - internal: the contiguous fills of each SIMD level and the
 * one-dimensional fill every driver calls. */
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

/* Nonzero when the CPU executes AVX512_BF16 instructions (set by dispatch.c before
 * the AVX-512 level can be chosen). */
extern atomic_int if_cpu_has_bf16;

/* The contiguous fill of the active level (dispatch.c). */
if_contig_fn if_active_contig(void);

/* Writes the values of global elements first .. first+n-1 to out, out + stride, ...
 * (stride in bytes, any sign, a multiple of the element size). */
void if_gen_1d(const initfill_plan *p, uint64_t seed, uint64_t stream,
               uint64_t first, size_t n, char *out, int64_t stride);

#endif /* INITFILL_KERNELS_H */

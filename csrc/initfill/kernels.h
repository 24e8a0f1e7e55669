/* initfill/kernels.h - internal: the one-dimensional fill every driver calls. */
#ifndef INITFILL_KERNELS_H
#define INITFILL_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include "initfill.h"

/* Writes the values of global elements first .. first+n-1 to out, out + stride, ...
 * (stride in bytes, any sign, a multiple of the element size).  The plan must come
 * from initfill_plan_init; nothing is validated here. */
void if_gen_1d(const initfill_plan *p, uint64_t seed, uint64_t stream,
               uint64_t first, size_t n, char *out, int64_t stride);

#endif /* INITFILL_KERNELS_H */

/* initfill/zero.h - internal: a memset split over the pool's threads.
 *
 * if_zero_bytes(data, nbytes, nthreads): memset(data, 0, nbytes) in nthreads
 * page-aligned parts run by the pool (pool.h), one thread below 1 MiB per thread.
 * On fresh memory every thread faults in its own pages, so this is the fastest first
 * touch initfill has: zeros_ uses it, and initfill bench --model times it (and torch's
 * zero_(); the faster is the floor).
 *
 * Transparent huge pages (madvise MADV_HUGEPAGE on the 2 MiB-aligned interior of a
 * fresh buffer) were tried here and before the fills, and left out: on the 2-vCPU
 * VM of docs/benchmarks.md they made warm rounds 2-3x faster but the first fill of a
 * model in a process 3-4x slower (huge pages came from memory the host had not
 * backed yet); see docs/benchmarks.md.
 *
 * Not part of the public interface (initfill.h). */
#ifndef INITFILL_ZERO_H
#define INITFILL_ZERO_H

#include <stddef.h>

void if_zero_bytes(void *data, size_t nbytes, int nthreads);

#endif /* INITFILL_ZERO_H */

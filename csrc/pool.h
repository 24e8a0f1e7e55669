/* initfill/pool.h - internal: a persistent pool of worker threads.
 *
 * if_pool_run(fn, ctx, nparts) calls fn(ctx, k) once for every part k in
 * [0, nparts) and returns when all calls have returned.  The calling thread takes
 * parts too; up to nparts - 1 workers, started on first use and kept sleeping on a
 * condition variable between calls, take the others.  Which thread runs which part
 * is not fixed, so fn must give the same result whoever runs it (initfill's parts
 * are fixed index ranges, and values depend only on the index).
 *
 * Safe from several threads at once: one caller at a time uses the workers, and a
 * caller that finds them busy starts threads of its own for that call (or, when
 * none can be started, runs its parts itself).  Safe across fork(): a child starts
 * with no workers and starts new ones when it first needs them.  Never fails: parts
 * that no thread could be started for run on the calling thread.
 *
 * Not part of the public interface (initfill.h). */
#ifndef INITFILL_POOL_H
#define INITFILL_POOL_H

#include <stdint.h>

typedef void (*if_pool_fn)(void *ctx, int part);

void if_pool_run(if_pool_fn fn, void *ctx, int nparts);

/* fn(ctx, start, end) over [0, total) split into parts of equal size rounded up to
 * a multiple of `align`, one per thread, with fewer threads than `nthreads` when a
 * thread would get under `min_per_thread` (one thread: a single call on the caller). */
typedef void (*if_range_fn)(void *ctx, uint64_t start, uint64_t end);

void if_pool_run_range(if_range_fn fn, void *ctx, uint64_t total, uint64_t align,
                       uint64_t min_per_thread, int nthreads);

/* Number of workers now started (for tests). */
int if_pool_size(void);

/* Stops and joins the workers (waiting for a call in progress to end).  The next
 * if_pool_run starts new ones.  For tests and leak checkers; never required. */
void if_pool_shutdown(void);

#endif /* INITFILL_POOL_H */

/* initfill/fresh.h - internal: first touch of large, fresh buffers.
 *
 * if_advise_fresh(data, nbytes): when the buffer is at least IF_FRESH_MIN_BYTES and
 * its 2 MiB-aligned interior has no page in memory yet (mincore on its first, middle
 * and last 4 KiB pages: nothing has written it), asks the kernel for transparent huge
 * pages there (madvise MADV_HUGEPAGE), so that the fill that follows takes one page
 * fault per 2 MiB instead of one per 4 KiB.  Linux only; a no-op elsewhere, on
 * smaller or touched buffers, and whenever a call fails.  Never reads or writes the
 * buffer's bytes: no value depends on it.
 *
 * if_zero_bytes(data, nbytes, nthreads): if_advise_fresh, then memset(0) of the
 * bytes split into nthreads page-aligned parts on the pool (pool.h).
 *
 * Not part of the public interface (initfill.h). */
#ifndef INITFILL_FRESH_H
#define INITFILL_FRESH_H

#include <stddef.h>

#define IF_FRESH_MIN_BYTES ((size_t)8 << 20)

void if_advise_fresh(void *data, size_t nbytes);
void if_zero_bytes(void *data, size_t nbytes, int nthreads);

#endif /* INITFILL_FRESH_H */

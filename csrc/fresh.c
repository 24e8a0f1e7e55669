/* fresh.c - first touch of large, fresh buffers (see fresh.h). */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1 /* madvise, mincore under -std=c11 */
#endif
#include <stdint.h>
#include <string.h>

#include "fresh.h"
#include "pool.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

#define IF_HUGE_BYTES ((uintptr_t)2 << 20)
#define IF_PAGE_BYTES ((uintptr_t)4096)
/* Below this many bytes per thread, a memset part is not worth waking a worker. */
#define IF_ZERO_MIN_PER_THREAD ((size_t)1 << 20)

#if defined(__linux__) && defined(MADV_HUGEPAGE)
static int resident(uintptr_t page) {
    unsigned char v = 1;
    if (mincore((void *)page, IF_PAGE_BYTES, &v) != 0) return 1; /* unknown: assume so */
    return v & 1;
}
#endif

void if_advise_fresh(void *data, size_t nbytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (data == NULL || nbytes < IF_FRESH_MIN_BYTES) return;
    const uintptr_t a = (uintptr_t)data;
    if (a > UINTPTR_MAX - nbytes) return;
    const uintptr_t lo = (a + IF_HUGE_BYTES - 1) & ~(IF_HUGE_BYTES - 1);
    const uintptr_t hi = (a + nbytes) & ~(IF_HUGE_BYTES - 1);
    if (hi <= lo) return;
    const uintptr_t mid = lo + ((hi - lo) / 2 & ~(IF_PAGE_BYTES - 1));
    if (resident(lo) || resident(mid) || resident(hi - IF_PAGE_BYTES)) return;
    (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE); /* advice only: errors ignored */
#else
    (void)data;
    (void)nbytes;
#endif
}

typedef struct {
    unsigned char *data;
    size_t nbytes, chunk;
} if_zero_job;

static void zero_part(void *ctx, int k) {
    const if_zero_job *job = ctx;
    const size_t start = (size_t)k * job->chunk;
    if (start >= job->nbytes) return;
    const size_t n = job->nbytes - start < job->chunk ? job->nbytes - start : job->chunk;
    memset(job->data + start, 0, n);
}

void if_zero_bytes(void *data, size_t nbytes, int nthreads) {
    if (data == NULL || nbytes == 0) return;
    if_advise_fresh(data, nbytes);
    size_t want = nbytes / IF_ZERO_MIN_PER_THREAD;
    if (nthreads < 1) nthreads = 1;
    if (want < (size_t)nthreads) nthreads = want < 1 ? 1 : (int)want;
    if (nthreads == 1) {
        memset(data, 0, nbytes);
        return;
    }
    size_t chunk = (nbytes + (size_t)nthreads - 1) / (size_t)nthreads;
    chunk = (chunk + IF_PAGE_BYTES - 1) & ~(size_t)(IF_PAGE_BYTES - 1);
    const if_zero_job job = {(unsigned char *)data, nbytes, chunk};
    if_pool_run(zero_part, (void *)&job, (int)((nbytes + chunk - 1) / chunk));
}

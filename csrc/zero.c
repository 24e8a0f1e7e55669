/* zero.c - a memset split over the pool's threads (see zero.h). */
#include <stdint.h>
#include <string.h>

#include "pool.h"
#include "zero.h"

#define IF_PAGE_BYTES ((size_t)4096)
/* Below this many bytes per thread, a part is not worth waking a worker. */
#define IF_ZERO_MIN_PER_THREAD ((size_t)1 << 20)

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
    const size_t want = nbytes / IF_ZERO_MIN_PER_THREAD;
    if (nthreads < 1) nthreads = 1;
    if (want < (size_t)nthreads) nthreads = want < 1 ? 1 : (int)want;
    if (nthreads == 1) {
        memset(data, 0, nbytes);
        return;
    }
    size_t chunk = (nbytes + (size_t)nthreads - 1) / (size_t)nthreads;
    chunk = (chunk + IF_PAGE_BYTES - 1) & ~(IF_PAGE_BYTES - 1);
    const if_zero_job job = {(unsigned char *)data, nbytes, chunk};
    if_pool_run(zero_part, (void *)&job, (int)((nbytes + chunk - 1) / chunk));
}

/* zero.c - a memset split over the pool's threads (see zero.h). */
#include <stdint.h>
#include <string.h>

#include "pool.h"
#include "zero.h"

#define IF_PAGE_BYTES ((size_t)4096)
/* Below this many bytes per thread, a part is not worth waking a worker. */
#define IF_ZERO_MIN_PER_THREAD ((size_t)1 << 20)

static void zero_range(void *data, uint64_t start, uint64_t end) {
    memset((unsigned char *)data + start, 0, (size_t)(end - start));
}

void if_zero_bytes(void *data, size_t nbytes, int nthreads) {
    if (data == NULL || nbytes == 0) return;
    if_pool_run_range(zero_range, data, nbytes, IF_PAGE_BYTES, IF_ZERO_MIN_PER_THREAD,
                      nthreads);
}

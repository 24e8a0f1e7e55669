/* driver.c - n-d views, static splitting across threads, entry-point validation.
 *
 * A fill covers the C-order linear index range [0, total) of the view.  Adjacent
 * dimensions that are contiguous both in memory and in the logical tensor are merged
 * first, so a whole contiguous tensor is one row.  The range is split into
 * nthreads parts at multiples of IF_SPLIT_ALIGN elements, each part walks its rows
 * and fills each row with the contiguous fill of the SIMD level dispatch.c picked
 * (a strided row through a tile on the stack); the parts run on the persistent
 * workers of pool.c and the calling thread.  Because every value depends only on its global index,
 * any split gives the same bytes, whichever thread runs a part. */
#include <stdlib.h>
#include <string.h>

#include "initfill/initfill.h"
#include "driver.h"
#include "kernels.h"
#include "pool.h"

/* Below this many elements per thread, waking a worker costs more than it saves.
 * Measured with the pool on 2 Zen 4 vCPUs (scalar kernels): waking an idle vCPU
 * takes tens of microseconds, so 2 threads only start to pay off around 2^17
 * elements; not lowered for the pool, and faster (SIMD) kernels move the break-even
 * point up, not down. */
#define IF_MIN_PER_THREAD ((uint64_t)1 << 15)
/* Part boundaries fall on multiples of this (a cache line of float64, and every
 * Philox block size). */
#define IF_SPLIT_ALIGN 64

/* Elements generated per step of a strided row; 2 KiB of stack. */
#define IF_TILE 256

typedef struct {
    const initfill_plan *plan;
    if_contig_fn gen; /* the active level's contiguous fill, picked once per fill */
    size_t es;        /* bytes per element */
    uint64_t seed, stream, gbase;
    uintptr_t data;
    int nd;
    int64_t shape[INITFILL_MAX_NDIM + 1];
    int64_t strides[INITFILL_MAX_NDIM + 1];
    uint64_t gstrides[INITFILL_MAX_NDIM + 1];
} if_job;

/* Writes the values of global elements first .. first+n-1 to addr, addr + stride,
 * ... (stride in bytes, any sign, a multiple of the element size). */
static void fill_row(const if_job *job, uint64_t first, size_t n, uintptr_t addr,
                     int64_t stride) {
    const size_t es = job->es;
    if (stride == (int64_t)es) {
        job->gen(job->plan, job->seed, job->stream, first, n, (void *)addr);
        return;
    }
    /* Addresses are computed as integers: with a negative stride, stepping a
     * pointer past the last element would already be undefined behaviour. */
    _Alignas(64) unsigned char tile[IF_TILE * 8];
    while (n != 0) {
        const size_t m = n < IF_TILE ? n : IF_TILE;
        job->gen(job->plan, job->seed, job->stream, first, m, tile);
        for (size_t i = 0; i < m; ++i) {
            memcpy((void *)addr, tile + i * es, es);
            if (i + 1 < n) addr += (uintptr_t)stride;
        }
        first += m;
        n -= m;
    }
}

static void run_range(const if_job *job, uint64_t s, uint64_t e) {
    const int nd = job->nd;
    const int in = nd - 1;
    int64_t idx[INITFILL_MAX_NDIM + 1];
    uint64_t rem = s;
    for (int d = in; d >= 0; --d) {
        idx[d] = (int64_t)(rem % (uint64_t)job->shape[d]);
        rem /= (uint64_t)job->shape[d];
    }
    while (s < e) {
        uint64_t g = job->gbase;
        uintptr_t addr = job->data;
        for (int d = 0; d < nd; ++d) {
            g += (uint64_t)idx[d] * job->gstrides[d];
            addr += (uintptr_t)(idx[d] * job->strides[d]);
        }
        uint64_t take = (uint64_t)(job->shape[in] - idx[in]);
        if (take > e - s) take = e - s;
        fill_row(job, g, (size_t)take, addr, job->strides[in]);
        s += take;
        idx[in] += (int64_t)take;
        for (int d = in; d > 0 && idx[d] == job->shape[d]; --d) {
            idx[d] = 0;
            idx[d - 1] += 1;
        }
    }
}

static void run_job_range(void *job, uint64_t start, uint64_t end) {
    run_range(job, start, end);
}

/* a * b into *out unless it exceeds `limit`. */
static int mul_le(uint64_t a, uint64_t b, uint64_t limit, uint64_t *out) {
    if (a != 0 && b > limit / a) return 0;
    *out = a * b;
    return 1;
}

int if_check_strided(const initfill_plan *plan, const void *data, int ndim,
                     const int64_t *shape, const int64_t *strides, const int64_t *gstrides,
                     uint64_t gbase, int nthreads, uint64_t *total_out) {
    if (plan == NULL) return INITFILL_ERR_NULL;
    const int es = initfill_dtype_size(plan->dtype);
    if (es == 0) return INITFILL_ERR_DTYPE;
    if (plan->dist < INITFILL_UNIFORM || plan->dist > INITFILL_BITS) return INITFILL_ERR_DIST;
    if (ndim < 0 || ndim > INITFILL_MAX_NDIM) return INITFILL_ERR_SHAPE;
    if (ndim > 0 && (shape == NULL || strides == NULL || gstrides == NULL))
        return INITFILL_ERR_NULL;
    if (nthreads < 1 || nthreads > INITFILL_MAX_THREADS) return INITFILL_ERR_THREADS;

    /* Total size, and the largest global index touched, must fit. */
    uint64_t total = 1, gmax = gbase;
    for (int d = 0; d < ndim; ++d) {
        if (shape[d] < 0 || gstrides[d] < 0) return INITFILL_ERR_SHAPE;
        if (!mul_le(total, (uint64_t)shape[d], (uint64_t)INT64_MAX, &total))
            return INITFILL_ERR_SHAPE;
    }
    *total_out = total;
    if (total == 0) return INITFILL_OK;
    if (data == NULL) return INITFILL_ERR_NULL;
    if ((uintptr_t)data % (uintptr_t)es != 0) return INITFILL_ERR_ALIGN;
    for (int d = 0; d < ndim; ++d) {
        uint64_t span;
        if (!mul_le((uint64_t)(shape[d] - 1), (uint64_t)gstrides[d], UINT64_MAX, &span) ||
            gmax > UINT64_MAX - span)
            return INITFILL_ERR_SHAPE;
        gmax += span;
        if (shape[d] > 1 && strides[d] % es != 0) return INITFILL_ERR_ALIGN;
    }
    return INITFILL_OK;
}

int initfill_fill_strided(const initfill_plan *plan, uint64_t seed, uint64_t stream,
                          void *data, int ndim, const int64_t *shape,
                          const int64_t *strides, const int64_t *gstrides,
                          uint64_t gbase, int nthreads) {
    uint64_t total = 0;
    const int st = if_check_strided(plan, data, ndim, shape, strides, gstrides, gbase,
                                    nthreads, &total);
    if (st != INITFILL_OK || total == 0) return st;
    const int es = initfill_dtype_size(plan->dtype);

    /* Merge dimensions, dropping extents of 1; rows must step by 1 globally. */
    if_job job;
    job.plan = plan;
    job.gen = if_active_contig();
    job.es = (size_t)es;
    job.seed = seed;
    job.stream = stream;
    job.gbase = gbase;
    job.data = (uintptr_t)data;
    int nd = 0;
    for (int d = 0; d < ndim; ++d) {
        if (shape[d] == 1) continue;
        if (nd > 0 && job.strides[nd - 1] == strides[d] * shape[d] &&
            job.gstrides[nd - 1] == (uint64_t)gstrides[d] * (uint64_t)shape[d]) {
            job.shape[nd - 1] *= shape[d];
            job.strides[nd - 1] = strides[d];
            job.gstrides[nd - 1] = (uint64_t)gstrides[d];
            continue;
        }
        job.shape[nd] = shape[d];
        job.strides[nd] = strides[d];
        job.gstrides[nd] = (uint64_t)gstrides[d];
        ++nd;
    }
    if (nd == 0 || job.gstrides[nd - 1] != 1) {
        job.shape[nd] = 1;
        job.strides[nd] = es;
        job.gstrides[nd] = 1;
        ++nd;
    }
    job.nd = nd;
    if_pool_run_range(run_job_range, (void *)&job, total, IF_SPLIT_ALIGN, IF_MIN_PER_THREAD,
                      nthreads);
    return INITFILL_OK;
}

int initfill_fill_contiguous(const initfill_plan *plan, uint64_t seed, uint64_t stream,
                             uint64_t first, uint64_t n, void *out, int nthreads) {
    if (plan == NULL) return INITFILL_ERR_NULL;
    const int64_t es = initfill_dtype_size(plan->dtype);
    if (n > (uint64_t)INT64_MAX) return INITFILL_ERR_SHAPE;
    const int64_t shape = (int64_t)n, gstride = 1;
    return initfill_fill_strided(plan, seed, stream, out, 1, &shape, &es, &gstride, first,
                                 nthreads);
}

/* pool.c - the persistent worker threads of the driver (initfill/pool.h).
 *
 * Workers are started on first use, never more than a call asked for, and sleep on
 * `work_cv` between calls.  A call publishes (fn, ctx, nparts) under `mu`, bumps
 * `generation` and wakes as many workers as it has parts beyond its own; every
 * thread, the caller included, then claims the next unclaimed part until none is
 * left, and the caller waits on `done_cv` for the parts others are still running.
 * A worker that wakes late finds nothing to claim and goes back to sleep; a part
 * nobody else claimed is run by the caller, so a slow or missing worker only costs
 * time.
 *
 * `busy` is held by the one caller using the workers.  Another caller that finds it
 * taken does not wait (the first call may be long): it starts threads of its own for
 * that call, as the driver did before the pool existed.
 *
 * fork(): the prepare handler takes `busy` and `mu` (so no call is half-published;
 * a call in progress in another thread finishes first), and the child, which has no
 * workers, re-creates the synchronisation objects and forgets the workers; its next
 * call starts new ones.  Exit: workers hold no resources but their stacks and run
 * no job between calls, so the process ends without joining them;
 * if_pool_shutdown joins them for tests and leak checkers. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include "initfill/initfill.h"
#include "pool.h"

enum { IF_MAX_WORKERS = INITFILL_MAX_THREADS - 1 };

static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int atfork_ok;

/* Written with `busy` held (and `mu` for what workers read). */
static pthread_t workers[IF_MAX_WORKERS];
static int nworkers;
static int stopping;

/* The current call; read and written with `mu` held. */
static uintptr_t generation;
static if_pool_fn job_fn;
static void *job_ctx;
static int job_parts, job_next, job_pending;

/* Claims and runs parts until none is left; called and returns with `mu` held. */
static void take_parts(void) {
    while (job_next < job_parts) {
        const int k = job_next++;
        const if_pool_fn fn = job_fn;
        void *const ctx = job_ctx;
        pthread_mutex_unlock(&mu);
        fn(ctx, k);
        pthread_mutex_lock(&mu);
        if (--job_pending == 0) pthread_cond_signal(&done_cv);
    }
}

static void *worker_main(void *arg) {
    /* The generation before the call that started this worker: it joins that call
     * if it is still running when the worker first gets `mu`. */
    uintptr_t seen = (uintptr_t)arg;
    pthread_mutex_lock(&mu);
    for (;;) {
        while (!stopping && generation == seen) pthread_cond_wait(&work_cv, &mu);
        if (stopping) break;
        seen = generation;
        take_parts();
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void before_fork(void) {
    pthread_mutex_lock(&busy);
    pthread_mutex_lock(&mu);
}

static void after_fork_parent(void) {
    pthread_mutex_unlock(&mu);
    pthread_mutex_unlock(&busy);
}

static void after_fork_child(void) {
    /* Only the forking thread exists here: the workers' condition-variable waits
     * and thread ids belong to the parent.  Fresh objects, no workers. */
    pthread_mutex_init(&busy, NULL);
    pthread_mutex_init(&mu, NULL);
    pthread_cond_init(&work_cv, NULL);
    pthread_cond_init(&done_cv, NULL);
    nworkers = 0;
    stopping = 0;
    job_parts = job_next = job_pending = 0;
}

static void pool_init(void) {
    atfork_ok = pthread_atfork(before_fork, after_fork_parent, after_fork_child) == 0;
}

/* Starts workers until there are `want` (fewer if the system refuses); `busy` held. */
static void grow(int want) {
    sigset_t all, old;
    sigfillset(&all);
    /* Workers inherit a mask that blocks every signal, so signals go to the
     * application's threads (Python handles them in its main thread). */
    const int masked = pthread_sigmask(SIG_SETMASK, &all, &old) == 0;
    pthread_mutex_lock(&mu);
    const uintptr_t gen = generation;
    pthread_mutex_unlock(&mu);
    while (nworkers < want) {
        if (pthread_create(&workers[nworkers], NULL, worker_main, (void *)gen) != 0) break;
        pthread_mutex_lock(&mu);
        ++nworkers;
        pthread_mutex_unlock(&mu);
    }
    if (masked) pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* ---- Fallback for a caller that finds the workers busy: threads of its own. ---- */

typedef struct {
    if_pool_fn fn;
    void *ctx;
    int part;
} if_spawned;

static void *spawned_main(void *arg) {
    const if_spawned *s = arg;
    s->fn(s->ctx, s->part);
    return NULL;
}

static void run_spawned(if_pool_fn fn, void *ctx, int nparts) {
    if_spawned parts[INITFILL_MAX_THREADS];
    pthread_t tids[INITFILL_MAX_THREADS];
    int started[INITFILL_MAX_THREADS];
    if (nparts > INITFILL_MAX_THREADS) nparts = INITFILL_MAX_THREADS; /* never: driver caps */
    sigset_t all, old;
    sigfillset(&all);
    const int masked = pthread_sigmask(SIG_SETMASK, &all, &old) == 0;
    for (int k = 1; k < nparts; ++k) {
        parts[k].fn = fn;
        parts[k].ctx = ctx;
        parts[k].part = k;
        started[k] = pthread_create(&tids[k], NULL, spawned_main, &parts[k]) == 0;
    }
    if (masked) pthread_sigmask(SIG_SETMASK, &old, NULL);
    fn(ctx, 0);
    for (int k = 1; k < nparts; ++k) {
        if (started[k]) pthread_join(tids[k], NULL);
        else fn(ctx, k);
    }
}

void if_pool_run(if_pool_fn fn, void *ctx, int nparts) {
    if (nparts <= 1) {
        if (nparts == 1) fn(ctx, 0);
        return;
    }
    pthread_once(&once, pool_init);
    if (!atfork_ok || pthread_mutex_trylock(&busy) != 0) {
        run_spawned(fn, ctx, nparts);
        return;
    }
    const int want = nparts - 1 < IF_MAX_WORKERS ? nparts - 1 : IF_MAX_WORKERS;
    if (nworkers < want) grow(want);

    pthread_mutex_lock(&mu);
    job_fn = fn;
    job_ctx = ctx;
    job_parts = nparts;
    job_next = 0;
    job_pending = nparts;
    ++generation;
    if (nparts - 1 >= nworkers) {
        pthread_cond_broadcast(&work_cv);
    } else {
        for (int k = 1; k < nparts; ++k) pthread_cond_signal(&work_cv);
    }
    take_parts();
    while (job_pending > 0) pthread_cond_wait(&done_cv, &mu);
    job_fn = NULL;
    job_ctx = NULL;
    pthread_mutex_unlock(&mu);
    pthread_mutex_unlock(&busy);
}

int if_pool_size(void) {
    pthread_mutex_lock(&mu);
    const int n = nworkers;
    pthread_mutex_unlock(&mu);
    return n;
}

void if_pool_shutdown(void) {
    pthread_mutex_lock(&busy);
    pthread_mutex_lock(&mu);
    stopping = 1;
    pthread_cond_broadcast(&work_cv);
    const int n = nworkers;
    pthread_mutex_unlock(&mu);
    for (int k = 0; k < n; ++k) pthread_join(workers[k], NULL);
    pthread_mutex_lock(&mu);
    nworkers = 0;
    stopping = 0;
    pthread_mutex_unlock(&mu);
    pthread_mutex_unlock(&busy);
}

typedef struct {
    if_range_fn fn;
    void *ctx;
    uint64_t total, chunk;
} if_range_split;

/* Part k of a split: [k * chunk, min((k + 1) * chunk, total)). */
static void run_range_part(void *ctx, int k) {
    const if_range_split *sp = ctx;
    const uint64_t start = (uint64_t)k * sp->chunk;
    const uint64_t end = sp->total - start < sp->chunk ? sp->total : start + sp->chunk;
    sp->fn(sp->ctx, start, end);
}

void if_pool_run_range(if_range_fn fn, void *ctx, uint64_t total, uint64_t align,
                       uint64_t min_per_thread, int nthreads) {
    const uint64_t want = total / min_per_thread;
    if (nthreads < 1) nthreads = 1;
    if (want < (uint64_t)nthreads) nthreads = want < 1 ? 1 : (int)want;
    if (nthreads == 1) {
        fn(ctx, 0, total);
        return;
    }
    uint64_t chunk = (total + (uint64_t)nthreads - 1) / (uint64_t)nthreads;
    chunk = (chunk + align - 1) / align * align;
    const if_range_split split = {fn, ctx, total, chunk};
    if_pool_run(run_range_part, (void *)&split, (int)((total + chunk - 1) / chunk));
}

/* benches/ab_libs.c - two builds of the C library timed in one process, in turns.
 *
 * On a shared machine the load changes from one second to the next, so timings of
 * two builds taken one after the other compare the load as much as the code.  This
 * loads each build's shared library (dlopen) and times them in turns, 60 rounds of
 * 2^22 elements each, on one thread (the calling thread's CPU time); each build
 * gets the same mix of load.  Prints min, 25th percentile and median ns/element.
 *
 *   # the build to compare against, from a commit:
 *   git archive <commit> csrc | tar -x -C /tmp/a
 *   make -C /tmp/a/csrc BUILD=build CFLAGS="-O3 -fPIC" lib
 *   cc -shared -o /tmp/liba.so -Wl,--whole-archive /tmp/a/csrc/build/libinitfill.a \
 *      -Wl,--no-whole-archive -lm -pthread
 *   # the same for the working tree (/tmp/libb.so), then:
 *   cc -O2 -o /tmp/ab_libs benches/ab_libs.c -ldl
 *   /tmp/ab_libs tn64 15 /tmp/liba.so /tmp/libb.so   # +-2 sigma float64, 2^15 per call
 *
 * Operations: tn64 / tn32 (trunc_normal, mean 0, std 1, [-2, 2]), u32 (uniform
 * float32 on [-1, 1)).  INITFILL_SIMD picks the level, as everywhere. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int (*tn64_fn)(double *, uint64_t, uint64_t, uint64_t, uint64_t, double, double,
                       double, double, int);
typedef int (*tn32_fn)(float *, uint64_t, uint64_t, uint64_t, uint64_t, double, double,
                       double, double, int);
typedef int (*u32_fn)(float *, uint64_t, uint64_t, uint64_t, uint64_t, double, double, int);

enum { MAX_LIBS = 8, ROUNDS = 60 };

static double thread_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 4 || argc - 3 > MAX_LIBS) {
        fprintf(stderr, "usage: %s tn64|tn32|u32 LOG2_N LIB.so [LIB.so ...]\n", argv[0]);
        return 2;
    }
    const char *op = argv[1];
    const int nlib = argc - 3;
    const size_t n = (size_t)1 << atoi(argv[2]);
    const char *sym = !strcmp(op, "tn64")   ? "initfill_trunc_normal_f64"
                      : !strcmp(op, "tn32") ? "initfill_trunc_normal_f32"
                      : !strcmp(op, "u32")  ? "initfill_uniform_f32"
                                            : NULL;
    if (sym == NULL) {
        fprintf(stderr, "unknown operation %s\n", op);
        return 2;
    }
    void *fn[MAX_LIBS];
    for (int i = 0; i < nlib; ++i) {
        void *h = dlopen(argv[3 + i], RTLD_NOW | RTLD_LOCAL);
        if (h == NULL || (fn[i] = dlsym(h, sym)) == NULL) {
            fprintf(stderr, "%s\n", dlerror());
            return 1;
        }
    }
    double *buf = aligned_alloc(64, n * sizeof(double));
    double *t = calloc((size_t)nlib * ROUNDS, sizeof(double));
    if (buf == NULL || t == NULL) return 1;
    memset(buf, 0, n * sizeof(double));
    size_t reps = ((size_t)1 << 22) / n;
    if (reps == 0) reps = 1;
    for (int r = 0; r < ROUNDS; ++r) {
        for (int i = 0; i < nlib; ++i) {
            const double t0 = thread_seconds();
            for (size_t k = 0; k < reps; ++k) {
                const uint64_t first = (uint64_t)(k * n);
                if (!strcmp(op, "tn64"))
                    ((tn64_fn)fn[i])(buf, n, first, 1, 0, 0.0, 1.0, -2.0, 2.0, 1);
                else if (!strcmp(op, "tn32"))
                    ((tn32_fn)fn[i])((float *)buf, n, first, 1, 0, 0.0, 1.0, -2.0, 2.0, 1);
                else
                    ((u32_fn)fn[i])((float *)buf, n, first, 1, 0, -1.0, 1.0, 1);
            }
            t[i * ROUNDS + r] = (thread_seconds() - t0) / (double)(reps * n) * 1e9;
        }
    }
    for (int i = 0; i < nlib; ++i) {
        double *ti = t + i * ROUNDS;
        qsort(ti, ROUNDS, sizeof(double), by_value);
        printf("%-32s %s 2^%s: CPU ns/element min %.3f p25 %.3f median %.3f\n", argv[3 + i],
               op, argv[2], ti[0], ti[ROUNDS / 4], ti[ROUNDS / 2]);
    }
    free(buf);
    free(t);
    return 0;
}

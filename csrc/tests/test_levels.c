/* test_levels.c - every SIMD level this build and CPU run writes the bytes of the
 * scalar level: every distribution and output type, parameters that take each
 * branch of the kernels, starts and lengths around the batch sizes, and the
 * half-precision roundings of float32 values near every rounding boundary.
 *
 * Run by `make test` (and ctest); prints the levels it compared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initfill/initfill.h"

static int failures = 0;

/* Fills n elements from `first` at `level`; 0 if the level is not available. */
static int fill_at(int level, const initfill_plan *p, uint64_t first, uint64_t n, void *out) {
    if (initfill_set_simd_level(level) != INITFILL_OK) return 0;
    return initfill_fill_contiguous(p, 12345, 77, first, n, out, 1) == INITFILL_OK;
}

/* `shift` elements into a 64-byte aligned allocation (large fills use aligned
 * non-temporal stores after a scalar head that depends on the alignment). */
static void compare_at(int dist, int dtype, const double *par, int np, uint64_t first,
                       uint64_t n, size_t shift) {
    initfill_plan p;
    if (initfill_plan_init(&p, dist, dtype, par, np) != INITFILL_OK) {
        printf("FAIL: plan dist %d dtype %d rejected\n", dist, dtype);
        ++failures;
        return;
    }
    const size_t es = (size_t)initfill_dtype_size(dtype);
    const size_t bytes = ((n + shift) * es + 63) / 64 * 64;
    unsigned char *ref_mem = aligned_alloc(64, bytes), *got_mem = aligned_alloc(64, bytes);
    unsigned char *ref = ref_mem + shift * es, *got = got_mem + shift * es;
    if (ref_mem == NULL || got_mem == NULL ||
        !fill_at(INITFILL_SIMD_SCALAR, &p, first, n, ref)) {
        printf("FAIL: scalar fill\n");
        ++failures;
    } else {
        for (int level = 1; level < INITFILL_SIMD_LEVELS; ++level) {
            memset(got, 0xA5, n * es);
            if (!fill_at(level, &p, first, n, got) || memcmp(ref, got, n * es) == 0) continue;
            size_t i = 0;
            while (memcmp(ref + i * es, got + i * es, es) == 0) ++i;
            printf("FAIL: %s dist %d dtype %d first %llu n %llu: element %zu differs\n",
                   initfill_simd_name(level), dist, dtype, (unsigned long long)first,
                   (unsigned long long)n, i);
            ++failures;
        }
    }
    free(ref_mem);
    free(got_mem);
}

static void compare(int dist, int dtype, const double *par, int np, uint64_t first, uint64_t n) {
    compare_at(dist, dtype, par, np, first, n, 0);
}

static void fills(void) {
    /* {1 + 2^-30, ...}: low is no float32 (no half) value, and a third of the values
     * round down below it, so the clamp acts (the first holds no half value, so
     * halves skip it); {1, 1 + 2^-51}: a quarter of the float64 values round up to
     * high, and the upper clamp acts */
    static const double uni[][2] = {{0, 1}, {-1, 1}, {-0.5, 0.25}, {1, 2}, {-1e-40, 1e-40},
                                    {-3, -3}, {-60000, 60000},
                                    {1 + 0x1p-30, 1 + 0x3p-23}, {1 + 0x1p-30, 1 + 0x3p-7},
                                    {1, 1 + 0x1p-51}};
    static const double nor[][2] = {{0, 1}, {1.5, 0.02}, {0, 1e-30}, {-2, 3}};
    static const double tn[][4] = {
        {0, 1, -2, 2}, {0, 1, -3, 3}, {0.5, 2, -1, 4}, {0, 1, 1, 2}, {0, 1, -8, -3},
        {0, 1, 5, 9}, {0, 1, -1e-3, 2e-3}, {0, 1e-3, -2e-3, 2e-3}, {0, 1, 0.6, 0.7},
        {0, 1, -40, 40}, {0, 1, 35, 36}, {0, 1, -36, -35}, {0, 1, -0.7, -0.6},
        {0, 1, 7.5, 1e300}, {0, 1, -1e-12, 1e-12},
        /* float32 outputs (IF_TN_INVERSE_CDF_F32): the bounds clamps of bf16(+-0.04),
         * central and tail lanes mixed in one vector (+-100 sigma, no bounds), the
         * edge of the central range (|z| <= 2.2621), mirrored intervals, a narrow one */
        {0, 0.02, -0.04, 0.04}, {0, 0.02, -2, 2}, {0, 1, -1e300, 1e300},
        {0, 1, -2.2621, 2.2622}, {1, 1, -1, 3}, {0, 1, -0.5, 1e300}, {0, 1, 2.26, 2.27}};
    static const uint64_t firsts[] = {0, 1, 3, 5, 1000003, (UINT64_C(1) << 33) + 7};
    /* 200: the truncated normal float64's pair of batches, then one batch, then a
     * rest (AVX-512: 2 x 64 + 64 + 8) */
    static const uint64_t ns[] = {1, 7, 63, 64, 65, 127, 128, 129, 200, 300, 4099};
    for (int dtype = 0; dtype < 6; ++dtype) {
        for (size_t fi = 0; fi < sizeof firsts / sizeof firsts[0]; ++fi) {
            for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ++ni) {
                const uint64_t f = firsts[fi], n = ns[ni];
                if (dtype == INITFILL_UINT32 || dtype == INITFILL_UINT64) {
                    compare(INITFILL_BITS, dtype, NULL, 0, f, n);
                    continue;
                }
                for (size_t k = 0; k < sizeof uni / sizeof uni[0]; ++k)
                    if (dtype < INITFILL_FLOAT16 || (uni[k][1] < 65000 && k != 7))
                        compare(INITFILL_UNIFORM, dtype, uni[k], 2, f, n);
                for (size_t k = 0; k < sizeof nor / sizeof nor[0]; ++k)
                    compare(INITFILL_NORMAL, dtype, nor[k], 2, f, n);
                for (size_t k = 0; k < sizeof tn / sizeof tn[0]; ++k)
                    compare(INITFILL_TRUNC_NORMAL, dtype, tn[k], 4, f, n);
            }
        }
        /* long runs: many batches, the rare branches (far tails) included */
        if (dtype == INITFILL_UINT32 || dtype == INITFILL_UINT64) {
            compare(INITFILL_BITS, dtype, NULL, 0, 3, 1 << 18);
        } else {
            compare(INITFILL_UNIFORM, dtype, uni[0], 2, 3, 1 << 18);
            compare(INITFILL_NORMAL, dtype, nor[0], 2, 3, 1 << 18);
            compare(INITFILL_TRUNC_NORMAL, dtype, tn[0], 4, 3, 1 << 18);
            compare(INITFILL_TRUNC_NORMAL, dtype, tn[4], 4, 3, 1 << 18);
            compare(INITFILL_TRUNC_NORMAL, dtype, tn[1], 4, 3, 1 << 18);
            compare(INITFILL_TRUNC_NORMAL, dtype, tn[16], 4, 3, 1 << 18);
            compare(INITFILL_TRUNC_NORMAL, dtype, tn[18], 4, 3, 1 << 18);
        }
        /* above the non-temporal store threshold, at every alignment */
        for (size_t shift = 0; shift < 9; ++shift) {
            const uint64_t n = (UINT64_C(1) << 22) + 37, f = 5 + shift;
            if (dtype == INITFILL_UINT32 || dtype == INITFILL_UINT64)
                compare_at(INITFILL_BITS, dtype, NULL, 0, f, n, shift);
            else
                compare_at(shift % 2 ? INITFILL_NORMAL : INITFILL_UNIFORM, dtype, uni[1], 2,
                           f, n, shift);
        }
    }
}

/* The half roundings on values near each rounding boundary: a constant fill
 * (normal with std 0: to nearest even, a zero mean signed by z; uniform
 * low == high: down) of one float32 value v, for every top 16 bits of v and low bits around the float16 and bfloat16
 * rounding points. */
static void halves(void) {
    static const uint32_t lows[] = {0x0000, 0x0001, 0x0FFF, 0x1000, 0x1001, 0x1FFF, 0x2000,
                                    0x7FFF, 0x8000, 0x8001, 0xFFFF, 0x3000, 0xB001};
    enum { N = 256 };
    uint16_t ref[N], got[N];
    for (uint32_t hi = 0; hi < 0x10000; ++hi) {
        for (size_t li = 0; li < sizeof lows / sizeof lows[0]; ++li) {
            const uint32_t b = hi << 16 | lows[li];
            float v;
            memcpy(&v, &b, sizeof v);
            if (!(v - v == 0.0f)) continue; /* inf, NaN */
            for (int dtype = INITFILL_FLOAT16; dtype <= INITFILL_BFLOAT16; ++dtype) {
                for (int down = 0; down < 2; ++down) {
                    const double par[2] = {v, down ? v : 0.0};
                    initfill_plan p;
                    if (initfill_plan_init(&p, down ? INITFILL_UNIFORM : INITFILL_NORMAL,
                                           dtype, par, 2) != INITFILL_OK)
                        continue; /* beyond the half type's range */
                    fill_at(INITFILL_SIMD_SCALAR, &p, 0, N, ref);
                    for (int level = 1; level < INITFILL_SIMD_LEVELS; ++level) {
                        if (!fill_at(level, &p, 0, N, got)) continue;
                        for (int i = 0; i < N; ++i) {
                            if (got[i] != ref[i]) {
                                printf("FAIL: %s dtype %d down %d of %a: %04x, scalar %04x\n",
                                       initfill_simd_name(level), dtype, down, (double)v,
                                       got[i], ref[i]);
                                ++failures;
                                break;
                            }
                        }
                    }
                }
            }
        }
    }
}

int main(void) {
    printf("test_levels: comparing with scalar:");
    for (int level = 1; level < INITFILL_SIMD_LEVELS; ++level)
        if (initfill_simd_available(level)) printf(" %s", initfill_simd_name(level));
    printf("\n");
    fills();
    halves();
    initfill_set_simd_level(INITFILL_SIMD_SCALAR);
    if (failures) {
        printf("test_levels: %d failures\n", failures);
        return 1;
    }
    printf("test_levels: all levels equal\n");
    return 0;
}

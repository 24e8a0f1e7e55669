/* dispatch.c - which SIMD level fills, chosen once from the CPU.
 *
 * Levels are compiled in by the build (IF_BUILD_AVX2, IF_BUILD_AVX512,
 * IF_BUILD_NEON) and usable when the CPU and OS support them.  The first fill (or
 * query) picks the best usable level, or the one INITFILL_SIMD names
 * (scalar|avx2|avx512|neon) when that one is usable; initfill_set_simd_level
 * changes it later.  Every level writes the same bytes, so the choice is never
 * visible in the values, only in the speed. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "initfill/initfill.h"
#include "kernels.h"

atomic_int if_cpu_has_bf16 = 0;

static atomic_int active_level = -1;

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define IF_X86_DETECT 1
static int x86_v3(void) {
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("f16c") && __builtin_cpu_supports("bmi") &&
           __builtin_cpu_supports("bmi2");
}
static int x86_v4(void) {
    return x86_v3() && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
}
#endif

int initfill_simd_available(int level) {
#if defined(IF_X86_DETECT)
    __builtin_cpu_init();
#endif
    switch (level) {
    case INITFILL_SIMD_SCALAR: return 1;
#if defined(IF_BUILD_AVX2) && defined(IF_X86_DETECT)
    case INITFILL_SIMD_AVX2: return x86_v3();
#endif
#if defined(IF_BUILD_AVX512) && defined(IF_X86_DETECT)
    case INITFILL_SIMD_AVX512: return x86_v4();
#endif
#if defined(IF_BUILD_NEON)
    case INITFILL_SIMD_NEON: return 1;
#endif
    default: return 0;
    }
}

const char *initfill_simd_name(int level) {
    switch (level) {
    case INITFILL_SIMD_SCALAR: return "scalar";
    case INITFILL_SIMD_AVX2: return "avx2";
    case INITFILL_SIMD_AVX512: return "avx512";
    case INITFILL_SIMD_NEON: return "neon";
    default: return NULL;
    }
}

static int detect(void) {
#if defined(IF_BUILD_AVX512) && defined(IF_X86_DETECT)
    atomic_store_explicit(&if_cpu_has_bf16,
                          x86_v4() && __builtin_cpu_supports("avx512bf16"),
                          memory_order_relaxed);
#endif
    const char *env = getenv("INITFILL_SIMD");
    if (env != NULL) {
        for (int level = 0; level < INITFILL_SIMD_LEVELS; ++level)
            if (strcmp(env, initfill_simd_name(level)) == 0 && initfill_simd_available(level))
                return level;
    }
    for (int level = INITFILL_SIMD_LEVELS - 1; level > 0; --level)
        if (initfill_simd_available(level)) return level;
    return INITFILL_SIMD_SCALAR;
}

int initfill_simd_level(void) {
    int level = atomic_load_explicit(&active_level, memory_order_acquire);
    if (level < 0) {
        level = detect();
        atomic_store_explicit(&active_level, level, memory_order_release);
    }
    return level;
}

int initfill_set_simd_level(int level) {
    if (level < 0 || level >= INITFILL_SIMD_LEVELS || !initfill_simd_available(level))
        return INITFILL_ERR_PARAM;
    (void)initfill_simd_level(); /* detect the CPU's features first */
    atomic_store_explicit(&active_level, level, memory_order_release);
    return INITFILL_OK;
}

if_contig_fn if_active_contig(void) {
    switch (initfill_simd_level()) {
#if defined(IF_BUILD_AVX2)
    case INITFILL_SIMD_AVX2: return if_gen_contig_avx2;
#endif
#if defined(IF_BUILD_AVX512)
    case INITFILL_SIMD_AVX512: return if_gen_contig_avx512;
#endif
#if defined(IF_BUILD_NEON)
    case INITFILL_SIMD_NEON: return if_gen_contig_neon;
#endif
    default: return if_gen_contig_scalar;
    }
}

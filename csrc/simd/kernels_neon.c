/* kernels_neon.c - the aarch64 level: Advanced SIMD (NEON), present on every ARMv8-A
 * core, so setup.py compiles this file with no extra flags and dispatch.c always
 * uses it on aarch64 builds. */
#include "vec_neon.h"
#define IF_SIMD_ENTRY if_gen_contig_neon
#include "fills_template.h"

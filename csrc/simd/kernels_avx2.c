/* kernels_avx2.c - the x86-64-v3 level: AVX2, FMA, F16C, BMI1/2.  setup.py compiles
 * this file alone with those flags; dispatch.c calls it only on CPUs that have them. */
#include "vec_avx2.h"
#define IF_SIMD_ENTRY if_gen_contig_avx2
#include "fills_template.h"

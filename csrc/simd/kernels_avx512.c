/* kernels_avx512.c - the x86-64-v4 level: AVX-512 F/BW/DQ/VL (+ AVX512_BF16 where
 * the compiler has it, used only when the CPU has it too).  setup.py compiles this
 * file alone with those flags; dispatch.c calls it only on CPUs that have them. */
#include "vec_avx512.h"
#define IF_SIMD_ENTRY if_gen_contig_avx512
#include "fills_template.h"

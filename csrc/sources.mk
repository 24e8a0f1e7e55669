# csrc/sources.mk - the one list of initfill's C sources and the flags its values
# depend on.  Read by csrc/Makefile (include), csrc/CMakeLists.txt and setup.py
# (both parse it: keep to plain `NAME = value` lines, $(NAME) references to names
# defined above, and # comments).  Paths are relative to csrc/.

# The portable sources: the library, scalar level included.
IF_SOURCES = plan.c special.c kernels_scalar.c dispatch.c driver.c pool.c zero.c api.c

# Flags every C file is compiled with (GCC and Clang).  The first four are
# value-critical: C11, no FMA contraction, IEEE semantics without errno, no
# type-based alias assumptions.  Never add fast-math style flags: they change values.
IF_VALUE_FLAGS = -std=c11 -ffp-contract=off -fno-math-errno -fno-strict-aliasing
IF_WARNING_FLAGS = -Wall -Wextra
# The same guarantee with MSVC (no SIMD levels there).
IF_MSVC_VALUE_FLAGS = /fp:strict

# SIMD levels per architecture.  Level L's kernel file IF_L_SOURCE is compiled alone
# with IF_L_FLAGS, plus each of IF_L_OPTIONAL_FLAGS the compiler accepts, and the
# library with -D$(IF_L_MACRO); dispatch.c runs it only on CPUs that have it.  A
# build may leave a level out (the scalar level always remains).
IF_X86_64_LEVELS = AVX2 AVX512
IF_AARCH64_LEVELS = NEON

IF_AVX2_SOURCE = simd/kernels_avx2.c
IF_AVX2_MACRO = IF_BUILD_AVX2
IF_AVX2_FLAGS = -mavx2 -mfma -mf16c -mbmi -mbmi2
IF_AVX2_OPTIONAL_FLAGS =

IF_AVX512_SOURCE = simd/kernels_avx512.c
IF_AVX512_MACRO = IF_BUILD_AVX512
IF_AVX512_FLAGS = $(IF_AVX2_FLAGS) -mavx512f -mavx512bw -mavx512dq -mavx512vl
IF_AVX512_OPTIONAL_FLAGS = -mavx512bf16

IF_NEON_SOURCE = simd/kernels_neon.c
IF_NEON_MACRO = IF_BUILD_NEON
IF_NEON_FLAGS =
IF_NEON_OPTIONAL_FLAGS =

"""Build of initfill: the C kernels of csrc/ and the Cython glue, as one extension.

Flags are portable (no tuning for the build machine) and keep IEEE semantics: no fast-math, no
FMA contraction, so every build computes the same values.
"""
import os
import platform
import shutil
import sys
import tempfile

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

# The public C headers, shipped in the package as initfill/include/initfill/*.h
# (initfill.get_include() returns initfill/include).
PUBLIC_HEADERS = ["csrc/include/initfill/initfill.h", "csrc/include/initfill/initfill_capi.h"]


class build_py_with_headers(build_py):
    """build_py that also copies the public C headers into the built package."""

    def run(self):
        super().run()
        dest = os.path.join(self.build_lib, "initfill", "include", "initfill")
        os.makedirs(dest, exist_ok=True)
        for header in PUBLIC_HEADERS:
            shutil.copy2(header, dest)


C_SOURCES = ["csrc/plan.c", "csrc/special.c", "csrc/kernels_scalar.c", "csrc/dispatch.c",
             "csrc/driver.c", "csrc/pool.c", "csrc/api.c"]

# SIMD levels: (kernel file, macro telling dispatch.c it is built, required flags,
# optional flags).  Each file is compiled alone with its flags; dispatch.c runs it
# only on CPUs that have them, so the extension stays portable.  A level whose flags
# the compiler rejects is left out (the scalar level always remains).
_X86_V3 = ["-mavx2", "-mfma", "-mf16c", "-mbmi", "-mbmi2"]
_X86_V4 = _X86_V3 + ["-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl"]
if sys.platform == "win32" or os.environ.get("INITFILL_NO_SIMD"):
    SIMD_LEVELS = []
elif platform.machine().lower() in ("x86_64", "amd64"):
    SIMD_LEVELS = [
        ("csrc/simd/kernels_avx2.c", "IF_BUILD_AVX2", _X86_V3, []),
        ("csrc/simd/kernels_avx512.c", "IF_BUILD_AVX512", _X86_V4, ["-mavx512bf16"]),
    ]
elif platform.machine().lower() in ("aarch64", "arm64"):
    SIMD_LEVELS = [("csrc/simd/kernels_neon.c", "IF_BUILD_NEON", [], [])]
else:
    SIMD_LEVELS = []

if sys.platform == "win32":
    COMPILE_ARGS = ["/O2", "/fp:strict"]
else:
    COMPILE_ARGS = [
        "-std=c11", "-O3", "-Wall", "-Wextra",
        "-ffp-contract=off", "-fno-math-errno", "-fno-strict-aliasing",
    ]
    if os.environ.get("INITFILL_WERROR"):
        COMPILE_ARGS.append("-Werror")

class build_ext_simd(build_ext):
    """build_ext that adds the SIMD kernel files, each compiled with its own flags."""

    def build_extension(self, ext):
        flags_of = {}
        for source, macro, required, optional in SIMD_LEVELS:
            if not os.path.exists(source) or not self._accepts(required):
                print(f"initfill: compiler rejects {' '.join(required)}; {source} left out")
                continue
            flags_of[os.path.normpath(source)] = required + [f for f in optional
                                                             if self._accepts(required + [f])]
            if source not in ext.sources:
                ext.sources.append(source)
                ext.define_macros.append((macro, "1"))
        compile_one = self.compiler._compile

        def _compile(obj, src, ext_, cc_args, extra_postargs, pp_opts):
            extra = flags_of.get(os.path.normpath(src), [])
            return compile_one(obj, src, ext_, cc_args, extra_postargs + extra, pp_opts)

        self.compiler._compile = _compile
        try:
            super().build_extension(ext)
        finally:
            self.compiler._compile = compile_one

    def _accepts(self, flags):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "probe.c")
            with open(src, "w") as f:
                f.write("#include <immintrin.h>\nint main(void) { return 0; }\n"
                        if any(f.startswith("-mavx") for f in flags) else
                        "int main(void) { return 0; }\n")
            try:
                self.compiler.compile([src], output_dir=tmp, extra_postargs=flags)
            except Exception:
                return False
        return True


extensions = [
    Extension(
        "initfill._core",
        sources=["src/initfill/_core.pyx", *C_SOURCES],
        include_dirs=["csrc/include", "csrc", np.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")],
        extra_compile_args=COMPILE_ARGS,
        libraries=[] if sys.platform == "win32" else ["m", "pthread"],
    )
]

setup(
    cmdclass={"build_py": build_py_with_headers, "build_ext": build_ext_simd},
    ext_modules=cythonize(
        extensions,
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "embedsignature": True,
            "autotestdict": False,
        },
    ),
)

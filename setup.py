"""Build of initfill: the C kernels of csrc/ and the Cython glue, as one extension.

Flags are portable (no tuning for the build machine) and keep IEEE semantics: no fast-math, no
FMA contraction, so every build computes the same values.  The C sources, those flags and
the SIMD levels come from csrc/sources.mk, which the Makefile and CMake read too.
"""
import os
import platform
import re
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


def read_source_list(path="csrc/sources.mk"):
    """The `NAME = value` lines of csrc/sources.mk, each value split into words.

    That file is the one list of C sources, value-critical flags and SIMD levels,
    shared with csrc/Makefile (which includes it) and csrc/CMakeLists.txt; $(NAME)
    references to names defined above are expanded.
    """
    values = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"([A-Za-z0-9_]+)\s*=(.*)", line.split("#", 1)[0])
            if m:
                values[m.group(1)] = re.sub(r"\$\(([A-Za-z0-9_]+)\)",
                                            lambda r: values[r.group(1)], m.group(2)).strip()
    return {name: value.split() for name, value in values.items()}


SOURCE_LIST = read_source_list()
C_SOURCES = [f"csrc/{name}" for name in SOURCE_LIST["IF_SOURCES"]]

# SIMD levels: (kernel file, macro telling dispatch.c it is built, required flags,
# optional flags).  Each file is compiled alone with its flags; dispatch.c runs it
# only on CPUs that have them, so the extension stays portable.  A level whose flags
# the compiler rejects is left out (the scalar level always remains).
_MACHINE = platform.machine().lower()
if sys.platform == "win32" or os.environ.get("INITFILL_NO_SIMD"):
    _LEVELS = []
elif _MACHINE in ("x86_64", "amd64"):
    _LEVELS = SOURCE_LIST["IF_X86_64_LEVELS"]
elif _MACHINE in ("aarch64", "arm64"):
    _LEVELS = SOURCE_LIST["IF_AARCH64_LEVELS"]
else:
    _LEVELS = []
SIMD_LEVELS = [
    (f"csrc/{SOURCE_LIST[f'IF_{level}_SOURCE'][0]}", SOURCE_LIST[f"IF_{level}_MACRO"][0],
     SOURCE_LIST[f"IF_{level}_FLAGS"], SOURCE_LIST[f"IF_{level}_OPTIONAL_FLAGS"])
    for level in _LEVELS
]

if sys.platform == "win32":
    COMPILE_ARGS = ["/O2", *SOURCE_LIST["IF_MSVC_VALUE_FLAGS"]]
else:
    COMPILE_ARGS = ["-O3", *SOURCE_LIST["IF_VALUE_FLAGS"], *SOURCE_LIST["IF_WARNING_FLAGS"]]
    if os.environ.get("INITFILL_WERROR"):
        COMPILE_ARGS.append("-Werror")


class build_ext_simd(build_ext):
    """build_ext that adds the SIMD kernel files, each compiled with its own flags."""

    def build_extension(self, ext):
        flags_of = {}
        for source, macro, required, optional in SIMD_LEVELS:
            if not self._accepts(required):
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

if __name__ == "__main__":  # also under setuptools.build_meta; tests import the lists
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

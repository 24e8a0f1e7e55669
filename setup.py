"""Build of initfill: the C kernels of csrc/ and the Cython glue, as one extension.

Flags are portable (no tuning for the build machine) and keep IEEE semantics: no fast-math, no
FMA contraction, so every build computes the same values.
"""
import os
import shutil
import sys

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_py import build_py

# The public C headers, shipped in the package as initfill/include/initfill/*.h
# (initfill.get_include() returns initfill/include).
PUBLIC_HEADERS = ["csrc/initfill/initfill.h", "csrc/initfill/initfill_capi.h"]


class build_py_with_headers(build_py):
    """build_py that also copies the public C headers into the built package."""

    def run(self):
        super().run()
        dest = os.path.join(self.build_lib, "initfill", "include", "initfill")
        os.makedirs(dest, exist_ok=True)
        for header in PUBLIC_HEADERS:
            shutil.copy2(header, dest)


C_SOURCES = ["csrc/plan.c", "csrc/special.c", "csrc/kernels.c", "csrc/driver.c", "csrc/pool.c", "csrc/api.c"]

if sys.platform == "win32":
    COMPILE_ARGS = ["/O2", "/fp:strict"]
else:
    COMPILE_ARGS = [
        "-std=c11", "-O3", "-Wall", "-Wextra",
        "-ffp-contract=off", "-fno-math-errno", "-fno-strict-aliasing",
    ]
    if os.environ.get("INITFILL_WERROR"):
        COMPILE_ARGS.append("-Werror")

extensions = [
    Extension(
        "initfill._core",
        sources=["src/initfill/_core.pyx", *C_SOURCES],
        include_dirs=["csrc", np.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")],
        extra_compile_args=COMPILE_ARGS,
        libraries=[] if sys.platform == "win32" else ["m", "pthread"],
    )
]

setup(
    cmdclass={"build_py": build_py_with_headers},
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

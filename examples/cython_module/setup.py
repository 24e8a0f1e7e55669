"""Build the example Cython module: ``python setup.py build_ext --inplace``.

``cimport initfill`` finds initfill/__init__.pxd in the installed package; the
generated C includes initfill/initfill_capi.h from ``initfill.get_include()``.
"""
import initfill
from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    name="fillcy",
    ext_modules=cythonize(
        [Extension("fillcy", ["fillcy.pyx"], include_dirs=[initfill.get_include()])],
        language_level=3,
    ),
)

"""Build the example C extension: ``python setup.py build_ext --inplace``.

The only thing initfill adds is its include folder; the module calls the kernels
through the capsule ``initfill._C_API`` and does not link to initfill.
"""
import initfill
from setuptools import Extension, setup

setup(
    name="fillext",
    ext_modules=[
        Extension("fillext", ["fillext.c"], include_dirs=[initfill.get_include()])
    ],
)

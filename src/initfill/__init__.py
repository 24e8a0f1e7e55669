"""initfill: fast, bit-reproducible in-place initialization of large buffers.

Every value is a pure function of ``(seed, stream, global element index)``, computed
by C kernels on the counter-based Philox4x32-10 generator: the same bytes come out
whatever the thread count, the memory layout, or the way a tensor is sharded.

The main names:

- :class:`Generator` -- a seed and a stream counter, with ``uniform_``, ``normal_``,
  ``trunc_normal_`` and ``bits_`` fills;
- ``torch.nn.init``-style functions: :func:`uniform_`, :func:`normal_`,
  :func:`trunc_normal_`, :func:`constant_`, :func:`zeros_`, :func:`ones_`,
  :func:`xavier_uniform_`, :func:`xavier_normal_`, :func:`kaiming_uniform_`,
  :func:`kaiming_normal_`, :func:`calculate_gain`;
- :func:`lecun_uniform_`, :func:`lecun_normal_`, :func:`variance_scaling_`
  (Keras/JAX), :func:`compute_fans`;
- :func:`manual_seed`, :func:`set_num_threads`, :func:`get_num_threads`;
- :func:`simd_level`, :func:`simd_levels`, :func:`set_simd_level` (the kernels'
  instruction set; environment variable ``INITFILL_SIMD``);
- for C, C++, Cython and Numba: :func:`get_include`, the capsule ``_C_API``,
  ``cimport initfill`` and :mod:`initfill.ctypes_api` (see "Using initfill from C,
  Cython and Numba" in README.md).

Optional modules, imported only when asked for: :mod:`initfill.torch` (torch's
``nn.init`` names and whole-module init) and :mod:`initfill.dask` (lazy dask arrays
whose chunks equal the whole fill; the ``[dask]`` extra).
"""
from ._core import ABI_VERSION, ALGORITHM_VERSION
from ._core import _C_API  # noqa: F401  (the capsule that initfill_capi.h imports)
from ._fans import calculate_gain, compute_fans
from ._generator import Generator, stream_id
from ._functions import (
    constant_,
    TRUNC_STD_CORRECTION,
    default_generator,
    kaiming_normal_,
    kaiming_uniform_,
    lecun_normal_,
    lecun_uniform_,
    manual_seed,
    normal_,
    ones_,
    trunc_normal_,
    uniform_,
    variance_scaling_,
    xavier_normal_,
    xavier_uniform_,
    zeros_,
)
from ._include import get_include
from ._threads import MAX_THREADS, available_cpus, get_num_threads, set_num_threads
from ._simd import set_simd_level, simd_level, simd_levels
from . import initializers
from ._recommend import recommend

__version__ = "0.1.0"

__all__ = [
    "ABI_VERSION",
    "ALGORITHM_VERSION",
    "Generator",
    "MAX_THREADS",
    "TRUNC_STD_CORRECTION",
    "available_cpus",
    "calculate_gain",
    "compute_fans",
    "constant_",
    "default_generator",
    "get_include",
    "get_num_threads",
    "initializers",
    "kaiming_normal_",
    "kaiming_uniform_",
    "lecun_normal_",
    "lecun_uniform_",
    "manual_seed",
    "normal_",
    "ones_",
    "recommend",
    "set_num_threads",
    "set_simd_level",
    "simd_level",
    "simd_levels",
    "stream_id",
    "trunc_normal_",
    "uniform_",
    "variance_scaling_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

"""Cython glue between NumPy arrays and the C kernels of ``csrc/``.

Only checks what C cannot see (the array object) and calls the kernels with the GIL
released above a size threshold.  Everything user-facing lives in the Python modules.
"""
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t, uintptr_t
from libc.string cimport memcmp, memcpy
import sys

cimport cython
cimport numpy as cnp

cnp.import_array()


include "_core_cdefs.pxi"
include "_core_capi.pxi"
include "_core_parts.pxi"
include "_core_fill.pxi"
include "_core_streams.pxi"
include "_core_fast.pxi"
include "_core_target.pxi"
include "_core_dlpack.pxi"
include "_core_testing.pxi"
include "_core_simd.pxi"

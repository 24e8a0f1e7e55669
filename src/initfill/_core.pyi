"""Type stubs of the Cython glue ``initfill._core`` (private; used by the Python API)."""
from collections.abc import Sequence
from typing import Any, SupportsIndex

from typing_extensions import disjoint_base

import numpy as np

ALGORITHM_VERSION: int
ABI_VERSION: int
MAX_THREADS: int

def capi_addresses() -> dict[str, int]: ...
def capi_header() -> tuple[int, int, int]: ...

def status_message(status: int) -> str: ...
@disjoint_base
class Plan:
    @property
    def status(self) -> int: ...
    def __new__(cls, dist: int, dtype: int, params: tuple[float, ...]) -> Plan: ...

def check_params(dist: int, dtype: int, params: tuple[float, ...]) -> int: ...
def fill(
    arr: np.ndarray[Any, Any],
    plan: Plan,
    seed: int,
    stream: int,
    gstrides: tuple[int, ...],
    gbase: int,
    nthreads: int,
) -> int: ...
def philox4x32_10(
    ctr: Sequence[SupportsIndex], key: Sequence[SupportsIndex]
) -> tuple[int, int, int, int]: ...
def dlpack_info(
    capsule: object,
) -> tuple[int, tuple[int, ...], tuple[int, ...] | None, int, int, int, bool | None]: ...
def round_half(src: Any, dst: Any, dtype: int, down: bool = False) -> None: ...
def set_fill_threads(n: int) -> None: ...
def pool_workers() -> int: ...
def fast_target(x: object, bits: bool = False) -> int: ...
def fill_fast(
    gen: object,
    x: object,
    dist: int,
    p0: float = 0.0,
    p1: float = 0.0,
    p2: float = 0.0,
    p3: float = 0.0,
    nparams: int = 0,
) -> int: ...

SIMD_NAMES: tuple[str, ...]
def simd_level_index() -> int: ...
def simd_available(level: int) -> bool: ...
def set_simd_level_index(level: int) -> None: ...

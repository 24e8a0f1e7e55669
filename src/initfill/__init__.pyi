"""Type stubs of the public initfill API (see the docstrings in the modules)."""
from collections.abc import Mapping, Sequence
from typing import Any, Literal, SupportsIndex, TypeVar

import numpy as np
from numpy.typing import DTypeLike
from typing_extensions import TypeAlias

from . import initializers as initializers
from ._recommend import Recommendation

__version__: str
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

ALGORITHM_VERSION: int
ABI_VERSION: int
MAX_THREADS: int
TRUNC_STD_CORRECTION: float
# The C API table for extension modules (see initfill/initfill_capi.h).
_C_API: Any

def get_include() -> str: ...

# What a fill writes into: a NumPy array (any shape and strides), any writable
# buffer-protocol object (memoryview, bytearray, mmap, array.array, ...), a CPU
# torch.Tensor, or any object exporting __dlpack__ on the CPU.  Every fill returns the
# very object it was given, hence a TypeVar (unbounded: torch and DLPack objects have
# no common static type that does not import them).
_BufferT = TypeVar("_BufferT")

# Real scalars accepted as parameters (bool is refused at run time).
_Real: TypeAlias = float | np.floating[Any] | np.integer[Any]
_Stream: TypeAlias = SupportsIndex | str
_Shape: TypeAlias = Sequence[SupportsIndex]
_Axes: TypeAlias = int | Sequence[int]

_Layout: TypeAlias = Literal["torch", "keras", "jax"]
_KaimingMode: TypeAlias = Literal["fan_in", "fan_out"]
_Mode: TypeAlias = Literal["fan_in", "fan_out", "fan_avg", "fan_geo_avg"]
_Distribution: TypeAlias = Literal[
    "truncated_normal", "untruncated_normal", "normal", "uniform"
]
_Nonlinearity: TypeAlias = Literal[
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "selu",
]

class Generator:
    def __init__(self, seed: SupportsIndex | None = None, *,
                 next_stream: SupportsIndex | str = 0) -> None: ...
    def take_stream(self, stream: SupportsIndex | str | None = None) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def next_stream(self) -> int: ...
    @property
    def state(self) -> dict[str, int]: ...
    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Generator: ...
    def uniform_(
        self,
        x: _BufferT,
        low: _Real = 0.0,
        high: _Real = 1.0,
        *,
        stream: _Stream | None = None,
        global_shape: _Shape | None = None,
        offset: _Shape | None = None,
        dtype: DTypeLike | None = None,
    ) -> _BufferT: ...
    def normal_(
        self,
        x: _BufferT,
        mean: _Real = 0.0,
        std: _Real = 1.0,
        *,
        stream: _Stream | None = None,
        global_shape: _Shape | None = None,
        offset: _Shape | None = None,
        dtype: DTypeLike | None = None,
    ) -> _BufferT: ...
    def trunc_normal_(
        self,
        x: _BufferT,
        mean: _Real = 0.0,
        std: _Real = 1.0,
        a: _Real = -2.0,
        b: _Real = 2.0,
        *,
        stream: _Stream | None = None,
        global_shape: _Shape | None = None,
        offset: _Shape | None = None,
        dtype: DTypeLike | None = None,
    ) -> _BufferT: ...
    def bits_(
        self,
        x: _BufferT,
        *,
        stream: _Stream | None = None,
        global_shape: _Shape | None = None,
        offset: _Shape | None = None,
        dtype: DTypeLike | None = None,
    ) -> _BufferT: ...

def stream_id(stream: _Stream) -> int: ...
def recommend(
    activation: str,
    *,
    layout: _Layout = "torch",
    negative_slope: float | None = None,
    seed: SupportsIndex | None = None,
) -> Recommendation: ...
def manual_seed(seed: SupportsIndex) -> Generator: ...
def default_generator() -> Generator: ...
def set_num_threads(n: SupportsIndex) -> None: ...
def get_num_threads() -> int: ...
def available_cpus() -> int: ...
def simd_level() -> str: ...
def simd_levels() -> tuple[str, ...]: ...
def set_simd_level(level: str) -> None: ...
def calculate_gain(nonlinearity: _Nonlinearity, param: float | None = None) -> float: ...
def compute_fans(
    shape: _Shape,
    layout: _Layout = "torch",
    *,
    in_axis: _Axes | None = None,
    out_axis: _Axes | None = None,
    batch_axis: _Axes = (),
) -> tuple[int, int]: ...
def uniform_(
    x: _BufferT,
    a: _Real = 0.0,
    b: _Real = 1.0,
    *,
    generator: Generator | None = None,
    stream: _Stream | None = None,
    global_shape: _Shape | None = None,
    offset: _Shape | None = None,
    dtype: DTypeLike | None = None,
) -> _BufferT: ...
def normal_(
    x: _BufferT,
    mean: _Real = 0.0,
    std: _Real = 1.0,
    *,
    generator: Generator | None = None,
    stream: _Stream | None = None,
    global_shape: _Shape | None = None,
    offset: _Shape | None = None,
    dtype: DTypeLike | None = None,
) -> _BufferT: ...
def trunc_normal_(
    x: _BufferT,
    mean: _Real = 0.0,
    std: _Real = 1.0,
    a: _Real = -2.0,
    b: _Real = 2.0,
    *,
    generator: Generator | None = None,
    stream: _Stream | None = None,
    global_shape: _Shape | None = None,
    offset: _Shape | None = None,
    dtype: DTypeLike | None = None,
) -> _BufferT: ...
def constant_(x: _BufferT, val: _Real, *, dtype: DTypeLike | None = None) -> _BufferT: ...
def zeros_(x: _BufferT, *, dtype: DTypeLike | None = None) -> _BufferT: ...
def ones_(x: _BufferT, *, dtype: DTypeLike | None = None) -> _BufferT: ...
def xavier_uniform_(
    x: _BufferT,
    gain: _Real = 1.0,
    *,
    generator: Generator | None = None,
    stream: _Stream | None = None,
    global_shape: _Shape | None = None,
    offset: _Shape | None = None,
    dtype: DTypeLike | None = None,
) -> _BufferT: ...
def xavier_normal_(
    x: _BufferT,
    gain: _Real = 1.0,
    *,
    generator: Generator | None = None,
    stream: _Stream | None = None,
    global_shape: _Shape | None = None,
    offset: _Shape | None = None,
    dtype: DTypeLike | None = None,
) -> _BufferT: ...
def kaiming_uniform_(
    x: _BufferT,
    a: float = 0,
    mode: _KaimingMode = "fan_in",
    nonlinearity: _Nonlinearity = "leaky_relu",
    *,
    generator: Generator | None = None,
    stream: _Stream | None = None,
    global_shape: _Shape | None = None,
    offset: _Shape | None = None,
    dtype: DTypeLike | None = None,
) -> _BufferT: ...
def kaiming_normal_(
    x: _BufferT,
    a: float = 0,
    mode: _KaimingMode = "fan_in",
    nonlinearity: _Nonlinearity = "leaky_relu",
    *,
    generator: Generator | None = None,
    stream: _Stream | None = None,
    global_shape: _Shape | None = None,
    offset: _Shape | None = None,
    dtype: DTypeLike | None = None,
) -> _BufferT: ...
def variance_scaling_(
    x: _BufferT,
    scale: _Real = 1.0,
    mode: _Mode = "fan_in",
    distribution: _Distribution = "truncated_normal",
    *,
    layout: _Layout = "torch",
    in_axis: _Axes | None = None,
    out_axis: _Axes | None = None,
    batch_axis: _Axes = (),
    generator: Generator | None = None,
    stream: _Stream | None = None,
    global_shape: _Shape | None = None,
    offset: _Shape | None = None,
    dtype: DTypeLike | None = None,
) -> _BufferT: ...
def lecun_uniform_(
    x: _BufferT,
    *,
    layout: _Layout = "torch",
    generator: Generator | None = None,
    stream: _Stream | None = None,
    global_shape: _Shape | None = None,
    offset: _Shape | None = None,
    dtype: DTypeLike | None = None,
) -> _BufferT: ...
def lecun_normal_(
    x: _BufferT,
    *,
    layout: _Layout = "torch",
    generator: Generator | None = None,
    stream: _Stream | None = None,
    global_shape: _Shape | None = None,
    offset: _Shape | None = None,
    dtype: DTypeLike | None = None,
) -> _BufferT: ...

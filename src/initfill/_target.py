"""The output of one fill, resolved once: :class:`Target` and :func:`resolve_target`."""
from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from ._buffers import BITS_CODES, FLOAT_CODES, addressing, as_target


class Target:
    """A buffer and its addressing, resolved once per call and passed down.

    Attributes
    ----------
    source : object
        What the caller passed (returned by the fill).
    array : ndarray
        A writable, aligned, native-endian view of the memory of `source`.
    code : int
        The C element type (``_core.FLOAT32`` ...).
    global_shape : tuple of int
        Shape of the logical tensor (fans are read from it).
    gstrides : tuple of int or None
        C-order element strides of the logical tensor; None when `array` is the
        whole tensor (C derives them from its shape).
    gbase : int
        Global index of the first element of `array`.
    tensor : torch.Tensor or None
        The torch tensor to tell after the write (its version counter), if any.
    """

    __slots__ = ("source", "array", "code", "global_shape", "gstrides", "gbase", "tensor")

    def __init__(self, source: Any, array: np.ndarray, code: int,
                 global_shape: tuple[int, ...], gstrides: tuple[int, ...] | None,
                 gbase: int, tensor: Any) -> None:
        self.source = source
        self.array = array
        self.code = code
        self.global_shape = global_shape
        self.gstrides = gstrides
        self.gbase = gbase
        self.tensor = tensor

    def tell_written(self) -> None:
        """Tell torch that the target was written (bumps a tensor's version counter)."""
        if self.tensor is not None:
            _core.bump_version(self.tensor)


def resolve_target(x: Any, bits: bool, what: str, dtype: Any = None,
                   global_shape: Any = None, offset: Any = None) -> Target:
    """Resolve `x` and its addressing for a fill, checking everything before a write.

    Parameters
    ----------
    x : ndarray, buffer, torch tensor or DLPack object
        The output.
    bits : bool
        Whether the fill writes raw words (uint32/uint64) rather than floats.
    what : str
        Name of the fill, for messages.
    dtype, global_shape, offset
        As the fills take them.

    Returns
    -------
    Target

    Raises
    ------
    TypeError, ValueError
        As the fills document, naming the argument.
    """
    if dtype is None and global_shape is None and offset is None:
        code = _core.fast_target(x, bits)
        if code >= 0:  # a C-contiguous, writable ndarray of a type of the fill
            return Target(x, x, code, x.shape, None, 0, None)
    arr, code, tensor = as_target(x, dtype, BITS_CODES if bits else FLOAT_CODES, what)
    if global_shape is None and offset is None:
        return Target(x, arr, code, arr.shape, None, 0, tensor)
    gshape, gstrides, gbase = addressing(arr.shape, global_shape, offset)
    return Target(x, arr, code, gshape, gstrides, gbase, tensor)

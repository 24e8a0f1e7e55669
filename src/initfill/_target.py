"""The output of one fill, resolved once: :func:`resolve_target` makes its
:class:`Target` (a small C-level class of ``_core``, so that the common case costs
one call)."""
from __future__ import annotations

from typing import Any

from . import _core
from ._core import Target
from ._buffers import BITS_CODES, FLOAT_CODES, addressing, as_target


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
        target = _core.whole_array_target(x, bits)
        if target is not None:
            return target
    arr, code, tensor = as_target(x, dtype, BITS_CODES if bits else FLOAT_CODES, what)
    if global_shape is None and offset is None:
        return Target(x, arr, code, arr.shape, None, 0, tensor)
    gshape, gstrides, gbase = addressing(arr.shape, global_shape, offset)
    return Target(x, arr, code, gshape, gstrides, gbase, tensor)

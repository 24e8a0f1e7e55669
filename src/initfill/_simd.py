"""Which SIMD level the kernels run at.

The C core is compiled at several instruction-set levels (portable scalar C, x86-64-v3
AVX2, x86-64-v4 AVX-512, aarch64 NEON) and picks the best one the CPU supports when it
is imported.  Every level writes the same bytes -- the choice shows only in the speed.
The environment variable ``INITFILL_SIMD`` (``scalar``, ``avx2``, ``avx512`` or
``neon``) forces a level at import; naming one this machine cannot run is an error.
"""
from __future__ import annotations

import os

from . import _core

ENV_VAR = "INITFILL_SIMD"

__all__ = ["set_simd_level", "simd_level", "simd_levels"]


def simd_levels() -> tuple[str, ...]:
    """The SIMD levels this build can run on this CPU, slowest first.

    Returns
    -------
    tuple of str
        A subset of ``("scalar", "avx2", "avx512", "neon")``; always starts with
        ``"scalar"``.
    """
    return tuple(name for i, name in enumerate(_core.SIMD_NAMES) if _core.simd_available(i))


def simd_level() -> str:
    """The SIMD level the kernels run at now.

    Returns
    -------
    str
        ``"scalar"``, ``"avx2"``, ``"avx512"`` or ``"neon"``.

    Examples
    --------
    >>> import initfill
    >>> initfill.simd_level() in initfill.simd_levels()
    True
    """
    return _core.SIMD_NAMES[_core.simd_level_index()]


def set_simd_level(level: str) -> None:
    """Run the kernels at another SIMD level (process-wide).

    Meant for benchmarks and tests: every level writes the same bytes, and the
    default is already the fastest level the CPU supports.

    Parameters
    ----------
    level : str
        One of :func:`simd_levels`.

    Raises
    ------
    TypeError
        If `level` is not a string.
    ValueError
        If `level` is unknown, or not available with this build on this CPU.
    """
    if not isinstance(level, str):
        raise TypeError(f"level must be a str, got {type(level).__name__}")
    if level not in _core.SIMD_NAMES:
        raise ValueError(f"unknown SIMD level {level!r}; known: {', '.join(_core.SIMD_NAMES)}")
    if level not in simd_levels():
        raise ValueError(f"SIMD level {level!r} is not available on this machine; "
                         f"available: {', '.join(simd_levels())}")
    _core.set_simd_level_index(_core.SIMD_NAMES.index(level))


def _apply_env() -> None:
    raw = os.environ.get(ENV_VAR)
    if raw is None or raw.strip() == "":
        return
    name = raw.strip().lower()
    try:
        set_simd_level(name)
    except ValueError as e:
        raise ImportError(f"{ENV_VAR}={raw!r}: {e}") from None


_apply_env()

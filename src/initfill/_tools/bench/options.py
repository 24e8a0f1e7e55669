"""What ``initfill bench`` is asked to measure: :class:`BenchOptions`, and the parsers
of the ``--size`` and ``--only`` texts."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .cases import OPS

__all__ = ["BenchOptions", "parse_size", "select_ops"]


@dataclass(frozen=True)
class BenchOptions:
    """What to measure.

    Attributes
    ----------
    size : int
        Elements per fill (default 2**24).
    dtypes : tuple of str
        Float dtypes, from float32, float64, float16, bfloat16.
    threads : tuple of int
        Thread counts, ascending.
    ops : tuple of str
        Operations to measure (names from :data:`~initfill._tools.bench.cases.OPS`).
    repeat : int
        Timed calls per measurement; the median is reported.
    max_seconds : float
        Time cap per measurement (see the module docstring); 0 disables it.
    """

    size: int = 1 << 24
    dtypes: tuple[str, ...] = ("float32", "float64")
    threads: tuple[int, ...] = (1,)
    ops: tuple[str, ...] = OPS
    repeat: int = 5
    max_seconds: float = 1.0



_SUFFIX = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def parse_size(text: str) -> int:
    """Parse an element count: ``16777216``, ``2**24``, ``2^24``, ``16M``, ``64k``, ``1G``.

    K, M, G are binary (2**10, 2**20, 2**30 elements).

    Raises
    ------
    ValueError
        Not such a number, or below 1.
    """
    s = text.strip().lower().replace("_", "")
    try:
        for op in ("**", "^"):
            if op in s:
                base, exp = s.split(op)
                v = int(base) ** int(exp)
                break
        else:
            if s and s[-1] in _SUFFIX:
                v = int(s[:-1]) * _SUFFIX[s[-1]]
            else:
                v = int(s)
    except ValueError:
        raise ValueError(f"not an element count: {text!r} (e.g. 16777216, 2**24, 16M)") \
            from None
    if v < 1:
        raise ValueError(f"size must be >= 1, got {v}")
    if v > 1 << 34:
        raise ValueError(f"size {v} is over 2**34 elements; this is a benchmark")
    return v


def select_ops(terms: Sequence[str]) -> tuple[str, ...]:
    """The operations whose name contains any of ``terms`` (substring match).

    ``normal`` selects normal, trunc_normal, xavier_normal, kaiming_normal and
    lecun_normal; ``kaiming`` both Kaiming initializers; ``fresh`` the fresh-memory
    rows.

    Raises
    ------
    ValueError
        A term that matches no operation.
    """
    out = []
    for term in terms:
        hits = [op for op in OPS if term in op]
        if not hits:
            raise ValueError(f"{term!r} matches no operation (known: {', '.join(OPS)})")
        out += hits
    return tuple(op for op in OPS if op in out)


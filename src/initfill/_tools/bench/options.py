"""What ``initfill bench`` is asked to measure: :class:`BenchOptions`, and the parsers
of the ``--size`` and ``--only`` texts."""
from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

from .cases import OPS
from .noise import SPREAD_THRESHOLD

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
        Timed calls per measurement (at most); the median is reported.
    max_seconds : float
        Time budget of a row's timed calls: they stop once they have taken this long
        in all (at least one call); 0: always ``repeat`` calls.  Never changes the
        size.
    spread_threshold : float
        A row whose slowest timed call took more than this times its fastest is
        flagged noisy.
    """

    size: int = 1 << 24
    dtypes: tuple[str, ...] = ("float32", "float64")
    threads: tuple[int, ...] = (1,)
    ops: tuple[str, ...] = OPS
    repeat: int = 5
    max_seconds: float = 1.0
    spread_threshold: float = SPREAD_THRESHOLD


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
    """The operations named by ``terms``, in the order of :data:`OPS`.

    A term is an exact operation name (``normal`` is the normal fill only) or a
    shell-style pattern (:func:`fnmatch.fnmatchcase`: ``*`` any text, ``?`` one
    character, ``[...]`` a set): ``*normal`` selects normal, trunc_normal and the
    normal initializers; ``kaiming_*`` both Kaiming initializers.

    Raises
    ------
    ValueError
        A term that names or matches no operation.
    """
    out = []
    for term in terms:
        hits = [op for op in OPS if fnmatch.fnmatchcase(op, term)]
        if not hits:
            raise ValueError(f"{term!r} names no operation (known: {', '.join(OPS)}; "
                             "patterns: *, ?, [...])")
        out += hits
    return tuple(op for op in OPS if op in out)

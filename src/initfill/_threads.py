"""How many threads a fill may use."""
from __future__ import annotations

import os

from . import _core
from ._params import integer

ENV_VAR = "INITFILL_NUM_THREADS"


MAX_THREADS: int = _core.MAX_THREADS
"""The most threads one fill may use (``INITFILL_MAX_THREADS`` of the C library)."""


def available_cpus() -> int:
    """Return the number of CPUs this process may run on.

    Returns
    -------
    int
        The size of the process's CPU affinity set where the platform has one, else
        ``os.cpu_count()``; at least 1.  It is the default of
        :func:`initfill.get_num_threads`.
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _from_env() -> int:
    raw = os.environ.get(ENV_VAR)
    if raw is None or raw.strip() == "":
        return available_cpus()
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_THREADS:
        # An ImportError, as for INITFILL_SIMD: a setting silently ignored is a run
        # that does not use the threads it was told to.
        raise ImportError(
            f"environment variable {ENV_VAR}={raw!r}: expected an integer in "
            f"[1, {MAX_THREADS}] (or unset, for the number of available CPUs)")
    return n


# The count lives in _core (its fast path reads it without calling back into Python).
_core.set_fill_threads(_from_env())


def set_num_threads(n: int) -> None:
    """Set the number of threads later fills may use.

    Parameters
    ----------
    n : int
        A positive thread count, at most 1024.  Small buffers run on the calling
        thread whatever this says.  The values written never depend on it.

    Raises
    ------
    TypeError
        If `n` is not an integer.
    ValueError
        If `n` is out of range.

    See Also
    --------
    get_num_threads
    """
    n = integer("n", n)
    if not 1 <= n <= MAX_THREADS:
        raise ValueError(f"n must be in [1, {MAX_THREADS}], got {n}")
    _core.set_fill_threads(n)


def get_num_threads() -> int:
    """Return the number of threads fills may use.

    It starts as the environment variable ``INITFILL_NUM_THREADS`` when that is set,
    else as the number of CPUs this process may run on.

    Returns
    -------
    int
        The current thread count.
    """
    return _core.fill_threads()

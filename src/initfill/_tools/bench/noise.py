"""When ``initfill bench``'s figures are not to be trusted: the spread of a row's
repeated calls, and the load the machine already carried when the run started.

A row is *noisy* when the slowest of its timed calls took more than
``spread_threshold`` times the fastest (default :data:`SPREAD_THRESHOLD`).  The
machine is *busy* when the 1-minute load average at the start of the run is above
:data:`BUSY_LOAD_PER_CPU` per CPU this process may use: other work was running, and
every row may be slower than the machine can do.
"""
from __future__ import annotations

import os
from collections.abc import Sequence

__all__ = ["BUSY_LOAD_PER_CPU", "SPREAD_THRESHOLD", "load_average", "machine_busy",
           "spread"]

#: Default max/min of a row's timed calls above which the row is flagged noisy.
SPREAD_THRESHOLD = 1.25
#: 1-minute load average per available CPU above which the machine is called busy.
BUSY_LOAD_PER_CPU = 0.25


def load_average() -> float | None:
    """The 1-minute load average (``os.getloadavg``), None where the OS has none."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def machine_busy(load: float | None, cpus: int) -> bool:
    """Whether a 1-minute load average of ``load`` on ``cpus`` CPUs means other work
    is running (False when the load is unknown)."""
    return load is not None and load > BUSY_LOAD_PER_CPU * max(1, cpus)


def spread(times: Sequence[float]) -> float | None:
    """max/min of ``times``; None for fewer than two times."""
    if len(times) < 2:
        return None
    return max(times) / max(min(times), 1e-12)

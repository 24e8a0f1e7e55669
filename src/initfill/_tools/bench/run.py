"""``initfill bench``'s measurements: :func:`run_bench` plans them (:func:`plan`, from
the cases of :mod:`.implementations`), times each (median of its timed calls after
one warm-up call) and returns a :class:`BenchResult`; :mod:`.report` renders and
saves it.

Every row runs on ``size`` elements: rows of one operation (initfill, its peers, every
thread count) compare the same size.  A slow row is capped in time, not in size: its
timed calls stop once they have taken ``max_seconds`` in all (at least one call, at
most ``repeat``), and the row says how many it made.  Rows are flagged noisy, and the
run busy, as :mod:`.noise` says.
"""
from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

import numpy as np

import initfill

from .cases import DTYPES, FLOAT_OF_BITS, Case, Measurement, Workspace
from .implementations import fill_cases, fresh_cases, jax_has_x64, reference_cases
from .machine import machine_info
from .noise import load_average, machine_busy, spread
from .options import BenchOptions

__all__ = ["BenchResult", "Progress", "Row", "fmt_size", "plan", "run_bench",
           "set_case_threads", "thread_counts_restored", "timed_calls"]


@dataclass(frozen=True)
class Row(Measurement):
    """One measured line of the report (field names as in the JSON output)."""

    note: str
    size: int
    seconds: float            # median of times_s
    times_s: list[float]
    ns_per_elem: float
    gb_per_s: float
    repeats: int = 0          # timed calls made (fewer than asked under max_seconds)
    spread: float | None = None       # max/min of times_s (None for one call)
    noisy: bool = False               # spread above the options' spread_threshold
    ratio: float | None = None        # peer time / initfill time, per element
    bw_fraction: float | None = None  # GB/s / store-reference GB/s, same threads


@dataclass
class BenchResult:
    """The machine, the options, the rows, and what could not be measured."""

    machine: dict[str, Any]
    options: BenchOptions
    rows: list[Row] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    elapsed_s: float = 0.0
    load_average: float | None = None  # 1-minute load average when the run started
    busy: bool = False                 # that load says other work was running


# --- running ---------------------------------------------------------------------------

class Progress:
    """One line per measurement on a pipe; a single rewritten line on a terminal."""

    def __init__(self, stream: TextIO | None, total: int) -> None:
        self.stream, self.total, self.done = stream, total, 0
        self.tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self._width = 0

    def __call__(self, text: str) -> None:
        if self.stream is None:
            return
        self.done += 1
        line = f"[{self.done:>3}/{self.total}] {text}"
        if self.tty:
            pad = max(0, self._width - len(line))
            self.stream.write("\r" + line + " " * pad)
            self._width = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def timed_calls(fn: Callable[[], Any], repeat: int, budget_s: float,
                clock: Callable[[Callable[[], Any]], float] | None = None) -> list[float]:
    """Time ``fn`` up to ``repeat`` times, stopping once the calls have taken
    ``budget_s`` seconds in all (at least one call; ``budget_s <= 0``: no budget).
    ``clock(fn)`` calls ``fn`` and returns its seconds (default: the wall clock)."""
    clock = clock or _timed
    times: list[float] = []
    while len(times) < max(1, repeat):
        times.append(clock(fn))
        if budget_s > 0 and sum(times) >= budget_s:
            break
    return times


@contextmanager
def thread_counts_restored(with_torch: bool) -> Iterator[None]:
    """Give initfill's thread count (and torch's, if ``with_torch``) back as it was
    when the block ends, however it ends."""
    before = initfill.get_num_threads()
    torch_before = None
    if with_torch:
        import torch

        torch_before = torch.get_num_threads()
    try:
        yield
    finally:
        initfill.set_num_threads(before)
        if torch_before is not None:
            import torch

            torch.set_num_threads(torch_before)


def set_case_threads(case: Case) -> None:
    """Set initfill's thread count (and torch's, for a torch case) to ``case.threads``."""
    initfill.set_num_threads(case.threads)
    if case.impl == "torch":
        import torch

        torch.set_num_threads(case.threads)


def _measure(case: Case, ws: Workspace, opts: BenchOptions) -> Row:
    set_case_threads(case)
    n = opts.size
    fn = case.make(ws, n)
    fn()                                        # warm-up (and JIT compilation)
    times = timed_calls(fn, opts.repeat, opts.max_seconds)
    med = statistics.median(times)
    itemsize = np.dtype(DTYPES.get(case.dtype, case.dtype)).itemsize
    sec = max(med, 1e-9)
    sp = spread(times)
    return Row(case.group, case.op, case.dtype, case.threads, case.impl, case.call,
               case.note, n, med, times, sec / n * 1e9, n * itemsize / sec / 1e9,
               repeats=len(times), spread=sp,
               noisy=sp is not None and sp > opts.spread_threshold)


def plan(opts: BenchOptions, peers: dict[str, str | None]) -> list[Case]:
    """The measurements of a run, in the order they run: per dtype, the store
    reference, then each operation (initfill first, then its peers), then fresh memory.

    Parameters
    ----------
    opts : BenchOptions
    peers : dict
        Library versions, None where absent.

    Returns
    -------
    list of Case
    """
    cases: list[Case] = []
    ref_threads = tuple(sorted(set(opts.threads) | {1}))
    jax_x64 = None
    for dtype in opts.dtypes:
        ops: list[Case] = []
        for op in opts.ops:
            if op == "fresh":
                ops += fresh_cases(dtype, opts.threads)
            else:
                if peers.get("jax") and jax_x64 is None:
                    jax_x64 = jax_has_x64()
                ops += fill_cases(op, dtype, opts.threads, peers, jax_x64)
        if ops:
            cases += reference_cases(dtype, ref_threads) + ops
    return cases


def _with_ratios(rows: list[Row]) -> list[Row]:
    """``rows`` with ``ratio`` (to initfill's row) and ``bw_fraction`` (to the store
    reference's) filled in where the row they compare to was measured."""
    ref = {(r.dtype, r.threads): r for r in rows if r.group == "reference"}
    base: dict[tuple[str, str, str, int], Row] = {}
    for r in rows:
        if r.impl == "initfill":
            base[(r.group, r.op, r.dtype, r.threads)] = r
    fresh_if = {r.dtype: r for r in rows if r.group == "fresh" and r.impl == "initfill"}
    out = []
    for r in rows:
        st = ref.get((FLOAT_OF_BITS.get(r.dtype, r.dtype), r.threads))
        if r.group == "fill":
            b = base.get((r.group, r.op, r.dtype, r.threads))
        elif r.group == "fresh":
            b = fresh_if.get(r.dtype)
        else:
            b = None
        out.append(replace(r, bw_fraction=None if st is None else r.gb_per_s / st.gb_per_s,
                           ratio=None if b is None else r.ns_per_elem / b.ns_per_elem))
    return out


def run_bench(opts: BenchOptions, progress: TextIO | None = sys.stderr,
              machine: dict[str, Any] | None = None) -> BenchResult:
    """Run the benchmark.

    Parameters
    ----------
    opts : BenchOptions
    progress : text stream, optional
        Where progress goes (one line per measurement, or a rewritten line on a
        terminal); None for silence.
    machine : dict, optional
        :func:`~initfill._tools.bench.machine.machine_info`, if already at hand.

    Returns
    -------
    BenchResult
        ``load_average``/``busy`` are taken before anything runs.  A measurement that raised is listed in ``skipped`` with its error; the others
        still run.
    """
    t_start = time.perf_counter()
    load = load_average()                       # before this run adds its own load
    machine = machine if machine is not None else machine_info()
    result = BenchResult(machine, opts, load_average=load,
                         busy=machine_busy(load, machine["available_cpus"]))
    cases = plan(opts, machine["peers"])
    with_torch = bool(machine["peers"].get("torch")) and any(c.impl == "torch" for c in cases)
    ws = Workspace(opts.size)
    bar = Progress(progress, len(cases))
    with thread_counts_restored(with_torch):
        _run_cases(cases, ws, opts, result, bar)
    result.rows = _with_ratios(result.rows)
    result.elapsed_s = time.perf_counter() - t_start
    return result


def _run_cases(cases: list[Case], ws: Workspace, opts: BenchOptions,
               result: BenchResult, bar: Progress) -> None:
    try:
        for case in cases:
            try:
                row = _measure(case, ws, opts)
            except Exception as e:  # noqa: BLE001 -- a peer's failure is reported, not fatal
                result.skipped.append((case.label, f"{type(e).__name__}: {e}"))
                bar(f"{case.label}: skipped ({type(e).__name__}: {e})")
                continue
            result.rows.append(row)
            bar(f"{case.label}: {row.ns_per_elem:.3f} ns/elem, {fmt_size(row.size)} elements"
                + (f", noisy (spread {row.spread:.2f})" if row.noisy else ""))
    finally:
        bar.close()
        ws.close()


def fmt_size(n: int) -> str:
    """``2^k`` for a power of two, else the number."""
    return f"2^{n.bit_length() - 1}" if n & (n - 1) == 0 else str(n)

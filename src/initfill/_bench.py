"""``initfill bench``: time initfill and its installed peers on this machine.

:func:`run_bench` plans the measurements (:mod:`initfill._bench_cases`), times each
(median of ``repeat`` calls after one warm-up call) and returns a :class:`BenchResult`;
:func:`format_report` renders it, :func:`write_json` and :func:`plot_bench` save it.

Per-measurement time cap: a measurement whose ``repeat + 1`` calls would take more
than ``max_seconds`` (estimated from a call on 2**16 elements) runs on a smaller
power-of-two size, never below 2**20 elements (or ``size``, if smaller); its row says
the size it used.  Per-element figures of compute-bound fills do not depend on the
size above the caches; the store reference always runs at ``size``.
"""
from __future__ import annotations

import json
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO

import numpy as np

from ._bench_cases import (
    DTYPES,
    OPS,
    Case,
    Workspace,
    fill_cases,
    fresh_cases,
    jax_has_x64,
    reference_cases,
)
from ._bench_machine import format_machine, machine_info

__all__ = [
    "BenchOptions",
    "BenchResult",
    "MatplotlibMissing",
    "Row",
    "capped_size",
    "format_report",
    "parse_size",
    "plan",
    "plot_bench",
    "run_bench",
    "select_ops",
    "set_case_threads",
    "write_json",
]

PROBE_SIZE = 1 << 16
MIN_CAPPED_SIZE = 1 << 20


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
        Operations to measure (names from :data:`~initfill._bench_cases.OPS`).
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


@dataclass
class Row:
    """One measured line of the report (field names as in the JSON output)."""

    group: str
    op: str
    dtype: str
    threads: int
    impl: str
    call: str
    note: str
    size: int
    seconds: float            # median of times_s
    times_s: list[float]
    ns_per_elem: float
    gb_per_s: float
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


# --- option parsing (used by the command line) -----------------------------------------

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


# --- running ---------------------------------------------------------------------------

class _Progress:
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


def capped_size(case: Case, ws: Workspace, opts: BenchOptions) -> int:
    """The element count ``case`` runs on: ``opts.size``, or less under the time cap."""
    n = opts.size
    if (case.group == "reference" or opts.max_seconds <= 0
            or n <= max(PROBE_SIZE, MIN_CAPPED_SIZE)):
        return n
    fn = case.make(ws, PROBE_SIZE)
    fn()                                        # warm-up (and JIT compilation)
    per_elem = _timed(fn) / PROBE_SIZE
    floor = MIN_CAPPED_SIZE
    while n > floor and per_elem * n * (opts.repeat + 1) > opts.max_seconds:
        p = 1 << (n.bit_length() - 1)          # the power of two <= n
        n = p if p < n else n // 2
    return max(n, floor)


def set_case_threads(case: Case) -> None:
    """Set initfill's thread count (and torch's, for a torch case) to ``case.threads``."""
    import initfill

    initfill.set_num_threads(case.threads)
    if case.impl == "torch":
        import torch

        torch.set_num_threads(case.threads)


def _measure(case: Case, ws: Workspace, opts: BenchOptions) -> Row:
    set_case_threads(case)
    n = capped_size(case, ws, opts)
    fn = case.make(ws, n)
    fn()                                        # warm-up
    times = [_timed(fn) for _ in range(opts.repeat)]
    med = statistics.median(times)
    itemsize = np.dtype(DTYPES.get(case.dtype, case.dtype)).itemsize
    sec = max(med, 1e-9)
    return Row(case.group, case.op, case.dtype, case.threads, case.impl, case.call,
               case.note, n, med, times, sec / n * 1e9, n * itemsize / sec / 1e9)


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


def _fill_in_ratios(rows: list[Row]) -> None:
    ref = {(r.dtype, r.threads): r for r in rows if r.group == "reference"}
    store_dtype = {"uint32": "float32", "uint64": "float64"}
    base: dict[tuple[str, str, str, int], Row] = {}
    for r in rows:
        if r.impl == "initfill":
            base[(r.group, r.op, r.dtype, r.threads)] = r
    fresh_if = {r.dtype: r for r in rows if r.group == "fresh" and r.impl == "initfill"}
    for r in rows:
        st = ref.get((store_dtype.get(r.dtype, r.dtype), r.threads))
        if st is not None:
            r.bw_fraction = r.gb_per_s / st.gb_per_s
        if r.group == "fill":
            b = base.get((r.group, r.op, r.dtype, r.threads))
        elif r.group == "fresh":
            b = fresh_if.get(r.dtype)
        else:
            b = None
        if b is not None:
            r.ratio = r.ns_per_elem / b.ns_per_elem


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
        :func:`~initfill._bench_machine.machine_info`, if already at hand.

    Returns
    -------
    BenchResult
        A measurement that raised is listed in ``skipped`` with its error; the others
        still run.
    """
    import initfill

    t_start = time.perf_counter()
    machine = machine if machine is not None else machine_info()
    result = BenchResult(machine, opts)
    cases = plan(opts, machine["peers"])
    before = initfill.get_num_threads()
    torch_before = None
    if machine["peers"].get("torch") and any(c.impl == "torch" for c in cases):
        import torch

        torch_before = torch.get_num_threads()
    ws = Workspace(opts.size)
    bar = _Progress(progress, len(cases))
    try:
        for case in cases:
            try:
                row = _measure(case, ws, opts)
            except Exception as e:  # noqa: BLE001 -- a peer's failure is reported, not fatal
                result.skipped.append((case.label, f"{type(e).__name__}: {e}"))
                bar(f"{case.label}: skipped ({type(e).__name__}: {e})")
                continue
            result.rows.append(row)
            bar(f"{case.label}: {row.ns_per_elem:.3f} ns/elem, {_fmt_size(row.size)} elements")
    finally:
        bar.close()
        ws.close()
        initfill.set_num_threads(before)
        if torch_before is not None:
            import torch

            torch.set_num_threads(torch_before)
    _fill_in_ratios(result.rows)
    result.elapsed_s = time.perf_counter() - t_start
    return result


# --- reporting -------------------------------------------------------------------------

def _fmt_size(n: int) -> str:
    return f"2^{n.bit_length() - 1}" if n & (n - 1) == 0 else str(n)


def _fmt(v: float | None, spec: str, suffix: str = "") -> str:
    if v is None or not math.isfinite(v):
        return "-"
    return format(v, spec) + suffix


def _table(rows: list[Row], grouped: bool) -> list[str]:
    head = ("op", "dtype", "threads", "implementation", "elements", "ns/elem", "GB/s",
            "vs initfill", "of store BW", "note")
    cells: list[tuple[str, ...] | None] = []
    last = None
    for r in rows:
        key = (r.op, r.dtype)
        if grouped and last is not None and key != last:
            cells.append(None)
        last = key
        cells.append((r.op, r.dtype, str(r.threads), f"{r.impl} {r.call}", _fmt_size(r.size),
                      _fmt(r.ns_per_elem, ".3f"), _fmt(r.gb_per_s, ".2f"),
                      _fmt(r.ratio, ".2f", "x"),
                      _fmt(None if r.bw_fraction is None else 100 * r.bw_fraction,
                           ".1f", "%"),
                      r.note))
    present = [c for c in cells if c is not None]
    widths = [max(len(c[i]) for c in [head] + present) for i in range(len(head))]
    right = {2, 4, 5, 6, 7, 8}

    def line(cols: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cols, widths))).rstrip()

    out = [line(head), line(tuple("-" * w for w in widths))]
    out += ["" if c is None else line(c) for c in cells]
    return out


def format_report(result: BenchResult) -> str:
    """Render a :class:`BenchResult` as the text report: three tables and notes.

    Parameters
    ----------
    result : BenchResult

    Returns
    -------
    str
    """
    o = result.options
    fills = [r for r in result.rows if r.group == "fill"]
    fresh = [r for r in result.rows if r.group == "fresh"]
    refs = [r for r in result.rows if r.group == "reference"]
    out = [(f"median of {o.repeat} calls after one warm-up; size {_fmt_size(o.size)} "
           f"elements; dtypes {', '.join(o.dtypes)}; threads "
           f"{', '.join(map(str, o.threads))}; {result.elapsed_s:.1f} s in all"), ""]
    if fills:
        out += ["Fills into a preallocated, touched buffer", ""] + _table(fills, True) + [""]
    if fresh:
        out += ["Fresh memory: a new np.empty buffer per call (allocation + first touch)",
                ""] + _table(fresh, False) + [""]
    if refs:
        out += ["Store bandwidth reference: ndarray.fill on the same buffer", ""] \
            + _table(refs, False) + [""]
    out += [("vs initfill: the row's time per element / initfill's at the same op, dtype "
            "and threads (fresh memory: / initfill's fresh fill); above 1x, initfill is "
            "faster."),
            ("of store BW: the row's GB/s as a share of ndarray.fill's at the same dtype "
            "and thread count."),
            ("NumPy and SciPy run on one thread; torch with torch.set_num_threads(threads); "
            "JAX (jit) on XLA's own threads.")]
    if any(r.size < o.size for r in result.rows):
        out.append(f"A row with fewer elements than {_fmt_size(o.size)} was capped to "
                   f"about {o.max_seconds:g} s in all (--max-seconds).")
    for label, why in result.skipped:
        out.append(f"skipped: {label}: {why}")
    return "\n".join(out)


def as_json(result: BenchResult) -> dict[str, Any]:
    """The JSON document of a run: ``machine``, ``options``, ``rows``, ``skipped``,
    ``elapsed_s``."""
    return {"machine": result.machine, "options": asdict(result.options),
            "rows": [asdict(r) for r in result.rows],
            "skipped": [{"case": c, "reason": r} for c, r in result.skipped],
            "elapsed_s": result.elapsed_s}


def write_json(doc: dict[str, Any], path: str) -> None:
    """Write ``doc`` as indented JSON to ``path`` (OSError when it cannot)."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, allow_nan=False)
        f.write("\n")


class MatplotlibMissing(ImportError):
    """Raised by :func:`plot_bench` when matplotlib is not installed."""


def _figure() -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise MatplotlibMissing(
            "--plot needs matplotlib, which is not installed: pip install matplotlib"
        ) from None
    return Figure


def plot_bench(result: BenchResult, path: str) -> None:
    """Write a bar chart of ns per element (log scale): one panel per dtype, one group
    of bars per operation, one bar per implementation and thread count.

    Parameters
    ----------
    result : BenchResult
    path : str or path-like
        The output file (its suffix picks the format; ``.png`` for a PNG).

    Raises
    ------
    MatplotlibMissing
        matplotlib is not installed.
    OSError
        The file cannot be written.
    """
    Figure = _figure()
    rows = [r for r in result.rows if r.group != "reference"]
    # bits_ rows (uint32/uint64) go in the panel of the float type of their width
    panel_of = {"uint32": "float32", "uint64": "float64"}
    panels = list(dict.fromkeys(panel_of.get(r.dtype, r.dtype) for r in rows)) \
        or ["(nothing measured)"]
    series = list(dict.fromkeys((r.impl, r.threads) for r in rows))
    fig = Figure(figsize=(max(8.0, 1.1 * len(OPS) + 2), 3.2 * len(panels)),
                 layout="constrained")
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    width = 0.8 / max(1, len(series))
    for ax, dt in zip(axes, panels):
        mine = [r for r in rows if panel_of.get(r.dtype, r.dtype) == dt]
        ops = list(dict.fromkeys(r.op for r in mine))
        for k, (impl, t) in enumerate(series):
            xs, ys = [], []
            for i, op in enumerate(ops):
                r = next((r for r in mine if (r.op, r.impl, r.threads) == (op, impl, t)),
                         None)
                if r is not None:
                    xs.append(i - 0.4 + (k + 0.5) * width)
                    ys.append(r.ns_per_elem)
            if xs:
                ax.bar(xs, ys, width, label=f"{impl}, {t} thread" + ("s" if t > 1 else ""))
        labels = [f"bits ({next(r.dtype for r in mine if r.op == op)})"
                  if op == "bits" else op for op in ops]
        ax.set_xticks(range(len(ops)), labels, rotation=20, ha="right")
        ax.set_yscale("log")
        ax.set_ylabel("ns per element (lower is better)")
        ax.set_title(dt)
        ax.grid(axis="y", alpha=0.3)
    if series:
        axes[0].legend(fontsize="small", ncol=2)
    fig.suptitle(f"initfill bench: {result.machine['cpu']}, SIMD "
                 f"{result.machine['simd_level']}")
    fig.savefig(path, dpi=110)


def header(info: dict[str, Any] | None = None) -> str:
    """The first lines of the report: ``initfill bench`` and the machine."""
    return "initfill bench\n" + format_machine(info or machine_info())

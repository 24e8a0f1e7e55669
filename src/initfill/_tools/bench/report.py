"""``initfill bench``'s outputs: the text report, the JSON document and the bar chart."""
from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from ..plotting import figure_class, save_figure
from ..table import format_columns
from .cases import FLOAT_OF_BITS, OPS
from .machine import format_machine, machine_info
from .run import BenchResult, Row, fmt_size

__all__ = ["as_json", "format_report", "header", "noise_line", "plot_bench"]


def _fmt(v: float | None, spec: str, suffix: str = "") -> str:
    if v is None or not math.isfinite(v):
        return "-"
    return format(v, spec) + suffix


_HEAD = ("op", "dtype", "threads", "implementation", "elements", "calls", "spread",
         "ns/elem", "GB/s", "vs initfill", "of store BW", "note")


def _table(rows: list[Row], grouped: bool) -> list[str]:
    cells: list[tuple[str, ...] | None] = []
    last = None
    for r in rows:
        key = (r.op, r.dtype)
        if grouped and last is not None and key != last:
            cells.append(None)
        last = key
        note = "; ".join(t for t in ("NOISY" if r.noisy else "", r.note) if t)
        cells.append((r.op, r.dtype, str(r.threads), f"{r.impl} {r.call}", fmt_size(r.size),
                      str(r.repeats), _fmt(r.spread, ".2f"),
                      _fmt(r.ns_per_elem, ".3f"), _fmt(r.gb_per_s, ".2f"),
                      _fmt(r.ratio, ".2f", "x"),
                      _fmt(None if r.bw_fraction is None else 100 * r.bw_fraction,
                           ".1f", "%"),
                      note))
    return format_columns(_HEAD, cells, right={2, 4, 5, 6, 7, 8, 9, 10}, rule=True)


def noise_line(result: BenchResult) -> str:
    """One line on the load at the start and the rows flagged noisy."""
    o = result.options
    load = ("unknown" if result.load_average is None
            else f"{result.load_average:.2f} on {result.machine['available_cpus']} CPUs")
    noisy = sum(r.noisy for r in result.rows)
    text = f"load average at start: {load}"
    if result.busy:
        text += (" -- BUSY: other work was running, every figure may be slow "
                 "(rerun on an idle machine)")
    return (text + f"; {noisy} of {len(result.rows)} rows NOISY (slowest call over "
            f"{o.spread_threshold:g}x the fastest)")


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
    out = [(f"median of up to {o.repeat} calls after one warm-up (a row stops after "
            f"{o.max_seconds:g} s of calls; 'calls' says how many it made); every row on "
            f"{fmt_size(o.size)} elements; dtypes {', '.join(o.dtypes)}; threads "
            f"{', '.join(map(str, o.threads))}; {result.elapsed_s:.1f} s in all"),
           noise_line(result), ""]
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
            ("spread: the slowest timed call / the fastest; NOISY above "
             f"{o.spread_threshold:g}x (--noise-threshold)."),
            ("NumPy and SciPy run on one thread; torch with torch.set_num_threads(threads); "
            "JAX (jit) on XLA's own threads.")]
    for label, why in result.skipped:
        out.append(f"skipped: {label}: {why}")
    return "\n".join(out)


def as_json(result: BenchResult) -> dict[str, Any]:
    """The JSON document of a run: ``machine``, ``options``, ``noise`` (the load
    average at the start, ``busy``, the number of ``noisy_rows``), ``rows`` (each with
    its ``size``, ``repeats``, ``spread``, ``noisy``), ``skipped``, ``elapsed_s``."""
    return {"machine": result.machine, "options": asdict(result.options),
            "noise": {"load_average_1min": result.load_average, "busy": result.busy,
                      "spread_threshold": result.options.spread_threshold,
                      "noisy_rows": sum(r.noisy for r in result.rows)},
            "rows": [asdict(r) for r in result.rows],
            "skipped": [{"case": c, "reason": r} for c, r in result.skipped],
            "elapsed_s": result.elapsed_s}


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
    Figure = figure_class()
    rows = [r for r in result.rows if r.group != "reference"]
    # bits_ rows (uint32/uint64) go in the panel of the float type of their width
    panels = list(dict.fromkeys(FLOAT_OF_BITS.get(r.dtype, r.dtype) for r in rows)) \
        or ["(nothing measured)"]
    series = list(dict.fromkeys((r.impl, r.threads) for r in rows))
    fig = Figure(figsize=(max(8.0, 1.1 * len(OPS) + 2), 3.2 * len(panels)),
                 layout="constrained")
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    width = 0.8 / max(1, len(series))
    for ax, dt in zip(axes, panels):
        mine = [r for r in rows if FLOAT_OF_BITS.get(r.dtype, r.dtype) == dt]
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
    save_figure(fig, path)


def header(info: dict[str, Any] | None = None) -> str:
    """The first lines of the report: ``initfill bench`` and the machine."""
    return "initfill bench\n" + format_machine(info or machine_info())

"""pytest configuration for the benchmarks in this folder.

- Collects ``bench_*.py`` files (pytest's default pattern is ``test_*.py``), so
  ``python -m pytest benches --benchmark-only`` works from the repository root
  without touching ``pyproject.toml``.
- Prints, after pytest-benchmark's own tables, a summary with the median time per
  element of every fill and its speed relative to the reference of its group
  (initfill on one thread; in the fresh-memory groups, initfill's fresh fill), and
  for ``bench_model.py`` the best time of each case, the first-touch floor and the
  ratios against the whole-model targets.

Environment knobs: see ``bench_fill.py``.
"""
from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass

import pytest


def pytest_collect_file(file_path, parent):
    # Files named on the command line are collected by pytest itself, whatever
    # their name; collect the others that pytest's pattern would skip.
    if (file_path.suffix == ".py" and file_path.name.startswith("bench_")
            and not parent.session.isinitpath(file_path)
            and not any(fnmatch.fnmatch(file_path.name, pat)
                        for pat in parent.config.getini("python_files"))):
        ihook = parent.session.gethookproxy(file_path)
        return ihook.pytest_pycollect_makemodule(module_path=file_path, parent=parent)
    return None


@dataclass
class Result:
    group: str
    impl: str
    elements: int
    median_s: float
    min_s: float
    reference: bool

    @property
    def ns_per_element(self) -> float:
        return self.median_s / self.elements * 1e9

    @property
    def min_ns_per_element(self) -> float:
        return self.min_s / self.elements * 1e9


RESULTS: list[Result] = []
#: bench_model.py's best times (seconds), by model_bench's key.
MODEL_TIMES: dict[str, float] = {}


@pytest.fixture
def record_model_time():
    """Call with a model case's key and the benchmark fixture after it ran."""

    def record(key: str, benchmark) -> None:
        stats = getattr(getattr(benchmark, "stats", None), "stats", None)
        if stats is not None and getattr(stats, "data", None):
            MODEL_TIMES[key] = float(stats.min)

    return record


def model_summary_lines(times: dict[str, float]) -> list[str]:
    """The model cases' best times, the ratios and the targets (model_init's words)."""
    from initfill._tools.bench.model_init import TARGETS, ratios

    lines = [f"{key:<34} {t:8.3f} s" for key, t in times.items()]
    for key, value in ratios(times).items():
        target = TARGETS.get(key)
        note = ""
        if target is not None:
            op, bound, what = target
            met = value >= bound if op == ">=" else value <= bound
            note = f"   target {op} {bound:g} ({what}): {'met' if met else 'NOT met'}"
        lines.append(f"{key:<34} {value:8.2f}x{note}")
    return lines


@pytest.fixture
def record_result():
    """Call with the benchmark fixture after it ran, to enter it in the summary."""

    def record(benchmark) -> None:
        meta = getattr(benchmark, "stats", None)
        stats = getattr(meta, "stats", None)
        if stats is None or not getattr(stats, "data", None):
            return  # benchmarks disabled (--benchmark-disable): nothing was timed
        info = benchmark.extra_info
        RESULTS.append(
            Result(
                group=benchmark.group,
                impl=info["impl"],
                elements=int(info["elements"]),
                median_s=float(stats.median),
                min_s=float(stats.min),
                reference=bool(info.get("reference", False)),
            )
        )

    return record


def _fmt_ratio(r: float) -> str:
    if not math.isfinite(r):
        return "-"
    if r >= 1:
        return f"{r:.2f}x faster"
    return f"{1 / r:.2f}x slower"


def summary_lines(results: list[Result]) -> list[str]:
    """The summary table, one group after another, in the order they ran."""
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(r.group, []).append(r)
    rows = []
    for group, members in groups.items():
        ref = next((m for m in members if m.reference), None)
        for m in sorted(members, key=lambda m: m.ns_per_element):
            if ref is None or m is ref:
                ratio = "(reference)" if m is ref else "-"
            else:
                ratio = _fmt_ratio(ref.ns_per_element / m.ns_per_element)
            rows.append((group, m.impl, f"2**{int(math.log2(m.elements))}"
                         if m.elements & (m.elements - 1) == 0 else str(m.elements),
                         f"{m.ns_per_element:8.3f}", f"{m.min_ns_per_element:8.3f}",
                         ratio))
        rows.append(None)
    head = ("group", "implementation", "elements", "ns/element", "(min)",
            "median vs. reference of group")
    cells = [head] + [r for r in rows if r is not None]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]

    def line(cols):
        return "  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip()

    out = [line(head), line(["-" * w for w in widths])]
    for r in rows:
        out.append("" if r is None else line(r))
    while out and out[-1] == "":
        out.pop()
    return out


@pytest.hookimpl(trylast=True)  # after pytest-benchmark's own tables
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    tr = terminalreporter
    if MODEL_TIMES:
        tr.write_sep("=", "initfill model summary: best wall time, the floor (the "
                          "faster of floor_zeros and meta_to_empty_zero) and the ratios")
        for text in model_summary_lines(MODEL_TIMES):
            tr.write_line(text)
    if not RESULTS:
        return
    tr.write_sep("=", "initfill summary: ns per element, median of the rounds (lower is better)")
    for text in summary_lines(RESULTS):
        tr.write_line(text)
    tr.write_line("")
    tr.write_line(
        "Per-element figures divide the time of one call by its element count, so fills "
        "of different sizes compare; (min) is the fastest round, less disturbed by other "
        "load on the machine."
    )
    tr.write_line(
        "The reference of a group is initfill on one thread (fresh memory: initfill's "
        "fill of a new np.empty buffer on all threads); 'store' groups time "
        "ndarray.fill, the store bandwidth. `initfill bench` measures the same cases."
    )

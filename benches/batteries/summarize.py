"""Summarize the logs of benches/batteries/run.sh as the Markdown table of docs/batteries.md.

    python benches/batteries/summarize.py [RESULTS_DIR ...]

One row per log (build/batteries/results by default): the battery and layout, how
far it got, the extreme p-values, the statistics outside [1e-3, 1 - 1e-3] (TestU01's
own "suspect" threshold) or PractRand's flagged results, and the wall and CPU time.
A ``<battery>-each`` run (one test per process) counts its tests, and the logs of
runs of some of its tests (``<battery>-each-<layout>.tests-...txt``) are joined.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

TESTU01_TESTS = {"smallcrush": 10, "crush": 96, "bigcrush": 106}  # statistics: 15, 144, 160
SUSPECT = 1e-3


def statistics(text: str) -> list[tuple[str, float]]:
    """The driver's ``pvalue <index> <p> <test name>`` lines, as (name, p)."""
    return [(name, float(p)) for _, p, name in
            re.findall(r"^pvalue (\d+) (\S+) (.*)$", text, re.M)]


def testu01_row(battery: str, text: str) -> tuple[str, str, str]:
    pvalues = statistics(text)
    if pvalues:
        ps = [p for _, p in pvalues]
        cpu = re.search(r"Total CPU time:\s+(\S+)", text)
        out = [f"{name} p = {p:.3g}" for name, p in pvalues
               if not SUSPECT <= p <= 1 - SUSPECT]
        return (f"complete: {len(ps)} statistics",
                f"{min(ps):.3g} / {max(ps):.3g}; outside: {', '.join(out) or 'none'}",
                cpu.group(1) if cpu else "?")
    # Stopped early: the per-test reports so far ("p-value of test : 0.52", or
    # "eps"/"1 - eps1" for extreme ones).
    done = len(re.findall(r"^CPU time used", text, re.M))
    ps = re.findall(r"^p-value of test\s*:\s*(\S+)", text, re.M)
    flagged = [p for p in ps if re.search(r"eps|\*", p) or
               not SUSPECT <= float(p) <= 1 - SUSPECT]
    return (f"partial: {done} tests done ({len(ps)} p-values)",
            f"outside: {', '.join(flagged) or 'none'}", "-")


def each_row(battery: str, text: str) -> tuple[str, str, str]:
    """A ``<battery>-each`` log: one ``repeat`` run per test between ``== test N``
    markers.  A test counts once it reported its statistics (a test stopped and run
    again later, in a log joined from several runs, counts once)."""
    tests: dict[int, list[tuple[str, float]]] = {}
    cpu: dict[int, float] = {}
    for number, block in re.findall(r"^== test (\d+) start.*?$(.*?)^== test \1 end",
                                     text, re.M | re.S):
        found = statistics(block)
        if found:
            tests[int(number)] = found
            used = re.search(r"Total CPU time:\s+(\d+):(\d+):([\d.]+)", block)
            if used:
                h, m, sec = used.groups()
                cpu[int(number)] = 3600 * int(h) + 60 * int(m) + float(sec)
    total = TESTU01_TESTS[battery.removesuffix("-each")]
    pvalues = [pv for found in tests.values() for pv in found]
    if not pvalues:
        return f"0 of {total} tests", "-", "-"
    missing = sorted(set(range(1, total + 1)) - set(tests))
    ps = [p for _, p in pvalues]
    out = [f"test {t}: {name} p = {p:.3g}" for t, found in sorted(tests.items())
           for name, p in found if not SUSPECT <= p <= 1 - SUSPECT]
    got = f"{len(tests)} of {total} tests, {len(ps)} statistics"
    if missing:
        got += f" (not yet: {', '.join(map(str, missing))})"
    seconds = f"{sum(cpu.values()):.0f} s" if cpu.keys() == tests.keys() else "-"
    return (got, f"{min(ps):.3g} / {max(ps):.3g}; outside: {', '.join(out) or 'none'}",
            seconds)


def practrand_row(text: str) -> tuple[str, str, str]:
    lengths = re.findall(r"^length= (.*?), time= ([\d.]+) seconds", text, re.M)
    flagged, at = [], "?"
    for line in text.splitlines():
        if line.startswith("length= "):
            at = line.split(" (")[0][len("length= "):]
        elif re.search(r"\b(unusual|suspicious|FAIL)\b", line, re.I):
            flagged.append(f"at {at}: " + " ".join(line.split()))
    if not lengths:
        return "no report", "-", "-"
    length, seconds = lengths[-1]
    return (f"to {length.split(' (')[0]}",
            f"flagged: {'; '.join(flagged) or 'none'}", f"{float(seconds):.0f} s")


def main(dirs: list[str]) -> None:
    print("| battery | layout | how far | min / max p, out of range | CPU | wall |")
    print("|---|---|---|---|---|---|")
    for directory in dirs:
        # The logs of one battery on one layout; "<stem>.tests-..." logs (run.sh with
        # TESTS=) join their "<stem>" log.
        logs: dict[str, list[Path]] = {}
        for log in sorted(Path(directory).glob("*.txt")):
            logs.setdefault(log.name.split(".")[0], []).append(log)
        for stem, parts in logs.items():
            battery, layout = stem.split("-", 1)
            if layout.startswith("each-"):
                battery, layout = battery + "-each", layout[len("each-"):]
            if battery == "practrand":
                battery, layout = "-".join(stem.split("-", 2)[:2]), stem.split("-", 2)[2]
            texts = [log.read_text(errors="replace") for log in parts]
            text = "\n".join(texts)
            walls = [re.search(r"wall (\d+) s", t) for t in texts]
            if battery.startswith("practrand"):
                got, extremes, cpu = practrand_row(text)
            elif battery.endswith("-each"):
                got, extremes, cpu = each_row(battery, text)
            else:
                got, extremes, cpu = testu01_row(battery, text)
            wall = (f"{sum(int(w.group(1)) for w in walls)} s" if all(walls) else "running")
            print(f"| {battery} | {layout} | {got} | {extremes} | {cpu} | {wall} |")


if __name__ == "__main__":
    main(sys.argv[1:] or [str(Path(__file__).resolve().parents[2] / "build" /
                              "batteries" / "results")])

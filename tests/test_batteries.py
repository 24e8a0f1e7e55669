"""TestU01's SmallCrush on the raw ``bits_`` stream, opt-in: ``pytest -m battery``.

The default run deselects these tests (``addopts`` in pyproject.toml), since they need
TestU01, which is built from source by ``benches/batteries/build.sh`` (never by CI).
Selected without that build they fail and say how to make it.  The full record of
SmallCrush, Crush, BigCrush and PractRand runs is docs/batteries.md.

Besides SmallCrush itself (about 10 s), two checks tie the battery's input to the
library: the driver's words are ``Generator.bits_``'s, and its named streams are
``initfill.stream_id``'s (the driver computes BLAKE2b itself).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import initfill

pytestmark = pytest.mark.battery

ROOT = Path(__file__).resolve().parents[1]
DRIVER = Path(os.environ.get("BATTERY_BIN", ROOT / "build" / "batteries" / "bin")) / (
    "initfill_battery")
# The statistics of a fixed seed and stream are fixed: a correct generator gives a
# p-value outside this range with probability about 2e-6 per statistic.
P_MIN = 1e-6


def driver(*args: str, timeout: float = 60) -> str:
    if not DRIVER.is_file():
        pytest.fail(f"{DRIVER} is not built: run benches/batteries/build.sh "
                    "--testu01 <TestU01 source tree or git dir> (or with internet, "
                    "no argument: it downloads TestU01), see docs/batteries.md")
    done = subprocess.run([str(DRIVER), *args], capture_output=True, text=True,
                          timeout=timeout, check=True)
    return done.stdout


def test_driver_words_are_the_bits_stream():
    words = np.array(driver("print", "70000", "stream", "--seed", "7", "--stream", "3")
                     .split(), dtype=np.uint32)
    expected = initfill.Generator(7).bits_(np.empty(70000, np.uint32), stream=3)
    np.testing.assert_array_equal(words, expected)


def test_driver_heads_and_interleave_are_slices_of_streams():
    heads = np.array(driver("print", "5", "heads", "--seed", "1", "--stream", "9",
                            "--words", "2").split(), dtype=np.uint32)
    first = [initfill.Generator(1).bits_(np.empty(2, np.uint32), stream=s)
             for s in (9, 10, 11)]
    np.testing.assert_array_equal(heads, np.concatenate(first)[:5])
    mixed = np.array(driver("print", "200", "interleave", "--seed", "2", "--streams",
                            "4").split(), dtype=np.uint32)
    for s in range(4):
        np.testing.assert_array_equal(
            mixed[s::4], initfill.Generator(2).bits_(np.empty(50, np.uint32), stream=s))


def test_driver_named_streams_are_stream_id():
    for pattern in ("layers.{}.weight", "{}", "é" * 70 + "{}"):  # 1 and 2 blocks
        ids = [int(x) for x in driver("ids", "3", "named", "--names", pattern).split()]
        assert ids == [initfill.stream_id(pattern.replace("{}", str(i)))
                       for i in range(3)]


def test_smallcrush_passes_on_the_bits_stream():
    out = driver("smallcrush", "stream", "--seed", "0", "--stream", "0", timeout=600)
    pvalues = {line.split(" ", 3)[3]: float(line.split()[2])
               for line in out.splitlines() if line.startswith("pvalue ")}
    assert len(pvalues) == 15, out[-2000:]
    bad = {name: p for name, p in pvalues.items() if not P_MIN < p < 1 - P_MIN}
    assert not bad, f"SmallCrush statistics out of range: {bad}"

"""Known answers: the Random123 vectors of Philox4x32-10 and the frozen initfill stream.

``tests/data/known_answers.json`` holds the raw bits of values initfill wrote when the
data was made (``python tests/make_known_answers.py``): every distribution x dtype,
several seeds, counter/int/str streams (including streams >= 2**32), parameter sets
(including far-tail, one-sided and narrow truncated normals) and global element
indices above 2**33.  A mismatch means the stream changed: that breaks every user's
reproducibility and needs a new ALGORITHM_VERSION, not new data.
"""
from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import initfill
from initfill import _core

DATA = pathlib.Path(__file__).resolve().parent / "data" / "known_answers.json"

BREAKING = (
    "initfill's output stream changed. Every value is frozen for a given "
    "ALGORITHM_VERSION: changing any value is a breaking change of the "
    "reproducibility contract and needs a new ALGORITHM_VERSION (and then new data "
    "from `python tests/make_known_answers.py`), never silently regenerated data."
)

# Random123's kat_vectors for philox4x32_10: (ctr, key, expected output).
PHILOX_KAT = [
    ((0x00000000, 0x00000000, 0x00000000, 0x00000000), (0x00000000, 0x00000000),
     (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF),
     (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


@pytest.mark.parametrize("ctr, key, expected", PHILOX_KAT)
def test_philox4x32_10_random123_vectors(ctr, key, expected):
    assert tuple(_core.philox4x32_10(ctr, key)) == expected


def test_bits_are_the_philox_words():
    # Element i of a uint32 fill of stream 0 under seed 0 is word i % 4 of block i // 4
    # with counter (i // 4, 0, 0, 0): block 0 is the first Random123 vector.
    x = initfill.Generator(0).bits_(np.empty(4, np.uint32), stream=0)
    assert [int(v) for v in x] == list(PHILOX_KAT[0][2])
    # A block index with both counter words non-zero, the largest stream and seed:
    # the counter is (blk mod 2**32, blk >> 32, 2**32 - 1, 2**32 - 1).
    blk = 2**61 - 2
    x = np.empty(4, np.uint32)
    initfill.Generator(2**64 - 1).bits_(
        x, stream=2**64 - 1, global_shape=(2**63 - 1,), offset=(4 * blk,))
    want = _core.philox4x32_10((blk & 0xFFFFFFFF, blk >> 32, 0xFFFFFFFF, 0xFFFFFFFF),
                               (0xFFFFFFFF, 0xFFFFFFFF))
    assert [int(v) for v in x] == list(want)


def _load():
    with open(DATA) as f:
        return json.load(f)


DATA_JSON = _load()
CASES = DATA_JSON["cases"]


def test_algorithm_version():
    assert DATA_JSON["algorithm_version"] == 2
    assert initfill.ALGORITHM_VERSION == 2
    assert initfill.ALGORITHM_VERSION == DATA_JSON["algorithm_version"], BREAKING


def test_data_covers_the_contract():
    # Guard against the data file shrinking to nothing.
    seen = {(c["method"], c["dtype"]) for c in CASES}
    for m in ("uniform_", "normal_", "trunc_normal_"):
        for dt in ("float32", "float64"):
            assert (m, dt) in seen
    assert ("bits_", "uint32") in seen and ("bits_", "uint64") in seen
    assert any(isinstance(c["stream"], str) for c in CASES)
    assert any(isinstance(c["stream"], int) and c["stream"] >= 2**32 for c in CASES)
    assert any(c["offset"] and c["offset"][0] > 2**33 for c in CASES)
    tn = {(c["params"].get("a"), c["params"].get("b")) for c in CASES
          if c["method"] == "trunc_normal_"}
    assert {(6.0, "inf"), (40.0, "inf"), ("-inf", -1.0), (0.5, 0.5001)} <= tn


def _case_id(c):
    p = ",".join(f"{k}={v}" for k, v in c["params"].items())
    return f"{c['method']}-{c['dtype']}-{p}-seed{c['seed']}-s{c['stream']}-{c['position']}"


def _decode(v):
    return {"inf": np.inf, "-inf": -np.inf}.get(v, v) if isinstance(v, str) else v


RAW = {"float32": np.uint32, "float64": np.uint64, "uint32": np.uint32, "uint64": np.uint64}


def _run(c):
    g = initfill.Generator(c["seed"])
    x = np.empty(tuple(c["shape"]), dtype=c["dtype"])
    kw = {k: _decode(v) for k, v in c["params"].items()}
    if c["stream"] is not None:
        kw["stream"] = c["stream"]
    if c["global_shape"] is not None:
        kw["global_shape"] = tuple(c["global_shape"])
        kw["offset"] = tuple(c["offset"])
    assert getattr(g, c["method"])(x, **kw) is x
    return x


# Group cases by (method, dtype) so a failure report stays readable yet each group is
# one test; within a group every mismatch is listed.
GROUPS: dict[str, list] = {}
for _c in CASES:
    GROUPS.setdefault(f"{_c['method']}-{_c['dtype']}", []).append(_c)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_frozen_values(group):
    bad = []
    for c in GROUPS[group]:
        x = _run(c)
        raw = x.view(RAW[c["dtype"]]).reshape(-1)
        want = np.array([int(h, 16) for h in c["hex"]], dtype=RAW[c["dtype"]])
        if not np.array_equal(raw, want):
            width = 2 * raw.dtype.itemsize
            got = [format(int(v), f"0{width}x") for v in raw]
            bad.append(f"  {_case_id(c)}\n    want {c['hex']}\n    got  {got}")
    assert not bad, BREAKING + f"\n{len(bad)} case(s) differ:\n" + "\n".join(bad[:10])


def test_counter_stream_is_stream_zero_then_one():
    # A fresh Generator's first two fills are streams 0 and 1 (frozen by the data for
    # stream None; checked here against explicit streams).
    g = initfill.Generator(42)
    a = g.bits_(np.empty(8, np.uint32))
    b = g.bits_(np.empty(8, np.uint32))
    h = initfill.Generator(42)
    assert np.array_equal(a, h.bits_(np.empty(8, np.uint32), stream=0))
    assert np.array_equal(b, h.bits_(np.empty(8, np.uint32), stream=1))

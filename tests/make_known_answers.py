"""Regenerate ``tests/data/known_answers.json``: the frozen values of initfill's stream.

Run ``python tests/make_known_answers.py`` from anywhere.  The JSON it writes holds,
for every distribution x dtype and a set of seeds, streams, parameters and element
positions (including global element indices above 2**33), the raw bits of the values
initfill writes, as hex strings, next to the algorithm version that produced them.

Regenerating this file is only legitimate when ``initfill.ALGORITHM_VERSION`` changes:
any changed value is a breaking change of the reproducibility contract.  The test
(``tests/test_known_answers.py``) refuses data whose version differs from the
library's.
"""
from __future__ import annotations

import json
import math
import pathlib
import sys

import numpy as np

import initfill

OUT = pathlib.Path(__file__).resolve().parent / "data" / "known_answers.json"

INF = math.inf
SEEDS = [0, 42, 0x0123456789ABCDEF, 2**64 - 1]
# None: the first counter stream of a fresh Generator (stream 0).
STREAMS = [None, 1, 7, 2**32 + 5, 2**63 + 1, 2**64 - 1, "layers.0.weight", "decoder.embed"]

UNIFORM_PARAMS = [
    {"low": 0.0, "high": 1.0},
    {"low": -3.5, "high": 2.25},
    {"low": -0.1, "high": 0.1},
    {"low": -1e-3, "high": -1e-4},
]
NORMAL_PARAMS = [
    {"mean": 0.0, "std": 1.0},
    {"mean": 0.5, "std": 0.02},
    {"mean": -3.0, "std": 7.5},
]
TRUNC_PARAMS = [
    {"mean": 0.0, "std": 1.0, "a": -2.0, "b": 2.0},        # torch default
    {"mean": 0.0, "std": 0.02, "a": -0.04, "b": 0.04},     # +-2 sigma, small std
    {"mean": 0.0, "std": 1.0, "a": 6.0, "b": INF},         # far one-sided tail
    {"mean": 0.0, "std": 1.0, "a": 40.0, "b": INF},        # beyond 30 sigma
    {"mean": 0.0, "std": 1.0, "a": -INF, "b": -1.0},       # one-sided, left
    {"mean": 0.0, "std": 1.0, "a": 0.5, "b": 0.5001},      # narrow interval
    {"mean": 1.0, "std": 0.5, "a": 0.0, "b": 3.0},         # asymmetric
    {"mean": 0.0, "std": 1.0, "a": 3.0, "b": 3.5},         # interval in a tail
    {"mean": 0.0, "std": 1.0, "a": -INF, "b": INF},        # no truncation at all
]

FLOATS = ["float32", "float64"]
UINTS = ["uint32", "uint64"]

# (shape, global_shape, offset): where the values are taken.  None = whole small fill.
POSITIONS = {
    "first": ((13,), None, None),
    "first2d": ((3, 5), None, None),
    "above2^33": ((7,), (2**34,), (2**33 + 3,)),
    "above2^33_2d": ((3, 3), (2**17 + 1, 2**17), (2**16 + 5, 2**17 - 3)),
    "above2^33_wide": ((2, 5), (3, 2**33 + 7), (1, 2**33 - 1)),
    # Blocks 2**32 - 2 .. 2**32 + 1 for 32-bit outputs (the low counter word wraps).
    "block_wrap32": ((9,), (2**35,), (4 * 2**32 - 5,)),
    # The same wrap for 64-bit outputs (two elements per block).
    "block_wrap64": ((7,), (2**35,), (2 * 2**32 - 3,)),
}

RAW = {"float32": np.uint32, "float64": np.uint64, "uint32": np.uint32, "uint64": np.uint64}


def encode(value):
    """JSON-safe parameter values (inf has no JSON spelling)."""
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def decode(value):
    """Inverse of :func:`encode`."""
    if value == "inf":
        return INF
    if value == "-inf":
        return -INF
    return value


def hexes(x: np.ndarray) -> list[str]:
    """Raw bits of ``x`` in C order, as fixed-width hex strings."""
    raw = np.ascontiguousarray(x).view(RAW[x.dtype.name]).reshape(-1)
    width = 2 * raw.dtype.itemsize
    return [format(int(v), f"0{width}x") for v in raw]


def run_case(case: dict) -> np.ndarray:
    """Compute the values a case describes with the installed initfill."""
    g = initfill.Generator(case["seed"])
    x = np.empty(tuple(case["shape"]), dtype=case["dtype"])
    kw = {k: decode(v) for k, v in case["params"].items()}
    if case["stream"] is not None:
        kw["stream"] = case["stream"]
    if case["global_shape"] is not None:
        kw["global_shape"] = tuple(case["global_shape"])
        kw["offset"] = tuple(case["offset"])
    out = getattr(g, case["method"])(x, **kw)
    assert out is x
    return x


def cases() -> list[dict]:
    out = []

    def add(method, dtype, params, seed, stream, pos):
        shape, gshape, off = POSITIONS[pos]
        out.append({
            "method": method,
            "dtype": dtype,
            "params": {k: encode(v) for k, v in params.items()},
            "seed": seed,
            "stream": stream,
            "position": pos,
            "shape": list(shape),
            "global_shape": None if gshape is None else list(gshape),
            "offset": None if off is None else list(off),
        })

    dists = (
        [("uniform_", FLOATS, p) for p in UNIFORM_PARAMS]
        + [("normal_", FLOATS, p) for p in NORMAL_PARAMS]
        + [("trunc_normal_", FLOATS, p) for p in TRUNC_PARAMS]
        + [("bits_", UINTS, {})]
    )
    for di, (method, dtypes, params) in enumerate(dists):
        for dtype in dtypes:
            # Every parameter set: the first values of stream 0 under seed 0, and
            # high element indices.
            add(method, dtype, params, 0, None, "first")
            add(method, dtype, params, 12345, 3, "above2^33")
            # Rotate through seeds, streams and positions so every one is frozen for
            # every distribution without a full cross product.
            for j in range(3):
                seed = SEEDS[(di + j) % len(SEEDS)]
                stream = STREAMS[(2 * di + 3 * j + (dtype[-2:] == "64")) % len(STREAMS)]
                pos = list(POSITIONS)[(di + 2 * j + 1) % len(POSITIONS)]
                add(method, dtype, params, seed, stream, pos)
    # The default parameter sets: every seed x stream, first values.
    for method, dtypes in (("uniform_", FLOATS), ("normal_", FLOATS),
                           ("trunc_normal_", FLOATS), ("bits_", UINTS)):
        for dtype in dtypes:
            for seed in SEEDS:
                for stream in STREAMS:
                    add(method, dtype, {}, seed, stream, "first")
    return out


def main() -> int:
    data = {
        "algorithm_version": initfill.ALGORITHM_VERSION,
        "note": ("Frozen outputs of initfill; regenerate only together with a new "
                 "ALGORITHM_VERSION (python tests/make_known_answers.py). Values are "
                 "the raw bits (hex) in C order of the block."),
        "cases": [],
    }
    for case in cases():
        case["hex"] = hexes(run_case(case))
        data["cases"].append(case)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # One case per line: small, and diffs show which cases changed.
    lines = [json.dumps(c, separators=(",", ":")) for c in data["cases"]]
    head = json.dumps({k: v for k, v in data.items() if k != "cases"}, indent=1)
    with open(OUT, "w") as f:
        f.write(head[:-2] + ',\n "cases": [\n' + ",\n".join(lines) + "\n ]\n}\n")
    print(f"wrote {len(data['cases'])} cases (algorithm version "
          f"{data['algorithm_version']}) to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

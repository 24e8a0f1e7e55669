"""Maintainer tool: print the frozen fill values of test_kat.c from the Python API.

Not used by the build.  Run it with initfill installed after an intended change of
the algorithm (which also bumps INITFILL_ALGORITHM_VERSION) and paste its output
into csrc/tests/test_kat.c:  python tests/make_c_known_answers.py
"""
import numpy as np

import initfill

SEED = 0x0123456789ABCDEF
STREAMS = (7, initfill.stream_id("layers.0.weight"))
FIRSTS = (0, 1000003)
N = 5
CASES = [
    ("UNIFORM_F32", np.float32, "uniform_", (-1.0, 2.0)),
    ("UNIFORM_F64", np.float64, "uniform_", (-1.0, 2.0)),
    ("NORMAL_F32", np.float32, "normal_", (0.5, 2.0)),
    ("NORMAL_F64", np.float64, "normal_", (0.5, 2.0)),
    ("TRUNC_F32", np.float32, "trunc_normal_", (0.0, 1.0, -2.0, 2.0)),
    ("TRUNC_F64", np.float64, "trunc_normal_", (0.0, 1.0, -2.0, 2.0)),
    ("TRUNC_F64", np.float64, "trunc_normal_", (0.0, 1.0, 35.0, float("inf"))),
    ("BITS_U32", np.uint32, "bits_", ()),
    ("BITS_U64", np.uint64, "bits_", ()),
]
# Half precision, printed after the rows above (so adding them moved none): float16
# arrays, and uint16 words filled with dtype="bfloat16".
HALF_CASES = [
    ("UNIFORM_F16", np.float16, "uniform_", (-1.0, 2.0)),
    ("UNIFORM_BF16", "bfloat16", "uniform_", (-1.0, 2.0)),
    ("NORMAL_F16", np.float16, "normal_", (0.5, 2.0)),
    ("NORMAL_BF16", "bfloat16", "normal_", (0.5, 2.0)),
    ("TRUNC_F16", np.float16, "trunc_normal_", (0.0, 1.0, -2.0, 2.0)),
    ("TRUNC_BF16", "bfloat16", "trunc_normal_", (0.0, 0.02, -0.04, 0.04)),
]


def c_double(v):
    return "INFINITY" if v == float("inf") else repr(float(v))


def main():
    for cases in (CASES, HALF_CASES):
        for first in FIRSTS:
            for case in cases:
                for stream in STREAMS:
                    print_row(first, stream, *case)


def print_row(first, stream, kind, dtype, method, params):
    kw = {}
    if dtype == "bfloat16":
        dtype, kw = np.uint16, {"dtype": "bfloat16"}
    x = np.empty(first + N, dtype)
    getattr(initfill.Generator(SEED), method)(x, *params, stream=stream, **kw)
    v = x[first:]
    words = v.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[v.itemsize])
    p = ", ".join(c_double(q) for q in params) or "0"
    w = ", ".join(f"0x{int(b):x}" for b in words)
    print(f"    {{{kind}, {{{p}}}, 0x{stream:x}, {first}, {{{w}}}}},")


if __name__ == "__main__":
    main()

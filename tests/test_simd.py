"""SIMD levels: every level writes the scalar level's bytes, and the level can be
queried, changed and forced by INITFILL_SIMD.

The C test csrc/tests/test_levels.c (run by test_embedding.py through ``make test``)
also compares the half-precision roundings near every rounding boundary."""
import os
import subprocess
import sys

import numpy as np
import pytest

import initfill

LEVELS = initfill.simd_levels()
FAST = [lv for lv in LEVELS if lv != "scalar"]

# (1 + 2**-30, ...): low is no float32 (no half) value and a third of the values round
# down below it, so the clamp acts (the first holds no half value: halves skip it);
# (1, 1 + 2**-51): a quarter of the float64 values round up to high, the upper clamp acts.
UNIFORM = [(0.0, 1.0), (-1.0, 1.0), (1.0, 2.0), (-1e-40, 1e-40), (-3.0, -3.0), (-0.5, 0.25),
           (1 + 2**-30, 1 + 3 * 2**-23), (1 + 2**-30, 1 + 3 * 2**-7), (1.0, 1 + 2**-51)]
NORMAL = [(0.0, 1.0), (1.5, 0.02), (-2.0, 3.0), (0.0, 0.0)]
TRUNC = [(0.0, 1.0, -2.0, 2.0), (0.0, 1.0, -3.0, 3.0), (0.5, 2.0, -1.0, 4.0),
         (0.0, 1.0, 1.0, 2.0), (0.0, 1.0, -8.0, -3.0), (0.0, 1.0, 5.0, 9.0),
         (0.0, 1e-3, -2e-3, 2e-3), (0.0, 1.0, -40.0, 40.0), (0.0, 1.0, 35.0, 36.0),
         (0.0, 1.0, -1e-12, 1e-12), (0.0, 1.0, 0.6, 0.7)]
DTYPES = ["float32", "float64", "float16", "bfloat16"]


@pytest.fixture
def at_level():
    """Run at a level, restoring the default afterwards."""
    before = initfill.simd_level()

    def fill(level, fn):
        initfill.set_simd_level(level)
        try:
            return fn()
        finally:
            initfill.set_simd_level(before)
    yield fill
    initfill.set_simd_level(before)


def _empty(n, dtype):
    if dtype == "bfloat16":
        return np.empty(n, np.uint16)
    return np.empty(n, dtype)


def _fill(dist, params, dtype, n, offset, level, at_level):
    x = _empty(n, dtype)
    kw = {"dtype": "bfloat16"} if dtype == "bfloat16" else {}
    gen = initfill.Generator(2024)
    method = getattr(gen, dist)
    at_level(level, lambda: method(x, *params, stream=5, global_shape=(offset + n,),
                                   offset=(offset,), **kw))
    return x.view(np.uint8)


def test_levels_reported():
    assert LEVELS[0] == "scalar"
    assert set(LEVELS) <= {"scalar", "avx2", "avx512", "neon"}
    assert initfill.simd_level() in LEVELS


def test_default_is_the_fastest_available():
    env = {k: v for k, v in os.environ.items() if k != "INITFILL_SIMD"}
    out = subprocess.run([sys.executable, "-c", "import initfill; print(initfill.simd_level())"],
                         env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert out == LEVELS[-1]


@pytest.mark.parametrize("level", LEVELS)
def test_env_forces_level(level):
    env = dict(os.environ, INITFILL_SIMD=level.upper())
    out = subprocess.run([sys.executable, "-c", "import initfill; print(initfill.simd_level())"],
                         env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert out == level


# An unknown name, and a known level this machine cannot run (no CPU has both).
@pytest.mark.parametrize("value", ["sse9", "neon" if "neon" not in LEVELS else "avx512"])
def test_env_unavailable_level_is_an_error(value):
    env = dict(os.environ, INITFILL_SIMD=value)
    r = subprocess.run([sys.executable, "-c", "import initfill"], env=env,
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert "ImportError" in r.stderr and "INITFILL_SIMD" in r.stderr and value in r.stderr


def test_set_level_errors(at_level):
    with pytest.raises(TypeError):
        initfill.set_simd_level(2)
    with pytest.raises(ValueError, match="unknown SIMD level"):
        initfill.set_simd_level("sse2")
    missing = [lv for lv in ("avx2", "avx512", "neon") if lv not in LEVELS]
    for lv in missing:
        with pytest.raises(ValueError, match="not available"):
            initfill.set_simd_level(lv)
    for lv in LEVELS:
        at_level(lv, lambda lv=lv: initfill.simd_level() == lv or pytest.fail(lv))


SIZES = [(0, 1), (1, 63), (3, 64), (5, 129), (0, 4099), (2**33 + 7, 300)]


@pytest.mark.skipif(not FAST, reason="no SIMD level on this machine")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("offset,n", SIZES)
def test_levels_equal_scalar(dtype, offset, n, at_level):
    cases = ([("uniform_", p) for p in UNIFORM] + [("normal_", p) for p in NORMAL]
             + [("trunc_normal_", p) for p in TRUNC])
    for dist, params in cases:
        if dtype in ("float16", "bfloat16") and params == (1 + 2**-30, 1 + 3 * 2**-23):
            continue  # no half value in that range
        ref = _fill(dist, params, dtype, n, offset, "scalar", at_level)
        for level in FAST:
            got = _fill(dist, params, dtype, n, offset, level, at_level)
            np.testing.assert_array_equal(got, ref, err_msg=f"{level} {dist}{params} {dtype}")


@pytest.mark.skipif(not FAST, reason="no SIMD level on this machine")
@pytest.mark.parametrize("dtype", [np.uint32, np.uint64])
def test_bits_equal_scalar(dtype, at_level):
    for offset, n in SIZES + [(3, 1 << 16)]:
        def fill():
            x = np.empty(n, dtype)
            initfill.Generator(7).bits_(x, global_shape=(offset + n,), offset=(offset,))
            return x
        ref = at_level("scalar", fill)
        for level in FAST:
            np.testing.assert_array_equal(at_level(level, fill), ref)


@pytest.mark.skipif(not FAST, reason="no SIMD level on this machine")
def test_long_strided_threaded_fills_equal_scalar(at_level):
    """Many batches, strided rows, several threads: the bytes still match."""
    def fill(dtype, dist, params):
        base = np.zeros((300, 1031), dtype)
        view = base[::2, 3:1000:3]  # 150 x 333 strided
        before = initfill.get_num_threads()
        initfill.set_num_threads(3)
        try:
            getattr(initfill.Generator(11), dist)(view, *params)
        finally:
            initfill.set_num_threads(before)
        return base
    for dtype in (np.float32, np.float64):
        for dist, params in (("uniform_", (-2.0, 5.0)), ("normal_", (0.1, 2.0)),
                             ("trunc_normal_", (0.0, 1.0, -2.0, 2.0))):
            ref = at_level("scalar", lambda: fill(dtype, dist, params))
            for level in FAST:
                np.testing.assert_array_equal(at_level(level, lambda: fill(dtype, dist, params)),
                                              ref)

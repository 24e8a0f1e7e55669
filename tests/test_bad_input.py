"""Bad input (docs/design.md, "Bad input").

Every bad buffer, parameter, address, seed, stream or thread count must raise a
TypeError or ValueError whose message names the offending argument, *before* any
element is written: each test backs the output with a byte store holding a sentinel
pattern and checks every byte of the store afterwards.  Zero-size outputs are a
no-op; a block of a tensor of more than 2**32 elements works; nothing crashes.
"""
from __future__ import annotations

import json
import math
import mmap
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import initfill
from initfill import _core

SHAPE = (8, 6)
NAN, INF = math.nan, math.inf


# --------------------------------------------------------------------------------------
# Outputs over a sentinel byte store


def backed(shape, dtype, misalign=0):
    """``(store, arr)``: ``arr`` views a sentinel-patterned uint8 ``store``.

    ``arr`` starts ``misalign`` bytes after a 64-byte boundary, so ``misalign=0`` is
    aligned for every dtype and e.g. ``misalign=1`` is misaligned for all but bytes.
    """
    dt = np.dtype(dtype)
    nbytes = math.prod(shape) * dt.itemsize
    store = np.empty(nbytes + 192, np.uint8)
    store[:] = (np.arange(store.size) * 37 + 11) % 256
    start = (-store.ctypes.data) % 64 + misalign
    arr = np.ndarray(shape, dt, buffer=store, offset=start)
    return store, arr


def rejected(call, store, exc, match):
    """``call()`` raises ``exc`` matching ``match`` and leaves ``store`` as it was."""
    before = bytes(store)
    with pytest.raises(exc, match=match):
        call()
    assert bytes(store) == before, "a rejected call wrote to the buffer"


# --------------------------------------------------------------------------------------
# Every fill, with valid parameters; each takes x and the common keywords.


def _g():
    return initfill.Generator(20240607)


FLOAT_FILLS = {
    "Generator.uniform_": lambda x, **kw: _g().uniform_(x, -1.0, 2.0, **kw),
    "Generator.normal_": lambda x, **kw: _g().normal_(x, 0.5, 2.0, **kw),
    "Generator.trunc_normal_": lambda x, **kw: _g().trunc_normal_(x, 0.0, 1.0, -1.0, 2.0, **kw),
    "uniform_": lambda x, **kw: initfill.uniform_(x, -1.0, 1.0, **kw),
    "normal_": lambda x, **kw: initfill.normal_(x, 0.0, 0.02, **kw),
    "trunc_normal_": lambda x, **kw: initfill.trunc_normal_(x, 0.0, 0.02, -0.04, 0.04, **kw),
    "xavier_uniform_": lambda x, **kw: initfill.xavier_uniform_(x, 1.5, **kw),
    "xavier_normal_": lambda x, **kw: initfill.xavier_normal_(x, 1.5, **kw),
    "kaiming_uniform_": lambda x, **kw: initfill.kaiming_uniform_(x, math.sqrt(5), **kw),
    "kaiming_normal_": lambda x, **kw: initfill.kaiming_normal_(
        x, mode="fan_out", nonlinearity="relu", **kw),
    "lecun_uniform_": lambda x, **kw: initfill.lecun_uniform_(x, **kw),
    "lecun_normal_": lambda x, **kw: initfill.lecun_normal_(x, layout="keras", **kw),
    "variance_scaling_[truncated]": lambda x, **kw: initfill.variance_scaling_(
        x, 2.0, "fan_avg", "truncated_normal", **kw),
    "variance_scaling_[normal]": lambda x, **kw: initfill.variance_scaling_(
        x, 2.0, "fan_geo_avg", "untruncated_normal", layout="jax", **kw),
    "variance_scaling_[uniform]": lambda x, **kw: initfill.variance_scaling_(
        x, 0.5, "fan_out", "uniform", in_axis=0, out_axis=1, **kw),
    "constant_": lambda x, **kw: initfill.constant_(x, 0.25, **kw),
    "zeros_": lambda x, **kw: initfill.zeros_(x, **kw),
    "ones_": lambda x, **kw: initfill.ones_(x, **kw),
}
BITS_FILLS = {"Generator.bits_": lambda x, **kw: _g().bits_(x, **kw)}
ALL_FILLS = {**FLOAT_FILLS, **BITS_FILLS}
# The fills that take stream=, global_shape= and offset= (all but constant_/zeros_/ones_).
ADDRESSED = {k: v for k, v in ALL_FILLS.items() if k not in ("constant_", "zeros_", "ones_")}


def _dtype_of(name):
    return np.uint32 if name in BITS_FILLS else np.float32


def test_valid_calls_fill_the_whole_buffer():
    # Sanity for the table above: with valid input each fill writes every element and
    # nothing outside it.
    for name, fill in ALL_FILLS.items():
        store, arr = backed(SHAPE, _dtype_of(name))
        before = store.copy()
        out = fill(arr)
        assert out is arr, name
        start = arr.ctypes.data - store.ctypes.data
        inside = np.zeros(store.size, bool)
        inside[start:start + arr.nbytes] = True
        assert np.array_equal(store[~inside], before[~inside]), name
        if name not in ("zeros_",):
            # The sentinel bytes are not a valid fill (they hold no zero element here).
            assert not np.array_equal(store[inside], before[inside]), name


# --------------------------------------------------------------------------------------
# Read-only outputs


@pytest.mark.parametrize("name", ALL_FILLS)
def test_read_only_ndarray(name):
    store, arr = backed(SHAPE, _dtype_of(name))
    arr.flags.writeable = False
    rejected(lambda: ALL_FILLS[name](arr), store, ValueError, r"\bx\b.*read-only")


@pytest.mark.parametrize("name", ALL_FILLS)
def test_read_only_view_of_writable_memory(name):
    # A read-only view (here broadcast_to's) of writable memory is still read-only.
    store, arr = backed(SHAPE, _dtype_of(name))
    view = np.broadcast_to(arr, SHAPE)
    assert not view.flags.writeable
    rejected(lambda: ALL_FILLS[name](view), store, ValueError, r"\bx\b.*read-only")


@pytest.mark.parametrize("name", ALL_FILLS)
def test_read_only_memoryview(name):
    store, arr = backed(SHAPE, _dtype_of(name))
    typed = memoryview(arr).toreadonly()
    raw = memoryview(store).toreadonly()[: arr.nbytes]
    rejected(lambda: ALL_FILLS[name](typed), store, ValueError, r"\bx\b.*read-only")
    rejected(lambda: ALL_FILLS[name](raw, dtype=_dtype_of(name)), store, ValueError,
             r"\bx\b.*read-only")


@pytest.mark.parametrize("name", ALL_FILLS)
def test_bytes_object(name):
    b = bytes(range(192))
    with pytest.raises(ValueError, match=r"\bx\b.*read-only"):
        ALL_FILLS[name](b, dtype=_dtype_of(name))
    assert b == bytes(range(192))


@pytest.mark.skipif(not hasattr(mmap, "PROT_READ"), reason="needs mmap.PROT_READ")
def test_read_only_mmap():
    m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ)
    try:
        for name, fill in ALL_FILLS.items():
            with pytest.raises(ValueError, match=r"\bx\b.*read-only"):
                fill(m, dtype=_dtype_of(name))
        assert m[:] == bytes(4096)
    finally:
        m.close()


# --------------------------------------------------------------------------------------
# Unsupported element types, byte order, alignment


@pytest.mark.parametrize("name", ALL_FILLS)
@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8", "int8", "complex64",
                                   "complex128", "bool", "longdouble"])
def test_unsupported_dtype(name, dtype):
    store, arr = backed(SHAPE, dtype)
    rejected(lambda: ALL_FILLS[name](arr), store, TypeError, r"dtype")


@pytest.mark.parametrize("name", FLOAT_FILLS)
@pytest.mark.parametrize("dtype", ["uint32", "uint64"])
def test_float_fill_rejects_unsigned(name, dtype):
    store, arr = backed(SHAPE, dtype)
    rejected(lambda: FLOAT_FILLS[name](arr), store, TypeError, r"\bx\b.*dtype.*uint")


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
def test_bits_rejects_non_unsigned(dtype):
    store, arr = backed(SHAPE, dtype)
    rejected(lambda: _g().bits_(arr), store, TypeError, r"\bx\b.*dtype")


@pytest.mark.parametrize("name", ALL_FILLS)
def test_object_and_structured_dtypes(name):
    sentinel = object()
    arr = np.full(SHAPE, sentinel, dtype=object)
    with pytest.raises(TypeError, match=r"dtype.*object"):
        ALL_FILLS[name](arr)
    assert all(v is sentinel for v in arr.flat)
    store, rec = backed(SHAPE, [("w", "<f4")])
    rejected(lambda: ALL_FILLS[name](rec), store, TypeError, r"dtype")


@pytest.mark.parametrize("name", ALL_FILLS)
def test_non_native_byte_order(name):
    dt = np.dtype(_dtype_of(name)).newbyteorder(">" if sys.byteorder == "little" else "<")
    store, arr = backed(SHAPE, dt)
    rejected(lambda: ALL_FILLS[name](arr), store, TypeError, r"\bx\b.*byte order")
    # The same type named for a raw buffer.
    start = (-store.ctypes.data) % 64
    raw = memoryview(store)[start:start + 192]
    rejected(lambda: ALL_FILLS[name](raw, dtype=dt), store, TypeError, r"\bx\b.*byte order")


@pytest.mark.parametrize("name", ALL_FILLS)
@pytest.mark.parametrize("misalign", [1, 2, 3])
def test_misaligned_ndarray(name, misalign):
    store, arr = backed(SHAPE, _dtype_of(name), misalign=misalign)
    assert not arr.flags.aligned
    rejected(lambda: ALL_FILLS[name](arr), store, ValueError, r"\bx\b.*align")


@pytest.mark.parametrize("name", ["Generator.uniform_", "normal_", "xavier_uniform_",
                                  "constant_", "Generator.bits_"])
def test_misaligned_8_byte_elements(name):
    dt = np.uint64 if name in BITS_FILLS else np.float64
    store, arr = backed(SHAPE, dt, misalign=4)
    assert not arr.flags.aligned
    rejected(lambda: ALL_FILLS[name](arr), store, ValueError, r"\bx\b.*align")


@pytest.mark.parametrize("name", ALL_FILLS)
def test_misaligned_raw_buffer(name):
    store, _ = backed((48,), np.uint8)
    start = (-store.ctypes.data) % 64
    raw = memoryview(store)[start + 1: start + 1 + 96]
    rejected(lambda: ALL_FILLS[name](raw, dtype=_dtype_of(name)), store, ValueError,
             r"\bx\b.*align")


# --------------------------------------------------------------------------------------
# Objects that are not buffers; dtype= misuse


@pytest.mark.parametrize("name", ALL_FILLS)
def test_list_is_rejected_not_copied(name):
    lst = [[0.5] * 6 for _ in range(8)] if name not in BITS_FILLS else [[7] * 6] * 8
    snapshot = [list(r) for r in lst]
    with pytest.raises(TypeError, match=r"\bx\b.*list"):
        ALL_FILLS[name](lst)
    assert lst == snapshot


@pytest.mark.parametrize("name", ALL_FILLS)
@pytest.mark.parametrize("x", [None, (0.0, 1.0), "abcd", 5, 1.5, {"a": 1}],
                         ids=["None", "tuple", "str", "int", "float", "dict"])
def test_not_a_buffer(name, x):
    with pytest.raises(TypeError, match=r"\bx\b"):
        ALL_FILLS[name](x)


@pytest.mark.parametrize("name", ALL_FILLS)
def test_raw_buffer_needs_dtype(name):
    buf = bytearray(b"\x5a" * 96)
    with pytest.raises(TypeError, match=r"dtype.*uint8"):
        ALL_FILLS[name](buf)
    assert buf == bytearray(b"\x5a" * 96)


@pytest.mark.parametrize("name", ALL_FILLS)
@pytest.mark.parametrize("nbytes", [1, 10, 95])
def test_raw_buffer_size_not_a_multiple_of_itemsize(name, nbytes):
    dt = np.dtype(_dtype_of(name))
    buf = bytearray(b"\x5a" * nbytes)
    with pytest.raises(ValueError, match=r"multiple of the 4-byte"):
        ALL_FILLS[name](buf, dtype=dt)
    assert buf == bytearray(b"\x5a" * nbytes)
    buf8 = bytearray(b"\x5a" * 12)
    with pytest.raises(ValueError, match=r"multiple of the 8-byte"):
        ALL_FILLS[name](buf8, dtype=np.uint64 if name in BITS_FILLS else np.float64)
    assert buf8 == bytearray(b"\x5a" * 12)


@pytest.mark.parametrize("name", ALL_FILLS)
def test_dtype_conflicting_with_typed_array(name):
    store, arr = backed(SHAPE, _dtype_of(name))
    other = np.uint64 if name in BITS_FILLS else np.float64
    rejected(lambda: ALL_FILLS[name](arr, dtype=other), store, TypeError,
             r"dtype=.*does not match x")
    # A typed (non-byte) memoryview is a typed array too.
    rejected(lambda: ALL_FILLS[name](memoryview(arr), dtype=other), store, TypeError,
             r"dtype=.*does not match x")
    # The matching dtype is fine.
    ALL_FILLS[name](arr, dtype=_dtype_of(name))


@pytest.mark.parametrize("name", ALL_FILLS)
@pytest.mark.parametrize("dtype", ["not-a-dtype", 3.5])
def test_unknown_dtype_name(name, dtype):
    buf = bytearray(96)
    with pytest.raises(TypeError, match=r"dtype"):
        ALL_FILLS[name](buf, dtype=dtype)
    assert buf == bytearray(96)


def test_raw_multi_dimensional_byte_buffer_must_be_contiguous():
    store, _ = backed((192,), np.uint8)
    start = (-store.ctypes.data) % 64
    strided = np.ndarray((48,), np.uint8, buffer=store, offset=start, strides=(2,))
    rejected(lambda: initfill.uniform_(strided, dtype=np.float32), store, ValueError,
             r"contiguous")


# --------------------------------------------------------------------------------------
# Parameters: non-finite, inconsistent, wrong type, not fitting the dtype


def _gm(meth):
    return lambda x, *a, **k: getattr(_g(), meth)(x, *a, **k)


BAD_PARAMS = [
    # (fill, args, kwargs, exception, message regex)
    # Generator.uniform_ / uniform_
    *[(_gm("uniform_"), (), {p: v}, ValueError, rf"\b{p}\b.*finite")
      for p in ("low", "high") for v in (NAN, INF, -INF)],
    (_gm("uniform_"), (), {"low": 1.0, "high": 0.5}, ValueError, r"low must be <= high"),
    (_gm("uniform_"), (), {"low": "0"}, TypeError, r"\blow\b.*real"),
    (_gm("uniform_"), (), {"high": None}, TypeError, r"\bhigh\b.*real"),
    (_gm("uniform_"), (), {"low": 1j}, TypeError, r"\blow\b.*real"),
    (_gm("uniform_"), (), {"high": np.array([1.0])}, TypeError, r"\bhigh\b.*real"),
    (_gm("uniform_"), (), {"low": True}, TypeError, r"\blow\b.*real"),
    *[(initfill.uniform_, (), {p: v}, ValueError, r"\b(a|b|low|high)\b.*finite")
      for p in ("a", "b") for v in (NAN, INF)],
    (initfill.uniform_, (2.0, 1.0), {}, ValueError, r"<="),
    # Generator.normal_ / normal_
    *[(_gm("normal_"), (), {p: v}, ValueError, rf"\b{p}\b.*finite")
      for p in ("mean", "std") for v in (NAN, INF, -INF)],
    (_gm("normal_"), (), {"std": -1e-300}, ValueError, r"\bstd\b.*>= 0"),
    (_gm("normal_"), (), {"std": -1.0}, ValueError, r"\bstd\b.*>= 0"),
    (_gm("normal_"), (), {"std": "1"}, TypeError, r"\bstd\b.*real"),
    (_gm("normal_"), (), {"mean": None}, TypeError, r"\bmean\b.*real"),
    (_gm("normal_"), (), {"std": np.array(np.nan)}, ValueError, r"\bstd\b.*finite"),
    (initfill.normal_, (), {"std": NAN}, ValueError, r"\bstd\b.*finite"),
    (initfill.normal_, (), {"mean": INF}, ValueError, r"\bmean\b.*finite"),
    (initfill.normal_, (), {"std": -0.5}, ValueError, r"\bstd\b"),
    (initfill.normal_, (), {"std": "0.02"}, TypeError, r"\bstd\b"),
    # Generator.trunc_normal_ / trunc_normal_
    *[(_gm("trunc_normal_"), (), {p: v}, ValueError, rf"\b{p}\b.*finite")
      for p in ("mean", "std") for v in (NAN, INF, -INF)],
    (_gm("trunc_normal_"), (), {"std": 0.0}, ValueError, r"\bstd\b.*> 0"),
    (_gm("trunc_normal_"), (), {"std": -1.0}, ValueError, r"\bstd\b.*> 0"),
    (_gm("trunc_normal_"), (), {"a": 1.0, "b": 1.0}, ValueError, r"\ba must be < b"),
    (_gm("trunc_normal_"), (), {"a": 2.0, "b": -2.0}, ValueError, r"\ba must be < b"),
    (_gm("trunc_normal_"), (), {"a": INF, "b": INF}, ValueError, r"\ba must be < b"),
    (_gm("trunc_normal_"), (), {"a": INF}, ValueError, r"\ba must be < b"),
    (_gm("trunc_normal_"), (), {"b": -INF}, ValueError, r"\ba must be < b"),
    (_gm("trunc_normal_"), (), {"a": -INF, "b": -INF}, ValueError, r"\ba must be < b"),
    (_gm("trunc_normal_"), (), {"a": NAN}, ValueError, r"\ba\b.*NaN"),
    (_gm("trunc_normal_"), (), {"b": NAN}, ValueError, r"\bb\b.*NaN"),
    (_gm("trunc_normal_"), (), {"a": "-2"}, TypeError, r"\ba\b.*real"),
    (_gm("trunc_normal_"), (), {"b": None}, TypeError, r"\bb\b.*real"),
    (_gm("trunc_normal_"), (), {"std": "1"}, TypeError, r"\bstd\b.*real"),
    (initfill.trunc_normal_, (), {"std": 0}, ValueError, r"\bstd\b"),
    (initfill.trunc_normal_, (), {"a": 0.5, "b": 0.5}, ValueError, r"\ba must be < b"),
    (initfill.trunc_normal_, (), {"a": NAN}, ValueError, r"\ba\b"),
    # constant_ / zeros_ / ones_
    *[(initfill.constant_, (v,), {}, ValueError, r"\bval\b.*finite") for v in (NAN, INF, -INF)],
    (initfill.constant_, ("1",), {}, TypeError, r"\bval\b.*real"),
    (initfill.constant_, (None,), {}, TypeError, r"\bval\b.*real"),
    # xavier
    *[(f, (), {"gain": v}, ValueError, r"\bgain\b.*finite")
      for f in (initfill.xavier_uniform_, initfill.xavier_normal_) for v in (NAN, INF, -INF)],
    *[(f, (), {"gain": v}, TypeError, r"\bgain\b.*real")
      for f in (initfill.xavier_uniform_, initfill.xavier_normal_) for v in ("1", None)],
    # kaiming (torch's messages)
    *[(f, (), {"mode": "fan_avg"}, ValueError, r"Mode fan_avg not supported")
      for f in (initfill.kaiming_uniform_, initfill.kaiming_normal_)],
    *[(f, (), {"nonlinearity": "swish"}, ValueError, r"Unsupported nonlinearity swish")
      for f in (initfill.kaiming_uniform_, initfill.kaiming_normal_)],
    *[(f, (), {"nonlinearity": None}, ValueError, r"nonlinearity")
      for f in (initfill.kaiming_uniform_, initfill.kaiming_normal_)],
    *[(f, ("0.1",), {}, ValueError, r"negative_slope 0.1 not a valid number")
      for f in (initfill.kaiming_uniform_, initfill.kaiming_normal_)],
    *[(f, (True,), {}, ValueError, r"negative_slope True not a valid number")
      for f in (initfill.kaiming_uniform_, initfill.kaiming_normal_)],
    # A NaN slope gives a NaN gain: refused (the message names the derived bound/std).
    *[(f, (NAN,), {}, ValueError, r"finite")
      for f in (initfill.kaiming_uniform_, initfill.kaiming_normal_)],
    # variance_scaling_ / lecun
    *[(initfill.variance_scaling_, (), {"scale": v}, ValueError, r"\bscale\b.*finite")
      for v in (NAN, INF, -INF)],
    *[(initfill.variance_scaling_, (), {"scale": v}, ValueError, r"\bscale\b.*positive")
      for v in (0.0, -1.0)],
    (initfill.variance_scaling_, (), {"scale": "2"}, TypeError, r"\bscale\b.*real"),
    (initfill.variance_scaling_, (), {"mode": "fan_max"}, ValueError, r"\bmode\b.*fan_max"),
    (initfill.variance_scaling_, (), {"mode": 1}, ValueError, r"\bmode\b"),
    (initfill.variance_scaling_, (), {"distribution": "gaussian"}, ValueError,
     r"\bdistribution\b.*gaussian"),
    (initfill.variance_scaling_, (), {"distribution": "truncated"}, ValueError,
     r"\bdistribution\b"),
    (initfill.variance_scaling_, (), {"layout": "tensorflow"}, ValueError,
     r"\blayout\b.*tensorflow"),
    (initfill.variance_scaling_, (), {"layout": None}, ValueError, r"\blayout\b"),
    (initfill.variance_scaling_, (), {"in_axis": 2}, ValueError, r"\bin_axis\b.*range"),
    (initfill.variance_scaling_, (), {"out_axis": -3}, ValueError, r"\bout_axis\b.*range"),
    (initfill.variance_scaling_, (), {"in_axis": 0, "out_axis": 0}, ValueError,
     r"share an axis"),
    (initfill.variance_scaling_, (), {"in_axis": True}, TypeError, r"\bin_axis\b"),
    (initfill.lecun_uniform_, (), {"layout": "flax"}, ValueError, r"\blayout\b.*flax"),
    (initfill.lecun_normal_, (), {"layout": "TORCH"}, ValueError, r"\blayout\b.*TORCH"),
]


def _bp_id(case):
    f, args, kw, exc, _ = case
    fname = getattr(f, "__name__", "g")
    return f"{fname}-{args!r}-{kw!r}-{exc.__name__}"


@pytest.mark.parametrize("case", BAD_PARAMS, ids=[_bp_id(c) for c in BAD_PARAMS])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bad_parameter(case, dtype):
    fill, args, kw, exc, match = case
    store, arr = backed(SHAPE, dtype)
    rejected(lambda: fill(arr, *args, **kw), store, exc, match)


@pytest.mark.parametrize("mode", [1, None])
def test_kaiming_non_str_mode(mode):
    store, arr = backed(SHAPE, np.float32)
    rejected(lambda: initfill.kaiming_uniform_(arr, mode=mode), store,
             (TypeError, ValueError), r"[Mm]ode")


@pytest.mark.parametrize("fill", [initfill.xavier_uniform_, initfill.xavier_normal_,
                                  initfill.kaiming_uniform_, initfill.kaiming_normal_])
@pytest.mark.parametrize("shape", [(48,), ()])
def test_torch_initializers_need_two_dimensions(fill, shape):
    store, arr = backed(shape, np.float32)
    rejected(lambda: fill(arr), store, ValueError,
             "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")


def test_generator_argument_must_be_a_generator():
    for name in ADDRESSED:
        if name.startswith("Generator."):
            continue
        store, arr = backed(SHAPE, np.float32)
        for bad in (np.random.default_rng(0), 0, "default"):
            rejected(lambda: ALL_FILLS[name](arr, generator=bad), store, TypeError,
                     r"\bgenerator\b")


# Bounds that do not fit the output dtype (the C plan refuses them; the message names
# the fill, its parameters and the dtype).
NOT_FITTING_FLOAT32 = [
    (_gm("uniform_"), (), {"low": -1e39}),
    (_gm("uniform_"), (), {"low": 0.0, "high": 1e39}),
    # [low, high) holds no float32: ceil32(low) = 1 + 2**-23 > the largest float32
    # below high, 1.0.
    (_gm("uniform_"), (), {"low": 1.00000001, "high": 1.00000002}),
    (_gm("normal_"), (), {"mean": 1e39}),
    (_gm("normal_"), (), {"std": 1e38}),
    (_gm("trunc_normal_"), (), {"mean": 1e39, "a": -INF, "b": INF}),
    # [a, b] holds no float32: the float32 neighbours are 1.0 and 1.00000012.
    (_gm("trunc_normal_"), (), {"mean": 1.0, "a": 1.0000000001, "b": 1.0000000002}),
    (initfill.trunc_normal_, (1.0, 1.0, 1.0000000001, 1.0000000002), {}),
    (initfill.uniform_, (-1e39, 1e39), {}),
    (initfill.constant_, (1e39,), {}),
    (initfill.constant_, (-3.5e38,), {}),
]


@pytest.mark.parametrize("case", NOT_FITTING_FLOAT32)
def test_bounds_that_do_not_fit_float32(case):
    fill, args, kw = case
    store, arr = backed(SHAPE, np.float32)
    rejected(lambda: fill(arr, *args, **kw), store, ValueError, r"float32")
    # The same parameters fit float64.
    fill(np.empty(SHAPE), *args, **kw)


@pytest.mark.parametrize("case", [
    (_gm("uniform_"), (), {"low": -1e308, "high": 1e308}),  # high - low overflows
    (_gm("normal_"), (), {"std": 1e307}),                      # mean + std*z overflows
    (initfill.uniform_, (-1.7e308, 1.7e308), {}),
])
def test_parameters_that_overflow_float64(case):
    fill, args, kw = case
    store, arr = backed(SHAPE, np.float64)
    rejected(lambda: fill(arr, *args, **kw), store, ValueError, r"float64")


@pytest.mark.parametrize("case", [
    # (fill, dtype, kwargs, message): rules that exist only in C, named by C's report.
    (_gm("normal_"), np.float16, {"std": 3000.0}, r"\bstd\b.*1/32.*std=3000\.0.*float16"),
    (_gm("normal_"), np.float32, {"mean": 2e38}, r"\bmean\b.*half.*float32"),
    (_gm("uniform_"), np.float64, {"low": -1e308, "high": 1e308},
     r"\blow\b.*\bhigh\b.*overflows.*low=-1e\+308, high=1e\+308"),
    (_gm("trunc_normal_"), np.float64, {"a": 1e200, "b": INF},
     r"\ba\b.*probability mass.*\bb\b.*a=1e\+200"),
    (initfill.uniform_, np.float16, {"a": 1.0001, "b": 1.0002},
     r"\ba\b.*value of the output dtype between it and b.*float16"),
])
def test_rules_only_c_knows_name_the_argument(case):
    fill, dtype, kw, match = case
    store, arr = backed(SHAPE, dtype)
    rejected(lambda: fill(arr, **kw), store, ValueError, match)


def test_infinite_truncation_bounds_are_allowed():
    # a = -inf and b = +inf are valid (one-sided / untruncated); not bad input.
    g = initfill.Generator(5)
    for a, b in ((-INF, 0.0), (0.0, INF), (-INF, INF)):
        x = g.trunc_normal_(np.empty(1000), 0.0, 1.0, a, b)
        assert np.all(np.isfinite(x)) and x.min() >= a and x.max() <= b


def test_failed_fill_does_not_consume_a_stream():
    # Validation happens before the stream counter advances: an error leaves the
    # generator exactly as it was, so a caught error does not shift later tensors.
    g = initfill.Generator(11)
    x = np.empty(SHAPE, np.float32)
    for call in (lambda: g.uniform_(x, 1.0, 0.0), lambda: g.normal_(x, std=NAN),
                 lambda: g.trunc_normal_(x, a=1.0, b=1.0), lambda: g.bits_(x),
                 lambda: g.uniform_(x, global_shape=(4, 6)),
                 lambda: g.normal_(x, stream=-1)):
        with pytest.raises((TypeError, ValueError)):
            call()
    assert g.next_stream == 0
    initfill.manual_seed(11)
    for call in (lambda: initfill.xavier_uniform_(x, gain=NAN),
                 lambda: initfill.kaiming_normal_(x, mode="fan_avg"),
                 lambda: initfill.variance_scaling_(x, distribution="x"),
                 lambda: initfill.lecun_normal_(x.ravel()[:7], global_shape=(6,))):
        with pytest.raises((TypeError, ValueError)):
            call()
    assert initfill.default_generator().next_stream == 0


# --------------------------------------------------------------------------------------
# Block addressing that does not describe a block of the global tensor


BAD_ADDRESSES = [
    ({"global_shape": (8,)}, ValueError, r"global_shape has 1 entries but x has 2"),
    ({"global_shape": (8, 6, 1)}, ValueError, r"global_shape has 3 entries"),
    ({"global_shape": (8, -6)}, ValueError, r"global_shape must be non-negative"),
    ({"global_shape": (7, 6)}, ValueError, r"does not fit in global_shape.*axis 0"),
    ({"global_shape": (16, 12), "offset": (8, 7)}, ValueError,
     r"does not fit in global_shape.*axis 1.*7 \+ extent 6 > 12"),
    ({"global_shape": (16, 12), "offset": (-1, 0)}, ValueError, r"offset must be non-negative"),
    ({"global_shape": (16, 12), "offset": (0,)}, ValueError, r"offset has 1 entries"),
    ({"global_shape": (16, 12), "offset": (0, 0, 0)}, ValueError, r"offset has 3 entries"),
    ({"offset": (0, 0)}, ValueError, r"offset= needs global_shape="),
    ({"global_shape": (16, 12), "offset": (1.0, 0.0)}, TypeError, r"offset must hold ints"),
    ({"global_shape": (16, 12), "offset": (True, 0)}, TypeError, r"offset must hold ints"),
    ({"global_shape": (16, 12), "offset": 0}, TypeError, r"offset must be a tuple"),
    ({"global_shape": (16, 12), "offset": "00"}, TypeError, r"offset must be a tuple"),
    ({"global_shape": (16.0, 12.0)}, TypeError, r"global_shape must hold ints"),
    ({"global_shape": (np.float64(16), 12)}, TypeError, r"global_shape must hold ints"),
    ({"global_shape": 96}, TypeError, r"global_shape must be a tuple"),
    ({"global_shape": "86"}, TypeError, r"global_shape must be a tuple"),
    ({"global_shape": (2**32, 2**31)}, ValueError, r"global_shape.*more than 2\*\*63"),
    ({"global_shape": (2**40, 2**40)}, ValueError, r"global_shape.*more than 2\*\*63"),
]


@pytest.mark.parametrize("name", ADDRESSED)
@pytest.mark.parametrize("case", BAD_ADDRESSES, ids=[repr(c[0]) for c in BAD_ADDRESSES])
def test_bad_global_shape_or_offset(name, case):
    kw, exc, match = case
    store, arr = backed(SHAPE, _dtype_of(name))
    rejected(lambda: ALL_FILLS[name](arr, **kw), store, exc, match)


@pytest.mark.parametrize("name", ADDRESSED)
@pytest.mark.parametrize("stream, exc", [(-1, ValueError), (2**64, ValueError),
                                         (-2**70, ValueError), (1.5, TypeError),
                                         (1.0, TypeError), (True, TypeError),
                                         (b"w", TypeError), ((1,), TypeError)])
def test_bad_stream(name, stream, exc):
    store, arr = backed(SHAPE, _dtype_of(name))
    rejected(lambda: ALL_FILLS[name](arr, stream=stream), store, exc, r"\bstream\b")


def test_good_streams_at_the_limits():
    g = initfill.Generator(3)
    for s in (0, 2**32, 2**64 - 1, np.uint64(2**64 - 1), "", "layer.0.weight", "\u00e9"):
        g.normal_(np.empty(4), stream=s)
    assert g.next_stream == 0


# --------------------------------------------------------------------------------------
# Seeds and thread counts


@pytest.mark.parametrize("seed, exc", [(-1, ValueError), (2**64, ValueError),
                                       (-2**64, ValueError), (1.0, TypeError),
                                       (1.5, TypeError), (True, TypeError),
                                       (False, TypeError), ("1", TypeError),
                                       (b"1", TypeError), ((1,), TypeError)])
def test_bad_seed(seed, exc):
    with pytest.raises(exc, match=r"\bseed\b"):
        initfill.Generator(seed)
    before = initfill.default_generator()
    with pytest.raises(exc, match=r"\bseed\b"):
        initfill.manual_seed(seed)
    assert initfill.default_generator() is before


def test_good_seeds_at_the_limits():
    for s in (0, 2**64 - 1, np.uint64(2**64 - 1), np.int8(5)):
        assert initfill.Generator(s).seed == int(s)
    assert 0 <= initfill.Generator(None).seed < 2**64


@pytest.fixture
def restore_threads():
    n = initfill.get_num_threads()
    yield
    initfill.set_num_threads(n)


@pytest.mark.parametrize("n, exc", [(0, ValueError), (-1, ValueError), (2000, ValueError),
                                    (1025, ValueError), (1.5, TypeError), (2.0, TypeError),
                                    (True, TypeError), ("2", TypeError), (None, TypeError)])
def test_bad_thread_count(restore_threads, n, exc):
    initfill.set_num_threads(2)
    with pytest.raises(exc, match=r"\bn\b"):
        initfill.set_num_threads(n)
    assert initfill.get_num_threads() == 2


def test_thread_count_limits(restore_threads):
    for n in (1, 1024, np.int64(3)):
        initfill.set_num_threads(n)
        assert initfill.get_num_threads() == int(n)
    # 1024 threads on a small buffer: still correct, no crash.
    x = initfill.Generator(1).normal_(np.empty(5000, np.float32), stream=0)
    initfill.set_num_threads(1)
    y = initfill.Generator(1).normal_(np.empty(5000, np.float32), stream=0)
    assert np.array_equal(x, y)


def _run_with_env(value):
    code = (
        "import json, os, warnings\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    import initfill\n"
        "print(json.dumps({'n': initfill.get_num_threads(),\n"
        "                  'cpus': len(os.sched_getaffinity(0)),\n"
        "                  'warnings': [[x.category.__name__, str(x.message)] for x in w]}))\n"
    )
    env = dict(os.environ, INITFILL_NUM_THREADS=value)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="needs sched_getaffinity")
def test_env_var_sets_the_thread_count():
    out = _run_with_env("3")
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert r["n"] == 3
    assert not [w for w in r["warnings"] if "INITFILL_NUM_THREADS" in w[1]]


@pytest.mark.parametrize("value", ["abc", "0", "-2", "1.5", "1025"])
def test_bad_env_var_is_an_import_error(value):
    # As INITFILL_SIMD: a thread count that is not a positive integer (up to
    # MAX_THREADS) stops the import instead of being silently ignored.
    out = _run_with_env(value)
    assert out.returncode != 0
    assert "ImportError" in out.stderr and "INITFILL_NUM_THREADS" in out.stderr, out.stderr


# --------------------------------------------------------------------------------------
# Zero-size outputs: a no-op


ZERO_CASES = [(name, shape)
              for name in ALL_FILLS for shape in [(0, 6), (6, 0), (0, 0), (3, 0, 4)]]


@pytest.mark.parametrize("name, shape", ZERO_CASES)
def test_zero_size_is_a_no_op(name, shape):
    store, arr = backed(shape, _dtype_of(name))
    before = bytes(store)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = ALL_FILLS[name](arr)
    assert out is arr
    assert bytes(store) == before
    msgs = [str(x.message) for x in w]
    if name.startswith("kaiming"):
        # As torch.nn.init.kaiming_*_ does.
        assert msgs == ["Initializing zero-element tensors is a no-op"]
        assert w[0].category is UserWarning
    else:
        assert msgs == []


@pytest.mark.parametrize("name", [n for n in ALL_FILLS if n.startswith("Generator.") or n in (
    "uniform_", "normal_", "trunc_normal_", "constant_", "zeros_", "ones_")])
def test_zero_size_raw_buffer_is_a_no_op(name):
    for buf in (bytearray(), memoryview(bytearray()), np.empty(8, np.uint8)[:0]):
        out = ALL_FILLS[name](buf, dtype=_dtype_of(name))
        assert out is buf


def test_zero_size_fresh_byte_array_is_a_no_op():
    buf = np.empty(0, np.uint8)
    assert buf.flags.c_contiguous
    assert initfill.uniform_(buf, dtype=np.float32) is buf


def test_zero_size_is_still_validated():
    # A zero-size output does not make bad parameters or addresses acceptable.
    x = np.empty((0, 6), np.float32)
    with pytest.raises(ValueError, match=r"\bstd\b"):
        initfill.normal_(x, std=-1.0)
    with pytest.raises(ValueError, match=r"low must be <= high"):
        initfill.Generator(1).uniform_(x, 1.0, 0.0)
    with pytest.raises(TypeError, match=r"dtype"):
        initfill.uniform_(np.empty((0, 6), np.int32))
    with pytest.raises(ValueError, match=r"read-only"):
        initfill.uniform_(np.broadcast_to(np.empty(1, np.float32), (0, 6)))
    with pytest.raises(ValueError, match=r"global_shape"):
        initfill.uniform_(x, global_shape=(0, 5))


# --------------------------------------------------------------------------------------
# Tensors above 2**32 elements: a small block of a big global tensor


MASK32 = 0xFFFFFFFF


def _philox(seed, stream, blk):
    return _core.philox4x32_10((blk & MASK32, blk >> 32, stream & MASK32, stream >> 32),
                               (seed & MASK32, seed >> 32))


def test_block_of_a_tensor_above_2_32_elements():
    seed, stream = 0x0123456789ABCDEF, 2**40 + 7
    G = (2**17, 2**17 + 3)  # 2**34 + ... elements
    off = (2**17 - 2, 2**17 - 5)
    x = initfill.Generator(seed).bits_(np.empty((2, 8), np.uint32), stream=stream,
                                       global_shape=G, offset=off)
    for r in range(2):
        for c in range(8):
            i = (off[0] + r) * G[1] + off[1] + c
            assert i > 2**34
            assert int(x[r, c]) == _philox(seed, stream, i // 4)[i % 4]
    x64 = initfill.Generator(seed).bits_(np.empty((2, 3), np.uint64), stream=stream,
                                         global_shape=G, offset=(G[0] - 2, G[1] - 3))
    for r in range(2):
        for c in range(3):
            i = (G[0] - 2 + r) * G[1] + G[1] - 3 + c
            w = _philox(seed, stream, i // 2)
            assert int(x64[r, c]) == w[2 * (i % 2)] | (w[2 * (i % 2) + 1] << 32)
    # A float fill of the same block equals the 1-D addressing of the same indices.
    g = initfill.Generator(seed)
    blk = g.normal_(np.empty((2, 8)), stream=stream, global_shape=G, offset=off)
    for r in range(2):
        i0 = (off[0] + r) * G[1] + off[1]
        row = g.normal_(np.empty(8), stream=stream, global_shape=(math.prod(G),),
                        offset=(i0,))
        assert np.array_equal(blk[r], row)
    assert np.all(np.isfinite(blk))


def test_global_shape_at_the_2_63_limit():
    # 2**63 - 1 = 7**2 * 73 * 127 * 337 * 92737 * 649657 elements: the largest allowed.
    G = (7 * 7 * 73 * 127, 337 * 92737 * 649657)
    assert math.prod(G) == 2**63 - 1
    x = initfill.Generator(9).bits_(np.empty((1, 2), np.uint32), stream=4,
                                    global_shape=G, offset=(G[0] - 1, G[1] - 2))
    for c in range(2):
        i = 2**63 - 3 + c
        assert int(x[0, c]) == _philox(9, 4, i // 4)[i % 4]
    y = initfill.trunc_normal_(np.empty((1, 2), np.float32), generator=initfill.Generator(9),
                               global_shape=G, offset=(G[0] - 1, G[1] - 2))
    assert np.all(np.abs(y) <= 2.0)
    # One more element along either axis is refused.
    for big in ((G[0] + 1, G[1]), (2, 2**62), (2**63,)):
        arr = np.zeros((1,) * len(big), np.uint32)
        with pytest.raises(ValueError, match=r"global_shape.*2\*\*63"):
            initfill.Generator(9).bits_(arr, global_shape=big)
        assert not arr.any()


def test_messages_name_the_argument_the_caller_used():
    x = np.zeros((8, 6), np.float32)
    before = x.copy()
    with pytest.raises(ValueError, match=r"\ba must be finite"):
        initfill.uniform_(x, a=float("nan"))
    with pytest.raises(ValueError, match=r"\ba must be <= b"):
        initfill.uniform_(x, a=1.0, b=0.0)
    with pytest.raises(ValueError, match=r"\bgain must be >= 0"):
        initfill.xavier_uniform_(x, gain=-1.0)
    with pytest.raises(ValueError, match=r"\bgain\b"):
        initfill.xavier_normal_(x, gain=float("inf"))
    with pytest.raises(ValueError, match=r"\ba must be finite"):
        initfill.kaiming_uniform_(x, a=float("inf"))
    with pytest.raises(ValueError, match=r"low=-1e\+39.*float32"):
        initfill.Generator(0).uniform_(x, low=-1e39, high=0.0)
    with pytest.raises(ValueError, match=r"\ba=1\.0000000001.*float32"):
        initfill.trunc_normal_(x, 1.0, 1.0, 1.0000000001, 1.0000000002)
    assert np.array_equal(x, before)


def test_compute_fans_rejects_bad_shapes_and_axes():
    with pytest.raises(ValueError, match="negative"):
        initfill.compute_fans((-2, 3))
    with pytest.raises(TypeError, match="in_axis"):
        initfill.compute_fans((2, 3), in_axis=[True])
    with pytest.raises(TypeError, match="in_axis"):
        initfill.compute_fans((2, 3), in_axis=1.0)
    x = np.zeros((2, 3), np.float32)
    with pytest.raises(TypeError, match="in_axis"):
        initfill.variance_scaling_(x, in_axis=1.0)

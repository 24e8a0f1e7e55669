"""Fuzzing every public fill with hypothesis (issue 16): odd buffers and odd arguments.

Each example builds an output over a sentinel-patterned byte store (any dtype, 0-d to
3-d, zero-size, negative, zero and overlapping strides, misaligned, read-only; NumPy
arrays, raw buffers with ``dtype=``, torch tensors) and calls one fill with
arguments drawn from good values and bad ones (NaN, inf, huge ints, Fractions, strings,
None, bools; streams and global shapes beyond 2**63, inconsistent offsets).  The
oracle:

- success: every byte outside the output is as it was, the values equal the slice of a
  whole fill with the same arguments and stream (when the logical tensor is small
  enough to fill whole; else a fill of a fresh contiguous block), lie inside the
  documented bounds, and the stream counter moved by exactly the streams taken;
- failure: a TypeError or ValueError, the store's bytes and the Generator's
  ``next_stream`` (and the default generator's) unchanged.

Derandomized with no example database, so every run tries the same examples.
"""
from __future__ import annotations

import math
import os
import warnings
from fractions import Fraction

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import initfill  # noqa: E402
from initfill import initializers  # noqa: E402

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

FUZZ = settings(max_examples=700, derandomize=True, database=None, deadline=None,
                suppress_health_check=list(HealthCheck), print_blob=True)

SEED = 1234
# INITFILL_FUZZ_WHY=1 with --hypothesis-show-statistics: which refusals were drawn.
WHY = bool(os.environ.get("INITFILL_FUZZ_WHY"))
HUGE = 10**400
# Every element type a caller might pass; only some are accepted by each fill.
DTYPES = ["float32", "float64", "float16", "bfloat16", "uint32", "uint64", "int32",
          "uint16", "int8", "complex64", "bool"]
RAW_DTYPES = ["float32", "float64", "float16", "bfloat16", "bf16", "uint32", "uint64"] * 2 + [
    "int16", "complex64", object, "O", "no-such-type", 3, None]
BAD_NUMBERS = [math.nan, math.inf, -math.inf, HUGE, -HUGE, Fraction(HUGE, 3), "1.0",
               None, True, 2**64, 1e39, -1e300, np.float32(0.25), np.array(2.0),
               Fraction(1, 3), 7, -3, 0, -0.0]


def numbers():
    """A parameter: mostly ordinary floats, often something odd."""
    good = st.floats(-4.0, 4.0)
    return st.one_of(good, good, good, good, good, st.sampled_from(BAD_NUMBERS),
                     st.floats(allow_nan=True, allow_infinity=True))


STREAMS = st.one_of(st.none(), st.none(), st.none(), st.integers(0, 5),
                    st.sampled_from([-1, 2**64 - 1, 2**64, "layer.weight", "\ud800", 1.0,
                                     True, b"x"]))


# ---- outputs over a sentinel store ---------------------------------------------------

class Output:
    """An output `x` over `store`, with what the oracle needs to read it back."""

    def __init__(self, x, store, values, dtype_arg):
        self.x = x                  # what the fill gets
        self.store = store          # the uint8 store under it
        self.values = values        # an ndarray view of the elements (None if not one)
        self.dtype_arg = dtype_arg  # dtype= to pass (raw buffers, bfloat16 words)


def _np_dtype(name):
    return np.dtype(np.uint16) if name == "bfloat16" else np.dtype(name)


FLOAT_TYPES = ["float32", "float64", "float16", "bfloat16"]
BITS_TYPES = ["uint32", "uint64"]


@st.composite
def outputs(draw, bits=False):
    """An Output; its dtype is mostly one that a float fill (or, `bits`, bits_) takes."""
    kind = draw(st.sampled_from(["ndarray", "ndarray", "ndarray", "raw", "torch", "torch"]))
    store = np.empty(4096, np.uint8)
    store[:] = (np.arange(store.size) * 37 + 11) % 256
    if kind == "raw":
        nbytes = draw(st.integers(0, 40))
        start = 64 + draw(st.integers(0, 7))
        mv = memoryview(store)[start:start + nbytes]
        wrap = draw(st.sampled_from(["memoryview", "memoryview", "readonly", "ndarray-u8"]))
        x = mv.toreadonly() if wrap == "readonly" else (
            np.asarray(mv) if wrap == "ndarray-u8" else mv)
        dtype_arg = draw(st.sampled_from((BITS_TYPES if bits else FLOAT_TYPES) * 4 + RAW_DTYPES))
        return Output(x, store, None, dtype_arg)
    name = draw(st.sampled_from((BITS_TYPES if bits else FLOAT_TYPES) * 6 + DTYPES))
    dt = _np_dtype(name)
    ndim = draw(st.integers(0, 3))
    shape = tuple(draw(st.integers(0, 4)) for _ in range(ndim))
    # Element strides: C order, or anything in [-3, 3] elements (negative, zero and
    # overlapping), plus a byte misalignment.
    if draw(st.integers(0, 2)):
        strides, acc = [], dt.itemsize
        for n in reversed(shape):
            strides.insert(0, acc)
            acc *= max(n, 1)
    else:
        strides = [draw(st.integers(-3, 3)) * dt.itemsize for _ in shape]
    misalign = draw(st.sampled_from([0] * 8 + [1, 2, 4]))
    lo = sum(min(0, (n - 1) * s) for n, s in zip(shape, strides) if n)
    start = 256 - (256 % 64) + misalign - lo
    arr = np.ndarray(shape, dt, buffer=store, offset=start, strides=tuple(strides))
    dtype_arg = "bfloat16" if name == "bfloat16" else None
    if kind == "torch" and torch is not None and name not in ("bfloat16", "uint16") \
            and min(strides, default=0) >= 0 and not misalign:
        try:
            x = torch.from_numpy(arr)
        except (TypeError, ValueError, RuntimeError):
            x = arr
        return Output(x, store, arr, dtype_arg)
    if draw(st.integers(0, 7)) == 0:
        arr.flags.writeable = False
    if draw(st.integers(0, 7)) == 0:
        dtype_arg = draw(st.sampled_from(RAW_DTYPES))  # often a mismatch
    return Output(arr, store, arr, dtype_arg)


@st.composite
def addressing(draw, out):
    """global_shape= and offset= (or neither): consistent, inconsistent or huge."""
    if out.values is None or draw(st.integers(0, 2)) == 0:
        return {}
    shape = out.values.shape
    how = draw(st.sampled_from(["block"] * 5 + ["huge", "huge", "wrong", "offset-only"]))
    if how == "offset-only":
        return {"offset": tuple(0 for _ in shape)}
    if how == "wrong":
        return {"global_shape": draw(st.sampled_from([(), (3,), (2**63,), "ab", 5,
                                                      (1.0, 2.0), (-1, 2)])),
                "offset": draw(st.sampled_from([None, (0,), (-1, 0)]))}
    big = how == "huge"
    gshape, offset = [], []
    for n in shape:
        extra = draw(st.sampled_from([0, 1, 3, 2**31, 2**62, 2**63, 2**64 + 5])
                     if big else st.integers(0, 3))
        o = draw(st.integers(0, extra)) if extra < 8 else draw(st.sampled_from([0, extra]))
        gshape.append(n + extra)
        offset.append(o)
    return {"global_shape": tuple(gshape), "offset": tuple(offset)}


# ---- the oracle ----------------------------------------------------------------------

def _as_float(values, dtype_arg):
    """Element values as float64 (bfloat16/float16 words decoded)."""
    v = np.array(values)
    if dtype_arg in ("bfloat16", "bf16") and v.dtype == np.uint16:
        return (v.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    if v.dtype.kind == "f":
        return v.astype(np.float64)
    return None


def _bits(values):
    v = np.array(values)
    return v.view(f"u{v.dtype.itemsize}") if v.dtype.itemsize in (1, 2, 4, 8) else v


def _written_view(out, result_dtype_arg):
    """The written elements as an ndarray (raw buffers viewed with dtype=)."""
    if out.values is not None:
        v = out.values
        if result_dtype_arg is not None and v.dtype.itemsize == 1:
            return None
        return v
    if result_dtype_arg is None:
        return None
    dt = _np_dtype("bfloat16" if result_dtype_arg in ("bfloat16", "bf16")
                   else result_dtype_arg)
    return np.frombuffer(out.x, dt) if not isinstance(out.x, np.ndarray) else \
        out.x.view(dt)


def check(call, reference, out, gen, takes_stream, stream, bounds=None):
    outcome = _check(call, reference, out, gen, takes_stream, stream, bounds)
    hypothesis.event(outcome)  # --hypothesis-show-statistics shows the mix


def _check(call, reference, out, gen, takes_stream, stream, bounds=None):
    """Run ``call(x)``, then hold it to the oracle.

    `reference(x, stream)` fills a fresh contiguous `x` of the same kind with an explicit
    stream; `bounds(v)` checks the decoded values (float64) or is None.
    """
    before = bytes(out.store)
    default_before = initfill.default_generator().next_stream
    gen_before = gen.next_stream if gen is not None else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call(out.x)
        except (TypeError, ValueError) as e:
            if WHY:
                hypothesis.event(str(e)[:50])
            assert bytes(out.store) == before, "a refused call wrote to the buffer"
            assert initfill.default_generator().next_stream == default_before
            if gen is not None:
                assert gen.next_stream == gen_before, "a refused call took a stream"
            return "refused"
    used = gen if gen is not None else initfill.default_generator()
    taken = used.next_stream - (gen_before if gen is not None else default_before)
    if stream is None and takes_stream:
        assert taken in (0, 1)  # 0: a zero-size initializer that writes nothing
        s = (gen_before if gen is not None else default_before)
    else:
        assert taken == 0
        s = stream
    view = _written_view(out, out.dtype_arg)
    if view is None or view.size == 0:
        return "filled (nothing to compare)"
    # Nothing outside the view's bytes changed.
    after = np.frombuffer(bytes(out.store), np.uint8).copy()
    mask = np.zeros(after.size, bool)
    base = np.frombuffer(out.store, np.uint8).ctypes.data if isinstance(
        out.store, np.ndarray) else None
    addr = view.__array_interface__["data"][0] - base
    for idx in np.ndindex(view.shape):
        off = addr + sum(i * s_ for i, s_ in zip(idx, view.strides))
        mask[off:off + view.itemsize] = True
    assert np.array_equal(after[~mask], np.frombuffer(before, np.uint8)[~mask])
    want = reference(s)
    if want is not None:
        assert np.array_equal(_bits(view), _bits(want)), "values differ from a whole fill"
    decoded = _as_float(view, out.dtype_arg)
    if bounds is not None and decoded is not None:
        assert bounds(decoded), (decoded, )
    return "filled, compared" if want is not None else "filled, bounds only"


def _block(gshape, offset, shape):
    if not gshape:
        return ()
    offset = offset or (0,) * len(shape)
    return tuple(slice(o, o + n) for o, n in zip(offset, shape))


def _reference_of(out, fill_fresh, addr):
    """A reference maker: fill a fresh C-contiguous array of the logical tensor (small)
    or of the block (huge) with `fill_fresh(arr, stream, addr_kw)`, and slice it."""
    def reference(stream):
        view = _written_view(out, out.dtype_arg)
        if view is None:
            return None
        gshape = addr.get("global_shape")
        if isinstance(gshape, tuple) and math.prod(gshape) <= 4096:
            whole = np.zeros(gshape, view.dtype)
            fill_fresh(whole, stream, {})
            return whole[_block(gshape, addr.get("offset"), view.shape)]
        fresh = np.zeros(view.shape, view.dtype)
        fill_fresh(fresh, stream, addr)
        return fresh

    return reference


def _dtype_kw(out):
    return {} if out.dtype_arg is None else {"dtype": out.dtype_arg}


def _uniform_bounds(low, high):
    """[low, high); only called after a fill succeeded, so the bounds are reals."""
    def inside(v):
        lo, hi = float(low), float(high)
        if lo == hi:  # every value is `lo` rounded to the output type
            return bool(np.all(v == v.flat[0]) and abs(v.flat[0] - lo) <= abs(lo) * 2**-8)
        return bool(np.all(v >= lo) and np.all(v < hi))
    return inside


def _trunc_bounds(a, b):
    return lambda v: bool(np.all(v >= float(a)) and np.all(v <= float(b)))


def _finite(v):
    return bool(np.all(np.isfinite(v)))


# ---- the Generator's fills -------------------------------------------------------------

GENERATOR_FILLS = {"uniform_": 2, "normal_": 2, "trunc_normal_": 4, "bits_": 0}


@FUZZ
@given(data=st.data())
def test_fuzz_generator_fills(data):
    method = data.draw(st.sampled_from(sorted(GENERATOR_FILLS)))
    out = data.draw(outputs(bits=method == "bits_"))
    params = tuple(data.draw(numbers())
                   for _ in range(data.draw(st.integers(0, GENERATOR_FILLS[method]))))
    stream = data.draw(STREAMS)
    addr = data.draw(addressing(out))
    g = initfill.Generator(SEED, next_stream=data.draw(st.sampled_from([0, 7, 2**64 - 1])))
    kw = {**_dtype_kw(out), **addr}
    if stream is not None:
        kw["stream"] = stream

    def fresh(arr, s, akw):
        getattr(initfill.Generator(SEED), method)(arr, *params, stream=s, **akw,
                                                 **_dtype_kw(out))

    full = dict(zip(("low", "high") if method == "uniform_" else ("mean", "std", "a", "b"),
                    params))
    bounds = None
    if method == "uniform_":
        bounds = _uniform_bounds(full.get("low", 0.0), full.get("high", 1.0))
    elif method == "trunc_normal_":
        bounds = _trunc_bounds(full.get("a", -2.0), full.get("b", 2.0))
    elif method == "normal_":
        bounds = _finite
    check(lambda x: getattr(g, method)(x, *params, **kw), _reference_of(out, fresh, addr),
          out, g, True, stream, bounds)


# ---- initfill.* module functions -------------------------------------------------------

MODES = ["fan_in", "fan_out", "fan_avg", "fan_geo_avg", "FAN_IN", 3]
MODULE_FILLS = {
    "uniform_": lambda d: (d(numbers()), d(numbers())),
    "normal_": lambda d: (d(numbers()), d(numbers())),
    "trunc_normal_": lambda d: (d(numbers()), d(numbers()), d(numbers()), d(numbers())),
    "xavier_uniform_": lambda d: (d(numbers()),),
    "xavier_normal_": lambda d: (d(numbers()),),
    "kaiming_uniform_": lambda d: (d(numbers()), d(st.sampled_from(MODES)),
                                   d(st.sampled_from(["leaky_relu", "relu", "tanh", "selu",
                                                      "linear", "bogus"]))),
    "kaiming_normal_": lambda d: (d(numbers()), d(st.sampled_from(MODES))),
    "variance_scaling_": lambda d: (d(numbers()), d(st.sampled_from(MODES)),
                                    d(st.sampled_from(["truncated_normal", "uniform",
                                                       "normal", "untruncated_normal",
                                                       "bogus"]))),
    "lecun_uniform_": lambda d: (),
    "lecun_normal_": lambda d: (),
    "constant_": lambda d: (d(numbers()),),
    "zeros_": lambda d: (),
    "ones_": lambda d: (),
}
NO_STREAM = ("constant_", "zeros_", "ones_")


@FUZZ
@given(data=st.data())
def test_fuzz_module_functions(data):
    out = data.draw(outputs())
    name = data.draw(st.sampled_from(sorted(MODULE_FILLS)))
    params = MODULE_FILLS[name](data.draw)
    initfill.manual_seed(SEED)
    gen = data.draw(st.sampled_from([None, "gen", "gen", 3]))
    g = initfill.Generator(SEED, next_stream=2) if gen == "gen" else None
    kw = dict(_dtype_kw(out))
    stream = None
    if name not in NO_STREAM:
        stream = data.draw(STREAMS)
        kw.update(data.draw(addressing(out)))
        if stream is not None:
            kw["stream"] = stream
        if gen is not None:
            kw["generator"] = g if gen == "gen" else gen
    addr = {k: kw[k] for k in ("global_shape", "offset") if k in kw}
    fill = getattr(initfill, name)

    def fresh(arr, s, akw):
        extra = {} if name in NO_STREAM else {"generator": initfill.Generator(SEED),
                                                "stream": s}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fill(arr, *params, **extra, **akw, **_dtype_kw(out))

    bounds = _finite
    if name == "uniform_":
        bounds = _uniform_bounds(*(params + (0.0, 1.0)[len(params):]))
    elif name == "trunc_normal_":
        bounds = _trunc_bounds(*(params + (0.0, 1.0, -2.0, 2.0)[len(params):])[2:])
    check(lambda x: fill(x, *params, **kw), _reference_of(out, fresh, addr), out,
          g, name not in NO_STREAM, stream, bounds)


# ---- initializer objects' fill_ -------------------------------------------------------

INITIALIZERS = [
    lambda d: initializers.Zeros(), lambda d: initializers.Ones(),
    lambda d: initializers.Constant(d(st.floats(-3, 3))),
    lambda d: initializers.RandomNormal(d(st.floats(-1, 1)), d(st.floats(0, 2)), seed=5),
    lambda d: initializers.RandomUniform(-1.0, d(st.floats(-1, 2)), seed=5),
    lambda d: initializers.TruncatedNormal(0.0, d(st.floats(0.01, 2)), seed=5),
    lambda d: initializers.GlorotUniform(seed=5), lambda d: initializers.GlorotNormal(),
    lambda d: initializers.HeUniform(seed=5, layout=d(st.sampled_from(["keras", "torch"]))),
    lambda d: initializers.HeNormal(seed=5), lambda d: initializers.LecunNormal(seed=5),
    lambda d: initializers.LecunUniform(seed=5),
    lambda d: initializers.VarianceScaling(d(st.floats(0.1, 3)), "fan_avg", "uniform", seed=5),
    lambda d: initializers.Orthogonal(seed=5), lambda d: initializers.Identity(),
]


@FUZZ
@given(data=st.data())
def test_fuzz_initializers(data):
    out = data.draw(outputs())
    make = data.draw(st.sampled_from(INITIALIZERS))
    try:
        init = make(data.draw)
    except (TypeError, ValueError):
        return  # a constructor refusing a drawn value (e.g. maxval < minval)
    initfill.manual_seed(SEED)
    gen = data.draw(st.sampled_from([None, "gen", 3]))
    g = initfill.Generator(SEED, next_stream=4) if gen == "gen" else None
    kw = {}
    stream = data.draw(STREAMS) if gen is not None else None
    if gen is not None:
        kw["generator"] = g if gen == "gen" else gen
    if stream is not None:
        kw["stream"] = stream
    if out.dtype_arg is not None:
        out.dtype_arg = None  # fill_ takes no dtype=: raw buffers are refused
    random = not isinstance(init, (initializers.Zeros, initializers.Ones,
                                   initializers.Constant, initializers.Identity))

    def reference(s):
        view = _written_view(out, None)
        if view is None or view.dtype.kind != "f":
            return None
        fresh = np.zeros(view.shape, view.dtype)
        if gen is None:
            return None  # drew from the object's own seed or the default generator
        init.fill_(fresh, generator=initfill.Generator(SEED), stream=s)
        return fresh

    check(lambda x: init.fill_(x, **kw), lambda s: reference(s), out, g, random, stream,
          _finite)

"""Arguments that used to escape as OverflowError, UnicodeEncodeError, BufferError,
NumPy's or torch's own errors (issue 16): each is now a TypeError or ValueError that
names the argument, raised before anything is written and before a stream is taken.
"""
from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest

import initfill
from initfill import initializers

HUGE = 10**400


def _unchanged(call, exc, match, gen=None):
    """`call(x, g)` raises `exc` matching `match`; x's bytes and the stream counter
    of `g` (and of the default generator) are as they were."""
    g = initfill.Generator(5, next_stream=3) if gen is None else gen
    initfill.manual_seed(7)
    x = np.arange(24, dtype=np.float32).reshape(4, 6)
    before = x.tobytes()
    with pytest.raises(exc, match=match):
        call(x, g)
    assert x.tobytes() == before
    assert g.next_stream == 3
    assert initfill.default_generator().next_stream == 0


HUGE_PARAMETERS = [
    (lambda x, g: g.uniform_(x, -HUGE, 1.0), r"\blow\b.*float64's range.*an int"),
    (lambda x, g: g.uniform_(x, 0.0, HUGE), r"\bhigh\b.*float64's range"),
    (lambda x, g: g.normal_(x, 0.0, HUGE), r"\bstd\b.*float64's range"),
    (lambda x, g: g.normal_(x, Fraction(HUGE, 3)), r"\bmean\b.*float64's range.*a Fraction"),
    (lambda x, g: g.trunc_normal_(x, a=-HUGE), r"\ba\b.*float64's range"),
    (lambda x, g: initfill.uniform_(x, -HUGE, generator=g), r"\ba\b.*float64's range"),
    (lambda x, g: initfill.normal_(x, std=-Fraction(HUGE), generator=g), r"\bstd\b"),
    (lambda x, g: initfill.xavier_uniform_(x, gain=HUGE, generator=g), r"\bgain\b"),
    (lambda x, g: initfill.xavier_normal_(x, gain=-HUGE, generator=g), r"\bgain\b"),
    (lambda x, g: initfill.variance_scaling_(x, scale=HUGE, generator=g), r"\bscale\b"),
    (lambda x, g: initfill.constant_(x, HUGE), r"\bval\b.*float64's range"),
    (lambda x, g: initfill.constant_(x, 10**5000), r"\bval\b"),  # str() of it would raise
    (lambda x, g: initializers.Constant(HUGE).fill_(x), r"\bvalue\b"),
    (lambda x, g: initializers.RandomNormal(stddev=HUGE), r"\bstddev\b"),
    (lambda x, g: initializers.RandomUniform(minval=-HUGE), r"\bminval\b"),
]


@pytest.mark.parametrize("case", range(len(HUGE_PARAMETERS)))
def test_huge_ints_and_fractions(case):
    call, match = HUGE_PARAMETERS[case]
    _unchanged(call, ValueError, match)


def test_fractions_in_range_are_exact_floats():
    a = initfill.Generator(1).normal_(np.empty(8), Fraction(1, 3), Fraction(2, 1))
    b = initfill.Generator(1).normal_(np.empty(8), 1 / 3, 2.0)
    assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("slope", [1e200, -1e155, 10**200])
def test_leaky_relu_slope_whose_square_overflows(slope):
    # torch raises OverflowError (34, 'Numerical result out of range') for these.
    with pytest.raises(ValueError, match=r"param \(the negative slope of leaky_relu\)"):
        initfill.calculate_gain("leaky_relu", slope)
    for fill in (initfill.kaiming_uniform_, initfill.kaiming_normal_):
        _unchanged(lambda x, g: fill(x, a=slope, generator=g), ValueError,
                   r"^a \(the negative slope")
    # Also on a zero-size tensor, where nothing would be written.
    with pytest.raises(ValueError, match=r"^a \("):
        initfill.kaiming_uniform_(np.empty((0, 3), np.float32), a=slope)


def test_leaky_relu_slopes_below_the_limit_keep_their_values():
    assert initfill.calculate_gain("leaky_relu", 1e150) == math.sqrt(2.0 / (1 + 1e300))
    assert initfill.calculate_gain("leaky_relu", math.sqrt(5)) == math.sqrt(2.0 / 6.0000000000000001)


@pytest.mark.parametrize("gshape, offset", [
    ((0, 2**63), None),
    ((0, 2**64 + 5), (0, 2**64)),
    ((0, 2**62, 4), None),        # a C-order stride of 2**64
])
def test_zero_size_block_of_an_oversized_global_shape(gshape, offset):
    block = tuple(0 if n == 0 else 1 for n in gshape)
    g = initfill.Generator(0, next_stream=3)
    for call in (lambda x: g.normal_(x, global_shape=gshape, offset=offset),
                 lambda x: initfill.uniform_(x, generator=g, global_shape=gshape, offset=offset),
                 lambda x: g.bits_(x.view(np.uint32), global_shape=gshape, offset=offset)):
        x = np.zeros(block, np.float32)
        with pytest.raises(ValueError, match=r"global_shape"):
            call(x)
    assert g.next_stream == 3


def test_block_at_the_last_int64_index_is_fine():
    g = initfill.Generator(0)
    x = np.empty(1, np.float32)
    g.normal_(x, stream=0, global_shape=(2**63 - 1,), offset=(2**63 - 2,))


ZERO_SIZE_FILLS = [
    lambda x, **kw: initfill.kaiming_uniform_(x, mode="fan_in", **kw),
    lambda x, **kw: initfill.kaiming_normal_(x, **kw),
    lambda x, **kw: initfill.xavier_uniform_(x, **kw),
    lambda x, **kw: initfill.xavier_normal_(x, **kw),
    lambda x, **kw: initfill.uniform_(x, **kw),
    lambda x, **kw: initfill.normal_(x, **kw),
    lambda x, **kw: initfill.trunc_normal_(x, **kw),
    lambda x, **kw: initfill.variance_scaling_(x, **kw),
    lambda x, **kw: initfill.lecun_normal_(x, **kw),
]


@pytest.mark.parametrize("case", range(len(ZERO_SIZE_FILLS)))
def test_zero_size_still_checks_stream_and_generator(case):
    fill = ZERO_SIZE_FILLS[case]
    x = np.empty((0, 3), np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(ValueError, match=r"\bstream\b"):
            fill(x, stream=-1)
        with pytest.raises(ValueError, match=r"\bstream\b"):
            fill(x, stream="\ud800")
        with pytest.raises(TypeError, match=r"\bgenerator\b"):
            fill(x, generator=3)
        fill(x, stream=1)


@pytest.mark.parametrize("init", [initializers.Zeros(), initializers.Constant(2.0),
                                  initializers.HeUniform(seed=1),
                                  initializers.GlorotNormal(seed=1),
                                  initializers.RandomNormal(seed=1)])
def test_initializers_check_stream_on_zero_size_and_constants(init):
    g = initfill.Generator(0, next_stream=3)
    for x in (np.empty((0, 3), np.float32), np.zeros((2, 3), np.float32)):
        with pytest.raises(ValueError, match=r"\bstream\b"):
            init.fill_(x, generator=g, stream=-1)
        with pytest.raises(TypeError, match=r"\bgenerator\b"):
            init.fill_(x, generator=3)
        assert not x.any()
    assert g.next_stream == 3


@pytest.mark.parametrize("name", ["\ud800", "layer\udfff.weight"])
def test_lone_surrogate_stream_name(name):
    _unchanged(lambda x, g: g.normal_(x, stream=name), ValueError,
               r"^stream must be .*UTF-8")
    with pytest.raises(ValueError, match=r"stream"):
        initfill.stream_id(name)
    with pytest.raises(ValueError, match=r"stream"):
        initfill.Generator(0, next_stream=name)


@pytest.mark.parametrize("dtype", [object, "O", "longdouble", "int32", "complex64", "V4"])
def test_raw_buffer_dtype_that_no_fill_takes(dtype):
    buf = bytearray(range(16))
    g = initfill.Generator(0)
    with pytest.raises(TypeError, match=r"^dtype=.*float32, float64, float16, bfloat16"):
        g.uniform_(buf, dtype=dtype)
    with pytest.raises(TypeError, match=r"^dtype=.*uint32, uint64"):
        g.bits_(buf, dtype=dtype)
    assert buf == bytearray(range(16)) and g.next_stream == 0


def test_bits_on_non_native_floats_names_what_it_takes():
    x = np.zeros(4, ">f4" if np.little_endian else "<f4")
    with pytest.raises(TypeError, match=r"bits_ fills uint32, uint64 buffers; x has dtype "
                                        r"float32 \(.f4, non-native byte order\)"):
        initfill.Generator(0).bits_(x)
    y = np.zeros(4, ">u4" if np.little_endian else "<u4")
    with pytest.raises(TypeError, match=r"non-native byte order.*bits_ writes uint32 in the "
                                        r"machine's byte order"):
        initfill.Generator(0).bits_(y)


@pytest.mark.parametrize("call, exc", [
    (lambda g: g.bits_(np.zeros(4, np.uint16), dtype="bfloat16"), TypeError),
    (lambda g: g.uniform_(np.zeros(4, np.uint16), 0.0, 1e39, dtype="bfloat16"), ValueError),
    (lambda g: g.uniform_(np.zeros(4, np.float32), dtype="bfloat16"), TypeError),
    (lambda g: g.normal_(np.zeros(4, np.uint32), dtype="bf16"), TypeError),
    (lambda g: g.normal_(bytearray(3), dtype="bfloat16"), ValueError),
    (lambda g: g.normal_(memoryview(bytearray(9))[1:5], dtype="bfloat16"), ValueError),
    (lambda g: g.normal_(np.zeros(9, np.uint8)[1:].view(np.uint16), dtype="bfloat16"),
     ValueError),
])
def test_messages_name_bfloat16_never_uint16(call, exc):
    with pytest.raises(exc) as e:
        call(initfill.Generator(0))
    assert "bfloat16" in str(e.value) and "uint16" not in str(e.value), str(e.value)


class _Exporter:
    """A DLPack exporter that refuses, as NumPy does for some arrays."""

    def __init__(self, exc):
        self.exc = exc

    def __dlpack_device__(self):
        return (1, 0)

    def __dlpack__(self, **kw):
        raise self.exc


def test_dlpack_exporters_own_buffer_error():
    g = initfill.Generator(0)
    with pytest.raises(ValueError, match=r"refused to export.*cannot export readonly"):
        g.normal_(_Exporter(BufferError("cannot export readonly array")))
    assert g.next_stream == 0


class _Wrap:
    def __init__(self, x):
        self.x = x

    def __dlpack_device__(self):
        return self.x.__dlpack_device__()

    def __dlpack__(self, **kw):
        return self.x.__dlpack__(**kw)


@pytest.mark.parametrize("make", [
    lambda: np.zeros(4, ">f4" if np.little_endian else "<f4"),
    lambda: np.zeros(4, np.longdouble),
    lambda: np.zeros(4, np.float32)[::-1][:0],   # still fine: zero-size
])
def test_numpy_dlpack_refusals_are_named_errors(make):
    a = make()
    g = initfill.Generator(0)
    if a.size == 0:
        g.normal_(_Wrap(a))
        return
    with pytest.raises((TypeError, ValueError), match=r"\bx\b"):
        g.normal_(_Wrap(a))
    assert not a.any() and g.next_stream == 0


def test_dlpack_export_with_a_null_data_pointer():
    torch = pytest.importorskip("torch")
    t = torch.empty(10)
    t.untyped_storage().resize_(0)  # torch exports such a tensor with data NULL
    g = initfill.Generator(0)
    with pytest.raises(ValueError, match=r"NULL data pointer"):
        g.normal_(_Wrap(t))
    assert g.next_stream == 0

"""The reproducibility contract: every value is a pure function of
(seed, stream, global element index in C order of the logical tensor).

So the bits written do not depend on the thread count, on how a tensor is cut into
chunks or N-d blocks, on the memory layout of the output (strides, order, negative
strides), or on the kind of buffer (ndarray, bytearray, memoryview, mmap, ctypes,
array.array).  Everything here compares raw bits (``np.array_equal`` on unsigned
views), so neither -0.0 nor NaN could hide a difference.
"""
from __future__ import annotations

import array
import collections
import ctypes
import hashlib
import math
import mmap
import os
import subprocess
import sys

import numpy as np
import pytest

import initfill

INF = math.inf

# Every distribution x dtype, with parameters that reach the different code paths.
DISTS = [
    ("uniform_", "float32", {"low": -2.0, "high": 3.0}),
    ("uniform_", "float64", {"low": -2.0, "high": 3.0}),
    ("normal_", "float32", {"mean": 0.1, "std": 2.0}),
    ("normal_", "float64", {"mean": 0.1, "std": 2.0}),
    ("trunc_normal_", "float32", {}),
    ("trunc_normal_", "float64", {}),
    ("trunc_normal_", "float32", {"a": 6.0, "b": INF}),
    ("trunc_normal_", "float64", {"a": -INF, "b": -6.0}),
    ("trunc_normal_", "float32", {"mean": 0.5, "std": 0.1, "a": 0.5, "b": 0.50001}),
    ("trunc_normal_", "float64", {"a": 0.5, "b": 0.5001}),
    ("bits_", "uint32", {}),
    ("bits_", "uint64", {}),
]
DIST_IDS = [f"{m}{dt}-{'-'.join(f'{k}{v}' for k, v in kw.items())}" for m, dt, kw in DISTS]
# The far tail beyond 30 sigma takes another path and is slower: used where sizes are small.
FAR = [("trunc_normal_", "float32", {"a": 40.0, "b": INF}),
       ("trunc_normal_", "float64", {"a": -INF, "b": -40.0})]

SEED = 0x5EED_1234_ABCD_0001
STREAM = 11

UINT = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def raw(x):
    """The raw bits of an array, C order, as unsigned integers."""
    a = np.asarray(x)
    return np.ascontiguousarray(a).view(UINT[a.dtype.itemsize])


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(raw(a), raw(b))


def fill(x, method, kw, *, seed=SEED, stream=STREAM, **more):
    return getattr(initfill.Generator(seed), method)(x, stream=stream, **kw, **more)


def whole(shape, method, dtype, kw, **more):
    return fill(np.empty(shape, dtype), method, kw, **more)


@pytest.fixture
def restore_threads():
    n = initfill.get_num_threads()
    yield
    initfill.set_num_threads(n)


# ---------------------------------------------------------------- threads


@pytest.mark.parametrize("method, dtype, kw", DISTS, ids=DIST_IDS)
def test_thread_count_does_not_change_values(method, dtype, kw, restore_threads):
    # The driver starts one thread per 2**15 elements at most: 2**18 + 5 elements
    # let every count up to 4 (and 8) run really threaded, with a ragged end.
    n = 2**18 + 5
    results = []
    for t in (1, 2, 3, 4, 8):
        initfill.set_num_threads(t)
        assert initfill.get_num_threads() == t
        results.append(whole(n, method, dtype, kw))
    for r in results[1:]:
        assert same_bits(r, results[0])


@pytest.mark.parametrize("method, dtype, kw", DISTS[::3] + FAR,
                         ids=DIST_IDS[::3] + ["far32", "far64"])
def test_thread_count_nd_strided_and_block(method, dtype, kw, restore_threads):
    # Threads over an N-d, non-contiguous view and over a block of a larger tensor.
    shape = (130, 61, 37)                    # 293_410 elements
    gshape, off = (300, 70, 40), (101, 7, 2)
    if method == "trunc_normal_" and abs(kw.get("a", 0)) + abs(kw.get("b", 0)) > 80:
        shape, gshape = (66, 61, 37), (200, 70, 40)     # ~150k: 4 threads, less time
    out = []
    for t in (1, 2, 3, 4):
        initfill.set_num_threads(t)
        base = np.zeros((shape[2], shape[0] * 2, shape[1] + 3), dtype)
        v = base[:, ::-2, 2:-1].transpose(1, 2, 0)
        assert v.shape == shape and not v.flags.c_contiguous
        fill(v, method, kw)
        blk = fill(np.empty(shape, dtype), method, kw, global_shape=gshape, offset=off)
        out.append((v.copy(), blk))
    for v, blk in out[1:]:
        assert same_bits(v, out[0][0])
        assert same_bits(blk, out[0][1])
    initfill.set_num_threads(1)
    assert same_bits(out[0][0], whole(shape, method, dtype, kw))


# ---------------------------------------------------------------- chunks


@pytest.mark.parametrize("method, dtype, kw", DISTS + FAR, ids=DIST_IDS + ["far32", "far64"])
def test_random_chunk_splits_1d(method, dtype, kw):
    rng = np.random.default_rng(1001)
    for trial in range(4):
        n = int(rng.integers(50, 3000))
        ref = whole(n, method, dtype, kw)
        k = int(rng.integers(1, 12))
        cuts = np.unique(np.concatenate([[0, n], rng.integers(0, n + 1, size=k)]))
        if trial == 0:  # make sure odd cut points (not multiples of 4 or 2) occur
            cuts = np.unique(np.concatenate([cuts, [1, 3, 5, n - 1]]))
        pieces = []
        target = np.full(n, 7, dtype)
        for a, b in zip(cuts[:-1], cuts[1:]):
            a, b = int(a), int(b)
            # The chunk as a separate array ...
            pieces.append(fill(np.empty(b - a, dtype), method, kw,
                               global_shape=(n,), offset=(a,)))
            # ... and as a view into one preallocated buffer.
            fill(target[a:b], method, kw, global_shape=(n,), offset=(a,))
        assert same_bits(np.concatenate(pieces), ref), (n, cuts)
        assert same_bits(target, ref), (n, cuts)


@pytest.mark.parametrize("method, dtype, kw", DISTS, ids=DIST_IDS)
def test_single_elements_match_whole(method, dtype, kw):
    n = 23
    ref = whole(n, method, dtype, kw)
    for i in range(n):
        one = fill(np.empty(1, dtype), method, kw, global_shape=(n,), offset=(i,))
        assert same_bits(one, ref[i:i + 1]), i


# ---------------------------------------------------------------- N-d blocks


def _random_block(rng, gshape):
    off, ext = [], []
    for g in gshape:
        kind = rng.integers(0, 4)
        if kind == 0:
            o, e = 0, g                       # the full extent (column/row blocks)
        elif kind == 1:
            o, e = int(rng.integers(0, g)), 1  # extent 1
        else:
            o = int(rng.integers(0, g))
            e = int(rng.integers(1, g - o + 1))
        off.append(o)
        ext.append(e)
    return tuple(off), tuple(ext)


GSHAPES = [(37, 53), (64, 3), (1, 77), (9, 10, 11), (5, 1, 33), (4, 5, 6, 7), (3, 2, 9, 13)]


@pytest.mark.parametrize("method, dtype, kw", DISTS + FAR, ids=DIST_IDS + ["far32", "far64"])
def test_random_nd_blocks_match_slices(method, dtype, kw):
    rng = np.random.default_rng(2002)
    for gshape in GSHAPES:
        ref = whole(gshape, method, dtype, kw)
        blocks = [_random_block(rng, gshape) for _ in range(6)]
        # Column blocks and the whole tensor as a block.
        blocks.append(((0,) * (len(gshape) - 1) + (gshape[-1] // 2,),
                       gshape[:-1] + (gshape[-1] - gshape[-1] // 2,)))
        blocks.append(((0,) * len(gshape), gshape))
        for off, ext in blocks:
            sl = tuple(slice(o, o + e) for o, e in zip(off, ext))
            got = fill(np.empty(ext, dtype), method, kw, global_shape=gshape, offset=off)
            assert same_bits(got, ref[sl]), (gshape, off, ext)


@pytest.mark.parametrize("method, dtype, kw", DISTS, ids=DIST_IDS)
def test_blocks_tile_the_tensor(method, dtype, kw):
    # A 3-D tensor cut into an irregular grid of blocks, each filled on its own.
    gshape = (7, 10, 13)
    ref = whole(gshape, method, dtype, kw)
    cuts = [(0, 3, 7), (0, 1, 4, 10), (0, 5, 6, 13)]
    out = np.empty(gshape, dtype)
    for i0, i1 in zip(cuts[0][:-1], cuts[0][1:]):
        for j0, j1 in zip(cuts[1][:-1], cuts[1][1:]):
            for k0, k1 in zip(cuts[2][:-1], cuts[2][1:]):
                fill(out[i0:i1, j0:j1, k0:k1], method, kw, global_shape=gshape,
                     offset=(i0, j0, k0))
    assert same_bits(out, ref)


@pytest.mark.parametrize("method, dtype, kw", DISTS, ids=DIST_IDS)
def test_large_nd_block_is_rows_of_the_c_order_index(method, dtype, kw):
    # Global shapes above 2**33 elements: a 2-D block's row r equals the 1-D fill at
    # global index r * C + c0 (C order), which the whole tensor could never be
    # compared with directly.
    R, C = 3 * 2**16 + 1, 2**17 + 3
    r0, c0, h, w = 2**16 + 17, 2**17 - 9, 3, 11
    blk = fill(np.empty((h, w), dtype), method, kw, global_shape=(R, C), offset=(r0, c0))
    for r in range(h):
        row = fill(np.empty(w, dtype), method, kw, global_shape=(R * C,),
                   offset=((r0 + r) * C + c0,))
        assert same_bits(blk[r], row)
    # 4-D: the same, one line of the innermost axis.
    G = (5, 2**11, 2**11, 2**10 + 1)          # 2**34 + ... elements
    o = (4, 2**11 - 1, 3, 2**10 - 7)
    b4 = fill(np.empty((1, 1, 2, 8), dtype), method, kw, global_shape=G, offset=o)
    base = ((o[0] * G[1] + o[1]) * G[2] + o[2]) * G[3] + o[3]
    for k in range(2):
        line = fill(np.empty(8, dtype), method, kw, global_shape=(math.prod(G),),
                    offset=(base + k * G[3],))
        assert same_bits(b4[0, 0, k], line)


# ---------------------------------------------------------------- layouts


# (base shape, base order, view of the base): strided, transposed, reversed, F-order.
VIEWS = [
    ((400,), "C", lambda b: b[::2]),
    ((400,), "C", lambda b: b[::-1]),
    ((400,), "C", lambda b: b[397:10:-3]),
    ((23, 47), "C", lambda b: b[:, ::3]),
    ((23, 47), "C", lambda b: b.T),
    ((23, 47), "C", lambda b: b[::-1, ::-2]),
    ((23, 47), "F", lambda b: b),
    ((6, 7, 8), "F", lambda b: b),
    ((6, 7, 8), "F", lambda b: b[:, 1:5, ::-1]),
    ((9, 11, 13), "C", lambda b: b[1:-1:2, ::-3, 2:9]),
    ((9, 11, 13), "C", lambda b: b.transpose(2, 0, 1)[::2]),
    ((4, 5, 6, 7), "C", lambda b: b[:, 1::2, ::-1, 3:4].swapaxes(0, 3)),
    ((64,), "C", lambda b: b[5:6]),
    ((3, 64), "C", lambda b: b[1:2, 7:8]),
]


@pytest.mark.parametrize("method, dtype, kw", DISTS, ids=DIST_IDS)
def test_strided_views_match_contiguous(method, dtype, kw):
    for shape, order, view in VIEWS:
        base = np.full(shape, 3, dtype, order=order)
        before = base.copy(order="K")
        v = view(base)
        assert fill(v, method, kw) is v
        assert same_bits(v, whole(v.shape, method, dtype, kw)), (shape, v.shape, v.strides)
        # Everything outside the view is untouched: mark the view's positions in an
        # array laid out alike.
        marker = np.zeros(shape, UINT[np.dtype(dtype).itemsize], order=order)
        view(marker)[...] = 1
        assert same_bits(base[marker == 0], before[marker == 0]), (shape, v.strides)


@pytest.mark.parametrize("method, dtype, kw", DISTS, ids=DIST_IDS)
def test_strided_block_matches_slice(method, dtype, kw):
    # A block given as a non-contiguous view, with global_shape and offset.
    gshape = (31, 29, 5)
    ref = whole(gshape, method, dtype, kw)
    base = np.empty((40, 12, 5), dtype)
    v = base[::-2, 3:10, ::-1]                # (20, 7, 5), negative strides
    fill(v, method, kw, global_shape=gshape, offset=(4, 20, 0))
    assert same_bits(v, ref[4:24, 20:27, 0:5])
    f = np.empty((9, 4, 5), dtype, order="F")
    fill(f, method, kw, global_shape=gshape, offset=(22, 0, 0))
    assert same_bits(f, ref[22:31, 0:4])


# ---------------------------------------------------------------- raw buffers


def _buffers(dtype, n):
    """Writable buffer-protocol objects of ``n`` elements; (object, dtype= to pass)."""
    item = np.dtype(dtype).itemsize
    out = [
        (bytearray(n * item), dtype),
        (memoryview(bytearray(n * item)), dtype),
        (mmap.mmap(-1, n * item), dtype),
    ]
    code = {"float32": "f", "float64": "d", "uint32": "I", "uint64": "Q"}[dtype]
    ctype = {"float32": ctypes.c_float, "float64": ctypes.c_double,
             "uint32": ctypes.c_uint32, "uint64": ctypes.c_uint64}[dtype]
    out.append(((ctype * n)(), None))
    if array.array(code).itemsize == item:
        out.append((array.array(code, bytes(n * item)), None))
        out.append((array.array(code, bytes(n * item)), dtype))
        out.append((memoryview(bytearray(n * item)).cast(code), None))
    return out


def _as_array(obj, dtype):
    return np.frombuffer(memoryview(obj).cast("B"), dtype=dtype).copy()


@pytest.mark.parametrize("method, dtype, kw", DISTS, ids=DIST_IDS)
def test_raw_buffers_match_ndarray(method, dtype, kw):
    n = 1001
    ref = whole(n, method, dtype, kw)
    for obj, dt in _buffers(dtype, n):
        more = {} if dt is None else {"dtype": dt}
        assert fill(obj, method, kw, **more) is obj, type(obj)
        assert same_bits(_as_array(obj, dtype), ref), type(obj)
        # And as a block of a larger tensor.
        assert fill(obj, method, kw, global_shape=(3 * n,), offset=(n + 1,), **more) is obj
        big = whole(3 * n, method, dtype, kw)
        assert same_bits(_as_array(obj, dtype), big[n + 1:2 * n + 1]), type(obj)
        if isinstance(obj, mmap.mmap):
            obj.close()


@pytest.mark.parametrize("method, dtype, kw", DISTS[:2] + DISTS[-2:],
                         ids=DIST_IDS[:2] + DIST_IDS[-2:])
def test_strided_memoryview(method, dtype, kw):
    base = np.zeros(40, dtype)
    mv = memoryview(base)[::-3]
    assert fill(mv, method, kw) is mv
    assert same_bits(base[::-3], whole(14, method, dtype, kw))
    rest = np.ones(40, bool)
    rest[::-3] = False
    assert not base[rest].any()


@pytest.mark.parametrize("method, dtype, kw", DISTS[:2] + DISTS[-2:],
                         ids=DIST_IDS[:2] + DIST_IDS[-2:])
def test_2d_memoryview(method, dtype, kw):
    item = np.dtype(dtype).itemsize
    kinds = "fd" if dtype.startswith("float") else "BHILQ"
    # the struct code of this platform whose C type has the dtype's size
    code = next(c for c in kinds if array.array(c).itemsize == item)
    mv = memoryview(bytearray(6 * 7 * item)).cast(code, shape=[6, 7])
    assert fill(mv, method, kw) is mv
    assert same_bits(np.asarray(mv), whole((6, 7), method, dtype, kw))


# ---------------------------------------------------------------- 0-d and empty


@pytest.mark.parametrize("method, dtype, kw", DISTS, ids=DIST_IDS)
def test_zero_d_array_is_element_zero(method, dtype, kw):
    x = np.empty((), dtype)
    assert fill(x, method, kw) is x
    assert same_bits(x.reshape(1), whole(5, method, dtype, kw)[:1])
    y = np.empty((), dtype)
    assert fill(y, method, kw, global_shape=(), offset=()) is y
    assert same_bits(y, x)


@pytest.mark.parametrize("method, dtype, kw", DISTS, ids=DIST_IDS)
def test_zero_size_is_a_no_op(method, dtype, kw):
    base = np.full((4, 6), 9, dtype)
    before = base.copy()
    for z in (base[2:2], base[:, 3:3], base[1:1, ::-1], np.empty((3, 0, 5), dtype),
              np.empty(0, dtype)):
        assert fill(z, method, kw) is z
        assert z.size == 0
    z = base[:, 3:3]
    assert fill(z, method, kw, global_shape=(4, 6), offset=(0, 3)) is z
    assert same_bits(base, before)
    ba = bytearray()
    assert fill(ba, method, kw, dtype=dtype) is ba and len(ba) == 0


# ---------------------------------------------------------------- Generator streams


def test_successive_calls_use_successive_streams():
    g = initfill.Generator(77)
    assert g.next_stream == 0
    xs = [g.normal_(np.empty(64, np.float32)) for _ in range(3)]
    assert g.next_stream == 3
    assert not np.array_equal(xs[0], xs[1]) and not np.array_equal(xs[1], xs[2])
    h = initfill.Generator(77)
    for s, x in enumerate(xs):
        assert same_bits(h.normal_(np.empty(64, np.float32), stream=s), x)


def test_explicit_stream_does_not_advance_the_counter():
    g = initfill.Generator(5)
    g.uniform_(np.empty(8), stream=100)
    g.bits_(np.empty(8, np.uint32), stream="a.weight")
    assert g.next_stream == 0
    a = g.uniform_(np.empty(8))
    assert g.next_stream == 1
    assert same_bits(a, initfill.Generator(5).uniform_(np.empty(8), stream=0))


def test_every_fill_kind_advances_the_counter():
    g = initfill.Generator(5)
    g.uniform_(np.empty(3))
    g.normal_(np.empty(3))
    g.trunc_normal_(np.empty(3))
    g.bits_(np.empty(3, np.uint64))
    assert g.next_stream == 4


def test_next_stream_starts_the_counter_and_take_stream_advances_it():
    g = initfill.Generator(5, next_stream=41)
    a = g.normal_(np.empty(8, np.float32))
    assert same_bits(a, initfill.Generator(5).normal_(np.empty(8, np.float32), stream=41))
    assert g.take_stream() == 42 and g.take_stream("x") == initfill.stream_id("x")
    assert g.next_stream == 43
    named = initfill.Generator(5, next_stream="fc.weight")
    assert named.take_stream() == initfill.stream_id("fc.weight")
    assert named.next_stream == initfill.stream_id("fc.weight") + 1


def test_the_last_counter_stream_is_taken_once_then_refused():
    g = initfill.Generator(5, next_stream=2**64 - 1)
    a = g.uniform_(np.empty(8))
    assert same_bits(a, initfill.Generator(5).uniform_(np.empty(8), stream=2**64 - 1))
    assert g.next_stream == 2**64
    x = np.full(8, 7.0)
    with pytest.raises(ValueError, match="all 2\\*\\*64"):
        g.uniform_(x)
    assert (x == 7.0).all() and g.next_stream == 2**64


def test_same_seed_same_sequence():
    def program(seed):
        g = initfill.Generator(seed)
        return [
            g.normal_(np.empty((16, 8), np.float32), std=0.02),
            g.uniform_(np.empty(8), -0.1, 0.1),
            g.trunc_normal_(np.empty((4, 4, 3), np.float32)),
            g.bits_(np.empty(5, np.uint64)),
            g.normal_(np.empty(7), stream="named"),
            g.uniform_(np.empty((3, 3), np.float32)),
        ]
    a, b, c = program(2024), program(2024), program(2025)
    for x, y in zip(a, b):
        assert same_bits(x, y)
    assert all(not np.array_equal(x, z) for x, z in zip(a, c))


def test_seed_and_stream_both_matter():
    def x(seed, stream):
        return initfill.Generator(seed).bits_(np.empty(16, np.uint32), stream=stream)

    ref = x(1, 1)
    for seed, stream in [(2, 1), (1, 2), (1 + 2**32, 1), (1, 1 + 2**32)]:
        assert not np.array_equal(ref, x(seed, stream)), (seed, stream)


# Frozen named-stream ids: BLAKE2b-64 of the UTF-8 name, little-endian, top bit set.
# These never change within an ALGORITHM_VERSION.
NAMED = {
    "layers.0.weight": 0xBE163D53ECC2C30C,
    "": 0xB4B2797457A0A6E4,
    "decoder.embed_tokens.weight": 0xC3C9691579860A6C,
    "h\u00e9llo.\u6743\u91cd": 0xD6068C8C702B7736,
}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_named_stream_ids_are_frozen(name):
    sid = initfill.stream_id(name)
    assert sid == NAMED[name], hex(sid)
    assert sid >> 63 == 1
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    assert sid == int.from_bytes(digest, "little") | 1 << 63
    g = initfill.Generator(3)
    a = g.normal_(np.empty(9), stream=name)
    b = g.normal_(np.empty(9), stream=sid)
    assert same_bits(a, b)


_CHILD = """
import hashlib, numpy as np, initfill
g = initfill.Generator(123)
h = hashlib.sha256()
for dt in ("float32", "float64"):
    h.update(g.normal_(np.empty(2**17 + 7, dt), stream="blocks.3.ffn.weight").tobytes())
    h.update(g.trunc_normal_(np.empty(2**17 + 7, dt)).tobytes())
print(initfill.get_num_threads(), h.hexdigest())
"""


def test_other_process_thread_env_and_hash_seed_give_the_same_bits():
    # A named stream must not depend on Python's per-process str hash, and
    # INITFILL_NUM_THREADS must not change values.
    g = initfill.Generator(123)
    h = hashlib.sha256()
    for dt in ("float32", "float64"):
        h.update(g.normal_(np.empty(2**17 + 7, dt), stream="blocks.3.ffn.weight").tobytes())
        h.update(g.trunc_normal_(np.empty(2**17 + 7, dt)).tobytes())
    env = dict(os.environ, INITFILL_NUM_THREADS="3", PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["3", h.hexdigest()]


def test_int_stream_id_is_identity():
    for s in (0, 1, 2**32, 2**63, 2**64 - 1):
        assert initfill.stream_id(s) == s


# ---------------------------------------------------------------- module level


def test_manual_seed_reproduces_module_level_fills():
    def program():
        initfill.manual_seed(99)
        return [
            initfill.normal_(np.empty((10, 6), np.float32), 0.0, 0.5),
            initfill.uniform_(np.empty(11), -1.0, 1.0),
            initfill.trunc_normal_(np.empty(12, np.float32), std=0.02, a=-0.04, b=0.04),
            initfill.xavier_uniform_(np.empty((8, 12), np.float32)),
            initfill.xavier_normal_(np.empty((8, 12))),
            initfill.kaiming_uniform_(np.empty((8, 3, 3, 3), np.float32), a=math.sqrt(5)),
            initfill.kaiming_normal_(np.empty((8, 12))),
            initfill.lecun_uniform_(np.empty((5, 4), np.float32)),
            initfill.lecun_normal_(np.empty((5, 4))),
            initfill.variance_scaling_(np.empty((6, 7), np.float32)),
        ]
    a, b = program(), program()
    for x, y in zip(a, b):
        assert same_bits(x, y)
    # The default generator after manual_seed(s) is Generator(s): streams 0, 1, ...
    g = initfill.Generator(99)
    assert same_bits(a[0], g.normal_(np.empty((10, 6), np.float32), 0.0, 0.5))
    assert same_bits(a[1], g.uniform_(np.empty(11), -1.0, 1.0))
    # Reseeding restarts the counter; another seed gives other values.
    initfill.manual_seed(99)
    assert same_bits(initfill.normal_(np.empty((10, 6), np.float32), 0.0, 0.5), a[0])
    initfill.manual_seed(100)
    assert not np.array_equal(initfill.normal_(np.empty((10, 6), np.float32), 0.0, 0.5), a[0])
    # An explicit generator= leaves the default generator's counter alone.
    initfill.manual_seed(99)
    initfill.normal_(np.empty(4), generator=initfill.Generator(1))
    assert initfill.default_generator().next_stream == 0


def test_module_level_block_fill_matches_whole():
    # Fans come from global_shape, so a shard gets the scale of the whole tensor.
    g = initfill.Generator(8)
    w = initfill.kaiming_uniform_(np.empty((64, 48), np.float32), generator=g, stream="w")
    s = initfill.kaiming_uniform_(np.empty((16, 48), np.float32), generator=g, stream="w",
                                  global_shape=(64, 48), offset=(32, 0))
    assert same_bits(s, w[32:48])
    t = initfill.trunc_normal_(np.empty((64, 48)), std=0.02, a=-0.04, b=0.04,
                               generator=g, stream="t")
    u = initfill.trunc_normal_(np.empty((64, 10)), std=0.02, a=-0.04, b=0.04,
                               generator=g, stream="t", global_shape=(64, 48),
                               offset=(0, 38))
    assert same_bits(u, t[:, 38:])


@pytest.mark.parametrize("fn, kw", [
    ("uniform_", {}), ("normal_", {}), ("trunc_normal_", {}), ("constant_", {"val": 0.5}),
    ("zeros_", {}), ("ones_", {}), ("xavier_uniform_", {}), ("xavier_normal_", {}),
    ("kaiming_uniform_", {}), ("kaiming_normal_", {}), ("lecun_uniform_", {}),
    ("lecun_normal_", {}), ("variance_scaling_", {}),
])
def test_module_level_fills_return_the_same_object(fn, kw):
    x = np.empty((6, 5), np.float32)
    assert getattr(initfill, fn)(x, **kw) is x
    b = bytearray(6 * 5 * 8)
    mv = memoryview(b).cast("d", shape=[6, 5])
    assert getattr(initfill, fn)(mv, **kw) is mv
    if fn in ("uniform_", "normal_", "trunc_normal_", "constant_", "zeros_", "ones_"):
        assert getattr(initfill, fn)(b, dtype="float64", **kw) is b


@pytest.mark.parametrize("method, dtype, kw", DISTS, ids=DIST_IDS)
def test_generator_fills_return_the_same_object(method, dtype, kw):
    g = initfill.Generator(1)
    for x in (np.empty(5, dtype), np.empty((4, 4), dtype)[::2, ::-1], np.empty((), dtype)):
        assert getattr(g, method)(x, **kw) is x


def test_self_overlapping_views_are_refused_before_any_write():
    # Elements sharing memory would make the result depend on which thread writes
    # last; such views are refused, and the memory behind them is left untouched.
    from numpy.lib.stride_tricks import as_strided

    buf = np.arange(8, dtype=np.float32)
    before = buf.copy()
    zero = as_strided(buf, shape=(2**18,), strides=(0,), writeable=True)
    interleaved = as_strided(buf, shape=(3, 4), strides=(4, 4), writeable=True)
    for view in (zero, interleaved):
        with pytest.raises(ValueError, match="share memory"):
            initfill.Generator(1).normal_(view)
    assert np.array_equal(buf, before)


# ---- The fast path (a C-contiguous ndarray, counter stream) -------------------------
# Generator fills hand such arrays to _core.fill_fast; an explicit stream= takes the
# general path.  Both must write the same bits and advance the counter alike.

@pytest.mark.parametrize("method, dtype, kw", DISTS)
@pytest.mark.parametrize("shape", [(), (0,), (1,), (7,), (16, 16), (3, 1, 5), (5003,)])
def test_fast_path_matches_general_path(method, dtype, kw, shape):
    g = initfill.Generator(77)
    g.bits_(np.empty(3, np.uint32))  # counter at 1
    fast = np.empty(shape, dtype)
    assert getattr(g, method)(fast, **kw) is fast
    assert g.next_stream == 2
    slow = np.empty(shape, dtype)
    getattr(initfill.Generator(77), method)(slow, stream=1, **kw)
    assert _bits(fast).tobytes() == _bits(slow).tobytes()


def _bits(a):
    return a.view(f"u{a.dtype.itemsize}") if a.dtype.kind == "f" else a


def test_fast_path_plan_cache_keys_exact_bits():
    # Signed zeros are different parameters: N(-0.0, 0) gives -0.0 where the
    # standard normal is negative, N(0.0, 0) never does.
    for mean in (-0.0, 0.0, -0.0, 0.0):
        x = np.empty(64, np.float32)
        initfill.Generator(1).normal_(x, mean, 0.0)
        y = np.empty(64, np.float32)
        initfill.Generator(1).normal_(y, mean, 0.0, stream=0)
        assert x.tobytes() == y.tobytes()
        assert np.signbit(x).any() == (math.copysign(1.0, mean) < 0)
    # Many parameter sets (more than the cache holds), each twice, in two orders.
    values = {}
    for rep in range(2):
        for i in range(300):
            j = i if rep == 0 else 299 - i
            y = np.empty(33, np.float64)
            initfill.Generator(5).normal_(y, 0.0, 1.0 + j / 7)
            values.setdefault(j, y.tobytes())
            assert values[j] == y.tobytes()
            z = np.empty(33, np.float64)
            initfill.Generator(5).normal_(z, 0.0, 1.0 + j / 7, stream=0)
            assert z.tobytes() == y.tobytes()


def test_fast_path_leaves_errors_to_the_general_path():
    g = initfill.Generator(3)
    ro = np.zeros(8, np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        g.normal_(ro)
    x = np.zeros(8, np.float16)
    with pytest.raises(ValueError, match=r"\bmean\b.*half the largest.*float16"):
        g.normal_(x, 1e6, 1.0)
    with pytest.raises(TypeError, match="non-native byte order"):
        g.uniform_(np.zeros(8, ">f8"))
    with pytest.raises(TypeError, match="fills uint32, uint64"):
        g.bits_(np.zeros(8, np.int32))
    with pytest.raises(TypeError, match="x has dtype float32"):
        g.bits_(np.zeros(8, np.float32))
    assert not x.any() and g.next_stream == 0
    # Subclasses and non-contiguous arrays take the general path, same values.
    class Sub(np.ndarray):
        pass
    s = np.empty(100, np.float32).view(Sub)
    g.normal_(s)
    ref = np.empty(100, np.float32)
    initfill.Generator(3).normal_(ref, stream=0)
    assert np.asarray(s).tobytes() == ref.tobytes()
    f = np.empty((10, 10), np.float32, order="F")
    g.normal_(f)
    initfill.Generator(3).normal_(ref.reshape(10, 10), stream=1)
    assert f.tobytes(order="C") == ref.tobytes()


# ---- Resolve once, validate once -----------------------------------------------------
# Every public door resolves its output once (as_target, and addressing when x is a
# block) and has C validate and prepare the parameters once (one Plan, or the fast
# path's cached plan).

@pytest.fixture
def calls(monkeypatch):
    from initfill import _buffers, _core, _target

    counts = collections.Counter()

    def counting(module, name):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            counts[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    counting(_target, "as_target")
    counting(_target, "addressing")
    counting(_core, "Plan")
    counting(_core, "fill_fast")
    assert _target.as_target is not _buffers.as_target
    return counts


def test_one_resolution_and_one_plan_per_fill(calls):
    from initfill import initializers

    he = initializers.HeNormal(3)
    w = np.empty((4, 6), np.float32)
    initfill.kaiming_normal_(w, global_shape=(8, 6), offset=(4, 0))
    assert calls == {"as_target": 1, "addressing": 1, "Plan": 1}
    calls.clear()
    he.fill_(np.empty((6, 8), np.float32)[:, ::2])  # strided: the general path
    assert calls == {"as_target": 1, "Plan": 1}
    calls.clear()
    he.fill_(w)  # contiguous, but a seeded object fills stream 0: one Plan
    assert calls == {"Plan": 1}
    calls.clear()
    initfill.kaiming_uniform_(w)  # contiguous, next stream: the fast path, plan cached
    assert calls == {"fill_fast": 1}
    calls.clear()
    initfill.Generator(1).trunc_normal_(w, 0.0, 1.0, -1.0, 1.0, stream=4)
    assert calls == {"Plan": 1}  # a contiguous ndarray needs no as_target
    calls.clear()
    with pytest.raises(ValueError, match=r"\bb\b.*NaN"):
        initfill.trunc_normal_(w, b=math.nan, global_shape=(4, 6))
    assert calls == {"as_target": 1, "addressing": 1, "Plan": 1}


def test_one_resolution_per_torch_fill(calls):
    torch = pytest.importorskip("torch")
    g = initfill.Generator(2)
    t = torch.empty(16, 16)
    v0 = t._version
    g.normal_(t)  # contiguous CPU tensor: the fast path
    assert calls == {"fill_fast": 1} and t._version > v0
    calls.clear()
    v1 = t._version
    g.normal_(t.t())  # not contiguous: declined, then resolved once
    assert calls == {"fill_fast": 1, "as_target": 1, "Plan": 1} and t._version > v1
    # The fast path and the general path write the same bits, for every dtype.
    for dtype in (torch.float32, torch.float64, torch.float16, torch.bfloat16):
        for fill in (lambda g, x: g.uniform_(x, -1.0, 3.0), lambda g, x: g.normal_(x),
                     lambda g, x: g.trunc_normal_(x, 0.5, 2.0, -1.0, 1.0)):
            fast = torch.empty(7, 5, dtype=dtype)
            fill(initfill.Generator(4), fast)
            slow = torch.empty(5, 7, dtype=dtype).t()  # transposed: declined
            fill(initfill.Generator(4), slow)
            param = torch.nn.Parameter(torch.empty(7, 5, dtype=dtype))
            with torch.no_grad():
                fill(initfill.Generator(4), param)
            assert torch.equal(fast, slow) and torch.equal(fast, param.detach()), dtype

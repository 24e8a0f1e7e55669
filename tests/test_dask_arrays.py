"""initfill.dask: lazy dask arrays equal, bit for bit, to the NumPy fill of the whole.

For every function, many chunkings (uneven, single-element, zero-size chunks, "auto")
and every dtype, ``.compute()`` equals the module function (or Generator method) on
``np.empty(shape, dtype)`` with the same seed and stream; under the threaded scheduler
and on a ``dask.distributed.LocalCluster`` of two worker processes (on 127.0.0.1,
started and closed here); and ``da.to_zarr`` of an array much larger than a chunk
keeps each worker's peak memory to a few chunks.  Arguments are refused with exact
error types before any graph is built; task names are deterministic.
"""
from __future__ import annotations

import ast
import importlib.util
import inspect
import logging
import math
import os
import subprocess
import sys
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

import initfill

# CI installs dask[array] and distributed ([test]); elsewhere the file is skipped.
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
import dask  # noqa: E402
import initfill.dask as idk  # noqa: E402

# zarr 3 (Python >= 3.11) for the to_zarr test.
needs_zarr = pytest.mark.skipif(importlib.util.find_spec("zarr") is None,
                                reason="zarr is not installed")

BF16 = np.dtype(ml_dtypes.bfloat16)
DTYPES = [np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.float16), BF16]

# name -> (keyword arguments of the dask function, the whole NumPy fill of `x`).
CASES = {
    "uniform": (dict(low=-0.5, high=2.0),
                lambda x, g, s: g.uniform_(x, -0.5, 2.0, stream=s)),
    "normal": (dict(mean=1.0, std=0.02),
               lambda x, g, s: g.normal_(x, 1.0, 0.02, stream=s)),
    "trunc_normal": (dict(mean=0.1, std=0.5, a=-0.4, b=1.0),
                     lambda x, g, s: g.trunc_normal_(x, 0.1, 0.5, -0.4, 1.0, stream=s)),
    "xavier_uniform": (dict(gain=2.0),
                       lambda x, g, s: initfill.xavier_uniform_(x, 2.0, generator=g, stream=s)),
    "xavier_normal": (dict(gain=0.5),
                      lambda x, g, s: initfill.xavier_normal_(x, 0.5, generator=g, stream=s)),
    "kaiming_uniform": (dict(a=math.sqrt(5)),
                        lambda x, g, s: initfill.kaiming_uniform_(x, math.sqrt(5), generator=g,
                                                                  stream=s)),
    "kaiming_normal": (dict(mode="fan_out", nonlinearity="relu"),
                       lambda x, g, s: initfill.kaiming_normal_(x, 0, "fan_out", "relu",
                                                                generator=g, stream=s)),
    "variance_scaling": (dict(scale=2.0, mode="fan_avg", distribution="uniform",
                              layout="keras"),
                         lambda x, g, s: initfill.variance_scaling_(
                             x, 2.0, "fan_avg", "uniform", layout="keras", generator=g,
                             stream=s)),
    "variance_scaling_jax": (dict(scale=0.5, mode="fan_geo_avg", in_axis=0, out_axis=-1),
                             lambda x, g, s: initfill.variance_scaling_(
                                 x, 0.5, "fan_geo_avg", in_axis=0, out_axis=-1, generator=g,
                                 stream=s)),
    "lecun_uniform": (dict(layout="keras"),
                      lambda x, g, s: initfill.lecun_uniform_(x, layout="keras", generator=g,
                                                              stream=s)),
    "lecun_normal": (dict(),
                     lambda x, g, s: initfill.lecun_normal_(x, generator=g, stream=s)),
}


def lazy(case, shape, chunks, seed=7, stream="layer.weight", dtype="float32"):
    kwargs, _ = CASES[case]
    fn = getattr(idk, case.removesuffix("_jax"))
    return fn(shape, chunks=chunks, seed=seed, stream=stream, dtype=dtype, **kwargs)


def whole(case, shape, seed=7, stream="layer.weight", dtype=np.float32):
    return CASES[case][1](np.empty(shape, dtype), initfill.Generator(seed), stream)


def assert_bits_equal(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    words = np.dtype(f"u{want.dtype.itemsize}")
    np.testing.assert_array_equal(np.ascontiguousarray(got).view(words),
                                  np.ascontiguousarray(want).view(words))


SHAPE = (13, 7, 5)
CHUNKINGS = [
    -1,                                   # one chunk: the whole array
    1,                                    # every element its own chunk (455 tasks)
    (4, 3, 2),                            # uneven last chunks on every axis
    ((1, 12), (7,), (2, 3)),
    ((0, 6, 0, 7), (3, 0, 4), (5,)),      # zero-size chunks among the others
    {0: 5, 2: 1},
    "auto",
]


@pytest.mark.parametrize("chunks", CHUNKINGS, ids=repr)
@pytest.mark.parametrize("case", sorted(CASES))
def test_compute_equals_the_whole_fill(case, chunks):
    x = lazy(case, SHAPE, chunks)
    assert isinstance(x, da.Array) and x.shape == SHAPE and x.dtype == np.float32
    assert_bits_equal(x.compute(scheduler="synchronous"), whole(case, SHAPE))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.name)
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_dtype(case, dtype):
    x = lazy(case, (37, 29), ((5, 32), (3,) * 9 + (2,)), dtype=dtype)
    assert x.dtype == dtype
    assert_bits_equal(x.compute(scheduler="synchronous"), whole(case, (37, 29), dtype=dtype))


@pytest.mark.parametrize("name", ["bfloat16", "bf16", ml_dtypes.bfloat16, np.float16,
                                  "float64", np.dtype("float32")], ids=repr)
def test_dtype_spellings(name):
    x = idk.normal((4, 4), chunks=2, seed=0, stream=0, dtype=name)
    want = initfill.Generator(0).normal_(np.empty((4, 4), x.dtype), stream=0)
    assert_bits_equal(x.compute(scheduler="synchronous"), want)


@pytest.mark.parametrize("shape,chunks", [((), ()), ((1000,), 7), ((1000,), 333),
                                          ((0, 5), 2), ((3, 0), -1), (9, 4)])
def test_odd_shapes(shape, chunks):
    x = idk.uniform(shape, chunks=chunks, seed=3, stream=11)
    want = initfill.Generator(3).uniform_(np.empty(shape, np.float32), stream=11)
    assert_bits_equal(x.compute(scheduler="synchronous"), want)


def test_threaded_scheduler():
    x = lazy("trunc_normal", (256, 96), (17, 40))
    assert_bits_equal(x.compute(scheduler="threads", num_workers=4),
                      whole("trunc_normal", (256, 96)))


def test_chunks_combine_with_other_dask_operations():
    x = lazy("normal", (64, 48), (10, 48))
    ref = whole("normal", (64, 48))
    assert_bits_equal(x[5:50:3, ::-2].compute(), ref[5:50:3, ::-2])
    assert_bits_equal(x.rechunk((64, 5)).compute(), ref)
    assert float(x.sum().compute()) == pytest.approx(float(ref.astype(np.float64).sum()),
                                                     rel=1e-5)


def test_stream_name_and_number_are_the_same_array():
    a = idk.normal((8, 8), chunks=3, seed=1, stream="w")
    b = idk.normal((8, 8), chunks=3, seed=1, stream=initfill.stream_id("w"))
    assert a.name == b.name
    assert_bits_equal(a.compute(), b.compute())


def test_task_names_are_deterministic():
    def make(**change):
        kw = dict(chunks=(3, 4), seed=1, stream="w", std=0.5, dtype="float32") | change
        return idk.normal((9, 8), **kw)

    a = make()
    assert a.name == make().name and a.name.startswith("initfill-normal-")
    assert a.__dask_keys__() == make().__dask_keys__()
    assert dict(a.__dask_graph__()).keys() == dict(make().__dask_graph__()).keys()
    others = [make(seed=2), make(stream="v"), make(std=0.25), make(chunks=(3, 3)),
              make(dtype="float64"), idk.normal((9, 9), chunks=(3, 4), seed=1, stream="w",
                                                std=0.5),
              idk.trunc_normal((9, 8), chunks=(3, 4), seed=1, stream="w", std=0.5)]
    names = {a.name} | {o.name for o in others}
    assert len(names) == len(others) + 1
    # the chunking is part of the name, but not of the values
    assert_bits_equal(make(chunks=(3, 3)).compute(), a.compute())


def test_kaiming_zero_size_warns_once_when_made():
    with pytest.warns(UserWarning, match="zero-element"):
        x = idk.kaiming_uniform((0, 4), chunks=2, seed=0, stream=0)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.compute().shape == (0, 4)


BAD = [
    # (arguments changed from a good call, error type, text the message contains)
    (dict(shape=True), TypeError, "shape"),
    (dict(shape="ab"), TypeError, "shape"),
    (dict(shape=(3, 2.0)), TypeError, "shape"),
    (dict(shape=(3, None)), TypeError, "shape"),
    (dict(shape=(3, -1)), ValueError, "shape"),
    (dict(chunks=None), TypeError, "chunks"),
    (dict(chunks=((3, 3), (4,))), ValueError, "chunks"),
    (dict(chunks=((np.nan,), (4,))), ValueError, "chunks"),
    (dict(chunks=(2, 2, 2)), ValueError, "chunks"),
    (dict(dtype="int32"), TypeError, "dtype"),
    (dict(dtype=">f4"), TypeError, "dtype"),
    (dict(dtype=None), TypeError, "dtype"),
    (dict(dtype="complex64"), TypeError, "dtype"),
    (dict(dtype="no such type"), TypeError, "dtype"),
    (dict(seed=None), TypeError, "seed"),
    (dict(seed=1.5), TypeError, "seed"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(seed=1 << 64), ValueError, "seed"),
    (dict(stream=None), TypeError, "stream"),
    (dict(stream=-1), ValueError, "stream"),
    (dict(stream=2.0), TypeError, "stream"),
    (dict(std=-1.0), ValueError, "std"),
    (dict(std="x"), TypeError, "std"),
    (dict(mean=float("inf")), ValueError, "mean"),
    (dict(std=1e39, dtype="float32"), ValueError, "std"),
]


@pytest.mark.parametrize("change,error,text", BAD, ids=lambda v: repr(v)[:40])
def test_bad_arguments_are_refused_before_a_graph_is_built(change, error, text, monkeypatch):
    def no_graph(*args, **kwargs):
        raise AssertionError("a graph was built")

    monkeypatch.setattr(idk.da, "map_blocks", no_graph)
    kw = dict(shape=(3, 4), chunks=(2, 2), seed=0, stream=0, std=1.0) | change
    with pytest.raises(error, match=text):
        idk.normal(kw.pop("shape"), **kw)


@pytest.mark.parametrize("fn,kwargs,error,text", [
    (idk.uniform, dict(low=2.0, high=1.0), ValueError, "low"),
    (idk.trunc_normal, dict(a=1.0, b=-1.0), ValueError, "a"),
    (idk.xavier_uniform, dict(gain=-1.0), ValueError, "gain"),
    (idk.xavier_normal, dict(gain="x"), TypeError, "gain"),
    (idk.kaiming_normal, dict(mode="fan"), ValueError, "fan"),
    (idk.kaiming_uniform, dict(nonlinearity="nope"), ValueError, "nope"),
    (idk.variance_scaling, dict(scale=0.0), ValueError, "scale"),
    (idk.variance_scaling, dict(distribution="gamma"), ValueError, "distribution"),
    (idk.variance_scaling, dict(in_axis=5), ValueError, "in_axis"),
    (idk.lecun_normal, dict(layout="tf"), ValueError, "layout"),
])
def test_bad_parameters_are_the_fills_errors(fn, kwargs, error, text, monkeypatch):
    monkeypatch.setattr(idk.da, "map_blocks", None)  # calling it would be a TypeError
    with pytest.raises(error, match=text):
        fn((6, 4), chunks=2, seed=0, stream=0, **kwargs)


@pytest.mark.parametrize("name", ["xavier_uniform", "kaiming_normal"])
def test_fans_need_a_global_shape_of_two_dimensions(name, monkeypatch):
    monkeypatch.setattr(idk.da, "map_blocks", None)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        getattr(idk, name)((16,), chunks=4, seed=0, stream=0)


def test_bfloat16_without_ml_dtypes_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ml_dtypes", None)  # import ml_dtypes fails
    with pytest.raises(TypeError, match=r"initfill\[half\]"):
        idk.normal((2,), chunks=1, seed=0, stream=0, dtype="bfloat16")


def test_import_initfill_does_not_import_dask():
    code = ("import sys, initfill, initfill.initializers; "
            "assert not [m for m in sys.modules if m.split('.')[0] in "
            "('dask', 'distributed', 'zarr')], 'dask imported'; "
            "assert 'initfill.dask' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# --- the stub -----------------------------------------------------------------------

def _stub_functions():
    path = Path(idk.__file__).with_suffix(".pyi")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    names = next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                 and any(getattr(t, "id", None) == "__all__" for t in n.targets))
    return funcs, names


def test_stub_names_the_public_functions():
    funcs, names = _stub_functions()
    assert names == idk.__all__ == sorted(funcs)
    assert sorted(idk.__all__) == sorted(
        n for n, v in vars(idk).items()
        if inspect.isfunction(v) and v.__module__ == idk.__name__ and not n.startswith("_"))


@pytest.mark.parametrize("name", idk.__all__)
def test_stub_signature(name):
    node = _stub_functions()[0][name]
    a = node.args
    stub = [(p.arg, "pos", None) for p in a.args] + [
        (p.arg, "kw", None if d is None else ast.literal_eval(d))
        for p, d in zip(a.kwonlyargs, a.kw_defaults)]
    sig = inspect.signature(getattr(idk, name))
    P = inspect.Parameter
    runtime = [(p.name, "pos" if p.kind is P.POSITIONAL_OR_KEYWORD else "kw",
                None if p.default is P.empty else p.default) for p in sig.parameters.values()]
    assert stub == runtime
    assert [type(d) for *_, d in stub] == [type(d) for *_, d in runtime]


# --- dask.distributed ---------------------------------------------------------------

@pytest.fixture(scope="module")
def client():
    """Two worker processes, one thread each, on 127.0.0.1, no dashboard; closed
    whatever the tests do.  Workers inherit PYTHONPATH, so they import this initfill."""
    with dask.config.set({"distributed.comm.timeouts.connect": "60s",
                          "distributed.worker.daemon": True}):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None, worker_dashboard_address=None,
            silence_logs=logging.ERROR)
        try:
            with distributed.Client(cluster, timeout=60) as c:
                c.wait_for_workers(2, timeout=60)
                yield c
        finally:
            cluster.close(timeout=60)


def _rss() -> int:
    import psutil
    return psutil.Process().memory_info().rss


def _peak_rss() -> int:
    """This process's peak resident memory since it started (VmHWM, the high-water
    mark of its address space; ``ru_maxrss`` would not do: Linux carries it over
    from the process that forked this one, across exec)."""
    with open("/proc/self/status", encoding="ascii") as f:
        line = next(line for line in f if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024  # kB


@pytest.mark.parametrize("case", ["kaiming_uniform", "trunc_normal", "variance_scaling_jax"])
def test_distributed_workers_fill_the_same_values(client, case):
    shape, chunks = (96, 70, 3), ((7,) * 13 + (5,), (33, 37), (1, 2))
    x = lazy(case, shape, chunks, dtype=np.float64).persist()
    distributed.wait(x, timeout=120)
    holders = {w for ws in client.who_has(x).values() for w in ws}
    got = client.compute(x).result(timeout=120)
    assert_bits_equal(got, whole(case, shape, dtype=np.float64))
    assert len(holders) == 2, "the chunks were not spread over both worker processes"
    assert set(client.run(os.getpid).values()).isdisjoint({os.getpid()})


def test_distributed_bfloat16(client):
    x = lazy("lecun_normal", (40, 24), (9, 8), dtype=BF16)
    assert_bits_equal(client.compute(x).result(timeout=120),
                      whole("lecun_normal", (40, 24), dtype=BF16))


@needs_zarr
@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux's /proc")
def test_to_zarr_keeps_each_worker_to_a_few_chunks(client, tmp_path):
    """512 MiB of float32 in 64 chunks of 8 MiB, stored by two workers: each worker's
    peak resident memory grows by a few chunks, not by its 256 MiB share."""
    import zarr
    shape, chunks = (8192, 16384), (512, 4096)
    chunk_bytes = 512 * 4096 * 4
    client.run(lambda: __import__("initfill.dask") and __import__("zarr"))
    before = client.run(_rss)
    x = idk.normal(shape, chunks=chunks, seed=5, stream="embed.weight", std=0.02)
    path = str(tmp_path / "w.zarr")
    stored = da.to_zarr(x, path, mode="w", compressors=None, compute=False)
    client.compute(stored).result(timeout=240)
    peaks = client.run(_peak_rss)
    growth = {w: peaks[w] - before[w] for w in before}
    share = math.prod(shape) * 4 // 2
    for w, g in growth.items():
        assert g < 8 * chunk_bytes, f"worker {w} grew by {g / 2**20:.0f} MiB"
        assert g < share // 4
    z = zarr.open_array(path, mode="r")
    assert z.shape == shape and z.chunks == chunks
    g = initfill.Generator(5)
    for row, col in [(0, 0), (3584, 8192), (7680, 12288)]:
        block = g.normal_(np.empty(chunks, np.float32), std=0.02, stream="embed.weight",
                          global_shape=shape, offset=(row, col))
        assert_bits_equal(z[row:row + chunks[0], col:col + chunks[1]], block)

"""Fill speed of initfill side by side with NumPy, SciPy and (if installed) PyTorch.

Run from the repository root::

    python -m pytest benches --benchmark-only

Every group times one operation on one dtype: initfill on one thread and on all
threads, the NumPy ``Generator`` (PCG64) peer writing into the same preallocated
buffer where NumPy can (``out=``), SciPy's ``truncnorm.rvs`` for the truncated normal,
and ``torch`` CPU fills when torch is importable.  The ``store`` groups time
``ndarray.fill``: the memory-bandwidth floor of any fill.  Buffers are allocated and
touched once per module, so no timing includes page faults, except NumPy's
``integers``/``random_raw`` (no ``out=``) and SciPy's ``rvs``, which allocate their
result on every call, as their users pay too.

The terminal summary (benches/conftest.py) gives ns per element and the speed
relative to the group's reference.  Sizes: 2**24 elements (INITFILL_BENCH_LOG2N),
2**20 for SciPy, which takes ~150 ns per element; per-element figures compare.
"""
from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest

import initfill

pytest.importorskip("pytest_benchmark", reason="the benchmarks need pytest-benchmark")

LOG2N = int(os.environ.get("INITFILL_BENCH_LOG2N", "24"))
N = 1 << LOG2N
N_SCIPY = min(N, 1 << 20)
ROUNDS = int(os.environ.get("INITFILL_BENCH_ROUNDS", "5"))

ALL_THREADS = initfill.get_num_threads()  # CPUs available, or INITFILL_NUM_THREADS
THREAD_COUNTS = sorted({1, ALL_THREADS})

HAVE_SCIPY = importlib.util.find_spec("scipy") is not None
HAVE_TORCH = importlib.util.find_spec("torch") is not None

Maker = Callable[[np.ndarray], Callable[[], Any]]


@dataclass(frozen=True)
class Case:
    op: str
    dtype: str
    impl: str
    make: Maker
    n: int = N
    threads: int | None = None
    reference: bool = False
    requires: str | None = None

    @property
    def group(self) -> str:
        return f"{self.op} {self.dtype}"

    @property
    def id(self) -> str:
        return f"{self.op}-{self.dtype}-{self.impl}".replace(" ", "_")


def _rng() -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(12345))


def _thread_label(t: int) -> str:
    return f"initfill {t} thread" + ("s" if t > 1 else "")


# ---------------------------------------------------------------- the peers

def _if_uniform(x):
    g = initfill.Generator(1)
    return lambda: g.uniform_(x)


def _if_normal(x):
    g = initfill.Generator(1)
    return lambda: g.normal_(x)


def _if_trunc(x):
    g = initfill.Generator(1)
    return lambda: g.trunc_normal_(x, 0.0, 1.0, -2.0, 2.0)


def _if_bits(x):
    g = initfill.Generator(1)
    return lambda: g.bits_(x)


def _np_random(x):
    rng = _rng()
    return lambda: rng.random(out=x, dtype=x.dtype)


def _np_standard_normal(x):
    rng = _rng()
    return lambda: rng.standard_normal(out=x, dtype=x.dtype)


def _np_random_raw(x):
    # 64-bit raw words, viewed as the output type: the generator's own speed
    # (plus the allocation of the result, which random_raw cannot avoid).
    bg = _rng().bit_generator
    words = x.nbytes // 8
    return lambda: bg.random_raw(words).view(x.dtype)


def _np_integers(x):
    rng = _rng()
    high = 1 << (8 * x.dtype.itemsize)
    return lambda: rng.integers(0, high, size=x.size, dtype=x.dtype)


def _np_ndtri(x):
    # Inverse CDF with NumPy + scipy.special, in place on the output buffer: the
    # vectorised way to write initfill's truncated-normal algorithm in Python.
    from scipy.special import ndtr, ndtri

    rng = _rng()
    pa, pb = float(ndtr(-2.0)), float(ndtr(2.0))

    def run():
        rng.random(out=x, dtype=x.dtype)
        np.multiply(x, pb - pa, out=x)
        np.add(x, pa, out=x)
        ndtri(x, out=x)

    return run


def _scipy_truncnorm(x):
    from scipy.stats import truncnorm

    rng = _rng()

    def run():
        x[...] = truncnorm.rvs(-2.0, 2.0, size=x.size, random_state=rng)

    return run


def _torch(method):
    def make(x):
        import torch

        t = torch.from_numpy(x)
        torch.manual_seed(12345)
        if method == "trunc_normal_":
            return lambda: torch.nn.init.trunc_normal_(t, 0.0, 1.0, -2.0, 2.0)
        return getattr(t, method)

    return make


def _store(x):
    return lambda: x.fill(0.5)


# ---------------------------------------------------------------- the cases

def _cases() -> list[Case]:
    cases: list[Case] = []
    for dt in ("float32", "float64"):
        for op, ifmake, peers in (
            ("uniform", _if_uniform, [
                Case("uniform", dt, "numpy Generator.random(out=)", _np_random,
                     reference=True),
                Case("uniform", dt, "torch Tensor.uniform_", _torch("uniform_"),
                     requires="torch"),
            ]),
            ("normal", _if_normal, [
                Case("normal", dt, "numpy Generator.standard_normal(out=)",
                     _np_standard_normal, reference=True),
                Case("normal", dt, "torch Tensor.normal_", _torch("normal_"),
                     requires="torch"),
            ]),
            ("trunc_normal +-2sd", _if_trunc, [
                Case("trunc_normal +-2sd", dt, "scipy truncnorm.rvs", _scipy_truncnorm,
                     n=N_SCIPY, reference=True, requires="scipy"),
                Case("trunc_normal +-2sd", dt, "numpy random + scipy.special.ndtri",
                     _np_ndtri, requires="scipy"),
                Case("trunc_normal +-2sd", dt, "torch nn.init.trunc_normal_",
                     _torch("trunc_normal_"), requires="torch"),
            ]),
        ):
            for t in THREAD_COUNTS:
                cases.append(Case(op, dt, _thread_label(t), ifmake, threads=t))
            cases.extend(peers)
        cases.append(Case("store", dt, "ndarray.fill (bandwidth floor)", _store,
                          reference=True))
    for dt in ("uint32", "uint64"):
        for t in THREAD_COUNTS:
            cases.append(Case("bits", dt, _thread_label(t), _if_bits, threads=t))
        cases.append(Case("bits", dt, "numpy bit_generator.random_raw (allocates)",
                          _np_random_raw, reference=True))
        cases.append(Case("bits", dt, "numpy Generator.integers (allocates)",
                          _np_integers))
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def buffers():
    """One buffer per element size, allocated and touched once."""
    f32 = np.empty(N, np.float32)
    f64 = np.empty(N, np.float64)
    f32.fill(0.0)
    f64.fill(0.0)
    yield {
        "float32": f32,
        "float64": f64,
        "uint32": f32.view(np.uint32),
        "uint64": f64.view(np.uint64),
    }


@pytest.fixture
def threads():
    """Restores initfill's thread count after a case changed it."""
    before = initfill.get_num_threads()
    yield
    initfill.set_num_threads(before)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fill(benchmark, buffers, threads, record_result, case: Case):
    if case.requires == "scipy" and not HAVE_SCIPY:
        pytest.skip("scipy is not installed")
    if case.requires == "torch" and not HAVE_TORCH:
        pytest.skip("torch is not installed")
    out = buffers[case.dtype][: case.n]
    fn = case.make(out)
    if case.threads is not None:
        initfill.set_num_threads(case.threads)
    benchmark.group = case.group
    benchmark.extra_info.update(
        impl=case.impl,
        elements=case.n,
        reference=case.reference,
        threads=case.threads,
    )
    benchmark.pedantic(fn, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    record_result(benchmark)
    stats = getattr(getattr(benchmark, "stats", None), "stats", None)
    if stats is not None and getattr(stats, "data", None):
        benchmark.extra_info["ns_per_element"] = stats.median / case.n * 1e9

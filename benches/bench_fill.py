"""Fill speed of initfill side by side with NumPy, SciPy, PyTorch and JAX (those
installed): the same measurements as ``initfill bench``, under pytest-benchmark.

Run from the repository root::

    python -m pytest benches --benchmark-only

The cases come from ``initfill._tools.bench.run.plan``, the planner of ``initfill
bench``, so both cover the same ground: every distribution (uniform, normal, truncated normal
+-2 sd, raw bits) and initializer (Xavier/Kaiming uniform and normal, LeCun normal,
on a 2-D (fan_out, fan_in) buffer), per dtype and thread count, for initfill and its
peers (NumPy's ``Generator`` (PCG64) with ``out=`` on one thread, NumPy + SciPy's
``ndtri`` and ``truncnorm.rvs`` for the truncated normal, torch with
``torch.set_num_threads`` matching, JAX jit-compiled on XLA's threads); fresh memory
(``np.empty`` + ``normal_`` on all threads next to ``np.ones``); and the store
reference, ``ndarray.fill`` on the same buffer.  Buffers are allocated and touched
once per module, so only the fresh-memory cases and the peers that allocate their
result (noted) pay page faults.

The terminal summary (benches/conftest.py) gives ns per element and the speed
relative to initfill on one thread, per group.

Environment knobs (all optional):

``INITFILL_BENCH_LOG2N``
    log2 of the elements per fill (default 24).
``INITFILL_BENCH_DTYPES``
    comma-separated dtypes (default float32,float64,bfloat16).
``INITFILL_BENCH_ROUNDS``
    timed rounds per case, at most (default 5, after one warm-up call).
``INITFILL_BENCH_MAX_SECONDS``
    time budget of a case's rounds: a slow case makes fewer rounds (at least one,
    as many as fit from its warm-up call's time), never fewer elements, so every case
    of an operation runs on the same size (default 2; 0: always all rounds).
"""
from __future__ import annotations

import os
import sys
import time

import pytest

import initfill
from initfill._tools.bench.cases import Case, Workspace
from initfill._tools.bench.machine import peer_versions
from initfill._tools.bench.options import BenchOptions
from initfill._tools.bench.run import plan, set_case_threads, thread_counts_restored

pytest.importorskip("pytest_benchmark", reason="the benchmarks need pytest-benchmark")

OPTIONS = BenchOptions(
    size=1 << int(os.environ.get("INITFILL_BENCH_LOG2N", "24")),
    dtypes=tuple(os.environ.get("INITFILL_BENCH_DTYPES",
                                "float32,float64,bfloat16").split(",")),
    threads=tuple(sorted({1, initfill.available_cpus()})),
    repeat=int(os.environ.get("INITFILL_BENCH_ROUNDS", "5")),
    max_seconds=float(os.environ.get("INITFILL_BENCH_MAX_SECONDS", "2")),
)
CASES = plan(OPTIONS, peer_versions())


def _id(c: Case) -> str:
    return f"{c.op}-{c.dtype}-{c.impl}-{c.threads}t-{c.call}".replace(" ", "_")


@pytest.fixture(scope="module")
def workspace():
    """The preallocated buffers, shared by all cases, touched once."""
    ws = Workspace(OPTIONS.size)
    yield ws
    ws.close()


@pytest.fixture
def threads():
    """Restores initfill's (and torch's) thread count after a case changed it."""
    with thread_counts_restored(with_torch="torch" in sys.modules):
        yield


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_fill(benchmark, workspace, threads, record_result, case: Case):
    set_case_threads(case)
    n = OPTIONS.size
    fn = case.make(workspace, n)
    t0 = time.perf_counter()
    fn()                                    # warm-up (and JIT compilation)
    warm = time.perf_counter() - t0
    rounds = OPTIONS.repeat
    if OPTIONS.max_seconds > 0:
        rounds = max(1, min(rounds, int(OPTIONS.max_seconds / max(warm, 1e-9))))
    benchmark.group = f"{case.op} {case.dtype}"
    label = f"{case.impl} {case.call}, {case.threads} thread" + \
        ("s" if case.threads > 1 else "") + (f" ({case.note})" if case.note else "")
    benchmark.extra_info.update(
        impl=label,
        elements=n,
        reference=(case.impl == "initfill" and (case.threads == 1 or case.group == "fresh"))
        or case.group == "reference",
        threads=case.threads,
    )
    benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=0)
    record_result(benchmark)
    stats = getattr(getattr(benchmark, "stats", None), "stats", None)
    if stats is not None and getattr(stats, "data", None):
        benchmark.extra_info["ns_per_element"] = stats.median / n * 1e9

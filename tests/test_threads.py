"""The thread pool and the memory a fill uses.

Fills run on a persistent pool of worker threads (csrc/pool.c).  These tests check
that the bytes never depend on the thread count, that the pool survives many calls,
concurrent callers and fork(), that set_num_threads is honoured, that a process
exits cleanly with the pool running, and that a fill never allocates memory in
proportion to the buffer.  No assertion depends on timing.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest

import initfill
from initfill import _core

# Big enough for 8 parts of the driver's minimum part size.
N = 300_007

FILLS = [
    ("uniform_", np.float32, (-1.0, 2.0)),
    ("normal_", np.float32, (0.5, 2.0)),
    ("normal_", np.float64, (0.0, 1.0)),
    ("trunc_normal_", np.float32, (0.0, 1.0, -2.0, 2.0)),
    ("trunc_normal_", np.float16, (0.0, 1.0, -1.0, 3.0)),
    ("bits_", np.uint32, ()),
    ("bits_", np.uint64, ()),
]


@pytest.fixture
def restore_threads():
    n = initfill.get_num_threads()
    yield
    initfill.set_num_threads(n)


def _fill(method, dtype, args, shape=(N,), stream=7, seed=3, **kw):
    x = np.empty(shape, dtype)
    getattr(initfill.Generator(seed), method)(x, *args, stream=stream, **kw)
    return x


def _reference(method, dtype, args, shape=(N,), stream=7, seed=3):
    n = initfill.get_num_threads()
    initfill.set_num_threads(1)
    try:
        return _fill(method, dtype, args, shape, stream, seed)
    finally:
        initfill.set_num_threads(n)


@pytest.mark.parametrize("method, dtype, args", FILLS)
def test_bytes_do_not_depend_on_thread_count(restore_threads, method, dtype, args):
    want = _reference(method, dtype, args).tobytes()
    for t in range(1, 9):  # more threads than this machine may have cores
        initfill.set_num_threads(t)
        assert _fill(method, dtype, args).tobytes() == want, f"{t} threads"
        # The fast path (counter stream 0 of a new Generator) and a strided view.
        x = np.empty(N, dtype)
        getattr(initfill.Generator(3), method)(x, *args)
        y = np.empty(N, dtype)
        getattr(initfill.Generator(3), method)(y, *args, stream=0)
        assert x.tobytes() == y.tobytes(), f"{t} threads, fast path"
    big = np.zeros((4, 2 * N), dtype)
    initfill.set_num_threads(5)
    getattr(initfill.Generator(3), method)(big[:, ::2], *args, stream=7,
                                           global_shape=(4, N), offset=(0, 0))
    # Row 0 of the (4, N) tensor is the first N elements of the whole fill.
    assert big[0, ::2].tobytes() == want
    assert not big[:, 1::2].any()


def test_many_consecutive_calls_reuse_the_pool(restore_threads):
    refs = {t: _reference("normal_", np.float32, (0.0, 1.0), stream=t) for t in range(1, 5)}
    before = _core.pool_workers()
    for i in range(200):
        t = 1 + i % 4
        initfill.set_num_threads(t)
        assert _fill("normal_", np.float32, (0.0, 1.0), stream=t).tobytes() == refs[t].tobytes()
        if i >= 4:
            assert _core.pool_workers() == max(before, 3)
    # Small fills run inline and start nothing new.
    initfill.set_num_threads(8)
    for _ in range(1000):
        initfill.normal_(np.empty(100, np.float32))
    assert _core.pool_workers() == max(before, 3)


def test_concurrent_callers(restore_threads):
    initfill.set_num_threads(2)
    cases = [(m, d, a) for m, d, a in FILLS if m != "bits_"]
    refs = {(i, s): _reference(m, d, a, stream=s).tobytes()
            for i, (m, d, a) in enumerate(cases) for s in range(3)}
    errors = []
    shared = initfill.Generator(11)
    got_shared = []

    def worker(k):
        try:
            for rep in range(6):
                for i, (m, d, a) in enumerate(cases):
                    s = (k + rep + i) % 3
                    if _fill(m, d, a, stream=s).tobytes() != refs[(i, s)]:
                        errors.append((k, rep, i, s))
                x = np.empty(N, np.float32)
                shared.normal_(x)  # the shared counter: every stream once
                got_shared.append(x.tobytes())
        except Exception as e:  # noqa: BLE001  (reported by the assertion below)
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
    assert not any(th.is_alive() for th in threads)
    assert errors == []
    assert shared.next_stream == 24
    want = {_reference("normal_", np.float32, (0.0, 1.0), stream=s, seed=11).tobytes()
            for s in range(24)}
    assert sorted(got_shared) == sorted(want)


def _fork_and_fill(expected: bytes, nthreads: int) -> int:
    """Fork; the child fills and compares, then exits 0 (ok) or 1.  Returns the
    child's exit status; a child that hangs is killed and gets -1."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            initfill.set_num_threads(nthreads)
            ok = _fill("normal_", np.float32, (0.0, 1.0)).tobytes() == expected
            ok = ok and _fill("normal_", np.float32, (0.0, 1.0)).tobytes() == expected
            ok = ok and (nthreads == 1 or _core.pool_workers() == nthreads - 1)
            code = 0 if ok else 1
        finally:
            os._exit(code)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return -1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_after_the_pool_started(restore_threads):
    expected = _reference("normal_", np.float32, (0.0, 1.0)).tobytes()
    initfill.set_num_threads(4)
    assert _fill("normal_", np.float32, (0.0, 1.0)).tobytes() == expected
    assert _core.pool_workers() >= 3
    for t in (1, 2, 4):
        assert _fork_and_fill(expected, t) == 0
    # The parent's pool still works.
    assert _fill("normal_", np.float32, (0.0, 1.0)).tobytes() == expected


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_while_another_thread_fills(restore_threads):
    initfill.set_num_threads(2)
    expected = _reference("normal_", np.float32, (0.0, 1.0)).tobytes()
    stop = threading.Event()
    bad = []

    def busy():
        while not stop.is_set():
            if _fill("normal_", np.float32, (0.0, 1.0)).tobytes() != expected:
                bad.append(1)

    th = threading.Thread(target=busy)
    th.start()
    try:
        results = [_fork_and_fill(expected, 2) for _ in range(5)]
    finally:
        stop.set()
        th.join(timeout=120)
    assert results == [0] * 5
    assert not bad


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_multiprocessing_fork_context(restore_threads):
    import multiprocessing as mp

    initfill.set_num_threads(2)
    expected = _reference("uniform_", np.float32, (-1.0, 2.0))
    assert np.array_equal(_fill("uniform_", np.float32, (-1.0, 2.0)), expected)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx = mp.get_context("fork")
        with ctx.Pool(2) as pool:
            sums = pool.map(_child_sum, [1, 2, 3, 4])
    assert sums == [float(expected.astype(np.float64).sum())] * 4


def _child_sum(nthreads: int) -> float:
    initfill.set_num_threads(nthreads)
    return float(_fill("uniform_", np.float32, (-1.0, 2.0)).astype(np.float64).sum())


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, env=dict(os.environ, **env), check=False)
    assert out.returncode == 0, out.stderr
    return out


def test_set_num_threads_is_honoured():
    # A fresh process, so no earlier test has started workers.
    code = (
        "import numpy as np, initfill\n"
        "from initfill import _core\n"
        "x = np.empty(1 << 20, np.float32)\n"
        "seen = []\n"
        "for t in (1, 3, 2, 6):\n"
        "    initfill.set_num_threads(t)\n"
        "    initfill.Generator(1).uniform_(x)\n"
        "    seen.append(_core.pool_workers())\n"
        "print(seen)\n"
    )
    out = _run(code, INITFILL_NUM_THREADS="1")
    # Workers start when a fill first needs them and are kept for later calls.
    assert out.stdout.strip() == "[0, 2, 2, 5]"


def test_exit_with_the_pool_running():
    # A daemon thread is filling when the interpreter exits: no hang, exit status 0.
    code = (
        "import threading, numpy as np, initfill\n"
        "initfill.set_num_threads(4)\n"
        "x = np.empty(1 << 22, np.float32)\n"
        "initfill.normal_(x)\n"
        "def loop():\n"
        "    y = np.empty(1 << 22, np.float32)\n"
        "    while True:\n"
        "        initfill.normal_(y)\n"
        "threading.Thread(target=loop, daemon=True).start()\n"
        "initfill.normal_(x)\n"
        "print('done')\n"
    )
    assert _run(code).stdout.strip() == "done"


# ---- Memory: nothing in proportion to the buffer ----------------------------------

MEMORY_SCRIPT = r"""
import gc, json, sys
import numpy as np, initfill

def hwm_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])

nbytes = int(sys.argv[1])
initfill.set_num_threads(int(sys.argv[2]))
buf = np.ones(nbytes // 8, np.float64)        # pre-touched
g = initfill.Generator(5)
f32 = buf.view(np.float32)
f16 = buf.view(np.float16)
u16 = buf.view(np.uint16)
u32 = buf.view(np.uint32)
strided = buf.view(np.float32).reshape(-1, 1024)[:, ::2]
try:
    import ml_dtypes
    bf16 = buf.view(ml_dtypes.bfloat16)
except ImportError:
    bf16 = None
try:
    import torch
    t32 = torch.from_numpy(f32)
    tbf = torch.from_numpy(u16).view(torch.bfloat16)
    t64 = torch.from_numpy(buf).reshape(-1, 64)[:, 1:]
except ImportError:
    torch = None
# Warm up every path on a small buffer, so one-time costs (imports, the workers'
# stacks, the code pages of each kernel) are counted before the mark.
small = np.ones(1 << 16, np.float64)
g.normal_(small); g.uniform_(small.view(np.float32)); g.trunc_normal_(small.view(np.float16))
g.uniform_(small.view(np.uint16), dtype="bfloat16"); g.bits_(small.view(np.uint32))
g.normal_(small.view(np.float32).reshape(-1, 1024)[:, ::2])
if bf16 is not None:
    g.normal_(small.view(ml_dtypes.bfloat16))
if torch is not None:
    g.normal_(torch.from_numpy(small.view(np.float32)))
    g.normal_(torch.from_numpy(small.view(np.uint16)).view(torch.bfloat16))
    g.uniform_(torch.from_numpy(small).reshape(-1, 64)[:, 1:])
    import initfill.torch as itorch
    itorch.kaiming_uniform_(torch.from_numpy(small.view(np.float32)).reshape(256, -1))
gc.collect()
base = hwm_kib()
# The fast fills cover the whole buffer; the slow ones (scalar truncated normal in
# the half types) a slice of it, still far more than the 8 MiB allowed.
q = len(buf) // 4      # 1/4 and 1/16 of the buffer, in float64 elements
s = len(buf) // 16
g.uniform_(buf, -2.0, 2.0)
g.bits_(u32)
initfill.kaiming_uniform_(f32.reshape(1 << 10, -1))
g.normal_(f32[: 2 * q])
g.normal_(f32[: 2 * q], stream="a named stream")
g.uniform_(u16[: 4 * q], dtype="bfloat16")
g.trunc_normal_(strided[: len(strided) // 4], 0.0, 2.0, -3.0, 3.0)
g.trunc_normal_(f16[: 4 * s], 0.0, 1.0, -1.0, 2.0)
if bf16 is not None:
    g.trunc_normal_(bf16[: 4 * s])
if torch is not None:
    g.uniform_(t64)
    g.normal_(t32[: 2 * q])
    g.trunc_normal_(tbf[: 4 * s])
    itorch.kaiming_uniform_(t32.reshape(1 << 10, -1))
print(json.dumps({"growth_kib": hwm_kib() - base, "base_kib": base,
                  "torch": torch is not None, "bf16": bf16 is not None}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_no_allocation_in_proportion_to_the_buffer():
    """Peak RSS grows by at most 8 MiB while 512 MiB (pre-touched) are filled, in a
    fresh process (so nothing earlier masks the peak), with more threads than cores."""
    import json

    nbytes, nthreads = 512 << 20, 3
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(nbytes), str(nthreads)],
                         capture_output=True, text=True, timeout=600, check=False)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["growth_kib"] <= 8 * 1024, res

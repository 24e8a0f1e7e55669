"""Long fills in parts: a fill split into parts writes exactly the bytes of one whole
fill, and Ctrl-C (SIGINT) stops a long fill at a part boundary with KeyboardInterrupt,
the pool usable afterwards."""
import contextlib
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import initfill
from initfill import _core


@contextlib.contextmanager
def parts_of(n):
    """Fill in parts of n elements inside the block."""
    old = _core.part_elements()
    _core.set_part_elements(n)
    try:
        yield
    finally:
        _core.set_part_elements(old)


@contextlib.contextmanager
def threads(n):
    old = initfill.get_num_threads()
    initfill.set_num_threads(n)
    try:
        yield
    finally:
        initfill.set_num_threads(old)


FILLS = [("uniform_", (-1.5, 2.0)), ("normal_", (0.25, 3.0)),
         ("trunc_normal_", (0.5, 1.0, -0.5, 2.0)), ("bits_", ())]
FLOAT_DTYPES = ["float32", "float64", "float16", "bfloat16"]


def cases():
    for method, args in FILLS:
        dtypes = ["uint32", "uint64"] if method == "bits_" else FLOAT_DTYPES
        for dtype in dtypes:
            yield method, args, dtype


def storage(dtype, shape):
    """A buffer of `shape` for `dtype` and the dtype= argument it needs."""
    if dtype == "bfloat16":
        return np.zeros(shape, np.uint16), "bfloat16"
    return np.zeros(shape, dtype), None


def fill(x, method, args, dtype_arg, **kw):
    if dtype_arg is not None:
        kw["dtype"] = dtype_arg
    getattr(initfill.Generator(20261201), method)(x, *args, stream=7, **kw)
    return x


def every_layout(method, args, dtype):
    """The buffers of one fill into: a C-contiguous array (the fast path where it
    applies), a strided view, a negated-stride view and a block of a larger tensor."""
    shape = (5, 7, 33)
    x, dtype_arg = storage(dtype, shape)
    fill(x, method, args, dtype_arg)
    big, _ = storage(dtype, (10, 9, 70))
    fill(big[::2, 1:8, 3::2][:, :, :33], method, args, dtype_arg)
    neg, _ = storage(dtype, shape)
    fill(neg[::-1, :, ::-3], method, args, dtype_arg)
    blk, _ = storage(dtype, shape)
    fill(blk, method, args, dtype_arg, global_shape=(9, 11, 40), offset=(2, 3, 5))
    tall, _ = storage(dtype, (1, 1, 3000))  # split inside the last dimension
    fill(tall[:, :, ::-1], method, args, dtype_arg)
    return x, big, neg, blk, tall


@pytest.mark.parametrize("nthreads", [1, 2, 3])
@pytest.mark.parametrize("method,args,dtype", list(cases()))
def test_parts_equal_one_whole_fill(method, args, dtype, nthreads):
    with threads(nthreads):
        with parts_of(1 << 25):
            wholes = every_layout(method, args, dtype)
        x, _, _, _, _ = wholes
        full, dtype_arg = storage(dtype, (9, 11, 40))
        fill(full, method, args, dtype_arg)
        assert np.array_equal(wholes[3], full[2:7, 3:10, 5:38])
        for part in (1, 7, 31, 64, 1000):
            with parts_of(part):
                got = every_layout(method, args, dtype)
            for a, b in zip(got, wholes):
                assert np.array_equal(a, b), part
            assert np.array_equal(got[1][::2, 1:8, 3::2][:, :, :33], x)


def test_parts_of_torch_tensors():
    torch = pytest.importorskip("torch")
    for dt in (torch.float32, torch.bfloat16, torch.float16):
        whole = initfill.Generator(3).normal_(torch.empty(3, 1000, dtype=dt), stream=2)
        with parts_of(77):
            t = initfill.Generator(3).normal_(torch.empty(3, 1000, dtype=dt), stream=2)
            s = initfill.Generator(3).normal_(torch.empty(3, 1000, dtype=dt).t(), stream=2)
        assert torch.equal(t, whole)
        assert torch.equal(s, initfill.Generator(3).normal_(
            torch.empty(3, 1000, dtype=dt).t(), stream=2))


def test_part_size_is_validated():
    with pytest.raises(ValueError, match="n must be"):
        _core.set_part_elements(0)


INTERRUPTED = textwrap.dedent("""
    import threading, time, _thread
    import numpy as np
    import initfill
    from initfill import _core

    g = initfill.Generator(5)
    x = np.ones(1 << 28, np.float32)      # every page touched before timing
    _core.set_part_elements(1 << 20)
    whole = float("inf")
    for stream in range(2):               # uninterrupted fills, in parts
        t0 = time.perf_counter()
        g.normal_(x, stream=stream)
        whole = min(whole, time.perf_counter() - t0)
    x[:] = 0
    delay = whole / 5
    timer = threading.Timer(delay, _thread.interrupt_main)
    t0 = time.perf_counter()
    timer.start()
    try:
        g.normal_(x, stream=2)
    except KeyboardInterrupt:
        latency = time.perf_counter() - t0 - delay
        written = int(np.count_nonzero(x))
        print("INTERRUPTED", whole, latency, written, flush=True)
    else:
        print("NOT INTERRUPTED", whole, flush=True)
    timer.join()
    # the pool is usable: the next fill is whole and right
    y = np.empty(1 << 22, np.float32)
    g.normal_(y, stream=9)
    _core.set_part_elements(1 << 30)
    ref = np.empty(1 << 22, np.float32)
    initfill.Generator(5).normal_(ref, stream=9)
    assert np.array_equal(y, ref)
    print("POOL OK", flush=True)
""")


def test_sigint_stops_a_long_fill_and_the_pool_stays_usable():
    proc = subprocess.run([sys.executable, "-c", INTERRUPTED], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.split("\n")
    assert lines[0].startswith("INTERRUPTED"), proc.stdout
    _, whole, latency, written = lines[0].split()
    # stopped at a part boundary before the fill would have finished (the buffer is
    # partly written), and soon after the signal (a generous bound: the timer thread
    # may be scheduled late on a busy machine)
    assert 0 < int(written) < (1 << 28), proc.stdout
    assert float(latency) < float(whole), proc.stdout
    assert "POOL OK" in proc.stdout


class Stop(Exception):
    """Raised by the test's signal handler while a fill runs."""


def interrupted_fill(fill_it, handler_exc):
    """Run fill_it() while a timer thread sends SIGUSR1, whose handler raises
    handler_exc while fill_it runs (and does nothing after, so a late signal cannot
    escape the test).  Returns whether the fill was stopped."""
    import os
    import threading
    running = [True]

    def handler(signum, frame):
        if running[0]:
            raise handler_exc

    old = signal.signal(signal.SIGUSR1, handler)
    timer = threading.Timer(0.005, os.kill, (os.getpid(), signal.SIGUSR1))
    try:
        timer.start()
        try:
            fill_it()
        except type(handler_exc):
            return True
        return False
    finally:
        running[0] = False
        timer.join()
        signal.signal(signal.SIGUSR1, old)


needs_sigusr1 = pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="no SIGUSR1 here")


@needs_sigusr1
def test_an_interrupted_torch_fill_bumps_the_version():
    torch = pytest.importorskip("torch")
    t = torch.zeros(1 << 12, 1 << 12).t()  # strided: the general path
    before = t._version
    with parts_of(1 << 8):
        stopped = interrupted_fill(lambda: initfill.Generator(0).normal_(t, stream=3),
                                   KeyboardInterrupt())
    assert stopped, "the fill ended before the signal"
    assert t._version > before
    written = int(torch.count_nonzero(t))
    assert 0 < written < t.numel()


@needs_sigusr1
def test_a_signal_handler_exception_stops_the_fast_path():
    x = np.zeros(1 << 24, np.float32)
    g = initfill.Generator(0)
    with parts_of(1 << 8):
        stopped = interrupted_fill(lambda: g.normal_(x), Stop())
    assert stopped, "the fill ended before the signal"
    assert 0 < np.count_nonzero(x) < x.size
    assert g.next_stream == 1  # the interrupted fill took stream 0
    # the pool still works
    y = initfill.Generator(0).normal_(np.empty(1 << 20, np.float32))
    with parts_of(1 << 30):
        ref = initfill.Generator(0).normal_(np.empty(1 << 20, np.float32), stream=0)
    assert np.array_equal(y, ref)

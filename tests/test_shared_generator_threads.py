"""One Generator shared by Python threads that fill without ``stream=`` (issue 16).

Every fill takes the counter's next stream atomically, so across all threads each
stream is used exactly once: no two fills get the same stream and none is skipped.
Which fill gets which stream depends on the scheduling (docs/threads.md), so the test
identifies each fill's stream from its first Philox block, whatever path took it:
the fast path with the GIL kept (small arrays) or released during the fill (large),
the general path (strided views), module functions and initializer objects.
"""
from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

import initfill
from initfill import initializers

THREADS = 8
ROUNDS = 25
SEED = 99


def _first_words(stream):
    """The first 4 uint32 words (Philox block 0) of `stream`."""
    x = np.empty(4, np.uint32)
    initfill.Generator(SEED).bits_(x, stream=stream)
    return x.tobytes()


def _first_normal(stream):
    x = np.empty(1, np.float32)
    initfill.Generator(SEED).normal_(x, stream=stream)
    return x.tobytes()


# Each op fills and returns (kind, key) where the key identifies the stream used.
def _fast_small(g):
    x = np.empty(16, np.uint32)
    g.bits_(x)
    return "bits", x[:4].tobytes()


def _fast_large(g):  # above the size at which the GIL is released during the fill
    x = np.empty(20_000, np.uint32)
    g.bits_(x)
    return "bits", x[:4].tobytes()


def _general(g):  # a strided view: resolved, then filled by the general path
    store = np.empty((6, 8), np.uint32)
    x = store[:, ::2]
    g.bits_(x)
    return "bits", x[0, :4].tobytes()


def _module(g):
    x = np.empty(8, np.float32)
    initfill.normal_(x, generator=g)
    return "normal", x[:1].tobytes()


def _initializer(g):
    x = np.empty(8, np.float32)
    initializers.RandomNormal(0.0, 1.0).fill_(x, generator=g)
    return "normal", x[:1].tobytes()


OPS = [_fast_small, _fast_large, _general, _module, _initializer]


@pytest.fixture
def short_switch_interval():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    yield
    sys.setswitchinterval(old)


def test_threads_sharing_a_generator_get_distinct_streams(short_switch_interval):
    total = THREADS * ROUNDS * len(OPS)
    streams = {"bits": {_first_words(s): s for s in range(total)},
               "normal": {_first_normal(s): s for s in range(total)}}
    assert all(len(v) == total for v in streams.values())  # keys identify streams
    g = initfill.Generator(SEED)
    start = threading.Barrier(THREADS)
    got, errors = [[] for _ in range(THREADS)], []

    def worker(k):
        try:
            start.wait()
            for r in range(ROUNDS):
                for i in range(len(OPS)):
                    got[k].append(OPS[(i + k + r) % len(OPS)](g))
        except Exception as e:  # noqa: BLE001  (reported by the assertion below)
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not any(th.is_alive() for th in threads)
    assert errors == []
    used = [streams[kind].get(key) for per_thread in got for kind, key in per_thread]
    assert None not in used, "a fill used a stream outside [0, total)"
    assert sorted(used) == list(range(total)), "a stream was used twice or skipped"
    assert g.next_stream == total

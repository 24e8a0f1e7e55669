"""A Generator can be saved and restored (state, pickle, copy, repr), and uniform_
with low == high is the same everywhere."""
from __future__ import annotations

import copy
import json
import pickle

import numpy as np
import pytest

import initfill


def _draws(g, n=3):
    return [g.normal_(np.empty(17, np.float32)) for _ in range(n)]


def test_pickle_mid_run_continues_with_the_same_streams():
    # A "training run": draw some tensors, checkpoint, draw more; the restored
    # generator draws exactly what the original draws after the checkpoint.
    g = initfill.Generator(2024)
    _draws(g, 5)
    blob = pickle.dumps(g)
    after = _draws(g)
    restored = pickle.loads(blob)
    assert restored.seed == 2024 and restored.next_stream == 5
    for a, b in zip(after, _draws(restored)):
        assert np.array_equal(a, b)


def test_state_round_trips_through_json():
    g = initfill.Generator(7, next_stream="layers.0.weight")
    g.take_stream()
    state = json.loads(json.dumps(g.state))
    assert state == {"seed": 7, "next_stream": g.next_stream,
                     "algorithm_version": initfill.ALGORITHM_VERSION}
    h = initfill.Generator.from_state(state)
    assert np.array_equal(_draws(g)[0], _draws(h)[0])


@pytest.mark.parametrize("make", [copy.copy, copy.deepcopy,
                                  lambda g: eval(repr(g), {"initfill": initfill})])
def test_copies_are_independent_and_equal(make):
    g = initfill.Generator(11)
    _draws(g, 2)
    h = make(g)
    assert h is not g and h.state == g.state
    a = _draws(g, 1)[0]
    assert h.next_stream == 2  # g's draw did not move h
    assert np.array_equal(a, _draws(h, 1)[0])


def test_state_of_another_algorithm_version_is_refused():
    state = dict(initfill.Generator(1).state,
                 algorithm_version=initfill.ALGORITHM_VERSION + 1)
    with pytest.raises(ValueError, match="algorithm_version"):
        initfill.Generator.from_state(state)


@pytest.mark.parametrize("state, err", [
    ([1, 2, 3], TypeError),
    ({"seed": 1, "next_stream": 0}, ValueError),
    ({"seed": 1, "next_stream": 0, "algorithm_version": 1, "x": 0}, ValueError),
    ({"seed": -1, "next_stream": 0, "algorithm_version": 1}, ValueError),
    ({"seed": 1, "next_stream": 2 ** 64 + 1, "algorithm_version": 1}, ValueError),
    ({"seed": 1.5, "next_stream": 0, "algorithm_version": 1}, TypeError),
])
def test_bad_states(state, err):
    if isinstance(state, dict) and "algorithm_version" in state:
        state["algorithm_version"] = initfill.ALGORITHM_VERSION
    with pytest.raises(err):
        initfill.Generator.from_state(state)


def test_a_spent_generator_stays_spent_when_restored():
    g = initfill.Generator(1, next_stream=2 ** 64 - 1)
    g.take_stream()
    h = pickle.loads(pickle.dumps(g))
    assert h.next_stream == 2 ** 64
    with pytest.raises(ValueError, match="2\\*\\*64"):
        h.take_stream()


def test_uniform_low_equal_high_fills_low_everywhere():
    torch = pytest.importorskip("torch")
    import initfill.torch as it
    expect = np.full(9, 0.25, np.float32)
    assert np.array_equal(initfill.Generator(0).uniform_(np.empty(9, np.float32), 0.25, 0.25),
                          expect)
    assert np.array_equal(initfill.uniform_(np.empty(9, np.float32), 0.25, 0.25), expect)
    for dt in (torch.float32, torch.bfloat16, torch.float16, torch.float64):
        t = it.uniform_(torch.empty(9, dtype=dt), 0.25, 0.25)
        assert torch.equal(t, torch.nn.init.uniform_(torch.empty(9, dtype=dt), 0.25, 0.25))

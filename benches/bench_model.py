"""Whole-model initialization: a Llama-shaped ~1B-parameter model (hidden 2048,
intermediate 5632, 16 layers, vocab 32000, untied head, LayerNorms), float32.

    pytest benches/bench_model.py --benchmark-only

Each case runs once per round (they take seconds and gigabytes); the torch baselines
run in the same session so the ratios are measured under the same load, next to the
floor that every initializer of fresh memory pays: meta -> to_empty -> a memset of
every parameter on all threads, the faster of ``initfill.zeros_`` and torch's
``zero_()`` (both timed here).
After pytest-benchmark's tables, the summary (benches/conftest.py) prints the best
time of each case, the floor and the ratios, against the targets of
``initfill._tools.bench.model_init.TARGETS`` (~1B model, 2 threads).
``initfill bench --model`` measures the same cases.
INITFILL_BENCH_MODEL_LAYERS shrinks the model (e.g. 2) for a quick look.
"""
import gc
import os

import pytest

torch = pytest.importorskip("torch", reason="the model benchmark needs torch")

from initfill._tools.bench.model_init import MODEL_SIZES, ModelSteps, llama_shaped  # noqa: E402

DIMS = dict(MODEL_SIZES["1b"])
DIMS["layers"] = int(os.environ.get("INITFILL_BENCH_MODEL_LAYERS", DIMS["layers"]))


@pytest.fixture(scope="module")
def steps():
    # First meta construction pays a one-time cost (~1 s) in torch's meta kernels.
    with torch.device("meta"):
        llama_shaped(hidden=64, intermediate=64, layers=1, vocab=64)
    return ModelSteps(DIMS, seed=0)


@pytest.fixture(scope="module")
def touched(steps):
    """One materialized model, every page touched, re-initialized by the re-init cases."""
    m = steps.floor()
    yield m
    del m
    gc.collect()


def _run(benchmark, record_model_time, key, fn):
    def once():
        m = fn()
        del m
        gc.collect()
    benchmark.pedantic(once, rounds=2, iterations=1, warmup_rounds=0)
    record_model_time(key, benchmark)


def test_floor_meta_to_empty_zeros(benchmark, record_model_time, steps):
    _run(benchmark, record_model_time, "floor_zeros", steps.floor)


def test_meta_to_empty_init_module(benchmark, record_model_time, steps):
    _run(benchmark, record_model_time, "meta_to_empty_init_module",
         lambda: steps.init_module(steps.meta_to_empty()))


def test_meta_to_empty_reset_parameters_torch(benchmark, record_model_time, steps):
    _run(benchmark, record_model_time, "meta_to_empty_reset_parameters",
         lambda: steps.reset_parameters(steps.meta_to_empty()))


def test_meta_to_empty_zero_torch(benchmark, record_model_time, steps):
    _run(benchmark, record_model_time, "meta_to_empty_zero",
         lambda: steps.zero(steps.meta_to_empty()))


def test_reinit_touched_init_module(benchmark, record_model_time, steps, touched):
    benchmark.pedantic(lambda: steps.init_module(touched), rounds=2, iterations=1)
    record_model_time("reinit_init_module", benchmark)


def test_reinit_touched_reset_parameters_torch(benchmark, record_model_time, steps, touched):
    benchmark.pedantic(lambda: steps.reset_parameters(touched), rounds=2, iterations=1)
    record_model_time("reinit_reset_parameters", benchmark)


def test_construct_inside_patch(benchmark, record_model_time, steps):
    _run(benchmark, record_model_time, "construct_patch", lambda: steps.construct(True))


def test_construct_torch(benchmark, record_model_time, steps):
    _run(benchmark, record_model_time, "construct_torch", lambda: steps.construct(False))

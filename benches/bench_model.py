"""Whole-model initialization: a Llama-shaped ~1B-parameter model (hidden 2048,
intermediate 5632, 16 layers, vocab 32000, untied head, LayerNorms), float32.

    pytest benches/bench_model.py --benchmark-only

Each case runs once per round (they take seconds and gigabytes); the torch baselines
run in the same session so the ratios are measured under the same load, next to the
floor that every initializer pays: first touch of the fresh memory (``zero_()``).
``initfill bench --model`` measures the same cases.
INITFILL_BENCH_MODEL_LAYERS shrinks the model (e.g. 2) for a quick look.
"""
import gc
import os

import pytest

torch = pytest.importorskip("torch", reason="the model benchmark needs torch")

import initfill.torch as it  # noqa: E402
from initfill._tools.bench.model_init import MODEL_SIZES, llama_shaped  # noqa: E402

DIMS = dict(MODEL_SIZES["1b"])
DIMS["layers"] = int(os.environ.get("INITFILL_BENCH_MODEL_LAYERS", DIMS["layers"]))


@pytest.fixture(scope="module", autouse=True)
def warm_up():
    # First meta construction pays a one-time cost (~1 s) in torch's meta kernels.
    with torch.device("meta"):
        llama_shaped(hidden=64, intermediate=64, layers=1, vocab=64)


def _meta_to_empty():
    with torch.device("meta"):
        m = llama_shaped(**DIMS)
    return m.to_empty(device="cpu")


def _run(benchmark, fn):
    def once():
        m = fn()
        del m
        gc.collect()
    benchmark.pedantic(once, rounds=2, iterations=1, warmup_rounds=0)


def test_meta_to_empty_init_module(benchmark):
    _run(benchmark, lambda: it.init_module_(_meta_to_empty(), seed=0))


def test_meta_to_empty_reset_parameters_torch(benchmark):
    def fn():
        m = _meta_to_empty()
        with torch.no_grad():
            for mod in m.modules():
                if hasattr(mod, "reset_parameters"):
                    mod.reset_parameters()
        return m
    _run(benchmark, fn)


def test_construct_inside_patch(benchmark):
    def fn():
        with it.patch(seed=0):
            return llama_shaped(**DIMS)
    _run(benchmark, fn)


def test_construct_torch(benchmark):
    _run(benchmark, lambda: llama_shaped(**DIMS))


def test_meta_to_empty_zero_floor(benchmark):
    def fn():
        m = _meta_to_empty()
        with torch.no_grad():
            for p in m.parameters():
                p.zero_()
        return m
    _run(benchmark, fn)

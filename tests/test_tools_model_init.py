"""initfill bench --model's pieces (initfill._tools.bench.model_init): the Llama-shaped
model it builds, through the meta-device flow and patch(), and the timing record."""
import math

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (CI installs torch==2.13.0)")

import initfill.torch as it  # noqa: E402
from initfill._tools.bench.model_init import format_model_bench, llama_shaped, model_bench  # noqa: E402


def test_small_llama_shape_meta_flow():
    with torch.device("meta"):
        m = llama_shaped(hidden=64, intermediate=96, layers=2, vocab=100)
    m.to_empty(device="cpu")
    it.init_module_(m, seed=0)
    assert all(torch.isfinite(p).all() for p in m.parameters())
    with it.patch(seed=0):
        m2 = llama_shaped(hidden=64, intermediate=96, layers=2, vocab=100)
    assert m2.layers[1].down_proj.weight.abs().max() <= 1 / math.sqrt(96)


def test_model_bench_function_runs_small():
    r = model_bench(hidden=32, intermediate=48, layers=1, vocab=50)
    assert r["params"] == 50 * 32 * 2 + 4 * 32 * 32 + 3 * 32 * 48 + 3 * 2 * 32
    for key in ["meta_to_empty_init_module", "construct_patch", "meta_to_empty_zero",
                "meta_to_empty_reset_parameters", "construct_torch", "speedup_init_module"]:
        assert r[key] > 0
    assert "init_module_" in format_model_bench(r)

"""initfill bench --model's pieces (initfill._tools.bench.model_init): the Llama-shaped
model it builds, through the meta-device flow and patch(), and the timing record."""
import math

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (CI installs torch==2.13.0)")

import initfill.torch as it  # noqa: E402
import initfill  # noqa: E402
from initfill._tools.bench.model_init import (  # noqa: E402
    ModelSteps,
    floor_of,
    format_model_bench,
    llama_shaped,
    model_bench,
    ratios,
)


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
                "meta_to_empty_reset_parameters", "construct_torch", "speedup_init_module",
                "floor_zeros", "reinit_init_module",
                "reinit_reset_parameters", "reinit_speedup", "init_module_over_floor"]:
        assert r[key] > 0
    assert "init_module_" in format_model_bench(r)
    r = model_bench(hidden=32, intermediate=48, layers=1, vocab=50, torch_baseline=False)
    assert "reinit_reset_parameters" not in r and "construct_torch" not in r
    assert set(r["targets"]) == {"init_module_over_floor"}


def test_floor_step_zeros_every_byte():
    # The floor (initfill.zeros_ of every parameter) writes every parameter byte.
    m = ModelSteps(dict(hidden=64, intermediate=96, layers=1, vocab=100), 0).floor()
    assert all(bool((p.detach().view(torch.uint8) == 0).all()) for p in m.parameters())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16,
                                   torch.bfloat16])
@pytest.mark.parametrize("n", [1, 4097, (4 << 20) + 3])
def test_zeros_on_the_pool_writes_positive_zero(dtype, n):
    # zeros_ is a parallel memset for contiguous outputs: all bits zero (+0.0) in
    # every element, up to 16 MiB (parts over both threads, page-aligned, a tail).
    before = initfill.get_num_threads()
    initfill.set_num_threads(2)
    try:
        x = torch.full((n,), -1.5, dtype=dtype)
        initfill.zeros_(x)
        assert bool((x.view(torch.uint8) == 0).all())
        y = torch.full((n, 2), 3.0, dtype=dtype)[:, 0]    # strided: the NumPy path
        initfill.zeros_(y)
        assert bool((y == 0).all()) and not bool(torch.signbit(y).any())
        z = torch.full((n,), 2.0, dtype=dtype)
        initfill.constant_(z, -0.0)                        # -0.0 is not a memset
        assert bool(torch.signbit(z).all())
    finally:
        initfill.set_num_threads(before)


def test_floor_is_the_faster_memset():
    # The floor is whichever of the two memsets of the fresh model was faster; the
    # *_over_floor ratios divide by it (so none of them is below 1 by construction).
    res = {"floor_zeros": 2.0, "meta_to_empty_zero": 1.6, "meta_to_empty_init_module": 2.4}
    assert floor_of(res) == ("meta_to_empty_zero", 1.6)
    r = ratios(res)
    assert r["init_module_over_floor"] == pytest.approx(1.5)
    assert r["zeros_over_floor"] == pytest.approx(1.25) and r["zero_over_floor"] == 1.0
    res["floor_zeros"] = 1.2
    assert floor_of(res) == ("floor_zeros", 1.2)
    assert ratios(res)["init_module_over_floor"] == pytest.approx(2.0)
    assert floor_of({"floor_zeros": 3.0}) == ("floor_zeros", 3.0)
    assert floor_of({}) is None and "init_module_over_floor" not in ratios({})

"""initfill.torch.patch() and init_module_: routing, exact restoration, meta models."""
import math
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (CI installs torch==2.13.0)")
stats = pytest.importorskip("scipy.stats", reason="scipy is not installed")
from torch import nn  # noqa: E402

import initfill  # noqa: E402
import initfill.torch as it  # noqa: E402


def snapshot():
    """Identity of every attribute of torch.nn.init, and of every init function a
    torch module imported by name."""
    snap = {("torch.nn.init", k): id(v) for k, v in vars(torch.nn.init).items()}
    for name, mod in list(sys.modules.items()):
        if name.startswith("torch.") and mod is not None and hasattr(mod, "__dict__"):
            for k, v in list(vars(mod).items()):
                if callable(v) and getattr(v, "__module__", None) in ("torch.nn.init",
                                                                      "initfill.torch"):
                    snap[(name, k)] = id(v)
    return snap


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50, 16, padding_idx=3)
        self.conv = nn.Conv1d(16, 8, 3)
        self.ln = nn.LayerNorm(8)
        self.proj = nn.Linear(8, 32)
        self.out_proj = nn.Linear(32, 8, bias=False)
        self.bn = nn.BatchNorm1d(8)


def test_patch_routes_and_restores_exactly():
    before = snapshot()
    with it.patch(seed=1):
        assert torch.nn.init.kaiming_uniform_ is it.kaiming_uniform_
        assert torch.nn.init.normal is it.normal
        import torch.nn.modules.activation as act
        assert act.xavier_uniform_ is it.xavier_uniform_
        a = nn.Linear(64, 32)
    with it.patch(seed=1):
        b = nn.Linear(64, 32)
    assert torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)
    assert snapshot() == before
    assert torch.nn.init.kaiming_uniform_ is it._dispatch.TORCH_INIT["kaiming_uniform_"]


def test_patch_restores_on_error_and_when_nested():
    before = snapshot()
    with pytest.raises(RuntimeError, match="boom"):
        with it.patch():
            with it.patch(seed=3):
                raise RuntimeError("boom")
    assert snapshot() == before
    with it.patch(seed=0):
        with it.patch(seed=1):
            x = nn.Linear(10, 10).weight.detach().clone()
        assert torch.nn.init.uniform_ is it.uniform_  # outer still active
        y = nn.Linear(10, 10).weight.detach().clone()
    assert snapshot() == before
    with it.patch(seed=1):
        x2 = nn.Linear(10, 10).weight.detach().clone()
    with it.patch(seed=0):
        y2 = nn.Linear(10, 10).weight.detach().clone()
    assert torch.equal(x, x2) and torch.equal(y, y2)


def test_patch_as_decorator_and_reentrant():
    before = snapshot()

    @it.patch(seed=5)
    def build():
        assert torch.nn.init.normal_ is it.normal_
        return nn.Embedding(20, 4).weight.detach().clone()

    assert torch.equal(build(), build())
    assert snapshot() == before


def test_patched_constructors_have_torchs_law():
    with it.patch(seed=0):
        lin = nn.Linear(400, 300)
        conv = nn.Conv2d(16, 32, 3)
        emb = nn.Embedding(300, 100)
    b = 1 / math.sqrt(400)
    w = lin.weight.detach().numpy().ravel()
    assert stats.kstest(w, "uniform", (-b, 2 * b)).pvalue > 1e-4
    b = 1 / math.sqrt(16 * 9)
    assert stats.kstest(conv.weight.detach().numpy().ravel(), "uniform", (-b, 2 * b)).pvalue > 1e-4
    assert stats.kstest(emb.weight.detach().numpy().ravel(), "norm").pvalue > 1e-4


def test_init_module_after_meta_and_to_empty():
    with torch.device("meta"):
        m = Tiny()
    m.to_empty(device="cpu")
    it.init_module_(m, seed=0)
    ref = Tiny()
    it.init_module_(ref, seed=0)
    for (n1, p1), (n2, p2) in zip(m.named_parameters(), ref.named_parameters()):
        assert n1 == n2 and torch.equal(p1, p2), n1
    assert (m.emb.weight[3] == 0).all()
    assert (m.ln.weight == 1).all() and (m.ln.bias == 0).all()
    assert (m.bn.running_var == 1).all() and (m.bn.running_mean == 0).all()
    assert m.proj.weight.abs().max() <= 1 / math.sqrt(8)
    assert m.proj.bias.abs().max() <= 1 / math.sqrt(8)
    w = m.emb.weight.detach().numpy()
    assert stats.kstest(np.delete(w, 3, axis=0).ravel(), "norm").pvalue > 1e-4


def test_init_module_keys_by_name_not_order():
    class A(nn.Module):
        def __init__(self, order):
            super().__init__()
            for name in order:
                setattr(self, name, nn.Linear(6, 6))

    a = it.init_module_(A(["x", "y"]), seed=9)
    b = it.init_module_(A(["y", "x"]), seed=9)
    c = it.init_module_(A(["y"]), seed=9)
    assert torch.equal(a.x.weight, b.x.weight) and torch.equal(a.y.weight, c.y.weight)
    assert not torch.equal(a.x.weight, a.y.weight)
    d = it.init_module_(A(["x", "y"]), seed=10)
    assert not torch.equal(a.x.weight, d.x.weight)
    # the stream of a parameter is stream_id(its qualified name)
    w = torch.empty(6, 6)
    bound = 1 / math.sqrt(6)
    gain = it.calculate_gain("leaky_relu", math.sqrt(5))
    bound = math.sqrt(3.0) * gain / math.sqrt(6)
    initfill.Generator(9).uniform_(w, -bound, bound, stream=initfill.stream_id("x.weight"))
    assert torch.equal(w, a.x.weight)


def test_init_module_normal_scheme_and_residual_scaling():
    class Blk(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.LayerNorm(256)
            self.up_proj = nn.Linear(256, 1024)
            self.o_proj = nn.Linear(1024, 256)

    m = nn.ModuleDict({"layers": nn.ModuleList([Blk(), Blk()])})
    it.init_module_(m, seed=1, scheme="normal", std=0.02, residual_layers=2)
    up = m["layers"][0].up_proj.weight.detach().numpy().ravel()
    o = m["layers"][1].o_proj.weight.detach().numpy().ravel()
    assert stats.kstest(up, "norm", (0, 0.02)).pvalue > 1e-4
    assert stats.kstest(o, "norm", (0, 0.02 / 2)).pvalue > 1e-4
    assert (m["layers"][0].up_proj.bias == 0).all()
    assert (m["layers"][0].norm.weight == 1).all() and (m["layers"][0].norm.bias == 0).all()


def test_init_module_callable_and_half_dtypes():
    seen = []

    def scheme(name, p, gen):
        seen.append(name)
        it.normal_(p, 0.0, 0.5, generator=gen)

    m = nn.Sequential(nn.Linear(8, 8), nn.Linear(8, 4)).to(torch.bfloat16)
    it.init_module_(m, seed=2, scheme=scheme)
    assert seen == ["0.weight", "0.bias", "1.weight", "1.bias"]
    ref = torch.empty(8, 8, dtype=torch.bfloat16)
    initfill.Generator(2).normal_(ref, 0.0, 0.5, stream=initfill.stream_id("0.weight"))
    assert torch.equal(ref, m[0].weight)
    h = it.init_module_(nn.Linear(16, 16).half(), seed=0)
    assert h.weight.dtype == torch.float16 and h.weight.abs().max() <= 0.25


def test_init_module_errors_and_unknown_modules():
    with torch.device("meta"):
        m = nn.Linear(3, 3)
    with pytest.raises(ValueError, match="to_empty"):
        it.init_module_(m)
    with pytest.raises(ValueError, match="scheme"):
        it.init_module_(nn.Linear(2, 2), scheme="nope")

    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(torch.zeros(4))
            self.lin = nn.Linear(4, 4)

        def reset_parameters(self):
            nn.init.normal_(self.scale)

    c = it.init_module_(Custom(), seed=0)
    assert (c.scale != 0).all()
    c2 = it.init_module_(Custom(), seed=0)
    assert torch.equal(c.scale, c2.scale)

    class Bare(nn.Module):
        def __init__(self):
            super().__init__()
            self.p = nn.Parameter(torch.zeros(3))

    with pytest.warns(RuntimeWarning, match="left as they are"):
        it.init_module_(Bare())


def test_init_module_standard_layers():
    m = nn.ModuleDict({
        "mha": nn.MultiheadAttention(16, 4),
        "gru": nn.GRU(8, 16),
        "prelu": nn.PReLU(3, init=0.1),
        "bil": nn.Bilinear(4, 5, 6),
        "gn": nn.GroupNorm(2, 4),
    })
    it.init_module_(m, seed=0)
    assert (m["mha"].in_proj_bias == 0).all() and (m["mha"].out_proj.bias == 0).all()
    b = math.sqrt(6 / (16 + 48))
    assert m["mha"].in_proj_weight.abs().max() <= b
    assert m["gru"].weight_hh_l0.abs().max() <= 1 / 4
    assert torch.allclose(m["prelu"].weight, torch.full((3,), 0.1))
    assert m["bil"].weight.abs().max() <= 1 / math.sqrt(4)
    assert (m["gn"].weight == 1).all()


def test_small_llama_shape_meta_flow():
    from initfill._model_bench import llama_shaped

    with torch.device("meta"):
        m = llama_shaped(hidden=64, intermediate=96, layers=2, vocab=100)
    m.to_empty(device="cpu")
    it.init_module_(m, seed=0)
    assert all(torch.isfinite(p).all() for p in m.parameters())
    with it.patch(seed=0):
        m2 = llama_shaped(hidden=64, intermediate=96, layers=2, vocab=100)
    assert m2.layers[1].down_proj.weight.abs().max() <= 1 / math.sqrt(96)


def test_tied_parameters_filled_once_and_meta_under_patch():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(30, 8)
            self.head = nn.Linear(8, 30, bias=False)
            self.head.weight = self.emb.weight

    m = it.init_module_(Tied(), seed=4)
    assert m.head.weight is m.emb.weight
    ref = torch.empty(30, 8)
    initfill.Generator(4).normal_(ref, stream=initfill.stream_id("emb.weight"))
    assert torch.equal(m.emb.weight, ref)
    with it.patch(seed=0), torch.device("meta"):
        meta = nn.Sequential(nn.Linear(4, 4), nn.Embedding(5, 4), nn.LayerNorm(4))
    assert all(p.is_meta for p in meta.parameters())


def test_torch_generator_in_drop_in_is_reproducible_under_patch():
    with it.patch(seed=0):
        a = nn.Linear(16, 16)
        torch.nn.init.normal_(a.weight, generator=torch.Generator().manual_seed(1))
    b = it.normal_(torch.empty(16, 16), generator=torch.Generator().manual_seed(1))
    assert torch.equal(a.weight, b)


def test_model_bench_function_runs_small():
    from initfill._model_bench import format_model_bench, model_bench

    r = model_bench(hidden=32, intermediate=48, layers=1, vocab=50)
    assert r["params"] == 50 * 32 * 2 + 4 * 32 * 32 + 3 * 32 * 48 + 3 * 2 * 32
    for key in ["meta_to_empty_init_module", "construct_patch", "meta_to_empty_zero",
                "meta_to_empty_reset_parameters", "construct_torch", "speedup_init_module"]:
        assert r[key] > 0
    assert "init_module_" in format_model_bench(r)

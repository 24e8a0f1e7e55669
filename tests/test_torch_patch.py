"""initfill.torch.patch(): routing torch.nn.init and torch's by-name copies through
initfill, exact restoration, nesting, decorators, and models built while patched."""
import math
import sys

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (CI installs torch==2.13.0)")
stats = pytest.importorskip("scipy.stats", reason="scipy is not installed")
from torch import nn  # noqa: E402

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


def test_patch_routes_and_restores_exactly():
    before = snapshot()
    torchs = torch.nn.init.kaiming_uniform_
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
    assert torch.nn.init.kaiming_uniform_ is torchs


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


def test_meta_construction_under_patch():
    with it.patch(seed=0), torch.device("meta"):
        meta = nn.Sequential(nn.Linear(4, 4), nn.Embedding(5, 4), nn.LayerNorm(4))
    assert all(p.is_meta for p in meta.parameters())


def test_torch_generator_in_drop_in_is_reproducible_under_patch():
    with it.patch(seed=0):
        a = nn.Linear(16, 16)
        torch.nn.init.normal_(a.weight, generator=torch.Generator().manual_seed(1))
    b = it.normal_(torch.empty(16, 16), generator=torch.Generator().manual_seed(1))
    assert torch.equal(a.weight, b)

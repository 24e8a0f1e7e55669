"""``initfill.torch.activation_stats``: exact statistics on hand-made layers, and a model
left exactly as it was -- hooks, parameters, gradients, BatchNorm buffers and mode --
also when its forward raises."""
from __future__ import annotations

import math
import sys

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import initfill.torch as it  # noqa: E402


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


def identity_linear(n: int) -> nn.Linear:
    lin = nn.Linear(n, n)
    with torch.no_grad():
        lin.weight.copy_(torch.eye(n))
        lin.bias.zero_()
    return lin


def bn_model() -> nn.Module:
    return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.Flatten(), nn.Linear(4 * 5 * 5, 3))


def snapshot(m: nn.Module) -> dict:
    return {
        "state": {k: v.clone() for k, v in m.state_dict().items()},
        "grads": [None if p.grad is None else p.grad.clone() for p in m.parameters()],
        "modes": [mod.training for mod in m.modules()],
        "requires_grad": [p.requires_grad for p in m.parameters()],
    }


def assert_same(m: nn.Module, before: dict) -> None:
    after = snapshot(m)
    assert before["state"].keys() == after["state"].keys()
    for k, v in before["state"].items():
        assert torch.equal(v, after["state"][k]), k
    for g0, g1 in zip(before["grads"], after["grads"]):
        assert (g0 is None and g1 is None) or torch.equal(g0, g1)
    assert before["modes"] == after["modes"]
    assert before["requires_grad"] == after["requires_grad"]
    for mod in m.modules():
        assert not mod._forward_hooks and not mod._backward_hooks


# --- the numbers -----------------------------------------------------------------------

def test_forward_statistics_are_exact():
    x = torch.tensor([[-4.0, 0.0, 1.0, 3.0]])
    stats = it.activation_stats(identity_linear(4), x, saturation=3.0)
    (r,) = stats.records
    assert (r.name, r.type) == ("", "Linear")
    assert r.mean == 0.0
    assert r.std == math.sqrt((16 + 0 + 1 + 9) / 4)
    assert r.zero_fraction == 0.25 and r.saturated_fraction == 0.5
    # loss = mean(y**2): dL/dy = 2y/4, dL/dW = dL/dy^T x
    gy = x / 2
    assert r.grad_std == pytest.approx(float(gy.double().std(correction=0)), rel=1e-12)
    gw = gy.T @ x
    assert r.weight_grad_std == pytest.approx(float(gw.double().std(correction=0)), rel=1e-12)
    assert stats.loss == pytest.approx(26 / 4)


def test_a_given_loss_and_no_backward():
    x = torch.tensor([[1.0, 2.0]])
    stats = it.activation_stats(identity_linear(2), x, loss=lambda y: y.sum())
    assert stats[0].grad_std == 0.0                    # dL/dy = 1 everywhere
    assert stats.loss == 3.0
    fwd = it.activation_stats(identity_linear(2), x, backward=False)
    assert math.isnan(fwd[0].grad_std) and math.isnan(fwd[0].weight_grad_std)
    assert math.isnan(fwd.loss) and fwd[0].std == 0.5


def test_default_layers_are_the_leaf_modules_with_parameters():
    x = torch.randn(6, 2, 5, 5, generator=torch.Generator().manual_seed(0))
    stats = it.activation_stats(bn_model(), x)
    assert [(r.name, r.type) for r in stats] == [
        ("0", "Conv2d"), ("1", "BatchNorm2d"), ("4", "Linear")]
    # train mode: the batch norm's output has mean 0 and std 1 on the batch
    assert abs(stats[1].mean) < 1e-6 and stats[1].std == pytest.approx(1.0, abs=1e-4)
    relu = it.activation_stats(bn_model(), x, layers=nn.ReLU)
    # half of a standardized output is negative (measured 0.495)
    assert [r.name for r in relu] == ["2"] and 0.4 < relu[0].zero_fraction < 0.6
    assert math.isnan(relu[0].weight_grad_std)        # ReLU has no weight


def test_records_columns_text_and_repeated_calls():
    lin = identity_linear(3)
    twice = nn.Sequential(lin, nn.ReLU(), lin)        # the same module called twice
    stats = it.activation_stats(twice, torch.ones(2, 3))
    assert isinstance(stats, it.ActivationStats) and isinstance(stats[0], it.LayerStats)
    assert [r.name for r in stats] == ["0", "0#2"]
    cols = stats.columns()
    assert list(cols) == ["name", "type", "mean", "std", "zero_fraction",
                          "saturated_fraction", "grad_std", "weight_grad_std"]
    assert cols["mean"] == [r.mean for r in stats] and len(stats) == 2
    text = str(stats)
    assert text.splitlines()[0].split()[:3] == ["layer", "name", "type"]
    assert "0#2" in text


def test_an_in_place_activation_after_a_layer_does_not_change_its_statistics():
    m = nn.Sequential(identity_linear(2), nn.ReLU(inplace=True))
    stats = it.activation_stats(m, torch.tensor([[-1.0, 1.0]]), backward=False)
    assert stats[0].mean == 0.0 and stats[0].zero_fraction == 0.0


# --- the model is left as it was -------------------------------------------------------

@pytest.mark.parametrize("mode", ["train", "eval"])
def test_hooks_parameters_grads_bn_buffers_and_mode_are_unchanged(mode):
    m = bn_model()
    getattr(m, mode)()
    m[0].weight.grad = torch.full_like(m[0].weight, 0.5)   # an earlier gradient stays
    before = snapshot(m)
    x = torch.randn(6, 2, 5, 5, generator=torch.Generator().manual_seed(1))
    it.activation_stats(m, x)
    assert_same(m, before)
    assert int(m[1].num_batches_tracked) == 0


def test_dropout_leaves_torch_random_state_as_it_was():
    m = nn.Sequential(identity_linear(8), nn.Dropout(0.5)).train()
    x = torch.ones(4, 8)
    state = torch.random.get_rng_state()
    first = it.activation_stats(m, x, layers=nn.Dropout)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert it.activation_stats(m, x, layers=nn.Dropout) == first    # the same masks
    assert 0.2 < first[0].zero_fraction < 0.8


class Boom(RuntimeError):
    pass


def test_model_unchanged_when_the_forward_raises():
    class Raises(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = bn_model()[:3]

        def forward(self, x):
            self.body(x)            # the batch norm has updated its running statistics
            raise Boom("in forward")

    m = Raises().train()
    before = snapshot(m)
    with pytest.raises(Boom):
        it.activation_stats(m, torch.randn(4, 2, 5, 5))
    assert_same(m, before)


def test_model_unchanged_when_the_loss_is_bad():
    m = bn_model()
    before = snapshot(m)
    with pytest.raises(TypeError, match="loss"):
        it.activation_stats(m, torch.randn(4, 2, 5, 5), loss=lambda y: y)  # not a scalar
    assert_same(m, before)


# --- the plot --------------------------------------------------------------------------

def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    stats = it.activation_stats(bn_model(), torch.randn(4, 2, 5, 5))
    path = tmp_path / "stats.png"
    stats.plot(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_says_how_to_install_it(monkeypatch, tmp_path):
    stats = it.activation_stats(identity_linear(2), torch.ones(1, 2))
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        stats.plot(tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


# --- errors ----------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, exc, word", [
    ({"layers": nn.Linear(2, 2)}, TypeError, "layers"),
    ({"layers": (str,)}, TypeError, "layers"),
    ({"layers": ()}, TypeError, "layers"),
    ({"layers": nn.Conv2d}, ValueError, "no module"),
    ({"loss": 3}, TypeError, "loss"),
    ({"saturation": 0}, ValueError, "saturation"),
    ({"saturation": math.inf}, ValueError, "saturation"),
])
def test_bad_arguments(kwargs, exc, word):
    m = identity_linear(2)
    before = snapshot(m)
    with pytest.raises(exc, match=word):
        it.activation_stats(m, torch.ones(1, 2), **kwargs)
    assert_same(m, before)


def test_bad_model_and_batch():
    with pytest.raises(TypeError, match="model"):
        it.activation_stats(torch.ones(2), torch.ones(1, 2))
    with pytest.raises(ValueError, match="batch.*meta"):
        it.activation_stats(identity_linear(2), torch.empty(1, 2, device="meta"))
    with pytest.raises(TypeError, match="batch"):
        it.activation_stats(identity_linear(2), (torch.ones(1, 2), "x"))
    with pytest.raises(ValueError, match="batch"):
        it.activation_stats(identity_linear(2), ())
    with torch.device("meta"):
        meta = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="'weight' is on the meta device"):
        it.activation_stats(meta, torch.ones(1, 2))
    with pytest.raises(TypeError, match="loss="):
        it.activation_stats(nn.LSTM(2, 2), torch.ones(1, 3, 2))     # returns a tuple

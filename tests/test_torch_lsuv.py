"""``initfill.torch.lsuv_``: layer-sequential unit-variance init (Mishkin & Matas 2016).

A 20-layer plain ReLU MLP and a small CNN, neither normalized: after LSUV every
layer's output std on the batch is within tol of 1, while from N(0, 0.01**2) it
decays geometrically; the scales are bit-reproducible; nothing of autograd, hooks or
buffers is left behind; and LSUV trains where the small normal init stalls.  Small
sizes and fixed seeds; the thresholds' margins are given with the measured values.
"""
from __future__ import annotations

import math
import warnings

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import initfill  # noqa: E402
import initfill.torch as it  # noqa: E402

WIDTH, BATCH = 64, 128
LAYERS = (nn.Linear, nn.Conv2d)


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


def mlp(depth: int = 20, width: int = WIDTH, dtype: torch.dtype = torch.float32) -> nn.Module:
    mods: list[nn.Module] = []
    for _ in range(depth):
        mods += [nn.Linear(width, width, dtype=dtype), nn.ReLU()]
    return nn.Sequential(*mods)


def cnn(channels: int = 8) -> nn.Module:
    c = channels
    return nn.Sequential(
        nn.Conv2d(1, c, 3, padding=1), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1), nn.ReLU(),
        nn.Conv2d(c, c, 3, padding=1), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(c * 8 * 8, 2))


def normal_batch(*shape: int, stream: str = "test.batch") -> torch.Tensor:
    return initfill.Generator(0, next_stream=stream).normal_(torch.empty(shape))


@pytest.fixture(scope="module")
def x_mlp() -> torch.Tensor:
    return normal_batch(BATCH, WIDTH)


@pytest.fixture(scope="module")
def x_cnn() -> torch.Tensor:
    return normal_batch(64, 1, 8, 8)


def output_stds(model: nn.Module, batch: torch.Tensor) -> list[float]:
    return it.activation_stats(model, batch, layers=LAYERS, backward=False).columns()["std"]


# --- unit variance after LSUV, geometric decay from a small normal ---------------------

@pytest.mark.parametrize("scheme", ["orthogonal", "torch", "normal"])
def test_every_mlp_layer_has_unit_std_after_lsuv(x_mlp, scheme):
    m = mlp()
    res = it.lsuv_(m, x_mlp, seed=0, tol=0.1, scheme=scheme)
    stds = output_stds(m, x_mlp)
    assert len(stds) == len(res) == 20
    assert all(abs(s - 1) <= 0.1 for s in stds), stds
    assert [r.std for r in res] == pytest.approx(stds, rel=1e-12)
    assert all(r.converged for r in res)
    if scheme == "orthogonal":
        # an orthogonal layer keeps the std, ReLU halves the variance: each layer after
        # the first needs about sqrt(2) (measured 1.26 .. 1.84)
        assert all(1.1 < r.scale < 2.0 for r in res.records[1:])


def test_every_cnn_layer_has_unit_std_after_lsuv(x_cnn):
    m = cnn()
    res = it.lsuv_(m, x_cnn, seed=0, tol=0.05)
    stds = output_stds(m, x_cnn)
    assert [r.name for r in res] == ["0", "2", "4", "6", "9"]
    assert all(abs(s - 1) <= 0.05 for s in stds), stds


def test_a_small_normal_init_decays_geometrically_and_the_table_shows_it(x_mlp, x_cnn):
    m = mlp()
    it.init_module_(m, 0, "normal", std=0.01)
    stats = it.activation_stats(m, x_mlp, layers=nn.Linear, backward=False)
    stds = stats.columns()["std"]
    # each ReLU layer multiplies the std by about 0.01 * sqrt(64 / 2) = 0.0566
    # (measured 0.041 .. 0.070)
    ratios = [b / a for a, b in zip(stds, stds[1:])]
    assert all(0.035 < r < 0.09 for r in ratios), ratios
    assert stds[-1] < 1e-20 * stds[0]
    text = stats.format()
    lines = text.splitlines()[1:]
    assert len(lines) == 20
    # the std column of the table goes down by more than a decade per line
    shown = [float(line.split()[4]) for line in lines]
    assert all(b < a / 10 for a, b in zip(shown, shown[1:]))

    c = cnn()
    it.init_module_(c, 0, "normal", std=0.01)
    cs = output_stds(c, x_cnn)
    # conv 8 -> 8, 3x3: about 0.01 * sqrt(72 / 2) = 0.06 (zero padding: a bit less;
    # measured 0.050 .. 0.060); the Linear of fan-in 512: about 0.16
    conv_ratios = [b / a for a, b in zip(cs[:4], cs[1:4])]
    assert all(0.03 < r < 0.09 for r in conv_ratios), conv_ratios
    assert cs[3] < 1e-3 * cs[0]


# --- determinism, dtypes, what is left behind ------------------------------------------

def test_scales_and_weights_are_bit_reproducible(x_mlp):
    torch.manual_seed(1)
    a = mlp()
    torch.manual_seed(2)          # other starting weights: LSUV draws its own
    b = mlp()
    ra = it.lsuv_(a, x_mlp, seed=7)
    rb = it.lsuv_(b, x_mlp, seed=7)
    assert ra.scales == rb.scales and ra.iterations == rb.iterations
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert all(not m.bias.any() for m in a if isinstance(m, nn.Linear))
    c = mlp()
    rc = it.lsuv_(c, x_mlp, seed=8)
    assert rc.scales != ra.scales
    assert not torch.equal(a[0].weight, c[0].weight)


def test_each_layer_draws_from_its_named_stream(x_mlp):
    m = mlp(depth=3)
    it.lsuv_(m, x_mlp, seed=5, max_iter=0, tol=10.0)
    w = torch.empty(WIDTH, WIDTH)
    it.orthogonal_(w, generator=initfill.Generator(5, next_stream="2.weight"))
    assert torch.equal(m[2].weight, w)


def test_bfloat16(x_mlp):
    x = x_mlp.to(torch.bfloat16)
    a, b = mlp(depth=8, dtype=torch.bfloat16), mlp(depth=8, dtype=torch.bfloat16)
    ra, rb = it.lsuv_(a, x, seed=0), it.lsuv_(b, x, seed=0)
    assert ra.scales == rb.scales
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert a[0].weight.dtype == torch.bfloat16
    stds = output_stds(a, x)
    assert all(abs(s - 1) <= 0.1 for s in stds), stds


def test_no_autograd_state_hooks_or_buffer_changes_are_left_behind(x_cnn):
    m = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                      nn.Conv2d(4, 4, 3, padding=1), nn.Flatten(), nn.Linear(256, 2))
    m.train()
    bn = m[1]
    before = {k: v.clone() for k, v in m.state_dict().items() if "running" in k or "num" in k}
    bn_weight = bn.weight.detach().clone()
    with torch.enable_grad():
        res = it.lsuv_(m, x_cnn)
    assert len(res) == 3
    assert m.training and all(mod.training for mod in m.modules())
    for p in m.parameters():
        assert p.grad is None and p.is_leaf and p.grad_fn is None and p.requires_grad
    for mod in m.modules():
        assert not mod._forward_hooks and not mod._forward_pre_hooks
    after = m.state_dict()
    assert all(torch.equal(v, after[k]) for k, v in before.items())
    assert int(bn.num_batches_tracked) == 0
    assert torch.equal(bn.weight, bn_weight)       # not a layer LSUV scales


def test_dropout_in_train_mode_is_reproducible_and_torch_rng_untouched(x_mlp):
    def model():
        return nn.Sequential(nn.Linear(WIDTH, WIDTH), nn.Dropout(0.5), nn.ReLU(),
                             nn.Linear(WIDTH, WIDTH), nn.Dropout(0.5)).train()

    first, second = model(), model()
    torch.manual_seed(3)
    state = torch.random.get_rng_state()
    a = it.lsuv_(first, x_mlp, seed=4)
    assert torch.equal(torch.random.get_rng_state(), state)
    torch.manual_seed(99)                   # another global state: the same result
    b = it.lsuv_(second, x_mlp, seed=4)
    assert a.scales == b.scales
    assert all(torch.equal(p, q) for p, q in zip(first.parameters(), second.parameters()))


def test_returns_typed_records_and_columns(x_mlp):
    res = it.lsuv_(mlp(depth=3), x_mlp, seed=0)
    assert isinstance(res, it.LSUVResult) and isinstance(res[0], it.LSUVLayer)
    cols = res.columns()
    assert cols["name"] == ["0", "2", "4"] and cols["type"] == ["Linear"] * 3
    assert cols["scale"] == list(res.scales.values())
    assert cols["iterations"] == list(res.iterations.values())
    assert res.unused == ()


def test_unused_layers_are_initialized_and_reported(x_mlp):
    class Skip(nn.Module):
        def __init__(self):
            super().__init__()
            self.used = nn.Linear(WIDTH, WIDTH)
            self.spare = nn.Linear(WIDTH, WIDTH)

        def forward(self, x):
            return self.used(x)

    m = Skip()
    res = it.lsuv_(m, x_mlp)
    assert res.unused == ("spare",) and list(res.scales) == ["used"]
    assert not m.spare.bias.any()


def test_not_converging_warns(x_mlp):
    with pytest.warns(RuntimeWarning, match="not within tol"):
        res = it.lsuv_(mlp(depth=3), x_mlp, max_iter=0, tol=0.01)
    assert not all(r.converged for r in res)
    assert all(r.iterations == 0 and r.scale == 1.0 for r in res)


# --- errors ----------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, exc, word", [
    ({"layers": "Linear"}, TypeError, "layers"),
    ({"layers": (int,)}, TypeError, "layers"),
    ({"layers": (nn.ReLU,)}, ValueError, "weight"),
    ({"layers": (nn.Conv2d,)}, ValueError, "no module"),
    ({"scheme": "xavier"}, ValueError, "scheme"),
    ({"tol": 0}, ValueError, "tol"),
    ({"tol": math.nan}, ValueError, "tol"),
    ({"target_std": -1.0}, ValueError, "target_std"),
    ({"max_iter": -1}, ValueError, "max_iter"),
    ({"max_iter": 2.0}, TypeError, "max_iter"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_bad_arguments_are_refused_before_any_write(x_mlp, kwargs, exc, word):
    m = mlp(depth=2)
    before = [p.clone() for p in m.parameters()]
    with pytest.raises(exc, match=word):
        it.lsuv_(m, x_mlp, **kwargs)
    assert all(torch.equal(p, q) for p, q in zip(before, m.parameters()))


def test_bad_model_and_batch():
    with pytest.raises(TypeError, match="model"):
        it.lsuv_(lambda x: x, torch.zeros(2, 2))
    with pytest.raises(ValueError, match="batch.*meta"):
        it.lsuv_(mlp(depth=2), torch.empty(4, WIDTH, device="meta"))
    with pytest.raises(TypeError, match="batch"):
        it.lsuv_(mlp(depth=2), [[1.0] * WIDTH])
    with torch.device("meta"):
        meta = mlp(depth=2)
    with pytest.raises(ValueError, match="meta"):
        it.lsuv_(meta, torch.zeros(4, WIDTH))


def test_a_batch_the_model_refuses_leaves_it_unchanged():
    m = mlp(depth=2)
    before = [p.clone() for p in m.parameters()]
    with pytest.raises(RuntimeError):
        it.lsuv_(m, torch.zeros(4, WIDTH + 1))     # torch's own shape error
    assert all(torch.equal(p, q) for p, q in zip(before, m.parameters()))


def test_a_zero_output_cannot_be_scaled():
    with pytest.raises(ValueError, match="layer '0'.*std 0"):
        it.lsuv_(mlp(depth=2), torch.zeros(4, WIDTH))


# --- training: LSUV trains where N(0, 0.01**2) stalls ----------------------------------

def _train(init: str, steps: int = 100) -> float:
    g = initfill.Generator(0, next_stream="test.task")
    x = g.normal_(torch.empty(64, 1, 8, 8))
    v = g.normal_(torch.empty(1, 1, 8, 8))
    y = ((x * v).sum((1, 2, 3)) > 0).long()      # a linear teacher's sign
    m = cnn()
    if init == "lsuv":
        it.lsuv_(m, x, seed=1)
    else:
        it.init_module_(m, 1, "normal", std=0.01)
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(m(x), y)
        loss.backward()
        opt.step()
    return float(loss.detach())


def test_lsuv_trains_a_cnn_where_a_small_normal_init_stalls():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lsuv, small = _train("lsuv"), _train("normal")
    # measured after 100 steps: LSUV 1.2e-5, normal(0.01) 0.691 (= log 2: nothing learnt)
    assert small > 0.6
    assert lsuv < 0.1

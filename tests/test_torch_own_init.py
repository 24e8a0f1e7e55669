"""init_module_ honours a module's own init (a subclass's reset_parameters, a custom
norm, an _init_weights hook), keys every fill by the parameter's name, fills tied
weights once, and materialize_ keeps the ties of a model built on the meta device."""
import math
import warnings

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (CI installs torch==2.13.0)")
from torch import nn  # noqa: E402

import initfill  # noqa: E402
import initfill.torch as it  # noqa: E402


class ZeroLinear(nn.Linear):
    """A subclass whose own reset_parameters writes zeros (and a constant bias)."""

    def reset_parameters(self):
        nn.init.zeros_(self.weight)
        if self.bias is not None:
            nn.init.constant_(self.bias, 0.25)


class ScaledNorm(nn.Module):
    """A custom norm whose reset_parameters sets 0.5 / 0.1 (not ones / zeros)."""

    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(d))
        self.bias = nn.Parameter(torch.empty(d))
        self.reset_parameters()

    def reset_parameters(self):
        with torch.no_grad():
            self.weight.fill_(0.5)
            self.bias.fill_(0.1)

    def forward(self, x):
        return nn.functional.layer_norm(x, x.shape[-1:]) * self.weight + self.bias


class PlainRMSNorm(nn.Module):
    """A norm without an init method: ones by the name rule."""

    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(d))


class Block(nn.Module):
    def __init__(self, d, order=("attn", "mlp")):
        super().__init__()
        self.ln_1 = ScaledNorm(d)
        for name in order:
            if name == "attn":
                self.attn = nn.Linear(d, 3 * d)
            else:
                self.mlp = ZeroLinear(d, 4 * d)
        self.c_proj = nn.Linear(4 * d, d)
        self.ln_2 = PlainRMSNorm(d)


class TinyGPT(nn.Module):
    def __init__(self, vocab=40, d=8, layers=2, order=("attn", "mlp")):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.h = nn.ModuleList([Block(d, order) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head.weight = self.wte.weight  # tied


class MixedInit(nn.Module):
    """Own reset_parameters drawing random values with nn.init, in some order."""

    def __init__(self, reverse=False):
        super().__init__()
        self.a = nn.Parameter(torch.empty(5, 6))
        self.b = nn.Parameter(torch.empty(7))
        self.reverse = reverse

    def reset_parameters(self):
        fills = [lambda: nn.init.normal_(self.a, 0.0, 0.3),
                 lambda: nn.init.uniform_(self.b.data, -1.0, 1.0)]
        for f in (reversed(fills) if self.reverse else fills):
            f()


def test_subclass_with_its_own_reset_parameters_gets_it():
    m = it.init_module_(nn.Sequential(ZeroLinear(4, 3), nn.Linear(4, 3)), seed=0)
    assert (m[0].weight == 0).all() and (m[0].bias == 0.25).all()
    assert m[1].weight.abs().max() > 0  # the exact torch class: its table rule


def test_subclass_without_override_gets_torchs_reset_keyed_by_name():
    class MyLinear(nn.Linear):
        pass

    a = it.init_module_(nn.ModuleDict({"x": MyLinear(6, 6)}), seed=3)
    b = it.init_module_(nn.ModuleDict({"x": nn.Linear(6, 6)}), seed=3)
    # same law (torch's kaiming_uniform_(a=sqrt(5))), and the same stream: the name
    bound = 1 / math.sqrt(6)
    assert a["x"].weight.abs().max() <= bound + 1e-7
    assert torch.allclose(a["x"].weight, b["x"].weight, rtol=1e-6, atol=1e-7)


def test_custom_norm_gets_its_own_values():
    m = it.init_module_(TinyGPT(), seed=1)
    for blk in m.h:
        assert (blk.ln_1.weight == 0.5).all() and (blk.ln_1.bias == 0.1).all()
        assert (blk.ln_2.weight == 1).all()  # no init method: the name rule
        assert (blk.mlp.weight == 0).all()
    assert (m.ln_f.weight == 1).all() and (m.ln_f.bias == 0).all()


def test_own_init_fills_are_keyed_by_name_not_order():
    x = it.init_module_(nn.ModuleDict({"m": MixedInit(False)}), seed=8)
    y = it.init_module_(nn.ModuleDict({"m": MixedInit(True)}), seed=8)
    assert torch.equal(x["m"].a, y["m"].a) and torch.equal(x["m"].b, y["m"].b)
    ref = initfill.Generator(8).normal_(torch.empty(5, 6), 0.0, 0.3,
                                         stream=initfill.stream_id("m.a"))
    assert torch.equal(x["m"].a, ref)
    # and the model's whole init does not depend on construction order
    p = it.init_module_(TinyGPT(order=("attn", "mlp")), seed=5)
    q = it.init_module_(TinyGPT(order=("mlp", "attn")), seed=5)
    qp = dict(q.named_parameters())
    for name, t in p.named_parameters():
        assert torch.equal(t, qp[name]), name


def test_torch_rng_draws_of_an_own_init_are_reproducible_and_isolated():
    class TorchDraws(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.empty(10))

        def reset_parameters(self):
            self.w.data.normal_()  # torch's RNG, not nn.init

    torch.manual_seed(0)
    state = torch.get_rng_state()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # its own method answers for its parameters
        a = it.init_module_(TorchDraws(), seed=2).w.detach().clone()
    assert torch.equal(torch.get_rng_state(), state)  # the caller's RNG untouched
    torch.manual_seed(99)
    b = it.init_module_(TorchDraws(), seed=2).w.detach().clone()
    assert torch.equal(a, b)


def test_init_weights_hook_applied_to_every_submodule():
    class HFStyle(nn.Module):
        def __init__(self):
            super().__init__()
            self.dense = nn.Linear(8, 8)
            self.norm = nn.LayerNorm(8)

        def _init_weights(self, module):
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, 0.0, 0.02)
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.LayerNorm):
                nn.init.constant_(module.weight, 2.0)
                nn.init.zeros_(module.bias)

    m = it.init_module_(HFStyle(), seed=4, hook="_init_weights")
    assert (m.norm.weight == 2).all() and (m.dense.bias == 0).all()
    ref = initfill.Generator(4).normal_(torch.empty(8, 8), 0.0, 0.02,
                                         stream=initfill.stream_id("dense.weight"))
    assert torch.equal(m.dense.weight, ref)
    # without the hook: the table's rules
    n = it.init_module_(HFStyle(), seed=4)
    assert (n.norm.weight == 1).all() and n.dense.weight.abs().max() > 0.1
    with pytest.raises(TypeError, match="hook"):
        it.init_module_(HFStyle(), hook=3)


def test_warns_for_a_parameter_nobody_initializes():
    class Forgets(nn.Module):
        def __init__(self):
            super().__init__()
            self.kept = nn.Parameter(torch.full((3,), 7.0))
            self.lin = nn.Linear(3, 3)

    with pytest.warns(RuntimeWarning, match=r"\['kept'\]"):
        m = it.init_module_(Forgets())
    assert (m.kept == 7).all()

    class Writes(Forgets):
        def reset_parameters(self):
            with torch.no_grad():
                self.kept.fill_(1.0)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        it.init_module_(Writes())


def test_tied_embedding_and_head_built_on_meta_stay_tied():
    with torch.device("meta"):
        m = TinyGPT()
    assert m.lm_head.weight is m.wte.weight
    # to_empty alone unties them (torch's behaviour), which is why materialize_ exists
    with torch.device("meta"):
        untied = TinyGPT()
    untied.to_empty(device="cpu")
    assert untied.lm_head.weight is not untied.wte.weight

    it.materialize_(m, device="cpu", seed=6)
    assert m.lm_head.weight is m.wte.weight and m.wte.weight.device.type == "cpu"
    ref = initfill.Generator(6).normal_(torch.empty(40, 8), stream=initfill.stream_id("wte.weight"))
    assert torch.equal(m.wte.weight, ref)  # filled once, from the first name
    # the same model built in memory gets the same values
    cpu = it.init_module_(TinyGPT(), seed=6)
    cp = dict(cpu.named_parameters())
    for name, t in m.named_parameters():
        assert torch.equal(t, cp[name]), name
    # the tie works in training: one gradient step moves both
    assert len(list(m.parameters())) == len(list(cpu.parameters()))


def test_parameters_sharing_storage_are_filled_once():
    lin = nn.Linear(6, 6, bias=False)
    other = nn.Linear(6, 6, bias=False)
    other.weight = nn.Parameter(lin.weight.data)  # another Parameter, the same memory
    m = nn.ModuleDict({"a": lin, "b": other})
    it.init_module_(m, seed=2)
    ref = dict(it.init_module_(nn.ModuleDict({"a": nn.Linear(6, 6, bias=False)}),
                               seed=2).named_parameters())
    assert torch.equal(m["a"].weight, ref["a.weight"])
    assert m["b"].weight.data_ptr() == m["a"].weight.data_ptr()


def test_materialize_passes_the_scheme_and_options():
    with torch.device("meta"):
        m = nn.Sequential(nn.Linear(8, 8), nn.LayerNorm(8))
    it.materialize_(m, device="cpu", seed=1, scheme="normal", std=0.5)
    ref = initfill.Generator(1).normal_(torch.empty(8, 8), 0.0, 0.5,
                                         stream=initfill.stream_id("0.weight"))
    assert torch.equal(m[0].weight, ref) and (m[1].weight == 1).all()


@pytest.mark.parametrize("kwargs, err", [({"scheme": "nope"}, ValueError),
                                          ({"seed": -1}, ValueError),
                                          ({"hook": 1}, TypeError)])
def test_materialize_checks_its_arguments_before_allocating(kwargs, err):
    with torch.device("meta"):
        m = nn.Linear(4, 4)
    with pytest.raises(err):
        it.materialize_(m, device="cpu", **kwargs)
    assert m.weight.device.type == "meta"

"""initfill.torch.init_module_: each parameter from (seed, its name), the meta-device
flow, the schemes, and its rules table compared with torch's own reset_parameters()."""
import inspect
import math
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (CI installs torch==2.13.0)")
stats = pytest.importorskip("scipy.stats", reason="scipy is not installed")
from torch import nn  # noqa: E402

import initfill  # noqa: E402
import initfill.torch as it  # noqa: E402
from initfill.torch._rules import Constant, Normal, Uniform, torch_default_rules  # noqa: E402


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50, 16, padding_idx=3)
        self.conv = nn.Conv1d(16, 8, 3)
        self.ln = nn.LayerNorm(8)
        self.proj = nn.Linear(8, 32)
        self.out_proj = nn.Linear(32, 8, bias=False)
        self.bn = nn.BatchNorm1d(8)


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


def test_tied_parameters_filled_once():
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


# ------------------------------------------ the rules table vs torch's reset_parameters

_TORCH_INIT = {name: getattr(torch.nn.init, name) for name in torch.nn.init.__all__}


def _law_of_torch_call(name, tensor, *args, **kwargs):
    """(distribution, parameters) that a torch.nn.init call draws `tensor` from,
    worked out with torch's own helpers."""
    a = inspect.signature(_TORCH_INIT[name]).bind(tensor, *args, **kwargs)
    a.apply_defaults()
    p = a.arguments
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(tensor) \
        if name.startswith(("kaiming", "xavier")) else (None, None)
    if name == "uniform_":
        return "uniform", (p["a"], p["b"])
    if name == "normal_":
        return "normal", (p["mean"], p["std"])
    if name == "constant_":
        return "constant", (p["val"],)
    if name in ("ones_", "zeros_"):
        return "constant", (1.0 if name == "ones_" else 0.0,)
    if name == "kaiming_uniform_":
        fan = fan_in if p["mode"] == "fan_in" else fan_out
        gain = _TORCH_INIT["calculate_gain"](p["nonlinearity"], p["a"])
        bound = math.sqrt(3.0) * gain / math.sqrt(fan)
        return "uniform", (-bound, bound)
    if name == "xavier_uniform_":
        bound = p["gain"] * math.sqrt(6.0 / (fan_in + fan_out))
        return "uniform", (-bound, bound)
    if name == "xavier_normal_":
        return "normal", (0.0, p["gain"] * math.sqrt(2.0 / (fan_in + fan_out)))
    raise AssertionError(f"reset_parameters called nn.init.{name}, which this test does not know")


def _law_of_rule(rule):
    if isinstance(rule, Constant):
        return "constant", (rule.value,)
    if isinstance(rule, Uniform):
        return "uniform", (rule.low, rule.high)
    assert isinstance(rule, Normal)
    return "normal", (rule.mean, rule.std)


def _torch_reset_laws(module, monkeypatch):
    """{parameter name: law} of what ``module``'s own reset draws, recorded from its
    calls of torch.nn.init (also through the names torch's modules imported)."""
    names = {id(t): n for n, t in module.named_parameters()}
    laws = {}

    def recorder(name):
        def record(tensor, *args, **kwargs):
            laws[names[id(tensor)]] = _law_of_torch_call(name, tensor, *args, **kwargs)
            return tensor
        return record

    for modname, mod in list(sys.modules.items()):
        if mod is None or not (modname == "torch.nn.init" or modname.startswith("torch.")):
            continue
        for attr, obj in list(getattr(mod, "__dict__", {}).items()):
            if attr != "calculate_gain" and attr in _TORCH_INIT and obj is _TORCH_INIT[attr]:
                monkeypatch.setattr(mod, attr, recorder(attr))
    reset = getattr(module, "reset_parameters", None) or module._reset_parameters
    with torch.no_grad():
        reset()
    monkeypatch.undo()
    return laws


@pytest.mark.parametrize("make", [
    lambda: nn.Linear(7, 5),
    lambda: nn.Linear(7, 5, bias=False),
    lambda: nn.Conv2d(3, 4, (3, 2)),
    lambda: nn.ConvTranspose1d(4, 6, 3, groups=2),
    lambda: nn.Embedding(10, 4, padding_idx=2),
    lambda: nn.EmbeddingBag(10, 4),
    lambda: nn.Bilinear(4, 5, 6),
    lambda: nn.GRU(8, 16, 2),
    lambda: nn.LSTM(3, 5, bidirectional=True, proj_size=2),
    lambda: nn.RNNCell(3, 4),
    lambda: nn.LSTMCell(4, 5),
    lambda: nn.LayerNorm(8),
    lambda: nn.LayerNorm(8, bias=False),
    lambda: nn.RMSNorm(8),
    lambda: nn.GroupNorm(2, 4),
    lambda: nn.BatchNorm2d(8),
    lambda: nn.InstanceNorm1d(4, affine=True),
    lambda: nn.PReLU(3, init=0.1),
    lambda: nn.MultiheadAttention(16, 4),
    lambda: nn.MultiheadAttention(16, 4, add_bias_kv=True, kdim=8, vdim=6),
    lambda: nn.Transformer(16, 2, 1, 1, 32, batch_first=True),
], ids=lambda make: type(make()).__name__)
def test_rules_are_what_torch_reset_parameters_draws(make, monkeypatch):
    # Which parameter of which module class gets which distribution and bounds:
    # the rules table against the torch.nn.init calls of the module's own reset.
    module = make()
    rules = torch_default_rules(module)
    torch_laws = _torch_reset_laws(module, monkeypatch)
    assert set(rules) == set(torch_laws)
    for name, rule in rules.items():
        dist, params = _law_of_rule(rule)
        assert (dist, params) == (torch_laws[name][0], pytest.approx(torch_laws[name][1],
                                                                    rel=1e-12)), name
    if isinstance(module, (nn.Embedding, nn.EmbeddingBag)):
        assert rules["weight"].zero_row == module.padding_idx


def test_rules_fill_as_the_generator():
    # Uniform and Normal are one Generator call on the parameter's named stream;
    # the embedding's padding row is then zero; Constant draws nothing.
    g = initfill.Generator(6)
    t = torch.empty(5, 4)
    Uniform(-0.5, 0.5).fill(t, g, 77)
    assert torch.equal(t, initfill.Generator(6).uniform_(torch.empty(5, 4), -0.5, 0.5, stream=77))
    Normal(0.0, 1.0, zero_row=2).fill(t, g, 78)
    ref = initfill.Generator(6).normal_(torch.empty(5, 4), stream=78)
    ref[2] = 0
    assert torch.equal(t, ref)
    Constant(0.25).fill(t, g, 79)
    assert (t == 0.25).all() and g.next_stream == 0


@pytest.mark.parametrize("rule", [Uniform(-0.5, 0.5), Normal(0.0, 1.0, zero_row=2),
                                  Normal(0.0, 1.0, zero_row=5), Constant(0.25)],
                         ids=["uniform", "normal-zero-row-2", "normal-zero-row-5", "constant"])
def test_rules_fill_blocks_as_slices_of_the_whole(rule):
    # Filled block by block (global_shape/offset), a parameter equals the whole
    # fill exactly; the zeroed row is zeroed in the block that holds it only.
    whole = torch.empty(7, 6)
    rule.fill(whole, initfill.Generator(6), 77)
    for rows, cols in [((0, 3), (0, 6)), ((3, 7), (0, 6)), ((1, 6), (2, 5)), ((5, 5), (0, 6))]:
        block = torch.full((rows[1] - rows[0], cols[1] - cols[0]), 9.0)
        rule.fill(block, initfill.Generator(6), 77, (7, 6), (rows[0], cols[0]))
        assert torch.equal(block, whole[rows[0]:rows[1], cols[0]:cols[1]])


def test_rules_of_unknown_and_parameterless_modules():
    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(torch.zeros(3))

    class NormWithExtra(nn.Module):  # a "norm" by name, but not only weight/bias
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.zeros(3))
            self.gate = nn.Parameter(torch.zeros(3))

    assert torch_default_rules(Custom()) is None
    assert torch_default_rules(NormWithExtra()) is None
    assert torch_default_rules(nn.ReLU()) == {}
    assert torch_default_rules(nn.Sequential(nn.Linear(2, 2))) == {}  # children have their own
    # empty fans: a one-point interval is a constant, as torch's bound 0 gives
    with pytest.warns(UserWarning, match="zero-element"):  # torch's, at construction
        empty = nn.Linear(0, 3)
    assert torch_default_rules(empty)["bias"] == Constant(0.0)

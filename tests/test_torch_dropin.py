"""The torch.nn.init drop-ins of initfill.torch: torch's names, signatures, gains,
errors and warnings; values in law; initfill's values on what it fills, torch's
answer on what it refuses."""
import inspect
import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (CI installs torch==2.13.0)")
stats = pytest.importorskip("scipy.stats", reason="scipy is not installed")

import initfill  # noqa: E402
import initfill.torch as it  # noqa: E402

DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16]
P_MIN = 1e-4  # fixed seeds: these are deterministic, not flaky


def as_np(t):
    """A float64 NumPy copy of a tensor's values, bfloat16 included."""
    return t.detach().to(torch.float64).numpy()


def test_same_names_signatures_and_defaults():
    for name in torch.nn.init.__all__:
        ours = getattr(it, name)
        theirs = getattr(torch.nn.init, name)
        ps = inspect.signature(ours).parameters
        pt = inspect.signature(theirs).parameters
        assert [(p.name, p.default, p.kind) for p in ps.values()] == \
               [(p.name, p.default, p.kind) for p in pt.values()], name


def test_calculate_gain_table():
    for nl in ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
               "conv_transpose3d", "sigmoid", "tanh", "relu", "selu"]:
        assert it.calculate_gain(nl) == torch.nn.init.calculate_gain(nl)
    for p in [None, 0.2, 1, 0]:
        assert it.calculate_gain("leaky_relu", p) == torch.nn.init.calculate_gain("leaky_relu", p)
    for args in [("foo",), ("leaky_relu", "x"), ("leaky_relu", True)]:
        with pytest.raises(ValueError) as e1:
            it.calculate_gain(*args)
        with pytest.raises(ValueError) as e2:
            torch.nn.init.calculate_gain(*args)
        assert str(e1.value) == str(e2.value)


@pytest.mark.parametrize("call", [
    lambda m: m.uniform_(torch.empty(3), 1, 0),
    lambda m: m.normal_(torch.empty(3), 0, -1),
    lambda m: m.xavier_uniform_(torch.empty(3)),
    lambda m: m.kaiming_normal_(torch.empty(3, 3), mode="fan_x"),
    lambda m: m.kaiming_uniform_(torch.empty(3)),
    lambda m: m.trunc_normal_(torch.empty(3), 0, 0),
    lambda m: m.trunc_normal_(torch.empty(3), 0, 1, 2, 1),
    lambda m: m.orthogonal_(torch.empty(3)),
    lambda m: m.sparse_(torch.empty(3, 3, 3), 0.1),
    lambda m: m.eye_(torch.empty(3)),
    lambda m: m.dirac_(torch.empty(3, 3)),
    lambda m: m.uniform_(torch.empty(3), "a", 1),
])
def test_same_errors(call):
    with pytest.raises(Exception) as e1:
        call(it)
    with pytest.raises(Exception) as e2:
        call(torch.nn.init)
    assert type(e1.value) is type(e2.value) and str(e1.value) == str(e2.value)


def test_same_warnings():
    for name in ["kaiming_uniform_", "kaiming_normal_"]:
        with pytest.warns(UserWarning, match="zero-element tensors is a no-op"):
            getattr(it, name)(torch.empty(0, 3))
    with pytest.warns(UserWarning, match="more than 2 std"):
        it.trunc_normal_(torch.empty(100), mean=10.0, std=1.0, a=-1.0, b=1.0)
    with pytest.warns(FutureWarning, match="deprecated in favor of `nn.init.normal_`"):
        it.normal(torch.empty(3))


def test_degenerate_parameters_behave_as_torch():
    t = torch.empty(5)
    assert torch.isnan(it.normal_(t, math.nan, 1.0)).all()
    assert (it.trunc_normal_(t, 0.0, 1.0, 1.0, 1.0) == 1.0).all()
    assert (it.uniform_(t, 2.0, 2.0) == 2.0).all()


def test_constants_are_torch():
    for dtype in DTYPES:
        t = torch.empty(4, 5, dtype=dtype)
        assert torch.equal(it.constant_(t, 0.3), torch.full((4, 5), 0.3, dtype=dtype))
        assert (it.ones_(t) == 1).all() and (it.zeros_(t) == 0).all()
        assert torch.equal(it.eye_(t), torch.eye(4, 5, dtype=dtype))
    d = it.dirac_(torch.empty(4, 2, 3, 3), groups=2)
    assert torch.equal(d, torch.nn.init.dirac_(torch.empty(4, 2, 3, 3), groups=2))


def _ks(x, dist, args=()):
    return stats.kstest(x, dist, args=args).pvalue


N = 40_000


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_ks_every_random_drop_in(dtype):
    g = initfill.Generator(123)
    t = it.uniform_(torch.empty(N, dtype=dtype), -2.0, 3.0, generator=g)
    assert _ks(as_np(t), "uniform", (-2.0, 5.0)) > P_MIN
    t = it.normal_(torch.empty(N, dtype=dtype), 1.5, 0.5, generator=g)
    assert _ks(as_np(t), "norm", (1.5, 0.5)) > P_MIN
    t = it.trunc_normal_(torch.empty(N, dtype=dtype), 0.2, 1.0, -1.0, 2.5, generator=g)
    assert _ks(as_np(t), "truncnorm", (-1.2, 2.3, 0.2, 1.0)) > P_MIN
    w = torch.empty(200, 200, dtype=dtype)
    b = math.sqrt(6 / 400) * 0.7
    assert _ks(as_np(it.xavier_uniform_(w, 0.7, generator=g)).ravel(), "uniform", (-b, 2 * b)) > P_MIN
    assert _ks(as_np(it.xavier_normal_(w, 0.7, generator=g)).ravel(), "norm",
               (0, 0.7 * math.sqrt(2 / 400))) > P_MIN
    w = torch.empty(100, 50, 2, 2, dtype=dtype)
    fan_in = 200
    b = math.sqrt(2 / (1 + 0.3 ** 2)) * math.sqrt(3 / fan_in)
    assert _ks(as_np(it.kaiming_uniform_(w, a=0.3, generator=g)).ravel(), "uniform", (-b, 2 * b)) > P_MIN
    s = math.sqrt(2) / math.sqrt(100 * 4)
    assert _ks(as_np(it.kaiming_normal_(w, mode="fan_out", nonlinearity="relu",
                                        generator=g)).ravel(), "norm", (0, s)) > P_MIN
    sp = it.sparse_(torch.empty(200, 100, dtype=dtype), 0.25, std=0.3, generator=g)
    a = as_np(sp)
    assert ((a == 0).sum(axis=0) == 50).all()
    assert _ks(a[a != 0], "norm", (0, 0.3)) > P_MIN
    o = as_np(it.orthogonal_(torch.empty(60, 100, dtype=dtype), gain=2.0, generator=g))
    assert np.allclose(o @ o.T, 4 * np.eye(60), atol=1e-4)
    # Haar: an entry times sqrt(n) is close to N(0, 1) (gain 1)
    q = as_np(it.orthogonal_(torch.empty(300, 300, dtype=dtype), generator=g)).ravel() * math.sqrt(300)
    assert _ks(q, "norm") > P_MIN


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_tensors_in_law(dtype):
    g = initfill.Generator(7)
    t = it.normal_(torch.empty(N, dtype=dtype), 0.0, 0.02, generator=g)
    a = as_np(t)
    assert abs(a.mean()) < 5 * 0.02 / math.sqrt(N) and abs(a.std() / 0.02 - 1) < 0.02
    t = it.trunc_normal_(torch.empty(N, dtype=dtype), 0.0, 0.02, -0.04, 0.04, generator=g)
    a = as_np(t)
    assert a.min() >= -0.04 and a.max() <= 0.04
    t = it.kaiming_uniform_(torch.empty(512, 256, dtype=dtype), a=math.sqrt(5), generator=g)
    assert as_np(t).max() < 1 / 16 and as_np(t).min() >= -1 / 16


def test_generators():
    x1 = it.normal_(torch.empty(100), generator=initfill.Generator(5))
    x2 = it.normal_(torch.empty(100), generator=initfill.Generator(5))
    assert torch.equal(x1, x2)
    tg1 = torch.Generator().manual_seed(3)
    tg2 = torch.Generator().manual_seed(3)
    a = it.uniform_(torch.empty(100), generator=tg1)
    b = it.uniform_(torch.empty(100), generator=tg2)
    c = it.uniform_(torch.empty(100), generator=tg1)
    assert torch.equal(a, b) and not torch.equal(a, c)
    with pytest.raises(TypeError):
        it.normal_(torch.empty(3), generator=3)


def test_non_cpu_handed_to_torch():
    m = torch.empty(3, 4, device="meta")
    for f in [it.uniform_, it.normal_, it.trunc_normal_, it.xavier_uniform_,
              it.kaiming_uniform_, it.kaiming_normal_, it.orthogonal_]:
        assert f(m) is m
    assert it.normal_(m, generator=initfill.Generator(0)) is m
    # other dtypes are torch's too
    c = it.normal_(torch.empty(100, dtype=torch.complex64))
    assert c.dtype == torch.complex64


def test_default_generator_is_torchs():
    # Without generator= (and no seeded patch), torch.manual_seed drives the drop-ins;
    # initfill.manual_seed does not.
    torch.manual_seed(77)
    a = it.normal_(torch.empty(50))
    initfill.manual_seed(1)
    torch.manual_seed(77)
    b = it.normal_(torch.empty(50))
    assert torch.equal(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        it.xavier_normal_(torch.empty(4, 4))


_ALL_RANDOM = [("uniform_", ()), ("normal_", ()), ("trunc_normal_", ()),
               ("xavier_uniform_", ()), ("xavier_normal_", ()), ("kaiming_uniform_", ()),
               ("kaiming_normal_", ()), ("orthogonal_", ()), ("sparse_", (0.5,))]


# torch's orthogonal_ and sparse_ (which initfill hands half tensors to) need
# float32/float64, so those pairs are not cases.
_SEEDED_CASES = [(name, args, dtype) for name, args in _ALL_RANDOM for dtype in DTYPES
                 if not (name in ("orthogonal_", "sparse_")
                         and dtype in (torch.float16, torch.bfloat16))]


@pytest.mark.parametrize("name, args, dtype", _SEEDED_CASES)
def test_manual_seed_equals_an_explicit_torch_generator(name, args, dtype):
    f = getattr(it, name)
    explicit = f(torch.empty(12, 9, dtype=dtype), *args,
                 generator=torch.Generator().manual_seed(42))
    torch.manual_seed(42)
    default = f(torch.empty(12, 9, dtype=dtype), *args)
    assert torch.equal(explicit, default)
    # and the default generator advanced as the explicit one did
    g = torch.Generator().manual_seed(42)
    f(torch.empty(12, 9, dtype=dtype), *args, generator=g)
    assert torch.equal(torch.default_generator.get_state(), g.get_state())


def test_trunc_normal_generator_as_in_torchs_own_test():
    gen = torch.Generator()
    gen.manual_seed(42)
    x = it.trunc_normal_(torch.empty(5), generator=gen)
    torch.manual_seed(42)
    assert torch.equal(x, it.trunc_normal_(torch.empty(5)))


def test_seeded_patch_ignores_torch_manual_seed():
    torch.manual_seed(0)
    with it.patch(seed=5):
        a = torch.nn.Linear(8, 8).weight.detach().clone()
    torch.manual_seed(1)
    with it.patch(seed=5):
        b = torch.nn.Linear(8, 8).weight.detach().clone()
    assert torch.equal(a, b)
    # an unseeded patch follows torch.manual_seed
    torch.manual_seed(3)
    with it.patch():
        c = torch.nn.Linear(8, 8).weight.detach().clone()
    torch.manual_seed(3)
    with it.patch():
        d = torch.nn.Linear(8, 8).weight.detach().clone()
    torch.manual_seed(4)
    with it.patch():
        e = torch.nn.Linear(8, 8).weight.detach().clone()
    assert torch.equal(c, d) and not torch.equal(c, e)


_GPT_LIKE = """
import sys, torch, initfill.torch as it
torch.manual_seed(int(sys.argv[1]))
with it.patch():
    m = torch.nn.Sequential(torch.nn.Embedding(50, 16), torch.nn.Linear(16, 64),
                            torch.nn.GELU(), torch.nn.Linear(64, 16), torch.nn.LayerNorm(16))
it.normal_(m[1].weight, std=0.02)
print(sum(p.double().sum().item() * (i + 1) for i, p in enumerate(m.parameters())).hex())
"""


def _model_digest(seed):
    import os
    import subprocess
    import sys
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", _GPT_LIKE, str(seed)], env=env,
                         capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_manual_seed_in_two_processes():
    # The same torch seed gives the same model in two processes, another seed another.
    a, b, c = _model_digest(42), _model_digest(42), _model_digest(43)
    assert a == b and a != c


@pytest.mark.parametrize("dtype", DTYPES)
def test_drop_ins_fill_as_one_generator_call(dtype):
    # Each random drop-in is one call of the Generator's method with the scale that
    # torch's formula gives: the same bits as calling the Generator directly.
    w = torch.empty(24, 10, 3, dtype=dtype)
    fan_in, fan_out = 30, 72

    def ref(method, *params):
        return getattr(initfill.Generator(11), method)(torch.empty_like(w), *params)

    def ours(name, *args):
        return getattr(it, name)(torch.empty_like(w), *args, generator=initfill.Generator(11))

    assert torch.equal(ours("uniform_", -0.5, 0.25), ref("uniform_", -0.5, 0.25))
    assert torch.equal(ours("normal_", 0.5, 2.0), ref("normal_", 0.5, 2.0))
    assert torch.equal(ours("trunc_normal_", 0.1, 1.0, -1.0, 1.5),
                       ref("trunc_normal_", 0.1, 1.0, -1.0, 1.5))
    gain = math.sqrt(2.0 / (1 + 0.2 ** 2))
    bound = math.sqrt(3.0) * (gain / math.sqrt(fan_in))
    assert torch.equal(ours("kaiming_uniform_", 0.2), ref("uniform_", -bound, bound))
    std = math.sqrt(2.0) / math.sqrt(fan_out)
    assert torch.equal(ours("kaiming_normal_", 0, "fan_out", "relu"), ref("normal_", 0.0, std))
    std = 0.5 * math.sqrt(2.0 / (fan_in + fan_out))
    assert torch.equal(ours("xavier_uniform_", 0.5),
                       ref("uniform_", -math.sqrt(3.0) * std, math.sqrt(3.0) * std))
    assert torch.equal(ours("xavier_normal_", 0.5), ref("normal_", 0.0, std))


def test_refused_parameters_leave_the_torch_generator_as_torch_would():
    # normal_(NaN mean), trunc_normal_(a == b), uniform_(a > b) are torch's to answer:
    # the values or the error, and the generator's state afterwards, are exactly
    # those of torch.nn.init itself.
    def outcome(module, call):
        g = torch.Generator().manual_seed(8)
        try:
            result = call(module, torch.empty(6), g)
        except Exception as e:
            result = (type(e), str(e))
        return result, g.get_state()

    for call in [lambda m, t, g: m.normal_(t, math.nan, 1.0, generator=g),
                 lambda m, t, g: m.trunc_normal_(t, 0.0, 1.0, 1.0, 1.0, generator=g),
                 lambda m, t, g: m.uniform_(t, 3.0, 2.0, generator=g)]:
        (a, state_a), (b, state_b) = outcome(it, call), outcome(torch.nn.init, call)
        if isinstance(a, torch.Tensor):
            assert torch.equal(a.nan_to_num(), b.nan_to_num())
        else:
            assert a == b
        assert torch.equal(state_a, state_b)
    # an initfill Generator gives torch one of its streams
    g = initfill.Generator(1)
    it.normal_(torch.empty(3), math.nan, 1.0, generator=g)
    assert g.next_stream == 1


def test_errors_about_the_tensor_are_initfills_and_write_nothing():
    base = torch.zeros(1, 5)
    with pytest.raises(ValueError, match="share memory"):
        it.normal_(base.expand(4, 5))
    assert (base == 0).all()
    # bounds between which no value of the half type lies: initfill's ValueError
    t = torch.zeros(8, dtype=torch.bfloat16)
    with pytest.raises(ValueError):
        it.trunc_normal_(t, 0.0, 1.0, 0.04, 0.0400001)
    assert (t == 0).all()


def test_bool_parameters_are_numbers_as_in_torch():
    a = it.uniform_(torch.empty(50), True, 2, generator=initfill.Generator(3))
    b = initfill.Generator(3).uniform_(torch.empty(50), 1.0, 2.0)
    assert torch.equal(a, b)


_REFUSE_CASES = ["uniform_", "normal_", "trunc_normal_", "xavier_uniform_",
                 "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_"]


@pytest.mark.parametrize("name", _REFUSE_CASES)
def test_inference_tensor_outside_inference_mode_gets_torchs_error(name):
    with torch.inference_mode():
        t = torch.zeros(4, 4)
        ref = torch.zeros(4, 4)
    with pytest.raises(RuntimeError) as ours:
        getattr(it, name)(t)
    with pytest.raises(RuntimeError) as theirs:
        getattr(torch.nn.init, name)(ref)
    # torch's own message (torch's kernel writes, then its version-counter bump
    # raises: the drop-in hands the call to torch, so the same happens).
    assert str(ours.value) == str(theirs.value)
    with torch.inference_mode():  # inside inference mode both write
        assert getattr(it, name)(t) is t and not torch.equal(t, torch.zeros(4, 4))


@pytest.mark.parametrize("name", _REFUSE_CASES)
def test_leaf_requiring_grad_is_written_as_nn_init_writes_it(name):
    # torch.nn.init runs its in-place op under no_grad: a Parameter is filled, its
    # requires_grad and leaf status kept, and no graph recorded.
    p = torch.nn.Parameter(torch.zeros(4, 4))
    out = getattr(it, name)(p)
    assert out is p and p.requires_grad and p.is_leaf and p.grad_fn is None
    assert not torch.equal(p.detach(), torch.zeros(4, 4))


@pytest.mark.parametrize("name, args", [("uniform_", (2.0, 3.0)), ("normal_", (0.75, 0.1)),
                                        ("kaiming_uniform_", ())])
def test_negated_views_go_to_torch_which_fills_them_right(name, args):
    """initfill refuses a view with torch's lazy negative bit (its memory holds the
    negated values); the drop-in hands it to torch, whose in-place ops honour it."""
    base = torch.zeros(4, 4, dtype=torch.complex64)
    v = base.conj().imag
    assert v.is_neg()
    getattr(it, name)(v, *args, generator=torch.Generator().manual_seed(3))
    ref = getattr(torch.nn.init, name)(torch.zeros(4, 4), *args,
                                       generator=torch.Generator().manual_seed(3))
    assert torch.equal(v, ref)
    with pytest.raises(ValueError, match="neg"):
        initfill.Generator(0).uniform_(base.conj().imag, 2.0, 3.0)


def test_negated_view_in_trunc_normal_gets_torchs_own_error():
    """torch's own trunc_normal_ refuses a negated view ("DispatchKey Negative doesn't
    correspond to a device"); the drop-in hands the view over and raises what torch does."""
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.init.trunc_normal_(torch.zeros(4, dtype=torch.complex64).conj().imag)
    with pytest.raises(RuntimeError) as ours:
        it.trunc_normal_(torch.zeros(4, dtype=torch.complex64).conj().imag)
    assert str(ours.value) == str(theirs.value)

"""Torch tensors and DLPack objects filled in place, and the initfill.torch drop-ins."""
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


def bits_np(t):
    """The raw element bits as a NumPy array (bfloat16/float16 as uint16)."""
    if t.dtype in (torch.bfloat16, torch.float16):
        return t.contiguous().view(torch.int16).numpy().view(np.uint16)
    return t.contiguous().numpy()


# ------------------------------------------------------- filling torch tensors

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dist", ["uniform_", "normal_", "trunc_normal_"])
def test_torch_equals_numpy_bit_for_bit(dtype, dist):
    g = initfill.Generator(21)
    t = torch.empty(37, 129, dtype=dtype)
    getattr(g, dist)(t, stream=4)
    if dtype == torch.bfloat16:
        ref = getattr(g, dist)(np.empty((37, 129), np.uint16), stream=4, dtype="bfloat16")
    else:
        npdt = {torch.float32: np.float32, torch.float64: np.float64, torch.float16: np.float16}[dtype]
        ref = getattr(g, dist)(np.empty((37, 129), npdt), stream=4)
        ref = ref.view(np.uint16) if dtype == torch.float16 else ref
    assert np.array_equal(bits_np(t), ref)


@pytest.mark.parametrize("dtype", DTYPES)
def test_non_contiguous_views_in_place(dtype):
    g = initfill.Generator(2)
    base = torch.zeros(64, 48, dtype=dtype)
    view = base.t()[::3, 1::2]  # transposed, stepped
    ptr = view.data_ptr()
    out = g.normal_(view, stream=9)
    assert out is view and view.data_ptr() == ptr
    ref = torch.empty(view.shape, dtype=dtype)
    g.normal_(ref, stream=9)
    assert torch.equal(view, ref)
    mask = torch.zeros_like(base, dtype=torch.bool)
    mask.t()[::3, 1::2] = True
    assert (base[~mask] == 0).all()


def test_parameter_requires_grad_and_version_bump():
    p = torch.nn.Parameter(torch.empty(10, 10))
    v = p._version
    initfill.Generator(0).uniform_(p)
    assert p._version > v and p.requires_grad


def test_device_and_layout_errors_say_what_to_do():
    g = initfill.Generator(0)
    with pytest.raises(TypeError, match="to_empty"):
        g.normal_(torch.empty(3, device="meta"))
    with pytest.raises(TypeError, match="int64"):
        g.normal_(torch.empty(3, dtype=torch.int64))
    with pytest.raises(ValueError, match="share memory"):
        g.normal_(torch.empty(1, 5).expand(4, 5))
    with pytest.raises(TypeError, match="does not match"):
        g.normal_(torch.empty(3), dtype="bfloat16")


def test_zero_size_tensor():
    t = torch.empty(0, 7, dtype=torch.bfloat16)
    assert initfill.Generator(0).normal_(t) is t


class DLWrap:
    """A minimal foreign DLPack producer around a tensor/array (no other protocol)."""

    def __init__(self, x, device=(1, 0), legacy=False):
        self.x, self.device, self.legacy = x, device, legacy

    def __dlpack_device__(self):
        return self.device

    def __dlpack__(self, **kw):
        if self.legacy:
            if kw:
                raise TypeError("legacy producer")
            return self.x.__dlpack__()
        return self.x.__dlpack__(**kw)


@pytest.mark.parametrize("legacy", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_dlpack_objects(dtype, legacy):
    g = initfill.Generator(4)
    t = torch.zeros(20, 30, dtype=dtype)[:, ::2]
    g.uniform_(DLWrap(t, legacy=legacy), stream=1)
    ref = torch.empty(20, 15, dtype=dtype)
    g.uniform_(ref, stream=1)
    assert torch.equal(t, ref)


def test_dlpack_read_only_and_device_errors():
    a = np.zeros(8, np.float32)
    a.flags.writeable = False
    with pytest.raises((ValueError, BufferError)):
        initfill.Generator(0).normal_(DLWrap(a))
    with pytest.raises(TypeError, match="CPU"):
        initfill.Generator(0).normal_(DLWrap(torch.zeros(3), device=(2, 0)))


# ----------------------------------------------------------- the drop-in API

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


def test_default_generator_is_initfills():
    initfill.manual_seed(77)
    a = it.normal_(torch.empty(50))
    initfill.manual_seed(77)
    b = it.normal_(torch.empty(50))
    assert torch.equal(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        it.xavier_normal_(torch.empty(4, 4))

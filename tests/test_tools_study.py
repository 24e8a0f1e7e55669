"""The depth experiment: the effects the initialization literature describes.

Small sizes (width 64 or 128, batch 128), fixed seeds, and thresholds with wide
margins around the measured values (given in the comments).
"""
from __future__ import annotations

import math
import sys

import numpy as np
import pytest

import initfill
from initfill._tools import study as S
from initfill._tools.plotting import MatplotlibMissing
from initfill import initializers as I

W, B = 64, 128


@pytest.fixture(scope="module")
def tanh_study():
    return S.run_study(9, W, "tanh", "zeros,normal:0.01,normal:1.0,xavier,he", batch=B, seed=0)


# --- the effects ----------------------------------------------------------------------

@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu", "selu", "gelu"])
def test_zero_init_never_breaks_symmetry(act):
    weights = S.make_weights(I.Zeros(), 5, W)
    x = initfill.Generator(1).normal_(np.empty((B, W)))
    y = initfill.Generator(2).normal_(np.empty((B, W)))
    res = S.forward_backward(weights, x, y, act)
    for l, (a, dw) in enumerate(zip(res.activations, res.weight_grads)):
        # every hidden unit computes the same thing: identical columns, rank <= 1
        assert np.ptp(a, axis=1).max() == 0
        assert np.linalg.matrix_rank(a) <= 1
        # the weights leaving every unit get the same gradient (identical rows), so an
        # update keeps the units identical; below the top, the units of a layer also
        # receive identical (in fact zero) gradients: no diversity to learn from
        assert np.ptp(dw, axis=0).max() == 0
        if l < len(weights) - 1:
            assert np.ptp(dw, axis=1).max() == 0 and not dw.any()
    if act in ("tanh", "relu", "selu", "gelu"):      # f(0) = 0: all zero below the top
        assert all(not a.any() for a in res.activations)
        assert all(not dw.any() for dw in res.weight_grads)
    else:                                             # sigmoid(0) = 1/2: rank exactly 1
        assert all(np.linalg.matrix_rank(a) == 1 for a in res.activations)
        assert res.weight_grads[-1].any()             # only the top layer moves


def test_zero_init_in_study(tanh_study):
    t = tanh_study.trace("zeros")
    assert (t.act_std == 0).all() and (t.weight_grad_std == 0).all()
    assert (t.unit_spread == 0).all()
    assert (tanh_study.trace("xavier").unit_spread > 0).all()
    sig = S.run_study(4, W, "sigmoid", "zeros", batch=B)
    assert (sig.traces[0].unit_spread == 0).all()
    assert "symmetry never broken): zeros" in S.format_table(sig)


def test_small_normal_vanishes_geometrically_under_tanh(tanh_study):
    a = tanh_study.trace("normal:0.01").act_std
    ratios = a[1:] / a[:-1]
    # tanh is linear near 0: each layer multiplies by about 0.01 * sqrt(64) = 0.08
    # (measured 0.075 .. 0.082)
    assert (ratios > 0.04).all() and (ratios < 0.16).all()
    assert a[-1] < 1e-7 * a[0]                        # measured 1.5e-9
    g = tanh_study.trace("normal:0.01").grad_std
    assert g[0] < 1e-4 * g[-1]                        # and so does the backward signal


def test_large_normal_saturates_tanh_and_explodes_gradients(tanh_study):
    t = tanh_study.trace("normal:1.0")
    assert (t.act_std > 0.9).all()                    # |a| ~ 1: saturated (measured 0.945)
    assert t.grad_std[0] > 100 * t.grad_std[-1]


def test_xavier_keeps_tanh_roughly_constant(tanh_study):
    a = tanh_study.trace("xavier").act_std
    ratios = a[1:] / a[:-1]
    assert (ratios > 0.7).all()                       # measured >= 0.78, -> 1 with depth
    assert a[-1] > 0.25 * a[0]                        # measured 0.39
    w = tanh_study.trace("xavier").weight_grad_std
    assert w.max() < 3 * w.min()                      # Glorot & Bengio's point


def test_he_keeps_relu_constant_and_xavier_halves_it():
    r = S.run_study(9, 128, "relu", "he,xavier", batch=B, seed=0)
    he = r.trace("he").act_std
    assert he.max() < 1.6 * he.min()                  # roughly constant
    assert ((he[1:] / he[:-1] > 0.75) & (he[1:] / he[:-1] < 1.33)).all()
    xa = r.trace("xavier").act_std
    ratios = xa[1:] / xa[:-1]
    # ReLU drops half the variance: about 1/sqrt(2) = 0.71 per layer
    assert (ratios > 0.5).all() and (ratios < 0.85).all()
    assert xa[-1] < 0.1 * xa[0]


@pytest.mark.parametrize("c", [0.5, 1.0, 2.0])
def test_linear_network_scales_by_c_per_layer(c):
    std = c / math.sqrt(W)
    r = S.run_study(9, W, "linear", [f"normal:{std!r}"], batch=B, seed=3)
    a = np.concatenate([[r.input_std], r.traces[0].act_std])
    total = a[-1] / a[0]
    # nine layers multiply the signal by about c**9: 1/512, 1, 512
    assert c**9 / 2 < total < c**9 * 2
    ratios = a[1:] / a[:-1]
    assert (np.abs(np.log(ratios / c)) < 0.15).all()


def test_linear_lecun_and_xavier_square_are_stable_he_explodes():
    r = S.run_study(9, W, "linear", "lecun,xavier,he,orthogonal", batch=B, seed=1)
    for label in ("lecun", "xavier", "orthogonal"):
        a = r.trace(label).act_std
        assert 0.6 < a[-1] / r.input_std < 1.6, label
    he = r.trace("he").act_std
    assert 8 < he[-1] / he[0] < 32                    # sqrt(2)**8 = 16


def test_orthogonal_linear_preserves_norms_exactly():
    weights = S.make_weights(I.Orthogonal(), 9, W)
    x = initfill.Generator(4).normal_(np.empty((B, W)))
    res = S.forward_backward(weights, x, np.zeros((B, W)), "linear")
    assert np.allclose(np.linalg.norm(res.activations[-1], axis=1),
                       np.linalg.norm(x, axis=1), rtol=1e-10)


# --- the machinery --------------------------------------------------------------------

@pytest.mark.parametrize("act", ["linear", "relu", "leaky_relu:0.1", "tanh", "sigmoid",
                                 "selu", "elu", "gelu", "silu", "swish"])
def test_activation_derivatives(act):
    f, df = S.activation(act)
    h = np.linspace(-4, 4, 801) + 0.0031          # avoid the kink at 0 exactly
    eps = 1e-6
    num = (f(h + eps) - f(h - eps)) / (2 * eps)
    assert np.allclose(df(h, f(h)), num, atol=1e-6)


def test_selu_and_gelu_values():
    f, _ = S.activation("selu")
    assert np.isclose(f(np.array([1.0]))[0], 1.0507009873554805)
    assert np.isclose(f(np.array([-50.0]))[0], -1.0507009873554805 * 1.6732632423543772)
    g, _ = S.activation("gelu")
    assert np.isclose(g(np.array([1.0]))[0], 0.8411919906, atol=1e-9)  # tanh form


def test_backward_pass_is_the_gradient():
    gen = initfill.Generator(6)
    weights = [gen.normal_(np.empty((5, 5)), std=0.6) for _ in range(3)]
    x = gen.normal_(np.empty((4, 5)))
    y = gen.normal_(np.empty((4, 5)))
    res = S.forward_backward(weights, x, y, "tanh")
    eps = 1e-6
    for l, w in enumerate(weights):
        for (i, j) in [(0, 0), (2, 3), (4, 1)]:
            w[i, j] += eps
            up = S.forward_backward(weights, x, y, "tanh").loss
            w[i, j] -= 2 * eps
            down = S.forward_backward(weights, x, y, "tanh").loss
            w[i, j] += eps
            assert math.isclose(res.weight_grads[l][i, j], (up - down) / (2 * eps),
                                rel_tol=1e-5, abs_tol=1e-9)


def test_reproducible_and_common_random_numbers():
    a = S.run_study(3, 16, "relu", "he,normal:0.1", batch=8, seed=5)
    b = S.run_study(3, 16, "relu", ["he", "normal:0.1"], batch=8, seed=5)
    c = S.run_study(3, 16, "relu", "he,normal:0.1", batch=8, seed=6)
    for ta, tb, tc in zip(a.traces, b.traces, c.traces):
        assert np.array_equal(ta.act_std, tb.act_std)
        assert not np.array_equal(ta.act_std, tc.act_std)
    # layer l of every initializer uses stream l: normal:0.1 is 0.1 * the same N(0, 1)
    n1 = S.make_weights(I.RandomNormal(0, 1.0), 2, 8, seed=5)
    n2 = S.make_weights(I.RandomNormal(0, 0.1), 2, 8, seed=5)
    assert np.allclose(n2[1], 0.1 * n1[1]) and not np.allclose(n1[0], n1[1])


@pytest.mark.parametrize("spec,check", [
    ("zeros", lambda i: type(i) is I.Zeros),
    ("ones", lambda i: type(i) is I.Ones),
    ("constant:0.5", lambda i: i == I.Constant(0.5)),
    ("normal:0.01", lambda i: i == I.RandomNormal(0.0, 0.01)),
    ("uniform:0.1", lambda i: i == I.RandomUniform(-0.1, 0.1)),
    ("xavier", lambda i: type(i) is I.GlorotUniform),
    ("Xavier_Normal", lambda i: type(i) is I.GlorotNormal),
    ("he", lambda i: type(i) is I.HeNormal),
    ("kaiming_uniform", lambda i: type(i) is I.HeUniform),
    ("lecun", lambda i: type(i) is I.LecunNormal),
    ("xavier:2", lambda i: i == I.VarianceScaling(4.0, "fan_avg", "uniform")),
    ("he:0.5", lambda i: i == I.VarianceScaling(0.5, "fan_in", "truncated_normal")),
    ("orthogonal:1.5", lambda i: i == I.Orthogonal(1.5)),
    ("glorot_normal", lambda i: type(i) is I.GlorotNormal),
    ("TruncatedNormal", lambda i: type(i) is I.TruncatedNormal),
])
def test_parse_init(spec, check):
    assert check(S.parse_init(spec))


def test_parse_init_recommended_follows_activation():
    assert type(S.parse_init("recommended", "relu")) is I.HeNormal
    assert type(S.parse_init("recommended", "selu")) is I.LecunNormal


@pytest.mark.parametrize("spec", ["bogus", "normal", "normal:x", "normal:-1", "he:0",
                                  "uniform:", "zeros:1", "constant:inf", "Initializer"])
def test_parse_init_errors(spec):
    with pytest.raises(ValueError, match="init spec"):
        S.parse_init(spec)


def test_run_study_errors():
    with pytest.raises(ValueError, match="activation"):
        S.run_study(2, 4, "softplus", "he")
    with pytest.raises(ValueError, match="depth"):
        S.run_study(0, 4, "relu", "he")
    with pytest.raises(TypeError, match="width"):
        S.run_study(2, 4.0, "relu", "he")
    with pytest.raises(ValueError, match="inits"):
        S.run_study(2, 4, "relu", "he,,xavier")
    with pytest.raises(ValueError, match="init spec"):
        S.run_study(2, 4, "relu", "he,what")


def test_initializer_objects_are_accepted():
    r = S.run_study(2, 8, "tanh", [I.Orthogonal(gain=1.0)], batch=4)
    assert r.traces[0].label == "Orthogonal(gain=1.0, seed=None)"


def test_format_table_holds_the_traces(tanh_study):
    # three tables (activations, dL/dh, dL/dW), a column per initializer in the order
    # given, a row per layer; every cell is the trace's value to 3 significant digits
    lines = S.format_table(tanh_study).splitlines()
    starts = [k for k, ln in enumerate(lines) if ln.startswith("layer")]
    assert len(starts) == 3
    labels = [t.label for t in tanh_study.traces]
    for k, field in zip(starts, ("act_std", "grad_std", "weight_grad_std")):
        assert lines[k].split() == ["layer"] + labels
        body = [ln.split() for ln in lines[k + 1:k + 1 + tanh_study.depth]]
        assert [int(r[0]) for r in body] == list(range(1, tanh_study.depth + 1))
        for col, t in enumerate(tanh_study.traces, start=1):
            got = np.array([float(r[col]) for r in body])
            assert np.allclose(got, getattr(t, field), rtol=5e-3, atol=0), (field, t.label)


def test_plot_writes_png(tmp_path, tanh_study):
    pytest.importorskip("matplotlib")
    out = tmp_path / "study.png"
    S.plot_study(tanh_study, str(out))
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_plot_without_matplotlib_says_so(tmp_path, tanh_study, monkeypatch):
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)     # import fails
    with pytest.raises(MatplotlibMissing, match="pip install matplotlib"):
        S.plot_study(tanh_study, str(tmp_path / "x.png"))
    assert not (tmp_path / "x.png").exists()

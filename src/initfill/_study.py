"""The depth experiment behind ``initfill study``: why initialization matters.

A NumPy-only multilayer perceptron of `depth` square layers (`width` units, biases
zero, weights filled by initfill) takes a batch of standard normal inputs; the loss
is half the mean squared error to standard normal targets.  For each initializer,
the forward pass records the standard deviation of every layer's activations and
the backward pass that of the gradients with respect to each layer's
pre-activations and weights.

Layer ``l`` (1-based) computes ``h_l = a_{l-1} @ W_l`` and ``a_l = f(h_l)`` with
``W_l`` of shape ``(width, width)`` in the Keras layout ``(in, out)``; ``a_0`` is
the input.  All initializers share the same random numbers: ``W_l`` is drawn from
``Generator(seed)`` on stream ``l`` and the inputs and targets from the named
streams ``"study.inputs"`` and ``"study.targets"``, so a run is reproducible from
its seed and the curves differ only by the initializer.

What it shows (Glorot & Bengio 2010; He et al. 2015; Saxe et al. 2014):

- zeros: every hidden unit computes the same function (the activations have rank
  at most 1) and every unit receives the same weight gradient, so training can
  never make them differ;
- a small normal (std 0.01) multiplies the signal by about ``0.01 * sqrt(width)``
  per layer under tanh: it vanishes geometrically; a large one (std 1) saturates
  tanh;
- Xavier/Glorot keeps tanh activations at a steady scale, He keeps ReLU ones;
- in a linear network the scale ``c / sqrt(fan_in)`` multiplies the signal by
  about ``c`` per layer: only ``c = 1`` neither explodes nor vanishes.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import initializers as _initializers
from ._generator import Generator
from ._recommend import recommend
from .initializers import (
    Constant,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    Initializer,
    LecunNormal,
    LecunUniform,
    Ones,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    VarianceScaling,
    Zeros,
)

__all__ = [
    "ACTIVATIONS",
    "DEFAULT_INITS",
    "MatplotlibMissing",
    "Pass",
    "StudyResult",
    "Trace",
    "activation",
    "forward_backward",
    "format_table",
    "make_weights",
    "parse_init",
    "plot_study",
    "run_study",
]

DEFAULT_INITS = ("zeros", "normal:0.01", "normal:1.0", "xavier", "he")

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_GELU_C = math.sqrt(2.0 / math.pi)

Fn = Callable[[np.ndarray], np.ndarray]
Deriv = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _sigmoid(h: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * h))


def _gelu(h: np.ndarray) -> np.ndarray:
    return 0.5 * h * (1.0 + np.tanh(_GELU_C * (h + 0.044715 * h**3)))


def _gelu_d(h: np.ndarray, a: np.ndarray) -> np.ndarray:
    t = np.tanh(_GELU_C * (h + 0.044715 * h**3))
    return 0.5 * (1.0 + t) + 0.5 * h * (1.0 - t * t) * _GELU_C * (1.0 + 3 * 0.044715 * h * h)


def _silu_d(h: np.ndarray, a: np.ndarray) -> np.ndarray:
    s = _sigmoid(h)
    return s * (1.0 + h * (1.0 - s))


_ACT: dict[str, tuple[Fn, Deriv, str]] = {
    "linear": (lambda h: h, lambda h, a: np.ones_like(h), "f(x) = x"),
    "relu": (lambda h: np.maximum(h, 0.0), lambda h, a: (h > 0).astype(h.dtype),
             "max(x, 0)"),
    "tanh": (np.tanh, lambda h, a: 1.0 - a * a, "tanh"),
    "sigmoid": (_sigmoid, lambda h, a: a * (1.0 - a), "1 / (1 + exp(-x))"),
    "selu": (lambda h: _SELU_SCALE * np.where(h > 0, h, _SELU_ALPHA * np.expm1(np.minimum(h, 0))),
             lambda h, a: _SELU_SCALE * np.where(h > 0, 1.0, _SELU_ALPHA * np.exp(np.minimum(h, 0))),
             "Klambauer et al. 2017"),
    "elu": (lambda h: np.where(h > 0, h, np.expm1(np.minimum(h, 0))),
            lambda h, a: np.where(h > 0, 1.0, np.exp(np.minimum(h, 0))), "alpha = 1"),
    "gelu": (_gelu, _gelu_d, "tanh approximation of Hendrycks & Gimpel 2016"),
    "silu": (lambda h: h * _sigmoid(h), _silu_d, "x * sigmoid(x)"),
}
_ACT_ALIASES = {"swish": "silu", "identity": "linear"}

#: Activation names the study knows; ``leaky_relu`` also takes ``leaky_relu:SLOPE``.
ACTIVATIONS: tuple[str, ...] = tuple(sorted([*_ACT, "leaky_relu", *_ACT_ALIASES]))


def activation(name: str) -> tuple[Fn, Deriv]:
    """Return ``(f, df)`` for an activation name.

    Parameters
    ----------
    name : str
        One of :data:`ACTIVATIONS` (``linear``, ``relu``, ``leaky_relu`` or
        ``leaky_relu:SLOPE`` (default 0.01), ``tanh``, ``sigmoid``, ``selu``,
        ``elu``, ``gelu`` (tanh approximation), ``silu``/``swish``).

    Returns
    -------
    f : callable
        ``f(h)`` -> activations.
    df : callable
        ``df(h, a)`` -> the derivative at `h` (``a = f(h)`` is passed to save work).

    Raises
    ------
    ValueError
        Unknown name (the message lists the known ones) or a bad slope.
    """
    if not isinstance(name, str):
        raise TypeError(f"activation must be a str, got {type(name).__name__}")
    base, sep, arg = name.strip().lower().partition(":")
    base = _ACT_ALIASES.get(base, base)
    if base == "leaky_relu":
        try:
            slope = float(arg) if sep else 0.01
        except ValueError:
            raise ValueError(f"the slope in activation {name!r} is not a number") from None
        if not math.isfinite(slope):
            raise ValueError(f"the slope in activation {name!r} must be finite")
        return (lambda h: np.where(h > 0, h, slope * h),
                lambda h, a: np.where(h > 0, 1.0, slope))
    if base not in _ACT or sep:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}")
    f, df, _ = _ACT[base]
    return f, df


# --- initializer specs ----------------------------------------------------------------

_FAMILIES: dict[str, Callable[[], VarianceScaling]] = {
    "xavier": GlorotUniform, "glorot": GlorotUniform, "xavier_uniform": GlorotUniform,
    "xavier_normal": GlorotNormal, "he": HeNormal, "kaiming": HeNormal,
    "he_normal": HeNormal, "kaiming_normal": HeNormal, "he_uniform": HeUniform,
    "kaiming_uniform": HeUniform, "lecun": LecunNormal, "lecun_normal": LecunNormal,
    "lecun_uniform": LecunUniform,
}

_SPEC_HELP = (
    "zeros, ones, constant:V, normal:STD, uniform:BOUND (U(-BOUND, BOUND)), "
    "xavier[:GAIN], xavier_normal[:GAIN], he[:GAIN], he_uniform[:GAIN], lecun[:GAIN], "
    "lecun_uniform[:GAIN], orthogonal[:GAIN], recommended (initfill.recommend for the "
    "activation), or any initfill.initializers name (e.g. glorot_normal)"
)


def _number(spec: str, arg: str) -> float:
    try:
        v = float(arg)
    except ValueError:
        raise ValueError(f"init spec {spec!r}: {arg!r} is not a number") from None
    if not math.isfinite(v):
        raise ValueError(f"init spec {spec!r}: {arg!r} is not finite")
    return v


def parse_init(spec: str, activation: str = "linear") -> Initializer:
    """Turn a study init spec into an initializer object.

    Parameters
    ----------
    spec : str
        ``zeros``, ``ones``, ``constant:V``, ``normal:STD`` (N(0, STD**2)),
        ``uniform:BOUND`` (U(-BOUND, BOUND)), ``xavier`` (Glorot uniform; also
        ``glorot``, ``xavier_uniform``), ``xavier_normal``, ``he`` (He normal; also
        ``kaiming``), ``he_uniform``, ``lecun`` (LeCun normal), ``lecun_uniform``,
        each with an optional ``:GAIN`` that multiplies the standard deviation
        (``xavier:1.667``); ``orthogonal[:GAIN]``; ``recommended`` (what
        :func:`initfill.recommend` gives for `activation`); or any name that
        :func:`initfill.initializers.get` resolves.  The normal variance-scaling
        forms are truncated at ±2σ with the variance kept, as in Keras.
    activation : str
        Used by ``recommended`` only.

    Returns
    -------
    Initializer
        Unseeded; the study passes its own generator and streams.

    Raises
    ------
    ValueError
        An unknown or malformed spec; the message lists the forms.
    """
    if not isinstance(spec, str):
        raise TypeError(f"init spec must be a str, got {type(spec).__name__}")
    s = spec.strip()
    name, sep, arg = s.partition(":")
    name = name.lower()
    if sep and not arg:
        raise ValueError(f"init spec {spec!r} has an empty parameter; forms: {_SPEC_HELP}")
    if name in ("normal", "uniform", "constant") and not sep:
        raise ValueError(f"init spec {spec!r} needs a value, e.g. {name}:0.01")
    if name == "normal":
        std = _number(spec, arg)
        if std < 0:
            raise ValueError(f"init spec {spec!r}: the std must be >= 0")
        return RandomNormal(0.0, std)
    if name == "uniform":
        bound = abs(_number(spec, arg))
        return RandomUniform(-bound, bound)
    if name == "constant":
        return Constant(_number(spec, arg))
    if name in ("zeros", "zero") and not sep:
        return Zeros()
    if name in ("ones", "one") and not sep:
        return Ones()
    if name in _FAMILIES:
        base = _FAMILIES[name]()
        if not sep:
            return base
        gain = _number(spec, arg)
        if gain <= 0:
            raise ValueError(f"init spec {spec!r}: the gain must be > 0")
        return VarianceScaling(base.scale * gain * gain, base.mode, base.distribution)
    if name == "orthogonal":
        return Orthogonal(_number(spec, arg) if sep else 1.0)
    if name in ("recommended", "auto") and not sep:
        return recommend(activation, layout="keras").initializer
    if not sep:
        try:
            got = _initializers.get(s)
        except ValueError:
            got = None
        if isinstance(got, Initializer):
            return got
    raise ValueError(f"unknown init spec {spec!r}; forms: {_SPEC_HELP}")


# --- the network ----------------------------------------------------------------------

@dataclass(frozen=True)
class Pass:
    """Everything one forward and backward pass computed.

    Attributes
    ----------
    activations : list of ndarray
        ``a_1 .. a_depth``, each ``(batch, width)``.
    pre_activation_grads : list of ndarray
        ``dL/dh_1 .. dL/dh_depth``.
    weight_grads : list of ndarray
        ``dL/dW_1 .. dL/dW_depth``, each ``(width, width)`` (``(in, out)``).
    loss : float
        Half the mean over the batch of the squared error.
    """

    activations: list[np.ndarray]
    pre_activation_grads: list[np.ndarray]
    weight_grads: list[np.ndarray]
    loss: float


def forward_backward(weights: Sequence[np.ndarray], x: np.ndarray, targets: np.ndarray,
                     activation_name: str = "tanh") -> Pass:
    """Run an MLP forward and backward with zero biases.

    ``h_l = a_{l-1} @ W_l``, ``a_l = f(h_l)``, ``a_0 = x``; the loss is
    ``0.5 * sum((a_L - targets)**2) / batch``.

    Parameters
    ----------
    weights : sequence of ndarray
        ``W_1 .. W_L`` in the ``(in, out)`` layout.
    x : ndarray
        Inputs, ``(batch, in)``.
    targets : ndarray
        ``(batch, out)`` of the last layer.
    activation_name : str
        See :func:`activation`; applied after every layer, the last included.

    Returns
    -------
    Pass
    """
    f, df = activation(activation_name)
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (batch, features), got shape {x.shape}")
    batch = x.shape[0]
    a = x
    inputs, pre, acts = [], [], []
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for w in weights:
            inputs.append(a)
            h = a @ w
            a = f(h)
            pre.append(h)
            acts.append(a)
        err = acts[-1] - targets
        loss = 0.5 * float(np.sum(err * err)) / batch
        g = err / batch
        dh_list: list[np.ndarray] = [None] * len(weights)  # type: ignore[list-item]
        dw_list: list[np.ndarray] = [None] * len(weights)  # type: ignore[list-item]
        for i in range(len(weights) - 1, -1, -1):
            dh = g * df(pre[i], acts[i])
            dh_list[i] = dh
            dw_list[i] = inputs[i].T @ dh
            g = dh @ weights[i].T
    return Pass(acts, dh_list, dw_list, loss)


def make_weights(initializer: Initializer, depth: int, width: int, *, seed: int = 0,
                 dtype: Any = np.float64) -> list[np.ndarray]:
    """Fill `depth` ``(width, width)`` weight matrices with `initializer`.

    Layer ``l`` (1-based) uses stream ``l`` of ``Generator(seed)``, whatever the
    initializer, so different initializers see the same random numbers.

    Parameters
    ----------
    initializer : Initializer
        An object from :mod:`initfill.initializers` (or :func:`parse_init`).
    depth, width : int
        Number of layers and units per layer.
    seed : int
        Seed of the generator.
    dtype : dtype-like
        float32 or float64.

    Returns
    -------
    list of ndarray
    """
    gen = Generator(seed)
    return [initializer.fill_(np.empty((width, width), dtype), generator=gen, stream=l)
            for l in range(1, depth + 1)]


@dataclass(frozen=True)
class Trace:
    """Per-layer standard deviations for one initializer.

    Attributes
    ----------
    label : str
        The init spec.
    initializer : Initializer
        The object that filled the weights.
    act_std : ndarray
        Std of the activations ``a_l``, layers 1..depth.
    grad_std : ndarray
        Std of the back-propagated gradients ``dL/dh_l``.
    weight_grad_std : ndarray
        Std of the weight gradients ``dL/dW_l``.
    unit_spread : ndarray
        For each layer, the largest difference between two units' activations on
        the same input: 0 means every hidden unit of the layer computes the same
        function (the activations have rank at most 1).
    """

    label: str
    initializer: Initializer
    act_std: np.ndarray
    grad_std: np.ndarray
    weight_grad_std: np.ndarray
    unit_spread: np.ndarray


@dataclass(frozen=True)
class StudyResult:
    """What :func:`run_study` measured.

    Attributes
    ----------
    depth, width, batch, seed : int
        The experiment.
    activation : str
        The activation name.
    input_std : float
        Std of the inputs (about 1).
    traces : tuple of Trace
        One per initializer, in the order given.
    """

    depth: int
    width: int
    batch: int
    seed: int
    activation: str
    input_std: float
    traces: tuple[Trace, ...]

    def trace(self, label: str) -> Trace:
        """Return the trace with this label.

        Parameters
        ----------
        label : str

        Returns
        -------
        Trace

        Raises
        ------
        KeyError
            No trace has that label.
        """
        for t in self.traces:
            if t.label == label:
                return t
        raise KeyError(label)


def _positive_int(name: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(v).__name__}")
    if v < 1:
        raise ValueError(f"{name} must be >= 1, got {v}")
    return int(v)


def _unit_spread(a: np.ndarray) -> float:
    if a.shape[1] == 0 or a.shape[0] == 0:
        return 0.0
    return float(np.max(np.ptp(a, axis=1)))


def run_study(depth: int = 9, width: int = 256, activation: str = "tanh",
              inits: str | Sequence[str | Initializer] = DEFAULT_INITS, *,
              batch: int = 256, seed: int = 0) -> StudyResult:
    """Run the depth experiment for several initializers.

    Parameters
    ----------
    depth : int
        Number of layers (each followed by the activation).
    width : int
        Units per layer (and input features).
    activation : str
        See :func:`activation`.
    inits : str or sequence of (str or Initializer)
        Init specs (see :func:`parse_init`), as a list or one comma-separated str;
        Initializer objects are used as they are (labelled by their repr).
    batch : int
        Number of random inputs.
    seed : int
        Seed of the weights, inputs and targets.

    Returns
    -------
    StudyResult

    Raises
    ------
    ValueError, TypeError
        Bad sizes, an unknown activation or init spec.
    """
    depth = _positive_int("depth", depth)
    width = _positive_int("width", width)
    batch = _positive_int("batch", batch)
    _check_activation(activation)
    items = [p.strip() for p in inits.split(",")] if isinstance(inits, str) else list(inits)
    if not items or any(isinstance(p, str) and not p for p in items):
        raise ValueError(f"inits must name at least one initializer, got {inits!r}")
    parsed: list[tuple[str, Initializer]] = []
    for p in items:
        if isinstance(p, Initializer):
            parsed.append((repr(p), p))
        else:
            parsed.append((p, parse_init(p, activation)))
    gen = Generator(seed)
    x = gen.normal_(np.empty((batch, width)), stream="study.inputs")
    y = gen.normal_(np.empty((batch, width)), stream="study.targets")
    traces = []
    for label, init in parsed:
        weights = make_weights(init, depth, width, seed=seed)
        res = forward_backward(weights, x, y, activation)
        with np.errstate(over="ignore", invalid="ignore"):
            traces.append(Trace(
                label=label, initializer=init,
                act_std=np.array([a.std() for a in res.activations]),
                grad_std=np.array([g.std() for g in res.pre_activation_grads]),
                weight_grad_std=np.array([g.std() for g in res.weight_grads]),
                unit_spread=np.array([_unit_spread(a) for a in res.activations]),
            ))
    return StudyResult(depth, width, batch, int(seed), activation, float(x.std()),
                       tuple(traces))


def _check_activation(name: str) -> None:
    activation(name)


# --- output ---------------------------------------------------------------------------

def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    if not math.isfinite(v):
        return str(v)
    return f"{v:.3g}" if 1e-3 <= abs(v) < 1e4 else f"{v:.2e}"


def format_table(result: StudyResult) -> str:
    """Return the study's tables as text.

    Three tables, one row per layer and one column per initializer: the std of
    the activations, of the back-propagated gradients ``dL/dh`` and of the weight
    gradients ``dL/dW``; then a note on initializers whose hidden units are all
    identical in every layer.

    Parameters
    ----------
    result : StudyResult

    Returns
    -------
    str
    """
    labels = [t.label for t in result.traces]
    widths = [max(len(lb), 9) for lb in labels]
    head = (f"initfill study: depth {result.depth}, width {result.width}, batch "
            f"{result.batch}, activation {result.activation}, seed {result.seed} "
            f"(input std {_fmt(result.input_std)})")
    lines = [head]
    sections = (("std of activations a_l (forward)", "act_std"),
                ("std of gradients dL/dh_l (backward)", "grad_std"),
                ("std of weight gradients dL/dW_l", "weight_grad_std"))
    for title, field in sections:
        lines.append("")
        lines.append(title)
        lines.append("layer  " + "  ".join(lb.rjust(w) for lb, w in zip(labels, widths)))
        for i in range(result.depth):
            cells = [_fmt(float(getattr(t, field)[i])).rjust(w)
                     for t, w in zip(result.traces, widths)]
            lines.append(f"{i + 1:>5}  " + "  ".join(cells))
    same = [t.label for t in result.traces
            if result.width > 1 and np.all(t.unit_spread == 0)]
    if same:
        lines.append("")
        lines.append("all hidden units identical in every layer (symmetry never broken): "
                     + ", ".join(same))
    return "\n".join(lines)


class MatplotlibMissing(ImportError):
    """Raised by :func:`plot_study` when matplotlib is not installed."""


def plot_study(result: StudyResult, path: str) -> None:
    """Write the study as a PNG: std per layer, log scale, one line per initializer.

    Three panels: activations, back-propagated gradients ``dL/dh`` and weight
    gradients ``dL/dW``.  Zero standard deviations cannot be drawn on a log scale;
    such points are left out and the legend says so.

    Parameters
    ----------
    result : StudyResult
    path : str or path-like
        The output file (its suffix picks the format; ``.png`` for a PNG).

    Raises
    ------
    MatplotlibMissing
        matplotlib is not installed (``pip install matplotlib``).
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise MatplotlibMissing(
            "--plot needs matplotlib, which is not installed: pip install matplotlib"
        ) from None
    fig = Figure(figsize=(13, 4.2), layout="constrained")
    axes = fig.subplots(1, 3)
    layers = np.arange(1, result.depth + 1)
    panels = (("activations  std(a_l)", "act_std"),
              ("back-propagated gradients  std(dL/dh_l)", "grad_std"),
              ("weight gradients  std(dL/dW_l)", "weight_grad_std"))
    for ax, (title, field) in zip(axes, panels):
        for t in result.traces:
            v = np.asarray(getattr(t, field), dtype=float)
            shown = np.where(np.isfinite(v) & (v > 0), v, np.nan)
            label = t.label
            if np.any(v == 0):
                label += " (0 not drawn)" if np.any(v > 0) else " (all 0, not drawn)"
            ax.plot(layers, shown, marker="o", markersize=3, label=label)
        ax.set_yscale("log")
        ax.set_xlabel("layer")
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="major", alpha=0.3)
        ax.set_xticks(layers)
        ax.legend(fontsize=7)
    fig.suptitle(f"{result.depth}-layer MLP, width {result.width}, {result.activation}, "
                 f"batch {result.batch}, seed {result.seed}: weights filled by initfill",
                 fontsize=11)
    fig.savefig(path, dpi=110)

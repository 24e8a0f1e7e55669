"""The network of ``initfill study``: a NumPy multilayer perceptron with zero biases,
its activations (and their derivatives), and its forward and backward pass.

Layer ``l`` (1-based) computes ``h_l = a_{l-1} @ W_l`` and ``a_l = f(h_l)`` with
``W_l`` of shape ``(width, width)`` in the Keras layout ``(in, out)``; ``a_0`` is
the input; the loss is half the mean squared error to the targets.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import initfill
from initfill.initializers import Initializer

__all__ = ["ACTIVATIONS", "Pass", "activation", "forward_backward", "make_weights"]

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
    gen = initfill.Generator(seed)
    return [initializer.fill_(np.empty((width, width), dtype), generator=gen, stream=l)
            for l in range(1, depth + 1)]


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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import initfill
from initfill.initializers import Initializer

from . import network
from .network import forward_backward, make_weights
from .specs import DEFAULT_INITS, parse_init

__all__ = ["StudyResult", "Trace", "run_study"]


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
    network.activation(activation)      # the parameter hides the function
    items = [p.strip() for p in inits.split(",")] if isinstance(inits, str) else list(inits)
    if not items or any(isinstance(p, str) and not p for p in items):
        raise ValueError(f"inits must name at least one initializer, got {inits!r}")
    parsed: list[tuple[str, Initializer]] = []
    for p in items:
        if isinstance(p, Initializer):
            parsed.append((repr(p), p))
        else:
            parsed.append((p, parse_init(p, activation)))
    gen = initfill.Generator(seed)
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


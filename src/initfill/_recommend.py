"""The initializer the literature recommends for an activation."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ._fans import check_layout
from ._params import finite
from .initializers import (
    GlorotUniform,
    HeNormal,
    LecunNormal,
    VarianceScaling,
)

__all__ = ["Recommendation", "recommend", "RECOMMENDED_ACTIVATIONS"]

# family: (mode, Keras/JAX distribution, torch distribution)
_FAMILY_DISTRIBUTIONS = {
    "he_normal": ("fan_in", "truncated_normal", "untruncated_normal"),
    "glorot_uniform": ("fan_avg", "uniform", "uniform"),
    "lecun_normal": ("fan_in", "truncated_normal", "truncated_normal"),
}
_PRESETS = {"he_normal": HeNormal, "glorot_uniform": GlorotUniform,
            "lecun_normal": LecunNormal}

_HE = ("He et al. 2015: a rectifier zeroes half of its input, so Var(w) = 2/fan_in "
       "keeps the forward variance constant across layers")
_RULES: dict[str, tuple[str, str]] = {
    "relu": ("he_normal", _HE),
    "leaky_relu": ("he_normal", "He et al. 2015: a leaky rectifier with negative slope a "
                   "needs Var(w) = 2/((1 + a^2) fan_in)"),
    "gelu": ("he_normal", "Hendrycks & Gimpel 2016: GELU is ReLU-like away from 0, so He "
             "et al. 2015's Var(w) = 2/fan_in is the usual choice"),
    "silu": ("he_normal", "Elfwing et al. 2018, Ramachandran et al. 2017: SiLU/swish is "
             "ReLU-like away from 0, so He et al. 2015's Var(w) = 2/fan_in is the usual "
             "choice"),
    "elu": ("he_normal", "Clevert et al. 2016 initialize ELU networks as He et al. 2015 "
            "do ReLU ones: Var(w) = 2/fan_in"),
    "tanh": ("glorot_uniform", "Glorot & Bengio 2010: Var(w) = 2/(fan_in + fan_out) "
             "balances forward and backward variance for a unit-slope symmetric "
             "activation"),
    "sigmoid": ("glorot_uniform", "Glorot & Bengio 2010: Var(w) = 2/(fan_in + fan_out), "
                "the rule they derived for tanh and sigmoid networks"),
    "softmax": ("glorot_uniform", "Glorot & Bengio 2010: the logits of a softmax layer are "
                "linear in the weights; Var(w) = 2/(fan_in + fan_out) (Keras's default "
                "kernel initializer) keeps them at unit scale"),
    "linear": ("lecun_normal", "LeCun et al. 1998: without a nonlinearity Var(w) = 1/fan_in "
               "keeps the variance constant; any other scale grows or shrinks it "
               "geometrically with depth"),
    "selu": ("lecun_normal", "Klambauer et al. 2017: SELU networks self-normalize only "
             "with Var(w) = 1/fan_in (LeCun normal)"),
}
_ALIASES = {"swish": "silu", "identity": "linear", "none": "linear", "leakyrelu": "leaky_relu"}

#: The activation names :func:`recommend` knows (aliases included).
RECOMMENDED_ACTIVATIONS: tuple[str, ...] = tuple(sorted(set(_RULES) | set(_ALIASES)))


@dataclass(frozen=True)
class Recommendation:
    """What :func:`initfill.recommend` returns.

    Attributes
    ----------
    activation : str
        The canonical activation name (``"silu"`` for ``"swish"``).
    name : str
        The initializer family: ``"he_normal"``, ``"glorot_uniform"`` or
        ``"lecun_normal"``.
    initializer : initfill.initializers.Initializer
        Ready to use: ``initializer(shape)`` returns a new array and
        ``initializer.fill_(x)`` fills `x` in place; fans are read with the
        requested layout.
    gain : float
        The multiplier of the family's standard deviation: the standard deviation
        is ``gain * sqrt(1 / fan)`` (He, LeCun) or ``gain * sqrt(2 / (fan_in +
        fan_out))`` (Glorot); the initializer's variance scale is ``gain**2`` times
        the family's base scale.
    scale : float
        The ``VarianceScaling`` scale of :attr:`initializer`.
    mode : str
        ``"fan_in"`` or ``"fan_avg"``.
    distribution : str
        ``"truncated_normal"``, ``"untruncated_normal"`` or ``"uniform"``.
    reason : str
        One line with the paper behind the choice.
    """

    activation: str
    name: str
    initializer: VarianceScaling
    gain: float
    scale: float
    mode: str
    distribution: str
    reason: str

    def fill_(self, x: Any, **kwargs: Any) -> Any:
        """Fill `x` in place with :attr:`initializer` (see its ``fill_``).

        Parameters
        ----------
        x : ndarray or writable buffer
            float32 or float64 output.
        **kwargs
            ``generator=`` and ``stream=``, passed on.

        Returns
        -------
        x
        """
        return self.initializer.fill_(x, **kwargs)


def _parse(activation: Any, negative_slope: Any) -> tuple[str, float | None]:
    if not isinstance(activation, str):
        raise TypeError(f"activation must be a str, got {type(activation).__name__}")
    name, sep, arg = activation.strip().lower().partition(":")
    name = _ALIASES.get(name, name)
    if name not in _RULES:
        raise ValueError(
            f"unknown activation {activation!r}; known: {', '.join(RECOMMENDED_ACTIVATIONS)} "
            "(leaky_relu takes a slope: 'leaky_relu:0.2' or negative_slope=0.2)")
    slope = None
    if sep:
        if name != "leaky_relu":
            raise ValueError(f"activation {name!r} takes no parameter, got {activation!r}")
        if negative_slope is not None:
            raise ValueError("give the leaky_relu slope once: in the name or as "
                             "negative_slope=, not both")
        try:
            slope = float(arg)
        except ValueError:
            raise ValueError(f"the slope in {activation!r} is not a number") from None
    elif negative_slope is not None:
        if name != "leaky_relu":
            raise ValueError(f"negative_slope applies to leaky_relu only, not {name!r}")
        slope = finite("negative_slope", negative_slope)
    if name == "leaky_relu":
        slope = 0.01 if slope is None else slope
        if not math.isfinite(slope):
            raise ValueError(f"negative_slope must be finite, got {slope}")
    return name, slope


def recommend(activation: str, *, layout: str = "torch", negative_slope: float | None = None,
              seed: int | None = None) -> Recommendation:
    """Return the initializer the literature recommends before an activation.

    ================================ ================ =====================
    activation                       initializer      gain
    ================================ ================ =====================
    relu, gelu, silu/swish, elu      He normal        sqrt(2)
    leaky_relu (slope a, def. 0.01)  He normal        sqrt(2 / (1 + a**2))
    tanh, sigmoid, softmax           Glorot uniform   1
    linear, selu                     LeCun normal     1
    ================================ ================ =====================

    He et al. 2015; Glorot & Bengio 2010; LeCun et al. 1998; Klambauer et al. 2017
    (SELU); Hendrycks & Gimpel 2016 (GELU); Elfwing et al. 2018 (SiLU); Clevert et
    al. 2016 (ELU).  The gains are those of the papers, which differ from
    ``torch.nn.init.calculate_gain`` for tanh (5/3) and selu (3/4): those are
    torch conventions, not the papers' rules (torch's own documentation suggests
    ``nonlinearity="linear"`` for SELU networks).

    Parameters
    ----------
    activation : str
        One of ``relu``, ``leaky_relu``, ``gelu``, ``silu`` (alias ``swish``),
        ``elu``, ``tanh``, ``sigmoid``, ``softmax``, ``linear`` (aliases
        ``identity``, ``none``), ``selu``; case-insensitive.  ``"leaky_relu:0.2"``
        gives the negative slope.
    layout : {"torch", "keras", "jax"}
        The weight layout the initializer reads fans from: torch ``(out, in,
        *kernel)``, Keras ``(*kernel, in, out)``, JAX (in_axis=-2, out_axis=-1).
        It also picks the framework's distribution: He normal is untruncated in
        torch (``kaiming_normal_``) and truncated at ±2σ (variance kept) in Keras
        and JAX; LeCun normal is truncated everywhere; Glorot is uniform.
    negative_slope : float, optional
        The leaky_relu slope (default 0.01), instead of the ``":a"`` suffix.
    seed : int, optional
        Seed of the returned initializer (see
        :class:`initfill.initializers.RandomNormal`).

    Returns
    -------
    Recommendation
        The initializer object, gain, scale and a one-line reason.

    Raises
    ------
    ValueError
        Unknown activation (the message lists the known ones), unknown layout, or a
        slope given for another activation.
    TypeError
        `activation` is not a str.

    Examples
    --------
    >>> import numpy as np, initfill
    >>> rec = initfill.recommend("relu")
    >>> rec.name, round(rec.gain, 4)
    ('he_normal', 1.4142)
    >>> w = rec.initializer.fill_(np.empty((256, 784), np.float32))  # torch (out, in)
    """
    name, slope = _parse(activation, negative_slope)
    check_layout(layout)
    family, reason = _RULES[name]
    mode, keras_dist, torch_dist = _FAMILY_DISTRIBUTIONS[family]
    distribution = torch_dist if layout == "torch" else keras_dist
    if family == "he_normal":
        scale = 2.0 / (1.0 + slope**2) if slope is not None else 2.0
        gain = math.sqrt(scale)
    else:
        gain, scale = 1.0, 1.0
    if family == "he_normal" and name == "leaky_relu":
        reason = f"{reason} (a = {slope:g})"
    init: VarianceScaling
    if distribution == keras_dist and scale == _PRESETS[family]._args[0]:
        init = _PRESETS[family](seed, layout=layout)
    else:
        init = VarianceScaling(scale, mode, distribution, seed, layout=layout)
    return Recommendation(activation=name, name=family, initializer=init, gain=gain,
                          scale=scale, mode=mode, distribution=distribution, reason=reason)

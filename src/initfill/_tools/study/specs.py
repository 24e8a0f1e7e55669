"""Init specs of ``initfill study``: the short names (``zeros``, ``normal:0.01``,
``xavier:1.667``, ``recommended`` ...) that ``--init`` takes, turned into
:mod:`initfill.initializers` objects."""
from __future__ import annotations

import math
from collections.abc import Callable

import initfill
from initfill import initializers
from initfill.initializers import (
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

__all__ = ["DEFAULT_INITS", "SPEC_HELP", "parse_init"]

#: What ``initfill study`` compares by default.
DEFAULT_INITS = ("zeros", "normal:0.01", "normal:1.0", "xavier", "he")

_FAMILIES: dict[str, Callable[[], VarianceScaling]] = {
    "xavier": GlorotUniform, "glorot": GlorotUniform, "xavier_uniform": GlorotUniform,
    "xavier_normal": GlorotNormal, "he": HeNormal, "kaiming": HeNormal,
    "he_normal": HeNormal, "kaiming_normal": HeNormal, "he_uniform": HeUniform,
    "kaiming_uniform": HeUniform, "lecun": LecunNormal, "lecun_normal": LecunNormal,
    "lecun_uniform": LecunUniform,
}

SPEC_HELP = (
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
        raise ValueError(f"init spec {spec!r} has an empty parameter; forms: {SPEC_HELP}")
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
        return initfill.recommend(activation, layout="keras").initializer
    if not sep:
        try:
            got = initializers.get(s)
        except ValueError:
            got = None
        if isinstance(got, Initializer):
            return got
    raise ValueError(f"unknown init spec {spec!r}; forms: {SPEC_HELP}")


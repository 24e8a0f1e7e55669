"""The random initializers: plain distributions and variance scaling."""
from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from .._core import NORMAL, TRUNC_NORMAL, UNIFORM
from .._fans import check_layout, compute_fans
from .._functions import check_variance_scaling, fill_variance_scaling
from .._generator import Generator
from .._params import real
from .._target import Target
from ._base import _Seeded, _check_shape, checked_params

_NORMAL_NAMES = ("mean", "stddev")
_UNIFORM_NAMES = ("minval", "maxval")
_TRUNC_NAMES = ("mean", "stddev", "mean - 2 stddev", "mean + 2 stddev")


def _cut(mean: float, stddev: float) -> tuple[float, float, float, float]:
    """Keras's truncated normal: the parameters cut at two standard deviations."""
    return (mean, stddev, mean - 2.0 * stddev, mean + 2.0 * stddev)


class RandomNormal(_Seeded):
    """Normal values N(`mean`, `stddev`**2), untruncated (``keras.initializers.RandomNormal``).

    Parameters
    ----------
    mean : float
        Mean, finite.
    stddev : float
        Standard deviation, finite and ``>= 0``.
    seed : int or None
        With a seed, every call returns the same values (``Generator(seed)``,
        stream 0).  None draws a seed once, at construction (from the next stream
        of initfill's default generator), so every call of the object returns the
        same values, as in Keras 3; make a new object for new values.
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05,
                 seed: int | None = None) -> None:
        self.mean, self.stddev = checked_params(NORMAL, _NORMAL_NAMES, (mean, stddev))
        super().__init__(seed)  # last: it draws a seed=None object's seed

    def _fill(self, target: Target, generator: Generator | None,
              stream: int | str | None) -> None:
        gen, s = self._source(generator, stream)
        gen._fill_target(target, NORMAL, (self.mean, self.stddev), _NORMAL_NAMES,
                         "RandomNormal", s)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_Seeded):
    """Uniform values in ``[minval, maxval)`` (``keras.initializers.RandomUniform``).

    Parameters
    ----------
    minval, maxval : float
        Bounds, finite, ``minval <= maxval``.
    seed : int or None
        See :class:`RandomNormal`.
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05,
                 seed: int | None = None) -> None:
        self.minval, self.maxval = checked_params(UNIFORM, _UNIFORM_NAMES, (minval, maxval))
        super().__init__(seed)  # last: it draws a seed=None object's seed

    def _fill(self, target: Target, generator: Generator | None,
              stream: int | str | None) -> None:
        gen, s = self._source(generator, stream)
        gen._fill_target(target, UNIFORM, (self.minval, self.maxval), _UNIFORM_NAMES,
                         "RandomUniform", s)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(_Seeded):
    """N(`mean`, `stddev`**2) cut to ``[mean - 2 stddev, mean + 2 stddev]``.

    As ``keras.initializers.TruncatedNormal``: `stddev` is that of the parent normal
    (the values' standard deviation is ``0.8796 * stddev``).  Drawn by the
    rejection-free truncated-normal kernel; every value lies in the interval after
    rounding to the output dtype.

    Parameters
    ----------
    mean : float
        Mean, finite.
    stddev : float
        Standard deviation of the parent normal, finite and ``> 0``.
    seed : int or None
        See :class:`RandomNormal`.
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05,
                 seed: int | None = None) -> None:
        m, sd = real("mean", mean), real("stddev", stddev)
        self.mean, self.stddev = checked_params(TRUNC_NORMAL, _TRUNC_NAMES, _cut(m, sd))[:2]
        super().__init__(seed)  # last: it draws a seed=None object's seed

    def _fill(self, target: Target, generator: Generator | None,
              stream: int | str | None) -> None:
        gen, s = self._source(generator, stream)
        gen._fill_target(target, TRUNC_NORMAL, _cut(self.mean, self.stddev), _TRUNC_NAMES,
                         "TruncatedNormal", s)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


_KERAS_MODES = ("fan_in", "fan_out", "fan_avg")
_KERAS_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")
Axes = int | Sequence[int] | None


def _keras_distribution(distribution: Any) -> Any:
    """Keras's reading of `distribution`: case-insensitive, ``"normal"`` meaning
    ``"truncated_normal"``."""
    if not isinstance(distribution, str):
        return distribution
    d = distribution.lower()
    return "truncated_normal" if d == "normal" else d


def _check_axes(name: str, axes: Any) -> int | list[int] | None:
    """`axes` as Keras keeps it in a config: None, an int, or a list of ints."""
    if axes is None:
        return None
    if isinstance(axes, (bool, str, bytes)):
        raise TypeError(f"{name} must be None, an int or a sequence of ints, got {axes!r}")
    try:
        return operator.index(axes)
    except TypeError:
        pass
    try:
        out = [operator.index(a) for a in axes]
    except TypeError:
        raise TypeError(
            f"{name} must be None, an int or a sequence of ints, got {axes!r}") from None
    if not out or any(isinstance(a, bool) for a in axes):
        raise ValueError(f"{name} must name at least one axis, got {axes!r}")
    return out


def _axes_fans(shape: tuple[int, ...], input_axes: Any, output_axes: Any
               ) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """(in axes, out axes, the other axes) of `shape` for Keras 3.15's
    ``input_axes``/``output_axes`` (a missing one is Keras's default: -2 for the
    input, -1 for the output), as non-negative axes."""
    ndim = len(shape)

    def norm(name: str, axes: Any, default: int) -> tuple[int, ...]:
        seq = [default] if axes is None else [axes] if isinstance(axes, int) else axes
        out = []
        for a in seq:
            if not -ndim <= a < ndim:
                raise ValueError(f"{name} {axes!r} is out of range for shape {shape}")
            out.append(a % ndim)
        return tuple(out)

    if ndim < 2:
        raise ValueError(f"input_axes/output_axes need a shape of at least 2 dimensions, "
                         f"got {shape}")
    ins = norm("input_axes", input_axes, -2)
    outs = norm("output_axes", output_axes, -1)
    if set(ins) & set(outs) or len(set(ins)) != len(ins) or len(set(outs)) != len(outs):
        raise ValueError(f"input_axes {input_axes!r} and output_axes {output_axes!r} "
                         f"must name distinct axes")
    rest = tuple(a for a in range(ndim) if a not in ins and a not in outs)
    return ins, outs, rest


class VarianceScaling(_Seeded):
    """Samples with variance ``scale / n`` (``keras.initializers.VarianceScaling``).

    ``n`` is fan_in, fan_out or their mean (`mode`), at least 1, with fans read from
    the shape by the Keras rule ``(*kernel, in, out)``, or, with `input_axes` /
    `output_axes` (Keras 3.15), as the products of the sizes on those axes, without
    a receptive-field factor (axes named by neither count in neither fan).
    ``truncated_normal`` draws N(0, s**2) cut at ``±2 s`` with
    ``s = sqrt(scale / n) / 0.87962566103423978`` (the standard deviation of a
    standard normal truncated to [-2, 2]); ``untruncated_normal`` uses
    ``s = sqrt(scale / n)``; ``uniform`` draws U(-l, l) with ``l = sqrt(3 scale / n)``.
    The fill is :func:`initfill.variance_scaling_`.

    Parameters
    ----------
    scale : float
        Positive scaling factor (the square of a gain).
    mode : {"fan_in", "fan_out", "fan_avg"}
        Which fan divides the scale.
    distribution : {"truncated_normal", "untruncated_normal", "uniform", "normal"}
        The distribution, case-insensitive; ``"normal"`` means ``"truncated_normal"``
        (as in Keras) and is kept as that name.
    seed : int or None
        See :class:`RandomNormal`.
    input_axes, output_axes : int or sequence of int, optional
        The axes whose sizes multiply into fan_in and fan_out (Keras 3.15); when
        only one is given the other is Keras's default (-2 for the input, -1 for the
        output).  Both appear in :meth:`get_config` (None when not given), so
        configs of Keras 3.15 and of Keras <= 3.14 (without the keys) both load.
    layout : {"keras", "torch", "jax"}, keyword-only
        How fans are read from the shape without axes (an initfill extension; see
        :func:`initfill.compute_fans`).  It appears in :meth:`get_config` only when
        it is not ``"keras"``, so Keras configs round-trip unchanged.

    Raises
    ------
    ValueError
        Non-positive scale, or an unknown mode, distribution or layout.
    TypeError
        Axes that are not None, an int or a sequence of ints.
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None,
                 input_axes: Axes = None, output_axes: Axes = None, *,
                 layout: str = "keras") -> None:
        distribution = _keras_distribution(distribution)
        self.scale = check_variance_scaling(scale, mode, distribution, _KERAS_MODES,
                                            _KERAS_DISTRIBUTIONS)
        self.mode = mode
        self.distribution = distribution
        self.input_axes = _check_axes("input_axes", input_axes)
        self.output_axes = _check_axes("output_axes", output_axes)
        self.layout = check_layout(layout)
        super().__init__(seed)  # last: it draws a seed=None object's seed

    def _has_axes(self) -> bool:
        return self.input_axes is not None or self.output_axes is not None

    def fans(self, shape: int | Sequence[int]) -> tuple[int, int]:
        """Return ``(fan_in, fan_out)`` of `shape` under this object's axes or layout.

        Parameters
        ----------
        shape : int or sequence of int
            A weight shape.

        Returns
        -------
        fan_in, fan_out : int
        """
        s = _check_shape(shape)
        if self._has_axes():
            ins, outs, rest = _axes_fans(s, self.input_axes, self.output_axes)
            return compute_fans(s, "jax", in_axis=ins, out_axis=outs, batch_axis=rest)
        return compute_fans(s, self.layout)

    def _fill(self, target: Target, generator: Generator | None,
              stream: int | str | None) -> None:
        gen, s = self._source(generator, stream)
        if self._has_axes():
            ins, outs, rest = _axes_fans(tuple(target.global_shape), self.input_axes,
                                         self.output_axes)
            fill_variance_scaling(target, self.scale, self.mode, self.distribution, gen, s,
                                  layout="jax", in_axis=ins, out_axis=outs, batch_axis=rest)
        else:
            fill_variance_scaling(target, self.scale, self.mode, self.distribution, gen, s,
                                  layout=self.layout)

    def get_config(self) -> dict[str, Any]:
        config = {"scale": self.scale, "mode": self.mode,
                  "distribution": self.distribution, "seed": self.seed,
                  "input_axes": self.input_axes, "output_axes": self.output_axes}
        if self.layout != "keras":
            config["layout"] = self.layout
        return config


class _Preset(VarianceScaling):
    _args: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed: int | None = None, input_axes: Axes = None,
                 output_axes: Axes = None, *, layout: str = "keras") -> None:
        scale, mode, distribution = self._args
        super().__init__(scale, mode, distribution, seed, input_axes, output_axes,
                         layout=layout)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"seed": self.seed, "input_axes": self.input_axes,
                                  "output_axes": self.output_axes}
        if self.layout != "keras":
            config["layout"] = self.layout
        return config


class GlorotUniform(_Preset):
    """Glorot/Xavier uniform: U(-l, l), ``l = sqrt(6 / (fan_in + fan_out))``.

    Glorot & Bengio (2010).  ``VarianceScaling(1.0, "fan_avg", "uniform")``.

    Parameters
    ----------
    seed : int or None
        See :class:`RandomNormal`.
    input_axes, output_axes : int or sequence of int, optional
        See :class:`VarianceScaling` (Keras 3.15).
    layout : {"keras", "torch", "jax"}, keyword-only
        See :class:`VarianceScaling`.
    """

    _args = (1.0, "fan_avg", "uniform")


class GlorotNormal(_Preset):
    """Glorot/Xavier normal, truncated at ±2σ as Keras: variance ``2 / (fan_in + fan_out)``.

    Glorot & Bengio (2010).  ``VarianceScaling(1.0, "fan_avg", "truncated_normal")``.

    Parameters
    ----------
    seed : int or None
        See :class:`RandomNormal`.
    input_axes, output_axes : int or sequence of int, optional
        See :class:`VarianceScaling` (Keras 3.15).
    layout : {"keras", "torch", "jax"}, keyword-only
        See :class:`VarianceScaling`.
    """

    _args = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_Preset):
    """He/Kaiming uniform: U(-l, l), ``l = sqrt(6 / fan_in)``.

    He et al. (2015).  ``VarianceScaling(2.0, "fan_in", "uniform")``.

    Parameters
    ----------
    seed : int or None
        See :class:`RandomNormal`.
    input_axes, output_axes : int or sequence of int, optional
        See :class:`VarianceScaling` (Keras 3.15).
    layout : {"keras", "torch", "jax"}, keyword-only
        See :class:`VarianceScaling`.
    """

    _args = (2.0, "fan_in", "uniform")


class HeNormal(_Preset):
    """He/Kaiming normal, truncated at ±2σ as Keras: variance ``2 / fan_in``.

    He et al. (2015).  ``VarianceScaling(2.0, "fan_in", "truncated_normal")``.

    Parameters
    ----------
    seed : int or None
        See :class:`RandomNormal`.
    input_axes, output_axes : int or sequence of int, optional
        See :class:`VarianceScaling` (Keras 3.15).
    layout : {"keras", "torch", "jax"}, keyword-only
        See :class:`VarianceScaling`.
    """

    _args = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_Preset):
    """LeCun uniform: U(-l, l), ``l = sqrt(3 / fan_in)``.

    LeCun et al. (1998).  ``VarianceScaling(1.0, "fan_in", "uniform")``.

    Parameters
    ----------
    seed : int or None
        See :class:`RandomNormal`.
    input_axes, output_axes : int or sequence of int, optional
        See :class:`VarianceScaling` (Keras 3.15).
    layout : {"keras", "torch", "jax"}, keyword-only
        See :class:`VarianceScaling`.
    """

    _args = (1.0, "fan_in", "uniform")


class LecunNormal(_Preset):
    """LeCun normal, truncated at ±2σ as Keras: variance ``1 / fan_in``.

    LeCun et al. (1998); the initializer of self-normalizing (SELU) networks
    (Klambauer et al. 2017).  ``VarianceScaling(1.0, "fan_in", "truncated_normal")``.

    Parameters
    ----------
    seed : int or None
        See :class:`RandomNormal`.
    input_axes, output_axes : int or sequence of int, optional
        See :class:`VarianceScaling` (Keras 3.15).
    layout : {"keras", "torch", "jax"}, keyword-only
        See :class:`VarianceScaling`.
    """

    _args = (1.0, "fan_in", "truncated_normal")

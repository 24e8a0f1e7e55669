"""Keras-style initializer objects, filled by initfill's kernels.

The classes have the names, arguments, defaults and ``get_config`` keys of
``keras.initializers`` (Keras 3), and follow its behaviour:

- ``init(shape, dtype="float32")`` returns a new NumPy array;
  ``init.fill_(x)`` fills an existing buffer in place with the same values that
  ``init(x.shape, x.dtype)`` returns.
- A seeded initializer returns the same values on every call (Keras 3 semantics):
  its values are those of ``initfill.Generator(seed)`` on stream 0, so
  ``RandomNormal(stddev=0.02, seed=7)((4, 4))`` equals
  ``initfill.Generator(7).normal_(np.empty((4, 4), np.float32), std=0.02, stream=0)``.
  With ``seed=None`` each call draws from the next stream of the module's default
  generator (see :func:`initfill.manual_seed`), so successive calls differ.
- Fans follow the Keras layout ``(*kernel, in, out)``: a Dense kernel is
  ``(in, out)``, a Conv2D kernel ``(kh, kw, in, out)``.  The variance-scaling classes
  take a keyword-only ``layout=`` (``"keras"``, ``"torch"`` or ``"jax"``; see
  :func:`initfill.compute_fans`) for the other conventions.
- "Normal" variance-scaling initializers are truncated at two standard deviations,
  with the standard deviation divided by 0.87962566103423978 so the variance is as
  asked, as in Keras.

Only float32 and float64 outputs are produced (the dtypes of the kernels).

Examples
--------
>>> import numpy as np
>>> from initfill import initializers
>>> init = initializers.get("he_normal")
>>> w = init((784, 256))                      # fan_in = 784
>>> seeded = initializers.GlorotUniform(seed=1)
>>> bool((seeded((3, 5)) == seeded((3, 5))).all())
True
>>> buf = np.empty((3, 5), np.float32)
>>> bool((seeded.fill_(buf) == seeded((3, 5))).all())
True
"""
from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

from . import _init
from ._buffers import FLOAT_CODES, as_target
from ._fans import LAYOUTS, compute_fans
from ._generator import Generator, check_seed, finite

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "deserialize",
    "get",
    "serialize",
]

_T = TypeVar("_T", bound="Initializer")
_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _check_shape(shape: Any) -> tuple[int, ...]:
    bad = TypeError(f"shape must be an int or a sequence of ints, got {shape!r}")
    if isinstance(shape, (bool, np.bool_, str, bytes)):
        raise bad
    try:
        return (_dim(shape),)
    except TypeError:
        pass
    try:
        return tuple(_dim(d) for d in shape)
    except TypeError:
        raise bad from None


def _dim(d: Any) -> int:
    if isinstance(d, (bool, np.bool_)):
        raise TypeError("bool dimension")
    v = operator.index(d)
    if v < 0:
        raise ValueError(f"shape must not have negative dimensions, got {v}")
    return v


def _check_dtype(dtype: Any) -> np.dtype:
    if dtype is None:
        return np.dtype(np.float32)
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a NumPy dtype or its name, got {dtype!r}") from None
    if dt not in _FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {dt.name}")
    return dt


def _target(x: Any) -> np.ndarray:
    """A writable float32/float64 view of `x` (validated before any write)."""
    arr, _ = as_target(x, None, FLOAT_CODES, "fill_")
    return arr


class Initializer:
    """Base class of the initializer objects.

    Subclasses implement :meth:`_fill` (write values into a validated ndarray view);
    the base class gives the Keras protocol: ``__call__``, :meth:`fill_`,
    :meth:`get_config`, :meth:`from_config`, and a ``repr`` from the config.
    """

    def __call__(self, shape: int | Sequence[int], dtype: Any = "float32") -> np.ndarray:
        """Return a new array of `shape` and `dtype` filled with this initializer.

        Parameters
        ----------
        shape : int or sequence of int
            Shape of the result.  Fans are read from it with the Keras layout
            ``(*kernel, in, out)`` unless the object was made with another ``layout``.
        dtype : {"float32", "float64"} or None
            Element type (None means float32, Keras's ``floatx``).

        Returns
        -------
        ndarray
            A new C-contiguous array.

        Raises
        ------
        TypeError
            `shape` is not integral, or `dtype` is not float32/float64.
        ValueError
            A negative dimension, or a shape this initializer does not accept.
        """
        dt = _check_dtype(dtype)
        out = np.empty(_check_shape(shape), dtype=dt)
        self._fill(out, None, None)
        return out

    def fill_(self, x: Any, *, generator: Generator | None = None,
              stream: int | str | None = None) -> Any:
        """Fill `x` in place with the values ``self(x.shape, x.dtype)`` returns.

        Parameters
        ----------
        x : ndarray or writable buffer
            float32 or float64 output, any shape and strides.
        generator : Generator, optional
            Draw from this generator instead of the object's own source (its seed,
            or the default generator when ``seed=None``).
        stream : int or str, optional
            Stream of `generator` to use (default: its next counter stream).
            Needs `generator`.  Together they let one initializer object fill many
            independent tensors reproducibly (e.g. the layers of a network).

        Returns
        -------
        x
            The same object, filled.

        Raises
        ------
        TypeError, ValueError
            Unsupported or read-only buffer, or a shape this initializer does not
            accept.  Nothing is written when an error is raised.
        """
        if generator is not None and not isinstance(generator, Generator):
            raise TypeError(
                f"generator must be an initfill.Generator, got {type(generator).__name__}")
        if stream is not None and generator is None:
            raise ValueError("stream= needs generator=")
        self._fill(_target(x), generator, stream)
        return x

    def _fill(self, arr: np.ndarray, generator: Generator | None,
              stream: int | str | None) -> None:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments as a dict (Keras keys).

        Returns
        -------
        dict
            ``type(self).from_config(init.get_config())`` rebuilds an equal object.
        """
        return {}

    @classmethod
    def from_config(cls: type[_T], config: Mapping[str, Any]) -> _T:
        """Build an initializer from :meth:`get_config`'s output.

        Parameters
        ----------
        config : mapping
            Constructor arguments.

        Returns
        -------
        Initializer
        """
        if not isinstance(config, Mapping):
            raise TypeError(f"config must be a dict, got {type(config).__name__}")
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(self)))


class _Seeded(Initializer):
    """An initializer that draws random numbers: the seed and stream logic."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = check_seed(seed)

    def _source(self, generator: Generator | None,
                stream: int | str | None) -> tuple[Generator, int | str | None]:
        if generator is not None:
            return generator, stream
        if self.seed is not None:
            return Generator(self.seed), 0
        return _init.default_generator(), None

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


# --- constants ------------------------------------------------------------------------

class Constant(Initializer):
    """Fill with a constant value (``keras.initializers.Constant``).

    Parameters
    ----------
    value : float
        The value, finite.
    """

    def __init__(self, value: float = 0.0) -> None:
        self.value = finite("value", value)

    def _fill(self, arr: np.ndarray, generator: Generator | None,
              stream: int | str | None) -> None:
        _init.constant_(arr, self.value)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class Zeros(Constant):
    """Fill with zeros (``keras.initializers.Zeros``; no arguments)."""

    def __init__(self) -> None:
        super().__init__(0.0)

    def get_config(self) -> dict[str, Any]:
        return {}


class Ones(Constant):
    """Fill with ones (``keras.initializers.Ones``; no arguments)."""

    def __init__(self) -> None:
        super().__init__(1.0)

    def get_config(self) -> dict[str, Any]:
        return {}


# --- plain random ---------------------------------------------------------------------

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
        stream 0); None draws from the default generator's next stream.
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05,
                 seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean = finite("mean", mean)
        self.stddev = finite("stddev", stddev)
        if self.stddev < 0:
            raise ValueError(f"stddev must be >= 0, got {self.stddev}")

    def _fill(self, arr: np.ndarray, generator: Generator | None,
              stream: int | str | None) -> None:
        gen, s = self._source(generator, stream)
        gen.normal_(arr, self.mean, self.stddev, stream=s)

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
        super().__init__(seed)
        self.minval = finite("minval", minval)
        self.maxval = finite("maxval", maxval)
        if self.minval > self.maxval:
            raise ValueError(
                f"minval must be <= maxval, got minval={self.minval}, maxval={self.maxval}")

    def _fill(self, arr: np.ndarray, generator: Generator | None,
              stream: int | str | None) -> None:
        gen, s = self._source(generator, stream)
        gen.uniform_(arr, self.minval, self.maxval, stream=s)

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
        super().__init__(seed)
        self.mean = finite("mean", mean)
        self.stddev = finite("stddev", stddev)
        if self.stddev <= 0:
            raise ValueError(f"stddev must be > 0, got {self.stddev}")

    def _fill(self, arr: np.ndarray, generator: Generator | None,
              stream: int | str | None) -> None:
        gen, s = self._source(generator, stream)
        m, sd = self.mean, self.stddev
        gen.trunc_normal_(arr, m, sd, m - 2.0 * sd, m + 2.0 * sd, stream=s)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


# --- variance scaling -----------------------------------------------------------------

_VS_MODES = ("fan_in", "fan_out", "fan_avg")
_VS_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


def _check_layout(layout: Any) -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    return layout


class VarianceScaling(_Seeded):
    """Samples with variance ``scale / n`` (``keras.initializers.VarianceScaling``).

    ``n`` is fan_in, fan_out or their mean (`mode`), at least 1, with fans read from
    the shape by the Keras rule ``(*kernel, in, out)``.  ``truncated_normal`` draws
    N(0, s**2) cut at ``±2 s`` with ``s = sqrt(scale / n) / 0.87962566103423978`` (the
    standard deviation of a standard normal truncated to [-2, 2]);
    ``untruncated_normal`` uses ``s = sqrt(scale / n)``; ``uniform`` draws
    U(-l, l) with ``l = sqrt(3 scale / n)``.  The fill is
    :func:`initfill.variance_scaling_`.

    Parameters
    ----------
    scale : float
        Positive scaling factor (the square of a gain).
    mode : {"fan_in", "fan_out", "fan_avg"}
        Which fan divides the scale.
    distribution : {"truncated_normal", "untruncated_normal", "uniform"}
        The distribution.
    seed : int or None
        See :class:`RandomNormal`.
    layout : {"keras", "torch", "jax"}, keyword-only
        How fans are read from the shape (an initfill extension; see
        :func:`initfill.compute_fans`).  It appears in :meth:`get_config` only when
        it is not ``"keras"``, so Keras configs round-trip unchanged.

    Raises
    ------
    ValueError
        Non-positive scale, or an unknown mode, distribution or layout.
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None, *,
                 layout: str = "keras") -> None:
        super().__init__(seed)
        self.scale = finite("scale", scale)
        if self.scale <= 0:
            raise ValueError(f"scale must be positive, got {self.scale}")
        if mode not in _VS_MODES:
            raise ValueError(f"mode must be one of {_VS_MODES}, got {mode!r}")
        if distribution not in _VS_DISTRIBUTIONS:
            raise ValueError(
                f"distribution must be one of {_VS_DISTRIBUTIONS}, got {distribution!r}")
        self.mode = mode
        self.distribution = distribution
        self.layout = _check_layout(layout)

    def fans(self, shape: int | Sequence[int]) -> tuple[int, int]:
        """Return ``(fan_in, fan_out)`` of `shape` under this object's layout.

        Parameters
        ----------
        shape : int or sequence of int
            A weight shape.

        Returns
        -------
        fan_in, fan_out : int
        """
        return compute_fans(_check_shape(shape), self.layout)

    def _fill(self, arr: np.ndarray, generator: Generator | None,
              stream: int | str | None) -> None:
        gen, s = self._source(generator, stream)
        _init.variance_scaling_(arr, self.scale, self.mode, self.distribution,
                                layout=self.layout, generator=gen, stream=s)

    def get_config(self) -> dict[str, Any]:
        config = {"scale": self.scale, "mode": self.mode,
                  "distribution": self.distribution, "seed": self.seed}
        if self.layout != "keras":
            config["layout"] = self.layout
        return config


class _Preset(VarianceScaling):
    _args: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed: int | None = None, *, layout: str = "keras") -> None:
        scale, mode, distribution = self._args
        super().__init__(scale, mode, distribution, seed, layout=layout)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"seed": self.seed}
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
    layout : {"keras", "torch", "jax"}, keyword-only
        See :class:`VarianceScaling`.
    """

    _args = (1.0, "fan_in", "truncated_normal")


# --- matrices -------------------------------------------------------------------------

class Orthogonal(_Seeded):
    """A random orthogonal matrix times `gain` (``keras.initializers.Orthogonal``).

    The shape is flattened to ``(prod(shape[:-1]), shape[-1])``, as Keras does.  A
    ``max(rows, cols) x min(rows, cols)`` matrix of standard normal values (drawn by
    initfill, in float64) is factored ``A = QR`` and each column of ``Q`` is
    multiplied by the sign of the matching diagonal entry of ``R``, which makes
    ``Q`` Haar-distributed (uniform over orthogonal matrices; Mezzadri 2007);
    ``Q`` is transposed when there are fewer rows than columns.  So the rows (or
    the columns, whichever are fewer) are orthonormal (Saxe et al. 2014).

    Parameters
    ----------
    gain : float
        Multiplier, finite.
    seed : int or None
        See :class:`RandomNormal`.

    Raises
    ------
    ValueError
        When called on a shape of fewer than 2 dimensions.
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = finite("gain", gain)

    def _fill(self, arr: np.ndarray, generator: Generator | None,
              stream: int | str | None) -> None:
        shape = arr.shape
        if len(shape) < 2:
            raise ValueError(
                f"Orthogonal needs a shape of at least 2 dimensions, got {shape}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        gen, s = self._source(generator, stream)
        a = np.empty((max(rows, cols), min(rows, cols)), np.float64)
        gen.normal_(a, stream=s)
        if a.size == 0:
            return
        q, r = np.linalg.qr(a)
        signs = np.where(np.diagonal(r) < 0, -1.0, 1.0)
        q *= signs
        if rows < cols:
            q = q.T
        arr[...] = (self.gain * q).reshape(shape)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """`gain` times the identity matrix (``keras.initializers.Identity``).

    Parameters
    ----------
    gain : float
        Multiplier, finite.

    Raises
    ------
    ValueError
        When called on a shape that is not 2-D (non-square 2-D shapes get ones on
        the main diagonal, as ``numpy.eye(rows, cols)``).
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = finite("gain", gain)

    def _fill(self, arr: np.ndarray, generator: Generator | None,
              stream: int | str | None) -> None:
        if arr.ndim != 2:
            raise ValueError(f"Identity needs a 2-D shape, got {arr.shape}")
        arr[...] = self.gain * np.eye(*arr.shape)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


# --- look-up --------------------------------------------------------------------------

_CLASSES: tuple[type[Initializer], ...] = (
    Constant, Zeros, Ones, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
    GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal,
    Orthogonal, Identity,
)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_BY_NAME: dict[str, type[Initializer]] = {}
for _cls in _CLASSES:
    _BY_NAME[_cls.__name__] = _cls
    _BY_NAME[_snake(_cls.__name__)] = _cls
# Keras's aliases.
_BY_NAME.update({"uniform": RandomUniform, "normal": RandomNormal, "one": Ones,
                 "zero": Zeros, "OrthogonalInitializer": Orthogonal,
                 "IdentityInitializer": Identity})
del _cls


def _known() -> str:
    return ", ".join(sorted(_BY_NAME, key=lambda n: (n[0].isupper(), n)))


def serialize(initializer: Initializer) -> dict[str, Any]:
    """Return ``{"class_name": ..., "config": ...}`` for an initializer object.

    Parameters
    ----------
    initializer : Initializer

    Returns
    -------
    dict
        Accepted by :func:`deserialize` and :func:`get`.
    """
    if not isinstance(initializer, Initializer):
        raise TypeError(
            f"initializer must be an initfill Initializer, got {type(initializer).__name__}")
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}


def deserialize(config: Mapping[str, Any]) -> Initializer:
    """Build an initializer from ``{"class_name": ..., "config": {...}}``.

    Parameters
    ----------
    config : mapping
        ``class_name`` is a class name or any name :func:`get` knows; ``config``
        (optional) the constructor arguments.

    Returns
    -------
    Initializer

    Raises
    ------
    ValueError
        Unknown class name (the message lists the known ones) or a malformed dict.
    """
    if not isinstance(config, Mapping) or "class_name" not in config:
        raise ValueError(
            "config must be a dict with a 'class_name' key (and optionally 'config'), "
            f"got {config!r}")
    name = config["class_name"]
    cls = _BY_NAME.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"unknown initializer class_name {name!r}; known: {_known()}")
    inner = config.get("config") or {}
    if not isinstance(inner, Mapping):
        raise ValueError(f"'config' must be a dict, got {type(inner).__name__}")
    return cls.from_config(inner)


def get(identifier: Any) -> Initializer | Callable[..., Any] | None:
    """Resolve an initializer the way ``keras.initializers.get`` does.

    Parameters
    ----------
    identifier : None, str, dict, Initializer or callable
        - None: returns None;
        - a str: a Keras name (``"glorot_uniform"``, ``"he_normal"``,
          ``"lecun_normal"``, ``"random_normal"``, ``"truncated_normal"``,
          ``"zeros"``, ``"ones"``, ``"orthogonal"``, ``"identity"``, ...), a class
          name (``"GlorotUniform"``) or an alias (``"uniform"``, ``"normal"``,
          ``"zero"``, ``"one"``): a new object with default arguments;
        - a dict ``{"class_name": ..., "config": {...}}``: see :func:`deserialize`;
        - an initializer instance: returned as it is;
        - an initializer class: instantiated with default arguments;
        - any other callable: returned as it is.

    Returns
    -------
    Initializer, callable or None

    Raises
    ------
    ValueError
        For an unknown name or an object that is none of the above; the message
        lists the known names.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier)
        if cls is None:
            raise ValueError(f"unknown initializer {identifier!r}; known: {_known()}")
        return cls()
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"could not interpret initializer identifier {identifier!r}; give a name "
        f"({_known()}), a config dict, an Initializer or a callable")

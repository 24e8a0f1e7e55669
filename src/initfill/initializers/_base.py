"""The base classes of the initializer objects and the constants."""
from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

from .. import _core
from .._core import UNIFORM
from .._functions import default_generator, write_constant
from .._generator import Generator, check_seed, check_stream
from .._params import plan_error, real
from .._target import Target, resolve_target

_T = TypeVar("_T", bound="Initializer")
_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.float16))


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


def _bfloat16() -> np.dtype | None:
    """ml_dtypes' bfloat16, or None when ml_dtypes is not installed."""
    try:
        import ml_dtypes
    except ImportError:
        return None
    return np.dtype(ml_dtypes.bfloat16)


def _check_dtype(dtype: Any) -> np.dtype:
    if dtype is None:
        return np.dtype(np.float32)
    bf16 = _bfloat16() if isinstance(dtype, str) and dtype == "bfloat16" or \
        getattr(dtype, "__name__", None) == "bfloat16" else None
    if bf16 is not None:
        return bf16
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a NumPy dtype or its name, got {dtype!r}") from None
    if dt not in _FLOAT_DTYPES and dt != _bfloat16():
        raise TypeError(f"dtype must be float32, float64, float16 or bfloat16, got {dt.name}")
    return dt


def write_values(target: Target, values: np.ndarray) -> None:
    """Write float `values` (of `target`'s shape) into `target`: half outputs get the
    float32 of each value rounded to nearest even, as every half fill rounds."""
    arr = target.array
    if target.code in (_core.FLOAT16, _core.BFLOAT16):
        f32 = np.ascontiguousarray(values, np.float32).ravel()
        bits = np.empty(f32.shape, np.uint16)
        _core.round_half(f32, bits, target.code)
        arr.view(np.uint16)[...] = bits.reshape(arr.shape)
    else:
        arr[...] = values
    target.tell_written()


def checked_params(dist: int, names: tuple[str, ...], values: tuple[Any, ...]
                   ) -> tuple[float, ...]:
    """`values` as floats, checked by C's rules for `dist` (as for a float64 output)
    when the object is made, so a bad argument fails at construction, as in Keras."""
    params = tuple(real(n, v) for n, v in zip(names, values))
    plan = _core.Plan(dist, _core.FLOAT64, params)
    if plan.status:
        raise plan_error(plan, names, params, _core.FLOAT64)
    return params


class Initializer:
    """Base class of the initializer objects.

    Subclasses implement :meth:`_fill` (write values into a resolved Target);
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
        dtype : {"float32", "float64", "float16", "bfloat16"} or None
            Element type (None means float32, Keras's ``floatx``); ``"bfloat16"``
            returns an ``ml_dtypes.bfloat16`` array (needs ml_dtypes).  Half values
            are those of :meth:`fill_` on a half buffer.

        Returns
        -------
        ndarray
            A new C-contiguous array.

        Raises
        ------
        TypeError
            `shape` is not integral, or `dtype` is not float32/float64/float16/bfloat16.
        ValueError
            A negative dimension, or a shape this initializer does not accept.
        """
        dt = _check_dtype(dtype)
        out = np.empty(_check_shape(shape), dtype=dt)
        self._fill(resolve_target(out, False, "initializer"), None, None)
        return out

    def fill_(self, x: Any, *, generator: Generator | None = None,
              stream: int | str | None = None) -> Any:
        """Fill `x` in place with the values ``self(x.shape, x.dtype)`` returns.

        Parameters
        ----------
        x : ndarray, writable buffer or CPU torch tensor
            float32, float64, float16 or bfloat16 output (NumPy float16,
            ``ml_dtypes.bfloat16``, torch float16/bfloat16 tensors), any shape and
            strides.
        generator : Generator, optional
            Draw from this generator instead of the object's own source (its seed,
            or for ``seed=None`` the seed drawn at construction).
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
        check_stream(stream)  # also where the fill takes none (Constant, zero-size)
        self._fill(resolve_target(x, False, "fill_"), generator, stream)
        return x

    def _fill(self, target: Target, generator: Generator | None,
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
    """An initializer that draws random numbers: the seed and stream logic.

    ``seed=None`` draws a seed once, at construction, from the next stream of
    initfill's default generator (:func:`initfill.manual_seed` makes it
    reproducible), and every call returns the values of that seed: Keras 3's
    semantics.  ``get_config()`` keeps ``"seed": None``, as Keras's does.
    """

    def __init__(self, seed: int | None = None) -> None:
        self.seed = check_seed(seed)
        if self.seed is None:
            word = np.empty(1, np.uint64)
            default_generator().bits_(word)
            self._drawn_seed = int(word[0])
        else:
            self._drawn_seed = self.seed

    def _source(self, generator: Generator | None,
                stream: int | str | None) -> tuple[Generator, int | str | None]:
        if generator is not None:
            return generator, stream
        return Generator(self._drawn_seed), 0

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
        self.value = checked_params(UNIFORM, ("value", "value"), (value, value))[0]

    def _fill(self, target: Target, generator: Generator | None,
              stream: int | str | None) -> None:
        write_constant(target, self.value, "value")

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

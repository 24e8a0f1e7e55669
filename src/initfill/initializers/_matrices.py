"""The matrix initializers: Orthogonal and Identity."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._generator import Generator
from .._params import finite
from .._target import Target
from ._base import Initializer, _Seeded, write_values


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
        self.gain = finite("gain", gain)
        super().__init__(seed)  # last: it draws a seed=None object's seed

    def _fill(self, target: Target, generator: Generator | None,
              stream: int | str | None) -> None:
        arr = target.array
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
        write_values(target, (self.gain * q).reshape(shape))

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

    def _fill(self, target: Target, generator: Generator | None,
              stream: int | str | None) -> None:
        arr = target.array
        if arr.ndim != 2:
            raise ValueError(f"Identity needs a 2-D shape, got {arr.shape}")
        write_values(target, self.gain * np.eye(*arr.shape))

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}

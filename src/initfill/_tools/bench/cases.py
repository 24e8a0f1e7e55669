"""What ``initfill bench`` measures: the operations and dtypes, what one measurement
is (:class:`Case`), and the preallocated buffers the measurements fill
(:class:`Workspace`).

A :class:`Case` is one measurement: an operation on one dtype at one thread count by
one implementation.  Its ``make(ws, n)`` returns the zero-argument callable that is
timed, filling ``n`` elements of the :class:`Workspace`'s preallocated buffers; the
cases of each implementation come from :mod:`.implementations`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["BITS_DTYPE", "DISTRIBUTIONS", "DTYPES", "FLOAT_OF_BITS", "INITIALIZERS", "OPS",
           "Case", "Measurement", "Timed", "Workspace"]

#: dtypes the benchmark knows, with their NumPy storage (bfloat16: raw uint16).
DTYPES: dict[str, np.dtype] = {"float32": np.dtype(np.float32),
                               "float64": np.dtype(np.float64),
                               "float16": np.dtype(np.float16),
                               "bfloat16": np.dtype(np.uint16)}
DISTRIBUTIONS = ("uniform", "normal", "trunc_normal", "bits")
INITIALIZERS = ("xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
                "lecun_normal")
#: Every operation name ``--only`` can select ("fresh": fresh memory).
OPS = DISTRIBUTIONS + INITIALIZERS + ("fresh",)

#: The dtype ``bits`` writes for each float dtype of its width, and back.
BITS_DTYPE = {"float32": "uint32", "float64": "uint64"}
FLOAT_OF_BITS = {u: f for f, u in BITS_DTYPE.items()}

#: The zero-argument call a case times.
Timed = Callable[[], Any]


@dataclass(frozen=True)
class Measurement:
    """What a measurement is of: the fields a :class:`Case` and its result share.

    Attributes
    ----------
    group : str
        ``"fill"`` (into a preallocated, touched buffer), ``"fresh"`` (a new buffer
        per call) or ``"reference"`` (``ndarray.fill``, the store bandwidth).
    op : str
        The operation (one of :data:`OPS`, or ``"store"`` for the reference).
    dtype : str
        The dtype written (``uint32``/``uint64`` for ``bits``).
    threads : int
        initfill's thread count, or torch's; 1 for single-threaded peers.
    impl : str
        ``initfill``, ``numpy``, ``scipy``, ``torch``, ``jax``.
    call : str
        What is called, e.g. ``"Tensor.normal_"``.
    """

    group: str
    op: str
    dtype: str
    threads: int
    impl: str
    call: str


@dataclass(frozen=True)
class Case(Measurement):
    """One measurement to make: a :class:`Measurement` and how to make it.

    Attributes
    ----------
    make : callable
        ``make(ws, n) -> fn``: the timed zero-argument call on ``n`` elements.
    note : str
        E.g. "allocates its result", "XLA's own threads".
    """

    make: Callable[[Workspace, int], Timed] = field(compare=False, repr=False)
    note: str = ""

    @property
    def label(self) -> str:
        """A one-line description for progress messages."""
        t = f"{self.threads} thread" + ("s" if self.threads > 1 else "")
        return f"{self.op} {self.dtype} {t}: {self.impl} {self.call}"


class Workspace:
    """Preallocated buffers of ``size`` elements, one per dtype, touched once.

    NumPy buffers are shared by initfill, NumPy and SciPy; torch gets its own tensors
    (allocated on first use, zeroed once) so that bfloat16 needs no conversion.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._np: dict[str, np.ndarray] = {}
        self._torch: dict[str, Any] = {}
        self._pools: dict[int, Any] = {}

    def pool(self, threads: int) -> Any:
        """A ``ThreadPoolExecutor`` of ``threads`` workers, kept until :meth:`close`."""
        if threads not in self._pools:
            from concurrent.futures import ThreadPoolExecutor

            self._pools[threads] = ThreadPoolExecutor(threads)
        return self._pools[threads]

    def close(self) -> None:
        """Shut the thread pools down and drop the buffers."""
        for p in self._pools.values():
            p.shutdown()
        self._pools.clear()
        self._np.clear()
        self._torch.clear()

    def array(self, dtype: str, n: int, shape: tuple[int, ...] | None = None) -> np.ndarray:
        """The first ``n`` elements of the ``dtype`` buffer (its storage dtype), shaped."""
        base = dtype if dtype in DTYPES else FLOAT_OF_BITS[dtype]
        buf = self._np.get(base)
        if buf is None:
            buf = np.empty(self.size, DTYPES[base])
            buf.fill(0)
            self._np[base] = buf
        out = buf[:n]
        if dtype in FLOAT_OF_BITS:
            out = out.view(dtype)
        return out.reshape(shape) if shape is not None else out

    def tensor(self, dtype: str, n: int, shape: tuple[int, ...] | None = None) -> Any:
        """The first ``n`` elements of the torch buffer of ``dtype``, shaped."""
        import torch

        t = self._torch.get(dtype)
        if t is None:
            t = torch.zeros(self.size, dtype=getattr(torch, dtype))
            self._torch[dtype] = t
        out = t[:n]
        return out.view(shape) if shape is not None else out


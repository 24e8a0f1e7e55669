"""The Generator: a seed, a stream counter, and the four fills."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from . import _core
from ._core import BITS, NORMAL, TRUNC_NORMAL, UNIFORM
from ._params import integer, plan_error, real
from ._buffers import is_dtensor
from ._target import Target, resolve_target

_NAMED_STREAM_BIT = 1 << 63


def check_seed(seed: Any) -> int | None:
    """``seed`` as an int in ``[0, 2**64)``, or None; TypeError/ValueError otherwise."""
    if seed is None:
        return None
    s = integer("seed", seed, "an int or None")
    if not 0 <= s < 1 << 64:
        raise ValueError(f"seed must be in [0, 2**64), got {s}")
    return s


def stream_id(stream: int | str) -> int:
    """Return the 64-bit stream number of an int or a parameter name.

    Parameters
    ----------
    stream : int or str
        An int in ``[0, 2**64)`` is used as it is.  A str (e.g. a parameter name
        such as ``"layers.3.mlp.weight"``) is hashed with BLAKE2b to 63 bits and the
        top bit set, so named streams never meet the counter streams a Generator
        hands out.  The hash is the same on every platform, process and Python
        version (unlike the built-in ``hash``).

    Returns
    -------
    int
        The stream number.
    """
    if isinstance(stream, str):
        try:
            name = stream.encode("utf-8")
        except UnicodeEncodeError as e:
            raise ValueError(
                f"stream must be an int or a str that UTF-8 can encode, got a str with "
                f"{e.reason} at position {e.start} (a lone surrogate?)"
            ) from None
        digest = hashlib.blake2b(name, digest_size=8).digest()
        return int.from_bytes(digest, "little") | _NAMED_STREAM_BIT
    s = integer("stream", stream, "an int or a str")
    if not 0 <= s < 1 << 64:
        raise ValueError(f"stream must be in [0, 2**64), got {s}")
    return s


def _from_state(state: dict[str, int]) -> Generator:
    """Unpickle a Generator (module-level, so that pickles name a stable function)."""
    return Generator.from_state(state)


def check_stream(stream: int | str | None) -> int | None:
    """``stream`` as :func:`stream_id` gives it, or None; for the fills that write
    nothing (zero-size outputs) but check their arguments all the same."""
    return None if stream is None else stream_id(stream)


class Generator:
    """A seed and a stream counter: the source of every initfill fill.

    Every value written is a pure function of ``(seed, stream, global element index)``,
    computed with the counter-based Philox4x32-10 generator.  Each fill call uses the
    next stream of the counter unless ``stream=`` is given, so successive tensors differ
    and a program's whole initialization is reproducible from its seed.  The values do
    not depend on the number of threads, the memory layout of the output, or whether a
    tensor is filled whole or one block at a time (``global_shape=``, ``offset=``).
    A ``torch.distributed`` DTensor is filled on each rank in its local shard, with
    that shard's values of the whole fill, from one stream taken on every rank
    (empty shards too); a ``Partial`` placement is a ValueError, ``global_shape=``
    or ``offset=`` with a DTensor a TypeError.

    Parameters
    ----------
    seed : int or None
        A seed in ``[0, 2**64)``.  None draws one from the operating system; read it
        back from :attr:`seed` to reproduce the run.
    next_stream : int or str, optional
        The stream of the first fill without ``stream=`` (default 0); later fills
        count up from it.  A str is hashed as by :func:`stream_id`, which gives a
        generator whose fills follow from one parameter name.

    A generator can be saved and restored: :attr:`state` and :meth:`from_state`,
    ``pickle``, ``copy.copy``/``copy.deepcopy`` (an independent generator at the same
    next stream) and an ``eval``-able ``repr``.

    Examples
    --------
    >>> import numpy as np, initfill
    >>> g = initfill.Generator(42)
    >>> w = g.normal_(np.empty((256, 128), np.float32), std=0.02)
    >>> b = g.uniform_(np.empty(256), low=-0.1, high=0.1)
    >>> shard = g.normal_(np.empty((128, 128), np.float32), stream=0,
    ...                   global_shape=(256, 128), offset=(128, 0), std=0.02)
    >>> bool((shard == w[128:]).all())
    True
    """

    def __init__(self, seed: int | None = None, *, next_stream: int | str = 0) -> None:
        s = check_seed(seed)
        self._streams = _core.Streams(stream_id(next_stream),
                                      secrets.randbits(64) if s is None else s)

    @property
    def seed(self) -> int:
        """The 64-bit seed."""
        return self._streams.seed

    @property
    def next_stream(self) -> int:
        """The stream the next fill without ``stream=`` will use."""
        return self._streams.next

    def __repr__(self) -> str:
        # eval-able with ``import initfill`` (a spent counter reads next_stream=2**64,
        # which the constructor refuses: such a generator cannot fill any more).
        return f"initfill.Generator(seed={self.seed}, next_stream={self._streams.next})"

    @property
    def state(self) -> dict[str, int]:
        """What restores this generator: ``{"seed", "next_stream", "algorithm_version"}``.

        A plain dict of ints (JSON- and pickle-safe).  :meth:`from_state` rebuilds a
        generator whose next fills use the same streams, so a checkpointed run that
        saves ``g.state`` and restores it continues with the values it would have drawn.
        """
        return {"seed": self.seed, "next_stream": self._streams.next,
                "algorithm_version": _core.ALGORITHM_VERSION}

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Generator:
        """Rebuild a generator from :attr:`state`.

        Parameters
        ----------
        state : mapping
            ``{"seed": int, "next_stream": int, "algorithm_version": int}``.

        Returns
        -------
        Generator
            A new generator with that seed and next stream.

        Raises
        ------
        ValueError
            A state of another algorithm version (its values would differ), missing
            or unknown keys, or a seed/stream out of range.
        TypeError
            A `state` that is not a mapping, or non-integer entries.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"state must be a dict, got {type(state).__name__}")
        keys = {"seed", "next_stream", "algorithm_version"}
        if set(state) != keys:
            raise ValueError(f"state must have exactly the keys {sorted(keys)}, "
                             f"got {sorted(map(str, state))}")
        version = integer("state['algorithm_version']", state["algorithm_version"])
        if version != _core.ALGORITHM_VERSION:
            raise ValueError(
                f"state['algorithm_version'] is {version}, but this initfill draws with "
                f"algorithm version {_core.ALGORITHM_VERSION}: its values would differ")
        seed = check_seed(integer("state['seed']", state["seed"]))
        nxt = integer("state['next_stream']", state["next_stream"])
        if not 0 <= nxt <= 1 << 64:
            raise ValueError(f"state['next_stream'] must be in [0, 2**64], got {nxt}")
        g = cls.__new__(cls)
        g._streams = _core.Streams(nxt, seed)
        return g

    @classmethod
    def _seeded_at_first_fill(cls, seed_source: Callable[[], int]) -> Generator:
        """A generator whose seed is ``seed_source()``, called once, when a fill that
        passed its checks first needs it (or :attr:`seed` is read): a refused fill
        draws nothing.  initfill.torch derives such generators from torch's."""
        g = cls.__new__(cls)
        g._streams = _core.Streams(0, None, seed_source)
        return g

    def __reduce__(self) -> tuple[Any, tuple[dict[str, int]]]:
        # Pickled (and copied) through its state: the C counter is not picklable alone.
        return (_from_state, (self.state,))

    def __copy__(self) -> Generator:
        return Generator.from_state(self.state)

    def __deepcopy__(self, memo: dict[int, Any]) -> Generator:
        return Generator.from_state(self.state)

    def take_stream(self, stream: int | str | None = None) -> int:
        """Return the stream of a fill, advancing the counter when it is the next one.

        Parameters
        ----------
        stream : int or str, optional
            A stream given explicitly (returned as :func:`stream_id` gives it; the
            counter does not move).  None takes :attr:`next_stream` and advances the
            counter by one, atomically, as a fill without ``stream=`` does.

        Returns
        -------
        int
            The 64-bit stream number.
        """
        if stream is not None:
            return stream_id(stream)
        return self._streams.take()

    def _filled_fast(self, x: Any, dist: int, params: tuple[float, ...], what: str) -> bool:
        """Fill `x` whole with the next stream in one C call if the fast path applies.

        It declines (False: nothing written, no stream taken) whenever the general
        path has anything to check, convert or report; an error of the fill itself
        is raised.
        """
        st = _core.fill_fast(self._streams, x, dist, params)
        if st > 0:
            raise ValueError(f"{what}: {_core.status_message(st)}")
        return st == 0

    def _fill(self, x, dist, params, names, what, stream, global_shape, offset, dtype):
        if (stream is None and global_shape is None and offset is None and dtype is None
                and self._filled_fast(x, dist, params, what)):
            return x
        if is_dtensor(x):
            return _fill_dtensor(self, x, dist, params, names, what, stream, global_shape,
                                 offset, dtype)
        target = resolve_target(x, dist == BITS, what, dtype, global_shape, offset)
        return self._fill_target(target, dist, params, names, what, stream)

    def _fill_target(self, target: Target, dist: int, params: tuple[float, ...],
                     names: tuple[str, ...], what: str,
                     stream: int | str | None = None) -> Any:
        """Fill an already resolved `target` (the fills of initfill's other modules
        resolve it themselves, once, to read its global shape).

        C validates `params` (named `names` in messages) and prepares the plan; the
        stream is taken only once nothing can fail any more.  Returns
        ``target.source``.
        """
        if (stream is None and target.gstrides is None and target.array is target.source
                and self._filled_fast(target.array, dist, params, what)):
            return target.source
        plan = _core.Plan(dist, target.code, params)
        if plan.status:
            raise plan_error(plan, names, params, target.code)
        s = self.take_stream(stream)
        try:
            status = _core.fill(target.array, plan, self._streams.seed, s, target.gstrides,
                                target.gbase)
        except KeyboardInterrupt:  # a long fill stopped between parts: partly written
            target.tell_written()
            raise
        if status:
            raise ValueError(f"{what}: {_core.status_message(status)}")
        target.tell_written()
        return target.source

    def uniform_(self, x, low=0.0, high=1.0, *, stream=None, global_shape=None,
                 offset=None, dtype=None):
        """Fill `x` in place with uniform values in ``[low, high)`` (``low`` when equal).

        Parameters
        ----------
        x : ndarray, writable buffer, CPU torch tensor or DLPack object
            float32, float64, float16 or bfloat16 output, any shape and strides,
            filled in place (no copy).  bfloat16: an ``ml_dtypes.bfloat16`` array, a
            torch bfloat16 tensor, or raw uint16 words with ``dtype="bfloat16"``.
            Half values are the float32 values of the same elements rounded to
            nearest even, kept inside the bounds in the half type.
        low, high : float
            Bounds; ``low <= high``, both finite and representable in the dtype.
            Values lie in ``[low, high)`` for ``low < high``: no value equals ``high``
            after rounding.  ``low == high`` fills ``low`` (as torch does), the same in
            :func:`initfill.uniform_` and :func:`initfill.torch.uniform_`.
        stream : int or str, optional
            Stream to use instead of the next counter stream; the counter does not
            advance.  A str is hashed (see :func:`initfill.stream_id`).
        global_shape, offset : tuple of int, optional
            `x` is the block ``[o0:o0+x.shape[0], ...]`` of a logical tensor of
            `global_shape`; its values equal that slice of a whole fill.
        dtype : dtype-like, optional
            Element type when `x` is a raw byte buffer.

        Returns
        -------
        x
            The same object, filled.

        Raises
        ------
        TypeError
            Unsupported object, dtype or byte order, or a non-real parameter.
        ValueError
            Read-only or misaligned buffer, ``low > high``, non-finite bounds, bad
            `global_shape`/`offset`.  Nothing is written when an error is raised.
        """
        return self._fill(x, UNIFORM, (real("low", low), real("high", high)),
                          ("low", "high"), "uniform_", stream, global_shape, offset, dtype)

    def normal_(self, x, mean=0.0, std=1.0, *, stream=None, global_shape=None,
                offset=None, dtype=None):
        """Fill `x` in place with normal values N(`mean`, `std`**2).

        Box-Muller on Philox words with initfill's own log and sin/cos polynomials,
        so the values are the same on every platform and SIMD level.

        Parameters
        ----------
        x : ndarray or writable buffer
            Output of any float dtype, as in :meth:`uniform_`.
        mean : float
            Mean, finite.
        std : float
            Standard deviation, finite and ``>= 0``.
        stream, global_shape, offset, dtype
            As in :meth:`uniform_`.

        Returns
        -------
        x
            The same object, filled.

        Raises
        ------
        TypeError, ValueError
            As in :meth:`uniform_`; ValueError also for ``std < 0`` or a `mean`/`std`
            that overflows the dtype.
        """
        return self._fill(x, NORMAL, (real("mean", mean), real("std", std)),
                          ("mean", "std"), "normal_", stream, global_shape, offset, dtype)

    def trunc_normal_(self, x, mean=0.0, std=1.0, a=-2.0, b=2.0, *, stream=None,
                      global_shape=None, offset=None, dtype=None):
        """Fill `x` in place with N(`mean`, `std`**2) truncated to ``[a, b]``.

        `a` and `b` are absolute bounds, as in ``torch.nn.init.trunc_normal_``.
        Rejection-free inverse CDF (Wichura's AS241 in float64) of a uniform in
        ``(Phi(alpha), Phi(beta))``, computed in the tail nearer to the interval;
        an asymptotic tail inversion beyond 30 standard deviations; uniform for
        intervals across which the density is flat to 1e-9.  Every value lies in
        ``[a, b]`` after rounding to the output dtype.

        Parameters
        ----------
        x : ndarray or writable buffer
            Output of any float dtype, as in :meth:`uniform_`.
        mean : float
            Mean of the parent normal, finite.
        std : float
            Standard deviation of the parent normal, finite and ``> 0``.
        a, b : float
            Bounds with ``a < b``; ``a = -inf`` and ``b = inf`` are allowed.  At
            least one value of the dtype must lie in ``[a, b]``.
        stream, global_shape, offset, dtype
            As in :meth:`uniform_`.

        Returns
        -------
        x
            The same object, filled.

        Raises
        ------
        TypeError, ValueError
            As in :meth:`uniform_`; ValueError also for ``std <= 0``, ``a >= b``,
            NaN bounds, or bounds that no value of the dtype fits between.
        """
        params = (real("mean", mean), real("std", std), real("a", a), real("b", b))
        return self._fill(x, TRUNC_NORMAL, params, ("mean", "std", "a", "b"),
                          "trunc_normal_", stream, global_shape, offset, dtype)

    def bits_(self, x, *, stream=None, global_shape=None, offset=None, dtype=None):
        """Fill `x` in place with the raw words of the generator.

        Element ``i`` of a uint32 output is word ``i % 4`` of Philox block ``i // 4``;
        element ``i`` of a uint64 output joins words ``2(i % 2)`` (low half) and
        ``2(i % 2) + 1`` (high half) of block ``i // 2``.  The counter of block ``k``
        of stream ``s`` is ``(k mod 2**32, k >> 32, s mod 2**32, s >> 32)`` and the key
        ``(seed mod 2**32, seed >> 32)``.

        Parameters
        ----------
        x : ndarray, writable buffer, CPU torch tensor or DLPack object
            uint32 or uint64 output, any shape and strides.
        stream, global_shape, offset, dtype
            As in :meth:`uniform_`.

        Returns
        -------
        x
            The same object, filled.
        """
        return self._fill(x, BITS, (), (), "bits_", stream, global_shape, offset, dtype)


def _fill_dtensor(generator: Generator, x: Any, dist: int, params: tuple[float, ...],
                  names: tuple[str, ...], what: str, stream: int | str | None,
                  global_shape: Any, offset: Any, dtype: Any) -> Any:
    """A fill of a DTensor: each rank fills the blocks of its local shard with their
    values of the whole logical tensor (:mod:`initfill.torch._dtensor`)."""
    if global_shape is not None or offset is not None:
        raise TypeError(
            f"{what}: x is a DTensor, which knows its own global shape and its shard's "
            f"offsets: fill it without global_shape= and offset= (or fill its local "
            f"tensor x.to_local() with them)")
    from .torch._dtensor import fill_dtensor  # torch is imported: x is a DTensor
    return fill_dtensor(generator, x, dist, params, names, what, stream, dtype)

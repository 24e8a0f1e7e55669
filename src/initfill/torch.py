"""``initfill.torch``: a drop-in for ``torch.nn.init`` on CPU tensors, ``patch()``, and
whole-model initialization (:func:`init_module_`).

Every function of ``torch.nn.init`` is here with the same signature, defaults, return
value, gain table, fan rules, warnings and errors.  On CPU tensors of float32, float64,
float16 and bfloat16 the random ones fill in place with initfill's threaded,
counter-based kernels; their values follow the same distributions as torch's (in
law, not bit for bit).  Everything else is handed to ``torch.nn.init`` unchanged:

- tensors that are not on the CPU (CUDA, meta, ...), other dtypes, tensor subclasses
  that override ``__torch_function__``;
- arguments initfill does not sample from (non-finite or non-real parameters,
  ``a > b``, ``std < 0``, values that overflow a half type), so that the result or
  the error is torch's own.

The functions without randomness (``constant_``, ``ones_``, ``zeros_``, ``eye_``,
``dirac_``) are torch's.

Generators
----------
``generator=`` takes an :class:`initfill.Generator` (its next stream is used).  A
``torch.Generator`` is accepted too: one 63-bit integer is drawn from it (so it
advances exactly as after one ``random_()`` of a single element) and seeds an
initfill Generator whose stream 0 fills the tensor; the same torch seed therefore
gives the same values.  Without ``generator=`` the generator of the innermost active
:func:`patch` is used, else initfill's default generator (:func:`initfill.manual_seed`).
``torch.manual_seed`` does not affect initfill.

This module imports torch; ``import initfill`` does not.
"""
from __future__ import annotations

import contextlib
import fnmatch
import math
import numbers
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.init as _tinit
from torch import Tensor, nn

from initfill import _core
from initfill._buffers import BFLOAT16, FLOAT16, FLOAT32, FLOAT64
from initfill._fans import calculate_gain as _calculate_gain
from initfill._fans import compute_fans, kaiming_mode, xavier_std
from initfill._generator import NORMAL, UNIFORM, Generator, stream_id
from initfill._functions import default_generator

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "ones_",
    "zeros_",
    "eye_",
    "dirac_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
    "sparse_",
    "uniform",
    "normal",
    "constant",
    "eye",
    "dirac",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "orthogonal",
    "sparse",
    "patch",
    "init_module_",
    "generator_from_torch",
]

# torch's own functions, captured at import: the fallback, and what patch() restores.
_PUBLIC = ("calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_",
           "zeros_", "eye_", "dirac_", "xavier_uniform_", "xavier_normal_",
           "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_")
_DEPRECATED = ("uniform", "normal", "constant", "eye", "dirac", "xavier_uniform",
               "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse")
_TORCH = {name: getattr(_tinit, name) for name in _PUBLIC + _DEPRECATED}

_CODES = {torch.float32: FLOAT32, torch.float64: FLOAT64, torch.float16: FLOAT16,
          torch.bfloat16: BFLOAT16}
_PLAIN_TYPES = (torch.Tensor, nn.Parameter)

_active: list[Generator] = []  # generators of the active patch() contexts, innermost last


# --------------------------------------------------------------------- helpers

def _code(tensor: Any) -> int | None:
    """initfill's dtype code when initfill fills `tensor` itself, else None."""
    if not isinstance(tensor, torch.Tensor):
        return None
    if tensor.device.type != "cpu" or tensor.layout != torch.strided:
        return None
    if type(tensor) not in _PLAIN_TYPES and torch.overrides.has_torch_function_variadic(tensor):
        return None
    return _CODES.get(tensor.dtype)


def generator_from_torch(generator: torch.Generator) -> Generator:
    """Derive an initfill Generator from a ``torch.Generator``.

    One integer in ``[0, 2**63)`` is drawn from `generator` (advancing it as one
    ``random_()`` of a single int64 element does) and becomes the seed.

    Parameters
    ----------
    generator : torch.Generator
        Any torch generator (CPU or device).

    Returns
    -------
    Generator
        A fresh initfill Generator seeded from `generator`.
    """
    x = torch.empty((), dtype=torch.int64, device=generator.device)
    x.random_(generator=generator)
    return Generator(int(x.item()))


def _gen(generator: Any) -> Generator:
    if generator is None:
        return _active[-1] if _active else default_generator()
    if isinstance(generator, Generator):
        return generator
    if isinstance(generator, torch.Generator):
        return generator_from_torch(generator)
    raise TypeError(
        f"generator must be an initfill.Generator, a torch.Generator or None, "
        f"got {type(generator).__name__}"
    )


def _torch_gen(tensor: Any, generator: Any) -> torch.Generator | None:
    """The generator to give torch when a call falls back to it."""
    if generator is None or isinstance(generator, torch.Generator):
        return generator
    if isinstance(generator, Generator) and isinstance(tensor, torch.Tensor) \
            and tensor.device.type != "meta":
        # Reproducible from the initfill generator: seed a torch generator from it.
        s = generator.take_stream()
        tg = torch.Generator(device=tensor.device)
        tg.manual_seed((generator.seed ^ (s * 0x9E3779B97F4A7C15)) % (1 << 63))
        return tg
    if isinstance(generator, Generator):
        return None  # meta tensors draw nothing
    return generator  # not a generator at all: torch raises its own TypeError


def _real(*values: Any) -> bool:
    return all(isinstance(v, numbers.Real) for v in values)


def _ok(dist: int, code: int, params: tuple) -> bool:
    if not _real(*params):
        return False
    try:
        params = tuple(float(p) for p in params)
    except (TypeError, ValueError, OverflowError):
        return False
    if not all(math.isfinite(p) for p in params[:2]):
        return False
    return _core.Plan(dist, code, params).status == 0


# ------------------------------------------------------------- the drop-ins

def calculate_gain(nonlinearity: str, param: int | float | None = None) -> float:
    """Return the recommended gain value for the given nonlinearity function.

    The same table and errors as ``torch.nn.init.calculate_gain``: linear, conv*,
    sigmoid 1; tanh 5/3; relu sqrt(2); leaky_relu sqrt(2 / (1 + slope**2)) with slope
    `param` (default 0.01); selu 3/4.

    Parameters
    ----------
    nonlinearity : str
        The non-linear function (``nn.functional`` name).
    param : int or float, optional
        Negative slope of ``leaky_relu``.

    Returns
    -------
    float
        The gain.

    Raises
    ------
    ValueError
        For an unknown nonlinearity or a `param` that is not a number.
    """
    return _calculate_gain(nonlinearity, param)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: Generator | torch.Generator | None = None) -> Tensor:
    """Fill the input Tensor with values drawn from the uniform distribution U(a, b).

    Values lie in ``[a, b)`` after rounding to the tensor's dtype.

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor, filled in place.
    a, b : float
        The lower and upper bound.
    generator : initfill.Generator or torch.Generator, optional
        Source of randomness (see the module docstring).

    Returns
    -------
    torch.Tensor
        `tensor`.
    """
    code = _code(tensor)
    if code is None or not _ok(UNIFORM, code, (a, b)):
        return _TORCH["uniform_"](tensor, a, b, generator=_torch_gen(tensor, generator))
    return _gen(generator).uniform_(tensor, float(a), float(b))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Generator | torch.Generator | None = None) -> Tensor:
    """Fill the input Tensor with values drawn from the normal distribution N(mean, std**2).

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor, filled in place.
    mean, std : float
        Mean and standard deviation.
    generator : initfill.Generator or torch.Generator, optional
        Source of randomness.

    Returns
    -------
    torch.Tensor
        `tensor`.
    """
    code = _code(tensor)
    if code is None or not _ok(NORMAL, code, (mean, std)):
        return _TORCH["normal_"](tensor, mean, std, generator=_torch_gen(tensor, generator))
    return _gen(generator).normal_(tensor, float(mean), float(std))


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0,
                  generator: Generator | torch.Generator | None = None) -> Tensor:
    """Fill the input Tensor with values drawn from a truncated normal distribution.

    N(mean, std**2) restricted to the absolute bounds ``[a, b]``, sampled without
    rejection (inverse CDF); no value lies outside ``[a, b]`` after rounding to the
    tensor's dtype (torch's own sampler may round a bfloat16 value past a bound).
    As torch, warns when `mean` is more than 2 std from ``[a, b]``.

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor, filled in place.
    mean, std : float
        Parameters of the parent normal.
    a, b : float
        The minimum and maximum cutoff values.
    generator : initfill.Generator or torch.Generator, optional
        Source of randomness.

    Returns
    -------
    torch.Tensor
        `tensor`.

    Raises
    ------
    ValueError
        When no value of the tensor's dtype lies in ``[a, b]``.
    """
    code = _code(tensor)
    if code is None or not _real(mean, std, a, b) or any(
            math.isnan(float(v)) for v in (mean, std, a, b)):
        return _TORCH["trunc_normal_"](tensor, mean, std, a, b,
                                       generator=_torch_gen(tensor, generator))
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )
    # torch computes these first, so std == 0 raises ZeroDivisionError as there.
    _ = ((b - mean) / std, (a - mean) / std)
    if not (std > 0 and a < b and math.isfinite(mean) and math.isfinite(std)):
        # a == b fills a; a > b and std < 0 are torch's to answer.
        return _TORCH["trunc_normal_"](tensor, mean, std, a, b,
                                       generator=_torch_gen(tensor, generator))
    return _gen(generator).trunc_normal_(tensor, float(mean), float(std), float(a), float(b))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill the input Tensor with the value `val` (``torch.nn.init.constant_``).

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor.
    val : float
        The value.

    Returns
    -------
    torch.Tensor
        `tensor`.
    """
    return _TORCH["constant_"](tensor, val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill the input Tensor with the scalar value 1 (``torch.nn.init.ones_``).

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor.

    Returns
    -------
    torch.Tensor
        `tensor`.
    """
    return _TORCH["ones_"](tensor)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill the input Tensor with the scalar value 0 (``torch.nn.init.zeros_``).

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor.

    Returns
    -------
    torch.Tensor
        `tensor`.
    """
    return _TORCH["zeros_"](tensor)


def eye_(tensor: Tensor) -> Tensor:
    """Fill the 2-dimensional input Tensor with the identity matrix (``torch.nn.init.eye_``).

    Parameters
    ----------
    tensor : torch.Tensor
        A 2-dimensional tensor.

    Returns
    -------
    torch.Tensor
        `tensor`.
    """
    return _TORCH["eye_"](tensor)


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill the {3, 4, 5}-dimensional input Tensor with the Dirac delta (``torch.nn.init.dirac_``).

    Parameters
    ----------
    tensor : torch.Tensor
        A {3, 4, 5}-dimensional tensor.
    groups : int
        Number of groups in the conv layer.

    Returns
    -------
    torch.Tensor
        `tensor`.
    """
    return _TORCH["dirac_"](tensor, groups)


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    return compute_fans(tuple(tensor.shape), "torch")


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = kaiming_mode(mode)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def xavier_uniform_(tensor: Tensor, gain: float = 1.0,
                    generator: Generator | torch.Generator | None = None) -> Tensor:
    """Fill the input Tensor with a Xavier (Glorot) uniform distribution.

    U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``; Glorot & Bengio (2010).
    Fans from ``(out, in, *kernel)``.

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor, n >= 2.
    gain : float
        An optional scaling factor.
    generator : initfill.Generator or torch.Generator, optional
        Source of randomness.

    Returns
    -------
    torch.Tensor
        `tensor`.

    Raises
    ------
    ValueError
        For a tensor with fewer than 2 dimensions.
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = xavier_std(fan_in, fan_out, gain)
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0,
                   generator: Generator | torch.Generator | None = None) -> Tensor:
    """Fill the input Tensor with a Xavier (Glorot) normal distribution.

    N(0, std**2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``, untruncated.

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor, n >= 2.
    gain : float
        An optional scaling factor.
    generator : initfill.Generator or torch.Generator, optional
        Source of randomness.

    Returns
    -------
    torch.Tensor
        `tensor`.
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = xavier_std(fan_in, fan_out, gain)
    return normal_(tensor, 0.0, std, generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    return gain / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     generator: Generator | torch.Generator | None = None) -> Tensor:
    """Fill the input Tensor with a Kaiming (He) uniform distribution.

    U(-bound, bound) with ``bound = gain * sqrt(3 / fan_mode)``; He et al. (2015).
    ``nn.Linear`` and ``nn.Conv*`` use ``a = sqrt(5)``.

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor, n >= 2.
    a : float
        Negative slope of the rectifier used after this layer (``leaky_relu`` only).
    mode : {"fan_in", "fan_out"}
        Which fan preserves the variance.
    nonlinearity : str
        The non-linear function (``nn.functional`` name).
    generator : initfill.Generator or torch.Generator, optional
        Source of randomness.

    Returns
    -------
    torch.Tensor
        `tensor`.

    Warns
    -----
    UserWarning
        On a zero-element tensor, which is left as it is.
    """
    if _code(tensor) is None:
        return _TORCH["kaiming_uniform_"](tensor, a, mode, nonlinearity,
                                          generator=_torch_gen(tensor, generator))
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: Generator | torch.Generator | None = None) -> Tensor:
    """Fill the input Tensor with a Kaiming (He) normal distribution.

    N(0, std**2) with ``std = gain / sqrt(fan_mode)``, untruncated.

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor, n >= 2.
    a, mode, nonlinearity
        See :func:`kaiming_uniform_`.
    generator : initfill.Generator or torch.Generator, optional
        Source of randomness.

    Returns
    -------
    torch.Tensor
        `tensor`.

    Warns
    -----
    UserWarning
        On a zero-element tensor, which is left as it is.
    """
    if _code(tensor) is None:
        return _TORCH["kaiming_normal_"](tensor, a, mode, nonlinearity,
                                         generator=_torch_gen(tensor, generator))
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    return normal_(tensor, 0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def orthogonal_(tensor: Tensor, gain: float = 1,
                generator: Generator | torch.Generator | None = None) -> Tensor:
    """Fill the input Tensor with a (semi) orthogonal matrix; Saxe et al. (2013).

    The Q factor of the QR decomposition of a standard normal matrix (drawn by
    initfill), with the signs of R's diagonal folded in (Mezzadri 2007), times
    `gain`; trailing dimensions are flattened.

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor, n >= 2.
    gain : float
        Optional scaling factor.
    generator : initfill.Generator or torch.Generator, optional
        Source of randomness.

    Returns
    -------
    torch.Tensor
        `tensor`.
    """
    if _code(tensor) is None:
        return _TORCH["orthogonal_"](tensor, gain, generator=_torch_gen(tensor, generator))
    if tensor.ndimension() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    flattened = tensor.new_empty((rows, cols))
    _gen(generator).normal_(flattened, 0.0, 1.0)
    if rows < cols:
        flattened.t_()
    q, r = torch.linalg.qr(flattened)
    d = torch.diag(r, 0)
    ph = d.sign()
    q *= ph
    if rows < cols:
        q.t_()
    with torch.no_grad():
        tensor.view_as(q).copy_(q)
        tensor.mul_(gain)
    return tensor


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01,
            generator: Generator | torch.Generator | None = None) -> Tensor:
    """Fill the 2-D input Tensor as a sparse matrix; Martens (2010).

    Non-zero elements from N(0, std**2); in each column ``ceil(sparsity * rows)``
    elements, chosen uniformly at random (by initfill, so reproducibly), are zero.

    Parameters
    ----------
    tensor : torch.Tensor
        A 2-dimensional tensor.
    sparsity : float
        The fraction of elements in each column to be set to zero.
    std : float
        Standard deviation of the non-zero values.
    generator : initfill.Generator or torch.Generator, optional
        Source of randomness.

    Returns
    -------
    torch.Tensor
        `tensor`.
    """
    if _code(tensor) is None:
        return _TORCH["sparse_"](tensor, sparsity, std, generator=_torch_gen(tensor, generator))
    if tensor.ndimension() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    g = _gen(generator)
    normal_(tensor, 0, std, g)
    if num_zeros > 0 and cols > 0:
        keys = g.bits_(np.empty((cols, rows), np.uint64))
        zero_rows = np.argsort(keys, axis=1, kind="stable")[:, :num_zeros]
        col_idx = np.broadcast_to(np.arange(cols)[:, None], zero_rows.shape)
        with torch.no_grad():
            tensor[torch.from_numpy(zero_rows.reshape(-1)),
                   torch.from_numpy(np.ascontiguousarray(col_idx).reshape(-1))] = 0
    return tensor


def _make_deprecate(meth: Callable[..., Any]) -> Callable[..., Any]:
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
            FutureWarning,
            stacklevel=2,
        )
        return meth(*args, **kwargs)

    deprecated_init.__doc__ = (f"{old_name}(...)\n\n    Deprecated alias of "
                               f":func:`{new_name}` (warns FutureWarning).")
    deprecated_init.__name__ = old_name
    deprecated_init.__qualname__ = old_name
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)

_OURS = {name: globals()[name] for name in _PUBLIC + _DEPRECATED}


# ----------------------------------------------------------------- patch()

_patch_lock = threading.RLock()
_patch_depth = 0
_saved: list[tuple[Any, str, Any]] = []  # (module, attribute, torch's object)


# torch modules already scanned for by-name copies of torch.nn.init functions, and
# the attributes found: scanning sys.modules costs ~10 ms, so each module is read once.
_scanned: dict[str, list[str]] = {}


def _install() -> None:
    """Replace torch.nn.init's functions, and the copies other torch modules imported
    by name (``from torch.nn.init import xavier_uniform_``), with ours."""
    originals = {id(obj): name for name, obj in _TORCH.items()}
    targets: list[tuple[Any, str, Any]] = []
    for name in _PUBLIC + _DEPRECATED:
        targets.append((_tinit, name, getattr(_tinit, name)))
    for modname, mod in list(sys.modules.items()):
        if mod is None or mod is _tinit or not modname.startswith("torch."):
            continue
        attrs = _scanned.get(modname)
        if attrs is None:
            d = getattr(mod, "__dict__", None)
            attrs = []
            if isinstance(d, dict):
                for attr, obj in list(d.items()):
                    orig = originals.get(id(obj))
                    if orig is not None and obj is _TORCH[orig] and attr == orig:
                        attrs.append(attr)
            _scanned[modname] = attrs
        for attr in attrs:
            obj = getattr(mod, attr, None)
            if obj is _TORCH[attr]:
                targets.append((mod, attr, obj))
    done: list[tuple[Any, str, Any]] = []
    try:
        for mod, attr, obj in targets:
            setattr(mod, attr, _OURS[attr])
            done.append((mod, attr, obj))
    except BaseException:
        for mod, attr, obj in reversed(done):
            setattr(mod, attr, obj)
        raise
    _saved[:] = done


def _uninstall() -> None:
    for mod, attr, obj in reversed(_saved):
        setattr(mod, attr, obj)
    _saved.clear()


class patch(contextlib.ContextDecorator):
    """Route ``torch.nn.init`` through initfill while active (context manager or decorator).

    While active, ``torch.nn.init.<name>`` for every function (and deprecated alias)
    is initfill's drop-in, and so are the copies that torch's own modules imported by
    name (e.g. ``nn.MultiheadAttention``'s ``xavier_uniform_``).  Constructors and
    ``reset_parameters()`` of ``nn.Linear``, ``nn.Conv*``, ``nn.Embedding``, ... and any
    code calling ``nn.init.*`` then fill CPU tensors with initfill.  On exit (also on
    an exception) every replaced attribute gets back the very object it had.  Nested
    and repeated use is safe: torch is patched by the outermost active context only.
    Code that bound a function before the patch (``from torch.nn.init import
    normal_`` in a user module) keeps calling torch's.

    Parameters
    ----------
    seed : int, optional
        Seed of a fresh :class:`initfill.Generator` used by calls without
        ``generator=`` while this context is the innermost one; successive fills take
        successive streams, so a model built inside ``patch(seed=0)`` is reproducible.
    generator : initfill.Generator, optional
        Use this generator instead (exclusive with `seed`).  Without either, the
        default generator of initfill (or of an enclosing patch) is used.

    Examples
    --------
    >>> import torch, initfill.torch as it
    >>> with it.patch(seed=0):
    ...     layer = torch.nn.Linear(1024, 1024)
    >>> @it.patch(seed=1)
    ... def build():
    ...     return torch.nn.Conv2d(3, 64, 7)
    """

    def __init__(self, seed: int | None = None, *, generator: Generator | None = None) -> None:
        if seed is not None and generator is not None:
            raise TypeError("give patch() a seed or a generator, not both")
        if generator is not None and not isinstance(generator, Generator):
            raise TypeError(f"generator must be an initfill.Generator, got {type(generator).__name__}")
        self._seed = seed
        self._generator = generator
        if seed is not None:
            Generator(seed)  # validate now

    def __enter__(self) -> patch:
        global _patch_depth
        with _patch_lock:
            if _patch_depth == 0:
                _install()
            _patch_depth += 1
            g = self._generator
            if g is None and self._seed is not None:
                g = Generator(self._seed)
            _active.append(g if g is not None else (_active[-1] if _active else default_generator()))
        return self

    def __exit__(self, *exc: Any) -> None:
        global _patch_depth
        with _patch_lock:
            _active.pop()
            _patch_depth -= 1
            if _patch_depth == 0:
                _uninstall()
        return None

    def _recreate_cm(self) -> patch:
        # A fresh context per decorated call: each call gets its own seeded generator.
        return patch(self._seed, generator=self._generator)


# ------------------------------------------------------------ init_module_

_NORM_TYPES = (nn.LayerNorm, nn.GroupNorm, nn.modules.batchnorm._NormBase,
               getattr(nn, "RMSNorm", nn.LayerNorm))

RESIDUAL_PATTERNS = ("*.o_proj.weight", "*.out_proj.weight", "*.c_proj.weight",
                     "*.down_proj.weight", "*.fc2.weight", "*.w2.weight", "*.wo.weight",
                     "*.dense_4h_to_h.weight")


def _is_norm(m: nn.Module) -> bool:
    return isinstance(m, _NORM_TYPES) or "norm" in type(m).__name__.lower()


def _fan_in_bound(w: Tensor) -> float:
    fan_in, _ = _calculate_fan_in_and_fan_out(w)
    return 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0


def _torch_rules(mod: nn.Module, prefix: str) -> dict[str, tuple] | None:
    """Default init of `mod`'s own parameters as ``{qualified name: rule}``, or None
    for a module type without a known rule.  Rules: ("u", lo, hi), ("n", mean, std),
    ("c", value), ("xu", gain), ("xn", gain), ("emb", padding_idx)."""
    p = prefix + "." if prefix else ""
    own = dict(mod.named_parameters(recurse=False))
    r: dict[str, tuple] = {}
    if isinstance(mod, nn.Linear) or isinstance(mod, nn.modules.conv._ConvNd):
        w = own.get("weight")
        if w is not None and w.numel():
            g = calculate_gain("leaky_relu", math.sqrt(5))
            bound = math.sqrt(3.0) * g / math.sqrt(_calculate_fan_in_and_fan_out(w)[0])
            r[p + "weight"] = ("u", -bound, bound)
        if own.get("bias") is not None and w is not None:
            b = _fan_in_bound(w)
            r[p + "bias"] = ("u", -b, b)
        return r
    if isinstance(mod, (nn.Embedding, nn.EmbeddingBag)):
        if "weight" in own:
            r[p + "weight"] = ("emb", mod.padding_idx)
        return r
    if isinstance(mod, nn.Bilinear):
        bound = 1 / math.sqrt(mod.weight.size(1))
        for name in own:
            r[p + name] = ("u", -bound, bound)
        return r
    if isinstance(mod, nn.modules.rnn.RNNBase) or isinstance(mod, nn.modules.rnn.RNNCellBase):
        stdv = 1.0 / math.sqrt(mod.hidden_size) if mod.hidden_size > 0 else 0
        for name in own:
            r[p + name] = ("u", -stdv, stdv)
        return r
    if _is_norm(mod) and set(own) <= {"weight", "bias"}:
        if "weight" in own:
            r[p + "weight"] = ("c", 1.0)
        if "bias" in own:
            r[p + "bias"] = ("c", 0.0)
        return r
    if isinstance(mod, nn.PReLU):
        r[p + "weight"] = ("c", float(mod.init))
        return r
    if isinstance(mod, nn.MultiheadAttention):
        for name in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight"):
            if own.get(name) is not None:
                r[p + name] = ("xu", 1.0)
        if own.get("in_proj_bias") is not None:
            r[p + "in_proj_bias"] = ("c", 0.0)
            if mod.out_proj.bias is not None:
                r[p + "out_proj.bias"] = ("c", 0.0)
        for name in ("bias_k", "bias_v"):
            if own.get(name) is not None:
                r[p + name] = ("xn", 1.0)
        return r
    if isinstance(mod, nn.Transformer):
        # nn.Transformer re-initializes every matrix of its submodules.
        return {p + n: ("xu", 1.0) for n, t in mod.named_parameters() if t.dim() > 1}
    if not own:
        return {}
    return None


def _apply(rule: tuple, t: Tensor, g: Generator, stream: int) -> None:
    kind = rule[0]
    if kind == "c":
        with torch.no_grad():
            t.fill_(rule[1])
        return
    if kind == "u":
        if rule[1] == rule[2]:
            with torch.no_grad():
                t.fill_(rule[1])
        else:
            g.uniform_(t, rule[1], rule[2], stream=stream)
    elif kind == "n":
        if rule[2] == 0:
            with torch.no_grad():
                t.fill_(rule[1])
        else:
            g.normal_(t, rule[1], rule[2], stream=stream)
    elif kind == "tn":
        g.trunc_normal_(t, rule[1], rule[2], rule[3], rule[4], stream=stream)
    elif kind in ("xu", "xn"):
        std = xavier_std(*_calculate_fan_in_and_fan_out(t), rule[1])
        if kind == "xu":
            g.uniform_(t, -math.sqrt(3.0) * std, math.sqrt(3.0) * std, stream=stream)
        else:
            g.normal_(t, 0.0, std, stream=stream)
    elif kind == "emb":
        g.normal_(t, 0.0, 1.0, stream=stream)
        if rule[1] is not None:
            with torch.no_grad():
                t[rule[1]].fill_(0)
    else:  # pragma: no cover
        raise AssertionError(kind)


def _materialized(name: str, t: Tensor) -> None:
    if t.device.type == "meta":
        raise ValueError(
            f"parameter {name!r} is on the meta device and has no memory; call "
            f"module.to_empty(device='cpu') first, then init_module_"
        )


def _fill_param(rule: tuple, name: str, t: Tensor, g: Generator) -> None:
    stream = stream_id(name)
    if t.device.type == "cpu" and _code(t) is not None:
        _apply(rule, t, g, stream)
        return
    if t.dtype not in _CODES:
        raise TypeError(f"parameter {name!r} has dtype {t.dtype}; init_module_ fills float32, "
                        f"float64, float16 and bfloat16 parameters")
    # A device tensor: fill a CPU twin (same values as on CPU) and copy it over.
    tmp = torch.empty(t.shape, dtype=t.dtype)
    _apply(rule, tmp, g, stream)
    with torch.no_grad():
        t.copy_(tmp)


def init_module_(
    module: nn.Module,
    seed: int = 0,
    scheme: str | Callable[[str, Tensor, Generator], Any] = "torch",
    *,
    std: float = 0.02,
    residual_layers: int | None = None,
    residual_patterns: Sequence[str] = RESIDUAL_PATTERNS,
    buffers: bool = True,
) -> nn.Module:
    """Re-initialize every parameter of `module` in place, reproducibly.

    Each parameter is filled from ``(seed, stream_id(qualified_name))``: its values
    depend only on the seed, its name, shape and dtype, not on construction order,
    on which other parameters exist, on threads or on the device.  Shared (tied)
    parameters are filled once, under their first name.  Works on a model built on the
    meta device once materialized: ``with torch.device("meta"): m = Model()``,
    ``m.to_empty(device="cpu")``, ``init_module_(m, seed=0)``.

    Parameters
    ----------
    module : torch.nn.Module
        The model.  Parameters must not be on the meta device.
    seed : int
        Seed in ``[0, 2**64)``.
    scheme : {"torch", "normal"} or callable
        ``"torch"``: each module type's own default init, as its
        ``reset_parameters()`` would do it: Linear and Conv*
        ``kaiming_uniform_(a=sqrt(5))`` weights and U(±1/sqrt(fan_in)) biases,
        Embedding N(0, 1) with the padding row zeroed, LayerNorm / RMSNorm /
        GroupNorm / BatchNorm (and any module whose class name contains "Norm" with
        only ``weight``/``bias``) ones and zeros, RNN/LSTM/GRU U(±1/sqrt(hidden)),
        Bilinear, PReLU, MultiheadAttention, Transformer.  A module of another type
        with parameters of its own is reset with its ``reset_parameters()`` inside
        :func:`patch` with a generator seeded from `seed` and its name (order-dependent
        within that module only); without one, a RuntimeWarning names the parameters
        left as they are.
        ``"normal"``: N(0, `std`) for every parameter except biases (zeros) and the
        weights of normalization layers (ones); with `residual_layers`, parameters
        whose qualified name matches `residual_patterns` get
        ``std / sqrt(2 * residual_layers)`` (GPT-2).
        A callable ``scheme(name, param, generator)`` fills ``param`` itself, e.g.
        with ``initfill.torch.normal_(param, 0, 0.01, generator=generator)``; the
        generator is fresh per parameter and its first stream is
        ``stream_id(name)``.
    std : float
        Standard deviation of the ``"normal"`` scheme.
    residual_layers : int, optional
        Number of layers for the GPT-2 residual scaling of the ``"normal"`` scheme.
    residual_patterns : sequence of str
        ``fnmatch`` patterns of the residual projections' qualified names.
    buffers : bool
        Also reset the running statistics of batch-norm layers (means 0, variances 1,
        counters 0), which ``to_empty`` leaves uninitialized.

    Returns
    -------
    torch.nn.Module
        `module`.

    Raises
    ------
    ValueError
        For a meta-device parameter or an unknown scheme.
    """
    g = Generator(seed)
    params = list(module.named_parameters())
    for name, t in params:
        _materialized(name, t)

    if callable(scheme) and not isinstance(scheme, str):
        for name, t in params:
            pg = Generator(g.seed, next_stream=name)
            scheme(name, t, pg)
        return module

    if scheme == "normal":
        s = float(std)
        if not (math.isfinite(s) and s >= 0):
            raise ValueError(f"std must be finite and >= 0, got {std}")
        norm_params: set[str] = set()
        for mname, m in module.named_modules():
            if _is_norm(m):
                for pn, _ in m.named_parameters(recurse=False):
                    norm_params.add(f"{mname}.{pn}" if mname else pn)
        scale = 1.0
        if residual_layers is not None:
            if residual_layers < 1:
                raise ValueError(f"residual_layers must be >= 1, got {residual_layers}")
            scale = 1.0 / math.sqrt(2.0 * residual_layers)
        for name, t in params:
            rule: tuple[Any, ...]
            leaf = name.rsplit(".", 1)[-1]
            if name in norm_params:
                rule = ("c", 1.0 if leaf == "weight" else 0.0)
            elif "bias" in leaf:
                rule = ("c", 0.0)
            else:
                sd = s
                if residual_layers is not None and any(
                        fnmatch.fnmatchcase(name, pat) or fnmatch.fnmatchcase("." + name, pat)
                        for pat in residual_patterns):
                    sd = s * scale
                rule = ("n", 0.0, sd)
            _fill_param(rule, name, t, g)
        if buffers:
            _reset_norm_buffers(module)
        return module

    if scheme != "torch":
        raise ValueError(f"scheme must be 'torch', 'normal' or a callable, got {scheme!r}")

    rules: dict[str, tuple] = {}
    unknown: list[tuple[str, nn.Module]] = []
    mods = list(module.named_modules())
    for mname, m in reversed(mods):  # children first: a parent's rule wins
        r = _torch_rules(m, mname)
        if r is None:
            unknown.append((mname, m))
        else:
            rules.update(r)
    for mname, m in unknown:
        own = [f"{mname}.{pn}" if mname else pn for pn, _ in m.named_parameters(recurse=False)]
        reset = getattr(m, "reset_parameters", None) or getattr(m, "_reset_parameters", None)
        if callable(reset):
            with patch(seed=stream_id(f"{g.seed}:{mname}")):
                reset()
        else:
            warnings.warn(
                f"init_module_: no default init known for {type(m).__name__} "
                f"(module {mname!r}); parameters {own} were left as they are",
                RuntimeWarning, stacklevel=2)
        for n in own:
            rules.pop(n, None)
    for name, t in params:
        found = rules.get(name)
        if found is not None:
            _fill_param(found, name, t, g)
    if buffers:
        _reset_norm_buffers(module)
    return module


def _reset_norm_buffers(module: nn.Module) -> None:
    for m in module.modules():
        if isinstance(m, nn.modules.batchnorm._NormBase) and m.track_running_stats:
            if m.running_mean is not None and m.running_mean.device.type != "meta":
                m.reset_running_stats()


"""Which calls initfill fills and which it hands to ``torch.nn.init``, and which
generator each one uses."""
from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import torch
import torch.nn.init as _torch_init
from torch import Tensor, nn
from torch.overrides import has_torch_function_variadic

from initfill import Generator

from ._dtensor import is_dtensor, is_memoryless_wrapper

# torch's own functions, captured at import (before any patch()): where the calls
# initfill does not fill go, and what patch() restores.
TORCH_INIT: dict[str, Callable[..., Any]] = {
    name: getattr(_torch_init, name) for name in _torch_init.__all__
}

_scratch = threading.local()
_CPU_DEFAULT_GENERATOR = torch.default_generator

# What the ``generator=`` of a drop-in takes.
AnyGenerator = Generator | torch.Generator | None

FILLED_DTYPES = frozenset({torch.float32, torch.float64, torch.float16, torch.bfloat16})
_PLAIN_TYPES = (Tensor, nn.Parameter)
_STRIDED = torch.strided

# The generators of the active patch() contexts, innermost last (patch() pushes and
# pops; the drop-ins read the innermost).  None: a patch() without seed or generator,
# whose fills draw from torch's default generator as the drop-ins do outside patch().
patch_generators: list[Generator | None] = []


def initfill_fills(tensor: Any) -> bool:
    """Whether initfill fills `tensor` itself: a dense CPU tensor of float32, float64,
    float16 or bfloat16 that no ``__torch_function__`` override claims, and that torch
    would write to (an inference tensor outside inference mode goes to torch, which
    raises its own RuntimeError; a leaf that requires grad is written, as
    ``torch.nn.init`` writes it under ``no_grad``).  A DTensor on a CPU mesh counts
    (initfill fills its local shard, block by block); other tensor subclasses with
    a ``__torch_dispatch__`` of their own (FakeTensor, ...) go to torch."""
    if type(tensor) not in _PLAIN_TYPES and (
            not isinstance(tensor, Tensor) or has_torch_function_variadic(tensor)
            or (is_memoryless_wrapper(tensor) and not is_dtensor(tensor))):
        return False
    return (tensor.is_cpu and tensor.layout is _STRIDED and tensor.dtype in FILLED_DTYPES
            and not (tensor.is_inference() and not torch.is_inference_mode_enabled()))


def generator_from_torch(generator: torch.Generator) -> Generator:
    """Derive an initfill Generator from a ``torch.Generator``.

    One integer in ``[0, 2**63)`` is drawn from `generator` (advancing it as one
    ``random_()`` of a single int64 element does) and becomes the seed, so the same
    torch seed gives the same initfill values.

    Parameters
    ----------
    generator : torch.Generator
        Any torch generator (CPU or device).

    Returns
    -------
    Generator
        A fresh initfill Generator seeded from `generator`; its stream 0 comes first.
    """
    return Generator(_draw_seed(generator))


def _draw_seed(generator: torch.Generator) -> int:
    """One int in ``[0, 2**63)`` from `generator`, as one ``random_()`` of a single
    int64 element draws it."""
    # (torch's default generator is the CPU one; reading .device.type costs as much
    # again as the draw's bookkeeping, so it is asked only of other generators.)
    if generator is _CPU_DEFAULT_GENERATOR or generator.device.type == "cpu":
        # One scratch scalar per thread: allocating it costs about as much as the
        # draw (torch.manual_seed drives every drop-in call without generator=).
        x = getattr(_scratch, "int64", None)
        if x is None:
            with torch.inference_mode(False):  # usable in and out of inference mode
                x = _scratch.int64 = torch.empty((), dtype=torch.int64)
    else:
        x = torch.empty((), dtype=torch.int64, device=generator.device)
    x.random_(generator=generator)
    return int(x.item())


def explicit_or_torch_default(generator: Any) -> Any:
    """`generator`, or for None the innermost patch()'s generator, else (no seeded
    patch active) ``torch.default_generator``: so ``torch.manual_seed`` drives the
    drop-ins, which draw from it as from a ``torch.Generator`` given explicitly."""
    if generator is not None:
        return generator
    g = patch_generators[-1] if patch_generators else None
    return torch.default_generator if g is None else g


def initfill_generator(generator: Any) -> Generator:
    """The initfill Generator a fill uses for the ``generator=`` argument of a drop-in:
    that Generator, one derived from a ``torch.Generator``, or (None) the innermost
    seeded patch()'s, else one derived from torch's default generator."""
    if generator is None:
        generator = explicit_or_torch_default(None)
    if isinstance(generator, Generator):
        return generator
    if isinstance(generator, torch.Generator):
        # Drawn from only when a fill has passed its checks: a call that goes to
        # torch after all finds `generator` as initfill found it.
        return Generator._seeded_at_first_fill(partial(_draw_seed, generator))
    raise TypeError(
        f"generator must be an initfill.Generator, a torch.Generator or None, "
        f"got {type(generator).__name__}"
    )


def torch_generator(tensor: Any, generator: Any) -> torch.Generator | None:
    """The generator to give torch when a call goes to ``torch.nn.init``.

    An initfill Generator takes one stream and seeds a torch generator with it (so the
    call is reproducible from it), except on the meta device, which draws nothing.
    None, a torch generator, or anything else (torch then raises its own TypeError)
    is passed on as it is.
    """
    if not isinstance(generator, Generator):
        return generator
    if not isinstance(tensor, Tensor) or tensor.device.type == "meta":
        return None
    s = generator.take_stream()
    tg = torch.Generator(device=tensor.device)
    tg.manual_seed((generator.seed ^ (s * 0x9E3779B97F4A7C15)) % (1 << 63))
    return tg


def fill_or_hand_over(fill: Callable[..., Tensor], tensor: Tensor, params: tuple,
                      generator: Any, torch_fill: Callable[..., Tensor],
                      judged_in: torch.dtype | None = None) -> Tensor:
    """Fill `tensor` (one initfill fills, see :func:`initfill_fills`) with the
    Generator method `fill` and the distribution's `params`.

    The Generator is the only one to check `params`.  When it refuses them as values
    of the dtype `judged_in` (default: the tensor's) -- NaN, ``a > b``, ``std < 0``,
    non-real, overflow ... --, the call goes to torch's `torch_fill` with the same
    arguments, so that the result or the error is torch's own; a torch generator is
    then as if initfill had never seen the call.  So does a tensor with torch's lazy
    negative or conjugate bit, which initfill refuses (it would write its memory
    with the wrong sign) and torch's in-place ops fill correctly.  Any other error
    about the tensor itself (e.g. overlapping memory), or about `params` that only
    the tensor's dtype refuses when `judged_in` is another, is initfill's.
    """
    # A torch generator is drawn from only once the fill has passed its checks
    # (initfill_generator), so a call handed to torch finds it untouched.
    generator = explicit_or_torch_default(generator)
    try:
        return fill(initfill_generator(generator), tensor, *params)
    except (TypeError, ValueError):
        if not (tensor.is_neg() or tensor.is_conj()
                or _params_refused(fill, judged_in or tensor.dtype, params)):
            raise
    if bool in map(type, params):  # torch takes bools as numbers: initfill takes them as floats
        return fill_or_hand_over(fill, tensor, tuple(float(p) if type(p) is bool else p
                                                     for p in params),
                                 generator, torch_fill, judged_in)
    return torch_fill(tensor, *params, generator=torch_generator(tensor, generator))


def _params_refused(fill: Callable[..., Tensor], dtype: torch.dtype, params: tuple) -> bool:
    """On the error path only: whether initfill refuses `params` for a one-element
    tensor of `dtype`."""
    try:
        fill(Generator(0), torch.empty(1, dtype=dtype), *params)
    except (TypeError, ValueError):
        return True
    return False

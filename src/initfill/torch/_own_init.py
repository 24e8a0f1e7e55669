"""A module's own init method (``reset_parameters``, or the hook given to
:func:`initfill.torch.init_module_`), run with ``torch.nn.init`` routed through
initfill and every fill of a parameter keyed by that parameter's qualified name."""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch import Tensor, nn

from initfill import Generator, stream_id

from ._dtensor import storage_view
from ._patch import patch

StorageKey = tuple[int, int, tuple[int, ...], tuple[int, ...], torch.dtype]


def storage_key(t: Tensor) -> StorageKey:
    """Where `t`'s elements are: two tensors with the same key are the same memory
    seen the same way (a tied parameter, or ``p.data`` of a parameter ``p``); a
    DTensor's elements are those of its local tensor."""
    t = storage_view(t)
    return (t.untyped_storage().data_ptr(), t.storage_offset(), tuple(t.shape),
            tuple(t.stride()), t.dtype)


def _is_torch_class(cls: type) -> bool:
    return cls.__module__.split(".", 1)[0] == "torch"


def hook_owner(cls: type, hook: str) -> type | None:
    """The class of `cls`'s MRO that defines the method `hook`, or None."""
    for klass in cls.__mro__:
        if hook in vars(klass):
            return klass
    return None


def own_hook_of(module: nn.Module, hook: str) -> Callable[..., Any] | None:
    """`module`'s `hook` when a class that is not torch's defines it (the class
    itself or one between it and the torch class it derives from), else None."""
    owner = hook_owner(type(module), hook)
    if owner is None or owner is nn.Module or _is_torch_class(owner):
        return None
    return getattr(module, hook)


def torch_reset_of(module: nn.Module) -> Callable[..., Any] | None:
    """The ``reset_parameters`` (or ``_reset_parameters``) torch defines for
    `module`'s class, or None."""
    for name in ("reset_parameters", "_reset_parameters"):
        owner = hook_owner(type(module), name)
        if owner is not None and _is_torch_class(owner):
            return getattr(module, name)
    return None


class KeyedGenerator(Generator):
    """A Generator whose fills of a known parameter (any view of its memory that is
    the whole parameter, e.g. ``p`` or ``p.data``) use ``stream_id(its name)``, so
    the values do not depend on the order in which an init method fills them; other
    fills count up from a stream named after the module.  Records which parameters
    it filled."""

    def __init__(self, seed: int, names: Mapping[StorageKey, str], module_name: str) -> None:
        super().__init__(seed, next_stream=f"{module_name}#own-init")
        self._names = names
        self.filled: set[str] = set()

    def _fill(self, x, dist, params, names, what, stream, global_shape, offset, dtype):
        if stream is None and global_shape is None and offset is None \
                and isinstance(x, Tensor):
            name = self._names.get(storage_key(x))
            if name is not None:
                stream = stream_id(name)
                self.filled.add(name)
        return super()._fill(x, dist, params, names, what, stream, global_shape, offset,
                             dtype)


def _takes_a_module(method: Callable[..., Any]) -> bool:
    """HF-style ``_init_weights(self, module)`` (one required argument)."""
    try:
        params = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        return False
    required = [p for p in params if p.default is p.empty
                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(required) == 1


def run_own_init(module: nn.Module, module_name: str, method: Callable[..., Any],
                 seed: int, names: Mapping[StorageKey, str]) -> set[str]:
    """Run `method` (an init method of `module`) inside :func:`patch` with a
    :class:`KeyedGenerator`, under ``no_grad``, and with torch's default generator
    forked and seeded from (`seed`, `module_name`) so that draws of torch's own
    (``p.data.normal_()``) are reproducible too and the caller's torch RNG is left
    as it was.  A method that takes one argument (``_init_weights(module)``) is
    applied to `module` and each of its submodules, children first.  Returns the
    qualified names of the parameters initfill filled."""
    g = KeyedGenerator(seed, names, module_name)
    with torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(stream_id(f"{seed}:{module_name}") & ((1 << 63) - 1))
        with patch(generator=g), torch.no_grad():
            if _takes_a_module(method):
                module.apply(method)
            else:
                method()
    return g.filled

"""``patch()``: route ``torch.nn.init`` (and torch's by-name copies of its functions)
through initfill while active, and put back exactly what was there."""
from __future__ import annotations

import contextlib
import sys
import threading
from typing import Any

import torch.nn.init as _torch_init

from initfill import Generator
from initfill._generator import check_seed

from . import _deprecated, _dropin, _structural
from ._dispatch import TORCH_INIT, patch_generators

# initfill's version of every torch.nn.init function it implements itself (the
# functions without randomness are torch's own objects and need no patching).
DROP_INS: dict[str, Any] = {
    name: getattr(module, name)
    for module in (_dropin, _structural, _deprecated) for name in module.__all__
    if getattr(module, name) is not TORCH_INIT[name]
}

_lock = threading.RLock()
_depth = 0  # number of active patch() contexts
_saved: list[tuple[Any, str, Any]] = []  # (module, attribute, the object it had)

# For each torch module already read: the attributes that are by-name copies of
# torch.nn.init functions.  Scanning sys.modules costs ~10 ms, so each is read once.
_copies: dict[str, list[str]] = {}


def _by_name_copies(modname: str, module: Any) -> list[str]:
    attrs = _copies.get(modname)
    if attrs is None:
        d = getattr(module, "__dict__", None)
        attrs = [attr for attr, obj in list(d.items())
                 if attr in DROP_INS and obj is TORCH_INIT[attr]] if isinstance(d, dict) else []
        _copies[modname] = attrs
    return attrs


def _install() -> None:
    """Replace torch.nn.init's functions, and the copies other torch modules imported
    by name (``from torch.nn.init import xavier_uniform_``), with initfill's."""
    targets = [(_torch_init, name, getattr(_torch_init, name)) for name in DROP_INS]
    for modname, module in list(sys.modules.items()):
        if module is None or module is _torch_init or not modname.startswith("torch."):
            continue
        for attr in _by_name_copies(modname, module):
            obj = getattr(module, attr, None)
            if obj is TORCH_INIT[attr]:
                targets.append((module, attr, obj))
    done: list[tuple[Any, str, Any]] = []
    try:
        for module, attr, obj in targets:
            setattr(module, attr, DROP_INS[attr])
            done.append((module, attr, obj))
    except BaseException:
        _restore(done)
        raise
    _saved[:] = done


def _restore(replaced: list[tuple[Any, str, Any]]) -> None:
    for module, attr, obj in reversed(replaced):
        setattr(module, attr, obj)


class patch(contextlib.ContextDecorator):
    """Route ``torch.nn.init`` through initfill while active (context manager or decorator).

    While active, ``torch.nn.init.<name>`` for every random function (and deprecated
    alias) is initfill's drop-in, and so are the copies that torch's own modules
    imported by name (e.g. ``nn.MultiheadAttention``'s ``xavier_uniform_``).
    Constructors and ``reset_parameters()`` of ``nn.Linear``, ``nn.Conv*``,
    ``nn.Embedding``, ... and any code calling ``nn.init.*`` then fill CPU tensors with
    initfill.  On exit (also on an exception) every replaced attribute gets back the
    very object it had.  Nested and repeated use is safe: torch is patched by the
    outermost active context only.  Code that bound a function before the patch
    (``from torch.nn.init import normal_`` in a user module) keeps calling torch's.

    Parameters
    ----------
    seed : int, optional
        Seed of a fresh :class:`initfill.Generator` used by calls without
        ``generator=`` while this context is the innermost one; successive fills take
        successive streams, so a model built inside ``patch(seed=0)`` is reproducible
        and ignores ``torch.manual_seed``.
    generator : initfill.Generator, optional
        Use this generator instead (exclusive with `seed`).  Without either, the
        generator of an enclosing patch is used, else each fill draws its seed from
        torch's default generator, as the drop-ins do outside patch(): then
        ``torch.manual_seed`` makes the model reproducible.

    Raises
    ------
    TypeError
        For both `seed` and `generator`, or a `generator` that is not an
        :class:`initfill.Generator`.

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
        self._seed = check_seed(seed)
        self._generator = generator

    def __enter__(self) -> patch:
        global _depth
        with _lock:
            if _depth == 0:
                _install()
            _depth += 1
            g = self._generator
            if g is None and self._seed is not None:
                g = Generator(self._seed)
            if g is None and patch_generators:  # an enclosing patch's generator
                g = patch_generators[-1]
            patch_generators.append(g)
        return self

    def __exit__(self, *exc: Any) -> None:
        global _depth
        with _lock:
            patch_generators.pop()
            _depth -= 1
            if _depth == 0:
                _restore(_saved)
                _saved.clear()
        return None

    def _recreate_cm(self) -> patch:
        # A fresh context per decorated call: each call gets its own seeded generator.
        return patch(self._seed, generator=self._generator)

"""``materialize_``: a model built on the meta device, given memory and initialized in
one call, with its tied weights still tied."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn

from initfill import Generator

from ._module_init import check_options, init_module_


def tied_names(module: nn.Module) -> list[list[str]]:
    """The groups of qualified names under which one Parameter object is registered
    more than once, each in ``named_parameters()`` order (first name first)."""
    by_object: dict[int, list[str]] = {}
    for name, p in module.named_parameters(remove_duplicate=False):
        by_object.setdefault(id(p), []).append(name)
    return [names for names in by_object.values() if len(names) > 1]


def _retie(module: nn.Module, groups: list[list[str]]) -> None:
    """Register the Parameter of each group's first name under its other names."""
    for first, *others in groups:
        p = module.get_parameter(first)
        for name in others:
            owner, _, attr = name.rpartition(".")
            setattr(module.get_submodule(owner), attr, p)


def materialize_(
    module: nn.Module,
    device: torch.device | str = "cpu",
    seed: int = 0,
    scheme: str | Callable[[str, Tensor, Generator], Any] = "torch",
    **init_options: Any,
) -> nn.Module:
    """Give a model built on the meta device memory on `device`, then initialize it
    with :func:`init_module_`, keeping its tied weights tied.

    ``module.to_empty()`` alone unties them (torch gives each registration its own
    new Parameter), after which a fill writes the two copies differently.  Here the
    ties are read before the move, restored after it (each alias points again at the
    Parameter of the name that comes first), and each tied group is filled once,
    from that first name.  Buffers other than batch-norm statistics are left as
    ``to_empty`` leaves them (uninitialized): recompute them yourself.

    Parameters
    ----------
    module : torch.nn.Module
        The model, on the meta device (parameters already elsewhere are moved too,
        as ``to_empty`` moves them, and re-initialized).
    device : torch.device or str
        Where the memory goes.
    seed : int
        Seed in ``[0, 2**64)`` (see :func:`init_module_`).
    scheme : {"torch", "normal"} or callable
        See :func:`init_module_`.
    **init_options
        The keyword arguments of :func:`init_module_` (``std``,
        ``residual_layers``, ``residual_patterns``, ``buffers``, ``hook``).

    Returns
    -------
    torch.nn.Module
        `module`, materialized and initialized.

    Raises
    ------
    ValueError, TypeError
        As :func:`init_module_`; the seed, scheme and hook are checked before any
        memory is allocated.

    Examples
    --------
    >>> import torch, initfill.torch as it
    >>> with torch.device("meta"):
    ...     m = torch.nn.Sequential(torch.nn.Embedding(10, 4), torch.nn.Linear(4, 10))
    >>> m[1].weight = m[0].weight                       # tie the head to the embedding
    >>> _ = it.materialize_(m, device="cpu", seed=0)
    >>> m[1].weight is m[0].weight
    True
    """
    check_options(seed, scheme, init_options.get("hook", "reset_parameters"))
    groups = tied_names(module)
    module.to_empty(device=device)
    _retie(module, groups)
    return init_module_(module, seed, scheme, **init_options)

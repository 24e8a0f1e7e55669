"""The deprecated aliases of ``torch.nn.init`` (``normal`` for ``normal_``, ...): each
warns a FutureWarning with torch's message, then calls the drop-in."""
from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from . import _dropin, _structural
from ._dispatch import TORCH_INIT

__all__ = ["uniform", "normal", "constant", "eye", "dirac", "xavier_uniform",
           "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse"]


def _deprecated_alias(new: Callable[..., Any]) -> Callable[..., Any]:
    new_name = new.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
            FutureWarning,
            stacklevel=2,
        )
        return new(*args, **kwargs)

    deprecated_init.__doc__ = (f"{old_name}(...)\n\n    Deprecated alias of "
                               f":func:`{new_name}` (warns FutureWarning).")
    deprecated_init.__name__ = old_name
    deprecated_init.__qualname__ = old_name
    return deprecated_init


uniform = _deprecated_alias(_dropin.uniform_)
normal = _deprecated_alias(_dropin.normal_)
xavier_uniform = _deprecated_alias(_dropin.xavier_uniform_)
xavier_normal = _deprecated_alias(_dropin.xavier_normal_)
kaiming_uniform = _deprecated_alias(_dropin.kaiming_uniform_)
kaiming_normal = _deprecated_alias(_dropin.kaiming_normal_)
orthogonal = _deprecated_alias(_structural.orthogonal_)
sparse = _deprecated_alias(_structural.sparse_)
# Aliases of torch's own functions are torch's own aliases.
constant = TORCH_INIT["constant"]
eye = TORCH_INIT["eye"]
dirac = TORCH_INIT["dirac"]

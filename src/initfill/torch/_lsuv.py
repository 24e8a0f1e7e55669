"""``lsuv_``: layer-sequential unit-variance initialization (Mishkin & Matas 2016, "All
you need is a good init", ICLR): an orthonormal (or variance-scaled) init, then each
layer's weight rescaled, in forward order, until its output std on a batch is 1."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from initfill import Generator

from ._dropin import kaiming_normal_, kaiming_uniform_
from ._forward import Batch, buffers_kept, check_batch, check_layer_types, check_model, \
    RecordSequence, first_tensor
from ._structural import orthogonal_, zeros_

__all__ = ["LSUVLayer", "LSUVResult", "lsuv_"]

LSUV_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)
_SCHEMES = ("orthogonal", "torch", "normal")


@dataclass(frozen=True)
class LSUVLayer:
    """How :func:`lsuv_` scaled one layer.

    Attributes
    ----------
    name, type : str
        Qualified name and class name of the module.
    scale : float
        The factor the initial weight was multiplied by (the product of the steps).
    iterations : int
        Number of rescaling steps (0: the initial weight was already within `tol`).
    std : float
        The output std on the batch after the last step.
    converged : bool
        Whether `std` is within `tol` of the target.
    """

    name: str
    type: str
    scale: float
    iterations: int
    std: float
    converged: bool


@dataclass(frozen=True)
class LSUVResult(RecordSequence):
    """The result of :func:`lsuv_`: one :class:`LSUVLayer` per layer, in forward order;
    `unused` names the matching layers the forward never called (initialized, not
    scaled)."""

    records: tuple[LSUVLayer, ...]
    unused: tuple[str, ...]


    @property
    def scales(self) -> dict[str, float]:
        """``{name: scale}`` in forward order."""
        return {r.name: r.scale for r in self.records}

    @property
    def iterations(self) -> dict[str, int]:
        """``{name: iterations}`` in forward order."""
        return {r.name: r.iterations for r in self.records}

    def columns(self) -> dict[str, list[Any]]:
        """The records as columns: ``{"name": [...], "type": [...], "scale": [...], ...}``."""
        keys = ("name", "type", "scale", "iterations", "std", "converged")
        return {k: [getattr(r, k) for r in self.records] for k in keys}


class _Reached(Exception):
    """Stops the forward once the layer being scaled has produced its output."""


def lsuv_(
    model: nn.Module,
    batch: Batch,
    *,
    seed: int = 0,
    tol: float = 0.1,
    max_iter: int = 10,
    scheme: str = "orthogonal",
    target_std: float = 1.0,
    layers: type | tuple[type, ...] = LSUV_LAYERS,
) -> LSUVResult:
    """Layer-sequential unit-variance init (LSUV; Mishkin & Matas 2016), in place.

    Every module of the types in `layers` gets its ``weight`` filled by `scheme` from
    ``Generator(seed, next_stream=qualified_name + ".weight")`` (so its values depend
    on the seed and its name only) and its ``bias`` zeroed.  Then the layers are
    taken in the order the forward calls them: while the std of a layer's output on
    `batch` is not within `tol` of `target_std` (relatively: ``|std / target_std - 1|
    <= tol``) and fewer than `max_iter` steps were taken, its weight is multiplied by
    ``target_std / std``.  Each measurement runs the forward only up to that layer.

    Everything runs under :func:`torch.no_grad` in the model's current mode; no
    gradient, ``grad_fn`` or hook is left behind, and the buffers (BatchNorm running
    statistics, ``num_batches_tracked``), the other parameters and torch's CPU random
    state are as before.  Dropout in train mode draws from torch's CPU generator
    seeded from `seed`.
    The result is deterministic for a given seed, model and batch (bit for bit on one
    machine and thread count).  float32, float64 and bfloat16/float16 models on the
    CPU (the reduced types are initialized through a float32 copy).

    Parameters
    ----------
    model : torch.nn.Module
        The model; no parameter or buffer on the meta device.
    batch : torch.Tensor or tuple of torch.Tensor
        The forward's input(s): ``model(batch)`` or ``model(*batch)``.
    seed : int
        Seed in ``[0, 2**64)``.
    tol : float
        Relative tolerance on the output std, > 0.
    max_iter : int
        Most rescaling steps per layer, >= 0 (0: initialize only).
    scheme : {"orthogonal", "torch", "normal"}
        The initial weights: orthogonal (:func:`orthogonal_`, gain 1, as in the
        paper), torch's default for Linear/Conv (``kaiming_uniform_(a=sqrt(5))``), or
        variance-scaled normal N(0, 1/fan_in) (``kaiming_normal_`` with a linear gain).
    target_std : float
        The output std to reach, > 0.
    layers : type or tuple of type
        The module classes to initialize and scale; each needs a ``weight`` of >= 2
        dimensions.

    Returns
    -------
    LSUVResult
        Per layer: the scale, the number of steps, the final std, whether it converged.

    Raises
    ------
    TypeError
        `model` is not a module, `batch` not a tensor or tuple of tensors, `layers`
        not module classes, `max_iter` not an int.
    ValueError
        The model or the batch is on the meta device; no module matches `layers`; a
        matching module has no weight of >= 2 dimensions; `scheme` is unknown; `tol`
        or `target_std` is not positive and finite; `max_iter` < 0; a layer's output
        std is 0 or not finite on the batch (nothing to scale).

    Warns
    -----
    RuntimeWarning
        A layer's std is still not within `tol` after `max_iter` steps.
    """
    caller = "lsuv_"
    check_model(model, caller)
    args = check_batch(batch, caller)
    types = check_layer_types(layers, caller)
    if scheme not in _SCHEMES:
        raise ValueError(f"{caller}: scheme must be one of {', '.join(map(repr, _SCHEMES))}, "
                         f"got {scheme!r}")
    for arg, v in (("tol", tol), ("target_std", target_std)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise ValueError(f"{caller}: {arg} must be a positive finite number, got {v!r}")
    if not isinstance(max_iter, int) or isinstance(max_iter, bool):
        raise TypeError(f"{caller}: max_iter must be an int, got {type(max_iter).__name__}")
    if max_iter < 0:
        raise ValueError(f"{caller}: max_iter must be >= 0, got {max_iter}")
    chosen = [(n, m) for n, m in model.named_modules() if isinstance(m, types)]
    if not chosen:
        raise ValueError(f"{caller}: model has no module of the types {types}")
    for n, m in chosen:
        w = getattr(m, "weight", None)
        if not isinstance(w, Tensor) or w.dim() < 2:
            raise ValueError(f"{caller}: module {n!r} ({type(m).__name__}) has no weight "
                             f"of 2 or more dimensions to initialize")

    # dropout in train mode draws from torch's CPU generator: from a seed derived from
    # `seed` (and put back afterwards), so that the result depends on `seed` alone
    word = Generator(seed, next_stream="lsuv.torch_cpu_seed").bits_(np.empty(1, np.uint64))
    cpu_seed = int(word[0]) >> 1
    with torch.no_grad(), buffers_kept(model, cpu_seed=cpu_seed):
        order = _forward_order(model, args, chosen)  # a batch the model refuses: no write yet
        for n, m in chosen:
            _initialize(m.weight, scheme, Generator(seed, next_stream=f"{n}.weight"))
            if isinstance(getattr(m, "bias", None), Tensor):
                zeros_(m.bias)
        records = [_scale_layer(model, args, n, m, tol, max_iter, float(target_std))
                   for n, m in order]
    called = {n for n, _ in order}
    return LSUVResult(tuple(records), tuple(n for n, _ in chosen if n not in called))


def _initialize(w: Tensor, scheme: str, g: Generator) -> None:
    """Fill `w` by `scheme`; reduced float types through a float32 copy (torch's QR does
    not take them)."""
    wide = w.dtype in (torch.float32, torch.float64)
    target = w if wide else torch.empty(w.shape, dtype=torch.float32)
    if scheme == "orthogonal":
        orthogonal_(target, generator=g)
    elif scheme == "torch":
        kaiming_uniform_(target, a=math.sqrt(5), generator=g)
    else:
        kaiming_normal_(target, nonlinearity="linear", generator=g)
    if target is not w:
        w.copy_(target)


def _forward_order(model: nn.Module, args: tuple[Tensor, ...],
                   chosen: list[tuple[str, nn.Module]]) -> list[tuple[str, nn.Module]]:
    """The chosen modules in the order of their first call in a forward."""
    order: list[tuple[str, nn.Module]] = []
    done: set[str] = set()

    def hook_for(name: str, module: nn.Module) -> Any:
        def hook(*_: Any) -> None:
            if name not in done:
                done.add(name)
                order.append((name, module))
        return hook

    handles = [m.register_forward_hook(hook_for(n, m)) for n, m in chosen]
    try:
        model(*args)
    finally:
        for h in handles:
            h.remove()
    return order


def _output_std(model: nn.Module, args: tuple[Tensor, ...], name: str,
                module: nn.Module) -> float:
    """The std of `module`'s output (its first call) on the batch."""
    got: list[float] = []

    def hook(_m: nn.Module, _i: Any, output: Any) -> None:
        out = first_tensor(output)
        if out is None:
            raise TypeError(f"lsuv_: module {name!r} returned no tensor")
        got.append(float(out.double().std(correction=0)))
        raise _Reached

    handle = module.register_forward_hook(hook)
    try:
        model(*args)
    except _Reached:
        pass
    finally:
        handle.remove()
    return got[0]


def _scale_layer(model: nn.Module, args: tuple[Tensor, ...], name: str, module: nn.Module,
                 tol: float, max_iter: int, target: float) -> LSUVLayer:
    w = module.weight
    scale, steps = 1.0, 0
    std = _output_std(model, args, name, module)
    while True:
        if not (math.isfinite(std) and std > 0):
            raise ValueError(f"lsuv_: the output of layer {name!r} has std {std} on the "
                             f"batch; it cannot be scaled to {target}")
        if abs(std / target - 1.0) <= tol or steps == max_iter:
            break
        factor = target / std
        w.mul_(factor)
        scale *= factor
        steps += 1
        std = _output_std(model, args, name, module)
    converged = abs(std / target - 1.0) <= tol
    if not converged:
        warnings.warn(f"lsuv_: layer {name!r} output std {std:.4g} after {steps} steps, "
                      f"not within tol={tol} of {target}", RuntimeWarning, stacklevel=3)
    return LSUVLayer(name, type(module).__name__, scale, steps, std, converged)

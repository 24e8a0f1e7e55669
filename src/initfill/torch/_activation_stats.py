"""``activation_stats``: per-layer statistics of one forward (and backward) pass of a
torch model on a batch -- how the signal and the gradients grow or vanish with depth."""
from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import torch
from torch import Tensor, nn

from ._forward import Batch, buffers_kept, check_batch, check_layer_types, check_model, \
    RecordSequence, first_tensor

__all__ = ["ActivationStats", "LayerStats", "activation_stats"]


@dataclass(frozen=True)
class LayerStats:
    """The statistics of one layer's output on a batch.

    Attributes
    ----------
    name : str
        The module's qualified name (``""`` for the model itself); a module called more
        than once gets ``name#2``, ``name#3`` ... for its later calls.
    type : str
        The module's class name.
    mean, std : float
        Mean and standard deviation (over all elements, ``correction=0``) of the output.
    zero_fraction : float
        Fraction of the output's elements that are exactly 0.
    saturated_fraction : float
        Fraction with ``|x| >= saturation`` (see :func:`activation_stats`).
    grad_std : float
        Std of the gradient of the loss with respect to the output; NaN without a
        backward pass or when the output does not reach the loss.
    weight_grad_std : float
        Std of the gradient with respect to the module's ``weight``; NaN as above, or
        without a ``weight`` that requires a gradient.
    """

    name: str
    type: str
    mean: float
    std: float
    zero_fraction: float
    saturated_fraction: float
    grad_std: float
    weight_grad_std: float


_COLUMNS = tuple(f.name for f in fields(LayerStats))


@dataclass(frozen=True)
class ActivationStats(RecordSequence):
    """The result of :func:`activation_stats`: one :class:`LayerStats` per layer call,
    in forward order.

    Iterating, ``len()`` and indexing go over :attr:`records`; :meth:`columns` gives a
    dict of columns (no pandas needed: ``pandas.DataFrame(stats.columns())`` makes one);
    :meth:`format` a text table; :meth:`plot` a figure.
    """

    records: tuple[LayerStats, ...]
    loss: float
    saturation: float


    def columns(self) -> dict[str, list[Any]]:
        """The table as columns: ``{"name": [...], "type": [...], "mean": [...], ...}``."""
        return {c: [getattr(r, c) for r in self.records] for c in _COLUMNS}

    def format(self) -> str:
        """The table as text, one line per layer."""
        head = ("layer", "name", "type", "mean", "std", "zeros", "saturated",
                "grad std", "weight grad std")
        rows = [(str(i + 1), r.name or "(model)", r.type, _fmt(r.mean), _fmt(r.std),
                 f"{r.zero_fraction:.3f}", f"{r.saturated_fraction:.3f}",
                 _fmt(r.grad_std), _fmt(r.weight_grad_std))
                for i, r in enumerate(self.records)]
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
        left = {1, 2}
        return "\n".join(
            "  ".join(c.ljust(w) if i in left else c.rjust(w)
                      for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
            for cells in (head, *rows))

    def __str__(self) -> str:
        return self.format()

    def plot(self, path: str | os.PathLike[str], *, title: str | None = None) -> None:
        """Write the std of the outputs, of their gradients and of the weight gradients
        against depth (log scale) to `path`; its suffix picks the format (``.png``).

        Zero or NaN values cannot be drawn on a log scale and are left out.

        Raises
        ------
        ImportError
            matplotlib is not installed (the message says ``pip install matplotlib``).
        OSError
            The file cannot be written.
        """
        try:
            from matplotlib.figure import Figure
        except ImportError:
            raise ImportError("ActivationStats.plot needs matplotlib, which is not "
                              "installed: pip install matplotlib") from None
        fig = Figure(figsize=(13, 4.2), layout="constrained")
        depth = list(range(1, len(self.records) + 1))
        for ax, (field, label) in zip(fig.subplots(1, 3), (
                ("std", "outputs  std"), ("grad_std", "output gradients  std"),
                ("weight_grad_std", "weight gradients  std"))):
            v = [getattr(r, field) for r in self.records]
            ax.plot(depth, [x if math.isfinite(x) and x > 0 else math.nan for x in v],
                    marker="o", markersize=3)
            ax.set_yscale("log")
            ax.set_xlabel("layer (forward order)")
            ax.xaxis.get_major_locator().set_params(integer=True)
            ax.set_title(label, fontsize=10)
            ax.grid(True, which="major", alpha=0.3)
        fig.suptitle(title or f"activation statistics, {len(self.records)} layers", fontsize=11)
        fig.savefig(path, dpi=110)


def _fmt(v: float) -> str:
    if v == 0 or not math.isfinite(v):
        return str(v) if v != 0 else "0"
    return f"{v:.3g}" if 1e-3 <= abs(v) < 1e4 else f"{v:.2e}"


def _std(t: Tensor | None) -> float:
    if t is None or t.numel() == 0:
        return math.nan
    return float(t.detach().double().std(correction=0))


def activation_stats(
    model: nn.Module,
    batch: Batch,
    *,
    layers: type | tuple[type, ...] | None = None,
    backward: bool = True,
    loss: Callable[[Any], Tensor] | None = None,
    saturation: float = 3.0,
) -> ActivationStats:
    """Per-layer statistics of one forward (and backward) pass of `model` on `batch`.

    Forward hooks on every leaf module that has parameters of its own (or every module
    of the types in `layers`) record the mean and std of its output and the fractions
    of zero and saturated elements; with `backward`, the gradients of a scalar loss
    with respect to each output and each ``weight`` are taken with
    :func:`torch.autograd.grad`, so no ``.grad`` is touched.  The model runs in its
    current mode (``train()`` or ``eval()``); afterwards -- also when the forward
    raises -- the hooks are removed and the parameters, the buffers (BatchNorm running
    statistics and ``num_batches_tracked`` included), the mode and torch's CPU random
    state (which dropout draws from) are exactly as before.

    Parameters
    ----------
    model : torch.nn.Module
        The model; no parameter or buffer on the meta device.
    batch : torch.Tensor or tuple of torch.Tensor
        The forward's input(s): ``model(batch)`` or ``model(*batch)``.
    layers : type or tuple of type, optional
        Module classes to watch (default: every leaf module with parameters).
    backward : bool
        Also take the gradients.
    loss : callable, optional
        ``loss(output) -> scalar tensor`` (default: the mean square of the output,
        which must then be a tensor).
    saturation : float
        An element counts as saturated when ``|x| >= saturation``; the default 3 is
        where tanh is within 0.5% of ±1 and sigmoid within 5% of 0 or 1 (for the
        inputs of such activations: the outputs of Linear/Conv layers).

    Returns
    -------
    ActivationStats
        One record per layer call, in forward order.

    Raises
    ------
    TypeError
        `model` is not a module, `batch` not a tensor or tuple of tensors, `layers` not
        module classes, `loss` not callable or not giving a scalar tensor.
    ValueError
        The model or the batch is on the meta device, no module matches `layers`, or
        `saturation` is not a positive number.
    """
    caller = "activation_stats"
    check_model(model, caller)
    args = check_batch(batch, caller)
    if loss is not None and not callable(loss):
        raise TypeError(f"{caller}: loss must be callable or None, got {type(loss).__name__}")
    if not (isinstance(saturation, (int, float)) and saturation > 0 and math.isfinite(saturation)):
        raise ValueError(f"{caller}: saturation must be a positive number, got {saturation!r}")
    if layers is None:
        watched = [(n, m) for n, m in model.named_modules()
                   if next(m.children(), None) is None
                   and next(m.parameters(recurse=False), None) is not None]
    else:
        types = check_layer_types(layers, caller)
        watched = [(n, m) for n, m in model.named_modules() if isinstance(m, types)]
    if not watched:
        raise ValueError(f"{caller}: model has no module to watch (layers={layers!r})")

    seen: list[tuple[str, nn.Module, Tensor]] = []
    forward: list[tuple[float, float, float, float]] = []
    calls: dict[str, int] = {}

    def hook_for(name: str) -> Callable[..., None]:
        def hook(module: nn.Module, inputs: Any, output: Any) -> None:
            out = first_tensor(output)
            if out is None:
                return
            calls[name] = calls.get(name, 0) + 1
            seen.append((name if calls[name] == 1 else f"{name}#{calls[name]}", module, out))
            # now, before a later in-place op (ReLU(inplace=True)) changes the output
            forward.append(_forward_stats(out, saturation))
        return hook

    handles = [m.register_forward_hook(hook_for(n)) for n, m in watched]
    try:
        with buffers_kept(model), torch.set_grad_enabled(backward):
            output = model(*args)
            loss_value, grads = math.nan, None
            if backward:
                value = (loss(output) if loss is not None else _mean_square(output, caller))
                if not isinstance(value, Tensor) or value.numel() != 1:
                    raise TypeError(f"{caller}: loss must give a scalar tensor, got "
                                    f"{type(value).__name__}")
                loss_value = float(value.detach())
                grads = _gradients(value, seen)
    finally:
        for h in handles:
            h.remove()
    records = [
        LayerStats(name=name, type=type(module).__name__, mean=mean, std=std,
                   zero_fraction=zeros, saturated_fraction=saturated,
                   grad_std=_std(grads[0][i]) if grads else math.nan,
                   weight_grad_std=_std(grads[1][i]) if grads else math.nan)
        for i, ((name, module, _), (mean, std, zeros, saturated))
        in enumerate(zip(seen, forward))]
    return ActivationStats(tuple(records), loss_value, float(saturation))


def _forward_stats(out: Tensor, saturation: float) -> tuple[float, float, float, float]:
    """Mean, std, fraction of zeros and of saturated elements of a layer's output."""
    if out.numel() == 0:
        return math.nan, math.nan, math.nan, math.nan
    o = out.detach().double()
    return (float(o.mean()), float(o.std(correction=0)), float((o == 0).double().mean()),
            float((o.abs() >= saturation).double().mean()))


def _mean_square(output: Any, caller: str) -> Tensor:
    if not isinstance(output, Tensor):
        raise TypeError(f"{caller}: the model returned {type(output).__name__}, not a tensor; "
                        f"pass loss=callable(output) -> scalar tensor")
    return output.float().pow(2).mean()


def _gradients(value: Tensor, seen: list[tuple[str, nn.Module, Tensor]]
               ) -> tuple[list[Tensor | None], list[Tensor | None]]:
    """The gradients of `value` with respect to each recorded output and each recorded
    module's weight (None where it does not depend on it)."""
    if not value.requires_grad:
        return [None] * len(seen), [None] * len(seen)
    outs = [(i, out) for i, (_, _, out) in enumerate(seen) if out.requires_grad]
    weights: dict[int, Tensor] = {}
    for i, (_, m, _) in enumerate(seen):
        w = getattr(m, "weight", None)
        if isinstance(w, Tensor) and w.requires_grad and id(w) not in weights:
            weights[id(w)] = w
    inputs = [o for _, o in outs] + list(weights.values())
    got = torch.autograd.grad(value, inputs, allow_unused=True)
    out_grads: list[Tensor | None] = [None] * len(seen)
    for (i, _), g in zip(outs, got):
        out_grads[i] = g
    by_weight = dict(zip(weights, got[len(outs):]))
    weight_grads: list[Tensor | None] = []
    for _, m, _ in seen:
        w = getattr(m, "weight", None)
        weight_grads.append(by_weight.get(id(w)) if isinstance(w, Tensor) else None)
    return out_grads, weight_grads

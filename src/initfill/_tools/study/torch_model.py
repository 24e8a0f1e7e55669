"""``initfill study --torch-model pkg.mod:factory``: the depth experiment on a user's own
torch model -- :func:`initfill.torch.activation_stats` under several initializers.

For each init spec a fresh model comes from the factory, is initialized (every spec
from ``Generator(seed, next_stream=parameter name)``, so the runs are reproducible),
and takes one forward and backward pass on the same N(0, 1) batch.  This module
imports torch; ``initfill study`` without ``--torch-model`` does not.
"""
from __future__ import annotations

import importlib
import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

import initfill
import initfill.torch as it

from ..plotting import figure_class, save_figure
from ..table import format_columns

__all__ = ["DEFAULT_TORCH_INITS", "TORCH_SPEC_HELP", "TorchStudyResult", "format_torch_table",
           "init_model", "load_factory", "parse_shape", "plot_torch_study", "run_torch_study"]

#: What ``initfill study --torch-model`` compares by default.
DEFAULT_TORCH_INITS = ("torch", "normal:0.01", "xavier", "he", "lsuv")

TORCH_SPEC_HELP = ("torch (each module's default), normal:STD, xavier, he, orthogonal "
                   "(the Linear/Conv weights; biases 0), lsuv (initfill.torch.lsuv_)")

_WEIGHTED = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)
_FILLS: dict[str, Callable[[torch.Tensor, initfill.Generator], Any]] = {
    "xavier": lambda w, g: it.xavier_uniform_(w, generator=g),
    "he": lambda w, g: it.kaiming_normal_(w, nonlinearity="relu", generator=g),
    "orthogonal": lambda w, g: it.orthogonal_(w, generator=g),
}


def load_factory(spec: str, option: str = "--torch-model") -> Callable[[], nn.Module]:
    """The callable named by ``"package.module:attribute"`` (the attribute may be dotted);
    errors name the command-line `option` it came from.

    The current directory is searched too (as by ``python -m``), so that a module next
    to the user's scripts is found by the ``initfill`` command.

    Raises
    ------
    ValueError
        A malformed spec, a module that cannot be imported, a missing attribute, or one
        that is not callable.
    """
    mod_name, sep, attr = spec.partition(":")
    if not sep or not mod_name or not attr:
        raise ValueError(f"{option} {spec!r}: expected package.module:factory")
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.append(os.getcwd())
    try:
        obj: Any = importlib.import_module(mod_name)
    except ImportError as e:
        raise ValueError(f"{option} {spec!r}: cannot import {mod_name!r}: {e}") from None
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise ValueError(f"{option} {spec!r}: {mod_name!r} has no attribute {attr!r}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise ValueError(f"{option} {spec!r}: {attr!r} is not callable")
    return obj


def parse_shape(text: str) -> tuple[int, ...]:
    """``"64,3,32,32"`` -> ``(64, 3, 32, 32)``; every size a positive integer."""
    try:
        shape = tuple(int(p) for p in text.split(","))
    except ValueError:
        raise ValueError(f"--batch-shape {text!r}: expected positive integers separated "
                         f"by commas, e.g. 64,3,32,32") from None
    if not shape or any(s < 1 for s in shape):
        raise ValueError(f"--batch-shape {text!r}: every size must be >= 1")
    return shape


def init_model(model: nn.Module, spec: str, batch: torch.Tensor, seed: int) -> None:
    """Initialize `model` in place by the torch study spec `spec` (see
    :data:`TORCH_SPEC_HELP`)."""
    name, sep, arg = spec.strip().partition(":")
    if name == "normal":
        try:
            std = float(arg)
        except ValueError:
            raise ValueError(f"init spec {spec!r}: expected normal:STD") from None
        it.init_module_(model, seed, "normal", std=std)
        return
    if sep or name not in ("torch", "lsuv", *_FILLS):
        raise ValueError(f"unknown torch init spec {spec!r}; forms: {TORCH_SPEC_HELP}")
    it.init_module_(model, seed, "torch")
    if name == "lsuv":
        it.lsuv_(model, batch, seed=seed)
    elif name in _FILLS:
        with torch.no_grad():
            for mname, m in model.named_modules():
                if isinstance(m, _WEIGHTED):
                    _FILLS[name](m.weight, initfill.Generator(seed, next_stream=f"{mname}.weight"))
                    if m.bias is not None:
                        m.bias.zero_()


@dataclass(frozen=True)
class TorchStudyResult:
    """What :func:`run_torch_study` measured: one ``ActivationStats`` per init spec."""

    model: str
    batch_shape: tuple[int, ...]
    seed: int
    labels: tuple[str, ...]
    stats: tuple[it.ActivationStats, ...]


def run_torch_study(factory_spec: str, batch_shape: Sequence[int],
                    inits: str | Sequence[str] = DEFAULT_TORCH_INITS, *,
                    seed: int = 0) -> TorchStudyResult:
    """Run :func:`initfill.torch.activation_stats` on a fresh model per init spec.

    The batch is N(0, 1) float32 of `batch_shape`, from ``Generator(seed,
    next_stream="study.torch.batch")``; the model is called in ``train()`` mode.
    """
    labels = tuple(s.strip() for s in (inits.split(",") if isinstance(inits, str) else inits))
    if not labels or any(not s for s in labels):
        raise ValueError(f"--init {inits!r}: give comma-separated init specs")
    factory = load_factory(factory_spec)
    batch = initfill.Generator(seed, next_stream="study.torch.batch").normal_(
        torch.empty(tuple(batch_shape)))
    results = []
    for spec in labels:
        model = factory()
        if not isinstance(model, nn.Module):
            raise ValueError(f"--torch-model {factory_spec!r} returned "
                             f"{type(model).__name__}, not a torch.nn.Module")
        model.train()
        init_model(model, spec, batch, seed)
        results.append(it.activation_stats(model, batch))
    return TorchStudyResult(factory_spec, tuple(batch_shape), seed, labels, tuple(results))


def _fmt(v: float) -> str:
    if v == 0 or not math.isfinite(v):
        return "0" if v == 0 else str(v)
    return f"{v:.3g}" if 1e-3 <= abs(v) < 1e4 else f"{v:.2e}"


_FIELDS = (("std of layer outputs (forward)", "std"),
           ("std of output gradients (backward of the mean square)", "grad_std"),
           ("std of weight gradients", "weight_grad_std"))


def format_torch_table(result: TorchStudyResult) -> str:
    """Three tables, one row per layer call and one column per init spec."""
    first = result.stats[0]
    lines = [f"initfill study: {result.model}, batch {'x'.join(map(str, result.batch_shape))} "
             f"N(0, 1), seed {result.seed}"]
    head = ["layer", "name", "type", *result.labels]
    for title, field in _FIELDS:
        rows = [[str(i + 1), r.name, r.type]
                + [_fmt(getattr(s[i], field)) if i < len(s) else "" for s in result.stats]
                for i, r in enumerate(first)]
        lines += ["", title]
        lines += format_columns(head, rows, right=[0, *range(3, len(head))],
                                min_widths=[5, 4, 4] + [9] * len(result.labels))
    return "\n".join(lines)


def plot_torch_study(result: TorchStudyResult, path: str) -> None:
    """Write the three std-against-depth panels (log scale), one line per init spec.

    Raises
    ------
    MatplotlibMissing
        matplotlib is not installed.
    OSError
        The file cannot be written.
    """
    fig = figure_class()(figsize=(13, 4.2), layout="constrained")
    for ax, (title, field) in zip(fig.subplots(1, 3), _FIELDS):
        for label, stats in zip(result.labels, result.stats):
            v = [getattr(r, field) for r in stats]
            ax.plot(range(1, len(v) + 1),
                    [x if math.isfinite(x) and x > 0 else math.nan for x in v],
                    marker="o", markersize=3, label=label)
        ax.set_yscale("log")
        ax.set_xlabel("layer (forward order)")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_title(title, fontsize=9)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(f"{result.model}, batch {'x'.join(map(str, result.batch_shape))}, "
                 f"seed {result.seed}: activation statistics per initializer", fontsize=11)
    save_figure(fig, path)

"""The outputs of ``initfill study``: the text tables and the log-scale figure."""
from __future__ import annotations

import math

import numpy as np

from ..plotting import figure_class, save_figure
from ..table import format_columns
from .experiment import StudyResult

__all__ = ["format_table", "plot_study"]

#: (title, Trace field) of each table and figure panel.
_TABLES = (("std of activations a_l (forward)", "act_std"),
           ("std of gradients dL/dh_l (backward)", "grad_std"),
           ("std of weight gradients dL/dW_l", "weight_grad_std"))
_PANELS = (("activations  std(a_l)", "act_std"),
           ("back-propagated gradients  std(dL/dh_l)", "grad_std"),
           ("weight gradients  std(dL/dW_l)", "weight_grad_std"))


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    if not math.isfinite(v):
        return str(v)
    return f"{v:.3g}" if 1e-3 <= abs(v) < 1e4 else f"{v:.2e}"


def format_table(result: StudyResult) -> str:
    """Return the study's tables as text.

    Three tables, one row per layer and one column per initializer: the std of
    the activations, of the back-propagated gradients ``dL/dh`` and of the weight
    gradients ``dL/dW``; then a note on initializers whose hidden units are all
    identical in every layer.

    Parameters
    ----------
    result : StudyResult

    Returns
    -------
    str
    """
    head = ["layer"] + [t.label for t in result.traces]
    lines = [f"initfill study: depth {result.depth}, width {result.width}, batch "
             f"{result.batch}, activation {result.activation}, seed {result.seed} "
             f"(input std {_fmt(result.input_std)})"]
    for title, field in _TABLES:
        rows = [[str(i + 1)] + [_fmt(float(getattr(t, field)[i])) for t in result.traces]
                for i in range(result.depth)]
        lines += ["", title]
        lines += format_columns(head, rows, right=range(len(head)),
                                min_widths=[5] + [9] * len(result.traces))
    same = [t.label for t in result.traces
            if result.width > 1 and np.all(t.unit_spread == 0)]
    if same:
        lines.append("")
        lines.append("all hidden units identical in every layer (symmetry never broken): "
                     + ", ".join(same))
    return "\n".join(lines)


def plot_study(result: StudyResult, path: str) -> None:
    """Write the study as a PNG: std per layer, log scale, one line per initializer.

    Three panels: activations, back-propagated gradients ``dL/dh`` and weight
    gradients ``dL/dW``.  Zero standard deviations cannot be drawn on a log scale;
    such points are left out and the legend says so.

    Parameters
    ----------
    result : StudyResult
    path : str or path-like
        The output file (its suffix picks the format; ``.png`` for a PNG).

    Raises
    ------
    MatplotlibMissing
        matplotlib is not installed (``pip install matplotlib``).
    OSError
        The file cannot be written.
    """
    fig = figure_class()(figsize=(13, 4.2), layout="constrained")
    axes = fig.subplots(1, 3)
    layers = np.arange(1, result.depth + 1)
    for ax, (title, field) in zip(axes, _PANELS):
        for t in result.traces:
            v = np.asarray(getattr(t, field), dtype=float)
            shown = np.where(np.isfinite(v) & (v > 0), v, np.nan)
            label = t.label
            if np.any(v == 0):
                label += " (0 not drawn)" if np.any(v > 0) else " (all 0, not drawn)"
            ax.plot(layers, shown, marker="o", markersize=3, label=label)
        ax.set_yscale("log")
        ax.set_xlabel("layer")
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="major", alpha=0.3)
        ax.set_xticks(layers)
        ax.legend(fontsize=7)
    fig.suptitle(f"{result.depth}-layer MLP, width {result.width}, {result.activation}, "
                 f"batch {result.batch}, seed {result.seed}: weights filled by initfill",
                 fontsize=11)
    save_figure(fig, path)

"""Figures of the tools: matplotlib is optional, imported only when a plot is asked for."""
from __future__ import annotations

import os
from typing import Any

__all__ = ["MatplotlibMissing", "figure_class", "save_figure"]


class MatplotlibMissing(ImportError):
    """Raised when a plot is asked for and matplotlib is not installed."""


def figure_class() -> Any:
    """Return :class:`matplotlib.figure.Figure` (no pyplot, no GUI backend).

    Raises
    ------
    MatplotlibMissing
        matplotlib is not installed; the message says how to install it.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise MatplotlibMissing(
            "--plot needs matplotlib, which is not installed: pip install matplotlib"
        ) from None
    return Figure


def save_figure(fig: Any, path: str | os.PathLike[str]) -> None:
    """Write ``fig`` to ``path`` (its suffix picks the format) at the tools' resolution.

    Raises
    ------
    OSError
        The file cannot be written.
    """
    fig.savefig(path, dpi=110)

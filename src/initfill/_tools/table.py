"""Plain-text tables of the tools' reports: columns padded to their widest cell."""
from __future__ import annotations

from collections.abc import Collection, Sequence

__all__ = ["format_columns"]


def format_columns(head: Sequence[str], rows: Sequence[Sequence[str] | None], *,
                   right: Collection[int] = (), min_widths: Sequence[int] = (),
                   rule: bool = False) -> list[str]:
    """Lay out a table as lines of text, columns separated by two spaces.

    Parameters
    ----------
    head : sequence of str
        The column titles.
    rows : sequence of (sequence of str or None)
        The cells of each row; None stands for an empty line (a group break).
    right : collection of int
        Indices of the right-aligned columns (the others are left-aligned).
    min_widths : sequence of int
        The narrowest each column may be, from the first (the others: their titles).
    rule : bool
        Put a line of dashes under the titles.

    Returns
    -------
    list of str
        The lines, trailing spaces removed.
    """
    present = [r for r in rows if r is not None]
    mins = list(min_widths) + [0] * (len(head) - len(min_widths))
    widths = [max([mins[i], len(head[i])] + [len(r[i]) for r in present])
              for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(head)]
    if rule:
        out.append(line(["-" * w for w in widths]))
    out += ["" if r is None else line(r) for r in rows]
    return out

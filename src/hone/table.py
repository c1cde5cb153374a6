"""Plain-text tables that fit a width: one line per row, whatever the terminal or pipe.

Columns that do not fit are dropped in a stated order; the one flexible column (free text such
as a hypothesis) takes the width left over and is cut at a word, with '…'.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass

GAP = "  "
# The flexible column is not squeezed below this many characters; columns are dropped first.
MIN_FLEXIBLE = 36


@dataclass(frozen=True)
class Column:
    """One column: its header, whether it aligns right (numbers), whether it is the flexible
    one, and the widest it may get (longer cells are cut)."""

    name: str
    right: bool = False
    flexible: bool = False
    cap: int = 32


def terminal_width(default: int = 80) -> int:
    """The width to fit: the COLUMNS variable, else the terminal's, else `default` (a pipe)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return shutil.get_terminal_size((default, 24)).columns


def cut(text: str, width: int) -> str:
    """`text` on one line in at most `width` characters, cut at a word when one ends in the
    second half of the room, with '…' when anything was left out."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    room = text[: width - 1]
    space = room.rfind(" ")
    if text[width - 1] != " " and space >= width // 2:  # else `room` ends with a whole word
        room = room[:space]
    return room.rstrip(" ,;:-") + "…"


def fit(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int,
        drop_order: Sequence[str] = ()) -> list[str]:
    """The header and one line per row, at most `width` characters each. Columns named in
    `drop_order` go first-named-first until the fixed columns leave the flexible one
    `MIN_FLEXIBLE` characters (or until none is left to drop)."""
    keep = list(range(len(columns)))
    widths = [min(c.cap, max([len(c.name), *(len(" ".join(r[i].split())) for r in rows)]))
              for i, c in enumerate(columns)]

    def room_left() -> int:
        fixed = [widths[i] for i in keep if not columns[i].flexible]
        return width - sum(fixed) - len(GAP) * (len(keep) - 1)

    has_flexible = any(c.flexible for c in columns)
    for name in drop_order:
        if room_left() >= (MIN_FLEXIBLE if has_flexible else 0):
            break
        keep = [i for i in keep if columns[i].name != name]
    flex = max(room_left(), 4)
    lines = []
    for cells in [[c.name for c in columns], *rows]:
        parts = []
        for i in keep:
            col = columns[i]
            w = flex if col.flexible else widths[i]
            text = cut(cells[i], w)
            parts.append(text.rjust(w) if col.right else text.ljust(w))
        lines.append(GAP.join(parts).rstrip()[:width])
    return lines

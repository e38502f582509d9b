"""Which row is the header: report exports start with a title and a date range above it.

The first row is the header unless it does not look like one and a later row (within the first few)
does: two or more named cells, none of them a number or a date, wider than every row above it, and
followed by rows about as wide. Files without title rows keep their first row, whatever it holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MAX_TITLE_ROWS = 10
FOLLOWERS = 10
_VALUE = re.compile(r"[-+(]?[$€£¥]?\s*\d[\d\s,./:-]*[)%]?|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}.*")


def _width(cells: Sequence[object]) -> int:
    """Cells up to the last non-empty one (padding delimiters and empty trailing cells do not count)."""
    for i in range(len(cells) - 1, -1, -1):
        if _text(cells[i]):
            return i + 1
    return 0


def _text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


def looks_like_header(cells: Sequence[object]) -> bool:
    named = [_text(c) for c in cells if _text(c)]
    return len(named) >= 2 and not any(_VALUE.fullmatch(c) for c in named)


def header_index(rows: Sequence[Sequence[object]]) -> int:
    """Index in `rows` (the first rows of a file, blank ones included) of its header row."""
    rows = list(rows)
    first = next((i for i, r in enumerate(rows) if _width(r)), 0)
    if not rows or looks_like_header(rows[first]):
        return first
    widest_above = 0
    for i in range(first, min(len(rows), first + MAX_TITLE_ROWS + 1)):
        width = _width(rows[i])
        if i > first and width > widest_above and looks_like_header(rows[i]) and _followed_by_rows_like(rows, i, width):
            return i
        widest_above = max(widest_above, width)
    return first


def _followed_by_rows_like(rows: list[Sequence[object]], i: int, width: int) -> bool:
    after = [_width(r) for r in rows[i + 1 :] if _width(r)][:FOLLOWERS]
    return bool(after) and sum(w > width / 2 for w in after) >= 0.6 * len(after)

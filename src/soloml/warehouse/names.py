"""How a file's header becomes a warehouse column name."""

from __future__ import annotations

import re
import unicodedata


def column_name(header: str, position: int = 0) -> str:
    """snake_case a header: 'Created (UTC)' -> 'created_utc', 'Lineitem quantity' -> 'lineitem_quantity'.

    Empty or symbol-only headers become 'column_<position+1>'.
    """
    text = unicodedata.normalize("NFKD", str(header)).encode("ascii", "ignore").decode()
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text.strip())
    text = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    if not text:
        text = f"column_{position + 1}"
    if text[0].isdigit():
        text = f"c_{text}"
    return text


# Names a header must not take: DuckDB's row-number pseudo-column (a user column named so hides it
# from the loader's staging SQL). Any header that snake_cases to one of these gets the value here.
RESERVED = {"rowid": "row_id"}


def column_names(headers: list[str]) -> list[str]:
    """snake_case every header; repeats get the first free _2, _3, ... suffix, never a name another header has.

    >>> column_names(["a", "a_2", "a"])
    ['a', 'a_2', 'a_3']
    """
    bases = [column_name(h, i) for i, h in enumerate(headers)]
    bases = [RESERVED.get(b, b) for b in bases]
    wanted = set(bases)
    taken: set[str] = set()
    out = []
    for base in bases:
        name, n = base, 1
        while name in taken or (n > 1 and name in wanted):
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        out.append(name)
    return out


def table_name(text: str) -> str:
    """A safe table name from a file stem or --as value: 'Stripe Payments (1)' -> 'stripe_payments_1'."""
    return column_name(text).strip("_") or "table"

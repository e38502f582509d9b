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


def column_names(headers: list[str]) -> list[str]:
    """snake_case every header, de-duplicating repeats with _2, _3, ..."""
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(headers):
        name = column_name(h, i)
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def table_name(text: str) -> str:
    """A safe table name from a file stem or --as value: 'Stripe Payments (1)' -> 'stripe_payments_1'."""
    return column_name(text).strip("_") or "table"

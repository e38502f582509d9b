"""What the load journal (ops.loads) says about each raw table: the file last loaded into it, its headers,
what it was recognised as, and whether any of it ever reached core.*. The checks name files and headers from it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from soloml.warehouse.base import Connection

VENDOR_WORDS = {
    "stripe": "Stripe",
    "shopify": "Shopify",
    "square": "Square",
    "hubspot": "HubSpot",
    "salesforce": "Salesforce",
    "mailchimp": "Mailchimp",
}


@dataclass(frozen=True)
class RawSource:
    table: str  # 'raw.stripe_payments'
    file: str  # the file (or URL) last loaded into it
    load_id: str
    finished_at: datetime | None
    vendor_object: str | None  # 'stripe.payments'; None when soloml did not recognise the file
    key: tuple[str, ...]
    headers: dict[str, str] = field(default_factory=dict)  # column -> the header in the file
    routed: bool = False  # did any load of this table put rows into core.*?
    rows_in: int | None = None
    rows_quarantined: int | None = None

    @property
    def file_name(self) -> str:
        return Path(self.file).name if "://" not in self.file else self.file

    @property
    def vendor(self) -> str:
        """'Stripe' for stripe.payments; 'the tool it came from' when unknown."""
        prefix = (self.vendor_object or "").split(".")[0]
        return VENDOR_WORDS.get(prefix, prefix.title() if prefix else "the tool it came from")

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


def raw_sources(con: Connection) -> dict[str, RawSource]:
    """Every raw table with a successful load, by table name, from its latest load (routed: from any load)."""
    rows = con.execute(
        """
        SELECT target_table, load_id, source, finished_at, rows_in, rows_quarantined,
               CAST(headers AS VARCHAR), CAST(columns AS VARCHAR), CAST(detection AS VARCHAR), core_rows
        FROM ops.loads WHERE status = 'loaded' AND target_table IS NOT NULL ORDER BY target_table, finished_at
        """
    ).fetchall()  # the JSON columns as text, read here: the same on every warehouse
    out: dict[str, RawSource] = {}
    routed: dict[str, bool] = {}
    for table, load_id, source, finished, rows_in, bad, headers, columns, detection, core_rows in rows:
        routed[table] = routed.get(table, False) or reached_core(core_rows)
        header_of = dict(zip(_json(columns) or [], _json(headers) or [], strict=False))
        found = _json(detection)
        found = found if isinstance(found, dict) else {}
        vendor, key = found.get("vendor_object"), [str(k) for k in found.get("key") or []]
        out[table] = RawSource(
            table, str(source), load_id, finished, vendor, tuple(key or ()), header_of, routed[table], rows_in, bad
        )
    return out


def _json(text: str | None) -> Any:
    """A journal JSON value, or None when it is missing or not JSON."""
    try:
        return json.loads(text) if text else None
    except json.JSONDecodeError:
        return None


def reached_core(core_rows: str | None) -> bool:
    """Whether a load's core_rows journal ({"payments": 30, "_quarantined": 0, ...}) counts any row written to core.*."""
    try:
        counts = json.loads(core_rows) if core_rows else {}
    except json.JSONDecodeError:
        return False
    return isinstance(counts, dict) and any(
        isinstance(n, int | float) and n > 0 for name, n in counts.items() if not str(name).startswith("_")
    )

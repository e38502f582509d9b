"""Gaps in history: months with no orders (payments, email events) at all from a source that is busy in the
months around them. A missing month usually means a missing export, and it would look like everyone churned.

A month counts as a gap only when the source averages at least MIN_PER_MONTH records a month over its
span, so an empty month cannot be chance (with 10 a month on average, an empty one has odds under 1 in 20,000).
"""

from __future__ import annotations

from datetime import date

from soloml.readiness.findings import Finding, Fix, plural
from soloml.readiness.sources import VENDOR_WORDS, RawSource
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import table_exists

EVENT_TABLES = (
    ("orders", "ordered_at", "orders"),
    ("payments", "paid_at", "payments"),
    ("marketing_events", "occurred_at", "email events"),
)
MIN_PER_MONTH = 10
SHOWN = 6


def check_gaps(con: Connection, sources: dict[str, RawSource]) -> tuple[Finding, ...]:
    out = []
    series = 0
    for name, column, what in EVENT_TABLES:
        table = f"core.{name}"
        if not table_exists(con, table):
            continue
        rows = con.execute(
            f"SELECT source, CAST(date_trunc('month', {column}) AS DATE), count(*) FROM {table} WHERE {column} IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
        by_source: dict[str, dict[date, int]] = {}
        for source, month, n in rows:
            by_source.setdefault(str(source), {})[month] = int(n)
        for source, counts in by_source.items():
            series += 1
            missing = _missing_months(counts)
            if missing:
                out.append(_finding(table, what, source, missing, counts, sources))
    if out or not series:
        return tuple(out)
    return (
        Finding(
            "history_gaps",
            "ok",
            "history",
            f"No month is missing from the history of the events ({plural(series, 'source')}).",
            figures={"series": series},
        ),
    )


def _missing_months(counts: dict[date, int]) -> list[date]:
    months = _months(min(counts), max(counts))
    if len(months) < 3 or sum(counts.values()) / len(months) < MIN_PER_MONTH:
        return []
    return [m for m in months if m not in counts]


def _months(first: date, last: date) -> list[date]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _finding(
    table: str, what: str, source: str, missing: list[date], counts: dict[date, int], sources: dict[str, RawSource]
) -> Finding:
    vendor = VENDOR_WORDS.get(source, source)
    shown = ", ".join(f"{m:%Y-%m}" for m in missing[:SHOWN]) + (
        f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
    )
    typical = round(sum(counts.values()) / (len(counts) or 1))
    words = (
        f"{vendor} has no {what} at all in {len(missing)} month{'s' if len(missing) != 1 else ''} ({shown}), "
        f"though it has about {typical:,} a month around them: an export is probably missing."
    )
    files = sorted({s.file for s in sources.values() if (s.vendor_object or "").split(".")[0] == source})
    fix = Fix(
        f"Export {vendor} {what} covering {shown} and load the file; soloml adds it to what is there.",
        command=f"soloml load {files[0]}" if files else "soloml load FILE",
        file=files[0] if files else None,
    )
    return Finding(
        "history_gaps",
        "fix",
        f"{table}/{source}",
        words,
        fix,
        figures={"missing_months": [m.isoformat() for m in missing], "typical_per_month": typical},
    )

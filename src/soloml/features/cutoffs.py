"""When to take snapshots: a regular schedule ending at the last cutoff whose label window is fully observed."""

from __future__ import annotations

from datetime import datetime, timedelta

from soloml.errors import FeatureError
from soloml.projects.spec import ProjectSpec
from soloml.warehouse.base import Connection

# (table, column) pairs that date business events in core.*
EVENT_TIMES = (
    ("payments", "paid_at"),
    ("orders", "ordered_at"),
    ("marketing_events", "occurred_at"),
    ("subscriptions", "started_at"),
    ("subscriptions", "canceled_at"),
    ("contacts", "created_at"),
    ("deals", "created_at"),
    ("deals", "closed_at"),
)


FEATURE_WINDOW = "[cutoff - 365 days, cutoff): before the cutoff, up to a year back (history tables: the version valid at the cutoff)"


def label_window_words(horizon_days: int) -> str:
    """The label window in words: every event at or after a cutoff is in it or after it, never in neither."""
    return (
        f"[cutoff, cutoff + {horizon_days} days): from the cutoff itself (a date on the cutoff day counts) "
        f"to just before {horizon_days} days later"
    )


def present_tables(con: Connection) -> set[str]:
    """Every 'schema.table' in the warehouse (one catalog query instead of one per table)."""
    rows = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type <> 'VIEW'"
    ).fetchall()  # information_schema, not DuckDB's own catalog: the same tables, and Postgres has it
    return {f"{s}.{t}" for s, t in rows}


def _bounds(con: Connection) -> tuple[datetime | None, datetime | None]:
    present = present_tables(con)
    parts = [
        f"SELECT min({col}) AS lo, max({col}) AS hi FROM core.{tbl}"
        for tbl, col in EVENT_TIMES
        if f"core.{tbl}" in present
    ]
    if not parts:
        return None, None
    lo, hi = con.execute(f"SELECT min(lo), max(hi) FROM ({' UNION ALL '.join(parts)})").fetchone()
    return lo, hi


def data_end(con: Connection) -> datetime | None:
    """The latest event timestamp in core.* (None when core is empty)."""
    return _bounds(con)[1]


def scoring_time(con: Connection) -> datetime:
    """'Now' for scoring: midnight after the day of the latest data, so a demo on a fixed end date scores sensibly."""
    end = data_end(con)
    if end is None:
        raise FeatureError(
            "There is no data in core.* to score.", hint="Load your exports with `soloml load PATH` first."
        )
    return datetime(end.year, end.month, end.day) + timedelta(days=1)


def _floor(moment: datetime, every: str) -> datetime:
    day = datetime(moment.year, moment.month, moment.day)
    if every == "monthly":
        return day.replace(day=1)
    if every == "weekly":
        return day - timedelta(days=day.weekday())
    return day


def _step_back(moment: datetime, every: str, n: int) -> datetime:
    if every == "monthly":
        months = moment.year * 12 + moment.month - 1 - n
        return moment.replace(year=months // 12, month=months % 12 + 1)
    return moment - timedelta(days=n * (7 if every == "weekly" else 1))


def cutoff_count(spec: ProjectSpec) -> int:
    months = spec.cutoffs.lookback_months
    return {"monthly": months, "weekly": round(months * 52 / 12), "daily": months * 30}[spec.cutoffs.every]


def cutoff_schedule(con: Connection, spec: ProjectSpec, *, as_of: datetime | None = None) -> list[datetime]:
    """Cutoffs, oldest first: every `spec.cutoffs.every` over `lookback_months`, the last one at least
    `horizon_days` before the end of the data (or `as_of`), none before the first event."""
    start, end = _bounds(con)
    if end is None:
        raise FeatureError(
            f"Project '{spec.name}' needs data in core.* but the warehouse has none.",
            hint="Load your exports with `soloml load PATH`, then retry.",
        )
    if as_of is not None:
        end = min(end, as_of)
    every = spec.cutoffs.every
    last = _floor(end - timedelta(days=spec.label.horizon_days), every)
    cutoffs = [_step_back(last, every, i) for i in range(cutoff_count(spec))]
    cutoffs = sorted(c for c in cutoffs if c > start)
    if not cutoffs:
        raise FeatureError(
            f"Project '{spec.name}' has no cutoff with a fully observed {spec.label.horizon_days}-day label window: "
            f"the data runs from {start:%Y-%m-%d} to {end:%Y-%m-%d}.",
            hint="Load more history, or shorten label.horizon_days in the project file.",
        )
    return cutoffs

"""Is the data still arriving? The last successful load of every source (ops.loads) against an expected cadence.

Shared by readiness (`soloml check`) and monitoring (`soloml monitor`); monitoring re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from soloml.warehouse.base import Connection

DEFAULT_MAX_AGE = timedelta(days=7)
SUCCESS = ("loaded", "unchanged")


@dataclass(frozen=True)
class SourceFreshness:
    source: str  # the raw table the loads fill (e.g. raw.stripe_payments), else the file/URL
    last_success: datetime | None
    age_hours: float | None
    max_age_hours: float
    last_status: str
    last_error: str | None
    alert: bool

    @property
    def words(self) -> str:
        if self.last_success is None:
            return f"{self.source} has never loaded successfully (last status: {self.last_status})"
        age = self.age_hours or 0.0
        when = f"{age / 24:.1f} days ago" if age >= 48 else f"{age:.0f} hours ago"
        verdict = "STALE" if self.alert else "fresh"
        return f"{self.source} last loaded {when} ({verdict}; expected at least every {self.max_age_hours / 24:g} days)"


def source_freshness(
    con: Connection,
    *,
    now: datetime,
    max_age: timedelta | dict[str, timedelta] = DEFAULT_MAX_AGE,
) -> tuple[SourceFreshness, ...]:
    """One row per source in ops.loads; alerts when the last successful load is older than its max age.

    `max_age` is one cadence for all, or source -> cadence (sources not listed get DEFAULT_MAX_AGE).
    """
    rows = con.execute(
        f"""
        SELECT coalesce(target_table, source) AS src,
               max(finished_at) FILTER (WHERE status IN {SUCCESS}) AS last_success,
               arg_max(status, coalesce(finished_at, started_at)) AS last_status,
               arg_max(error, coalesce(finished_at, started_at)) AS last_error
        FROM ops.loads GROUP BY 1 ORDER BY 1
        """
    ).fetchall()
    now = now.replace(tzinfo=None)
    out = []
    for source, last_success, last_status, last_error in rows:
        limit = max_age.get(source, DEFAULT_MAX_AGE) if isinstance(max_age, dict) else max_age
        age = None if last_success is None else (now - last_success).total_seconds() / 3600.0
        alert = age is None or age > limit.total_seconds() / 3600.0
        out.append(
            SourceFreshness(
                str(source), last_success, age, limit.total_seconds() / 3600.0, str(last_status), last_error, alert
            )
        )
    return tuple(out)

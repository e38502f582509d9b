"""Is every source still arriving on its usual cadence?

A source's usual cadence is the median gap between its successful loads (with at least three of them);
a load is late when it is more than one and a half gaps overdue. With fewer loads the cadence is not
known yet and a load is expected at least weekly (the monitoring default).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from statistics import median

from soloml.readiness.findings import Finding, Fix, plural
from soloml.readiness.sources import RawSource
from soloml.warehouse.base import Connection
from soloml.warehouse.freshness import (
    DEFAULT_MAX_AGE,
    SUCCESS,
    SourceFreshness,
    source_freshness,
)

LATE_AFTER = 1.5  # usual gaps
MIN_LOADS = 3
MIN_MAX_AGE = timedelta(days=1)


def usual_cadence(con: Connection) -> dict[str, timedelta]:
    """Source -> median gap between its successful loads, for sources loaded at least MIN_LOADS times."""
    rows = con.execute(
        f"SELECT coalesce(target_table, source), finished_at FROM ops.loads WHERE status IN {SUCCESS} AND finished_at IS NOT NULL ORDER BY 1, 2"
    ).fetchall()
    times: dict[str, list[datetime]] = {}
    for source, finished in rows:
        times.setdefault(str(source), []).append(finished)
    out = {}
    for source, moments in times.items():
        gaps = [b - a for a, b in pairwise(moments) if b > a]
        if len(moments) >= MIN_LOADS and gaps:
            out[source] = timedelta(seconds=median(g.total_seconds() for g in gaps))
    return out


def check_freshness(con: Connection, sources: dict[str, RawSource], *, now: datetime) -> tuple[Finding, ...]:
    cadence = usual_cadence(con)
    limits = {s: max(MIN_MAX_AGE, gap * LATE_AFTER) for s, gap in cadence.items()}
    found = source_freshness(con, now=now, max_age=limits or DEFAULT_MAX_AGE)
    files = last_files(con)
    problems = tuple(
        _late(f, sources.get(f.source), cadence.get(f.source), files.get(f.source, f.source)) for f in found if f.alert
    )
    if problems or not found:
        return problems
    ages = [f.age_hours or 0.0 for f in found]
    return (
        Finding(
            "freshness",
            "ok",
            "sources",
            f"Every source ({plural(len(found), 'source')}) is loaded on time (the oldest load is {_age(max(ages))} old).",
            figures={"sources": len(found), "oldest_load_hours": round(max(ages), 1)},
        ),
    )


def last_files(con: Connection) -> dict[str, str]:
    """Source (as source_freshness names it) -> the file or URL of its latest load attempt."""
    rows = con.execute(
        "SELECT coalesce(target_table, source), arg_max(source, coalesce(finished_at, started_at)) FROM ops.loads GROUP BY 1"
    ).fetchall()
    return {str(k): str(v) for k, v in rows}


def _late(f: SourceFreshness, source: RawSource | None, gap: timedelta | None, file: str) -> Finding:
    expected = (
        f"it usually arrives every {_age(gap.total_seconds() / 3600)}"
        if gap
        else f"its usual cadence is not known yet, so a load is expected at least every {_age(f.max_age_hours)}"
    )
    name = Path(file).name if "://" not in file else file
    figures = {
        "age_hours": None if f.age_hours is None else round(f.age_hours, 1),
        "max_age_hours": round(f.max_age_hours, 1),
        "usual_gap_hours": None if gap is None else round(gap.total_seconds() / 3600, 1),
        "last_status": f.last_status,
    }
    if f.last_success is None:
        words = f"{f.source} has never loaded successfully (the last attempt {f.last_status}: {f.last_error or 'no error recorded'})."
        fix = Fix(f"Fix what the error names in {name} and load it again.", command=f"soloml load {file}", file=name)
        return Finding("freshness", "fix", f.source, words, fix, figures=figures)
    words = f"{f.source} was last loaded {_age(f.age_hours or 0.0)} ago; {expected}."
    vendor = source.vendor if source else "the tool it came from"
    fix = Fix(f"Export {name} again from {vendor} and load it.", command=f"soloml load {file}", file=name)
    return Finding("freshness", "fix", f.source, words, fix, figures=figures)


def _age(hours: float) -> str:
    if hours >= 48:
        return f"{hours / 24:,.0f} days"
    return f"{hours:,.0f} hour{'s' if round(hours) != 1 else ''}"

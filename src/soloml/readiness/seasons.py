"""Forecasts: at least two full seasonal cycles, at a regular frequency with no missing periods.

The series is the project's table (`source_table`, dated by `cutoffs.time_column`, summing `label.target`
when given) or, without one, the business's orders and payments, counted per period. The period is
`cutoffs.every`; a season is a year for weekly and monthly series and a week for daily ones.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from soloml.canonical.schema import TABLES
from soloml.projects.recipes.table import relation_sql
from soloml.projects.spec import ProjectSpec
from soloml.readiness.findings import DAYS_PER_MONTH, Finding, Fix, Needed
from soloml.warehouse.connection import quote_ident, table_exists

SEASON = {"daily": (7, "week"), "weekly": (52, "year"), "monthly": (12, "year")}
UNIT = {"daily": "day", "weekly": "week", "monthly": "month"}
PER_MONTH = {"daily": DAYS_PER_MONTH, "weekly": DAYS_PER_MONTH / 7, "monthly": 1.0}
CYCLES = 2
SHOWN = 5


def series_periods(con: duckdb.DuckDBPyConnection, spec: ProjectSpec) -> tuple[list[date], str]:
    """The periods that have data, oldest first, and where the series comes from (in words)."""
    unit = UNIT[spec.cutoffs.every]
    if spec.source_table and spec.cutoffs.time_column:
        sql = (f"SELECT DISTINCT CAST(date_trunc('{unit}', CAST({quote_ident(spec.cutoffs.time_column)} AS TIMESTAMP)) AS DATE) "
               f"FROM {relation_sql(spec.source_table)} WHERE {quote_ident(spec.cutoffs.time_column)} IS NOT NULL ORDER BY 1")
        return [r[0] for r in con.execute(sql).fetchall()], f"{spec.source_table} by {spec.cutoffs.time_column}"
    parts = [f"SELECT {TABLES[t].time_column} AS at FROM core.{t}" for t in ("orders", "payments") if table_exists(con, f"core.{t}")]
    if not parts:
        return [], "orders and payments"
    sql = f"SELECT DISTINCT CAST(date_trunc('{unit}', at) AS DATE) FROM ({' UNION ALL '.join(parts)}) WHERE at IS NOT NULL ORDER BY 1"
    return [r[0] for r in con.execute(sql).fetchall()], "orders and payments"


def check_seasons(con: duckdb.DuckDBPyConnection, spec: ProjectSpec, *, now: datetime) -> tuple[Finding, ...]:
    every = spec.cutoffs.every
    periods, source = series_periods(con, spec)
    length, season = SEASON[every]
    unit = UNIT[every]
    file = f"projects/{spec.name}.yaml"
    if not periods:
        return (Finding("seasons", "fix", spec.name, f"The series ({source}) has no dated rows.",
                        Fix("Load the exports or the table the forecast is of.", command="soloml load FILE", file=spec.source_table),),)
    expected = _periods(periods[0], periods[-1], every)
    missing = [p for p in expected if p not in set(periods)]
    figures = {"periods": len(expected), "with_data": len(periods), "season_length": length, "first": periods[0], "last": periods[-1]}
    out = []
    if missing:
        shown = ", ".join(p.isoformat() for p in missing[:SHOWN]) + (f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else "")
        out.append(Finding("frequency", "fix", spec.name,
                           f"The {unit}ly series ({source}) is not regular: {len(missing)} of its {len(expected)} {unit}s have no data ({shown}).",
                           Fix(f"Load the data for those {unit}s; if nothing happened then, add them with a value of 0.",
                               command="soloml load FILE", file=spec.source_table), figures={**figures, "missing": [p.isoformat() for p in missing]}))
    cycles = len(expected) / length
    if cycles < CYCLES:
        more = CYCLES * length - len(expected)
        words = (f"The series ({source}) covers {len(expected)} {unit}s, {cycles:.1f} {season}s: a forecast needs at least {CYCLES} full "
                 f"seasonal cycles ({CYCLES * length} {unit}s) to tell the season from the trend.")
        fix = Fix(f"Load older history if you have it; otherwise wait, checking again as the {unit}s come in.", command=f"soloml check {spec.name}",
                  file=file)
        needed = Needed(more, f"{unit}s of history", len(expected), PER_MONTH[every], now.date())
        out.append(Finding("seasons", "wait", spec.name, words, fix, needed, figures))
    elif not missing:
        out.append(Finding("seasons", "ok", spec.name, f"The series ({source}) covers {len(expected)} {unit}s ({cycles:.1f} {season}s), every "
                           f"{unit} with data.", figures=figures))
    return tuple(out)


def _periods(first: date, last: date, every: str) -> list[date]:
    out = [first]
    while out[-1] < last:
        d = out[-1]
        if every == "monthly":
            out.append(date(d.year + 1, 1, 1) if d.month == 12 else date(d.year, d.month + 1, 1))
        else:
            out.append(date.fromordinal(d.toordinal() + (7 if every == "weekly" else 1)))
    return out

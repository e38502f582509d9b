"""Enough history for the project's cutoffs and horizon: a model needs at least two snapshots whose label
window is over (one to learn from, the latest to be judged on), and gets the snapshots the spec asks for
only when the data reaches back far enough."""

from __future__ import annotations

from datetime import datetime

from soloml.errors import FeatureError
from soloml.features.cutoffs import (
    EVENT_TIMES,
    cutoff_count,
    cutoff_schedule,
    present_tables,
)
from soloml.projects.spec import ProjectSpec
from soloml.readiness.findings import DAYS_PER_MONTH, Finding, Fix, Needed
from soloml.warehouse.base import Connection

MIN_SNAPSHOTS = 2
STEP_DAYS = {"daily": 1, "weekly": 7, "monthly": 31}
CADENCE_WORDS = {"daily": "daily", "weekly": "weekly", "monthly": "monthly"}


def data_span(con: Connection) -> tuple[datetime | None, datetime | None]:
    """The first and the last dated business event in core.*."""
    present = present_tables(con)
    parts = [f"SELECT min({c}) AS lo, max({c}) AS hi FROM core.{t}" for t, c in EVENT_TIMES if f"core.{t}" in present]
    if not parts:
        return None, None
    row = con.execute(f"SELECT min(lo), max(hi) FROM ({' UNION ALL '.join(parts)})").fetchone()
    return (row[0], row[1]) if row else (None, None)


def check_history(con: Connection, spec: ProjectSpec, *, now: datetime) -> tuple[Finding, ...]:
    """Customer and contact recipes: the span of the data against the cutoffs and the label horizon."""
    first, last = data_span(con)
    every, horizon = spec.cutoffs.every, spec.label.horizon_days
    need_days = horizon + MIN_SNAPSHOTS * STEP_DAYS[every]
    if first is None or last is None:
        return (
            Finding(
                "history",
                "fix",
                spec.name,
                f"Project '{spec.name}' needs dated business records, but the warehouse has none.",
                Fix(
                    "Load the exports of the tools that hold your customers' payments and orders.",
                    command="soloml load FILE",
                ),
            ),
        )
    span = (last - first).days
    try:
        cutoffs = cutoff_schedule(con, spec)
    except FeatureError:
        cutoffs = []
    figures = {
        "first_event": first,
        "last_event": last,
        "span_days": span,
        "snapshots": len(cutoffs),
        "snapshots_asked": cutoff_count(spec),
        "horizon_days": horizon,
    }
    if len(cutoffs) < MIN_SNAPSHOTS:
        more = max(1.0, (need_days - span) / DAYS_PER_MONTH)
        words = (
            f"The data runs from {first:%Y-%m-%d} to {last:%Y-%m-%d} ({span:,} days): too short for two {CADENCE_WORDS[every]} snapshots "
            f"with a {horizon}-day label window after each (about {need_days:,} days are needed)."
        )
        fix = Fix(
            f"Load older history if the tools have it, or shorten label.horizon_days in projects/{spec.name}.yaml.",
            command="soloml load FILE",
            file=f"projects/{spec.name}.yaml",
            column="label.horizon_days",
        )
        needed = Needed(round(more, 1), "months of history", span / DAYS_PER_MONTH, per_month=1.0, today=now.date())
        return (Finding("history", "wait", spec.name, words, fix, needed, figures),)
    asked = cutoff_count(spec)
    if len(cutoffs) < asked:
        words = (
            f"The data reaches back to {first:%Y-%m-%d}, so {len(cutoffs)} of the {asked} {CADENCE_WORDS[every]} snapshots asked for "
            f"fit before the last full {horizon}-day label window (the first on {cutoffs[0]:%Y-%m-%d})."
        )
        fix = Fix(
            f"Fine to train on; to use more, load older history, or set cutoffs.lookback_months in projects/{spec.name}.yaml to what fits.",
            file=f"projects/{spec.name}.yaml",
            column="cutoffs.lookback_months",
        )
        return (Finding("history", "note", spec.name, words, fix, figures=figures),)
    words = (
        f"The data runs from {first:%Y-%m-%d} to {last:%Y-%m-%d}: all {asked} {CADENCE_WORDS[every]} snapshots fit, "
        f"each with a full {horizon}-day label window ({cutoffs[0]:%Y-%m-%d} to {cutoffs[-1]:%Y-%m-%d})."
    )
    return (Finding("history", "ok", spec.name, words, figures=figures),)

"""A forecast project's monitoring: its stored forecasts judged on the actuals that arrived since, beside freshness.

A forecast has no feature rows to drift; forecasting/actuals.py scores the newest forecast run that now has
actuals on the spec's metric against the done line.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from soloml.monitoring.freshness import DEFAULT_MAX_AGE, source_freshness
from soloml.monitoring.monitor import MonitorReport
from soloml.monitoring.performance import LivePerformance
from soloml.warehouse.base import Connection


def forecast_report(
    con: Connection, spec: Any, *, now: datetime, max_age: timedelta | dict[str, timedelta] = DEFAULT_MAX_AGE
) -> MonitorReport:
    """A forecast project has no feature rows to drift: its stored forecasts are judged on the actuals that arrived
    since (forecasting/actuals.py), against the done line, beside source freshness."""
    import secrets

    from soloml.forecasting.actuals import check_actuals
    from soloml.forecasting.journal import project_forecasts
    from soloml.forecasting.workflow import spec_series

    forecasts = project_forecasts(con, spec.name)
    block = spec.forecast
    checked = check_actuals(
        forecasts,
        spec_series(con, spec),
        metric=spec.done.metric,
        threshold=spec.done.value,
        tolerance=block.miss_tolerance if block else 0.1,
        miss_cost=block.miss_cost if block else None,
    )
    version = None
    if checked.run_id is not None:
        row = con.execute("SELECT model_version FROM ops.runs WHERE run_id = ?", [checked.run_id]).fetchone()
        version = row[0] if row else None
    performance = None
    if checked.value is not None:
        performance = LivePerformance(
            checked.metric,
            checked.value,
            float(checked.threshold) if checked.threshold is not None else float("nan"),
            checked.matched,
            checked.run_id,
            checked.alert,
            checked.words,
        )
    freshness = source_freshness(con, now=now, max_age=max_age)
    alerts = [f"Source {f.words}." for f in freshness if f.alert]
    if checked.alert:
        alerts.append(checked.words)
    lines = [checked.words]
    if freshness:
        stale = sum(f.alert for f in freshness)
        lines.append(f"Freshness: {len(freshness) - stale} of {len(freshness)} sources are fresh.")
        lines += [f"  {f.words}" for f in freshness]
    else:
        lines.append("Freshness: no loads recorded in ops.loads.")
    run_id = f"monitor-{spec.name}-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(2)}"
    return MonitorReport(
        spec.name, run_id, version, now, (), None, tuple(freshness), performance, tuple(alerts), tuple(lines)
    )

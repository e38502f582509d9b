"""One monitoring run: drift, freshness and live performance, in plain words, recorded in ops.monitoring."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from soloml.errors import MonitorError
from soloml.facts import JSON, field_facts
from soloml.monitoring.drift import FeatureDrift, feature_drift, numeric_drift
from soloml.monitoring.freshness import SourceFreshness
from soloml.monitoring.performance import LivePerformance
from soloml.warehouse import ops
from soloml.warehouse.base import DATABASE_ERRORS, Connection


@dataclass(frozen=True)
class MonitorReport:
    project: str
    run_id: str
    model_version: str | None
    checked_at: datetime
    drift: tuple[FeatureDrift, ...]
    prediction_drift: FeatureDrift | None
    freshness: tuple[SourceFreshness, ...]
    performance: LivePerformance | None
    alerts: tuple[str, ...]
    lines: tuple[str, ...]

    @property
    def alert(self) -> bool:
        return bool(self.alerts)

    def to_facts(self) -> dict[str, JSON]:
        """Every check's numbers, the alerts and `alert` (`soloml monitor --json`, the board, the update)."""
        data = field_facts(self)
        data["alert"] = self.alert
        return data


def check(
    project: str,
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    checked_at: datetime,
    features: tuple[str, ...] | list[str] | None = None,
    reference_scores: pd.Series | None = None,
    current_scores: pd.Series | None = None,
    freshness: tuple[SourceFreshness, ...] = (),
    performance: LivePerformance | None = None,
    model_version: str | None = None,
    run_id: str | None = None,
) -> MonitorReport:
    """Compare `current` feature rows with the `reference` (training) rows, and gather every alert."""
    drift = feature_drift(reference, current, features)
    prediction = None
    if reference_scores is not None and current_scores is not None and len(reference_scores) and len(current_scores):
        prediction = numeric_drift("prediction score", reference_scores, current_scores)
    alerts = [f"Feature {d.words}." for d in drift if d.alert]
    if prediction is not None and prediction.alert:
        alerts.append(f"The model's {prediction.words}.")
    alerts += [f"Source {f.words}." for f in freshness if f.alert]
    if performance is not None and performance.alert:
        alerts.append(performance.words)
    shifted = sum(d.alert for d in drift)
    lines = [f"Drift: {shifted} of {len(drift)} features shifted between training and the latest scoring rows."]
    lines += [f"  {d.words}" for d in sorted(drift, key=lambda d: -d.psi)[:5]]
    if prediction is not None:
        lines.append(f"Predictions: {prediction.words}.")
    else:
        lines.append("Predictions: no earlier scoring run of this model to compare with yet.")
    if freshness:
        stale = sum(f.alert for f in freshness)
        lines.append(f"Freshness: {len(freshness) - stale} of {len(freshness)} sources are fresh.")
        lines += [f"  {f.words}" for f in freshness]
    else:
        lines.append("Freshness: no loads recorded in ops.loads.")
    lines.append(
        f"Performance: {performance.words}"
        if performance is not None
        else "Performance: no scoring run has matured labels yet."
    )
    return MonitorReport(
        project,
        run_id or f"monitor-{project}-{checked_at:%Y%m%dT%H%M%S}-{secrets.token_hex(2)}",
        model_version,
        checked_at,
        drift,
        prediction,
        freshness,
        performance,
        tuple(alerts),
        tuple(lines),
    )


def record(con: Connection, report: MonitorReport) -> int:
    """Write one ops.monitoring row per check, in one transaction; returns the rows written."""
    when = report.checked_at.replace(tzinfo=None)
    rows = []
    for d in report.drift:
        rows.append(
            (
                "drift",
                d.feature,
                d.psi,
                d.psi_threshold,
                d.alert,
                {
                    "kind": d.kind,
                    "test": d.test,
                    "test_statistic": d.statistic,
                    "p_value": d.p_value,
                    "n_reference": d.n_reference,
                    "n_current": d.n_current,
                },
            )
        )
    if report.prediction_drift is not None:
        p = report.prediction_drift
        rows.append(
            (
                "prediction_drift",
                "score",
                p.psi,
                p.psi_threshold,
                p.alert,
                {
                    "test": p.test,
                    "test_statistic": p.statistic,
                    "p_value": p.p_value,
                    "n_reference": p.n_reference,
                    "n_current": p.n_current,
                },
            )
        )
    for f in report.freshness:
        rows.append(
            (
                "freshness",
                f.source,
                f.age_hours,
                f.max_age_hours,
                f.alert,
                {
                    "last_success": f.last_success.isoformat() if f.last_success else None,
                    "last_status": f.last_status,
                    "last_error": f.last_error,
                },
            )
        )
    if report.performance is not None:
        perf = report.performance
        rows.append(
            (
                "performance",
                perf.metric,
                perf.value,
                perf.threshold,
                perf.alert,
                {"matched": perf.matched, "scoring_run": perf.run_id, "words": perf.words},
            )
        )
    try:
        con.execute("BEGIN TRANSACTION")
        ops.delete(con, "monitoring", run_id=report.run_id)
        ops.insert_many(
            con,
            "monitoring",
            [
                {
                    "run_id": report.run_id,
                    "project": report.project,
                    "model_version": report.model_version,
                    "checked_at": when,
                    "check_name": name,
                    "subject": subject,
                    "statistic": stat,
                    "threshold": threshold,
                    "alert": alert,
                    "details": details,
                }
                for name, subject, stat, threshold, alert, details in rows
            ],
        )
        con.execute("COMMIT")
    except DATABASE_ERRORS as exc:
        con.execute("ROLLBACK")
        raise MonitorError(
            f"Could not record the monitoring run in ops.monitoring: {exc}.",
            hint="Check the warehouse is writable (no other soloml process holding it) and retry.",
        ) from exc
    return len(rows)

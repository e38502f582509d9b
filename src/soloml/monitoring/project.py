"""`monitor_project`: every check for one project of a workspace, recorded in ops.monitoring.

The inputs come from gather.py (reference, current, scores, matured labels); the judging from monitor.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from soloml.monitoring.forecasts import forecast_report
from soloml.monitoring.freshness import DEFAULT_MAX_AGE, source_freshness
from soloml.monitoring.gather import current_frame, matured_performance, reference_frame, score_frames
from soloml.monitoring.monitor import MonitorReport, check, record
from soloml.warehouse.base import Connection
from soloml.workspace import WorkspaceLike, as_workspace


def monitor_project(
    workspace: WorkspaceLike,
    project: str,
    *,
    now: datetime | None = None,
    max_age: timedelta | dict[str, timedelta] = DEFAULT_MAX_AGE,
    con: Connection | None = None,
    save: bool = True,
) -> MonitorReport:
    """Run every check for `project` in `workspace` (a Workspace or its folder) and record it in ops.monitoring."""
    from soloml.projects.spec import find_spec

    ws = as_workspace(workspace)
    spec = find_spec(ws.projects_dir, project)
    now = (now or datetime.now(UTC)).replace(tzinfo=None)
    own = con is None
    con = ws.connect() if own else con
    try:
        if spec.recipe == "forecast":
            report = forecast_report(con, spec, now=now, max_age=max_age)
            if save:
                record(con, report)
            return report
        reference, features = reference_frame(con, spec, features_dir=ws.features_dir)
        current = current_frame(con, spec, ws.root, features_dir=ws.features_dir)
        if features is not None:
            features = tuple(f for f in features if f in reference.columns)
        ref_scores, cur_scores, version = score_frames(con, project)
        report = check(
            project,
            reference,
            current,
            checked_at=now,
            features=features,
            reference_scores=ref_scores,
            current_scores=cur_scores,
            freshness=source_freshness(con, now=now, max_age=max_age),
            performance=matured_performance(con, spec, features_dir=ws.features_dir),
            model_version=version,
        )
        if save:
            record(con, report)
        return report
    finally:
        if own:
            con.close()

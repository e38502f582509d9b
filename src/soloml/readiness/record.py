"""Record a project's check in ops.runs, where the board's event gatherer reads it (soloml.tracker.events):
kind 'check', the project, status 'succeeded' (the check ran), details.outcome ('ready' is a pass) and a summary."""

from __future__ import annotations

import uuid

from soloml.readiness.report import ReadinessReport
from soloml.warehouse import ops
from soloml.warehouse.base import Connection


def record_check(con: Connection, report: ReadinessReport) -> str:
    """Write one ops.runs row for `report` (a project's check); returns its run id."""
    run_id = f"check-{uuid.uuid4().hex[:12]}"
    details = {
        "outcome": report.outcome,
        "summary": report.short(),
        "counts": report.counts(),
        "exit_code": report.exit_code,
    }
    ops.record_run(
        con,
        run_id=run_id,
        project=report.project,
        kind="check",
        status="succeeded",
        started_at=report.checked_at,
        finished_at=report.checked_at,
        details=details,
    )
    return run_id

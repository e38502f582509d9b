"""Record a project's check in ops.runs, where the board's event gatherer reads it (soloml.tracker.events):
kind 'check', the project, status 'succeeded' (the check ran), details.outcome ('ready' is a pass) and a summary."""

from __future__ import annotations

import json
import uuid

import duckdb

from soloml.readiness.report import ReadinessReport


def record_check(con: duckdb.DuckDBPyConnection, report: ReadinessReport) -> str:
    """Write one ops.runs row for `report` (a project's check); returns its run id."""
    run_id = f"check-{uuid.uuid4().hex[:12]}"
    details = {"outcome": report.outcome, "summary": report.short(), "counts": report.counts(), "exit_code": report.exit_code}
    con.execute(
        "INSERT INTO ops.runs (run_id, project, kind, model_version, started_at, finished_at, status, rows, error, details) "
        "VALUES (?, ?, 'check', NULL, ?, ?, 'succeeded', NULL, NULL, ?)",
        [run_id, report.project, report.checked_at, report.checked_at, json.dumps(details)],
    )
    return run_id

"""The workspace's history as typed, dated events: what the board, the weekly update, the report and the dashboard read.

    log = gather_events(ws)                 # every event, oldest first
    log.for_project("churn")                # one project's events
    log.between(start, end).to_facts()      # a week of it, as plain JSON-ready dicts

Where each kind comes from (one gatherer per source: project files in tracker/project_events.py, the registry in
tracker/model_events.py, experiments and their exposures in tracker/experiment_events.py; the ops.* journals are
read here, and these are the tracker's only readers of ops.*):

    project_agreed / contract_invalid   projects/<name>.yaml written (its modification time), read or not
    check_passed / check_failed         ops.runs rows of kind 'check' (the readiness stage records
                                        details.outcome = 'ready' for a pass; anything else is a fail)
    data_loaded / load_failed           ops.loads
    model_trained                       models/<project>/vNNNN/metadata.json (verdict, score, business value)
    training_failed                     ops.runs of kind 'train' that failed
    model_promoted / model_rolled_back  ops.model_events
    scoring_run / scoring_failed        ops.runs of kind 'score'
    experiment_planned                  experiments/<name>.yaml written
    experiment_started                  the first exposure in ops.exposures
    experiment_decided / _unreadable    the analysis of an experiment whose result is final (or why it cannot be read)
    monitoring_alert / monitoring_clear one ops.monitoring run, with or without an alert

Times are naive, on the business's clock (soloml.yaml `timezone`; the sources record UTC). `facts` hold
the numbers each kind carries (see the gatherers and docs/board-and-update.md). The types are in
tracker/event_log.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from soloml.errors import ConfigError
from soloml.tracker.event_log import Event, EventKind, EventLog, make_log
from soloml.tracker.experiment_events import experiment_events
from soloml.tracker.model_events import model_events
from soloml.tracker.project_events import contract_events
from soloml.workspace import Workspace


def gather_events(ws: Workspace, *, con: Any = None, now: datetime | None = None) -> EventLog:
    """Every event the workspace holds: its project and experiment files, its registry and its ops.* journals.

    Sources record UTC; the log is on the business's clock (soloml.yaml `timezone`). `now` is UTC.
    """
    zone = _zone(ws)
    now = now or datetime.now(UTC).replace(tzinfo=None)
    events = [*contract_events(ws), *model_events(ws)]
    own = con is None and Path(ws.warehouse_url).is_file()
    con = ws.connect(read_only=True) if own else con
    try:
        if con is not None:
            for reader in (_runs, _loads, _alias_changes, _monitoring):
                events += reader(con)
        events += experiment_events(ws, con, now)
    finally:
        if own:
            con.close()
    return make_log((replace(e, at=_to_local(e.at, zone)) for e in events), _to_local(now, zone))


def _has(con: Any, table: str) -> bool:
    from soloml.warehouse.connection import table_exists

    return table_exists(con, table)


def _json(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(text) if isinstance(text, str) else (text or {})
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


RUN_KINDS: dict[tuple[str, bool], EventKind] = {
    ("score", True): "scoring_run",
    ("score", False): "scoring_failed",
    ("train", False): "training_failed",
}


def _runs(con: Any) -> list[Event]:
    if not _has(con, "ops.runs"):
        return []
    rows = con.execute(
        "SELECT run_id, project, kind, model_version, coalesce(finished_at, started_at), status, rows, error, details FROM ops.runs"
    ).fetchall()
    out = []
    for run_id, project, kind, version, at, status, n, error, details in rows:
        ok = status == "succeeded"
        facts = {"run_id": run_id, "version": version, "rows": n, "error": error}
        if kind == "check":
            outcome = _json(details).get("outcome")
            kind_name: EventKind = "check_passed" if ok and outcome == "ready" else "check_failed"
            out.append(
                Event(
                    kind_name,
                    at,
                    project,
                    run_id,
                    {**facts, "outcome": outcome, "summary": _json(details).get("summary")},
                )
            )
        elif (kind, ok) in RUN_KINDS and at is not None:
            out.append(Event(RUN_KINDS[(kind, ok)], at, project, run_id, facts))
    return out


def _loads(con: Any) -> list[Event]:
    if not _has(con, "ops.loads"):
        return []
    rows = con.execute(
        "SELECT load_id, source, target_table, rows_loaded, rows_quarantined, coalesce(finished_at, started_at), status, error, "
        "json_extract_string(detection, '$.vendor_object') FROM ops.loads"
    ).fetchall()
    out = []
    for load_id, source, table, n, bad, at, status, error, vendor in rows:
        name = Path(str(source)).name
        facts = {
            "load_id": load_id,
            "source": name,
            "table": table,
            "rows": n,
            "quarantined": bad,
            "vendor_object": vendor,
            "error": error,
        }
        if at is not None and status in ("loaded", "failed"):
            out.append(Event("data_loaded" if status == "loaded" else "load_failed", at, None, name, facts))
    return out


def _alias_changes(con: Any) -> list[Event]:
    if not _has(con, "ops.model_events"):
        return []
    rows = con.execute(
        "SELECT project, action, alias, version, previous_version, happened_at FROM ops.model_events WHERE action IN ('promote', 'rollback')"
    ).fetchall()
    return [
        Event(
            "model_promoted" if action == "promote" else "model_rolled_back",
            at,
            project,
            version,
            {"version": version, "alias": alias, "previous_version": previous},
        )
        for project, action, alias, version, previous, at in rows
    ]


def _monitoring(con: Any) -> list[Event]:
    if not _has(con, "ops.monitoring"):
        return []
    rows = con.execute(
        "SELECT run_id, project, model_version, checked_at, check_name, subject, statistic, threshold, alert, details "
        "FROM ops.monitoring ORDER BY checked_at, run_id"
    ).fetchall()
    runs: dict[str, dict[str, Any]] = {}
    for run_id, project, version, at, check, subject, stat, threshold, alert, details in rows:
        run = runs.setdefault(run_id, {"project": project, "version": version, "at": at, "checks": 0, "alerts": []})
        run["checks"] += 1
        if alert:
            run["alerts"].append(alert_words(check, subject, stat, threshold, _json(details)))
    return [
        Event(
            "monitoring_alert" if r["alerts"] else "monitoring_clear",
            r["at"],
            r["project"],
            run_id,
            {"run_id": run_id, "version": r["version"], "checks": r["checks"], "alerts": r["alerts"]},
        )
        for run_id, r in runs.items()
    ]


def alert_words(
    check: str, subject: str | None, stat: float | None, threshold: float | None, details: Mapping[str, Any]
) -> str:
    """One monitoring alert in plain words."""
    if check == "freshness" and stat is not None and threshold is not None:
        return (
            f"the source {subject} was last loaded {stat / 24:,.0f} days ago (the limit is {threshold / 24:,.0f} days)"
        )
    if check == "drift":
        return f"the input '{subject}' looks different from the training data"
    if check == "prediction_drift":
        return "the model's scores look different from when it was trained"
    if check == "performance":
        return str(details.get("words") or "live results fell below the done line").rstrip(".")
    return f"the {check} check raised an alert"


def local_now(ws: Workspace) -> datetime:
    """Now on the business's clock (soloml.yaml `timezone`), naive like every event time."""
    return _to_local(datetime.now(UTC).replace(tzinfo=None), _zone(ws))


def _zone(ws: Workspace) -> ZoneInfo:
    try:
        return ZoneInfo(ws.settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"soloml.yaml timezone {ws.settings.timezone!r} is not a time zone name.",
            hint="Use a name like UTC, Europe/Berlin or America/New_York.",
        ) from exc


def _to_local(at: datetime, zone: ZoneInfo) -> datetime:
    return at.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)

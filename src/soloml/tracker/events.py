"""The workspace's history as typed, dated events: what the board, the weekly update, the report and the dashboard read.

    log = gather_events(ws)                 # every event, oldest first
    log.for_project("churn")                # one project's events
    log.between(start, end).to_facts()      # a week of it, as plain JSON-ready dicts

Where each kind comes from (this module is the only reader of ops.* in the tracker; its SQL stays here):

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
the numbers each kind carries (see the readers below and docs/board-and-update.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from soloml.errors import ConfigError, SolomlError, TrackerError
from soloml.workspace import Workspace

EventKind = Literal[
    "project_agreed",
    "contract_invalid",
    "check_passed",
    "check_failed",
    "data_loaded",
    "load_failed",
    "model_trained",
    "training_failed",
    "model_promoted",
    "model_rolled_back",
    "scoring_run",
    "scoring_failed",
    "experiment_planned",
    "experiment_started",
    "experiment_decided",
    "experiment_unreadable",
    "monitoring_alert",
    "monitoring_clear",
]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)


@dataclass(frozen=True)
class Event:
    """One dated thing that happened. `project` is None for workspace-wide events (loads)."""

    kind: EventKind
    at: datetime
    project: str | None
    subject: str
    facts: Mapping[str, Any] = field(default_factory=dict)

    def to_facts(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "at": self.at.isoformat(timespec="seconds"),
            "project": self.project,
            "subject": self.subject,
            "facts": dict(self.facts),
        }

    @classmethod
    def from_facts(cls, data: Mapping[str, Any]) -> Event:
        kind = data.get("kind")
        if kind not in EVENT_KINDS:
            raise TrackerError(
                f"Unknown event kind {kind!r} in an event log.", hint="Use one of: " + ", ".join(EVENT_KINDS) + "."
            )
        return cls(
            kind,
            datetime.fromisoformat(str(data["at"])),
            data.get("project"),
            str(data.get("subject", "")),
            dict(data.get("facts") or {}),
        )


@dataclass(frozen=True)
class EventLog:
    """Events oldest first, and when they were gathered."""

    events: tuple[Event, ...]
    gathered_at: datetime

    def for_project(self, project: str) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.project == project)

    def between(self, start: datetime, end: datetime) -> EventLog:
        """Events with start <= at < end."""
        return EventLog(tuple(e for e in self.events if start <= e.at < end), self.gathered_at)

    def projects(self) -> tuple[str, ...]:
        """Projects named by any event, in order of their first event."""
        return tuple(dict.fromkeys(e.project for e in self.events if e.project))

    def latest(self, project: str | None, *kinds: str) -> Event | None:
        return latest([e for e in self.events if e.project == project], *kinds)

    def to_facts(self) -> dict[str, Any]:
        return {
            "gathered_at": self.gathered_at.isoformat(timespec="seconds"),
            "events": [e.to_facts() for e in self.events],
        }

    @classmethod
    def from_facts(cls, data: Mapping[str, Any]) -> EventLog:
        return make_log(
            (Event.from_facts(e) for e in data.get("events", [])), datetime.fromisoformat(str(data["gathered_at"]))
        )


def latest(events: Iterable[Event], *kinds: str) -> Event | None:
    """The last of `events` (oldest first) whose kind is one of `kinds`."""
    found = [e for e in events if e.kind in kinds]
    return found[-1] if found else None


def make_log(events: Iterable[Event], gathered_at: datetime) -> EventLog:
    return EventLog(tuple(sorted(events, key=lambda e: (e.at, EVENT_KINDS.index(e.kind), e.subject))), gathered_at)


def gather_events(ws: Workspace, *, con: Any = None, now: datetime | None = None) -> EventLog:
    """Every event the workspace holds: its project and experiment files, its registry and its ops.* journals.

    Sources record UTC; the log is on the business's clock (soloml.yaml `timezone`). `now` is UTC.
    """
    zone = _zone(ws)
    now = now or datetime.now(UTC).replace(tzinfo=None)
    events = [*_contract_events(ws), *_model_events(ws)]
    own = con is None and Path(ws.warehouse_url).is_file()
    con = ws.connect(read_only=True) if own else con
    try:
        if con is not None:
            for reader in (_runs, _loads, _alias_changes, _monitoring):
                events += reader(con)
        events += _experiment_events(ws, con, now)
    finally:
        if own:
            con.close()
    return make_log((replace(e, at=_to_local(e.at, zone)) for e in events), _to_local(now, zone))


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)


def _contract_events(ws: Workspace) -> list[Event]:
    from soloml.projects.spec import load_spec

    out = []
    for path in sorted(ws.projects_dir.glob("*.yaml")):
        try:
            spec = load_spec(path)
        except SolomlError as exc:
            out.append(Event("contract_invalid", _mtime(path), path.stem, path.name, {"error": exc.message}))
            continue
        out.append(Event("project_agreed", _mtime(path), spec.name, path.name, contract_facts(spec)))
    return out


def contract_facts(spec: Any) -> dict[str, Any]:
    """The contract's terms the board, the priorities and the update need, as plain values."""
    from soloml.modeling.metrics import HIGHER_IS_BETTER

    b = spec.business
    return {
        "question": spec.question,
        "decision": spec.decision,
        "stakeholder": spec.stakeholder,
        "owner": spec.owner,
        "recipe": spec.recipe,
        "entity": spec.entity,
        "metric": spec.done.metric,
        "done_value": spec.done.value,
        "higher_is_better": HIGHER_IS_BETTER.get(spec.done.metric, True),
        "value_per_success": b.value_per_success,
        "cost_per_action": b.cost_per_action,
        "capacity": b.capacity,
        "cycle": b.cycle,
        "success_rate": b.success_rate,
        "currency": b.currency,
        "deadline": spec.deadline.isoformat() if spec.deadline else None,
        "spec_hash": spec.spec_hash(),
    }


def _model_events(ws: Workspace) -> list[Event]:
    from soloml.registry.store import projects, read_metadata, versions

    out = []
    for project in projects(ws.models_dir):
        for version in versions(ws.models_dir, project):
            meta = read_metadata(ws.models_dir, project, version)
            if meta.get("created_at"):
                out.append(
                    Event(
                        "model_trained",
                        datetime.fromisoformat(meta["created_at"]),
                        project,
                        version,
                        model_facts(meta, version),
                    )
                )
    return out


def model_facts(meta: Mapping[str, Any], version: str) -> dict[str, Any]:
    detail = meta.get("verdict_detail") or {}
    business = meta.get("business") or {}
    rule = business.get("today_rule") or {}
    return {
        "version": version,
        "verdict": meta.get("verdict"),
        "metric": meta.get("metric"),
        "model_score": meta.get("model_score"),
        "done_metric": detail.get("metric"),
        "done_metric_value": detail.get("model_value"),
        "done_value": detail.get("done_value"),
        "best_baseline": detail.get("best_baseline"),
        "best_baseline_value": detail.get("best_baseline_value"),
        "expected_value": business.get("expected_value"),
        "today_rule_expected_value": rule.get("expected_value"),
        "precision_at_capacity": business.get("precision_at_capacity"),
        "today_rule_precision": rule.get("precision_at_capacity"),
        "capacity": business.get("capacity"),
        "cycle": business.get("cycle"),
        "currency": business.get("currency"),
        "spec_hash": meta.get("spec_hash"),
        "entity": meta.get("entity"),
    }


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


def _experiment_events(ws: Workspace, con: Any, now: datetime) -> list[Event]:
    from soloml.experiments.spec import load_experiment

    out = []
    for path in sorted(ws.experiments_dir.glob("*.yaml")):
        try:
            spec = load_experiment(path)
        except SolomlError as exc:
            out.append(
                Event(
                    "experiment_unreadable",
                    _mtime(path),
                    None,
                    path.stem,
                    {"experiment": path.stem, "error": exc.message},
                )
            )
            continue
        base = {"experiment": spec.name, "description": spec.description}
        planned = {
            **base,
            "start": spec.start.isoformat() if spec.start else None,
            "end": spec.end.isoformat() if spec.end else None,
            "planned_units_per_arm": spec.planned_units_per_arm,
        }
        out.append(Event("experiment_planned", _mtime(path), spec.project, spec.name, planned))
        exposure = _exposures(con, spec.name)
        if exposure is None:
            continue
        first, last, counts = exposure
        out.append(
            Event(
                "experiment_started",
                first,
                spec.project,
                spec.name,
                {**base, "units": sum(counts.values()), "variants": counts},
            )
        )
        out += _decision(ws, con, spec, base, last, now)
    return out


def _exposures(con: Any, experiment: str) -> tuple[datetime, datetime, dict[str, int]] | None:
    if con is None or not _has(con, "ops.exposures"):
        return None
    rows = con.execute(
        "SELECT variant, count(*), min(exposed_at), max(exposed_at) FROM ops.exposures WHERE experiment = ? GROUP BY 1 ORDER BY 1",
        [experiment],
    ).fetchall()
    if not rows:
        return None
    return min(r[2] for r in rows), max(r[3] for r in rows), {str(r[0]): int(r[1]) for r in rows}


def _decision(ws: Workspace, con: Any, spec: Any, base: dict[str, Any], last: datetime, now: datetime) -> list[Event]:
    from soloml.experiments.result_cache import cached_analysis

    try:
        result = cached_analysis(con, spec, root=ws.root, warehouse=ws.warehouse_url, today=now.date())
    except SolomlError as exc:
        return [Event("experiment_unreadable", last, spec.project, spec.name, {**base, "error": exc.message})]
    if not result.final:
        return []
    at = max(last, datetime.combine(spec.end + timedelta(days=1), time())) if spec.end else last
    facts = {
        **base,
        "decision": result.decision,
        "shipped": result.decision.startswith("ship "),
        "headline": result.headline,
        "decision_words": result.verdict.words(spec),
    }
    return [Event("experiment_decided", min(at, now), spec.project, spec.name, facts)]


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

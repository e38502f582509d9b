"""Events from the experiment files and ops.exposures: planned, started, and decided (or unreadable)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from soloml.errors import SolomlError
from soloml.tracker.event_log import Event, modified_at
from soloml.workspace import Workspace


def experiment_events(ws: Workspace, con: Any, now: datetime) -> list[Event]:
    from soloml.experiments.spec import load_experiment

    out = []
    for path in sorted(ws.experiments_dir.glob("*.yaml")):
        try:
            spec = load_experiment(path)
        except SolomlError as exc:
            out.append(
                Event(
                    "experiment_unreadable",
                    modified_at(path),
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
        out.append(Event("experiment_planned", modified_at(path), spec.project, spec.name, planned))
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
    from soloml.warehouse.connection import table_exists

    if con is None or not table_exists(con, "ops.exposures"):
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

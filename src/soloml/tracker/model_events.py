"""Events from the model registry (models/<project>/vNNNN/metadata.json): each model trained, with its numbers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from soloml.tracker.event_log import Event
from soloml.workspace import Workspace


def model_events(ws: Workspace) -> list[Event]:
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

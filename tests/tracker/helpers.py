"""Events for tracker tests: a dated event from a short spec, and the fixed event log of fixtures/events.json."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from soloml.projects.spec import ProjectSpec
from soloml.tracker.event_log import Event, EventLog

FIXTURES = Path(__file__).parent / "fixtures"
START = datetime(2026, 11, 1, 9, 0)


def event(kind: str, day: int = 0, project: str | None = "churn", subject: str = "", **facts: Any) -> Event:
    """`kind` on day `day` after 2026-11-01."""
    return Event(kind, START + timedelta(days=day), project, subject or kind, facts)  # type: ignore[arg-type]


def contract(**overrides: Any) -> dict[str, Any]:
    base = {
        "question": "Who will cancel?",
        "decision": "call them",
        "stakeholder": "Dana",
        "owner": "Sam",
        "recipe": "churn",
        "entity": "customer",
        "metric": "precision_at_capacity",
        "done_value": 0.35,
        "higher_is_better": True,
        "value_per_success": 300.0,
        "cost_per_action": 5.0,
        "capacity": 100,
        "cycle": "weekly",
        "success_rate": 0.3,
        "currency": "USD",
        "deadline": None,
        "spec_hash": "h1",
    }
    return {**base, **overrides}


def spec(name: str = "churn", **extra: Any) -> ProjectSpec:
    """A valid churn contract (Dana, Sam, 100 a week, done line 35% hit rate)."""
    return ProjectSpec.model_validate(
        {
            "name": name,
            "question": "Which subscribers are about to cancel?",
            "decision": "call the top 100",
            "stakeholder": "Dana",
            "owner": "Sam",
            "recipe": "churn",
            "label": {"definition": "no payment in 60 days"},
            "business": {"value_per_success": 300, "capacity": 100},
            "done": {"metric": "precision_at_capacity", "value": 0.35},
            **extra,
        }
    )


def fixed_log() -> EventLog:
    return EventLog.from_facts(json.loads((FIXTURES / "events.json").read_text(encoding="utf-8")))

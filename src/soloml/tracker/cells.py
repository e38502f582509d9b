"""One project's board cells: what soloml proposes from the events, merged with what a person typed.

A pure function: the project's events, the row as read, what soloml wrote there last time, today.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from soloml.tracker import words as w
from soloml.tracker.event_log import Event, latest
from soloml.tracker.priorities import Priority, priority_of
from soloml.tracker.stages import Situation, Stage, Status, findings, last_event_day, next_step, stage_of, status_of

EFFORT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:d|days?)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Proposal:
    """The row soloml writes for one project, and where a person's text differs from soloml's."""

    project: str
    stage: Stage
    status: Status
    findings: tuple[Status, ...]
    priority: Priority
    values: dict[str, str]
    conflicts: dict[str, tuple[str, str, bool]] = field(default_factory=dict)  # key -> (person's, soloml's, kept)
    kept: frozenset[str] = frozenset()

    def with_priority(self, priority: Priority) -> Proposal:
        return replace(self, priority=priority)


class _Cells:
    """Resolves each cell: a person's own text wins in their columns; soloml's everywhere else."""

    def __init__(self, prev: Mapping[str, str], last: Mapping[str, str], person: frozenset[str]) -> None:
        self.prev, self.last, self.person = prev, last, person
        self.conflicts: dict[str, tuple[str, str, bool]] = {}
        self.kept: set[str] = set()

    def resolve(self, key: str, suggestion: str) -> str:
        typed = self.prev.get(key, "")
        mine = key in self.person and typed != "" and typed != self.last.get(key)
        if mine:
            self.kept.add(key)
            if typed != suggestion:
                self.conflicts[key] = (typed, suggestion, True)
            return typed
        if typed and typed != suggestion and typed != self.last.get(key) and key not in self.person:
            self.conflicts[key] = (typed, suggestion, False)
        return suggestion


def propose_row(
    name: str,
    events: Sequence[Event],
    prev: Mapping[str, str],
    last: Mapping[str, str],
    *,
    person: frozenset[str],
    today: date,
) -> Proposal:
    agreed = latest(events, "project_agreed")
    c: Mapping[str, Any] = agreed.facts if agreed else {}
    cells = _Cells(prev, last, person)
    parked = prev.get("stage", "").lower() == "parked"
    stage: Stage = "parked" if parked else stage_of(events)
    values = {"project": name, "stage": cells.resolve("stage", stage) if not parked else "parked"}
    values["owner"] = cells.resolve("owner", str(c.get("owner") or ""))
    stakeholder = cells.resolve("stakeholder", str(c.get("stakeholder") or ""))
    values["stakeholder"] = stakeholder
    values["due"] = cells.resolve("due", str(c.get("deadline") or ""))
    due, due_problem = parse_due(values["due"])
    situation = Situation(tuple(events), stage, due, today, stakeholder or "the stakeholder")
    status, found = status_of(situation), findings(situation)
    if due_problem and stage != "parked":
        found += (Status("amber", due_problem, "Write the due date as YYYY-MM-DD"),)
        status = status if status.colour in ("red", "amber") else found[-1]
    values["status"], values["status_reason"] = status.colour, status.reason
    values["metric"] = cells.resolve("metric", w.metric_label(c.get("metric")) if c else "")
    values["done_line"] = cells.resolve(
        "done_line", w.done_line(c["metric"], c["done_value"], c.get("higher_is_better", True)) if c else ""
    )
    values["latest_result"] = cells.resolve("latest_result", latest_result(events))
    values["next_step"] = cells.resolve("next_step", next_step(situation, status))
    values["effort_days"] = cells.resolve("effort_days", "")
    values["notes"] = cells.resolve("notes", "")
    last_day = last_event_day(events)
    values["last_event"] = last_day.isoformat() if last_day else ""
    effort, effort_problem = _parse_effort(values["effort_days"])
    priority = priority_of(name, events, effort_days=effort, parked=stage == "parked")
    if effort_problem:
        priority = replace(priority, sentence=f"{name}: {effort_problem}")
    return Proposal(name, stage, status, found, priority, values, cells.conflicts, frozenset(cells.kept))


def parse_due(text: str) -> tuple[date | None, str | None]:
    if not text.strip():
        return None, None
    try:
        return date.fromisoformat(text.strip()[:10]), None
    except ValueError:
        return None, f"Due {text.strip()!r} is not a date soloml can read"


def _parse_effort(text: str) -> tuple[float | None, str | None]:
    if not text.strip():
        return None, None
    match = EFFORT.match(text)
    value = float(match.group(1).replace(",", ".")) if match else None
    if value is None or value <= 0:
        return None, f"Effort {text.strip()!r} is not a number of days above zero; type e.g. 3"
    return value, None


def latest_result(events: Sequence[Event]) -> str:
    """The newest result in a sentence: an experiment's decision, else the latest model against its done line."""
    decided = latest(events, "experiment_decided")
    model = latest(events, "model_trained")
    if decided and (model is None or decided.at >= model.at):
        return str(decided.facts.get("headline") or f"Experiment {decided.subject}: {decided.facts.get('decision')}")
    if model is None:
        return ""
    f = model.facts
    metric = f.get("done_metric") or f.get("metric")
    baseline = w.BASELINE_WORDS.get(str(f.get("best_baseline")), "the best baseline")
    text = (
        f"Model {model.subject} on {w.day(model.at.date())}: {w.VERDICT_WORDS.get(str(f.get('verdict')), 'trained')}; "
        f"{w.metric_label(metric)} {w.metric_value(metric, f.get('done_metric_value'))} "
        f"(done line {w.metric_value(metric, f.get('done_value'))}, {baseline} {w.metric_value(metric, f.get('best_baseline_value'))})"
    )
    value = f.get("expected_value")
    if value is not None:
        amount = w.money(value, str(f.get("currency") or "USD"))
        text += (
            f", about {amount} {w.per_cycle(f.get('cycle'))}"
            if value >= 0
            else f", a loss of about {amount} {w.per_cycle(f.get('cycle'))}"
        )
    return text

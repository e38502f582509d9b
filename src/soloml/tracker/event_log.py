"""The tracker's events as typed, dated values, and the log of them the board, the update and the report read.

The kinds and where each comes from are listed in soloml/tracker/events.py, whose `gather_events` builds the log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args

from soloml.errors import TrackerError

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


def modified_at(path: Path) -> datetime:
    """When a file was last written, in UTC (naive): the time of an event read from a file."""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)

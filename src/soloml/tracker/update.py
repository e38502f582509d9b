"""The weekly update: what happened, what is next, when each project will be done, risks and decisions.

    update = write_update(ws)                   # refreshes the board, writes reports/update-<date>.md and .txt
    update = write_update(ws, send=True)        # ... and e-mails the text (soloml.yaml smtp / SOLOML_SMTP_*)

`compose_update` is pure (an event log and a board in, sections out), so a fixed log gives a fixed update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from soloml.errors import TrackerError
from soloml.tracker import words as w
from soloml.tracker.board import Board, BoardRow, refresh_board
from soloml.tracker.cells import parse_due
from soloml.tracker.event_log import EventLog
from soloml.tracker.events import gather_events, local_now
from soloml.tracker.happenings import happened
from soloml.workspace import Workspace

SECTIONS = (
    ("status", "Status"),
    ("happened", "What happened"),
    ("planned", "Planned next week"),
    ("done_when", "When each project will be done"),
    ("risks", "Top risks"),
    ("decisions", "Decisions needed"),
)
TOP_RISKS = 5


@dataclass(frozen=True)
class WeeklyUpdate:
    business: str
    since: date
    until: date  # inclusive
    sections: dict[str, tuple[str, ...]]
    markdown_path: Path | None = None
    text_path: Path | None = None
    delivery: Any = None
    board_path: Path | None = None
    colours: dict[str, str] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        return f"{self.business}: weekly update, {w.day(self.since)} to {w.day(self.until)}"

    def markdown(self) -> str:
        parts = [f"# {self.subject}", ""]
        for key, title in SECTIONS:
            parts += [f"## {title}", "", *(f"- {line}" for line in self.sections[key]), ""]
        return "\n".join(parts)

    def text(self) -> str:
        """The e-mail body: the same lines, plain text."""
        parts = [self.subject, ""]
        for key, title in SECTIONS:
            parts += [title, "-" * len(title), *(f"- {line}" for line in self.sections[key]), ""]
        return "\n".join(parts)

    def to_facts(self) -> dict[str, Any]:
        return {
            "business": self.business,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "subject": self.subject,
            "sections": {k: list(v) for k, v in self.sections.items()},
            "colours": dict(self.colours),
            "markdown_path": str(self.markdown_path) if self.markdown_path else None,
            "text_path": str(self.text_path) if self.text_path else None,
            "board_path": str(self.board_path) if self.board_path else None,
            "sent": None if self.delivery is None else self.delivery.to_facts(),
            "text": self.text(),
        }


def compose_update(log: EventLog, board: Board, *, since: date, until: date, business: str) -> WeeklyUpdate:
    """The update's sections from the event log (for what happened) and the board (for status, plans and dates)."""
    if since > until:
        raise TrackerError(
            f"The update's start {since} is after its end {until}.", hint="Pass an earlier --since date."
        )
    window = log.between(datetime.combine(since, time()), datetime.combine(until + timedelta(days=1), time()))
    rows = board.rows
    sections = {
        "status": tuple(f"{r.values['project']}: {r.values['status']}. {_end(r.values['status_reason'])}" for r in rows)
        or ("No projects yet.",),
        "happened": happened(window, log) or (f"Nothing was recorded between {w.day(since)} and {w.day(until)}.",),
        "planned": tuple(f"{r.values['project']}: {_end(r.values['next_step'])}" for r in rows if r.values["next_step"])
        or ("Nothing planned yet.",),
        "done_when": tuple(_done_when(r, until) for r in rows) or ("No projects yet.",),
        "risks": _risks(rows, window) or ("No risk stands out this week.",),
        "decisions": _decisions(rows) or ("No decision is needed this week.",),
    }
    colours = {r.values["project"]: r.values["status"] for r in rows}
    return WeeklyUpdate(business, since, until, sections, colours=colours)


def _end(text: str) -> str:
    """`text` as a sentence: a full stop unless it already ends with one."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _done_when(row: BoardRow, today: date) -> str:
    v, name, stage = row.values, row.values["project"], row.values["stage"]
    if stage == "proven":
        reason = v["status_reason"]
        return f"{name}: done, {_end(reason[:1].lower() + reason[1:])}"
    if stage == "parked":
        return f"{name}: parked, no date."
    due, _ = parse_due(v["due"])
    if due is None:
        return f"{name}: no due date yet, now at stage {stage}; type one in the board's Due column."
    if due < today:
        return f"{name}: was due {w.day(due)}, {w.days_between(due, today)} ago; now at stage {stage}."
    return f"{name}: due {w.day(due)}, in {w.days_between(today, due)}; now at stage {stage}."


def _risks(rows: tuple[BoardRow, ...], window: EventLog) -> tuple[str, ...]:
    """Every red finding before every amber one, the week's failed loads among the red; the first TOP_RISKS."""
    found = [
        (0 if f.colour == "red" else 1, f"{r.values['project']} ({f.colour}): {_end(f.reason)}")
        for r in rows
        for f in r.proposal.findings
    ]
    failed = [e for e in window.events if e.kind == "load_failed"]
    if failed:
        names = ", ".join(sorted({e.subject for e in failed}))
        found.append(
            (0, f"{w.plural(len(failed), 'load')} failed this week ({names}): the data behind the models may be stale.")
        )
    return tuple(text for _, text in sorted(found, key=lambda t: t[0])[:TOP_RISKS])


def _decisions(rows: tuple[BoardRow, ...]) -> tuple[str, ...]:
    out = []
    for r in rows:
        for decision in dict.fromkeys(f.decision for f in (*r.proposal.findings, r.proposal.status) if f.decision):
            out.append(f"{r.values['project']}: {decision}.")
    return tuple(out)


def write_update(
    ws: Workspace,
    *,
    since: date | None = None,
    today: date | None = None,
    send: bool = False,
    env: dict[str, str] | None = None,
    log: EventLog | None = None,
) -> WeeklyUpdate:
    """Refresh the board, compose the update, write reports/update-<today>.md and .txt, and e-mail it when `send`."""
    today = today or local_now(ws).date()
    since = since or today - timedelta(days=7)
    log = log or gather_events(ws)
    board = refresh_board(ws, log=log, today=today)
    update = compose_update(log, board, since=since, until=today, business=ws.settings.name)
    ws.reports_dir.mkdir(parents=True, exist_ok=True)
    md, txt = ws.reports_dir / f"update-{today.isoformat()}.md", ws.reports_dir / f"update-{today.isoformat()}.txt"
    md.write_text(update.markdown(), encoding="utf-8")
    txt.write_text(update.text(), encoding="utf-8")
    delivery = None
    if send:
        from soloml.tracker.mail import send_mail

        delivery = send_mail(
            ws.settings.smtp, update.subject, update.text(), attachment=(md.name, update.markdown()), env=env
        )
    return WeeklyUpdate(
        update.business, update.since, update.until, update.sections, md, txt, delivery, board.path, update.colours
    )

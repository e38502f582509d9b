"""The project board: board.csv, one row per project, refreshed from the event log without losing a person's edits.

    board = refresh_board(ws)            # read board.csv, gather events, write board.csv (and board.xlsx with xlsx=True)
    board.to_facts()["rows"][0]["stage"] # 'deployed'

Whose cell is it? soloml's columns (stage, status, why, metric, done line, latest result, priority, last
event) are rewritten every time, except a Stage a person set to "parked". The person's columns (soloml.yaml
`board.person_columns`; by default owner, stakeholder, next step, due, effort, notes) get soloml's
suggestion only while the cell is blank or still holds what soloml last wrote there; once a person types
something else it is theirs. Columns a person added, and the order of rows and columns, are kept.
What soloml last wrote is remembered in .soloml/board-memory.json beside the board.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from soloml.errors import ConfigError, TrackerError, did_you_mean
from soloml.tracker.cells import Proposal, propose_row
from soloml.tracker.event_log import EventLog
from soloml.tracker.events import gather_events, local_now
from soloml.tracker.priorities import rank_priorities
from soloml.tracker.sheet import Sheet, read_sheet, write_csv, write_xlsx
from soloml.workspace import BOARD_COLUMNS, Workspace

KEYS = tuple(k for k, _ in BOARD_COLUMNS)
LABELS = dict(BOARD_COLUMNS)
ALIASES = {"updatedat": "last_event", "updated": "last_event", "reason": "status_reason", "effort": "effort_days"}
MEMORY_FILE = Path(".soloml") / "board-memory.json"


@dataclass(frozen=True)
class BoardRow:
    """One project's row: every cell by header as written, and the standard cells by key."""

    cells: Mapping[str, str]  # header label -> text, in the board's column order
    values: Mapping[str, str]  # standard key -> text
    proposal: Proposal

    def to_facts(self) -> dict[str, Any]:
        extra = {k: v for k, v in self.cells.items() if _key(k) is None}
        return {
            **dict(self.values),
            "status_fix": self.proposal.status.fix,
            "priority_score": self.proposal.priority.score,
            "extra_columns": extra,
        }


@dataclass(frozen=True)
class Edit:
    """A cell where a person's text and soloml's differ: `kept` True when the person's text stayed."""

    row_id: str
    project: str
    column: str
    person: str
    soloml: str
    kept: bool

    def words(self) -> str:
        if self.kept:
            return f"Kept your {self.column} for {self.project} ({self.person!r}); soloml would have written {self.soloml!r}."
        return f"{self.column} is soloml's column: your {self.person!r} for {self.project} was replaced by {self.soloml!r} (write it in Notes instead)."


@dataclass(frozen=True)
class Board:
    path: Path
    header: tuple[str, ...]
    rows: tuple[BoardRow, ...]
    edits: tuple[Edit, ...]
    xlsx: Path | None
    today: date

    def row(self, project: str) -> BoardRow:
        for r in self.rows:
            if r.values["project"] == project:
                return r
        raise TrackerError(
            f"No project '{project}' on the board.{did_you_mean(project, [r.values['project'] for r in self.rows])}"
        )

    def to_facts(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "xlsx": str(self.xlsx) if self.xlsx else None,
            "today": self.today.isoformat(),
            "columns": list(self.header),
            "rows": [r.to_facts() for r in self.rows],
            "edits": [e.words() for e in self.edits],
        }


def _norm(label: str) -> str:
    return re.sub(r"[^a-z0-9]", "", label.lower())


_BY_NORM = {**{_norm(k): k for k in KEYS}, **{_norm(v): k for k, v in BOARD_COLUMNS}, **ALIASES}


def _key(label: str) -> str | None:
    return _BY_NORM.get(_norm(label))


# columns soloml computes from events and never hands to a person (a Stage of "parked" is the one exception)
COMPUTED = ("id", "project", "stage", "status", "status_reason", "priority", "priority_reason", "last_event")


def person_columns(ws: Workspace) -> frozenset[str]:
    """soloml.yaml's board.person_columns, checked against the columns a person may own."""
    allowed = [k for k in KEYS if k not in COMPUTED]
    for key in ws.settings.board.person_columns:
        if key not in allowed:
            raise ConfigError(
                f"soloml.yaml board.person_columns lists '{key}', which is not a board column a person can own.{did_you_mean(key, allowed)}",
                hint="Allowed: " + ", ".join(allowed) + ".",
            )
    return frozenset(ws.settings.board.person_columns)


def refresh_board(
    ws: Workspace, *, log: EventLog | None = None, today: date | None = None, xlsx: bool = False
) -> Board:
    """Rebuild board.csv from the workspace's events, keeping every cell a person owns; optionally board.xlsx too."""
    log = log or gather_events(ws)
    today = today or local_now(ws).date()
    sheet = read_sheet(ws.board_path) if ws.board_path.is_file() else Sheet(ws.board_path, (), (), ())
    memory = _read_memory(ws.root / MEMORY_FILE)
    board, memory = build_board(sheet, log, memory, today=today, person=person_columns(ws))
    ordered = [[r.cells[h] for h in board.header] for r in board.rows]
    write_csv(ws.board_path, board.header, ordered)
    _write_memory(ws.root / MEMORY_FILE, memory)
    if xlsx:
        target = ws.board_path.with_suffix(".xlsx")
        write_xlsx(
            target,
            board.header,
            ordered,
            status_column=_label(board.header, "status"),
            date_columns=[_label(board.header, "due")],
        )
        board = Board(board.path, board.header, board.rows, board.edits, target, today)
    return board


def _label(header: Sequence[str], key: str) -> str:
    return next(h for h in header if _key(h) == key)


def build_board(
    sheet: Sheet, log: EventLog, memory: dict[str, Any], *, today: date, person: frozenset[str]
) -> tuple[Board, dict[str, Any]]:
    """The new board (pure: no files) from the sheet as read, the event log and what soloml wrote last time."""
    previous = _previous_rows(sheet)
    ids: dict[str, str] = dict(memory.get("ids", {}))
    written: dict[str, dict[str, str]] = dict(memory.get("cells", {}))
    names = list(previous) + sorted(p for p in log.projects() if p not in previous)
    header = _header(sheet.header, sheet.path)
    proposals, edits, rows_values = [], [], []
    for name in names:
        prev = previous.get(name, {})
        row_id = prev.get("id") or ids.get(name) or _new_id(ids, previous)
        ids[name] = row_id
        last = written.get(row_id, {})
        proposal = propose_row(name, log.for_project(name), prev, last, person=person, today=today)
        proposals.append(proposal)
        for key, (person_text, soloml_text, kept) in proposal.conflicts.items():
            edits.append(Edit(row_id, name, LABELS[key], person_text, soloml_text, kept))
        rows_values.append((row_id, prev, proposal))
    ranked = {p.project: p for p in rank_priorities([p.priority for p in proposals])}
    rows = []
    for row_id, prev, proposal in rows_values:
        values = {**proposal.values, "id": row_id, **ranked_cells(ranked[proposal.project])}
        proposal = proposal.with_priority(ranked[proposal.project])
        written[row_id] = {k: v for k, v in values.items() if k not in proposal.kept}
        extra = {h: prev.get(h, "") for h in header if _key(h) is None}
        cells = {h: (values[_key(h)] if _key(h) else extra[h]) for h in header}  # type: ignore[index]
        rows.append(BoardRow(cells, values, proposal))
    board = Board(sheet.path, header, tuple(rows), tuple(edits), None, today)
    return board, {"version": 1, "ids": ids, "cells": written}


def ranked_cells(priority: Any) -> dict[str, str]:
    return {"priority": "" if priority.rank is None else str(priority.rank), "priority_reason": priority.sentence}


def _header(existing: Sequence[str], path: Path) -> tuple[str, ...]:
    """The person's header order, with any missing standard column added at the end."""
    seen: dict[str, str] = {}
    for h in existing:
        key = _key(h)
        if key in seen:
            raise TrackerError(
                f"{path} has two columns that both mean {LABELS[key]}: '{seen[key]}' and '{h}'.",
                hint="Delete or rename one of them.",
            )
        if key:
            seen[key] = h
    present = set(seen)
    return tuple(existing) + tuple(label for key, label in BOARD_COLUMNS if key not in present)


def _previous_rows(sheet: Sheet) -> dict[str, dict[str, str]]:
    """Rows by project name, each as {standard key or extra header: text}; rejects duplicates and nameless rows."""
    out: dict[str, dict[str, str]] = {}
    where: dict[str, int] = {}
    ids: dict[str, int] = {}
    for number, row in zip(sheet.row_numbers, sheet.rows, strict=True):
        cells = {(_key(h) or h): v.strip() if _key(h) in ("id", "project", "stage") else v for h, v in row.items()}
        name, row_id = cells.get("project", ""), cells.get("id", "")
        if not name:
            raise TrackerError(
                f"{sheet.path} row {number} has no project name (column Project is empty).",
                hint="Type the project's name (its projects/NAME.yaml file name, or a new idea), or delete the row.",
            )
        if name in out:
            raise TrackerError(
                f"{sheet.path} lists project '{name}' twice (rows {where[name]} and {number}).",
                hint="Delete one of the two rows.",
            )
        if row_id and row_id in ids:
            raise TrackerError(
                f"{sheet.path} rows {ids[row_id]} and {number} share the id {row_id!r}.",
                hint="Clear the Id of the newer row; soloml gives it a new one.",
            )
        out[name], where[name] = cells, number
        if row_id:
            ids[row_id] = number
    return out


def _new_id(ids: Mapping[str, str], previous: Mapping[str, Mapping[str, str]]) -> str:
    taken = set(ids.values()) | {r.get("id", "") for r in previous.values()}
    numbers = [int(t[1:]) for t in taken if re.fullmatch(r"P\d+", t)]
    return f"P{max(numbers, default=0) + 1:03d}"


def _read_memory(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_memory(path: Path, memory: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(memory, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)

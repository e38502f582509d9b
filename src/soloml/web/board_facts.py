"""The Board page's facts: the rows `soloml board` writes to board.csv, computed without writing."""

from __future__ import annotations

from typing import Any

from soloml.warehouse.base import Connection
from soloml.web.facts import relative
from soloml.workspace import Workspace


def board(ws: Workspace, con: Connection) -> dict[str, Any]:
    """The rows `soloml board` writes to board.csv, computed without writing anything (the page is a GET)."""
    from soloml.tracker.board import MEMORY_FILE, _read_memory, build_board, person_columns
    from soloml.tracker.events import gather_events, local_now
    from soloml.tracker.sheet import Sheet, read_sheet

    log = gather_events(ws, con=con)
    sheet = read_sheet(ws.board_path) if ws.board_path.is_file() else Sheet(ws.board_path, (), (), ())
    built, _ = build_board(
        sheet, log, _read_memory(ws.root / MEMORY_FILE), today=local_now(ws).date(), person=person_columns(ws)
    )
    facts = built.to_facts()
    facts["path"] = relative(ws, built.path)
    facts.pop("xlsx", None)
    return facts

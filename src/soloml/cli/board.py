"""`soloml board [--xlsx]`: refresh board.csv (one row per project) from the workspace's events, keeping a person's cells."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from soloml.cli.output import JsonOption, WorkspaceOption, console, emit, handled, workspace

COLOURS = {"green": "green", "amber": "yellow", "red": "red", "grey": "dim"}


def _render(facts: dict[str, Any]) -> None:
    if not facts["rows"]:
        console.print(
            "No projects yet: write one with `soloml interview NAME`, or type an idea in the board's Project column."
        )
    for r in facts["rows"]:
        colour = COLOURS.get(r["status"], "white")
        console.print(
            f"{escape(r['id'])} [bold]{escape(r['project'])}[/]: {r['stage']}, [{colour}]{r['status']}[/] - {escape(r['status_reason'])}",
            highlight=False,
        )
        console.print(f"     next: {r['next_step'] or '-'}; priority: {r['priority_reason']}", markup=False)
    for line in facts["edits"]:
        console.print(line, markup=False)
    console.print(f"Wrote {facts['path']}" + (f" and {facts['xlsx']}" if facts["xlsx"] else "") + ".", markup=False)


def register(app: typer.Typer) -> None:
    @app.command("board")
    def board_cmd(
        xlsx: Annotated[
            bool,
            typer.Option("--xlsx", help="Also write board.xlsx (an Excel copy; edits are read back from board.csv)."),
        ] = False,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Update board.csv: each project's stage, status and why, latest result, next step and priority."""
        with handled():
            from soloml.app.tracking import board as refresh

            board = refresh(workspace(ws_dir), xlsx=xlsx)
            emit(board, as_json, lambda b: _render(b.to_facts()))

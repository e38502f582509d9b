"""`soloml init DIR`: create a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from soloml.cli.output import JsonOption, console, emit, handled
from soloml.workspace import init_workspace


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init_cmd(
        directory: Annotated[Path, typer.Argument(help="Folder to create the workspace in.")] = Path("."),
        name: Annotated[str | None, typer.Option(help="A name for the business.")] = None,
        as_json: JsonOption = False,
    ) -> None:
        """Create a workspace: soloml.yaml, warehouse.duckdb, projects/, features/, models/, reports/, board.csv."""
        with handled():
            ws = init_workspace(directory, name=name)
            result = {"workspace": str(ws.root), "warehouse": ws.warehouse_url}

            def render(r: dict) -> None:
                console.print(f"Workspace ready at {r['workspace']}.")
                console.print(f"Next: `soloml load FILE` to bring in your data (run it inside {r['workspace']} or pass --workspace).")

            emit(result, as_json, render)

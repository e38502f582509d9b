"""`soloml init DIR`: create a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from soloml.app.workspaces import CreatedWorkspace, create
from soloml.cli.output import JsonOption, console, emit, handled


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init_cmd(
        directory: Annotated[Path, typer.Argument(help="Folder to create the workspace in.")] = Path("."),
        name: Annotated[str | None, typer.Option(help="A name for the business.")] = None,
        as_json: JsonOption = False,
    ) -> None:
        """Create a workspace: soloml.yaml, warehouse.duckdb, projects/, features/, models/, reports/, board.csv."""
        with handled():
            result = create(directory, name=name)

            def render(r: CreatedWorkspace) -> None:
                root = r.workspace.root
                console.print(f"Workspace ready at {root}.")
                console.print(
                    f"Next: `soloml load FILE` to bring in your data (run it inside {root} or pass --workspace)."
                )

            emit(result, as_json, render)

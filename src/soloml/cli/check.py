"""`soloml check [PROJECT] [--json]`: is the data ready? Exit 0 ready, 1 fix first, 2 not enough yet.

The use case (and the Toolkit handed to readiness) is soloml.app.check.run_check, which the demo calls too.
"""

from __future__ import annotations

from typing import Annotated

import typer

from soloml.app.check import run_check
from soloml.cli.output import (
    JsonOption,
    WorkspaceOption,
    console,
    emit,
    handled,
    workspace,
)
from soloml.readiness import ReadinessReport

MARKS = {"fix": "FIX", "wait": "NOT ENOUGH", "note": "note", "ok": "ok"}


def _render(report: ReadinessReport) -> None:
    for line in report.summary():
        console.print(line, markup=False)
    console.print("")
    console.print("Every check:", markup=False)
    for f in report.findings:
        console.print(f"  [{MARKS[f.severity]}] {f.words}", markup=False)
        if f.fix is not None and f.severity != "ok":
            console.print(
                f"      what to do: {f.fix.words}" + (f"  ->  {f.fix.command}" if f.fix.command else ""), markup=False
            )


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check_cmd(
        project: Annotated[
            str | None,
            typer.Argument(help="Project name (projects/NAME.yaml); leave out to check the whole workspace."),
        ] = None,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Is the data ready? Findings with their fix, or how much more is needed and when. Exit 0 ready, 1 fix first, 2 not enough yet."""
        with handled():
            report = run_check(workspace(ws_dir), project)
        emit(report, as_json, _render)
        raise typer.Exit(report.exit_code)

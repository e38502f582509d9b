"""`soloml check [PROJECT] [--json]`: is the data ready? Exit 0 ready, 1 fix first, 2 not enough yet.

`run_check` is the entry the CLI and the demo call. It is also where the later stages' pieces a project
check needs (a model fit, training's column screen, the experiment design) are handed to readiness,
which may not import them; it moves to the application layer (soloml/app/) with the other use cases.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

import typer

from soloml.cli.output import (
    JsonOption,
    WorkspaceOption,
    console,
    emit,
    handled,
    workspace,
)
from soloml.errors import SolomlError
from soloml.readiness import (
    ReadinessReport,
    Toolkit,
    check_project,
    check_workspace,
    record_check,
)
from soloml.workspace import Workspace

MARKS = {"fix": "FIX", "wait": "NOT ENOUGH", "note": "note", "ok": "ok"}


def toolkit() -> Toolkit:
    """Modeling's honest fit and column screen, and the experiment design, for a project check."""
    from soloml.experiments.design import plan
    from soloml.forecasting.workflow import spec_series
    from soloml.modeling.check_hooks import fit_and_judge, screen_columns

    return Toolkit(score=fit_and_judge, screen=screen_columns, design=plan, series=spec_series)


def run_check(ws: Workspace, project: str | None = None, *, now: datetime | None = None, record: bool = True) -> ReadinessReport:
    """Check the workspace, or one project (recorded in ops.runs for the board unless `record` is False)."""
    from soloml.projects.spec import find_spec

    moment = now or datetime.now(timezone.utc).replace(tzinfo=None)
    with ws.connect() as con:
        if project is None:
            return check_workspace(con, now=moment, used_tables=_tables_read(ws))
        report = check_project(con, find_spec(ws.projects_dir, project), toolkit=toolkit(), now=moment, features_dir=ws.features_dir)
        if record:
            record_check(con, report)
        return report


def _tables_read(ws: Workspace) -> set[str]:
    """The warehouse tables table projects read directly (a project file that does not load is left to its own check)."""
    from soloml.projects.spec import load_spec

    used = set()
    for path in sorted(ws.projects_dir.glob("*.yaml")):
        try:
            spec = load_spec(path)
        except SolomlError:
            continue
        if spec.recipe == "table" and spec.source_table:
            used.add(spec.source_table)
    return used


def _render(report: ReadinessReport) -> None:
    for line in report.summary():
        console.print(line, markup=False)
    console.print("")
    console.print("Every check:", markup=False)
    for f in report.findings:
        console.print(f"  [{MARKS[f.severity]}] {f.words}", markup=False)
        if f.fix is not None and f.severity != "ok":
            console.print(f"      what to do: {f.fix.words}" + (f"  ->  {f.fix.command}" if f.fix.command else ""), markup=False)


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check_cmd(
        project: Annotated[str | None, typer.Argument(help="Project name (projects/NAME.yaml); leave out to check the whole workspace.")] = None,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Is the data ready? Findings with their fix, or how much more is needed and when. Exit 0 ready, 1 fix first, 2 not enough yet."""
        with handled():
            report = run_check(workspace(ws_dir), project)
        emit(report.to_facts(), as_json, lambda _: _render(report))
        raise typer.Exit(report.exit_code)

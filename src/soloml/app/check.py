"""`soloml check`'s use case: is the workspace (or one project) ready? Recorded in ops.runs for the board.

This is where the later stages' pieces a project check needs (a model fit, training's column screen, the
experiment design, the forecast's series) are handed to readiness, which may not import them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from soloml.app.workspaces import WorkspaceLike, as_workspace
from soloml.errors import SolomlError
from soloml.readiness import (
    ReadinessReport,
    Toolkit,
    check_project,
    check_workspace,
    record_check,
)
from soloml.workspace import Workspace


def toolkit() -> Toolkit:
    """Modeling's honest fit and column screen, and the experiment design, for a project check."""
    from soloml.experiments.design import plan
    from soloml.forecasting.workflow import spec_series
    from soloml.modeling.check_hooks import fit_and_judge, screen_columns

    return Toolkit(score=fit_and_judge, screen=screen_columns, design=plan, series=spec_series)


def run_check(
    workspace: WorkspaceLike, project: str | None = None, *, now: datetime | None = None, record: bool = True
) -> ReadinessReport:
    """Check the workspace, or one project (recorded in ops.runs for the board unless `record` is False)."""
    from soloml.projects.spec import find_spec

    ws = as_workspace(workspace)
    moment = now or datetime.now(UTC).replace(tzinfo=None)
    with ws.connect() as con:
        if project is None:
            return check_workspace(con, now=moment, used_tables=_tables_read(ws))
        report = check_project(
            con, find_spec(ws.projects_dir, project), toolkit=toolkit(), now=moment, features_dir=ws.features_dir
        )
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

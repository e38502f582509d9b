"""`soloml score`'s use case: the production model's predictions for the current population, written atomically.

The recovery step settles earlier interrupted runs of the same outputs first (on the same connection), and
what it settled is part of the result. `schedule_score` is `soloml score --cron`: the crontab line and
systemd units that run the same command on a schedule. The CLI and the dashboard both call `score`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from soloml.app.recovery import Announce, recover_first
from soloml.app.workspaces import WorkspaceLike, as_workspace
from soloml.errors import DeployError

if TYPE_CHECKING:
    from soloml.deploy.batch import ReasonMode, ScoreResult
    from soloml.deploy.schedule import Schedule

REASON_MODES = ("fast", "exact", "none")


def parse_capacity(text: str | None, spec_capacity: int | None) -> int | None:
    """`--capacity`: a positive whole number, or 'spec' for the project file's capacity; None for the threshold."""
    if text is None:
        return None
    if text == "spec":
        return spec_capacity
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise DeployError(
        f"--capacity must be a positive whole number or 'spec', got '{text}'.",
        hint="E.g. --capacity 100 acts on the 100 highest scores.",
    )


def check_reasons(reasons: str) -> ReasonMode:
    """`--reasons` as typed, or a clear error."""
    if reasons not in REASON_MODES:
        raise DeployError(f"--reasons must be fast, exact or none, got '{reasons}'.")
    return reasons  # type: ignore[return-value]


def score(
    workspace: WorkspaceLike,
    project: str,
    *,
    to: Sequence[str] = (),
    table: str | None = None,
    capacity: str | int | None = None,
    run_id: str | None = None,
    as_of: datetime | None = None,
    reasons: str = "fast",
    all_reasons: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    announce: Announce | None = None,
) -> ScoreResult:
    """Score `project` with its production model; `to` adds files or database URLs to ops.predictions.

    `capacity` is a number of rows to act on, 'spec' (the project file's) or None (the model's threshold).
    `engine` is local or dask (`scheduler` its address). Earlier interrupted runs are settled first and
    listed in the result's `recovered`; `announce` is told what the recovery step did as it happens.
    """
    from soloml.deploy import score_project
    from soloml.engines import open_engine
    from soloml.projects.spec import find_spec

    ws = as_workspace(workspace)
    mode = check_reasons(reasons)
    if isinstance(capacity, int):
        rows: int | None = parse_capacity(str(capacity), None)
    else:
        spec_capacity = find_spec(ws.projects_dir, project).business.capacity if capacity == "spec" else None
        rows = parse_capacity(capacity, spec_capacity)
    targets = tuple(to)
    with (
        open_engine(engine, scheduler=scheduler, staging=ws.path("staging")) as runs_on,
        ws.connect() as con,
    ):  # waits out a brief lock held by `soloml serve`
        settled = recover_first(ws, con, targets=targets, announce=announce)
        result = score_project(
            ws,
            project,
            to=targets,
            table=table,
            run_id=run_id,
            as_of=as_of,
            capacity=rows,
            reasons=mode,
            reasons_for="all" if all_reasons else "decided",
            con=con,
            engine=runs_on,
        )
    return replace(result, recovered=(*settled, *result.recovered))


def schedule_score(
    workspace: WorkspaceLike,
    project: str,
    cron: str,
    *,
    executable: str,
    to: Sequence[str] = (),
    table: str | None = None,
    capacity: str | None = None,
    reasons: str = "fast",
    all_reasons: bool = False,
) -> Schedule:
    """`soloml score --cron`: the crontab line and systemd units that run this score (same options) on `cron`."""
    from soloml.deploy.schedule import schedule

    ws = as_workspace(workspace)
    check_reasons(reasons)
    extra: list[str] = []
    for target in to:
        extra += ["--to", target]
    for flag, value in (
        ("--table", table),
        ("--capacity", capacity),
        ("--reasons", None if reasons == "fast" else reasons),
    ):
        if value is not None:
            extra += [flag, value]
    if all_reasons:
        extra.append("--all-reasons")
    return schedule(project, cron, workspace=ws.root, executable=executable, extra_args=tuple(extra))

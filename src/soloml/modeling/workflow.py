"""Train a workspace's project end to end: spec -> training set -> model -> registry, logged in ops.runs.

This is what `soloml train` and `soloml.train("churn")` call.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from soloml.errors import ModelError, SolomlError
from soloml.features.trainingset import TrainingSet
from soloml.modeling.result import TrainResult
from soloml.modeling.train import train as train_model
from soloml.projects.spec import ProjectSpec, find_spec, save_spec
from soloml.workspace import Workspace, find_workspace


@dataclass(frozen=True)
class TrainReport:
    """A trained (and, with a workspace, saved) model: the result and its registry version."""

    result: TrainResult
    version: str | None
    spec_path: Path | None = None

    def summary(self) -> dict[str, Any]:
        return self.result.summary(self.version)


def train(
    project: str | TrainingSet,
    spec: ProjectSpec | None = None,
    *,
    workspace: Workspace | Path | str | None = None,
    tune: int = 0,
    seed: int = 0,
    save: bool = True,
) -> TrainReport:
    """Train a project of a workspace by name, or a TrainingSet you built with its spec.

    >>> report = soloml.train("churn")                  # doctest: +SKIP  (inside a workspace)
    >>> report.result.verdict.decision, report.version  # doctest: +SKIP
    ('DONE', 'v0001')

    With a TrainingSet, the model is saved only when a workspace is given.
    """
    if isinstance(project, TrainingSet):
        if spec is None:
            raise ModelError("Training from a TrainingSet needs its ProjectSpec.", hint="Pass spec=... (see soloml.projects.load_spec).")
        result = train_model(project, spec, tune=tune, seed=seed)
        if workspace is None or not save:
            return TrainReport(result, None)
        ws = _workspace(workspace)
        from soloml.registry import save_model

        con = ws.connect()
        try:
            return TrainReport(result, save_model(ws.models_dir, result, con=con))
        finally:
            con.close()
    return train_project(_workspace(workspace), project, tune=tune, seed=seed, save=save)


def _workspace(workspace: Workspace | Path | str | None) -> Workspace:
    return workspace if isinstance(workspace, Workspace) else find_workspace(workspace)


def train_project(ws: Workspace, name: str, *, tune: int = 0, seed: int = 0, save: bool = True) -> TrainReport:
    """Build `name`'s training set from the warehouse, train, and save the model as the new candidate."""
    spec = find_spec(ws.projects_dir, name)
    return _run(ws, spec, tune=tune, seed=seed, save=save)


def train_table(
    ws: Workspace, table: str, target: str, *, time_column: str | None = None, tune: int = 0, seed: int = 0, save: bool = True
) -> TrainReport:
    """The quick path: a table (warehouse table or file) and a target column. Writes projects/<table>_<target>.yaml if new."""
    from soloml.projects import table_spec

    con = ws.connect()
    try:
        spec = table_spec(table, target, time_column, con=con)
    finally:
        con.close()
    path = ws.projects_dir / f"{spec.name}.yaml"
    if path.is_file():
        spec = find_spec(ws.projects_dir, spec.name)
    else:
        path = save_spec(spec, ws.projects_dir)
    report = _run(ws, spec, tune=tune, seed=seed, save=save)
    return TrainReport(report.result, report.version, path)


def _run(ws: Workspace, spec: ProjectSpec, *, tune: int, seed: int, save: bool) -> TrainReport:
    from soloml.features import build_training_set
    from soloml.registry import save_model

    run_id = f"train-{uuid.uuid4().hex[:12]}"
    started = _now()
    con = ws.connect()
    try:
        try:
            ts = build_training_set(con, spec, features_dir=ws.features_dir)
            result = train_model(ts, spec, tune=tune, seed=seed)
            version = save_model(ws.models_dir, result, con=con) if save else None
        except SolomlError as exc:
            _log_run(con, run_id, spec.name, None, started, "failed", None, str(exc), {})
            raise
        details = {"verdict": result.verdict.decision, "metric": result.metric, "model_score": result.model_score, "tune": tune}
        _log_run(con, run_id, spec.name, version, started, "succeeded", result.training["rows"], None, details)
    finally:
        con.close()
    return TrainReport(result, version)


def _log_run(con: Any, run_id: str, project: str, version: str | None, started: datetime, status: str, rows: int | None, error: str | None, details: dict[str, Any]) -> None:
    con.execute(
        "INSERT INTO ops.runs (run_id, project, kind, model_version, started_at, finished_at, status, rows, error, details) "
        "VALUES (?, ?, 'train', ?, ?, ?, ?, ?, ?, ?)",
        [run_id, project, version, started, _now(), status, rows, error, json.dumps(details, default=str)],
    )


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)

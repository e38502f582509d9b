"""`soloml train`'s use case: spec -> training set -> model -> registry, logged in ops.runs.

This is what `soloml train`, the demo and `soloml.train("churn")` call. Saving to the registry is
orchestration, so it lives here and not in modeling (modeling never imports the registry).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from soloml.errors import ConfigError, ModelError, SolomlError
from soloml.features.trainingset import TrainingSet
from soloml.modeling.columns import LeftOut
from soloml.modeling.result import TrainResult
from soloml.modeling.train import train as train_model
from soloml.projects.spec import ProjectSpec, find_spec, save_spec
from soloml.warehouse import ops
from soloml.workspace import Workspace, find_workspace


@dataclass(frozen=True)
class TrainReport:
    """A trained (and, with a workspace, saved) model: the result and its registry version."""

    result: TrainResult
    version: str | None
    spec_path: Path | None = None
    engine: str = "local"  # where the saved model was trained (soloml.engines)
    cluster: dict[str, Any] | None = None  # with --engine dask from the warehouse: rows on the cluster, the sample

    def summary(self) -> dict[str, Any]:
        facts = {**self.result.summary(self.version), "engine": self.engine}
        if self.cluster is not None:
            facts["cluster"] = dict(self.cluster)
        return facts

    def to_facts(self) -> dict[str, Any]:
        """The verdict, metrics and version (`soloml train --json`), and the project file the quick path wrote."""
        facts = self.summary()
        if self.spec_path is not None:
            facts["spec_path"] = str(self.spec_path)
        return facts


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
            raise ModelError(
                "Training from a TrainingSet needs its ProjectSpec.",
                hint="Pass spec=... (see soloml.projects.load_spec).",
            )
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


def train_project(
    ws: Workspace,
    name: str,
    *,
    tune: int = 0,
    seed: int = 0,
    save: bool = True,
    test_from: date | None = None,
    engine: Any = None,
) -> TrainReport:
    """Build `name`'s training set from the warehouse, train, and save the model as the new candidate.

    `test_from` (judge from that date on) replaces the project file's for this run, and the run says so.
    `engine` (soloml.engines, default local) is where the model is trained; the judgement is the same.
    """
    spec = find_spec(ws.projects_dir, name)
    notes: tuple[str, ...] = ()
    if test_from is not None and test_from != spec.test_from:
        notes = (
            f"Judged from {test_from} on as asked (--test-from); the project file says {spec.test_from or 'the latest rows'}.",
        )
        spec = spec.model_copy(update={"test_from": test_from})
    return _run(ws, spec, tune=tune, seed=seed, save=save, notes=notes, engine=engine)


QUICK_SETTINGS = (
    ("source_table", "--table"),
    ("label.target", "--target"),
    ("cutoffs.time_column", "--time-column / --random-split"),
    ("label.positive", "--positive"),
    ("test_from", "--test-from"),
)


def train_table(
    ws: Workspace,
    table: str,
    target: str,
    *,
    time_column: str | None = None,
    positive: str | None = None,
    test_from: date | None = None,
    random_split: bool = False,
    replace: bool = False,
    tune: int = 0,
    seed: int = 0,
    save: bool = True,
    engine: Any = None,
) -> TrainReport:
    """The quick path: a table (warehouse table or file) and a target column; writes projects/<table>_<target>.yaml.

    An existing project file is used only when it holds the settings typed now (table, target, time
    column, positive class, test_from); otherwise this refuses, naming each difference, unless
    `replace` (which overwrites the file with the settings typed).
    """
    from soloml.projects import table_spec

    with ws.connect() as con:
        spec = table_spec(
            table, target, time_column, con=con, positive=positive, test_from=test_from, random_split=random_split
        )
    path = ws.projects_dir / f"{spec.name}.yaml"
    if path.is_file() and not replace:
        existing = find_spec(ws.projects_dir, spec.name)
        differences = quick_differences(existing, spec)
        if differences:
            raise ConfigError(
                f"{path} already exists with other settings than the ones typed: " + "; ".join(differences) + ".",
                hint=f"Pass --replace to overwrite it with the settings typed, train it as it is with `soloml train {spec.name}`, or edit the file.",
            )
        spec = existing
    else:
        path = save_spec(spec, ws.projects_dir)
    notes = []
    if spec.label.target != target:
        notes.append(f"--target {target} is the column {spec.label.target} (loading writes headers in snake_case).")
    if time_column is None and spec.cutoffs.time_column and not random_split:
        notes.append(
            f"Dated rows: validated in time order on {spec.cutoffs.time_column}, the table's date column "
            "(name another with --time-column, or pass --random-split to split at random)."
        )
    report = _run(ws, spec, tune=tune, seed=seed, save=save, notes=tuple(notes), engine=engine)
    return TrainReport(report.result, report.version, path, report.engine, report.cluster)


def quick_differences(existing: ProjectSpec, typed: ProjectSpec) -> list[str]:
    """The quick-path settings in which the project file differs from what was typed, in words."""
    out = []
    for key, flag in QUICK_SETTINGS:
        had, now = _setting(existing, key), _setting(typed, key)
        if had != now:
            out.append(f"{key} is {_shown(had)} in the file but {_shown(now)} as typed ({flag})")
    return out


def _setting(spec: ProjectSpec, key: str) -> Any:
    value: Any = spec
    for part in key.split("."):
        value = getattr(value, part)
    return value


def _shown(value: Any) -> str:
    return "not set" if value is None else repr(str(value))


def _run(
    ws: Workspace,
    spec: ProjectSpec,
    *,
    tune: int,
    seed: int,
    save: bool,
    notes: tuple[str, ...] = (),
    engine: Any = None,
) -> TrainReport:
    from soloml.engines.local import LocalEngine
    from soloml.features import build_training_set
    from soloml.registry import save_model

    engine = engine or LocalEngine()
    run_id = f"train-{uuid.uuid4().hex[:12]}"
    started = _now()
    con = ws.connect()
    try:
        try:
            left_out, recipe_notes = _recipe_findings(con, spec)
            options = {"tune": tune, "seed": seed, "left_out": left_out, "notes": (*notes, *recipe_notes)}
            if hasattr(engine, "train_warehouse"):  # the set stays in the warehouse; the cluster reads it from there
                result = engine.train_warehouse(con, spec, features_dir=ws.features_dir, **options)
                cluster = dict(engine.facts)
            else:
                result = engine.train(build_training_set(con, spec, features_dir=ws.features_dir), spec, **options)
                cluster = None
            version = save_model(ws.models_dir, result, con=con) if save else None
        except SolomlError as exc:
            _log_run(con, run_id, spec.name, None, started, "failed", None, str(exc), {})
            raise
        details = {
            "verdict": result.verdict.decision,
            "metric": result.metric,
            "model_score": result.model_score,
            "tune": tune,
            "engine": engine.name,
        }
        rows = cluster["rows_on_cluster"] if cluster else result.training["rows"]
        _log_run(con, run_id, spec.name, version, started, "succeeded", rows, None, {**details, **(cluster or {})})
    finally:
        con.close()
    return TrainReport(result, version, engine=engine.name, cluster=cluster)


def _recipe_findings(con: Any, spec: ProjectSpec) -> tuple[tuple[LeftOut, ...], tuple[str, ...]]:
    """The table recipe's own left-out columns (dates, metadata, nested) and name matches, for the left-out block."""
    if spec.recipe != "table" or not spec.source_table or not spec.label.target:
        return (), ()
    from soloml.projects.recipes.table import plan_table

    plan = plan_table(con, spec.source_table, spec.label.target, spec.cutoffs.time_column, spec.label.positive)
    return tuple(LeftOut(c, kind, reason) for c, kind, reason in plan.left_out), plan.notes  # type: ignore[arg-type]


def _log_run(
    con: Any,
    run_id: str,
    project: str,
    version: str | None,
    started: datetime,
    status: str,
    rows: int | None,
    error: str | None,
    details: dict[str, Any],
) -> None:
    ops.record_run(
        con,
        run_id=run_id,
        project=project,
        kind="train",
        model_version=version,
        started_at=started,
        finished_at=_now(),
        status=status,
        rows=rows,
        error=error,
        details=details,
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)

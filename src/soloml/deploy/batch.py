"""Batch scoring: features as of now for the current population, predictions with the production model.

    score_project(ws, "churn", to=("crm.csv", "postgresql+psycopg://app@db/crm"))

One run writes ops.predictions (replacing any rows of the same run_id, so a re-run never duplicates),
the CSV/database targets (each swapped in whole, see writeback.py), and one ops.runs row. The DuckDB
transaction commits only after every target is written; on any failure it rolls back, the run is recorded
as failed, and the previous predictions stay in force everywhere.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd

from soloml.deploy.contrib import PathContributions, predicted_class_contributions
from soloml.deploy.frame import feature_matrix
from soloml.deploy.models import scoring_dir
from soloml.deploy.reasons import ReasonWriter, model_stats
from soloml.deploy.writeback import COLUMNS, WriteBack, is_file_target, stage_file, stage_target
from soloml.errors import DeployError, SolomlError

ReasonMode = Literal["fast", "exact", "none"]
ReasonsFor = Literal["decided", "all"]


@dataclass(frozen=True)
class ScoreResult:
    """What one `soloml score` run did."""

    run_id: str
    project: str
    model_version: str
    rows: int
    decided: int
    decided_by: str
    threshold: float | None
    capacity: int | None
    as_of: str | None
    scored_at: str
    outputs: tuple[WriteBack, ...]
    top: tuple[dict[str, Any], ...]
    seconds: float


def score_frame(
    model: Any, frame: pd.DataFrame, *, capacity: int | None = None, reasons: ReasonMode = "fast", reasons_for: ReasonsFor = "decided", top: int = 3,
) -> pd.DataFrame:
    """entity_id, score, decision, rank (1 = highest score), top_reasons (JSON list of phrases) for every row of `frame`,
    and for a multiclass model predicted_class (the score is that class's probability).

    decision: in the top `capacity` when given, else score >= the model's threshold. Reasons are written
    for the rows to act on (`reasons_for="decided"`, the list a team works through) or for every row ("all").
    """
    X = feature_matrix(model.signature, frame)
    scores = _predict(model.booster, X)
    ids = frame["entity_id"].astype(str).to_numpy()
    order = np.lexsort((ids, -scores))  # highest score first, ties by id
    rank = np.empty(len(scores), dtype=np.int64)
    rank[order] = np.arange(1, len(scores) + 1)
    threshold = getattr(model, "threshold", None)
    if capacity is not None:
        decision = rank <= capacity
    elif threshold is not None:
        decision = scores >= float(threshold)
    else:
        raise DeployError(f"Model {model.version} of '{model.project}' has no decision threshold.", hint="Pass --capacity N to act on the N highest scores.")
    why = np.full(len(scores), "[]", dtype=object)
    rows = np.arange(len(scores)) if reasons_for == "all" else np.flatnonzero(decision)
    if reasons != "none" and len(rows):
        _, texts = predict_explain_rows(model, X[rows], reasons, top)
        why[rows] = [json.dumps(text, ensure_ascii=False) for text in texts]
    out = pd.DataFrame({"entity_id": ids, "score": scores, "decision": decision, "rank": rank, "top_reasons": why})
    if getattr(model, "task", "") == "multiclass":
        names = list(getattr(model, "classes", None) or [])
        best = np.asarray(model.booster.predict(X)).reshape(len(X), -1).argmax(axis=1)
        out["predicted_class"] = [str(names[i]) if i < len(names) else str(i) for i in best]
    return out


def predict_explain_rows(model: Any, X: np.ndarray, how: ReasonMode, top: int = 3) -> tuple[np.ndarray, list[list[str]]]:
    """Scores and reasons for a matrix. 'fast' needs one pass (leaf indices give both); 'exact' adds TreeSHAP."""
    booster = model.booster
    paths = PathContributions.from_booster(booster) if how == "fast" and len(X) else None
    if paths is not None:
        contrib = paths.contributions(booster, X, num_threads=0)
        scores = paths.score(contrib) if paths.link is not None else _predict(booster, X)
    else:
        scores = _predict(booster, X)
        if how == "none" or len(X) == 0:
            return scores, [[] for _ in range(len(X))]
        contrib = np.asarray(booster.predict(X, pred_contrib=True))
        if getattr(model, "task", "") == "multiclass":
            contrib = predicted_class_contributions(contrib, np.asarray(booster.predict(X)).reshape(len(X), -1))
    return scores, ReasonWriter(model.signature, model_stats(model), top=top).rows(X, contrib)


def _predict(booster: Any, X: np.ndarray) -> np.ndarray:
    raw = np.asarray(booster.predict(X))
    return raw.max(axis=1) if raw.ndim == 2 else raw


def new_run_id(project: str, clock: Callable[[], datetime]) -> str:
    return f"score-{project}-{clock():%Y%m%dT%H%M%S}-{secrets.token_hex(2)}"


def score_project(
    ws: Any,
    project: str,
    *,
    to: Sequence[str] = (),
    table: str | None = None,
    run_id: str | None = None,
    as_of: datetime | None = None,
    capacity: int | None = None,
    reasons: ReasonMode = "fast",
    reasons_for: ReasonsFor = "decided",
    con: Any = None,
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> ScoreResult:
    """Score the project's current population with its production model and write every output atomically."""
    from soloml.features import build_scoring_frame
    from soloml.projects.spec import find_spec
    from soloml.registry import load_model

    started = time.perf_counter()
    start_time = clock()
    run_id = run_id or new_run_id(project, clock)
    own = con is None
    con = ws.connect() if own else con  # waits out a brief lock held by a running `soloml serve`
    version: str | None = None
    try:
        try:
            spec = find_spec(ws.projects_dir, project)
            model = load_model(ws.models_dir, project, "production")
            version = model.version
            frame = build_scoring_frame(con, spec, features_dir=ws.features_dir, as_of=as_of)
            if len(frame) == 0:
                raise DeployError(
                    f"Project '{project}' has nobody to score: its population is empty" + (f" as of {as_of:%Y-%m-%d}" if as_of else "") + ".",
                    hint="Load recent data (soloml load) or pass --as-of a date the data covers; the previous predictions stay in force.",
                )
            scored = score_frame(model, frame, capacity=capacity, reasons=reasons, reasons_for=reasons_for)
            scored_at = clock().replace(tzinfo=None)
            columns = [*COLUMNS, *(["predicted_class"] if "predicted_class" in scored else [])]
            out = scored.assign(run_id=run_id, project=project, model_version=version, scored_at=scored_at).loc[:, columns]
            cutoff = frame["cutoff"].max() if "cutoff" in frame else None
            as_of_text = None if cutoff is None or pd.isna(cutoff) else pd.Timestamp(cutoff).isoformat()
            decided_by = f"top {capacity}" if capacity is not None else f"score >= {model.threshold:.4g}"
            outputs = _commit(con, out, frame, ws.root, project, version, run_id, start_time, targets=to, table=table,
                              details={"as_of": as_of_text, "decided_by": decided_by, "reasons": reasons, "reasons_for": reasons_for})
        except SolomlError as exc:
            _record_failure(con, run_id, project, version, start_time, clock, exc)
            raise
        except (duckdb.Error, OSError) as exc:
            error = DeployError(f"Scoring '{project}' (run {run_id}) failed: {exc}.", hint="Nothing was replaced: the previous predictions stay in force. Fix the cause and re-run.")
            _record_failure(con, run_id, project, version, start_time, clock, error)
            raise error from exc
    finally:
        if own:
            con.close()
    best = out.sort_values("rank").head(5)
    return ScoreResult(
        run_id=run_id, project=project, model_version=version, rows=len(out), decided=int(out["decision"].sum()),
        decided_by=decided_by, threshold=getattr(model, "threshold", None), capacity=capacity, as_of=as_of_text,
        scored_at=scored_at.isoformat(timespec="seconds"), outputs=tuple(outputs),
        top=tuple({"entity_id": r.entity_id, "score": float(r.score), "rank": int(r.rank), "reasons": json.loads(r.top_reasons)} for r in best.itertuples()),
        seconds=time.perf_counter() - started,
    )


def _commit(con: Any, out: pd.DataFrame, frame: pd.DataFrame, root: Path, project: str, version: str, run_id: str, started: datetime,
            *, targets: Sequence[str], table: str | None, details: dict[str, Any]) -> list[WriteBack]:
    """ops.predictions + ops.runs in one DuckDB transaction that commits only after every target is written."""
    staged = _stage_features(frame, root, project, run_id, version, details.get("as_of"))
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM ops.predictions WHERE run_id = ?", [run_id])
        con.register("soloml_scored", out)
        predicted = "predicted_class" if "predicted_class" in out else "NULL"
        con.execute(
            "INSERT INTO ops.predictions (run_id, project, model_version, entity_id, score, decision, rank, top_reasons, scored_at, origin, predicted_class) "
            f"SELECT run_id, project, model_version, entity_id, score, decision, rank, top_reasons::JSON, scored_at, 'batch', {predicted} FROM soloml_scored"
        )
        con.unregister("soloml_scored")
        outputs = _write_targets(out, targets, table, project, staged)
        details = {**details, "decided": int(out["decision"].sum()), "outputs": [{"target": o.target, "table": o.table, "rows": o.rows} for o in outputs]}
        finished = datetime.now(timezone.utc).replace(tzinfo=None)
        con.execute("DELETE FROM ops.runs WHERE run_id = ?", [run_id])
        con.execute(
            "INSERT INTO ops.runs VALUES (?, ?, 'score', ?, ?, ?, 'succeeded', ?, NULL, ?)",
            [run_id, project, version, started.replace(tzinfo=None), finished, len(out), json.dumps(details)],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        for path in staged:
            path.unlink(missing_ok=True)
        raise
    for path in staged[:2]:  # the service's look-up rows follow the committed run
        os.replace(path, path.with_name(path.name.split(".tmp-")[0].lstrip(".")))
    return outputs


def _write_targets(out: pd.DataFrame, targets: Sequence[str], table: str | None, project: str, staged: list[Path]) -> list[WriteBack]:
    """Stage every target first (files beside themselves, tables under a temporary name), then publish them all."""
    files: list[tuple[Path, Path]] = []
    tables: list[tuple[WriteBack, Any]] = []
    try:
        for target in targets:
            if is_file_target(target):
                files.append((Path(target), stage_file(Path(target), out)))
                staged.append(files[-1][1])
            else:
                tables.append(stage_target(target, out, table=table, project=project))
    except BaseException:
        for _, pending in tables:
            pending.discard()
        raise
    outputs = []
    for i, (done, pending) in enumerate(tables):
        try:
            pending.publish()
        except BaseException:
            for _, rest in tables[i + 1:]:
                rest.discard()
            raise
        outputs.append(done)
    for path, tmp in files:
        os.replace(tmp, path)
        outputs.append(WriteBack(target=str(path.resolve()), table=None, rows=len(out)))
    return outputs


def _stage_features(frame: pd.DataFrame, root: Path, project: str, run_id: str, version: str, as_of: str | None) -> list[Path]:
    folder = scoring_dir(root, project)
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(3)
    features = folder / f".features.parquet.tmp-{token}"
    run = folder / f".run.json.tmp-{token}"
    frame.to_parquet(features, index=False)
    run.write_text(json.dumps({"run_id": run_id, "model_version": version, "as_of": as_of, "rows": len(frame)}), encoding="utf-8")
    return [features, run]  # features first: run.json changing is what the service watches


def _record_failure(con: Any, run_id: str, project: str, version: str | None, started: datetime, clock: Callable[[], datetime], exc: SolomlError) -> None:
    try:
        con.execute("DELETE FROM ops.runs WHERE run_id = ?", [run_id])
        con.execute(
            "INSERT INTO ops.runs VALUES (?, ?, 'score', ?, ?, ?, 'failed', 0, ?, NULL)",
            [run_id, project, version, started.replace(tzinfo=None), clock().replace(tzinfo=None), str(exc)],
        )
    except Exception:  # noqa: BLE001 - recording the failure must not hide it
        pass

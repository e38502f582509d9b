"""Batch scoring: features as of now for the current population, predictions with the production model.

    score_project(ws, "churn", to=("crm.csv", "postgresql+psycopg://app@db/crm"))

One run writes ops.predictions (replacing any rows of the same run_id, so a re-run never duplicates),
the CSV/database targets (each swapped in whole, see writeback.py), and one ops.runs row. The run is
recorded as 'publishing' before any target is touched and as 'succeeded' (with its predictions, in one
transaction) after every target is swapped; on a failure before any swap it is recorded as failed and
the previous predictions stay in force everywhere. A run killed in between is settled by the next one
(publishing.py).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from soloml.crashpoints import pause_at
from soloml.deploy.contrib import PathContributions, predicted_class_contributions
from soloml.deploy.frame import feature_matrix
from soloml.deploy.publishing import UnsettledRun, publish_run, reconcile
from soloml.deploy.reasons import ReasonWriter, model_stats
from soloml.deploy.scratch import SCORING_TABLE_MARK, owner_token
from soloml.deploy.writeback import WriteBack, row_columns
from soloml.errors import DeployError, SolomlError
from soloml.facts import JSON, field_facts
from soloml.warehouse import ops
from soloml.warehouse.base import DATABASE_ERRORS
from soloml.workspace import WorkspaceLike, as_workspace

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
    recovered: tuple[str, ...] = ()  # earlier interrupted runs of this project this run settled first
    engine: str = "local"  # where the predictions were computed (soloml.engines)

    def to_facts(self) -> dict[str, JSON]:
        """What a scoring run wrote (`soloml score --json`)."""
        return field_facts(self)


def score_frame(
    model: Any,
    frame: pd.DataFrame,
    *,
    capacity: int | None = None,
    reasons: ReasonMode = "fast",
    reasons_for: ReasonsFor = "decided",
    top: int = 3,
    engine: Any = None,
) -> pd.DataFrame:
    """entity_id, score, decision, rank (1 = highest score), top_reasons (JSON list of phrases) for every row of `frame`,
    and for a multiclass model predicted_class (the score is that class's probability).

    decision: in the top `capacity` when given, else score >= the model's threshold. Reasons are written
    for the rows to act on (`reasons_for="decided"`, the list a team works through) or for every row ("all").
    `engine` (soloml.engines) computes the predictions, e.g. partition-wise on a Dask cluster; reasons stay here.
    """
    X = feature_matrix(model.signature, frame)
    raw = np.asarray(
        model.booster.predict(X) if engine is None else engine.predict(model.booster, X, frame["entity_id"])
    )
    out = decide(model, frame["entity_id"], raw, capacity=capacity)
    rows = np.arange(len(out)) if reasons_for == "all" else np.flatnonzero(out["decision"].to_numpy())
    if reasons != "none" and len(rows):
        _, texts = predict_explain_rows(model, X[rows], reasons, top)
        why = out["top_reasons"].to_numpy(dtype=object, copy=True)
        why[rows] = [json.dumps(text, ensure_ascii=False) for text in texts]
        out["top_reasons"] = why
    return out


def decide(model: Any, entity_ids: pd.Series, raw: np.ndarray, *, capacity: int | None = None) -> pd.DataFrame:
    """entity_id, score, decision, rank, top_reasons ('[]' each) and for multiclass predicted_class, from raw predictions."""
    raw = np.asarray(raw)
    scores = raw.max(axis=1) if raw.ndim == 2 else raw
    ids = pd.Series(entity_ids).astype(str).to_numpy()
    order = np.lexsort((ids, -scores))  # highest score first, ties by id
    rank = np.empty(len(scores), dtype=np.int64)
    rank[order] = np.arange(1, len(scores) + 1)
    threshold = getattr(model, "threshold", None)
    if capacity is not None:
        decision = rank <= capacity
    elif threshold is not None:
        decision = scores >= float(threshold)
    else:
        raise DeployError(
            f"Model {model.version} of '{model.project}' has no decision threshold.",
            hint="Pass --capacity N to act on the N highest scores.",
        )
    why = np.full(len(scores), "[]", dtype=object)
    out = pd.DataFrame({"entity_id": ids, "score": scores, "decision": decision, "rank": rank, "top_reasons": why})
    if getattr(model, "task", "") == "multiclass":
        names = list(getattr(model, "classes", None) or [])
        best = raw.reshape(len(scores), -1).argmax(axis=1)
        out["predicted_class"] = [str(names[i]) if i < len(names) else str(i) for i in best]
    return out


def _refuse_empty(project: str, rows: int, as_of: datetime | None) -> None:
    if rows == 0:
        raise DeployError(
            f"Project '{project}' has nobody to score: its population is empty"
            + (f" as of {as_of:%Y-%m-%d}" if as_of else "")
            + ".",
            hint="Load recent data (soloml load) or pass --as-of a date the data covers; the previous predictions stay in force.",
        )


def _score_in_warehouse(
    con: Any,
    ws: Any,
    spec: Any,
    model: Any,
    engine: Any,
    *,
    as_of: datetime | None,
    capacity: int | None,
    reasons: ReasonMode,
) -> tuple[pd.DataFrame, Path, Any]:
    """An engine that scores a warehouse table (dask): the population's features are built into
    features.<project>__scoring_<hex>, predicted partition-wise on the workers, and only ids and predictions come
    back here. Reasons are computed here for the decided rows alone, read back from that table. Returns the
    scored rows, the Parquet file of every feature row (the serve look-up, never read here) and the cutoff."""
    from soloml.features.build import build_scoring_table
    from soloml.features.frame_sql import to_frame
    from soloml.temp_names import registered
    from soloml.warehouse.connection import quote_ident

    token = owner_token()  # two runs at once each build their own table; a killed run's is recovery's to drop
    table = f"features.{quote_ident(f'{spec.name}{SCORING_TABLE_MARK}{token}')}"
    features_file = Path(engine.staging) / f"features-{token}.parquet"
    features_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        query = build_scoring_table(con, spec, table, features_dir=ws.features_dir, as_of=as_of)
        pause_at("score.scoring_table")
        rows, cutoff = con.execute(f"SELECT count(*), max(cutoff) FROM {table}").fetchone()
        _refuse_empty(spec.name, int(rows), as_of)
        entity_ids, raw = engine.score_table(
            con, model, table, query, matrix=feature_matrix, features_file=features_file
        )
        scored = decide(model, entity_ids, raw, capacity=capacity)
        decided = scored.loc[scored["decision"].to_numpy(), "entity_id"]
        if reasons != "none" and len(decided):
            wanted = pd.DataFrame({"entity_id": decided.to_numpy(dtype=object)})
            with registered(con, wanted, "decided") as name:
                picked = con.execute(
                    f"SELECT t.* FROM {table} t JOIN {name} w ON CAST(t.entity_id AS VARCHAR) = w.entity_id"
                ).fetchdf()
            picked = to_frame(picked, query).drop_duplicates("entity_id").set_index("entity_id")
            picked = picked.loc[decided.to_numpy()].reset_index()
            _, texts = predict_explain_rows(model, feature_matrix(model.signature, picked), reasons)
            why = scored["top_reasons"].to_numpy(dtype=object, copy=True)
            why[decided.index.to_numpy()] = [json.dumps(text, ensure_ascii=False) for text in texts]
            scored["top_reasons"] = why
    except BaseException:
        features_file.unlink(missing_ok=True)
        raise
    finally:
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return scored, features_file, cutoff


def predict_explain_rows(
    model: Any, X: np.ndarray, how: ReasonMode, top: int = 3
) -> tuple[np.ndarray, list[list[str]]]:
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
    workspace: WorkspaceLike,
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
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    engine: Any = None,
) -> ScoreResult:
    """Score the project's current population with its production model and write every output atomically.

    `workspace` is a Workspace or its folder. `engine` (soloml.engines; default: this process) computes the predictions; a failure there publishes nothing.
    """
    from soloml.features import build_scoring_frame
    from soloml.features.ids import business_ids
    from soloml.projects.spec import find_spec
    from soloml.registry import load_model

    ws = as_workspace(workspace)
    started = time.perf_counter()
    start_time = clock()
    run_id = run_id or new_run_id(project, clock)
    own = con is None
    con = ws.connect() if own else con  # waits out a brief lock held by a running `soloml serve`
    version: str | None = None
    frame: pd.DataFrame | Path | None = None
    try:
        recovered = tuple(reconcile(con, ws.root, project=project, urls=to))
        try:
            spec = find_spec(ws.projects_dir, project)
            model = load_model(ws.models_dir, project, "production")
            version = model.version
            if getattr(engine, "score_table", None) is not None and reasons_for == "decided":
                scored, frame, cutoff = _score_in_warehouse(
                    con, ws, spec, model, engine, as_of=as_of, capacity=capacity, reasons=reasons
                )
            else:
                frame = build_scoring_frame(con, spec, features_dir=ws.features_dir, as_of=as_of)
                _refuse_empty(project, len(frame), as_of)
                scored = score_frame(
                    model, frame, capacity=capacity, reasons=reasons, reasons_for=reasons_for, engine=engine
                )
                cutoff = frame["cutoff"].max() if "cutoff" in frame else None
            ids = business_ids(con, spec, scored["entity_id"]).drop(columns="entity_id")
            scored_at = clock().replace(tzinfo=None)
            out = pd.concat([scored, ids], axis=1).assign(
                run_id=run_id, project=project, model_version=version, scored_at=scored_at
            )
            out = out.loc[:, row_columns(out)]
            as_of_text = None if cutoff is None or pd.isna(cutoff) else pd.Timestamp(cutoff).isoformat()
            decided_by = f"top {capacity}" if capacity is not None else f"score >= {model.threshold:.4g}"
            outputs = publish_run(  # every target, then ops.predictions + ops.runs (see publishing.py)
                con,
                out,
                frame,
                ws.root,
                project=project,
                version=version,
                run_id=run_id,
                started=start_time,
                targets=to,
                table=table,
                details={
                    "as_of": as_of_text,
                    "decided_by": decided_by,
                    "reasons": reasons,
                    "reasons_for": reasons_for,
                    "engine": getattr(engine, "name", "local"),
                },
            )
        except SolomlError as exc:
            _record_failure(con, run_id, project, version, start_time, clock, exc)
            raise
        except (*DATABASE_ERRORS, OSError) as exc:
            error = DeployError(
                f"Scoring '{project}' (run {run_id}) failed: {exc}.",
                hint="Nothing was replaced: the previous predictions stay in force. Fix the cause and re-run.",
            )
            _record_failure(con, run_id, project, version, start_time, clock, error)
            raise error from exc
    finally:
        if isinstance(frame, Path):
            frame.unlink(missing_ok=True)  # published runs moved it into place; a failed one leaves nothing behind
        if own:
            con.close()
    best = out.sort_values("rank").head(5)
    return ScoreResult(
        run_id=run_id,
        project=project,
        model_version=version,
        rows=len(out),
        decided=int(out["decision"].sum()),
        decided_by=decided_by,
        threshold=getattr(model, "threshold", None),
        capacity=capacity,
        as_of=as_of_text,
        scored_at=scored_at.isoformat(timespec="seconds"),
        outputs=tuple(outputs),
        top=tuple(
            {
                "entity_id": r.entity_id,
                "source_system": r.source_system,
                "source_id": r.source_id,
                "email": r.email,
                "score": float(r.score),
                "rank": int(r.rank),
                "reasons": json.loads(r.top_reasons),
            }
            for r in best.itertuples()
        ),
        seconds=time.perf_counter() - started,
        recovered=recovered,
        engine=getattr(engine, "name", "local"),
    )


def _record_failure(
    con: Any,
    run_id: str,
    project: str,
    version: str | None,
    started: datetime,
    clock: Callable[[], datetime],
    exc: SolomlError,
) -> None:
    if isinstance(exc, UnsettledRun):
        return  # a target holds the run: it stays 'publishing' for the next run to settle
    try:
        ops.record_run(
            con,
            run_id=run_id,
            project=project,
            kind="score",
            model_version=version,
            started_at=started.replace(tzinfo=None),
            finished_at=clock().replace(tzinfo=None),
            status="failed",
            rows=0,
            error=str(exc),
            replace=True,
        )
    except Exception:  # noqa: BLE001 - recording the failure must not hide it
        pass

"""Where `soloml monitor` finds its inputs in a workspace.

reference = the training set cache `features.<project>` (built if missing);
current   = the feature rows of the latest `soloml score` run (scoring/<project>/features.parquet),
            else the current population from `build_scoring_frame`;
scores    = the latest batch run in ops.predictions vs earlier runs of the same model;
labels    = for the latest scoring run whose horizon has passed in the data, the recipe's label
            at that run's cutoff (the training-set builder), joined to that run's predictions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from soloml.monitoring.performance import LivePerformance, live_performance
from soloml.warehouse.base import Connection


def reference_frame(con: Connection, spec: Any, *, features_dir=None) -> tuple[pd.DataFrame, tuple[str, ...] | None]:
    """The training rows of the latest cutoff and the feature list (from the cache's meta row when present).

    Only the latest snapshot is the reference: the whole training set spans many months, and
    features that grow with time (tenure, ages) would always look shifted against it.
    """
    from soloml.features import cache

    cached = cache.read_rows(con, spec.name)
    if cached is None:
        from soloml.features import build_training_set

        ts = build_training_set(con, spec, features_dir=features_dir)
        return _latest_cutoff(ts.frame), tuple(ts.features)
    return _latest_cutoff(cached), cache.read_features(con, spec.name)


def _latest_cutoff(frame: pd.DataFrame) -> pd.DataFrame:
    if "cutoff" not in frame or frame["cutoff"].isna().all():
        return frame
    return frame[frame["cutoff"] == frame["cutoff"].max()].reset_index(drop=True)


def current_frame(con: Connection, spec: Any, root, *, features_dir=None) -> pd.DataFrame:
    scored = root / "scoring" / spec.name / "features.parquet"
    if scored.is_file():
        return pd.read_parquet(scored)
    from soloml.features import build_scoring_frame

    return build_scoring_frame(con, spec, features_dir=features_dir)


def score_frames(con: Connection, project: str) -> tuple[pd.Series | None, pd.Series | None, str | None]:
    """(earlier runs' scores of the latest model, latest run's scores, latest model version)."""
    latest = con.execute(
        "SELECT run_id, model_version FROM ops.predictions WHERE project = ? AND origin IS DISTINCT FROM 'service' ORDER BY scored_at DESC LIMIT 1",
        [project],
    ).fetchone()
    if latest is None:
        return None, None, None
    run_id, version = latest
    current = con.execute("SELECT score FROM ops.predictions WHERE run_id = ? AND score IS NOT NULL", [run_id]).df()[
        "score"
    ]
    earlier = con.execute(
        "SELECT score FROM ops.predictions WHERE project = ? AND model_version = ? AND run_id <> ? AND origin IS DISTINCT FROM 'service' AND score IS NOT NULL",
        [project, version, run_id],
    ).df()["score"]
    return (earlier if len(earlier) else None), current, version


def matured_performance(con: Connection, spec: Any, *, features_dir=None) -> LivePerformance | None:
    """Live performance of the latest scoring run whose label horizon has fully passed in the data."""
    if spec.recipe in ("table", "forecast"):
        return None
    from soloml.features.cutoffs import data_end
    from soloml.features.frame_sql import frame_query

    end = data_end(con)
    if end is None:
        return None
    runs = con.execute(
        "SELECT run_id, json_extract_string(details, '$.as_of') FROM ops.runs WHERE project = ? AND kind = 'score' AND status = 'succeeded' ORDER BY started_at DESC",
        [spec.name],
    ).fetchall()
    horizon = timedelta(days=spec.label.horizon_days)
    for run_id, as_of in runs:
        if not as_of:
            continue
        cutoff = datetime.fromisoformat(as_of)
        if cutoff + horizon > end:
            continue
        query = frame_query(con, spec, [cutoff], features_dir=features_dir, with_label=True)
        labels = con.execute(query.sql).df()
        labels["entity_id"] = labels["entity_id"].astype(str)
        predictions = con.execute(
            "SELECT entity_id, score, decision FROM ops.predictions WHERE run_id = ?", [run_id]
        ).df()
        return live_performance(
            predictions,
            labels,
            metric=spec.done.metric,
            threshold=spec.done.value,
            capacity=spec.business.capacity,
            run_id=run_id,
        )
    return None

"""What modeling hands to `soloml check` (readiness comes before modeling, so it is handed in, never imported).

`fit_and_judge` is one honest fit for a learning curve point: LightGBM with soloml's defaults is fit on the
earlier four fifths of the fit rows (in the order given: time order for snapshots), its boosting rounds
found by early stopping on the latest fifth, and only then predicts the judged rows, which nothing
else saw. One thread: a learning curve is many small fits, where OpenMP threads cost more than they save.

`screen_columns` is training's own column screen (soloml.modeling.columns): ids, constants, all-missing, free
text and leak suspects, so the check and training say the same thing about every column.

    >>> scored = fit_and_judge(ts, train_rows, valid_rows)   # doctest: +SKIP
    >>> scored.metric, round(scored.value, 3)                # doctest: +SKIP
    ('roc_auc', 0.781)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from soloml.features.trainingset import LABEL, TrainingSet
from soloml.modeling import fit as ft
from soloml.modeling.columns import screen
from soloml.modeling.metrics import accuracy, rmse, roc_auc
from soloml.modeling.signature import build_signature
from soloml.readiness.toolkit import ColumnIssue, Scored

INNER_SHARE = 0.2
DEFAULT_ROUNDS = 200  # when the fit rows are too few to early-stop on
METRIC = {
    "binary": ("roc_auc", "auc", True),
    "multiclass": ("accuracy", "multi_error", True),
    "regression": ("rmse", "rmse", False),
}


def fit_and_judge(ts: TrainingSet, train_rows: np.ndarray, valid_rows: np.ndarray, *, seed: int = 0) -> Scored:
    """LightGBM with soloml's defaults fit on `train_rows` of `ts`, judged on `valid_rows` (ROC AUC, accuracy or RMSE)."""
    frame = ts.frame
    categorical = tuple(dict.fromkeys((*ts.categorical, *(f for f in ts.features if _is_text(frame[f])))))
    signature = build_signature(frame, ts.features, categorical, ts.descriptions)
    X = signature.prepare(frame)
    coding = (
        ft.LabelCoding(ts.task, tuple(ts.classes))
        if ts.classes and ts.task != "regression"
        else ft.LabelCoding.learn(ts.task, frame[LABEL].dropna())
    )
    y = coding.encode(frame[LABEL].fillna(frame[LABEL].dropna().iloc[0]))
    name, early_metric, higher = METRIC[ts.task]
    params = ft.task_params(
        ts.task,
        max(2, len(coding.classes)),
        "roc_auc" if ts.task == "binary" else name,
        n_rows=len(train_rows),
        seed=seed,
    )
    params.update(metric=early_metric, num_threads=1)
    cut = max(1, round(len(train_rows) * (1 - INNER_SHARE)))
    fit_rows, stop_rows = train_rows[:cut], train_rows[cut:]
    cats = list(signature.categorical)
    if len(stop_rows) and (ts.task == "regression" or len(np.unique(y[stop_rows])) > 1):
        booster, _ = ft.fit(
            X.iloc[fit_rows], y[fit_rows], params, categorical=cats, valid=(X.iloc[stop_rows], y[stop_rows])
        )
    else:
        booster, _ = ft.fit(X.iloc[train_rows], y[train_rows], params, categorical=cats, rounds=DEFAULT_ROUNDS)
    pred = np.asarray(booster.predict(X.iloc[valid_rows]))
    truth = y[valid_rows]
    if ts.task == "binary":
        return Scored(name, roc_auc(truth, pred), higher, pred)
    if ts.task == "multiclass":
        return Scored(name, accuracy(truth, pred), higher, pred)
    return Scored(name, rmse(truth, pred), higher, pred)


def screen_columns(ts: TrainingSet, rows: np.ndarray) -> tuple[ColumnIssue, ...]:
    """The feature columns of `ts` training leaves out, and why (training's own screen); a leak is judged on `rows` only."""
    label = (
        pd.to_numeric(ts.frame[LABEL], errors="coerce").to_numpy(dtype=np.float64) if ts.task != "multiclass" else None
    )
    screened = screen(ts.frame, ts.features, label=label, task=ts.task if label is not None else None, rows=rows)
    return tuple(ColumnIssue(f.column, f.kind, f.reason) for f in screened.left_out)


def _is_text(col: pd.Series) -> bool:
    return (
        isinstance(col.dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(col)
        or pd.api.types.is_string_dtype(col)
    )

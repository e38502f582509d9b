"""What modeling hands to `soloml check` (readiness comes before modeling, so it is handed in, never imported).

`fit_and_judge` is one honest fit for a learning curve point: LightGBM with soloml's defaults is fit on the
earlier four fifths of the fit rows (in the order given: time order for snapshots), its boosting rounds
found by early stopping on the latest fifth, and only then predicts the judged rows, which nothing
else saw. One thread: a learning curve is many small fits, where OpenMP threads cost more than they save.

`screen_columns` finds the columns training should leave out: ids, constants, all-missing, leak suspects. It is
the one place `soloml check` calls a column detector: training's own screen (soloml.modeling.columns) replaces its
temporary body when that lands on main.

    >>> scored = fit_and_judge(ts, train_rows, valid_rows)   # doctest: +SKIP
    >>> scored.metric, round(scored.value, 3)                # doctest: +SKIP
    ('roc_auc', 0.781)
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from soloml.features.trainingset import LABEL, TrainingSet
from soloml.modeling import fit as ft
from soloml.modeling.metrics import accuracy, rmse, roc_auc
from soloml.modeling.signature import build_signature
from soloml.readiness.toolkit import ColumnIssue, Scored

INNER_SHARE = 0.2
DEFAULT_ROUNDS = 200  # when the fit rows are too few to early-stop on
METRIC = {"binary": ("roc_auc", "auc", True), "multiclass": ("accuracy", "multi_error", True), "regression": ("rmse", "rmse", False)}


def fit_and_judge(ts: TrainingSet, train_rows: np.ndarray, valid_rows: np.ndarray, *, seed: int = 0) -> Scored:
    """LightGBM with soloml's defaults fit on `train_rows` of `ts`, judged on `valid_rows` (ROC AUC, accuracy or RMSE)."""
    frame = ts.frame
    categorical = tuple(dict.fromkeys((*ts.categorical, *(f for f in ts.features if _is_text(frame[f])))))
    signature = build_signature(frame, ts.features, categorical, ts.descriptions)
    X = signature.prepare(frame)
    coding = ft.LabelCoding(ts.task, tuple(ts.classes)) if ts.classes and ts.task != "regression" else ft.LabelCoding.learn(ts.task, frame[LABEL].dropna())
    y = coding.encode(frame[LABEL].fillna(frame[LABEL].dropna().iloc[0]))
    name, early_metric, higher = METRIC[ts.task]
    params = ft.task_params(ts.task, max(2, len(coding.classes)), "roc_auc" if ts.task == "binary" else name, n_rows=len(train_rows), seed=seed)
    params.update(metric=early_metric, num_threads=1)
    cut = max(1, round(len(train_rows) * (1 - INNER_SHARE)))
    fit_rows, stop_rows = train_rows[:cut], train_rows[cut:]
    cats = list(signature.categorical)
    if len(stop_rows) and (ts.task == "regression" or len(np.unique(y[stop_rows])) > 1):
        booster, _ = ft.fit(X.iloc[fit_rows], y[fit_rows], params, categorical=cats, valid=(X.iloc[stop_rows], y[stop_rows]))
    else:
        booster, _ = ft.fit(X.iloc[train_rows], y[train_rows], params, categorical=cats, rounds=DEFAULT_ROUNDS)
    pred = np.asarray(booster.predict(X.iloc[valid_rows]))
    truth = y[valid_rows]
    if ts.task == "binary":
        return Scored(name, roc_auc(truth, pred), higher, pred)
    if ts.task == "multiclass":
        return Scored(name, accuracy(truth, pred), higher, pred)
    return Scored(name, rmse(truth, pred), higher, pred)


# --- the column screen. TEMPORARY: training's own screen (soloml.modeling.columns, branch t10a) replaces the
# fallback below when it lands on main; until then this is the one place the detector is called.
ID_NAMES = re.compile(r"^(id|uuid|guid|index|key|row_?(id|num|number)?)$|_(id|uuid|key|number|no)$")
LEAK_AUC = 0.995
MIN_ROWS = 20


def screen_columns(ts: TrainingSet, rows: np.ndarray) -> tuple[ColumnIssue, ...]:
    """The feature columns of `ts` training would leave out, and why; a leak is judged on `rows` only."""
    y = ts.frame[LABEL].to_numpy()
    out = []
    for name in ts.features:
        col = ts.frame[name]
        reason = _label_free_reason(col, name)
        if reason is not None:
            out.append(ColumnIssue(name, *reason))
        elif ts.task == "binary" and len(rows) >= 100:
            auc = _alone_auc(col.iloc[rows], y[rows])
            if auc is not None and auc >= LEAK_AUC:
                out.append(ColumnIssue(name, "leak", f"a leak suspect: alone it predicts the label almost perfectly (ROC AUC {auc:.3f} on the "
                                                     "training rows), so it is probably recorded after the outcome"))
    return tuple(out)


def _label_free_reason(col: pd.Series, name: str) -> tuple[str, str] | None:
    if len(col) and col.isna().all():
        return "all_missing", "missing in every row"
    if len(col) > 1 and not col.isna().any() and col.nunique() == 1:
        value = col.iloc[0]
        value = value.item() if hasattr(value, "item") else value
        return "constant", f"the same value ({value!r}) in every row"
    if len(col) < MIN_ROWS:
        return None
    distinct = int(col.nunique(dropna=True))
    if _is_text(col) and distinct == len(col):
        return "id", "an identifier (a different value in every row)"
    whole = pd.api.types.is_integer_dtype(col) or (pd.api.types.is_float_dtype(col) and bool(np.all(col.dropna() == np.round(col.dropna()))))
    if whole and not pd.api.types.is_bool_dtype(col) and distinct == len(col):
        values = col.to_numpy(dtype=float)
        if bool(np.all(np.diff(values) > 0) or np.all(np.diff(values) < 0)) or values.max() - values.min() + 1 <= 2 * len(col):
            return "id", f"a row id (a different whole number in every row, {values.min():,.0f} to {values.max():,.0f})"
    if ID_NAMES.search(name.lower()) and distinct > max(100, len(col) // 10):
        return "id", f"an identifier, by its name ({distinct:,} distinct values in {len(col):,} rows)"
    return None


def _alone_auc(col: pd.Series, y: np.ndarray) -> float | None:
    if _is_text(col) or pd.api.types.is_bool_dtype(col):
        return None
    values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).all() or min(y.sum(), len(y) - y.sum()) < 10:
        return None
    auc = roc_auc(y.astype(float), np.where(np.isnan(values), np.nanmin(values) - 1.0, values))
    return max(auc, 1.0 - auc)


def _is_text(col: pd.Series) -> bool:
    return isinstance(col.dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col)

"""How a model is validated: time-ordered for snapshots over time, stratified k-fold for a flat table.

With cutoffs, the model trains on earlier cutoffs and is judged on the latest one. Training rows
whose label window reaches past the validation cutoff are left out (an embargo of `horizon_days`),
because their labels were observed with knowledge of the validation period; when that would leave
too little to train on, the embargo is dropped and the plan says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold

from soloml.errors import ModelError
from soloml.features.trainingset import CUTOFF, TrainingSet

MIN_TRAIN_ROWS = 30
MIN_VALID_ROWS = 50
LATEST_SHARE = 0.2
MAX_SNAPSHOTS = 120  # more distinct dates than this: rows dated one by one, not snapshots


@dataclass(frozen=True)
class ValidationPlan:
    """`folds` hold positional (train, valid) row indices; `rows` are all rows judged (the same for every baseline)."""

    kind: Literal["time", "kfold"]
    folds: tuple[tuple[np.ndarray, np.ndarray], ...]
    description: str
    validation_cutoff: str | None = None

    @property
    def rows(self) -> np.ndarray:
        return np.sort(np.concatenate([valid for _, valid in self.folds]))


def plan_validation(ts: TrainingSet, *, horizon_days: int | None = None, seed: int = 0, n_folds: int = 5) -> ValidationPlan:
    """Choose the validation scheme for `ts` (see the module docstring)."""
    n = len(ts.frame)
    if n < 2 * MIN_TRAIN_ROWS // 3:
        raise ModelError(
            f"Training set '{ts.project}' has only {n} rows; a model needs at least {2 * MIN_TRAIN_ROWS // 3} to be trained and checked.",
            hint="Load more history or widen the population (e.g. more cutoffs).",
        )
    if ts.has_time:
        cutoffs = pd.to_datetime(ts.frame[CUTOFF])
        distinct = np.sort(cutoffs.dropna().unique())
        if len(distinct) >= 2:
            return _time_plan(ts, cutoffs, distinct, horizon_days)
    return _kfold_plan(ts, seed=seed, n_folds=n_folds)


def _time_plan(ts: TrainingSet, cutoffs: pd.Series, distinct: np.ndarray, horizon_days: int | None) -> ValidationPlan:
    last = pd.Timestamp(distinct[-1])
    if ((cutoffs == last).sum() < MIN_VALID_ROWS or len(distinct) > MAX_SNAPSHOTS) and len(distinct) > 2:
        # rows dated one by one (a table with a time column): judge the latest ~20% of rows
        values = np.sort(cutoffs.dropna().to_numpy())
        start = pd.Timestamp(values[int((1 - LATEST_SHARE) * (len(values) - 1))])
        start = max(start, pd.Timestamp(distinct[1]))
        valid = np.flatnonzero((cutoffs >= start).to_numpy())
        train = np.flatnonzero((cutoffs < start).to_numpy())
        if not _has_classes(ts, train):
            raise ModelError(
                f"The rows of '{ts.project}' dated before {start.date()} hold only one label value, so there is nothing to learn from.",
                hint="Load more history, or check the target column.",
            )
        note = f"trained on the rows dated before {start.date()}, judged on the {len(valid)} latest rows ({start.date()} to {last.date()})"
        return ValidationPlan(kind="time", folds=((train, valid),), description=note, validation_cutoff=str(start.date()))
    valid = np.flatnonzero((cutoffs == last).to_numpy())
    earlier = (cutoffs < last).to_numpy()
    train = np.flatnonzero(earlier)
    note = f"trained on {len(np.unique(cutoffs[earlier]))} earlier cutoff(s), judged on the latest ({last.date()})"
    if horizon_days:
        embargoed = np.flatnonzero((cutoffs <= last - pd.Timedelta(days=horizon_days)).to_numpy())
        if len(embargoed) >= MIN_TRAIN_ROWS and _has_classes(ts, embargoed):
            dropped = len(train) - len(embargoed)
            train = embargoed
            if dropped:
                note += f"; {dropped} rows whose {horizon_days}-day label window overlaps the latest cutoff were left out"
        else:
            note += f"; too little history to leave out label windows overlapping the latest cutoff ({horizon_days} days), so they were kept"
    if not _has_classes(ts, train):
        raise ModelError(
            f"The earlier cutoffs of '{ts.project}' hold only one label value, so there is nothing to learn from.",
            hint="Load more history, or check the label definition in the project spec.",
        )
    return ValidationPlan(kind="time", folds=((train, valid),), description=note, validation_cutoff=str(last.date()))


def _kfold_plan(ts: TrainingSet, *, seed: int, n_folds: int) -> ValidationPlan:
    y = ts.y().to_numpy()
    n = len(y)
    if ts.task == "regression":
        k = max(2, min(n_folds, n // MIN_TRAIN_ROWS))
        splitter = KFold(n_splits=k, shuffle=True, random_state=seed)
        folds = tuple((tr, va) for tr, va in splitter.split(np.zeros(n)))
    else:
        counts = pd.Series(y).value_counts()
        if len(counts) < 2:
            raise ModelError(
                f"The label of '{ts.project}' has a single value ({counts.index[0]!r}) in all {n} rows; there is nothing to predict.",
                hint="Check the target column and the label definition.",
            )
        smallest = int(counts.min())
        if smallest < 2:
            raise ModelError(
                f"Label value {counts.idxmin()!r} of '{ts.project}' occurs only once; it cannot be both learned and checked.",
                hint="Merge rare classes or load more rows.",
            )
        k = max(2, min(n_folds, smallest))
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        folds = tuple((tr, va) for tr, va in splitter.split(np.zeros(n), y))
    return ValidationPlan(kind="kfold", folds=folds, description=f"{len(folds)}-fold cross-validation (no time order in the data); every row judged once, out of fold")


def _has_classes(ts: TrainingSet, rows: np.ndarray) -> bool:
    if ts.task == "regression":
        return len(rows) > 0
    return ts.y().iloc[rows].nunique() >= 2

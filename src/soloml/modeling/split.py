"""How a model is validated: time-ordered for dated rows or snapshots, stratified k-fold for a flat table.

With cutoffs, the model trains on earlier cutoffs and is judged on the latest one (or on every cutoff
from `test_from` on). Training rows whose label window reaches past the first judged cutoff are left
out (an embargo of `horizon_days`), because their labels were observed with knowledge of the judged
period; when that would leave too little to train on, the embargo is dropped and the plan says so.

Every choice a fold makes (the number of boosting rounds, tuned parameters) is made on an inner split
of that fold's training rows (`ValidationPlan.inner`): the latest training rows for a time split, a
stratified fifth otherwise. The judged rows' labels never reach a fit or a choice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

from soloml.errors import ModelError
from soloml.features.trainingset import CUTOFF, TrainingSet

MIN_TRAIN_ROWS = 30
MIN_VALID_ROWS = 50
MIN_INNER_ROWS = 10
LATEST_SHARE = 0.2
INNER_SHARE = 0.2
MAX_SNAPSHOTS = 120  # more distinct dates than this: rows dated one by one, not snapshots


@dataclass(frozen=True)
class ValidationPlan:
    """`folds` hold positional (train, valid) row indices; `rows` are all rows judged (the same for every baseline).

    `times` (one datetime64 per row, time plans only), `labels`, `task`, `horizon_days` and `seed` are
    what `inner` needs to split a fold's training rows without looking at any judged row.
    """

    kind: Literal["time", "kfold"]
    folds: tuple[tuple[np.ndarray, np.ndarray], ...]
    description: str
    validation_cutoff: str | None = None
    labels: np.ndarray | None = None
    task: str = "binary"
    times: np.ndarray | None = None
    horizon_days: int | None = None
    seed: int = 0
    snapshots: bool = False  # time plans: one population per cutoff (vs rows dated one by one)
    judged_snapshots: int = 1

    @property
    def rows(self) -> np.ndarray:
        return np.sort(np.concatenate([valid for _, valid in self.folds]))

    def inner(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(inner train, inner valid) positions within `rows`: where rounds and parameters are chosen."""
        if self.kind == "time" and self.times is not None:
            split = _inner_in_time(rows, self.times[rows], self.horizon_days, snapshots=self.snapshots)
            if split is not None and _inner_ok(self, *split):
                return split
        return _inner_random(
            rows, None if self.labels is None or self.task == "regression" else self.labels[rows], self.seed
        )


def plan_validation(
    ts: TrainingSet,
    *,
    horizon_days: int | None = None,
    seed: int = 0,
    n_folds: int = 5,
    test_from: date | None = None,
    time_words: str = "",
) -> ValidationPlan:
    """Choose the validation scheme for `ts` (see the module docstring). `time_words` names the date column in descriptions."""
    n = len(ts.frame)
    if n < 2 * MIN_TRAIN_ROWS // 3:
        raise ModelError(
            f"Training set '{ts.project}' has only {n} rows; a model needs at least {2 * MIN_TRAIN_ROWS // 3} to be trained and checked.",
            hint="Load more history or widen the population (e.g. more cutoffs).",
        )
    labels = ts.y().to_numpy()
    if ts.has_time:
        cutoffs = pd.to_datetime(ts.frame[CUTOFF])
        distinct = np.sort(cutoffs.dropna().unique())
        if test_from is not None or len(distinct) >= 2:
            plan = _time_plan(ts, cutoffs, distinct, horizon_days, test_from, time_words)
            return replace(
                plan,
                labels=labels,
                task=ts.task,
                times=cutoffs.to_numpy(dtype="datetime64[ns]"),
                horizon_days=horizon_days,
                seed=seed,
            )
    if test_from is not None:
        raise ModelError(
            f"test_from {test_from} needs dated rows, but the training set '{ts.project}' has no dates.",
            hint="Name the date column (cutoffs.time_column / --time-column), or drop test_from / --test-from.",
        )
    return replace(_kfold_plan(ts, seed=seed, n_folds=n_folds), labels=labels, task=ts.task, seed=seed)


def _time_plan(
    ts: TrainingSet,
    cutoffs: pd.Series,
    distinct: np.ndarray,
    horizon_days: int | None,
    test_from: date | None,
    words: str,
) -> ValidationPlan:
    last = pd.Timestamp(distinct[-1])
    dated = f" (dated by {words})" if words else ""
    snapshots = len(distinct) <= MAX_SNAPSHOTS and ((cutoffs == last).sum() >= MIN_VALID_ROWS or len(distinct) <= 2)
    if test_from is not None:
        start = pd.Timestamp(test_from)
        if start > last or start <= pd.Timestamp(distinct[0]):
            raise ModelError(
                f"test_from {test_from} leaves nothing to {'judge' if start > last else 'train on'}: the rows of '{ts.project}' are dated "
                f"{pd.Timestamp(distinct[0]).date()} to {last.date()}{dated}.",
                hint="Pick a date inside that range, so that earlier rows train and later rows are judged.",
            )
    elif not snapshots:
        # rows dated one by one (a table with a time column): judge the latest ~20% of rows
        values = np.sort(cutoffs.dropna().to_numpy())
        start = max(pd.Timestamp(values[int((1 - LATEST_SHARE) * (len(values) - 1))]), pd.Timestamp(distinct[1]))
    else:
        start = last
    valid = np.flatnonzero((cutoffs >= start).to_numpy())
    train = np.flatnonzero((cutoffs < start).to_numpy())
    judged_cutoffs = np.unique(cutoffs.iloc[valid])
    if snapshots:
        note = (
            f"trained on {len(np.unique(cutoffs.iloc[train]))} earlier cutoff(s), judged on the {len(valid):,} rows of "
            + (
                f"the latest ({last.date()})"
                if len(judged_cutoffs) == 1
                else f"the {len(judged_cutoffs)} cutoffs from {start.date()} to {last.date()}"
            )
        )
        train, note = _embargo(ts, cutoffs, train, pd.Timestamp(judged_cutoffs[0]), horizon_days, note)
    else:
        note = f"trained on the rows dated before {start.date()}{dated}, judged on the {len(valid):,} rows from {start.date()} to {last.date()}"
    if not _has_classes(ts, train):
        raise ModelError(
            f"The rows of '{ts.project}' dated before {start.date()} hold only one label value, so there is nothing to learn from.",
            hint="Load more history, pick a later test_from, or check the target column / label definition.",
        )
    return ValidationPlan(
        kind="time",
        folds=((train, valid),),
        description=note,
        validation_cutoff=str(start.date()),
        snapshots=snapshots,
        judged_snapshots=len(judged_cutoffs) if snapshots else 1,
    )


def _embargo(
    ts: TrainingSet,
    cutoffs: pd.Series,
    train: np.ndarray,
    first_judged: pd.Timestamp,
    horizon_days: int | None,
    note: str,
) -> tuple[np.ndarray, str]:
    """Leave out training snapshots whose label window reaches the first judged cutoff, when enough history remains."""
    if not horizon_days:
        return train, note
    embargoed = np.flatnonzero((cutoffs <= first_judged - pd.Timedelta(days=horizon_days)).to_numpy())
    if len(embargoed) >= MIN_TRAIN_ROWS and _has_classes(ts, embargoed):
        dropped = len(train) - len(embargoed)
        if dropped:
            note += f"; {dropped:,} rows whose {horizon_days}-day label window overlaps the judged period were left out"
        return embargoed, note
    return (
        train,
        note
        + f"; too little history to leave out label windows overlapping the judged period ({horizon_days} days), so they were kept",
    )


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
    return ValidationPlan(
        kind="kfold",
        folds=folds,
        description=f"{len(folds)}-fold cross-validation (no time order in the data); every row judged once, out of fold",
    )


def _inner_in_time(
    rows: np.ndarray, times: np.ndarray, horizon_days: int | None, *, snapshots: bool
) -> tuple[np.ndarray, np.ndarray] | None:
    """The latest training snapshot (or latest fifth of dated rows) as the inner check, with the same embargo."""
    order = pd.Series(times)
    distinct = np.sort(order.dropna().unique())
    if len(distinct) < 2:
        return None
    last = pd.Timestamp(distinct[-1])
    if snapshots:
        start = last
        keep = order <= (start - pd.Timedelta(days=horizon_days)) if horizon_days else order < start
        if keep.sum() < MIN_TRAIN_ROWS:
            keep = order < start
    else:
        values = np.sort(order.dropna().to_numpy())
        start = max(pd.Timestamp(values[int((1 - INNER_SHARE) * (len(values) - 1))]), pd.Timestamp(distinct[1]))
        keep = order < start
    return rows[keep.to_numpy()], rows[(order >= start).to_numpy()]


def _inner_ok(plan: ValidationPlan, inner_train: np.ndarray, inner_valid: np.ndarray) -> bool:
    if len(inner_train) < MIN_INNER_ROWS or len(inner_valid) < MIN_INNER_ROWS:
        return False
    if plan.labels is None or plan.task == "regression":
        return True
    return len(np.unique(plan.labels[inner_train])) >= 2 and len(np.unique(plan.labels[inner_valid])) >= 2


def _inner_random(rows: np.ndarray, labels: np.ndarray | None, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A seeded fifth of `rows` (stratified by label when every class has two rows) as the inner check."""
    stratify = labels if labels is not None and pd.Series(labels).value_counts().min() >= 2 else None
    n_valid = max(1, round(INNER_SHARE * len(rows)))
    if stratify is not None:
        n_valid = max(n_valid, len(np.unique(stratify)))
    inner_train, inner_valid = train_test_split(rows, test_size=n_valid, random_state=seed, stratify=stratify)
    return np.sort(inner_train), np.sort(inner_valid)


def _has_classes(ts: TrainingSet, rows: np.ndarray) -> bool:
    if ts.task == "regression":
        return len(rows) > 0
    return ts.y().iloc[rows].nunique() >= 2

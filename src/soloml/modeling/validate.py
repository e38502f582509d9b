"""Out-of-sample predictions in which every choice is made on training rows only.

For each fold of the plan: the number of boosting rounds is found by early stopping on the fold's
inner split (`ValidationPlan.inner`: the latest training rows for a time split, a stratified fifth
otherwise); the fold's model is then fit on all of the fold's training rows with that many rounds,
scaled by sqrt(rows / inner rows), and only then predicts the judged rows. The final model's rounds
are the folds' chosen rounds scaled the same way to every row. With `blend` (blend.blend_members), each
fold fits every member booster that way (each with its own rounds) and predicts their average. Folds are
independent of each other, so single-threaded fits run side by side (modeling/parallel.py).

    >>> oos = cross_validate(X, y, plan, params, categorical=[])   # doctest: +SKIP
    >>> oos.predictions.shape, oos.final_rounds(len(X))            # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from soloml.modeling import blend as bl
from soloml.modeling import fit as ft
from soloml.modeling.baselines import validation_order
from soloml.modeling.parallel import run_all, single_threaded
from soloml.modeling.split import ValidationPlan


@dataclass(frozen=True)
class FoldFit:
    """One fold: the rounds early stopping found on the inner split, and the rounds its model was fit with (one per blend member)."""

    best_inner_rounds: tuple[int, ...]
    inner_rows: int
    train_rows: int
    rounds: tuple[int, ...]


@dataclass(frozen=True)
class OutOfSample:
    """The model's predictions for `plan.rows` (in that order, n or n x K) and how each fold was fit."""

    predictions: np.ndarray
    folds: tuple[FoldFit, ...]

    def final_rounds(self, n_rows: int) -> tuple[int, ...]:
        """Rounds for the model fit on all `n_rows` (one per blend member): the folds' inner choices, scaled up to every row."""
        inner = float(np.mean([f.inner_rows for f in self.folds]))
        return tuple(
            ft.scaled_rounds(float(np.mean([f.best_inner_rounds[m] for f in self.folds])), int(inner), n_rows)
            for m in range(len(self.folds[0].best_inner_rounds))
        )


def per_fold(params: Mapping[str, Any] | Sequence[Mapping[str, Any]], plan: ValidationPlan) -> list[Mapping[str, Any]]:
    """One parameter set for each fold of `plan`: `params` itself for every fold, or the list given (tuned per fold)."""
    return [params] * len(plan.folds) if isinstance(params, Mapping) else list(params)


def choose_rounds(
    X: pd.DataFrame,
    y: np.ndarray,
    rows: np.ndarray,
    plan: ValidationPlan,
    params: Mapping[str, Any],
    categorical: list[str],
) -> tuple[int, int]:
    """(best rounds, inner training rows): early stopping on the inner split of `rows`, nothing else seen."""
    matrix, positions = ft.as_matrix(X, categorical)
    return _choose_rounds(matrix, y, rows, plan, params, positions)


def _choose_rounds(
    M: np.ndarray,
    y: np.ndarray,
    rows: np.ndarray,
    plan: ValidationPlan,
    params: Mapping[str, Any],
    categorical: list[int],
) -> tuple[int, int]:
    inner_train, inner_valid = plan.inner(rows)
    _, best = ft.fit(
        M[inner_train],
        y[inner_train],
        params,
        categorical=categorical,
        valid=(M[inner_valid], y[inner_valid]),
        adjust=False,
    )
    return best, len(inner_train)


def cross_validate(
    X: pd.DataFrame,
    y: np.ndarray,
    plan: ValidationPlan,
    params: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    categorical: list[str],
    blend: Sequence[Mapping[str, Any]] = ({},),
    ordered: Sequence[str] = (),
) -> OutOfSample:
    """Out-of-sample predictions for `plan.rows`; `params` is one set, or one per fold (tuned inside each fold);
    `blend` the overrides of each member booster averaged (blend.blend_members); `ordered` the categories a member
    may read as numbers (blend.member_reading)."""
    (oos,) = cross_validate_all(X, y, [(plan, params)], categorical=categorical, blend=blend, ordered=ordered)
    return oos


def cross_validate_all(
    X: pd.DataFrame,
    y: np.ndarray,
    runs: Sequence[tuple[ValidationPlan, Mapping[str, Any] | Sequence[Mapping[str, Any]]]],
    *,
    categorical: list[str],
    blend: Sequence[Mapping[str, Any]] = ({},),
    ordered: Sequence[str] = (),
) -> list[OutOfSample]:
    """cross_validate of each (plan, params) of `runs`; every run's folds are independent of each other, so
    single-threaded fits run side by side (modeling/parallel.py), with the same results as one after another."""
    M, positions = ft.as_matrix(X, categorical)  # once: every fit below slices rows of it
    in_order = {i for i, name in enumerate(X.columns) if name in ordered}
    tasks = []  # (run, fold's training rows, its judged rows, its parameters)
    for r, (plan, params) in enumerate(runs):
        tasks += [(r, *fold, p) for fold, p in zip(plan.folds, per_fold(params, plan), strict=True)]

    def one_fold(task: tuple[int, np.ndarray, np.ndarray, Mapping[str, Any]]) -> tuple[np.ndarray, FoldFit]:
        r, train_rows, valid_rows, fold_params = task
        return _fold(M, y, runs[r][0], train_rows, valid_rows, fold_params, blend, positions, in_order)

    done = run_all(one_fold, tasks, side_by_side=single_threaded(*(t[3] for t in tasks)))
    out = []
    for r, (plan, _) in enumerate(runs):
        parts, fits = zip(*(d for t, d in zip(tasks, done, strict=True) if t[0] == r), strict=True)
        stacked = np.concatenate(parts, axis=0)
        out.append(OutOfSample(stacked[validation_order(plan)], tuple(fits)))
    return out


def _fold(
    M: np.ndarray,
    y: np.ndarray,
    plan: ValidationPlan,
    train_rows: np.ndarray,
    valid_rows: np.ndarray,
    fold_params: Mapping[str, Any],
    blend: Sequence[Mapping[str, Any]],
    positions: list[int],
    in_order: set[int],
) -> tuple[np.ndarray, FoldFit]:
    """One fold: every member's rounds chosen on the inner split, refit on the fold's training rows; their
    averaged prediction of the judged rows."""
    task = str(fold_params.get("objective", ""))
    weight = ft.positive_weight(task, y[train_rows])
    # the fold's three sets of rows, one Dataset each for every member reading the columns alike (fit.dataset)
    inner_train, inner_valid = plan.inner(train_rows)
    inner_weight = ft.positive_weight(task, y[inner_train])
    sets: dict[tuple[Any, ...], tuple[lgb.Dataset, lgb.Dataset, lgb.Dataset]] = {}
    boosters, best, used = [], [], []
    for overrides in blend:
        member, read = bl.member_reading({**fold_params, **overrides}, positions, in_order)
        key = ft.dataset_key(member, read)
        if key not in sets:
            inner = ft.dataset(M[inner_train], y[inner_train], inner_weight, categorical=read)
            check = ft.dataset(M[inner_valid], y[inner_valid], inner_weight, categorical=read, reference=inner)
            sets[key] = inner, check, ft.dataset(M[train_rows], y[train_rows], weight, categorical=read)
        inner, check, whole = sets[key]
        _, chosen = ft.fit(inner, y[inner_train], member, categorical=read, valid=check, adjust=False, scratch=True)
        rounds = ft.scaled_rounds(chosen, len(inner_train), len(train_rows))
        booster, _ = ft.fit(whole, y[train_rows], member, categorical=read, rounds=rounds, adjust=False, scratch=True)
        boosters.append(booster)
        best.append(chosen)
        used.append(rounds)
    part = ft.blended_predict(boosters, M[valid_rows], task, weight)
    return part, FoldFit(tuple(best), len(inner_train), len(train_rows), tuple(used))

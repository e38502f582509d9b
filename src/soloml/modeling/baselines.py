"""The baselines every model must beat, judged on exactly the rows the model is judged on.

- `prior`: no model at all — the base rate (binary), class shares (multiclass) or mean (regression)
  of the rows trained on.
- `median` (regression): the naive rule "everyone gets the median of the rows trained on" (the best
  single guess for the absolute error).
- `today_rule`: the spec's SQL expression over the feature columns (higher/true = act first). Its raw
  value ranks rows (ROC AUC, precision at capacity); for metrics that need a probability or an amount
  (log loss, RMSE) it is turned into one by the label's average per rule band, learnt on the training
  rows of the same fold — a fair, honest reading of "how good is the rule". For a multiclass project the
  rule names a class per row (e.g. `CASE WHEN tenure < 12 THEN 'basic' ELSE 'premium' END`); it is read
  as the class shares among the training rows given each rule value, so its top class is usually the
  class it names, and its confidence ranks rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from soloml.errors import ModelError, did_you_mean
from soloml.modeling.split import ValidationPlan

MAX_BANDS = 10


@dataclass(frozen=True)
class BaselinePredictions:
    """Per validation row (aligned with `ValidationPlan.rows`): a ranking score and a prediction."""

    name: str
    description: str
    score: np.ndarray  # ranks rows; higher = act first
    prediction: np.ndarray  # probability / amount / n x K class shares


def prior(y: np.ndarray, plan: ValidationPlan, task: str, n_classes: int) -> BaselinePredictions:
    """The base rate / class shares / mean of each fold's training rows."""
    preds = []
    for train, valid in plan.folds:
        yt = y[train]
        if task == "multiclass":
            shares = np.bincount(yt.astype(int), minlength=n_classes) / len(yt)
            preds.append(np.tile(shares, (len(valid), 1)))
        else:
            preds.append(np.full(len(valid), float(np.mean(yt))))
    prediction = _in_plan_order(plan, preds)
    score = prediction.max(axis=1) if prediction.ndim == 2 else prediction
    return BaselinePredictions("prior", _prior_words(task), score=np.asarray(score, dtype=float), prediction=prediction)


def _prior_words(task: str) -> str:
    return {
        "binary": "everyone gets the base rate (no model)",
        "multiclass": "always the most common class (no model)",
    }.get(task, "everyone gets the average (no model)")


def median(y: np.ndarray, plan: ValidationPlan) -> BaselinePredictions:
    """Regression's naive rule: the median of each fold's training rows."""
    prediction = _in_plan_order(plan, [np.full(len(valid), float(np.median(y[train]))) for train, valid in plan.folds])
    return BaselinePredictions(
        "median", "everyone gets the median (a naive rule)", score=prediction, prediction=prediction
    )


def today_rule_classes(
    frame: pd.DataFrame, expression: str, description: str, y: np.ndarray, plan: ValidationPlan, classes: tuple
) -> BaselinePredictions:
    """A multiclass rule: its value per row, read as the class shares of the training rows with that value."""
    values = _rule_values(frame, expression)
    named = {str(c): i for i, c in enumerate(classes)}
    k = len(classes)
    preds = []
    for train, valid in plan.folds:
        prior_shares = np.bincount(y[train].astype(int), minlength=k) / len(train)
        table: dict[str, np.ndarray] = {}
        for value in np.unique(values[train]):
            rows = train[values[train] == value]
            counts = np.bincount(y[rows].astype(int), minlength=k).astype(float)
            table[value] = (counts + prior_shares) / (counts.sum() + 1.0)  # one pseudo-row of the prior
        fallback = {v: _named_class(v, named, prior_shares) for v in np.unique(values[valid]) if v not in table}
        preds.append(
            np.vstack([table.get(v, fallback.get(v)) for v in values[valid]]) if len(valid) else np.empty((0, k))
        )
    prediction = _in_plan_order(plan, preds)
    return BaselinePredictions("today_rule", description, score=prediction.max(axis=1), prediction=prediction)


def _named_class(value: str, named: dict[str, int], prior_shares: np.ndarray) -> np.ndarray:
    """A rule value never seen in training: the class it names (when it names one), else the prior."""
    if value not in named:
        return prior_shares
    out = prior_shares * 0.5
    out[named[value]] += 0.5
    return out


def _rule_values(frame: pd.DataFrame, expression: str) -> np.ndarray:
    """The rule's value for every row as text (missing -> '')."""
    return np.asarray(
        _evaluate(frame, f"coalesce(CAST(({expression}) AS VARCHAR), '')", expression), dtype=object
    ).astype(str)


def _evaluate(frame: pd.DataFrame, sql: str, expression: str) -> np.ndarray:
    """`sql` (built around the rule `expression`) for every row of `frame`, in DuckDB."""
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        con.register("training_rows", frame)
        try:
            return con.execute(f"SELECT {sql} AS s FROM training_rows").fetchnumpy()["s"]
        except duckdb.Error as exc:
            raise _rule_error(expression, exc, frame.columns) from exc
    finally:
        con.close()


def _rule_error(expression: str, exc: duckdb.Error, columns: pd.Index) -> ModelError:
    message = str(exc).split("\n")[0]
    return ModelError(
        f"Today's rule `{expression}` cannot be evaluated on the training set: {message}.{_suggest_column(message, columns)}",
        hint="Fix today_rule.expression in the project file; it is SQL over the feature columns (see `soloml features PROJECT`).",
    )


def today_rule(
    frame: pd.DataFrame, expression: str, description: str, y: np.ndarray, plan: ValidationPlan
) -> BaselinePredictions:
    """Evaluate the rule over every row, then read it as a prediction per fold (see the module docstring)."""
    raw = rule_scores(frame, expression)
    preds = []
    for train, valid in plan.folds:
        preds.append(_banded_means(raw[train], y[train], raw[valid]))
    prediction = _in_plan_order(plan, preds)
    return BaselinePredictions("today_rule", description, score=raw[plan.rows], prediction=prediction)


def rule_scores(frame: pd.DataFrame, expression: str) -> np.ndarray:
    """The rule's value for every row of `frame` via DuckDB (true -> 1, false -> 0, missing -> lowest priority)."""
    values = _evaluate(frame, f"CAST(({expression}) AS DOUBLE)", expression)
    scores = np.asarray(np.ma.filled(np.ma.masked_invalid(np.ma.asarray(values, dtype=float)), np.nan), dtype=float)
    if np.isnan(scores).all():
        raise ModelError(
            f"Today's rule `{expression}` is missing for every row.", hint="Check the columns it uses are filled."
        )
    lowest = np.nanmin(scores)
    return np.where(np.isnan(scores), lowest - 1.0, scores)


def _suggest_column(message: str, columns: pd.Index) -> str:
    marker = 'column with name "'
    start = message.find(marker)
    if start < 0:
        marker = 'Referenced column "'
        start = message.find(marker)
    if start < 0:
        return ""
    name = message[start + len(marker) :].split('"')[0]
    return did_you_mean(name, [str(c) for c in columns])


def _banded_means(train_score: np.ndarray, train_y: np.ndarray, valid_score: np.ndarray) -> np.ndarray:
    """Label mean per rule band (quantile bands of the training scores; each distinct value its own band when few)."""
    distinct = np.unique(train_score)
    if len(distinct) <= MAX_BANDS:
        edges = (distinct[:-1] + distinct[1:]) / 2
    else:
        edges = np.unique(np.quantile(train_score, np.linspace(0, 1, MAX_BANDS + 1)[1:-1]))
    train_band = np.searchsorted(edges, train_score)
    valid_band = np.searchsorted(edges, valid_score)
    overall = float(np.mean(train_y))
    sums = np.bincount(train_band, weights=train_y, minlength=len(edges) + 1)
    counts = np.bincount(train_band, minlength=len(edges) + 1)
    means = np.where(counts > 0, sums / np.maximum(counts, 1), overall)
    return means[valid_band]


def plan_order(plan: ValidationPlan) -> np.ndarray:
    """Validation row positions in the order the folds list them (the order predictions are gathered in)."""
    return np.concatenate([valid for _, valid in plan.folds])


def _in_plan_order(plan: ValidationPlan, parts: list[np.ndarray]) -> np.ndarray:
    """Stack per-fold predictions, then reorder them to `plan.rows` (sorted positions)."""
    stacked = np.concatenate(parts, axis=0)
    order = np.argsort(plan_order(plan), kind="mergesort")
    return stacked[order]


def validation_order(plan: ValidationPlan) -> np.ndarray:
    """Permutation turning fold-ordered arrays into `plan.rows` order."""
    return np.argsort(plan_order(plan), kind="mergesort")

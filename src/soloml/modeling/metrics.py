"""Model metrics on validation rows, each with its direction. Fast enough to bootstrap a few hundred times."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.stats import rankdata

from soloml.errors import ModelError

EPS = 1e-15

# metric name -> the words a report uses
METRIC_NAMES: dict[str, str] = {
    "roc_auc": "ROC AUC",
    "pr_auc": "PR AUC",
    "log_loss": "log loss",
    "brier": "Brier score",
    "rmse": "RMSE",
    "mae": "MAE",
    "mape": "MAPE",
    "multi_logloss": "log loss",
    "accuracy": "accuracy",
    "precision_at_capacity": "precision at capacity",
}

# metric name -> True when higher is better
HIGHER_IS_BETTER: dict[str, bool] = {
    "roc_auc": True,
    "pr_auc": True,
    "log_loss": False,
    "brier": False,
    "precision_at_capacity": True,
    "rmse": False,
    "mae": False,
    "mape": False,
    "multi_logloss": False,
    "accuracy": True,
}


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve by the rank-sum formula (ties count half); NaN when one class is absent."""
    y = np.asarray(y, dtype=bool)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def pr_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Average precision (the step-wise area under the precision-recall curve), as scikit-learn computes it."""
    y = np.asarray(y, dtype=bool)
    n_pos = int(y.sum())
    if n_pos == 0:
        return float("nan")
    order = np.argsort(-np.asarray(score, dtype=float), kind="mergesort")
    s = np.asarray(score, dtype=float)[order]
    hits = np.cumsum(y[order])
    # evaluate at the last row of each group of tied scores
    last = np.r_[s[1:] != s[:-1], True]
    tp = hits[last]
    seen = np.arange(1, len(s) + 1)[last]
    precision = tp / seen
    recall = tp / n_pos
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    y = np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((np.asarray(p, dtype=float) - np.asarray(y, dtype=float)) ** 2))


def rmse(y: np.ndarray, pred: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(y, dtype=float) - np.asarray(pred, dtype=float)) ** 2)))


def mae(y: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(y, dtype=float) - np.asarray(pred, dtype=float))))


def mape(y: np.ndarray, pred: np.ndarray) -> float:
    """Mean absolute percentage error over rows whose actual value is not zero."""
    y = np.asarray(y, dtype=float)
    keep = y != 0
    if not keep.any():
        return float("nan")
    return float(np.mean(np.abs((y[keep] - np.asarray(pred, dtype=float)[keep]) / y[keep])))


def multi_logloss(y: np.ndarray, proba: np.ndarray) -> float:
    """`y` holds class codes 0..K-1, `proba` is n x K."""
    proba = np.clip(np.asarray(proba, dtype=float), EPS, 1.0)
    picked = proba[np.arange(len(y)), np.asarray(y, dtype=int)]
    return float(-np.mean(np.log(picked)))


def accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    pred = np.asarray(pred)
    if pred.ndim == 2:
        pred = pred.argmax(axis=1)
    return float(np.mean(np.asarray(y) == pred))


def correct_class(y: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """1.0 where the most probable class (n x K `proba`) is the true class code, else 0.0."""
    return (np.asarray(proba).argmax(axis=1) == np.asarray(y, dtype=int)).astype(np.float64)


def top_k(score: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores; ties broken by position so results are reproducible."""
    order = np.argsort(-np.asarray(score, dtype=float), kind="mergesort")
    return order[: max(0, min(k, len(order)))]


def precision_at_k(y: np.ndarray, score: np.ndarray, k: int) -> float:
    """Expected share of positives among the k highest-scored rows.

    Rows tied at the cut are taken at random, so they count at their group's average: a constant
    score (the prior) or a yes/no rule gets the base rate of its tied rows, not an accident of row order.
    """
    return precision_at_k_weighted(y, score, k, np.ones(len(y)))


def precision_at_k_weighted(y: np.ndarray, score: np.ndarray, k: int, w: np.ndarray) -> float:
    y = np.asarray(y, dtype=float)
    if len(y) == 0 or k <= 0:
        return float("nan")
    _, group = np.unique(-np.asarray(score, dtype=float), return_inverse=True)  # group 0 = highest score
    weight = np.bincount(group, weights=w)
    hits = np.bincount(group, weights=w * y)
    before = np.cumsum(weight) - weight
    taken = np.clip(k - before, 0.0, weight)
    total = taken.sum()
    if total == 0:
        return float("nan")
    rate = np.divide(hits, weight, out=np.zeros_like(hits), where=weight > 0)
    return float(np.sum(taken * rate) / total)


def top_k_overlap(y: np.ndarray, pred: np.ndarray, k: int) -> float:
    """Regression's 'precision at capacity': share of the predicted top k that are in the true top k."""
    picked = set(top_k(pred, k).tolist())
    truth = set(top_k(y, k).tolist())
    return len(picked & truth) / max(1, len(picked))


BINARY: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "roc_auc": roc_auc,
    "pr_auc": pr_auc,
    "log_loss": log_loss,
    "brier": brier,
}
REGRESSION: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {"rmse": rmse, "mae": mae, "mape": mape}
MULTICLASS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "multi_logloss": multi_logloss,
    "accuracy": accuracy,
}

TASK_METRICS = {"binary": BINARY, "regression": REGRESSION, "multiclass": MULTICLASS}
DEFAULT_METRIC = {"binary": "roc_auc", "regression": "rmse", "multiclass": "multi_logloss"}


def metric_for(task: str, requested: str) -> str:
    """The spec's metric when it fits the task, else the task's default (e.g. roc_auc asked of a regression)."""
    if requested == "precision_at_capacity" and task != "multiclass":
        return requested
    if requested in TASK_METRICS[task]:
        return requested
    return DEFAULT_METRIC[task]


def better(metric: str, a: float, b: float) -> bool:
    """Is `a` strictly better than `b` on `metric`?"""
    if metric not in HIGHER_IS_BETTER:
        raise ModelError(f"Unknown metric '{metric}'.", hint="Use one of: " + ", ".join(HIGHER_IS_BETTER) + ".")
    return a > b if HIGHER_IS_BETTER[metric] else a < b

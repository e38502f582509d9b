"""Is the model still good enough? Past predictions joined to labels that have since matured,
scored on the project's done metric and compared with its done threshold."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from soloml.errors import MonitorError

LOWER_IS_BETTER = {"log_loss", "rmse", "mae", "mape", "multi_logloss"}


@dataclass(frozen=True)
class LivePerformance:
    metric: str
    value: float | None
    threshold: float
    matched: int  # predictions with a matured label
    run_id: str | None
    alert: bool
    words: str


def metric_value(
    metric: str, labels: np.ndarray, scores: np.ndarray, decisions: np.ndarray | None, capacity: int
) -> float:
    """The done metric on matured predictions (higher is better except losses and errors)."""
    if metric == "roc_auc":
        return float(skm.roc_auc_score(labels, scores))
    if metric == "pr_auc":
        return float(skm.average_precision_score(labels, scores))
    if metric == "log_loss":
        return float(skm.log_loss(labels, np.clip(scores, 1e-15, 1 - 1e-15), labels=[0, 1]))
    if metric == "precision_at_capacity":
        top = np.argsort(-scores, kind="stable")[: max(1, min(capacity, len(scores)))]
        return float(labels[top].mean())
    if metric == "accuracy":
        predicted = decisions if decisions is not None else scores >= 0.5
        return float((predicted.astype(float) == labels).mean())
    if metric == "rmse":
        return float(np.sqrt(np.mean((scores - labels) ** 2)))
    if metric == "mae":
        return float(np.mean(np.abs(scores - labels)))
    if metric == "mape":
        nonzero = labels != 0
        return float(np.mean(np.abs((scores[nonzero] - labels[nonzero]) / labels[nonzero])))
    raise MonitorError(
        f"Live performance cannot compute metric '{metric}' from stored predictions.",
        hint="Use roc_auc, pr_auc, log_loss, precision_at_capacity, accuracy, rmse, mae or mape as the done metric.",
    )


def live_performance(
    predictions: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    metric: str,
    threshold: float,
    capacity: int,
    run_id: str | None = None,
    min_rows: int = 30,
) -> LivePerformance:
    """`predictions` (entity_id, score [, decision]) joined to matured `labels` (entity_id, label)."""
    joined = predictions.merge(labels.loc[:, ["entity_id", "label"]].dropna(), on="entity_id", how="inner")
    if len(joined) < min_rows:
        return LivePerformance(
            metric,
            None,
            threshold,
            len(joined),
            run_id,
            False,
            f"Only {len(joined)} predictions have matured labels so far; live performance waits for {min_rows}.",
        )
    y = joined["label"].astype(float).to_numpy()
    s = joined["score"].astype(float).to_numpy()
    d = joined["decision"].astype(bool).to_numpy() if "decision" in joined else None
    if metric in {"roc_auc", "pr_auc"} and len(np.unique(y)) < 2:
        return LivePerformance(
            metric,
            None,
            threshold,
            len(joined),
            run_id,
            False,
            f"All {len(joined)} matured labels are the same, so {metric} is undefined yet.",
        )
    value = metric_value(metric, y, s, d, capacity)
    lower = metric in LOWER_IS_BETTER
    alert = value > threshold if lower else value < threshold
    side = "at most" if lower else "at least"
    verdict = "BELOW the done line" if alert else "still meets the done line"
    return LivePerformance(
        metric,
        value,
        threshold,
        len(joined),
        run_id,
        bool(alert),
        f"Live {metric} on {len(joined):,} matured predictions is {value:.3f}: {verdict} ({side} {threshold:g}).",
    )

"""An optional small hyper-parameter search (Optuna, TPE) on the project's own metric, inside training rows only.

`search` tunes on the inner split of the rows it is given (`ValidationPlan.inner`), never on judged
rows: training runs it once inside each validation fold (so the judged score is of the whole tuning
procedure) and once over every row for the saved model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from soloml.errors import ModelError
from soloml.modeling import fit as ft
from soloml.modeling.evaluate import metric_value
from soloml.modeling.metrics import HIGHER_IS_BETTER
from soloml.modeling.split import ValidationPlan


@dataclass(frozen=True)
class Tuned:
    """The best parameters found, and their value of the metric tuned on (on the inner split)."""

    params: dict[str, Any]
    metric: str
    value: float


def search(
    X: pd.DataFrame,
    y: np.ndarray,
    rows: np.ndarray,
    plan: ValidationPlan,
    base: Mapping[str, Any],
    *,
    metric: str,
    task: str,
    k_share: float,
    categorical: list[str],
    trials: int,
    seed: int,
) -> Tuned:
    """The best parameters in `trials` trials, judged by `metric` on the inner split of `rows`.

    `k_share` is the share of rows acted on (capacity / judged rows), for precision at capacity.
    """
    try:
        import optuna
    except ImportError as exc:  # optional extra
        raise ModelError(
            "Tuning needs Optuna, which is not installed.",
            hint='Install it with `pip install "soloml[tune]"` or train without --tune.',
        ) from exc
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    inner_train, inner_valid = plan.inner(rows)
    yv = y[inner_valid]
    k = max(1, round(k_share * len(inner_valid)))
    sign = -1.0 if HIGHER_IS_BETTER[metric] else 1.0

    def loss(trial: Any) -> float:
        params = {
            **base,
            "num_leaves": trial.suggest_int("num_leaves", 7, 127, log=True),
            "min_data_in_leaf": trial.suggest_int("min_data_in_leaf", 2, 100, log=True),
            "feature_fraction": trial.suggest_float("feature_fraction", 0.5, 1.0),
            "bagging_fraction": trial.suggest_float("bagging_fraction", 0.5, 1.0),
            "lambda_l2": trial.suggest_float("lambda_l2", 1e-3, 30.0, log=True),
            "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.2, log=True),
        }
        booster, _ = ft.fit(
            X.iloc[inner_train],
            y[inner_train],
            params,
            categorical=categorical,
            valid=(X.iloc[inner_valid], yv),
            adjust=False,
        )
        weight = ft.positive_weight(str(params.get("objective", "")), y[inner_train])
        pred = ft.unweight(np.asarray(booster.predict(X.iloc[inner_valid])), weight)
        score = pred.max(axis=1) if pred.ndim == 2 else pred
        value = metric_value(metric, task, yv, pred, score, k)
        return float("inf") if value is None or np.isnan(value) else sign * float(value)

    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(loss, n_trials=trials)
    return Tuned(dict(study.best_params), metric, sign * float(study.best_value))

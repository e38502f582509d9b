"""An optional small hyper-parameter search (Optuna, TPE), judged by the same validation plan as training."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from soloml.errors import ModelError
from soloml.modeling import fit as ft
from soloml.modeling.metrics import roc_auc, rmse, multi_logloss
from soloml.modeling.split import ValidationPlan

MAX_FOLDS = 3


def search(
    X: pd.DataFrame, y: np.ndarray, plan: ValidationPlan, base: Mapping[str, Any], *, categorical: list[str], trials: int, seed: int
) -> dict[str, Any]:
    """The best parameters found in `trials` trials over leaves, leaf size, sampling, regularisation and learning rate."""
    try:
        import optuna
    except ImportError as exc:  # optional extra
        raise ModelError("Tuning needs Optuna, which is not installed.", hint='Install it with `pip install "soloml[tune]"` or train without --tune.') from exc
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    folds = plan.folds[:MAX_FOLDS]
    objective_name = base.get("objective")

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
        scores = []
        for train_rows, valid_rows in folds:
            # AUC, multiclass log loss and RMSE need no re-weighting correction (weights apply to binary only; AUC is rank-based)
            booster, _ = ft.fit(X.iloc[train_rows], y[train_rows], params, categorical=categorical, valid=(X.iloc[valid_rows], y[valid_rows]), adjust=False)
            pred = np.asarray(booster.predict(X.iloc[valid_rows]))
            yv = y[valid_rows]
            if objective_name == "binary":
                scores.append(-roc_auc(yv, pred))
            elif objective_name == "multiclass":
                scores.append(multi_logloss(yv, pred))
            else:
                scores.append(rmse(yv, pred))
        return float(np.nanmean(scores))

    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(loss, n_trials=trials)
    return dict(study.best_params)

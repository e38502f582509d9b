"""scikit-learn estimators over the same training code path as `soloml train`.

    >>> from sklearn.datasets import load_breast_cancer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = SolomlClassifier().fit(X, y)
    >>> clf.result_.verdict.decision in ("DONE", "KEEP_GOING", "NOT_WORTH_IT")
    True

`fit` builds a TrainingSet from X/y and calls `soloml.modeling.train` (validation, early stopping,
baselines, verdict); `result_` keeps the TrainResult. Data too small to validate (fewer than 20 rows
or a class with one row) is fitted with a fixed number of rounds instead, and `result_` is None.
Missing values (NaN) are accepted: LightGBM routes them natively.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from soloml.errors import ModelError
from soloml.features.trainingset import CUTOFF, ENTITY_ID, LABEL, TrainingSet
from soloml.modeling import fit as ft
from soloml.modeling.train import train
from soloml.projects.spec import BusinessValue, DoneThreshold, Label, ProjectSpec

SMALL_ROWS = 20
SMALL_ROUNDS = 100


class _SolomlBase(BaseEstimator):
    def __init__(self, *, tune: int = 0, seed: int = 0, params: dict[str, Any] | None = None) -> None:
        self.tune = tune
        self.seed = seed
        self.params = params

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _frame(self, X: Any, *, reset: bool) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame):
            if reset:
                self.n_features_in_ = X.shape[1]
                self.feature_names_in_ = np.asarray(X.columns, dtype=object)
            elif list(X.columns) != list(self.feature_names_in_):
                raise ValueError(
                    f"X has columns {list(X.columns)[:10]}, but this estimator was fitted with {list(self.feature_names_in_)[:10]}."
                )
            return X.reset_index(drop=True)
        array = validate_data(self, X, reset=reset, ensure_all_finite="allow-nan", dtype=np.float64)
        return pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])

    def _fit(self, X: Any, y: Any, task: str, label_codes: np.ndarray) -> None:
        frame = self._frame(X, reset=True)
        if len(frame) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 samples to learn from; got n_samples = {len(frame)}."
            )
        features = tuple(str(c) for c in frame.columns)
        frame.columns = list(features)
        self.columns_ = features
        data = frame.assign(**{ENTITY_ID: np.arange(len(frame)).astype(str), CUTOFF: pd.NaT, LABEL: label_codes})
        ts = TrainingSet(project="estimator", frame=data, features=features, task=task)  # type: ignore[arg-type]
        small = len(frame) < SMALL_ROWS or (task != "regression" and np.bincount(label_codes.astype(int)).min() < 2)
        if small:
            self._fit_small(data, features, task, label_codes)
            return
        try:
            # the caller chose X: no leak screening of their columns, and no seed repeats (a fit should cost one fit)
            result = train(
                ts,
                _spec(task, len(frame)),
                tune=self.tune,
                seed=self.seed,
                params=self.params,
                leak_check=False,
                spread=False,
            )
        except ModelError:
            self._fit_small(data, features, task, label_codes)
            return
        self.result_ = result
        self.booster_ = result.booster
        self.signature_ = result.signature

    def _fit_small(self, data: pd.DataFrame, features: tuple[str, ...], task: str, y: np.ndarray) -> None:
        from soloml.modeling.signature import build_signature

        signature = build_signature(data, features, (), {})
        n_classes = max(2, int(y.max()) + 1) if task != "regression" else 2
        params = {
            **ft.task_params(task, n_classes, "", n_rows=len(data), seed=self.seed, n_features=len(features)),
            **dict(self.params or {}),
        }
        params["metric"] = "None"
        self.booster_, _ = ft.fit(
            signature.prepare(data),
            y.astype(np.float64),
            params,
            categorical=list(signature.categorical),
            rounds=SMALL_ROUNDS,
        )
        self.signature_ = signature
        self.result_ = None

    def _raw_predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "booster_")
        frame = self._frame(X, reset=False)
        frame.columns = list(
            self.columns_
        )  # the signature may read fewer (training leaves out constant and id columns)
        return np.asarray(self.booster_.predict(self.signature_.prepare(frame)))


class SolomlClassifier(ClassifierMixin, _SolomlBase):
    """Binary or multiclass classification with soloml's defaults (see the module docstring)."""

    def fit(self, X: Any, y: Any) -> SolomlClassifier:
        if y is None:
            raise ValueError("SolomlClassifier requires y to be passed, but the target y is None.")
        X_checked, y_checked = (
            (X, np.asarray(y))
            if isinstance(X, pd.DataFrame)
            else validate_data(self, X, y, ensure_all_finite="allow-nan", dtype=np.float64)
        )
        check_classification_targets(y_checked)
        self.classes_, codes = np.unique(y_checked, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"SolomlClassifier needs at least 2 classes in y; got 1 class ({self.classes_[0]!r}).")
        task = "binary" if len(self.classes_) == 2 else "multiclass"
        self._fit(X_checked, y_checked, task, codes.astype(np.float64))
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        raw = self._raw_predict(X)
        if raw.ndim == 1:
            return np.column_stack([1.0 - raw, raw])
        return raw

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "booster_")
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class SolomlRegressor(RegressorMixin, _SolomlBase):
    """Regression with soloml's defaults (see the module docstring)."""

    def fit(self, X: Any, y: Any) -> SolomlRegressor:
        if y is None:
            raise ValueError("SolomlRegressor requires y to be passed, but the target y is None.")
        X_checked, y_checked = (
            (X, np.asarray(y, dtype=np.float64))
            if isinstance(X, pd.DataFrame)
            else validate_data(self, X, y, ensure_all_finite="allow-nan", dtype=np.float64, y_numeric=True)
        )
        self._fit(X_checked, y_checked, "regression", np.asarray(y_checked, dtype=np.float64))
        return self

    def predict(self, X: Any) -> np.ndarray:
        return self._raw_predict(X)


def _spec(task: str, n_rows: int) -> ProjectSpec:
    """A neutral spec for the estimators: value 1 per success, capacity 10% of rows, done line never met by accident."""
    metric = {"binary": "roc_auc", "multiclass": "multi_logloss", "regression": "rmse"}[task]
    done = {"binary": 0.9, "multiclass": 0.1, "regression": 0.0}[task]
    return ProjectSpec(
        name="estimator",
        question="scikit-learn estimator",
        decision="predict",
        stakeholder="scikit-learn",
        owner="scikit-learn",
        recipe="table",
        entity="row",
        label=Label(definition="y", target="y"),
        metric=metric,  # type: ignore[arg-type]
        business=BusinessValue(value_per_success=1.0, capacity=max(1, n_rows // 10)),
        done=DoneThreshold(metric=metric, value=done),  # type: ignore[arg-type]
    )

"""Train a model for a project: validate honestly, compare with baselines, refit, explain, decide.

    validate (time-ordered or k-fold, early stopping) -> baselines on the same rows -> business figures
    -> verdict -> refit on every row with the validated number of rounds -> explanations and reference stats
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from soloml.errors import ModelError, did_you_mean
from soloml.features.trainingset import CUTOFF, LABEL, TrainingSet
from soloml.modeling import baselines as bl
from soloml.modeling import evaluate as ev
from soloml.modeling import fit as ft
from soloml.modeling.explain import feature_stats, global_importance
from soloml.modeling.metrics import HIGHER_IS_BETTER, metric_for
from soloml.modeling.result import TrainResult, Validation
from soloml.modeling.signature import build_signature
from soloml.modeling.split import ValidationPlan, plan_validation
from soloml.modeling.verdict import Verdict, decide, suggest
from soloml.projects.spec import ProjectSpec


def train(ts: TrainingSet, spec: ProjectSpec, *, tune: int = 0, seed: int = 0, params: Mapping[str, Any] | None = None) -> TrainResult:
    """Train, validate and judge a LightGBM model for `spec` on `ts`.

    `tune` > 0 runs that many Optuna trials over a small search space first; `params` overrides defaults.
    """
    frame = _checked_frame(ts)
    ts = replace(ts, frame=frame)  # every row position below refers to this frame
    y_raw = frame[LABEL]
    coding = ft.LabelCoding(ts.task, tuple(ts.classes)) if getattr(ts, "classes", ()) and ts.task != "regression" else ft.LabelCoding.learn(ts.task, y_raw)
    y = coding.encode(y_raw)
    n_classes = max(2, len(coding.classes))
    categorical = tuple(dict.fromkeys((*ts.categorical, *(f for f in ts.features if _is_text(frame[f])))))
    signature = build_signature(frame, ts.features, categorical, ts.descriptions)
    X = signature.prepare(frame)
    metric = metric_for(ts.task, spec.metric)
    over_time = ts.has_time
    snapshots_over_time = over_time and spec.recipe != "table"  # a table's time column dates rows, not snapshots
    plan = plan_validation(ts, horizon_days=spec.label.horizon_days if snapshots_over_time else None, seed=seed)
    base = ft.task_params(ts.task, n_classes, metric, n_rows=len(frame), seed=seed)
    tuned: dict[str, Any] = {}
    if tune > 0:
        from soloml.modeling.tune import search

        tuned = search(X, y, plan, base, categorical=list(signature.categorical), trials=tune, seed=seed)
    chosen = {**base, **tuned, **dict(params or {})}

    predictions, rounds = _validate(X, y, plan, chosen, list(signature.categorical))
    rows = plan.rows
    yv = y[rows]
    model_score = _score(predictions, ts.task)
    capacity = ev.scale_capacity(spec, len(rows), over_time=plan.kind == "time" and snapshots_over_time)

    baseline_preds = [bl.prior(y, plan, ts.task, n_classes)]
    if spec.today_rule is not None and ts.task != "multiclass":
        baseline_preds.append(bl.today_rule(frame, spec.today_rule.expression, spec.today_rule.description, y, plan))
    model_metrics = ev.all_metrics(ts.task, yv, predictions, model_score, capacity.k)
    baseline_metrics = {b.name: ev.all_metrics(ts.task, yv, b.prediction, b.score, capacity.k) for b in baseline_preds}
    rule = next((b for b in baseline_preds if b.name == "today_rule"), None)
    business = ev.business(spec, ts.task, yv, model_score, None if rule is None else rule.score, None if rule is None else rule.description, capacity)
    calibration = ev.calibration(yv, predictions) if ts.task == "binary" else None

    n_rounds = ft.refit_rounds(rounds, int(np.mean([len(t) for t, _ in plan.folds])), len(frame))
    booster, _ = ft.fit(X, y, chosen, categorical=list(signature.categorical), rounds=n_rounds)
    importance = global_importance(booster, X.iloc[rows], signature, ts.task, n_classes, seed=seed)

    snapshots = int(frame[CUTOFF].nunique()) if snapshots_over_time else 0
    hints = suggest(
        project=spec.name, features=ts.features, recipe=spec.recipe, n_snapshots=snapshots, n_rows=len(frame),
        tuned=tune > 0, top_features=[f.description for f in importance[:1]],
    )
    verdict = _judge(spec, ts.task, metric, yv, predictions, model_score, model_metrics, baseline_preds, baseline_metrics, capacity.k, hints, seed)
    return TrainResult(
        project=spec.name,
        recipe=spec.recipe,
        task=ts.task,
        spec=spec,
        spec_hash=ts.spec_hash or spec.spec_hash(),
        booster=booster,
        signature=signature,
        classes=coding.classes,
        params={k: v for k, v in chosen.items() if k not in ("verbosity",)},
        n_rounds=n_rounds,
        validation=Validation(plan.kind, plan.description, plan.validation_cutoff, rows, int(sum(len(t) for t, _ in plan.folds) / len(plan.folds)), predictions),
        metric=metric,
        model_score=float(model_metrics[metric]),
        metrics=model_metrics,
        baseline_metrics=baseline_metrics,
        baseline_descriptions={b.name: b.description for b in baseline_preds},
        business=business,
        calibration=calibration,
        threshold=business.threshold,
        verdict=verdict,
        importance=importance,
        feature_stats=feature_stats(X, signature),
        reference=_reference(predictions, ts.task),
        training=_training_summary(frame, ts, y, coding.classes, snapshots),
        load_ids=tuple(ts.load_ids),
        tune_trials=tune,
        seed=seed,
        tuned_params=tuned,
    )


def _judge(
    spec: ProjectSpec,
    task: str,
    metric: str,
    yv: np.ndarray,
    predictions: np.ndarray,
    model_score: np.ndarray,
    model_metrics: Mapping[str, float | None],
    baseline_preds: list[bl.BaselinePredictions],
    baseline_metrics: Mapping[str, Mapping[str, float | None]],
    k: int,
    hints: tuple[str, ...],
    seed: int,
) -> Verdict:
    """The verdict on the spec's done metric (the headline metric when it does not apply), with a bootstrap interval."""
    done_metric = spec.done.metric if model_metrics.get(spec.done.metric) is not None else metric
    done_value = spec.done.value if done_metric == spec.done.metric else _default_done(done_metric, baseline_metrics)
    known = {name: vals.get(done_metric) for name, vals in baseline_metrics.items()}
    best = _best_baseline(done_metric, known)
    ci = None
    if best is not None:
        b = next(b for b in baseline_preds if b.name == best)
        ci = ev.bootstrap_difference(done_metric, task, yv, (predictions, model_score), (b.prediction, b.score), k, seed=seed)
    return decide(
        metric=done_metric,
        model=float(model_metrics[done_metric]),  # type: ignore[arg-type]
        baselines=known,
        done_value=done_value,
        min_lift_over_rule=spec.done.min_lift_over_rule,
        difference_ci=ci,
        suggestions=hints,
    )


def _validate(X: pd.DataFrame, y: np.ndarray, plan: ValidationPlan, params: Mapping[str, Any], categorical: list[str]) -> tuple[np.ndarray, list[int]]:
    """Out-of-sample predictions for `plan.rows` (in that order) and each fold's best number of rounds."""
    parts, rounds = [], []
    for train_rows, valid_rows in plan.folds:
        booster, used = ft.fit(X.iloc[train_rows], y[train_rows], params, categorical=categorical, valid=(X.iloc[valid_rows], y[valid_rows]), adjust=False)
        weight = ft.positive_weight(str(params.get("objective", "")), y[train_rows])
        parts.append(ft.unweight(np.asarray(booster.predict(X.iloc[valid_rows], num_iteration=used)), weight))
        rounds.append(used)
    stacked = np.concatenate(parts, axis=0)
    return stacked[bl.validation_order(plan)], rounds


def _score(predictions: np.ndarray, task: str) -> np.ndarray:
    """The ranking score: the probability (binary), the value (regression), the top class's probability."""
    return predictions.max(axis=1) if task == "multiclass" else predictions


def _best_baseline(metric: str, known: Mapping[str, float | None]) -> str | None:
    values = {k: v for k, v in known.items() if v is not None and not np.isnan(v)}
    if not values:
        return None
    up = HIGHER_IS_BETTER[metric]
    return max(values, key=lambda k: values[k] if up else -values[k])


def _default_done(metric: str, baselines: Mapping[str, Mapping[str, float | None]]) -> float:
    """When the spec's done metric does not apply to this task: 10% better than the best baseline."""
    values = [v[metric] for v in baselines.values() if v.get(metric) is not None]
    if not values:
        return 0.0
    return max(values) * 1.1 if HIGHER_IS_BETTER[metric] else min(values) * 0.9


def _checked_frame(ts: TrainingSet) -> pd.DataFrame:
    frame = ts.frame
    missing = [c for c in (*ts.features, LABEL) if c not in frame.columns]
    if missing:
        raise ModelError(
            f"Training set '{ts.project}' lacks column(s) {', '.join(missing)}.{did_you_mean(missing[0], frame.columns)}",
            hint="Rebuild it with `soloml features PROJECT`.",
        )
    if not ts.features:
        raise ModelError(f"Training set '{ts.project}' has no feature columns.", hint="Check the project's features (soloml features PROJECT).")
    if CUTOFF not in frame.columns:
        frame = frame.assign(**{CUTOFF: pd.NaT})
    unlabeled = frame[LABEL].isna()  # e.g. rows whose outcome is not known yet: not trained on, not judged
    if unlabeled.all():
        raise ModelError(f"Every row of '{ts.project}' lacks a label.", hint="Check the target column / label definition.")
    if unlabeled.any():
        frame = frame.loc[~unlabeled]
    return frame.reset_index(drop=True)


def _is_text(col: pd.Series) -> bool:
    return isinstance(col.dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col)


def _reference(pred: np.ndarray, task: str) -> dict[str, Any]:
    """The out-of-sample validation predictions' distribution, for drift monitoring of the live scores."""
    score = pred.max(axis=1) if task == "multiclass" else pred
    return {
        "prediction_quantiles": [float(q) for q in np.quantile(score, np.linspace(0, 1, 21))],
        "prediction_mean": float(np.mean(score)),
        "prediction_sd": float(np.std(score)),
        "rows": int(len(score)),
    }


def _training_summary(frame: pd.DataFrame, ts: TrainingSet, y: np.ndarray, classes: tuple[Any, ...], snapshots: int) -> dict[str, Any]:
    summary: dict[str, Any] = {"rows": int(len(frame)), "features": len(ts.features), "snapshots": snapshots}
    if snapshots:
        cutoffs = pd.to_datetime(frame[CUTOFF])
        summary["first_cutoff"] = str(cutoffs.min().date())
        summary["last_cutoff"] = str(cutoffs.max().date())
    if ts.task == "binary":
        summary["base_rate"] = float(np.mean(y))
        summary["positive_class"] = classes[1]
    elif ts.task == "multiclass":
        summary["classes"] = {str(c): int(np.sum(y == i)) for i, c in enumerate(classes)}
    else:
        summary["label_mean"] = float(np.mean(y))
    return summary

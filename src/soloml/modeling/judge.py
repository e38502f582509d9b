"""Judge out-of-sample predictions: baselines on the same rows, every metric, business figures, the verdict.

Nothing here fits a model; it reads the validation plan's judged rows and the predictions made for
them, so every number it returns is for the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from soloml.modeling import baselines as bl
from soloml.modeling import evaluate as ev
from soloml.modeling.metrics import HIGHER_IS_BETTER
from soloml.modeling.split import ValidationPlan
from soloml.modeling.verdict import Verdict, decide
from soloml.projects.spec import ProjectSpec


@dataclass(frozen=True)
class Judgement:
    metrics: dict[str, float | None]
    baselines: tuple[bl.BaselinePredictions, ...]
    baseline_metrics: dict[str, dict[str, float | None]]
    business: ev.Business
    calibration: ev.Calibration | None
    verdict: Verdict


def score_of(predictions: np.ndarray, task: str) -> np.ndarray:
    """The ranking score: the probability (binary), the value (regression), the top class's probability."""
    return predictions.max(axis=1) if task == "multiclass" else predictions


def judge(
    spec: ProjectSpec,
    task: str,
    frame: pd.DataFrame,
    y: np.ndarray,
    plan: ValidationPlan,
    predictions: np.ndarray,
    capacity: ev.Capacity,
    *,
    classes: tuple[Any, ...],
    headline: str,
    hints: tuple[str, ...],
    seed: int,
) -> Judgement:
    yv = y[plan.rows]
    model = (predictions, score_of(predictions, task))
    n_classes = max(2, len(classes))
    baselines = [bl.prior(y, plan, task, n_classes)]
    if task == "regression":
        baselines.append(bl.median(y, plan))
    if spec.today_rule is not None:
        rule = spec.today_rule
        if task == "multiclass":
            baselines.append(bl.today_rule_classes(frame, rule.expression, rule.description, y, plan, classes))
        else:
            baselines.append(bl.today_rule(frame, rule.expression, rule.description, y, plan))
    metrics = ev.all_metrics(task, yv, *model, capacity.k)
    baseline_metrics = {b.name: ev.all_metrics(task, yv, b.prediction, b.score, capacity.k) for b in baselines}
    rule_b = next((b for b in baselines if b.name == "today_rule"), None)
    business = ev.business(
        spec,
        task,
        yv,
        model,
        None if rule_b is None else (rule_b.prediction, rule_b.score),
        None if rule_b is None else rule_b.description,
        capacity,
        prior=baselines[0].prediction,
    )
    calibration = ev.calibration(yv, predictions) if task == "binary" else None
    verdict = _verdict(spec, task, headline, yv, model, metrics, baselines, baseline_metrics, capacity.k, hints, seed)
    return Judgement(metrics, tuple(baselines), baseline_metrics, business, calibration, verdict)


def _verdict(
    spec: ProjectSpec,
    task: str,
    metric: str,
    yv: np.ndarray,
    model: tuple[np.ndarray, np.ndarray],
    metrics: Mapping[str, float | None],
    baselines: list[bl.BaselinePredictions],
    baseline_metrics: Mapping[str, Mapping[str, float | None]],
    k: int,
    hints: tuple[str, ...],
    seed: int,
) -> Verdict:
    """The verdict on the spec's done metric (the headline metric when it does not apply), with a bootstrap interval."""
    done_metric = spec.done.metric if metrics.get(spec.done.metric) is not None else metric
    done_value = spec.done.value if done_metric == spec.done.metric else _default_done(done_metric, baseline_metrics)
    known = {name: vals.get(done_metric) for name, vals in baseline_metrics.items()}
    best = _best_baseline(done_metric, known)
    ci = None
    if best is not None:
        b = next(b for b in baselines if b.name == best)
        ci = ev.bootstrap_difference(done_metric, task, yv, model, (b.prediction, b.score), k, seed=seed)
    return decide(
        metric=done_metric,
        model=float(metrics[done_metric]),  # type: ignore[arg-type]
        baselines=known,
        done_value=done_value,
        min_lift_over_rule=spec.done.min_lift_over_rule,
        difference_ci=ci,
        suggestions=hints,
        agreed=spec.business.value_per_success is not None,
        project=spec.name,
    )


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
    return max(values) * 1.1 if HIGHER_IS_BETTER[metric] else min(values) * 0.9  # type: ignore[type-var, operator]

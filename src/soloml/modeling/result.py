"""What training returns: the model, the numbers behind the verdict, and everything the registry saves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np

from soloml.features.trainingset import Task
from soloml.modeling.columns import LeftOut
from soloml.modeling.evaluate import Business, Calibration
from soloml.modeling.explain import FeatureImportance
from soloml.modeling.signature import FeatureSignature
from soloml.modeling.verdict import Verdict
from soloml.projects.spec import ProjectSpec


@dataclass(frozen=True)
class Validation:
    """How the model was judged. `rows` are positions in the training frame; every baseline used the same ones."""

    kind: str
    description: str
    validation_cutoff: str | None
    rows: np.ndarray
    train_rows: int
    predictions: np.ndarray  # the model's out-of-sample predictions on `rows` (n, or n x K)


@dataclass(frozen=True)
class TrainResult:
    project: str
    recipe: str
    task: Task
    spec: ProjectSpec
    spec_hash: str
    booster: lgb.Booster
    signature: FeatureSignature
    classes: tuple[Any, ...]
    params: dict[str, Any]
    n_rounds: int
    validation: Validation
    metric: str
    model_score: float
    metrics: dict[str, float | None]
    baseline_metrics: dict[str, dict[str, float | None]]
    baseline_descriptions: dict[str, str]
    business: Business
    calibration: Calibration | None
    threshold: float
    verdict: Verdict
    importance: tuple[FeatureImportance, ...]
    feature_stats: dict[str, dict[str, Any]]
    reference: dict[str, Any]
    training: dict[str, Any]
    load_ids: tuple[str, ...] = ()
    tune_trials: int = 0
    seed: int = 0
    tuned_params: dict[str, Any] = field(default_factory=dict)
    tuned_on: dict[str, Any] | None = (
        None  # {"metric": the spec's metric, "value": the best trial's, on an inner split}
    )
    left_out: tuple[LeftOut, ...] = ()  # columns not learnt from, with the reason
    notes: tuple[str, ...] = ()  # what a reader must know to read the numbers (split, warnings, seed spread)
    seed_spread: dict[str, Any] | None = None
    blend: tuple[
        dict[str, Any], ...
    ] = ()  # boosters averaged into `booster` ({"params": overrides, "rounds": n}; below 5,000 rows every seed's, its
    # "seed" among the overrides: modeling/spread.py); () for one

    @property
    def baseline_scores(self) -> dict[str, float | None]:
        """Each baseline's value of the headline metric, on the same validation rows as the model."""
        return {name: values.get(self.metric) for name, values in self.baseline_metrics.items()}

    def top_features(self, n: int = 5) -> list[dict[str, Any]]:
        return [
            {
                "name": f.name,
                "description": f.description,
                "mean_abs_contribution": f.mean_abs_contribution,
                "gain_share": f.gain_share,
            }
            for f in self.importance[:n]
        ]

    def business_summary(self) -> dict[str, Any]:
        b = self.business
        return {
            "agreed": self.spec.business.value_per_success is not None,  # money figures exist only with business inputs
            "capacity": b.capacity.per_cycle,
            "cycle": b.capacity.cycle,
            "currency": b.currency,
            "validation_rows_acted_on": b.capacity.k,
            "capacity_scaling": b.capacity.explanation,
            "base_rate": b.base_rate,
            "precision_at_capacity": b.model.precision,
            "lift_at_capacity": b.model.lift,
            "hits_per_cycle": b.model.hits_per_cycle,
            "expected_value": b.model.expected_value,
            "today_rule": None
            if b.today_rule is None
            else {
                "description": b.today_rule.description,
                "precision_at_capacity": b.today_rule.precision,
                "lift_at_capacity": b.today_rule.lift,
                "hits_per_cycle": b.today_rule.hits_per_cycle,
                "expected_value": b.today_rule.expected_value,
            },
            "random_pick": {"precision_at_capacity": b.random.precision, "expected_value": b.random.expected_value},
            "act_on_nobody": {"expected_value": 0.0},
            "breakeven_probability": b.breakeven_probability,
        }

    def summary(self, version: str | None = None) -> dict[str, Any]:
        """The plain facts `soloml train --json` prints (and reports render)."""
        v = self.verdict
        return {
            "project": self.project,
            "version": version,
            "recipe": self.recipe,
            "task": self.task,
            "entity": self.spec.entity,
            "label_definition": self.spec.label.definition,
            "target": self.spec.label.target,
            "metric": self.metric,
            "model_score": self.model_score,
            "baseline_scores": self.baseline_scores,
            "metrics": self.metrics,
            "baseline_metrics": self.baseline_metrics,
            "threshold": self.threshold,
            "verdict": v.decision,
            "verdict_detail": {
                "headline": v.headline,
                "reasons": list(v.reasons),
                "next_steps": list(v.next_steps),
                "metric": v.metric,
                "model_value": v.model_value,
                "best_baseline": v.best_baseline,
                "best_baseline_value": v.best_baseline_value,
                "done_value": v.done_value,
                "lift_over_rule": v.lift_over_rule,
                "difference_ci": list(v.difference_ci) if v.difference_ci else None,
            },
            "business": self.business_summary(),
            "calibration": None
            if self.calibration is None
            else {
                "brier": self.calibration.brier,
                "mean_predicted": self.calibration.mean_predicted,
                "observed_rate": self.calibration.observed_rate,
                "reliability": [
                    {"mean_predicted": b.mean_predicted, "observed_rate": b.observed_rate, "rows": b.rows}
                    for b in self.calibration.table
                ],
            },
            "validation": {
                "kind": self.validation.kind,
                "description": self.validation.description,
                "validation_cutoff": self.validation.validation_cutoff,
                "rows": len(self.validation.rows),
                "train_rows": self.validation.train_rows,
            },
            "training": self.training,
            "n_rounds": self.n_rounds,
            "blend": [dict(member) for member in self.blend],
            "tune_trials": self.tune_trials,
            "tuned_on": self.tuned_on,
            "top_features": self.top_features(),
            "left_out": [{"column": f.column, "kind": f.kind, "reason": f.reason} for f in self.left_out],
            "notes": list(self.notes),
            "seed_spread": self.seed_spread,
        }

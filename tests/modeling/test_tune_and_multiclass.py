"""--tune optimises the project's own metric; multiclass projects get today's rule, business figures and a threshold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes

from soloml.modeling import evaluate as ev
from soloml.modeling import fit as ft
from soloml.modeling import metrics as m
from soloml.modeling import train
from soloml.modeling.split import plan_validation
from soloml.projects.spec import BusinessValue, TodayRule

from .synthetic import flat_set, table_spec


def _binary_table(n: int = 500) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.choice(["x", "y"], n)})
    frame["y"] = rng.random(n) < 1 / (1 + np.exp(-(1.5 * frame["a"] - frame["b"] * (frame["c"] == "x"))))
    return frame


@pytest.mark.parametrize(
    ("task", "metric", "frame", "target"),
    [
        ("regression", "mae", load_diabetes(as_frame=True).frame, "target"),
        ("binary", "pr_auc", _binary_table(), "y"),
    ],
    ids=["regression on MAE", "binary on PR AUC"],
)
def test_tuning_optimises_the_projects_metric_on_rows_it_is_not_judged_on(task, metric, frame, target):
    ts = flat_set(frame, target, task)
    result = train(ts, table_spec(task, metric, done=0.5), tune=3, spread=False)
    assert result.tuned_on["metric"] == metric
    # the reported best value is that metric, for the tuned parameters, on the inner split of the rows
    labels = ts.frame["label"].to_numpy(dtype=float)
    inner_train, inner_valid = plan_validation(ts, seed=0).inner(np.arange(len(labels)))
    X = result.signature.prepare(ts.frame)
    params = {**result.params, "verbosity": -1}
    booster, _ = ft.fit(
        X.iloc[inner_train],
        labels[inner_train],
        params,
        categorical=list(result.signature.categorical),
        valid=(X.iloc[inner_valid], labels[inner_valid]),
        adjust=False,
    )
    pred = ft.unweight(np.asarray(booster.predict(X.iloc[inner_valid])), ft.positive_weight(task, labels[inner_train]))
    assert ev.metric_value(metric, task, labels[inner_valid], pred, pred, 1) == pytest.approx(result.tuned_on["value"])


def _tiers(n: int = 600) -> pd.DataFrame:
    """Customers' plan tier; tenure says most of it, which is today's rule."""
    rng = np.random.default_rng(4)
    tenure = rng.integers(0, 48, n)
    usage = rng.normal(size=n)
    tier = np.where(tenure < 12, "basic", np.where(usage > 0.3, "premium", "plus"))
    flip = rng.random(n) < 0.15
    tier[flip] = rng.choice(["basic", "plus", "premium"], flip.sum())
    return pd.DataFrame({"tenure": tenure, "usage": usage, "tier": tier})


def test_multiclass_is_judged_against_todays_rule_and_told_in_business_figures():
    data = _tiers()
    codes = {c: i for i, c in enumerate(sorted(data["tier"].unique()))}
    ts = flat_set(data.assign(tier=data["tier"].map(codes)), "tier", "multiclass")
    ts = type(ts)(project=ts.project, frame=ts.frame, features=ts.features, task="multiclass", classes=tuple(codes))
    rule = TodayRule(
        description="basic in the first year, plus after",
        expression="CASE WHEN tenure < 12 THEN 'basic' ELSE 'plus' END",
    )
    spec = table_spec("multiclass", "accuracy", capacity=50, done=0.8).model_copy(
        update={"today_rule": rule, "business": BusinessValue(value_per_success=30.0, cost_per_action=2.0, capacity=50)}
    )
    result = train(ts, spec, spread=False)
    rows = result.validation.rows
    y = ts.frame["label"].to_numpy()[rows]
    named = np.where(data["tenure"].to_numpy()[rows] < 12, codes["basic"], codes["plus"])
    assert result.baseline_metrics["today_rule"]["accuracy"] == pytest.approx(np.mean(named == y))
    assert (
        result.metrics["accuracy"]
        > result.baseline_metrics["today_rule"]["accuracy"]
        > result.baseline_metrics["prior"]["accuracy"]
    )
    b = result.business
    top = m.top_k(result.validation.predictions.max(axis=1), 50)
    assert b.model.precision == pytest.approx(np.mean(result.validation.predictions[top].argmax(axis=1) == y[top]))
    assert b.model.expected_value == pytest.approx(30.0 * b.model.hits_per_cycle - 2.0 * b.model.actions_per_cycle)
    assert b.today_rule is not None and b.today_rule.precision is not None
    assert 0 < result.threshold < 1  # the capacity cut on the predicted class's probability
    assert result.verdict.best_baseline in ("today_rule", "prior")

"""Training sets with a known, planted signal, shaped like the features stage's output."""

from __future__ import annotations

import numpy as np
import pandas as pd

from soloml.features.trainingset import TrainingSet
from soloml.projects.spec import (
    BusinessValue,
    Cutoffs,
    DoneThreshold,
    Label,
    ProjectSpec,
    TodayRule,
)

DESCRIPTIONS = {
    "orders_30d": "orders in the last 30 days",
    "failed_payments_30d": "failed payments in the last 30 days",
    "days_since_last_order": "days since the last order",
    "email_opens_90d": "email opens in the last 90 days",
    "plan": "subscription plan",
    "noise": "a column with no signal",
}


def churn_set(*, customers: int = 400, cutoffs: int = 8, seed: int = 0, signal: float = 1.0) -> TrainingSet:
    """Customers x monthly cutoffs; churn rises with failed payments and days since last order, falls with orders."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2025-01-01", periods=cutoffs, freq="MS")
    n = customers * cutoffs
    orders = rng.poisson(3, n)
    failed = rng.poisson(0.3, n)
    recency = rng.exponential(30, n).round()
    opens = rng.poisson(4, n)
    plan = rng.choice(["basic", "premium", "family"], n, p=[0.5, 0.3, 0.2])
    logit = -2.0 + signal * (0.9 * failed + 0.012 * recency - 0.35 * orders - 0.12 * opens + 0.5 * (plan == "basic"))
    churned = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame(
        {
            "entity_id": np.tile([f"c{i}" for i in range(customers)], cutoffs),
            "cutoff": np.repeat(dates, customers),
            "label": churned,
            "orders_30d": orders,
            "failed_payments_30d": failed,
            "days_since_last_order": recency,
            "email_opens_90d": opens,
            "plan": plan,
            "noise": rng.normal(size=n),
        }
    )
    features = ("orders_30d", "failed_payments_30d", "days_since_last_order", "email_opens_90d", "plan", "noise")
    return TrainingSet(
        project="churn",
        frame=frame,
        features=features,
        task="binary",
        categorical=("plan",),
        spec_hash="abc",
        load_ids=("load-1",),
        descriptions=dict(DESCRIPTIONS),
    )


def churn_spec(
    *, done_value: float = 0.5, min_lift: float = 0.0, rule: str | None = "days_since_last_order", capacity: int = 20
) -> ProjectSpec:
    return ProjectSpec(
        name="churn",
        question="Who will cancel in the next 60 days?",
        decision="Offer a free bag to the customers most likely to cancel.",
        stakeholder="CEO",
        owner="data",
        recipe="churn",
        label=Label(definition="no order or payment in the next 60 days", horizon_days=60),
        cutoffs=Cutoffs(every="monthly", lookback_months=12),
        metric="roc_auc",
        business=BusinessValue(
            value_per_success=180, cost_per_action=12, capacity=capacity, cycle="weekly", success_rate=0.3
        ),
        today_rule=None if rule is None else TodayRule(description="no order in 60 days", expression=rule),
        done=DoneThreshold(metric="precision_at_capacity", value=done_value, min_lift_over_rule=min_lift),
    )


def flat_set(frame: pd.DataFrame, target: str, task: str, project: str = "table") -> TrainingSet:
    """A table without time (cutoff NaT), every other column a feature."""
    features = tuple(c for c in frame.columns if c != target)
    data = frame.rename(columns={target: "label"}).assign(entity_id=[str(i) for i in range(len(frame))], cutoff=pd.NaT)
    categorical = tuple(c for c in features if data[c].dtype == object)
    return TrainingSet(project=project, frame=data, features=features, task=task, categorical=categorical)  # type: ignore[arg-type]


def table_spec(task: str, metric: str, *, capacity: int = 50, done: float = 0.9, name: str = "table") -> ProjectSpec:
    return ProjectSpec(
        name=name,
        question="q",
        decision="d",
        stakeholder="s",
        owner="o",
        recipe="table",
        entity="row",
        label=Label(definition="target", target="label"),
        metric=metric,  # type: ignore[arg-type]
        business=BusinessValue(value_per_success=10, capacity=capacity),
        done=DoneThreshold(metric=metric, value=done),  # type: ignore[arg-type]
    )

"""Each recipe's population and label on small hand-made data where the right answer is known.

Data ends 2024-07-10; horizon 30 days and 3 monthly cutoffs give cutoffs 2024-04-01, 05-01, 06-01.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from soloml.errors import ConfigError, FeatureError
from soloml.features import build_scoring_frame, build_training_set
from soloml.projects.spec import BusinessValue, Cutoffs, DoneThreshold, Label, ProjectSpec, TodayRule

from .feature_rows import order, pay

D = datetime.fromisoformat


def spec_for(
    recipe: str, horizon: int = 30, months: int = 3, done: DoneThreshold | None = None, **extra
) -> ProjectSpec:
    return ProjectSpec(
        name=f"test_{recipe}",
        question="q",
        decision="d",
        stakeholder="s",
        owner="o",
        recipe=recipe,
        entity="contact" if recipe == "conversion" else "customer",
        label=Label(definition="x", horizon_days=horizon),
        cutoffs=Cutoffs(lookback_months=months),
        business=BusinessValue(value_per_success=100, capacity=10),
        done=done or DoneThreshold(value=0.3),
        **extra,
    )


@pytest.fixture
def shop(add):
    for cid, created in (
        ("A", "2023-12-01"),
        ("B", "2023-12-01"),
        ("C", "2024-01-15"),
        ("D", "2024-05-01"),
        ("E", "2024-03-01"),
        ("F", "2024-01-01"),
        ("X", "2024-04-01"),
    ):
        add("customers", {"customer_id": cid, "email": f"{cid.lower()}@x.com", "created_at": D(created)})
    add("payments", *[pay(f"a{m}", "A", f"2024-{m:02d}-10") for m in range(1, 8)])
    add("payments", *[pay(f"b{m}", "B", f"2024-{m:02d}-10") for m in range(1, 5)])
    add("payments", *[pay(f"c{m}", "C", f"2024-{m:02d}-01 12:00") for m in range(2, 5)], pay("c5", "C", "2024-05-20"))
    add(
        "subscriptions",
        {
            "subscription_id": "s-C",
            "customer_id": "C",
            "plan": "monthly",
            "status": "canceled",
            "started_at": D("2024-02-01"),
            "canceled_at": D("2024-05-15"),
            "mrr": 20,
        },
    )
    add("payments", pay("d1", "D", "2024-05-20"), pay("d2", "D", "2024-06-20"))
    add("orders", order("e-o1", "E", "2024-03-15", 40.0, discount=5.0, discount_code="WELCOME"))
    add("payments", pay("e1", "E", "2024-05-01 00:00"))
    add("payments", pay("f1", "F", "2024-03-10", status="failed"), pay("f2", "F", "2024-04-10", status="failed"))


CHURN_LABELS = {
    ("A", "2024-04-01"): 0,
    ("A", "2024-05-01"): 0,
    ("A", "2024-06-01"): 0,
    ("B", "2024-04-01"): 0,
    ("B", "2024-05-01"): 1,
    ("B", "2024-06-01"): 1,  # stopped paying after April
    ("C", "2024-04-01"): 0,
    ("C", "2024-05-01"): 1,
    ("C", "2024-06-01"): 1,  # canceled 05-15, paid a last time 05-20
    ("D", "2024-06-01"): 0,  # first paid 05-20: not active before
    ("E", "2024-04-01"): 1,
    ("E", "2024-05-01"): 0,
    ("E", "2024-06-01"): 1,  # paid exactly at 05-01 00:00: in [05-01, 05-31)
}


def _labels(ts) -> dict:
    return {(r.entity_id, f"{r.cutoff:%Y-%m-%d}"): int(r.label) for r in ts.frame.itertuples()}


def test_churn_population_and_label(con, shop):
    ts = build_training_set(con, spec_for("churn"))
    assert ts.task == "binary"
    assert _labels(ts) == CHURN_LABELS


def test_churn_features_only_see_data_strictly_before_the_cutoff(con, shop):
    frame = build_training_set(con, spec_for("churn")).frame.set_index(["entity_id", "cutoff"])
    a = frame.loc[("A", pd.Timestamp("2024-05-01"))]
    assert (a.payments_30d, a.payments_90d, a.days_since_last_payment) == (1, 3, 21)
    assert a.revenue_90d == pytest.approx(60.0)
    e = frame.loc[("E", pd.Timestamp("2024-05-01"))]
    assert e.payments_30d == 0  # the payment exactly at the cutoff is not before it
    assert (e.orders_90d, e.discount_share_365d, e.days_since_last_activity) == (1, 1.0, 47)


def test_subscription_status_is_as_known_at_the_cutoff(con, shop):
    frame = build_training_set(con, spec_for("churn")).frame.set_index(["entity_id", "cutoff"])
    assert frame.loc[("C", pd.Timestamp("2024-04-01")), "subscription_status"] == "active"
    assert frame.loc[("C", pd.Timestamp("2024-06-01")), "subscription_status"] == "canceled"
    assert frame.loc[("C", pd.Timestamp("2024-04-01")), "subscription_age_days"] == 60


def test_spend_label_is_money_paid_in_the_horizon(con, shop):
    ts = build_training_set(con, spec_for("spend"))
    assert ts.task == "regression"
    labels = {(r.entity_id, f"{r.cutoff:%Y-%m-%d}"): r.label for r in ts.frame.itertuples()}
    assert labels[("A", "2024-05-01")] == pytest.approx(20.0)
    assert labels[("B", "2024-05-01")] == 0.0
    assert labels[("C", "2024-05-01")] == pytest.approx(20.0)
    assert labels[("E", "2024-04-01")] == 0.0  # 05-01 00:00 is the end of [04-01, 05-01), so not inside it
    assert labels[("E", "2024-05-01")] == pytest.approx(20.0)  # ... but the start of [05-01, 05-31)
    assert ("F", "2024-05-01") not in labels  # failed payments are not spending


@pytest.fixture
def crm(add, shop):
    add(
        "contacts",
        {
            "contact_id": "L1",
            "email": "l1@x.com",
            "lifecycle_stage": "lead",
            "created_at": D("2024-01-05"),
            "valid_from": D("2024-01-05"),
            "valid_to": D("2024-04-20"),
        },
        {
            "contact_id": "L1",
            "email": "l1@x.com",
            "lifecycle_stage": "customer",
            "created_at": D("2024-01-05"),
            "valid_from": D("2024-04-20"),
            "became_customer_at": D("2024-04-20"),
        },
        {"contact_id": "L2", "email": "l2@x.com", "lifecycle_stage": "lead", "created_at": D("2024-02-01")},
        {
            "contact_id": "L3",
            "email": "x@x.com",
            "customer_id": "X",
            "lifecycle_stage": "subscriber",
            "created_at": D("2024-04-10"),
        },
        {"contact_id": "L4", "email": "l4@x.com", "lifecycle_stage": "opportunity", "created_at": D("2024-05-10")},
        {"contact_id": "L5", "email": "l5@x.com", "lifecycle_stage": "lead", "created_at": D("2024-06-05")},
    )
    add("payments", pay("x1", "X", "2024-05-10"))
    add(
        "deals",
        {
            "deal_id": "deal4",
            "contact_id": "L4",
            "amount": 500,
            "stage": "closedwon",
            "created_at": D("2024-05-12"),
            "closed_at": D("2024-06-15"),
            "is_closed": True,
            "won": True,
        },
    )
    add(
        "marketing_events",
        {"event_id": "m1", "email": "l2@x.com", "event_type": "open", "occurred_at": D("2024-04-20")},
    )


CONVERSION_LABELS = {
    ("L1", "2024-04-01"): 1,  # became a customer 04-20; a customer from then on, so not open at 05-01
    ("L2", "2024-04-01"): 0,
    ("L2", "2024-05-01"): 0,
    ("L2", "2024-06-01"): 0,
    ("L3", "2024-05-01"): 1,  # first payment 05-10; paying from then on
    ("L4", "2024-06-01"): 1,  # deal won 06-15
}


def test_conversion_population_and_label(con, crm):
    ts = build_training_set(con, spec_for("conversion"))
    assert _labels(ts) == CONVERSION_LABELS
    frame = ts.frame.set_index(["entity_id", "cutoff"])
    assert frame.loc[("L2", pd.Timestamp("2024-05-01")), "email_opens_30d"] == 1
    assert frame.loc[("L1", pd.Timestamp("2024-04-01")), "lifecycle_stage"] == "lead"
    assert frame.loc[("L4", pd.Timestamp("2024-06-01")), "open_deal_amount"] == 500


def test_scoring_frame_is_the_population_after_the_last_data_day(con, shop):
    spec = spec_for("churn")
    frame = build_scoring_frame(con, spec)
    assert set(frame["cutoff"]) == {pd.Timestamp("2024-07-11")}
    assert set(frame["entity_id"]) == {"A", "C", "D", "E"}  # active in the 90 days before 07-11 (B last paid 04-10)
    assert "label" not in frame.columns
    training = build_training_set(con, spec)
    assert list(frame.columns) == ["entity_id", "cutoff", *training.features]


def test_forecast_recipe_has_no_training_set_and_points_to_soloml_forecast(con, shop):
    with pytest.raises(FeatureError, match="no training set.*soloml forecast test_forecast"):
        build_training_set(con, spec_for("forecast", done=DoneThreshold(metric="wape", value=0.1)))


def test_too_little_history_is_explained(con, add):
    add("payments", pay("p1", "A", "2024-05-01"), pay("p2", "A", "2024-05-20"))
    with pytest.raises(FeatureError, match="fully observed 60-day label window"):
        build_training_set(con, spec_for("churn", horizon=60))


def test_a_snapshot_stage_known_only_later_does_not_leak_into_conversion(con, add, shop):
    # one version only (a CRM export taken today): stage 'customer', converted on 05-15
    add(
        "contacts",
        {
            "contact_id": "S1",
            "email": "s1@x.com",
            "lifecycle_stage": "customer",
            "created_at": D("2024-02-01"),
            "became_customer_at": D("2024-05-15"),
        },
    )
    labels = _labels(build_training_set(con, spec_for("conversion")))
    assert labels == {("S1", "2024-04-01"): 0, ("S1", "2024-05-01"): 1}
    frame = build_training_set(con, spec_for("conversion")).frame
    assert frame["lifecycle_stage"].isna().all()


@pytest.mark.parametrize("recipe", ["churn", "conversion", "spend"])
def test_scoring_at_a_cutoff_gives_the_training_rows_features(con, crm, recipe):
    spec = spec_for(recipe)
    training = build_training_set(con, spec, use_cache=False)
    at = (
        training.frame[training.frame["cutoff"] == pd.Timestamp("2024-05-01")]
        .drop(columns="label")
        .reset_index(drop=True)
    )
    scoring = build_scoring_frame(con, spec, as_of=D("2024-05-01"))
    pd.testing.assert_frame_equal(scoring, at, check_categorical=False)


def test_todays_rule_over_an_unknown_feature_is_named(con, shop):
    spec = spec_for("churn", today_rule=TodayRule(description="no order", expression="days_since_order >= 60"))
    with pytest.raises(ConfigError, match=r"key 'today_rule.expression' \('days_since_order >= 60'\) does not run"):
        build_training_set(con, spec)
    ok = spec_for(
        "churn", today_rule=TodayRule(description="no order", expression="coalesce(days_since_last_order, 365) >= 60")
    )
    assert len(build_training_set(con, ok).frame) == 13


def test_churn_leaves_out_customers_who_had_already_left(con, add, shop):
    add(
        "customers",
        {"customer_id": "G", "email": "g@x.com", "created_at": D("2023-12-01")},
        {"customer_id": "H", "email": "h@x.com", "created_at": D("2023-12-01")},
    )
    # G paid until February, canceled on March 1st and bought nothing since: gone before April.
    add("payments", *[pay(f"g{m}", "G", f"2024-{m:02d}-25") for m in (1, 2)])
    add(
        "subscriptions",
        {
            "subscription_id": "s-G",
            "customer_id": "G",
            "plan": "monthly",
            "status": "canceled",
            "started_at": D("2024-01-01"),
            "canceled_at": D("2024-03-01"),
            "ended_at": D("2024-03-01"),
            "mrr": 20,
        },
    )
    # H pays once a year and the plan keeps running: not churned in a month without a payment.
    add("payments", pay("h1", "H", "2024-01-10"))
    add(
        "subscriptions",
        {
            "subscription_id": "s-H",
            "customer_id": "H",
            "plan": "yearly",
            "status": "active",
            "started_at": D("2024-01-10"),
            "mrr": 15,
        },
    )
    labels = _labels(build_training_set(con, spec_for("churn")))
    assert not [key for key in labels if key[0] == "G"]
    assert {k: v for k, v in labels.items() if k[0] == "H"} == {
        ("H", "2024-04-01"): 0,
        ("H", "2024-05-01"): 0,
        ("H", "2024-06-01"): 0,
    }

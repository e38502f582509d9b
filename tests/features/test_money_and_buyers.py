"""Revenue in the business's own currency, net of refunds and lost chargebacks, and "has bought" from every kind of
purchase (issue 11, items 3, 4 and 7). Hand-made core rows; data ends 2024-07-10, cutoffs 04-01, 05-01, 06-01."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from soloml.features import build_training_set
from soloml.projects.spec import BusinessValue, Cutoffs, DoneThreshold, Label, ProjectSpec

from .feature_rows import order, pay

D = datetime.fromisoformat


def spec_for(recipe: str) -> ProjectSpec:
    return ProjectSpec(
        name=f"money_{recipe}",
        question="q",
        decision="d",
        stakeholder="s",
        owner="o",
        recipe=recipe,
        entity="contact" if recipe == "conversion" else "customer",
        label=Label(definition="x", horizon_days=30),
        cutoffs=Cutoffs(lookback_months=3),
        business=BusinessValue(value_per_success=100, capacity=10),
        done=DoneThreshold(value=0.3),
    )


@pytest.fixture
def world(add):
    # A was first seen as a CRM lead in 2023, and first paid on 2024-02-01 (a charge in EUR, settled in USD)
    add(
        "customers",
        {"customer_id": "A", "email": "a@x.com", "created_at": D("2023-01-01")},
        {"customer_id": "B", "email": "b@x.com", "created_at": D("2024-01-01")},
    )
    add(
        "payments",
        {
            **pay("a1", "A", "2024-02-01", 100.0),
            "currency": "EUR",
            "amount_settled": 108.5,
            "settlement_currency": "USD",
        },
        pay("a2", "A", "2024-04-10", 50.0)
        | {"status": "partially_refunded", "amount_refunded": 10.0, "net_settled": 40.0},
        pay("a3", "A", "2024-04-12", 30.0)
        | {"status": "charged_back", "dispute_status": "lost", "amount_disputed": 30.0, "net_settled": 0.0},
        pay("b9", "B", "2024-07-10"),
    )
    # B bought through the shop only; their CRM contact is no lead any more once the order is in
    add("orders", order("b-o1", "B", "2024-03-15", 25.0))
    add(
        "contacts",
        {
            "contact_id": "L-B",
            "email": "b@x.com",
            "customer_id": "B",
            "lifecycle_stage": "lead",
            "created_at": D("2024-01-01"),
        },
    )


def frame_of(con, recipe: str) -> pd.DataFrame:
    return build_training_set(con, spec_for(recipe)).frame.set_index(["entity_id", "cutoff"])


def test_revenue_features_count_what_the_business_received_in_its_own_currency(con, world):
    a = frame_of(con, "churn").loc[("A", pd.Timestamp("2024-04-01"))]
    assert a.revenue_90d == pytest.approx(108.5)  # 100 EUR charged, 108.50 USD settled


def test_spend_label_is_net_of_refunds_and_lost_chargebacks(con, world):
    labels = frame_of(con, "spend")["label"]
    assert labels[("A", pd.Timestamp("2024-04-01"))] == pytest.approx(
        40.0
    )  # 50 less 10 refunded; the chargeback kept nothing


def test_tenure_counts_from_the_first_purchase_not_from_the_first_sighting(con, world):
    a = frame_of(con, "churn").loc[("A", pd.Timestamp("2024-04-01"))]
    assert a.tenure_days == 60  # 2024-02-01 -> 04-01, not since the 2023 CRM record


def test_a_contact_who_bought_through_the_shop_is_no_conversion_candidate(con, world):
    frame = frame_of(con, "conversion")
    assert ("L-B", pd.Timestamp("2024-04-01")) not in frame.index  # their order of 03-15 made them a buyer

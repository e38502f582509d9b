"""The churn planted in Bluebird is learnable from the exports, but not perfectly.

Features are computed here straight from the export files (not through soloml's feature stage),
at monthly cutoffs, with the truth file's churn dates as the label: churned within 90 days.
"""

from __future__ import annotations

import pandas as pd
import pytest
from bluebird_helpers import normalise, owners, read
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

HORIZON = pd.Timedelta(days=90)
FEATURES = [
    "failed_60",
    "paid_90",
    "paid_trend",
    "orders_90",
    "order_trend",
    "discount_share",
    "opens_90",
    "open_rate_drop",
]


def _count(events: pd.DataFrame, cutoff: pd.Timestamp, days: int, upto_days: int = 0) -> pd.Series:
    window = events[
        (events["at"] < cutoff - pd.Timedelta(days=upto_days)) & (events["at"] >= cutoff - pd.Timedelta(days=days))
    ]
    return window.groupby("person").size()


@pytest.fixture(scope="module")
def snapshots(large) -> pd.DataFrame:
    return snapshot_features(large)


def snapshot_features(large) -> pd.DataFrame:
    """One row per (customer alive at a cutoff, cutoff): features from before the cutoff, label after it."""
    truth = read(large.truth)
    owner = owners(truth)
    by_stripe = dict(zip(truth["stripe_customer_id"], truth["person_id"], strict=True))

    pay = read(large.files["stripe_payments"])
    pay = pay[pay["Mode"] == "Live"].drop_duplicates()
    pay = pd.DataFrame(
        {
            "person": pay["Customer ID"].map(by_stripe),
            "at": pd.to_datetime(pay["Created (UTC)"]),
            "failed": pay["Status"] == "Failed",
        }
    )

    orders = read(large.files["shopify_orders"])
    orders = orders[(orders["Financial Status"] != "") & (orders["Email"] != "")].drop_duplicates("Name")
    orders = pd.DataFrame(
        {
            "person": orders["Email"].map(lambda e: owner.get(normalise(e))),
            "at": pd.to_datetime(orders["Created at"], format="%Y-%m-%d %H:%M:%S %z", utc=True).dt.tz_localize(None),
            "discount": orders["Discount Code"] != "",
        }
    )

    mail = read(large.files["mailchimp_activity"])
    mail = pd.DataFrame(
        {
            "person": mail["Email Address"].map(lambda e: owner.get(normalise(e))),
            "at": pd.to_datetime(mail["Timestamp"]),
            "action": mail["Action"],
        }
    )
    opens, sent = mail[mail["action"] == "open"], mail[mail["action"] == "sent"]

    joined = pd.to_datetime(truth.set_index("person_id")["joined_at"])
    churned = pd.to_datetime(truth.set_index("person_id")["churned_at"].replace("", None))
    end = pd.Timestamp(large.end_date)
    rows = []
    for months_back in range(4, 19):
        cutoff = end - pd.DateOffset(months=months_back)
        alive = joined.index[(joined < cutoff) & (churned.isna() | (churned > cutoff))]
        f = pd.DataFrame(index=alive)
        f["label"] = (churned.reindex(alive) <= cutoff + HORIZON).fillna(False).astype(int)
        f["months_back"] = months_back
        f["failed_60"] = _count(pay[pay["failed"]], cutoff, 60)
        f["paid_90"] = _count(pay[~pay["failed"]], cutoff, 90)
        f["paid_trend"] = f["paid_90"].fillna(0) - _count(pay[~pay["failed"]], cutoff, 180, 90).reindex(alive).fillna(0)
        f["orders_90"] = _count(orders, cutoff, 90)
        f["order_trend"] = f["orders_90"].fillna(0) - _count(orders, cutoff, 180, 90).reindex(alive).fillna(0)
        f["discount_share"] = orders[orders["at"] < cutoff].groupby("person")["discount"].mean()
        f["opens_90"] = _count(opens, cutoff, 90)
        rate_recent = f["opens_90"].fillna(0) / _count(sent, cutoff, 90).reindex(alive).clip(lower=1)
        rate_before = _count(opens, cutoff, 400, 90).reindex(alive).fillna(0) / _count(sent, cutoff, 400, 90).reindex(
            alive
        ).clip(lower=1)
        f["open_rate_drop"] = rate_before - rate_recent
        rows.append(f)
    frame = pd.concat(rows)
    counts = ["failed_60", "paid_90", "orders_90", "opens_90"]
    frame[counts] = frame[counts].fillna(0)
    return frame


def test_churners_had_more_failed_payments_fewer_orders_and_fewer_opens(snapshots):
    means = snapshots.groupby("label")[["failed_60", "orders_90", "opens_90", "discount_share"]].mean()
    assert means.loc[1, "failed_60"] > 2 * means.loc[0, "failed_60"]
    assert means.loc[1, "orders_90"] < 0.85 * means.loc[0, "orders_90"]
    assert means.loc[1, "opens_90"] < 0.75 * means.loc[0, "opens_90"]
    assert means.loc[1, "discount_share"] > 1.2 * means.loc[0, "discount_share"]


def test_two_failed_payments_in_sixty_days_at_least_double_the_churn_rate(snapshots):
    risky = snapshots["failed_60"] >= 2
    assert risky.sum() > 30
    assert snapshots.loc[risky, "label"].mean() > 2 * snapshots.loc[~risky, "label"].mean()


def test_churn_is_learnable_but_not_trivially(snapshots):
    """A plain logistic score on 60-90 day features, trained on older cutoffs, ranks later ones in a realistic band."""
    data = snapshots.fillna({"discount_share": -1, "open_rate_drop": 0})
    train, test = data[data["months_back"] >= 9], data[data["months_back"] < 9]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(train[FEATURES], train["label"])
    auc = roc_auc_score(test["label"], model.predict_proba(test[FEATURES])[:, 1])
    assert 0.68 <= auc <= 0.9, auc


def test_base_rate_is_a_realistic_churn_rate(snapshots):
    rate = snapshots["label"].mean()
    assert 0.04 <= rate <= 0.2, rate

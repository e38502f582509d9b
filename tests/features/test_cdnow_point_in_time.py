"""Point-in-time check on a real transaction log (CDNOW, date-only): at one cutoff, the population,
the features and the label built by hand with pandas equal soloml's, customer for customer.

The cutoff 1998-01-01 with a 90-day horizon puts real purchases on both window edges: 6 dated
1998-01-01 (in the label window, not in the features) and 4 dated 1998-04-01 (= cutoff + 90 days:
after the label window).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from soloml.features import build_training_set
from soloml.projects.spec import ProjectSpec

from .cdnow import load_cdnow

CUTOFF = pd.Timestamp("1998-01-01")
HORIZON = pd.Timedelta(days=90)
DAY = pd.Timedelta(days=1)


def spec(recipe: str, population: object) -> ProjectSpec:
    return ProjectSpec.model_validate(
        {
            "name": f"cdnow_{recipe}",
            "question": "q",
            "decision": "d",
            "stakeholder": "s",
            "owner": "o",
            "recipe": recipe,
            "label": {"definition": "x", "horizon_days": 90},
            "population": population,
            "business": {"value_per_success": 20, "capacity": 100},
            "done": {"value": 0.3},
        }
    )


def by_hand(log: pd.DataFrame, active_within_days: int | None) -> pd.DataFrame:
    """Population, order features and labels at CUTOFF, from the raw log with pandas only."""
    before = log[log["at"] < CUTOFF]
    year = before[before["at"] >= CUTOFF - 365 * DAY]
    window = log[(log["at"] >= CUTOFF) & (log["at"] < CUTOFF + HORIZON)]
    recent = before if active_within_days is None else before[before["at"] >= CUTOFF - active_within_days * DAY]
    out = pd.DataFrame(index=pd.Index(sorted(recent["customer"].unique()), name="customer"))
    for w in (30, 90, 180, 365):
        inside = year[year["at"] >= CUTOFF - w * DAY].groupby("customer")["dollars"]
        out[f"orders_{w}d"] = inside.size().reindex(out.index, fill_value=0)
        out[f"order_value_{w}d"] = inside.sum().reindex(out.index, fill_value=0.0)
    last = year.groupby("customer")["at"].max().reindex(out.index)
    out["days_since_last_order"] = (CUTOFF - last).dt.days
    out["days_since_last_activity"] = out["days_since_last_order"]  # no payments in this log
    for w in (30, 90):
        prior = year[(year["at"] < CUTOFF - w * DAY) & (year["at"] >= CUTOFF - 2 * w * DAY)].groupby("customer").size()
        out[f"orders_trend_{w}d"] = out[f"orders_{w}d"] - prior.reindex(out.index, fill_value=0)
    dates = year.groupby("customer")["at"]
    n = dates.size().reindex(out.index)
    span = (dates.max() - dates.min()).dt.days.reindex(out.index)
    out["order_gap_mean_days"] = (span / (n - 1)).where(n > 1)
    second = dates.apply(lambda s: s.sort_values().iloc[-2] if len(s) > 1 else pd.NaT).reindex(out.index)
    out["order_gap_last_days"] = (last - second).dt.days.astype(float)
    first = before.groupby("customer")["at"].min().reindex(out.index)
    out["tenure_days"] = (CUTOFF - first).dt.days
    out["bought_again"] = window.groupby("customer").size().reindex(out.index, fill_value=0).gt(0).astype(int)
    out["spend"] = window.groupby("customer")["dollars"].sum().reindex(out.index, fill_value=0.0)
    return out


@pytest.fixture(scope="module")
def cdnow(tmp_path_factory):
    from soloml.workspace import init_workspace

    ws = init_workspace(tmp_path_factory.mktemp("cdnow") / "ws", name="CDNOW")
    log = load_cdnow(ws)
    with ws.connect() as con:
        crosswalk = dict(
            con.execute("SELECT customer_id, source_id FROM core.customer_identities WHERE source = 'cdnow'").fetchall()
        )
        yield ws, con, log, crosswalk


@pytest.mark.parametrize(
    ("recipe", "population", "days", "label"),
    [
        ("buy_again", {"active_within_days": 90}, 90, "bought_again"),
        ("spend", "all_customers", None, "spend"),
    ],
)
def test_population_features_and_labels_equal_a_hand_build_customer_for_customer(
    cdnow, recipe, population, days, label
):
    ws, con, log, crosswalk = cdnow
    assert ((log["at"] == CUTOFF).sum(), (log["at"] == CUTOFF + HORIZON).sum()) == (
        6,
        4,
    )  # both window edges are exercised
    expected = by_hand(log, days)
    ts = build_training_set(con, spec(recipe, population), use_cache=False)
    got = (
        ts.frame[ts.frame["cutoff"] == CUTOFF]
        .assign(customer=lambda f: f["entity_id"].map(crosswalk))
        .set_index("customer")
        .sort_index()
    )
    assert got.index.tolist() == expected.index.tolist()  # the population, customer for customer
    np.testing.assert_allclose(
        got["label"].to_numpy(dtype=float), expected[label].to_numpy(dtype=float), rtol=0, atol=1e-9
    )  # cents
    columns = [c for c in expected.columns if c not in ("bought_again", "spend")]
    pd.testing.assert_frame_equal(
        got[columns].astype(float), expected[columns].astype(float), check_names=False, rtol=1e-9
    )
    untouched = [
        f
        for f in ts.features
        if f.startswith(("payments_", "revenue_", "refunds_", "failed_", "email_", "open_deal", "deals_won"))
    ]
    assert (got[untouched] == 0).all().all()  # nothing in those tables: zero, not invented

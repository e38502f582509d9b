"""The buy_again recipe and the population setting every customer recipe reads.

Same hand-made shop as test_recipes.py: data ends 2024-07-10; horizon 30 days and 3 monthly
cutoffs give cutoffs 2024-04-01, 05-01, 06-01; label windows [cutoff, cutoff + 30 days).
"""

from __future__ import annotations

import pytest

from soloml.features import build_scoring_frame, build_training_set

from .test_recipes import _labels, shop, spec_for  # noqa: F401 - fixtures

BUY_AGAIN_LABELS = {
    ("A", "2024-04-01"): 1,
    ("A", "2024-05-01"): 1,
    ("A", "2024-06-01"): 1,  # pays on the 10th of every month
    ("B", "2024-04-01"): 1,
    ("B", "2024-05-01"): 0,
    ("B", "2024-06-01"): 0,  # last paid 04-10
    ("C", "2024-04-01"): 1,
    ("C", "2024-05-01"): 1,
    ("C", "2024-06-01"): 0,  # paid 04-01 12:00 and 05-20
    ("D", "2024-06-01"): 1,  # first bought 05-20: not a buyer before 05-01
    ("E", "2024-04-01"): 0,
    ("E", "2024-05-01"): 1,
    ("E", "2024-06-01"): 0,  # paid exactly at 05-01 00:00
}


def test_buy_again_labels_a_purchase_in_the_horizon_among_earlier_buyers(con, shop):  # noqa: F811
    ts = build_training_set(con, spec_for("buy_again"))
    assert ts.task == "binary"
    assert _labels(ts) == BUY_AGAIN_LABELS  # F only failed payments: never a buyer


def test_buy_again_scores_with_the_same_features_as_churn(con, shop):  # noqa: F811
    again = build_training_set(con, spec_for("buy_again"))
    churn = build_training_set(con, spec_for("churn"))
    assert again.features == churn.features
    assert "days_since_last_activity" in again.features


@pytest.mark.parametrize(
    ("recipe", "population", "scored"),
    [
        ("churn", None, {"A", "C", "D", "E"}),  # default: bought in the 90 days before 07-11 (B last paid 04-10)
        ("churn", "all_customers", {"A", "B", "C", "D", "E"}),  # lapsed B is scored too
        ("churn", {"active_within_days": 30}, {"A", "D"}),  # bought in [06-11, 07-11)
        ("buy_again", None, {"A", "B", "C", "D", "E"}),  # default: bought in the 365 days before
        (
            "buy_again",
            {"active_within_days": 60},
            {"A", "C", "D"},
        ),  # bought in [05-12, 07-11): E last paid 05-01, B 04-10
        ("spend", {"active_within_days": 30}, {"A", "D"}),
    ],
)
def test_the_population_setting_decides_who_is_scored(con, shop, recipe, population, scored):  # noqa: F811
    frame = build_scoring_frame(con, spec_for(recipe, population=population))
    assert set(frame["entity_id"]) == scored


def test_all_customers_trains_on_lapsed_customers_too(con, shop):  # noqa: F811
    default = _labels(build_training_set(con, spec_for("churn")))
    everyone = _labels(build_training_set(con, spec_for("churn", population="all_customers")))
    assert set(everyone) - set(default) == set()  # by 04-01 everyone who ever bought had bought in the 90 days before
    lapsed = _labels(build_training_set(con, spec_for("churn", population={"active_within_days": 30})))
    assert set(lapsed) < set(default)  # a narrower window scores fewer
    assert all(everyone[key] == label for key, label in lapsed.items())  # the label does not depend on who is scored

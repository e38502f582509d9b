"""The interview's pure translation: answers -> metric, done line and today's rule."""

from __future__ import annotations

import pytest

from soloml.errors import ConfigError
from soloml.projects import spec_from_answers
from soloml.projects.contract import break_even_precision, rule_expression

BASE = {"name": "churn", "recipe": "churn", "decision": "offer a free bag", "capacity": 100, "value_per_success": 180.0}


@pytest.mark.parametrize(
    ("answers", "done"),
    [
        ({"cost_per_action": 12, "success_rate": 0.25}, 0.2667),  # 12 / (180 x 0.25)
        ({"cost_per_action": 12}, 0.0667),  # success_rate defaults to 1
        ({"cost_per_action": 0}, 0.0),  # a free action pays whenever it is right
        (
            {"cost_per_action": 12, "success_rate": 0.25, "today_rule_precision": 0.3},
            0.33,
        ),  # 0.3 x 1.1 beats break-even
        ({"cost_per_action": 12, "success_rate": 0.25, "today_rule_precision": 0.2}, 0.2667),  # break-even is higher
        ({"cost_per_action": 12, "today_rule_precision": 0.3, "min_lift_over_rule": 0.5}, 0.45),
        ({"cost_per_action": 90, "success_rate": 0.5, "value_per_success": 200}, 0.9),
    ],
)
def test_done_line_is_the_larger_of_break_even_and_todays_rule_plus_lift(answers, done):
    contract = spec_from_answers({**BASE, **answers})
    assert contract.spec.metric == "precision_at_capacity"
    assert contract.spec.done.metric == "precision_at_capacity"
    assert contract.spec.done.value == pytest.approx(done, abs=1e-4)


def test_an_action_that_cannot_pay_is_refused_with_the_numbers():
    with pytest.raises(ConfigError, match=r"costs 50 USD but a success is worth at most 45 USD"):
        spec_from_answers({**BASE, "value_per_success": 90, "success_rate": 0.5, "cost_per_action": 50})


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("today we contact anyone with no order in 60 days", "coalesce(days_since_last_order, 365) >= 60"),
        ("No payment for the last 45 days", "coalesce(days_since_last_payment, 365) >= 45"),
        ("no purchases within 90 days", "coalesce(days_since_last_activity, 365) >= 90"),
        ("anyone with a failed payment", "failed_payments_90d"),
        ("gut feeling", None),
    ],
)
def test_todays_rule_in_words_becomes_sql_over_feature_names(text, expression):
    assert rule_expression(text, "churn") == expression


def test_unreadable_rule_falls_back_to_the_recipe_default_keeping_the_words():
    spec = spec_from_answers({**BASE, "today_rule": "gut feeling"}).spec
    assert spec.today_rule.description == "gut feeling"
    assert spec.today_rule.expression == "coalesce(days_since_last_activity, 365)"


def test_spend_needs_an_acceptable_error_and_uses_it_as_the_done_line():
    with pytest.raises(ConfigError, match="'acceptable_error' is required for the spend recipe"):
        spec_from_answers({**BASE, "recipe": "spend"})
    spec = spec_from_answers({**BASE, "recipe": "spend", "acceptable_error": 25}).spec
    assert (spec.metric, spec.done.metric, spec.done.value) == ("mae", "mae", 25)


def test_answers_errors_name_the_key():
    with pytest.raises(ConfigError, match=r"key 'capacity'.*greater than or equal to 1 \(got 0\)"):
        spec_from_answers({**BASE, "capacity": 0})
    with pytest.raises(
        ConfigError,
        match=r"key 'recipe'.*'churn', 'conversion', 'spend', 'forecast', 'table' or 'buy_again' \(got 'chrun'\)",
    ):
        spec_from_answers({**BASE, "recipe": "chrun"})


def test_contract_says_the_break_even_in_plain_words():
    contract = spec_from_answers(
        {
            **BASE,
            "cost_per_action": 12,
            "success_rate": 0.25,
            "cycle": "weekly",
            "today_rule": "no order in 60 days",
            "horizon_days": 60,
        }
    )
    text = "\n".join(contract.lines)
    assert "Each week we act on the 100 ranked highest: offer a free bag." in text
    assert "at least 26.7% of those we act on are right (12 / (180 x 0.25))" in text
    assert "Today's rule to beat: 'no order in 60 days'; the model must do at least 10% better" in text
    assert contract.spec.label.definition.endswith("within 60 days after the snapshot")
    assert break_even_precision(12, 180, 0.25) == pytest.approx(0.26667, abs=1e-5)


@pytest.mark.parametrize(
    ("answers", "population", "every", "months"),
    [
        ({}, None, "monthly", 18),  # unset: the recipe's default population and schedule
        ({"population": "all"}, "all_customers", "monthly", 18),
        ({"population": "all_customers", "cutoff_every": "weekly", "lookback_months": 6}, "all_customers", "weekly", 6),
        ({"population": 30}, {"active_within_days": 30}, "monthly", 18),
        ({"population": "45"}, {"active_within_days": 45}, "monthly", 18),  # typed at the prompt
        (
            {"population": {"active_within_days": 120}},
            {"active_within_days": 120},
            "monthly",
            18,
        ),  # the spec's own form
    ],
)
def test_population_and_cutoff_schedule_come_from_the_answers(answers, population, every, months):
    spec = spec_from_answers({**BASE, **answers}).spec
    assert (
        spec.population.model_dump() if spec.population else None,
        spec.cutoffs.every,
        spec.cutoffs.lookback_months,
    ) == (population, every, months)


def test_buy_again_answers_give_a_yes_no_spec_with_the_recency_rule():
    contract = spec_from_answers(
        {**BASE, "name": "again", "recipe": "buy_again", "population": "all", "horizon_days": 30}
    )
    spec = contract.spec
    assert (spec.recipe, spec.entity, spec.metric) == ("buy_again", "customer", "precision_at_capacity")
    assert spec.today_rule.expression == "365 - coalesce(days_since_last_activity, 365)"
    assert spec.label.definition == "a payment or order within 30 days after the snapshot"
    assert "Who is scored: customers who bought at any time before the cutoff (all customers)." in "\n".join(
        contract.lines
    )


def test_contract_says_who_is_scored_and_how_snapshots_are_taken():
    text = "\n".join(
        spec_from_answers({**BASE, "population": 30, "cutoff_every": "weekly", "lookback_months": 6}).lines
    )
    assert (
        "Who is scored: customers who bought in the 30 days before the cutoff, or with a running subscription, who had not "
        "already left. Trained on snapshots taken every week over the last 6 months."
    ) in text


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"population": "most"}, r"key 'population'.*'all_customers' or a mapping \{active_within_days: N\}"),
        ({"recipe": "conversion", "population": "all"}, r"population applies to the customer recipes"),
        ({"lookback_months": 0}, r"key 'lookback_months'.*greater than or equal to 1"),
    ],
)
def test_bad_population_or_schedule_answers_name_the_key(answers, message):
    with pytest.raises(ConfigError, match=message):
        spec_from_answers({**BASE, **answers})

"""Priority = expected value per cycle × confidence ÷ effort, from each project's own contract; one sentence says why."""

from __future__ import annotations

import pytest

from soloml.tracker.priorities import at_stake, priority_of, rank_priorities
from tracker.helpers import contract, event


def _events(name, *, verdict=None, ev=None, check=None, **terms):
    out = [event("project_agreed", 0, project=name, **contract(**terms))]
    if check:
        out.append(event(check, 1, project=name))
    if verdict:
        out.append(event("model_trained", 2, project=name, verdict=verdict, expected_value=ev))
    return out


@pytest.mark.parametrize(
    ("terms", "model_ev", "stake", "upper"),
    [
        (
            {"capacity": 100, "value_per_success": 300, "success_rate": 0.3, "cost_per_action": 5},
            None,
            100 * (0.3 * 300 - 5),
            True,
        ),
        ({"capacity": 20, "value_per_success": 50, "success_rate": 1.0, "cost_per_action": 0}, None, 1000.0, True),
        ({"capacity": 100, "value_per_success": 300, "success_rate": 0.3, "cost_per_action": 5}, 1140.0, 1140.0, False),
        ({"capacity": 100, "value_per_success": 10, "success_rate": 0.1, "cost_per_action": 5}, None, -400.0, True),
    ],
)
def test_at_stake_is_the_models_expected_value_or_the_contracts_upper_bound(terms, model_ev, stake, upper):
    model = None if model_ev is None else {"expected_value": model_ev}
    assert at_stake(contract(**terms), model) == (pytest.approx(stake), upper)


@pytest.mark.parametrize(
    ("verdict", "check", "confidence"),
    [
        ("DONE", "check_passed", 1.0),
        ("DONE", None, 0.7),
        ("KEEP_GOING", "check_passed", 0.6),
        ("NOT_WORTH_IT", None, 0.14),
        (None, None, 0.35),
        (None, "check_failed", 0.2),
    ],
)
def test_confidence_comes_from_readiness_and_the_verdict(verdict, check, confidence):
    p = priority_of("churn", _events("churn", verdict=verdict, ev=1000.0, check=check), effort_days=2)
    assert p.confidence == pytest.approx(confidence)


def test_the_sentence_names_the_rank_the_money_and_the_model():
    churn = priority_of("churn", _events("churn", verdict="DONE", ev=1000.0, check="check_passed"), effort_days=2)
    leads = priority_of("leads", _events("leads", verdict="KEEP_GOING", ev=5000.0, cycle="monthly"), effort_days=10)
    ranked = {p.project: p for p in rank_priorities([leads, churn])}
    assert ranked["churn"].rank == 1 and ranked["leads"].rank == 2
    assert (
        ranked["churn"].sentence == "churn first: about $1,000 a week at stake, model already done, 2 days of work left"
    )
    assert (
        ranked["leads"].sentence
        == "leads second: about $5,000 a month at stake, model not there yet, 10 days of work left"
    )
    # per week: 1000 × 1.0 ÷ 2 = 500 against 5000 × 7/30.44 × (0.7 × 0.6) ÷ 10 = 48
    assert ranked["churn"].score == pytest.approx(500.0)
    assert ranked["leads"].score == pytest.approx(5000 * 7 / (365.25 / 12) * 0.7 * 0.6 / 10)


@pytest.mark.parametrize(
    ("events", "effort", "parked", "sentence"),
    [
        ((), 3, False, "idea has no contract yet, so no value to rank it by"),
        (
            _events("idea"),
            None,
            False,
            "idea: up to $8,500 a week at stake, no model yet; type the days of work left in Effort to rank it",
        ),
        (_events("idea"), 3, True, "idea is parked"),
        (
            _events("idea", value_per_success=10, success_rate=0.1),
            2,
            False,
            "each cycle costs more than it brings back (up to $400 a week)",
        ),
    ],
)
def test_a_project_without_what_ranking_needs_says_what_is_missing(events, effort, parked, sentence):
    p = rank_priorities([priority_of("idea", events, effort_days=effort, parked=parked)])[0]
    assert sentence in p.sentence
    if effort is None or parked or not events:
        assert p.rank is None and p.score is None


def test_a_contract_without_a_value_per_success_is_not_ranked_and_does_not_crash_the_board():
    """A forecast project's contract has no money per action: the board says so instead of failing."""
    p = priority_of("revenue", _events("revenue", value_per_success=None), effort_days=2)
    assert (p.at_stake, p.score) == (None, None)
    assert p.sentence == "revenue has no value per success in its contract, so it is not ranked by money at stake"

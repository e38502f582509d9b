"""Stages and status colours are pure functions of a project's events (tables of events -> expected)."""

from __future__ import annotations

from datetime import date

import pytest

from soloml.tracker.stages import Situation, next_step, stage_of, status_of
from tracker.helpers import contract, event

AGREED = event("project_agreed", 0, **contract())
CHECKED = event("check_passed", 1)
TRAINED = event("model_trained", 2, subject="v0001", verdict="DONE", spec_hash="h1")
PROMOTED = event("model_promoted", 3, subject="v0001")
SCORED = event("scoring_run", 3, rows=100)
STARTED = event("experiment_started", 4, subject="offer", units=200)
SHIPPED = event("experiment_decided", 20, subject="offer", shipped=True, decision="ship offer")
NO_GAIN = event("experiment_decided", 20, subject="offer", shipped=False, decision="no detectable effect: keep control")


@pytest.mark.parametrize(
    ("events", "stage"),
    [
        ((), "idea"),
        ((AGREED,), "agreed"),
        ((AGREED, event("check_failed", 1)), "agreed"),
        ((AGREED, CHECKED), "data ready"),
        ((AGREED, TRAINED), "trained"),
        ((AGREED, CHECKED, TRAINED, event("check_failed", 5)), "trained"),
        ((AGREED, TRAINED, PROMOTED), "deployed"),
        ((AGREED, TRAINED, SCORED), "deployed"),
        ((AGREED, TRAINED, PROMOTED, event("model_rolled_back", 5)), "deployed"),
        ((AGREED, TRAINED, PROMOTED, STARTED), "proving"),
        ((AGREED, TRAINED, PROMOTED, STARTED, SHIPPED), "proven"),
        ((AGREED, TRAINED, PROMOTED, STARTED, NO_GAIN), "deployed"),
        ((AGREED, TRAINED, STARTED, NO_GAIN, event("experiment_started", 21, subject="offer-2")), "proving"),
        ((AGREED, TRAINED, PROMOTED, STARTED, SHIPPED, event("model_trained", 30, verdict="KEEP_GOING")), "proven"),
        ((SHIPPED, STARTED, PROMOTED, TRAINED, AGREED), "proven"),  # order of arrival does not matter, only dates
        ((AGREED, event("monitoring_alert", 2, alerts=["x"]), event("data_loaded", 3)), "agreed"),
    ],
)
def test_stage_follows_the_projects_events(events, stage):
    assert stage_of(events) == stage


TODAY = date(2026, 11, 20)


def _status(*events, due=None, today=TODAY):
    situation = Situation(tuple(sorted(events, key=lambda e: e.at)), stage_of(events), due, today, "Dana")
    return situation, status_of(situation)


@pytest.mark.parametrize(
    ("events", "due", "colour", "reason"),
    [
        ((), None, "amber", "No agreed contract yet"),
        ((AGREED,), None, "green", "Contract agreed on 2026-11-01"),
        (
            (AGREED, event("contract_invalid", 1, error="key 'capacity': field required.")),
            None,
            "red",
            "The contract file does not read",
        ),
        ((AGREED, TRAINED), None, "green", "Model v0001 is done and ready to put live"),
        (
            (
                AGREED,
                event(
                    "model_trained",
                    2,
                    subject="v0001",
                    verdict="KEEP_GOING",
                    best_baseline="today_rule",
                    done_metric="precision_at_capacity",
                    done_metric_value=0.3,
                    done_value=0.35,
                ),
            ),
            None,
            "amber",
            "beats today's rule but not the done line yet (30.0%, needs 35.0%)",
        ),
        (
            (AGREED, event("model_trained", 2, verdict="NOT_WORTH_IT", best_baseline="prior")),
            None,
            "red",
            "not better than doing nothing",
        ),
        (
            (AGREED, TRAINED, SCORED, event("scoring_failed", 5)),
            None,
            "red",
            "The last scoring run failed on 2026-11-06",
        ),
        (
            (AGREED, TRAINED, event("scoring_failed", 5), event("scoring_run", 6)),
            None,
            "green",
            "is live; last scored 2026-11-07",
        ),
        (
            (
                AGREED,
                TRAINED,
                SCORED,
                event("monitoring_alert", 6, alerts=["the input 'tenure' looks different from the training data"]),
            ),
            None,
            "red",
            "Monitoring on 2026-11-07: the input 'tenure' looks different",
        ),
        (
            (AGREED, TRAINED, SCORED, event("monitoring_alert", 6, alerts=["x"]), event("monitoring_clear", 7)),
            None,
            "green",
            "is live",
        ),
        (
            (AGREED, TRAINED, PROMOTED, STARTED, NO_GAIN),
            None,
            "red",
            "The experiment found no gain to ship: no detectable effect",
        ),
        ((AGREED, TRAINED, PROMOTED, STARTED), None, "green", "Experiment offer running since 2026-11-05"),
        ((AGREED, TRAINED, PROMOTED, STARTED, SHIPPED), None, "green", "Proven by experiment offer"),
        ((AGREED,), date(2026, 11, 10), "red", "Due 2026-11-10, 10 days ago, still at stage agreed"),
        ((AGREED,), date(2026, 11, 24), "amber", "Due 2026-11-24, in 4 days, still at stage agreed"),
        ((AGREED, TRAINED, PROMOTED), date(2026, 11, 24), "green", "is live"),
        ((AGREED, TRAINED, PROMOTED, STARTED, SHIPPED), date(2026, 11, 1), "green", "Proven"),
        (
            (event("project_agreed", 0, **contract(spec_hash="h2")), TRAINED),
            None,
            "amber",
            "The contract changed after the latest model",
        ),
        (
            (AGREED, TRAINED, event("training_failed", 4, error="boom")),
            None,
            "amber",
            "The last training run failed on 2026-11-05",
        ),
    ],
)
def test_status_colour_and_reason_follow_the_events(events, due, colour, reason):
    _, status = _status(*events, due=due)
    assert status.colour == colour
    assert reason in status.reason


def test_nothing_for_four_weeks_turns_a_project_amber():
    _, status = _status(AGREED, today=date(2026, 12, 15))
    assert (status.colour, status.reason) == ("amber", "Nothing has happened since 2026-11-01")


def test_the_worst_colour_wins_and_the_fix_becomes_the_next_step():
    situation, status = _status(
        AGREED, event("model_trained", 2, verdict="KEEP_GOING"), event("scoring_failed", 3), due=date(2026, 11, 22)
    )
    assert status.colour == "red" and "scoring run failed" in status.reason
    assert next_step(situation, status) == "Fix the scoring run and score again"


@pytest.mark.parametrize(
    ("events", "step"),
    [
        ((), "Agree the question, the decision and the done line with Dana"),
        ((AGREED,), "Train a first model against today's rule"),
        ((AGREED, TRAINED), "Put the model live and score on a schedule"),
        ((AGREED, TRAINED, PROMOTED), "Start an experiment to prove the impact"),
        (
            (AGREED, TRAINED, PROMOTED, event("experiment_planned", 4, subject="offer", end="2026-12-20"), STARTED),
            "Let the experiment run until 2026-12-20, then decide",
        ),
        ((AGREED, TRAINED, PROMOTED, STARTED, SHIPPED), "Keep monitoring and tell Dana the result"),
    ],
)
def test_next_step_follows_the_stage(events, step):
    situation, status = _status(*events)
    assert next_step(situation, status) == step

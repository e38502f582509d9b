"""The done verdict as a table: inputs -> decision, with the numbers behind it."""

from __future__ import annotations

import pytest

from soloml.errors import ModelError
from soloml.modeling import decide

CASES = [
    # title, metric, model, baselines, done line, min lift, CI (model - best baseline), expected
    (
        "meets the line and beats the rule clearly",
        "precision_at_capacity",
        0.42,
        {"prior": 0.10, "today_rule": 0.20},
        0.35,
        0.1,
        (0.12, 0.32),
        "DONE",
    ),
    (
        "beats baselines but short of the line",
        "precision_at_capacity",
        0.30,
        {"prior": 0.10, "today_rule": 0.20},
        0.35,
        0.0,
        (0.03, 0.17),
        "KEEP_GOING",
    ),
    (
        "meets the line but not the required lift over the rule",
        "precision_at_capacity",
        0.40,
        {"prior": 0.10, "today_rule": 0.38},
        0.35,
        0.2,
        (0.001, 0.05),
        "KEEP_GOING",
    ),
    (
        "interval includes zero: could be chance",
        "precision_at_capacity",
        0.41,
        {"prior": 0.10, "today_rule": 0.39},
        0.35,
        0.0,
        (-0.03, 0.07),
        "NOT_WORTH_IT",
    ),
    (
        "worse than today's rule",
        "roc_auc",
        0.60,
        {"prior": 0.5, "today_rule": 0.66},
        0.7,
        0.0,
        (-0.10, -0.02),
        "NOT_WORTH_IT",
    ),
    ("no interval: fixed margin met", "roc_auc", 0.80, {"prior": 0.5}, 0.75, 0.0, None, "DONE"),
    ("no interval: within the fixed margin", "roc_auc", 0.503, {"prior": 0.5}, 0.75, 0.0, None, "NOT_WORTH_IT"),
    (
        "lower is better: rmse beats the mean and meets the line",
        "rmse",
        8.0,
        {"prior": 12.0},
        9.0,
        0.0,
        (-5.0, -3.0),
        "DONE",
    ),
    ("lower is better: rmse not below the line", "rmse", 10.0, {"prior": 12.0}, 9.0, 0.0, (-3.0, -1.0), "KEEP_GOING"),
    ("lower is better: interval crosses zero", "rmse", 11.8, {"prior": 12.0}, 9.0, 0.0, (-0.6, 0.2), "NOT_WORTH_IT"),
    (
        "a baseline that cannot be computed is ignored",
        "roc_auc",
        0.9,
        {"prior": 0.5, "today_rule": None},
        0.8,
        0.0,
        (0.3, 0.5),
        "DONE",
    ),
]


@pytest.mark.parametrize(
    ("title", "metric", "model", "baselines", "line", "lift", "ci", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_verdict_table(title, metric, model, baselines, line, lift, ci, expected):
    verdict = decide(
        metric=metric,
        model=model,
        baselines=baselines,
        done_value=line,
        min_lift_over_rule=lift,
        difference_ci=ci,
        suggestions=("load email data",),
    )
    assert verdict.decision == expected
    assert verdict.metric == metric and verdict.model_value == model and verdict.done_value == line
    assert any(
        str(round(model, 3))[:4] in reason or f"{model:.1%}" in reason for reason in verdict.reasons
    )  # the numbers behind it


def test_keep_going_says_what_to_try_next():
    verdict = decide(
        metric="roc_auc",
        model=0.7,
        baselines={"prior": 0.5},
        done_value=0.8,
        difference_ci=(0.1, 0.3),
        suggestions=("Data gap: no email data.",),
    )
    assert verdict.next_steps == ("Data gap: no email data.",)
    assert "0.800" in verdict.headline


def test_not_worth_it_names_the_baseline_and_the_interval():
    verdict = decide(
        metric="roc_auc",
        model=0.61,
        baselines={"prior": 0.5, "today_rule": 0.60},
        done_value=0.7,
        difference_ci=(-0.02, 0.04),
    )
    assert verdict.best_baseline == "today_rule"
    assert "today's rule" in verdict.headline and "-0.020" in verdict.headline and "+0.040" in verdict.headline


def test_lift_over_rule_is_relative_to_the_rule():
    verdict = decide(
        metric="precision_at_capacity",
        model=0.3,
        baselines={"prior": 0.1, "today_rule": 0.2},
        done_value=0.25,
        difference_ci=(0.05, 0.15),
    )
    assert verdict.lift_over_rule == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("metric", "model", "baselines"),
    [("roc_auc", float("nan"), {"prior": 0.5}), ("roc_auc", 0.7, {"prior": None}), ("f1", 0.7, {"prior": 0.5})],
)
def test_verdict_refuses_what_it_cannot_judge(metric, model, baselines):
    with pytest.raises(ModelError):
        decide(metric=metric, model=model, baselines=baselines, done_value=0.5)

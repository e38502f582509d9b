"""Each verdict, alert and missing piece reads as plain words (table-driven over the saved facts a model can have)."""

from __future__ import annotations

import pytest
from report_helpers import visible_text

from soloml.reports.operations import monitoring_section, plain_names
from soloml.reports.project_report import write_report
from soloml.reports.sections import drivers_section, verdict_section
from soloml.reports.wording import wording_problems
from soloml.tracker.event_log import Event
from tracker.helpers import spec


def _meta(code: str, model: float, best: str, best_value: float, ci: list[float] | None) -> dict:
    return {
        "verdict": code,
        "verdict_detail": {
            "metric": "precision_at_capacity",
            "model_value": model,
            "done_value": 0.35,
            "best_baseline": best,
            "best_baseline_value": best_value,
            "difference_ci": ci,
        },
    }


@pytest.mark.parametrize(
    ("meta", "words", "says"),
    [
        (
            _meta("DONE", 0.412, "today_rule", 0.25, [0.081, 0.243]),
            "done",
            "between +8.1 points and +24.3 points (95% interval)",
        ),
        (_meta("KEEP_GOING", 0.3, "today_rule", 0.25, [0.01, 0.09]), "not there yet", "Not ready to rely on yet"),
        (
            _meta("NOT_WORTH_IT", 0.094, "prior", 0.094, [-0.0004, 0.0003]),
            "not better than today's way",
            "no edge over picking at random",
        ),
        (
            _meta("NOT_WORTH_IT", 0.2, "today_rule", 0.21, None),
            "not better than today's way",
            "keep deciding the way you do today",
        ),
    ],
)
def test_every_verdict_is_told_in_words_with_its_numbers(meta, words, says):
    v = verdict_section(spec(), meta, None)
    text = " ".join(v["lines"])
    assert v["words"] == words and says in text
    assert "%" in text and "KEEP_GOING" not in text and "precision_at_capacity" not in text
    assert [p.words() for p in wording_problems(text)] == []


@pytest.mark.parametrize(
    ("alert", "plain"),
    [
        (
            "the input 'days_since_order' looks different from the training data",
            "the input 'days since the last order' looks different",
        ),
        (
            "the source raw.stripe_payments was last loaded 9 days ago (the limit is 3 days)",
            "the source stripe payments was last loaded",
        ),
        ("the input 'mrr_now' looks different from the training data", "the input 'mrr now' looks different"),
        ("stripe_payments.csv was not loaded this week", "stripe_payments.csv was not loaded"),
    ],
)
def test_monitoring_alerts_name_inputs_by_their_description(alert, plain):
    assert plain in plain_names(alert, {"days_since_order": "days since the last order"})


def test_the_monitoring_section_lists_each_alert_of_the_latest_run(tmp_path):
    from datetime import datetime

    events = [
        Event("monitoring_clear", datetime(2026, 11, 2), "churn", "r1", {"checks": 5, "alerts": []}),
        Event(
            "monitoring_alert",
            datetime(2026, 11, 9),
            "churn",
            "r2",
            {"checks": 6, "alerts": ["the input 'days_since_order' looks different from the training data"]},
        ),
    ]
    m = monitoring_section(
        events, {"importance": [{"name": "days_since_order", "description": "days since the last order"}]}
    )
    assert m["lines"] == [
        "Last checked on 2026-11-09 (6 checks): 1 alert.",
        "Alert: The input 'days since the last order' looks different from the training data.",
    ]


def test_drivers_are_ranked_by_the_share_they_show():
    meta = {
        "importance": [
            {"description": "a", "gain_share": 0.1},
            {"description": "b", "gain_share": 0.5},
            {"description": "c", "gain_share": 0.0},
        ]
    }
    d = drivers_section(meta, None)
    assert [f["description"] for f in d["features"]] == ["b", "a"]
    assert d["lines"] == ["B: 50% of what the model leans on.", "A: 10% of what the model leans on."]


def test_the_report_of_a_project_with_no_model_follows_the_wording_rules(ws, tmp_path):
    from soloml.projects.spec import save_spec

    save_spec(spec(), ws.projects_dir)
    written = write_report(ws, "churn", out_dir=tmp_path)
    for text in (visible_text(written.html.read_text(encoding="utf-8")), written.markdown.read_text(encoding="utf-8")):
        assert "Not trained yet" in text and "Not deployed yet" in text
        assert [p.words() for p in wording_problems(text)] == []


def test_a_regression_model_is_set_against_guessing_the_average():
    meta = {
        "task": "regression",
        "verdict": "DONE",
        "metric": "mae",
        "metrics": {"mae": 12.5},
        "baseline_metrics": {"prior": {"mae": 20.0}},
        "verdict_detail": {
            "metric": "mae",
            "model_value": 12.5,
            "done_value": 15.0,
            "best_baseline": "prior",
            "best_baseline_value": 20.0,
        },
    }
    v = verdict_section(spec(), meta, None)
    assert "always guessing the average (no model), reaches 20.000" in v["lines"][0]
    assert [p.words() for p in wording_problems(" ".join(v["lines"]))] == []


def test_a_saved_model_whose_description_cannot_be_read_is_said_so_not_called_untrained():
    from soloml.reports.sections import model_section

    m = model_section(spec(), {}, "v0003", None)
    assert m["trained"] is False and m["version"] == "v0003"
    assert m["lines"][0].startswith("Model v0003 is saved but its description cannot be read")

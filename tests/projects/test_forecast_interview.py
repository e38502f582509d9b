"""The interview for a forecast: what, by what, how often and how far ahead you plan, what a miss costs -> the forecast: block."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.errors import ConfigError
from soloml.projects import load_spec, spec_from_answers

runner = CliRunner()
BASE = {"name": "revenue", "recipe": "forecast", "decision": "plan purchases"}


def test_prompts_ask_the_forecast_questions_and_skip_the_ranked_list_ones(ws):
    typed = (
        "\n".join(
            ["forecast", "revenue", "channel, product", "week", "", "0.1", "5000", "plan stock", "CEO", "Dana", "", "y"]
        )
        + "\n"
    )
    result = runner.invoke(app, ["interview", "revenue", "--workspace", str(ws.root)], input=typed)
    assert result.exit_code == 0, result.output
    assert "What do you want to forecast" in result.output and "How often do you plan" in result.output
    assert "How many can you act on" not in result.output and "How do you decide today" not in result.output
    spec = load_spec(ws.projects_dir / "revenue.yaml")
    f = spec.forecast
    assert (f.series, f.by, f.frequency, f.horizon, f.miss_tolerance, f.miss_cost) == (
        "revenue",
        ["channel", "product"],
        "week",
        13,
        0.1,
        5000,
    )
    assert (spec.done.metric, spec.done.value) == ("miss_cost", 1000.0)  # 5000 x the 20% of weeks that may miss
    assert "A week off by more than 10% costs $5,000" in " ".join(result.output.split())


@pytest.mark.parametrize(
    ("answers", "metric", "value", "frequency", "horizon"),
    [
        ({"forecast_what": "orders", "plan_every": "month", "miss_tolerance": 0.15}, "wape", 0.15, "month", 3),
        ({"forecast_what": "units", "plan_ahead": 6, "acceptable_error": 0.2}, "wape", 0.2, "month", 6),
        ({"forecast_what": "new_customers", "miss_cost": 800, "misses_ok": 0.5}, "miss_cost", 400.0, "month", 3),
    ],
)
def test_what_a_miss_costs_becomes_the_done_line(answers, metric, value, frequency, horizon):
    spec = spec_from_answers({**BASE, **answers}).spec
    assert (spec.done.metric, spec.done.value, spec.forecast.frequency, spec.forecast.horizon) == (
        metric,
        value,
        frequency,
        horizon,
    )
    assert spec.forecast.series == answers["forecast_what"]


def test_a_forecast_answered_the_old_way_keeps_its_mape_line():
    spec = spec_from_answers({**BASE, "acceptable_error": 0.15}).spec
    assert (spec.done.metric, spec.done.value, spec.forecast) == ("mape", 0.15, None)


def test_a_ranked_list_recipe_still_needs_capacity_and_value():
    with pytest.raises(ConfigError, match="key 'capacity' is required for the churn recipe"):
        spec_from_answers({"name": "churn", "recipe": "churn", "decision": "call", "value_per_success": 10})
    with pytest.raises(ConfigError, match="key 'value_per_success' is required for the churn recipe"):
        spec_from_answers({"name": "churn", "recipe": "churn", "decision": "call", "capacity": 10})

"""The forecast block of a project spec: its done metric fits the recipe; what is typed is what is used."""

from __future__ import annotations

import pytest

from soloml.errors import ConfigError
from soloml.forecasting.workflow import project_settings
from soloml.projects.spec import ForecastSettings, load_spec

BASE = """
name: demand
question: q
decision: d
stakeholder: s
owner: o
recipe: {recipe}
label: {{definition: x{days}}}
business: {{value_per_success: 1, capacity: 1}}
done: {{metric: {metric}, value: 0.1}}
"""


def spec(tmp_path, recipe="forecast", metric="wape", extra="", days=""):
    path = tmp_path / "demand.yaml"
    path.write_text(BASE.format(recipe=recipe, metric=metric, days=days) + extra, encoding="utf-8")
    return load_spec(path)


@pytest.mark.parametrize(
    ("recipe", "metric", "message"),
    [
        (
            "forecast",
            "precision_at_capacity",
            "does not fit recipe 'forecast': it must be one of mase, wape, mape, miss_cost",
        ),
        ("churn", "mase", "does not fit recipe 'churn'"),
        ("forecast", "miss_cost", "needs forecast.miss_cost"),
    ],
)
def test_a_done_metric_that_does_not_fit_the_recipe_is_refused(tmp_path, recipe, metric, message):
    with pytest.raises(ConfigError, match=message):
        spec(tmp_path, recipe, metric)


def test_the_horizon_comes_from_the_forecast_block_or_the_label_in_periods(tmp_path):
    plain = spec(tmp_path, days=", horizon_days: 90")
    assert plain.forecast is None
    assert project_settings(plain, ForecastSettings(), "month")[0].horizon == 3  # 90 days is three months
    both = spec(tmp_path, days=", horizon_days: 90", extra="forecast: {horizon: 12, miss_cost: 500, level: 0.9}\n")
    settings, notes = project_settings(both, both.forecast, "month")
    assert (settings.horizon, settings.level, settings.metric, settings.threshold, settings.miss_cost) == (
        12,
        0.9,
        "wape",
        0.1,
        500,
    )
    assert notes == ["forecast.horizon (12 months) is used; label.horizon_days (90) is not."]

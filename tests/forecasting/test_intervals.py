"""Intervals calibrated on the backtest reach their stated coverage on simulated data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from soloml.forecasting import Forecaster, series_from_frame
from soloml.forecasting.intervals import bounds, quantile, scores

from .helpers import monthly

CHEAP = ("seasonal_naive", "naive", "theta", "ensemble")


@pytest.mark.parametrize(("level", "n", "expected"), [(0.8, 9, 8.0), (0.8, 4, 4.0), (0.5, 9, 5.0), (0.99, 3, 3.0)])
def test_conformal_quantile_is_the_ceil_n_plus_one_times_level_th_score(level, n, expected):
    assert quantile(np.arange(1.0, n + 1), level) == expected


def test_no_scores_no_interval():
    assert quantile(np.array([]), 0.8) is None


def test_scores_scale_errors_by_the_series_scale_and_the_square_root_of_the_step():
    assert np.allclose(scores([np.array([2.0, -4.0])], [2.0]), [1.0, 2.0 / np.sqrt(2)])
    lower, upper = bounds(np.array([1.0, 1.0]), 1.0, 2.0, non_negative=True)
    assert np.allclose(lower, [0.0, 0.0]) and np.allclose(upper, [3.0, 1 + 2 * np.sqrt(2)])


@pytest.mark.parametrize("level", [0.8, 0.9])
def test_intervals_reach_their_stated_coverage_on_simulated_series(level):
    """60 simulated monthly series, 12 months held out each: the share of actuals inside is close to the level."""
    data = monthly(84, series=60, noise=6.0, seed=11)
    held = data.groupby("unique_id").tail(12)
    train = data.drop(held.index)
    f = Forecaster(12, level=level, models=CHEAP).fit(series_from_frame(train, "month"))
    merged = f.forecast_.merge(held, on=["unique_id", "ds"])
    inside = ((merged["y"] >= merged["lower"]) & (merged["y"] <= merged["upper"])).mean()
    assert len(merged) == 720
    assert level - 0.06 <= inside <= level + 0.08
    judged = f.backtest_.dropna(subset=["lower"])
    measured = ((judged["actual"] >= judged["lower"]) & (judged["actual"] <= judged["upper"])).mean()
    assert level - 0.08 <= measured <= level + 0.08  # the coverage the result reports is honest too


def test_a_series_without_earlier_windows_gets_no_range_rather_than_an_invented_one():
    data = pd.DataFrame({"ds": pd.date_range("2023-01-01", periods=8, freq="MS"), "y": np.arange(8.0) + 10})
    f = Forecaster(6, models=CHEAP).fit(series_from_frame(data, "month"))
    assert f.choices_["value"].q is None
    assert f.forecast_["lower"].isna().all()

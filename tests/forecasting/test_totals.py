"""The range of a horizon's total: simulated from the backtest's errors, and it holds about as often as it says."""

from __future__ import annotations

import numpy as np

from soloml.forecasting import Forecaster, series_from_frame
from soloml.forecasting.result import forecast_result

from .helpers import monthly

HORIZON, HISTORY, SERIES = 3, 60, 40


def test_the_totals_range_reaches_its_stated_coverage_on_simulated_series():
    frame = monthly(HISTORY + HORIZON, series=SERIES, noise=6.0, seed=11)
    train = frame.groupby("unique_id").head(HISTORY)
    held = frame.groupby("unique_id").tail(HORIZON).groupby("unique_id")["y"].sum()
    f = Forecaster(HORIZON, level=0.8, models=["seasonal_naive", "naive", "theta"]).fit(
        series_from_frame(train, "month")
    )
    totals = {t.series: t for t in forecast_result(f, name="sim").totals()}
    assert set(totals) == set(held.index) and all(t.lower is not None for t in totals.values())
    inside = np.mean([totals[uid].lower <= held[uid] <= totals[uid].upper for uid in held.index])
    assert 0.6 <= inside <= 0.97, inside  # 80% stated; 40 series give a binomial spread of about +-6 points
    bound_sums = (f.forecast_["upper"] - f.forecast_["lower"]).groupby(f.forecast_["unique_id"]).sum()
    narrower = np.mean([totals[uid].upper - totals[uid].lower < bound_sums[uid] for uid in held.index])
    assert narrower >= 0.75, (
        narrower
    )  # misses partly cancel: most totals' ranges are narrower than the sum of the periods' ranges


def test_a_series_with_too_few_backtest_errors_gets_its_total_without_a_range():
    frame = monthly(8, series=1, seed=2)
    f = Forecaster(HORIZON, level=0.8).fit(series_from_frame(frame, "month"))
    (total,) = forecast_result(f, name="short").totals()
    assert total.lower is None and total.upper is None and total.point == f.forecast_["forecast"].sum()

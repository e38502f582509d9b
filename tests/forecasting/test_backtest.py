"""Rolling-origin windows never look ahead: by construction, and by the procedure's own output."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from soloml.forecasting import Forecaster, series_from_frame
from soloml.forecasting.backtest import MIN_TRAIN, earlier, judged_count, plan, split

from .helpers import monthly

CHEAP = ("seasonal_naive", "naive", "theta", "ensemble")


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 200), horizon=st.integers(1, 24), season=st.sampled_from([1, 4, 7, 12, 52]))
def test_every_window_trains_only_on_periods_before_its_test_periods(n, horizon, season):
    windows = plan(horizon, season)
    assert sum(w.judged for w in windows) == judged_count(horizon, season)
    for w in windows:
        bounds = split(n, w, horizon)
        if bounds is None:
            assert n - w.offset < MIN_TRAIN
            continue
        train_end, test_end = bounds
        assert MIN_TRAIN <= train_end < test_end <= n
        assert test_end - train_end == horizon
        for o in earlier([v.offset for v in windows], w.offset, horizon):
            # a window the choice at w may learn from has all its test periods before w's first test period
            assert n - o + horizon <= train_end


@settings(max_examples=5, deadline=None)
@given(n=st.integers(30, 48), seed=st.integers(0, 10_000), shock=st.one_of(st.floats(-50, -1), st.floats(1, 500)))
def test_judged_forecasts_do_not_change_when_later_data_changes(n, seed, shock):
    data = monthly(n, seed=seed)
    first = Forecaster(6, models=CHEAP).fit(series_from_frame(data, "month")).backtest_
    origin = first["origin"].min()
    changed = data.assign(y=np.where(data["ds"] >= origin, data["y"] + shock, data["y"]))
    second = Forecaster(6, models=CHEAP).fit(series_from_frame(changed, "month")).backtest_
    earliest = first[first["origin"] == origin].reset_index(drop=True)
    again = second[second["origin"] == origin].reset_index(drop=True)
    cols = ["ds", "forecast", "lower", "upper", "model", "baseline"]
    pd.testing.assert_frame_equal(earliest[cols], again[cols])
    assert not np.allclose(earliest["actual"], again["actual"])  # the data judged on did change


def test_judged_windows_cover_at_least_one_season_and_selection_windows_lie_before_them():
    windows = plan(3, 12)
    judged = [w.offset for w in windows if w.judged]
    chosen_by = [w.offset for w in windows if not w.judged]
    assert judged == [3, 6, 9, 12] and chosen_by == [15, 18]
    assert earlier([w.offset for w in windows], 12, 3) == [15, 18]


@settings(max_examples=4, deadline=None)
@given(n=st.integers(40, 80), seed=st.integers(0, 10_000), shock=st.floats(1, 500))
def test_no_window_looks_ahead_though_later_windows_reuse_the_earliest_fit(n, seed, shock):
    """Theta, DOTM and CES are fitted at the earliest window and re-filtered at the later ones: every window's
    forecasts must still depend only on the periods before its own origin."""
    from soloml.forecasting.grid import GridSettings, SeriesTask, series_runs

    data = monthly(n, seed=seed)
    dates, y = pd.DatetimeIndex(data["ds"]), data["y"].to_numpy()
    windows = plan(6, 12)
    grid = GridSettings(6, 12, ("seasonal_naive", "naive", "theta", "dotm", "ces"), True)
    runs = series_runs(SeriesTask("s", dates, y), windows, grid)
    assert {"theta", "dotm", "ces"} <= set(runs[min(runs)].forecasts)
    for offset, run in runs.items():
        later = np.where(np.arange(n) >= n - offset, y + shock, y)  # every period from this window's origin on
        again = series_runs(SeriesTask("s", dates, later), windows, grid)[offset]
        for model, forecast in run.forecasts.items():
            np.testing.assert_array_equal(forecast, again.forecasts[model])


@settings(max_examples=3, deadline=None)
@given(seed=st.integers(0, 10_000), shock=st.floats(1, 500))
def test_no_window_looks_ahead_though_the_global_model_is_trained_once_for_the_backtest(seed, shock):
    """The LightGBM global model is trained before the earliest window and forecasts the later ones from their own
    histories: each window's forecasts must still depend only on the periods before its own origin, and the later
    windows' on the earliest window's model (the same model as the earliest window's forecast)."""
    from soloml.forecasting.grid import SeriesTask, global_runs
    from soloml.forecasting.lightgbm_global import GlobalSpec

    data = monthly(72, series=6, seed=seed)
    n, windows, spec = 72, plan(6, 12), GlobalSpec.for_frequency("month")

    def tasks(frame):
        return [SeriesTask(uid, pd.DatetimeIndex(g["ds"]), g["y"].to_numpy()) for uid, g in frame.groupby("unique_id")]

    per_window, final = global_runs(tasks(data), windows, spec, 6, True)
    assert final is not None and set(per_window) == {w.offset for w in windows}
    for offset, forecasts in per_window.items():
        later = data.assign(y=np.where(data["ds"] >= data["ds"].iloc[n - offset], data["y"] + shock, data["y"]))
        again, _ = global_runs(tasks(later), windows, spec, 6, True)
        for uid, forecast in forecasts.items():
            np.testing.assert_array_equal(forecast, again[offset][uid])

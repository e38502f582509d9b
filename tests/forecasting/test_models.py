"""Fallbacks: what a series of a given length and shape may use, and that the Forecaster keeps to it."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from soloml.errors import ForecastError
from soloml.forecasting import Forecaster, series_from_frame
from soloml.forecasting.models import DEFAULT_MODELS, fit_local, forecast_local, model_season, tier

from .helpers import monthly

SEASONAL = ("theta", "dotm", "ces")


@pytest.mark.parametrize(
    ("n", "zeros", "name", "baseline", "must_have", "must_not_have"),
    [
        (2, False, "too_short", "naive", ("naive",), ("seasonal_naive", "theta", "croston")),
        (5, False, "short", "naive", ("naive", "mean"), ("theta", "ces", "croston")),
        (18, False, "no_season", "seasonal_naive", ("seasonal_naive", "theta", "dotm", "ces"), ("croston",)),
        (10, False, "no_season", "naive", ("naive", "theta"), ("seasonal_naive",)),
        (
            30,
            False,
            "seasonal",
            "seasonal_naive",
            ("seasonal_naive", "theta", "dotm", "ces", "lightgbm", "ensemble"),
            ("croston",),
        ),
        (30, True, "intermittent", "seasonal_naive", ("croston", "naive", "mean"), ("theta", "ces", "lightgbm")),
    ],
)
def test_tier_by_length_and_shape(n, zeros, name, baseline, must_have, must_not_have):
    y = np.where(np.arange(n) % 2 == 0, 0.0, 5.0) if zeros else np.linspace(10, 20, n)
    t = tier(y, 12, allowed=DEFAULT_MODELS, non_negative=True)
    assert (t.name, t.baseline) == (name, baseline)
    assert set(must_have) <= set(t.candidates)
    assert not set(must_not_have) & set(t.candidates)


@pytest.mark.parametrize(
    ("n", "model", "season", "used"),
    [
        (23, "theta", 12, 1),
        (24, "theta", 12, 12),
        (11, "seasonal_naive", 12, 1),
        (12, "seasonal_naive", 12, 12),
        (200, "ets", 52, 1),
        (200, "theta", 52, 52),
    ],  # ETS and ARIMA run without a 52-week season
)
def test_fewer_than_two_seasons_means_no_seasonal_model(n, model, season, used):
    assert model_season(model, n, season) == used


def test_a_short_series_gets_no_seasonal_form_in_its_fit():
    f = Forecaster(3).fit(series_from_frame(monthly(20), "month"))
    choice = f.choices_["s0"]
    assert choice.tier == "no_season"
    assert all(fit.get("season", 1) == 1 or m == "seasonal_naive" for m, fit in choice.fitted.items())


def test_a_very_short_series_is_forecast_with_the_last_value():
    data = pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=2, freq="MS"), "y": [10.0, 14.0]})
    f = Forecaster(3).fit(series_from_frame(data, "month"))
    assert f.choices_["value"].model == "naive"
    assert list(f.forecast_["forecast"]) == [14.0, 14.0, 14.0]
    assert f.backtest_.empty  # nothing to judge on


def test_an_intermittent_series_is_forecast_with_croston_style_methods():
    rng = np.random.default_rng(3)
    y = np.where(rng.random(40) < 0.6, 0.0, rng.integers(1, 6, 40).astype(float))
    data = pd.DataFrame({"ds": pd.date_range("2021-01-01", periods=40, freq="MS"), "y": y})
    f = Forecaster(4).fit(series_from_frame(data, "month"))
    choice = f.choices_["value"]
    assert choice.tier == "intermittent"
    assert set(choice.members) <= {"croston", "naive", "mean", "seasonal_naive"}
    assert (f.forecast_["forecast"] >= 0).all()


def test_counts_and_money_are_never_forecast_below_zero():
    t = np.arange(40)
    data = pd.DataFrame(
        {"ds": pd.date_range("2021-01-01", periods=40, freq="MS"), "y": np.maximum(400 - 12 * t, 0) + 1.0}
    )
    f = Forecaster(12).fit(series_from_frame(data, "month"))
    assert f.series_.non_negative
    assert (f.forecast_[["forecast", "lower", "upper"]].fillna(0) >= 0).all().all()


def test_a_series_that_can_go_negative_is_not_cut_at_zero():
    t = np.arange(40)
    data = pd.DataFrame({"ds": pd.date_range("2021-01-01", periods=40, freq="MS"), "y": 100 - 8.0 * t})
    f = Forecaster(6, models=("naive", "theta")).fit(series_from_frame(data, "month"))
    assert not f.series_.non_negative
    assert f.forecast_["forecast"].min() < 0


def test_models_can_be_added_to_the_defaults_or_named_exactly():
    s = series_from_frame(monthly(30), "month")
    assert "ets" in Forecaster(3, models=("+ets",)).fit(s).allowed_
    assert Forecaster(3, models=("theta",)).fit(s).allowed_ == ("theta",)
    with pytest.raises(ForecastError, match="no forecasting model 'thetta'.*Did you mean 'theta'"):
        Forecaster(3, models=("thetta",)).fit(s)
    with pytest.raises(ForecastError, match="mixes additions"):
        Forecaster(3, models=("+ets", "theta")).fit(s)


def test_the_global_model_needs_several_related_series():
    few = Forecaster(3, models=("theta", "lightgbm")).fit(series_from_frame(monthly(40, series=2), "month"))
    assert "lightgbm" not in few.allowed_ and any("at least 5 related series" in n for n in few.notes_)
    many = Forecaster(3).fit(series_from_frame(monthly(40, series=6), "month"))
    assert many.global_ is not None and "lightgbm" in many.allowed_


def test_a_series_that_just_reached_two_seasons_is_forecast_in_the_forms_its_backtest_tested():
    """25 months: every backtest window had fewer than two seasons, so the forecast must not switch to untested seasonal forms."""
    f = Forecaster(3, models=("seasonal_naive", "theta", "dotm", "ensemble")).fit(
        series_from_frame(monthly(25), "month")
    )
    choice = f.choices_["s0"]
    assert (choice.tier, choice.form_length) == ("no_season", 22)
    assert all(fit["season"] == 1 for m, fit in choice.fitted.items() if m != "seasonal_naive")
    assert choice.q is not None and choice.windows > 0  # chosen and calibrated on windows of the same tier


def _shapes() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    t = np.arange(96)
    wave = np.sin(2 * np.pi * t / 12)
    return {
        "multiplicative": (100 + t) * (1 + 0.3 * wave) + rng.normal(0, 2, 96),
        "crosses zero (additive)": 20 * wave + rng.normal(0, 2, 96),
        "no season": 50 + np.cumsum(rng.normal(0, 1, 96)),
        "odd period": 100 + 10 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 1, 96),
        "constant": np.full(96, 5.0),
    }


@pytest.mark.parametrize("shape", list(_shapes()))
@pytest.mark.parametrize(("name", "maker"), [("theta", "Theta"), ("dotm", "DynamicOptimizedTheta")])
def test_theta_forecasts_are_statsforecasts_own_seasonal_theta(shape, name, maker):
    """soloml deseasonalises Theta itself (numpy, not statsmodels) and finds its parameters itself (theta.py); with
    those parameters, the forecasts must be statsforecast's own seasonal Theta's (its decomposition, filter, forecast)."""
    from statsforecast.theta import auto_theta, forecast_theta

    from soloml.forecasting.models import fit_local

    y = _shapes()[shape]
    period = 7 if shape == "odd period" else 12
    ours, fitted = fit_local(name, y, 18, period)
    par = fitted["parameters"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' ACF of a constant series divides by zero
        theirs = forecast_theta(
            auto_theta(
                y,
                period,
                model="DOTM" if name == "dotm" else "STM",
                initial_smoothed=par["initial_smoothed"],
                alpha=par["alpha"],
                theta=par["theta"],
            ),
            18,
        )["mean"]
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)
    assert fitted["season"] == period
    assert fitted["form"] == ("DOTM" if name == "dotm" else "STM")


def test_ces_is_refitted_on_the_whole_history_in_the_form_its_backtest_chose():
    """The final CES fit keeps the season type (N, S, P or F) the backtest judged, instead of choosing again."""
    f = Forecaster(6, models=("seasonal_naive", "ces")).fit(series_from_frame(monthly(60, seed=2), "month"))
    choice = f.choices_["s0"]
    assert choice.model == "ces" and choice.forms["ces"] in {"N", "S", "P", "F"}
    assert choice.fitted["ces"]["form"] == f"CES({choice.forms['ces']})"


def test_a_fixed_ces_form_is_fitted_in_that_form():
    y = monthly(60, seed=2)["y"].to_numpy()
    for form in ("N", "S"):
        _, fitted = fit_local("ces", y, 6, 12, form=form)
        assert fitted["form"] == f"CES({form})"


def test_ces_on_a_seasonal_series_is_autoces_choice_among_its_seasonal_forms():
    """Only the partial (P) and full (F) seasonal forms are searched; where AutoCES's own choice among all four is
    one of them, the forecast is AutoCES's."""
    from statsforecast import models as sf

    from soloml.forecasting.models import fit_local

    y = _shapes()["multiplicative"]
    point, fitted = fit_local("ces", y, 12, 12)
    assert fitted["form"] in {"CES(P)", "CES(F)"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sf.AutoCES(season_length=12).fit(y)
    assert fitted["form"] == f"CES({theirs.model_['seasontype']})"  # AutoCES picks F here
    np.testing.assert_allclose(point, theirs.predict(h=12)["mean"], rtol=1e-9)


@pytest.mark.parametrize("n", [2, 4])
def test_ces_steps_aside_with_a_note_on_a_stretch_too_short_for_it(n):
    """statsforecast's CES refuses 2 points ("tiny datasets") and fits no form on 4 ("no model able to be fitted"):
    CES then gives the last value, as a failed fit does, and says why, instead of stopping the whole forecast."""
    y = np.array([5.0, 7.0, 6.0, 8.0])[:n]
    point, fitted = fit_local("ces", y, 3, 12)
    assert point.tolist() == [y[-1]] * 3
    assert fitted["note"] == f"CES could not be fitted on {n} points: the forecast is the last value."
    again, anchor = forecast_local("ces", y, 3, 12)
    assert again.tolist() == [y[-1]] * 3 and anchor is None


@pytest.mark.parametrize("n", [4, 5, 6, 7])
def test_a_series_of_a_few_points_with_ces_named_still_forecasts(n):
    """Through the public path CES is a candidate from 6 points (models.MIN_MODELS) and fits there; shorter
    series use the simple methods, so naming CES never stops a forecast."""
    data = monthly(n, seed=n)
    f = Forecaster(3, models=("ces",)).fit(series_from_frame(data, "month"))
    assert len(f.forecast_) == 3 and np.isfinite(f.forecast_["forecast"]).all()

"""Prophet is an optional candidate: asked for, it runs and reloads to the same numbers; missing, it says how to install it."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from soloml.errors import ForecastError
from soloml.forecasting import Forecaster, load_forecaster, save_forecaster, series_from_frame

from .helpers import monthly

HAS_PROPHET = importlib.util.find_spec("prophet") is not None


def test_prophet_is_never_a_default_candidate():
    f = Forecaster(3, models=None).fit(series_from_frame(monthly(30), "month"))
    assert "prophet" not in f.allowed_


@pytest.mark.skipif(HAS_PROPHET, reason="prophet is installed here")
def test_asking_for_prophet_without_it_says_how_to_install_it():
    with pytest.raises(ForecastError, match=r"needs the Prophet package.*pip install 'soloml\[prophet\]'"):
        Forecaster(3, models=("+prophet",)).fit(series_from_frame(monthly(30), "month"))


@pytest.mark.skipif(not HAS_PROPHET, reason="the optional extra soloml[prophet] is not installed")
def test_prophet_when_asked_for_is_backtested_like_any_model_and_reloads_identically(tmp_path):
    f = Forecaster(6, models=("seasonal_naive", "prophet")).fit(series_from_frame(monthly(40), "month"))
    assert "prophet" in f.choices_["s0"].scores  # scored on the backtest windows beside seasonal naive
    again = load_forecaster(save_forecaster(f, tmp_path / "f")).forecast()
    assert np.array_equal(again["forecast"].to_numpy(), f.forecast_["forecast"].to_numpy())

"""ces.py's CES fits against statsforecast's AutoCES: the same parameters, AICc and forecasts, with less work."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from soloml.forecasting.ces import fit_ces, forward_ces


def _series() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(5)
    t = np.arange(120)
    season = 12 * np.sin(2 * np.pi * t / 12)
    return {
        "trend and season": 300 + 1.5 * t + season + rng.normal(0, 4, 120),
        "growing season": (100 + t) * (1 + 0.1 * np.sin(2 * np.pi * t / 12)) + rng.normal(0, 3, 120),
        "random walk": 1_000 + np.cumsum(rng.normal(0, 20, 120)),
        "short": 50 + season[:30] + rng.normal(0, 2, 30),
        "constant": np.full(48, 7.0),
        "tiny": np.array([3.0, 5.0]),
    }


@pytest.mark.parametrize("shape", list(_series()))
@pytest.mark.parametrize("form", ["Z", "N", "S", "P", "F"])
def test_a_fit_is_statsforecasts_autoces_fit(shape, form):
    """Without the 2- and 3-step in-sample errors (nmse=1) and with the starting season from numpy, the optimiser,
    which minimises the likelihood alone, ends at the same parameters, form, states and AICc, so the forecasts and
    their re-filtering are AutoCES's own."""
    from statsforecast import models as sf

    y = _series()[shape]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            theirs = sf.AutoCES(season_length=12, model=form).fit(y)
        except Exception:  # noqa: BLE001 - a form that cannot be fitted must fail here too
            with pytest.raises(Exception):  # noqa: B017
                fit_ces(y, 12, form)
            return
        ours = fit_ces(y, 12, form)
        later = np.r_[y, y[-12:] + 5.0]
        assert np.allclose(forward_ces(ours, later, 12), theirs.forward(later, h=12)["mean"], rtol=0, atol=1e-9)
    assert np.allclose(ours.predict(h=12)["mean"], theirs.predict(h=12)["mean"], rtol=0, atol=1e-9)
    state, expected = getattr(ours, "model_", None), getattr(theirs, "model_", None)
    if isinstance(expected, dict) and "par" in expected:
        assert state["seasontype"] == expected["seasontype"]
        assert state["aicc"] == pytest.approx(expected["aicc"], rel=1e-12)
        np.testing.assert_allclose(state["states"], expected["states"], rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(state["fitted"], expected["fitted"], rtol=1e-12, atol=1e-9)
        for key, value in expected["par"].items():
            assert (np.isnan(value) and np.isnan(state["par"][key])) or state["par"][key] == pytest.approx(value)

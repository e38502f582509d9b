"""theta.py's closed-form parameter search against statsforecast's own Nelder-Mead on the same objective."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from soloml.forecasting.theta import fit_theta


def _series() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    t = np.arange(150)
    return {
        "trend": 200 + 2 * t + rng.normal(0, 8, 150),
        "random walk": 1_000 + np.cumsum(rng.normal(0, 20, 150)),
        "level shift": np.r_[np.full(70, 50.0), np.full(80, 80.0)] + rng.normal(0, 3, 150),
        "short": 10 + rng.normal(0, 1, 8),
        "constant": np.full(40, 7.0),
        "negative": -500 + np.cumsum(rng.normal(1, 5, 150)),
    }


@pytest.mark.parametrize("shape", list(_series()))
@pytest.mark.parametrize(("model", "dynamic"), [("STM", False), ("DOTM", True)])
def test_the_fit_is_at_least_as_good_as_statsforecasts_optimiser(shape, model, dynamic):
    """The same objective (squared one-step errors from the fourth period on), its minimum over the initial
    level (and theta) in closed form and over alpha on a refined grid: never worse than Nelder-Mead's, beyond the
    grid's own resolution in alpha (a relative 1e-4 of the objective)."""
    from statsforecast.theta import auto_theta

    y = _series()[shape]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = auto_theta(y, 1, model=model)
        fit = fit_theta(y, dynamic=dynamic)
        ours = auto_theta(y, 1, model=model, initial_smoothed=fit.initial_smoothed, alpha=fit.alpha, theta=fit.theta)
    assert 0.1 <= fit.alpha <= 0.99 and fit.theta >= 1.0
    assert fit.theta == 2.0 or dynamic
    assert ours["mse"] <= theirs["mse"] * (1 + 1e-4) + 1e-12
    # the closed form's own sum of squares is the filter's (statsforecast divides it by the mean absolute value)
    scale = max(float(np.mean(np.abs(y))), 1e-10)
    assert fit.sse / scale == pytest.approx(ours["mse"], rel=1e-6, abs=1e-9)

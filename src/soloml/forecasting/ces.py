"""CES (complex exponential smoothing) through statsforecast's own functions, without its unused multi-step errors.

statsforecast's AutoCES fits with `nmse=3`: at every period of every likelihood evaluation inside its Nelder-Mead,
its C++ filter also forecasts three steps ahead to keep the mean squared 1-, 2- and 3-step errors (`amse`). The
optimiser minimises the likelihood alone (`opt_crit="lik"`), which does not depend on them, so with `nmse=1` the
same optimiser takes the same steps to the same parameters, states, AICc and forecasts (tested equal), for about a
fifth less CPU on monthly series. soloml never reads `amse` (the backtest measures its own multi-step errors).
Re-filtering a fit on a later backtest window (statsforecast's `forward`) is the same call with fixed parameters.
"""

from __future__ import annotations

from typing import Any

import numpy as np

NMSE = 1  # steps of in-sample forecast error kept per period; the likelihood the optimiser minimises needs none


def fit_ces(data: np.ndarray, m: int, form: str) -> Any:
    """statsforecast's AutoCES fitted on `data` in `form` ("Z" = choose among N, S, P, F by AICc), as its fit would."""
    from statsforecast import models as sf
    from statsforecast.ces import auto_ces

    model = sf.AutoCES(season_length=m, model=form)
    y = np.asarray(data, dtype=np.float64)
    if np.all(y == y[0]):
        return model.fit(y)  # statsforecast's own fallback (a naive model)
    model.model_ = auto_ces(y, m=m, model=form, nmse=NMSE)
    model.model_["actual_residuals"] = y - model.model_["fitted"]
    return model


def forward_ces(model: Any, data: np.ndarray, horizon: int) -> np.ndarray:
    """The point forecasts of a fitted CES model's parameters and form applied to `data` (states filtered afresh)."""
    state = getattr(model, "model_", None)
    if not isinstance(state, dict) or "seasontype" not in state:
        return np.asarray(model.forward(data, h=horizon)["mean"], dtype=float)
    from statsforecast.ces import auto_ces, forecast_ces

    par = state["par"]
    refit = auto_ces(
        np.asarray(data, dtype=np.float64),
        m=state["m"],
        model=state["seasontype"],
        alpha_0=par["alpha_0"],
        alpha_1=par["alpha_1"],
        beta_0=par["beta_0"],
        beta_1=par["beta_1"],
        nmse=NMSE,
    )
    return np.asarray(forecast_ces(refit, horizon)["mean"], dtype=float)

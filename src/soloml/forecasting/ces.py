"""CES (complex exponential smoothing) through statsforecast's own C++ optimiser, filter and forecast, with less work.

statsforecast's AutoCES fits with `nmse=3`: at every period of every likelihood evaluation inside its Nelder-Mead,
its C++ filter also forecasts three steps ahead to keep the mean squared 1-, 2- and 3-step errors (`amse`). The
optimiser minimises the likelihood alone (`opt_crit="lik"`), which does not depend on them, so with `nmse=1` the
same optimiser takes the same steps to the same parameters, states, AICc and forecasts (tested equal), for about a
fifth less CPU on monthly series. soloml never reads `amse` (the backtest measures its own multi-step errors).
The seasonal forms' starting states come from a classical additive decomposition, which statsforecast takes from
statsmodels' pandas `seasonal_decompose` (~0.15 ms a call); seasonality.py's numpy equivalent gives the same
numbers in a sixth of the time. So `_auto_ces` is statsforecast's `auto_ces`/`cesmodel` for the normal
distribution, line for line, with those two changes; every number still comes from statsforecast's compiled code.
Re-filtering a fit on a later backtest window (statsforecast's `forward`) is the same call with fixed parameters.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from soloml.forecasting.seasonality import additive_indices

NMSE = 1  # steps of in-sample forecast error kept per period; the likelihood the optimiser minimises needs none
FORMS = ("N", "S", "P", "F")  # none, simple, partial and full seasonality; "Z" chooses among them by AICc


class CesUnfit(Exception):  # noqa: N818 - a condition of the data, not a bug
    """No CES form fits these points (too few for its parameters, or every form's fit failed)."""


def fit_ces(data: np.ndarray, m: int, form: str) -> Any:
    """statsforecast's AutoCES fitted on `data` in `form` ("Z" = choose among N, S, P, F by AICc), as its fit would."""
    from statsforecast import models as sf

    model = sf.AutoCES(season_length=m, model=form)
    y = np.asarray(data, dtype=np.float64)
    if np.all(y == y[0]):
        return model.fit(y)  # statsforecast's own fallback (a naive model)
    model.model_ = _auto_ces(y, m, form)
    model.model_["actual_residuals"] = y - model.model_["fitted"]
    return model


def forward_ces(model: Any, data: np.ndarray, horizon: int) -> np.ndarray:
    """The point forecasts of a fitted CES model's parameters and form applied to `data` (states filtered afresh)."""
    state = getattr(model, "model_", None)
    if not isinstance(state, dict) or "seasontype" not in state:
        return np.asarray(model.forward(data, h=horizon)["mean"], dtype=float)
    from statsforecast.ces import forecast_ces

    refit = _auto_ces(np.asarray(data, dtype=np.float64), state["m"], state["seasontype"], state["par"])
    return np.asarray(forecast_ces(refit, horizon)["mean"], dtype=float)


def _auto_ces(y: np.ndarray, m: int, form: str, fixed: dict[str, float] | None = None) -> dict[str, Any]:
    """statsforecast.ces.auto_ces(y, m, form, **fixed) for the normal distribution (see the module docstring)."""
    seasontype = "N" if m <= 1 or len(y) < 2 * m else form
    npars = 2 + (seasontype == "P") + 2 * (seasontype in ("F", "Z"))
    if len(y) <= npars:
        raise CesUnfit(f"CES needs more than {npars} points in its {seasontype} form; the series has {len(y)}.")
    best, best_ic = None, np.inf
    for stype in FORMS if seasontype == "Z" else (seasontype,):
        fit = _cesmodel(y, m, stype, fixed or {})
        if not np.isnan(fit["aicc"]) and fit["aicc"] < best_ic:
            best, best_ic = fit, fit["aicc"]
    if best is None or np.isinf(best_ic):
        raise CesUnfit(f"No CES form could be fitted on these {len(y)} points.")
    return best


def _cesmodel(y: np.ndarray, m: int, seasontype: str, fixed: dict[str, float]) -> dict[str, Any]:
    from statsforecast.ces import initparamces, optimize_ces_target_fn, pegelsresid_ces

    m = 1 if seasontype == "N" else m
    start = initparamces(*(float(fixed.get(k, np.nan)) for k in ("alpha_0", "alpha_1", "beta_0", "beta_1")), seasontype)
    optimize = {k.replace("optimize_", ""): v for k, v in start.items() if "optim" in k}
    par = {k: v for k, v in start.items() if "optim" not in k}
    states0 = _initstate(y, m, seasontype)
    components = states0.shape[1]
    found = optimize_ces_target_fn(par, optimize, y, m, states0, components, seasontype, NMSE)
    if found is not None:
        free = iter(found.x)
        par.update({k: next(free) for k in ("alpha_0", "alpha_1", "beta_0", "beta_1") if optimize[k]})
    amse, e, states, lik = pegelsresid_ces(
        y=y, m=m, init_states=states0, n_components=components, seasontype=seasontype, nmse=NMSE, **par
    )
    ny, np_ = len(y), components + 1
    aic = lik + 2 * np_
    aicc = aic + 2 * np_ * (np_ + 1) / (ny - np_ - 1) if ny - np_ - 1 != 0 else np.inf
    return {
        "loglik": -0.5 * lik,
        "aic": aic,
        "bic": lik + np.log(ny) * np_,
        "aicc": aicc,
        "mse": amse[0],
        "amse": np.mean(amse),
        "fit": found,
        "fitted": y - e,
        "residuals": e,
        "m": m,
        "states": states,
        "par": par,
        "n": ny,
        "seasontype": seasontype,
        "sigma2": np.sum(e**2) / (ny - np_ - 1),
        "distribution": "normal",
    }


def _initstate(y: np.ndarray, m: int, seasontype: str) -> np.ndarray:
    """statsforecast.ces.initstate, with the additive decomposition in numpy."""
    components = 2 + (seasontype == "P") + 2 * (seasontype == "F")
    lags = 1 if seasontype == "N" else m
    states = np.zeros((lags, components), dtype=np.float64)
    if seasontype == "N":
        states[0, 0] = np.mean(y[: min(max(10, m), len(y))])
        states[0, 1] = states[0, 0] / 1.1
    elif seasontype == "S":
        states[:, 0] = y[:lags]
        states[:, 1] = y[:lags] / 1.1
    else:
        states[:, 0] = np.mean(y[:lags])
        states[:, 1] = states[:, 0] / 1.1
        states[:, 2] = additive_indices(y, lags)[:lags]
        if seasontype == "F":
            states[:, 3] = states[:, 2] / 1.1
    return states

"""The candidate models, and which of them a series of a given length and shape may use.

    seasonal_naive  the same period one season ago (the baseline, always there once a season is seen)
    naive           the last value; mean: the average so far
    croston         Croston's method (SBA) for intermittent demand: sizes and intervals apart
    ets, theta, arima   statsforecast's AutoETS, AutoTheta, AutoARIMA (each picks its own form on the training data)
    lightgbm        one gradient-boosted model over lags and calendar features for many related series (global.py)
    ensemble        the average of the best few by backtest
    prophet         only when asked for, with the optional extra `soloml[prophet]`

Fallbacks: fewer than two seasons of history -> no seasonal models (ETS, Theta and ARIMA run without
a season); very short series -> naive and mean; intermittent series (many zero periods) -> naive,
mean and Croston.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd

from soloml.errors import ForecastError, did_you_mean
from soloml.forecasting.ces import CesUnfit, fit_ces, forward_ces
from soloml.forecasting.seasonality import Season, decompose, is_seasonal

LOCAL_MODELS = ("seasonal_naive", "naive", "mean", "croston", "theta", "dotm", "ces", "ets", "arima", "prophet")
ALL_MODELS = (*LOCAL_MODELS, "lightgbm", "ensemble")
# ETS and ARIMA are 10-100x slower than the rest and did not add accuracy in bench/forecasting.py: asked for, not default
DEFAULT_MODELS = ("seasonal_naive", "naive", "mean", "croston", "theta", "dotm", "ces", "lightgbm", "ensemble")
STATISTICAL = ("theta", "dotm", "ces", "ets", "arima")
THETAS = ("theta", "dotm")
REUSED = ("theta", "dotm", "ces")  # later backtest windows re-filter the earliest window's fit
MODEL_WORDS = {
    "seasonal_naive": "same period last season",
    "naive": "last value",
    "mean": "average so far",
    "croston": "Croston (intermittent demand)",
    "ets": "exponential smoothing (ETS)",
    "theta": "Theta",
    "dotm": "dynamic optimised Theta",
    "ces": "complex exponential smoothing",
    "arima": "ARIMA",
    "lightgbm": "LightGBM over lags and calendar",
    "ensemble": "average of the best models",
    "prophet": "Prophet",
}
MIN_SHORT = 3  # below: only the last value
MIN_MODELS = 6  # below: last value and average only
INTERMITTENT_ZEROS = 0.3  # share of zero periods from which a series is intermittent
MAX_SMOOTHING_SEASON = 24  # ETS and ARIMA with a longer season (52 weeks) run without one
CES_SEASONAL = ("P", "F")  # the CES forms searched on a seasonal series (models._seasonal_ces)
MIN_THETA = 4  # statsforecast's Theta needs more than three periods (its first three errors are not fitted)
HISTORY_SEASONS, MIN_HISTORY = 15, 180  # older history rarely helps a per-series model and costs time

TierName = Literal["too_short", "short", "intermittent", "no_season", "seasonal"]


@dataclass(frozen=True)
class Tier:
    """What a training stretch of `n` periods may use: candidates, the baseline, and the choice when nothing can be compared."""

    name: TierName
    candidates: tuple[str, ...]
    baseline: str
    default: tuple[str, ...]  # with no comparable window to choose by: the baseline (Croston for intermittent series)
    reason: str


def check_models(models: Collection[str]) -> None:
    unknown = [m for m in models if m not in ALL_MODELS]
    if unknown:
        raise ForecastError(
            f"There is no forecasting model '{unknown[0]}'.{did_you_mean(unknown[0], ALL_MODELS)}",
            hint=f"Models: {', '.join(ALL_MODELS)}.",
        )


def tier(y: np.ndarray, season: int, *, allowed: Collection[str], non_negative: bool) -> Tier:
    """The models a series may use after `len(y)` periods, by the fallback rules in this module's docstring."""
    n = len(y)
    has_season = n >= season and season > 1
    baseline = "seasonal_naive" if has_season else "naive"
    if n < MIN_SHORT:
        return Tier("too_short", ("naive",), "naive", ("naive",), f"only {n} periods: the last value")
    if n < MIN_MODELS:
        cands = _keep(("naive", "mean", *(("seasonal_naive",) if has_season else ())), allowed, baseline)
        return Tier("short", cands, baseline, (baseline,), f"only {n} periods: simple methods only")
    zeros = float(np.mean(np.asarray(y) == 0))
    if non_negative and zeros >= INTERMITTENT_ZEROS:
        cands = _keep(("naive", "mean", "croston", *(("seasonal_naive",) if has_season else ())), allowed, baseline)
        return Tier(
            "intermittent",
            cands,
            baseline,
            ("croston",) if "croston" in cands else (baseline,),
            f"{zeros:.0%} of periods are zero: intermittent methods",
        )
    seasonal = n >= 2 * season and season > 1
    cands = _keep((baseline, "naive", *STATISTICAL, "lightgbm", "prophet", "ensemble"), allowed, baseline)
    if seasonal:
        return Tier("seasonal", cands, baseline, (baseline,), f"{n} periods: every model, with the season of {season}")
    why = f"{n} periods, fewer than two seasons of {season}: no seasonal models" if season > 1 else f"{n} periods"
    return Tier("no_season", cands, baseline, (baseline,), why)


def _keep(names: tuple[str, ...], allowed: Collection[str], baseline: str) -> tuple[str, ...]:
    """The candidates the user allowed, always with the baseline."""
    return tuple(dict.fromkeys(m for m in names if m in allowed or m == baseline))


def recent(n: int, season: int) -> int:
    """How many of the latest periods a per-series model is fitted on: fifteen seasons (at least 180 periods).

    Fifteen, not 8 or 10: lower caps were worse on independent monthly series (bench/forecast_history_cap.py).
    """
    return min(n, max(HISTORY_SEASONS * season, MIN_HISTORY))


def model_season(name: str, n: int, season: int) -> int:
    """The season a model uses on `n` periods: none before two full seasons (one for seasonal naive)."""
    if name == "seasonal_naive":
        return season if n >= season else 1
    if n < 2 * season:
        return 1
    if name in ("ets", "arima") and season > MAX_SMOOTHING_SEASON:
        return 1
    return season


def _statsforecast(name: str, season: int, form: str | None = None):
    from statsforecast import models as sf

    makers = {
        "seasonal_naive": lambda: sf.SeasonalNaive(season_length=season) if season > 1 else sf.Naive(),
        "naive": sf.Naive,
        "mean": sf.HistoricAverage,
        "croston": sf.CrostonSBA,
        "ets": lambda: sf.AutoETS(season_length=season),
        "theta": lambda: sf.Theta(season_length=season),
        "dotm": lambda: sf.DynamicOptimizedTheta(season_length=season),
        "ces": lambda: sf.AutoCES(season_length=season, model=form or "Z"),
        "arima": lambda: sf.AutoARIMA(season_length=season),
    }
    return makers[name]()


@dataclass(frozen=True)
class Anchor:
    """A model fitted at an earlier backtest origin, whose parameters the later windows of the same series reuse."""

    name: str
    season: int
    model: Any  # the fitted statsforecast model

    @property
    def form(self) -> str | None:
        """The form the fit chose among several (CES's season type N, S, P or F), for the final refit to keep."""
        state = getattr(self.model, "model_", None)
        return str(state["seasontype"]) if self.name == "ces" and isinstance(state, dict) else None


def forecast_local(
    name: str,
    y: np.ndarray,
    horizon: int,
    season: int,
    *,
    dates: pd.DatetimeIndex | None = None,
    anchor: Anchor | None = None,
) -> tuple[np.ndarray, Anchor | None]:
    """Point forecasts of `name` on `y` (a backtest window), and the fit a later window may reuse.

    Theta, DOTM and CES (REUSED) fitted at an earlier origin in the same form (`anchor`) are not optimised
    again: their parameters and chosen form are applied to `y`, whose states are filtered afresh, as
    statsforecast's cross-validation does without refitting. The anchor only ever saw periods before its own
    origin, so no window looks ahead; the forecast itself (fit_local) is always fitted on the whole history.
    """
    keep = recent(len(y), season)
    y, dates = np.asarray(y, dtype=float)[-keep:], dates[-keep:] if dates is not None else None
    m = model_season(name, len(y), season)
    if name == "prophet":
        from soloml.forecasting.prophet import fit_prophet

        return fit_prophet(y, dates, horizon, m)[0], None
    reuse = anchor if anchor is not None and anchor.name == name and anchor.season == m else None
    point, model, _ = _run(name, y, horizon, m, reuse)
    fitted = reuse or (Anchor(name, m, model) if model is not None else None)  # None: CES stepped aside
    return point, fitted if name in REUSED else None


def fit_local(
    name: str,
    y: np.ndarray,
    horizon: int,
    season: int,
    *,
    dates: pd.DatetimeIndex | None = None,
    form_length: int | None = None,
    form: str | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Fit `name` on `y` and forecast `horizon` periods; also what was fitted, as JSON (its form and parameters).

    `form_length` fits the form (seasonal or not) a series of that length gets, when it must match a backtested one;
    `form` is the form the backtest chose (Anchor.form: CES's season type), fitted alone instead of choosing again.
    """
    keep = recent(len(y), season)
    y, dates = np.asarray(y, dtype=float)[-keep:], dates[-keep:] if dates is not None else None
    m = model_season(name, min(form_length or len(y), len(y)), season)
    if name == "prophet":
        from soloml.forecasting.prophet import fit_prophet

        return fit_prophet(y, dates, horizon, m)
    point, model, seasonal = _run(name, y, horizon, m, None, form)
    described = _describe(name, getattr(model, "model_", None))
    if model is None:
        described["note"] = f"CES could not be fitted on {len(y)} points: the forecast is the last value."
    if name in THETAS:
        described["decomposition"] = seasonal.kind if seasonal else None
    return point, {"season": m, **described}


def _run(
    name: str, y: np.ndarray, horizon: int, m: int, anchor: Anchor | None, form: str | None = None
) -> tuple[np.ndarray, Any, Season | None]:
    """Fit (or, with an anchor, re-filter) a statsforecast model on `y` and forecast: points, model, Theta's season."""
    # Theta's seasonal test and decomposition in numpy (seasonality.py), then statsforecast's Theta without a season
    seasonal = _theta_season(y.tobytes(), m) if name in THETAS else None
    data = seasonal.remove(y) if seasonal else y
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optimiser noise on flat or tiny series; the backtest judges the result
        if anchor is not None:
            model = anchor.model
            if name == "ces":
                point = forward_ces(model, data, horizon)
            else:
                point = np.asarray(model.forward(data, h=horizon)["mean"], dtype=float)
        else:
            model = _fit(name, 1 if name in THETAS else m, data, form)
            point = (
                np.full(horizon, np.nan) if model is None else np.asarray(model.predict(h=horizon)["mean"], dtype=float)
            )
    if seasonal:
        point = seasonal.restore(point, m)
    if not np.all(np.isfinite(point)):
        point = np.full(horizon, float(y[-1]))  # a failed fit falls back to the last value; the backtest shows it
    return point, model, seasonal


@lru_cache(maxsize=4)
def _theta_season(data: bytes, m: int) -> Season | None:
    """Theta's seasonal test and decomposition of one stretch of a series, kept for the other Theta model (Theta and
    DOTM deseasonalise the same stretch the same way: one computation, not two)."""
    y = np.frombuffer(data, dtype=float)
    return decompose(y, m) if is_seasonal(y, m) else None


def _fit(name: str, m: int, data: np.ndarray, form: str | None) -> Any:
    """A statsforecast model fitted on `data`; a given form that cannot be fitted there falls back to choosing one.
    None when CES cannot be fitted in any form (too few points): the caller forecasts the last value and says so.

    Theta and DOTM get their parameters from theta.py's closed-form search (the same objective as statsforecast's
    optimiser, several times cheaper) and statsforecast's own filter and forecast with those parameters."""
    if name in THETAS and len(data) > MIN_THETA:
        return _theta_model(name, data)
    if name == "ces":
        try:
            return _seasonal_ces(m, data) if form is None and m > 1 and len(data) >= 2 * m else _ces(m, data, form)
        except CesUnfit:
            return None  # CES steps aside (its forecast is the last value, as a failed fit's); the others still run
    if form is not None:
        try:
            return _statsforecast(name, m, form).fit(data)
        except Exception:  # noqa: BLE001 - CesUnfit, or the optimiser failing on this form: choose one instead
            pass
    return _statsforecast(name, m).fit(data)


def _seasonal_ces(m: int, data: np.ndarray) -> Any:
    """AutoCES's choice by AICc among its seasonal forms only, partial (P) and full (F): its non-seasonal (N) and
    simple seasonal (S) forms were chosen for none of 194 real monthly series (bench/forecasting.py's 157 and
    bench/_forecast_independent.py's 37) and cost a fifth of its fitting time."""
    fits = []
    for form in CES_SEASONAL:
        try:
            fits.append(fit_ces(data, m, form))
        except Exception:  # noqa: BLE001 - CesUnfit, or the optimiser failing on this form: the other form may fit
            continue
    scored = [f for f in fits if np.isfinite(f.model_.get("aicc", np.nan))]
    if not scored:
        return fit_ces(data, m, "Z")
    return min(scored, key=lambda f: f.model_["aicc"])


def _ces(m: int, data: np.ndarray, form: str | None) -> Any:
    """CES in a given form (the backtest's choice), falling back to AutoCES's own choice where it cannot be fitted."""
    if form is not None:
        try:
            return fit_ces(data, m, form)
        except Exception:  # noqa: BLE001 - CesUnfit, or the optimiser failing on this form: choose one instead
            pass
    return fit_ces(data, m, "Z")


def _theta_model(name: str, data: np.ndarray) -> Any:
    from statsforecast.theta import auto_theta

    from soloml.forecasting.theta import fit_theta

    fit = fit_theta(data, dynamic=name == "dotm")
    model = _statsforecast(name, 1)
    model.model_ = auto_theta(
        data,
        1,
        model="DOTM" if name == "dotm" else "STM",
        initial_smoothed=fit.initial_smoothed,
        alpha=fit.alpha,
        theta=fit.theta,
    )
    return model


def _describe(name: str, state: Any) -> dict[str, Any]:
    """The chosen form and fitted parameters of a statsforecast model, as plain JSON values."""
    if not isinstance(state, dict):
        return {}
    if name == "ets":
        return {"form": str(state.get("method", state.get("components"))), "parameters": _plain(state.get("par"))}
    if name == "arima":
        p, q, sp, sq, s, d, sd = (int(v) for v in state["arma"])
        return {"form": f"ARIMA({p},{d},{q})({sp},{sd},{sq})[{s}]", "parameters": _plain(state.get("coef"))}
    if name in ("theta", "dotm"):
        return {"form": str(state.get("modeltype")), "parameters": _plain(state.get("par"))}
    if name == "ces":
        return {"form": f"CES({state.get('seasontype', '')})", "parameters": _plain(state.get("par"))}
    return {}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic | float | int):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    return str(value)

"""Prophet, for people who know it: a candidate only when asked for (`models: [prophet]`), with `pip install 'soloml[prophet]'`.

Its fit is a deterministic MAP optimisation, so a saved forecaster refits it to the same numbers; its
own sampled intervals are not used (soloml calibrates every model's interval on the backtest).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from soloml.errors import ForecastError


def require_prophet() -> None:
    try:
        import prophet  # noqa: F401
    except ImportError as exc:
        raise ForecastError(
            "The 'prophet' model needs the Prophet package, which is not installed.",
            hint="Install the optional extra: pip install 'soloml[prophet]', or leave prophet out of models.",
        ) from exc


def fit_prophet(
    y: np.ndarray, dates: pd.DatetimeIndex | None, horizon: int, season: int
) -> tuple[np.ndarray, dict[str, Any]]:
    """Prophet on the series' own dates; yearly seasonality only with two full years of history."""
    require_prophet()
    from prophet import Prophet

    if dates is None:
        raise ForecastError("Prophet needs the dates of the series.")
    logging.getLogger("cmdstanpy").disabled = True
    freq = _freq_of(dates)
    yearly = season > 1 and len(y) >= 2 * season and freq != "D"
    model = Prophet(
        uncertainty_samples=0, yearly_seasonality=yearly, weekly_seasonality=freq == "D", daily_seasonality=False
    )
    model.fit(pd.DataFrame({"ds": dates, "y": y}))
    future = pd.DataFrame({"ds": pd.date_range(dates[-1], periods=horizon + 1, freq=freq)[1:]})
    point = model.predict(future)["yhat"].to_numpy(dtype=float)
    return point, {
        "form": f"Prophet(yearly={yearly})",
        "parameters": {k: float(np.ravel(v)[0]) for k, v in model.params.items() if np.size(v) == 1},
    }


def _freq_of(dates: pd.DatetimeIndex) -> str:
    days = (dates[-1] - dates[-2]).days if len(dates) > 1 else 30
    return "D" if days <= 1 else "W-MON" if days <= 7 else "MS" if days <= 31 else "QS"

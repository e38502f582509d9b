"""Forecast errors, each lower-is-better, on arrays of actuals and forecasts of one window or many.

mase       mean absolute error / the in-sample error of seasonal naive (1.0 = as good as 'same period last year')
wape       sum of absolute errors / sum of actuals (the average miss, as a share)
mape       mean of absolute errors / actuals, over non-zero actuals
smape      mean of 2|e| / (|actual| + |forecast|)
miss_cost  cost of the periods missed by more than a tolerance, per period
"""

from __future__ import annotations

import numpy as np

METRIC_WORDS = {
    "mase": "error against seasonal naive's own (MASE)",
    "wape": "average miss (WAPE)",
    "mape": "average percentage miss (MAPE)",
    "smape": "symmetric percentage miss (sMAPE)",
    "miss_cost": "cost of misses a period",
}
TINY = 1e-9


def seasonal_scale(history: np.ndarray, season: int) -> float:
    """Mean absolute change from one season (or, with less than a season and one, one period) to the next."""
    y = np.asarray(history, dtype=float)
    lag = season if len(y) > season else 1
    if len(y) <= lag:
        return float(np.mean(np.abs(y))) or 1.0
    scale = float(np.mean(np.abs(y[lag:] - y[:-lag])))
    return scale if scale > TINY else max(float(np.mean(np.abs(y))) * 0.01, TINY)


def mase(actual: np.ndarray, forecast: np.ndarray, scale: float) -> float:
    return float(np.mean(np.abs(np.asarray(actual) - np.asarray(forecast)))) / scale


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    a = np.asarray(actual, dtype=float)
    total = float(np.sum(np.abs(a)))
    return float(np.sum(np.abs(a - np.asarray(forecast)))) / total if total > TINY else float("nan")


def mape(actual: np.ndarray, forecast: np.ndarray) -> float:
    a = np.asarray(actual, dtype=float)
    keep = np.abs(a) > TINY
    return (
        float(np.mean(np.abs(a[keep] - np.asarray(forecast)[keep]) / np.abs(a[keep]))) if keep.any() else float("nan")
    )


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    a, f = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    denominator = np.abs(a) + np.abs(f)
    keep = denominator > TINY
    return float(np.mean(2 * np.abs(a - f)[keep] / denominator[keep])) if keep.any() else 0.0


def missed(actual: np.ndarray, forecast: np.ndarray, tolerance: float) -> np.ndarray:
    """True for each period whose forecast is off by more than `tolerance` of the actual."""
    a, f = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    return np.abs(a - f) > tolerance * np.maximum(np.abs(a), TINY)

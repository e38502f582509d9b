"""Theta's seasonal step in numpy: the seasonality test and classical decomposition statsforecast's AutoTheta uses.

statsforecast's Theta and dynamic optimised Theta test the series for a season (the lag-m autocorrelation
against its 90% band) and, when there is one, divide it out with statsmodels' classical `seasonal_decompose`
(period means of the series over its centred moving average), fit the non-seasonal model and multiply the
season back in. statsmodels spends most of that time in pandas; the same arithmetic on numpy arrays
gives the same numbers (tests/forecasting/test_models.py compares them) at a fraction of the time, so
soloml deseasonalises here and fits the statsforecast model without a season.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

Z95 = 1.6448536269514722  # the normal 95% quantile: statsforecast's one-sided test at 5%


@dataclass(frozen=True)
class Season:
    """The seasonal indices of a decomposed series: `kind` 'multiplicative' or 'additive', one index per period."""

    kind: str
    indices: np.ndarray  # the seasonal component over the fitted series

    def remove(self, y: np.ndarray) -> np.ndarray:
        return np.asarray(y / self.indices if self.kind == "multiplicative" else y - self.indices, dtype=float)

    def restore(self, point: np.ndarray, period: int) -> np.ndarray:
        """Put the season back on `point`, a forecast continuing the fitted series."""
        last = self.indices[-period:]
        ahead = np.tile(last, -(-len(point) // period))[: len(point)]
        return np.asarray(point * ahead if self.kind == "multiplicative" else point + ahead, dtype=float)


def is_seasonal(y: np.ndarray, period: int) -> bool:
    """statsforecast's test: |ACF at lag `period`| beyond 1.645 of its standard error (Bartlett) on the lower lags."""
    if period < 4 or len(y) < 2 * period:
        return False
    centred = y - y.mean()
    denominator = float(np.dot(centred, centred))
    if denominator == 0.0:
        return False  # constant: no season (statsmodels' ACF is NaN there, and the test then says no)
    n = len(y)
    r = np.array([np.dot(centred[k:], centred[: n - k]) / denominator for k in range(1, period + 1)])
    stat = np.sqrt((1 + 2 * np.sum(r[:-1] ** 2)) / n)
    return bool(np.abs(r[-1]) / stat > Z95)


def decompose(y: np.ndarray, period: int) -> Season:
    """Classical decomposition as statsforecast's Theta asks for it: multiplicative for positive series whose
    indices all stay above 0.01, additive otherwise."""
    if min(y) > 0:
        indices = _indices(y, period, multiplicative=True)
        if not np.any(indices < 0.01):
            return Season("multiplicative", indices)
    return Season("additive", _indices(y, period, multiplicative=False))


def additive_indices(y: np.ndarray, period: int) -> np.ndarray:
    """statsmodels' additive `seasonal_decompose(y, period=period).seasonal` (CES's starting seasonal states)."""
    return _indices(np.asarray(y, dtype=float), period, multiplicative=False)


def _indices(y: np.ndarray, period: int, *, multiplicative: bool) -> np.ndarray:
    """statsmodels.tsa.seasonal.seasonal_decompose(y, model, period).seasonal, two-sided, without extrapolation."""
    weights = (
        np.array([0.5, *([1.0] * (period - 1)), 0.5]) / period if period % 2 == 0 else np.full(period, 1.0 / period)
    )
    side = len(weights) // 2
    trend = np.full(len(y), np.nan)
    trend[side : len(y) - side] = np.convolve(y, weights, mode="valid")
    detrended = y / trend if multiplicative else y - trend
    rows = np.full(-(-len(y) // period) * period, np.nan)
    rows[: len(y)] = detrended
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a position with no detrended value keeps NaN, as in statsmodels
        means = np.nanmean(rows.reshape(-1, period), axis=0)  # the mean at each position of the season
    means = means / np.mean(means) if multiplicative else means - np.mean(means)
    return np.tile(means, len(y) // period + 1)[: len(y)]

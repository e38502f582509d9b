"""Prediction intervals calibrated on the backtest (split conformal on scaled backtest errors).

Each backtest error is scaled by the series' own scale at that window times the square root of how
many periods ahead it was (errors grow with the horizon): s = |actual - forecast| / (scale * sqrt(k)).
The interval is forecast +- q * scale * sqrt(k), with q the conformal quantile of the scores at the
stated level, so at least that share of past errors fell inside. Only errors from windows that ended
before the forecast's origin are used, and coverage is measured on the windows the choice was judged on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def scores(errors: Sequence[np.ndarray], scales: Sequence[float]) -> np.ndarray:
    """Scaled absolute errors of several windows (each an array over 1..h periods ahead)."""
    out = [
        np.abs(np.asarray(e, dtype=float)) / (s * np.sqrt(np.arange(1, len(e) + 1)))
        for e, s in zip(errors, scales, strict=True)
    ]
    return np.concatenate(out) if out else np.empty(0)


def quantile(values: np.ndarray, level: float) -> float | None:
    """The conformal quantile: the ceil((n + 1) * level)-th smallest score (the largest when n is small); None without scores."""
    values = np.sort(np.asarray(values, dtype=float)[np.isfinite(values)])
    if len(values) == 0:
        return None
    rank = min(math.ceil((len(values) + 1) * level), len(values))
    return float(values[rank - 1])


def bounds(point: np.ndarray, q: float, scale: float, *, non_negative: bool) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper ends of the interval around `point` (cut at zero for counts and money)."""
    width = q * scale * np.sqrt(np.arange(1, len(point) + 1))
    lower, upper = point - width, point + width
    if non_negative:
        lower, upper = np.maximum(lower, 0.0), np.maximum(upper, 0.0)
    return lower, upper


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actuals inside their interval."""
    a = np.asarray(actual, dtype=float)
    return float(np.mean((a >= lower) & (a <= upper))) if len(a) else float("nan")

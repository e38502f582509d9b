"""Theta's parameters in numpy: the least-squares fit statsforecast's Theta and dynamic optimised Theta search for.

statsforecast fits its Standard Theta (STM: theta = 2) and dynamic optimised Theta (DOTM) by Nelder-Mead over
the initial level, alpha and (DOTM) theta, minimising the one-step errors from the fourth period on; that
optimiser was the largest single cost of soloml's automatic choice (about 3 ms a fit, two fits a series).
The errors are linear in the initial level and in w = 1 - 1/theta once alpha is fixed: the level is simple
exponential smoothing of the series plus (1 - alpha)^t times the initial level, and the trend terms (the
regression line An, Bn; for DOTM refreshed at each period from the data alone) do not depend on the parameters.
So for each alpha the best initial level (and w) has a closed form, and only alpha is searched, on a grid
refined twice around its best point: the same objective, its minimum found to within 0.01 in alpha (never
worse than statsforecast's optimum by more than a relative 1e-4 of the objective on the bench's series; often better). The
fitted parameters then go through statsforecast's own filter and forecast (theta.auto_theta with fixed
parameters), so every number after the fit is statsforecast's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

LOW, HIGH = 0.1, 0.99  # statsforecast's bounds on alpha
MAX_W = 1 - 1e-10  # theta at most 1e10, statsforecast's upper bound
BURN_IN = 3  # the first three one-step errors are not in the objective (statsforecast's calc)
COARSE, FINE, ROUNDS = 12, 7, 2  # alpha to within 0.01: finer grids changed no MASE on the bench
TINY = 1e-12


@dataclass(frozen=True)
class ThetaFit:
    initial_smoothed: float
    alpha: float
    theta: float
    sse: float  # sum of squared one-step errors from the fourth period on


def fit_theta(y: np.ndarray, *, dynamic: bool) -> ThetaFit:
    """The parameters of Standard Theta (dynamic=False, theta fixed at 2) or DOTM (dynamic=True) on `y`."""
    y = np.asarray(y, dtype=float)
    a, b = _trend(y, dynamic)
    alphas = np.linspace(LOW, HIGH, COARSE)
    best = _best(y, a, b, alphas, dynamic)
    for _ in range(ROUNDS):
        step = alphas[1] - alphas[0]
        alphas = np.linspace(max(LOW, best.alpha - step), min(HIGH, best.alpha + step), FINE)
        candidate = _best(y, a, b, alphas, dynamic)
        if candidate.sse <= best.sse:
            best = candidate
    return best


def _trend(y: np.ndarray, dynamic: bool) -> tuple[np.ndarray, np.ndarray]:
    """An and Bn in the state before each period 1..n-1: the regression line of the series on time (STM), or
    its running update from the periods seen so far (DOTM), as statsforecast's filter keeps them."""
    n = len(y)
    if not dynamic:
        mean = y.mean()
        weighted = float(np.dot(y, np.arange(1, n + 1))) / n
        slope = 6 * (2 * weighted - (n + 1) * mean) / (n * n - 1)
        return np.full(n - 1, mean - (n + 1) * slope / 2), np.full(n - 1, slope)
    # statsforecast's update, B_i = ((i - 1) B_(i-1) + 6 (y_i - mean_(i-1)) / (i + 1)) / (i + 2) from B_0 = 0, is
    # i (i + 1) (i + 2) B_i = the running sum of 6 k (y_k - mean_(k-1)): one cumulative sum instead of a loop
    i = np.arange(n, dtype=float)
    mean = np.cumsum(y) / (i + 1)
    q = np.concatenate([[0.0], np.cumsum(6 * i[1:] * (y[1:] - mean[:-1]))])
    b = np.concatenate([[0.0], q[1:] / (i[1:] * (i[1:] + 1) * (i[1:] + 2))])
    a = mean - b * (i + 2) / 2
    a[0] = y[0]
    return a[:-1], b[:-1]


def _best(y: np.ndarray, a: np.ndarray, b: np.ndarray, alphas: np.ndarray, dynamic: bool) -> ThetaFit:
    """The best fit at each alpha of `alphas` (closed form in the initial level and w), then the best alpha."""
    n = len(y)
    steps = np.arange(1, n)[BURN_IN - 1 :]  # the periods whose one-step error counts
    beta = 1 - alphas[:, None]
    # simple exponential smoothing from a zero start, at each alpha: the level after period t, less (1-alpha)^(t+1) l0
    smooth = np.stack([lfilter([alpha], [1.0, alpha - 1.0], y) for alpha in alphas])
    r = y[steps] - smooth[:, steps - 1]  # the one-step error before the initial level and the trend terms
    p = beta**steps  # how much of the initial level is left in the forecast of each period
    g = a[steps - 1] * p + b[steps - 1] * (1 - p * beta) / alphas[:, None]
    pp, pg, gg = (p * p).sum(1), (p * g).sum(1), (g * g).sum(1)
    pr, gr, rr = (p * r).sum(1), (g * r).sum(1), (r * r).sum(1)
    start = y[0] / 2  # statsforecast's starting level, kept where the level has no say in the errors
    if dynamic:
        det = pp * gg - pg * pg
        solvable = (pp > TINY) & (np.abs(det) > TINY * np.maximum(pp * gg, TINY))
        safe = np.where(solvable, det, 1.0)
        w = np.where(solvable, (pp * gr - pg * pr) / safe, (gr - start * pg) / np.where(gg > TINY, gg, 1.0))
        w = np.clip(w, 0.0, MAX_W)
    else:
        w = np.full(len(alphas), 0.5)
    level = np.where(pp > TINY, (pr - w * pg) / np.where(pp > TINY, pp, 1.0), start)
    level = np.clip(level, -1e10, 1e10)
    sse = rr - 2 * level * pr - 2 * w * gr + level * level * pp + 2 * level * w * pg + w * w * gg
    sse = np.where(np.isfinite(sse), sse, np.inf)
    k = int(np.argmin(sse))
    return ThetaFit(float(level[k]), float(alphas[k]), float(1 / (1 - w[k])), float(sse[k]))

"""Intervals that invert the same test as the p-value, so "significant" and "excludes 0" always agree.

Conversions: the score test of Miettinen & Nurminen (1985) without the n/(n-1) factor. At "no
difference" its variance is the pooled one, so its p-value is statsmodels' proportions_ztest;
the interval for the difference (and for the ratio) is every value the same test does not
reject (statsmodels' confint_proportions_2indep(method="score", correction=False)).
Means: Fieller's interval for the ratio, the inversion of the Welch statistic used for the p-value.
"""

from __future__ import annotations

import math

from scipy import optimize

_EDGE = 1e-12


def _constrained_diff(x_t: int, n_t: int, x_c: int, n_c: int, diff: float) -> tuple[float, float]:
    """Maximum-likelihood (p_t, p_c) under p_t - p_c = diff (the cubic of Miettinen & Nurminen)."""
    n, x = n_t + n_c, x_t + x_c
    a3 = n
    a2 = (n_t + 2 * n_c) * diff - n - x
    a1 = (x_c * diff - n - 2 * x_c) * diff + x
    a0 = x_c * diff * (1 - diff)
    q = (a2 / (3 * a3)) ** 3 - a1 * a2 / (6 * a3**2) + a0 / (2 * a3)
    p = math.copysign(math.sqrt(max((a2 / (3 * a3)) ** 2 - a1 / (3 * a3), 0.0)), q)
    angle = (math.pi + math.acos(min(1.0, max(-1.0, q / p**3)))) / 3 if p != 0 else math.pi / 3
    p_c = min(1.0, max(0.0, 2 * p * math.cos(angle) - a2 / (3 * a3)))
    return min(1.0, max(0.0, p_c + diff)), p_c


def _constrained_ratio(x_t: int, n_t: int, x_c: int, n_c: int, ratio: float) -> tuple[float, float]:
    """Maximum-likelihood (p_t, p_c) under p_t = ratio * p_c (a quadratic)."""
    a = (n_t + n_c) * ratio
    b = -(n_t * ratio + x_t + n_c + x_c * ratio)
    c = x_t + x_c
    p_c = (-b - math.sqrt(max(b * b - 4 * a * c, 0.0))) / (2 * a)
    return p_c * ratio, p_c


def score_diff_statistic(x_t: int, n_t: int, x_c: int, n_c: int, diff: float) -> float:
    """z of the score test of p_t - p_c = diff (signed)."""
    p_t, p_c = _constrained_diff(x_t, n_t, x_c, n_c, diff)
    var = p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c
    gap = x_t / n_t - x_c / n_c - diff
    return gap / math.sqrt(var) if var > 0 else math.copysign(math.inf, gap) if gap else 0.0


def score_ratio_statistic(x_t: int, n_t: int, x_c: int, n_c: int, ratio: float) -> float:
    """z of the score test of p_t / p_c = ratio (signed)."""
    p_t, p_c = _constrained_ratio(x_t, n_t, x_c, n_c, ratio)
    var = p_t * (1 - p_t) / n_t + ratio**2 * p_c * (1 - p_c) / n_c
    gap = x_t / n_t - ratio * x_c / n_c
    return gap / math.sqrt(var) if var > 0 else math.copysign(math.inf, gap) if gap else 0.0


def _root(f, inside: float, outside: float) -> float:
    """The point between `inside` (f < 0) and `outside` where f crosses 0; `outside` if it never does."""
    if f(outside) < 0:
        return outside
    return float(optimize.brentq(f, inside, outside, xtol=1e-13, rtol=1e-13, maxiter=500))


def score_diff_interval(x_t: int, n_t: int, x_c: int, n_c: int, q: float) -> tuple[float, float]:
    """Every difference the score test does not reject at |z| < q."""
    est = x_t / n_t - x_c / n_c

    def f(d: float) -> float:
        return score_diff_statistic(x_t, n_t, x_c, n_c, d) ** 2 - q * q

    low = _root(f, est, -1.0 + _EDGE) if est > -1.0 + _EDGE else -1.0
    high = _root(f, est, 1.0 - _EDGE) if est < 1.0 - _EDGE else 1.0
    return low, high


def score_ratio_interval(x_t: int, n_t: int, x_c: int, n_c: int, q: float) -> tuple[float | None, float | None]:
    """Every ratio p_t / p_c the score test does not reject at |z| < q; None when control has no success."""
    if x_c == 0:
        return None, None
    est = (x_t / n_t) / (x_c / n_c)

    def f(log_r: float) -> float:
        return score_ratio_statistic(x_t, n_t, x_c, n_c, math.exp(log_r)) ** 2 - q * q

    centre = math.log(est) if est > 0 else math.log(1e-12)
    low = 0.0 if x_t == 0 else math.exp(_root(f, centre, centre - 60.0))
    high = math.exp(_root(f, centre, centre + 60.0))
    return low, high


def fieller(mean_t: float, var_t: float, mean_c: float, var_c: float, q: float) -> tuple[float | None, float | None]:
    """Fieller's interval for mean_t / mean_c: every ratio r with |mean_t - r mean_c| / sqrt(var_t + r² var_c) < q.

    `var_*` are the variances of the means. None when the control mean is not clearly away from 0
    (the set of ratios is then unbounded).
    """
    a = mean_c**2 - q * q * var_c
    if a <= 0:
        return None, None
    b = mean_t * mean_c
    c = mean_t**2 - q * q * var_t
    disc = b * b - a * c
    root = math.sqrt(max(disc, 0.0))
    return (b - root) / a, (b + root) / a

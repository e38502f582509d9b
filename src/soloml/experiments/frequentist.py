"""Fixed-horizon tests: two-proportion z-test, Welch's t-test, delta-method relative lift, SRM, Holm.

Each function takes summary numbers (counts, means, variances) so it is checked directly
against statsmodels / scipy on fixed inputs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from soloml.errors import ExperimentError


@dataclass(frozen=True)
class Lift:
    """Treatment minus control, with a two-sided (1 - alpha) interval, and the same relative to control."""

    estimate: float
    ci_low: float
    ci_high: float
    se: float
    statistic: float
    p_value: float
    relative: float | None
    relative_ci_low: float | None
    relative_ci_high: float | None
    df: float | None = None  # Welch degrees of freedom; None for the z-test


def _relative(t: float, c: float, var_t: float, var_c: float, alpha: float) -> tuple[float | None, float | None, float | None]:
    """Delta method for t/c - 1: Var ≈ var_t / c² + t² var_c / c⁴."""
    if c == 0:
        return None, None, None
    ratio = t / c
    se = math.sqrt(var_t / c**2 + t**2 * var_c / c**4)
    z = stats.norm.isf(alpha / 2)
    return ratio - 1.0, ratio - 1.0 - z * se, ratio - 1.0 + z * se


def two_proportions(x_t: int, n_t: int, x_c: int, n_c: int, *, alpha: float = 0.05) -> Lift:
    """Two-proportion z-test (pooled variance, as statsmodels' proportions_ztest) with a Wald interval (unpooled)."""
    for name, x, n in (("treatment", x_t, n_t), ("control", x_c, n_c)):
        if n <= 0:
            raise ExperimentError(f"The {name} group has no units, so its conversion rate is undefined.", hint="Check the exposures and the metric query.")
        if not 0 <= x <= n:
            raise ExperimentError(f"The {name} group has {x} successes out of {n} units; a conversion metric must be 0 or 1 per unit.", hint="Use kind: mean for counts or amounts.")
    p_t, p_c = x_t / n_t, x_c / n_c
    diff = p_t - p_c
    pooled = (x_t + x_c) / (n_t + n_c)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n_t + 1 / n_c))
    z = diff / se0 if se0 > 0 else 0.0
    p = float(2 * stats.norm.sf(abs(z))) if se0 > 0 else 1.0
    var_t, var_c = p_t * (1 - p_t) / n_t, p_c * (1 - p_c) / n_c
    se = math.sqrt(var_t + var_c)
    q = stats.norm.isf(alpha / 2)
    rel, rel_lo, rel_hi = _relative(p_t, p_c, var_t, var_c, alpha)
    return Lift(diff, diff - q * se, diff + q * se, se, z, p, rel, rel_lo, rel_hi)


def welch(mean_t: float, var_t: float, n_t: int, mean_c: float, var_c: float, n_c: int, *, alpha: float = 0.05) -> Lift:
    """Welch's unequal-variance t-test and interval (scipy's ttest_ind(equal_var=False)); relative lift by the delta method."""
    for name, n in (("treatment", n_t), ("control", n_c)):
        if n < 2:
            raise ExperimentError(f"The {name} group has {n} unit(s) with a value; a mean needs at least 2.", hint="Wait for more data or check the metric query.")
    a, b = var_t / n_t, var_c / n_c
    se = math.sqrt(a + b)
    if se == 0:
        raise ExperimentError("The metric has the same value for every unit in both groups, so there is nothing to compare.", hint="Check the metric query.")
    df = (a + b) ** 2 / (a**2 / (n_t - 1) + b**2 / (n_c - 1))
    diff = mean_t - mean_c
    t = diff / se
    p = float(2 * stats.t.sf(abs(t), df))
    q = stats.t.isf(alpha / 2, df)
    rel, rel_lo, rel_hi = _relative(mean_t, mean_c, a, b, alpha)
    return Lift(diff, diff - q * se, diff + q * se, se, t, p, rel, rel_lo, rel_hi, df)


@dataclass(frozen=True)
class SampleRatio:
    observed: dict[str, int]
    expected: dict[str, float]
    statistic: float
    p_value: float
    mismatch: bool


SRM_THRESHOLD = 0.001


def sample_ratio_check(counts: dict[str, int], weights: dict[str, float], *, threshold: float = SRM_THRESHOLD) -> SampleRatio:
    """Chi-square goodness of fit of units per variant against the planned weights (scipy.stats.chisquare).

    A p-value below `threshold` (0.001 by convention) means the split is broken: the assignment,
    the exposure logging or the metric join is losing units unevenly, and no result can be trusted.
    """
    names = list(weights)
    observed = np.array([counts.get(n, 0) for n in names], dtype=float)
    total = observed.sum()
    share = np.array([weights[n] for n in names], dtype=float)
    expected = total * share / share.sum()
    stat, p = stats.chisquare(observed, expected)
    return SampleRatio({n: int(o) for n, o in zip(names, observed)}, {n: float(e) for n, e in zip(names, expected)}, float(stat), float(p), bool(p < threshold))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values (as statsmodels' multipletests(method='holm'))."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted

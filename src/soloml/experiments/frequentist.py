"""Fixed-horizon tests: two-proportion score test, Welch's t-test, relative lift from the same test, SRM, Holm.

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
from soloml.experiments.intervals import fieller, score_diff_interval, score_diff_statistic, score_ratio_interval


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


def two_proportions(x_t: int, n_t: int, x_c: int, n_c: int, *, alpha: float = 0.05) -> Lift:
    """The score test of two proportions and the intervals that invert it (see `intervals`).

    p is statsmodels' proportions_ztest (pooled variance); the difference and ratio intervals are
    confint_proportions_2indep(method="score", correction=False), so p < alpha exactly when both
    intervals exclude "no difference". `se` is the unpooled standard error, for the always-valid
    interval and the Bayesian read-out.
    """
    for name, x, n in (("treatment", x_t, n_t), ("control", x_c, n_c)):
        if n <= 0:
            raise ExperimentError(
                f"The {name} group has no units, so its conversion rate is undefined.",
                hint="Check the exposures and the metric query.",
            )
        if not 0 <= x <= n:
            raise ExperimentError(
                f"The {name} group has {x} successes out of {n} units; a conversion metric must be 0 or 1 per unit.",
                hint="Use kind: mean for counts or amounts.",
            )
    p_t, p_c = x_t / n_t, x_c / n_c
    diff = p_t - p_c
    z = score_diff_statistic(x_t, n_t, x_c, n_c, 0.0)
    p = float(2 * stats.norm.sf(abs(z))) if math.isfinite(z) else 0.0
    q = stats.norm.isf(alpha / 2)
    low, high = score_diff_interval(x_t, n_t, x_c, n_c, q)
    r_low, r_high = score_ratio_interval(x_t, n_t, x_c, n_c, q)
    rel = None if p_c == 0 else p_t / p_c - 1.0
    se = math.sqrt(p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c)
    return Lift(
        diff, low, high, se, z, p, rel, None if r_low is None else r_low - 1.0, None if r_high is None else r_high - 1.0
    )


def relative_interval(
    mean_t: float, var_t: float, mean_c: float, var_c: float, q: float
) -> tuple[float | None, float | None, float | None]:
    """Relative lift mean_t / mean_c - 1 and Fieller's interval with the quantile `q` of the absolute test."""
    if mean_c == 0:
        return None, None, None
    low, high = fieller(mean_t, var_t, mean_c, var_c, q)
    return mean_t / mean_c - 1.0, None if low is None else low - 1.0, None if high is None else high - 1.0


def welch(mean_t: float, var_t: float, n_t: int, mean_c: float, var_c: float, n_c: int, *, alpha: float = 0.05) -> Lift:
    """Welch's unequal-variance t-test and interval (scipy's ttest_ind(equal_var=False)); relative lift by Fieller."""
    for name, n in (("treatment", n_t), ("control", n_c)):
        if n < 2:
            raise ExperimentError(
                f"The {name} group has {n} unit(s) with a value; a mean needs at least 2.",
                hint="Wait for more data or check the metric query.",
            )
    a, b = var_t / n_t, var_c / n_c
    se = math.sqrt(a + b)
    if se == 0:
        raise ExperimentError(
            "The metric has the same value for every unit in both groups, so there is nothing to compare.",
            hint="Check the metric query.",
        )
    df = (a + b) ** 2 / (a**2 / (n_t - 1) + b**2 / (n_c - 1))
    diff = mean_t - mean_c
    t = diff / se
    p = float(2 * stats.t.sf(abs(t), df))
    q = stats.t.isf(alpha / 2, df)
    rel, rel_lo, rel_hi = relative_interval(mean_t, a, mean_c, b, q)
    return Lift(diff, diff - q * se, diff + q * se, se, t, p, rel, rel_lo, rel_hi, df)


@dataclass(frozen=True)
class SampleRatio:
    observed: dict[str, int]
    expected: dict[str, float]
    statistic: float
    p_value: float
    mismatch: bool


SRM_THRESHOLD = 0.001


def sample_ratio_check(
    counts: dict[str, int], weights: dict[str, float], *, threshold: float = SRM_THRESHOLD
) -> SampleRatio:
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
    return SampleRatio(
        {n: int(o) for n, o in zip(names, observed, strict=True)},
        {n: float(e) for n, e in zip(names, expected, strict=True)},
        float(stat),
        float(p),
        bool(p < threshold),
    )


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

import math

import numpy as np
import pytest
from scipy import stats

from soloml.experiments.sequential import (
    always_valid_p,
    confidence_sequence,
    half_width,
    mixture_tau2,
    optimal_mixing_ratio,
)

ALPHA = 0.05


def _peeks(rng, sims=2000, looks=20, per_look=100, effect=0.0):
    """Cumulative difference in means and its variance after each daily look, for `sims` null experiments."""
    t = rng.normal(effect, 1.0, (sims, looks * per_look))
    c = rng.normal(0.0, 1.0, (sims, looks * per_look))
    n = per_look * np.arange(1, looks + 1)
    idx = n - 1
    mean_t, mean_c = np.cumsum(t, axis=1)[:, idx] / n, np.cumsum(c, axis=1)[:, idx] / n
    var_t = (np.cumsum(t**2, axis=1)[:, idx] - n * mean_t**2) / (n - 1)
    var_c = (np.cumsum(c**2, axis=1)[:, idx] - n * mean_c**2) / (n - 1)
    v = var_t / n + var_c / n
    return mean_t - mean_c, v, n


def test_peeking_daily_inflates_the_naive_test_but_not_the_sequential_one():
    rng = np.random.default_rng(2026)
    diff, v, n = _peeks(rng)
    naive_p = 2 * stats.norm.sf(np.abs(diff) / np.sqrt(v))
    naive_fpr = (naive_p < ALPHA).any(axis=1).mean()
    tau2 = mixture_tau2(2.0 / n[-1], ALPHA)  # tuned for the planned end, fixed before the data
    sequential_fpr = (np.abs(diff) > half_width(v, tau2, ALPHA)).any(axis=1).mean()
    assert naive_fpr > 0.15
    assert sequential_fpr <= ALPHA


def test_sequential_test_still_finds_a_real_effect():
    rng = np.random.default_rng(7)
    diff, v, n = _peeks(rng, sims=300, effect=0.2)
    tau2 = mixture_tau2(2.0 / n[-1], ALPHA)
    assert (np.abs(diff) > half_width(v, tau2, ALPHA)).any(axis=1).mean() > 0.9


def test_interval_and_p_value_agree_with_the_mixture_likelihood_ratio():
    diff, v = 0.3, 0.01
    result = confidence_sequence(diff, v, alpha=ALPHA)
    tau2 = optimal_mixing_ratio(ALPHA) * v
    log_lambda = 0.5 * math.log(v / (v + tau2)) + diff**2 * tau2 / (2 * v * (v + tau2))
    assert result.p_value == pytest.approx(min(1.0, math.exp(-log_lambda)), rel=1e-12)
    # on the interval's edge the likelihood ratio of that null is exactly 1/alpha
    edge = diff - result.ci_low
    assert edge**2 * tau2 / (2 * v * (v + tau2)) + 0.5 * math.log(v / (v + tau2)) == pytest.approx(
        math.log(1 / ALPHA), rel=1e-9
    )
    assert result.rejects_null == (result.p_value <= ALPHA)


def test_mixing_ratio_solves_its_fixed_point():
    u = optimal_mixing_ratio(0.05)
    assert u == pytest.approx(2 * math.log(20) + math.log1p(u), abs=1e-12)


def test_always_valid_interval_is_wider_than_the_fixed_horizon_one():
    result = confidence_sequence(0.1, 0.0004, alpha=ALPHA)
    assert result.ci_high - 0.1 > 1.96 * 0.02
    assert float(always_valid_p(0.1, 0.0004, result.tau2)) == pytest.approx(result.p_value)

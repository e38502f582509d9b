"""Every statistic against an independent reference (statsmodels / scipy) on fixed inputs, to 1e-6."""

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import integrate, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from soloml.experiments.bayes import beta_binomial, normal_difference, prob_beta_greater
from soloml.experiments.cuped import cuped_adjust
from soloml.experiments.frequentist import holm, sample_ratio_check, two_proportions, welch


@pytest.mark.parametrize(
    "x_t, n_t, x_c, n_c", [(312, 1000, 275, 1000), (45, 520, 61, 480), (3, 40, 0, 38), (5000, 50000, 4900, 50000)]
)
def test_two_proportion_test_is_statsmodels_pooled_z_test(x_t, n_t, x_c, n_c):
    got = two_proportions(x_t, n_t, x_c, n_c)
    z, p = proportions_ztest([x_t, x_c], [n_t, n_c])
    assert (got.statistic, got.p_value) == pytest.approx((z, p), abs=1e-9)


def test_relative_lift_interval_covers_truth_in_simulation():
    rng = np.random.default_rng(3)
    covered = 0
    for _ in range(400):
        x_t, x_c = rng.binomial(4000, 0.22), rng.binomial(4000, 0.20)
        lift = two_proportions(int(x_t), 4000, int(x_c), 4000)
        covered += lift.relative_ci_low <= 0.1 <= lift.relative_ci_high
    assert 0.92 <= covered / 400 <= 0.98


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_welch_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.gamma(2.0, 30.0, 137), rng.gamma(2.2, 28.0, 211)
    got = welch(a.mean(), a.var(ddof=1), len(a), b.mean(), b.var(ddof=1), len(b))
    ref = stats.ttest_ind(a, b, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert (got.statistic, got.p_value, got.df) == pytest.approx((ref.statistic, ref.pvalue, ref.df), abs=1e-9)
    assert (got.ci_low, got.ci_high) == pytest.approx((ci.low, ci.high), abs=1e-9)


def test_sample_ratio_mismatch_is_detected_on_a_skewed_split():
    skewed = sample_ratio_check({"control": 5200, "offer": 4800}, {"control": 0.5, "offer": 0.5})
    fine = sample_ratio_check({"control": 5030, "offer": 4970}, {"control": 0.5, "offer": 0.5})
    assert skewed.mismatch and not fine.mismatch
    assert skewed.p_value == pytest.approx(stats.chisquare([5200, 4800]).pvalue, abs=1e-12)


def test_holm_matches_statsmodels():
    p = [0.01, 0.04, 0.03, 0.2, 0.005]
    assert holm(p) == pytest.approx(list(multipletests(p, method="holm")[1]), abs=1e-12)


@pytest.mark.parametrize("a1, b1, a2, b2", [(13, 90, 9, 95), (1, 1, 1, 1), (40, 160, 55, 150), (300, 700, 280, 720)])
def test_chance_to_beat_matches_numerical_integration(a1, b1, a2, b2):
    ref, _ = integrate.quad(
        lambda x: stats.beta.pdf(x, a1, b1) * stats.beta.cdf(x, a2, b2), 0, 1, epsabs=1e-12, limit=500
    )
    assert prob_beta_greater(a1, b1, a2, b2) == pytest.approx(ref, abs=1e-6)


@pytest.mark.parametrize("x_t, n_t, x_c, n_c", [(12, 100, 8, 100), (50, 400, 61, 410), (290, 1000, 300, 1000)])
def test_expected_loss_matches_numerical_integration(x_t, n_t, x_c, n_c):
    a_t, b_t, a_c, b_c = 1 + x_t, 1 + n_t - x_t, 1 + x_c, 1 + n_c - x_c
    mean_t = a_t / (a_t + b_t)

    def integrand(x):  # f_C(x) * E[(x - T)+] = f_C(x) * (x F_T(x) - E[T] F_T'(x))
        return stats.beta.pdf(x, a_c, b_c) * (
            x * stats.beta.cdf(x, a_t, b_t) - mean_t * stats.beta.cdf(x, a_t + 1, b_t)
        )

    ref, _ = integrate.quad(integrand, 0, 1, epsabs=1e-13, limit=500)
    got = beta_binomial(x_t, n_t, x_c, n_c)
    assert got.expected_loss == pytest.approx(ref, abs=1e-6)


def test_normal_difference_matches_closed_form_references():
    diff, se = 0.8, 0.5
    got = normal_difference(diff, se)
    loss, _ = integrate.quad(lambda d: max(-d, 0) * stats.norm.pdf(d, diff, se), -10, 0)
    assert got.chance_to_beat_control == pytest.approx(stats.norm.sf(0, diff, se), abs=1e-12)
    assert got.expected_loss == pytest.approx(loss, abs=1e-8)


def test_cuped_difference_equals_the_ols_treatment_coefficient():
    rng = np.random.default_rng(11)
    n = 2000
    groups = np.where(rng.random(n) < 0.5, "offer", "control")
    x = rng.normal(100, 20, n)
    y = 0.8 * x + rng.normal(0, 10, n) + np.where(groups == "offer", 3.0, 0.0)
    adjusted, info = cuped_adjust(y, x, groups)
    treat = (groups == "offer").astype(float)
    ols = sm.OLS(y, sm.add_constant(np.column_stack([treat, x]))).fit()
    diff = adjusted[groups == "offer"].mean() - adjusted[groups == "control"].mean()
    assert diff == pytest.approx(ols.params[1], abs=1e-6)
    assert info.theta == pytest.approx(ols.params[2], abs=1e-9)
    assert info.variance_reduction > 0.5


def test_cuped_reduces_variance_and_stays_unbiased_over_simulations():
    rng = np.random.default_rng(5)
    true_effect, raw_estimates, cuped_estimates = 2.0, [], []
    for _ in range(300):
        n = 400
        groups = np.where(rng.random(n) < 0.5, "offer", "control")
        x = rng.normal(50, 10, n)
        y = 0.9 * x + rng.normal(0, 6, n) + np.where(groups == "offer", true_effect, 0.0)
        adjusted, _ = cuped_adjust(y, x, groups)
        raw_estimates.append(y[groups == "offer"].mean() - y[groups == "control"].mean())
        cuped_estimates.append(adjusted[groups == "offer"].mean() - adjusted[groups == "control"].mean())
    raw, cuped = np.array(raw_estimates), np.array(cuped_estimates)
    assert cuped.var() < 0.5 * raw.var()
    assert abs(cuped.mean() - true_effect) < 3 * cuped.std() / np.sqrt(len(cuped))

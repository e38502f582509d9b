"""One test per metric: the p-value, the interval and the relative interval never contradict each other.

Conversions use the score test (pooled variance under "no difference", as statsmodels'
proportions_ztest) and the score intervals that invert it (Miettinen-Nurminen without the
small-sample factor); means use Welch's t-test, its interval and Fieller's interval for the ratio.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest, score_test_proportions_2indep

from soloml.experiments.frequentist import two_proportions, welch

# (5, 30, 0, 10) printed p = 0.17 next to an interval from +3.3 to +30 points before this fix.
COUNTS = [
    (5, 30, 0, 10),
    (8, 60, 1, 55),
    (20, 100, 10, 100),
    (9, 50, 2, 50),
    (312, 1000, 275, 1000),
    (45, 520, 61, 480),
    (151, 1500, 120, 1500),
    (1745, 2211, 211, 623),
]


def excludes_zero(low, high):
    return low > 0 or high < 0


@pytest.mark.parametrize("x_t, n_t, x_c, n_c", COUNTS)
def test_conversion_p_value_and_intervals_agree(x_t, n_t, x_c, n_c):
    lift = two_proportions(x_t, n_t, x_c, n_c)
    significant = lift.p_value < 0.05
    assert excludes_zero(lift.ci_low, lift.ci_high) == significant
    if lift.relative_ci_low is not None:
        assert excludes_zero(lift.relative_ci_low, lift.relative_ci_high) == significant


@pytest.mark.parametrize("x_t, n_t, x_c, n_c", COUNTS)
def test_conversion_p_value_is_statsmodels_z_test_and_interval_ends_are_where_its_score_test_reaches_alpha(
    x_t, n_t, x_c, n_c
):
    lift = two_proportions(x_t, n_t, x_c, n_c)
    _, p = proportions_ztest([x_t, x_c], [n_t, n_c])
    assert lift.p_value == pytest.approx(p, abs=1e-9)

    def score_p(value, compare):
        with np.errstate(divide="ignore", invalid="ignore"):  # statsmodels divides by a zero control rate
            return score_test_proportions_2indep(
                x_t, n_t, x_c, n_c, value=value, compare=compare, correction=False
            ).pvalue

    for bound in (lift.ci_low, lift.ci_high):
        assert score_p(bound, "diff") == pytest.approx(0.05, abs=1e-7)
    if x_c > 0:
        for bound in (lift.relative_ci_low, lift.relative_ci_high):
            assert score_p(1 + bound, "ratio") == pytest.approx(0.05, abs=1e-7)


@settings(max_examples=150, deadline=None)
@given(n_t=st.integers(2, 3000), n_c=st.integers(2, 3000), share_t=st.floats(0, 1), share_c=st.floats(0, 1))
def test_conversion_significance_and_interval_never_contradict(n_t, n_c, share_t, share_c):
    x_t, x_c = round(share_t * n_t), round(share_c * n_c)
    lift = two_proportions(x_t, n_t, x_c, n_c)
    if abs(lift.p_value - 0.05) > 1e-6:  # exactly on the boundary either reading is right
        assert excludes_zero(lift.ci_low, lift.ci_high) == (lift.p_value < 0.05)
    assert lift.ci_low <= lift.estimate <= lift.ci_high


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.floats(-0.4, 0.4), n_t=st.integers(3, 400), n_c=st.integers(3, 400))
def test_mean_relative_interval_agrees_with_welch(seed, shift, n_t, n_c):
    rng = np.random.default_rng(seed)
    a, b = rng.gamma(2.0, 10.0, n_t) * (1 + shift), rng.gamma(2.0, 10.0, n_c)
    lift = welch(a.mean(), a.var(ddof=1), n_t, b.mean(), b.var(ddof=1), n_c)
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert lift.p_value == pytest.approx(ref.pvalue, abs=1e-9)
    if lift.relative_ci_low is not None and abs(lift.p_value - 0.05) > 1e-6:
        assert excludes_zero(lift.relative_ci_low, lift.relative_ci_high) == (lift.p_value < 0.05)


def test_relative_interval_for_means_is_fieller():
    lift = welch(110.0, 400.0, 200, 100.0, 300.0, 220)
    q = stats.t.isf(0.025, lift.df)
    for bound in (lift.relative_ci_low, lift.relative_ci_high):
        ratio = 1 + bound  # on the boundary the Welch statistic of "treatment = ratio x control" equals the quantile
        assert abs(110.0 - ratio * 100.0) / np.sqrt(400.0 / 200 + ratio**2 * 300.0 / 220) == pytest.approx(q, abs=1e-9)

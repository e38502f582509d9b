import math

import pytest
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import proportion_effectsize

from soloml.errors import ExperimentError
from soloml.experiments.design import design_conversion, design_mean, pace_from_capacity, with_pace


@pytest.mark.parametrize(
    "baseline, mde, alpha, power, allocation",
    [
        (0.20, 0.05, 0.05, 0.8, 1.0),
        (0.03, 0.005, 0.05, 0.9, 1.0),
        (0.5, -0.1, 0.01, 0.8, 2.0),
        (0.1, 0.02, 0.1, 0.8, 0.5),
    ],
)
def test_conversion_sample_size_matches_statsmodels_normal_ind_power(baseline, mde, alpha, power, allocation):
    plan = design_conversion(baseline, mde=mde, alpha=alpha, power=power, allocation=allocation)
    reference = NormalIndPower().solve_power(
        proportion_effectsize(baseline + mde, baseline), alpha=alpha, power=power, ratio=allocation
    )
    assert plan.nobs1_exact == pytest.approx(reference, rel=1e-6)
    assert plan.n_control == math.ceil(reference)
    assert plan.n_treatment == math.ceil(reference * allocation)


@pytest.mark.parametrize(
    "mean, sd, mde, alpha, power, allocation",
    [(50.0, 20.0, 5.0, 0.05, 0.8, 1.0), (10.0, 4.0, 1.0, 0.05, 0.8, 2.0), (100.0, 30.0, -3.0, 0.01, 0.9, 1.0)],
)
def test_mean_sample_size_matches_statsmodels_ttest_ind_power(mean, sd, mde, alpha, power, allocation):
    plan = design_mean(mean, sd, mde=mde, alpha=alpha, power=power, allocation=allocation)
    reference = TTestIndPower().solve_power(abs(mde) / sd, alpha=alpha, power=power, ratio=allocation)
    assert plan.nobs1_exact == pytest.approx(reference, rel=1e-6)


def test_relative_mde_is_a_share_of_the_baseline():
    assert design_conversion(0.2, mde_relative=0.25).n_control == design_conversion(0.2, mde=0.05).n_control


def test_duration_comes_from_capacity_per_cycle():
    plan = with_pace(design_conversion(0.2, mde=0.05), pace_from_capacity(700, "weekly"), "capacity")
    assert plan.days == pytest.approx(plan.total / 100.0)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"baseline_rate": 1.5, "mde": 0.1}, "--baseline-rate"),
        ({"baseline_rate": 0.2}, "exactly one of --mde"),
        ({"baseline_rate": 0.2, "mde": 0.9}, "not a rate"),
        ({"baseline_rate": 0.2, "mde": 0.05, "alpha": 2}, "--alpha"),
        ({"baseline_rate": 0.2, "mde": 0.0}, "not zero"),
    ],
)
def test_bad_design_inputs_name_the_option(kwargs, words):
    with pytest.raises(ExperimentError, match=words if words != "not zero" else "detectable effect is 0"):
        design_conversion(**kwargs)

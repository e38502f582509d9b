"""How many units an A/B test needs, and how long that takes at the business's pace.

Sample sizes come from the same power equations statsmodels solves (NormalIndPower with
Cohen's h for conversion rates, TTestIndPower for means), so a design here and a design in
statsmodels agree; the answer is rounded up to whole units per arm.

>>> plan = design_conversion(baseline_rate=0.20, mde=0.05)
>>> plan.n_control, plan.n_treatment
(1092, 1092)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from scipy import optimize, special, stats

from soloml.errors import ExperimentError
from soloml.facts import JSON, field_facts

MetricKind = Literal["conversion", "mean"]

CYCLE_DAYS = {"daily": 1, "weekly": 7, "monthly": 30}


@dataclass(frozen=True)
class Design:
    """A sample-size plan. `n_control`/`n_treatment` are whole units per arm; `nobs1_exact` is the unrounded solution."""

    metric: MetricKind
    alpha: float
    power: float
    allocation: float  # treatment units per control unit
    effect_size: float  # Cohen's h (conversion) or Cohen's d (mean)
    mde: float  # absolute minimum detectable effect
    baseline: float  # baseline rate or mean
    sd: float | None
    nobs1_exact: float
    n_control: int
    n_treatment: int
    total: int
    units_per_day: float | None = None
    days: float | None = None
    pace_source: str | None = None

    @property
    def n_per_arm(self) -> int:
        return max(self.n_control, self.n_treatment)

    def to_facts(self) -> dict[str, JSON]:
        """The sample-size plan (`soloml experiment design --json`)."""
        return field_facts(self)


def cohens_h(rate_a: float, rate_b: float) -> float:
    """Cohen's h = 2 asin(sqrt(a)) - 2 asin(sqrt(b)), statsmodels' proportion_effectsize."""
    return 2.0 * math.asin(math.sqrt(rate_a)) - 2.0 * math.asin(math.sqrt(rate_b))


def normal_power(effect_size: float, nobs1: float, alpha: float, ratio: float = 1.0) -> float:
    """Two-sided power of a two-sample z-test with `nobs1` control units and `ratio * nobs1` treated."""
    nobs = 1.0 / (1.0 / nobs1 + 1.0 / (nobs1 * ratio))
    crit = stats.norm.isf(alpha / 2.0)
    shift = abs(effect_size) * math.sqrt(nobs)
    return float(stats.norm.sf(crit - shift) + stats.norm.cdf(-crit - shift))


def ttest_power(effect_size: float, nobs1: float, alpha: float, ratio: float = 1.0) -> float:
    """Two-sided power of the pooled two-sample t-test (noncentral t), as TTestIndPower computes it."""
    nobs2 = nobs1 * ratio
    df = nobs1 + nobs2 - 2.0
    nobs = 1.0 / (1.0 / nobs1 + 1.0 / nobs2)
    crit = stats.t.isf(alpha / 2.0, df)
    nc = abs(effect_size) * math.sqrt(nobs)
    upper = 1.0 - special.nctdtr(df, nc, crit)
    lower = special.nctdtr(df, nc, -crit)  # the wrong-sign tail; NaN from scipy where it underflows
    return float(upper + (0.0 if math.isnan(lower) else lower))


def _solve_nobs1(power_fn, effect_size: float, alpha: float, power: float, ratio: float) -> float:
    if effect_size == 0:
        raise ExperimentError(
            "The minimum detectable effect is 0, so no sample size can detect it.",
            hint="Pass a non-zero --mde or --mde-relative.",
        )
    low = 2.0 + 1e-9
    if power_fn(effect_size, low, alpha, ratio) >= power:
        return low
    high = 10.0
    while power_fn(effect_size, high, alpha, ratio) < power:
        high *= 4.0
        if high > 1e13:
            raise ExperimentError(
                f"The effect size {effect_size:.3g} is too small to detect with any realistic sample.",
                hint="Choose a larger --mde.",
            )
    return float(
        optimize.brentq(lambda n: power_fn(effect_size, n, alpha, ratio) - power, low, high, xtol=1e-10, rtol=1e-14)
    )


def _check_common(alpha: float, power: float, allocation: float) -> None:
    if not 0 < alpha < 1:
        raise ExperimentError(f"--alpha must be between 0 and 1, got {alpha}.", hint="0.05 is the usual choice.")
    if not 0 < power < 1:
        raise ExperimentError(f"--power must be between 0 and 1, got {power}.", hint="0.8 is the usual choice.")
    if not allocation > 0:
        raise ExperimentError(
            f"--allocation (treated units per control unit) must be positive, got {allocation}.",
            hint="1 means an even split.",
        )


def _finish(
    metric: MetricKind,
    alpha: float,
    power: float,
    allocation: float,
    h: float,
    mde: float,
    baseline: float,
    sd: float | None,
    nobs1: float,
) -> Design:
    n_control = math.ceil(nobs1 - 1e-9)
    n_treatment = math.ceil(nobs1 * allocation - 1e-9)
    return Design(
        metric, alpha, power, allocation, h, mde, baseline, sd, nobs1, n_control, n_treatment, n_control + n_treatment
    )


def design_conversion(
    baseline_rate: float,
    *,
    mde: float | None = None,
    mde_relative: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    allocation: float = 1.0,
) -> Design:
    """Units per arm to detect a change of `mde` (absolute, e.g. 0.05 = five points) in a conversion rate."""
    _check_common(alpha, power, allocation)
    if not 0 < baseline_rate < 1:
        raise ExperimentError(
            f"--baseline-rate must be a rate between 0 and 1, got {baseline_rate}.", hint="Use 0.2 for 20%."
        )
    mde = _absolute_mde(mde, mde_relative, baseline_rate)
    target = baseline_rate + mde
    if not 0 < target < 1:
        raise ExperimentError(
            f"A baseline rate of {baseline_rate} plus an effect of {mde} gives {target}, which is not a rate.",
            hint="Choose a smaller --mde.",
        )
    h = cohens_h(target, baseline_rate)
    nobs1 = _solve_nobs1(normal_power, h, alpha, power, allocation)
    return _finish("conversion", alpha, power, allocation, h, mde, baseline_rate, None, nobs1)


def design_mean(
    mean: float,
    sd: float,
    *,
    mde: float | None = None,
    mde_relative: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    allocation: float = 1.0,
) -> Design:
    """Units per arm to detect a change of `mde` in a mean with standard deviation `sd` (Welch/t-test design)."""
    _check_common(alpha, power, allocation)
    if not sd > 0:
        raise ExperimentError(
            f"--sd must be positive, got {sd}.",
            hint="Use the standard deviation of the metric per unit over a recent period.",
        )
    mde = _absolute_mde(mde, mde_relative, mean)
    d = mde / sd
    nobs1 = _solve_nobs1(ttest_power, d, alpha, power, allocation)
    return _finish("mean", alpha, power, allocation, d, mde, mean, sd, nobs1)


def _absolute_mde(mde: float | None, mde_relative: float | None, baseline: float) -> float:
    if (mde is None) == (mde_relative is None):
        raise ExperimentError(
            "Give exactly one of --mde (absolute) or --mde-relative.",
            hint="E.g. --mde 0.02 for two points, or --mde-relative 0.1 for +10%.",
        )
    if mde is not None:
        return float(mde)
    if baseline == 0:
        raise ExperimentError(
            "A relative effect of a baseline of 0 is 0.", hint="Pass --mde as an absolute effect instead."
        )
    return float(mde_relative) * baseline  # type: ignore[arg-type]


def with_pace(design: Design, units_per_day: float, source: str) -> Design:
    """Add how long the test takes when `units_per_day` new units can enter it."""
    if not units_per_day > 0:
        raise ExperimentError(
            f"The pace must be positive, got {units_per_day} units a day.",
            hint="Pass --traffic (units a day) or set business.capacity in the project.",
        )
    from dataclasses import replace

    return replace(design, units_per_day=units_per_day, days=design.total / units_per_day, pace_source=source)


def pace_from_capacity(capacity: int, cycle: str) -> float:
    """Units a day when `capacity` units can be acted on every `cycle` (daily/weekly/monthly)."""
    return capacity / CYCLE_DAYS[cycle]


def plan(
    metric: MetricKind = "conversion",
    *,
    baseline_rate: float | None = None,
    mean: float | None = None,
    sd: float | None = None,
    mde: float | None = None,
    mde_relative: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    allocation: float = 1.0,
    units_per_day: float | None = None,
    pace_source: str | None = None,
) -> Design:
    """The one entry point of `soloml experiment design`: a sample size, and a duration when a pace is known."""
    if metric == "conversion":
        if baseline_rate is None:
            raise ExperimentError(
                "A conversion design needs --baseline-rate (today's rate, e.g. 0.2).",
                hint="Or pass a PROJECT whose training set holds the base rate.",
            )
        result = design_conversion(
            baseline_rate, mde=mde, mde_relative=mde_relative, alpha=alpha, power=power, allocation=allocation
        )
    elif metric == "mean":
        if mean is None or sd is None:
            raise ExperimentError(
                "A mean design needs --mean and --sd (today's average per unit and its standard deviation).",
                hint="Compute both over a recent period, per unit.",
            )
        result = design_mean(
            mean, sd, mde=mde, mde_relative=mde_relative, alpha=alpha, power=power, allocation=allocation
        )
    else:
        raise ExperimentError(f"--metric must be 'conversion' or 'mean', got '{metric}'.")
    if units_per_day is not None:
        result = with_pace(result, units_per_day, pace_source or "--traffic")
    return result

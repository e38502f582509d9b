"""Analyse an experiment: lift with intervals, Bayesian chance to beat control, CUPED, SRM, sequential, Holm.

Every comparison runs on per-arm summaries (units, mean, variance), so unit-level rows and a
dashboard's counts go through the same code. `analyze_metric` is pure (a frame of unit_id,
variant, value [, covariate] in, numbers out); `analyze_experiment` reads exposures and metrics
from the warehouse (within the experiment's window) and adds the decision and the words.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from soloml.experiments.bayes import beta_binomial, normal_difference
from soloml.experiments.cuped import Cuped, cuped_adjust
from soloml.experiments.decision import Basis, Decision, decide
from soloml.experiments.frequentist import Lift, SampleRatio, holm, sample_ratio_check, two_proportions, welch
from soloml.experiments.metrics import join_metric, read_exposures, read_metric
from soloml.experiments.sequential import Sequential, confidence_sequence
from soloml.experiments.spec import ExperimentSpec, MetricSpec
from soloml.warehouse.base import Connection


@dataclass(frozen=True)
class ArmSummary:
    """What the tests need from one arm: units, mean and (ddof=1) variance of the per-unit values."""

    n: int
    mean: float
    var: float

    @classmethod
    def of(cls, values: np.ndarray) -> ArmSummary:
        return cls(len(values), float(values.mean()), float(values.var(ddof=1)) if len(values) > 1 else 0.0)

    @classmethod
    def from_sums(cls, n: int, total: float, total_sq: float) -> ArmSummary:
        mean = total / n
        return cls(n, mean, max(0.0, (total_sq - n * mean * mean) / (n - 1)) if n > 1 else 0.0)

    @property
    def total(self) -> float:
        return self.mean * self.n


@dataclass(frozen=True)
class VariantStats:
    variant: str
    units: int
    mean: float  # conversion rate or mean value
    sd: float
    total: float  # successes (conversion) or sum of values


@dataclass(frozen=True)
class Comparison:
    """One treatment against control on one metric. `lift` is CUPED-adjusted when a covariate was given."""

    variant: str
    control: str
    lift: Lift
    unadjusted: Lift
    p_value_adjusted: float  # Holm over the treatments
    chance_to_beat_control: float
    expected_loss: float
    sequential: Sequential
    cuped_theta: float | None
    variance_reduction: float | None
    better: bool  # the estimate moves the metric in its good direction
    guardrail_p: float | None = None  # guardrails: Holm over every guardrail comparison, on the decision's basis


@dataclass(frozen=True)
class MetricResult:
    name: str
    kind: str
    good_direction: str
    variants: tuple[VariantStats, ...]
    comparisons: tuple[Comparison, ...]


def _lift(kind: str, t: ArmSummary, c: ArmSummary, alpha: float) -> Lift:
    if kind == "conversion":
        return two_proportions(int(round(t.total)), t.n, int(round(c.total)), c.n, alpha=alpha)
    return welch(t.mean, t.var, t.n, c.mean, c.var, c.n, alpha=alpha)


def analyze_summaries(
    raw: dict[str, ArmSummary],
    spec: ExperimentSpec,
    metric: MetricSpec,
    *,
    adjusted: dict[str, ArmSummary] | None = None,
    cuped: Cuped | None = None,
    v_plan_scale: float | None = None,
) -> MetricResult:
    """Every treatment vs control from per-arm summaries; `adjusted` are the CUPED-adjusted ones."""
    alpha, control = spec.alpha, spec.control_variant
    sign = 1.0 if metric.good_direction == "increase" else -1.0
    per_variant = tuple(VariantStats(v, s.n, s.mean, float(np.sqrt(s.var)), s.total) for v, s in raw.items())
    pending = []
    for t in spec.treatments:
        unadjusted = _lift(metric.kind, raw[t], raw[control], alpha)
        lift = (
            unadjusted
            if adjusted is None
            else welch(
                adjusted[t].mean,
                adjusted[t].var,
                adjusted[t].n,
                adjusted[control].mean,
                adjusted[control].var,
                adjusted[control].n,
                alpha=alpha,
            )
        )
        if metric.kind == "conversion" and adjusted is None:
            x_t, x_c = int(round(raw[t].total)), int(round(raw[control].total))
            first, second = (
                ((x_t, raw[t].n), (x_c, raw[control].n)) if sign > 0 else ((x_c, raw[control].n), (x_t, raw[t].n))
            )
            bayes = beta_binomial(*first, *second)
        else:
            bayes = normal_difference(sign * lift.estimate, lift.se)
        v_now = lift.se**2
        seq = confidence_sequence(
            lift.estimate, v_now, alpha=alpha, v_plan=None if v_plan_scale is None else v_now * v_plan_scale
        )
        pending.append((t, lift, unadjusted, bayes, seq))
    adjusted_p = holm([p[1].p_value for p in pending])
    comparisons = tuple(
        Comparison(
            t,
            control,
            lift,
            unadjusted,
            adj,
            bayes.chance_to_beat_control,
            bayes.expected_loss,
            seq,
            None if cuped is None else cuped.theta,
            None if cuped is None else cuped.variance_reduction,
            bool(sign * lift.estimate > 0),
        )
        for (t, lift, unadjusted, bayes, seq), adj in zip(pending, adjusted_p, strict=False)
    )
    return MetricResult(metric.name, metric.kind, metric.good_direction, per_variant, comparisons)


def analyze_metric(
    frame: pd.DataFrame, spec: ExperimentSpec, metric: MetricSpec, *, v_plan_scale: float | None = None
) -> MetricResult:
    """Every treatment vs control on `metric`. `frame` has unit_id, variant, value and optionally covariate.

    `v_plan_scale` = current units per arm / planned units per arm, for the sequential interval.
    """
    groups = frame["variant"].to_numpy()
    values = frame["value"].to_numpy(dtype=float)
    adjusted_values, cuped = values, None
    if "covariate" in frame.columns:
        adjusted_values, cuped = cuped_adjust(values, frame["covariate"].to_numpy(dtype=float), groups)
    raw = {v: ArmSummary.of(values[groups == v]) for v in spec.variants}
    adjusted = None if cuped is None else {v: ArmSummary.of(adjusted_values[groups == v]) for v in spec.variants}
    return analyze_summaries(raw, spec, metric, adjusted=adjusted, cuped=cuped, v_plan_scale=v_plan_scale)


@dataclass(frozen=True)
class ExperimentResult:
    spec: ExperimentSpec
    units: int
    basis: Basis  # the test the p-value, interval and decision come from
    srm: SampleRatio | None  # None when the planned split is unknown (nothing to check against)
    primary: MetricResult
    guardrails: tuple[MetricResult, ...]
    verdict: Decision
    today: date
    exposed_from: date | None  # first and last exposure analysed (None from summary counts)
    exposed_to: date | None
    source: str  # where the arms and outcomes came from, in words
    headline: str = ""
    details: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    experiment = property(lambda self: self.spec.name)
    description = property(lambda self: self.spec.description)
    control = property(lambda self: self.spec.control_variant)
    alpha = property(lambda self: self.spec.alpha)

    @property
    def final(self) -> bool:
        """The experiment is over: the fixed-horizon p-value applies."""
        return self.basis == "fixed-horizon"

    @property
    def decision(self) -> str:
        return self.verdict.code

    def best(self) -> Comparison:
        """The treatment with the best estimate on the primary metric."""
        sign = 1.0 if self.primary.good_direction == "increase" else -1.0
        return max(self.primary.comparisons, key=lambda c: sign * c.lift.estimate)

    def to_facts(self) -> dict[str, Any]:
        """A plain, JSON-ready dict: what --json prints and what reports and the weekly update render."""
        from soloml.experiments.report import result_facts

        return result_facts(self)


def basis_for(spec: ExperimentSpec, per_arm: int, today: date) -> Basis:
    """Fixed-horizon once the end date has passed (or, without one, the planned size is reached); else always-valid."""
    if spec.end is not None:
        return "fixed-horizon" if today > spec.end else "always-valid"
    if spec.planned_units_per_arm is not None:
        return "fixed-horizon" if per_arm >= spec.planned_units_per_arm else "always-valid"
    return "fixed-horizon"


def _guardrail_holm(guardrails: list[MetricResult], basis: Basis) -> tuple[MetricResult, ...]:
    flat = [c for g in guardrails for c in g.comparisons]
    adjusted = iter(holm([c.lift.p_value if basis == "fixed-horizon" else c.sequential.p_value for c in flat]))
    return tuple(
        dataclasses.replace(
            g, comparisons=tuple(dataclasses.replace(c, guardrail_p=next(adjusted)) for c in g.comparisons)
        )
        for g in guardrails
    )


def finish(
    spec: ExperimentSpec,
    primary: MetricResult,
    guardrails: list[MetricResult],
    srm: SampleRatio | None,
    basis: Basis,
    **facts: Any,
) -> ExperimentResult:
    """Judge guardrails, decide, and put the words on: the last step of every way in."""
    from soloml.experiments.report import business_lines

    checked = _guardrail_holm(guardrails, basis)
    verdict = decide(primary, checked, srm, spec.alpha, basis)
    result = ExperimentResult(
        spec, sum(v.units for v in primary.variants), basis, srm, primary, checked, verdict, **facts
    )
    headline, details = business_lines(result)
    warnings = list(facts.get("warnings", ()))
    if srm is not None and srm.mismatch:
        shares = ", ".join(f"{k} {v:,}" for k, v in srm.observed.items())
        warnings.append(
            f"SAMPLE RATIO MISMATCH: units per variant ({shares}) are far from the planned weights (chi-square p = {srm.p_value:.2g}). "
            "Assignment or exposure logging is losing units unevenly; do not trust this result until it is fixed."
        )
    return dataclasses.replace(result, headline=headline, details=tuple(details), warnings=tuple(warnings))


def analyze_experiment(
    con: Connection,
    spec: ExperimentSpec,
    *,
    root: Path | None = None,
    today: date | None = None,
    source: pa.Table | None = None,
    source_words: str = "ops.exposures",
) -> ExperimentResult:
    """Read exposures (within the window) and metrics for `spec` and analyse them.

    `root` resolves relative CSV paths; `source` is the `--from` table for metrics that name a `column`.
    """
    window = (spec.start, spec.end)
    exposures = read_exposures(con, spec.name, window)
    counts = {str(row["values"]): int(row["counts"]) for row in exposures["variant"].value_counts().to_pylist()}
    srm = sample_ratio_check(counts, spec.weights) if spec.planned_split else None
    today = today or date.today()
    per_arm = min(counts.get(v, 0) for v in spec.variants)
    basis = basis_for(spec, per_arm, today)
    planned = spec.planned_units_per_arm
    scale = None if planned is None else per_arm / planned

    def metric(m: MetricSpec) -> MetricResult:
        frame = join_metric(exposures, read_metric(con, m, root=root, window=window, source=source), spec, m)
        return analyze_metric(frame, spec, m, v_plan_scale=scale)

    times = exposures["exposed_at"].to_pandas()
    return finish(
        spec,
        metric(spec.primary),
        [metric(g) for g in spec.guardrails],
        srm,
        basis,
        today=today,
        exposed_from=times.min().date(),
        exposed_to=times.max().date(),
        source=source_words,
    )

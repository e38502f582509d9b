"""Analyse an experiment: lift with intervals, Bayesian chance to beat control, CUPED, SRM, sequential, Holm.

`analyze_metric` is pure (a frame of unit_id, variant, value [, covariate] in, numbers out);
`analyze_experiment` reads exposures and metrics from the warehouse and adds the decision and
the business-words headline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from soloml.experiments.bayes import beta_binomial, normal_difference
from soloml.experiments.cuped import cuped_adjust
from soloml.experiments.frequentist import Lift, SampleRatio, holm, sample_ratio_check, two_proportions, welch
from soloml.experiments.metrics import join_metric, read_exposures, read_metric
from soloml.experiments.sequential import Sequential, confidence_sequence
from soloml.experiments.spec import ExperimentSpec, MetricSpec


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


@dataclass(frozen=True)
class MetricResult:
    name: str
    kind: str
    good_direction: str
    variants: tuple[VariantStats, ...]
    comparisons: tuple[Comparison, ...]


def _stats(values: np.ndarray) -> tuple[float, float]:
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0


def analyze_metric(frame: pd.DataFrame, spec: ExperimentSpec, metric: MetricSpec, *, v_plan_scale: float | None = None) -> MetricResult:
    """Every treatment vs control on `metric`. `frame` has unit_id, variant, value and optionally covariate.

    `v_plan_scale` = current units per arm / planned units per arm, for the sequential interval.
    """
    alpha = spec.alpha
    control = spec.control_variant
    groups = frame["variant"].to_numpy()
    values = frame["value"].to_numpy(dtype=float)
    adjusted, cuped = (values, None)
    if "covariate" in frame.columns:
        adjusted, cuped = cuped_adjust(values, frame["covariate"].to_numpy(dtype=float), groups)
    sign = 1.0 if metric.good_direction == "increase" else -1.0
    per_variant = []
    for v in spec.variants:
        mask = groups == v
        mean, sd = _stats(values[mask])
        per_variant.append(VariantStats(v, int(mask.sum()), mean, sd, float(values[mask].sum())))
    c_mask = groups == control
    raw_c, adj_c = values[c_mask], adjusted[c_mask]
    pending = []
    for t in spec.treatments:
        t_mask = groups == t
        raw_t, adj_t = values[t_mask], adjusted[t_mask]
        if metric.kind == "conversion":
            raw = two_proportions(int(raw_t.sum()), len(raw_t), int(raw_c.sum()), len(raw_c), alpha=alpha)
        else:
            raw = welch(raw_t.mean(), raw_t.var(ddof=1) if len(raw_t) > 1 else 0.0, len(raw_t), raw_c.mean(), raw_c.var(ddof=1) if len(raw_c) > 1 else 0.0, len(raw_c), alpha=alpha)
        if cuped is not None:
            lift = welch(adj_t.mean(), adj_t.var(ddof=1), len(adj_t), adj_c.mean(), adj_c.var(ddof=1), len(adj_c), alpha=alpha)
        else:
            lift = raw
        if metric.kind == "conversion" and cuped is None:
            bayes = beta_binomial(int(raw_t.sum()), len(raw_t), int(raw_c.sum()), len(raw_c))
            if sign < 0:
                bayes = beta_binomial(int(raw_c.sum()), len(raw_c), int(raw_t.sum()), len(raw_t))
        else:
            bayes = normal_difference(sign * lift.estimate, lift.se)
        v_now = lift.se**2
        seq = confidence_sequence(lift.estimate, v_now, alpha=alpha, v_plan=None if v_plan_scale is None else v_now * v_plan_scale)
        pending.append((t, lift, raw, bayes, seq))
    adjusted_p = holm([p[1].p_value for p in pending])
    comparisons = tuple(
        Comparison(
            t, control, lift, raw, adj, bayes.chance_to_beat_control, bayes.expected_loss, seq,
            None if cuped is None else cuped.theta, None if cuped is None else cuped.variance_reduction,
            bool(sign * lift.estimate > 0),
        )
        for (t, lift, raw, bayes, seq), adj in zip(pending, adjusted_p)
    )
    return MetricResult(metric.name, metric.kind, metric.good_direction, tuple(per_variant), comparisons)


@dataclass(frozen=True)
class ExperimentResult:
    experiment: str
    description: str | None
    control: str
    alpha: float
    units: int
    final: bool  # planned size reached or end date passed: the fixed-horizon p-value applies
    srm: SampleRatio
    primary: MetricResult
    guardrails: tuple[MetricResult, ...]
    decision: str
    headline: str
    details: tuple[str, ...]
    warnings: tuple[str, ...]

    def best(self) -> Comparison:
        """The treatment with the best estimate on the primary metric."""
        sign = 1.0 if self.primary.good_direction == "increase" else -1.0
        return max(self.primary.comparisons, key=lambda c: sign * c.lift.estimate)

    def to_dict(self) -> dict[str, Any]:
        from soloml.experiments.report import result_dict

        return result_dict(self)


def significant(c: Comparison, alpha: float, final: bool) -> bool:
    """Fixed-horizon (Holm-adjusted) p-value once the experiment is over; the always-valid interval before."""
    return c.p_value_adjusted < alpha if final else c.sequential.rejects_null


def decide(primary: MetricResult, guardrails: tuple[MetricResult, ...], srm: SampleRatio, alpha: float, final: bool) -> str:
    if srm.mismatch:
        return "investigate: sample ratio mismatch"
    winners = [c for c in primary.comparisons if significant(c, alpha, final) and c.better]
    losers = [c for c in primary.comparisons if significant(c, alpha, final) and not c.better]
    if winners:
        best = max(winners, key=lambda c: c.chance_to_beat_control)
        harmed = [g.name for g in guardrails for c in g.comparisons if c.variant == best.variant and significant(c, alpha, final) and not c.better]
        if harmed:
            return f"do not ship {best.variant}: guardrail {', '.join(harmed)} got worse"
        return f"ship {best.variant}"
    if losers and len(losers) == len(primary.comparisons):
        return "keep control: the treatment is worse"
    return "no detectable effect: keep control" if final else "keep running"


def analyze_experiment(
    con: duckdb.DuckDBPyConnection, spec: ExperimentSpec, *, root: Path | None = None, today: date | None = None
) -> ExperimentResult:
    """Read exposures and metrics for `spec` and analyse them; `root` resolves relative CSV paths."""
    from soloml.experiments.report import business_lines

    exposures = read_exposures(con, spec.name)
    counts = {str(row["values"]): int(row["counts"]) for row in exposures["variant"].value_counts().to_pylist()}
    srm = sample_ratio_check(counts, spec.weights)
    today = today or date.today()
    per_arm = min(counts.get(v, 0) for v in spec.variants)
    planned = spec.planned_units_per_arm
    final = (planned is not None and per_arm >= planned) or (spec.end is not None and today > spec.end) or (planned is None and spec.end is None)
    scale = None if planned is None else per_arm / planned
    primary_frame = join_metric(exposures, read_metric(con, spec.primary, root=root), spec, spec.primary)
    primary = analyze_metric(primary_frame, spec, spec.primary, v_plan_scale=scale)
    guardrails = tuple(
        analyze_metric(join_metric(exposures, read_metric(con, g, root=root), spec, g), spec, g, v_plan_scale=scale) for g in spec.guardrails
    )
    decision = decide(primary, guardrails, srm, spec.alpha, final)
    warnings = []
    if srm.mismatch:
        shares = ", ".join(f"{k} {v:,}" for k, v in srm.observed.items())
        warnings.append(
            f"SAMPLE RATIO MISMATCH: units per variant ({shares}) are far from the planned weights (chi-square p = {srm.p_value:.2g}). "
            "Assignment or exposure logging is losing units unevenly; do not trust this result until it is fixed."
        )
    headline, details = business_lines(spec, primary, guardrails, final)
    return ExperimentResult(
        spec.name, spec.description, spec.control_variant, spec.alpha, int(exposures.num_rows), final, srm, primary, guardrails,
        decision, headline, tuple(details), tuple(warnings),
    )

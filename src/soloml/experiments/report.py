"""An experiment result in business words first, then the statistics; and as a plain dict for --json."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from soloml.experiments.spec import ExperimentSpec, MetricSpec

if TYPE_CHECKING:
    from soloml.experiments.analysis import Comparison, ExperimentResult, MetricResult


def _money(amount: float) -> str:
    """$11,100 — rounded to three significant figures, like a person would say it."""
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount >= 100:
        digits = len(str(int(amount))) - 3
        amount = round(amount, -digits)
        return f"{sign}${amount:,.0f}"
    return f"{sign}${amount:,.2f}"


def _metric_words(metric: MetricSpec) -> str:
    return metric.unit_words or metric.name.replace("_", " ")


def business_sentence(spec: ExperimentSpec, metric: MetricSpec, result: MetricResult, c: Comparison, final: bool) -> str:
    """"The retention offer kept 37 more customers (95% CI 12 to 61), worth about $11,100 a month.\""""
    treated = next(v for v in result.variants if v.variant == c.variant)
    n = treated.units
    extra, low, high = c.lift.estimate * n, c.lift.ci_low * n, c.lift.ci_high * n
    subject = spec.description or f"Variant '{c.variant}'"
    more = "more" if extra >= 0 else "fewer"
    level = round((1 - spec.alpha) * 100)
    sentence = f"{subject} ({c.variant}, {n:,} units) {metric.verb} {abs(extra):,.0f} {more} {_metric_words(metric)} than {c.control} would have ({level}% CI {low:,.0f} to {high:,.0f})"
    if metric.value_per_unit:
        per = f" a {spec.value_period}" if spec.value_period else ""
        sentence += f", worth about {_money(extra * metric.value_per_unit)}{per}"
    return sentence + "."


def _rate(metric_kind: str, x: float) -> str:
    return f"{x:.1%}" if metric_kind == "conversion" else f"{x:,.4g}"


def _lift_text(kind: str, value: float) -> str:
    return f"{value * 100:+.2f} points" if kind == "conversion" else f"{value:+,.4g}"


def detail_line(result: MetricResult, c: Comparison, alpha: float, final: bool) -> str:
    t = next(v for v in result.variants if v.variant == c.variant)
    k = next(v for v in result.variants if v.variant == c.control)
    level = round((1 - alpha) * 100)
    rel = "" if c.lift.relative is None else f", {c.lift.relative:+.1%} relative ({c.lift.relative_ci_low:+.1%} to {c.lift.relative_ci_high:+.1%})"
    cuped = "" if c.cuped_theta is None else f" CUPED removed {c.variance_reduction:.0%} of the variance (theta {c.cuped_theta:.3g})."
    basis = "fixed-horizon test" if final else "always-valid interval (safe to peek)"
    return (
        f"{result.name}: {c.variant} {_rate(result.kind, t.mean)} (n={t.units:,}) vs {c.control} {_rate(result.kind, k.mean)} (n={k.units:,}): "
        f"{_lift_text(result.kind, c.lift.estimate)} ({level}% CI {_lift_text(result.kind, c.lift.ci_low)} to {_lift_text(result.kind, c.lift.ci_high)}){rel}; "
        f"p = {c.lift.p_value:.3g} (Holm {c.p_value_adjusted:.3g}); always-valid {level}% CI {_lift_text(result.kind, c.sequential.ci_low)} to "
        f"{_lift_text(result.kind, c.sequential.ci_high)}; {c.chance_to_beat_control:.1%} chance {c.variant} beats {c.control}, "
        f"expected loss {_lift_text(result.kind, c.expected_loss)}. Decision basis: {basis}.{cuped}"
    )


def business_lines(spec: ExperimentSpec, primary: MetricResult, guardrails: tuple[MetricResult, ...], final: bool) -> tuple[str, list[str]]:
    sign = 1.0 if primary.good_direction == "increase" else -1.0
    best = max(primary.comparisons, key=lambda c: sign * c.lift.estimate)
    headline = business_sentence(spec, spec.primary, primary, best, final)
    details = [detail_line(primary, c, spec.alpha, final) for c in primary.comparisons]
    for metric_spec, g in zip(spec.guardrails, guardrails):
        details += [f"Guardrail {detail_line(g, c, spec.alpha, final)}" for c in g.comparisons]
    return headline, details


def _comparison_dict(result: MetricResult, c: Comparison) -> dict[str, Any]:
    return {
        "metric": result.name,
        "variant": c.variant,
        "control": c.control,
        "absolute_lift": c.lift.estimate,
        "ci_low": c.lift.ci_low,
        "ci_high": c.lift.ci_high,
        "relative_lift": c.lift.relative,
        "relative_ci_low": c.lift.relative_ci_low,
        "relative_ci_high": c.lift.relative_ci_high,
        "p_value": c.lift.p_value,
        "p_value_holm": c.p_value_adjusted,
        "chance_to_beat_control": c.chance_to_beat_control,
        "expected_loss": c.expected_loss,
        "sequential_ci_low": c.sequential.ci_low,
        "sequential_ci_high": c.sequential.ci_high,
        "sequential_p_value": c.sequential.p_value,
        "unadjusted_absolute_lift": c.unadjusted.estimate,
        "cuped_theta": c.cuped_theta,
        "variance_reduction": c.variance_reduction,
    }


def result_dict(r: ExperimentResult) -> dict[str, Any]:
    """The JSON form: the best treatment's primary numbers at the top level, everything else below."""
    best = r.best()
    top = _comparison_dict(r.primary, best)
    return {
        "experiment": r.experiment,
        "headline": r.headline,
        "decision": r.decision,
        "variants": [{"variant": v.variant, "units": v.units, "mean": v.mean, "sd": v.sd, "total": v.total} for v in r.primary.variants],
        **{k: top[k] for k in ("absolute_lift", "relative_lift", "ci_low", "ci_high", "p_value", "chance_to_beat_control", "expected_loss")},
        "best_variant": best.variant,
        "control": r.control,
        "srm_p_value": r.srm.p_value,
        "srm_mismatch": r.srm.mismatch,
        "final": r.final,
        "units": r.units,
        "comparisons": [_comparison_dict(r.primary, c) for c in r.primary.comparisons],
        "guardrails": [_comparison_dict(g, c) for g in r.guardrails for c in g.comparisons],
        "details": list(r.details),
        "warnings": list(r.warnings),
    }

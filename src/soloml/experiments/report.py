"""An experiment result in business words first, then the statistics; and as plain facts for --json.

Every number a sentence prints comes from the decision's basis (the fixed-horizon test once the
experiment is over, the always-valid interval before), so a sentence never puts "ship" next to
an interval that includes zero. The wording rules are in `words` and docs/experiments.md.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from soloml.experiments import words as w
from soloml.experiments.decision import significant

if TYPE_CHECKING:
    from soloml.experiments.analysis import Comparison, ExperimentResult, MetricResult, VariantStats
    from soloml.experiments.spec import ExperimentSpec, MetricSpec

MONEY_WORDS = {
    "dollars": "USD",
    "dollar": "USD",
    "$": "USD",
    "usd": "USD",
    "euros": "EUR",
    "eur": "EUR",
    "€": "EUR",
    "pounds": "GBP",
    "gbp": "GBP",
    "£": "GBP",
}


def metric_currency(metric: MetricSpec) -> str | None:
    """The metric's currency: given, or obvious from its words ('dollars per customer')."""
    if metric.currency:
        return metric.currency
    first = (metric.unit_words or "").strip().lower().split(" ")[0]
    return MONEY_WORDS.get(first)


def _plain_words(metric: MetricSpec, spec: ExperimentSpec) -> str:
    """What the metric counts, without a trailing 'per customer' (the sentence already says per whom)."""
    text = metric.unit_words or metric.name.replace("_", " ")
    return re.sub(rf"\s+per\s+{re.escape(spec.unit)}s?$", "", text.strip())


def interval(c: Comparison, basis: str) -> tuple[float, float]:
    """The absolute interval the decision used."""
    return (c.lift.ci_low, c.lift.ci_high) if basis == "fixed-horizon" else (c.sequential.ci_low, c.sequential.ci_high)


def relative_interval(c: Comparison, control: VariantStats, basis: str) -> tuple[float | None, float | None]:
    """Fixed horizon: the relative interval of the same test; always-valid: the absolute one over the control mean."""
    if basis == "fixed-horizon":
        return c.lift.relative_ci_low, c.lift.relative_ci_high
    if control.mean == 0:
        return None, None
    return c.sequential.ci_low / abs(control.mean), c.sequential.ci_high / abs(control.mean)


def basis_p(c: Comparison, basis: str) -> float:
    return c.p_value_adjusted if basis == "fixed-horizon" else c.sequential.p_value


def _arm(result: MetricResult, variant: str) -> VariantStats:
    return next(v for v in result.variants if v.variant == variant)


def business_sentence(r: ExperimentResult, metric: MetricSpec, result: MetricResult, c: Comparison) -> str:
    """ "The retention offer kept 37 more customers than the control group would have, among the 1,040 ..."."""
    spec = r.spec
    n = _arm(result, c.variant).units
    low, high = interval(c, r.basis)
    level = round((1 - spec.alpha) * 100)
    sure = significant(c, spec.alpha, r.basis)
    subject, control = spec.label(c.variant), spec.label(c.control)
    prefix = "" if r.final else f"Early look{f' (the experiment runs until {spec.end})' if spec.end else ''}: "
    currency = metric_currency(metric)
    things = _plain_words(metric, spec)
    if metric.kind == "conversion":
        extra = c.lift.estimate * n
        fmt = w.number
        sentence = (
            f"{w.sentence_start(subject)} {metric.verb} {w.number(abs(extra))} {w.direction(extra)} {things} than {control} would have, "
            f"among the {n:,} {spec.unit_plural} who got it ({w.likely_range(low * n, high * n, level, fmt=fmt)})"
        )
        worth = extra * metric.value_per_unit if metric.value_per_unit else None
    else:
        est = c.lift.estimate
        up, down = ("more", "less") if currency else ("more", "fewer")
        per = w.amount(est, currency) + ("" if currency else f" {things}")
        total = w.amount(est * n, currency) + ("" if currency else f" {w.direction(est * n, up, down)} {things}")

        def fmt(x: float) -> str:
            return w.amount(x, currency)

        sentence = (
            f"Each {spec.unit} who got {subject} {metric.verb} {per} {w.direction(est, up, down)} than {control} "
            f"({w.likely_range(low, high, level, fmt=fmt, up=up, down=down)}), about {total} over the {n:,} who got it"
        )
        worth = est * n * metric.value_per_unit if metric.value_per_unit else None
    if worth is not None and sure:  # a value only for an effect beyond chance, and only one figure per effect
        per_period = f" a {spec.value_period}" if spec.value_period else ""
        sentence += f", worth about {w.money(worth, currency or 'USD')}{per_period}"
    return prefix + sentence + "."


def _rate(kind: str, x: float) -> str:
    return f"{x:.1%}" if kind == "conversion" else w.number(x, 2)


def _lift_text(kind: str, value: float) -> str:
    return w.percent_points(value) if kind == "conversion" else w.signed(value, 2)


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def detail_line(r: ExperimentResult, result: MetricResult, c: Comparison) -> str:
    t, k = _arm(result, c.variant), _arm(result, c.control)
    level = round((1 - r.spec.alpha) * 100)
    low, high = interval(c, r.basis)
    r_low, r_high = relative_interval(c, k, r.basis)
    rel = (
        ""
        if c.lift.relative is None
        else f", {w.relative(c.lift.relative)} relative ({w.relative(r_low)} to {w.relative(r_high)})"
    )
    cuped = (
        ""
        if c.cuped_theta is None
        else f" CUPED removed {c.variance_reduction:.0%} of the variance (theta {c.cuped_theta:.3g})."
    )
    test = ("score test" if result.kind == "conversion" and c.cuped_theta is None else "Welch t-test") + (
        "" if len(result.comparisons) == 1 else ", Holm-adjusted"
    )
    basis = f"fixed-horizon {test}" if r.final else "always-valid interval, safe to look early"
    return (
        f"{result.name}: {c.variant} {_rate(result.kind, t.mean)} (n={t.units:,}) vs {c.control} {_rate(result.kind, k.mean)} (n={k.units:,}): "
        f"{_lift_text(result.kind, c.lift.estimate)} ({level}% confidence interval {_lift_text(result.kind, low)} to {_lift_text(result.kind, high)}){rel}; "
        f"{_p_text(basis_p(c, r.basis))} ({basis}); {w.chance(c.chance_to_beat_control)} chance {c.variant} beats {c.control}; "
        f"if {c.variant} is chosen and is in fact worse, it costs on average {_lift_text(result.kind, c.expected_loss).lstrip('+')}.{cuped}"
    )


def business_lines(r: ExperimentResult) -> tuple[str, list[str]]:
    headline = business_sentence(r, r.spec.primary, r.primary, r.best())
    details = [detail_line(r, r.primary, c) for c in r.primary.comparisons]
    for g in r.guardrails:
        details += [f"Guardrail {detail_line(r, g, c)}" for c in g.comparisons]
    return headline, details


def _comparison_facts(r: ExperimentResult, result: MetricResult, c: Comparison) -> dict[str, Any]:
    low, high = interval(c, r.basis)
    r_low, r_high = relative_interval(c, _arm(result, c.control), r.basis)
    return {
        "metric": result.name,
        "variant": c.variant,
        "control": c.control,
        "label": r.spec.label(c.variant),
        "absolute_lift": c.lift.estimate,
        "ci_low": c.lift.ci_low,
        "ci_high": c.lift.ci_high,
        "relative_lift": c.lift.relative,
        "relative_ci_low": c.lift.relative_ci_low,
        "relative_ci_high": c.lift.relative_ci_high,
        "p_value": c.lift.p_value,
        "p_value_holm": c.p_value_adjusted,
        "decision_ci_low": low,
        "decision_ci_high": high,
        "decision_relative_ci_low": r_low,
        "decision_relative_ci_high": r_high,
        "decision_p_value": basis_p(c, r.basis),
        "significant": significant(c, r.spec.alpha, r.basis),
        "chance_to_beat_control": c.chance_to_beat_control,
        "expected_loss": c.expected_loss,
        "sequential_ci_low": c.sequential.ci_low,
        "sequential_ci_high": c.sequential.ci_high,
        "sequential_p_value": c.sequential.p_value,
        "unadjusted_absolute_lift": c.unadjusted.estimate,
        "cuped_theta": c.cuped_theta,
        "variance_reduction": c.variance_reduction,
        "better": c.better,
        "guardrail_p_holm": c.guardrail_p,
        "good_direction": result.good_direction,
        "kind": result.kind,
        "treated_mean": _arm(result, c.variant).mean,
        "control_mean": _arm(result, c.control).mean,
    }


TOP_KEYS = (
    "absolute_lift",
    "ci_low",
    "ci_high",
    "relative_lift",
    "relative_ci_low",
    "relative_ci_high",
    "p_value",
    "decision_ci_low",
    "decision_ci_high",
    "decision_relative_ci_low",
    "decision_relative_ci_high",
    "decision_p_value",
    "chance_to_beat_control",
    "expected_loss",
)


def result_facts(r: ExperimentResult) -> dict[str, Any]:
    """The JSON form: the best treatment's primary numbers at the top level, everything else below."""
    from soloml.experiments.paragraph import plain_paragraph

    spec, best = r.spec, r.best()
    top = _comparison_facts(r, r.primary, best)
    facts: dict[str, Any] = {
        "experiment": spec.name,
        "description": spec.description,
        "unit": spec.unit,
        "unit_plural": spec.unit_plural,
        "headline": r.headline,
        "decision": r.decision,
        "decision_words": r.verdict.words(spec),
        "variants": [
            {
                "variant": v.variant,
                "label": spec.label(v.variant),
                "units": v.units,
                "mean": v.mean,
                "sd": v.sd,
                "total": v.total,
            }
            for v in r.primary.variants
        ],
        **{k: top[k] for k in TOP_KEYS},
        "best_variant": best.variant,
        "best_label": spec.label(best.variant),
        "control": spec.control_variant,
        "control_label": spec.label(spec.control_variant),
        "metric": r.primary.name,
        "kind": r.primary.kind,
        "alpha": spec.alpha,
        "significant": top["significant"],
        "interval_basis": r.basis,
        "early_look": not r.final,
        "final": r.final,
        "srm_checked": r.srm is not None,
        "srm_p_value": None if r.srm is None else r.srm.p_value,
        "srm_mismatch": bool(r.srm and r.srm.mismatch),
        "units": r.units,
        "start": spec.start,
        "end": spec.end,
        "today": r.today,
        "exposed_from": r.exposed_from,
        "exposed_to": r.exposed_to,
        "source": r.source,
        "comparisons": [_comparison_facts(r, r.primary, c) for c in r.primary.comparisons],
        "guardrails": [_comparison_facts(r, g, c) for g in r.guardrails for c in g.comparisons],
        "details": list(r.details),
        "warnings": list(r.warnings),
    }
    facts["paragraph"] = plain_paragraph(facts)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in facts.items()}

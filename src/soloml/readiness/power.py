"""Can we prove it? Before training: how long the A/B test that proves the model's impact would take.

The test's units arrive at the contract's capacity (units a day = capacity / days per cycle, as
`soloml experiment design PROJECT` counts them). Its base rate is the outcome rate among the rows
today's rule picks first on the latest snapshot (the overall rate when there is no rule). With an
agreed success rate, the effect is that share of the base rate (fewer churners, more conversions);
without one, soloml assumes no effect and says the smallest effect a test of HORIZON_WEEKS could detect.
The sample size is the experiment design's (soloml.experiments.design), handed in through the Toolkit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from soloml.errors import SolomlError
from soloml.features.trainingset import LABEL, TrainingSet
from soloml.projects.spec import ProjectSpec
from soloml.readiness.findings import DAYS_PER_MONTH, Finding, Fix, Needed
from soloml.readiness.today_rule import CYCLE_DAYS, latest_rows, rule_hit_rate

WEEKS_OK = 26
HORIZON_WEEKS = 8
LOWER_IS_BETTER = ("churn",)
CYCLE_NOUN = {"daily": "day", "weekly": "week", "monthly": "month"}
ENTITY_PLURAL = {"customer": "customers", "contact": "contacts", "row": "rows"}


def check_power(
    ts: TrainingSet, spec: ProjectSpec, design: Callable[..., Any], *, now: datetime
) -> tuple[Finding, ...]:
    if ts.task != "binary":
        return ()
    b = spec.business
    per_day = b.capacity / CYCLE_DAYS[b.cycle]
    pace = f"{b.capacity:,} {ENTITY_PLURAL.get(spec.entity, 'units')} a {CYCLE_NOUN[b.cycle]}"
    picked = rule_hit_rate(ts, spec)
    if picked is not None and 0 < picked[0] < 1:
        base, where = picked[0], "among those today's rule picks first"
    else:
        base, where = float(latest_rows(ts)[LABEL].astype(float).mean()), "on the latest snapshot"
    if not 0 < base < 1:
        return (
            Finding(
                "power",
                "note",
                spec.name,
                f"The outcome rate {where} is {base:.0%}, so no A/B test of it can be planned yet.",
                Fix("Check again when both outcomes occur.", command=f"soloml check {spec.name}"),
            ),
        )
    down = spec.recipe in LOWER_IS_BETTER
    figures: dict[str, Any] = {"base_rate": round(base, 4), "base_rate_from": where, "units_per_day": round(per_day, 3)}
    if "success_rate" not in b.model_fields_set:
        return (_without_effect(spec, design, base, down, per_day, pace, where, figures),)
    effect = base * b.success_rate * (-1 if down else 1)
    target = min(max(base + effect, 0.001), 0.999)
    try:
        plan = design("conversion", baseline_rate=base, mde=target - base, units_per_day=per_day, pace_source=pace)
    except SolomlError as exc:
        return (
            Finding(
                "power",
                "note",
                spec.name,
                f"No A/B test can be planned from the contract: {exc.message}",
                Fix(exc.hint or "Check business.success_rate in the project file.", file=f"projects/{spec.name}.yaml"),
            ),
        )
    weeks = plan.days / 7
    figures.update(
        target_rate=round(target, 4),
        per_group=plan.n_per_arm,
        total=plan.total,
        weeks=round(weeks, 1),
        power=plan.power,
    )
    change = (
        f"from {base:.1%} to {target:.1%} {where} (the contract's success rate, {b.success_rate:.0%}, of {base:.1%})"
    )
    words = (
        f"Can we prove it? An A/B test sees a change {change} with {plan.power:.0%} power after {plan.n_per_arm:,} per group "
        f"({plan.total:,} in all): about {max(1, round(weeks))} weeks at {pace}."
    )
    if weeks <= WEEKS_OK:
        return (Finding("power", "ok", spec.name, words, figures=figures),)
    needed = Needed(
        plan.total,
        "customers in the test" if spec.entity == "customer" else "units in the test",
        0,
        per_day * DAYS_PER_MONTH,
        now.date(),
    )
    fix = Fix(
        f"Raise business.capacity in projects/{spec.name}.yaml if more can be acted on, or accept that proving it takes this long.",
        file=f"projects/{spec.name}.yaml",
        column="business.capacity",
    )
    return (
        Finding("power", "wait", spec.name, words + f" That is longer than {WEEKS_OK} weeks.", fix, needed, figures),
    )


def _without_effect(
    spec: ProjectSpec,
    design: Callable[..., Any],
    base: float,
    down: bool,
    per_day: float,
    pace: str,
    where: str,
    figures: dict[str, Any],
) -> Finding:
    units = per_day * 7 * HORIZON_WEEKS
    smallest = smallest_effect(design, base, units, down)
    file = f"projects/{spec.name}.yaml"
    fix = Fix(
        f"Agree with the stakeholder how many of those acted on the action wins (business.success_rate in {file}).",
        command=f"soloml interview {spec.name}",
        file=file,
        column="business.success_rate",
    )
    if smallest is None:
        words = f"Can we prove it? In {HORIZON_WEEKS} weeks at {pace} ({units:,.0f} in the test) no change of the {base:.1%} rate {where} could be seen."
        return Finding("power", "note", spec.name, words, fix, figures=figures)
    figures.update(weeks=HORIZON_WEEKS, smallest_change=round(smallest, 4))
    words = (
        f"Can we prove it? No success rate is agreed, so none is assumed: in {HORIZON_WEEKS} weeks at {pace} ({units:,.0f} in the test) "
        f"an A/B test can see the {base:.1%} rate {where} move by {smallest * 100:.1f} points or more."
    )
    return Finding("power", "note", spec.name, words, fix, figures=figures)


def smallest_effect(design: Callable[..., Any], base: float, units: float, down: bool) -> float | None:
    """The smallest absolute change of `base` a test of `units` (both groups) detects with the design's power; None if none can."""
    room = (base - 0.001) if down else (0.999 - base)
    sign = -1 if down else 1

    def fits(effect: float) -> bool:
        try:
            return bool(design("conversion", baseline_rate=base, mde=sign * effect).total <= units)
        except SolomlError:
            return False

    if room <= 0 or not fits(room):
        return None
    lo, hi = 0.0, room
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if fits(mid) else (mid, hi)
    return hi

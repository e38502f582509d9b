"""The interview's answers translated into a spec, and the contract in plain words the stakeholder confirms.

The done line for a yes/no recipe is the precision at capacity at which the action pays for itself:

    break_even = cost_per_action / (value_per_success x success_rate)
    done       = max(break_even, today_rule_precision x (1 + min_lift_over_rule))

(`today_rule_precision` is the stakeholder's estimate of how often today's rule picks the right
people; when unknown, the lift over today's rule is still required, measured by the modeling stage
on the same validation rows.) For spend, the done line is the average error the stakeholder can
live with (MAE in money). The translation is pure; only `write_project` writes (projects/<name>.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from soloml.config import format_validation_error
from soloml.errors import ConfigError
from soloml.projects.questions import InterviewAnswers
from soloml.projects.recipes import EVENT_RECIPES, population_words
from soloml.projects.spec import (
    BusinessValue,
    Cutoffs,
    DoneThreshold,
    ForecastSettings,
    Label,
    ProjectSpec,
    Recipe,
    TodayRule,
    save_spec,
)

QUARTER = {"month": 3, "week": 13}
MISSES_OK = 0.2


RULE_WORDS = {
    "order": "days_since_last_order",
    "purchase": "days_since_last_activity",
    "activity": "days_since_last_activity",
    "payment": "days_since_last_payment",
    "visit": "days_since_last_activity",
}
NO_X_IN_N_DAYS = re.compile(
    r"no (order|purchase|activity|payment|visit)s? (?:in|for|within) (?:the last |the past )?(\d+) days", re.IGNORECASE
)


@dataclass(frozen=True)
class Contract:
    """The translated spec and the plain-words contract for the stakeholder to confirm."""

    spec: ProjectSpec
    break_even: float | None
    lines: tuple[str, ...]


def break_even_precision(cost_per_action: float, value_per_success: float, success_rate: float) -> float:
    """Share of acted-on entities that must be right for the action to pay: cost / (value x success_rate)."""
    if value_per_success <= 0:
        return float("inf")
    return cost_per_action / (value_per_success * success_rate)


def done_line(answers: InterviewAnswers) -> float:
    """max(break-even precision, today's rule precision x (1 + min lift)), rounded to 4 places."""
    line = break_even_precision(answers.cost_per_action, answers.value_per_success, answers.success_rate)
    if answers.today_rule_precision is not None:
        line = max(line, answers.today_rule_precision * (1 + answers.min_lift_over_rule))
    return round(line, 4)


def rule_expression(text: str, recipe: Recipe) -> str | None:
    """SQL for common ways people state today's rule ('no order in 60 days'); None when not understood."""
    match = NO_X_IN_N_DAYS.search(text)
    if match:
        return f"coalesce({RULE_WORDS[match.group(1).lower()]}, 365) >= {int(match.group(2))}"
    lowered = text.lower()
    if "failed payment" in lowered:
        return "failed_payments_90d"
    if "spent the most" in lowered or "biggest spender" in lowered:
        return "revenue_365d"
    return None


def spec_from_answers(answers: InterviewAnswers | dict) -> Contract:
    """Turn interview answers into a validated ProjectSpec plus its contract in plain words."""
    if isinstance(answers, dict):
        try:
            answers = InterviewAnswers.model_validate(answers)
        except ValidationError as exc:
            raise ConfigError(f"Interview answers: {format_validation_error(exc)}") from exc
    a = answers
    if a.recipe == "table" and not (a.source_table and a.target):
        raise ConfigError(
            "Interview answers: the table recipe needs 'source_table' and 'target'.",
            hint="Add both keys to the answers.",
        )
    regression = a.recipe in ("spend", "forecast")
    break_even = None
    forecast = None
    if a.recipe != "forecast" and (a.capacity is None or a.value_per_success is None):
        missing = "capacity" if a.capacity is None else "value_per_success"
        raise ConfigError(
            f"Interview answers: key '{missing}' is required for the {a.recipe} recipe "
            f"({'how many you can act on per cycle' if missing == 'capacity' else 'what one success is worth, in money'}).",
            hint=f"Add e.g. {missing}: {100 if missing == 'capacity' else 180}.",
        )
    if a.recipe == "forecast" and _forecast_answered(a):
        forecast, done = _forecast_block(a)
        metric = done.metric
    elif regression:
        if a.acceptable_error is None:
            raise ConfigError(
                f"Interview answers: key 'acceptable_error' is required for the {a.recipe} recipe: the average error "
                "(in money for spend, as a share for forecast) at which the prediction is still useful.",
                hint="Add e.g. acceptable_error: 25.",
            )
        metric = "mae" if a.recipe == "spend" else "mape"
        done = DoneThreshold(metric=metric, value=a.acceptable_error, min_lift_over_rule=a.min_lift_over_rule)
    else:
        break_even = break_even_precision(a.cost_per_action, a.value_per_success, a.success_rate)
        if break_even >= 1:
            raise ConfigError(
                f"Interview answers: an action costs {a.cost_per_action:g} {a.currency} but a success is worth at most "
                f"{a.value_per_success * a.success_rate:g} {a.currency} (value_per_success x success_rate), so even perfect "
                "targeting loses money.",
                hint="Lower cost_per_action, or revisit value_per_success / success_rate with the stakeholder.",
            )
        metric = "precision_at_capacity"
        done = DoneThreshold(metric=metric, value=done_line(a), min_lift_over_rule=a.min_lift_over_rule)
    recipe = EVENT_RECIPES.get(a.recipe)
    today = None
    if a.today_rule or a.today_rule_expression:
        expression = a.today_rule_expression or rule_expression(a.today_rule or "", a.recipe)
        if expression is None and recipe is not None:
            expression = recipe.today_rule_expression
        if expression is not None:
            today = TodayRule(description=a.today_rule or expression, expression=expression)
    elif recipe is not None:
        today = TodayRule(description=recipe.today_rule_description, expression=recipe.today_rule_expression)
    definition = (
        recipe.label_definition if recipe else (f"the value of '{a.target}'" if a.target else "the series value")
    )
    definition = definition.replace("within the horizon", f"within {a.horizon_days} days after the snapshot")
    try:
        spec = ProjectSpec(
            name=a.name,
            question=a.question or _question(a),
            decision=a.decision,
            stakeholder=a.stakeholder,
            owner=a.owner,
            recipe=a.recipe,
            entity={"conversion": "contact", "table": "row", "forecast": "series"}.get(a.recipe, "customer"),
            label=Label(definition=definition, horizon_days=a.horizon_days, target=a.target),
            cutoffs=Cutoffs(time_column=a.time_column, **_schedule(a)),
            metric=metric,
            business=BusinessValue(
                value_per_success=a.value_per_success,
                cost_per_action=a.cost_per_action,
                capacity=a.capacity or 1,
                cycle=a.cycle,
                success_rate=a.success_rate,
                currency=a.currency,
            ),
            today_rule=today,
            done=done,
            deadline=a.deadline,
            source_table=a.source_table,
            population=a.population,
            forecast=forecast,
        )
    except ValidationError as exc:
        raise ConfigError(f"Interview answers: {format_validation_error(exc)}") from exc
    return Contract(spec, break_even, tuple(contract_lines(spec, break_even)))


def _forecast_answered(a: InterviewAnswers) -> bool:
    return any(
        v is not None
        for v in (a.forecast_what, a.forecast_by, a.plan_every, a.plan_ahead, a.miss_tolerance, a.miss_cost)
    )


def _forecast_block(a: InterviewAnswers) -> tuple[ForecastSettings, DoneThreshold]:
    """The forecast: block and its done line. A miss with a cost -> metric miss_cost, done at `misses_ok` of periods
    missed (cost per period); without a cost -> WAPE, done at the miss the plan tolerates (or acceptable_error)."""
    frequency = a.plan_every or "month"
    tolerance = a.miss_tolerance if a.miss_tolerance is not None else 0.1
    block = ForecastSettings(
        series=a.forecast_what or "revenue",
        by=a.forecast_by or [],
        frequency=frequency,
        horizon=a.plan_ahead or QUARTER[frequency],
        miss_tolerance=tolerance,
        miss_cost=a.miss_cost,
    )
    if a.miss_cost is not None:
        share = a.misses_ok if a.misses_ok is not None else MISSES_OK
        return block, DoneThreshold(
            metric="miss_cost", value=round(a.miss_cost * share, 2), min_lift_over_rule=a.min_lift_over_rule
        )
    line = a.acceptable_error if a.acceptable_error is not None else tolerance
    return block, DoneThreshold(metric="wape", value=line, min_lift_over_rule=a.min_lift_over_rule)


def _schedule(a: InterviewAnswers) -> dict:
    """The cutoff schedule answers that were given (the rest keep the spec's defaults)."""
    return {k: v for k, v in (("every", a.cutoff_every), ("lookback_months", a.lookback_months)) if v is not None}


def _question(a: InterviewAnswers) -> str:
    return {
        "churn": "Which customers are about to stop buying or cancel?",
        "buy_again": "Which customers will buy again soon?",
        "conversion": "Which leads will become paying customers?",
        "spend": "How much will each customer spend?",
        "forecast": "What will the series be in the coming periods?",
    }.get(a.recipe, f"What will '{a.target}' be for each row?")


def _money(x: float, currency: str) -> str:
    return f"${x:,.0f}" if currency == "USD" else f"{x:,.0f} {currency}"


def contract_lines(spec: ProjectSpec, break_even: float | None) -> list[str]:
    """The agreement in words a stakeholder can confirm."""
    b = spec.business
    per = {"daily": "day", "weekly": "week", "monthly": "month"}[b.cycle]
    lines = [
        f"Question: {spec.question}",
        f"We predict, for each {spec.entity} on the snapshot date: {spec.label.definition}.",
        f"Each {per} we act on the {b.capacity} ranked highest: {spec.decision}.",
    ]
    if break_even is not None:
        lines.append(
            f"One action costs {_money(b.cost_per_action, b.currency)}; one success is worth {_money(b.value_per_success, b.currency)}"
            f" and the action wins {b.success_rate:.0%} of the right people, so it pays for itself when at least"
            f" {break_even:.1%} of those we act on are right ({b.cost_per_action:g} / ({b.value_per_success:g} x {b.success_rate:g}))."
        )
        lines.append(
            f"Done means: of the {b.capacity} picked each {per}, at least {spec.done.value:.1%} are right (precision at capacity)."
        )
    elif spec.recipe == "forecast" and spec.forecast is not None:
        lines.extend(forecast_lines(spec))
    else:
        lines.append(
            f"Done means: {spec.done.metric} at most {spec.done.value:g} on recent data held back from training."
        )
    if spec.today_rule is not None:
        lines.append(
            f"Today's rule to beat: '{spec.today_rule.description}'; the model must do at least"
            f" {spec.done.min_lift_over_rule:.0%} better on the same customers."
        )
    if spec.deadline:
        lines.append(f"Needed by {spec.deadline:%d %B %Y}.")
    if spec.recipe in EVENT_RECIPES:
        every = {"daily": "day", "weekly": "week", "monthly": "month"}[spec.cutoffs.every]
        lines.append(
            f"Who is scored: {population_words(spec)}. Trained on snapshots taken every {every} "
            f"over the last {spec.cutoffs.lookback_months} months."
        )
    lines.append(f"Stakeholder: {spec.stakeholder}; owner: {spec.owner}.")
    return lines


def forecast_lines(spec: ProjectSpec) -> list[str]:
    """A forecast's agreement: what, how often and how far ahead, and the done line in the business's terms."""
    f, b = spec.forecast, spec.business
    assert f is not None
    split = f" by {', '.join(f.by)}" if f.by else ""
    out = [
        f"We forecast {f.series.replace('_', ' ')}{split} per {f.frequency}, {f.horizon} {f.frequency}s ahead, with {f.level:.0%} ranges."
    ]
    if spec.done.metric == "miss_cost":
        out.append(
            f"A {f.frequency} off by more than {f.miss_tolerance:.0%} costs {_money(f.miss_cost or 0, b.currency)}. Done means: misses cost at most "
            f"{_money(spec.done.value, b.currency)} a {f.frequency} on average over the backtest, and clearly less than 'same {f.frequency} last year'."
        )
    else:
        out.append(
            f"Done means: over the backtest the forecasts miss by at most {spec.done.value:.0%} on average (WAPE), "
            f"and clearly less than 'same {f.frequency} last year'."
        )
    return out


def write_project(
    answers: InterviewAnswers | dict, projects_dir: Path, *, force: bool = False
) -> tuple[Contract, Path]:
    """Translate answers and write projects/<name>.yaml; an existing different spec needs `force`."""
    contract = spec_from_answers(answers)
    path = projects_dir / f"{contract.spec.name}.yaml"
    if path.exists() and not force and path.read_text(encoding="utf-8") != contract.spec.to_yaml():
        raise ConfigError(
            f"{path} already exists with a different spec.",
            hint="Pass --force to replace it (the change becomes a new spec version), or choose another name.",
        )
    return contract, save_spec(contract.spec, projects_dir)

"""The interview: questions about the decision (before the data), and their pure translation into a spec.

The done line for a yes/no recipe is the precision at capacity at which the action pays for itself:

    break_even = cost_per_action / (value_per_success x success_rate)
    done       = max(break_even, today_rule_precision x (1 + min_lift_over_rule))

(`today_rule_precision` is the stakeholder's estimate of how often today's rule picks the right
people; when unknown, the lift over today's rule is still required, measured by the modeling stage
on the same validation rows.) For spend, the done line is the average error the stakeholder can
live with (MAE in money).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from soloml.config import format_validation_error
from soloml.errors import ConfigError
from soloml.projects.recipes import EVENT_RECIPES, population_words
from soloml.projects.spec import (
    CUSTOMER_RECIPES,
    BusinessValue,
    Cadence,
    Cutoffs,
    DoneThreshold,
    ForecastSettings,
    Label,
    Population,
    ProjectSpec,
    Recipe,
    TodayRule,
    save_spec,
)


class InterviewAnswers(BaseModel):
    """What the stakeholder said, in their words and numbers (the `--answers FILE.yaml` format)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., pattern=r"^[a-z][a-z0-9_\-]*$")
    recipe: Recipe = "churn"
    question: str | None = None
    decision: str = Field(..., description="What will you do differently for the people the model picks?")
    stakeholder: str = "(not set)"
    owner: str = "(not set)"
    capacity: int | None = Field(
        None, ge=1, description="How many can you act on per cycle? (not asked for a forecast)"
    )
    cycle: Cadence = "weekly"
    value_per_success: float | None = Field(
        None, ge=0, description="What is one success worth (margin, in money)? (not asked for a forecast)"
    )
    cost_per_action: float = Field(0.0, ge=0, description="What does one action cost?")
    success_rate: float = Field(
        1.0, gt=0, le=1, description="Of the right people acted on, what share does the action win?"
    )
    today_rule: str | None = Field(None, description="How do you decide today?")
    today_rule_expression: str | None = Field(
        None, description="SQL over feature columns, when the words cannot be read."
    )
    today_rule_precision: float | None = Field(
        None, ge=0, le=1, description="How often today's rule picks right, if known."
    )
    min_lift_over_rule: float = Field(
        0.1, ge=0, description="How much better than today must the model be (0.1 = 10%)?"
    )
    horizon_days: int = Field(60, ge=1, le=3650, description="Within how many days must the outcome happen?")
    deadline: date | None = None
    currency: str = "USD"
    acceptable_error: float | None = Field(
        None, gt=0, description="spend/forecast: the average error you can live with."
    )
    source_table: str | None = None
    target: str | None = None
    time_column: str | None = None
    population: Population | None = Field(
        None, description="churn/buy_again/spend: 'all_customers', or N: who bought in the last N days."
    )
    cutoff_every: Cadence | None = Field(
        None, description="Training snapshots every day, week or month (default month)."
    )
    lookback_months: int | None = Field(
        None, ge=1, le=120, description="How many months of history to take snapshots over (default 18)."
    )
    # forecast: what, by what, how the plan is made, what a miss costs (-> the spec's forecast: block and done line)
    forecast_what: Literal["revenue", "orders", "new_customers", "units"] | None = Field(
        None, description="forecast: what to forecast."
    )
    forecast_by: list[str] | None = Field(
        None, description="forecast: one series per value of these (product, channel, location)."
    )
    plan_every: Literal["month", "week"] | None = Field(
        None, description="forecast: how often you plan (the forecast's frequency)."
    )
    plan_ahead: int | None = Field(
        None, ge=1, le=104, description="forecast: how many of those periods ahead you plan (default: a quarter)."
    )
    miss_tolerance: float | None = Field(
        None, gt=0, lt=10, description="forecast: a miss of more than this share hurts the plan (e.g. 0.1)."
    )
    miss_cost: float | None = Field(None, ge=0, description="forecast: what one such missed period costs, in money.")
    misses_ok: float | None = Field(
        None, ge=0, le=1, description="forecast: share of periods that may miss and the plan still works (default 0.2)."
    )

    @field_validator("forecast_by", mode="before")
    @classmethod
    def _by_words(cls, v: object) -> object:
        """'product, channel' -> ['product', 'channel']; blank -> none."""
        if isinstance(v, str):
            return [p.strip() for p in v.split(",") if p.strip()] or None
        return v

    @field_validator("population", mode="before")
    @classmethod
    def _population_words(cls, v: object) -> object:
        """'all' / 'all customers' -> all_customers; a number N -> active within N days."""
        text = str(v).strip().lower() if isinstance(v, str | int) and not isinstance(v, bool) else None
        if text is None or text == "":
            return None if text == "" else v
        if text.replace(" ", "_") in ("all", "all_customers"):
            return "all_customers"
        return {"active_within_days": int(text)} if text.isdigit() else v


# (key, question) in the order the interactive interview asks them.
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("recipe", "Which pattern is this: churn, buy_again, conversion, spend, table or forecast?"),
    ("decision", "What will you do differently for the people the model picks?"),
    ("stakeholder", "Who decides whether this is worth doing (name or role)?"),
    ("owner", "Who builds and runs it?"),
    ("capacity", "How many can you act on per cycle?"),
    ("cycle", "How often does that capacity renew: daily, weekly or monthly?"),
    ("value_per_success", "What is one success worth, in money (e.g. a saved customer's margin)?"),
    ("cost_per_action", "What does one action cost (a call, a discount, a gift)?"),
    ("success_rate", "Of the right people you act on, what share does the action actually win (0-1)?"),
    ("today_rule", "How do you decide today (e.g. 'no order in 60 days')?"),
    ("horizon_days", "Within how many days must the outcome happen to count?"),
    ("deadline", "By when do you need it (YYYY-MM-DD, blank for none)?"),
)

# Asked right after the recipe, for the recipes they apply to (population: churn, buy_again, spend).
POPULATION_QUESTION = (
    "population",
    "Who is scored at each snapshot: customers who bought in the last N days (type N), or all customers (type all)? "
    "Blank: the recipe's default ({default} days).",
)
SCHEDULE_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("cutoff_every", "Take a training snapshot every day, week or month? Blank: month."),
    ("lookback_months", "Over how many months of history? Blank: 18."),
)
OWN_QUESTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "table": (
        ("source_table", "Which table or file holds the rows (e.g. raw.accounts)?"),
        ("target", "Which column is the target?"),
        ("time_column", "Which column holds each row's date (blank for none)?"),
    ),
    "spend": (("acceptable_error", "What average error (in money) is still useful?"),),
    "forecast": (
        ("forecast_what", "What do you want to forecast: revenue, orders, new_customers or units?"),
        ("forecast_by", "Split by what (e.g. product, channel; blank for one total)?"),
        ("plan_every", "How often do you plan: month or week?"),
        ("plan_ahead", "How many of those periods ahead do you plan (blank: a quarter, 3 months or 13 weeks)?"),
        ("miss_tolerance", "A forecast off by more than what share hurts the plan (e.g. 0.1 for 10%)?"),
        (
            "miss_cost",
            "What does one period missed by more than that cost you, in money (blank: judge by the average miss)?",
        ),
    ),
}
# Asked of every recipe but a forecast (a forecast acts on no ranked list).
NOT_FOR_FORECAST = (
    "capacity",
    "cycle",
    "value_per_success",
    "cost_per_action",
    "success_rate",
    "today_rule",
    "horizon_days",
)
QUARTER = {"month": 3, "week": 13}
MISSES_OK = 0.2


def recipe_questions(recipe: str) -> tuple[tuple[str, str], ...]:
    """The (key, question) pairs asked after the recipe is chosen: its own, then who is scored and the snapshots."""
    own = OWN_QUESTIONS.get(recipe, ())
    if recipe not in EVENT_RECIPES:
        return own
    who = ()
    if recipe in CUSTOMER_RECIPES:
        who = (
            (POPULATION_QUESTION[0], POPULATION_QUESTION[1].format(default=EVENT_RECIPES[recipe].active_within_days)),
        )
    return (*own, *who, *SCHEDULE_QUESTIONS)


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


def load_answers(path: Path) -> dict:
    """Read an answers YAML file (the `--answers` format: the keys of InterviewAnswers)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"Cannot read answers file {path}: {exc.strerror}.", hint="Check the path.") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"Answers file {path} is not valid YAML: {exc}.") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"Answers file {path} must hold a mapping of answers (key: value).")
    return raw


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

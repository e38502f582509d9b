"""The interview's questions about the decision (asked before the data), and the form their answers take.

`QUESTIONS` are asked of every recipe (those in `NOT_FOR_FORECAST` of all but a forecast), then
`recipe_questions(recipe)`; the answers, typed in or read from `--answers FILE.yaml` (`load_answers`),
validate as `InterviewAnswers`. Their translation into a spec is in projects/contract.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from soloml.errors import ConfigError
from soloml.projects.recipes import EVENT_RECIPES
from soloml.projects.spec import CUSTOMER_RECIPES, Cadence, Population, Recipe


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

"""The project spec: the requirements contract every later stage reads.

One YAML per project (`projects/<name>.yaml`). Training, reports, the A/B design and
monitoring all take their targets from it; its hash is recorded with every model.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer, model_validator

from soloml.config import find_named_yaml, load_yaml_model
from soloml.errors import ConfigError

Recipe = Literal["churn", "conversion", "spend", "forecast", "table", "buy_again"]
Metric = Literal[
    "roc_auc",
    "pr_auc",
    "log_loss",
    "precision_at_capacity",
    "rmse",
    "mae",
    "mape",
    "multi_logloss",
    "accuracy",
    "mase",
    "wape",
    "miss_cost",
]
Entity = Literal["customer", "contact", "row", "series"]
Cadence = Literal["daily", "weekly", "monthly"]


class Label(BaseModel):
    """What we predict, and over which window after the cutoff."""

    model_config = ConfigDict(extra="forbid")

    definition: str = Field(..., description="Plain words, e.g. 'no payment or order in the next 60 days'.")
    horizon_days: int = Field(60, ge=1, le=3650, description="Days after the cutoff the label looks at.")
    target: str | None = Field(None, description="table recipe: the target column.")
    positive: str | None = Field(
        None, description="table recipe, two-valued target: the value that counts as the event (e.g. 'bad')."
    )


class Cutoffs(BaseModel):
    """When to take snapshots for training: every `every` over the last `lookback_months`."""

    model_config = ConfigDict(extra="forbid")

    every: Cadence = "monthly"
    lookback_months: int = Field(18, ge=1, le=120)
    time_column: str | None = Field(None, description="table recipe: the column holding each row's date, if any.")


class Population(BaseModel):
    """Who is scored at each cutoff (churn, buy_again, spend). In YAML one of two forms:
    `population: all_customers` (everyone who bought before the cutoff, lapsed customers included) or
    `population: {active_within_days: N}` (who bought in the N days before it). Unset: the recipe's
    default (churn 90 days, buy_again and spend 365)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    active_within_days: int | None = Field(
        None, ge=1, le=3650, description="Days before the cutoff a purchase makes a customer active."
    )
    all_customers: bool = False

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, v: object) -> object:
        if v == "all_customers":
            return {"all_customers": True}
        if not isinstance(v, dict | Population):
            raise ValueError(f"Input should be 'all_customers' or a mapping {{active_within_days: N}} (got {v!r})")
        return v

    @model_validator(mode="after")
    def _one_form(self) -> Population:
        if self.all_customers == (self.active_within_days is not None):
            raise ValueError("give either 'all_customers' or {active_within_days: N}")
        return self

    @model_serializer
    def _dump(self) -> str | dict[str, int]:
        return "all_customers" if self.all_customers else {"active_within_days": int(self.active_within_days or 0)}


CUSTOMER_RECIPES = ("churn", "buy_again", "spend")


class BusinessValue(BaseModel):
    """What acting on a prediction is worth, in the business's money."""

    model_config = ConfigDict(extra="forbid")

    value_per_success: float | None = Field(
        None,
        ge=0,
        description="What one correct action is worth (e.g. a saved customer's margin); unset: no money figures (`soloml interview` asks).",
    )
    cost_per_action: float = Field(0.0, ge=0, description="What one action costs (a call, a discount).")
    capacity: int = Field(..., ge=1, description="How many entities can be acted on per cycle.")
    cycle: Cadence = Field("weekly", description="How often the capacity renews.")
    success_rate: float = Field(
        1.0, gt=0, le=1, description="Share of correctly targeted entities the action actually saves/converts."
    )
    currency: str = "USD"


class TodayRule(BaseModel):
    """How the decision is made today: the heuristic baseline the model must beat."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(..., description="Plain words, e.g. 'no order in 60 days'.")
    expression: str = Field(
        ..., description="SQL over the training set's feature columns; higher (or true) means act first."
    )


class DoneThreshold(BaseModel):
    """The 'done' line: when met on validation, stop and ship."""

    model_config = ConfigDict(extra="forbid")

    metric: Metric = "precision_at_capacity"
    value: float = Field(..., description="The metric value at which the action pays for itself.")
    min_lift_over_rule: float = Field(
        0.0, ge=0, description="Required relative improvement over today's rule (0.1 = 10%)."
    )


FORECAST_METRICS = ("mase", "wape", "mape", "miss_cost")
FORECAST_ONLY_METRICS = ("mase", "wape", "miss_cost")


class ForecastSettings(BaseModel):
    """recipe: forecast. What series, at which frequency, how far ahead; the done line stays in `done`
    (metric mase / wape / mape / miss_cost, judged on the backtest against seasonal naive)."""

    model_config = ConfigDict(extra="forbid")

    series: Literal["revenue", "orders", "new_customers", "units", "table"] = "revenue"
    by: list[str] = Field(
        default_factory=list,
        description="One series per value of these columns (product, channel; any columns of a table).",
    )
    table: str | None = Field(None, description="series: table — the warehouse table or file holding the rows.")
    date_column: str | None = None
    value_column: str | None = None
    agg: Literal["sum", "mean"] = Field("sum", description="How rows in one period combine (table series).")
    frequency: Literal["day", "week", "month", "quarter"] | None = Field(
        None, description="Default: month for core series, inferred for tables."
    )
    horizon: int | None = Field(
        None, ge=1, le=400, description="Periods ahead; default: label.horizon_days in periods."
    )
    level: float = Field(0.8, ge=0.5, le=0.99, description="Coverage of the prediction intervals.")
    miss_tolerance: float = Field(
        0.1, gt=0, lt=10, description="miss_cost: a period is a miss when off by more than this share."
    )
    miss_cost: float | None = Field(
        None, ge=0, description="miss_cost: what one missed period costs, in the business's currency."
    )
    models: list[str] = Field(
        default_factory=list,
        description="Candidates to consider (default: soloml's choice; 'prophet' needs soloml[prophet]).",
    )
    holidays: list[date] = Field(
        default_factory=list, description="Dates the LightGBM global model sees as a calendar feature."
    )
    write_to: list[str] = Field(
        default_factory=list,
        description="Write-back targets of every forecast: .csv/.parquet files or database URLs "
        "(table soloml_<project>_forecasts), as `soloml score --to`.",
    )


class ProjectSpec(BaseModel):
    """One ML project, as agreed with its stakeholder."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., pattern=r"^[a-z][a-z0-9_\-]*$", description="Lower-case name used in file and table names.")
    question: str
    decision: str = Field(..., description="What will be done differently with a prediction.")
    stakeholder: str
    owner: str
    recipe: Recipe
    entity: Entity = "customer"
    label: Label
    cutoffs: Cutoffs = Cutoffs()
    metric: Metric = "roc_auc"
    business: BusinessValue
    today_rule: TodayRule | None = None
    done: DoneThreshold
    deadline: date | None = None
    source_table: str | None = Field(None, description="table recipe: the warehouse table or file with the rows.")
    features_sql: list[str] = Field(
        default_factory=list, description="User SQL feature files (features/*.sql) to include."
    )
    features_exclude: list[str] = Field(default_factory=list, description="Built-in features to leave out.")
    population: Population | None = Field(
        None, description="churn/buy_again/spend: who is scored at each cutoff (default: the recipe's)."
    )
    # validation (modeling)
    test_from: date | None = Field(
        None, description="Judge on rows / cutoffs from this date on, train on the earlier ones (default: the latest)."
    )
    forecast: ForecastSettings | None = Field(
        None, description="recipe forecast: the series and its horizon (defaults: monthly revenue)."
    )

    @model_validator(mode="after")
    def _forecast_metric(self) -> ProjectSpec:
        forecast = self.recipe == "forecast"
        if (forecast and self.done.metric not in FORECAST_METRICS) or (
            not forecast and self.done.metric in FORECAST_ONLY_METRICS
        ):
            need = (
                "one of " + ", ".join(FORECAST_METRICS)
                if forecast
                else "a metric of a model, not mase, wape or miss_cost"
            )
            raise ValueError(f"done.metric '{self.done.metric}' does not fit recipe '{self.recipe}': it must be {need}")
        if (
            self.recipe == "forecast"
            and self.done.metric == "miss_cost"
            and (self.forecast is None or self.forecast.miss_cost is None)
        ):
            raise ValueError(
                "done.metric 'miss_cost' needs forecast.miss_cost: what one period missed by more than forecast.miss_tolerance costs"
            )
        return self

    @model_validator(mode="after")
    def _population_fits_recipe(self) -> ProjectSpec:
        if self.population is not None and self.recipe not in CUSTOMER_RECIPES:
            raise ValueError(
                f"population applies to the customer recipes ({', '.join(CUSTOMER_RECIPES)}), not to '{self.recipe}'; remove it"
            )
        return self

    @field_validator("source_table")
    @classmethod
    def _table_needs_name(cls, v: str | None) -> str | None:
        return v.strip() if v else v

    def spec_hash(self) -> str:
        """SHA-256 of the canonical JSON form; recorded with every model and training set."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(payload).hexdigest()

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json", exclude_none=True), sort_keys=False, allow_unicode=True)


def load_spec(path: Path | str) -> ProjectSpec:
    """Read and validate a project YAML; errors name the key and what is allowed."""
    return load_yaml_model(
        path,
        ProjectSpec,
        kind="project",
        missing_hint="Run `soloml interview NAME` to write one, or check the name.",
        docs="docs/projects.md",
    )


def save_spec(spec: ProjectSpec, projects_dir: Path) -> Path:
    projects_dir.mkdir(parents=True, exist_ok=True)
    path = projects_dir / f"{spec.name}.yaml"
    path.write_text(spec.to_yaml(), encoding="utf-8")
    return path


def find_spec(projects_dir: Path, name: str) -> ProjectSpec:
    """Load projects/<name>.yaml, with 'did you mean' over the projects that exist."""
    path = find_named_yaml(
        projects_dir,
        name,
        kind="project",
        plural="projects",
        error=ConfigError,
        hint="Run `soloml interview NAME` to create it.",
    )
    return load_spec(path)

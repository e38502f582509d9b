"""An experiment as a spec: `experiments/<name>.yaml`, validated by pydantic; errors name the key.

name: retention-offer
description: The retention offer to high-risk customers
unit: customer
salt: "2026-11"
variants: {control: 0.5, offer: 0.5}    # first one is the control unless `control:` says otherwise
project: churn                          # the model / decision it tests
primary:
  name: retained
  kind: conversion                      # conversion (0/1 per unit) or mean
  sql: SELECT customer_id AS unit_id, 1 AS value FROM core.payments WHERE paid_at >= '2026-12-01'
  unit_words: customers                 # with verb: "kept 37 more customers (95% CI ...)"
  verb: kept
  value_per_unit: 300                   # dollars one more unit of the metric is worth
guardrails: [...]                       # same shape as primary
start: 2026-12-01
end: 2026-12-31
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from soloml.config import find_named_yaml, load_yaml_model
from soloml.errors import ExperimentError, did_you_mean

MetricKind = Literal["conversion", "mean"]
Direction = Literal["increase", "decrease"]


class MetricSpec(BaseModel):
    """One metric per unit: SQL returning `unit_id, value [, covariate]`, or a CSV file with those columns."""

    model_config = ConfigDict(extra="forbid")

    name: str
    kind: MetricKind = "conversion"
    sql: str | None = Field(
        None,
        description="SQL over core/ops tables returning unit_id, value and optionally covariate (pre-period) and observed_at; may use $start and $end.",
    )
    csv: str | None = Field(
        None, description="A CSV file (relative to the workspace) with unit_id, value [, covariate] [, observed_at]."
    )
    column: str | None = Field(
        None, description="A column of the `analyze --from` source (an experiment split elsewhere)."
    )
    covariate: str | None = Field(None, description="With `column`: the source's pre-period column for CUPED.")
    missing_value: float | None = Field(
        None,
        description="Value for exposed units the metric does not list; default 0 for conversion, none (an error) for mean.",
    )
    unit_words: str | None = Field(
        None, description="What one unit of the metric is, in plain words, e.g. 'customers'."
    )
    verb: str = Field("gave", description="The verb of the business sentence: 'kept' -> 'kept 37 more customers'.")
    value_per_unit: float | None = Field(
        None, description="What one more unit of the metric is worth, in the currency."
    )
    currency: str | None = Field(
        None, description="The metric is an amount of money in this currency (USD, EUR, GBP ...): 'spent $2.45 more'."
    )
    good_direction: Direction = Field(
        "increase", description="Which way is better; guardrails alert on a significant move the other way."
    )

    @model_validator(mode="after")
    def _one_source(self) -> MetricSpec:
        given = [k for k in ("sql", "csv", "column") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of 'sql', 'csv' or 'column', not {' and '.join(given)}")
        if self.covariate is not None and self.column is None:
            raise ValueError(
                "'covariate' names a column of the --from source, so it goes with 'column'; an sql or csv metric returns a covariate column"
            )
        if self.currency is not None and self.value_per_unit is not None:
            raise ValueError(
                "a money metric (currency) is already in money; drop value_per_unit so one amount is not priced twice"
            )
        return self

    @property
    def has_source(self) -> bool:
        return self.sql is not None or self.csv is not None

    @property
    def fill_value(self) -> float | None:
        if self.missing_value is not None:
            return self.missing_value
        return 0.0 if self.kind == "conversion" else None


class ExperimentSpec(BaseModel):
    """One A/B (or A/B/n) experiment, as agreed before it starts."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        ..., pattern=r"^[a-z][a-z0-9_\-]*$", description="Lower-case name used in files and ops.exposures."
    )
    description: str | None = Field(
        None, description="The treatment in plain words, e.g. 'The retention offer to high-risk customers'."
    )
    unit: str = Field("customer", description="What is randomised: customer, contact, account ...")
    salt: str | None = Field(
        None,
        min_length=1,
        description="Mixed into the hash so experiments split independently (not needed with split_by).",
    )
    split_by: str | None = Field(
        None,
        description="Who split the units when it was not soloml, e.g. 'Mailchimp'; soloml then never draws arms for it.",
    )
    variants: dict[str, float] = Field(..., description="Variant name -> weight (weights are normalised).")
    planned_split: bool = Field(
        True,
        description="False when the weights are not the planned split (unknown): the sample-ratio check is skipped.",
    )
    control: str | None = Field(None, description="The control variant; default the first variant.")
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="Plain words for variants, e.g. {offer: the 10% retention offer, control: no offer}.",
    )
    primary: MetricSpec
    guardrails: list[MetricSpec] = Field(default_factory=list)
    start: date | None = None
    end: date | None = None
    project: str | None = Field(None, description="The soloml project whose model/decision this tests.")
    model_version: str | None = None
    decision: str | None = Field(
        None, description="The decision under test, e.g. 'call the top 100 at-risk customers'."
    )
    alpha: float = Field(0.05, gt=0, lt=1)
    planned_units_per_arm: int | None = Field(
        None,
        ge=2,
        description="From `soloml experiment design`; tunes the always-valid sequential interval and says when to stop.",
    )
    value_period: str | None = Field(None, description="The period the business value refers to, e.g. 'month'.")

    @field_validator("variants")
    @classmethod
    def _variants(cls, v: dict[str, float]) -> dict[str, float]:
        if len(v) < 2:
            raise ValueError(f"needs at least two variants (a control and a treatment), got {list(v)}")
        for name, weight in v.items():
            if not weight > 0:
                raise ValueError(f"variant '{name}' has weight {weight}; every weight must be positive")
        return v

    @model_validator(mode="after")
    def _control_and_dates(self) -> ExperimentSpec:
        if self.control is not None and self.control not in self.variants:
            raise ValueError(
                f"control '{self.control}' is not one of the variants {list(self.variants)}.{did_you_mean(self.control, self.variants)}"
            )
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if self.salt is None and self.split_by is None:
            raise ValueError("give a 'salt' (soloml splits the units) or 'split_by' (the tool that split them)")
        stray = [k for k in self.labels if k not in self.variants]
        if stray:
            raise ValueError(
                f"labels name {stray}, which are not variants {list(self.variants)}.{did_you_mean(stray[0], self.variants)}"
            )
        return self

    def label(self, variant: str) -> str:
        """The variant in plain words: its label, else the description for the only treatment, else its name quoted."""
        if variant in self.labels:
            return self.labels[variant]
        if variant != self.control_variant and len(self.variants) == 2 and self.description:
            return (
                self.description[:1].lower() + self.description[1:]
                if self.description[1:2].islower()
                else self.description
            )
        return "the control group" if variant == self.control_variant else f"variant '{variant}'"

    @property
    def unit_plural(self) -> str:
        return self.unit if self.unit.endswith("s") else f"{self.unit}s"

    @property
    def control_variant(self) -> str:
        return self.control or next(iter(self.variants))

    @property
    def treatments(self) -> tuple[str, ...]:
        return tuple(v for v in self.variants if v != self.control_variant)

    @property
    def weights(self) -> dict[str, float]:
        total = sum(self.variants.values())
        return {k: w / total for k, w in self.variants.items()}

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json", exclude_none=True), sort_keys=False, allow_unicode=True)


def load_experiment(path: Path | str) -> ExperimentSpec:
    """Read and validate an experiment YAML; errors name the key."""
    return load_yaml_model(
        path,
        ExperimentSpec,
        kind="experiment",
        missing=ExperimentError,
        missing_hint="Write experiments/<name>.yaml (see docs/experiments.md).",
        docs="docs/experiments.md",
    )


def find_experiment(experiments_dir: Path, name: str) -> ExperimentSpec:
    """Load experiments/<name>.yaml, with 'did you mean' over the experiments that exist."""
    path = find_named_yaml(
        experiments_dir,
        name,
        kind="experiment",
        plural="experiments",
        error=ExperimentError,
        hint="Write experiments/<name>.yaml (see docs/experiments.md).",
    )
    return load_experiment(path)


def save_experiment(spec: ExperimentSpec, experiments_dir: Path) -> Path:
    experiments_dir.mkdir(parents=True, exist_ok=True)
    path = experiments_dir / f"{spec.name}.yaml"
    path.write_text(spec.to_yaml(), encoding="utf-8")
    return path

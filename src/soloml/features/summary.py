"""What `soloml features` reports: rows and base rate per cutoff, each feature's share of nulls, cache use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from soloml.facts import JSON, field_facts
from soloml.features.audit import audit_leakage
from soloml.features.build import build_with_outcome
from soloml.features.cutoffs import FEATURE_WINDOW, label_window_words
from soloml.projects.recipes import EVENT_RECIPES, population_words
from soloml.projects.spec import ProjectSpec
from soloml.warehouse.base import Connection


@dataclass(frozen=True)
class CutoffSummary:
    cutoff: datetime | None
    rows: int
    base_rate: float | None  # binary: share of 1s; regression: mean label; multiclass: None


@dataclass(frozen=True)
class FeatureSummary:
    name: str
    description: str
    null_share: float
    categorical: bool


@dataclass(frozen=True)
class FeaturesReport:
    project: str
    recipe: str
    task: str
    rows: int
    entities: int
    reused: bool
    feature_window: str
    label_window: str
    cutoffs: tuple[CutoffSummary, ...]
    features: tuple[FeatureSummary, ...]
    cache: str = ""  # why it was rebuilt or reused
    audit_passed: bool | None = None
    audit_message: str | None = None
    population: str = ""  # who is in the training set at each cutoff, in words

    def to_facts(self) -> dict[str, JSON]:
        """The training set in numbers (`soloml features --json`)."""
        return field_facts(self)


def summarise_features(
    con: Connection,
    spec: ProjectSpec,
    *,
    features_dir: Path | None = None,
    audit: bool = False,
    as_of: datetime | None = None,
    use_cache: bool = True,
) -> FeaturesReport:
    """Build (or reuse) the training set and describe it; with `audit`, also run the leakage guard."""
    outcome = build_with_outcome(con, spec, features_dir=features_dir, as_of=as_of, use_cache=use_cache)
    ts = outcome.training_set
    frame = ts.frame
    per_cutoff = []
    for cutoff, group in frame.groupby("cutoff", dropna=False, sort=True):
        rate = None if ts.task == "multiclass" else round(float(group["label"].mean()), 4)
        per_cutoff.append(CutoffSummary(None if cutoff != cutoff else cutoff.to_pydatetime(), len(group), rate))
    feats = tuple(
        FeatureSummary(
            name,
            ts.descriptions.get(name, name),
            round(float(frame[name].isna().mean()), 4) if len(frame) else 0.0,
            name in ts.categorical,
        )
        for name in ts.features
    )
    if spec.recipe == "table":
        feature_window, label_window = "the table's own columns", f"the target column '{spec.label.target}'"
    else:
        feature_window, label_window = FEATURE_WINDOW, label_window_words(spec.label.horizon_days)
    passed = message = None
    if audit:
        result = audit_leakage(con, spec, features_dir=features_dir)
        passed, message = result.passed, (result.note or result.message())
    population = population_words(spec) if spec.recipe in EVENT_RECIPES else "every row of the table with a target"
    return FeaturesReport(
        spec.name,
        spec.recipe,
        ts.task,
        len(frame),
        int(frame["entity_id"].nunique()),
        outcome.reused,
        feature_window,
        label_window,
        tuple(per_cutoff),
        feats,
        outcome.reason,
        passed,
        message,
        population,
    )

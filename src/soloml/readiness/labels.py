"""The label: how often the outcome happens, and whether each outcome has enough rows to be learned and checked.

Training checks a model on five folds (or on the latest snapshot), so every class needs at least twice
that many rows: MIN_PER_CLASS = 2 x 5. Below it soloml says how many more are needed and, at today's
pace, roughly when they will be there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from soloml.features.trainingset import CUTOFF, LABEL, TrainingSet
from soloml.projects.spec import ProjectSpec
from soloml.readiness.findings import Finding, Fix, Needed
from soloml.readiness.pace import per_month, row_unit

FOLDS = 5
MIN_PER_CLASS = 2 * FOLDS
MIN_ROWS = 30


def class_name(ts: TrainingSet, value: Any) -> str:
    """How a label value reads: the class name for coded labels, else the value itself."""
    if ts.classes and isinstance(value, int | np.integer) and 0 <= int(value) < len(ts.classes):
        return str(ts.classes[int(value)])
    return str(value.item() if hasattr(value, "item") else value)


def check_labels(ts: TrainingSet, spec: ProjectSpec, *, now: datetime) -> tuple[Finding, ...]:
    y = ts.frame[LABEL].dropna()
    unit = row_unit(spec)
    if ts.task == "regression":
        if len(y) < MIN_ROWS:
            needed = Needed(MIN_ROWS - len(y), unit, len(y), per_month(ts, spec), now.date())
            return (
                Finding(
                    "labels",
                    "wait",
                    spec.name,
                    f"Only {len(y):,} {unit} have a known outcome; a model needs at least {MIN_ROWS}.",
                    _more_fix(spec),
                    needed,
                    {"rows": len(y)},
                ),
            )
        return (
            Finding(
                "labels",
                "ok",
                spec.name,
                f"{len(y):,} {unit} with a known outcome (on average {float(y.mean()):,.2f}).",
                figures={"rows": len(y), "mean": float(y.mean())},
            ),
        )
    counts = y.value_counts()
    smallest_value = counts.idxmin()
    smallest = int(counts.min())
    figures = {"rows": len(y), "classes": {class_name(ts, k): int(v) for k, v in counts.items()}}
    if ts.task == "binary":
        figures["positive_rate"] = float((y == y.max()).mean()) if len(counts) == 2 else None
    if len(counts) < 2 or smallest < MIN_PER_CLASS:
        have = 0 if len(counts) < 2 else smallest
        name = "the other outcome" if len(counts) < 2 else f"'{class_name(ts, smallest_value)}'"
        mask = None if len(counts) < 2 else (ts.frame[LABEL] == smallest_value).to_numpy()
        pace = None if mask is None else per_month(ts, spec, mask)
        needed = Needed(MIN_PER_CLASS - have, f"{unit} labelled {name}", have, pace, now.date())
        words = (
            f"Only {have:,} of {len(y):,} {unit} are labelled {name}: soloml needs at least {MIN_PER_CLASS} of each outcome "
            f"({FOLDS} checks, twice over) to train a model and check it honestly."
        )
        return (Finding("labels", "wait", spec.name, words, _more_fix(spec), needed, figures),)
    latest = _latest_missing_class(ts, counts.index)
    if latest is not None:
        words = f"The latest snapshot ({latest:%Y-%m-%d}), the one a model is judged on, has only one outcome in it."
        return (
            Finding(
                "labels",
                "wait",
                spec.name,
                words,
                _more_fix(spec),
                Needed(1, "snapshot with both outcomes", 0, None, now.date()),
                figures,
            ),
        )
    rate = figures.get("positive_rate")
    share = f" ({rate:.1%} of them had the outcome: {spec.label.definition.rstrip('.')})" if rate is not None else ""
    words = f"{len(y):,} {unit} with a known outcome{share}; the rarest outcome has {smallest:,} rows (at least {MIN_PER_CLASS} are needed)."
    return (Finding("labels", "ok", spec.name, words, figures=figures),)


def _latest_missing_class(ts: TrainingSet, classes: pd.Index) -> datetime | None:
    if not ts.has_time or ts.frame[CUTOFF].nunique() < 2 or ts.frame[CUTOFF].nunique() > 120:
        return None
    last = ts.frame[CUTOFF].max()
    seen = ts.frame.loc[ts.frame[CUTOFF] == last, LABEL].dropna().unique()
    return None if len(seen) >= min(2, len(classes)) else pd.Timestamp(last).to_pydatetime()


def _more_fix(spec: ProjectSpec) -> Fix:
    if spec.recipe == "table":
        return Fix(
            f"Add more labelled rows to {spec.source_table}, then check again.",
            command=f"soloml check {spec.name}",
            file=spec.source_table,
            column=spec.label.target,
        )
    return Fix(
        "Keep loading new exports as they come; or widen who is scored (population) or the history used "
        f"(cutoffs.lookback_months) in projects/{spec.name}.yaml.",
        command=f"soloml check {spec.name}",
        file=f"projects/{spec.name}.yaml",
    )

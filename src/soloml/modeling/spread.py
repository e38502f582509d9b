"""On small data the model is the average of three seeds' models, and how much one seed's score moves is said.

Below SPREAD_ROWS rows, validation runs under seeds s, s+1 and s+2 (`validate_seeds`): a k-fold plan gets
each seed's own folds, a time plan keeps its one split and differs by row sampling and its inner split's
seed only. Every run judges every row of `plan.rows` exactly once, so the runs' out-of-fold predictions are
averaged row for row, as the saved model averages its boosters (raw scores for binary and multiclass,
values for regression), and everything judged (the headline metric, baselines' comparison, business
figures, calibration, threshold, monitoring reference) comes from that average. The saved model is then
every seed's members refit on all rows with that seed's own rounds, averaged into one booster
(blend.average), so the score judged is the score of what is saved.

`SeedSpread` keeps each seed's own headline value: when they differ by more than MATERIAL of their mean,
training says so, so that nobody reads a difference of that size between two single runs as an improvement.
The averaged model's score is steadier than any one of them.

The runs are the whole validation again (inner splits, rounds chosen per fold); cheaper estimates did not
track it (docs/modeling.md). Every seed's folds are fit side by side on the machine's cores
(modeling/parallel.py). With typed parameters the seeds are still validated for the spread, but the model is
seed s's own (settings typed, settings used); with tuning, or from SPREAD_ROWS rows, one seed runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from soloml.errors import ModelError
from soloml.features.trainingset import TrainingSet
from soloml.modeling import fit as ft
from soloml.modeling.evaluate import metric_value
from soloml.modeling.judge import score_of
from soloml.modeling.metrics import METRIC_NAMES
from soloml.modeling.split import ValidationPlan, plan_validation
from soloml.modeling.validate import OutOfSample, cross_validate_all, per_fold
from soloml.modeling.verdict import format_metric

SPREAD_ROWS = 5_000
SEEDS = 3
MATERIAL = 0.01


@dataclass(frozen=True)
class SeedSpread:
    metric: str
    seeds: tuple[int, ...]
    values: tuple[float, ...]  # each seed's own out-of-fold headline value
    averaged: bool = True  # the model is the average of the seeds' models (False: seed seeds[0]'s alone)

    @property
    def material(self) -> bool:
        low, high = min(self.values), max(self.values)
        return (high - low) > MATERIAL * abs(float(np.mean(self.values)))

    @property
    def words(self) -> str:
        seeds = ", ".join(str(s) for s in self.seeds[:-1]) + f" and {self.seeds[-1]}"
        low, high = min(self.values), max(self.values)
        name = METRIC_NAMES.get(self.metric, self.metric)
        moved = (
            f"One seed's {name} moved between {format_metric(low, self.metric)} and {format_metric(high, self.metric)} "
            f"across seeds {seeds} (other folds and row sampling)"
        )
        if self.averaged:
            return (
                moved + f": the model averages all {len(self.seeds)}, so its score is steadier than any one of them, "
                "but read a difference of that size between two single runs as noise."
            )
        return moved + f" (the model is seed {self.seeds[0]}'s): read differences smaller than that as noise."

    def to_facts(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "seeds": list(self.seeds),
            "values": list(self.values),
            "low": min(self.values),
            "high": max(self.values),
            "material": self.material,
            "averaged": self.averaged,
        }


@dataclass(frozen=True)
class SeedRuns:
    """Validation under each of `seeds` (the first is the caller's), each with its own folds; `predictions` (for
    `plan.rows`, the same rows under every seed) are what is judged: the runs' averaged when `averaged`, else the first's."""

    seeds: tuple[int, ...]
    runs: tuple[OutOfSample, ...]
    predictions: np.ndarray
    averaged: bool

    @property
    def fitted(self) -> tuple[tuple[int, OutOfSample], ...]:
        """(seed, its validation) of every seed whose members the saved model holds."""
        pairs = tuple(zip(self.seeds, self.runs, strict=True))
        return pairs if self.averaged else pairs[:1]

    def spread(self, metric: str, task: str, y_judged: np.ndarray, k: int) -> SeedSpread | None:
        """Each seed's own headline value (None with one seed, or when a value cannot be computed)."""
        if len(self.runs) < 2:
            return None
        values = []
        for oos in self.runs:
            got = metric_value(metric, task, y_judged, oos.predictions, score_of(oos.predictions, task), k)
            if got is None or np.isnan(got):
                return None
            values.append(float(got))
        return SeedSpread(metric, self.seeds, tuple(values), self.averaged)


def seeds_for(n_rows: int, seed: int, *, spread: bool) -> tuple[int, ...]:
    """(seed, seed+1, seed+2) below SPREAD_ROWS rows when `spread`, else (seed,)."""
    return tuple(range(seed, seed + SEEDS)) if spread and n_rows < SPREAD_ROWS else (seed,)


def validate_seeds(
    X: pd.DataFrame,
    y: np.ndarray,
    ts: TrainingSet,
    plan: ValidationPlan,
    params: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    seeds: Sequence[int],
    *,
    categorical: list[str],
    horizon_days: int | None,
    test_from: date | None,
    blend: Sequence[Mapping[str, Any]] = ({},),
    average: bool = True,
    ordered: Sequence[str] = (),
) -> SeedRuns:
    """cross_validate under every seed of `seeds` (the first is `plan`'s, run with `params` as given; the others
    with their own plan and {"seed": s}); the runs are averaged when `average` and there are several."""
    asked: list[tuple[ValidationPlan, Mapping[str, Any] | Sequence[Mapping[str, Any]]]] = [(plan, params)]
    for other in seeds[1:]:
        again = (
            replace(plan, seed=other)
            if plan.kind == "time"
            else plan_validation(ts, horizon_days=horizon_days, seed=other, test_from=test_from)
        )
        if not np.array_equal(again.rows, plan.rows):  # k-fold judges every row once, a time plan keeps its split
            raise ModelError(f"Validation under seed {other} judged other rows than under seed {seeds[0]}.")
        asked.append((again, [{**p, "seed": other} for p in per_fold(params, again)]))
    # every seed's folds side by side where the fits are single-threaded (modeling/parallel.py)
    runs = cross_validate_all(X, y, asked, categorical=categorical, blend=blend, ordered=ordered)
    averaged = average and len(runs) > 1
    predictions = mean_prediction([r.predictions for r in runs], ts.task) if averaged else runs[0].predictions
    return SeedRuns(tuple(seeds), tuple(runs), predictions, averaged)


def mean_prediction(predictions: Sequence[np.ndarray], task: str) -> np.ndarray:
    """What the average of the models behind `predictions` predicts: the mean raw score (log-odds for binary,
    log-probabilities up to a constant for multiclass) turned back into probabilities; the mean for regression.
    Like fit.blended_predict, so a positive-weight correction already in each stays exactly as it was."""
    if task == "regression":
        out: np.ndarray = np.mean(predictions, axis=0)
        return out
    p = np.clip(np.asarray(predictions, dtype=np.float64), 1e-15, 1 - 1e-15)
    if task == "binary":
        raw = np.mean(np.log(p / (1 - p)), axis=0)
        return ft.sigmoid(raw)
    return ft.softmax(np.mean(np.log(p), axis=0))

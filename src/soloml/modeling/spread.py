"""How much the judged score moves with the seed, on small data where it can matter.

Below SPREAD_ROWS rows, validation is repeated with two more seeds (other folds, other row sampling);
when the headline metric moves by more than MATERIAL of its value, training says so, so that nobody
reads a difference smaller than the seed's own wobble as an improvement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from soloml.features.trainingset import TrainingSet
from soloml.modeling.evaluate import metric_value
from soloml.modeling.judge import score_of
from soloml.modeling.metrics import METRIC_NAMES
from soloml.modeling.split import ValidationPlan, plan_validation
from soloml.modeling.validate import cross_validate
from soloml.modeling.verdict import format_metric

SPREAD_ROWS = 5_000
EXTRA_SEEDS = 2
MATERIAL = 0.01


@dataclass(frozen=True)
class SeedSpread:
    metric: str
    seeds: tuple[int, ...]
    values: tuple[float, ...]

    @property
    def material(self) -> bool:
        low, high = min(self.values), max(self.values)
        return (high - low) > MATERIAL * abs(float(np.mean(self.values)))

    @property
    def words(self) -> str:
        seeds = ", ".join(str(s) for s in self.seeds[:-1]) + f" and {self.seeds[-1]}"
        low, high = min(self.values), max(self.values)
        name = METRIC_NAMES.get(self.metric, self.metric)
        return (
            f"The {name} moved between {format_metric(low, self.metric)} and {format_metric(high, self.metric)} across seeds {seeds} "
            "(other folds and row sampling): read differences smaller than that as noise."
        )

    def to_facts(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "seeds": list(self.seeds),
            "values": list(self.values),
            "low": min(self.values),
            "high": max(self.values),
            "material": self.material,
        }


def seed_spread(
    X: pd.DataFrame,
    y: np.ndarray,
    ts: TrainingSet,
    plan: ValidationPlan,
    params: dict[str, Any],
    categorical: list[str],
    metric: str,
    value: float | None,
    *,
    k: int,
    seed: int,
    horizon_days: int | None,
    test_from: date | None,
    blend: Sequence[Mapping[str, Any]] = ({},),
) -> SeedSpread | None:
    """The headline metric under seeds seed+1, seed+2 beside `value` (seed `seed`); None on larger data."""
    if len(X) >= SPREAD_ROWS or value is None:
        return None
    seeds, values = [seed], [float(value)]
    for other in range(seed + 1, seed + 1 + EXTRA_SEEDS):
        again = (
            plan
            if plan.kind == "time"
            else plan_validation(ts, horizon_days=horizon_days, seed=other, test_from=test_from)
        )
        oos = cross_validate(X, y, again, {**params, "seed": other}, categorical=categorical, blend=blend)
        got = metric_value(metric, ts.task, y[again.rows], oos.predictions, score_of(oos.predictions, ts.task), k)
        if got is None or np.isnan(got):
            return None
        seeds.append(other)
        values.append(float(got))
    return SeedSpread(metric, tuple(seeds), tuple(values))

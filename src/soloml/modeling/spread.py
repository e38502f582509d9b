"""How much the judged score moves with the seed, on small data where it can matter.

Below SPREAD_ROWS rows, validation is repeated with two more seeds (other folds, other row sampling);
when the headline metric moves by more than MATERIAL of its value, training says so, so that nobody
reads a difference smaller than the seed's own wobble as an improvement.

The repeats are the whole validation again (inner splits, rounds chosen per fold). Cheaper estimates did
not track it: of 10 bench training parts where it moved the metric by more than 1%, the same folds with
other row sampling showed that on 4, other folds with the rounds already chosen on 7 (docs/modeling.md).
One thing makes them cheaper without changing what is reported:
- seed+2 is run only when seeds seed and seed+1 do not already differ materially (a third value can only
  widen the range), so a material spread costs one repeat, not two (the words then name two seeds);
- (not threads: running them beside training in Python threads crashed the process in LightGBM's
  predict on an idle machine, 2026-12-03, so they run in turn).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
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


class SpreadRun:
    """The seed repeats under way (`start`): `result(value)` waits for them and puts seed `seed`'s `value` first."""

    def __init__(self, metric: str, seed: int, repeats: list[Callable[[], tuple[int, float] | None]]):
        # In turn, never in threads beside training: LightGBM fits and predictions in two Python threads at once
        # crashed the process (a segfault in LGBM_BoosterPredictForMat, seen on an idle 2-core machine).
        self.metric, self.seed = metric, seed
        self._repeats = repeats

    def result(self, value: float | None) -> SeedSpread | None:
        """Seed `seed`'s `value` and the repeats': seeds seed and seed+1 alone when they already differ materially
        (seed+2 cannot make that less true; it is not run), else all three."""
        seeds, values = [self.seed], [0.0 if value is None else float(value)]
        spread = None
        for repeat in self._repeats:
            got = repeat()
            if value is None or got is None:
                return None
            seeds.append(got[0])
            values.append(got[1])
            spread = SeedSpread(self.metric, tuple(seeds), tuple(values))
            if spread.material:
                break
        return spread


def start(
    X: pd.DataFrame,
    y: np.ndarray,
    ts: TrainingSet,
    plan: ValidationPlan,
    params: dict[str, Any],
    categorical: list[str],
    metric: str,
    *,
    k: int,
    seed: int,
    horizon_days: int | None,
    test_from: date | None,
    blend: Sequence[Mapping[str, Any]] = ({},),
) -> SpreadRun | None:
    """The validation repeats under seeds seed+1, seed+2 (None from SPREAD_ROWS rows), run in turn when `result` asks."""
    if len(X) >= SPREAD_ROWS:
        return None

    def repeat(other: int) -> tuple[int, float] | None:
        again = (
            plan
            if plan.kind == "time"
            else plan_validation(ts, horizon_days=horizon_days, seed=other, test_from=test_from)
        )
        oos = cross_validate(X, y, again, {**params, "seed": other}, categorical=categorical, blend=blend)
        got = metric_value(metric, ts.task, y[again.rows], oos.predictions, score_of(oos.predictions, ts.task), k)
        return None if got is None or np.isnan(got) else (other, float(got))

    seeds = range(seed + 1, seed + 1 + EXTRA_SEEDS)
    return SpreadRun(metric, seed, [partial(repeat, other) for other in seeds])


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
    """The headline metric under seeds seed+1, seed+2 beside `value` (seed `seed`); None on larger data. In this thread."""
    run = start(
        X,
        y,
        ts,
        plan,
        params,
        categorical,
        metric,
        k=k,
        seed=seed,
        horizon_days=horizon_days,
        test_from=test_from,
        blend=blend,
    )
    return None if run is None else run.result(value)

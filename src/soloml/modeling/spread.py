"""How much the judged score moves with the seed, on small data where it can matter.

Below SPREAD_ROWS rows, validation is repeated with two more seeds (other folds, other row sampling);
when the headline metric moves by more than MATERIAL of its value, training says so, so that nobody
reads a difference smaller than the seed's own wobble as an improvement.

The repeats are the whole validation again (inner splits, rounds chosen per fold). Cheaper estimates did
not track it: of 10 bench training parts where it moved the metric by more than 1%, the same folds with
other row sampling showed that on 4, other folds with the rounds already chosen on 7 (docs/modeling.md).
Two things make them cheaper without changing what is reported:
- seed+2 is run only when seeds seed and seed+1 do not already differ materially (a third value can only
  widen the range), so a material spread costs one repeat, not two (the words then name two seeds);
- they need none of the first run's results, so when the fits are single-threaded (below 20,000 rows)
  and a core is idle (1-minute load average, this process included, below cores - 0.5), `start` runs
  them in two threads beside training: less waiting, the same values. On a busy machine they run in
  turn (threads would only queue).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
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


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class SpreadRun:
    """The seed repeats under way (`start`): `result(value)` waits for them and puts seed `seed`'s `value` first."""

    def __init__(self, metric: str, seed: int, repeats: list[Callable[[], tuple[int, float] | None]], parallel: bool):
        self.metric, self.seed, self.parallel = metric, seed, parallel
        self._repeats = repeats
        self._futures: list[Future[tuple[int, float] | None]] = []
        if parallel:  # one thread per seed: with training's own, three fits share the cores
            executor = ThreadPoolExecutor(max_workers=len(repeats), thread_name_prefix="soloml-seed-spread")
            self._futures = [executor.submit(repeat) for repeat in repeats]
            executor.shutdown(wait=False)  # the threads end with their work

    def result(self, value: float | None) -> SeedSpread | None:
        """Seed `seed`'s `value` and the repeats': seeds seed and seed+1 alone when they already differ materially
        (seed+2 cannot make that less true; it is not run, or its thread's result is not used), else all three."""
        seeds, values = [self.seed], [0.0 if value is None else float(value)]
        spread = None
        for i, repeat in enumerate(self._repeats):
            got = self._futures[i].result() if self.parallel else repeat()
            if value is None or got is None:
                return None
            seeds.append(got[0])
            values.append(got[1])
            spread = SeedSpread(self.metric, tuple(seeds), tuple(values))
            if spread.material:
                for later in self._futures[i + 1 :]:
                    later.cancel()
                break
        return spread


def _idle_core() -> bool:
    """Two or more cores for this process, and the last minute's load leaves one of them free."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on this platform: no way to tell, assume a busy machine
        return False
    return _cores() >= 2 and load < _cores() - 0.5  # this process counts in the load


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
    parallel: bool | None = None,
) -> SpreadRun | None:
    """Start validation under seeds seed+1, seed+2 (None from SPREAD_ROWS rows); `parallel` None: in threads beside
    training when the fits are single-threaded and a core is idle, else in turn when `result` asks."""
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

    if parallel is None:
        parallel = params.get("num_threads") == 1 and _idle_core()
    seeds = range(seed + 1, seed + 1 + EXTRA_SEEDS)
    return SpreadRun(metric, seed, [partial(repeat, other) for other in seeds], parallel)


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
        parallel=False,
    )
    return None if run is None else run.result(value)

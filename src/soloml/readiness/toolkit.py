"""What a project check borrows from later stages, handed in by the caller: readiness never imports them.

The learning curve needs a model fit (modeling), the column screen is the one training uses (modeling),
and the power of the A/B test comes from the experiment design (experiments). Stages may not import a
later stage, so the caller (the `soloml check` entry) builds a Toolkit from them and passes it in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from soloml.features.trainingset import TrainingSet


@dataclass(frozen=True)
class Scored:
    """A model fit on some rows, judged on others: the metric and the judged rows' predictions."""

    metric: str  # 'roc_auc', 'rmse', 'accuracy'
    value: float
    higher_is_better: bool
    predictions: np.ndarray  # binary: probability of the positive class, for the judged rows in order


@dataclass(frozen=True)
class ColumnIssue:
    """A column training would leave out, and why (kind: id, constant, all_missing, free_text, leak)."""

    column: str
    kind: str
    reason: str


class SeriesLike(Protocol):
    """What readiness reads of a forecast's series (soloml.forecasting.series.SeriesSet)."""

    # read-only members, so a frozen dataclass (SeriesSet) matches
    @property
    def frame(self) -> pd.DataFrame: ...  # unique_id, ds (period start), y
    @property
    def frequency(self) -> str: ...  # day, week, month, quarter
    @property
    def source(self) -> str: ...
    @property
    def filled(self) -> tuple[Any, ...]: ...  # periods that had no rows
    @property
    def filled_by(self) -> str: ...  # 'zero' (events) or 'interpolate' (one row per period)


# (warehouse connection, a forecast project's spec) -> the series its forecast will use
SeriesMaker = Callable[[Any, Any], SeriesLike]
# (training set, rows to fit on, rows to judge) -> the fit judged
Scorer = Callable[[TrainingSet, np.ndarray, np.ndarray], Scored]
# (training set, rows the leak judgement may look at) -> the columns training leaves out
Screener = Callable[[TrainingSet, np.ndarray], tuple[ColumnIssue, ...]]


@dataclass(frozen=True)
class Toolkit:
    score: Scorer
    screen: Screener
    design: Callable[
        ..., Any
    ]  # soloml.experiments.design.plan: (metric, baseline_rate=, mde=, units_per_day=, ...) -> Design
    series: SeriesMaker | None = None  # soloml.forecasting: the series of a forecast project

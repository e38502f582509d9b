"""One LightGBM model shared by many related series, over lags and calendar features.

Each row is one series at one period: the recent values divided by the series' recent level (the
mean of its last few periods), the period of the year and the holidays in it; the target is the value
divided by the same level, so series of any size teach one model. It forecasts recursively, one period
at a time, and is stored as LightGBM's own text format (never pickle).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from soloml.forecasting.calendar import PANDAS_FREQ, Frequency, future_periods

LAGS: dict[str, tuple[int, ...]] = {
    "day": (1, 2, 3, 4, 5, 6, 7, 14),
    "week": (1, 2, 3, 4, 8, 13, 52),
    "month": (1, 2, 3, 6, 12),
    "quarter": (1, 2, 3, 4),
}
LEVEL_WINDOW: dict[str, int] = {"day": 7, "week": 8, "month": 12, "quarter": 4}
MIN_SERIES = 5
MIN_ROWS = 100
ROUNDS = 100
PARAMS: dict[str, Any] = {
    "objective": "l2",
    "learning_rate": 0.1,
    "num_leaves": 15,
    "min_data_in_leaf": 20,
    "lambda_l2": 1.0,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "seed": 0,
    "verbose": -1,
}
TINY = 1e-9


@dataclass(frozen=True)
class GlobalSpec:
    """Everything that shapes the features; stored as JSON beside the model text."""

    frequency: Frequency
    lags: tuple[int, ...]
    window: int
    holidays: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=lambda: dict(PARAMS))
    rounds: int = ROUNDS

    @classmethod
    def for_frequency(cls, frequency: Frequency, holidays: Sequence[date | str] = ()) -> GlobalSpec:
        return cls(
            frequency, LAGS[frequency], LEVEL_WINDOW[frequency], tuple(str(pd.Timestamp(h).date()) for h in holidays)
        )

    @property
    def reach(self) -> int:
        """Periods of history a row needs."""
        return max(max(self.lags), self.window)

    def to_json(self) -> dict[str, Any]:
        return {
            "frequency": self.frequency,
            "lags": list(self.lags),
            "window": self.window,
            "holidays": list(self.holidays),
            "params": self.params,
            "rounds": self.rounds,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GlobalSpec:
        return cls(
            data["frequency"],
            tuple(data["lags"]),
            int(data["window"]),
            tuple(data["holidays"]),
            dict(data["params"]),
            int(data["rounds"]),
        )


@dataclass(frozen=True)
class GlobalModel:
    spec: GlobalSpec
    text: str  # LightGBM model text

    def booster(self):
        import lightgbm as lgb

        return lgb.Booster(model_str=self.text)


def _calendar(spec: GlobalSpec, starts: pd.DatetimeIndex) -> np.ndarray:
    """Period of the year and the number of holidays in each period."""
    f = spec.frequency
    if f == "week":
        period = starts.isocalendar().week.to_numpy()
    else:
        period = _period_of_year(starts.to_numpy(dtype="datetime64[ns]"), f)
    count = np.zeros(len(starts))
    if spec.holidays:
        holidays = pd.DatetimeIndex(pd.to_datetime(list(spec.holidays))).to_period(PANDAS_FREQ[f])
        periods = starts.to_period(PANDAS_FREQ[f])
        count = np.array([(holidays == p).sum() for p in periods], dtype=float)
    return np.column_stack([np.asarray(period, dtype=float), count])


def _period_of_year(starts: np.ndarray, frequency: Frequency) -> np.ndarray:
    """pandas' dayofweek, month or quarter of each period start, from the datetime64 numbers (a tenth of the time
    of pandas' field accessors, which were ~0.05 s of each automatic choice on 157 monthly series)."""
    if frequency == "day":
        return (starts.astype("datetime64[D]").astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday (3)
    month = starts.astype("datetime64[M]").astype(np.int64) % 12 + 1
    return month if frequency == "month" else (month - 1) // 3 + 1


def _rows(spec: GlobalSpec, y: np.ndarray, starts: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Features and targets for every period of `y` with enough history and a positive level."""
    reach = spec.reach
    if len(y) <= reach:
        return np.empty((0, len(spec.lags) + 2)), np.empty(0)
    t = np.arange(reach, len(y))
    sums = np.concatenate([[0.0], np.cumsum(y)])
    level = (sums[t] - sums[t - spec.window]) / spec.window
    keep = level > TINY
    t, level = t[keep], level[keep]
    lags = np.column_stack([y[t - k] for k in spec.lags]) / level[:, None]
    return np.column_stack([lags, _calendar(spec, starts[t])]), y[t] / level


def fit_global(spec: GlobalSpec, histories: dict[str, tuple[pd.DatetimeIndex, np.ndarray]]) -> GlobalModel | None:
    """Train on every series' history; None when there are too few series or rows to learn from."""
    import lightgbm as lgb

    parts = [_rows(spec, y, starts) for starts, y in histories.values()]
    x = np.vstack([p[0] for p in parts]) if parts else np.empty((0, 0))
    if sum(len(y) > spec.reach for _, y in histories.values()) < MIN_SERIES or len(x) < MIN_ROWS:
        return None
    target = np.concatenate([p[1] for p in parts])
    data = lgb.Dataset(x, target, categorical_feature=[len(spec.lags)], free_raw_data=True)
    booster = lgb.train(spec.params, data, num_boost_round=spec.rounds)
    return GlobalModel(spec, booster.model_to_string())


def predict_global(
    model: GlobalModel, histories: dict[str, tuple[pd.DatetimeIndex, np.ndarray]], horizon: int
) -> dict[str, np.ndarray]:
    """Recursive forecasts for every series long enough for the lags; the others are left out."""
    spec = model.spec
    usable = {uid: (starts, y) for uid, (starts, y) in histories.items() if len(y) >= spec.reach}
    if not usable:
        return {}
    booster = model.booster()
    ids = list(usable)
    reach = spec.reach
    # every series' last `reach` values, then its forecasts, one row per series: all series step together
    paths = np.zeros((len(ids), reach + horizon))
    paths[:, :reach] = [np.asarray(usable[uid][1][-reach:], dtype=float) for uid in ids]
    calendars = np.stack([_future_calendar(spec, usable[uid][0][-1], horizon) for uid in ids])
    lags = np.asarray(spec.lags)
    for step in range(horizon):
        end = reach + step
        levels = paths[:, end - spec.window : end].mean(axis=1)
        safe = np.where(levels > TINY, levels, 1.0)
        rows = paths[:, end - lags] / safe[:, None]
        # one thread, as in training: LightGBM's default OpenMP team costs ~25x more CPU than these few rows need
        ratio = booster.predict(np.column_stack([rows, calendars[:, step]]), num_threads=1)
        paths[:, end] = np.where(levels > TINY, np.maximum(ratio * levels, 0.0), 0.0)
    return {uid: paths[i, reach:].copy() for i, uid in enumerate(ids)}


def _future_calendar(spec: GlobalSpec, last: pd.Timestamp, horizon: int) -> np.ndarray:
    return _calendar(spec, future_periods(last, spec.frequency, horizon))

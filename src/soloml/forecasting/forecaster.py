"""The Forecaster: backtest every candidate, choose per series, calibrate intervals, forecast.

    >>> f = Forecaster(horizon=12).fit(series)        # doctest: +SKIP  (series: a SeriesSet)
    >>> f.forecast_.head()                            # doctest: +SKIP  unique_id, ds, step, forecast, lower, upper, model
    >>> f.backtest_                                   # doctest: +SKIP  the judged windows, with seasonal naive beside

It follows the scikit-learn contract: `__init__` stores settings, `fit` learns (attributes ending in
`_`) and returns self. `forecast()` refits the chosen models on the stored history, deterministically,
which is what a forecaster loaded from disk does (store.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from soloml.errors import ForecastError
from soloml.forecasting import intervals
from soloml.forecasting.backtest import Choice, WindowRun, choose, combine, plan
from soloml.forecasting.calendar import SEASON, future_periods
from soloml.forecasting.grid import (
    GridSettings,
    SeriesTask,
    global_runs,
    local_finals,
    local_runs,
    with_global,
)
from soloml.forecasting.lightgbm_global import (
    MIN_SERIES,
    GlobalModel,
    GlobalSpec,
    predict_global,
)
from soloml.forecasting.metrics import seasonal_scale
from soloml.forecasting.models import (
    DEFAULT_MODELS,
    LOCAL_MODELS,
    Tier,
    check_models,
    tier,
)
from soloml.forecasting.series import SeriesSet


@dataclass(frozen=True)
class SeriesChoice:
    """What forecasts one series: the model (or ensemble members), its interval calibration, and why."""

    model: str
    members: tuple[str, ...]
    tier: str
    reason: str
    windows: int  # windows it was chosen by (0: the default for its length, nothing to compare)
    scores: dict[str, float]
    q: float | None  # conformal quantile of scaled errors; None: no earlier window to calibrate on
    n_scores: int
    scale: float
    fitted: dict[str, Any] = field(default_factory=dict)  # member -> its fitted form and parameters
    form_length: int | None = (
        None  # fit the forms a series this long gets (its latest backtested tier); None: its own length
    )
    forms: dict[str, str] = field(default_factory=dict)  # member -> the form its backtest chose (CES's season type)


class Forecaster:
    """Chooses and fits a forecasting model per series by rolling-origin backtest on `horizon` periods."""

    def __init__(
        self,
        horizon: int,
        *,
        level: float = 0.8,
        models: Sequence[str] | None = None,
        holidays: Sequence[date | str] = (),
        n_jobs: int = 1,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.horizon = horizon
        self.level = level
        self.models = models
        self.holidays = holidays
        self.n_jobs = n_jobs
        self.progress = progress

    def fit(self, series: SeriesSet) -> Forecaster:
        if self.horizon < 1:
            raise ForecastError(f"The horizon must be at least one period (got {self.horizon}).")
        self.series_ = series
        self.season_ = SEASON[series.frequency]
        self.allowed_, self.notes_ = resolve_models(self.models, len(series.ids), series.non_negative)
        windows = plan(self.horizon, self.season_)
        tasks = _tasks(series)
        settings = self._settings()
        per_window: dict[int, dict[str, np.ndarray]] = {}
        self.global_: GlobalModel | None = None
        if "lightgbm" in self.allowed_:
            per_window, self.global_ = global_runs(
                tasks,
                windows,
                GlobalSpec.for_frequency(series.frequency, self.holidays),
                self.horizon,
                series.non_negative,
            )
        runs = local_runs(tasks, windows, settings, n_jobs=self.n_jobs, progress=self.progress)
        with_global(runs, per_window, self.allowed_)
        rows, choices = [], {}
        for task in tasks:
            rows += _judged_rows(task, runs[task.uid], windows, self.horizon, self.level, series.non_negative)
            choices[task.uid] = self._final_choice(task, runs[task.uid])
        self.backtest_ = pd.DataFrame(rows, columns=BACKTEST_COLUMNS)
        self.choices_ = choices
        self.forecast_ = self.forecast(_record=True)
        return self

    def _settings(self) -> GridSettings:
        return GridSettings(self.horizon, self.season_, tuple(self.allowed_), self.series_.non_negative)

    def _final_choice(self, task: SeriesTask, runs: dict[int, WindowRun]) -> SeriesChoice:
        """The choice for the forecast. A series that has just grown into a new tier (e.g. reached two seasons) has
        no backtest of that tier's forms yet: it keeps the tier and forms of its latest backtest window, so what is
        judged is what forecasts."""
        t, form_length = tier(task.y, self.season_, allowed=self.allowed_, non_negative=self.series_.non_negative), None
        tested = sorted(o for o, r in runs.items() if len(r.actual))
        if tested and not any(runs[o].tier.name == t.name for o in tested):
            t, form_length = runs[tested[0]].tier, len(task.y) - tested[0]
        available = [m for m in t.candidates if m in LOCAL_MODELS or (m == "lightgbm" and self._global_reaches(task))]
        c = choose(runs, 0, t, self.horizon, self.level, available)
        same = [runs[o] for o in tested if runs[o].tier.name == t.name]  # latest first
        forms = {m: run.forms[m] for m in c.members for run in reversed(same) if m in run.forms}
        return SeriesChoice(
            c.model,
            c.members,
            t.name,
            t.reason,
            c.windows,
            dict(c.scores),
            c.q,
            c.n_scores,
            seasonal_scale(task.y, self.season_),
            form_length=form_length,
            forms=forms,
        )

    def _global_reaches(self, task: SeriesTask) -> bool:
        return self.global_ is not None and len(task.y) >= self.global_.spec.reach

    def forecast(self, *, _record: bool = False) -> pd.DataFrame:
        """The forecast of every series: refit the chosen models on the stored history (deterministic), with intervals."""
        tasks = _tasks(self.series_)
        items = [
            (t, self.choices_[t.uid].members, self.choices_[t.uid].form_length, self.choices_[t.uid].forms)
            for t in tasks
        ]
        finals = local_finals(items, self._settings(), n_jobs=self.n_jobs, progress=self.progress)
        shared = (
            predict_global(self.global_, {t.uid: (t.dates, t.y) for t in tasks}, self.horizon) if self.global_ else {}
        )
        names = ("unique_id", "ds", "step", "forecast", "lower", "upper", "model")
        columns: dict[str, list[np.ndarray]] = {name: [] for name in names}
        for task, fits in zip(tasks, finals, strict=True):
            choice = self.choices_[task.uid]
            points = {m: fit[0] for m, fit in fits.items()}
            if "lightgbm" in choice.members:
                points["lightgbm"] = (
                    np.maximum(shared[task.uid], 0.0) if self.series_.non_negative else shared[task.uid]
                )
            point = combine(points, choice.members)
            if choice.q is None:
                lower = upper = np.full(self.horizon, np.nan)
            else:
                lower, upper = intervals.bounds(point, choice.q, choice.scale, non_negative=self.series_.non_negative)
            if _record:
                self.choices_[task.uid] = _with_fitted(choice, fits)
            columns["unique_id"].append(np.full(self.horizon, task.uid, dtype=object))
            columns["ds"].append(future_periods(task.dates[-1], self.series_.frequency, self.horizon).to_numpy())
            columns["step"].append(np.arange(1, self.horizon + 1))
            columns["forecast"].append(np.asarray(point, dtype=float))
            columns["lower"].append(np.asarray(lower, dtype=float))
            columns["upper"].append(np.asarray(upper, dtype=float))
            columns["model"].append(np.full(self.horizon, choice.model, dtype=object))
        # one frame at the end, not one per series: pandas' per-frame overhead was ~5% of the whole choice
        return pd.DataFrame({name: np.concatenate(parts) for name, parts in columns.items()})


BACKTEST_COLUMNS = [
    "unique_id",
    "offset",
    "origin",
    "ds",
    "step",
    "actual",
    "forecast",
    "lower",
    "upper",
    "model",
    "chosen_by",
    "baseline",
    "baseline_model",
    "scale",
]


def resolve_models(
    models: Sequence[str] | None, n_series: int, non_negative: bool
) -> tuple[tuple[str, ...], list[str]]:
    """The candidates for this run: the defaults, the defaults plus '+name' entries, or exactly the names given."""
    notes = []
    names = [m.strip() for m in (models or ()) if m.strip()]
    plus = [m[1:] for m in names if m.startswith("+")]
    exact = [m for m in names if not m.startswith("+")]
    if plus and exact:
        raise ForecastError(
            f"models mixes additions ({', '.join('+' + m for m in plus)}) and a list ({', '.join(exact)}).",
            hint="Either add to soloml's choice ('+ets,+arima') or name every candidate ('theta,ets,ensemble').",
        )
    check_models(plus or exact)
    allowed = list(exact) if exact else [*DEFAULT_MODELS, *(m for m in plus if m not in DEFAULT_MODELS)]
    if "prophet" in allowed:
        from soloml.forecasting.prophet import require_prophet

        require_prophet()
    if "lightgbm" in allowed and (n_series < MIN_SERIES or not non_negative):
        allowed.remove("lightgbm")
        if "lightgbm" in exact or "lightgbm" in plus:
            why = (
                f"it needs at least {MIN_SERIES} related series (there are {n_series})"
                if n_series < MIN_SERIES
                else "it needs values that are never negative"
            )
            notes.append(f"The LightGBM global model was left out: {why}.")
    return tuple(allowed), notes


def _tasks(series: SeriesSet) -> list[SeriesTask]:
    """Each series' dates and values, in the set's order (as SeriesSet.values(), without a pandas Series each)."""
    frame = series.frame
    dates, y = pd.DatetimeIndex(frame["ds"]), frame["y"].to_numpy(dtype=float)
    rows = frame.groupby("unique_id", sort=False).indices
    return [SeriesTask(uid, dates[rows[uid]], y[rows[uid]]) for uid in series.ids]


def _judged_rows(
    task: SeriesTask, runs: dict[int, WindowRun], windows, horizon: int, level: float, non_negative: bool
) -> list[list]:
    """The judged windows of one series: the procedure's forecast at each, beside the baseline's."""
    rows = []
    for window in windows:
        run = runs.get(window.offset)
        if not window.judged or run is None or not len(run.actual):
            continue
        available = [m for m in run.tier.candidates if m in run.forecasts]
        c: Choice = choose(runs, window.offset, run.tier, horizon, level, available)
        point = combine(run.forecasts, c.members)[: len(run.actual)]
        if c.q is None:
            lower = upper = np.full(len(point), np.nan)
        else:
            lower, upper = intervals.bounds(point, c.q, run.scale, non_negative=non_negative)
        baseline = _baseline(run.tier, run)
        start = len(task.y) - window.offset
        origin = task.dates[start]
        for k in range(len(run.actual)):
            rows.append(
                [
                    task.uid,
                    window.offset,
                    origin,
                    task.dates[start + k],
                    k + 1,
                    run.actual[k],
                    point[k],
                    lower[k],
                    upper[k],
                    c.model,
                    c.windows,
                    baseline[k],
                    run.tier.baseline,
                    run.scale,
                ]
            )
    return rows


def _baseline(t: Tier, run: WindowRun) -> np.ndarray:
    return run.forecasts[t.baseline][: len(run.actual)]


def _with_fitted(choice: SeriesChoice, fits: dict[str, tuple[np.ndarray, dict]]) -> SeriesChoice:
    from dataclasses import replace

    return replace(choice, fitted={m: fit[1] for m, fit in fits.items()})

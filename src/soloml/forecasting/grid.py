"""Every candidate's forecast at every backtest window: the per-series models (in worker processes when
there are many series) and the shared LightGBM model (one per window, over all series)."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

import numpy as np
import pandas as pd

from soloml.forecasting.backtest import Window, WindowRun, split
from soloml.forecasting.lightgbm_global import GlobalModel, GlobalSpec, fit_global, predict_global
from soloml.forecasting.metrics import seasonal_scale
from soloml.forecasting.models import LOCAL_MODELS, Anchor, fit_local, forecast_local, tier

Progress = Callable[[int, int], None]
PARALLEL_FROM = 40  # series; fewer run in this process
CHUNK = 25


@dataclass(frozen=True)
class SeriesTask:
    uid: str
    dates: pd.DatetimeIndex
    y: np.ndarray


@dataclass(frozen=True)
class GridSettings:
    horizon: int
    season: int
    allowed: tuple[str, ...]
    non_negative: bool


def clip(values: np.ndarray, non_negative: bool) -> np.ndarray:
    return np.maximum(values, 0.0) if non_negative else values


def series_runs(task: SeriesTask, windows: Sequence[Window], settings: GridSettings) -> dict[int, WindowRun]:
    """One series' local candidates at each backtest window it is long enough for. The earliest window fits
    Theta, DOTM and CES; the later ones reuse those fits' parameters (models.forecast_local)."""
    runs: dict[int, WindowRun] = {}
    anchors: dict[str, Anchor | None] = {}
    for window in sorted(windows, key=lambda w: -w.offset):  # earliest origin first
        bounds = split(len(task.y), window, settings.horizon)
        if bounds is None:
            continue
        train_end, test_end = bounds
        train = task.y[:train_end]
        t = tier(train, settings.season, allowed=settings.allowed, non_negative=settings.non_negative)
        forecasts, forms = {}, {}
        for m in t.candidates:
            if m in LOCAL_MODELS:
                point, anchor = forecast_local(
                    m, train, settings.horizon, settings.season, dates=task.dates[:train_end], anchor=anchors.get(m)
                )
                anchors[m] = anchor
                forecasts[m] = clip(point, settings.non_negative)
                if anchor is not None and anchor.form is not None:
                    forms[m] = anchor.form
        runs[window.offset] = WindowRun(
            t, forecasts, task.y[train_end:test_end], seasonal_scale(train, settings.season), forms
        )
    return {w.offset: runs[w.offset] for w in windows if w.offset in runs}


def final_fits(
    task: SeriesTask,
    members: tuple[str, ...],
    form_length: int | None,
    forms: Mapping[str, str],
    settings: GridSettings,
) -> dict[str, tuple[np.ndarray, dict]]:
    """The chosen local models fitted on the whole series (in the tier and form they were backtested in):
    forecasts and what was fitted."""
    out = {}
    for m in members:
        if m in LOCAL_MODELS:
            point, fitted = fit_local(
                m,
                task.y,
                settings.horizon,
                settings.season,
                dates=task.dates,
                form_length=form_length,
                form=forms.get(m),
            )
            out[m] = (clip(point, settings.non_negative), fitted)
    return out


def _runs_chunk(args):
    tasks, windows, settings = args
    return [series_runs(t, windows, settings) for t in tasks]


def _final_chunk(args):
    items, settings = args
    return [final_fits(t, members, form_length, forms, settings) for t, members, form_length, forms in items]


def map_series(
    function: Callable,
    items: list,
    extra: tuple,
    *,
    n_jobs: int,
    progress: Progress | None,
    done: int = 0,
    total: int | None = None,
) -> list:
    """`function((chunk, *extra))` over chunks of `items`, in `n_jobs` processes when there are many; results in order."""
    total = total or len(items)
    chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    results: list = []
    if n_jobs <= 1 or len(items) < PARALLEL_FROM:
        for chunk in chunks:
            results += function((chunk, *extra))
            done += len(chunk)
            if progress:
                progress(done, total)
        return results
    workers = min(n_jobs, os.cpu_count() or 1, len(chunks))
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        for chunk, out in zip(chunks, pool.map(function, [(c, *extra) for c in chunks]), strict=True):
            results += out
            done += len(chunk)
            if progress:
                progress(done, total)
    return results


def local_runs(
    tasks: list[SeriesTask],
    windows: Sequence[Window],
    settings: GridSettings,
    *,
    n_jobs: int,
    progress: Progress | None,
) -> dict[str, dict[int, WindowRun]]:
    out = map_series(
        _runs_chunk, tasks, (tuple(windows), settings), n_jobs=n_jobs, progress=progress, total=2 * len(tasks)
    )
    return {t.uid: runs for t, runs in zip(tasks, out, strict=True)}


def local_finals(
    items: Sequence[tuple[SeriesTask, tuple[str, ...], int | None, Mapping[str, str]]],
    settings: GridSettings,
    *,
    n_jobs: int,
    progress: Progress | None,
) -> list[dict]:
    return map_series(
        _final_chunk, list(items), (settings,), n_jobs=n_jobs, progress=progress, done=len(items), total=2 * len(items)
    )


def global_runs(
    tasks: list[SeriesTask], windows: Sequence[Window], spec: GlobalSpec, horizon: int, non_negative: bool
) -> tuple[dict[int, dict[str, np.ndarray]], GlobalModel | None]:
    """The shared model's forecasts at each window and the final model on everything.

    The model is trained once, on what came before the earliest window (that has enough to learn from), and the later windows forecast with it
    from their own (longer) histories, as Theta, DOTM and CES re-filter their earliest fit: it never saw a
    period at or after any window's origin, so no window looks ahead. Training at every window as well cost two
    more LightGBM fits of four (about a tenth of the whole choice) and made the choice no better on the bench's
    series (bench/RESULTS.md, 2026-12-03)."""
    per_window: dict[int, dict[str, np.ndarray]] = {}
    earliest: GlobalModel | None = None
    for window in sorted(windows, key=lambda w: -w.offset):
        histories = _histories(tasks, window, horizon)
        if earliest is None:  # the earliest window with enough series and rows to learn from
            earliest = fit_global(spec, histories)
        if earliest is not None:
            per_window[window.offset] = {
                uid: clip(f, non_negative) for uid, f in predict_global(earliest, histories, horizon).items()
            }
    return per_window, fit_global(spec, _histories(tasks, Window(0), horizon))


def _histories(tasks: list[SeriesTask], window: Window, horizon: int) -> dict[str, tuple[pd.DatetimeIndex, np.ndarray]]:
    """Every series' dates and values before `window`'s origin (those long enough to have one)."""
    histories = {}
    for t in tasks:
        bounds = split(len(t.y), window, horizon)
        if bounds is not None:
            histories[t.uid] = (t.dates[: bounds[0]], t.y[: bounds[0]])
    return histories


def with_global(
    runs: dict[str, dict[int, WindowRun]], per_window: dict[int, dict[str, np.ndarray]], available: Collection[str]
) -> None:
    """Add the shared model's backtest forecasts to each series' windows (where the tier allows it)."""
    if "lightgbm" not in available:
        return
    for uid, windows in runs.items():
        for offset, run in windows.items():
            forecast = per_window.get(offset, {}).get(uid)
            if forecast is not None and "lightgbm" in run.tier.candidates:
                run.forecasts["lightgbm"] = forecast  # type: ignore[index]

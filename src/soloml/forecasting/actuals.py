"""Forecasts beside the actuals that have since arrived: was the forecast as good as its done line?

The actuals are the project's series recipe run on today's data (so a partial current period is left out
exactly as when forecasting). Of the project's runs in ops.forecasts, the newest one with at least one
period that now has an actual is judged, on the spec's metric: WAPE / MAPE pooled over the matched periods,
MASE scaled by each series' seasonal change in the history before that forecast's first period,
miss_cost as misses (off by more than forecast.miss_tolerance) times forecast.miss_cost per period.
Every one of these is lower-is-better: above the done line is an alert.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from soloml.forecasting import metrics
from soloml.forecasting.calendar import NOUN, SEASON, label
from soloml.forecasting.judge import fmt
from soloml.forecasting.series import SeriesSet


@dataclass(frozen=True)
class ActualsCheck:
    """One forecast run judged on the actuals that arrived after it."""

    metric: str
    value: float | None
    threshold: float | None
    matched: int  # periods (series x period) with an actual
    run_id: str | None
    first_period: str | None
    last_period: str | None
    alert: bool
    words: str
    coverage: float | None = None  # share of matched actuals inside their interval


def check_actuals(
    forecasts: pd.DataFrame,
    series: SeriesSet,
    *,
    metric: str,
    threshold: float | None,
    tolerance: float = 0.1,
    miss_cost: float | None = None,
) -> ActualsCheck:
    """Judge ops.forecasts rows (every run of one project) on `series`' actuals: the newest run that has any."""
    f = series.frequency
    noun = NOUN[f]
    if forecasts.empty:
        return ActualsCheck(
            metric,
            None,
            threshold,
            0,
            None,
            None,
            None,
            False,
            "Forecast accuracy: no forecast stored yet (run `soloml forecast PROJECT`).",
        )
    actual = series.frame.assign(unique_id=lambda d: d["unique_id"].astype(str), ds=lambda d: pd.to_datetime(d["ds"]))
    rows = forecasts.assign(
        series_id=lambda d: d["series_id"].astype(str), period=lambda d: pd.to_datetime(d["period"])
    )
    joined = rows.merge(actual, left_on=["series_id", "period"], right_on=["unique_id", "ds"], how="inner")
    if joined.empty:
        first = pd.Timestamp(rows["period"].min())
        return ActualsCheck(
            metric,
            None,
            threshold,
            0,
            None,
            None,
            None,
            False,
            f"Forecast accuracy: no actuals yet for the forecast {noun}s (the first is {label(first, f)}; the data ends {label(series.last, f)}).",
        )
    latest = joined.sort_values("made_at")["run_id"].iloc[-1]
    j = joined[joined["run_id"] == latest].sort_values(["series_id", "period"])
    a, p = j["y"].to_numpy(dtype=float), j["forecast"].to_numpy(dtype=float)
    value = _value(metric, j, actual, SEASON[f], tolerance, miss_cost)
    with_range = j.dropna(subset=["lower", "upper"])
    coverage = (
        float(((with_range["y"] >= with_range["lower"]) & (with_range["y"] <= with_range["upper"])).mean())
        if len(with_range)
        else None
    )
    first, last = label(j["period"].min(), f), label(j["period"].max(), f)
    span = first if first == last else f"{first} to {last}"
    wape = metrics.wape(a, p)
    if value is None:
        return ActualsCheck(
            metric,
            None,
            threshold,
            len(j),
            str(latest),
            first,
            last,
            False,
            f"Forecast accuracy ({span}): the {metric} cannot be computed on these actuals.",
            coverage,
        )
    alert = threshold is not None and value > threshold
    line = f"done line {fmt(threshold, metric)}" if threshold is not None else "no done line"
    verdict = "worse than the" if alert else "within the"
    words = (
        f"Forecast accuracy on {len(j)} {noun}(s) with actuals ({span}): {metric} {fmt(value, metric)}, {verdict} {line}"
        if threshold is not None
        else f"Forecast accuracy on {len(j)} {noun}(s) with actuals ({span}): {metric} {fmt(value, metric)} ({line})"
    )
    words += f"; the forecasts missed by {fmt(wape, 'wape')} on average." if np.isfinite(wape) else "."
    if coverage is not None:
        words += f" {coverage:.0%} of the actuals fell inside the ranges."
    return ActualsCheck(metric, value, threshold, len(j), str(latest), first, last, alert, words, coverage)


def _value(
    metric: str, j: pd.DataFrame, actual: pd.DataFrame, season: int, tolerance: float, miss_cost: float | None
) -> float | None:
    a, p = j["y"].to_numpy(dtype=float), j["forecast"].to_numpy(dtype=float)
    if metric == "wape":
        v = metrics.wape(a, p)
    elif metric == "mape":
        v = metrics.mape(a, p)
    elif metric == "miss_cost":
        v = float(metrics.missed(a, p, tolerance).sum()) * (miss_cost or 0.0) / len(a)
    elif metric == "mase":
        per = []
        for uid, g in j.groupby("series_id"):
            start = g["period"].min()
            history = actual[(actual["unique_id"] == uid) & (actual["ds"] < start)]["y"].to_numpy(dtype=float)
            scale = metrics.seasonal_scale(history, season) if len(history) > 1 else float("nan")
            per.append(
                float(np.mean(np.abs(g["y"].to_numpy(dtype=float) - g["forecast"].to_numpy(dtype=float)))) / scale
            )
        v = float(np.nanmean(per)) if per else float("nan")
    else:
        raise ValueError(f"unknown forecast metric {metric!r}")
    return float(v) if np.isfinite(v) else None

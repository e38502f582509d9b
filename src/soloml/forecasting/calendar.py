"""Periods: which frequency a series has, which periods are missing, and which are only partly observed.

A series is regular (one value per period, no holes) before any model sees it. Event data (payments,
orders, any table with many rows a period) is summed per period: a period without rows is a real
zero. A table that already holds one row per period has its holes filled by interpolation instead,
and said. The first and last periods of event data are left out when the data does not cover them
whole (an export run on the 17th holds half a month).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from soloml.errors import ForecastError

Frequency = Literal["day", "week", "month", "quarter"]
FREQUENCIES: tuple[Frequency, ...] = ("day", "week", "month", "quarter")
PANDAS_FREQ: dict[str, str] = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q"}
SEASON: dict[str, int] = {"day": 7, "week": 52, "month": 12, "quarter": 4}
NOUN: dict[str, str] = {"day": "day", "week": "week", "month": "month", "quarter": "quarter"}
# typical gap between two period starts, in days (the range a regular gap may fall in)
GAP_DAYS: dict[str, tuple[int, int]] = {"day": (1, 1), "week": (7, 7), "month": (28, 31), "quarter": (89, 92)}
REGULAR_SHARE = 0.9
MAX_LISTED = 5


def period_start(ts: pd.Timestamp | pd.Series, frequency: Frequency):
    """The start of the period holding `ts` (weeks start on Monday)."""
    if isinstance(ts, pd.Series):
        return ts.dt.to_period(PANDAS_FREQ[frequency]).dt.start_time
    return pd.Timestamp(ts).to_period(PANDAS_FREQ[frequency]).start_time


def next_start(start: pd.Timestamp, frequency: Frequency, steps: int = 1) -> pd.Timestamp:
    return (pd.Timestamp(start).to_period(PANDAS_FREQ[frequency]) + steps).start_time


def future_periods(last: pd.Timestamp, frequency: Frequency, horizon: int) -> pd.DatetimeIndex:
    """The `horizon` period starts after `last`."""
    return _future_periods(pd.Timestamp(last), frequency, horizon)


@functools.lru_cache(maxsize=256)  # many series end on the same period: the index is made once (it is immutable)
def _future_periods(last: pd.Timestamp, frequency: Frequency, horizon: int) -> pd.DatetimeIndex:
    first = last.to_period(PANDAS_FREQ[frequency]) + 1
    return pd.period_range(first, periods=horizon, freq=PANDAS_FREQ[frequency]).start_time


def label(start: pd.Timestamp, frequency: Frequency) -> str:
    """'2024-03' for a month, '2024-Q1' for a quarter, the ISO date otherwise."""
    ts = pd.Timestamp(start)
    if frequency == "month":
        return f"{ts:%Y-%m}"
    if frequency == "quarter":
        return f"{ts.year}-Q{ts.quarter}"
    return f"{ts:%Y-%m-%d}"


def infer_frequency(dates: Iterable[pd.Timestamp]) -> Frequency | None:
    """The frequency of distinct, sorted dates that are one per period; None when the gaps are irregular."""
    days = (
        np.diff(pd.DatetimeIndex(sorted(set(pd.to_datetime(list(dates))))).values).astype("timedelta64[D]").astype(int)
    )
    if len(days) == 0:
        return None
    for frequency in FREQUENCIES:
        low, high = GAP_DAYS[frequency]
        single = (days >= low) & (days <= high)
        fits = single.copy()  # a missing period shows as a multiple of the regular gap: a hole, not another frequency
        for k in range(2, 13):
            fits |= (days >= k * low) & (days <= k * high)
        if fits.mean() >= REGULAR_SHARE and single.mean() >= 0.5:
            return frequency
    return None


def events_frequency(first: pd.Timestamp, last: pd.Timestamp) -> Frequency:
    """For event rows with no frequency of their own: months with two years or more, weeks with half a year, else days."""
    span = (pd.Timestamp(last) - pd.Timestamp(first)).days
    if span >= 760:
        return "month"
    if span >= 180:
        return "week"
    return "day"


@dataclass(frozen=True)
class Coverage:
    """What the data covers: its first and last timestamps, and whether they carry a time of day."""

    start: pd.Timestamp
    end: pd.Timestamp
    has_time: bool


def complete_range(coverage: Coverage, frequency: Frequency) -> tuple[pd.Timestamp, pd.Timestamp, list[str]]:
    """The first and last period starts the data covers whole, with a note for each period left out."""
    notes = []
    first = period_start(coverage.start, frequency)
    last = period_start(coverage.end, frequency)
    noun = NOUN[frequency]
    if frequency != "day" and coverage.start.normalize() > first:
        notes.append(
            f"The first {noun} ({label(first, frequency)}) is partial (data starts {coverage.start:%Y-%m-%d}): left out."
        )
        first = next_start(first, frequency)
    final_day = next_start(last, frequency) - pd.Timedelta(days=1)
    partial = (
        coverage.end.normalize() < final_day if frequency != "day" else (coverage.has_time and coverage.end.hour < 20)
    )
    if partial:
        notes.append(
            f"The last {noun} ({label(last, frequency)}) is partial (data ends {coverage.end:%Y-%m-%d}): left out."
        )
        last = next_start(last, frequency, -1)
    return first, last, notes


def regularize(
    buckets: pd.DataFrame,
    frequency: Frequency,
    *,
    fill: Literal["zero", "interpolate"],
    first: pd.Timestamp | None,
    last: pd.Timestamp,
) -> tuple[pd.DataFrame, list[str]]:
    """One row per series and period from `first` (or each series' first value) to `last`; holes filled and reported.

    `buckets` has columns unique_id, ds (period starts), y. With fill='zero' a series starts at its first
    non-zero period; with 'interpolate' a series whose values stop before `last` is left out.
    """
    frame, notes, _ = regularize_absent(buckets, frequency, fill=fill, first=first, last=last)
    return frame, notes


def regularize_absent(
    buckets: pd.DataFrame,
    frequency: Frequency,
    *,
    fill: Literal["zero", "interpolate"],
    first: pd.Timestamp | None,
    last: pd.Timestamp,
) -> tuple[pd.DataFrame, list[str], dict[str, pd.DatetimeIndex]]:
    """regularize, and per series the periods of the result that had no bucket row at all (filled from nothing)."""
    noun = NOUN[frequency]
    absent: dict[str, pd.DatetimeIndex] = {}
    done = _whole(buckets, frequency, fill=fill, first=first, last=last)  # rows of series with nothing to do
    parts, holes, stopped = [_rows(buckets[done])], {}, []
    rest = buckets[~done]
    for uid, group in rest.groupby("unique_id", sort=True):
        g = group.set_index("ds")["y"].sort_index()
        g = g[(g.index <= last) & ((g.index >= first) if first is not None else True)]
        if fill == "zero":
            g = g[g.index >= g[g != 0].index.min()] if (g != 0).any() else g.iloc[0:0]
        if g.empty:
            continue
        if fill == "interpolate" and g.index.max() < last:
            stopped.append(f"{uid} (last {label(g.index.max(), frequency)})")
            continue
        index = pd.period_range(g.index.min(), last, freq=PANDAS_FREQ[frequency]).start_time
        full = g.reindex(index)
        if len(full) > len(g):
            absent[str(uid)] = index.difference(g.index)
        missing = full.index[full.isna()]
        if len(missing):
            holes[uid] = missing
        full = full.fillna(0.0) if fill == "zero" else full.interpolate(method="linear")
        parts.append(pd.DataFrame({"unique_id": str(uid), "ds": full.index, "y": full.to_numpy(dtype=float)}))
    notes = []
    if holes:
        count = sum(len(v) for v in holes.values())
        how = (
            "counted as zero (no rows in them)"
            if fill == "zero"
            else "filled by straight-line interpolation (the table has one row per period)"
        )
        listed = ", ".join(label(ts, frequency) for ts in next(iter(holes.values()))[:MAX_LISTED])
        where = f" (e.g. {listed}{' in ' + next(iter(holes)) if len(holes) > 1 else ''})"
        notes.append(f"{count} {noun}(s) with no value across {len(holes)} series were {how}{where}.")
    if stopped:
        notes.append(
            f"{len(stopped)} series stop before {label(last, frequency)} and were left out: {', '.join(stopped[:MAX_LISTED])}."
        )
    if not any(len(p) for p in parts):
        raise ForecastError(
            f"No series has any value in the complete {noun}s up to {label(last, frequency)}.",
            hint="Check the date and value columns, or pass a finer --frequency.",
        )
    return pd.concat(parts, ignore_index=True).sort_values(["unique_id", "ds"], ignore_index=True), notes, absent


def _whole(
    buckets: pd.DataFrame,
    frequency: Frequency,
    *,
    fill: Literal["zero", "interpolate"],
    first: pd.Timestamp | None,
    last: pd.Timestamp,
) -> np.ndarray:
    """Which rows belong to series that already have one value in every period up to `last` (nothing to cut,
    fill or report): regularize's per-series loop then only sees the rest."""
    if fill != "interpolate" or buckets.empty:
        return np.zeros(len(buckets), dtype=bool)  # zero-filled series start at their first non-zero period: the loop
    freq = PANDAS_FREQ[frequency]
    codes, _ = pd.factorize(buckets["unique_id"].to_numpy(), use_na_sentinel=False)
    ordinal = buckets["ds"].dt.to_period(freq).array.asi8
    bad = buckets["y"].isna().to_numpy()
    # per series (sorted by series, then period): first and last period, rows, repeated periods, any missing value
    order = np.lexsort((ordinal, codes))
    code, period = codes[order], ordinal[order]
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    ends = np.r_[starts[1:], len(code)] - 1
    rows = ends - starts + 1
    repeated = np.add.reduceat(np.r_[False, (code[1:] == code[:-1]) & (period[1:] == period[:-1])], starts)
    ok = (period[ends] == pd.Timestamp(last).to_period(freq).ordinal) & (period[ends] - period[starts] + 1 == rows)
    ok &= (repeated == 0) & ~np.logical_or.reduceat(bad[order], starts)
    if first is not None:
        ok &= period[starts] >= pd.Timestamp(first).to_period(freq).ordinal
    whole = np.zeros(codes.max() + 1, dtype=bool)
    whole[code[starts]] = ok
    return whole[codes]


def _rows(buckets: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id": buckets["unique_id"].astype(str).to_numpy(dtype=object),
            "ds": pd.DatetimeIndex(buckets["ds"]),
            "y": buckets["y"].to_numpy(dtype=float),
        }
    )

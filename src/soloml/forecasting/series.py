"""A set of regular series ready for the models: one value per series and period, with what was done to get there.

Built from the business's core tables (`core_series`, in recipes.py), from any warehouse table or file
(`table_series`, in tables.py), or from a frame you already have (`series_from_frame`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from soloml.errors import ForecastError
from soloml.forecasting.calendar import NOUN, Coverage, Frequency, complete_range, label, regularize_absent

Unit = Literal["money", "count", "value"]
MIN_PERIODS = 2


@dataclass(frozen=True)
class SeriesSet:
    """Regular series in long form: `frame` has unique_id (str), ds (period start), y (float), sorted."""

    frame: pd.DataFrame
    frequency: Frequency
    name: str
    unit: Unit = "value"
    currency: str | None = None
    source: str = ""
    by: tuple[str, ...] = ()
    non_negative: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    additive: bool = True  # periods add up to a total (sums); False for averages
    # periods that had no rows and were filled (counted as zero for events, interpolated for one-row-per-period tables)
    filled: tuple[pd.Timestamp, ...] = ()
    filled_by: Literal["zero", "interpolate"] = "zero"

    @property
    def ids(self) -> list[str]:
        return list(dict.fromkeys(self.frame["unique_id"]))

    @property
    def last(self) -> pd.Timestamp:
        return pd.Timestamp(self.frame["ds"].max())

    def values(self) -> dict[str, pd.Series]:
        """Each series' values indexed by period start."""
        return {uid: g.set_index("ds")["y"] for uid, g in self.frame.groupby("unique_id", sort=False)}

    def describe(self) -> dict:
        lengths = self.frame.groupby("unique_id").size()
        return {
            "name": self.name,
            "unit": self.unit,
            "currency": self.currency,
            "source": self.source,
            "frequency": self.frequency,
            "by": list(self.by),
            "series": len(lengths),
            "periods": int(lengths.max()),
            "first": label(self.frame["ds"].min(), self.frequency),
            "last": label(self.last, self.frequency),
            "non_negative": self.non_negative,
            "additive": self.additive,
            "notes": list(self.notes),
        }


def shape_buckets(
    buckets: pd.DataFrame,
    frequency: Frequency,
    *,
    events: bool,
    coverage: Coverage | None,
    name: str,
    unit: Unit,
    source: str,
    by: tuple[str, ...] = (),
    currency: str | None = None,
    notes: list[str] | None = None,
    additive: bool = True,
) -> SeriesSet:
    """Per-period sums (unique_id, ds, y) -> a SeriesSet: partial periods cut, holes filled, short series left out."""
    notes = list(notes or [])
    if buckets.empty:
        raise ForecastError(
            f"{source} has no rows to make a {name} series from.",
            hint="Load the data first (`soloml load`), or check the filters.",
        )
    first = None
    last = pd.Timestamp(buckets["ds"].max())
    if events and coverage is not None:
        first, last, cut = complete_range(coverage, frequency)
        notes += cut
        if last < first:
            raise ForecastError(
                f"{source} covers less than one whole {NOUN[frequency]} ({coverage.start:%Y-%m-%d} to {coverage.end:%Y-%m-%d}).",
                hint="Load more history or pass a finer --frequency (week or day).",
            )
    fill: Literal["zero", "interpolate"] = "zero" if events else "interpolate"
    frame, filled, absent = regularize_absent(buckets, frequency, fill=fill, first=first, last=last)
    notes += filled
    lengths = frame.groupby("unique_id").size()
    short = lengths[lengths < MIN_PERIODS]
    if len(short):
        notes.append(
            f"{len(short)} series with fewer than {MIN_PERIODS} {NOUN[frequency]}s were left out: {', '.join(map(str, short.index[:5]))}."
        )
        frame = frame[~frame["unique_id"].isin(short.index)]
    if frame.empty:
        raise ForecastError(
            f"Every {name} series from {source} is shorter than {MIN_PERIODS} {NOUN[frequency]}s.",
            hint="Load more history or a finer frequency.",
        )
    frame = frame.sort_values(["unique_id", "ds"], ignore_index=True)
    non_negative = unit in ("money", "count") or bool((frame["y"] >= 0).all())
    return SeriesSet(
        frame,
        frequency,
        name,
        unit,
        currency,
        source,
        tuple(by),
        non_negative,
        tuple(notes),
        additive,
        _filled(absent, set(frame["unique_id"])),
        fill,
    )


def _filled(absent: dict[str, pd.DatetimeIndex], kept: set[str]) -> tuple[pd.Timestamp, ...]:
    """The periods that no bucket had a value for in the series kept, oldest first (one list across series)."""
    return tuple(sorted({pd.Timestamp(ts) for uid, index in absent.items() if uid in kept for ts in index}))


def series_from_frame(
    frame: pd.DataFrame,
    frequency: Frequency,
    *,
    name: str = "value",
    id_column: str = "unique_id",
    date_column: str = "ds",
    value_column: str = "y",
    unit: Unit = "value",
    currency: str | None = None,
) -> SeriesSet:
    """A SeriesSet from a frame with one row per series and period (holes are interpolated and reported).

    >>> s = series_from_frame(pd.DataFrame({"ds": pd.date_range("2023-01-01", periods=24, freq="MS"), "y": range(24)}), "month")
    >>> s.describe()["periods"]
    24
    """
    missing = [c for c in (date_column, value_column) if c not in frame.columns]
    if missing:
        raise ForecastError(
            f"The frame has no column '{missing[0]}'; it has {', '.join(map(str, frame.columns))}.",
            hint="Pass date_column= / value_column=.",
        )
    from soloml.forecasting.calendar import period_start

    ids = frame[id_column].astype(str) if id_column in frame.columns else pd.Series(name, index=frame.index)
    buckets = pd.DataFrame(
        {
            "unique_id": ids,
            "ds": period_start(pd.to_datetime(frame[date_column]), frequency),
            "y": pd.to_numeric(frame[value_column]),
        }
    )
    buckets = buckets.groupby(["unique_id", "ds"], as_index=False)["y"].sum()
    return shape_buckets(
        buckets, frequency, events=False, coverage=None, name=name, unit=unit, source="the frame", currency=currency
    )

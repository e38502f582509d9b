"""Frequencies inferred and checked; holes reported and filled only where that is right; partial periods left out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from soloml.forecasting.calendar import Coverage, complete_range, infer_frequency, regularize


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (pd.date_range("2024-01-01", periods=30, freq="D"), "day"),
        (pd.date_range("2024-01-01", periods=30, freq="W-MON"), "week"),
        (pd.date_range("2020-01-01", periods=30, freq="MS"), "month"),
        (pd.date_range("2020-01-31", periods=30, freq="ME"), "month"),
        (pd.date_range("2015-01-01", periods=30, freq="QS"), "quarter"),
        (pd.date_range("2020-01-01", periods=30, freq="MS").delete([4, 9]), "month"),  # holes are still months
        (pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-20", "2024-03-02", "2024-03-05"]), None),
    ],
)
def test_frequency_is_inferred_from_one_row_per_period(dates, expected):
    assert infer_frequency(dates) == expected


@pytest.mark.parametrize(
    ("start", "end", "frequency", "first", "last", "cut"),
    [
        ("2022-01-01 08:00", "2024-06-30 18:00", "month", "2022-01-01", "2024-06-01", 0),
        ("2022-01-05 08:00", "2024-06-30 18:00", "month", "2022-02-01", "2024-06-01", 1),
        ("2022-01-01 08:00", "2024-06-17 18:00", "month", "2022-01-01", "2024-05-01", 1),
        ("2022-01-03 08:00", "2024-06-16 18:00", "week", "2022-01-03", "2024-06-10", 0),
        ("2022-01-01 08:00", "2024-06-17 11:00", "day", "2022-01-01", "2024-06-16", 1),
    ],
)
def test_partial_first_and_last_periods_are_left_out_and_said(start, end, frequency, first, last, cut):
    got_first, got_last, notes = complete_range(
        Coverage(pd.Timestamp(start), pd.Timestamp(end), has_time=True), frequency
    )
    assert (got_first, got_last) == (pd.Timestamp(first), pd.Timestamp(last))
    assert len(notes) == cut and all("partial" in n and "left out" in n for n in notes)


def _buckets(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": "a", "ds": pd.to_datetime(list(values)), "y": list(values.values())})


def test_event_holes_are_zero_and_reported():
    frame, notes = regularize(
        _buckets({"2024-01-01": 5.0, "2024-03-01": 7.0}),
        "month",
        fill="zero",
        first=None,
        last=pd.Timestamp("2024-04-01"),
    )
    assert list(frame["y"]) == [5.0, 0.0, 7.0, 0.0]
    assert "2 month(s) with no value" in notes[0] and "counted as zero" in notes[0] and "2024-02" in notes[0]


def test_holes_in_a_table_of_one_row_per_period_are_interpolated_and_reported():
    frame, notes = regularize(
        _buckets({"2024-01-01": 10.0, "2024-03-01": 30.0}),
        "month",
        fill="interpolate",
        first=None,
        last=pd.Timestamp("2024-03-01"),
    )
    assert list(frame["y"]) == [10.0, 20.0, 30.0]
    assert "straight-line interpolation" in notes[0]


def test_a_series_that_stopped_is_left_out_and_named():
    buckets = pd.concat(
        [
            _buckets({"2024-01-01": 1.0, "2024-02-01": 2.0, "2024-03-01": 3.0}),
            _buckets({"2024-01-01": 1.0}).assign(unique_id="gone"),
        ]
    )
    frame, notes = regularize(buckets, "month", fill="interpolate", first=None, last=pd.Timestamp("2024-03-01"))
    assert set(frame["unique_id"]) == {"a"}
    assert "gone (last 2024-01)" in notes[0]


def test_many_series_at_once_come_out_as_each_would_alone():
    """Whole series skip the per-series loop: the frame and notes must be what each series gives on its own."""
    dates = pd.date_range("2023-01-01", periods=6, freq="MS")
    whole = pd.DataFrame({"unique_id": "whole", "ds": dates, "y": np.arange(6.0) + 1})
    holed = whole.drop(index=[2]).assign(unique_id="holed")
    late = whole.iloc[3:].assign(unique_id="late")
    early = whole.iloc[:-1].assign(unique_id="early")  # stops before the last period: left out
    buckets = pd.concat([late, whole, holed, early])
    last = dates[-1]
    frame, notes = regularize(buckets, "month", fill="interpolate", first=dates[1], last=last)
    alone = [regularize(b, "month", fill="interpolate", first=dates[1], last=last) for b in (holed, late, whole)]
    expected = pd.concat([f for f, _ in alone], ignore_index=True).sort_values(["unique_id", "ds"], ignore_index=True)
    pd.testing.assert_frame_equal(frame, expected)
    assert [n for _, ns in alone for n in ns] == [n for n in notes if "stop before" not in n]
    assert any("early" in n for n in notes)


def test_the_filled_periods_are_those_no_row_had_in_the_series_kept():
    """SeriesSet.filled lists each period some kept series had no row for (a row with a missing value is not one
    the frame lacked), oldest first, once across series."""
    from soloml.forecasting.series import MIN_PERIODS, series_from_frame

    dates = pd.date_range("2020-01-01", periods=30, freq="MS")
    a = pd.DataFrame({"unique_id": "a", "ds": dates, "y": np.arange(30.0)}).drop(index=[4, 5, 20])
    b = pd.DataFrame({"unique_id": "b", "ds": dates, "y": np.arange(30.0)}).drop(index=[20, 25])
    b.loc[10, "y"] = np.nan
    whole = pd.DataFrame({"unique_id": "whole", "ds": dates, "y": np.arange(30.0)})
    short = pd.DataFrame({"unique_id": "short", "ds": dates[-MIN_PERIODS + 1 :], "y": 1.0})
    series = series_from_frame(pd.concat([a, b, whole, short]), "month")
    assert "short" not in set(series.frame["unique_id"])
    assert series.filled == tuple(dates[[4, 5, 20, 25]])
    assert series_from_frame(whole, "month").filled == ()


def _whole_by_groupby(buckets, frequency, first, last):
    """The pandas groupby formulation _whole replaced, as the reference."""
    from soloml.forecasting.calendar import PANDAS_FREQ

    freq = PANDAS_FREQ[frequency]
    stats = (
        pd.DataFrame(
            {
                "uid": buckets["unique_id"].to_numpy(),
                "o": buckets["ds"].dt.to_period(freq).array.asi8,
                "bad": buckets["y"].isna().to_numpy(),
            }
        )
        .groupby("uid", sort=False)
        .agg(lo=("o", "min"), hi=("o", "max"), n=("o", "size"), distinct=("o", "nunique"), bad=("bad", "any"))
    )
    ok = (
        (stats["hi"] == pd.Timestamp(last).to_period(freq).ordinal)
        & (stats["hi"] - stats["lo"] + 1 == stats["n"])
        & (stats["distinct"] == stats["n"])
        & ~stats["bad"]
    )
    if first is not None:
        ok &= stats["lo"] >= pd.Timestamp(first).to_period(freq).ordinal
    return np.asarray(buckets["unique_id"].isin(stats.index[ok]).to_numpy(), dtype=bool)


@pytest.mark.parametrize("seed", range(30))
def test_which_series_are_whole_is_found_as_a_groupby_would(seed):
    """Series with holes, repeated periods, missing values, late starts or early ends, in any row order."""
    from soloml.forecasting.calendar import _whole

    rng = np.random.default_rng(seed)
    dates = pd.date_range("2021-01-01", periods=24, freq="MS")
    parts = []
    for i in range(int(rng.integers(1, 7))):
        lo, hi = int(rng.integers(0, 6)), int(rng.integers(20, 25))
        part = pd.DataFrame({"unique_id": f"s{i}", "ds": dates[lo:hi], "y": rng.normal(size=hi - lo)})
        kind = rng.integers(0, 4)
        if kind == 1 and len(part) > 2:
            part = part.drop(index=part.index[int(rng.integers(1, len(part) - 1))])
        elif kind == 2:
            part = pd.concat([part, part.iloc[[0]]])
        elif kind == 3:
            part.loc[part.index[0], "y"] = np.nan
        parts.append(part)
    buckets = pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=seed).reset_index(drop=True)
    first = dates[int(rng.integers(0, 4))] if rng.random() < 0.5 else None
    last = dates[-1]
    ours = _whole(buckets, "month", fill="interpolate", first=first, last=last)
    np.testing.assert_array_equal(ours, _whole_by_groupby(buckets, "month", first, last))

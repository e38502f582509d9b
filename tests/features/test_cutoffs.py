"""The cutoff schedule: regular snapshots ending at the last one whose label window is fully observed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from soloml.features.cutoffs import cutoff_schedule, data_end, scoring_time
from soloml.projects.spec import Cutoffs

from .feature_rows import pay
from .test_recipes import spec_for

D = datetime.fromisoformat


@pytest.mark.parametrize(
    ("every", "months", "horizon", "first", "last", "count"),
    [
        ("monthly", 3, 30, "2024-04-01", "2024-06-01", 3),  # 07-10 - 30 days = 06-10 -> June 1st
        ("monthly", 18, 60, "2023-02-01", "2024-05-01", 16),  # nothing before the first event (2023-01-15)
        ("monthly", 3, 90, "2024-02-01", "2024-04-01", 3),  # 07-10 - 90 days = 04-11
        ("weekly", 1, 7, "2024-06-10", "2024-07-01", 4),  # 4 Mondays; 07-10 - 7 days = 07-03 -> Monday 07-01
        ("daily", 1, 1, "2024-06-10", "2024-07-09", 30),
    ],
)
def test_schedule_ends_at_the_last_fully_observed_window(con, add, every, months, horizon, first, last, count):
    add("payments", pay("p0", "A", "2023-01-15"), pay("p1", "A", "2024-07-10 15:00"))
    spec = spec_for("churn", horizon=horizon).model_copy(
        update={"cutoffs": Cutoffs(every=every, lookback_months=months)}
    )
    cutoffs = cutoff_schedule(con, spec)
    assert (cutoffs[0], cutoffs[-1], len(cutoffs)) == (D(first), D(last), count)
    assert all(c + timedelta(days=horizon) <= D("2024-07-10 15:00") for c in cutoffs)


def test_as_of_moves_the_end_of_the_data_back(con, add):
    add("payments", pay("p0", "A", "2023-01-15"), pay("p1", "A", "2024-07-10"))
    assert cutoff_schedule(con, spec_for("churn"), as_of=D("2024-03-20"))[-1] == D("2024-02-01")


def test_scoring_time_is_midnight_after_the_last_event(con, add):
    add("payments", pay("p1", "A", "2024-07-10 15:00"))
    assert data_end(con) == D("2024-07-10 15:00")
    assert scoring_time(con) == D("2024-07-11")

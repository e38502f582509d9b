"""The done verdict in business terms, against seasonal naive and the done line."""

from __future__ import annotations

import pandas as pd
import pytest

from soloml.forecasting.judge import Accuracy, accuracy, decide


def acc(value, baseline, metric="wape", chosen=1.0):
    return Accuracy(metric, value, baseline, value, baseline, 12, 1, 1, 1, 0.8, 12, 0.8, chosen_share=chosen)


@pytest.mark.parametrize(
    ("value", "baseline", "threshold", "decision", "words"),
    [
        (0.04, 0.11, 0.10, "DONE", "within the done line of 10.0%"),
        (0.04, 0.11, None, "DONE", "no done line was given"),
        (0.12, 0.20, 0.10, "KEEP_GOING", "but short of the done line of 10.0%"),
        (0.105, 0.11, 0.20, "NOT_WORTH_IT", "not meaningfully better than 11.0% for 'same month last year'"),
        (0.15, 0.11, 0.20, "NOT_WORTH_IT", "not meaningfully better"),
    ],
)
def test_verdict_against_seasonal_naive_and_the_done_line(value, baseline, threshold, decision, words):
    v = decide(
        acc(value, baseline),
        threshold,
        span="the last 12 months",
        baseline_words="'same month last year'",
        needed="",
        chosen="Theta",
    )
    assert v.decision == decision
    assert words in v.headline


def test_without_a_window_to_choose_on_before_the_judged_year_it_is_not_proven_yet():
    v = decide(
        acc(0.07, 0.07, chosen=0.0),
        0.1,
        span="the last 12 months",
        baseline_words="'same month last year'",
        needed="",
        chosen="Theta",
    )
    assert (
        v.decision == "KEEP_GOING"
        and "not yet enough history to test a model choice" in v.headline
        and "Theta" in v.headline
    )


def test_without_any_judged_window_it_says_how_much_history_is_needed():
    empty = accuracy(
        pd.DataFrame(
            columns=["unique_id", "offset", "actual", "forecast", "baseline", "lower", "upper", "scale", "chosen_by"]
        ),
        "wape",
        series_total=1,
        level=0.8,
    )
    v = decide(
        empty,
        0.1,
        span="",
        baseline_words="",
        needed="the longest series has 8 months; a backtest needs at least 15",
        chosen="naive",
    )
    assert v.decision == "KEEP_GOING" and "needs at least 15" in v.headline


def test_cost_of_misses_counts_periods_off_by_more_than_the_tolerance():
    bt = pd.DataFrame(
        {
            "unique_id": "a",
            "offset": 4,
            "actual": [100.0, 100.0, 100.0, 100.0],
            "forecast": [105.0, 120.0, 100.0, 70.0],
            "baseline": [130.0, 60.0, 100.0, 100.0],
            "lower": float("nan"),
            "upper": float("nan"),
            "scale": 10.0,
            "chosen_by": 1,
        }
    )
    a = accuracy(bt, "miss_cost", series_total=1, level=0.8, tolerance=0.1, miss_cost=500.0)
    assert (a.misses, a.baseline_misses) == (2, 2)
    assert a.value == pytest.approx(2 * 500 / 4) and a.baseline == pytest.approx(2 * 500 / 4)
    assert accuracy(bt, "mase", series_total=1, level=0.8).value == pytest.approx((5 + 20 + 0 + 30) / 4 / 10)

"""Business evaluation pieces: capacity scaling, the threshold, and the bootstrap's one-pass metrics."""

from __future__ import annotations

import numpy as np
import pytest

from soloml.modeling import evaluate as ev

from .synthetic import churn_spec, table_spec


@pytest.mark.parametrize(
    ("capacity", "rows", "over_time", "k"),
    [
        (20, 500, True, 87),  # 20 a week x 4.35 weeks between monthly snapshots
        (200, 500, True, 500),  # never more than the rows judged
        (20, 500, False, 20),  # a flat table is one snapshot for one cycle
    ],
)
def test_capacity_is_scaled_from_cycles_to_snapshots(capacity, rows, over_time, k):
    spec = churn_spec(capacity=capacity) if over_time else table_spec("binary", "roc_auc", capacity=capacity)
    cap = ev.scale_capacity(spec, rows, over_time=over_time)
    assert cap.k == k
    assert cap.threshold_rank == min(capacity, rows)


@pytest.mark.parametrize(
    ("breakeven", "rank", "expected"),
    [(0.1, 2, 0.8), (0.85, 2, 0.85), (None, 3, 0.5)],
)
def test_threshold_is_the_capacity_cut_raised_to_break_even(breakeven, rank, expected):
    score = np.array([0.9, 0.8, 0.5, 0.2])
    assert ev.decision_threshold("binary" if breakeven else "regression", score, rank, breakeven) == pytest.approx(
        expected
    )


@pytest.mark.parametrize(
    ("metric", "task"),
    [
        ("roc_auc", "binary"),
        ("precision_at_capacity", "binary"),
        ("log_loss", "binary"),
        ("pr_auc", "binary"),
        ("rmse", "regression"),
        ("mae", "regression"),
    ],
)
def test_bootstrap_metrics_with_unit_weights_equal_the_plain_metric(metric, task):
    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.3).astype(float) if task == "binary" else rng.normal(size=300)
    pred = (
        np.clip(np.round(rng.random(300) * 0.5 + 0.3 * y, 2), 0.01, 0.99)
        if task == "binary"
        else y + rng.normal(size=300)
    )
    fn = ev.weighted_metric(metric, task, y, pred, pred, 40)
    assert fn(np.ones(300)) == pytest.approx(ev.metric_value(metric, task, y, pred, pred, 40))


def test_bootstrap_interval_brackets_a_real_difference_and_straddles_none():
    rng = np.random.default_rng(1)
    y = (rng.random(2000) < 0.3).astype(float)
    good = y + rng.normal(scale=0.8, size=2000)
    noise = rng.normal(size=2000)
    low, high = ev.bootstrap_difference("roc_auc", "binary", y, (good, good), (noise, noise), 100, seed=0)
    assert 0 < low < high
    low, high = ev.bootstrap_difference("roc_auc", "binary", y, (good, good), (good, good), 100, seed=0)
    assert low == high == 0

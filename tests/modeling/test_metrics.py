"""Our fast metrics agree with scikit-learn's on the same inputs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from soloml.modeling import metrics as m


@pytest.fixture
def scored():
    rng = np.random.default_rng(3)
    y = rng.random(500) < 0.3
    score = np.round(rng.random(500) + 0.4 * y, 2)  # rounded: plenty of ties
    return y, score


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [(m.roc_auc, skm.roc_auc_score), (m.pr_auc, skm.average_precision_score), (m.brier, skm.brier_score_loss)],
)
def test_binary_metrics_match_scikit_learn(scored, ours, theirs):
    y, score = scored
    p = np.clip(score, 0, 1)
    assert ours(y, p) == pytest.approx(theirs(y, p), abs=1e-12)


def test_log_loss_and_regression_metrics_match_scikit_learn(scored):
    y, score = scored
    p = np.clip(score, 0.01, 0.99)
    assert m.log_loss(y, p) == pytest.approx(skm.log_loss(y, p))
    assert m.rmse(score, p) == pytest.approx(np.sqrt(skm.mean_squared_error(score, p)))
    assert m.mae(score, p) == pytest.approx(skm.mean_absolute_error(score, p))


def test_precision_at_k_counts_positives_among_the_top_k():
    y = np.array([1, 0, 1, 0, 0, 1])
    score = np.array([0.9, 0.8, 0.7, 0.1, 0.2, 0.3])
    assert m.precision_at_k(y, score, 3) == pytest.approx(2 / 3)
    assert m.precision_at_k(y, score, 1) == 1.0


@pytest.mark.parametrize(
    ("y", "score", "k", "expected"),
    [
        ([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5], 2, 0.5),  # a constant score (the prior) gets the base rate
        ([1, 1, 0, 0, 0], [1, 1, 0, 0, 0], 3, 2 / 3),  # a yes/no rule: both yes rows, then a random 'no' row
        ([1, 0, 0, 1, 0, 0], [1, 0, 0, 0, 0, 0], 3, (1 + 2 * 0.2) / 3),  # 2 of the 5 tied rows at rate 1/5
    ],
)
def test_precision_at_k_counts_tied_rows_at_their_average(y, score, k, expected):
    assert m.precision_at_k(np.array(y), np.array(score), k) == pytest.approx(expected)


def test_auc_is_nan_with_one_class():
    assert np.isnan(m.roc_auc(np.ones(5), np.arange(5)))

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, log_loss, roc_auc_score

from soloml.monitoring.performance import live_performance, metric_value


def _data(n=400, seed=0, signal=2.0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    score = 1 / (1 + np.exp(-(signal * y + rng.normal(0, 1, n) - 1)))
    ids = [f"c{i}" for i in range(n)]
    return pd.DataFrame({"entity_id": ids, "score": score, "decision": score > 0.5}), pd.DataFrame(
        {"entity_id": ids, "label": y}
    )


@pytest.mark.parametrize(
    "metric, reference", [("roc_auc", roc_auc_score), ("pr_auc", average_precision_score), ("log_loss", log_loss)]
)
def test_metrics_match_sklearn(metric, reference):
    preds, labels = _data()
    got = metric_value(metric, labels.label.to_numpy().astype(float), preds.score.to_numpy(), None, 50)
    assert got == pytest.approx(reference(labels.label, preds.score), abs=1e-12)


def test_precision_at_capacity_counts_hits_among_the_top_k():
    y = np.array([1, 0, 1, 1, 0, 0], dtype=float)
    s = np.array([0.9, 0.8, 0.7, 0.1, 0.2, 0.3])
    assert metric_value("precision_at_capacity", y, s, None, 3) == pytest.approx(2 / 3)


def test_a_good_model_meets_the_done_line_and_a_weak_one_alerts():
    preds, labels = _data(signal=3.0)
    good = live_performance(preds, labels, metric="roc_auc", threshold=0.75, capacity=50)
    weak = live_performance(*_data(signal=0.2), metric="roc_auc", threshold=0.75, capacity=50)
    assert not good.alert and good.value > 0.75 and "still meets" in good.words
    assert weak.alert and "BELOW the done line" in weak.words


def test_loss_metrics_alert_when_above_the_threshold():
    preds, labels = _data(signal=0.1)
    assert live_performance(preds, labels, metric="log_loss", threshold=0.3, capacity=50).alert


def test_too_few_matured_labels_waits_instead_of_alerting():
    preds, labels = _data(n=20)
    result = live_performance(preds, labels, metric="roc_auc", threshold=0.99, capacity=5)
    assert not result.alert and result.value is None and "waits" in result.words

"""Columns a model must not learn from: ids, constants, all-missing, free text, leak suspects; and training says so."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from soloml.features.trainingset import TrainingSet
from soloml.modeling import train
from soloml.modeling.columns import column_finding, leak_reason, likely_ids, screen

from .synthetic import table_spec

N = 200
rng = np.random.default_rng(0)

CASES = [
    # title, column name, values, expected kind (None: a feature)
    ("an exported row number", "rownames", pd.Series(np.arange(1, N + 1)), "id"),
    ("a shuffled numbering, any name", "n", pd.Series(rng.permutation(N) + 1000), "id"),
    ("unique text", "email", pd.Series([f"p{i}@x.com" for i in range(N)]), "id"),
    ("an id by name with many values", "customer_id", pd.Series([f"c{i % 150}" for i in range(N)]), "id"),
    ("an id by name with few values is a category", "store_id", pd.Series([f"s{i % 5}" for i in range(N)]), None),
    (
        "whole numbers unique by chance over a wide range",
        "income",
        pd.Series(rng.choice(10**7, N, replace=False)),
        None,
    ),
    ("a continuous measure", "weight", pd.Series(rng.normal(70, 10, N)), None),
    ("the same value in every row", "plan", pd.Series(["basic"] * N), "constant"),
    ("a value or missing still tells rows apart", "coupon", pd.Series(["X", None] * (N // 2)), None),
    ("missing in every row", "fax", pd.Series([None] * N, dtype=object), "all_missing"),
    ("free text", "notes", pd.Series([f"called on day {i % 150}" for i in range(N)]), "free_text"),
]


@pytest.mark.parametrize(("title", "name", "values", "kind"), CASES, ids=[c[0] for c in CASES])
def test_label_free_column_checks(title, name, values, kind):
    finding = column_finding(values, name)
    assert (None if finding is None else finding.kind) == kind


@pytest.mark.parametrize(
    ("title", "values", "task", "suspect"),
    [
        (
            "recorded after the outcome: missing unless it happened",
            lambda y: np.where(y == 1, 3.0, np.nan),
            "binary",
            True,
        ),
        ("the label re-coded as text", lambda y: np.where(y == 1, "closed", "open"), "binary", True),
        ("a strong but honest signal", lambda y: y + rng.normal(0, 0.6, len(y)), "binary", False),
        ("the target in other units", lambda y: y * 100 + 3, "regression", True),
    ],
)
def test_leak_suspects_predict_the_label_almost_perfectly_alone(title, values, task, suspect):
    y = (rng.random(N) < 0.3).astype(float) if task == "binary" else rng.normal(50, 10, N)
    reason = leak_reason(pd.Series(values(y)), y, task, target="'churned'")
    assert (reason is not None) == suspect
    if suspect:
        assert reason.startswith("a leak suspect: alone it predicts 'churned' almost perfectly")


def test_likely_ids_lists_every_id_column_of_a_frame():
    frame = pd.DataFrame(
        {"rownames": np.arange(N), "plan": rng.choice(["a", "b"], N), "uuid": [f"u-{i}" for i in range(N)]}
    )
    assert [f.column for f in likely_ids(frame)] == ["rownames", "uuid"]


def test_leak_suspects_are_judged_on_the_rows_given_only():
    y = np.r_[np.zeros(100), np.ones(100)]
    col = pd.Series(np.r_[np.zeros(100), np.ones(100)])
    col.iloc[150:] = 0.0  # only the later half breaks the pattern
    assert (
        screen(pd.DataFrame({"c": col}), ("c",), label=y, task="binary", rows=np.arange(150)).kept == ()
    )  # rows 0..149: perfect
    assert screen(pd.DataFrame({"c": col}), ("c",), label=y, task="binary").kept == ("c",)


def test_a_row_number_of_a_date_sorted_table_is_not_learnt_from_and_training_says_so():
    """Sorted by date, a row number tracks time; with a drifting base rate it would become a top 'signal'."""
    n = 600
    when = pd.date_range("2024-01-01", periods=n, freq="D")
    x = rng.normal(size=n)
    drift = np.linspace(-1.5, 1.5, n)
    frame = pd.DataFrame(
        {
            "entity_id": [str(i) for i in range(n)],
            "cutoff": when,
            "row_number": np.arange(1, n + 1),
            "x": x,
            "label": rng.random(n) < 1 / (1 + np.exp(-(x + drift))),
            "plan": "basic",
        }
    )
    ts = TrainingSet(project="t", frame=frame, features=("row_number", "x", "plan"), task="binary")
    result = train(ts, table_spec("binary", "roc_auc"), spread=False)
    assert result.signature.names == ("x",)
    summary = result.summary()
    assert {f["column"]: f["kind"] for f in summary["left_out"]} == {"row_number": "id", "plan": "constant"}
    assert all(f["name"] != "row_number" for f in summary["top_features"])

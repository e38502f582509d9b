"""The table recipe: any flat table with a target becomes a training set (the quick path)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from soloml.errors import FeatureError
from soloml.features import build_scoring_frame, build_training_set
from soloml.projects import table_spec


def _accounts(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "account_id": [f"a{i:03d}" for i in range(n)],
            "region": rng.choice(["north", "south", "east"], n),
            "seats": rng.integers(1, 50, n),
            "monthly_fee": rng.normal(100, 20, n).round(2),
            "signed_up": pd.date_range("2024-01-01", periods=n, freq="D"),
            "churned": ["yes" if i % 4 == 0 else "no" for i in range(n)],
        }
    )


@pytest.fixture
def accounts(con):
    df = _accounts()
    con.execute("CREATE TABLE raw.accounts AS SELECT * FROM df")
    return df


def test_warehouse_table_becomes_binary_training_set_with_id_as_entity(con, accounts):
    spec = table_spec("raw.accounts", "churned", con=con)
    ts = build_training_set(con, spec)
    assert ts.task == "binary"
    assert ts.features == ("region", "seats", "monthly_fee")  # id and date columns are not features
    assert ts.categorical == ("region",)
    assert list(ts.frame.columns[:3]) == ["entity_id", "cutoff", "label"]
    assert ts.frame["entity_id"].tolist() == sorted(accounts["account_id"])
    assert ts.frame["label"].sum() == 10  # 'yes' is the positive class
    assert ts.classes == ("no", "yes")  # (the other value, the positive class)
    assert str(ts.frame["region"].dtype) == "category"


def test_the_quick_path_dates_rows_by_their_date_column_unless_told_to_split_at_random(con, accounts):
    dated = build_training_set(con, table_spec("raw.accounts", "churned", con=con))
    assert dated.has_time and dated.frame["cutoff"].min() == pd.Timestamp("2024-01-01")
    undated = build_training_set(con, table_spec("raw.accounts", "churned", con=con, random_split=True))
    assert undated.frame["cutoff"].isna().all() and not undated.has_time


@pytest.mark.parametrize(
    ("values", "task", "positives"),
    [
        ([0, 1] * 10, "binary", 10),
        ([True, False, False, False] * 5, "binary", 5),
        (["won", "lost"] * 10, "binary", 10),
        (["gold", "silver", "bronze", "none"] * 5, "multiclass", None),
        ([1, 2, 3] * 6 + [1, 2], "multiclass", None),
        ([float(i) * 1.5 for i in range(20)], "regression", None),
    ],
)
def test_task_is_inferred_from_the_target(con, tmp_path, values, task, positives):
    df = pd.DataFrame({"x": range(len(values)), "target": values})
    path = tmp_path / "rows.csv"
    df.to_csv(path, index=False)
    spec = table_spec(str(path), "target")
    ts = build_training_set(con, spec)
    assert ts.task == task
    assert spec.metric == {"binary": "roc_auc", "multiclass": "multi_logloss", "regression": "rmse"}[task]
    if positives is not None:
        assert ts.frame["label"].sum() == positives
    if task == "multiclass":
        assert sorted(ts.frame["label"].unique()) == list(range(len(ts.classes)))


def test_quick_spec_ranks_a_tenth_of_rows_sets_no_money_and_a_default_done_line_on_the_metric(con, accounts):
    spec = table_spec("raw.accounts", "churned", con=con)
    assert spec.name == "accounts_churned"
    assert spec.business.capacity == 4
    assert spec.business.value_per_success is None  # no money figures until `soloml interview`
    assert (spec.done.metric, spec.done.value) == ("roc_auc", 0.7)


def test_time_column_becomes_the_cutoff(con, accounts):
    spec = table_spec("raw.accounts", "churned", time_column="signed_up", con=con)
    ts = build_training_set(con, spec)
    assert ts.has_time
    assert ts.frame["cutoff"].min() == pd.Timestamp("2024-01-01")


def test_rows_without_target_are_left_out_of_training_but_scored(con):
    df = _accounts(12)
    df.loc[:3, "churned"] = None
    con.execute("CREATE TABLE raw.accounts AS SELECT * FROM df")
    spec = table_spec("raw.accounts", "churned", con=con)
    assert len(build_training_set(con, spec).frame) == 8
    scoring = build_scoring_frame(con, spec)
    assert len(scoring) == 12
    assert "label" not in scoring.columns
    assert list(scoring.columns) == ["entity_id", "cutoff", "region", "seats", "monthly_fee"]


@pytest.mark.parametrize(
    ("table", "target", "message"),
    [
        ("raw.acounts", "churned", "Did you mean 'raw.accounts'"),
        ("raw.accounts", "churn", "Did you mean 'churned'"),
        ("raw.accounts", "region", None),  # 3 classes: fine
    ],
)
def test_unknown_table_or_column_is_named_with_a_suggestion(con, accounts, table, target, message):
    if message is None:
        assert table_spec(table, target, con=con).recipe == "table"
        return
    with pytest.raises(FeatureError, match=message):
        table_spec(table, target, con=con)


def test_constant_target_is_refused(con):
    con.execute("CREATE TABLE raw.same AS SELECT range AS x, 1 AS y FROM range(10)")
    with pytest.raises(FeatureError, match="nothing to predict"):
        table_spec("raw.same", "y", con=con)


def test_load_metadata_is_not_a_feature_and_free_text_is_left_to_the_training_screen(con):
    """A loaded raw table carries _load_id/_loaded_at/_source_row: how a row arrived says nothing about it. Names are
    unique-ish text: training leaves them out (soloml.modeling.columns), so the recipe keeps them in the training set."""
    n = 400
    df = _accounts(n).assign(  # noqa: F841 - DuckDB reads the local frame `df` by name
        contact_name=[f"person {i % 390}" for i in range(n)],  # nearly one value per row, not unique
        _load_id="L1",
        _source_row=range(1, n + 1),
    )
    con.execute("CREATE TABLE raw.loaded_accounts AS SELECT * FROM df")
    ts = build_training_set(con, table_spec("raw.loaded_accounts", "churned", con=con))
    assert ts.features == ("region", "seats", "monthly_fee", "contact_name")

"""The feature signature turns any frame into what the model reads, or says clearly why it cannot."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from soloml.errors import ModelError
from soloml.modeling.signature import FeatureSignature, build_signature

SIG = FeatureSignature(
    names=("orders", "plan", "paused"),
    dtypes={"orders": "int", "plan": "category", "paused": "bool"},
    categories={"plan": ["basic", "premium"]},
)


def test_prepare_orders_columns_and_keeps_training_categories():
    frame = pd.DataFrame({"paused": [True, False], "plan": ["premium", "gold"], "orders": ["3", 4], "extra": [1, 2]})
    out = SIG.prepare(frame)
    assert list(out.columns) == ["orders", "plan", "paused"]
    assert out["orders"].tolist() == [3.0, 4.0]
    assert list(out["plan"].cat.categories) == ["basic", "premium"]
    assert out["plan"].iloc[0] == "premium" and pd.isna(out["plan"].iloc[1])  # unseen -> missing


def test_matrix_codes_categories_by_their_position():
    m = SIG.matrix(pd.DataFrame({"orders": [1], "plan": ["premium"], "paused": [False]}))
    np.testing.assert_array_equal(m, [[1.0, 1.0, 0.0]])


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"orders": [1], "plan": ["basic"]}), "lack 1 feature column.*paused"),
        (
            pd.DataFrame({"orders": ["lots"], "plan": ["basic"], "paused": [True]}),
            "'orders' must be a number, but row 0 holds 'lots'",
        ),
    ],
)
def test_bad_rows_are_named(frame, message):
    with pytest.raises(ModelError, match=message):
        SIG.prepare(frame)


def test_signature_round_trips_through_json_dict():
    frame = pd.DataFrame({"n": [1, 2], "city": ["b", "a"], "ok": [True, False], "x": [0.5, 1.5]})
    sig = build_signature(frame, ("n", "city", "ok", "x"), (), {"n": "orders"})
    assert sig.dtypes == {"n": "int", "city": "category", "ok": "bool", "x": "float"}
    assert sig.categories == {"city": ["a", "b"]}
    assert FeatureSignature.from_dict(sig.to_dict()) == sig
    assert sig.describe("n") == "orders" and sig.describe("x") == "x"


def test_an_ordered_category_lists_its_values_in_their_natural_order_and_round_trips():
    frame = pd.DataFrame(
        {
            "tenure": ["10+ years", "< 1 year", "2 years", "1 year"],
            "sub_grade": ["B1", "A2", "C3", "A1"],
            "state": ["NY", "CA", "TX", "CA"],
        }
    )
    sig = build_signature(frame, ("tenure", "sub_grade", "state"), ("state",), {})
    assert sig.ordered == ("tenure", "sub_grade")
    assert sig.categories["tenure"] == ["< 1 year", "1 year", "2 years", "10+ years"]
    assert sig.categories["sub_grade"] == ["A1", "A2", "B1", "C3"]
    assert sig.categories["state"] == ["CA", "NY", "TX"]
    np.testing.assert_array_equal(sig.matrix(frame)[:, 0], [3.0, 0.0, 2.0, 1.0])  # the code is the rank
    data = json.loads(json.dumps(sig.to_dict()))
    assert data["ordered"] == ["tenure", "sub_grade"]
    assert FeatureSignature.from_dict(data) == sig


def test_a_signature_saved_before_ordered_categories_reads_none():
    data = SIG.to_dict()
    del data["ordered"]
    assert FeatureSignature.from_dict(data).ordered == ()

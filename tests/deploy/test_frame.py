"""The vectorised scoring matrix equals the registry's reference `FeatureSignature.matrix` on any frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soloml.deploy.frame import feature_matrix
from soloml.errors import ModelError
from soloml.modeling.signature import FeatureSignature

SIGNATURE = FeatureSignature(
    names=("plan", "orders", "revenue", "vip", "zone"),
    dtypes={"plan": "category", "orders": "int", "revenue": "float", "vip": "bool", "zone": "category"},
    categories={"plan": ["annual", "monthly"], "zone": ["1", "2", "3"]},
)

rows = st.fixed_dictionaries(
    {
        "plan": st.none() | st.sampled_from(["annual", "monthly", "weekly", ""]),
        "orders": st.integers(0, 50),
        "revenue": st.none() | st.floats(-1e6, 1e6, allow_nan=False),
        "vip": st.booleans(),
        "zone": st.none()
        | st.sampled_from([1, 2, 3, 4, "2", 2.0]),  # numbers in a category column take the reference path
    }
)


@settings(max_examples=80, deadline=None)
@given(st.lists(rows, min_size=1, max_size=30), st.booleans())
def test_matches_the_reference_matrix(records: list[dict], as_category_dtype: bool):
    frame = pd.DataFrame(records)
    if as_category_dtype:
        frame["plan"] = frame["plan"].astype("category")
    np.testing.assert_array_equal(feature_matrix(SIGNATURE, frame), SIGNATURE.matrix(frame))


def test_missing_columns_are_named():
    with pytest.raises(ModelError, match="lack 2 feature column"):
        feature_matrix(SIGNATURE, pd.DataFrame({"plan": ["annual"], "orders": [1], "revenue": [2.0]}))

"""Request models generated from a feature signature, and the payload -> numpy row encoding."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from soloml.deploy.schema import RowEncoder, request_model
from soloml.modeling.signature import FeatureSignature

SIGNATURE = FeatureSignature(
    names=("orders_30d", "revenue_90d", "has_failed_payment", "plan", "json"),
    dtypes={
        "orders_30d": "int",
        "revenue_90d": "float",
        "has_failed_payment": "bool",
        "plan": "category",
        "json": "float",
    },
    categories={"plan": ["annual", "monthly", "weekly"]},
    descriptions={"orders_30d": "orders in the last 30 days"},
)
GOOD = {"orders_30d": 2, "revenue_90d": 54.5, "has_failed_payment": False, "plan": "monthly", "json": 1.0}


def errors_for(payload: dict) -> list[dict]:
    with pytest.raises(ValidationError) as info:
        request_model("churn", SIGNATURE).model_validate(payload)
    return info.value.errors()


def test_a_complete_record_validates_and_encodes_in_model_order():
    record = request_model("churn", SIGNATURE).model_validate(GOOD)
    row = RowEncoder(SIGNATURE).encode([record])
    assert row.tolist() == [[2.0, 54.5, 0.0, 1.0, 1.0]]


@pytest.mark.parametrize(
    ("change", "field", "error_type"),
    [
        ({"orders_30d": "many"}, "orders_30d", "int_type"),
        ({"revenue_90d": "lots"}, "revenue_90d", "float_type"),
        ({"has_failed_payment": "perhaps"}, "has_failed_payment", "bool_type"),
        ({"plan": 3}, "plan", "string_type"),
        ({"orders_30d": 2**60}, "orders_30d", "less_than_equal"),
        ({"coupon": "X"}, "coupon", "extra_forbidden"),
    ],
)
def test_mistyped_or_unknown_fields_are_named(change: dict, field: str, error_type: str):
    errs = errors_for({**GOOD, **change})
    assert [(e["loc"][-1], e["type"]) for e in errs] == [(field, error_type)]


def test_missing_fields_are_refused_but_explicit_nulls_are_missing_values():
    payload = dict(GOOD)
    del payload["plan"]
    assert [(e["loc"], e["type"]) for e in errors_for(payload)] == [(("plan",), "missing")]
    record = request_model("churn", SIGNATURE).model_validate({**GOOD, "plan": None, "revenue_90d": None})
    row = RowEncoder(SIGNATURE).encode([record])[0]
    assert math.isnan(row[1]) and math.isnan(row[3])


def test_a_category_never_seen_in_training_becomes_missing():
    record = request_model("churn", SIGNATURE).model_validate({**GOOD, "plan": "lifetime"})
    assert math.isnan(RowEncoder(SIGNATURE).encode([record])[0][3])


def test_schema_documents_each_feature_with_its_description_and_known_categories():
    schema = request_model("churn", SIGNATURE).model_json_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(SIGNATURE.names)
    assert "orders in the last 30 days" in schema["properties"]["orders_30d"]["description"]
    assert "annual, monthly, weekly" in schema["properties"]["plan"]["description"]


values = st.fixed_dictionaries(
    {
        "orders_30d": st.none() | st.integers(-1000, 10**6),
        "revenue_90d": st.none() | st.floats(-1e9, 1e9, allow_nan=False),
        "has_failed_payment": st.none() | st.booleans(),
        "plan": st.none() | st.sampled_from(["annual", "monthly", "weekly", "other", ""]),
        "json": st.none() | st.floats(-10, 10, allow_nan=False),
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(values, min_size=1, max_size=8))
def test_encoding_matches_the_registry_signature_matrix(records: list[dict]):
    model = request_model("churn", SIGNATURE)
    fast = RowEncoder(SIGNATURE).encode([model.model_validate(r) for r in records])
    frame = pd.DataFrame(records, columns=list(SIGNATURE.names)).astype(
        {"orders_30d": "float64", "revenue_90d": "float64", "json": "float64"}
    )
    frame["has_failed_payment"] = frame["has_failed_payment"].map(lambda v: np.nan if v is None else float(v))
    reference = SIGNATURE.matrix(frame)
    np.testing.assert_array_equal(fast, reference)

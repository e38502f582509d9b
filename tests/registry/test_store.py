"""The model store: round trips predict identically, tampered files are refused, versions count up."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from modeling.synthetic import churn_set, churn_spec
from soloml.errors import RegistryError
from soloml.modeling import train
from soloml.registry import list_versions, load_model, resolve, save_model


@pytest.fixture(scope="module")
def trained():
    ts = churn_set(customers=200, cutoffs=4, seed=4, signal=1.5)
    return ts, train(ts, churn_spec())


def test_round_trip_predicts_identically(tmp_path, trained):
    ts, result = trained
    version = save_model(tmp_path, result)
    model = load_model(tmp_path, "churn", version)
    rows = ts.frame.head(50)
    expected = result.booster.predict(result.signature.prepare(rows))
    np.testing.assert_array_equal(model.predict(rows), expected)
    assert model.version == version == "v0001"
    assert model.threshold == pytest.approx(result.threshold)
    assert model.signature == result.signature


def test_saved_files_are_plain_text_with_everything_later_stages_need(tmp_path, trained):
    _, result = trained
    version = save_model(tmp_path, result)
    folder = tmp_path / "churn" / version
    assert sorted(p.name for p in folder.iterdir()) == ["checksums.json", "metadata.json", "model.txt"]
    assert (folder / "model.txt").read_text().startswith("tree")  # LightGBM text format
    meta = json.loads(
        (folder / "metadata.json").read_text(), parse_constant=lambda c: pytest.fail(f"metadata.json holds {c}")
    )
    for key in (
        "spec_hash",
        "training",
        "load_ids",
        "signature",
        "metrics",
        "baseline_metrics",
        "verdict",
        "soloml_version",
        "created_at",
        "threshold",
        "reference",
        "feature_stats",
    ):
        assert key in meta, key
    assert meta["load_ids"] == ["load-1"]
    assert meta["signature"]["categories"]["plan"] == ["basic", "family", "premium"]
    assert len(meta["reference"]["prediction_quantiles"]) == 21


def test_a_model_loads_and_predicts_from_a_plain_dict_of_values(tmp_path, trained):
    _, result = trained
    model = load_model(tmp_path, "churn", save_model(tmp_path, result))
    row = pd.DataFrame(
        [
            {
                "orders_30d": 0,
                "failed_payments_30d": 3,
                "days_since_last_order": 90,
                "email_opens_90d": 0,
                "plan": "basic",
                "noise": 0.0,
            }
        ]
    )
    unknown_plan = row.assign(plan="platinum")
    assert 0 < model.predict(row)[0] < 1
    assert model.prepare(unknown_plan)["plan"].isna().all()  # unseen category -> missing, not an error
    assert np.isfinite(model.predict(unknown_plan)).all()


def test_reasons_are_plain_words_with_the_typical_value(tmp_path, trained):
    _, result = trained
    model = load_model(tmp_path, "churn", save_model(tmp_path, result))
    risky = pd.DataFrame(
        [
            {
                "orders_30d": 0,
                "failed_payments_30d": 4,
                "days_since_last_order": 120,
                "email_opens_90d": 0,
                "plan": "basic",
                "noise": 0.0,
            }
        ]
    )
    reasons = model.reasons(risky, top=3)[0]
    assert len(reasons) == 3
    assert "failed payments in the last 30 days: 4 (typical: 0)" in reasons


def test_tampered_model_file_is_refused(tmp_path, trained):
    _, result = trained
    version = save_model(tmp_path, result)
    path = tmp_path / "churn" / version / "model.txt"
    path.write_text(path.read_text().replace("leaf_value=", "leaf_value=1", 1))
    with pytest.raises(RegistryError, match="model.txt does not match its recorded SHA-256"):
        load_model(tmp_path, "churn", version)


def test_tampered_metadata_is_refused(tmp_path, trained):
    _, result = trained
    version = save_model(tmp_path, result)
    path = tmp_path / "churn" / version / "metadata.json"
    meta = json.loads(path.read_text())
    meta["threshold"] = 0.0
    path.write_text(json.dumps(meta))
    with pytest.raises(RegistryError, match="metadata.json does not match"):
        load_model(tmp_path, "churn", version)


def test_missing_checksums_are_refused(tmp_path, trained):
    _, result = trained
    version = save_model(tmp_path, result)
    (tmp_path / "churn" / version / "checksums.json").unlink()
    with pytest.raises(RegistryError, match="checksums.json is missing"):
        load_model(tmp_path, "churn", version)


def test_versions_count_up_and_each_new_one_is_the_candidate(tmp_path, trained):
    _, result = trained
    assert [save_model(tmp_path, result) for _ in range(3)] == ["v0001", "v0002", "v0003"]
    assert resolve(tmp_path, "churn", "candidate") == "v0003"
    assert resolve(tmp_path, "churn", "latest") == "v0003"
    infos = list_versions(tmp_path, "churn")
    assert [i.version for i in infos] == ["v0001", "v0002", "v0003"]
    assert infos[-1].aliases == ("candidate",)
    assert infos[0].verdict == result.verdict.decision


@pytest.mark.parametrize(
    ("project", "ref", "message"),
    [
        ("churn", "production", "no production model yet.*soloml promote churn v0001"),
        ("churn", "v0009", "has no version v0009"),
        ("churn", "candiate", "Did you mean 'candidate'"),
        ("chrun", "production", "No saved models for project 'chrun'.*Did you mean 'churn'"),
        ("../models/churn", "production", "not a project name: it would point outside"),
    ],
)
def test_unknown_references_get_a_clear_error(tmp_path, trained, project, ref, message):
    _, result = trained
    save_model(tmp_path, result)
    with pytest.raises(RegistryError, match=message):
        load_model(tmp_path, project, ref)

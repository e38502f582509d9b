"""Promotion and rollback: aliases.json for the server, history in ops.model_events."""

from __future__ import annotations

import json

import pytest

from soloml.errors import RegistryError
from soloml.modeling import train
from soloml.registry import history, load_model, promote, resolve, rollback, save_model

from modeling.synthetic import churn_set, churn_spec


@pytest.fixture(scope="module")
def result():
    return train(churn_set(customers=120, cutoffs=3, seed=6), churn_spec())


@pytest.fixture
def models(ws, con, result):
    for _ in range(3):
        save_model(ws.models_dir, result, con=con)
    return ws.models_dir


def test_promote_points_production_at_the_version_and_records_it(models, con):
    change = promote(con, models, "churn", "v0002")
    assert (change.version, change.previous_version) == ("v0002", None)
    assert json.loads((models / "churn" / "aliases.json").read_text())["production"] == "v0002"
    assert load_model(models, "churn").version == "v0002"
    events = con.execute("SELECT action, alias, version, previous_version FROM ops.model_events WHERE alias = 'production'").fetchall()
    assert events == [("promote", "production", "v0002", None)]


def test_saving_registers_each_version_as_candidate(models, con):
    events = con.execute("SELECT action, alias, version, previous_version FROM ops.model_events ORDER BY happened_at").fetchall()
    assert events == [("register", "candidate", "v0001", None), ("register", "candidate", "v0002", "v0001"), ("register", "candidate", "v0003", "v0002")]


def test_promote_accepts_an_alias(models, con):
    promote(con, models, "churn", "candidate")
    assert resolve(models, "churn", "production") == "v0003"


def test_rollback_walks_back_through_promotions(models, con):
    for version in ("v0001", "v0002", "v0003"):
        promote(con, models, "churn", version)
    assert rollback(con, models, "churn").version == "v0002"
    assert rollback(con, models, "churn").version == "v0001"
    assert resolve(models, "churn", "production") == "v0001"
    actions = [(e["action"], e["version"], e["previous_version"]) for e in history(con, "churn")]
    assert actions == [
        ("promote", "v0001", None), ("promote", "v0002", "v0001"), ("promote", "v0003", "v0002"),
        ("rollback", "v0002", "v0003"), ("rollback", "v0001", "v0002"),
    ]
    with pytest.raises(RegistryError, match="no earlier 'production' model"):
        rollback(con, models, "churn")


def test_promote_after_rollback_starts_from_the_rolled_back_version(models, con):
    promote(con, models, "churn", "v0001")
    promote(con, models, "churn", "v0002")
    rollback(con, models, "churn")
    promote(con, models, "churn", "v0003")
    assert rollback(con, models, "churn").version == "v0001"


def test_a_tampered_version_cannot_be_promoted_and_production_stays(models, con):
    promote(con, models, "churn", "v0001")
    path = models / "churn" / "v0002" / "model.txt"
    path.write_text(path.read_text() + "\n")
    with pytest.raises(RegistryError, match="does not match"):
        promote(con, models, "churn", "v0002")
    assert resolve(models, "churn", "production") == "v0001"
    assert con.execute("SELECT count(*) FROM ops.model_events WHERE alias = 'production'").fetchone()[0] == 1

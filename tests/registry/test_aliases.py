"""Promotion and rollback: aliases.json for the server, history in ops.model_events."""

from __future__ import annotations

import json

import pytest

from soloml.errors import RegistryError
from soloml.registry import history, load_model, promote, resolve, rollback, save_model


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
    events = con.execute(
        "SELECT action, alias, version, previous_version FROM ops.model_events WHERE alias = 'production'"
    ).fetchall()
    assert events == [("promote", "production", "v0002", None)]


def test_saving_registers_each_version_as_candidate(models, con):
    events = con.execute(
        "SELECT action, alias, version, previous_version FROM ops.model_events ORDER BY happened_at"
    ).fetchall()
    assert events == [
        ("register", "candidate", "v0001", None),
        ("register", "candidate", "v0002", "v0001"),
        ("register", "candidate", "v0003", "v0002"),
    ]


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
        ("promote", "v0001", None),
        ("promote", "v0002", "v0001"),
        ("promote", "v0003", "v0002"),
        ("rollback", "v0002", "v0003"),
        ("rollback", "v0001", "v0002"),
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


def write_aliases(models, aliases: dict) -> None:
    (models / "churn" / "aliases.json").write_text(json.dumps(aliases))


@pytest.mark.parametrize(
    "value",
    [
        "../../../elsewhere/model",
        "../../../../elsewhere/model",
        "../other/v0001",
        "/tmp/v0001",
        "v0001/../../elsewhere/model",
        "v0001/",
        "",
        "V0001",
        3,
        None,
    ],
)
def test_an_alias_that_is_not_a_version_name_is_refused_and_nothing_outside_models_is_loaded(models, tmp_path, value):
    import shutil

    elsewhere = tmp_path / "elsewhere" / "model"
    shutil.copytree(models / "churn" / "v0001", elsewhere)  # a complete, verifiable model outside models/
    write_aliases(models, {"production": value, "candidate": "v0003"})
    with pytest.raises(RegistryError, match=r"aliases\.json.*'production'.*not a version name") as caught:
        load_model(models, "churn", "production")
    assert "v0001, v0002, v0003" in str(caught.value)
    assert resolve(models, "churn", "candidate") == "v0003", "the other aliases still resolve"


def test_an_alias_naming_a_missing_version_is_not_found_rather_than_unverifiable(models):
    write_aliases(models, {"production": "v0007"})
    with pytest.raises(RegistryError, match=r"'production'.*v0007.*not found.*v0001, v0002, v0003") as caught:
        load_model(models, "churn", "production")
    assert "cannot be verified" not in str(caught.value)

"""What an interrupted train or promotion leaves in the registry is cleaned or recorded, and said in words.

Each leftover is made exactly as a kill at that point leaves it (tests/deploy/test_recovery.py kills real processes).
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid

import pytest

from soloml.registry import history, promote, resolve, rollback, save_model
from soloml.registry.recovery import recover_registry

GONE = 999_999_999  # a pid no process has (Linux pids stop at 4,194,304)


@pytest.fixture
def models(ws, con, result):
    for _ in range(2):
        save_model(ws.models_dir, result, con=con)
    promote(con, ws.models_dir, "churn", "v0001")
    return ws.models_dir


def half_written(models, name: str, *, age: float = 0.0):  # noqa: ANN201
    folder = models / "churn" / name
    folder.mkdir()
    (folder / "model.txt").write_text("tree\nversion=v4\n")
    os.utime(folder, (time.time() - age, time.time() - age))
    return folder


def test_half_written_versions_of_finished_processes_are_removed_and_a_running_ones_kept(models, con):
    gone = half_written(models, f".staging-{GONE}-{uuid.uuid4().hex}")
    old = half_written(models, f".staging-{uuid.uuid4().hex}", age=7200)  # written by an older soloml, no pid
    mine = half_written(models, f".staging-{os.getpid()}-{uuid.uuid4().hex}")
    fresh = half_written(models, f".staging-{uuid.uuid4().hex}")
    temp = models / "churn" / f".aliases.json.{GONE}.tmp"
    temp.write_text("{}")
    notes = recover_registry(con, models)
    assert not gone.exists() and not old.exists() and not temp.exists()
    assert mine.exists() and fresh.exists(), "a process still writing keeps its folder"
    assert sorted(notes) == sorted(
        [
            f"Removed models/churn/{gone.name}: a model version left half-written by an interrupted `soloml train`.",
            f"Removed models/churn/{old.name}: a model version left half-written by an interrupted `soloml train`.",
            f"Removed models/churn/{temp.name}: a temporary aliases file of an interrupted promotion.",
        ]
    )
    assert recover_registry(con, models) == [], "a second run finds nothing"


def test_aliases_json_ahead_of_the_events_is_recorded_so_rollback_still_walks_back(models, con):
    path = models / "churn" / "aliases.json"
    path.write_text(
        json.dumps({**json.loads(path.read_text()), "production": "v0002"})
    )  # a promote killed before COMMIT
    notes = recover_registry(con, models)
    assert notes == [
        "Recorded in ops.model_events that churn production is v0002: aliases.json (what services read) said so, "
        "but the last event said v0001 (a promotion interrupted before it was recorded)."
    ]
    assert [e["version"] for e in history(con, "churn")] == ["v0001", "v0002"]
    assert rollback(con, models, "churn").version == "v0001"
    assert recover_registry(con, models) == []


def test_a_complete_version_nobody_registered_becomes_the_candidate(models, con):
    shutil.copytree(
        models / "churn" / "v0002", models / "churn" / "v0003"
    )  # a train killed between rename and registration
    notes = recover_registry(con, models)
    assert notes == [
        "Registered churn v0003 as the candidate: a `soloml train` saved it completely but was interrupted before registering it."
    ]
    assert resolve(models, "churn", "candidate") == "v0003"
    assert recover_registry(con, models) == []


def test_an_unregistered_version_older_than_the_candidate_is_recorded_without_moving_the_candidate(models, con):
    shutil.copytree(models / "churn" / "v0002", models / "churn" / "v0003")
    promote(con, models, "churn", "v0003", alias="candidate")
    shutil.rmtree(models / "churn" / "v0002")
    shutil.copytree(models / "churn" / "v0001", models / "churn" / "v0002")
    con.execute("DELETE FROM ops.model_events WHERE version = 'v0002'")
    assert recover_registry(con, models) == [
        "Recorded churn v0002 in ops.model_events: an interrupted `soloml train` saved it without registering it."
    ]
    assert resolve(models, "churn", "candidate") == "v0003"


def test_without_a_warehouse_only_leftovers_of_finished_processes_are_removed(models):
    gone = half_written(models, f".staging-{GONE}-{uuid.uuid4().hex}")
    shutil.copytree(models / "churn" / "v0002", models / "churn" / "v0003")
    assert len(recover_registry(None, models)) == 1 and not gone.exists()

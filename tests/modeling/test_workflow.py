"""soloml.train: by project name inside a workspace, or from a TrainingSet you built."""

from __future__ import annotations

import soloml
from soloml.registry import load_model

from .synthetic import churn_set, churn_spec


def test_train_by_project_name_builds_trains_and_saves(ws, accounts):
    spec = soloml.table_spec(str(accounts), "churned")
    soloml.projects.save_spec(spec, ws.projects_dir)
    report = soloml.train(spec.name, workspace=ws)
    assert report.version == "v0001"
    assert report.result.training["rows"] == 600
    model = load_model(ws.models_dir, spec.name, "candidate")
    assert model.metadata["spec_hash"] == spec.spec_hash()


def test_train_a_training_set_without_a_workspace_saves_nothing(tmp_path):
    report = soloml.train(churn_set(customers=100, cutoffs=3), churn_spec())
    assert report.version is None
    assert report.summary()["verdict"] in ("DONE", "KEEP_GOING", "NOT_WORTH_IT")


def test_train_a_training_set_into_a_workspace_registers_it(ws):
    report = soloml.train(churn_set(customers=100, cutoffs=3), churn_spec(), workspace=ws)
    assert report.version == "v0001"
    assert (ws.models_dir / "churn" / "aliases.json").is_file()

"""Regression and multiclass models are served too: the value, or the likeliest class with its probability."""

from __future__ import annotations

import httpx
import numpy as np
import pandas as pd
import pytest
from deploy_helpers import DESCRIPTIONS, FEATURES, accounts, churn_spec

from soloml.deploy import score_project
from soloml.deploy.runner import app_for_workspace, running
from soloml.features.trainingset import TrainingSet
from soloml.modeling import train
from soloml.projects.spec import save_spec
from soloml.registry import load_model, promote, save_model


def workspace_with(task: str, ws):
    frame = accounts(300).rename(columns={"account_id": "entity_id"}).assign(cutoff=pd.NaT)
    frame["revenue_90d"] = frame["revenue_90d"].astype(float)
    if task == "regression":
        frame["label"] = frame["orders_90d"] * 10.0 + np.random.default_rng(0).normal(size=len(frame))
        spec = churn_spec().model_copy(
            update={"metric": "rmse", "done": churn_spec().done.model_copy(update={"metric": "rmse", "value": 5.0})}
        )
    else:
        frame["label"] = np.where(frame["churned"] == 1, "gone", np.where(frame["orders_90d"] > 3, "loyal", "casual"))
        spec = churn_spec().model_copy(
            update={
                "metric": "multi_logloss",
                "done": churn_spec().done.model_copy(update={"metric": "multi_logloss", "value": 1.0}),
            }
        )
    ts = TrainingSet(
        project="churn",
        frame=frame.loc[:, ["entity_id", "cutoff", "label", *FEATURES]],
        features=FEATURES,
        task=task,
        categorical=("plan",),
        descriptions=DESCRIPTIONS,
    )
    result = train(ts, spec, params={"num_threads": 1})
    save_spec(spec, ws.projects_dir)
    con = ws.connect()
    try:
        con.register("accounts_df", accounts(300))
        con.execute("CREATE TABLE raw.accounts AS SELECT * FROM accounts_df")
        promote(con, ws.models_dir, "churn", save_model(ws.models_dir, result, con=con))
    finally:
        con.close()
    return frame


def records(frame: pd.DataFrame, n: int) -> list[dict]:
    out = []
    for _, row in frame.head(n).iterrows():
        out.append(
            {f: (None if pd.isna(row[f]) else (row[f].item() if hasattr(row[f], "item") else row[f])) for f in FEATURES}
        )
    return out


@pytest.mark.parametrize("task", ["regression", "multiclass"])
def test_other_tasks_are_served_with_the_registry_prediction(ws, task: str):
    frame = workspace_with(task, ws)
    payload = records(frame, 6)
    model = load_model(ws.models_dir, "churn")
    expected = model.predict(pd.DataFrame(payload))
    with running(app_for_workspace(ws)) as svc, httpx.Client(base_url=svc.url) as client:
        single = client.post("/v1/churn/predict", json=payload[0]).json()
        many = client.post("/v1/churn/predict", json=payload).json()["predictions"]
    if task == "regression":
        np.testing.assert_allclose([p["score"] for p in many], expected, atol=1e-9)
        assert "class" not in single
    else:
        np.testing.assert_allclose([p["score"] for p in many], expected.max(axis=1), atol=1e-12)
        assert [p["class"] for p in many] == [model.classes[i] for i in expected.argmax(axis=1)]
        assert single["class"] == many[0]["class"]
    assert single["score"] == pytest.approx(many[0]["score"], abs=1e-9)
    assert single["reasons"] and single["reasons"] == many[0]["reasons"]


@pytest.mark.parametrize("task", ["regression", "multiclass"])
def test_other_tasks_score_in_batch(ws, task: str):
    workspace_with(task, ws)
    result = score_project(ws, "churn", run_id="r", capacity=30)
    assert result.rows == 300 and result.decided == 30 and result.top[0]["reasons"]


def test_multiclass_batch_scoring_stores_the_predicted_class(ws, tmp_path):
    frame = workspace_with("multiclass", ws)
    score_project(ws, "churn", run_id="r", capacity=30, to=(str(tmp_path / "scored.csv"),))
    model = load_model(ws.models_dir, "churn")
    expected = dict(
        zip(
            frame["entity_id"],
            (model.classes[i] for i in model.predict(frame.loc[:, list(FEATURES)]).argmax(axis=1)),
            strict=True,
        )
    )
    con = ws.connect()
    try:
        stored = dict(
            con.execute("SELECT entity_id, predicted_class FROM ops.predictions WHERE run_id = 'r'").fetchall()
        )
    finally:
        con.close()
    assert stored == expected
    written = pd.read_csv(tmp_path / "scored.csv", dtype={"entity_id": str})
    assert dict(zip(written["entity_id"], written["predicted_class"], strict=True)) == expected

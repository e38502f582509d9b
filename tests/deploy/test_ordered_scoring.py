"""A model with an ordered category (a credit grade A1..E5) scores the same on every path and explains it in words.

The default blend's randomised member reads the grade as a number (its rank), the defaults member as a category;
batch scoring, the HTTP service and the registry's `predict` only turn values into codes, so they agree.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest
from deploy_helpers import DESCRIPTIONS, FEATURES, accounts, churn_spec

from soloml.deploy import score_project
from soloml.deploy.runner import app_for_workspace, running
from soloml.features.trainingset import TrainingSet
from soloml.modeling import blend as bl
from soloml.projects.spec import save_spec
from soloml.registry import load_model, promote, save_model
from soloml.workspace import Workspace, init_workspace, open_workspace

GRADES = [f"{letter}{digit}" for letter in "ABCDE" for digit in range(1, 6)]
GRADED = (*FEATURES, "credit_grade")


def graded_accounts() -> pd.DataFrame:
    """The deploy accounts with a credit grade that worsens with failed payments and fewer orders."""
    frame = accounts()
    rng = np.random.default_rng(11)
    score = 4 * frame["failed_payments_30d"] - frame["orders_90d"] + rng.normal(0, 2, len(frame))
    rank = np.clip(np.round(score + 8), 0, len(GRADES) - 1).astype(int)
    return frame.assign(credit_grade=[GRADES[i] for i in rank])


@pytest.fixture(scope="module")
def graded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = init_workspace(tmp_path_factory.mktemp("ordered") / "acme", name="Acme")
    save_spec(churn_spec(), ws.projects_dir)
    frame = graded_accounts()
    con = ws.connect()
    try:
        con.register("accounts_df", frame)
        con.execute("CREATE TABLE raw.accounts AS SELECT * FROM accounts_df")
        data = frame.rename(columns={"account_id": "entity_id", "churned": "label"}).assign(cutoff=pd.NaT)
        data["revenue_90d"] = data["revenue_90d"].astype("float64")
        ts = TrainingSet(
            project="churn",
            frame=data.loc[:, ["entity_id", "cutoff", "label", *GRADED]],
            features=GRADED,
            task="binary",
            categorical=("plan", "credit_grade"),
            spec_hash=churn_spec().spec_hash(),
            descriptions=DESCRIPTIONS,
        )
        from soloml.modeling import train

        result = train(ts, churn_spec())  # the defaults: the blend with the randomised member
        promote(con, ws.models_dir, "churn", save_model(ws.models_dir, result, con=con))
    finally:
        con.close()
    return ws.root


@pytest.fixture
def graded_ws(graded_template: Path, tmp_path: Path) -> Workspace:
    shutil.copytree(graded_template, tmp_path / "acme")
    return open_workspace(tmp_path / "acme")


def test_the_saved_model_records_the_grade_order_and_which_member_reads_it_as_a_number(graded_ws):
    model = load_model(graded_ws.models_dir, "churn")
    assert model.signature.ordered == ("credit_grade",)
    seen = model.signature.categories["credit_grade"]
    assert seen == [g for g in GRADES if g in seen]  # in their natural order
    saved = json.loads((model.path / "metadata.json").read_text())
    assert saved["signature"]["ordered"] == ["credit_grade"]
    assert [bool(m["params"].get(bl.ORDERED_AS_NUMBERS)) for m in saved["blend"]][:3] == [False, True, True]
    said = (
        f"credit grade is read in its order ({seen[0]} < {seen[1]} < ... < {seen[-1]}) by 2 of the model's 3 boosters"
    )
    assert any(n.startswith(said) for n in saved["notes"]), saved["notes"]
    grade = model.signature.names.index("credit_grade")
    kinds = {
        node["decision_type"]
        for tree in model.booster.dump_model()["tree_info"]
        for node in _nodes(tree["tree_structure"])
        if node.get("split_feature") == grade
    }
    assert kinds == {"==", "<="}  # split as a category in some trees, by rank in others


def test_batch_service_and_predict_give_the_same_scores_and_name_the_grade(graded_ws):
    frame = graded_accounts()
    model = load_model(graded_ws.models_dir, "churn")
    expected = dict(zip(frame["account_id"], model.predict(frame), strict=True))
    score_project(graded_ws, "churn", run_id="graded", reasons_for="all")
    con = graded_ws.connect(read_only=True)
    try:
        batch = con.execute(
            "SELECT entity_id, score, top_reasons FROM ops.predictions WHERE run_id = 'graded'"
        ).fetchdf()
    finally:
        con.close()
    np.testing.assert_allclose(batch["score"], [expected[e] for e in batch["entity_id"]], atol=1e-12)
    records = [_record(r) for _, r in frame.head(25).iterrows()]
    with running(app_for_workspace(graded_ws)) as svc, httpx.Client(base_url=svc.url, timeout=10) as client:
        listed = client.post("/v1/churn/predict", json=records).json()["predictions"]
        single = client.post("/v1/churn/predict", json=records[3]).json()
    np.testing.assert_allclose([p["score"] for p in listed], model.predict(frame.head(25)), atol=1e-12)
    assert single["score"] == pytest.approx(listed[3]["score"], abs=1e-12)
    reasons = [r for rs in batch["top_reasons"] for r in json.loads(rs)]
    assert any(r.startswith("credit grade: ") for r in reasons)
    assert any(f["description"] == "credit grade" for f in model.metadata["importance"])


def _record(row: pd.Series) -> dict:
    out = {name: row[name] for name in GRADED}
    out["revenue_90d"] = None if pd.isna(out["revenue_90d"]) else float(out["revenue_90d"])
    out["auto_renew"] = bool(out["auto_renew"])
    for name in ("orders_90d", "failed_payments_30d", "email_opens_30d"):
        out[name] = int(out[name])
    return out


def _nodes(node: dict) -> list[dict]:
    if "split_feature" not in node:
        return []
    return [node, *_nodes(node["left_child"]), *_nodes(node["right_child"])]
